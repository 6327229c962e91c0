import type { CallOptions, Transport } from "./http.js";
import { pages } from "./paging.js";
import type { Image, Page } from "./types.js";

export interface ListImagesParams extends CallOptions {
  /** Every word must occur in the prompt, negative prompt, tags or folder name. */
  q?: string;
  tag?: string;
  /** A folder id, or `root`. */
  folder?: string;
  model?: string;
  starred?: boolean;
  from?: string;
  to?: string;
  sort?: "newest" | "oldest" | "most_used";
  trash?: boolean;
  limit?: number;
  cursor?: string;
}

export type ImageSize = "original" | "512" | "256";

export interface DownloadOptions extends CallOptions {
  /** `original` (PNG, the default) or a WebP thumbnail of 512 or 256 px on the long side. */
  size?: ImageSize;
}

/** `/images`: your gallery and the images' bytes. */
export class Images {
  constructor(private readonly transport: Transport) {}

  listPage(params: ListImagesParams = {}): Promise<Page<Image>> {
    const { signal, ...query } = params;
    return this.transport.json("listImages", { query, signal });
  }

  /** Every page of your images (newest first by default). */
  list(params: ListImagesParams = {}): AsyncGenerator<Page<Image>, void, undefined> {
    return pages((cursor) => this.listPage({ ...params, cursor }), params.cursor);
  }

  get(id: string, options: CallOptions = {}): Promise<Image> {
    return this.transport.json("getImage", { params: { id }, signal: options.signal });
  }

  /** The image's bytes: the PNG original, or a WebP thumbnail. */
  download(id: string, options: DownloadOptions = {}): Promise<Uint8Array> {
    return this.transport.bytes("getImageContent", { params: { id }, query: { size: options.size }, signal: options.signal });
  }

  /** Node only: writes the image's bytes to `path` and returns how many were written. */
  async downloadToFile(id: string, path: string, options: DownloadOptions = {}): Promise<number> {
    const bytes = await this.download(id, options);
    // Imported here so the module stays loadable in browsers, which never call this.
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path, bytes, { signal: options.signal });
    return bytes.byteLength;
  }
}
