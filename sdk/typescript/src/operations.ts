/**
 * Every HTTP call the client makes, by the operationId of the OpenAPI document (/openapi/v1.json).
 * The only copy: the client builds each request from this table, and a server-side test compares it
 * with the document, one entry a line.
 */
export const operations = {
  createGeneration: ["POST", "/api/v1/generations"],
  listGenerations: ["GET", "/api/v1/generations"],
  getGeneration: ["GET", "/api/v1/generations/{id}"],
  cancelGeneration: ["POST", "/api/v1/generations/{id}/cancel"],
  estimateGeneration: ["POST", "/api/v1/generations/estimate"],
  streamGenerationEvents: ["GET", "/api/v1/generations/{id}/events"],
  streamAllGenerationEvents: ["GET", "/api/v1/generations/events"],
  listModels: ["GET", "/api/v1/models"],
  listImages: ["GET", "/api/v1/images"],
  getImage: ["GET", "/api/v1/images/{id}"],
  getImageContent: ["GET", "/api/v1/images/{id}/content"],
  listWebhookEndpoints: ["GET", "/api/v1/webhook-endpoints"],
  createWebhookEndpoint: ["POST", "/api/v1/webhook-endpoints"],
  getWebhookEndpoint: ["GET", "/api/v1/webhook-endpoints/{id}"],
  deleteWebhookEndpoint: ["DELETE", "/api/v1/webhook-endpoints/{id}"],
  rotateWebhookEndpointSecret: ["POST", "/api/v1/webhook-endpoints/{id}/rotate-secret"],
  listWebhookDeliveries: ["GET", "/api/v1/webhook-endpoints/{id}/deliveries"],
} as const satisfies Record<string, readonly [HttpMethod, string]>;

export type HttpMethod = "GET" | "POST" | "DELETE" | "PATCH" | "PUT";

export type OperationId = keyof typeof operations;

/**
 * Calls that are safe to send again after a dropped connection: reads, deletes, cancels (a second
 * cancel changes nothing) and submits, which carry an Idempotency-Key reused across their retries.
 */
export const retrySafeOnConnectionError: ReadonlySet<OperationId> = new Set<OperationId>([
  "createGeneration",
  "cancelGeneration",
  "estimateGeneration",
  "deleteWebhookEndpoint",
  ...(Object.keys(operations) as OperationId[]).filter((id) => operations[id][0] === "GET"),
]);

/** The path of an operation with its `{name}` parameters filled in (URL-encoded). */
export function operationPath(id: OperationId, params: Record<string, string> = {}): string {
  return operations[id][1].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") {
      throw new TypeError(`${id}: the path parameter "${name}" is required.`);
    }
    return encodeURIComponent(value);
  });
}
