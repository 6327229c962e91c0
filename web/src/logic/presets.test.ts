import { describe, expect, it } from "vitest";

import type { Model, Preset } from "../api/types";
import { emptyForm } from "./generateForm";
import { applyPreset, defaultPresetFor, emptyPresetFields, groupPresets, settingsEntries, settingsFromFields, settingsFromForm, settingsKey } from "./presets";

const sd: Model = {
  id: "sd-1.5", name: "SD", kind: "local", family: "sd1", minPlan: "free", allowed: true, available: true, engine: null,
  defaultSteps: 25, defaultSide: 512, creditsPerImage: null, typicalCredits: 4, description: "",
};
const flux: Model = { ...sd, id: "flux-dev", family: "flux", defaultSteps: 28, defaultSide: 1024 };
const form = { ...emptyForm, prompt: "a fox", model: "sd-1.5", negativePrompt: "blurry" };

describe("applying a preset", () => {
  it("switches to its model with that model's defaults, then sets every field the preset has", () => {
    const next = applyPreset(form, { model: "flux-dev", steps: 12, scheduler: "ddim", tags: ["fox"] }, [sd, flux], 1024);
    expect(next).toMatchObject({ prompt: "a fox", model: "flux-dev", width: 1024, height: 1024, steps: 12, cfgScale: 7, scheduler: "ddim", negativePrompt: "blurry", tags: ["fox"] });
  });

  it("keeps the form's own values for what the preset leaves out, an unknown model and an unknown scheduler", () => {
    const next = applyPreset(form, { model: "gone", scheduler: "warp", width: 640, cfgScale: 4.5, negativePrompt: "dark" }, [sd], 1024);
    expect(next).toMatchObject({ model: "sd-1.5", width: 640, height: 512, steps: 25, cfgScale: 4.5, scheduler: "euler", negativePrompt: "dark" });
    expect(next.tags).toEqual(form.tags);
  });

  it("keeps an init image's size", () => {
    const withImage = { ...form, initImage: { id: "u1", previewUrl: "blob:x", width: 800, height: 600 }, width: 800, height: 600 };
    expect(applyPreset(withImage, { width: 512, height: 512, steps: 9 }, [sd], 1024)).toMatchObject({ width: 800, height: 600, steps: 9 });
  });
});

describe("saving the form as a preset", () => {
  it("keeps the settings, not the prompt, and drops a blank negative prompt", () => {
    expect(settingsFromForm({ ...form, negativePrompt: "  ", tags: ["night"] })).toEqual({
      model: "sd-1.5", width: 512, height: 512, steps: 25, cfgScale: 7, scheduler: "euler", negativePrompt: null, tags: ["night"],
    });
    expect(settingsFromForm(form)).not.toHaveProperty("tags");
  });

  it("tells a changed form from an untouched one by its settings only", () => {
    expect(settingsKey({ ...form, prompt: "other" })).toBe(settingsKey(form));
    expect(settingsKey({ ...form, steps: 26 })).not.toBe(settingsKey(form));
  });
});

describe("the preset list", () => {
  const own: Preset = { id: "p1", name: "Mine", settings: {}, shared: false, defaultForModel: null };
  const shared: Preset = { id: "s1", name: "Flux", settings: { steps: 20 }, shared: true, defaultForModel: "flux-dev" };
  it("groups own and shared presets and finds a model's default among the shared ones", () => {
    expect(groupPresets([own, shared])).toEqual({ own: [own], shared: [shared] });
    expect(defaultPresetFor([own, shared], "flux-dev")).toBe(shared);
    expect(defaultPresetFor([own, shared], "sd-1.5")).toBeUndefined();
  });
});

describe("the admin's preset form", () => {
  it("leaves blank fields out, reads numbers and splits tags on commas", () => {
    const settings = settingsFromFields({ ...emptyPresetFields, name: "x", model: "sd-1.5", steps: "30", cfgScale: "6.5", tags: " fox, , night sky " });
    expect(settings).toEqual({ model: "sd-1.5", width: null, height: null, steps: 30, cfgScale: 6.5, scheduler: null, negativePrompt: null, tags: ["fox", "night sky"] });
    expect(settingsEntries(settings)).toEqual([["model", "sd-1.5"], ["steps", "30"], ["cfgScale", "6.5"], ["tags", "fox, night sky"]]);
    expect(settingsEntries({ width: 640, height: 512 })).toEqual([["size", "640×512"]]);
  });
});
