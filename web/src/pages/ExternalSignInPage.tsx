import { useEffect, useRef, useState } from "react";

import { ApiError } from "../api/problem";
import { TotpStep } from "../components/TotpStep";
import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { Link, navigate } from "../router";
import { useServices } from "../services";
import { nextPath, startSession } from "../session";

const errors: Record<string, MessageKey> = {
  access_denied: "external.error.accessDenied",
  invalid_state: "external.error.invalidState",
  email_unverified: "external.error.emailUnverified",
  email_missing: "external.error.emailMissing",
  account_unverified: "external.error.accountUnverified",
  account_suspended: "external.error.accountSuspended",
  invalid_exchange_code: "external.error.invalidCode",
};

type State = { step: "working" } | { step: "totp"; challengeToken: string } | { step: "error"; code: string };

/** Read once: the page removes the code from the address bar (and history) before it is used. */
function readLanding(): { code: string | null; error: string | null; next: string } {
  const query = new URLSearchParams(location.search);
  const returnUrl = query.get("returnUrl") ?? query.get("next");
  return { code: query.get("code"), error: query.get("error"), next: nextPath(returnUrl ? `?next=${encodeURIComponent(returnUrl)}` : "") };
}

/**
 * Where a Google or Discord sign-in comes back: `?code=` is traded for the session exactly as a
 * password sign-in stores it (or for the two-step code's challenge); `?error=` is explained.
 */
export function ExternalSignInPage() {
  const { t } = useLocale();
  const services = useServices();
  const landing = useRef(readLanding());
  const started = useRef(false);
  const [state, setState] = useState<State>(() =>
    landing.current.code ? { step: "working" } : { step: "error", code: landing.current.error ?? "invalid_state" });

  useEffect(() => {
    const { code, next } = landing.current;
    if (code === null || started.current) {
      return;
    }
    // The code works once: never twice (a re-run effect), never left in the address bar. startSession and
    // the two-step form both read ?next= for where to go afterwards.
    started.current = true;
    navigate(`/signin/external?next=${encodeURIComponent(next)}`, true);
    services.api.externalExchange(code).then(
      (pair) => startSession(services, pair),
      (error: unknown) => {
        const problem = error instanceof ApiError ? error.problem : null;
        if (problem?.code === "totp_required" && problem.challengeToken) {
          setState({ step: "totp", challengeToken: problem.challengeToken });
        } else {
          setState({ step: "error", code: problem?.code ?? "network_error" });
        }
      },
    );
  }, [services]);

  if (state.step === "totp") {
    return <TotpStep challengeToken={state.challengeToken} onRestart={() => navigate("/signin", true)} />;
  }
  if (state.step === "working") {
    return (
      <section className="auth" aria-busy="true">
        <h1>{t("external.title")}</h1>
        <p className="hint">{t("external.working")}</p>
      </section>
    );
  }
  return (
    <section className="auth">
      <h1>{t("external.title")}</h1>
      <p className="notice error" role="alert">{t(errors[state.code] ?? "external.error.other")}</p>
      <p><Link to="/signin">{t("external.backToSignIn")}</Link></p>
    </section>
  );
}
