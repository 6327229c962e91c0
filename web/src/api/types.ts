// The shapes of docs/api.md, as the app uses them.

export interface AuthResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface Me {
  id: string;
  email: string;
  name: string;
  role: string;
  plan: { id: string; name: string; queuePriority: number; concurrentJobs: number | null; maxSide: number; maxBatch: number; monthlyCredits: number | null };
  credits: { balance: number; reserved: number; unlimited: boolean; periodEnd: string };
  createdAt: string;
  /** Null until the user picks one: the browser's language applies. */
  language?: "ko" | "en" | null;
  totpEnabled?: boolean;
  suspended?: boolean;
  /** False until the address is proved (then the Free plan's credits are granted); absent on older servers. */
  emailVerified?: boolean;
  /** A change of address waiting for its link to be followed. */
  pendingEmail?: string | null;
  /** False for an account made with an external sign-in until a reset link sets a password; absent on older servers. */
  hasPassword?: boolean;
}

export interface Plan {
  id: string;
  name: string;
  monthlyPriceCents: number | null;
  annualPriceCents: number | null;
  monthlyCredits: number | null;
  unlimitedCredits: boolean;
  storageBytes: number | null;
  concurrentJobs: number | null;
  queuePriority: number;
  apiCallsPerMonth: number | null;
  maxSide: number;
  maxBatch: number;
  features: string[];
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

export interface GenerationRequest {
  /** Absent for a workflow (its graph says it). */
  prompt?: string;
  negativePrompt?: string | null;
  /** Absent for a workflow. */
  model?: string;
  width?: number;
  height?: number;
  steps?: number;
  cfgScale?: number;
  scheduler?: string;
  seed?: number | null;
  batchSize?: number;
  initImageId?: string;
  maskImageId?: string;
  strength?: number;
  imageId?: string;
  scale?: number;
  kind?: "txt2img" | "img2img" | "inpaint" | "upscale" | "workflow";
  /** At most 5; the model's family (docs/advanced-generation.md). */
  loras?: LoraUse[];
  /** At most 3 ControlNet images. */
  control?: ControlUse[];
  /** An IP-Adapter image. */
  reference?: ReferenceUse;
  /** Gallery tags given to every image of the job (docs/gallery.md). */
  tags?: string[];
  /** The gallery image "use again" copied the settings from (its useCount rises). */
  sourceImageId?: string;
  /** Workflow jobs: exactly one of these three. */
  workflowId?: string;
  workflow?: unknown;
  graph?: unknown;
  /** "<nodeId>.<field>" → value, for the workflow's exposed fields. */
  inputs?: Record<string, WorkflowInputValue>;
}

export interface LoraUse {
  id: string;
  weight: number;
}

export type ControlType = "canny" | "depth" | "pose" | "lineart";

export interface ControlUse {
  imageId: string;
  type: ControlType;
  weight?: number;
  beginStep?: number;
  endStep?: number;
}

export interface ReferenceUse {
  imageId: string;
  weight?: number;
}

export type WorkflowInputValue = string | number | boolean | null;

export type ExposedFieldType = "string" | "integer" | "float" | "boolean" | "enum" | "image" | "model";

export interface ExposedField {
  nodeId: string;
  field: string;
  label: string;
  type: ExposedFieldType;
  value: unknown;
  options?: string[] | null;
  min?: number | null;
  max?: number | null;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  description: string | null;
  shared: boolean;
  nodeCount: number;
  exposedFields: ExposedField[];
  thumbnailUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowDetail extends WorkflowSummary {
  format: "workflow" | "graph";
  document: unknown;
}

export interface WorkflowBody {
  name?: string;
  description?: string | null;
  workflow?: unknown;
  graph?: unknown;
  thumbnailImageId?: string;
}

/** A shared workflow as the admin sees it: the plans it is offered to. */
export interface AdminWorkflow extends WorkflowSummary {
  plans: string[];
}

export interface AdminWorkflowBody {
  name: string;
  description?: string | null;
  workflow?: unknown;
  graph?: unknown;
  plans: string[];
}

export type LoraFamily = "sd1" | "sdxl" | "flux";

export interface Lora {
  id: string;
  name: string;
  fileName: string;
  family: LoraFamily | string;
  bytes: number;
  sha256: string;
  /** A list; a comma-separated string or null is read too (the column is comma-separated). */
  triggerWords: string[] | string | null;
  createdAt: string;
}

export interface LoraList {
  items: Lora[];
  usedBytes: number;
  quotaBytes: number | null;
}

/** GET /me/storage: stored bytes (gallery, trash, uploads, LoRAs) and what waiting jobs hold, against the plan's quota. */
export interface StorageUsage {
  usedBytes: number;
  reservedBytes: number;
  /** null: unlimited. */
  quotaBytes: number | null;
  overQuota: boolean;
  images: StorageBucket;
  trash: StorageBucket;
  uploads: StorageBucket;
  loras: StorageBucket;
}

export interface StorageBucket {
  count: number;
  bytes: number;
}

/** The retention rule: unstarred images older than `days` go to the trash; null keeps everything. */
export interface RetentionRule {
  days: number | null;
}

export interface RetentionPreview {
  images: number;
  bytes: number;
  sample: GalleryImage[];
}

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

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
  status: JobStatus;
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
  progress: { step: number; totalSteps: number; percent: number };
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
  initImageId: string | null;
  strength: number | null;
  loras?: LoraUse[];
  control?: ControlUse[];
  reference?: ReferenceUse | null;
  workflowId?: string | null;
  /** Live events only. */
  preview?: string | null;
  balance?: number | null;
}

export interface Estimate {
  credits: number | null;
  allowed: boolean;
  problem: Record<string, unknown> | null;
}

export interface GalleryImage {
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
  storedBytes: number;
  /** The engine and every parameter, as strings. */
  metadata: Record<string, string>;
  createdAt: string;
  negativePrompt: string | null;
  /** null: the root of the gallery. */
  folderId: string | null;
  starred: boolean;
  /** Normalised (lower-case, trimmed), sorted. */
  tags: string[];
  /** How many times "use again" started a job from it. */
  useCount: number;
  /** Set only for an image in the trash; purgeAt says when it goes for good. */
  deletedAt: string | null;
  purgeAt: string | null;
}

/** A gallery folder (nested one level: parentId is null or a top-level folder). */
export interface Folder {
  id: string;
  parentId: string | null;
  name: string;
  /** Images directly in it (not in the trash). */
  images: number;
  createdAt: string;
}

export interface TagCount {
  tag: string;
  images: number;
}

export type ImageSort = "newest" | "oldest" | "most_used";

/** GET /images filters (docs/gallery.md "Search and filters"); empty strings and false mean "not set". */
export interface ImageQuery {
  q: string;
  tag: string;
  /** A folder id, "root", or "" for every folder. */
  folder: string;
  model: string;
  starred: boolean;
  /** Dates as yyyy-mm-dd in the user's time zone; `to` is inclusive here (the API's is exclusive). */
  from: string;
  to: string;
  sort: ImageSort;
  /** The trash instead of the gallery. */
  trash: boolean;
}

export interface Upload {
  id: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
  createdAt: string;
}

export interface LedgerEntry {
  id: string;
  kind: "grant" | "reserve" | "release" | "charge" | "refund" | "adjust" | "expire";
  amount: number;
  balanceAfter: number;
  reason: string | null;
  jobId: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
}

export interface TotpConfirmation extends AuthResponse {
  recoveryCodes: string[];
}

export interface CancelQueuedResult {
  cancelled: number;
  ids: string[];
  refundedCredits: number;
}

export interface ImageModelCount {
  model: string;
  images: number;
}

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: string;
  plan: string;
  balance: number;
  reserved: number;
  unlimited: boolean;
  suspended: boolean;
  totpEnabled: boolean;
  periodEnd: string;
  createdAt: string;
}

export interface CreditAdjustment {
  entryId: string;
  amount: number;
  balanceAfter: number;
  reason: string;
  replayed: boolean;
  user: AdminUser;
}

export interface AdminStats {
  usersByPlan: { plan: string; users: number }[];
  totalUsers: number;
  days: { day: string; jobs: number; succeeded: number; failed: number; creditsCharged: number }[];
  queue: { plan: string; queued: number; running: number; oldestWaitSeconds: number }[];
  generatedAt: string;
}

export interface AuditEntry {
  id: string;
  adminId: string;
  adminEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  /** JSON text. */
  before: string | null;
  after: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  createdAt: string;
}

export interface Worker {
  id: string;
  process: string;
  role: string;
  engine: string;
  instance: string;
  gpuClass: string;
  models: string[];
  loadedModel: string | null;
  state: "idle" | "busy" | "unhealthy" | "stopping" | string;
  currentJobId: string | null;
  jobsDone: number;
  busyMs: number;
  utilisation: number;
  heartbeatAt: string;
  startedAt: string;
}

export type BillingInterval = "monthly" | "annual";
export type SubscriptionStatus = "active" | "past_due" | "cancelled" | "expired" | "paused";

export interface Subscription {
  status: SubscriptionStatus;
  planId: string;
  interval: BillingInterval;
  renewsAt: string | null;
  endsAt: string | null;
  cancelAtPeriodEnd: boolean;
  graceUntil: string | null;
  /** A downgrade waiting for the period end, and its interval. */
  pendingPlanId?: string | null;
  pendingInterval?: BillingInterval | null;
}

export interface Payment {
  at: string;
  kind: "subscription" | "renewal" | "topup" | "refund";
  description: string | null;
  /** In the currency's minor units (cents, or won for KRW). */
  amount: number;
  currency: string;
  status: "paid" | "failed" | "refunded";
}

export interface Billing {
  /** Null: billing is not configured on this server (plans are shown, not sold). */
  provider: "lemonsqueezy" | "stripe" | null;
  plan: { id: string; name: string };
  subscription: Subscription | null;
  products: { plans: { planId: string; interval: BillingInterval }[]; topUps: number[] };
  payments: Payment[];
}

export type CheckoutRequest = { plan: string; interval: BillingInterval } | { topUp: number };

export interface Notice {
  id: string;
  kind: "credits_low" | "credits_exhausted" | "verify_email" | string;
  createdAt: string;
  data: Record<string, unknown> | null;
}

/** A ZIP of the account's data (POST /me/export); `downloadUrl` while it is ready (signed, 7 days). */
export interface DataExport {
  id: string;
  status: "queued" | "running" | "ready" | "failed" | "expired";
  /** 0–100. */
  progress: number;
  bytes: number;
  downloadUrl: string | null;
  expiresAt: string | null;
  error: string | null;
  createdAt: string;
}

/** Generation settings a preset fills the Generate form with; an absent field leaves the form's own. */
export interface PresetSettings {
  model?: string | null;
  width?: number | null;
  height?: number | null;
  steps?: number | null;
  cfgScale?: number | null;
  scheduler?: string | null;
  negativePrompt?: string | null;
  tags?: string[] | null;
}

/** GET /presets: the user's own (shared false), then the shared ones of their plan. */
export interface Preset {
  id: string;
  name: string;
  settings: PresetSettings;
  shared: boolean;
  defaultForModel: string | null;
}

export interface AdminPreset {
  id: string;
  name: string;
  settings: PresetSettings;
  planIds: string[];
  defaultForModel: string | null;
  createdAt: string;
  updatedAt: string;
}

/** POST and PUT /admin/presets: the whole preset (a PUT without defaultForModel clears it). */
export interface AdminPresetBody {
  name: string;
  settings: PresetSettings;
  planIds: string[];
  defaultForModel: string | null;
}

/** What a share link points at: one image or one folder (with its sub-folders). */
export type ShareTarget = { imageId: string } | { folderId: string };

export type ShareStatus = "active" | "expired" | "exhausted" | "revoked";

export interface Share {
  id: string;
  url: string;
  imageId: string | null;
  folderId: string | null;
  hasPassword: boolean;
  expiresAt: string | null;
  maxViews: number | null;
  views: number;
  status: ShareStatus | string;
  createdAt: string;
  revokedAt: string | null;
}

export type CreateShareBody = ShareTarget & { password?: string; expiresAt?: string; maxViews?: number };

/** A share link as a visitor without an account sees it: the images, nothing of the owner. */
export interface PublicShare {
  kind: "image" | "folder";
  name: string | null;
  expiresAt: string | null;
  images: { id: string; url: string; thumbnailUrl: string; width: number; height: number }[];
}

// Developer platform (issue 13, docs/developer-platform.md): API keys, their usage, webhooks, notices.

export type ApiScope = "generate" | "read" | "gallery:write" | "webhooks";

/** An API key as listed: the secret is never in it (only in the creation answer's `key`). */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
}

/** POST /keys answers the key once, with its full secret. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface CreateApiKeyBody {
  name: string;
  scopes: ApiScope[];
  expiresAt?: string;
}

/** GET /keys/usage: this month's API calls against the plan's limit (null: unlimited) and calls per key per day. */
export interface ApiUsage {
  period: { start: string; end: string; limit: number | null; used: number; remaining: number | null; resetAt: string };
  days: { date: string; keyId: string; calls: number }[];
}

export type WebhookEventType =
  | "generation.queued" | "generation.started" | "generation.succeeded" | "generation.failed" | "generation.cancelled" | "credits.low";

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  enabled: boolean;
  /** Why it is off: "failing" (disabled by the sender) or null (the user's choice). */
  disabledReason: string | null;
  createdAt: string;
}

/** POST /webhook-endpoints answers the signing secret once. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface WebhookEndpointBody {
  url: string;
  events: WebhookEventType[];
  description?: string | null;
}

export interface WebhookEndpointPatch {
  url?: string;
  events?: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

export interface WebhookAttempt {
  at: string;
  statusCode: number | null;
  durationMs: number | null;
  error: string | null;
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
  attemptsLog: WebhookAttempt[];
}

/** GET/PUT /me/notifications: completion emails (batchFinishedMin 2–100 or null = off). */
export interface NotificationSettings {
  batchFinishedMin: number | null;
  jobFailed: boolean;
}
