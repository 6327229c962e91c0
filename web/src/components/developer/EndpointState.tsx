import type { WebhookEndpoint } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";

/** Enabled, disabled by the user, or disabled because deliveries kept failing. */
export function EndpointState({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t } = useLocale();
  if (endpoint.enabled) {
    return <span className="badge state-idle" data-testid="endpoint-state">{t("developer.enabled")}</span>;
  }
  return (
    <span className="badge badge-danger" data-testid="endpoint-state">
      {endpoint.disabledReason === "failing" ? t("developer.disabledFailing") : t("developer.disabled")}
    </span>
  );
}
