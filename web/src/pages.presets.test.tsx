// @vitest-environment happy-dom
// Issue 12 against the fake API: presets on the Generate page and the admin's shared presets.
import { afterEach, describe, expect, it, vi } from "vitest";

import type { AdminPreset, Preset } from "./api/types";
import { calls, holds, overrides, render, resetApp, settle } from "./testing/fakeApp";
import { choose, click, open, signedInAs, type, until } from "./testing/pageActions";

afterEach(resetApp);
// Whole pages with their lazy chunks: slow on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

const mine: Preset = { id: "p1", name: "Wide dusk", settings: { width: 768, height: 512, steps: 40, cfgScale: 5, scheduler: "ddim", negativePrompt: "blurry" }, shared: false, defaultForModel: null };
const sdDefault: Preset = { id: "s1", name: "House style", settings: { steps: 18, cfgScale: 8 }, shared: true, defaultForModel: "sd-1.5" };

const value = (page: HTMLElement, selector: string) => page.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(selector)!.value;

describe("presets on the Generate page", () => {
  it("applies the model's default preset to a fresh form and says so", async () => {
    signedInAs("free");
    overrides.set("GET /presets", () => ({ status: 200, body: { items: [mine, sdDefault] } }));
    const page = await open("/generate", true);
    await until(page, () => value(page, "#steps") === "18");
    expect(value(page, "#cfgScale")).toBe("8");
    expect(page.textContent).toContain("The default preset “House style” for this model was applied.");
    // Own presets first, then the shared ones, each in its group.
    expect([...page.querySelectorAll("#preset optgroup")].map((g) => g.getAttribute("label"))).toEqual(["My presets", "Shared presets"]);
  });

  it("keeps the form closed until the model's default is chosen, so nothing typed before is overwritten", async () => {
    signedInAs("free");
    overrides.set("GET /presets", () => ({ status: 200, body: { items: [sdDefault] } }));
    let release = () => {};
    holds.set("GET /presets", new Promise<void>((resolve) => { release = resolve; }));
    const page = await render("/generate", true);
    try {
      await until(page, () => page.querySelector("#model option") !== null);
      await settle(page);
      const body = page.querySelector<HTMLFieldSetElement>("fieldset.form-body")!;
      expect([value(page, "#model"), value(page, "#steps")]).toEqual(["sd-1.5", "25"]);
      expect([body.disabled, body.getAttribute("aria-busy")]).toEqual([true, "true"]);
    } finally {
      release();
    }
    const body = page.querySelector<HTMLFieldSetElement>("fieldset.form-body")!;
    await until(page, () => !body.disabled);
    expect([value(page, "#steps"), value(page, "#cfgScale"), body.getAttribute("aria-busy")]).toEqual(["18", "8", "false"]);
  });

  it("fills the form from a picked preset and saves the current settings under a name", async () => {
    signedInAs("free");
    overrides.set("GET /presets", () => ({ status: 200, body: { items: [mine] } }));
    overrides.set("POST /presets", (call) => ({ status: 201, body: { id: "p2", shared: false, defaultForModel: null, ...(call.body as object) } }));
    const page = await open("/generate", true, "ko");
    await choose(page, "#preset", "p1");
    await settle(page);
    expect([value(page, "#steps"), value(page, "#cfgScale"), value(page, "#scheduler"), value(page, "#negativePrompt")]).toEqual(["40", "5", "ddim", "blurry"]);

    await type(page, "#steps", "33");
    await click(page, "프리셋으로 저장");
    await type(page, "#preset-name", "  Thirty-three ");
    await click(page, "저장");
    expect(calls.find((c) => c.method === "POST" && c.path === "/presets")?.body).toEqual({
      name: "Thirty-three",
      settings: { model: "sd-1.5", width: 768, height: 512, steps: 33, cfgScale: 5, scheduler: "ddim", negativePrompt: "blurry" },
    });
    expect(page.textContent).toContain("“Thirty-three”(으)로 저장했습니다.");
  });

  it("renames and deletes an own preset, and explains the limit", async () => {
    signedInAs("free");
    let items = [mine];
    overrides.set("GET /presets", () => ({ status: 200, body: { items } }));
    overrides.set("PATCH /presets/p1", (call) => { items = [{ ...mine, ...(call.body as object) }]; return { status: 200, body: items[0] }; });
    overrides.set("DELETE /presets/p1", () => { items = []; return { status: 204, body: null }; });
    overrides.set("POST /presets", () => ({ status: 409, body: { code: "preset_limit", title: "Conflict.", status: 409 } }));
    const page = await open("/generate", true);
    await choose(page, "#preset", "p1");
    await click(page, "Rename");
    expect(value(page, "#preset-name")).toBe("Wide dusk");
    await type(page, "#preset-name", "Wide night");
    await click(page, "Save");
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ name: "Wide night" });
    await until(page, () => page.querySelector("#preset option[value=p1]")?.textContent === "Wide night");

    await click(page, "Save as preset");
    await type(page, "#preset-name", "One more");
    await click(page, "Save");
    expect(page.textContent).toContain("You have 100 presets");

    await click(page, "Cancel");
    await click(page, "Delete");
    const dialog = page.querySelector("dialog")!;
    await click(dialog as HTMLElement, "Delete");
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/presets/p1")).toBe(true);
    await until(page, () => page.querySelector("#preset option[value=p1]") === null);
  });

  it("leaves an edited form alone when the model changes", async () => {
    signedInAs("starter");
    overrides.set("GET /models", () => ({ status: 200, body: [
      { id: "sd-1.5", name: "SD 1.5", kind: "local", family: "sd1", minPlan: "free", allowed: true, available: true, engine: "procedural", defaultSteps: 25, defaultSide: 512, creditsPerImage: null, typicalCredits: 4, description: "" },
      { id: "sdxl-1.0", name: "SDXL", kind: "local", family: "sdxl", minPlan: "starter", allowed: true, available: true, engine: "procedural", defaultSteps: 30, defaultSide: 1024, creditsPerImage: null, typicalCredits: 9, description: "" },
    ] }));
    const xlDefault: Preset = { ...sdDefault, id: "s2", name: "XL style", settings: { steps: 44 }, defaultForModel: "sdxl-1.0" };
    overrides.set("GET /presets", () => ({ status: 200, body: { items: [xlDefault] } }));
    const page = await open("/generate", true);
    await type(page, "#cfgScale", "3");
    await choose(page, "#model", "sdxl-1.0");
    await settle(page);
    expect(value(page, "#steps")).toBe("30");
    expect(page.textContent).not.toContain("XL style” for this model");
  });
});

describe("admin shared presets", () => {
  it("publishes a preset from form fields with plans and a default model, changes and deletes it", async () => {
    signedInAs("pro", "admin");
    let items: AdminPreset[] = [];
    overrides.set("GET /admin/presets", () => ({ status: 200, body: { items } }));
    overrides.set("POST /admin/presets", (call) => {
      items = [{ id: "s1", createdAt: "2026-12-02T00:00:00Z", updatedAt: "2026-12-02T00:00:00Z", ...(call.body as Omit<AdminPreset, "id" | "createdAt" | "updatedAt">) }];
      return { status: 201, body: items[0] };
    });
    overrides.set("PUT /admin/presets/s1", (call) => { items = [{ ...items[0], ...(call.body as object) }]; return { status: 200, body: items[0] }; });
    overrides.set("DELETE /admin/presets/s1", () => { items = []; return { status: 204, body: null }; });
    const page = await open("/admin/presets", true);
    await until(page, () => page.textContent?.includes("No shared presets yet.") === true);

    await type(page, "#preset-name", "House style");
    await choose(page, "#preset-model", "sd-1.5");
    await type(page, "#preset-steps", "18");
    await type(page, "#preset-tags", "fox, night");
    const planBox = [...page.querySelectorAll<HTMLLabelElement>(".admin-preset-form .chip")].find((l) => l.textContent === "Starter")!.querySelector("input")!;
    planBox.click();
    await choose(page, "#preset-default", "sd-1.5");
    await click(page, "Publish preset");
    expect(calls.find((c) => c.method === "POST" && c.path === "/admin/presets")?.body).toEqual({
      name: "House style",
      settings: { model: "sd-1.5", width: null, height: null, steps: 18, cfgScale: null, scheduler: null, negativePrompt: null, tags: ["fox", "night"] },
      planIds: ["starter"],
      defaultForModel: "sd-1.5",
    });
    await until(page, () => page.querySelector("[data-testid=shared-preset-row]") !== null);
    const row = page.querySelector<HTMLElement>("[data-testid=shared-preset-row]")!;
    expect(row.textContent).toContain("Steps18");

    await choose(row, "#default-s1", "");
    await click(row, "Save changes");
    expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({ name: "House style", planIds: ["starter"], defaultForModel: null });
    await click(page, "Delete House style");
    await click(page.querySelector("dialog") as HTMLElement, "Delete");
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/admin/presets/s1")).toBe(true);
  });
});
