import { AuthForm } from "../components/AuthForm";
import { ProviderButtons } from "../components/ExternalSignIn";
import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";
import { useServices } from "../services";

export function SignUpPage() {
  const { t } = useLocale();
  const { api } = useServices();
  return (
    <>
      <AuthForm
        title="signUp.title"
        submitLabel="signUp.submit"
        fields={[
          { name: "name", label: "field.name", type: "text", autoComplete: "name" },
          { name: "email", label: "field.email", type: "email", autoComplete: "email" },
          { name: "password", label: "field.password", type: "password", autoComplete: "new-password", hint: "field.passwordHint" },
        ]}
        send={(v) => api.register({ name: v.name ?? "", email: v.email ?? "", password: v.password ?? "" })}
        footer={<>{t("signUp.haveAccount")} <Link to="/signin">{t("nav.signIn")}</Link></>}
      />
      <ProviderButtons />
    </>
  );
}
