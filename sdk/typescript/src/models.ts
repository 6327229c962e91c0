import type { CallOptions, Transport } from "./http.js";
import type { Model } from "./types.js";

/** `/models`: the catalog with what your plan allows and what is being served now. */
export class Models {
  constructor(private readonly transport: Transport) {}

  list(options: CallOptions = {}): Promise<Model[]> {
    return this.transport.json("listModels", { signal: options.signal });
  }
}
