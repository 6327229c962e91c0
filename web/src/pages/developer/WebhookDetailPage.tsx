import { useQuery } from "@tanstack/react-query";

import { ApiError } from "../../api/problem";
import { DeliveryLog } from "../../components/developer/DeliveryLog";
import { DeveloperProblem } from "../../components/developer/DeveloperProblem";
import { DeveloperTabs } from "../../components/developer/DeveloperTabs";
import { EndpointActions } from "../../components/developer/EndpointActions";
import { EndpointSettings } from "../../components/developer/EndpointSettings";
import { SignatureSnippet } from "../../components/developer/SignatureSnippet";
import { useLocale } from "../../i18n/LocaleContext";
import { Link } from "../../router";
import { useServices } from "../../services";

/** One endpoint: its events and switch, test, secret rotation, the delivery log with Redeliver. */
export default function WebhookDetailPage({ id }: { id: string }) {
  const { t } = useLocale();
  const { api } = useServices();
  const endpoint = useQuery({ queryKey: ["webhooks", id], queryFn: () => api.developer.webhook(id) });
  const data = endpoint.data;
  return (
    <section aria-labelledby="webhook-title" className="developer">
      <DeveloperTabs />
      <p><Link to="/developer/webhooks">{t("developer.backToWebhooks")}</Link></p>
      <h1 id="webhook-title" className="dev-url">{data?.url ?? t("developer.endpoint")}</h1>
      <DeveloperProblem problem={endpoint.error instanceof ApiError ? endpoint.error.problem : null} plan="Starter" />
      {data ? (
        <div className="panels">
          <EndpointSettings endpoint={data} />
          <EndpointActions endpoint={data} />
          <DeliveryLog endpointId={data.id} />
          <SignatureSnippet />
        </div>
      ) : endpoint.error ? null : <p className="muted">{t("common.loading")}</p>}
    </section>
  );
}
