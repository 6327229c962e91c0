import { describe, expect, it } from "vitest";

import { controlTypesFor, controlUses, referenceSupported, triggerWords } from "./addOns";
import { emptyForm, fromGeneration, toRequest } from "./generateForm";
import { initialInputs, readWorkflowFile, toInputs } from "./workflowFile";
import { running } from "../testing/fakeApp";

describe("workflow files", () => {
  it("reads an editor export: name, description, nodes without notes, exposed fields typed from their values", () => {
    const read = readWorkflowFile(JSON.stringify({
      name: "W", description: "D",
      nodes: [
        { type: "invocation", data: { id: "a", inputs: { prompt: { label: "Prompt", value: "x" }, cfg: { value: 7.5 }, steps: { value: 30 }, tiled: { value: true }, image: { value: { image_name: "i.png" } }, model: { value: { key: "k", base: "sd-1" } } } } },
        { type: "notes", data: { id: "n" } },
      ],
      exposedFields: ["prompt", "cfg", "steps", "tiled", "image", "model", "missing"].map((fieldName) => ({ nodeId: "a", fieldName })),
    }));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect([read.format, read.name, read.description, read.nodeCount]).toEqual(["workflow", "W", "D", 1]);
    expect(read.exposedFields.map((f) => [f.label, f.type])).toEqual([
      ["Prompt", "string"], ["cfg", "float"], ["steps", "integer"], ["tiled", "boolean"], ["image", "image"], ["model", "model"],
    ]);
    // Images start empty, models are not inputs.
    expect(initialInputs(read.exposedFields)).toEqual({ "a.prompt": "x", "a.cfg": 7.5, "a.steps": 30, "a.tiled": true, "a.image": null });
  });

  it("reads a queue graph, bare or under `graph`, and refuses what is neither", () => {
    const graph = { nodes: { a: { type: "string" }, b: { type: "l2i" } }, edges: [] };
    expect(readWorkflowFile(JSON.stringify(graph))).toMatchObject({ ok: true, format: "graph", nodeCount: 2 });
    expect(readWorkflowFile(JSON.stringify({ graph }))).toMatchObject({ ok: true, format: "graph", nodeCount: 2 });
    expect(readWorkflowFile("{")).toEqual({ ok: false, reason: "json" });
    expect(readWorkflowFile("[1]")).toEqual({ ok: false, reason: "shape" });
    expect(readWorkflowFile(JSON.stringify({ nodes: 3 }))).toEqual({ ok: false, reason: "shape" });
  });

  it("leaves blanks out of the inputs (the graph's own value applies)", () => {
    expect(toInputs({ "a.x": null, "a.y": Number.NaN, "a.z": 0, "a.w": "" })).toEqual({ "a.z": 0, "a.w": "" });
  });
});

describe("add-ons", () => {
  it("follows the server's support matrix per family", () => {
    expect(controlTypesFor("sd1")).toEqual(["canny", "depth", "pose", "lineart"]);
    expect(controlTypesFor("sdxl")).toEqual(["canny", "depth", "pose"]);
    expect(controlTypesFor("flux")).toEqual(["canny", "depth"]);
    expect(controlTypesFor("other")).toEqual([]);
    expect(referenceSupported("flux")).toBe(true);
    expect(referenceSupported(undefined)).toBe(false);
  });

  it("puts the add-ons in the request only when chosen, and \"use again\" brings a job's LoRAs back", () => {
    const plain = toRequest({ ...emptyForm, prompt: "p", model: "m" });
    expect(plain).not.toHaveProperty("loras");
    expect(plain).not.toHaveProperty("control");
    expect(plain).not.toHaveProperty("reference");
    const again = fromGeneration(emptyForm, { ...running, loras: [{ id: "l1", weight: -0.5 }] });
    expect(toRequest(again).loras).toEqual([{ id: "l1", weight: -0.5 }]);
  });

  it("reads trigger words as a list or a comma-separated string", () => {
    expect(triggerWords(["a", " b "])).toEqual(["a", "b"]);
    expect(triggerWords("ink, wash,")).toEqual(["ink", "wash"]);
    expect(triggerWords(null)).toEqual([]);
  });

  it("sends the end step only when it stops before the last step", () => {
    const image = { id: "u1", previewUrl: "", width: 8, height: 8 };
    expect(controlUses([{ image, type: "canny", weight: 1, beginStep: 0, endStep: null }, { image, type: "depth", weight: 0.5, beginStep: 2, endStep: 25 }, { image, type: "pose", weight: 1, beginStep: 0, endStep: 10 }], 25))
      .toEqual([
        { imageId: "u1", type: "canny", weight: 1, beginStep: 0 },
        { imageId: "u1", type: "depth", weight: 0.5, beginStep: 2 },
        { imageId: "u1", type: "pose", weight: 1, beginStep: 0, endStep: 10 },
      ]);
  });
});
