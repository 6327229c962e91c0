import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";

import { ApiError, type ApiProblem } from "../../api/problem";
import type { Model, Preset } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import { applyPreset, defaultPresetFor, groupPresets, settingsFromForm, settingsKey, type PresetForm } from "../../logic/presets";
import { useServices } from "../../services";
import { ConfirmDialog } from "../ConfirmDialog";
import { FieldError } from "../FieldError";
import { ProblemNotice } from "../ProblemNotice";

type Editing = { mode: "save" | "rename"; name: string } | null;

/**
 * Presets on the Generate form: pick one (own or shared) to fill the settings, save the current
 * settings under a name, rename or delete an own one. When the model changes on a form the user has
 * not changed since the last automatic fill, the model's default preset (if the plan has one) applies.
 * `onDecided` says when that choice is made for the form's model (the page keeps the form closed until the first).
 */
export function PresetPicker({ form, models, maxSide, onApply, onDecided }: {
  form: PresetForm;
  models: Model[] | undefined;
  maxSide: number;
  onApply: (next: PresetForm) => void;
  onDecided?: () => void;
}) {
  const { t } = useLocale();
  const { api } = useServices();
  const queries = useQueryClient();
  const list = useQuery({ queryKey: ["presets"], queryFn: api.presets });
  // Without the list (an error), the picker still saves presets.
  const items = list.data?.items ?? (list.isError ? [] : undefined);
  const [selected, setSelected] = useState("");
  const [editing, setEditing] = useState<Editing>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const chosen = items?.find((p) => p.id === selected);

  // The default preset: decided once per model, on a form that is fresh or unchanged since the last automatic fill.
  const baseline = useRef<string | null>(null);
  const decided = useRef<string | null>(null);
  const previous = useRef(form);
  const fresh = useRef(form.model === "");
  useEffect(() => {
    const before = previous.current;
    previous.current = form;
    if (items === undefined || models === undefined || form.model === "" || decided.current === form.model) {
      return;
    }
    const untouched = baseline.current === null ? fresh.current : settingsKey(before) === baseline.current;
    decided.current = form.model;
    const preset = untouched ? defaultPresetFor(items, form.model) : undefined;
    if (preset) {
      const next = applyPreset(form, preset.settings, models, maxSide);
      baseline.current = settingsKey(next);
      setSelected(preset.id);
      setNote(t("presets.defaultApplied", { name: preset.name }));
      onApply(next);
    } else {
      baseline.current = settingsKey(form);
    }
    onDecided?.();
  }, [form, items, models, maxSide, onApply, onDecided, t]);

  const pick = (id: string) => {
    setSelected(id);
    setProblem(null);
    setNote(null);
    const preset = items?.find((p) => p.id === id);
    if (preset && models) {
      onApply(applyPreset(form, preset.settings, models, maxSide));
    }
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
      await queries.invalidateQueries({ queryKey: ["presets"] });
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : null);
    } finally {
      setBusy(false);
    }
  };

  const saveName = () => {
    if (editing === null) return;
    const name = editing.name.trim();
    void run(async () => {
      if (editing.mode === "save") {
        const created = await api.createPreset({ name, settings: settingsFromForm(form) });
        setSelected(created.id);
        setNote(t("presets.saved", { name: created.name }));
      } else if (chosen) {
        const renamed = await api.updatePreset(chosen.id, { name });
        setNote(t("presets.renamed", { name: renamed.name }));
      }
      setEditing(null);
    });
  };

  // Enter in the name box saves the name, not the Generate form around it.
  const onNameKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      saveName();
    } else if (event.key === "Escape") {
      setEditing(null);
    }
  };

  const remove = () => {
    if (!chosen) return;
    const id = chosen.id;
    void run(async () => {
      await api.deletePreset(id);
      setSelected("");
      setNote(null);
    }).finally(() => setDeleting(false));
  };

  const { own, shared } = groupPresets(items ?? []);
  const nameErrors = problem?.errors.name;
  return (
    <div className="preset-picker">
      <div className="field">
        <label htmlFor="preset">{t("presets.label")}</label>
        <div className="preset-row">
          <select id="preset" value={chosen ? selected : ""} onChange={(e) => pick(e.target.value)} disabled={items === undefined}>
            <option value="">{items === undefined ? t("common.loading") : t("presets.choose")}</option>
            {own.length > 0 ? <optgroup label={t("presets.own")}>{own.map((p) => <PresetOption key={p.id} preset={p} />)}</optgroup> : null}
            {shared.length > 0 ? <optgroup label={t("presets.shared")}>{shared.map((p) => <PresetOption key={p.id} preset={p} />)}</optgroup> : null}
          </select>
          <button type="button" onClick={() => { setProblem(null); setEditing({ mode: "save", name: "" }); }}>{t("presets.saveAs")}</button>
          {chosen && !chosen.shared ? (
            <>
              <button type="button" onClick={() => { setProblem(null); setEditing({ mode: "rename", name: chosen.name }); }}>{t("presets.rename")}</button>
              <button type="button" className="danger" onClick={() => setDeleting(true)}>{t("presets.delete")}</button>
            </>
          ) : null}
        </div>
      </div>
      {editing !== null ? (
        <div className="field preset-name">
          <label htmlFor="preset-name">{editing.mode === "save" ? t("presets.newName") : t("presets.renameTo")}</label>
          <div className="preset-row">
            <input id="preset-name" autoFocus maxLength={80} value={editing.name} onKeyDown={onNameKey}
              onChange={(e) => setEditing({ ...editing, name: e.target.value })} aria-invalid={nameErrors ? true : undefined}
              aria-describedby={nameErrors ? "preset-name-error" : undefined} />
            <button type="button" className="primary" disabled={busy || editing.name.trim() === ""} onClick={saveName}>{t("presets.saveName")}</button>
            <button type="button" onClick={() => { setEditing(null); setProblem(null); }}>{t("common.cancel")}</button>
          </div>
          <FieldError id="preset-name-error" messages={nameErrors} />
        </div>
      ) : null}
      {note !== null ? <p className="hint" role="status">{note}</p> : null}
      {problem?.code === "preset_limit" ? <p className="notice error" role="alert">{t("presets.limit")}</p> : null}
      {problem?.code !== "preset_limit" && !nameErrors ? <ProblemNotice problem={problem} /> : null}
      <ConfirmDialog open={deleting} title={t("presets.confirmDelete", { name: chosen?.name ?? "" })} confirmLabel={t("presets.delete")} danger busy={busy}
        onConfirm={remove} onClose={() => setDeleting(false)} />
    </div>
  );
}

function PresetOption({ preset }: { preset: Preset }) {
  const { t } = useLocale();
  return <option value={preset.id}>{preset.defaultForModel ? t("presets.defaultFor", { name: preset.name, model: preset.defaultForModel }) : preset.name}</option>;
}
