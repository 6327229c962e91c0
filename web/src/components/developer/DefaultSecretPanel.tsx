import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { ProblemNotice } from "../ProblemNotice";
import { SecretReveal } from "./SecretReveal";

/** The account's default secret, which signs the per-generation webhooks (`webhook` on POST /generations): show on request, rotate. */
export function DefaultSecretPanel() {
  const { t } = useLocale();
  const { api } = useServices();
  const [secret, setSecret] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const run = async (load: () => Promise<{ secret: string }>) => {
    setBusy(true);
    setProblem(null);
    try {
      setSecret((await load()).secret);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  return (
    <section className="panel default-secret" aria-labelledby="default-secret-title">
      <h2 id="default-secret-title">{t("developer.defaultSecretTitle")}</h2>
      <p className="hint">{t("developer.defaultSecretLead")}</p>
      {secret !== null ? <SecretReveal id="default-secret" label={t("developer.signingSecret")} secret={secret} /> : null}
      <ProblemNotice problem={problem} />
      <div className="actions">
        {secret === null ? <button type="button" disabled={busy} onClick={() => void run(api.developer.defaultSecret)}>{t("developer.showSecret")}</button> : null}
        <button type="button" disabled={busy} onClick={() => setAsking(true)}>{t("developer.rotateSecret")}</button>
      </div>
      <ConfirmDialog open={asking} title={t("developer.rotateTitle")} confirmLabel={t("developer.rotateSecret")} busy={busy}
        onConfirm={() => void run(api.developer.rotateDefaultSecret)} onClose={() => setAsking(false)}>
        <p>{t("developer.defaultRotateLead")}</p>
      </ConfirmDialog>
    </section>
  );
}
