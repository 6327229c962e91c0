import type { CallOptions, Transport } from "./http.js";
import { generationEvents, type StreamOptions } from "./streams.js";
import { terminalStatuses, type Estimate, type Generation, type GenerationEvent, type GenerationRequest, type GenerationStatus, type Page } from "./types.js";
import { pages } from "./paging.js";

export interface CreateOptions extends CallOptions {
  /** Sent as `Idempotency-Key`; by default a new random one per call, reused by that call's retries. */
  idempotencyKey?: string;
}

export interface ListGenerationsParams extends CallOptions {
  status?: GenerationStatus;
  /** Items per page, 1–100 (the server's default is 20). */
  limit?: number;
  /** Start from this page cursor (a previous page's `nextCursor`). */
  cursor?: string;
}

export interface WaitOptions extends CallOptions {
  /** Called with every state the stream brings: queued, running (with progress and a preview), the final one. */
  onProgress?: (generation: Generation) => void;
}

/** `/generations`: submit, read, list, cancel, estimate, and follow progress over Server-Sent Events. */
export class Generations {
  constructor(
    private readonly transport: Transport,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Submits a generation: 202 with the queued generation. Retries reuse the same `Idempotency-Key`, so a retry never queues a second job. */
  create(request: GenerationRequest, options: CreateOptions = {}): Promise<Generation> {
    const idempotencyKey = options.idempotencyKey ?? newIdempotencyKey();
    return this.transport.json("createGeneration", {
      body: request,
      headers: { "Idempotency-Key": idempotencyKey },
      signal: options.signal,
    });
  }

  get(id: string, options: CallOptions = {}): Promise<Generation> {
    return this.transport.json("getGeneration", { params: { id }, signal: options.signal });
  }

  /** One page of your generations, newest first. */
  listPage(params: ListGenerationsParams = {}): Promise<Page<Generation>> {
    const { signal, ...query } = params;
    return this.transport.json("listGenerations", { query, signal });
  }

  /** Every page of your generations, newest first: `for await (const page of client.generations.list()) …`. */
  list(params: ListGenerationsParams = {}): AsyncGenerator<Page<Generation>, void, undefined> {
    return pages((cursor) => this.listPage({ ...params, cursor }), params.cursor);
  }

  /** Cancels a queued job at once (full refund) or stops a running one at its next step; a finished one is answered as it is. */
  cancel(id: string, options: CallOptions = {}): Promise<Generation> {
    return this.transport.json("cancelGeneration", { params: { id }, signal: options.signal });
  }

  /** What a submit would cost and whether it would be taken now, without queueing anything. */
  estimate(request: GenerationRequest, options: CallOptions = {}): Promise<Estimate> {
    return this.transport.json("estimateGeneration", { body: request, signal: options.signal });
  }

  /** The states of one generation: its current one first, then live ones until the final one. Resumes by itself when the stream drops. */
  events(id: string, options: StreamOptions = {}): AsyncGenerator<GenerationEvent, void, undefined> {
    return generationEvents(this.transport, "streamGenerationEvents", { id }, true, this.idleTimeoutMs, options);
  }

  /** Live states of all your generations; with `lastEventId`, first everything that changed since then. Runs until you stop it. */
  allEvents(options: StreamOptions = {}): AsyncGenerator<GenerationEvent, void, undefined> {
    return generationEvents(this.transport, "streamAllGenerationEvents", {}, false, this.idleTimeoutMs, options);
  }

  /**
   * Waits for the generation to finish, calling `onProgress` with each state, and returns the final
   * one (`succeeded`, `failed` with `error`, or `cancelled`): a failed job is an answer, not an exception.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<Generation> {
    for await (const { generation } of this.events(id, { signal: options.signal })) {
      options.onProgress?.(generation);
      if (terminalStatuses.has(generation.status)) return generation;
    }
    // events() ends only after a final state or by throwing.
    throw new Error(`The event stream of generation ${id} ended without its final state.`);
  }
}

/** 128 random bits as hex; `crypto.randomUUID` exists only in secure contexts in browsers, `getRandomValues` everywhere. */
function newIdempotencyKey(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
