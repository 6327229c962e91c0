import { useMe } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { ResendVerificationButton } from "./ResendVerificationButton";

/** Under the header while GET /me says the address is not verified (the Free credits wait for it). */
export function EmailVerifyBanner() {
  const { t } = useLocale();
  const me = useMe();
  if (me.data?.emailVerified !== false) {
    return null;
  }
  return (
    <div className="app-banner" role="region" aria-label={t("verify.bannerLabel")} data-testid="verify-banner">
      <p>{t("verify.banner", { email: me.data.email })}</p>
      <ResendVerificationButton />
    </div>
  );
}
