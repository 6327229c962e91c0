import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { useLocale } from "../i18n/LocaleContext";
import { cleanCode, cleanRecoveryCode } from "../logic/totp";
import { useServices } from "../services";
import { startSession } from "../session";
import { ProblemNotice } from "./ProblemNotice";

/** Sign-in, second step: the 6-digit code from the authenticator app, or one recovery code. */
export function TotpStep({ challengeToken, onRestart }: { challengeToken: string; onRestart: () => void }) {
  const { t } = useLocale();
  const services = useServices();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body = useRecovery ? { challengeToken, recoveryCode: cleanRecoveryCode(code) } : { challengeToken, code };
      startSession(services, await services.api.loginTotp(body));
    } catch (error) {
      const found = error instanceof ApiError ? error.problem : null;
      if (found?.code === "invalid_challenge") {
        // The 5 minutes are over (or the challenge was used): the password step again.
        onRestart();
        return;
      }
      setProblem(found);
      setCode("");
    } finally {
      setBusy(false);
    }
  };

  const switchMode = () => {
    setUseRecovery(!useRecovery);
    setCode("");
    setProblem(null);
  };

  return (
    <section className="auth" aria-labelledby="totp-title">
      <h1 id="totp-title">{t("totp.signInTitle")}</h1>
      <p className="hint">{useRecovery ? t("totp.recoveryLead") : t("totp.codeLead")}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          {useRecovery ? (
            <>
              <label htmlFor="recovery-code">{t("totp.recoveryCode")}</label>
              <input id="recovery-code" name="recoveryCode" autoComplete="off" autoCapitalize="characters" spellCheck={false}
                value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
            </>
          ) : (
            <>
              <label htmlFor="totp-code">{t("totp.code")}</label>
              <input id="totp-code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6}
                value={code} onChange={(e) => setCode(cleanCode(e.target.value))} required autoFocus className="code-input" />
            </>
          )}
        </div>
        <ProblemNotice problem={problem} />
        <button type="submit" className="primary" disabled={busy || (useRecovery ? code.trim() === "" : code.length !== 6)}>{t("totp.verify")}</button>
      </form>
      <p>
        <button type="button" className="link-button" onClick={switchMode}>{useRecovery ? t("totp.useCode") : t("totp.useRecovery")}</button>
      </p>
      <p>
        <button type="button" className="link-button" onClick={onRestart}>{t("totp.startOver")}</button>
      </p>
    </section>
  );
}
