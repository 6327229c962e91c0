import { formatNumber } from "../../i18n/format";
import { useLocale } from "../../i18n/LocaleContext";
import { familyName, referenceSupported, type ReferenceChoice } from "../../logic/addOns";
import { ImageInput } from "../ImageInput";

/** An IP-Adapter reference image: the picture's look carried into the result, with a weight (default 0.5). */
export function ReferencePanel({ family, value, onChange }: { family: string | undefined; value: ReferenceChoice | null; onChange: (reference: ReferenceChoice | null) => void }) {
  const { t, locale } = useLocale();
  if (!referenceSupported(family)) {
    return <p className="hint">{t("referencePanel.unsupported", { family: family ? familyName(family) : "" })}</p>;
  }
  return (
    <div className="addon-panel">
      <ImageInput label={t("referencePanel.image")} image={value?.image ?? null}
        onImage={(image) => onChange(image ? { image, weight: value?.weight ?? 0.5 } : null)} />
      {value ? (
        <div className="field">
          <label htmlFor="reference-weight">{t("addons.weight")} <output htmlFor="reference-weight">{formatNumber(locale, value.weight, 2)}</output></label>
          <input id="reference-weight" type="range" min={0} max={2} step={0.05} value={value.weight} onChange={(e) => onChange({ ...value, weight: Number(e.target.value) })} />
        </div>
      ) : null}
    </div>
  );
}
