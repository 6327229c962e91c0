import { useState } from "react";

import { AuthForm } from "../components/AuthForm";
import { ProviderButtons } from "../components/ExternalSignIn";
import { TotpStep } from "../components/TotpStep";
import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";
import { useServices } from "../services";

/** Email and password; for an account with two-step sign-in, then its code. */
export function SignInPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const [challenge, setChallenge] = useState<string | null>(null);
  if (challenge !== null) {
    return <TotpStep challengeToken={challenge} onRestart={() => setChallenge(null)} />;
  }
  return (
    <>
      <AuthForm
        title="signIn.title"
        submitLabel="signIn.submit"
        fields={[
          { name: "email", label: "field.email", type: "email", autoComplete: "email" },
          { name: "password", label: "field.password", type: "password", autoComplete: "current-password" },
        ]}
        send={(v) => api.login({ email: v.email ?? "", password: v.password ?? "" })}
        onTotpRequired={setChallenge}
        footer={<>{t("signIn.noAccount")} <Link to="/signup">{t("nav.signUp")}</Link> · <Link to="/forgot-password" data-testid="forgot-link">{t("signIn.forgot")}</Link></>}
      />
      <ProviderButtons />
    </>
  );
}
