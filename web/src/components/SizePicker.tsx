import { useLocale } from "../i18n/LocaleContext";
import { sizePresets } from "../logic/sizes";

/** Aspect-ratio presets at the model's size, none beyond the plan's longest side. */
export function SizePicker({ defaultSide, maxSide, width, height, onChange }: {
  defaultSide: number;
  maxSide: number;
  width: number;
  height: number;
  onChange: (width: number, height: number) => void;
}) {
  const { t } = useLocale();
  const presets = sizePresets(defaultSide, maxSide);
  return (
    <fieldset className="size-picker">
      <legend>{t("param.size")}</legend>
      <div className="chips">
        {presets.map((p) => (
          <label key={p.key} className="chip">
            <input type="radio" name="size" checked={p.width === width && p.height === height} onChange={() => onChange(p.width, p.height)} />
            <span>{t(`size.${p.key}`)} <small>{p.width}×{p.height}</small></span>
          </label>
        ))}
      </div>
      <p className="hint">{t("generate.maxSide", { side: maxSide })}</p>
    </fieldset>
  );
}
