// What the Generate button says: the price of this request before it is submitted.
import { formatCredits } from "../i18n/format";
import { translate, type Locale } from "../i18n/i18n";
import type { Estimate } from "../api/types";

export type EstimateState =
  | { state: "idle" }
  | { state: "loading"; previous: Estimate | null }
  | { state: "ready"; estimate: Estimate }
  | { state: "failed" };

/** "Generate · 12 credits"; while a new price loads the last one stays, so the button does not jump. */
export function generateButtonLabel(locale: Locale, estimate: EstimateState, unlimited: boolean, action: "generate.submit" | "canvas.submit" | "upscale.submit" = "generate.submit"): string {
  const known = estimate.state === "ready" ? estimate.estimate : estimate.state === "loading" ? estimate.previous : null;
  const verb = translate(locale, action);
  if (known === null || known.credits === null) {
    return verb;
  }
  const cost = formatCredits(locale, known.credits);
  return translate(locale, unlimited ? "generate.submitIncluded" : "generate.submitWithCost", { action: verb, cost });
}

/** Whether the button can submit: a known price and no refusal. A failed estimate does not block (the submit answers for itself). */
export function canSubmit(estimate: EstimateState): boolean {
  return estimate.state === "failed" || (estimate.state === "ready" && estimate.estimate.allowed);
}

/** The balance after this job, for the hint under the button; null when unknown or unlimited. */
export function balanceAfter(balance: number | null, estimate: EstimateState, unlimited: boolean): number | null {
  if (balance === null || unlimited || estimate.state !== "ready" || estimate.estimate.credits === null) {
    return null;
  }
  return balance - estimate.estimate.credits;
}
