// Small helpers shared by the modules.
import crypto from 'node:crypto';

/** InvokeAI's SQLite timestamps: STRFTIME('%Y-%m-%d %H:%M:%f','NOW'), UTC, milliseconds, no T and no zone. */
export function invokeTimestamp(date = new Date()) {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}

/** Event timestamps: whole seconds (invokeai/app/util/misc.py:get_timestamp). */
export function eventTimestamp() {
  return Math.floor(Date.now() / 1000);
}

export const uuid = () => crypto.randomUUID();

/** FastAPI's response_model_exclude_none=True: null fields are left out, at every depth. */
export function omitNulls(value) {
  if (Array.isArray(value)) return value.map(omitNulls);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = omitNulls(v);
    return out;
  }
  return value;
}

export const clone = (value) => structuredClone(value);

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic pseudo-random generator (mulberry32) for pixels from a seed. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
