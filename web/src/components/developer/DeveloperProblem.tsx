import type { ApiProblem } from "../../api/problem";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { FeatureLock } from "../FeatureLock";
import { ProblemNotice } from "../ProblemNotice";

// The developer platform's own codes; everything else is the app's ProblemNotice.
const texts: Record<string, MessageKey> = {
  webhook_url_forbidden: "developer.problem.webhookUrlForbidden",
  api_key_limit: "developer.problem.apiKeyLimit",
  webhook_endpoint_limit: "developer.problem.webhookLimit",
  api_quota_exceeded: "developer.problem.quotaExceeded",
};

/** A problem of the developer pages: plan_forbids_api is the plan upsell, the rest a notice. */
export function DeveloperProblem({ problem, plan }: { problem: ApiProblem | null; plan: string }) {
  const { t } = useLocale();
  if (problem === null) {
    return null;
  }
  if (problem.code === "plan_forbids_api") {
    return <FeatureLock what={t("developer.apiAccess")} plan={plan} />;
  }
  const key = texts[problem.code];
  if (key === undefined) {
    return <ProblemNotice problem={problem} />;
  }
  return <p className="notice error" role="alert" data-code={problem.code}>{t(key)}</p>;
}
