import { useState } from "react";

import type { ExposedField, WorkflowInputValue } from "../../api/types";
import { useLocale } from "../../i18n/LocaleContext";
import type { InitImage } from "../../logic/generateForm";
import { inputKey, isPromptLike } from "../../logic/workflowFile";
import { FieldError } from "../FieldError";
import { ImageInput } from "../ImageInput";

/** The run form of a workflow, built from the fields its author exposed. */
export function WorkflowInputs({ fields, values, errors, onChange }: {
  fields: ExposedField[];
  values: Record<string, WorkflowInputValue>;
  errors?: Record<string, string[]>;
  onChange: (values: Record<string, WorkflowInputValue>) => void;
}) {
  const { t } = useLocale();
  // The picked images' previews; the request carries only their ids.
  const [images, setImages] = useState<Record<string, InitImage | null>>({});
  if (fields.length === 0) {
    return <p className="hint">{t("workflows.noFields")}</p>;
  }
  const set = (key: string, value: WorkflowInputValue) => onChange({ ...values, [key]: value });
  return (
    <div className="workflow-inputs">
      {fields.map((field) => {
        const key = inputKey(field);
        const id = `input-${key.replace(/[^A-Za-z0-9_-]/g, "_")}`;
        const value = values[key];
        const fieldErrors = errors?.[`inputs.${key}`] ?? errors?.[key];
        if (field.type === "image") {
          return (
            <div key={key} className="field">
              <ImageInput label={field.label} image={images[key] ?? null} onImage={(image) => { setImages({ ...images, [key]: image }); set(key, image?.id ?? null); }} />
              <FieldError id={`${id}-error`} messages={fieldErrors} />
            </div>
          );
        }
        if (field.type === "model") {
          const model = field.value as { name?: string; key?: string } | null;
          return (
            <div key={key} className="field">
              <span className="field-label">{field.label}</span>
              <p className="readonly-value" aria-label={field.label}>{model?.name ?? model?.key ?? "—"}</p>
            </div>
          );
        }
        if (field.type === "boolean") {
          return (
            <div key={key} className="field checkbox-field">
              <label><input id={id} type="checkbox" checked={value === true} onChange={(e) => set(key, e.target.checked)} /> {field.label}</label>
              <FieldError id={`${id}-error`} messages={fieldErrors} />
            </div>
          );
        }
        return (
          <div key={key} className="field">
            <label htmlFor={id}>{field.label}</label>
            {field.type === "enum" ? (
              <select id={id} value={String(value ?? "")} onChange={(e) => set(key, e.target.value)}>
                {(field.options ?? []).map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            ) : field.type === "integer" || field.type === "float" ? (
              <input id={id} type="number" inputMode={field.type === "integer" ? "numeric" : "decimal"} step={field.type === "integer" ? 1 : "any"}
                min={field.min ?? undefined} max={field.max ?? undefined} value={typeof value === "number" && !Number.isNaN(value) ? value : ""}
                onChange={(e) => set(key, e.target.value === "" ? null : Number(e.target.value))} aria-describedby={fieldErrors ? `${id}-error` : undefined} />
            ) : isPromptLike(field) ? (
              <textarea id={id} rows={3} value={String(value ?? "")} onChange={(e) => set(key, e.target.value)} aria-describedby={fieldErrors ? `${id}-error` : undefined} />
            ) : (
              <input id={id} type="text" value={String(value ?? "")} onChange={(e) => set(key, e.target.value)} aria-describedby={fieldErrors ? `${id}-error` : undefined} />
            )}
            <FieldError id={`${id}-error`} messages={fieldErrors} />
          </div>
        );
      })}
    </div>
  );
}
