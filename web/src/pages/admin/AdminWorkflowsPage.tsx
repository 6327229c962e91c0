import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { AdminWorkflow, Plan, WorkflowBody } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ProblemNotice } from "../../components/ProblemNotice";
import { WorkflowUpload } from "../../components/workflows/WorkflowUpload";
import { usePlans } from "../../hooks";
import { useLocale } from "../../i18n/LocaleContext";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";

/** Shared workflows: the catalog every user of the chosen plans sees in their library. */
export function AdminWorkflowsPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const plans = usePlans();
  const list = useQuery({ queryKey: ["admin", "workflows"], queryFn: api.admin.workflows });
  const [newPlans, setNewPlans] = useState<string[]>([]);
  const [deleting, setDeleting] = useState<AdminWorkflow | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => queries.invalidateQueries({ queryKey: ["admin", "workflows"] });

  const create = async (body: WorkflowBody) => {
    await api.admin.createWorkflow({ name: body.name ?? "", description: body.description, workflow: body.workflow, graph: body.graph, plans: newPlans });
    setNewPlans([]);
    await refresh();
  };

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.admin.deleteWorkflow(deleting.id);
      await refresh();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="admin-workflows-title">
      <h1 id="admin-workflows-title">{t("admin.workflows")}</h1>
      <p className="hint">{t("admin.workflowsLead")}</p>
      <AdminProblem error={list.error} />
      <PlanChecks legend={t("admin.workflowPlansNew")} plans={plans.data ?? []} value={newPlans} onChange={setNewPlans} />
      <WorkflowUpload onSave={create} allowRun={false} />
      <ProblemNotice problem={problem} />
      {list.isSuccess && list.data.items.length === 0 ? <p className="muted">{t("admin.noWorkflows")}</p> : null}
      <ul className="lora-list">
        {list.data?.items.map((w) => <SharedRow key={w.id} workflow={w} plans={plans.data ?? []} onChanged={() => void refresh()} onDelete={() => setDeleting(w)} />)}
      </ul>
      <ConfirmDialog open={deleting !== null} title={t("workflows.confirmDelete", { name: deleting?.name ?? "" })} confirmLabel={t("gallery.deleteYes")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setDeleting(null)} />
    </section>
  );
}

function SharedRow({ workflow, plans, onChanged, onDelete }: { workflow: AdminWorkflow; plans: Plan[]; onChanged: () => void; onDelete: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [chosen, setChosen] = useState(workflow.plans);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const changed = [...chosen].sort().join(",") !== [...workflow.plans].sort().join(",");

  const save = async () => {
    setProblem(null);
    try {
      await api.admin.updateWorkflow(workflow.id, { plans: chosen });
      onChanged();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    }
  };

  return (
    <li className="lora-row" data-testid="shared-workflow-row">
      <h2 className="card-title">{workflow.name}</h2>
      <p className="muted">{t("workflows.nodes", { count: workflow.nodeCount })}</p>
      <PlanChecks legend={t("admin.workflowPlans", { name: workflow.name })} plans={plans} value={chosen} onChange={setChosen} />
      <ProblemNotice problem={problem} />
      <div className="actions">
        <button type="button" className="primary" disabled={!changed} onClick={() => void save()}>{t("admin.savePlans")}</button>
        <button type="button" className="danger" onClick={onDelete} aria-label={t("workflows.deleteNamed", { name: workflow.name })}>{t("gallery.delete")}</button>
      </div>
    </li>
  );
}

export function PlanChecks({ legend, plans, value, onChange }: { legend: string; plans: Plan[]; value: string[]; onChange: (plans: string[]) => void }) {
  return (
    <fieldset className="plan-checks">
      <legend>{legend}</legend>
      <div className="chips">
        {plans.map((p) => (
          <label key={p.id} className="chip">
            <input type="checkbox" checked={value.includes(p.id)} onChange={(e) => onChange(e.target.checked ? [...value, p.id] : value.filter((id) => id !== p.id))} />
            <span>{p.name}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
