import type { Plan } from "../api/types";
import { formatBytes, formatCredits, formatMoney, formatNumber } from "../i18n/format";
import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { usePlans } from "../hooks";
import { ApiError } from "../api/problem";
import { ProblemNotice } from "./ProblemNotice";

const knownFeatures = ["generate", "canvas", "upscale", "workflows", "flux", "external", "multi_queue", "lora_training", "dedicated_workers", "sla"];

/** The plans side by side and the feature matrix under them (from GET /plans). */
export function PricingTable() {
  const { t, locale } = useLocale();
  const plans = usePlans();
  if (plans.error) {
    return <ProblemNotice problem={plans.error instanceof ApiError ? plans.error.problem : null} />;
  }
  if (!plans.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  const features = [...new Set([...knownFeatures, ...plans.data.flatMap((p) => p.features)])].filter((f) => plans.data.some((p) => p.features.includes(f)));
  const price = (plan: Plan) =>
    // A free plan's price is "$0 / month": its name already says "Free".
    plan.monthlyPriceCents === null ? t("pricing.contact") : t("pricing.perMonth", { price: formatMoney(locale, plan.monthlyPriceCents) });
  const featureName = (feature: string) => (knownFeatures.includes(feature) ? t(`feature.${feature}` as MessageKey) : feature);

  return (
    <div className="pricing">
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
          </li>
        ))}
      </ul>
      <div className="table-scroll" tabIndex={0} aria-label={t("pricing.matrix")}>
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
      </div>
    </div>
  );
}
