import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../api/problem";
import type { WorkflowBody, WorkflowSummary } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FeatureLock } from "../components/FeatureLock";
import { ProblemNotice } from "../components/ProblemNotice";
import { WorkflowUpload } from "../components/workflows/WorkflowUpload";
import { useMe, usePlans } from "../hooks";
import { useLocale } from "../i18n/LocaleContext";
import { planHas, unlockingPlan } from "../logic/addOns";
import { Link } from "../router";
import { useServices } from "../services";

/** The workflow library (Starter and above): the user's workflows and the shared ones, and the upload. */
export default function WorkflowsPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const me = useMe();
  const plans = usePlans();
  const allowed = planHas(plans.data, me.data?.plan.id, "workflows");
  const list = useQuery({ queryKey: ["workflows"], queryFn: api.workflows, enabled: allowed === true });
  const [deleting, setDeleting] = useState<WorkflowSummary | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const title = <h1 id="workflows-title">{t("workflows.title")}</h1>;
  if (allowed === undefined) {
    return <section aria-labelledby="workflows-title">{title}<p className="muted">{t("common.loading")}</p></section>;
  }
  if (!allowed) {
    return <section aria-labelledby="workflows-title">{title}<FeatureLock what={t("workflows.title")} plan={unlockingPlan(plans.data, "workflows", "Starter")} /></section>;
  }

  const save = async (body: WorkflowBody) => {
    await api.createWorkflow(body);
    await queries.invalidateQueries({ queryKey: ["workflows"] });
  };

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.deleteWorkflow(deleting.id);
      setDeleting(null);
      await queries.invalidateQueries({ queryKey: ["workflows"] });
    } catch (error) {
      setDeleting(null);
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="workflows-title" className="workflows">
      {title}
      <p className="hint">{t("workflows.lead")}</p>
      <WorkflowUpload onSave={save} />
      <ProblemNotice problem={problem ?? (list.error instanceof ApiError ? list.error.problem : null)} />
      {list.data?.items.length === 0 ? <p className="muted">{t("workflows.empty")}</p> : null}
      <ul className="card-grid">
        {list.data?.items.map((w) => (
          <li key={w.id} className="workflow-card" data-testid="workflow-card" data-shared={w.shared}>
            {w.thumbnailUrl ? <img src={w.thumbnailUrl} alt="" width={160} height={160} loading="lazy" /> : <div className="thumb-placeholder" aria-hidden="true" />}
            <h2 className="card-title"><Link to={`/workflows/${w.id}`}>{w.name}</Link></h2>
            <p className="muted">
              {t("workflows.nodes", { count: w.nodeCount })}
              {w.shared ? <> · <span className="badge">{t("workflows.shared")}</span></> : null}
            </p>
            {w.description ? <p className="card-description">{w.description}</p> : null}
            {w.shared ? null : (
              <button type="button" className="link-button danger" onClick={() => setDeleting(w)} aria-label={t("workflows.deleteNamed", { name: w.name })}>
                {t("gallery.delete")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ConfirmDialog open={deleting !== null} title={t("workflows.confirmDelete", { name: deleting?.name ?? "" })} confirmLabel={t("gallery.deleteYes")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setDeleting(null)} />
    </section>
  );
}
