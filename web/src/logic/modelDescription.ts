// A model's one-line description in the user's language: the catalog's text is English, so the
// known models are described here by id; an unknown one keeps the catalog's words.
import type { Model } from "../api/types";
import { translate, type Locale, type MessageKey } from "../i18n/i18n";

const known: Record<string, MessageKey> = {
  "sd-1.5": "modelInfo.sd15",
  "sdxl-1.0": "modelInfo.sdxl",
  "flux-dev": "modelInfo.fluxDev",
  "flux-schnell": "modelInfo.fluxSchnell",
};

export function modelDescription(locale: Locale, model: Pick<Model, "id" | "kind" | "creditsPerImage" | "description">): string {
  const key = known[model.id];
  if (key) {
    return translate(locale, key);
  }
  if (model.kind === "external" && model.creditsPerImage !== null) {
    return translate(locale, "modelInfo.external", { count: model.creditsPerImage });
  }
  return model.description;
}
