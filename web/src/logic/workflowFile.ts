// A workflow file read in the browser before it is sent: which format it is, its name and the
// fields the editor exposed, so the upload can show a preview. The server checks it for real.
import type { ExposedField, ExposedFieldType, WorkflowInputValue } from "../api/types";

export type ReadWorkflow =
  | { ok: true; format: "workflow" | "graph"; document: unknown; name: string; description: string; nodeCount: number; exposedFields: ExposedField[] }
  | { ok: false; reason: "json" | "shape" };

type Json = Record<string, unknown>;

function record(value: unknown): Json | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The field's type as the run form shows it, from the value the editor saved. */
export function fieldType(value: unknown, options: unknown): ExposedFieldType {
  if (Array.isArray(options) && options.length > 0) return "enum";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
  const object = record(value);
  if (object && typeof object.image_name === "string") return "image";
  if (object && (typeof object.key === "string" || typeof object.base === "string")) return "model";
  return "string";
}

function exposedFromEditor(document: Json): ExposedField[] {
  const nodes = Array.isArray(document.nodes) ? document.nodes : [];
  const byId = new Map<string, Json>();
  for (const node of nodes) {
    const data = record(record(node)?.data);
    if (data && typeof data.id === "string") byId.set(data.id, data);
  }
  const exposed = Array.isArray(document.exposedFields) ? document.exposedFields : [];
  return exposed.flatMap((entry): ExposedField[] => {
    const ref = record(entry);
    const nodeId = text(ref?.nodeId);
    const field = text(ref?.fieldName);
    const input = record(record(byId.get(nodeId)?.inputs)?.[field]);
    if (!nodeId || !field || !input) return [];
    const type = fieldType(input.value, input.options);
    return [{ nodeId, field, label: text(input.label) || field, type, value: input.value ?? null, options: Array.isArray(input.options) ? input.options.map(String) : null }];
  });
}

/** Reads an uploaded .json: an InvokeAI editor export (`nodes` as a list) or a queue graph (`nodes` as a map, maybe under `graph`). */
export function readWorkflowFile(source: string): ReadWorkflow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return { ok: false, reason: "json" };
  }
  const document = record(parsed);
  if (document === null) return { ok: false, reason: "shape" };
  if (Array.isArray(document.nodes)) {
    return {
      ok: true, format: "workflow", document, name: text(document.name), description: text(document.description),
      nodeCount: document.nodes.filter((n) => record(n)?.type !== "notes").length, exposedFields: exposedFromEditor(document),
    };
  }
  const graph = record(document.graph) ?? document;
  const nodes = record(graph.nodes);
  if (nodes === null) return { ok: false, reason: "shape" };
  return { ok: true, format: "graph", document, name: "", description: "", nodeCount: Object.keys(nodes).length, exposedFields: [] };
}

export const inputKey = (field: ExposedField) => `${field.nodeId}.${field.field}`;

/** A value the run form can hold: images start empty (the user picks one), models are fixed by the graph. */
export function initialInputs(fields: ExposedField[]): Record<string, WorkflowInputValue> {
  const values: Record<string, WorkflowInputValue> = {};
  for (const field of fields) {
    if (field.type === "model") continue;
    const value = field.value;
    values[inputKey(field)] = field.type === "image" ? null
      : typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value
        : field.type === "boolean" ? false : field.type === "string" || field.type === "enum" ? "" : null;
  }
  return values;
}

/** The `inputs` of the request: what the form holds, without blanks (the graph's own value applies). */
export function toInputs(values: Record<string, WorkflowInputValue>): Record<string, WorkflowInputValue> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null && !(typeof value === "number" && Number.isNaN(value))));
}

/** Prompt-like strings get a textarea. */
export function isPromptLike(field: ExposedField): boolean {
  return /prompt|text|caption|style/i.test(`${field.field} ${field.label}`);
}
