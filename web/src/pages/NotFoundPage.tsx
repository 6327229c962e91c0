import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";

export function NotFoundPage() {
  const { t } = useLocale();
  return (
    <section>
      <h1>{t("notFound.title")}</h1>
      <p><Link to="/">{t("notFound.home")}</Link></p>
    </section>
  );
}
