// One typed function per API call the app makes (docs/api.md).
import type { ApiClient } from "./client";
import type {
  AuthResponse, Estimate, GalleryImage, Generation, GenerationRequest, LedgerEntry, Me, Model, Page, Plan, Upload,
} from "./types";

function pageQuery(cursor: string | null | undefined, limit: number, extra = ""): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (cursor) {
    params.set("cursor", cursor);
  }
  return `?${params.toString()}${extra}`;
}

export function createApi(client: ApiClient) {
  return {
    register: (body: { email: string; password: string; name: string }) =>
      client.request<AuthResponse>("/auth/register", { method: "POST", body, anonymous: true }),
    login: (body: { email: string; password: string }) =>
      client.request<AuthResponse>("/auth/login", { method: "POST", body, anonymous: true }),
    logout: (refreshToken: string) => client.request<void>("/auth/logout", { method: "POST", body: { refreshToken }, anonymous: true }),
    me: () => client.request<Me>("/me"),
    plans: () => client.request<Plan[]>("/plans", { anonymous: true }),
    models: () => client.request<Model[]>("/models"),
    estimate: (body: GenerationRequest, signal?: AbortSignal) =>
      client.request<Estimate>("/generations/estimate", { method: "POST", body, signal }),
    submit: (body: GenerationRequest, idempotencyKey: string) =>
      client.request<Generation>("/generations", { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } }),
    generation: (id: string) => client.request<Generation>(`/generations/${id}`),
    generations: (status: string | null, cursor?: string | null) =>
      client.request<Page<Generation>>(`/generations${pageQuery(cursor, 100, status ? `&status=${status}` : "")}`),
    cancel: (id: string) => client.request<Generation>(`/generations/${id}/cancel`, { method: "POST" }),
    images: (cursor?: string | null) => client.request<Page<GalleryImage>>(`/images${pageQuery(cursor, 30)}`),
    image: (id: string) => client.request<GalleryImage>(`/images/${id}`),
    deleteImage: (id: string) => client.request<void>(`/images/${id}`, { method: "DELETE" }),
    upload: (file: Blob, contentType: string) =>
      client.request<Upload>("/uploads", { method: "POST", raw: { data: file, contentType } }),
    ledger: (cursor?: string | null) => client.request<Page<LedgerEntry>>(`/credits/ledger${pageQuery(cursor, 100)}`),
  };
}

export type Api = ReturnType<typeof createApi>;
