// An image's generation parameter as a person reads it: the kind in words, the model by its name,
// the place in the batch counted from 1. Anything else is shown as stored.
import { formatNumber } from "../i18n/format";
import { translate, type Locale, type MessageKey } from "../i18n/i18n";

const kinds: Record<string, MessageKey> = {
  txt2img: "kind.txt2img",
  img2img: "kind.img2img",
  inpaint: "kind.inpaint",
  upscale: "kind.upscale",
  workflow: "kind.workflow",
};

export function parameterValue(locale: Locale, key: string, raw: string, modelName: (id: string) => string | undefined): string {
  if (key === "kind") {
    return kinds[raw] ? translate(locale, kinds[raw]) : raw;
  }
  if (key === "model") {
    return modelName(raw) ?? raw;
  }
  if (key === "batchIndex" && /^\d+$/.test(raw)) {
    return formatNumber(locale, Number(raw) + 1);
  }
  return raw;
}
