// @vitest-environment happy-dom
// The account, two-step sign-in and admin pages, and the new API calls, driven in a DOM against a fake API.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { AdminUser } from "./api/types";
import { calls, me, overrides, render, resetApp, settle } from "./testing/fakeApp";

afterEach(resetApp);

async function type(page: HTMLElement, selector: string, value: string) {
  const input = page.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector)!;
  const proto = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function click(page: HTMLElement, name: string) {
  const button = [...page.querySelectorAll<HTMLElement>("button, a")].find((b) => b.textContent?.trim() === name);
  if (!button) {
    throw new Error(`no button "${name}" in: ${page.textContent}`);
  }
  await act(async () => button.click());
  await settle(page);
}

const admin = { ...me, role: "admin", totpEnabled: true, language: null };
const user: AdminUser = {
  id: "u2", email: "b@example.com", name: "B", role: "user", plan: "free", balance: 96, reserved: 4, unlimited: false,
  suspended: false, totpEnabled: false, periodEnd: "2026-12-31T00:00:00Z", createdAt: "2026-12-01T00:00:00Z",
};

describe("account page", () => {
  it("enrols TOTP: QR code and grouped key, the first code, then the recovery codes once and the new token pair stored", async () => {
    overrides.set("POST /me/totp/enroll", () => ({ status: 200, body: { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", otpauthUri: "otpauth://totp/Pingvas:a@example.com?secret=JBSWY3DPEHPK3PXP" } }));
    const codes = Array.from({ length: 10 }, (_, i) => `AAAAA-${String(i).padStart(5, "0")}`);
    overrides.set("POST /me/totp/confirm", () => ({ status: 200, body: { recoveryCodes: codes, accessToken: "new.access.t", refreshToken: "new-refresh", expiresIn: 900 } }));
    const page = await render("/account", true);
    expect(page.textContent).toContain("Sign out everywhere");
    await click(page, "Set up two-step sign-in");
    // The QR encoder is a dynamic import: on a busy machine it takes more than settle()'s rounds.
    for (let i = 0; i < 100 && page.querySelector("[data-testid=totp-secret]") === null; i++) {
      await settle(page, 1);
    }
    expect(page.querySelector("[data-testid=totp-secret]")?.textContent).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    const qr = page.querySelector<HTMLImageElement>("img.qr");
    expect(qr?.src).toMatch(/^data:image\/png;base64,/);
    expect(qr?.alt).toContain("QR code");
    const code = page.querySelector<HTMLInputElement>("#totp-confirm-code")!;
    expect(code.getAttribute("autocomplete")).toBe("one-time-code");
    expect(code.getAttribute("inputmode")).toBe("numeric");
    await type(page, "#totp-confirm-code", "12 34 56");
    expect(code.value).toBe("123456");
    await click(page, "Turn on two-step sign-in");
    expect(calls.find((c) => c.path === "/me/totp/confirm")?.body).toEqual({ code: "123456" });
    expect([...page.querySelectorAll("[data-testid=recovery-code]")].map((e) => e.textContent)).toEqual(codes);
    expect(JSON.parse(localStorage.getItem("pingvas.session")!)).toEqual({ accessToken: "new.access.t", refreshToken: "new-refresh" });
    await click(page, "I saved them");
    expect(page.querySelectorAll("[data-testid=recovery-code]")).toHaveLength(0);
  });

  it("the account's language wins over the remembered one, and switching it is saved on the account", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: { ...me, language: "ko" } }));
    overrides.set("PATCH /me", (call) => ({ status: 200, body: { ...me, ...(call.body as object) } }));
    const page = await render("/account", true, "en");
    expect(document.documentElement.lang).toBe("ko");
    expect(page.textContent).toContain("2단계 로그인");
    const select = page.querySelector<HTMLSelectElement>("#language")!;
    await act(async () => {
      select.value = "en";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await settle(page);
    expect(calls.find((c) => c.method === "PATCH" && c.path === "/me")?.body).toEqual({ language: "en" });
    expect(page.textContent).toContain("Two-step sign-in");
  });

  it("offers an account without a password a link to set one, and no form that asks for it", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: { ...me, hasPassword: false } }));
    overrides.set("POST /auth/password-reset", () => ({ status: 202, body: null }));
    const page = await render("/account", true);
    expect(page.querySelector("#current-password")).toBeNull();
    expect(page.querySelector("#email-password")).toBeNull();
    expect(page.textContent).toContain("Changing the address needs a password");
    expect(page.textContent).toContain(`we can email ${me.email} a link`);
    await click(page, "Email me a link");
    expect(calls.find((c) => c.path === "/auth/password-reset")?.body).toEqual({ email: me.email });
    expect(page.textContent).toContain("Follow the link in the email to set your password.");
    expect([...page.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === "Email me a link")?.disabled).toBe(true);
  });

  it("keeps the change-password form for an account with a password", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: { ...me, hasPassword: true } }));
    const page = await render("/account", true);
    expect(page.querySelector("#current-password")).not.toBeNull();
    expect(page.querySelector("#email-password")).not.toBeNull();
    expect(page.textContent).not.toContain("Email me a link");
  });
});

describe("two-step sign-in", () => {
  it("asks for the code after a right password, then signs in with it", async () => {
    overrides.set("POST /auth/login", () => ({ status: 401, body: { code: "totp_required", challengeToken: "challenge-1", expiresIn: 300 } }));
    overrides.set("POST /auth/login/totp", () => ({ status: 200, body: { accessToken: "x.y.z", refreshToken: "r2", expiresIn: 900 } }));
    const page = await render("/signin?next=/admin/users", false);
    await type(page, "#email", "admin@example.com");
    await type(page, "#password", "correct horse battery");
    await act(async () => page.querySelector("form")!.requestSubmit());
    await settle(page);
    expect(page.textContent).toContain("Enter the 6-digit code from your authenticator app.");
    await type(page, "#totp-code", "654321");
    await click(page, "Verify");
    expect(calls.find((c) => c.path === "/auth/login/totp")?.body).toEqual({ challengeToken: "challenge-1", code: "654321" });
    expect(location.pathname).toBe("/admin/users");
  });

  it("takes a recovery code instead, explains a wrong code and goes back to step one on an expired challenge", async () => {
    overrides.set("POST /auth/login", () => ({ status: 401, body: { code: "totp_required", challengeToken: "c" } }));
    overrides.set("POST /auth/login/totp", () => ({ status: 401, body: { code: "invalid_code" } }));
    const page = await render("/signin", false);
    await type(page, "#email", "a@example.com");
    await type(page, "#password", "correct horse battery");
    await act(async () => page.querySelector("form")!.requestSubmit());
    await settle(page);
    await click(page, "Use a recovery code instead");
    await type(page, "#recovery-code", "abcde-12345");
    await click(page, "Verify");
    expect(calls.filter((c) => c.path === "/auth/login/totp").at(-1)?.body).toEqual({ challengeToken: "c", recoveryCode: "ABCDE-12345" });
    expect(page.textContent).toContain("That code is wrong or was already used.");
    overrides.set("POST /auth/login/totp", () => ({ status: 401, body: { code: "invalid_challenge" } }));
    await type(page, "#recovery-code", "abcde-12346");
    await click(page, "Verify");
    expect(page.querySelector("#password")).not.toBeNull();
  });
});

describe("admin pages", () => {
  it("list users with a row per user, and show the two-step panel on 403 totp_required", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: admin }));
    overrides.set("GET /admin/users", () => ({ status: 200, body: { items: [user], nextCursor: null } }));
    let page = await render("/admin/users", true);
    const row = page.querySelector("[data-testid=admin-user-row]");
    expect(row?.getAttribute("data-email")).toBe("b@example.com");
    expect(page.textContent).toContain("96 credits");
    resetApp();
    overrides.set("GET /me", () => ({ status: 200, body: { ...admin, totpEnabled: false } }));
    overrides.set("GET /admin/users", () => ({ status: 403, body: { code: "totp_required" } }));
    page = await render("/admin/users", true);
    expect(page.textContent).toContain("Admins must use two-step sign-in");
    expect([...page.querySelectorAll("a")].some((a) => a.getAttribute("href") === "/account#two-step")).toBe(true);
  });

  it("adjusts credits with one Idempotency-Key per submission, reused on retry, and shows the new balance", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: admin }));
    overrides.set("GET /admin/users/u2", () => ({ status: 200, body: user }));
    let attempts = 0;
    overrides.set("POST /admin/users/u2/credits", () => {
      attempts++;
      return attempts === 1
        ? { status: 503, body: { code: "unavailable" } }
        : { status: 200, body: { entryId: "e1", amount: 50, balanceAfter: 146, reason: "goodwill", replayed: false, user: { ...user, balance: 146 } } };
    });
    const page = await render("/admin/users/u2", true);
    await type(page, "#adjust-amount", "50");
    await type(page, "#adjust-reason", "goodwill");
    await click(page, "Apply adjustment");
    expect(page.textContent).toContain("briefly unavailable");
    await click(page, "Apply adjustment");
    const sent = calls.filter((c) => c.path === "/admin/users/u2/credits");
    expect(sent).toHaveLength(2);
    expect(sent[0].headers["Idempotency-Key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1].headers["Idempotency-Key"]).toBe(sent[0].headers["Idempotency-Key"]);
    expect(sent[1].body).toEqual({ amount: 50, reason: "goodwill" });
    expect(page.textContent).toContain("New balance: 146 credits.");
    expect(page.querySelector("[data-testid=admin-balance]")?.textContent).toBe("146 credits");
  });

  it("render workers, stats and the audit log with its changed fields", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: admin }));
    overrides.set("GET /admin/workers", () => ({ status: 200, body: { items: [{ id: "w-1", process: "p", role: "serve", engine: "procedural", instance: "i", gpuClass: "A10", models: ["sd-1.5"], loadedModel: "sd-1.5", state: "busy", currentJobId: "j1", jobsDone: 12, busyMs: 1, utilisation: 0.42, heartbeatAt: new Date().toISOString(), startedAt: "2026-12-01T00:00:00Z" }] } }));
    const days = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, "0")}`, jobs: i, succeeded: i, failed: 0, creditsCharged: i * 3 }));
    overrides.set("GET /admin/stats", () => ({ status: 200, body: { usersByPlan: [{ plan: "free", users: 3 }], totalUsers: 3, days, queue: [{ plan: "free", queued: 2, running: 1, oldestWaitSeconds: 95 }], generatedAt: "2026-12-02T00:00:00Z" } }));
    overrides.set("GET /admin/audit", () => ({ status: 200, body: { items: [{ id: "a1", adminId: "u1", adminEmail: "admin@example.com", action: "user.update", targetType: "user", targetId: "u2", before: JSON.stringify({ plan: "free", suspended: false }), after: JSON.stringify({ plan: "starter", suspended: false }), clientAddress: "127.0.0.1", userAgent: null, createdAt: "2026-12-02T00:00:00Z" }], nextCursor: null } }));
    let page = await render("/admin/workers", true);
    expect(page.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("42");
    expect(page.textContent).toContain("A10");
    resetApp();
    overrides.set("GET /me", () => ({ status: 200, body: admin }));
    overrides.set("GET /admin/stats", () => ({ status: 200, body: { usersByPlan: [{ plan: "free", users: 3 }], totalUsers: 3, days, queue: [{ plan: "free", queued: 2, running: 1, oldestWaitSeconds: 95 }], generatedAt: "2026-12-02T00:00:00Z" } }));
    page = await render("/admin/stats", true);
    expect(page.textContent).toContain("Users by plan (3 users)");
    expect(page.querySelectorAll(".bar-chart")).toHaveLength(2);
    expect(page.textContent).toContain("95 sec");
    resetApp();
    overrides.set("GET /me", () => ({ status: 200, body: admin }));
    overrides.set("GET /admin/audit", () => ({ status: 200, body: { items: [{ id: "a1", adminId: "u1", adminEmail: "admin@example.com", action: "user.update", targetType: "user", targetId: "u2", before: JSON.stringify({ plan: "free", suspended: false }), after: JSON.stringify({ plan: "starter", suspended: false }), clientAddress: "127.0.0.1", userAgent: null, createdAt: "2026-12-02T00:00:00Z" }], nextCursor: null } }));
    page = await render("/admin/audit", true);
    const changes = [...page.querySelectorAll("table.changes tbody tr")].map((tr) => tr.textContent);
    expect(changes).toEqual(["PlanFreeStarter"]);
  });
});

describe("the new API calls", () => {
  it("cancels every queued job with one call after a confirmation, and says how many and the refund", async () => {
    const queued = { ...(await import("./testing/fakeApp")).running, id: "q1", status: "queued" as const, queuePosition: 1, reservedCredits: 7 };
    overrides.set("GET /generations", (call) => ({ status: 200, body: { items: call.url.includes("queued") ? [queued] : [], nextCursor: null } }));
    overrides.set("POST /generations/cancel-queued", () => ({ status: 200, body: { cancelled: 1, ids: ["q1"], refundedCredits: 7 } }));
    overrides.set("GET /generations/q1", () => ({ status: 200, body: { ...queued, status: "cancelled" } }));
    const page = await render("/queue", true);
    expect(page.querySelector("[data-testid=job-card]")?.getAttribute("data-status")).toBe("queued");
    await click(page, "Cancel all my queued jobs (1)");
    expect(page.querySelector("dialog")?.textContent).toContain("refunded in full");
    expect(calls.some((c) => c.path === "/generations/cancel-queued")).toBe(false);
    await click(page, "Yes, cancel them");
    expect(calls.filter((c) => c.path === "/generations/cancel-queued")).toHaveLength(1);
    expect(page.textContent).toContain("Cancelled 1 job; 7 credits refunded.");
  });

  it("filters the gallery by model on the server, with counts from /images/models", async () => {
    overrides.set("GET /images/models", () => ({ status: 200, body: { items: [{ model: "sd-1.5", images: 1 }, { model: "flux-dev", images: 2 }] } }));
    const page = await render("/gallery", true);
    const options = [...page.querySelectorAll("#model-filter option")].map((o) => o.textContent);
    expect(options).toEqual(["All models", "sd-1.5 (1 image)", "flux-dev (2 images)"]);
    const select = page.querySelector<HTMLSelectElement>("#model-filter")!;
    await act(async () => {
      select.value = "flux-dev";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await settle(page);
    expect(calls.some((c) => c.path === "/images" && c.url.includes("model=flux-dev"))).toBe(true);
  });

  it("prices and submits an upscale of a gallery image by its own id (no copy into the uploads)", async () => {
    overrides.set("GET /me", () => ({ status: 200, body: { ...me, plan: { ...me.plan, id: "starter", name: "Starter", maxSide: 2048 } } }));
    const page = await render("/gallery/i1", true);
    const estimates = calls.filter((c) => c.path === "/generations/estimate");
    expect(estimates.map((c) => c.body)).toContainEqual(expect.objectContaining({ kind: "upscale", imageId: "i1", scale: 2 }));
    expect(calls.some((c) => c.path === "/uploads")).toBe(false);
    expect(page.textContent).toContain("×2 · Upscale · 4 credits");
  });

  it("shows the ledger's details in Korean", async () => {
    overrides.set("GET /credits/ledger", () => ({ status: 200, body: { items: [{ id: "l1", kind: "reserve", amount: -4, balanceAfter: 96, reason: "Reserved for a generation", jobId: "j1", createdAt: new Date().toISOString() }], nextCursor: null } }));
    const page = await render("/credits", true, "ko");
    expect(page.textContent).toContain("생성 작업용으로 예약");
    expect(page.textContent).not.toContain("Reserved for a generation");
    expect(page.querySelector("[data-testid=balance]")?.textContent).toBe("96");
  });
});

describe("the Korean UI of the new pages", () => {
  it("has no English words left (names, emails and units aside)", async () => {
    const days = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, "0")}`, jobs: 1, succeeded: 1, failed: 0, creditsCharged: 2 }));
    const pages: [string, () => void][] = [
      ["/account", () => overrides.set("GET /me", () => ({ status: 200, body: { ...me, language: "ko" } }))],
      ["/signin", () => undefined],
      ["/admin/users", () => overrides.set("GET /admin/users", () => ({ status: 200, body: { items: [user], nextCursor: null } }))],
      ["/admin/users/u2", () => overrides.set("GET /admin/users/u2", () => ({ status: 200, body: user }))],
      ["/admin/stats", () => overrides.set("GET /admin/stats", () => ({ status: 200, body: { usersByPlan: [{ plan: "free", users: 3 }], totalUsers: 3, days, queue: [{ plan: "free", queued: 1, running: 0, oldestWaitSeconds: 30 }], generatedAt: "2026-12-02T00:00:00Z" } }))],
      ["/admin/audit", () => overrides.set("GET /admin/audit", () => ({ status: 200, body: { items: [{ id: "a1", adminId: "u1", adminEmail: "admin@example.com", action: "user.credits", targetType: "user", targetId: "u2", before: JSON.stringify({ balance: 1 }), after: JSON.stringify({ balance: 6, amount: 5, reason: "x" }), clientAddress: "127.0.0.1", userAgent: null, createdAt: "2026-12-02T00:00:00Z" }], nextCursor: null } }))],
    ];
    for (const [path, setUp] of pages) {
      if (path.startsWith("/admin")) {
        overrides.set("GET /me", () => ({ status: 200, body: { ...admin, language: "ko" } }));
      }
      setUp();
      const page = await render(path, path !== "/signin", "ko");
      const text = (page.textContent ?? "").replace(/Pingvas Studio|Free|Starter|English|[\w.+-]+@[\w.-]+|px|sd-1\.5/g, "");
      expect(text, path).not.toMatch(/[A-Za-z]{3,}/);
      resetApp();
    }
  });
});
