import { useEffect } from "react";

import { ApiError } from "../api/problem";
import { DeleteAccountSection } from "../components/account/DeleteAccountSection";
import { EmailSection } from "../components/account/EmailSection";
import { ExportSection } from "../components/account/ExportSection";
import { NotificationSection } from "../components/account/NotificationSection";
import { PasswordSection } from "../components/account/PasswordSection";
import { ProfileSection } from "../components/account/ProfileSection";
import { RetentionSection } from "../components/account/RetentionSection";
import { SignOutEverywhere } from "../components/account/SignOutEverywhere";
import { TotpSection } from "../components/account/TotpSection";
import { ProblemNotice } from "../components/ProblemNotice";
import { StorageBar } from "../components/storage/StorageBar";
import { useMe } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";

/** Profile, language, email, password, two-step sign-in, storage and retention, "sign out everywhere", data export and account deletion. */
export default function AccountPage() {
  const { t } = useLocale();
  const me = useMe();
  const loaded = me.data !== undefined;
  // "/account#two-step" (from the admin pages' panel) opens at the set-up.
  useEffect(() => {
    if (loaded && location.hash === "#two-step") {
      document.getElementById("two-step")?.scrollIntoView();
    }
  }, [loaded]);
  if (me.error) {
    return <ProblemNotice problem={me.error instanceof ApiError ? me.error.problem : null} />;
  }
  if (!me.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  return (
    <div className="account">
      <h1>{t("account.title")}</h1>
      <div className="panels">
        <ProfileSection me={me.data} />
        <EmailSection me={me.data} />
        <TotpSection me={me.data} />
        <PasswordSection me={me.data} />
        <section className="panel" aria-labelledby="storage-title">
          <h2 id="storage-title">{t("storage.title")}</h2>
          <StorageBar />
        </section>
        <RetentionSection />
        <NotificationSection />
        <SignOutEverywhere />
        <ExportSection />
        <DeleteAccountSection />
      </div>
    </div>
  );
}
