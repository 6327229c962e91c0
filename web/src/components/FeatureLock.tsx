import { useLocale } from "../i18n/LocaleContext";
import { Link } from "../router";

/** A feature the plan lacks: a lock, the plan it needs ("Pro and above") and a link to the plans. */
export function FeatureLock({ what, plan }: { what: string; plan: string }) {
  const { t } = useLocale();
  return (
    <p className="notice feature-lock" data-testid="feature-lock">
      <svg aria-hidden="true" width="14" height="14" viewBox="0 0 14 14" fill="currentColor" className="lock-icon">
        <rect x="2" y="6" width="10" height="7" rx="1.5" />
        <path d="M4.5 6V4.5a2.5 2.5 0 0 1 5 0V6" fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <span className="visually-hidden">{t("lock.locked")}</span>{" "}
      {t("lock.needs", { what, plan })} <Link to="/pricing">{t("problem.seePlans")}</Link>
    </p>
  );
}
