import { useState } from "react";

import type { ControlType } from "../../api/types";
import { formatNumber } from "../../i18n/format";
import type { MessageKey } from "../../i18n/i18n";
import { useLocale } from "../../i18n/LocaleContext";
import { controlTypesFor, familyName, maxControls, type ControlChoice } from "../../logic/addOns";
import type { InitImage } from "../../logic/generateForm";
import { ImageInput } from "../ImageInput";

export const controlTypeKeys: Record<ControlType, MessageKey> = {
  canny: "controlPanel.canny", depth: "controlPanel.depth", pose: "controlPanel.pose", lineart: "controlPanel.lineart",
};

/** Up to three ControlNet images, each with a type the model's family supports, a weight and the steps it acts on. */
export function ControlPanel({ family, steps, value, onChange }: { family: string | undefined; steps: number; value: ControlChoice[]; onChange: (control: ControlChoice[]) => void }) {
  const { t, locale } = useLocale();
  const [pending, setPending] = useState<InitImage | null>(null);
  const supported = controlTypesFor(family);
  const set = (index: number, change: Partial<ControlChoice>) => onChange(value.map((c, i) => (i === index ? { ...c, ...change } : c)));

  if (supported.length === 0) {
    return <p className="hint">{t("controlPanel.unsupported", { family: family ? familyName(family) : "" })}</p>;
  }
  return (
    <div className="addon-panel">
      <ul className="addon-list">
        {value.map((c, index) => {
          const unsupported = !supported.includes(c.type);
          const end = c.endStep ?? steps;
          return (
            <li key={`${c.image.id}-${index}`} className="addon-row" data-testid="control-choice">
              <div className="init-preview">
                <img src={c.image.previewUrl} alt={t("controlPanel.imageAlt", { n: index + 1 })} width={64} height={Math.round((64 * c.image.height) / Math.max(1, c.image.width))} />
                <button type="button" className="link-button" onClick={() => onChange(value.filter((_, i) => i !== index))}
                  aria-label={t("controlPanel.removeNumbered", { n: index + 1 })}>{t("addons.remove")}</button>
              </div>
              <div className="field-row">
                <div className="field">
                  <label htmlFor={`control-type-${index}`}>{t("controlPanel.type")}</label>
                  <select id={`control-type-${index}`} value={c.type} onChange={(e) => set(index, { type: e.target.value as ControlType })}>
                    {(unsupported ? [c.type, ...supported] : supported).map((type) => (
                      <option key={type} value={type} disabled={!supported.includes(type)}>{t(controlTypeKeys[type])}</option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`control-weight-${index}`}>{t("addons.weight")} <output>{formatNumber(locale, c.weight, 2)}</output></label>
                  <input id={`control-weight-${index}`} type="range" min={0} max={2} step={0.05} value={c.weight} onChange={(e) => set(index, { weight: Number(e.target.value) })} />
                </div>
                <div className="field">
                  <label htmlFor={`control-begin-${index}`}>{t("controlPanel.beginStep")}</label>
                  <input id={`control-begin-${index}`} type="number" inputMode="numeric" min={0} max={end - 1} value={c.beginStep}
                    onChange={(e) => set(index, { beginStep: Math.max(0, Math.floor(Number(e.target.value))) })} />
                </div>
                <div className="field">
                  <label htmlFor={`control-end-${index}`}>{t("controlPanel.endStep")}</label>
                  <input id={`control-end-${index}`} type="number" inputMode="numeric" min={c.beginStep + 1} max={steps} value={end}
                    onChange={(e) => set(index, { endStep: Math.min(steps, Math.floor(Number(e.target.value))) })} />
                </div>
              </div>
              {unsupported && family ? <p className="notice error">{t("controlPanel.typeUnsupported", { type: t(controlTypeKeys[c.type]), family: familyName(family) })}</p> : null}
            </li>
          );
        })}
      </ul>
      {value.length < maxControls ? (
        <ImageInput label={t("controlPanel.addImage")} image={pending} onImage={(image) => {
          if (image) {
            onChange([...value, { image, type: supported[0], weight: 1, beginStep: 0, endStep: null }]);
          }
          setPending(null);
        }} />
      ) : <p className="hint">{t("controlPanel.max", { count: maxControls })}</p>}
    </div>
  );
}
