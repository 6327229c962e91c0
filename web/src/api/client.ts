// The fetch wrapper every API call goes through: the bearer token, one refresh on 401 (the new
// pair stored before anything is retried), and problems thrown as ApiError.
import { ApiError, networkProblem, readProblem } from "./problem";
import { secondsLeft, type TokenPair, type TokenStore } from "./tokens";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Raw bytes (uploads) sent with this Content-Type instead of JSON. */
  raw?: { data: Blob; contentType: string };
  anonymous?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface UploadProgress {
  loaded: number;
  /** 0 when the browser cannot tell. */
  total: number;
}

/** Sends a multipart body and reports the upload's progress (fetch cannot: XMLHttpRequest can). */
export type Uploader = (url: string, init: { headers: Record<string, string>; body: FormData; onProgress: (progress: UploadProgress) => void; signal?: AbortSignal }) => Promise<Response>;

export const xhrUploader: Uploader = (url, init) =>
  new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(init.headers)) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => init.onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    xhr.onload = () => {
      const headers = new Headers({ "Content-Type": xhr.getResponseHeader("Content-Type") ?? "application/json" });
      const retryAfter = xhr.getResponseHeader("Retry-After");
      if (retryAfter !== null) {
        headers.set("Retry-After", retryAfter);
      }
      // A Response cannot carry a body with these statuses.
      const empty = xhr.status === 204 || xhr.status === 205 || xhr.status === 304 || xhr.responseText === "";
      resolve(new Response(empty ? null : xhr.responseText, { status: xhr.status, headers }));
    };
    xhr.onerror = () => reject(new TypeError("network error"));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    init.signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(init.body);
  });

export class ApiClient {
  private readonly fetcher: Fetch;
  private readonly uploader: Uploader;
  readonly tokens: TokenStore;
  private readonly base: string;
  private refreshing: Promise<TokenPair | null> | null = null;

  constructor(tokens: TokenStore, fetcher: Fetch, base = "/api/v1", uploader: Uploader = xhrUploader) {
    this.tokens = tokens;
    this.fetcher = fetcher;
    this.base = base;
    this.uploader = uploader;
  }

  request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.run<T>(options.anonymous ?? false, (token) => this.send(path, options, token));
  }

  /** A multipart upload with progress; the same bearer token and single refresh as every other call. */
  async uploadForm<T>(path: string, form: FormData, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal): Promise<T> {
    // A large file takes long to send: start with a token that will not expire on the way.
    await this.freshAccessToken();
    return this.run<T>(false, async (token) => {
      const headers: Record<string, string> = { Accept: "application/json" };
      if (token) {
        headers.Authorization = `Bearer ${token}`;
      }
      try {
        return await this.uploader(this.base + path, { headers, body: form, onProgress, signal });
      } catch (error) {
        if (error instanceof DOMException && error.name === "AbortError") {
          throw error;
        }
        throw new ApiError(networkProblem);
      }
    });
  }

  private async run<T>(anonymous: boolean, send: (accessToken: string | undefined) => Promise<Response>): Promise<T> {
    const sent = this.tokens.current;
    let response = await send(sent?.accessToken);
    if (response.status === 401 && !anonymous && sent !== null) {
      const fresh = await this.refresh(sent);
      if (fresh === null) {
        throw new ApiError(await readProblem(response));
      }
      response = await send(fresh.accessToken);
    }
    if (!response.ok) {
      throw new ApiError(await readProblem(response));
    }
    if (response.status === 204) {
      return undefined as T;
    }
    // A 202 (billing changes, emails sent) may come without a body.
    const text = await response.text();
    return (text.trim() === "" ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Trades the refresh token for a new pair, once for every caller that saw the same expired
   * token: a refresh token is single use, and presenting a used one signs the user out.
   */
  refresh(sent: TokenPair): Promise<TokenPair | null> {
    const current = this.tokens.current;
    if (current !== null && current.accessToken !== sent.accessToken) {
      // Another call refreshed already.
      return Promise.resolve(current);
    }
    if (current === null) {
      return Promise.resolve(null);
    }
    this.refreshing ??= this.exchange(current.refreshToken).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** An access token good for at least a minute (for the hub, which cannot retry a 401). */
  async freshAccessToken(): Promise<string> {
    const current = this.tokens.current;
    if (current === null) {
      return "";
    }
    const left = secondsLeft(current.accessToken);
    if (left !== null && left < 60) {
      return (await this.refresh(current))?.accessToken ?? "";
    }
    return current.accessToken;
  }

  private async exchange(refreshToken: string): Promise<TokenPair | null> {
    const response = await this.send("/auth/refresh", { method: "POST", body: { refreshToken }, anonymous: true }, undefined);
    if (!response.ok) {
      if (response.status === 401) {
        // Revoked or used: the session is over.
        this.tokens.set(null);
      }
      return null;
    }
    const pair = (await response.json()) as TokenPair;
    this.tokens.set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
    return this.tokens.current;
  }

  private async send(path: string, options: RequestOptions, accessToken: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    let body: BodyInit | undefined;
    if (options.raw) {
      headers["Content-Type"] = options.raw.contentType;
      body = options.raw.data;
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    if (accessToken && !options.anonymous) {
      headers.Authorization = `Bearer ${accessToken}`;
    }
    try {
      return await this.fetcher(this.base + path, { method: options.method ?? "GET", headers, body, signal: options.signal });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") {
        throw error;
      }
      throw new ApiError(networkProblem);
    }
  }
}
