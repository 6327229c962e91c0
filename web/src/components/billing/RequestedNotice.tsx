import { useEffect, useState } from "react";

import type { Billing } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { billingFingerprint } from "../../logic/billing";
import { setRequested, type RequestedChange } from "../../logic/useBilling";

const requestedTimeoutMs = 60_000;

/** "Requested…" after a 202 until GET /billing shows the change (the webhook landed), then "Updated". */
export function RequestedNotice({ requested, billing }: { requested: RequestedChange | null; billing: Billing | undefined }) {
  const { t } = useLocale();
  const [done, setDone] = useState(false);
  const [slow, setSlow] = useState(false);
  const landed = requested !== null && billing !== undefined && billingFingerprint(billing) !== requested.before;

  useEffect(() => {
    if (landed) {
      setRequested(null);
      setDone(true);
    }
  }, [landed]);
  useEffect(() => {
    if (requested === null) {
      return;
    }
    setDone(false);
    setSlow(false);
    // After a minute: stop asking (and unlock the buttons), say it takes longer.
    const timer = setTimeout(() => {
      setSlow(true);
      setRequested(null);
    }, Math.max(0, requested.at + requestedTimeoutMs - Date.now()));
    return () => clearTimeout(timer);
  }, [requested]);

  const message = requested !== null
    ? t(requested.kind === "cancel" ? "billing.requestedCancel" : requested.kind === "resume" ? "billing.requestedResume" : "billing.requestedPlan")
    : done ? t("billing.requestDone") : slow ? t("billing.requestSlow") : null;
  return (
    <p className="notice info" role="status" aria-live="polite" hidden={message === null} data-testid="billing-request">
      {requested !== null ? <span className="spinner" aria-hidden="true" /> : null}
      {message}
    </p>
  );
}
