import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../api/problem";
import { ApiPlanGate } from "../../components/developer/ApiPlanGate";
import { ApiUsagePanel } from "../../components/developer/ApiUsagePanel";
import { CreateKeyDialog } from "../../components/developer/CreateKeyDialog";
import { DeveloperProblem } from "../../components/developer/DeveloperProblem";
import { DeveloperTabs } from "../../components/developer/DeveloperTabs";
import { KeyList } from "../../components/developer/KeyList";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";

/** API keys (Starter and above): this month's calls and the chart, the keys, create (shown once) and revoke. */
export default function KeysPage() {
  const { t } = useLocale();
  return (
    <section aria-labelledby="keys-title" className="developer">
      <DeveloperTabs />
      <h1 id="keys-title">{t("developer.keysTitle")}</h1>
      <p className="hint">{t("developer.keysLead")}</p>
      <ApiPlanGate>{(plan) => <Keys plan={plan} />}</ApiPlanGate>
    </section>
  );
}

function Keys({ plan }: { plan: string }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const keys = useQuery({ queryKey: ["apiKeys"], queryFn: api.developer.keys });
  const usage = useQuery({ queryKey: ["apiKeys", "usage"], queryFn: () => api.developer.usage(30) });
  const [creating, setCreating] = useState(false);
  const refresh = () => void queries.invalidateQueries({ queryKey: ["apiKeys"] });
  const problem = [keys.error, usage.error].find((e) => e instanceof ApiError);
  const loading = keys.data === undefined && !keys.error;

  return (
    <>
      <DeveloperProblem problem={problem instanceof ApiError ? problem.problem : null} plan={plan} />
      {usage.data && keys.data ? <ApiUsagePanel usage={usage.data} keys={keys.data.items} /> : null}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setCreating(true)}>{t("developer.createKey")}</button>
      </div>
      {keys.data ? <KeyList keys={keys.data.items} plan={plan} onChanged={refresh} /> : null}
      {loading ? <p className="muted">{t("common.loading")}</p> : null}
      <CreateKeyDialog open={creating} plan={plan} onCreated={refresh} onClose={() => setCreating(false)} />
    </>
  );
}
