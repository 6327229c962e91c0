// Presets on the Generate form: what a preset fills in, what "Save as preset" keeps, and the model's default.
import type { Model, Preset, PresetSettings } from "../api/types";
import { schedulers, withModel, type GenerateForm } from "./generateForm";

/** The form with the tags field the gallery work adds to it (absent until then). */
export type PresetForm = GenerateForm & { tags?: string[] };

/** What "Save as preset" keeps of the form: the settings, never the prompt, seed or images. */
export function settingsFromForm(form: PresetForm): PresetSettings {
  const settings: PresetSettings = {
    model: form.model === "" ? null : form.model,
    width: form.width,
    height: form.height,
    steps: form.steps,
    cfgScale: form.cfgScale,
    scheduler: form.scheduler,
    negativePrompt: form.negativePrompt.trim() === "" ? null : form.negativePrompt,
  };
  if (form.tags !== undefined && form.tags.length > 0) {
    settings.tags = form.tags;
  }
  return settings;
}

/**
 * The form with a preset's settings: its model first (with that model's defaults, as picking it
 * would), then every field the preset sets. A model the catalogue no longer has is left out; an
 * init image keeps its size.
 */
export function applyPreset<F extends PresetForm>(form: F, settings: PresetSettings, models: Model[], maxSide: number): F {
  const model = settings.model ? models.find((m) => m.id === settings.model) : undefined;
  let next: F = model && model.id !== form.model ? { ...form, ...withModel(form, model, maxSide) } : { ...form };
  if (next.initImage === null) {
    next = { ...next, width: settings.width ?? next.width, height: settings.height ?? next.height };
  }
  next = {
    ...next,
    steps: settings.steps ?? next.steps,
    cfgScale: settings.cfgScale ?? next.cfgScale,
    scheduler: settings.scheduler && (schedulers as readonly string[]).includes(settings.scheduler) ? settings.scheduler : next.scheduler,
    negativePrompt: settings.negativePrompt ?? next.negativePrompt,
  };
  if (settings.tags) {
    next = { ...next, tags: settings.tags };
  }
  return next;
}

/** The fields a preset may change, to tell whether the user changed any since the last automatic fill. */
export function settingsKey(form: PresetForm): string {
  return JSON.stringify([form.width, form.height, form.steps, form.cfgScale, form.scheduler, form.negativePrompt, form.tags ?? []]);
}

/** The shared default preset of a model, if the plan sees one. */
export function defaultPresetFor(presets: Preset[], model: string): Preset | undefined {
  return presets.find((p) => p.shared && p.defaultForModel === model);
}

export function groupPresets(presets: Preset[]): { own: Preset[]; shared: Preset[] } {
  return { own: presets.filter((p) => !p.shared), shared: presets.filter((p) => p.shared) };
}

/** The admin's preset form: text boxes, so a blank one means "the preset does not set this". */
export interface PresetFields {
  name: string;
  model: string;
  width: string;
  height: string;
  steps: string;
  cfgScale: string;
  scheduler: string;
  negativePrompt: string;
  tags: string;
}

export const emptyPresetFields: PresetFields = { name: "", model: "", width: "", height: "", steps: "", cfgScale: "", scheduler: "", negativePrompt: "", tags: "" };

/** The settings of the admin's form: blank fields left out, numbers as typed (the server checks them), tags split on commas. */
export function settingsFromFields(fields: PresetFields): PresetSettings {
  const number = (text: string) => (text.trim() === "" ? null : Number(text));
  const text = (value: string) => (value.trim() === "" ? null : value);
  const tags = fields.tags.split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
  const settings: PresetSettings = {
    model: text(fields.model),
    width: number(fields.width),
    height: number(fields.height),
    steps: number(fields.steps),
    cfgScale: number(fields.cfgScale),
    scheduler: text(fields.scheduler),
    negativePrompt: text(fields.negativePrompt),
  };
  if (tags.length > 0) {
    settings.tags = tags;
  }
  return settings;
}

/** What a preset sets, as (parameter, value) pairs in the order of the form; the page labels them. */
export function settingsEntries(settings: PresetSettings): [PresetParameter, string][] {
  const entries: [PresetParameter, string][] = [];
  const add = (key: PresetParameter, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== "") entries.push([key, String(value)]);
  };
  add("model", settings.model);
  add("size", settings.width && settings.height ? `${settings.width}×${settings.height}` : settings.width ?? settings.height);
  add("steps", settings.steps);
  add("cfgScale", settings.cfgScale);
  add("scheduler", settings.scheduler);
  add("negativePrompt", settings.negativePrompt);
  add("tags", settings.tags && settings.tags.length > 0 ? settings.tags.join(", ") : null);
  return entries;
}

export type PresetParameter = "model" | "size" | "steps" | "cfgScale" | "scheduler" | "negativePrompt" | "tags";
