import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { AdminPreset, Model, Plan } from "../../api/types";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FieldError } from "../../components/FieldError";
import { ProblemNotice } from "../../components/ProblemNotice";
import { useModels, usePlans } from "../../hooks";
import { useLocale } from "../../i18n/LocaleContext";
import { schedulers } from "../../logic/generateForm";
import { emptyPresetFields, settingsEntries, settingsFromFields, type PresetFields, type PresetParameter } from "../../logic/presets";
import { useServices } from "../../services";
import { AdminProblem } from "./AdminProblem";
import { PlanChecks } from "./AdminWorkflowsPage";

const parameterLabels: Record<PresetParameter, "param.model" | "param.size" | "param.steps" | "param.cfgScale" | "param.scheduler" | "param.negativePrompt" | "presets.tags"> = {
  model: "param.model",
  size: "param.size",
  steps: "param.steps",
  cfgScale: "param.cfgScale",
  scheduler: "param.scheduler",
  negativePrompt: "param.negativePrompt",
  tags: "presets.tags",
};

/** Shared presets: the settings every user of the chosen plans can pick, and each model's default. */
export function AdminPresetsPage() {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const plans = usePlans();
  const models = useModels();
  const list = useQuery({ queryKey: ["admin", "presets"], queryFn: api.admin.presets });
  const [deleting, setDeleting] = useState<AdminPreset | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => queries.invalidateQueries({ queryKey: ["admin", "presets"] });

  const remove = async () => {
    if (!deleting) return;
    setBusy(true);
    setProblem(null);
    try {
      await api.admin.deletePreset(deleting.id);
      await refresh();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="admin-presets-title">
      <h1 id="admin-presets-title">{t("presets.adminTitle")}</h1>
      <p className="hint">{t("presets.adminLead")}</p>
      <AdminProblem error={list.error} />
      <NewPresetForm plans={plans.data ?? []} models={models.data ?? []} onCreated={() => void refresh()} />
      <ProblemNotice problem={problem} />
      <h2>{t("presets.adminList")}</h2>
      {list.isSuccess && list.data.items.length === 0 ? <p className="muted">{t("presets.adminNone")}</p> : null}
      <ul className="lora-list">
        {list.data?.items.map((p) => (
          <SharedPresetRow key={p.id} preset={p} plans={plans.data ?? []} models={models.data ?? []} onChanged={() => void refresh()} onDelete={() => setDeleting(p)} />
        ))}
      </ul>
      <ConfirmDialog open={deleting !== null} title={t("presets.confirmDelete", { name: deleting?.name ?? "" })} confirmLabel={t("presets.delete")} danger busy={busy}
        onConfirm={() => void remove()} onClose={() => setDeleting(null)} />
    </section>
  );
}

function NewPresetForm({ plans, models, onCreated }: { plans: Plan[]; models: Model[]; onCreated: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [fields, setFields] = useState<PresetFields>(emptyPresetFields);
  const [planIds, setPlanIds] = useState<string[]>([]);
  const [defaultFor, setDefaultFor] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<PresetFields>) => setFields((f) => ({ ...f, ...change }));
  const errors = problem?.errors ?? {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await api.admin.createPreset({ name: fields.name, settings: settingsFromFields(fields), planIds, defaultForModel: defaultFor === "" ? null : defaultFor });
      setFields(emptyPresetFields);
      setPlanIds([]);
      setDefaultFor("");
      onCreated();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const text = (id: keyof PresetFields, label: string, inputMode?: "numeric" | "decimal") => (
    <div className="field">
      <label htmlFor={`preset-${id}`}>{label}</label>
      <input id={`preset-${id}`} inputMode={inputMode} value={fields[id]} onChange={(e) => set({ [id]: e.target.value })}
        aria-invalid={errors[`settings.${id}`] ? true : undefined} />
      <FieldError id={`preset-${id}-error`} messages={errors[`settings.${id}`] ?? (id === "name" ? errors.name : undefined)} />
    </div>
  );

  return (
    <form className="lora-row admin-preset-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="new-preset-title">
      <h2 id="new-preset-title">{t("presets.adminNew")}</h2>
      {text("name", t("presets.name"))}
      <div className="field">
        <label htmlFor="preset-model">{t("param.model")}</label>
        <select id="preset-model" value={fields.model} onChange={(e) => set({ model: e.target.value })}>
          <option value="">{t("presets.anyModel")}</option>
          {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
        </select>
        <FieldError id="preset-model-error" messages={errors["settings.model"]} />
      </div>
      <div className="field-row">
        {text("width", t("param.width"), "numeric")}
        {text("height", t("param.height"), "numeric")}
      </div>
      <div className="field-row">
        {text("steps", t("param.steps"), "numeric")}
        {text("cfgScale", t("param.cfgScale"), "decimal")}
        <div className="field">
          <label htmlFor="preset-scheduler">{t("param.scheduler")}</label>
          <select id="preset-scheduler" value={fields.scheduler} onChange={(e) => set({ scheduler: e.target.value })}>
            <option value="">{t("presets.unset")}</option>
            {schedulers.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
      </div>
      {text("negativePrompt", t("param.negativePrompt"))}
      {text("tags", t("presets.tagsHint"))}
      <PlanChecks legend={t("presets.plans")} plans={plans} value={planIds} onChange={setPlanIds} />
      <DefaultSelect id="preset-default" models={models} value={defaultFor} onChange={setDefaultFor} />
      <FieldError id="preset-default-error" messages={errors.defaultForModel ?? errors.planIds} />
      {problem !== null && Object.keys(errors).length === 0 ? <ProblemNotice problem={problem} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || fields.name.trim() === ""}>{t("presets.publish")}</button>
      </div>
    </form>
  );
}

function SharedPresetRow({ preset, plans, models, onChanged, onDelete }: { preset: AdminPreset; plans: Plan[]; models: Model[]; onChanged: () => void; onDelete: () => void }) {
  const { t } = useLocale();
  const { api } = useServices();
  const [planIds, setPlanIds] = useState(preset.planIds);
  const [defaultFor, setDefaultFor] = useState(preset.defaultForModel ?? "");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const changed = [...planIds].sort().join(",") !== [...preset.planIds].sort().join(",") || defaultFor !== (preset.defaultForModel ?? "");

  const save = async () => {
    setProblem(null);
    try {
      await api.admin.updatePreset(preset.id, { name: preset.name, settings: preset.settings, planIds, defaultForModel: defaultFor === "" ? null : defaultFor });
      onChanged();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    }
  };

  return (
    <li className="lora-row" data-testid="shared-preset-row">
      <h3 className="card-title">{preset.name}</h3>
      <dl className="preset-settings">
        {settingsEntries(preset.settings).map(([key, value]) => (
          <div key={key}><dt>{t(parameterLabels[key])}</dt><dd>{value}</dd></div>
        ))}
      </dl>
      <PlanChecks legend={t("presets.plansFor", { name: preset.name })} plans={plans} value={planIds} onChange={setPlanIds} />
      <DefaultSelect id={`default-${preset.id}`} models={models} value={defaultFor} onChange={setDefaultFor} />
      <ProblemNotice problem={problem} />
      <div className="actions">
        <button type="button" className="primary" disabled={!changed} onClick={() => void save()}>{t("presets.saveChanges")}</button>
        <button type="button" className="danger" onClick={onDelete} aria-label={t("presets.deleteNamed", { name: preset.name })}>{t("presets.delete")}</button>
      </div>
    </li>
  );
}

function DefaultSelect({ id, models, value, onChange }: { id: string; models: Model[]; value: string; onChange: (model: string) => void }) {
  const { t } = useLocale();
  return (
    <div className="field">
      <label htmlFor={id}>{t("presets.defaultForModel")}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t("presets.noDefault")}</option>
        {models.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
      </select>
    </div>
  );
}
