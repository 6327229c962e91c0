import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { ResendVerificationButton } from "../components/ResendVerificationButton";
import { ProblemNotice } from "../components/ProblemNotice";
import { useLocale } from "../i18n/LocaleContext";
import { tokenFromSearch } from "../logic/urlToken";
import { Link } from "../router";
import { useServices, useSignedIn } from "../services";
import type { Api } from "../api/endpoints";

// The token is single use: one request per token even when React mounts the page twice.
const sent = new Map<string, Promise<{ email: string; verified: boolean }>>();
function verifyOnce(api: Api, token: string) {
  let request = sent.get(token);
  if (request === undefined) {
    request = api.verifyEmail(token);
    sent.set(token, request);
  }
  return request;
}

type Result = { state: "working" } | { state: "verified"; email: string } | { state: "invalid" } | { state: "failed"; problem: ApiProblem | null };

/** The link in the verification (or change-of-address) email: POST /auth/verify-email with its token. */
export default function VerifyEmailPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const signedIn = useSignedIn();
  const [token] = useState(() => tokenFromSearch(location.search));
  const [result, setResult] = useState<Result>(token === null ? { state: "invalid" } : { state: "working" });

  useEffect(() => {
    if (token === null) {
      return;
    }
    let live = true;
    verifyOnce(api, token).then(
      (answer) => {
        if (live) {
          setResult({ state: "verified", email: answer.email });
          void queries.invalidateQueries({ queryKey: ["me"] });
          void queries.invalidateQueries({ queryKey: ["notices"] });
        }
      },
      (error: unknown) => {
        const problem = error instanceof ApiError ? error.problem : null;
        if (live) {
          setResult(problem?.code === "invalid_token" || problem?.status === 400 ? { state: "invalid" } : { state: "failed", problem });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [api, token, queries]);

  return (
    <section className="auth" aria-labelledby="verify-title">
      <h1 id="verify-title">{t("verify.title")}</h1>
      <div data-testid="verify-result" data-status={result.state} role="status" aria-live="polite">
        {result.state === "working" ? <p className="muted">{t("verify.working")}</p> : null}
        {result.state === "verified" ? (
          <>
            <p className="notice ok">{t("verify.done", { email: result.email })}</p>
            <Link to={signedIn ? "/generate" : "/signin"} className="button primary">{signedIn ? t("verify.toGenerate") : t("nav.signIn")}</Link>
          </>
        ) : null}
        {result.state === "invalid" ? (
          <>
            <p className="notice error">{t("verify.invalid")}</p>
            {signedIn ? <ResendVerificationButton /> : <p>{t("verify.signInForNew")} <Link to="/signin?next=%2Faccount">{t("nav.signIn")}</Link></p>}
          </>
        ) : null}
        {result.state === "failed" ? <ProblemNotice problem={result.problem} /> : null}
      </div>
    </section>
  );
}
