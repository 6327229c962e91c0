// RFC 9457 problem responses as the app sees them: the stable code, field errors and the few
// extensions the UI explains (credits needed, the plan feature, when to retry).

export interface ApiProblem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors: Record<string, string[]>;
  retryAfterSeconds?: number;
  needed?: number;
  balance?: number;
  feature?: string;
  field?: string;
  /** workflow_node_forbidden: the node type refused and its id. */
  nodeType?: string;
  nodeId?: string;
  /** 401 totp_required at sign-in: the token for the second step. */
  challengeToken?: string;
}

/** Thrown by the API client for every answer that is not a success, and when the network is down. */
export class ApiError extends Error {
  readonly problem: ApiProblem;

  constructor(problem: ApiProblem) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
  }
}

export const networkProblem: ApiProblem = { status: 0, code: "network_error", title: "Network error", errors: {} };

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Field errors keyed by the request's field names (camelCase), each a list of messages. */
function readErrors(value: unknown): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(asRecord(value))) {
    const list = Array.isArray(messages) ? messages.filter((m): m is string => typeof m === "string") : [];
    if (list.length > 0) {
      errors[field.length > 0 ? field[0].toLowerCase() + field.slice(1) : field] = list;
    }
  }
  return errors;
}

/** Retry-After as seconds: either a number of seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: Date = new Date()): number | undefined {
  if (header === null || header.trim() === "") {
    return undefined;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, Math.ceil(seconds));
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** A problem from a parsed JSON body (or none) and the status; unknown shapes still get a code. */
export function toProblem(status: number, body: unknown, retryAfter: string | null = null): ApiProblem {
  const json = asRecord(body);
  return {
    status,
    code: asString(json.code) ?? `http_${status}`,
    title: asString(json.title) ?? `HTTP ${status}`,
    detail: asString(json.detail),
    errors: readErrors(json.errors),
    retryAfterSeconds: parseRetryAfter(retryAfter),
    needed: asNumber(json.needed),
    balance: asNumber(json.balance),
    feature: asString(json.feature),
    field: asString(json.field),
    nodeType: asString(json.nodeType),
    nodeId: asString(json.nodeId),
    challengeToken: asString(json.challengeToken),
  };
}

/** Reads a failed response into a problem; a body that is not JSON still yields one. */
export async function readProblem(response: Response): Promise<ApiProblem> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return toProblem(response.status, body, response.headers.get("Retry-After"));
}
