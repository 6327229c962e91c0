import type { Billing } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { usePlans } from "../../hooks";
import { useLocale } from "../../i18n/LocaleContext";
import { subscriptionStatusText } from "../../logic/billing";

/** The plan, the subscription's status in words, its interval and the next renewal or end. */
export function BillingStatus({ billing }: { billing: Billing }) {
  const { t, locale } = useLocale();
  const plans = usePlans();
  const s = billing.subscription;
  // The server reports a subscription cancelled at the period end as "cancelled" (still running until endsAt).
  const status = s === null ? "none" : s.cancelAtPeriodEnd && s.status === "active" ? "cancelled" : s.status;
  const pendingName = s?.pendingPlanId ? plans.data?.find((p) => p.id === s.pendingPlanId)?.name ?? s.pendingPlanId : null;
  const pendingFrom = s?.renewsAt ?? s?.endsAt ?? null;
  return (
    <section className="panel" aria-labelledby="billing-plan-title" data-testid="billing-status" data-status={status}>
      <h2 id="billing-plan-title">{t("billing.planTitle")}</h2>
      <dl className="details">
        <div><dt>{t("credits.plan")}</dt><dd>{billing.plan.name}</dd></div>
        <div><dt>{t("billing.status")}</dt><dd className={s?.status === "past_due" ? "negative" : undefined}>{subscriptionStatusText(locale, s)}</dd></div>
        {s ? <div><dt>{t("billing.interval")}</dt><dd>{t(s.interval === "annual" ? "billing.annual" : "billing.monthly")}</dd></div> : null}
        {s?.renewsAt && !s.cancelAtPeriodEnd && s.status === "active" ? <div><dt>{t("billing.renewsAt")}</dt><dd>{formatDateTime(locale, s.renewsAt)}</dd></div> : null}
        {pendingName ? (
          <div><dt>{t("billing.pendingChange")}</dt><dd data-testid="billing-pending" data-plan={s?.pendingPlanId ?? ""}>
            {pendingFrom ? t("billing.pendingFrom", { plan: pendingName, date: formatDateTime(locale, pendingFrom) }) : pendingName}
          </dd></div>
        ) : null}
        {s?.graceUntil && s.status === "past_due" ? <div><dt>{t("billing.graceUntil")}</dt><dd>{formatDateTime(locale, s.graceUntil)}</dd></div> : null}
      </dl>
      {s?.status === "past_due" ? <p className="hint">{t("billing.pastDueHint")}</p> : null}
    </section>
  );
}
