import { Generations } from "./generations.js";
import { Transport } from "./http.js";
import { Images } from "./images.js";
import { Models } from "./models.js";
import { defaultRetryOptions, type RetryOptions } from "./retry.js";
import type { RateLimitInfo } from "./types.js";
import { WebhookEndpoints } from "./webhookEndpoints.js";

export interface PingvasOptions {
  /** An API key, `pv_live_…` (created in the app under Developers, or `POST /api/v1/keys`). */
  apiKey: string;
  /** The server, default `http://127.0.0.1:5080` (what the README's run command serves). */
  baseUrl?: string;
  /** Retries of a call answered 429 or 503, or whose connection failed when it is safe to resend (default 3). */
  maxRetries?: number;
  /** The longest wait before a retry, in milliseconds (default 60 000); a longer `Retry-After` fails at once. */
  maxRetryWaitMs?: number;
  /** Per attempt, in milliseconds (default 60 000): until the answer is read, or a stream's headers arrive. */
  timeoutMs?: number;
  /** A stream silent this long (no event, no keep-alive) counts as dropped and is resumed (default 45 000 ms; the server sends a keep-alive every 15 s). */
  streamIdleTimeoutMs?: number;
  /** A fetch implementation (default `globalThis.fetch`). */
  fetch?: typeof fetch;
  /** Replaces the retry clock and jitter, for tests. */
  retry?: Partial<Pick<RetryOptions, "sleep" | "random" | "initialBackoffMs">>;
}

/**
 * The Pingvas API client.
 *
 * ```ts
 * const pingvas = new Pingvas({ apiKey: process.env.PINGVAS_API_KEY! });
 * const job = await pingvas.generations.create({ prompt: "a lighthouse at dusk", model: "sd-1.5" });
 * ```
 */
export class Pingvas {
  readonly generations: Generations;
  readonly images: Images;
  readonly models: Models;
  readonly webhookEndpoints: WebhookEndpoints;
  private readonly transport: Transport;

  constructor(options: PingvasOptions) {
    if (!options?.apiKey) throw new TypeError("Pingvas: apiKey is required.");
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") throw new TypeError("Pingvas: no fetch available; pass options.fetch.");
    this.transport = new Transport({
      apiKey: options.apiKey,
      baseUrl: (options.baseUrl ?? "http://127.0.0.1:5080").replace(/\/+$/, ""),
      timeoutMs: options.timeoutMs ?? 60_000,
      // Bound to globalThis: some runtimes refuse a fetch called with another `this`.
      fetch: (input, init) => fetchImpl.call(globalThis, input, init),
      retry: {
        ...defaultRetryOptions,
        ...options.retry,
        maxRetries: options.maxRetries ?? defaultRetryOptions.maxRetries,
        maxRetryWaitMs: options.maxRetryWaitMs ?? defaultRetryOptions.maxRetryWaitMs,
      },
    });
    const idleTimeoutMs = options.streamIdleTimeoutMs ?? 45_000;
    this.generations = new Generations(this.transport, idleTimeoutMs);
    this.images = new Images(this.transport);
    this.models = new Models(this.transport);
    this.webhookEndpoints = new WebhookEndpoints(this.transport);
  }

  /** The last `RateLimit-Limit` / `-Remaining` / `-Reset` the server sent (plans with a monthly API limit), or undefined. */
  get rateLimit(): RateLimitInfo | undefined {
    return this.transport.rateLimit;
  }
}
