// @vitest-environment happy-dom
// Billing, the email-link pages, the email change and the in-app banners, driven in a DOM against a fake API.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { Billing, Notice } from "./api/types";
import { external } from "./logic/urlToken";
import { setRequested } from "./logic/useBilling";
import { calls, me, overrides, plans, render, resetApp, settle } from "./testing/fakeApp";

const visited: string[] = [];
beforeEach(() => {
  external.go = (url) => void visited.push(url);
});
afterEach(() => {
  resetApp();
  setRequested(null);
  visited.length = 0;
});

const pricedPlans = [...plans, { ...plans[1], id: "pro", name: "Pro", monthlyPriceCents: 9900, annualPriceCents: 99000 }, { ...plans[1], id: "enterprise", name: "Enterprise", monthlyPriceCents: null, annualPriceCents: null }];
const onSale: Billing["products"] = {
  plans: [{ planId: "starter", interval: "monthly" }, { planId: "starter", interval: "annual" }, { planId: "pro", interval: "monthly" }, { planId: "pro", interval: "annual" }],
  topUps: [1000, 5000, 20000],
};
const freeBilling: Billing = { provider: "lemonsqueezy", plan: { id: "free", name: "Free" }, subscription: null, products: onSale, payments: [] };
const starterBilling: Billing = {
  provider: "lemonsqueezy",
  plan: { id: "starter", name: "Starter" },
  subscription: { status: "active", planId: "starter", interval: "monthly", renewsAt: "2026-12-31T12:00:00Z", endsAt: null, cancelAtPeriodEnd: false, graceUntil: null },
  products: onSale,
  payments: [
    { at: "2026-12-01T12:00:00Z", kind: "subscription", description: "Starter monthly", amount: 2500, currency: "USD", status: "paid" },
    { at: "2026-11-20T12:00:00Z", kind: "refund", description: null, amount: 900, currency: "USD", status: "refunded" },
  ],
};
const starterMe = { ...me, plan: { ...me.plan, id: "starter", name: "Starter" } };

function answer(body: unknown, status = 200) {
  return () => ({ status, body });
}

async function click(page: HTMLElement, element: Element | null | undefined) {
  if (!element) {
    throw new Error(`nothing to click in: ${page.textContent}`);
  }
  await act(async () => (element as HTMLElement).click());
  await settle(page);
}

async function type(page: HTMLElement, selector: string, value: string) {
  const input = page.querySelector<HTMLInputElement>(selector)!;
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

const button = (page: HTMLElement, text: string) => [...page.querySelectorAll("button, a")].find((b) => b.textContent?.trim() === text);
const wait = (ms: number) => act(() => new Promise((resolve) => setTimeout(resolve, ms)));

describe("pricing → checkout", () => {
  it("offers Choose per paid plan on sale, remembers the purchase and goes to the provider's URL", async () => {
    overrides.set("GET /plans", answer(pricedPlans));
    overrides.set("GET /billing", answer(freeBilling));
    overrides.set("POST /billing/checkout", answer({ url: "https://pingvas.lemonsqueezy.com/checkout/abc" }));
    const page = await render("/pricing", true);
    const choose = [...page.querySelectorAll("[data-testid=plan-choose]")].map((b) => [b.getAttribute("data-plan"), b.getAttribute("data-interval")]);
    expect(choose).toEqual([["starter", "monthly"], ["pro", "monthly"]]);
    expect(page.textContent).toContain("Your current plan");
    expect(page.textContent).toContain("Contact us");
    await click(page, page.querySelector("[data-plan=pro]"));
    expect(calls.find((c) => c.path === "/billing/checkout")?.body).toEqual({ plan: "pro", interval: "monthly" });
    expect(visited).toEqual(["https://pingvas.lemonsqueezy.com/checkout/abc"]);
    expect(JSON.parse(localStorage.getItem("pingvas.checkout")!).intent).toEqual({ kind: "plan", plan: "pro", interval: "monthly" });
  });

  it("switches to annual prices and annual checkouts", async () => {
    overrides.set("GET /plans", answer(pricedPlans));
    overrides.set("GET /billing", answer(freeBilling));
    const page = await render("/pricing", true);
    await click(page, page.querySelector("input[value=annual]"));
    expect(page.textContent).toContain("$250 / year");
    expect([...page.querySelectorAll("[data-testid=plan-choose]")].map((b) => b.getAttribute("data-interval"))).toEqual(["annual", "annual"]);
  });

  it("shows the plans without buttons and without an error when billing is not configured", async () => {
    overrides.set("GET /billing", answer({ ...freeBilling, provider: null, products: { plans: [], topUps: [] } }));
    const page = await render("/pricing", true);
    expect(page.querySelectorAll("[data-testid=plan-choose]")).toHaveLength(0);
    expect(page.querySelector("[role=alert]")).toBeNull();
    expect(page.textContent).toContain("Starter");
  });

  it("explains a refused checkout by its code", async () => {
    overrides.set("GET /billing", answer(freeBilling));
    overrides.set("POST /billing/checkout", answer({ code: "billing_provider_error", status: 502 }, 502));
    const page = await render("/pricing", true);
    await click(page, page.querySelector("[data-plan=starter]"));
    expect(page.querySelector("[role=alert]")?.textContent).toContain("The payment provider did not answer.");
    expect(visited).toEqual([]);
  });

  it("turns Choose into a plan change, explained first, for a subscriber", async () => {
    overrides.set("GET /plans", answer(pricedPlans));
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", answer(starterBilling));
    overrides.set("POST /billing/subscription/plan", answer(null, 202));
    const page = await render("/pricing", true);
    await click(page, page.querySelector("[data-plan=pro]"));
    expect(page.querySelector("dialog")?.textContent).toContain("Pro starts now.");
    await click(page, button(page, "Switch plan"));
    expect(calls.find((c) => c.path === "/billing/subscription/plan")?.body).toEqual({ plan: "pro", interval: "monthly" });
    expect(calls.some((c) => c.path === "/billing/checkout")).toBe(false);
    expect(location.pathname).toBe("/billing");
  });
});

describe("billing page", () => {
  it("shows the plan, its status, the payments in their currency and the top-up packs", async () => {
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", answer(starterBilling));
    overrides.set("POST /billing/checkout", answer({ url: "https://pay.example/topup" }));
    const page = await render("/billing", true);
    const status = page.querySelector("[data-testid=billing-status]")!;
    expect(status.getAttribute("data-status")).toBe("active");
    expect(status.textContent).toContain("Active · renews on Dec 31, 2026");
    const rows = [...page.querySelectorAll("[data-testid=payment-row]")].map((r) => [...r.querySelectorAll("td")].slice(1).map((td) => td.textContent));
    expect(rows).toEqual([["Subscription", "$25.00", "Paid"], ["Refund", "−$9.00", "Refunded"]]);
    expect([...page.querySelectorAll("[data-testid=topup-button]")].map((b) => b.getAttribute("data-credits"))).toEqual(["1000", "5000", "20000"]);
    await click(page, page.querySelector("[data-testid=topup-button][data-credits='5000']"));
    expect(calls.find((c) => c.path === "/billing/checkout")?.body).toEqual({ topUp: 5000 });
    expect(visited).toEqual(["https://pay.example/topup"]);
  });

  it("cancels at period end after asking, says requested, then shows the change once the webhook landed", async () => {
    let billing = starterBilling;
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", () => ({ status: 200, body: billing }));
    overrides.set("POST /billing/subscription/cancel", answer(null, 202));
    const page = await render("/billing", true);
    await click(page, button(page, "Cancel at period end"));
    expect(page.querySelector("dialog")?.textContent).toContain("You keep your plan and its credits until Dec 31, 2026");
    await click(page, button(page, "Cancel subscription"));
    expect(calls.filter((c) => c.path === "/billing/subscription/cancel")).toHaveLength(1);
    expect(page.querySelector("[data-testid=billing-request]")?.textContent).toContain("Cancellation requested");
    // As HOOKS reports it: "cancelled" with the end date, no renewal.
    billing = { ...starterBilling, subscription: { ...starterBilling.subscription!, status: "cancelled", cancelAtPeriodEnd: true, renewsAt: null, endsAt: "2026-12-31T12:00:00Z" } };
    await wait(2200);
    await settle(page);
    expect(page.querySelector("[data-testid=billing-request]")?.textContent).toBe("Updated.");
    expect(page.querySelector("[data-testid=billing-status]")?.getAttribute("data-status")).toBe("cancelled");
    expect(page.querySelector("[data-testid=billing-status]")?.textContent).toContain("Cancels on Dec 31, 2026");
    expect(button(page, "Resume subscription")).toBeTruthy();
  });

  it("shows a downgrade scheduled for the period end", async () => {
    overrides.set("GET /plans", answer(pricedPlans));
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", answer({ ...starterBilling, subscription: { ...starterBilling.subscription!, planId: "pro", pendingPlanId: "starter", pendingInterval: "monthly" } }));
    const page = await render("/billing", true);
    const pending = page.querySelector("[data-testid=billing-pending]");
    expect(pending?.getAttribute("data-plan")).toBe("starter");
    expect(pending?.textContent).toMatch(/^Starter from Dec 31, 2026/);
  });

  it("opens the provider's portal and explains no_subscription", async () => {
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", answer(starterBilling));
    overrides.set("POST /billing/portal", answer({ url: "https://portal.example/u1" }));
    const page = await render("/billing", true);
    await click(page, button(page, "Manage in the payment portal"));
    expect(visited).toEqual(["https://portal.example/u1"]);
    overrides.set("POST /billing/subscription/resume", answer({ code: "no_subscription", status: 404 }, 404));
    overrides.set("GET /billing", answer({ ...starterBilling, subscription: { ...starterBilling.subscription!, status: "paused" } }));
    resetApp();
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", answer({ ...starterBilling, subscription: { ...starterBilling.subscription!, status: "paused" } }));
    overrides.set("POST /billing/subscription/resume", answer({ code: "no_subscription", status: 404 }, 404));
    const paused = await render("/billing", true);
    expect(paused.querySelector("[data-testid=billing-status]")?.getAttribute("data-status")).toBe("paused");
    await click(paused, button(paused, "Resume subscription"));
    expect(paused.querySelector("[role=alert]")?.textContent).toContain("You have no subscription to change.");
  });

  it("says billing is not configured, with no buttons", async () => {
    overrides.set("GET /billing", answer({ ...freeBilling, provider: null, products: { plans: [], topUps: [] } }));
    const page = await render("/billing", true);
    expect(page.textContent).toContain("billing is not configured");
    expect(page.querySelectorAll("[data-testid=topup-button], [data-testid=plan-choose]")).toHaveLength(0);
    expect(page.querySelector("[data-testid=billing-status]")?.getAttribute("data-status")).toBe("none");
  });

  it("is all Korean in Korean", async () => {
    overrides.set("GET /me", answer(starterMe));
    overrides.set("GET /billing", answer(starterBilling));
    const page = await render("/billing", true, "ko");
    const text = (page.textContent ?? "").replace(/Pingvas Studio|English|Free|Starter|US\$|px|GB|MB/g, "");
    expect(text).not.toMatch(/[A-Za-z]{3,}/);
  });
});

describe("checkout return page", () => {
  it("waits for the webhook, asking again every 2 s, then shows the new plan with a link to Generate", async () => {
    localStorage.setItem("pingvas.checkout", JSON.stringify({ intent: { kind: "plan", plan: "starter", interval: "monthly" }, baseline: { payments: 0, latestPaymentAt: null, balance: 96, startedAt: Date.now() } }));
    let billing = freeBilling;
    overrides.set("GET /billing", () => ({ status: 200, body: billing }));
    const page = await render("/billing/return", true);
    const state = () => page.querySelector("[data-testid=billing-return]")?.getAttribute("data-state");
    expect(state()).toBe("poll");
    expect(page.textContent).toContain("Payment received — activating your plan…");
    billing = starterBilling;
    overrides.set("GET /me", answer(starterMe));
    await wait(2200);
    await settle(page);
    expect(state()).toBe("done");
    expect(page.textContent).toContain("Starter");
    expect(button(page, "Start generating")?.getAttribute("href")).toBe("/generate");
    expect(localStorage.getItem("pingvas.checkout")).toBeNull();
    expect(calls.filter((c) => c.path === "/billing").length).toBeGreaterThanOrEqual(2);
  });
});

describe("email links", () => {
  it("verifies the address once with the link's token", async () => {
    overrides.set("POST /auth/verify-email", answer({ email: "a@example.com", verified: true }));
    const page = await render("/verify-email?token=tok%2Ben", false);
    expect(page.querySelector("[data-testid=verify-result]")?.getAttribute("data-status")).toBe("verified");
    expect(page.textContent).toContain("a@example.com is verified");
    expect(calls.filter((c) => c.path === "/auth/verify-email").map((c) => c.body)).toEqual([{ token: "tok+en" }]);
  });

  it("explains an expired link and sends a new one when signed in", async () => {
    overrides.set("POST /auth/verify-email", answer({ code: "invalid_token", status: 400 }, 400));
    overrides.set("POST /me/verify-email/resend", answer(null, 202));
    const page = await render("/verify-email?token=used", true);
    expect(page.querySelector("[data-testid=verify-result]")?.getAttribute("data-status")).toBe("invalid");
    await click(page, page.querySelector("[data-testid=verify-result] [data-testid=verify-resend]"));
    expect(calls.some((c) => c.method === "POST" && c.path === "/me/verify-email/resend")).toBe(true);
    expect(page.textContent).toContain("Sent. Check your inbox.");
  });

  it("asks for a reset link and never says whether the account exists", async () => {
    overrides.set("POST /auth/password-reset", answer(null, 202));
    const page = await render("/forgot-password", false);
    await type(page, "#forgot-email", "nobody@example.com");
    await click(page, button(page, "Send the link"));
    expect(calls.find((c) => c.path === "/auth/password-reset")?.body).toEqual({ email: "nobody@example.com" });
    expect(page.querySelector("[data-testid=forgot-sent]")?.textContent).toContain("If an account exists for nobody@example.com");
  });

  it("sets a new password twice-typed, ends this session and leads to sign-in", async () => {
    overrides.set("POST /auth/password-reset/confirm", answer(null, 200));
    const page = await render("/reset-password?token=r1", true);
    expect(page.querySelector("[data-testid=reset-form]")).toBeTruthy();
    await type(page, "#reset-password", "a-long-new-password");
    await type(page, "#reset-password-again", "a-long-new-passwore");
    expect(page.textContent).toContain("The two passwords are not the same.");
    expect((button(page, "Set the new password") as HTMLButtonElement).disabled).toBe(true);
    await type(page, "#reset-password-again", "a-long-new-password");
    await click(page, button(page, "Set the new password"));
    expect(calls.find((c) => c.path === "/auth/password-reset/confirm")?.body).toEqual({ token: "r1", password: "a-long-new-password" });
    expect(page.querySelector("[data-testid=reset-result]")?.getAttribute("data-status")).toBe("done");
    expect(localStorage.getItem("pingvas.session")).toBeNull();
    expect(button(page, "Sign in")?.getAttribute("href")).toBe("/signin");
  });

  it("sends an expired reset link to a new one", async () => {
    overrides.set("POST /auth/password-reset/confirm", answer({ code: "invalid_token", status: 400 }, 400));
    const page = await render("/reset-password?token=old", false);
    await type(page, "#reset-password", "a-long-new-password");
    await type(page, "#reset-password-again", "a-long-new-password");
    await click(page, button(page, "Set the new password"));
    expect(page.querySelector("[data-testid=reset-result]")?.getAttribute("data-status")).toBe("invalid");
    expect(button(page, "Get a new link")?.getAttribute("href")).toBe("/forgot-password");
  });

  it("links sign-in to the forgotten-password page", async () => {
    const page = await render("/signin", false);
    expect(page.querySelector("[data-testid=forgot-link]")?.getAttribute("href")).toBe("/forgot-password");
  });
});

describe("account email and banners", () => {
  it("changes the email with the current password and shows the pending address", async () => {
    let current = { ...me, emailVerified: true, pendingEmail: null as string | null };
    overrides.set("GET /me", () => ({ status: 200, body: current }));
    overrides.set("POST /me/email", () => {
      current = { ...current, pendingEmail: "new@example.com" };
      return { status: 202, body: null };
    });
    const page = await render("/account", true);
    await type(page, "#new-email", "new@example.com");
    await type(page, "#email-password", "the-password-1");
    await click(page, button(page, "Change email"));
    expect(calls.find((c) => c.path === "/me/email")?.body).toEqual({ email: "new@example.com", password: "the-password-1" });
    expect(page.textContent).toContain("We sent a link to new@example.com.");
    expect(page.querySelector("[data-testid=pending-email]")?.textContent).toBe("new@example.com");
  });

  it("explains a taken address", async () => {
    overrides.set("POST /me/email", answer({ code: "email_taken", status: 409 }, 409));
    const page = await render("/account", true);
    await type(page, "#new-email", "b@example.com");
    await type(page, "#email-password", "the-password-1");
    await click(page, button(page, "Change email"));
    expect(page.querySelector("[role=alert]")?.textContent).toContain("An account with this email exists already.");
  });

  it("asks an unverified user to verify, with a resend button", async () => {
    overrides.set("GET /me", answer({ ...me, emailVerified: false }));
    overrides.set("POST /me/verify-email/resend", answer({ code: "already_verified", status: 409 }, 409));
    const page = await render("/generate", true);
    const banner = page.querySelector("[data-testid=verify-banner]");
    expect(banner?.textContent).toContain("Verify your email to receive your free credits");
    await click(page, banner?.querySelector("button"));
    expect(page.textContent).toContain("Your email is already verified.");
  });

  it("shows undismissed credit notices, links them to billing and dismisses them", async () => {
    const notices: Notice[] = [
      { id: "n1", kind: "credits_low", createdAt: "2026-12-02T12:00:00Z", data: { balance: 9 } },
      { id: "n2", kind: "verify_email", createdAt: "2026-12-02T11:00:00Z", data: null },
    ];
    overrides.set("GET /notices", answer(notices));
    overrides.set("POST /notices/n1/dismiss", answer(null, 204));
    const page = await render("/generate", true);
    const shown = [...page.querySelectorAll("[data-testid=notice]")];
    expect(shown.map((n) => n.getAttribute("data-kind"))).toEqual(["credits_low"]);
    expect(shown[0].textContent).toContain("9 credits left");
    expect(shown[0].querySelector("a")?.getAttribute("href")).toBe("/billing");
    await click(page, shown[0].querySelector("button"));
    expect(calls.some((c) => c.method === "POST" && c.path === "/notices/n1/dismiss")).toBe(true);
    expect(page.querySelectorAll("[data-testid=notice]")).toHaveLength(0);
  });
});
