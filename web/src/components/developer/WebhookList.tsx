import type { WebhookEndpoint } from "../../api/types";
import { formatDateTime } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { Link } from "../../router";
import { EndpointState } from "./EndpointState";
import { NameChips } from "./ScopeChips";

/** The registered endpoints: URL (opens the detail), events, on or off and why. */
export function WebhookList({ endpoints }: { endpoints: WebhookEndpoint[] }) {
  const { t, locale } = useLocale();
  if (endpoints.length === 0) {
    return <p className="muted" data-testid="webhooks-empty">{t("developer.endpointsEmpty")}</p>;
  }
  return (
    <ul className="dev-list" aria-label={t("developer.webhooksTitle")}>
      {endpoints.map((endpoint) => (
        <li key={endpoint.id} className="dev-row" data-testid="webhook-row" data-enabled={endpoint.enabled}>
          <div className="dev-row-head">
            <Link to={`/developer/webhooks/${encodeURIComponent(endpoint.id)}`} className="dev-url">{endpoint.url}</Link>
            <EndpointState endpoint={endpoint} />
          </div>
          {endpoint.description ? <p className="hint">{endpoint.description}</p> : null}
          <NameChips names={endpoint.events} prefix="developer.event" label={t("developer.events")} />
          <p className="hint">{t("developer.createdAt", { date: formatDateTime(locale, endpoint.createdAt) })}</p>
        </li>
      ))}
    </ul>
  );
}
