// The hub connection and the live state of the user's jobs. On every (re)connect the hub re-sends
// the state of every queued and running job, so a reload or a dropped connection reattaches.
import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from "@microsoft/signalr";

import type { ApiClient } from "../api/client";
import type { Generation, Notice } from "../api/types";
import { isFinal, mergeJob } from "./jobState";

export type ConnectionStatus = "offline" | "connecting" | "connected" | "reconnecting";

export interface LiveSnapshot {
  jobs: ReadonlyMap<string, Generation>;
  status: ConnectionStatus;
}

/** Waits between reconnect attempts, in ms: quick at first, then every 10 s for as long as it takes. */
const retryDelays = [0, 1000, 2000, 5000];

/** The hub (negotiate or connect) answered 401: the token is refused, retrying with it is pointless. */
export function isUnauthorized(error: unknown): boolean {
  if (typeof error !== "object" || error === null) {
    return false;
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  return status === 401 || /Status code '401'/.test(String((error as { message?: unknown }).message ?? ""));
}

export class LiveJobs {
  private snapshot: LiveSnapshot = { jobs: new Map(), status: "offline" };
  private readonly listeners = new Set<() => void>();
  private readonly finishedListeners = new Set<(job: Generation) => void>();
  private connection: HubConnection | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private client: ApiClient | null = null;
  private readonly refusedListeners = new Set<() => void>();
  private readonly noticeListeners = new Set<(notice: Notice) => void>();

  getSnapshot = (): LiveSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called with every job that reaches its final state (to refresh the balance and the gallery). */
  onFinished(listener: (job: Generation) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  /** A state from a REST answer (submit, cancel, list) goes through the same merge as events. */
  upsert(job: Generation): void {
    const previous = this.snapshot.jobs.get(job.id);
    const merged = mergeJob(previous, job);
    if (merged === previous) {
      return;
    }
    const jobs = new Map(this.snapshot.jobs);
    jobs.set(job.id, merged);
    this.set({ ...this.snapshot, jobs });
    if (isFinal(merged.status) && (previous === undefined || !isFinal(previous.status))) {
      this.finishedListeners.forEach((listener) => listener(merged));
    }
  }

  /** Called when the hub refused the token and refreshing it failed too: the session is over. */
  onSessionRefused(listener: () => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  /** Called with each in-app notice the hub sends (`notice`: credits low or exhausted, …). */
  onNotice(listener: (notice: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  start(client: ApiClient): void {
    if (this.connection !== null) {
      return;
    }
    this.client = client;
    const connection = new HubConnectionBuilder()
      .withUrl("/hubs/progress", { accessTokenFactory: () => client.freshAccessToken() })
      // A refused token stops the automatic retries; onclose then refreshes it (or signs out).
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => (isUnauthorized(context.retryReason) ? null : retryDelays[context.previousRetryCount] ?? 10_000) })
      .configureLogging(LogLevel.None)
      .build();
    connection.on("generation", (job: Generation) => this.upsert(job));
    connection.on("notice", (notice: Notice) => this.noticeListeners.forEach((listener) => listener(notice)));
    connection.onreconnecting(() => this.setStatus("reconnecting"));
    connection.onreconnected(() => this.setStatus("connected"));
    // The server closes a connection whose access token expired: open a new one with a fresh token.
    connection.onclose(() => this.scheduleRestart(2000));
    this.connection = connection;
    void this.connect();
  }

  stop(): void {
    const connection = this.connection;
    this.connection = null;
    if (this.restartTimer !== null) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    this.set({ jobs: new Map(), status: "offline" });
    void connection?.stop();
  }

  private async connect(): Promise<void> {
    const connection = this.connection;
    if (connection === null || connection.state !== HubConnectionState.Disconnected) {
      return;
    }
    this.setStatus(this.snapshot.status === "offline" ? "connecting" : "reconnecting");
    try {
      await connection.start();
      this.setStatus("connected");
    } catch (error) {
      if (isUnauthorized(error)) {
        await this.tokenRefused();
      } else {
        this.scheduleRestart(5000);
      }
    }
  }

  /** Trades the refresh token: a new pair → connect again; refused (revoked, suspended) → signed out. */
  private async tokenRefused(): Promise<void> {
    const client = this.client;
    const current = client?.tokens.current ?? null;
    if (client === null || current === null || this.connection === null) {
      return;
    }
    const fresh = await client.refresh(current).catch(() => null);
    if (fresh === null && client.tokens.current === null) {
      this.refusedListeners.forEach((listener) => listener());
      return;
    }
    this.scheduleRestart(fresh === null ? 5000 : 0);
  }

  private scheduleRestart(delay: number): void {
    if (this.connection === null || this.restartTimer !== null) {
      return;
    }
    this.setStatus("reconnecting");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.connect();
    }, delay);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.snapshot.status !== status) {
      this.set({ ...this.snapshot, status });
    }
  }

  private set(snapshot: LiveSnapshot): void {
    this.snapshot = snapshot;
    this.listeners.forEach((listener) => listener());
  }
}
