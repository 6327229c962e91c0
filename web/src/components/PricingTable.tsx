import { useState } from "react";

import type { BillingInterval, Plan } from "../api/types";
import { formatBytes, formatCredits, formatMoney, formatNumber } from "../i18n/format";
import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { useMe, usePlans } from "../hooks";
import { useBilling } from "../logic/useBilling";
import { IntervalToggle } from "./billing/IntervalToggle";
import { PlanAction } from "./billing/PlanAction";
import { ApiError } from "../api/problem";
import { ProblemNotice } from "./ProblemNotice";

const knownFeatures = ["generate", "canvas", "upscale", "workflows", "loras", "control", "flux", "external", "multi_queue", "lora_training", "dedicated_workers", "sla"];

/**
 * The plans side by side and the feature matrix under them (from GET /plans). Signed in, each
 * paid plan on sale gets its button (GET /billing: none when billing is not configured).
 */
export function PricingTable({ matrix = true }: { matrix?: boolean } = {}) {
  const { t, locale } = useLocale();
  const plans = usePlans();
  const billing = useBilling();
  const me = useMe();
  const [interval, setBillingInterval] = useState<BillingInterval>("monthly");
  if (plans.error) {
    return <ProblemNotice problem={plans.error instanceof ApiError ? plans.error.problem : null} />;
  }
  if (!plans.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  const features = [...new Set([...knownFeatures, ...plans.data.flatMap((p) => p.features)])].filter((f) => plans.data.some((p) => p.features.includes(f)));
  const price = (plan: Plan) =>
    // A free plan's price is "$0 / month": its name already says "Free".
    plan.monthlyPriceCents === null
      ? t("pricing.contact")
      : interval === "annual" && plan.annualPriceCents !== null
        ? t("billing.perYear", { price: formatMoney(locale, plan.annualPriceCents) })
        : t("pricing.perMonth", { price: formatMoney(locale, plan.monthlyPriceCents) });
  const hasAnnual = plans.data.some((p) => p.annualPriceCents !== null && p.annualPriceCents > 0);
  const featureName = (feature: string) => (knownFeatures.includes(feature) ? t(`feature.${feature}` as MessageKey) : feature);

  return (
    <div className="pricing">
      {hasAnnual ? <IntervalToggle value={interval} onChange={setBillingInterval} /> : null}
      <ul className="plan-cards">
        {plans.data.map((plan) => (
          <li key={plan.id} className="plan-card">
            <h3>{plan.name}</h3>
            <p className="price">{price(plan)}</p>
            <ul>
              <li>{plan.unlimitedCredits || plan.monthlyCredits === null ? t("pricing.unlimitedCredits") : t("pricing.creditsPerMonth", { credits: formatCredits(locale, plan.monthlyCredits) })}</li>
              <li>{plan.storageBytes === null ? t("pricing.unlimitedStorage") : t("pricing.storage", { size: formatBytes(locale, plan.storageBytes) })}</li>
              <li>{t("pricing.maxSide", { side: formatNumber(locale, plan.maxSide) })}</li>
              <li>{t("pricing.maxBatch", { count: plan.maxBatch })}</li>
              <li>{plan.concurrentJobs === null ? t("pricing.unlimitedConcurrent") : t("pricing.concurrent", { count: plan.concurrentJobs })}</li>
              <li>{t("pricing.priority", { priority: formatNumber(locale, plan.queuePriority) })}</li>
            </ul>
            {billing.data ? <PlanAction plan={plan} plans={plans.data} interval={interval} billing={billing.data} me={me.data} /> : null}
          </li>
        ))}
      </ul>
      {matrix ? <div className="table-scroll" tabIndex={0} aria-label={t("pricing.matrix")}>
        <table className="feature-matrix">
          <caption>{t("pricing.matrix")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("pricing.feature")}</th>
              {plans.data.map((plan) => <th key={plan.id} scope="col">{plan.name}</th>)}
            </tr>
          </thead>
          <tbody>
            {features.map((feature) => (
              <tr key={feature}>
                <th scope="row">{featureName(feature)}</th>
                {plans.data.map((plan) => (
                  <td key={plan.id}>
                    {plan.features.includes(feature)
                      ? <span aria-label={t("pricing.included")} role="img">✓</span>
                      : <span aria-label={t("pricing.notIncluded")} role="img">—</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div> : null}
    </div>
  );
}
