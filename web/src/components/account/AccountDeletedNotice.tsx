import { useLocale } from "../../i18n/LocaleContext";

/** The landing page's word after an account was deleted (DeleteAccountSection goes to "/?accountDeleted=1"). */
export function AccountDeletedNotice() {
  const { t } = useLocale();
  if (new URLSearchParams(location.search).get("accountDeleted") !== "1") {
    return null;
  }
  return <p className="notice" role="status">{t("yourData.deleted")}</p>;
}
