import { ApiError } from "../api/problem";
import { BillingStatus } from "../components/billing/BillingStatus";
import { PaymentHistory } from "../components/billing/PaymentHistory";
import { RequestedNotice } from "../components/billing/RequestedNotice";
import { SubscriptionActions } from "../components/billing/SubscriptionActions";
import { TopUpPacks } from "../components/billing/TopUpPacks";
import { PricingTable } from "../components/PricingTable";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { useBilling, useRequested } from "../logic/useBilling";

/** The plan and its status, cancel / resume / portal, plan changes, top-ups and the payment history. */
export default function BillingPage() {
  const { t } = useLocale();
  const requested = useRequested();
  // After a 202 the webhook changes the state: ask again every 2 s until it shows (RequestedNotice gives up after a minute).
  const billing = useBilling(requested !== null ? 2000 : false);

  if (billing.error) {
    return <ProblemNotice problem={billing.error instanceof ApiError ? billing.error.problem : null} />;
  }
  if (!billing.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  const data = billing.data;
  return (
    <div className="billing">
      <h1>{t("billing.title")}</h1>
      {data.provider === null ? <p className="notice info">{t("billing.notConfigured")}</p> : null}
      <RequestedNotice requested={requested} billing={data} />
      <div className="panels">
        <BillingStatus billing={data} />
        <SubscriptionActions billing={data} pending={requested !== null} />
        <TopUpPacks billing={data} />
      </div>
      <h2>{t("billing.plansTitle")}</h2>
      <PricingTable matrix={false} />
      <PaymentHistory payments={data.payments} />
    </div>
  );
}
