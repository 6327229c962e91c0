export { Pingvas, type PingvasOptions } from "./client.js";
export {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PermissionDeniedError,
  PingvasError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  ValidationError,
  WebhookVerificationError,
  type Problem,
} from "./errors.js";
export type { CreateOptions, ListGenerationsParams, WaitOptions, Generations } from "./generations.js";
export type { CallOptions } from "./http.js";
export type { DownloadOptions, ImageSize, Images, ListImagesParams } from "./images.js";
export type { Models } from "./models.js";
export { operations, type OperationId } from "./operations.js";
export { parseRetryAfter } from "./retry.js";
export { EventStreamParser, readServerSentEvents, StreamIdleError, type ServerSentEvent } from "./sse.js";
export type { StreamOptions } from "./streams.js";
export * from "./types.js";
export type { CreateWebhookEndpoint, ListDeliveriesParams, RotateSecretOptions, WebhookEndpoints } from "./webhookEndpoints.js";
export { signWebhook, verifyWebhook, type VerifyOptions, type WebhookHeaders } from "./webhooks.js";
