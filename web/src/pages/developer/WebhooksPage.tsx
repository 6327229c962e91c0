import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../api/problem";
import { AddWebhookDialog } from "../../components/developer/AddWebhookDialog";
import { DefaultSecretPanel } from "../../components/developer/DefaultSecretPanel";
import { DeveloperProblem } from "../../components/developer/DeveloperProblem";
import { DeveloperTabs } from "../../components/developer/DeveloperTabs";
import { SignatureSnippet } from "../../components/developer/SignatureSnippet";
import { WebhookList } from "../../components/developer/WebhookList";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";

/** Webhook endpoints: the list, add one (its secret shown once), the per-generation webhooks' secret, and how to verify a signature. */
export default function WebhooksPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const endpoints = useQuery({ queryKey: ["webhooks"], queryFn: api.developer.webhooks });
  const [adding, setAdding] = useState(false);
  const refresh = () => void queries.invalidateQueries({ queryKey: ["webhooks"] });
  return (
    <section aria-labelledby="webhooks-title" className="developer">
      <DeveloperTabs />
      <h1 id="webhooks-title">{t("developer.webhooksTitle")}</h1>
      <p className="hint">{t("developer.webhooksLead")}</p>
      <DeveloperProblem problem={endpoints.error instanceof ApiError ? endpoints.error.problem : null} plan="Starter" />
      <div className="actions">
        <button type="button" className="primary" onClick={() => setAdding(true)}>{t("developer.addEndpoint")}</button>
      </div>
      {endpoints.data ? <WebhookList endpoints={endpoints.data.items} /> : null}
      {endpoints.data === undefined && !endpoints.error ? <p className="muted">{t("common.loading")}</p> : null}
      <DefaultSecretPanel />
      <SignatureSnippet />
      <AddWebhookDialog open={adding} onCreated={refresh} onClose={() => setAdding(false)} />
    </section>
  );
}
