import { describe, expect, it } from "vitest";

import type { Billing, Payment, Plan, Subscription } from "../api/types";
import {
  baselineOf, billingFingerprint, canCancel, canResume, checkoutLanded, formatMinorUnits, paymentAmountText, planChangeKind, recallCheckout,
  rememberCheckout, returnPollStep, subscriptionStatusText,
} from "./billing";

const sub = (over: Partial<Subscription> = {}): Subscription => ({
  status: "active", planId: "starter", interval: "monthly", renewsAt: "2026-12-31T12:00:00Z", endsAt: null, cancelAtPeriodEnd: false, graceUntil: null, ...over,
});
const payment = (over: Partial<Payment> = {}): Payment => ({ at: "2026-12-01T12:00:00Z", kind: "subscription", description: null, amount: 2500, currency: "USD", status: "paid", ...over });
const billing = (over: Partial<Billing> = {}): Billing => ({
  provider: "lemonsqueezy", plan: { id: "free", name: "Free" }, subscription: null,
  products: { plans: [{ planId: "starter", interval: "monthly" }], topUps: [1000, 5000, 20000] }, payments: [], ...over,
});

describe("money from minor units", () => {
  it("uses the currency's own minor digits and the locale's format", () => {
    expect(formatMinorUnits("en", 1999, "USD")).toBe("$19.99");
    expect(formatMinorUnits("en", 2500, "usd")).toBe("$25.00");
    expect(formatMinorUnits("ko", 15000, "KRW")).toBe("₩15,000");
    expect(formatMinorUnits("en", 15000, "KRW")).toBe("₩15,000");
    expect(formatMinorUnits("en", 1234, "EUR")).toBe("€12.34");
    expect(formatMinorUnits("ko", 1999, "USD")).toBe("US$19.99");
  });

  it("keeps an unknown currency code readable", () => {
    expect(formatMinorUnits("en", 1999, "??")).toBe("19.99 ??");
  });

  it("shows refunds as money going back", () => {
    expect(paymentAmountText("en", payment({ kind: "refund", amount: 2500, status: "refunded" }))).toBe("−$25.00");
    expect(paymentAmountText("en", payment({ kind: "refund", amount: -2500 }))).toBe("−$25.00");
    expect(paymentAmountText("en", payment({ kind: "topup", amount: 900 }))).toBe("$9.00");
  });
});

describe("subscription status text", () => {
  it("says active with the renewal, a cancellation's end, a grace period and a pause", () => {
    expect(subscriptionStatusText("en", null)).toBe("No subscription");
    expect(subscriptionStatusText("en", sub())).toMatch(/^Active · renews on Dec 31, 2026/);
    expect(subscriptionStatusText("en", sub({ cancelAtPeriodEnd: true, endsAt: "2027-01-05T12:00:00Z" }))).toMatch(/^Cancels on Jan 5, 2027/);
    expect(subscriptionStatusText("en", sub({ cancelAtPeriodEnd: true }))).toMatch(/^Cancels on Dec 31, 2026/);
    expect(subscriptionStatusText("en", sub({ status: "past_due", graceUntil: "2027-01-07T12:00:00Z" }))).toMatch(/^Payment failed · the plan stays until Jan 7, 2027/);
    expect(subscriptionStatusText("en", sub({ status: "past_due" }))).toBe("Payment failed");
    expect(subscriptionStatusText("en", sub({ status: "paused" }))).toBe("Paused");
    expect(subscriptionStatusText("en", sub({ status: "cancelled", endsAt: "2027-01-05T12:00:00Z" }))).toMatch(/^Cancels on Jan 5, 2027/);
    expect(subscriptionStatusText("en", sub({ status: "expired", endsAt: "2026-11-30T12:00:00Z", renewsAt: null }))).toMatch(/^Ended on Nov 30, 2026/);
    expect(subscriptionStatusText("ko", sub({ cancelAtPeriodEnd: true, endsAt: "2027-01-05T12:00:00Z" }))).toMatch(/^2027\. 1\. 5\..*에 해지$/);
  });

  it("offers cancel on a running subscription and resume on a cancelled or paused one", () => {
    expect([canCancel(sub()), canResume(sub())]).toEqual([true, false]);
    expect([canCancel(sub({ cancelAtPeriodEnd: true })), canResume(sub({ cancelAtPeriodEnd: true }))]).toEqual([false, true]);
    expect([canCancel(sub({ status: "cancelled" })), canResume(sub({ status: "cancelled" }))]).toEqual([false, true]);
    expect(canResume(sub({ status: "paused" }))).toBe(true);
    expect([canCancel(sub({ status: "expired" })), canResume(sub({ status: "expired" }))]).toEqual([false, false]);
    expect([canCancel(null), canResume(null)]).toEqual([false, false]);
  });
});

describe("plan change kind", () => {
  const plans = [
    { id: "free", monthlyPriceCents: 0 }, { id: "starter", monthlyPriceCents: 2500 }, { id: "pro", monthlyPriceCents: 9900 }, { id: "enterprise", monthlyPriceCents: null },
  ] as Plan[];
  it("ranks by monthly price: dearer is an upgrade (now), cheaper a downgrade (period end)", () => {
    expect(planChangeKind(plans, { planId: "starter", interval: "monthly" }, { planId: "pro", interval: "monthly" })).toBe("upgrade");
    expect(planChangeKind(plans, { planId: "pro", interval: "annual" }, { planId: "starter", interval: "annual" })).toBe("downgrade");
    expect(planChangeKind(plans, { planId: "starter", interval: "monthly" }, { planId: "starter", interval: "annual" })).toBe("interval");
    expect(planChangeKind(plans, { planId: "starter", interval: "monthly" }, { planId: "starter", interval: "monthly" })).toBe("same");
  });
});

describe("the return page's polling decision", () => {
  const started = Date.parse("2026-12-02T12:00:00Z");

  it("waits for an active subscription to the bought plan and interval", () => {
    const intent = { kind: "plan", plan: "starter", interval: "monthly" } as const;
    const before = baselineOf(billing(), 100, started);
    expect(checkoutLanded(intent, before, billing(), 100)).toBe(false);
    expect(checkoutLanded(intent, before, billing({ subscription: sub({ interval: "annual" }) }), 100)).toBe(false);
    expect(checkoutLanded(intent, before, billing({ subscription: sub({ status: "expired" }) }), 100)).toBe(false);
    expect(checkoutLanded(intent, before, billing({ plan: { id: "starter", name: "Starter" }, subscription: sub() }), 5000)).toBe(true);
  });

  it("takes a top-up as landed on a new paid top-up row or the balance up by the pack", () => {
    const intent = { kind: "topUp", credits: 5000 } as const;
    const old = payment({ at: "2026-11-01T12:00:00Z" });
    const before = baselineOf(billing({ payments: [old] }), 100, started);
    expect(before).toEqual({ payments: 1, latestPaymentAt: "2026-11-01T12:00:00Z", balance: 100, startedAt: started });
    expect(checkoutLanded(intent, before, billing({ payments: [old] }), 100)).toBe(false);
    expect(checkoutLanded(intent, before, billing({ payments: [payment({ kind: "topup", at: "2026-12-02T12:00:30Z", status: "failed" }), old] }), 100)).toBe(false);
    expect(checkoutLanded(intent, before, billing({ payments: [payment({ kind: "topup", at: "2026-12-02T12:00:30Z" }), old] }), 100)).toBe(true);
    expect(checkoutLanded(intent, before, billing({ payments: [old] }), 5100)).toBe(true);
    expect(checkoutLanded(intent, before, billing({ payments: [old] }), 150)).toBe(false);
  });

  it("without a remembered checkout, any recent paid payment counts", () => {
    const now = Date.parse("2026-12-02T12:10:00Z");
    expect(checkoutLanded(null, null, billing({ payments: [payment({ at: "2026-11-01T12:00:00Z" })] }), 100, now)).toBe(false);
    expect(checkoutLanded(null, null, billing({ payments: [payment({ at: "2026-12-02T12:05:00Z", kind: "topup" })] }), 100, now)).toBe(true);
  });

  it("polls every 2 s for 2 minutes, then says it takes longer", () => {
    expect(returnPollStep(true, 0)).toBe("done");
    expect(returnPollStep(false, 0)).toBe("poll");
    expect(returnPollStep(false, 119_999)).toBe("poll");
    expect(returnPollStep(false, 120_000)).toBe("slow");
    expect(returnPollStep(true, 500_000)).toBe("done");
  });

  it("remembers the checkout across the trip to the provider for a day", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) } as Storage;
    const remembered = { intent: { kind: "topUp", credits: 1000 } as const, baseline: baselineOf(billing(), 7, started) };
    rememberCheckout(storage, remembered.intent, remembered.baseline);
    expect(recallCheckout(storage, started + 60_000)).toEqual(remembered);
    expect(recallCheckout(storage, started + 86_400_000)).toBeNull();
    store.set("pingvas.checkout", "{not json");
    expect(recallCheckout(storage, started)).toBeNull();
  });
});

describe("the billing fingerprint", () => {
  it("changes when a webhook applies a cancel, a resume or a plan change", () => {
    const before = billingFingerprint(billing({ subscription: sub() }));
    expect(billingFingerprint(billing({ subscription: sub() }))).toBe(before);
    expect(billingFingerprint(billing({ subscription: sub({ cancelAtPeriodEnd: true }) }))).not.toBe(before);
    expect(billingFingerprint(billing({ subscription: sub({ planId: "pro" }) }))).not.toBe(before);
    expect(billingFingerprint(billing({ subscription: sub({ pendingPlanId: "free", pendingInterval: "monthly" }) }))).not.toBe(before);
    expect(billingFingerprint(billing({ subscription: sub(), payments: [payment()] }))).toBe(before);
  });
});
