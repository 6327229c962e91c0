import { useQuery, useQueryClient } from "@tanstack/react-query";

import { ApiError } from "../api/problem";
import type { ImageRef } from "../api/types";
import { FeatureLock } from "../components/FeatureLock";
import { ProblemNotice } from "../components/ProblemNotice";
import { WorkflowRunner } from "../components/workflows/WorkflowRunner";
import { useMe, usePlans } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { planHas, unlockingPlan } from "../logic/addOns";
import { Link } from "../router";
import { useServices } from "../services";

/** One workflow: its exposed fields as a form, the price, Generate and the live job. */
export default function WorkflowRunPage({ id }: { id: string }) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const me = useMe();
  const plans = usePlans();
  const allowed = planHas(plans.data, me.data?.plan.id, "workflows");
  const workflow = useQuery({ queryKey: ["workflows", id], queryFn: () => api.workflow(id), enabled: allowed === true });

  if (allowed === false) {
    return (
      <section aria-labelledby="workflow-title">
        <h1 id="workflow-title">{t("workflows.title")}</h1>
        <FeatureLock what={t("workflows.title")} plan={unlockingPlan(plans.data, "workflows", "Starter")} />
      </section>
    );
  }
  if (workflow.error) {
    return (
      <section aria-labelledby="workflow-title">
        <h1 id="workflow-title">{t("workflows.title")}</h1>
        <ProblemNotice problem={workflow.error instanceof ApiError ? workflow.error.problem : null} />
        <Link to="/workflows">{t("workflows.back")}</Link>
      </section>
    );
  }
  if (!workflow.data) {
    return <p className="muted">{t("common.loading")}</p>;
  }
  const w = workflow.data;
  const useAsThumbnail = async (image: ImageRef) => {
    const updated = await api.updateWorkflow(w.id, { thumbnailImageId: image.id });
    queries.setQueryData(["workflows", id], updated);
    await queries.invalidateQueries({ queryKey: ["workflows"], exact: true });
  };
  return (
    <div className="workflow-run">
      <p><Link to="/workflows">{t("workflows.back")}</Link></p>
      <h1 id="workflow-title">{w.name}</h1>
      <p className="muted">
        {t("workflows.nodes", { count: w.nodeCount })}
        {w.shared ? <> · <span className="badge">{t("workflows.shared")}</span></> : null}
      </p>
      {w.description ? <p>{w.description}</p> : null}
      <WorkflowRunner key={w.id} source={{ workflowId: w.id }} fields={w.exposedFields} onUseAsThumbnail={w.shared ? undefined : useAsThumbnail} />
    </div>
  );
}
