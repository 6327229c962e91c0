// The JSON shapes of the Pingvas API v1 (docs/api.md), camelCase as sent. Times are ISO 8601 strings.

export type GenerationStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const terminalStatuses: ReadonlySet<GenerationStatus> = new Set(["succeeded", "failed", "cancelled"]);

/** The body of `POST /generations` (and of the estimate). Only `prompt` and `model` are needed for txt2img. */
export interface GenerationRequest {
  prompt?: string;
  model: string;
  negativePrompt?: string | null;
  width?: number;
  height?: number;
  steps?: number;
  cfgScale?: number;
  scheduler?: string;
  seed?: number;
  batchSize?: number;
  kind?: "txt2img" | "img2img" | "inpaint" | "upscale" | "workflow";
  initImageId?: string;
  maskImageId?: string;
  strength?: number;
  imageId?: string;
  scale?: number;
  loras?: { id: string; weight: number }[];
  control?: { imageId: string; type: string; weight?: number; beginStep?: number; endStep?: number }[];
  reference?: { imageId: string; weight?: number } | null;
  workflowId?: string;
  workflow?: unknown;
  graph?: unknown;
  inputs?: Record<string, unknown>;
  tags?: string[];
  sourceImageId?: string;
  /** A URL to be told about this generation (signed with the account's default webhook secret). */
  webhook?: string;
  webhookEvents?: string[];
}

export interface Progress {
  step: number;
  totalSteps: number;
  percent: number;
}

export interface ImageRef {
  id: string;
  url: string;
  thumbnailUrl: string;
  thumbnail512Url: string;
  width: number;
  height: number;
  seed: number;
}

export interface Generation {
  id: string;
  status: GenerationStatus;
  model: string;
  prompt: string;
  negativePrompt: string | null;
  width: number;
  height: number;
  steps: number;
  cfgScale: number;
  scheduler: string;
  seed: number;
  batchSize: number;
  queuePosition: number | null;
  progress: Progress;
  images: ImageRef[];
  gpuSeconds: number | null;
  reservedCredits: number;
  creditsCharged: number | null;
  engine: string | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  kind: string;
  initImageId?: string | null;
  maskImageId?: string | null;
  strength?: number | null;
  imageId?: string | null;
  scale?: number | null;
  workflowId?: string | null;
  /** Live events only: a small WebP `data:` URL of the current state, on `running` events. */
  preview?: string | null;
  /** Live events only: the spendable credits after an event that moved credits. */
  balance?: number | null;
}

/** One event of a generation stream: the cursor to resume after it, and the generation's state. */
export interface GenerationEvent {
  id: string;
  generation: Generation;
}

export interface Estimate {
  credits: number | null;
  allowed: boolean;
  problem: Record<string, unknown> | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Model {
  id: string;
  name: string;
  kind: string;
  family: string;
  minPlan: string;
  allowed: boolean;
  available: boolean;
  engine: string | null;
  defaultSteps: number;
  defaultSide: number;
  creditsPerImage: number | null;
  typicalCredits: number;
  description: string;
}

export interface Image {
  id: string;
  generationId: string;
  batchIndex: number;
  url: string;
  thumbnailUrl: string;
  thumbnail512Url: string;
  width: number;
  height: number;
  seed: number;
  model: string;
  prompt: string;
  negativePrompt: string | null;
  storedBytes: number;
  metadata: Record<string, string>;
  createdAt: string;
  folderId: string | null;
  starred: boolean;
  tags: string[];
  useCount: number;
  deletedAt: string | null;
  purgeAt: string | null;
}

export type WebhookEventType =
  | "generation.queued"
  | "generation.started"
  | "generation.succeeded"
  | "generation.failed"
  | "generation.cancelled"
  | "credits.low";

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  /** `whsec_…`: only in the answer of create (and of a rotation). */
  secret?: string | null;
}

export interface WebhookDelivery {
  id: string;
  eventType: string;
  generationId: string | null;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attemptsLog: { at: string; statusCode: number | null; durationMs: number; error: string | null }[];
}

/** A verified webhook message: `{type, timestamp, data}` (data: the generation, or `{balance, threshold}`). */
export interface WebhookMessage<T = unknown> {
  type: string;
  timestamp: string;
  data: T;
}

/** The last `RateLimit-*` headers seen (key-authenticated answers on plans with a monthly API limit). */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** Seconds until the period resets, as sent. */
  resetSeconds: number;
  /** When the period resets, from `resetSeconds` and the local clock when the answer arrived. */
  resetAt: Date;
}
