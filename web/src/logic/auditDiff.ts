// An audit entry's before → after, readable: the JSON texts parsed and only the changed fields kept.

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

function parse(text: string | null): Record<string, unknown> {
  if (text === null || text === "") {
    return {};
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { value: text };
  }
}

function show(value: unknown): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return value.join(", ");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An object value (a preset's settings) becomes one field per key, `settings.steps`, so each reads on its own line. */
function flatten(record: Record<string, unknown>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        flat[`${key}.${inner}`] = innerValue;
      }
    } else {
      flat[key] = value;
    }
  }
  return flat;
}

/** The fields whose value differs (or appears on one side only), in the order they first appear. */
export function auditChanges(before: string | null, after: string | null): FieldChange[] {
  const a = flatten(parse(before));
  const b = flatten(parse(after));
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return fields
    .filter((field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]))
    .map((field) => ({ field, before: show(a[field]), after: show(b[field]) }));
}
