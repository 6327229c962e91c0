import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Me } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";
import { ResendVerificationButton } from "../ResendVerificationButton";

/** The address, whether it is verified, a change waiting for its link, and the change form (POST /me/email). */
export function EmailSection({ me }: { me: Me }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setSentTo(null);
    try {
      await api.changeEmail({ email: email.trim(), password });
      setSentTo(email.trim());
      setEmail("");
      setPassword("");
      void queries.invalidateQueries({ queryKey: ["me"] });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const emailErrors = problem?.errors.email;
  const passwordErrors = problem?.errors.password;
  return (
    <section className="panel" aria-labelledby="email-title">
      <h2 id="email-title">{t("email.title")}</h2>
      <dl className="details">
        <div><dt>{t("field.email")}</dt><dd data-testid="account-email">{me.email}</dd></div>
        {me.emailVerified !== undefined ? (
          <div><dt>{t("email.verifiedLabel")}</dt><dd>{me.emailVerified ? t("common.yes") : t("common.no")}</dd></div>
        ) : null}
        {me.pendingEmail ? <div><dt>{t("email.pending")}</dt><dd data-testid="pending-email">{me.pendingEmail}</dd></div> : null}
      </dl>
      {me.emailVerified === false ? <p className="hint">{t("email.unverifiedHint")} <ResendVerificationButton /></p> : null}
      {me.pendingEmail ? <p className="hint break-anywhere">{t("email.pendingHint", { email: me.pendingEmail })}</p> : null}
      {me.hasPassword === false ? (
        <p className="hint">{t("email.needsPassword")}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate data-testid="email-form">
          <div className="field">
            <label htmlFor="new-email">{t("email.new")}</label>
            <input id="new-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)}
              aria-invalid={emailErrors ? true : undefined} aria-describedby={emailErrors ? "new-email-error" : undefined} />
            <FieldError id="new-email-error" messages={emailErrors} />
          </div>
          <div className="field">
            <label htmlFor="email-password">{t("account.currentPassword")}</label>
            <input id="email-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)}
              aria-invalid={passwordErrors ? true : undefined} aria-describedby={passwordErrors ? "email-password-error" : undefined} />
            <FieldError id="email-password-error" messages={passwordErrors} />
          </div>
          <ProblemNotice problem={problem && !emailErrors && !passwordErrors ? problem : null} />
          <div className="actions">
            <button type="submit" disabled={busy || email.trim() === "" || password === ""}>{t("email.change")}</button>
            <span role="status" className="muted">{sentTo ? t("email.sent", { email: sentTo }) : ""}</span>
          </div>
        </form>
      )}
    </section>
  );
}
