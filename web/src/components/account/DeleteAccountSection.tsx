import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import { useLocale } from "../../i18n/LocaleContext";
import { Link, navigate } from "../../router";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { ProblemNotice } from "../ProblemNotice";

/** Delete the account (DELETE /me): the password, a confirmation, then signed out to the landing page. */
export function DeleteAccountSection() {
  const { t } = useLocale();
  const { api, client, queries } = useServices();
  const [password, setPassword] = useState("");
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const remove = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.deleteAccount(password);
      client.tokens.set(null);
      queries.clear();
      navigate("/?accountDeleted=1", true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      setAsking(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">{t("yourData.deleteTitle")}</h2>
      <p className="hint">{t("yourData.deleteLead")}</p>
      <p className="hint">{t("yourData.deleteKept")}</p>
      <form onSubmit={(e) => { e.preventDefault(); setAsking(true); }} noValidate>
        <div className="field">
          <label htmlFor="delete-password">{t("yourData.deletePassword")}</label>
          <input id="delete-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)}
            aria-describedby="delete-password-hint" />
          <p id="delete-password-hint" className="hint">{t("yourData.deletePasswordHint")}</p>
        </div>
        {problem?.code === "reauthentication_required" ? (
          <p className="notice error" role="alert">{t("yourData.deleteSignInAgain")} <Link to="/signin">{t("nav.signIn")}</Link></p>
        ) : (
          <ProblemNotice problem={problem} />
        )}
        <div className="actions">
          <button type="submit" className="danger">{t("yourData.deleteButton")}</button>
        </div>
      </form>
      <ConfirmDialog open={asking} title={t("yourData.deleteConfirm")} confirmLabel={t("yourData.deleteButton")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setAsking(false)}>
        <p>{t("yourData.deleteLead")}</p>
      </ConfirmDialog>
    </section>
  );
}
