// @vitest-environment happy-dom
// Issue 11 in the browser against the fake API: the workflow library and run page, the LoRA
// manager, the Generate page's LoRA/ControlNet/IP-Adapter panels, plan locks and the admin's shared workflows.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { ExposedField, Generation, Lora, Plan, WorkflowDetail } from "./api/types";
import { emptyForm, setDraft } from "./logic/generateForm";
import { calls, me, models, overrides, plans, render, resetApp, running, settle, uploadControl } from "./testing/fakeApp";

afterEach(resetApp);

const allPlans: Plan[] = [
  { ...plans[0], features: ["generate"] },
  { ...plans[1], features: ["generate", "canvas", "upscale", "workflows"] },
  { ...plans[1], id: "pro", name: "Pro", features: ["generate", "canvas", "upscale", "workflows", "loras", "control"] },
];

function signedInAs(plan: "free" | "starter" | "pro", role = "user") {
  const p = allPlans.find((x) => x.id === plan)!;
  overrides.set("GET /plans", () => ({ status: 200, body: allPlans }));
  overrides.set("GET /me", () => ({ status: 200, body: { ...me, role, totpEnabled: true, plan: { ...me.plan, id: p.id, name: p.name } } }));
}

async function type(page: HTMLElement, selector: string, value: string) {
  const input = page.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector);
  if (!input) throw new Error(`no ${selector}`);
  const proto = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function choose(page: HTMLElement, selector: string, value: string) {
  const select = page.querySelector<HTMLSelectElement>(selector)!;
  await act(async () => {
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

function button(page: HTMLElement, name: string): HTMLButtonElement {
  const found = [...page.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent?.trim() === name || b.getAttribute("aria-label") === name);
  if (!found) throw new Error(`no button "${name}" in: ${page.textContent}`);
  return found;
}

async function click(page: HTMLElement, name: string) {
  await act(async () => button(page, name).click());
  await settle(page);
}

async function pickFile(input: HTMLInputElement, file: File) {
  await act(async () => {
    Object.defineProperty(input, "files", { value: [file], configurable: true });
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

/** Renders and waits for the page's lazily loaded chunk (its heading) and its data. */
async function open(path: string, signedIn: boolean, locale = "en") {
  const page = await render(path, signedIn, locale);
  await until(page, () => page.querySelector("main h1") !== null && !/Loading|불러오는 중/.test(page.textContent ?? ""));
  if (path === "/generate") {
    await until(page, () => page.querySelector("details.addon-section") !== null);
  }
  return page;
}

/** Waits (bounded) until the condition holds: the estimate is asked 300 ms after the last change. */
async function until(page: HTMLElement, condition: () => boolean) {
  for (let i = 0; i < 100 && !condition(); i++) {
    await settle(page, 1);
  }
  expect(condition()).toBe(true);
}

const editorExport = {
  name: "Portrait",
  description: "A face, lit softly",
  nodes: [
    { id: "n1", type: "invocation", data: { id: "n1", type: "string", inputs: { value: { name: "value", label: "Positive prompt", value: "a cat" } } } },
    { id: "n2", type: "invocation", data: { id: "n2", type: "noise", inputs: { width: { name: "width", label: "", value: 512 } } } },
    { id: "n3", type: "invocation", data: { id: "n3", type: "l2i", inputs: {} } },
  ],
  edges: [],
  exposedFields: [{ nodeId: "n1", fieldName: "value" }, { nodeId: "n2", fieldName: "width" }],
};

const fields: ExposedField[] = [
  { nodeId: "n1", field: "value", label: "Positive prompt", type: "string", value: "a cat" },
  { nodeId: "n2", field: "steps", label: "Steps", type: "integer", value: 20, min: 1, max: 50 },
  { nodeId: "n3", field: "tiled", label: "Tiled", type: "boolean", value: false },
  { nodeId: "n4", field: "scheduler", label: "Scheduler", type: "enum", value: "euler", options: ["euler", "ddim"] },
  { nodeId: "n5", field: "model", label: "Main model", type: "model", value: { key: "k", name: "Juggernaut XL", base: "sdxl", type: "main" } },
];

const detail: WorkflowDetail = {
  id: "w1", name: "Portrait", description: "Soft light", shared: false, nodeCount: 7, exposedFields: fields, thumbnailUrl: null,
  createdAt: "2026-12-02T00:00:00Z", updatedAt: "2026-12-02T00:00:00Z", format: "workflow", document: editorExport,
};

describe("workflow library", () => {
  it("uploads an editor export: preview of its fields, name and description, then saves it", async () => {
    signedInAs("starter");
    const saved: unknown[] = [];
    overrides.set("POST /workflows", (call) => { saved.push(call.body); return { status: 201, body: detail }; });
    const page = await open("/workflows", true);
    // The first visit loads the page's chunk.
    await until(page, () => page.textContent?.includes("No workflows yet") === true);
    const file = new File([JSON.stringify(editorExport)], "portrait.json", { type: "application/json" });
    await pickFile(page.querySelector<HTMLInputElement>(".workflow-upload input[type=file]")!, file);
    await settle(page);
    const preview = page.querySelector("[data-testid=workflow-preview]")!;
    expect(preview.textContent).toContain("3 nodes");
    expect([...preview.querySelectorAll(".field-preview li")].map((li) => li.textContent)).toEqual(["Positive prompt (text)", "width (whole number)"]);
    expect(page.querySelector<HTMLInputElement>("#workflow-name")!.value).toBe("Portrait");
    await type(page, "#workflow-name", "My portrait");
    overrides.set("GET /workflows", () => ({ status: 200, body: { items: [{ ...detail, name: "My portrait" }] } }));
    await click(page, "Save workflow");
    expect(saved).toEqual([{ name: "My portrait", description: "A face, lit softly", workflow: editorExport }]);
    const card = page.querySelector("[data-testid=workflow-card]")!;
    expect(card.textContent).toContain("My portrait");
    expect(card.textContent).toContain("7 nodes");
    expect(card.querySelector(".thumb-placeholder")).not.toBeNull();
  });

  it("runs an upload once without saving it, with the edited inputs", async () => {
    signedInAs("starter");
    overrides.set("POST /generations", () => ({ status: 201, body: { ...running, id: "j9", kind: "workflow", prompt: "" } }));
    const page = await open("/workflows", true);
    await pickFile(page.querySelector<HTMLInputElement>(".workflow-upload input[type=file]")!, new File([JSON.stringify(editorExport)], "p.json"));
    await settle(page);
    await click(page, "Run once");
    await type(page, "textarea#input-n1_value", "a lighthouse");
    await type(page, "#input-n2_width", "768");
    await until(page, () => page.querySelector(".workflow-runner .generate-button")?.textContent === "Generate · 4 credits");
    const asked = calls.filter((c) => c.path === "/generations/estimate").at(-1)!.body;
    expect(asked).toEqual({ kind: "workflow", workflow: editorExport, inputs: { "n1.value": "a lighthouse", "n2.width": 768 } });
    await act(async () => page.querySelector<HTMLButtonElement>(".workflow-runner .generate-button")!.click());
    await settle(page);
    expect(calls.find((c) => c.method === "POST" && c.path === "/generations")?.body).toEqual(asked);
    expect(page.querySelector("[data-testid=job-card]")).not.toBeNull();
  });

  it("explains refusals by code: the forbidden node type, too large, not a workflow", async () => {
    signedInAs("starter");
    overrides.set("POST /workflows", () => ({ status: 400, body: { code: "workflow_node_forbidden", nodeType: "custom_python", nodeId: "n2" } }));
    const page = await open("/workflows", true);
    const input = page.querySelector<HTMLInputElement>(".workflow-upload input[type=file]")!;
    await pickFile(input, new File([JSON.stringify(editorExport)], "p.json"));
    await settle(page);
    await click(page, "Save workflow");
    expect(page.querySelector("[role=alert]")?.textContent).toContain("The workflow uses the node “custom_python”, which is not allowed here.");
    overrides.set("POST /workflows", () => ({ status: 400, body: { code: "workflow_too_large" } }));
    await click(page, "Save workflow");
    expect(page.textContent).toContain("The workflow is too large");
    await pickFile(input, new File(["{not json"], "bad.json"));
    await settle(page);
    expect(page.textContent).toContain("This file is not JSON.");
    await pickFile(input, new File([JSON.stringify({ hello: 1 })], "other.json"));
    await settle(page);
    expect(page.textContent).toContain("neither an InvokeAI workflow nor a graph");
  });

  it("deletes my workflow behind a dialog; shared ones carry a badge and no delete", async () => {
    signedInAs("starter");
    const shared = { ...detail, id: "s1", name: "Studio look", shared: true, thumbnailUrl: "/thumb.png" };
    let items = [detail, shared];
    overrides.set("GET /workflows", () => ({ status: 200, body: { items } }));
    overrides.set("DELETE /workflows/w1", () => { items = [shared]; return { status: 204, body: null }; });
    const page = await open("/workflows", true);
    const cards = [...page.querySelectorAll<HTMLElement>("[data-testid=workflow-card]")];
    expect(cards.map((c) => c.dataset.shared)).toEqual(["false", "true"]);
    expect(cards[1].textContent).toContain("Shared");
    expect(cards[1].querySelector("button")).toBeNull();
    await click(page, "Delete Portrait");
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await click(page, "Yes, delete it");
    expect(calls.find((c) => c.method === "DELETE")?.path).toBe("/workflows/w1");
    expect(page.querySelectorAll("[data-testid=workflow-card]")).toHaveLength(1);
  });

  it("is locked on Free with the plan that unlocks it and a link to the plans", async () => {
    signedInAs("free");
    const page = await open("/workflows", true);
    const lock = page.querySelector("[data-testid=feature-lock]")!;
    expect(lock.textContent).toContain("Workflows comes with the Starter plan and above.");
    expect(lock.querySelector("a")?.getAttribute("href")).toBe("/pricing");
    expect(calls.some((c) => c.path === "/workflows")).toBe(false);
  });
});

describe("workflow run page", () => {
  it("builds the form from the exposed fields, prices and submits by workflowId, then sets a result as the thumbnail", async () => {
    signedInAs("starter");
    overrides.set("GET /workflows/w1", () => ({ status: 200, body: detail }));
    const done: Generation = { ...running, id: "j7", status: "succeeded", kind: "workflow", workflowId: "w1", progress: { step: 20, totalSteps: 20, percent: 100 },
      images: [{ id: "img7", url: "/f/img7", thumbnailUrl: "/t7", thumbnail512Url: "/t7", width: 512, height: 512, seed: 1 }], creditsCharged: 4 };
    overrides.set("POST /generations", () => ({ status: 201, body: done }));
    overrides.set("PUT /workflows/w1", (call) => ({ status: 200, body: { ...detail, thumbnailUrl: "/t7", ...(call.body as object) } }));
    const page = await open("/workflows/w1", true);
    expect(page.querySelector("h1")?.textContent).toBe("Portrait");
    expect(page.querySelector("textarea#input-n1_value")).not.toBeNull();
    const steps = page.querySelector<HTMLInputElement>("#input-n2_steps")!;
    expect([steps.type, steps.min, steps.max, steps.value]).toEqual(["number", "1", "50", "20"]);
    expect(page.querySelector<HTMLInputElement>("#input-n3_tiled")!.type).toBe("checkbox");
    expect([...page.querySelectorAll("#input-n4_scheduler option")].map((o) => o.textContent)).toEqual(["euler", "ddim"]);
    expect(page.querySelector("[aria-label='Main model']")?.textContent).toBe("Juggernaut XL");
    await act(async () => page.querySelector<HTMLInputElement>("#input-n3_tiled")!.click());
    await choose(page, "#input-n4_scheduler", "ddim");
    await until(page, () => calls.some((c) => c.path === "/generations/estimate" && (c.body as { inputs: Record<string, unknown> }).inputs["n4.scheduler"] === "ddim"));
    await until(page, () => page.querySelector(".generate-button")?.textContent === "Generate · 4 credits");
    await act(async () => page.querySelector<HTMLButtonElement>(".generate-button")!.click());
    await settle(page);
    expect(calls.find((c) => c.method === "POST" && c.path === "/generations")?.body).toEqual({
      kind: "workflow", workflowId: "w1", inputs: { "n1.value": "a cat", "n2.steps": 20, "n3.tiled": true, "n4.scheduler": "ddim" },
    });
    expect(page.querySelector("[data-testid=job-card]")?.getAttribute("data-status")).toBe("succeeded");
    await click(page, "Use as thumbnail");
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ thumbnailImageId: "img7" });
    expect(button(page, "Thumbnail set").disabled).toBe(true);
  });

  it("says another user's or an unknown workflow is not found", async () => {
    signedInAs("starter");
    overrides.set("GET /workflows/x", () => ({ status: 404, body: { code: "workflow_not_found" } }));
    const page = await open("/workflows/x", true);
    expect(page.textContent).toContain("That workflow does not exist (any more).");
  });
});

const loraSd1: Lora = { id: "l1", name: "Ink style", fileName: "ink.safetensors", family: "sd1", bytes: 151_000_000, sha256: "ab", triggerWords: ["inkdraw"], createdAt: "2026-12-02T00:00:00Z" };
const loraXl: Lora = { ...loraSd1, id: "l2", name: "XL detail", fileName: "xl.safetensors", family: "sdxl", triggerWords: [] };

describe("LoRA manager", () => {
  it("uploads with a progress bar of the bytes sent, then lists the LoRA with its family, size and trigger words", async () => {
    signedInAs("pro");
    let items: Lora[] = [];
    overrides.set("GET /loras", () => ({ status: 200, body: { items, usedBytes: items.length * 151_000_000, quotaBytes: 21474836480 } }));
    overrides.set("POST /loras", () => { items = [loraSd1]; return { status: 201, body: loraSd1 }; });
    let release = () => undefined as void;
    uploadControl.gate = new Promise<void>((resolve) => { release = resolve; });
    const page = await open("/loras", true);
    await until(page, () => page.querySelector("[data-testid=lora-storage]") !== null);
    expect(page.querySelector("[data-testid=lora-storage]")?.textContent).toBe("Storage: 0 byte of 20 GB used");
    await pickFile(page.querySelector<HTMLInputElement>("input[type=file]")!, new File([new Uint8Array(4000)], "ink.safetensors"));
    await type(page, "#lora-name", "Ink style");
    await click(page, "Upload");
    const bar = page.querySelector("[data-testid=lora-upload-progress] [role=progressbar]")!;
    expect(bar.getAttribute("aria-valuenow")).toBe("50");
    expect(page.querySelector("[data-testid=lora-upload-progress]")?.textContent).toContain("50%");
    await act(async () => release());
    await settle(page);
    expect(page.querySelector("[data-testid=lora-upload-progress]")).toBeNull();
    const upload = calls.find((c) => c.path === "/loras" && c.method === "POST")!;
    expect(upload.body).toEqual({ file: "ink.safetensors", name: "Ink style" });
    expect(upload.headers.Authorization).toBe("Bearer a.b.c");
    const row = page.querySelector<HTMLElement>("[data-testid=lora-row]")!;
    expect(row.dataset.family).toBe("sd1");
    expect(row.textContent).toContain("SD 1.5");
    expect(row.textContent).toContain("144 MB");
    expect(row.textContent).toContain("inkdraw");
  });

  it("explains a refused file by its code", async () => {
    signedInAs("pro");
    overrides.set("POST /loras", () => ({ status: 400, body: { code: "not_a_lora" } }));
    const page = await open("/loras", true);
    await pickFile(page.querySelector<HTMLInputElement>("input[type=file]")!, new File([new Uint8Array(10)], "x.safetensors"));
    await click(page, "Upload");
    expect(page.querySelector("[role=alert]")?.textContent).toContain("The file holds no LoRA weights.");
  });

  it("renames, deletes behind a dialog, and explains 409 lora_in_use", async () => {
    signedInAs("pro");
    overrides.set("GET /loras", () => ({ status: 200, body: { items: [loraSd1], usedBytes: loraSd1.bytes, quotaBytes: null } }));
    overrides.set("PATCH /loras/l1", (call) => ({ status: 200, body: { ...loraSd1, ...(call.body as object) } }));
    overrides.set("DELETE /loras/l1", () => ({ status: 409, body: { code: "lora_in_use" } }));
    const page = await open("/loras", true);
    await click(page, "Rename Ink style");
    await type(page, "#lora-rename-l1", "Ink wash");
    await click(page, "Save");
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ name: "Ink wash" });
    await click(page, "Delete Ink style");
    await click(page, "Yes, delete it");
    expect(calls.find((c) => c.method === "DELETE")?.path).toBe("/loras/l1");
    expect(page.querySelector("[role=alert]")?.textContent).toContain("A queued or running job uses this LoRA. Delete it once that job has finished.");
  });

  it("is locked on Starter: Pro and above", async () => {
    signedInAs("starter");
    const page = await open("/loras", true);
    expect(page.querySelector("[data-testid=feature-lock]")?.textContent).toContain("LoRAs comes with the Pro plan and above.");
  });
});

describe("Generate page add-ons", () => {
  it("puts the LoRAs, control images and reference in the estimate and the submit", async () => {
    signedInAs("pro");
    overrides.set("GET /models", () => ({ status: 200, body: models.map((m) => ({ ...m, allowed: true })) }));
    overrides.set("GET /loras", () => ({ status: 200, body: { items: [loraSd1, loraXl], usedBytes: 0, quotaBytes: null } }));
    let uploads = 0;
    overrides.set("POST /uploads", () => ({ status: 201, body: { id: `u${++uploads}`, width: 512, height: 512, format: "png", bytes: 10, createdAt: "2026-12-02T00:00:00Z" } }));
    overrides.set("POST /generations", () => ({ status: 201, body: { ...running, id: "j5" } }));
    const page = await open("/generate", true);
    await type(page, "#prompt", "a lighthouse");
    // The LoRA panel offers only the model's family (SD 1.5).
    const loraSection = page.querySelectorAll<HTMLDetailsElement>("details.addon-section")[0];
    expect([...loraSection.querySelectorAll("#lora-pick option")].map((o) => o.textContent)).toEqual(["Ink style"]);
    await click(page, "Add LoRA");
    expect(page.querySelector<HTMLInputElement>("#lora-weight-0")!.value).toBe("0.75");
    const controlSection = page.querySelectorAll<HTMLDetailsElement>("details.addon-section")[1];
    await pickFile(controlSection.querySelector<HTMLInputElement>("input[type=file]")!, new File([new Uint8Array(8)], "edges.png", { type: "image/png" }));
    await settle(page);
    expect([...page.querySelectorAll("#control-type-0 option")].map((o) => o.textContent)).toEqual(["Edges (Canny)", "Depth", "Pose", "Line art"]);
    await choose(page, "#control-type-0", "depth");
    await type(page, "#control-end-0", "20");
    const referenceSection = page.querySelectorAll<HTMLDetailsElement>("details.addon-section")[2];
    await pickFile(referenceSection.querySelector<HTMLInputElement>("input[type=file]")!, new File([new Uint8Array(8)], "look.png", { type: "image/png" }));
    await settle(page);
    const want = {
      loras: [{ id: "l1", weight: 0.75 }],
      control: [{ imageId: "u1", type: "depth", weight: 1, beginStep: 0, endStep: 20 }],
      reference: { imageId: "u2", weight: 0.5 },
    };
    await until(page, () => {
      const body = calls.filter((c) => c.path === "/generations/estimate").at(-1)?.body as Record<string, unknown> | undefined;
      return body !== undefined && JSON.stringify([body.loras, body.control, body.reference]) === JSON.stringify([want.loras, want.control, want.reference]);
    });
    await until(page, () => !page.querySelector<HTMLButtonElement>(".generate-button")!.disabled);
    await act(async () => page.querySelector<HTMLButtonElement>(".generate-button")!.click());
    await settle(page);
    expect(calls.find((c) => c.method === "POST" && c.path === "/generations")?.body).toMatchObject({ prompt: "a lighthouse", model: "sd-1.5", ...want });
  });

  it("limits the control types to the model's family and explains a LoRA of another family", async () => {
    signedInAs("pro");
    overrides.set("GET /models", () => ({ status: 200, body: models.map((m) => ({ ...m, allowed: true })) }));
    overrides.set("GET /loras", () => ({ status: 200, body: { items: [loraSd1], usedBytes: 0, quotaBytes: null } }));
    overrides.set("POST /uploads", () => ({ status: 201, body: { id: "u1", width: 512, height: 512, format: "png", bytes: 10, createdAt: "2026-12-02T00:00:00Z" } }));
    const page = await open("/generate", true);
    await click(page, "Add LoRA");
    const controlSection = page.querySelectorAll<HTMLDetailsElement>("details.addon-section")[1];
    await pickFile(controlSection.querySelector<HTMLInputElement>("input[type=file]")!, new File([new Uint8Array(8)], "e.png", { type: "image/png" }));
    await settle(page);
    await choose(page, "#control-type-0", "pose");
    await choose(page, "#model", "flux-dev");
    await settle(page);
    expect(page.textContent).toContain("This LoRA is for SD 1.5 models and the selected model is FLUX: remove it or pick a SD 1.5 model.");
    const options = [...page.querySelectorAll<HTMLOptionElement>("#control-type-0 option")].map((o) => [o.textContent, o.disabled]);
    expect(options).toEqual([["Pose", true], ["Edges (Canny)", false], ["Depth", false]]);
    expect(page.textContent).toContain("Pose is not available for FLUX models");
  });

  it("leaves out add-ons the plan lacks (a job used again after a downgrade)", async () => {
    signedInAs("starter");
    setDraft({ ...emptyForm, prompt: "a lighthouse", model: "sd-1.5", loras: [{ id: "l1", weight: 1 }], reference: { image: { id: "u1", previewUrl: "", width: 8, height: 8 }, weight: 0.5 } });
    const page = await open("/generate", true);
    await until(page, () => calls.some((c) => c.path === "/generations/estimate"));
    const body = calls.find((c) => c.path === "/generations/estimate")!.body as Record<string, unknown>;
    expect(body.prompt).toBe("a lighthouse");
    expect(body).not.toHaveProperty("loras");
    expect(body).not.toHaveProperty("reference");
  });

  it("shows the panels locked on Free and Starter with the Pro plan and a link", async () => {
    for (const plan of ["free", "starter"] as const) {
      signedInAs(plan);
      const page = await open("/generate", true);
      const locks = [...page.querySelectorAll("[data-testid=feature-lock]")].map((l) => l.textContent);
      expect(locks).toEqual([
        "Locked: LoRA comes with the Pro plan and above. See plans",
        "Locked: ControlNet comes with the Pro plan and above. See plans",
        "Locked: IP-Adapter comes with the Pro plan and above. See plans",
      ]);
      expect(calls.some((c) => c.path === "/loras")).toBe(false);
      resetApp();
    }
  });
});

describe("admin shared workflows", () => {
  it("lists, uploads with plans, edits plans and deletes", async () => {
    signedInAs("pro", "admin");
    let items = [{ ...detail, id: "s1", name: "Studio look", shared: true, plans: ["starter"] }];
    overrides.set("GET /admin/workflows", () => ({ status: 200, body: { items } }));
    overrides.set("POST /admin/workflows", (call) => ({ status: 201, body: { ...detail, id: "s2", ...(call.body as object) } }));
    overrides.set("PUT /admin/workflows/s1", (call) => { items = [{ ...items[0], ...(call.body as object) }]; return { status: 200, body: items[0] }; });
    overrides.set("DELETE /admin/workflows/s1", () => { items = []; return { status: 204, body: null }; });
    const page = await open("/admin/workflows", true);
    await until(page, () => page.querySelector("[data-testid=shared-workflow-row]") !== null);
    expect(page.querySelector("h1")?.textContent).toBe("Shared workflows");
    const row = page.querySelector<HTMLElement>("[data-testid=shared-workflow-row]")!;
    expect(row.textContent).toContain("Studio look");
    const checks = () => [...row.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
    expect(checks().map((c) => c.checked)).toEqual([false, true, false]);
    expect(button(row, "Save plans").disabled).toBe(true);
    await act(async () => checks()[2].click());
    await click(page, "Save plans");
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ plans: ["starter", "pro"] });

    const newPlans = [...page.querySelectorAll<HTMLInputElement>(".plan-checks")][0].querySelectorAll<HTMLInputElement>("input[type=checkbox]");
    await act(async () => newPlans[1].click());
    await pickFile(page.querySelector<HTMLInputElement>(".workflow-upload input[type=file]")!, new File([JSON.stringify(editorExport)], "p.json"));
    await settle(page);
    expect(page.textContent).not.toContain("Run once");
    await click(page, "Save workflow");
    expect(calls.find((c) => c.method === "POST" && c.path === "/admin/workflows")?.body).toEqual({
      name: "Portrait", description: "A face, lit softly", workflow: editorExport, plans: ["starter"],
    });
    await click(page, "Delete Studio look");
    await click(page, "Yes, delete it");
    expect(calls.find((c) => c.method === "DELETE")?.path).toBe("/admin/workflows/s1");
    expect(page.querySelector("[data-testid=shared-workflow-row]")).toBeNull();
  });
});

describe("header", () => {
  it("reaches Workflows and LoRAs through the More menu", async () => {
    signedInAs("pro");
    const page = await open("/generate", true);
    const more = page.querySelector<HTMLDetailsElement>("details.nav-more")!;
    expect([...more.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")])).toEqual([["Workflows", "/workflows"], ["LoRAs", "/loras"]]);
    await act(async () => more.querySelector<HTMLAnchorElement>("a")!.click());
    await settle(page);
    expect(location.pathname).toBe("/workflows");
    expect(page.querySelector("h1")?.textContent).toBe("Workflows");
  });

  it("is Korean on the new pages", async () => {
    signedInAs("pro");
    overrides.set("GET /loras", () => ({ status: 200, body: { items: [loraSd1], usedBytes: 0, quotaBytes: null } }));
    overrides.set("GET /workflows", () => ({ status: 200, body: { items: [detail] } }));
    for (const path of ["/workflows", "/loras", "/generate"]) {
      const page = await open(path, true, "ko");
      await until(page, () => page.querySelector("h1") !== null);
      const text = (page.textContent ?? "").replace(/Pingvas Studio|Free|Starter|Pro\b|Stable Diffusion 1\.5|FLUX\.1 dev|FLUX|SD 1\.5|English|Portrait|Soft light|Ink style|ink\.safetensors|\.safetensors|inkdraw|JSON|InvokeAI|IP|MB|GB|euler_a|euler|dpmpp_2m_k|dpmpp_2m|dpmpp_sde|ddim|lms|heun|CFG|byte|PNG|WebP|JPEG/g, "");
      expect(text.match(/[A-Za-z]{3,}/g), path).toBeNull();
      resetApp();
    }
  });
});
