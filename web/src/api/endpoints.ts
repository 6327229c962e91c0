// One typed function per API call the app makes (docs/api.md).
import type { ApiClient, UploadProgress } from "./client";
import type { AdminPreset, AdminPresetBody, Preset, PresetSettings } from "./types";
import type {
  AdminWorkflow, AdminWorkflowBody, Lora, LoraList, WorkflowBody, WorkflowDetail, WorkflowSummary,
  AdminStats, AdminUser, AuditEntry, AuthResponse, Billing, BillingInterval, CancelQueuedResult, CheckoutRequest, CreditAdjustment, DataExport, Estimate, GalleryImage, Generation,
  GenerationRequest, ImageModelCount, ImageQuery, LedgerEntry, Folder, TagCount, Me, Model, Notice, Page, Plan, TotpConfirmation, TotpEnrollment, Upload, Worker,
  RetentionPreview, RetentionRule, StorageUsage,
  CreateShareBody, PublicShare, Share, ShareTarget,
} from "./types";
import type {
  ApiKey, ApiUsage, CreateApiKeyBody, CreatedApiKey, CreatedWebhookEndpoint, NotificationSettings, WebhookDelivery, WebhookEndpoint,
  WebhookEndpointBody, WebhookEndpointPatch,
} from "./types";
import { apiParams } from "../logic/galleryQuery";

function pageQuery(cursor: string | null | undefined, limit: number, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) {
    params.set("cursor", cursor);
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value !== "") {
      params.set(name, value);
    }
  }
  return `?${params.toString()}`;
}

export function createApi(client: ApiClient) {
  return {
    register: (body: { email: string; password: string; name: string }) =>
      client.request<AuthResponse>("/auth/register", { method: "POST", body, anonymous: true }),
    login: (body: { email: string; password: string }) =>
      client.request<AuthResponse>("/auth/login", { method: "POST", body, anonymous: true }),
    loginTotp: (body: { challengeToken: string; code?: string; recoveryCode?: string }) =>
      client.request<AuthResponse>("/auth/login/totp", { method: "POST", body, anonymous: true }),
    authProviders: () => client.request<string[]>("/auth/providers", { anonymous: true }),
    externalExchange: (code: string) =>
      client.request<AuthResponse>("/auth/external/exchange", { method: "POST", body: { code }, anonymous: true }),
    logout: (refreshToken: string) => client.request<void>("/auth/logout", { method: "POST", body: { refreshToken }, anonymous: true }),
    logoutAll: () => client.request<void>("/auth/logout-all", { method: "POST" }),
    me: () => client.request<Me>("/me"),
    updateMe: (body: { name?: string; language?: "ko" | "en" }) => client.request<Me>("/me", { method: "PATCH", body }),
    changePassword: (body: { currentPassword: string; newPassword: string }) =>
      client.request<AuthResponse>("/me/password", { method: "POST", body }),
    totpEnroll: () => client.request<TotpEnrollment>("/me/totp/enroll", { method: "POST" }),
    totpConfirm: (code: string) => client.request<TotpConfirmation>("/me/totp/confirm", { method: "POST", body: { code } }),
    plans: () => client.request<Plan[]>("/plans", { anonymous: true }),
    models: () => client.request<Model[]>("/models"),
    estimate: (body: GenerationRequest, signal?: AbortSignal) =>
      client.request<Estimate>("/generations/estimate", { method: "POST", body, signal }),
    submit: (body: GenerationRequest, idempotencyKey: string) =>
      client.request<Generation>("/generations", { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } }),
    generation: (id: string) => client.request<Generation>(`/generations/${id}`),
    generations: (status: string | null, cursor?: string | null) =>
      client.request<Page<Generation>>(`/generations${pageQuery(cursor, 100, { status: status ?? "" })}`),
    cancel: (id: string) => client.request<Generation>(`/generations/${id}/cancel`, { method: "POST" }),
    cancelQueued: () => client.request<CancelQueuedResult>("/generations/cancel-queued", { method: "POST" }),
    images: (cursor?: string | null, model = "") => client.request<Page<GalleryImage>>(`/images${pageQuery(cursor, 30, { model })}`),
    searchImages: (query: ImageQuery, cursor?: string | null, signal?: AbortSignal) =>
      client.request<Page<GalleryImage>>(`/images${pageQuery(cursor, 60, apiParams(query))}`, { signal }),
    updateImage: (id: string, body: { starred?: boolean; tags?: string[] }) =>
      client.request<GalleryImage>(`/images/${encodeURIComponent(id)}`, { method: "PATCH", body }),
    moveImages: (imageIds: string[], folderId: string | null) =>
      client.request<{ moved: number }>("/images/move", { method: "POST", body: { imageIds, folderId } }),
    trashImages: (imageIds: string[]) => client.request<{ trashed: number }>("/images/trash", { method: "POST", body: { imageIds } }),
    restoreImage: (id: string) => client.request<GalleryImage>(`/images/${encodeURIComponent(id)}/restore`, { method: "POST" }),
    deleteImageForever: (id: string) => client.request<void>(`/images/${encodeURIComponent(id)}?permanent=true`, { method: "DELETE" }),
    emptyTrash: () => client.request<{ purged: number }>("/images/trash", { method: "DELETE" }),
    folders: () => client.request<{ items: Folder[] }>("/folders"),
    createFolder: (body: { name: string; parentId?: string | null }) => client.request<Folder>("/folders", { method: "POST", body }),
    renameFolder: (id: string, name: string) => client.request<Folder>(`/folders/${encodeURIComponent(id)}`, { method: "PATCH", body: { name } }),
    deleteFolder: (id: string) => client.request<void>(`/folders/${encodeURIComponent(id)}`, { method: "DELETE" }),
    tags: () => client.request<{ items: TagCount[] }>("/tags"),
    /** Renames a tag on every image; when `to` is already a tag the two merge. */
    renameTag: (from: string, to: string) => client.request<{ images: number }>("/tags/rename", { method: "POST", body: { from, to } }),
    deleteTag: (tag: string) => client.request<{ images: number }>(`/tags/${encodeURIComponent(tag)}`, { method: "DELETE" }),
    imageModels: () => client.request<{ items: ImageModelCount[] }>("/images/models"),
    image: (id: string) => client.request<GalleryImage>(`/images/${id}`),
    deleteImage: (id: string) => client.request<void>(`/images/${id}`, { method: "DELETE" }),
    upload: (file: Blob, contentType: string) =>
      client.request<Upload>("/uploads", { method: "POST", raw: { data: file, contentType } }),
    ledger: (cursor?: string | null) => client.request<Page<LedgerEntry>>(`/credits/ledger${pageQuery(cursor, 100)}`),
    billing: () => client.request<Billing>("/billing"),
    checkout: (body: CheckoutRequest) => client.request<{ url: string }>("/billing/checkout", { method: "POST", body }),
    changePlan: (body: { plan: string; interval: BillingInterval }) => client.request<void>("/billing/subscription/plan", { method: "POST", body }),
    cancelSubscription: () => client.request<void>("/billing/subscription/cancel", { method: "POST" }),
    resumeSubscription: () => client.request<void>("/billing/subscription/resume", { method: "POST" }),
    billingPortal: () => client.request<{ url: string }>("/billing/portal", { method: "POST" }),
    verifyEmail: (token: string) =>
      client.request<{ email: string; verified: boolean }>("/auth/verify-email", { method: "POST", body: { token }, anonymous: true }),
    resendVerification: () => client.request<void>("/me/verify-email/resend", { method: "POST" }),
    requestPasswordReset: (email: string) => client.request<void>("/auth/password-reset", { method: "POST", body: { email }, anonymous: true }),
    confirmPasswordReset: (body: { token: string; password: string }) =>
      client.request<void>("/auth/password-reset/confirm", { method: "POST", body, anonymous: true }),
    changeEmail: (body: { email: string; password: string }) => client.request<void>("/me/email", { method: "POST", body }),
    requestExport: () => client.request<DataExport>("/me/export", { method: "POST" }),
    dataExport: (id: string) => client.request<DataExport>(`/me/export/${encodeURIComponent(id)}`),
    dataExports: () => client.request<{ items: DataExport[] }>("/me/exports"),
    /** Deletes the account: the password, or (an account without one) a sign-in less than 10 minutes old. */
    deleteAccount: (password: string) => client.request<void>("/me", { method: "DELETE", body: { password } }),
    workflows: () => client.request<{ items: WorkflowSummary[] }>("/workflows"),
    workflow: (id: string) => client.request<WorkflowDetail>(`/workflows/${encodeURIComponent(id)}`),
    createWorkflow: (body: WorkflowBody) => client.request<WorkflowDetail>("/workflows", { method: "POST", body }),
    updateWorkflow: (id: string, body: WorkflowBody) => client.request<WorkflowDetail>(`/workflows/${encodeURIComponent(id)}`, { method: "PUT", body }),
    deleteWorkflow: (id: string) => client.request<void>(`/workflows/${encodeURIComponent(id)}`, { method: "DELETE" }),
    storage: () => client.request<StorageUsage>("/me/storage"),
    retention: () => client.request<RetentionRule>("/me/retention"),
    setRetention: (days: number | null) => client.request<RetentionRule>("/me/retention", { method: "PUT", body: { days } }),
    retentionPreview: (days: number) => client.request<RetentionPreview>(`/me/retention/preview?days=${days}`),
    presets: () => client.request<{ items: Preset[] }>("/presets"),
    createPreset: (body: { name: string; settings: PresetSettings }) => client.request<Preset>("/presets", { method: "POST", body }),
    updatePreset: (id: string, body: { name?: string; settings?: PresetSettings }) =>
      client.request<Preset>(`/presets/${encodeURIComponent(id)}`, { method: "PATCH", body }),
    deletePreset: (id: string) => client.request<void>(`/presets/${encodeURIComponent(id)}`, { method: "DELETE" }),
    loras: () => client.request<LoraList>("/loras"),
    uploadLora: (file: File, name: string, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal) => {
      const form = new FormData();
      form.append("file", file, file.name);
      if (name.trim() !== "") {
        form.append("name", name.trim());
      }
      return client.uploadForm<Lora>("/loras", form, onProgress, signal);
    },
    renameLora: (id: string, name: string) => client.request<Lora>(`/loras/${encodeURIComponent(id)}`, { method: "PATCH", body: { name } }),
    deleteLora: (id: string) => client.request<void>(`/loras/${encodeURIComponent(id)}`, { method: "DELETE" }),
    notices: () => client.request<Notice[]>("/notices"),
    shares: (target?: ShareTarget) =>
      client.request<{ items: Share[] }>(`/shares${target === undefined ? "" : "imageId" in target ? `?imageId=${encodeURIComponent(target.imageId)}` : `?folderId=${encodeURIComponent(target.folderId)}`}`),
    createShare: (body: CreateShareBody) => client.request<Share>("/shares", { method: "POST", body }),
    revokeShare: (id: string) => client.request<void>(`/shares/${encodeURIComponent(id)}`, { method: "DELETE" }),
    // Public: never the session's token, and a 401 (password) must not trade the refresh token.
    publicShare: (token: string) => client.request<PublicShare>(`/public/shares/${encodeURIComponent(token)}`, { anonymous: true }),
    unlockShare: (token: string, password: string) =>
      client.request<void>(`/public/shares/${encodeURIComponent(token)}/unlock`, { method: "POST", body: { password }, anonymous: true }),
    dismissNotice: (id: string) => client.request<void>(`/notices/${encodeURIComponent(id)}/dismiss`, { method: "POST" }),
    // Developer platform (issue 13): keys and their usage, webhook endpoints and deliveries, completion emails.
    developer: {
      keys: () => client.request<{ items: ApiKey[] }>("/keys"),
      createKey: (body: CreateApiKeyBody) => client.request<CreatedApiKey>("/keys", { method: "POST", body }),
      revokeKey: (id: string) => client.request<void>(`/keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
      usage: (days = 30) => client.request<ApiUsage>(`/keys/usage?days=${days}`),
      webhooks: () => client.request<{ items: WebhookEndpoint[] }>("/webhook-endpoints"),
      webhook: (id: string) => client.request<WebhookEndpoint>(`/webhook-endpoints/${encodeURIComponent(id)}`),
      createWebhook: (body: WebhookEndpointBody) => client.request<CreatedWebhookEndpoint>("/webhook-endpoints", { method: "POST", body }),
      updateWebhook: (id: string, body: WebhookEndpointPatch) =>
        client.request<WebhookEndpoint>(`/webhook-endpoints/${encodeURIComponent(id)}`, { method: "PATCH", body }),
      deleteWebhook: (id: string) => client.request<void>(`/webhook-endpoints/${encodeURIComponent(id)}`, { method: "DELETE" }),
      rotateWebhookSecret: (id: string, overlapHours: number) =>
        client.request<{ secret: string }>(`/webhook-endpoints/${encodeURIComponent(id)}/rotate-secret`, { method: "POST", body: { overlapHours } }),
      testWebhook: (id: string) => client.request<{ deliveryId: string }>(`/webhook-endpoints/${encodeURIComponent(id)}/test`, { method: "POST" }),
      deliveries: (id: string, cursor?: string | null) =>
        client.request<Page<WebhookDelivery>>(`/webhook-endpoints/${encodeURIComponent(id)}/deliveries${pageQuery(cursor, 50)}`),
      redeliver: (deliveryId: string) => client.request<void>(`/webhook-deliveries/${encodeURIComponent(deliveryId)}/redeliver`, { method: "POST" }),
      defaultSecret: () => client.request<{ secret: string }>("/webhooks/default/secret"),
      rotateDefaultSecret: () => client.request<{ secret: string }>("/webhooks/default/secret/rotate", { method: "POST" }),
      notifications: () => client.request<NotificationSettings>("/me/notifications"),
      setNotifications: (body: NotificationSettings) => client.request<NotificationSettings>("/me/notifications", { method: "PUT", body }),
    },
    admin: {
      users: (filter: { q: string; plan: string }, cursor?: string | null) =>
        client.request<Page<AdminUser>>(`/admin/users${pageQuery(cursor, 50, filter)}`),
      user: (id: string) => client.request<AdminUser>(`/admin/users/${id}`),
      updateUser: (id: string, body: { plan?: string; suspended?: boolean }) =>
        client.request<AdminUser>(`/admin/users/${id}`, { method: "PATCH", body }),
      adjustCredits: (id: string, body: { amount: number; reason: string }, idempotencyKey: string) =>
        client.request<CreditAdjustment>(`/admin/users/${id}/credits`, { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } }),
      stats: () => client.request<AdminStats>("/admin/stats"),
      audit: (cursor?: string | null) => client.request<Page<AuditEntry>>(`/admin/audit${pageQuery(cursor, 50)}`),
      workers: () => client.request<{ items: Worker[] }>("/admin/workers"),
      workflows: () => client.request<{ items: AdminWorkflowWire[] }>("/admin/workflows").then((page) => ({ items: page.items.map(flatAdminWorkflow) })),
      createWorkflow: (body: AdminWorkflowBody) => client.request<AdminWorkflowWire>("/admin/workflows", { method: "POST", body }).then(flatAdminWorkflow),
      updateWorkflow: (id: string, body: Partial<AdminWorkflowBody>) =>
        client.request<AdminWorkflowWire>(`/admin/workflows/${encodeURIComponent(id)}`, { method: "PUT", body }).then(flatAdminWorkflow),
      deleteWorkflow: (id: string) => client.request<void>(`/admin/workflows/${encodeURIComponent(id)}`, { method: "DELETE" }),
      presets: () => client.request<{ items: AdminPreset[] }>("/admin/presets"),
      createPreset: (body: AdminPresetBody) => client.request<AdminPreset>("/admin/presets", { method: "POST", body }),
      updatePreset: (id: string, body: AdminPresetBody) => client.request<AdminPreset>(`/admin/presets/${encodeURIComponent(id)}`, { method: "PUT", body }),
      deletePreset: (id: string) => client.request<void>(`/admin/presets/${encodeURIComponent(id)}`, { method: "DELETE" }),
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** The server sends a shared workflow as `{workflow: WorkflowDetail, plans}`; the pages read it flat. */
type AdminWorkflowWire = AdminWorkflow | { workflow: Omit<AdminWorkflow, "plans">; plans: string[] };

function flatAdminWorkflow(w: AdminWorkflowWire): AdminWorkflow {
  return "workflow" in w && typeof w.workflow === "object" && w.workflow !== null ? { ...w.workflow, plans: w.plans } : (w as AdminWorkflow);
}
