import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { FieldError } from "../components/FieldError";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { tokenFromSearch } from "../logic/urlToken";
import { Link } from "../router";
import { useServices } from "../services";

/** The link in the reset email: a new password twice → POST /auth/password-reset/confirm (every session ends). */
export default function ResetPasswordPage() {
  const { t } = useLocale();
  const { api, client } = useServices();
  const [token] = useState(() => tokenFromSearch(location.search));
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [state, setState] = useState<"form" | "done" | "invalid">(token === null ? "invalid" : "form");
  const [busy, setBusy] = useState(false);
  const mismatch = again !== "" && again !== password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token === null || mismatch) {
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.confirmPasswordReset({ token, password });
      // The server signed out every session, this browser's too.
      client.tokens.set(null);
      setState("done");
    } catch (error) {
      const found = error instanceof ApiError ? error.problem : null;
      if (found?.code === "invalid_token") {
        setState("invalid");
      } else {
        setProblem(found);
      }
    } finally {
      setBusy(false);
    }
  };

  const passwordErrors = problem?.errors.password;
  return (
    <section className="auth" aria-labelledby="reset-title">
      <h1 id="reset-title">{t("reset.title")}</h1>
      {state === "done" ? (
        <div role="status" data-testid="reset-result" data-status="done">
          <p className="notice ok">{t("reset.done")}</p>
          <Link to="/signin" className="button primary">{t("nav.signIn")}</Link>
        </div>
      ) : null}
      {state === "invalid" ? (
        <div role="status" data-testid="reset-result" data-status="invalid">
          <p className="notice error">{t("reset.invalid")}</p>
          <Link to="/forgot-password" className="button">{t("reset.newLink")}</Link>
        </div>
      ) : null}
      {state === "form" ? (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="reset-form">
          <div className="field">
            <label htmlFor="reset-password">{t("account.newPassword")}</label>
            <input id="reset-password" type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)}
              aria-invalid={passwordErrors ? true : undefined} aria-describedby={passwordErrors ? "reset-password-error" : "reset-password-hint"} />
            <p id="reset-password-hint" className="hint">{t("field.passwordHint")}</p>
            <FieldError id="reset-password-error" messages={passwordErrors} />
          </div>
          <div className="field">
            <label htmlFor="reset-password-again">{t("reset.again")}</label>
            <input id="reset-password-again" type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)}
              aria-invalid={mismatch ? true : undefined} aria-describedby={mismatch ? "reset-again-error" : undefined} />
            {mismatch ? <p id="reset-again-error" className="field-error">{t("reset.mismatch")}</p> : null}
          </div>
          <ProblemNotice problem={problem && !passwordErrors ? problem : null} />
          <button type="submit" className="primary" disabled={busy || password === "" || again === "" || mismatch}>{t("reset.submit")}</button>
        </form>
      ) : null}
    </section>
  );
}
