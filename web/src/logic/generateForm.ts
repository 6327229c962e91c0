// The Generate form's state and its translation to the API's request body.
import type { GalleryImage, Generation, GenerationRequest, Model } from "../api/types";
import { controlUses, loraUses, referenceUse, type ControlChoice, type LoraChoice, type ReferenceChoice } from "./addOns";

export const schedulers = ["euler", "euler_a", "dpmpp_2m", "dpmpp_2m_k", "dpmpp_sde", "ddim", "lms", "heun"] as const;

export const maxSeed = 4294967295;

export interface InitImage {
  id: string;
  previewUrl: string;
  width: number;
  height: number;
}

/** A gallery image as a job input: its own id, no copy into the uploads. */
export function galleryInput(image: GalleryImage): InitImage {
  return { id: image.id, previewUrl: image.thumbnail512Url || image.url, width: image.width, height: image.height };
}

export interface GenerateForm {
  prompt: string;
  negativePrompt: string;
  model: string;
  width: number;
  height: number;
  steps: number;
  cfgScale: number;
  scheduler: string;
  /** Blank means a random seed chosen by the server. */
  seed: string;
  batchSize: number;
  /** An upload or a gallery image (the API takes either id); previewUrl is a blob: URL or the image's signed URL. */
  initImage: InitImage | null;
  strength: number;
  /** Pro and above: LoRAs, ControlNet images and an IP-Adapter reference. */
  loras: LoraChoice[];
  control: ControlChoice[];
  reference: ReferenceChoice | null;
  /** Gallery tags for every image of the job. */
  tags: string[];
  /** The gallery image "use again" came from (sent once: its use count rises with the submit). */
  sourceImageId: string | null;
}

export const emptyForm: GenerateForm = {
  prompt: "",
  negativePrompt: "",
  model: "",
  width: 512,
  height: 512,
  steps: 25,
  cfgScale: 7,
  scheduler: "euler",
  seed: "",
  batchSize: 1,
  initImage: null,
  strength: 0.75,
  loras: [],
  control: [],
  reference: null,
  tags: [],
  sourceImageId: null,
};

export function toRequest(form: GenerateForm): GenerationRequest {
  const seed = form.seed.trim() === "" ? null : Number(form.seed);
  const request: GenerationRequest = {
    prompt: form.prompt,
    negativePrompt: form.negativePrompt.trim() === "" ? null : form.negativePrompt,
    model: form.model,
    width: form.width,
    height: form.height,
    steps: form.steps,
    cfgScale: form.cfgScale,
    scheduler: form.scheduler,
    seed: seed !== null && Number.isInteger(seed) ? seed : null,
    batchSize: form.batchSize,
  };
  if (form.initImage !== null) {
    request.initImageId = form.initImage.id;
    request.strength = form.strength;
  }
  if (form.loras.length > 0) {
    request.loras = loraUses(form.loras);
  }
  if (form.control.length > 0) {
    request.control = controlUses(form.control, form.steps);
  }
  if (form.reference !== null) {
    request.reference = referenceUse(form.reference);
  }
  if (form.tags.length > 0) {
    request.tags = form.tags;
  }
  if (form.sourceImageId !== null) {
    request.sourceImageId = form.sourceImageId;
  }
  return request;
}

/** A model's defaults when it is picked: its native size and steps. */
export function withModel(form: GenerateForm, model: Model, maxSide: number): GenerateForm {
  const side = Math.min(model.defaultSide, maxSide);
  return { ...form, model: model.id, width: form.initImage ? form.width : side, height: form.initImage ? form.height : side, steps: model.defaultSteps };
}

/** "Use again": the parameters of a finished job (its seed too, so the same picture can be refined). */
export function fromGeneration(form: GenerateForm, job: Generation): GenerateForm {
  // An img2img job keeps its start image when the form still shows it (its id and strength apply again).
  const sameInit = form.initImage !== null && form.initImage.id === job.initImageId;
  return {
    ...form,
    initImage: sameInit ? form.initImage : null,
    strength: sameInit && job.strength !== null ? job.strength : form.strength,
    prompt: job.prompt,
    negativePrompt: job.negativePrompt ?? "",
    model: job.model,
    width: job.width,
    height: job.height,
    steps: job.steps,
    cfgScale: job.cfgScale,
    scheduler: job.scheduler,
    seed: String(job.seed),
    batchSize: job.batchSize,
    // The job's LoRAs and weights apply again (control and reference images are picked anew: their previews are not at hand).
    loras: job.loras ? job.loras.map((l) => ({ id: l.id, weight: l.weight })) : form.loras,
    sourceImageId: null,
  };
}

/** "Use again" from a gallery image: its metadata holds every parameter it was made with. */
export function fromImage(form: GenerateForm, image: GalleryImage): GenerateForm {
  const m = image.metadata;
  // Every metadata value is a string (it is also written into the PNG's text chunks).
  const num = (key: string, fallback: number) => {
    const value = Number(m[key]);
    return m[key] !== undefined && m[key] !== "" && Number.isFinite(value) ? value : fallback;
  };
  const str = (key: string, fallback: string) => m[key] ?? fallback;
  return {
    ...form,
    prompt: image.prompt,
    negativePrompt: image.negativePrompt ?? str("negativePrompt", ""),
    model: image.model,
    width: image.width,
    height: image.height,
    steps: num("steps", form.steps),
    cfgScale: num("cfgScale", form.cfgScale),
    scheduler: str("scheduler", form.scheduler),
    seed: String(image.seed),
    batchSize: 1,
    tags: image.tags ?? [],
    sourceImageId: image.id,
  };
}

export function randomSeed(random: () => number = Math.random): string {
  return String(Math.floor(random() * (maxSeed + 1)));
}

// A hand-off from other pages (the gallery, a finished job) to the Generate form.
let draft: GenerateForm | null = null;

export function setDraft(form: GenerateForm): void {
  draft = form;
}

export function takeDraft(): GenerateForm | null {
  const taken = draft;
  draft = null;
  return taken;
}

// The same hand-off to the Canvas: the gallery image to paint a mask on.
let canvasDraft: InitImage | null = null;

export function setCanvasDraft(image: InitImage): void {
  canvasDraft = image;
}

export function takeCanvasDraft(): InitImage | null {
  const taken = canvasDraft;
  canvasDraft = null;
  return taken;
}
