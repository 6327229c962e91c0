import { PricingTable } from "../components/PricingTable";
import { useLocale } from "../i18n/LocaleContext";

export function PricingPage() {
  const { t } = useLocale();
  return (
    <section>
      <h1>{t("pricing.title")}</h1>
      <p className="lead">{t("pricing.lead")}</p>
      <PricingTable />
    </section>
  );
}
