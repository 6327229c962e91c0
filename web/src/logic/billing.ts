// Billing logic without React: money from minor units, the subscription's status in words, what a
// plan change does, and when the checkout's return page may stop waiting for the webhook.
import type { Billing, BillingInterval, Payment, Plan, Subscription } from "../api/types";
import { formatDateTime } from "../i18n/format";
import { localeTags, translate, type Locale } from "../i18n/i18n";

/** 1999 USD → "$19.99", 15000 KRW → "₩15,000": the currency's own number of minor digits (from Intl). */
export function formatMinorUnits(locale: Locale, amount: number, currency: string): string {
  let format: Intl.NumberFormat;
  try {
    format = new Intl.NumberFormat(localeTags[locale], { style: "currency", currency: currency.toUpperCase() });
  } catch {
    // An unknown code: the number in the usual two digits and the code as sent.
    return `${new Intl.NumberFormat(localeTags[locale], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount / 100)} ${currency}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

/** A refund reads as money going back: "−$19.99". */
export function paymentAmountText(locale: Locale, payment: Payment): string {
  const money = formatMinorUnits(locale, Math.abs(payment.amount), payment.currency);
  return payment.kind === "refund" || payment.amount < 0 ? `−${money}` : money;
}

/** One line for the subscription: "Active · renews on …", "Cancels on …", "Payment failed: … until …". */
export function subscriptionStatusText(locale: Locale, subscription: Subscription | null): string {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate(locale, key, params);
  const date = (iso: string | null) => (iso ? formatDateTime(locale, iso) : null);
  if (subscription === null) {
    return t("billing.statusNone");
  }
  const ends = date(subscription.endsAt) ?? date(subscription.renewsAt);
  switch (subscription.status) {
    case "active":
      if (subscription.cancelAtPeriodEnd) {
        return ends ? t("billing.statusCancels", { date: ends }) : t("billing.statusCancelsSoon");
      }
      return date(subscription.renewsAt) ? t("billing.statusActiveRenews", { date: date(subscription.renewsAt)! }) : t("billing.statusActive");
    case "past_due":
      return date(subscription.graceUntil) ? t("billing.statusPastDueGrace", { date: date(subscription.graceUntil)! }) : t("billing.statusPastDue");
    case "paused":
      return t("billing.statusPaused");
    case "cancelled":
      return ends ? t("billing.statusCancels", { date: ends }) : t("billing.statusCancelsSoon");
    case "expired":
      return ends ? t("billing.statusExpired", { date: ends }) : t("billing.statusExpiredNoDate");
    default:
      return t("billing.statusUnknown");
  }
}

/** A subscription the provider still holds: plan changes go to it, not to a new checkout. */
export function isLive(subscription: Subscription | null | undefined): subscription is Subscription {
  return subscription !== null && subscription !== undefined && subscription.status !== "expired";
}

export function canCancel(subscription: Subscription | null): boolean {
  return isLive(subscription) && !subscription.cancelAtPeriodEnd && subscription.status !== "cancelled";
}

export function canResume(subscription: Subscription | null): boolean {
  return isLive(subscription) && (subscription.cancelAtPeriodEnd || subscription.status === "cancelled" || subscription.status === "paused");
}

export type PlanChange = "upgrade" | "downgrade" | "interval" | "same";

/** Ranked by the monthly price (the catalog's order breaks ties): dearer is an upgrade, taken at once. */
export function planChangeKind(plans: Plan[], from: { planId: string; interval: BillingInterval }, to: { planId: string; interval: BillingInterval }): PlanChange {
  if (from.planId === to.planId) {
    return from.interval === to.interval ? "same" : "interval";
  }
  const rank = (id: string) => {
    const index = plans.findIndex((p) => p.id === id);
    const price = index < 0 ? 0 : plans[index].monthlyPriceCents ?? Number.MAX_SAFE_INTEGER;
    return [price, index] as const;
  };
  const [a, ai] = rank(from.planId);
  const [b, bi] = rank(to.planId);
  return b > a || (b === a && bi > ai) ? "upgrade" : "downgrade";
}

/** What the buyer chose, remembered across the trip to the provider's checkout page. */
export type CheckoutIntent = { kind: "plan"; plan: string; interval: BillingInterval } | { kind: "topUp"; credits: number };

/** What the account looked like when the checkout started, to notice the purchase landing. */
export interface CheckoutBaseline {
  payments: number;
  latestPaymentAt: string | null;
  balance: number | null;
  startedAt: number;
}

export function baselineOf(billing: Billing, balance: number | null, now: number = Date.now()): CheckoutBaseline {
  return { payments: billing.payments.length, latestPaymentAt: latestPayment(billing.payments), balance, startedAt: now };
}

function latestPayment(payments: Payment[]): string | null {
  return payments.reduce<string | null>((latest, p) => (latest === null || Date.parse(p.at) > Date.parse(latest) ? p.at : latest), null);
}

function hasNewPayment(billing: Billing, baseline: CheckoutBaseline, kinds: Payment["kind"][]): boolean {
  const since = baseline.latestPaymentAt === null ? baseline.startedAt - 60_000 : Date.parse(baseline.latestPaymentAt);
  return billing.payments.some((p) => kinds.includes(p.kind) && p.status === "paid" && Date.parse(p.at) > since);
}

/**
 * Has the purchase reached the account (the webhook landed)? A plan: an active subscription to it
 * with that interval. A top-up: a new paid top-up row, or the balance up by the pack. Without a remembered
 * intent (another tab, an old bookmark): any paid payment in the last half hour, or an active paid plan.
 */
export function checkoutLanded(intent: CheckoutIntent | null, baseline: CheckoutBaseline | null, billing: Billing, balance: number | null, now: number = Date.now()): boolean {
  const subscription = billing.subscription;
  if (intent?.kind === "plan") {
    return subscription !== null && subscription.status === "active" && subscription.planId === intent.plan && subscription.interval === intent.interval;
  }
  if (intent?.kind === "topUp" && baseline !== null) {
    // The payment row is the proof; a balance up by the whole pack is enough too (jobs may spend some meanwhile).
    return hasNewPayment(billing, baseline, ["topup"]) || (baseline.balance !== null && balance !== null && balance >= baseline.balance + intent.credits);
  }
  const recent = { payments: 0, latestPaymentAt: null, balance: null, startedAt: now - 29 * 60_000 };
  return hasNewPayment(billing, recent, ["subscription", "renewal", "topup"]) || (subscription?.status === "active" && billing.plan.id !== "free");
}

export const returnPollMs = 2000;
export const returnPollLimitMs = 120_000;

/** The return page's next step: stop (landed), ask again in 2 s, or say it is taking longer (after 2 minutes). */
export function returnPollStep(landed: boolean, elapsedMs: number): "done" | "poll" | "slow" {
  if (landed) {
    return "done";
  }
  return elapsedMs < returnPollLimitMs ? "poll" : "slow";
}

/** The parts of the billing state a cancel, resume or plan change moves: when they differ, the webhook landed. */
export function billingFingerprint(billing: Billing | undefined): string {
  if (billing === undefined) {
    return "";
  }
  const s = billing.subscription;
  // A downgrade only schedules the pending plan: that counts as landed too.
  return JSON.stringify([billing.plan.id, s?.status, s?.planId, s?.interval, s?.cancelAtPeriodEnd, s?.renewsAt, s?.endsAt, s?.pendingPlanId ?? null, s?.pendingInterval ?? null]);
}

const intentKey = "pingvas.checkout";

export function rememberCheckout(storage: Storage, intent: CheckoutIntent, baseline: CheckoutBaseline): void {
  try {
    storage.setItem(intentKey, JSON.stringify({ intent, baseline }));
  } catch {
    // Private mode: the return page falls back to "any recent payment".
  }
}

/** The remembered checkout, if it started less than a day ago. */
export function recallCheckout(storage: Storage, now: number = Date.now()): { intent: CheckoutIntent; baseline: CheckoutBaseline } | null {
  try {
    const raw = storage.getItem(intentKey);
    const found = raw === null ? null : (JSON.parse(raw) as { intent: CheckoutIntent; baseline: CheckoutBaseline });
    return found !== null && typeof found.baseline?.startedAt === "number" && now - found.baseline.startedAt < 86_400_000 ? found : null;
  } catch {
    return null;
  }
}

export function forgetCheckout(storage: Storage): void {
  try {
    storage.removeItem(intentKey);
  } catch {
    // Nothing to forget.
  }
}
