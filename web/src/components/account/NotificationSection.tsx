import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import { useLocale } from "../../i18n/LocaleContext";
import { parseBatchMin } from "../../logic/developer";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";

/** Completion emails: "a batch of N or more finished" (off, or N from 2 to 100) and "a generation failed". */
export function NotificationSection() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const settings = useQuery({ queryKey: ["notifications"], queryFn: api.developer.notifications });
  const [batchOn, setBatchOn] = useState(false);
  const [batchText, setBatchText] = useState("4");
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  // The form starts from the saved settings once they are known.
  const current = settings.data;
  useEffect(() => {
    if (current !== undefined) {
      setBatchOn(current.batchFinishedMin !== null);
      if (current.batchFinishedMin !== null) setBatchText(String(current.batchFinishedMin));
      setFailed(current.jobFailed);
    }
  }, [current]);

  const batch = batchOn ? parseBatchMin(batchText) : null;
  const invalid = batchOn && (batch === undefined || batch === null);
  const save = async () => {
    if (invalid) return;
    setBusy(true);
    setSaved(false);
    setProblem(null);
    try {
      queries.setQueryData(["notifications"], await api.developer.setNotifications({ batchFinishedMin: batch ?? null, jobFailed: failed }));
      setSaved(true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const server = problem?.code === "validation_failed" ? problem.errors : {};
  return (
    <section className="panel" aria-labelledby="notifications-title" data-testid="notifications">
      <h2 id="notifications-title">{t("notifications.title")}</h2>
      <p className="hint">{t("notifications.lead")}</p>
      <ProblemNotice problem={settings.error instanceof ApiError ? settings.error.problem : null} />
      {current === undefined ? (settings.error ? null : <p className="muted">{t("common.loading")}</p>) : (
        <form noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <div className="field notify-batch">
            <label className="check-option">
              <input id="notify-batch-on" type="checkbox" checked={batchOn} onChange={(e) => { setBatchOn(e.target.checked); setSaved(false); }} />
              <span>{t("notifications.batchOn")}</span>
            </label>
            {batchOn ? (
              <div className="field">
                <label htmlFor="notify-batch-min">{t("notifications.batchMin")}</label>
                <input id="notify-batch-min" type="number" inputMode="numeric" min={2} max={100} value={batchText}
                  aria-invalid={invalid ? true : undefined} aria-describedby="notify-batch-hint"
                  onChange={(e) => { setBatchText(e.target.value); setSaved(false); }} />
                <p id="notify-batch-hint" className="hint">{t("notifications.batchHint", { count: batch ?? 2 })}</p>
                {invalid ? <p className="field-error">{t("notifications.batchInvalid")}</p> : <FieldError id="notify-batch-error" messages={server.batchFinishedMin} />}
              </div>
            ) : null}
          </div>
          <label className="check-option">
            <input id="notify-failed" type="checkbox" checked={failed} onChange={(e) => { setFailed(e.target.checked); setSaved(false); }} />
            <span>{t("notifications.failed")}</span>
          </label>
          <ProblemNotice problem={problem} />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || invalid}>{t("notifications.save")}</button>
            {saved ? <span className="hint" role="status">{t("account.saved")}</span> : null}
          </div>
        </form>
      )}
    </section>
  );
}
