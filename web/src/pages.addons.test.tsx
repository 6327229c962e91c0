// @vitest-environment happy-dom
// Issue 11 against the fake API: the LoRA manager, the Generate page's LoRA/ControlNet/IP-Adapter panels, plan locks and the header.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { Lora, WorkflowDetail } from "./api/types";
import { emptyForm, setDraft } from "./logic/generateForm";
import { calls, models, overrides, plans, render, running, resetApp, settle, uploadControl } from "./testing/fakeApp";
import { choose, click, open, pickFile, signedInAs, type, until } from "./testing/pageActions";

afterEach(resetApp);

const detail = { id: "w1", name: "Portrait", description: "Soft light", shared: false, nodeCount: 7, exposedFields: [], thumbnailUrl: null,
  createdAt: "2026-12-02T00:00:00Z", updatedAt: "2026-12-02T00:00:00Z", format: "workflow", document: {} } satisfies WorkflowDetail;

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
    expect(page.querySelector("[data-testid=lora-storage]")?.textContent).toBe("Storage: 0 kB of 20 GB used");
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

describe("header", () => {
  it("reaches Workflows, LoRAs and shared links through the More menu", async () => {
    signedInAs("pro");
    const page = await open("/generate", true);
    const more = page.querySelector<HTMLDetailsElement>("details.nav-more")!;
    expect([...more.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")])).toEqual([["Workflows", "/workflows"], ["LoRAs", "/loras"], ["Shared links", "/shares"], ["Developers", "/developer/keys"]]);
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
      const text = (page.textContent ?? "").replace(/Pingvas Studio|Free|Starter|Pro\b|Stable Diffusion 1\.5|FLUX\.1 dev|FLUX|SD 1\.5|English|Portrait|Soft light|Ink style|ink\.safetensors|\.safetensors|inkdraw|JSON|InvokeAI|IP|kB|MB|GB|euler_a|euler|dpmpp_2m_k|dpmpp_2m|dpmpp_sde|ddim|lms|heun|CFG|byte|PNG|WebP|JPEG/g, "");
      expect(text.match(/[A-Za-z]{3,}/g), path).toBeNull();
      resetApp();
    }
  });
});

describe("pricing", () => {
  it("names the new plan features in words", async () => {
    for (const [locale, words] of [["en", ["Workflows", "Your own LoRAs", "ControlNet and IP-Adapter"]], ["ko", ["워크플로", "내 로라 사용", "컨트롤넷과 IP 어댑터"]]] as const) {
      overrides.set("GET /plans", () => ({ status: 200, body: [{ ...plans[1], id: "pro", name: "Pro", features: ["generate", "workflows", "loras", "control"] }] }));
      const page = await render("/pricing", false, locale);
      const rows = [...page.querySelectorAll(".feature-matrix tbody th")].map((th) => th.textContent);
      expect(rows).toEqual(expect.arrayContaining([...words]));
      resetApp();
    }
  });
});
