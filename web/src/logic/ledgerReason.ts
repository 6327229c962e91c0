// The credits ledger's "details" in the user's language. Entries carry the server's English
// sentence, so the known sentences (Credits/Ledger.cs, Jobs/JobLifecycle*.cs, Credits/PlanPeriods.cs)
// are recognised here; an unknown one, and an admin's own words on an adjustment, are shown as sent.
import type { LedgerEntry } from "../api/types";
import { formatNumber } from "../i18n/format";
import { localeTags, translate, type Locale, type MessageKey } from "../i18n/i18n";

type Rule = [RegExp, (match: RegExpMatchArray, locale: Locale) => string];

const fixed: Record<string, MessageKey> = {
  "Reserved for a generation": "ledgerReason.reserve",
  "Reservation released at settlement": "ledgerReason.release",
  "Refund: cancelled before it started": "ledgerReason.refundCancelled",
  "Refund: cancelled while its worker was lost": "ledgerReason.refundWorkerLost",
  "Refund: the generation timed out": "ledgerReason.refundTimedOut",
  "Refund: the job could not be completed": "ledgerReason.refundNotCompleted",
  "Refund: the generation could not be completed": "ledgerReason.refundNotCompleted",
  "Refund: the generation failed": "ledgerReason.refundFailed",
};

function day(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(localeTags[locale], { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

function seconds(locale: Locale, text: string): string {
  return formatNumber(locale, Number(text), 1);
}

const rules: Rule[] = [
  [/^Generation: (\d+) image\(s\) via (.+)$/, (m, l) => translate(l, "ledgerReason.chargeImages", { count: Number(m[1]), engine: m[2] })],
  [/^Generation: ([\d.]+) GPU-seconds$/, (m, l) => translate(l, "ledgerReason.chargeGpu", { seconds: seconds(l, m[1]) })],
  [/^Cancelled while running: ([\d.]+) GPU-seconds used$/, (m, l) => translate(l, "ledgerReason.chargeCancelled", { seconds: seconds(l, m[1]) })],
  [/^Usage of (\d+) credits \(unlimited plan\)$/, (m, l) => translate(l, "ledgerReason.unlimitedUsage", { count: Number(m[1]) })],
  [/^(.+) plan credits for (\d{4}-\d{2}-\d{2}) – (\d{4}-\d{2}-\d{2})$/, (m, l) => translate(l, "ledgerReason.planGrant", { plan: m[1], from: day(l, m[2]), to: day(l, m[3]) })],
  [/^Credits expired \((.*)\)$/, (m, l) => translate(l, "ledgerReason.expired", { what: reasonText(l, m[1]) })],
];

/** One reason sentence in the locale's words, or the sentence itself when it is not a known one. */
export function reasonText(locale: Locale, reason: string): string {
  const key = fixed[reason];
  if (key) {
    return translate(locale, key);
  }
  for (const [pattern, render] of rules) {
    const match = reason.match(pattern);
    if (match) {
      return render(match, locale);
    }
  }
  return reason;
}

export function ledgerReason(locale: Locale, entry: Pick<LedgerEntry, "kind" | "reason">): string {
  if (entry.reason === null || entry.reason === "") {
    return "";
  }
  // An adjustment's reason is what the admin wrote to the user.
  return entry.kind === "adjust" ? entry.reason : reasonText(locale, entry.reason);
}
