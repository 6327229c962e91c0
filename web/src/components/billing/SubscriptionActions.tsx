import { useState } from "react";

import type { Billing } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { canCancel, canResume, isLive } from "../../logic/billing";
import { useSubscriptionChange } from "../../logic/useBilling";
import { external } from "../../logic/urlToken";
import { useServices } from "../../services";
import { ApiError, type ApiProblem } from "../../api/problem";
import { ConfirmDialog } from "../ConfirmDialog";
import { ProblemNotice } from "../ProblemNotice";

/** Cancel at period end (asked first), resume, and the provider's own portal. */
export function SubscriptionActions({ billing, pending }: { billing: Billing; pending: boolean }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const change = useSubscriptionChange();
  const [confirming, setConfirming] = useState(false);
  const [portalBusy, setPortalBusy] = useState(false);
  const [portalProblem, setPortalProblem] = useState<ApiProblem | null>(null);
  const s = billing.subscription;
  if (billing.provider === null || !isLive(s)) {
    return null;
  }
  const end = s.renewsAt ?? s.endsAt;

  const openPortal = async () => {
    setPortalBusy(true);
    setPortalProblem(null);
    try {
      external.go((await api.billingPortal()).url);
    } catch (error) {
      setPortalProblem(error instanceof ApiError ? error.problem : null);
      setPortalBusy(false);
    }
  };
  const cancel = async () => {
    if (await change.send("cancel", api.cancelSubscription)) {
      setConfirming(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="billing-manage-title">
      <h2 id="billing-manage-title">{t("billing.manageTitle")}</h2>
      <div className="actions">
        {canCancel(s) ? (
          <button type="button" className="danger" disabled={pending} onClick={() => { change.clearProblem(); setConfirming(true); }}>{t("billing.cancel")}</button>
        ) : null}
        {canResume(s) ? (
          <button type="button" className="primary" disabled={pending || change.busy} onClick={() => void change.send("resume", api.resumeSubscription)}>{t("billing.resume")}</button>
        ) : null}
        <button type="button" disabled={portalBusy} onClick={() => void openPortal()}>{portalBusy ? t("billing.redirecting") : t("billing.portal")}</button>
      </div>
      <p className="hint">{t("billing.portalHint")}</p>
      {confirming ? null : <ProblemNotice problem={change.problem} />}
      <ProblemNotice problem={portalProblem} />
      <ConfirmDialog open={confirming} title={t("billing.cancelTitle")} confirmLabel={t("billing.cancelConfirm")} danger busy={change.busy}
        onConfirm={() => void cancel()} onClose={() => setConfirming(false)}>
        <p>{end ? t("billing.cancelExplained", { date: formatDateTime(locale, end) }) : t("billing.cancelExplainedNoDate")}</p>
        <ProblemNotice problem={change.problem} />
      </ConfirmDialog>
    </section>
  );
}
