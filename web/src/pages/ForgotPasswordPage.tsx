import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { FieldError } from "../components/FieldError";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";
import { useServices } from "../services";

/** Asks for a reset link; the answer never says whether the address has an account. */
export default function ForgotPasswordPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await api.requestPasswordReset(email.trim());
      setSentTo(email.trim());
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="auth" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t("forgot.title")}</h1>
      {sentTo !== null ? (
        <p className="notice ok" role="status" data-testid="forgot-sent">{t("forgot.sent", { email: sentTo })}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="forgot-form">
          <p className="hint">{t("forgot.lead")}</p>
          <div className="field">
            <label htmlFor="forgot-email">{t("field.email")}</label>
            <input id="forgot-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)}
              aria-invalid={problem?.errors.email ? true : undefined} aria-describedby={problem?.errors.email ? "forgot-email-error" : undefined} />
            <FieldError id="forgot-email-error" messages={problem?.errors.email} />
          </div>
          <ProblemNotice problem={problem && !problem.errors.email ? problem : null} />
          <button type="submit" className="primary" disabled={busy || email.trim() === ""}>{t("forgot.submit")}</button>
        </form>
      )}
      <p><Link to="/signin">{t("forgot.backToSignIn")}</Link></p>
    </section>
  );
}
