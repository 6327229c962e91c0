import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import { useLocale } from "../../i18n/LocaleContext";
import { navigate } from "../../router";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { ProblemNotice } from "../ProblemNotice";

/** Every session of the account ends (POST /auth/logout-all), this one too. */
export function SignOutEverywhere() {
  const { t } = useLocale();
  const { api, client } = useServices();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const signOut = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.logoutAll();
      client.tokens.set(null);
      navigate("/signin", true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      setAsking(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="everywhere-title">
      <h2 id="everywhere-title">{t("account.everywhereTitle")}</h2>
      <p className="hint">{t("account.everywhereLead")}</p>
      <ProblemNotice problem={problem} />
      <button type="button" className="danger" onClick={() => setAsking(true)}>{t("account.everywhere")}</button>
      <ConfirmDialog open={asking} title={t("account.everywhereConfirm")} confirmLabel={t("account.everywhere")} danger busy={busy}
        onConfirm={() => void signOut()} onClose={() => setAsking(false)}>
        <p>{t("account.everywhereLead")}</p>
      </ConfirmDialog>
    </section>
  );
}
