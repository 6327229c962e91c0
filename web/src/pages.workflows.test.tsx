// @vitest-environment happy-dom
// Issue 11 against the fake API: the workflow library, upload and run page, and the admin's shared workflows.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { ExposedField, Generation, WorkflowDetail } from "./api/types";
import { calls, overrides, running, resetApp, settle } from "./testing/fakeApp";
import { button, choose, click, open, pickFile, signedInAs, type, until } from "./testing/pageActions";

afterEach(resetApp);

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

