import { useState } from "react";

import type { Billing, BillingInterval, Me, Plan } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { isLive, planChangeKind } from "../../logic/billing";
import { useCheckout, useSubscriptionChange } from "../../logic/useBilling";
import { navigate } from "../../router";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { ProblemNotice } from "../ProblemNotice";

/**
 * Under a plan card for a signed-in user: "Current plan", "Choose" (a checkout) or, with a
 * subscription already, "Switch" (a plan change, explained first). Nothing when billing is not
 * configured or the plan is not on sale for this interval.
 */
export function PlanAction({ plan, plans, interval, billing, me }: { plan: Plan; plans: Plan[]; interval: BillingInterval; billing: Billing; me: Me | undefined }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const checkout = useCheckout();
  const change = useSubscriptionChange();
  const [confirming, setConfirming] = useState(false);
  const subscription = isLive(billing.subscription) ? billing.subscription : null;
  const currentPlan = me?.plan.id ?? billing.plan.id;

  if (plan.id === currentPlan && (subscription === null || subscription.interval === interval || subscription.planId !== plan.id)) {
    return <p className="plan-current">{t("billing.currentPlan")}</p>;
  }
  if (subscription !== null && plan.monthlyPriceCents === 0) {
    // Free is not bought: cancelling the subscription returns the account to it at period end.
    return <p className="hint plan-hint">{t("billing.freeByCancel")}</p>;
  }
  if (billing.provider === null || !billing.products.plans.some((p) => p.planId === plan.id && p.interval === interval)) {
    return null;
  }
  const testAttributes = { "data-testid": "plan-choose", "data-plan": plan.id, "data-interval": interval };

  if (subscription === null) {
    return (
      <div className="plan-action">
        <button type="button" className="primary" {...testAttributes} disabled={checkout.busy !== null}
          onClick={() => void checkout.start({ kind: "plan", plan: plan.id, interval })}>
          {checkout.busy === `${plan.id}_${interval}` ? t("billing.redirecting") : t("billing.choose", { plan: plan.name })}
        </button>
        <ProblemNotice problem={checkout.problem} />
      </div>
    );
  }

  const kind = planChangeKind(plans, subscription, { planId: plan.id, interval });
  const periodEnd = subscription.renewsAt ?? subscription.endsAt;
  const explanation = kind === "upgrade"
    ? t("billing.upgradeExplained", { plan: plan.name })
    : kind === "downgrade"
      ? (periodEnd ? t("billing.downgradeExplained", { plan: plan.name, date: formatDateTime(locale, periodEnd) }) : t("billing.downgradeExplainedNoDate", { plan: plan.name }))
      : t("billing.intervalExplained", { interval: t(interval === "monthly" ? "billing.monthly" : "billing.annual") });
  const confirm = async () => {
    if (await change.send("plan", () => api.changePlan({ plan: plan.id, interval }))) {
      setConfirming(false);
      navigate("/billing");
    }
  };
  return (
    <div className="plan-action">
      <button type="button" {...testAttributes} onClick={() => { change.clearProblem(); setConfirming(true); }}>
        {t("billing.switchTo", { plan: plan.name })}
      </button>
      <ConfirmDialog open={confirming} title={t("billing.switchTitle", { plan: plan.name })} confirmLabel={t("billing.switchConfirm")} busy={change.busy}
        onConfirm={() => void confirm()} onClose={() => setConfirming(false)}>
        <p>{explanation}</p>
        <ProblemNotice problem={change.problem} />
      </ConfirmDialog>
    </div>
  );
}
