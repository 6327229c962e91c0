import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Me } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";

/**
 * Change the password: the answer is a new token pair for this session (the others end). An
 * account made with an external sign-in has none to give, so it is offered a link to set one.
 */
export function PasswordSection({ me }: { me: Me }) {
  if (me.hasPassword === false) {
    return <SetPasswordByEmail email={me.email} />;
  }
  return <ChangePassword />;
}

/** The password reset link, sent to the account's own address: following it sets the first password. */
function SetPasswordByEmail({ email }: { email: string }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const send = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await api.requestPasswordReset(email);
      setSent(true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="password-title">
      <h2 id="password-title">{t("account.passwordTitle")}</h2>
      <p className="hint break-anywhere">{t("account.noPassword", { email })}</p>
      <ProblemNotice problem={problem} />
      <div className="actions">
        <button type="button" disabled={busy || sent} onClick={() => void send()}>{t("account.sendSetPasswordLink")}</button>
        <span role="status" className="muted">{sent ? t("account.setPasswordLinkSent") : ""}</span>
      </div>
    </section>
  );
}

function ChangePassword() {
  const { t } = useLocale();
  const { api, client } = useServices();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setDone(false);
    try {
      const pair = await api.changePassword({ currentPassword: current, newPassword: next });
      client.tokens.set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const newErrors = problem?.errors.newPassword;
  return (
    <section className="panel" aria-labelledby="password-title">
      <h2 id="password-title">{t("account.passwordTitle")}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="current-password">{t("account.currentPassword")}</label>
          <input id="current-password" type="password" autoComplete="current-password" value={current} required onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-password">{t("account.newPassword")}</label>
          <input id="new-password" type="password" autoComplete="new-password" value={next} required minLength={10} onChange={(e) => setNext(e.target.value)}
            aria-invalid={newErrors ? true : undefined} aria-describedby={newErrors ? "new-password-error" : "new-password-hint"} />
          <p id="new-password-hint" className="hint">{t("field.passwordHint")} {t("account.passwordOthersSignedOut")}</p>
          <FieldError id="new-password-error" messages={newErrors} />
        </div>
        <ProblemNotice problem={problem && !newErrors ? problem : null} />
        <div className="actions">
          <button type="submit" disabled={busy || current === "" || next === ""}>{t("account.changePassword")}</button>
          <span role="status" className="muted">{done ? t("account.passwordChanged") : ""}</span>
        </div>
      </form>
    </section>
  );
}
