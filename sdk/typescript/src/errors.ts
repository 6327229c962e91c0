/** An RFC 9457 problem as the API sends it: `type`, `title`, `status`, `detail` and a stable `code`, plus extensions. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

/**
 * Any failed call: the HTTP status (0 when no answer arrived), the problem's `code`, `title` and
 * `detail`, the whole problem body, and `retryAfter` (seconds) when the server sent `Retry-After`.
 */
export class PingvasError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly problem: Problem;
  readonly retryAfter: number | undefined;

  constructor(status: number, problem: Problem, retryAfter?: number, options?: { cause?: unknown }) {
    const code = typeof problem.code === "string" ? problem.code : `http_${status}`;
    super(problem.detail ?? problem.title ?? `Pingvas API error ${status} (${code})`, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** 400 `validation_failed`: `errors` maps each field to its messages. */
export class ValidationError extends PingvasError {
  get errors(): Record<string, string[]> {
    return this.problem.errors ?? {};
  }
}

/** 401: no key, or an unknown, revoked or expired one (`invalid_api_key`). */
export class AuthenticationError extends PingvasError {}

/** 403: the key lacks a scope (`api_key_scope_missing`), the plan forbids it, or the route takes no keys. */
export class PermissionDeniedError extends PingvasError {
  /** The scope the key would need (`api_key_scope_missing`). */
  get requiredScope(): string | undefined {
    return typeof this.problem.requiredScope === "string" ? this.problem.requiredScope : undefined;
  }
}

/** 404: missing, or another user's (the same answer). */
export class NotFoundError extends PingvasError {}

/** 409: e.g. `idempotency_key_reused`, `webhook_endpoint_limit`. */
export class ConflictError extends PingvasError {}

/** 429 other than the monthly quota: too many requests (`rate_limited`) or too many queued jobs (`queue_limit`). */
export class RateLimitError extends PingvasError {}

/** 429 `api_quota_exceeded`: the plan's monthly API calls are spent until `resetAt`. */
export class QuotaExceededError extends RateLimitError {
  /** When the quota resets: the problem's `resetAt`, else from `Retry-After`. */
  get resetAt(): Date | undefined {
    if (typeof this.problem.resetAt === "string") {
      return new Date(this.problem.resetAt);
    }
    return this.retryAfter === undefined ? undefined : new Date(Date.now() + this.retryAfter * 1000);
  }

  get limit(): number | undefined {
    return typeof this.problem.limit === "number" ? this.problem.limit : undefined;
  }
}

/** 5xx: the server failed or is briefly unavailable (503 `unavailable`, retried automatically). */
export class ServerError extends PingvasError {}

/** No answer: the connection failed or dropped (status 0, code `connection_error`). */
export class ConnectionError extends PingvasError {
  constructor(message: string, cause?: unknown) {
    super(0, { code: "connection_error", title: "Connection failed.", detail: message }, undefined, { cause });
  }
}

/** The typed error of an answer that is not a success. */
export function errorFor(status: number, problem: Problem, retryAfter: number | undefined): PingvasError {
  if (status === 400 && problem.code === "validation_failed") return new ValidationError(status, problem, retryAfter);
  if (status === 401) return new AuthenticationError(status, problem, retryAfter);
  if (status === 403) return new PermissionDeniedError(status, problem, retryAfter);
  if (status === 404) return new NotFoundError(status, problem, retryAfter);
  if (status === 409) return new ConflictError(status, problem, retryAfter);
  if (status === 429 && problem.code === "api_quota_exceeded") return new QuotaExceededError(status, problem, retryAfter);
  if (status === 429) return new RateLimitError(status, problem, retryAfter);
  if (status >= 500) return new ServerError(status, problem, retryAfter);
  return new PingvasError(status, problem, retryAfter);
}

/** A webhook whose headers, timestamp or signature do not check out: do not trust its body. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}
