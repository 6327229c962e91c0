import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { useLocale } from "../../i18n/LocaleContext";
import { familyName, maxLoras, triggerWords, type LoraChoice } from "../../logic/addOns";
import { formatNumber } from "../../i18n/format";
import { Link } from "../../router";
import { useServices } from "../../services";

/** Up to five of the user's LoRAs of the model's family, each with a weight (−2…2). */
export function LoraPanel({ family, value, onChange }: { family: string | undefined; value: LoraChoice[]; onChange: (loras: LoraChoice[]) => void }) {
  const { t, locale } = useLocale();
  const { api } = useServices();
  const loras = useQuery({ queryKey: ["loras"], queryFn: api.loras });
  const [pick, setPick] = useState("");

  const all = loras.data?.items ?? [];
  const matching = all.filter((l) => l.family === family && !value.some((v) => v.id === l.id));
  const chosen = pick !== "" && matching.some((l) => l.id === pick) ? pick : (matching[0]?.id ?? "");
  const noneForFamily = loras.data !== undefined && all.length !== 0 && matching.length === 0 && value.length === 0 && family !== undefined;
  const canAdd = matching.length !== 0 && value.length < maxLoras;
  const add = () => {
    if (chosen !== "" && value.length < maxLoras) {
      onChange([...value, { id: chosen, weight: 0.75 }]);
      setPick("");
    }
  };

  return (
    <div className="addon-panel">
      {loras.data && all.length === 0 ? <p className="hint">{t("loraPanel.none")} <Link to="/loras">{t("loraPanel.manage")}</Link></p> : null}
      {noneForFamily ? <p className="hint">{t("loraPanel.noneForFamily", { family: familyName(family ?? "") })}</p> : null}
      <ul className="addon-list">
        {value.map((choice, index) => {
          const lora = all.find((l) => l.id === choice.id);
          const mismatch = lora !== undefined && family !== undefined && lora.family !== family;
          const sliderId = `lora-weight-${index}`;
          return (
            <li key={choice.id} className="addon-row" data-testid="lora-choice">
              <label htmlFor={sliderId}>
                {lora?.name ?? choice.id} <output htmlFor={sliderId}>{formatNumber(locale, choice.weight, 2)}</output>
              </label>
              <input id={sliderId} type="range" min={-2} max={2} step={0.05} value={choice.weight}
                onChange={(e) => onChange(value.map((v, i) => (i === index ? { ...v, weight: Number(e.target.value) } : v)))} />
              <button type="button" className="link-button" onClick={() => onChange(value.filter((_, i) => i !== index))}
                aria-label={t("loraPanel.removeNamed", { name: lora?.name ?? choice.id })}>{t("addons.remove")}</button>
              {lora && triggerWords(lora.triggerWords).length !== 0 ? (
                <p className="hint">{t("loras.triggerWords")} <code>{triggerWords(lora.triggerWords).join(", ")}</code></p>
              ) : null}
              {mismatch && lora && family ? (
                <p className="notice error">{t("loraPanel.mismatch", { lora: familyName(lora.family), model: familyName(family) })}</p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {canAdd ? (
        <div className="input-with-button">
          <label className="visually-hidden" htmlFor="lora-pick">{t("loraPanel.pick")}</label>
          <select id="lora-pick" value={chosen} onChange={(e) => setPick(e.target.value)}>
            {matching.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select>
          <button type="button" onClick={add}>{t("loraPanel.add")}</button>
        </div>
      ) : null}
      {value.length === maxLoras ? <p className="hint">{t("loraPanel.max", { count: maxLoras })}</p> : null}
    </div>
  );
}
