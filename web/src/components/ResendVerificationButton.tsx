import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import { useLocale } from "../i18n/LocaleContext";
import { useServices } from "../services";
import { ProblemNotice } from "./ProblemNotice";

/** POST /me/verify-email/resend: "sent", or already verified (then /me is asked again), or when to retry. */
export function ResendVerificationButton() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const [state, setState] = useState<"idle" | "busy" | "sent">("idle");
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const resend = async () => {
    setState("busy");
    setProblem(null);
    try {
      await api.resendVerification();
      setState("sent");
    } catch (error) {
      const found = error instanceof ApiError ? error.problem : null;
      if (found?.code === "already_verified") {
        void queries.invalidateQueries({ queryKey: ["me"] });
      }
      setProblem(found);
      setState("idle");
    }
  };

  return (
    <span className="resend">
      {state === "sent" ? <span role="status">{t("verify.resent")}</span> : (
        <button type="button" className="small" disabled={state === "busy"} onClick={() => void resend()} data-testid="verify-resend">{t("verify.resend")}</button>
      )}
      <ProblemNotice problem={problem} />
    </span>
  );
}
