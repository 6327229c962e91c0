import { describe, expect, it } from "vitest";

import { ApiClient, type Uploader, type UploadProgress } from "./client";
import { ApiError } from "./problem";
import { TokenStore, type TokenStorage } from "./tokens";

class MemoryStorage implements TokenStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) { return this.items.get(key) ?? null; }
  setItem(key: string, value: string) { this.items.set(key, value); }
  removeItem(key: string) { this.items.delete(key); }
}

interface Call { url: string; auth: string | null; body: string | null }

/** A fake server: access tokens in `valid` are accepted; each refresh token works once. */
function fakeServer(storage: MemoryStorage, options: { refreshFails?: boolean } = {}) {
  const calls: Call[] = [];
  const valid = new Set<string>();
  const usedRefresh = new Set<string>();
  let issued = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetcher = async (url: string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const call = { url, auth: headers.Authorization ?? null, body: (init?.body as string | undefined) ?? null };
    calls.push(call);
    await Promise.resolve();
    if (url.endsWith("/auth/refresh")) {
      const { refreshToken } = JSON.parse(call.body!) as { refreshToken: string };
      if (options.refreshFails || usedRefresh.has(refreshToken)) {
        return json(401, { code: "invalid_refresh_token" });
      }
      usedRefresh.add(refreshToken);
      issued += 1;
      valid.add(`access-${issued}`);
      return json(200, { accessToken: `access-${issued}`, refreshToken: `refresh-${issued}`, expiresIn: 900 });
    }
    if (call.auth === null || !valid.has(call.auth.replace("Bearer ", ""))) {
      return json(401, { code: "unauthorized" });
    }
    // Whatever is retried, the new pair is already stored (a refresh token is single use).
    return json(200, { stored: storage.getItem("pingvas.session") });
  };
  return { calls, fetcher, valid };
}

function signedIn(storage: MemoryStorage) {
  storage.setItem("pingvas.session", JSON.stringify({ accessToken: "expired", refreshToken: "refresh-0" }));
  return new TokenStore(storage);
}

describe("token refresh", () => {
  it("on 401 trades the refresh token, stores the new pair, then retries with it", async () => {
    const storage = new MemoryStorage();
    const server = fakeServer(storage);
    const client = new ApiClient(signedIn(storage), server.fetcher);

    const answer = await client.request<{ stored: string }>("/me");

    expect(server.calls.map((c) => [c.url, c.auth])).toEqual([
      ["/api/v1/me", "Bearer expired"],
      ["/api/v1/auth/refresh", null],
      ["/api/v1/me", "Bearer access-1"],
    ]);
    expect(JSON.parse(answer.stored)).toEqual({ accessToken: "access-1", refreshToken: "refresh-1" });
    expect(client.tokens.current).toEqual({ accessToken: "access-1", refreshToken: "refresh-1" });
  });

  it("refreshes once for many calls that hit 401 together", async () => {
    const storage = new MemoryStorage();
    const server = fakeServer(storage);
    const client = new ApiClient(signedIn(storage), server.fetcher);

    await Promise.all([client.request("/me"), client.request("/models"), client.request("/images")]);

    expect(server.calls.filter((c) => c.url.endsWith("/auth/refresh"))).toHaveLength(1);
    expect(server.calls.filter((c) => c.auth === "Bearer access-1")).toHaveLength(3);
  });

  it("signs out when the refresh token is refused, and reports the original 401", async () => {
    const storage = new MemoryStorage();
    const server = fakeServer(storage, { refreshFails: true });
    const client = new ApiClient(signedIn(storage), server.fetcher);

    const error = await client.request("/me").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem.code).toBe("unauthorized");
    expect(client.tokens.current).toBeNull();
    expect(storage.getItem("pingvas.session")).toBeNull();
  });

  it("never refreshes for anonymous calls or when signed out", async () => {
    const storage = new MemoryStorage();
    const server = fakeServer(storage);
    const client = new ApiClient(new TokenStore(storage), server.fetcher);

    await expect(client.request("/me")).rejects.toBeInstanceOf(ApiError);
    await expect(client.request("/auth/login", { method: "POST", body: {}, anonymous: true })).rejects.toBeInstanceOf(ApiError);
    expect(server.calls.some((c) => c.url.endsWith("/auth/refresh"))).toBe(false);
  });

  it("turns a failed fetch into a network problem", async () => {
    const client = new ApiClient(new TokenStore(new MemoryStorage()), () => Promise.reject(new TypeError("Failed to fetch")));
    const error = (await client.request("/plans", { anonymous: true }).catch((e: unknown) => e)) as ApiError;
    expect(error.problem.code).toBe("network_error");
  });

  it("sends a multipart upload with the bearer token, reports its progress, and refreshes once on 401 before sending it again", async () => {
    const storage = new MemoryStorage();
    const server = fakeServer(storage);
    const sent: { url: string; auth: string | undefined; file: unknown }[] = [];
    const uploader: Uploader = async (url, init) => {
      sent.push({ url, auth: init.headers.Authorization, file: (init.body.get("file") as File).name });
      init.onProgress({ loaded: 5, total: 10 });
      init.onProgress({ loaded: 10, total: 10 });
      return server.fetcher(url, { method: "POST", headers: init.headers });
    };
    const client = new ApiClient(signedIn(storage), server.fetcher, "/api/v1", uploader);
    const progress: UploadProgress[] = [];
    const form = new FormData();
    form.append("file", new File([new Uint8Array(10)], "style.safetensors"));

    const answer = await client.uploadForm<{ stored: string }>("/loras", form, (p) => progress.push(p));

    expect(sent).toEqual([
      { url: "/api/v1/loras", auth: "Bearer expired", file: "style.safetensors" },
      { url: "/api/v1/loras", auth: "Bearer access-1", file: "style.safetensors" },
    ]);
    expect(JSON.parse(answer.stored)).toEqual({ accessToken: "access-1", refreshToken: "refresh-1" });
    expect(progress.at(-1)).toEqual({ loaded: 10, total: 10 });
  });

  it("turns a failed upload into a network problem and lets a cancelled one abort", async () => {
    const storage = new MemoryStorage();
    const failing: Uploader = () => Promise.reject(new TypeError("network error"));
    const client = new ApiClient(signedIn(storage), fakeServer(storage).fetcher, "/api/v1", failing);
    const error = (await client.uploadForm("/loras", new FormData(), () => undefined).catch((e: unknown) => e)) as ApiError;
    expect(error.problem.code).toBe("network_error");
    const aborting: Uploader = () => Promise.reject(new DOMException("cancelled", "AbortError"));
    const cancelled = new ApiClient(signedIn(storage), fakeServer(storage).fetcher, "/api/v1", aborting);
    const abort = (await cancelled.uploadForm("/loras", new FormData(), () => undefined).catch((e: unknown) => e)) as DOMException;
    expect(abort.name).toBe("AbortError");
  });
});
