// The developer pages' rules (docs/developer-platform.md): scopes and events in contract order,
// form checks that mirror the server's, the usage chart's days, and what the plan allows.
import type { ApiKey, ApiScope, ApiUsage, CreateApiKeyBody, Plan, WebhookEventType } from "../api/types";

export const apiScopes: readonly ApiScope[] = ["generate", "read", "gallery:write", "webhooks"];

export const webhookEvents: readonly WebhookEventType[] = [
  "generation.queued", "generation.started", "generation.succeeded", "generation.failed", "generation.cancelled", "credits.low",
];

/** A new endpoint starts with the terminal generation events, as a per-generation webhook does. */
export const defaultWebhookEvents: readonly WebhookEventType[] = ["generation.succeeded", "generation.failed", "generation.cancelled"];

export const keyExpiries = ["never", "30d", "90d", "1y"] as const;
export type KeyExpiry = (typeof keyExpiries)[number];

const expiryDays: Record<Exclude<KeyExpiry, "never">, number> = { "30d": 30, "90d": 90, "1y": 365 };

export interface KeyForm {
  name: string;
  scopes: ApiScope[];
  expiry: KeyExpiry;
}

export const emptyKeyForm: KeyForm = { name: "", scopes: ["generate", "read"], expiry: "never" };

/** What is wrong with the form before it is sent (the server checks the same): field → message key. */
export function keyFormErrors(form: KeyForm): { name?: "developer.keyNameInvalid"; scopes?: "developer.scopesRequired" } {
  const name = form.name.trim();
  return {
    ...(name.length < 1 || name.length > 60 ? { name: "developer.keyNameInvalid" as const } : {}),
    ...(form.scopes.length === 0 ? { scopes: "developer.scopesRequired" as const } : {}),
  };
}

export function keyBody(form: KeyForm, now: Date = new Date()): CreateApiKeyBody {
  const body: CreateApiKeyBody = { name: form.name.trim(), scopes: apiScopes.filter((s) => form.scopes.includes(s)) };
  if (form.expiry !== "never") {
    body.expiresAt = new Date(now.getTime() + expiryDays[form.expiry] * 86_400_000).toISOString();
  }
  return body;
}

export type KeyState = "active" | "revoked" | "expired";

export function keyState(key: ApiKey, now: number = Date.now()): KeyState {
  if (key.revokedAt !== null) return "revoked";
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) return "expired";
  return "active";
}

/** Keeps the order of the contract's list, whatever order the boxes were ticked in. */
export function toggle<T>(all: readonly T[], chosen: readonly T[], value: T, on: boolean): T[] {
  return all.filter((item) => (item === value ? on : chosen.includes(item)));
}

/** An http(s) URL without credentials; the server also refuses private addresses (webhook_url_forbidden). */
export function webhookUrlValid(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

/** The plan's monthly API calls: 0 means no keys (Free), null unlimited, undefined while loading. */
export function planApiCalls(plans: Plan[] | undefined, planId: string | undefined): number | null | undefined {
  if (plans === undefined || planId === undefined) return undefined;
  const plan = plans.find((p) => p.id === planId);
  return plan === undefined ? null : plan.apiCallsPerMonth;
}

/** The cheapest plan with API access, by name, for the upsell. */
export function apiPlanName(plans: Plan[] | undefined): string {
  const withApi = (plans ?? []).filter((p) => p.apiCallsPerMonth !== 0).sort((a, b) => (a.monthlyPriceCents ?? Infinity) - (b.monthlyPriceCents ?? Infinity));
  return withApi[0]?.name ?? "Starter";
}

export interface UsageDay {
  day: string;
  /** Calls per key, in the order of `keys`. */
  perKey: number[];
  total: number;
}

/**
 * The last `days` UTC days (oldest first, today included) with each key's calls; days without
 * calls are zero. Keys no longer listed are summed into the last slot ("other keys").
 */
export function usageDays(usage: ApiUsage, keyIds: readonly string[], days: number, today: Date = new Date()): UsageDay[] {
  const slots = keyIds.length + 1;
  const byDay = new Map<string, number[]>();
  for (const row of usage.days) {
    const day = row.date.slice(0, 10);
    const values = byDay.get(day) ?? new Array<number>(slots).fill(0);
    const index = keyIds.indexOf(row.keyId);
    values[index === -1 ? slots - 1 : index] += row.calls;
    byDay.set(day, values);
  }
  const result: UsageDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i)).toISOString().slice(0, 10);
    const perKey = byDay.get(day) ?? new Array<number>(slots).fill(0);
    result.push({ day, perKey, total: perKey.reduce((sum, v) => sum + v, 0) });
  }
  return result;
}

/** The account setting's field: "" is off, else a whole number 2–100; undefined when invalid. */
export function parseBatchMin(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= 2 && value <= 100 ? value : undefined;
}

/** The receiver's check, in Node (Standard Webhooks): shown on the webhook pages. */
export const signatureSnippet = `import crypto from "node:crypto";

// secret: "whsec_…"; headers: the request's; body: the raw request body as a string.
function verify(secret, headers, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = \`\${headers["webhook-id"]}.\${headers["webhook-timestamp"]}.\${body}\`;
  const want = Buffer.from(crypto.createHmac("sha256", key).update(signed).digest("base64"));
  // During a secret rotation there are two signatures: either may match.
  return headers["webhook-signature"].split(" ").some((s) => {
    const got = Buffer.from(s.slice(3));
    return s.startsWith("v1,") && got.length === want.length && crypto.timingSafeEqual(got, want);
  });
}`;
