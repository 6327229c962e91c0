import { ConnectionError, errorFor, type PingvasError, type Problem } from "./errors.js";
import { operationPath, operations, retrySafeOnConnectionError, type OperationId } from "./operations.js";
import { backoffMs, parseRetryAfter, type RetryOptions } from "./retry.js";
import type { RateLimitInfo } from "./types.js";

/** What every call takes: an `AbortSignal` to stop it (the promise then rejects with the signal's reason). */
export interface CallOptions {
  signal?: AbortSignal;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface Call extends CallOptions {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  accept?: string;
}

export interface TransportOptions {
  apiKey: string;
  baseUrl: string;
  /** Per attempt: until the whole answer is read, or for streams until their headers arrive. */
  timeoutMs: number;
  retry: RetryOptions;
  fetch: typeof fetch;
}

/**
 * Sends the operations of the table with the key, retries what may be retried, and turns every
 * answer that is not a success into a typed {@link PingvasError}.
 */
export class Transport {
  /** The last `RateLimit-*` values seen, if the server sent any. */
  rateLimit: RateLimitInfo | undefined;

  constructor(readonly options: TransportOptions) {}

  /** A JSON answer (undefined for 204). */
  async json<T>(operation: OperationId, call: Call = {}): Promise<T> {
    return this.send(operation, call, async (response) =>
      response.status === 204 ? (undefined as T) : ((await response.json()) as T),
    );
  }

  /** The answer's bytes. */
  async bytes(operation: OperationId, call: Call = {}): Promise<Uint8Array> {
    return this.send(operation, { accept: "*/*", ...call }, async (response) => new Uint8Array(await response.arrayBuffer()));
  }

  /**
   * An open streaming answer: the caller reads and closes its body. The attempt timeout covers only
   * the wait for its headers; `call.signal` must stay the caller's own, as aborting it closes the stream.
   */
  async stream(operation: OperationId, call: Call = {}): Promise<Response> {
    return this.send(operation, call, async (response) => response, true);
  }

  private async send<T>(operation: OperationId, call: Call, read: (response: Response) => Promise<T>, streaming = false): Promise<T> {
    const { retry } = this.options;
    const retrySafe = retrySafeOnConnectionError.has(operation);
    for (let attempt = 0; ; attempt++) {
      let outcome: { ok: true; value: T } | { ok: false; error: PingvasError; response: Response | undefined };
      try {
        outcome = await this.attempt(operation, call, read, streaming);
      } catch (error) {
        // The caller's abort is never retried nor wrapped.
        if (call.signal?.aborted) throw call.signal.reason;
        throw error;
      }

      if (outcome.ok) return outcome.value;
      const { error, response } = outcome;
      if (attempt >= retry.maxRetries) throw error;
      let waitMs: number;
      if (response === undefined) {
        if (!retrySafe) throw error;
        waitMs = backoffMs(attempt, retry);
      } else {
        if (response.status !== 429 && response.status !== 503) throw error;
        // A wait longer than allowed (a monthly quota resetting in days) is not waited for: the caller learns it now.
        waitMs = error.retryAfter !== undefined ? error.retryAfter * 1000 : backoffMs(attempt, retry);
        if (waitMs > retry.maxRetryWaitMs) throw error;
      }
      await retry.sleep(waitMs, call.signal);
    }
  }

  /** One attempt: the value on success, else the error and the answer it came from (none when the connection failed). */
  private async attempt<T>(
    operation: OperationId,
    call: Call,
    read: (response: Response) => Promise<T>,
    streaming: boolean,
  ): Promise<{ ok: true; value: T } | { ok: false; error: PingvasError; response: Response | undefined }> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(call.signal?.reason);
    if (call.signal?.aborted) throw call.signal.reason;
    call.signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const response = await this.options.fetch(this.url(operation, call), {
        method: operations[operation][0],
        headers: this.headers(call),
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
      });
      this.observe(response.headers);
      if (!response.ok) {
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        return { ok: false, error: errorFor(response.status, await readProblem(response), retryAfter), response };
      }
      if (streaming) clearTimeout(timer);
      return { ok: true, value: await read(response) };
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      const what = timedOut ? `timed out after ${this.options.timeoutMs} ms` : describe(error);
      return { ok: false, error: new ConnectionError(`${operation}: ${what}`, error), response: undefined };
    } finally {
      clearTimeout(timer);
      if (!streaming) call.signal?.removeEventListener("abort", onAbort);
    }
  }

  private url(operation: OperationId, call: Call): string {
    const url = new URL(this.options.baseUrl + operationPath(operation, call.params));
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  private headers(call: Call): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.apiKey}`,
      Accept: call.accept ?? "application/json",
      ...call.headers,
    };
    if (call.body !== undefined) headers["Content-Type"] = "application/json";
    return headers;
  }

  private observe(headers: Headers): void {
    const limit = headers.get("ratelimit-limit");
    const remaining = headers.get("ratelimit-remaining");
    const reset = headers.get("ratelimit-reset");
    if (limit === null || remaining === null || reset === null) return;
    const resetSeconds = Number(reset);
    this.rateLimit = {
      limit: Number(limit),
      remaining: Number(remaining),
      resetSeconds,
      resetAt: new Date(Date.now() + resetSeconds * 1000),
    };
  }
}

/** The problem body of a failed answer; a stand-in built from the status when it is not problem JSON. */
async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => "");
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json") && text.length > 0) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Problem;
    } catch {
      // Not JSON after all: described below.
    }
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}`, detail: text.slice(0, 500) || undefined };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
