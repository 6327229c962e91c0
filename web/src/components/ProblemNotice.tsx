import type { ApiProblem } from "../api/problem";
import { useLocale } from "../i18n/LocaleContext";
import { problemText, type ProblemContext } from "../logic/problemText";
import { Link } from "../router";

export function ProblemNotice({ problem, context }: { problem: ApiProblem | null; context?: ProblemContext }) {
  const { t, locale } = useLocale();
  if (problem === null) {
    return null;
  }
  const { text, link } = problemText(locale, problem, context);
  return (
    <p className="notice error" role="alert">
      {text}{" "}
      {link === "pricing" ? <Link to="/pricing">{t("problem.seePlans")}</Link> : null}
      {link === "signin" ? <Link to="/signin">{t("nav.signIn")}</Link> : null}
      {link === "billing" ? <Link to="/billing">{t("nav.billing")}</Link> : null}
    </p>
  );
}
