import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Me, TotpEnrollment } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { cleanCode, groupSecret } from "../../logic/totp";
import { useServices } from "../../services";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";
import { RecoveryCodes } from "./RecoveryCodes";

/** The QR code of the otpauth URI as a PNG data URL; the encoder loads only when it is needed. */
async function qrDataUrl(uri: string): Promise<string> {
  const qrcode = await import("qrcode");
  return qrcode.toDataURL(uri, { margin: 1, width: 220, errorCorrectionLevel: "M" });
}

/** Two-step sign-in set-up: enrol (QR code + manual key) → the first code → the recovery codes, shown once. */
export function TotpSection({ me }: { me: Me }) {
  const { t } = useLocale();
  const { api, client } = useServices();
  const queries = useQueryClient();
  const [enrollment, setEnrollment] = useState<(TotpEnrollment & { qr: string | null }) | null>(null);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const enroll = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const started = await api.totpEnroll();
      const qr = await qrDataUrl(started.otpauthUri).catch(() => null);
      setEnrollment({ ...started, qr });
      setCode("");
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const confirmed = await api.totpConfirm(code);
      // This pair is "signed in with the code": the session admins need.
      client.tokens.set({ accessToken: confirmed.accessToken, refreshToken: confirmed.refreshToken });
      setCodes(confirmed.recoveryCodes);
      setEnrollment(null);
      void queries.invalidateQueries({ queryKey: ["me"] });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
      setCode("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" id="two-step" aria-labelledby="totp-setup-title">
      <h2 id="totp-setup-title">{t("totp.title")}</h2>
      {codes !== null ? (
        <RecoveryCodes codes={codes} email={me.email} onDone={() => setCodes(null)} />
      ) : me.totpEnabled ? (
        <p className="notice ok">{t("totp.enabled")}</p>
      ) : enrollment === null ? (
        <>
          <p className="hint">{me.role === "admin" ? t("totp.adminLead") : t("totp.lead")}</p>
          <ProblemNotice problem={problem} />
          <button type="button" className="primary" onClick={() => void enroll()} disabled={busy}>{t("totp.start")}</button>
        </>
      ) : (
        <div className="totp-enrol">
          <ol className="steps">
            <li>
              <p>{t("totp.scan")}</p>
              {enrollment.qr ? <img className="qr" src={enrollment.qr} alt={t("totp.qrAlt")} width={220} height={220} /> : null}
            </li>
            <li>
              <p>{t("totp.manual")}</p>
              <code className="secret" data-testid="totp-secret">{groupSecret(enrollment.secret)}</code>
            </li>
            <li>
              <form onSubmit={(e) => void confirm(e)} noValidate>
                <div className="field">
                  <label htmlFor="totp-confirm-code">{t("totp.enterCode")}</label>
                  <input id="totp-confirm-code" className="code-input" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6}
                    value={code} onChange={(e) => setCode(cleanCode(e.target.value))} required
                    aria-invalid={problem?.errors.code ? true : undefined} aria-describedby={problem?.errors.code ? "totp-confirm-error" : undefined} />
                  <FieldError id="totp-confirm-error" messages={problem?.errors.code} />
                </div>
                <ProblemNotice problem={problem && !problem.errors.code ? problem : null} />
                <div className="actions">
                  <button type="submit" className="primary" disabled={busy || code.length !== 6}>{t("totp.confirm")}</button>
                  <button type="button" onClick={() => setEnrollment(null)}>{t("common.cancel")}</button>
                </div>
              </form>
            </li>
          </ol>
        </div>
      )}
    </section>
  );
}
