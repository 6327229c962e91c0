import { ApiError } from "../../api/problem";
import { ProblemNotice } from "../../components/ProblemNotice";
import { useMe } from "../../hooks";
import { useLocale } from "../../i18n/LocaleContext";
import { Link, navigate } from "../../router";
import { useServices } from "../../services";

/** An admin call's error: 403 totp_required gets its own panel (what to do), anything else the usual notice. */
export function AdminProblem({ error }: { error: unknown }) {
  if (!(error instanceof ApiError)) {
    return error ? <ProblemNotice problem={null} /> : null;
  }
  if (error.problem.code === "totp_required") {
    return <TotpRequiredPanel />;
  }
  return <ProblemNotice problem={error.problem} />;
}

function TotpRequiredPanel() {
  const { t } = useLocale();
  const { api, client } = useServices();
  const me = useMe();
  const enrolled = me.data?.totpEnabled === true;

  // Enrolled, but this session was signed in without the code: sign in again with it.
  const signInAgain = async () => {
    const refreshToken = client.tokens.current?.refreshToken;
    client.tokens.set(null);
    navigate(`/signin?next=${encodeURIComponent(location.pathname)}`, true);
    if (refreshToken) {
      await api.logout(refreshToken).catch(() => undefined);
    }
  };

  return (
    <section className="panel totp-required" role="alert" aria-labelledby="totp-required-title">
      <h2 id="totp-required-title">{t("admin.totpRequiredTitle")}</h2>
      <p>{enrolled ? t("admin.totpRequiredSignIn") : t("admin.totpRequiredEnrol")}</p>
      {enrolled ? (
        <button type="button" className="primary" onClick={() => void signInAgain()}>{t("admin.signInWithCode")}</button>
      ) : (
        <Link to="/account#two-step" className="button primary">{t("admin.setUpTotp")}</Link>
      )}
    </section>
  );
}
