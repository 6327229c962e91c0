import { useLocale } from "../../i18n/LocaleContext";
import { Link, usePath } from "../../router";

/** API keys | Webhooks: the developer pages' own small navigation. */
export function DeveloperTabs() {
  const { t } = useLocale();
  const path = usePath();
  const on = (prefix: string) => (path.startsWith(prefix) ? "page" : undefined);
  return (
    <nav className="developer-tabs" aria-label={t("developer.nav")}>
      <Link to="/developer/keys" aria-current={on("/developer/keys")}>{t("developer.keysTitle")}</Link>
      <Link to="/developer/webhooks" aria-current={on("/developer/webhooks")}>{t("developer.webhooksTitle")}</Link>
      <a href="/docs">{t("developer.apiReference")}</a>
    </nav>
  );
}
