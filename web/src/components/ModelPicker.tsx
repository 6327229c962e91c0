import type { Model, Plan } from "../api/types";
import { useLocale } from "../i18n/LocaleContext";
import { modelDescription } from "../logic/modelDescription";

/** Every model; locked ones name the plan that unlocks them, unavailable ones say so. Neither can be picked. */
export function ModelPicker({ models, plans, value, onChange }: { models: Model[]; plans: Plan[]; value: string; onChange: (model: Model) => void }) {
  const { t, locale } = useLocale();
  const planName = (id: string) => plans.find((p) => p.id === id)?.name ?? id;
  const label = (m: Model) =>
    !m.allowed ? t("generate.modelLocked", { name: m.name, plan: planName(m.minPlan) })
      : !m.available ? t("generate.modelUnavailable", { name: m.name })
        : m.name;
  const selected = models.find((m) => m.id === value);
  return (
    <div className="field">
      <label htmlFor="model">{t("param.model")}</label>
      <select
        id="model"
        value={value}
        onChange={(e) => {
          const model = models.find((m) => m.id === e.target.value);
          if (model) {
            onChange(model);
          }
        }}
      >
        {models.map((m) => (
          <option key={m.id} value={m.id} disabled={!m.allowed || !m.available}>{label(m)}</option>
        ))}
      </select>
      {selected ? <p className="hint">{modelDescription(locale, selected)}</p> : null}
    </div>
  );
}
