import { useEffect, useRef } from "react";

import { useMe, useSwitchLanguage } from "../hooks";
import { formatCredits } from "../i18n/format";
import { locales, type Locale } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { Link, navigate, usePath } from "../router";
import { useServices, useSignedIn } from "../services";

export function Header() {
  const { t, locale } = useLocale();
  const switchLanguage = useSwitchLanguage();
  const { api, client } = useServices();
  const signedIn = useSignedIn();
  const me = useMe();

  const signOut = async () => {
    const refreshToken = client.tokens.current?.refreshToken;
    client.tokens.set(null);
    navigate("/");
    if (refreshToken) {
      // Revoke it on the server too; the local session is gone either way.
      await api.logout(refreshToken).catch(() => undefined);
    }
  };

  return (
    <header className="site-header">
      <Link to="/" className="brand">{t("app.name")}</Link>
      <nav aria-label={t("nav.label")}>
        <ul className="nav-list">
          {signedIn ? (
            <>
              <li><Link to="/generate">{t("nav.generate")}</Link></li>
              <li><Link to="/canvas">{t("nav.canvas")}</Link></li>
              <li><Link to="/queue">{t("nav.queue")}</Link></li>
              <li><Link to="/gallery">{t("nav.gallery")}</Link></li>
              <li><Link to="/credits">{t("nav.credits")}</Link></li>
              <li><Link to="/billing">{t("nav.billing")}</Link></li>
              <li><MoreMenu /></li>
              {me.data?.role === "admin" ? <li><Link to="/admin/users">{t("nav.admin")}</Link></li> : null}
            </>
          ) : null}
          <li><Link to="/pricing">{t("nav.pricing")}</Link></li>
        </ul>
      </nav>
      <div className="header-tools">
        {me.data ? (
          <span className="balance" title={t("credits.balance")}>
            {me.data.credits.unlimited ? t("credits.unlimited") : formatCredits(locale, me.data.credits.balance)}
          </span>
        ) : null}
        <label className="visually-hidden" htmlFor="language">{t("nav.language")}</label>
        <select id="language" value={locale} onChange={(e) => switchLanguage(e.target.value as Locale)}>
          {locales.map((l) => (
            <option key={l} value={l}>{t(l === "en" ? "language.en" : "language.ko")}</option>
          ))}
        </select>
        {signedIn ? <Link to="/account">{t("nav.account")}</Link> : null}
        {signedIn ? (
          <button type="button" className="link-button" onClick={() => void signOut()}>{t("nav.signOut")}</button>
        ) : (
          <>
            <Link to="/signin">{t("nav.signIn")}</Link>
            <Link to="/signup" className="button small">{t("nav.signUp")}</Link>
          </>
        )}
      </div>
    </header>
  );
}

/** Workflows and LoRAs behind one "More" item, so the phone header keeps its lines (closes on navigation). */
function MoreMenu() {
  const { t } = useLocale();
  const path = usePath();
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (menu.current) {
      menu.current.open = false;
    }
  }, [path]);
  // A click elsewhere or Escape closes it, as a menu would.
  useEffect(() => {
    const close = (event: Event) => {
      const element = menu.current;
      if (element?.open && (event instanceof KeyboardEvent ? event.key === "Escape" : !element.contains(event.target as Node))) {
        element.open = false;
      }
    };
    document.addEventListener("click", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("click", close);
      document.removeEventListener("keydown", close);
    };
  }, []);
  const inside = path.startsWith("/workflows") || path === "/loras" || path === "/shares" || path.startsWith("/developer");
  return (
    <details ref={menu} className="nav-more">
      <summary className={inside ? "current" : undefined}>{t("nav.more")}</summary>
      <ul>
        <li><Link to="/workflows">{t("nav.workflows")}</Link></li>
        <li><Link to="/loras">{t("nav.loras")}</Link></li>
        <li><Link to="/shares">{t("share.nav")}</Link></li>
        <li><Link to="/developer/keys">{t("nav.developers")}</Link></li>
      </ul>
    </details>
  );
}
