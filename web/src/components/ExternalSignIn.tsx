import { useEffect, useState } from "react";

import type { MessageKey } from "../i18n/i18n";
import { useLocale } from "../i18n/LocaleContext";
import { useServices } from "../services";
import { nextPath } from "../session";

const labels: Record<string, MessageKey> = { google: "external.google", discord: "external.discord" };

/**
 * "Sign in with Google / Discord" under the sign-in and sign-up forms, for the providers the
 * server has configured (none: nothing shown). Each is a full-page navigation: the server sends
 * the browser on to the provider, and it comes back to /signin/external.
 */
export function ProviderButtons() {
  const { t } = useLocale();
  const { api } = useServices();
  const [providers, setProviders] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    // Without the list (an older server, a network error) the form alone is shown.
    api.authProviders().then((names) => live && setProviders(names), () => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  const known = providers.filter((name) => labels[name] !== undefined);
  if (known.length === 0) {
    return null;
  }
  const returnUrl = encodeURIComponent(nextPath(location.search));
  return (
    <section className="auth providers" aria-label={t("external.or")}>
      <p className="providers-or"><span>{t("external.or")}</span></p>
      {known.map((name) => (
        <a key={name} className={`button provider provider-${name}`} href={`/api/v1/auth/external/${name}?returnUrl=${returnUrl}`}>
          <span className="provider-mark" aria-hidden="true">{name === "google" ? "G" : "D"}</span>
          {t(labels[name])}
        </a>
      ))}
    </section>
  );
}
