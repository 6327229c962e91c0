import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ApiError } from "../api/problem";
import { ProblemNotice } from "../components/ProblemNotice";
import { useMe } from "../hooks";
import { formatCredits } from "../i18n/format";
import { useLocale } from "../i18n/LocaleContext";
import { checkoutLanded, forgetCheckout, recallCheckout, returnPollMs, returnPollStep, subscriptionStatusText } from "../logic/billing";
import { useBilling } from "../logic/useBilling";
import { Link } from "../router";

/**
 * The checkout's success page: the payment is taken, the plan arrives with the provider's webhook.
 * Asks GET /billing every 2 s (for up to 2 minutes) until the purchase shows, then shows it.
 */
export default function BillingReturnPage() {
  const { t, locale } = useLocale();
  const queries = useQueryClient();
  const [remembered] = useState(() => recallCheckout(localStorage));
  const [openedAt] = useState(() => Date.now());
  const [now, setNow] = useState(openedAt);
  const me = useMe();
  const billing = useBilling();
  const balance = me.data?.credits.balance ?? null;
  const landed = billing.data !== undefined && checkoutLanded(remembered?.intent ?? null, remembered?.baseline ?? null, billing.data, balance);
  const step = returnPollStep(landed, now - openedAt);

  useEffect(() => {
    if (step !== "poll") {
      return;
    }
    const timer = setTimeout(() => {
      void queries.invalidateQueries({ queryKey: ["billing"] });
      void queries.invalidateQueries({ queryKey: ["me"] });
      setNow(Date.now());
    }, returnPollMs);
    return () => clearTimeout(timer);
  }, [step, now, queries]);

  useEffect(() => {
    if (step === "done") {
      forgetCheckout(localStorage);
      void queries.invalidateQueries({ queryKey: ["ledger"] });
      void queries.invalidateQueries({ queryKey: ["notices"] });
    }
  }, [step, queries]);

  if (billing.error && !billing.data) {
    return <ProblemNotice problem={billing.error instanceof ApiError ? billing.error.problem : null} />;
  }
  return (
    <section className="billing-return" aria-labelledby="return-title" data-testid="billing-return" data-state={step}>
      <h1 id="return-title">{step === "done" ? t("billing.returnDone") : t("billing.returnTitle")}</h1>
      {step === "poll" ? (
        <div role="status" aria-live="polite" className="waiting">
          <span className="spinner" aria-hidden="true" />
          <p>{t("billing.returnWaiting")}</p>
        </div>
      ) : null}
      {step === "slow" ? <p className="notice info" role="status">{t("billing.returnSlow")}</p> : null}
      {step === "done" && billing.data ? (
        <dl className="details">
          <div><dt>{t("credits.plan")}</dt><dd>{billing.data.plan.name}</dd></div>
          <div><dt>{t("billing.status")}</dt><dd>{subscriptionStatusText(locale, billing.data.subscription)}</dd></div>
          {me.data ? <div><dt>{t("credits.balance")}</dt><dd>{me.data.credits.unlimited ? t("credits.unlimited") : formatCredits(locale, me.data.credits.balance)}</dd></div> : null}
        </dl>
      ) : null}
      <div className="actions">
        {step === "done" ? <Link to="/generate" className="button primary">{t("billing.returnGenerate")}</Link> : null}
        <Link to="/billing" className="button">{t("billing.returnBilling")}</Link>
      </div>
    </section>
  );
}
