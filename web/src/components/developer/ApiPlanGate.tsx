import type { ReactNode } from "react";

import { useMe, usePlans } from "../../hooks";
import { useLocale } from "../../i18n/LocaleContext";
import { apiPlanName, planApiCalls } from "../../logic/developer";
import { FeatureLock } from "../FeatureLock";

/** API keys are for plans with API calls (Starter and above): the Free plan sees the upsell instead. */
export function ApiPlanGate({ children }: { children: (plan: string) => ReactNode }) {
  const { t } = useLocale();
  const me = useMe();
  const plans = usePlans();
  const calls = planApiCalls(plans.data, me.data?.plan.id);
  const plan = apiPlanName(plans.data);
  if (calls === undefined) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  if (calls === 0) {
    return (
      <div className="developer-lock">
        <FeatureLock what={t("developer.apiAccess")} plan={plan} />
        <p className="hint">{t("developer.lockLead")}</p>
      </div>
    );
  }
  return <>{children(plan)}</>;
}
