/** How the client retries 429, 503 and dropped connections. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 turns retries off). */
  maxRetries: number;
  /** The longest single wait, in milliseconds (default 60 000). A `Retry-After` beyond it is not waited for: the error is thrown at once. */
  maxRetryWaitMs: number;
  /** The first backoff when the server names no wait, in milliseconds (default 500), doubled per retry. */
  initialBackoffMs: number;
  /** Waits; replaceable so tests can run on a fake clock. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for jitter; replaceable for deterministic tests. */
  random: () => number;
}

export const defaultRetryOptions: RetryOptions = {
  maxRetries: 3,
  maxRetryWaitMs: 60_000,
  initialBackoffMs: 500,
  sleep: abortableSleep,
  random: Math.random,
};

/**
 * `Retry-After` in seconds: either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Exponential backoff with full jitter between half and all of the step: 0.5 s, 1 s, 2 s … by default. */
export function backoffMs(retry: number, options: Pick<RetryOptions, "initialBackoffMs" | "maxRetryWaitMs" | "random">): number {
  const step = Math.min(options.maxRetryWaitMs, options.initialBackoffMs * 2 ** retry);
  return Math.round(step / 2 + (step / 2) * options.random());
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
