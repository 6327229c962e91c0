// LoRAs, ControlNet and IP-Adapter on the Generate form: what each model family supports
// (the server's Pingvas.Core/Generation/ControlSupport.cs) and the pieces of the request.
import type { ControlType, ControlUse, LoraUse, Plan, ReferenceUse } from "../api/types";
import type { InitImage } from "./generateForm";

export const maxLoras = 5;
export const maxControls = 3;
export const controlTypes: readonly ControlType[] = ["canny", "depth", "pose", "lineart"];

const support: Record<string, { control: readonly ControlType[]; reference: boolean }> = {
  sd1: { control: ["canny", "depth", "pose", "lineart"], reference: true },
  sdxl: { control: ["canny", "depth", "pose"], reference: true },
  flux: { control: ["canny", "depth"], reference: true },
};

export function controlTypesFor(family: string | undefined): readonly ControlType[] {
  return support[family ?? ""]?.control ?? [];
}

export function referenceSupported(family: string | undefined): boolean {
  return support[family ?? ""]?.reference ?? false;
}

export const familyNames: Record<string, string> = { sd1: "SD 1.5", sdxl: "SDXL", flux: "FLUX" };

export function familyName(family: string): string {
  return familyNames[family] ?? family;
}

export interface LoraChoice {
  id: string;
  weight: number;
}

export interface ControlChoice {
  image: InitImage;
  type: ControlType;
  weight: number;
  beginStep: number;
  /** Null: to the last step. */
  endStep: number | null;
}

export interface ReferenceChoice {
  image: InitImage;
  weight: number;
}

export function loraUses(loras: LoraChoice[]): LoraUse[] {
  return loras.map((l) => ({ id: l.id, weight: l.weight }));
}

export function controlUses(control: ControlChoice[], steps: number): ControlUse[] {
  return control.map((c) => {
    const use: ControlUse = { imageId: c.image.id, type: c.type, weight: c.weight, beginStep: c.beginStep };
    if (c.endStep !== null && c.endStep < steps) {
      use.endStep = c.endStep;
    }
    return use;
  });
}

export function referenceUse(reference: ReferenceChoice): ReferenceUse {
  return { imageId: reference.image.id, weight: reference.weight };
}

/** Whether the user's plan has a feature, by the plan's `features` list. */
export function planHas(plans: Plan[] | undefined, planId: string | undefined, feature: string): boolean | undefined {
  const plan = plans?.find((p) => p.id === planId);
  return plan ? plan.features.includes(feature) : undefined;
}

/** The cheapest plan with a feature, by name (the plans come cheapest first); the contract's default otherwise. */
export function unlockingPlan(plans: Plan[] | undefined, feature: string, fallback: string): string {
  return plans?.find((p) => p.features.includes(feature))?.name ?? fallback;
}

/** A LoRA's trigger words as a list, whichever shape the API gave. */
export function triggerWords(words: string[] | string | null | undefined): string[] {
  const list = Array.isArray(words) ? words : typeof words === "string" ? words.split(",") : [];
  return list.map((w) => w.trim()).filter((w) => w !== "");
}
