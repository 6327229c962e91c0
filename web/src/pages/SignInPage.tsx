import { AuthForm } from "../components/AuthForm";
import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";
import { useServices } from "../services";

export function SignInPage() {
  const { t } = useLocale();
  const { api } = useServices();
  return (
    <AuthForm
      title="signIn.title"
      submitLabel="signIn.submit"
      fields={[
        { name: "email", label: "field.email", type: "email", autoComplete: "email" },
        { name: "password", label: "field.password", type: "password", autoComplete: "current-password" },
      ]}
      send={(v) => api.login({ email: v.email ?? "", password: v.password ?? "" })}
      footer={<>{t("signIn.noAccount")} <Link to="/signup">{t("nav.signUp")}</Link></>}
    />
  );
}
