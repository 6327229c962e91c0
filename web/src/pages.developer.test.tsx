// @vitest-environment happy-dom
// The developer pages (issue 13) against a fake API built from docs/developer-platform.md: keys
// (shown once, revoke, usage, the Free plan's lock), webhooks (add, secret once, test, rotate,
// delivery log with redeliver) and the completion-email settings on the account page.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { ApiKey, ApiUsage, WebhookDelivery, WebhookEndpoint } from "./api/types";
import { keyBody, parseBatchMin, toggle, usageDays, webhookEvents, webhookUrlValid } from "./logic/developer";
import { calls, overrides, resetApp, settle } from "./testing/fakeApp";
import { open, signedInAs, type, until } from "./testing/pageActions";

afterEach(resetApp);

const secret = "pv_live_4fK9xQ2mT7aBZr8cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2w";
const keys: ApiKey[] = [
  { id: "k1", name: "Render farm", prefix: "pv_live_4fK9xQ2mT7aB", scopes: ["generate", "read"], createdAt: "2026-11-20T10:00:00Z", expiresAt: null, lastUsedAt: "2026-12-02T09:30:00Z", lastUsedIp: "203.0.113.7", revokedAt: null },
  { id: "k0", name: "Old script", prefix: "pv_live_Zz9yX8wV7uT6", scopes: ["read"], createdAt: "2026-10-01T10:00:00Z", expiresAt: null, lastUsedAt: null, lastUsedIp: null, revokedAt: "2026-11-01T00:00:00Z" },
];
const today = new Date().toISOString().slice(0, 10);
const usage: ApiUsage = {
  period: { start: "2026-12-01T00:00:00Z", end: "2027-01-01T00:00:00Z", limit: 50, used: 3, remaining: 47, resetAt: "2027-01-01T00:00:00Z" },
  days: [{ date: today, keyId: "k1", calls: 3 }],
};
const endpoint: WebhookEndpoint = {
  id: "w1", url: "https://hooks.example.com/pingvas", events: ["generation.succeeded", "generation.failed"], description: null,
  enabled: true, disabledReason: null, createdAt: "2026-12-01T00:00:00Z",
};
const delivered: WebhookDelivery = {
  id: "d1", eventType: "webhook.test", generationId: null, status: "delivered", attempts: 2, lastStatusCode: 200, lastError: null,
  nextAttemptAt: null, createdAt: "2026-12-02T08:00:00Z", deliveredAt: "2026-12-02T08:00:06Z",
  attemptsLog: [
    { at: "2026-12-02T08:00:00Z", statusCode: 500, durationMs: 120, error: null },
    { at: "2026-12-02T08:00:06Z", statusCode: 200, durationMs: 45, error: null },
  ],
};

function within(root: ParentNode, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent?.trim() === name || b.getAttribute("aria-label") === name);
  if (!found) throw new Error(`no button "${name}"`);
  return found;
}

async function press(page: HTMLElement, name: string, root: ParentNode = page) {
  await act(async () => within(root, name).click());
  await settle(page);
}

async function check(page: HTMLElement, selector: string) {
  await act(async () => page.querySelector<HTMLInputElement>(selector)!.click());
}

const dialog = (page: HTMLElement) => page.querySelector<HTMLDialogElement>("dialog[open]")!;
const sent = (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path);

function starterWithKeys(items: ApiKey[] = keys) {
  signedInAs("starter");
  overrides.set("GET /keys", () => ({ status: 200, body: { items } }));
  overrides.set("GET /keys/usage", () => ({ status: 200, body: usage }));
}

describe("the developer rules", () => {
  it("lays API calls out per day and key, oldest first, with unknown keys in the last slot", () => {
    const days = usageDays({ ...usage, days: [{ date: "2026-12-03", keyId: "a", calls: 2 }, { date: "2026-12-03", keyId: "gone", calls: 1 }, { date: "2026-12-01", keyId: "a", calls: 4 }] },
      ["a"], 3, new Date("2026-12-03T12:00:00Z"));
    expect(days).toEqual([
      { day: "2026-12-01", perKey: [4, 0], total: 4 },
      { day: "2026-12-02", perKey: [0, 0], total: 0 },
      { day: "2026-12-03", perKey: [2, 1], total: 3 },
    ]);
  });

  it("builds the key body in the contract's scope order, with an expiry when asked", () => {
    const now = new Date("2026-12-03T00:00:00Z");
    expect(keyBody({ name: "  ci  ", scopes: ["read", "generate"], expiry: "never" }, now)).toEqual({ name: "ci", scopes: ["generate", "read"] });
    expect(keyBody({ name: "ci", scopes: ["webhooks"], expiry: "30d" }, now).expiresAt).toBe("2027-01-02T00:00:00.000Z");
    expect(toggle(webhookEvents, ["credits.low"], "generation.queued", true)).toEqual(["generation.queued", "credits.low"]);
  });

  it("accepts http(s) URLs without credentials and batch sizes 2 to 100 (empty is off)", () => {
    expect(webhookUrlValid("https://example.com/hook")).toBe(true);
    expect(webhookUrlValid("ftp://example.com")).toBe(false);
    expect(webhookUrlValid("https://user:pw@example.com")).toBe(false);
    expect(webhookUrlValid("not a url")).toBe(false);
    expect(parseBatchMin("")).toBeNull();
    expect(parseBatchMin("4")).toBe(4);
    expect(parseBatchMin("1")).toBeUndefined();
    expect(parseBatchMin("101")).toBeUndefined();
    expect(parseBatchMin("2.5")).toBeUndefined();
  });
});

describe("API keys page", () => {
  it("shows the Free plan the upsell instead of keys, without asking for them", async () => {
    signedInAs("free");
    const page = await open("/developer/keys", true);
    expect(page.querySelector("[data-testid=feature-lock]")?.textContent).toContain("API access comes with the Starter plan and above.");
    expect(page.querySelector("[data-testid=key-row]")).toBeNull();
    expect(sent("GET", "/keys")).toHaveLength(0);
  }, 30_000);

  it("lists keys with prefix, scopes, last use and state, and this month's usage against the limit", async () => {
    starterWithKeys();
    const page = await open("/developer/keys", true);
    await until(page, () => page.querySelectorAll("[data-testid=key-row]").length === 2);
    const [live, revoked] = [...page.querySelectorAll<HTMLElement>("[data-testid=key-row]")];
    expect(live.textContent).toContain("Render farm");
    expect(live.querySelector("[data-testid=key-prefix]")?.textContent).toBe("pv_live_4fK9xQ2mT7aB…");
    expect([...live.querySelectorAll(".name-chips li")].map((li) => li.getAttribute("data-name"))).toEqual(["generate", "read"]);
    expect(live.querySelector("[data-testid=key-last-used]")?.textContent).toContain("from 203.0.113.7");
    expect(revoked.getAttribute("data-state")).toBe("revoked");
    expect(revoked.textContent).toContain("Never used");
    expect(revoked.querySelector("button")).toBeNull();
    expect(page.querySelector("[data-testid=api-usage-summary]")?.textContent).toBe("Used 3 of 50 this month; resets on Jan 1.");
    expect(page.querySelector(".bar-chart svg rect.bar")).not.toBeNull();
  }, 30_000);

  it("creates a key and shows it once, with Copy; closing forgets it", async () => {
    starterWithKeys([]);
    overrides.set("POST /keys", (call) => ({ status: 201, body: { ...keys[0], ...(call.body as object), id: "k2", key: secret } }));
    const page = await open("/developer/keys", true);
    await until(page, () => page.querySelector("[data-testid=keys-empty]") !== null);
    await press(page, "Create key");
    await type(page, "#key-name", "Render farm");
    await check(page, "dialog input[value='gallery:write']");
    await press(page, "Create key", dialog(page).querySelector("form")!);
    expect(sent("POST", "/keys").map((c) => c.body)).toEqual([{ name: "Render farm", scopes: ["generate", "read", "gallery:write"] }]);
    const shown = dialog(page).querySelector<HTMLInputElement>("[data-testid=secret-value]")!;
    expect(shown.value).toBe(secret);
    expect(dialog(page).textContent).toContain("Copy it now: you will not see it again.");
    let copied = "";
    Object.defineProperty(navigator, "clipboard", { value: { writeText: async (text: string) => { copied = text; } }, configurable: true });
    await press(page, "Copy Your new API key", dialog(page));
    expect(copied).toBe(secret);
    expect(page.querySelector("[data-testid=secret-copied]")?.textContent).toBe("Copied.");
    expect(sent("GET", "/keys").length).toBeGreaterThan(1);

    await press(page, "Done", dialog(page));
    expect(page.textContent).not.toContain(secret);
    await press(page, "Create key");
    expect(dialog(page).querySelector("[data-testid=secret-value]")).toBeNull();
    expect(dialog(page).querySelector<HTMLInputElement>("#key-name")!.value).toBe("");
  }, 30_000);

  it("checks the form first, then shows the server's field errors and the key limit", async () => {
    starterWithKeys([]);
    let answer: { status: number; body: unknown } = { status: 400, body: { code: "validation_failed", title: "Invalid", errors: { Name: ["Name is already used by another key."] } } };
    overrides.set("POST /keys", () => answer);
    const page = await open("/developer/keys", true);
    await press(page, "Create key");
    const form = () => dialog(page).querySelector("form")!;
    await press(page, "Create key", form());
    expect(form().textContent).toContain("Enter a name of 1 to 60 characters.");
    expect(sent("POST", "/keys")).toHaveLength(0);

    await type(page, "#key-name", "ci");
    await check(page, "dialog input[value='generate']");
    await check(page, "dialog input[value='read']");
    await press(page, "Create key", form());
    expect(form().textContent).toContain("Choose at least one scope.");
    expect(sent("POST", "/keys")).toHaveLength(0);

    await check(page, "dialog input[value='read']");
    await press(page, "Create key", form());
    expect(page.querySelector("#key-name-error")?.textContent).toBe("Name is already used by another key.");

    answer = { status: 409, body: { code: "api_key_limit", title: "Too many keys" } };
    await press(page, "Create key", form());
    expect(form().querySelector("[role=alert]")?.textContent).toContain("You have 20 active keys");

    answer = { status: 403, body: { code: "plan_forbids_api", title: "No API on this plan" } };
    await press(page, "Create key", form());
    expect(form().querySelector("[data-testid=feature-lock]")).not.toBeNull();
  }, 30_000);

  it("revokes a key after asking", async () => {
    starterWithKeys();
    overrides.set("DELETE /keys/k1", () => ({ status: 204, body: null }));
    const page = await open("/developer/keys", true);
    await until(page, () => page.querySelector("[data-testid=key-row]") !== null);
    await press(page, "Revoke key Render farm");
    expect(dialog(page).textContent).toContain("Revoke the key \"Render farm\"?");
    expect(sent("DELETE", "/keys/k1")).toHaveLength(0);
    await press(page, "Revoke", dialog(page));
    expect(sent("DELETE", "/keys/k1")).toHaveLength(1);
    expect(page.querySelector("dialog[open]")).toBeNull();
  }, 30_000);

  it("reads in Korean", async () => {
    starterWithKeys();
    const page = await open("/developer/keys", true, "ko");
    await until(page, () => page.querySelector("[data-testid=key-row]") !== null);
    expect(page.querySelector("main h1")?.textContent).toBe("API 키");
    expect(page.querySelector("[data-testid=api-usage-summary]")?.textContent).toContain("이번 달 50회 중 3회 사용");
    expect(page.querySelector("[data-testid=key-row] .badge")?.textContent).toBe("사용 중");
  }, 30_000);
});

describe("webhooks pages", () => {
  it("adds an endpoint, refusing a private address, and shows its secret once", async () => {
    signedInAs("starter");
    let items: WebhookEndpoint[] = [];
    overrides.set("GET /webhook-endpoints", () => ({ status: 200, body: { items } }));
    overrides.set("POST /webhook-endpoints", (call) => {
      const body = call.body as { url: string; events: string[] };
      if (body.url.includes("10.0.0.5")) return { status: 400, body: { code: "webhook_url_forbidden", title: "Forbidden target" } };
      items = [{ ...endpoint, url: body.url }];
      return { status: 201, body: { ...endpoint, url: body.url, events: body.events, secret: "whsec_c2VjcmV0" } };
    });
    const page = await open("/developer/webhooks", true);
    await until(page, () => page.querySelector("[data-testid=webhooks-empty]") !== null);
    await press(page, "Add endpoint");
    const form = () => dialog(page).querySelector("form")!;
    await type(page, "#webhook-url", "not a url");
    await press(page, "Add endpoint", form());
    expect(form().textContent).toContain("Enter an http or https URL");
    expect(sent("POST", "/webhook-endpoints")).toHaveLength(0);

    await type(page, "#webhook-url", "http://10.0.0.5/hook");
    await press(page, "Add endpoint", form());
    expect(form().querySelector("[role=alert]")?.textContent).toContain("That address is not allowed");

    await type(page, "#webhook-url", "https://hooks.example.com/pingvas");
    await check(page, "dialog input[value='credits.low']");
    await press(page, "Add endpoint", form());
    expect(sent("POST", "/webhook-endpoints").at(-1)?.body).toEqual({
      url: "https://hooks.example.com/pingvas", events: ["generation.succeeded", "generation.failed", "generation.cancelled", "credits.low"],
    });
    expect(dialog(page).querySelector<HTMLInputElement>("[data-testid=secret-value]")?.value).toBe("whsec_c2VjcmV0");
    await press(page, "Done", dialog(page));
    await until(page, () => page.querySelector("[data-testid=webhook-row]") !== null);
    expect(page.textContent).not.toContain("whsec_c2VjcmV0");
    expect(page.querySelector("[data-testid=endpoint-state]")?.textContent).toBe("Enabled");
    expect(page.querySelector(".signature-snippet pre")?.textContent).toContain("webhook-signature");
  }, 30_000);

  it("shows the per-generation webhooks' secret on request and rotates it after asking", async () => {
    signedInAs("starter");
    overrides.set("GET /webhook-endpoints", () => ({ status: 200, body: { items: [] } }));
    overrides.set("GET /webhooks/default/secret", () => ({ status: 200, body: { secret: "whsec_b2xk" } }));
    overrides.set("POST /webhooks/default/secret/rotate", () => ({ status: 200, body: { secret: "whsec_bmV3" } }));
    const page = await open("/developer/webhooks", true);
    const panel = page.querySelector<HTMLElement>(".default-secret")!;
    expect(panel.querySelector("#default-secret")).toBeNull();
    expect(sent("GET", "/webhooks/default/secret")).toHaveLength(0);
    await press(page, "Show secret", panel);
    expect(panel.querySelector<HTMLInputElement>("#default-secret")?.value).toBe("whsec_b2xk");
    await press(page, "Rotate secret", panel);
    expect(sent("POST", "/webhooks/default/secret/rotate")).toHaveLength(0);
    await press(page, "Rotate secret", dialog(page));
    expect(sent("POST", "/webhooks/default/secret/rotate")).toHaveLength(1);
    expect(panel.querySelector<HTMLInputElement>("#default-secret")?.value).toBe("whsec_bmV3");
  }, 30_000);

  it("shows a disabled endpoint's reason", async () => {
    signedInAs("starter");
    overrides.set("GET /webhook-endpoints", () => ({ status: 200, body: { items: [{ ...endpoint, enabled: false, disabledReason: "failing" }] } }));
    const page = await open("/developer/webhooks", true);
    await until(page, () => page.querySelector("[data-testid=webhook-row]") !== null);
    expect(page.querySelector("[data-testid=webhook-row]")?.getAttribute("data-enabled")).toBe("false");
    expect(page.querySelector("[data-testid=endpoint-state]")?.textContent).toBe("Disabled: deliveries kept failing");
  }, 30_000);

  it("on the detail page: the delivery log with attempts, redeliver, send test, rotate, edit events and disable", async () => {
    signedInAs("starter");
    let current = endpoint;
    overrides.set("GET /webhook-endpoints/w1", () => ({ status: 200, body: current }));
    overrides.set("GET /webhook-endpoints/w1/deliveries", () => ({ status: 200, body: { items: [delivered], nextCursor: null } }));
    overrides.set("POST /webhook-deliveries/d1/redeliver", () => ({ status: 202, body: null }));
    overrides.set("POST /webhook-endpoints/w1/test", () => ({ status: 202, body: { deliveryId: "d2" } }));
    overrides.set("POST /webhook-endpoints/w1/rotate-secret", () => ({ status: 200, body: { secret: "whsec_bmV3" } }));
    overrides.set("PATCH /webhook-endpoints/w1", (call) => { current = { ...current, ...(call.body as object) }; return { status: 200, body: current }; });
    const page = await open("/developer/webhooks/w1", true);
    await until(page, () => page.querySelector("[data-testid=delivery-row]") !== null);
    expect(page.querySelector("main h1")?.textContent).toBe("https://hooks.example.com/pingvas");
    const row = page.querySelector<HTMLElement>("[data-testid=delivery-row]")!;
    expect(row.getAttribute("data-status")).toBe("delivered");
    expect(row.querySelector("summary")?.textContent).toContain("HTTP 200");
    expect(row.querySelector("summary")?.textContent).toContain("2 attempts");
    expect([...row.querySelectorAll("[data-testid=attempt]")].map((a) => a.textContent)).toEqual([expect.stringContaining("HTTP 500"), expect.stringContaining("HTTP 200")]);

    const before = sent("GET", "/webhook-endpoints/w1/deliveries").length;
    await press(page, "Redeliver", row);
    expect(sent("POST", "/webhook-deliveries/d1/redeliver")).toHaveLength(1);
    expect(row.textContent).toContain("Sent again.");
    expect(sent("GET", "/webhook-endpoints/w1/deliveries").length).toBeGreaterThan(before);

    await press(page, "Send test event");
    expect(sent("POST", "/webhook-endpoints/w1/test")).toHaveLength(1);
    expect(page.querySelector("[data-testid=test-sent]")).not.toBeNull();

    await type(page, "#overlap-hours", "99");
    expect(page.textContent).toContain("Enter a whole number of hours from 0 to 72.");
    await type(page, "#overlap-hours", "6");
    await press(page, "Rotate secret", page.querySelector(".rotate-form")!);
    expect(dialog(page).textContent).toContain("the old one keeps signing for 6 h");
    await press(page, "Rotate secret", dialog(page));
    expect(sent("POST", "/webhook-endpoints/w1/rotate-secret").map((c) => c.body)).toEqual([{ overlapHours: 6 }]);
    expect(page.querySelector<HTMLInputElement>("#rotated-secret")?.value).toBe("whsec_bmV3");

    await check(page, "input[name=edit-event][value='generation.started']");
    await press(page, "Save events");
    expect(sent("PATCH", "/webhook-endpoints/w1").map((c) => c.body)).toEqual([{ events: ["generation.started", "generation.succeeded", "generation.failed"] }]);
    await press(page, "Disable");
    expect(sent("PATCH", "/webhook-endpoints/w1").at(-1)?.body).toEqual({ enabled: false });
    await until(page, () => page.querySelector("[data-testid=endpoint-state]")?.textContent === "Disabled");
    expect(within(page, "Send test event").disabled).toBe(true);
  }, 30_000);

  it("answers another user's endpoint as not found", async () => {
    signedInAs("starter");
    overrides.set("GET /webhook-endpoints/w9", () => ({ status: 404, body: { code: "not_found", title: "Not found" } }));
    const page = await open("/developer/webhooks/w9", true);
    await until(page, () => page.querySelector("[role=alert]") !== null);
    expect(page.querySelector("[data-testid=delivery-row]")).toBeNull();
  }, 30_000);
});

describe("completion emails on the account page", () => {
  it("loads the settings, refuses a batch size below 2 and saves both", async () => {
    overrides.set("GET /me/notifications", () => ({ status: 200, body: { batchFinishedMin: null, jobFailed: false } }));
    overrides.set("PUT /me/notifications", (call) => ({ status: 200, body: call.body }));
    const page = await open("/account", true);
    await until(page, () => page.querySelector("#notify-failed") !== null);
    const section = page.querySelector<HTMLElement>("[data-testid=notifications]")!;
    expect(page.querySelector("#notify-batch-min")).toBeNull();
    await check(page, "#notify-batch-on");
    await type(page, "#notify-batch-min", "1");
    expect(section.textContent).toContain("Enter a whole number from 2 to 100.");
    expect(within(section, "Save notices").disabled).toBe(true);
    await type(page, "#notify-batch-min", "4");
    await check(page, "#notify-failed");
    await press(page, "Save notices", section);
    expect(sent("PUT", "/me/notifications").map((c) => c.body)).toEqual([{ batchFinishedMin: 4, jobFailed: true }]);
    expect(section.textContent).toContain("Saved.");

    await check(page, "#notify-batch-on");
    await press(page, "Save notices", section);
    expect(sent("PUT", "/me/notifications").at(-1)?.body).toEqual({ batchFinishedMin: null, jobFailed: true });
  }, 30_000);
});
