import { AccountDeletedNotice } from "../components/account/AccountDeletedNotice";
import { PricingTable } from "../components/PricingTable";
import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";
import { useSignedIn } from "../services";

export function LandingPage() {
  const { t } = useLocale();
  const signedIn = useSignedIn();
  return (
    <>
      <AccountDeletedNotice />
      <section className="hero">
        <h1>{t("landing.title")}</h1>
        <p className="lead">{t("landing.lead")}</p>
        <Link to={signedIn ? "/generate" : "/signup"} className="button primary">{signedIn ? t("landing.openStudio") : t("landing.start")}</Link>
        <ul className="selling-points">
          <li>{t("landing.point1")}</li>
          <li>{t("landing.point2")}</li>
          <li>{t("landing.point3")}</li>
        </ul>
      </section>
      <section aria-labelledby="plans-title">
        <h2 id="plans-title">{t("pricing.title")}</h2>
        <PricingTable />
      </section>
    </>
  );
}
