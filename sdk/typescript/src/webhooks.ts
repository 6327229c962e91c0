import { WebhookVerificationError } from "./errors.js";
import type { WebhookMessage } from "./types.js";

/** Headers as a fetch `Headers`, or a plain object as Node's `req.headers` (any case; arrays take their first value). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, in seconds (default 300, as the spec suggests). */
  toleranceSeconds?: number;
  /** Now, in Unix seconds (default: the local clock). */
  now?: number;
}

const encoder = new TextEncoder();

/**
 * Verifies a webhook per the Standard Webhooks specification and returns its parsed body. `body`
 * must be the raw body as received (a re-serialised object will not verify). Throws
 * {@link WebhookVerificationError} when a header is missing, the timestamp is outside the tolerance,
 * or no `v1,` signature matches the HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under
 * the secret (`whsec_` + base64). During a secret rotation the server sends several signatures:
 * one match is enough.
 */
export async function verifyWebhook<T = unknown>(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array | ArrayBuffer,
  options: VerifyOptions = {},
): Promise<WebhookMessage<T>> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header.");
  }

  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("Invalid webhook-timestamp.");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  const sent = Number(timestamp);
  if (sent < now - tolerance) throw new WebhookVerificationError("Message timestamp too old.");
  if (sent > now + tolerance) throw new WebhookVerificationError("Message timestamp too new.");

  const bodyBytes = typeof body === "string" ? encoder.encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
  const expected = await sign(secretKey(secret), id, timestamp, bodyBytes);
  let matched = false;
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma === -1 || entry.slice(0, comma) !== "v1") continue;
    const given = decodeBase64(entry.slice(comma + 1));
    // Every entry is compared, in constant time: no early exit tells which one came close.
    if (given !== undefined && constantTimeEqual(given, expected)) matched = true;
  }
  if (!matched) throw new WebhookVerificationError("No matching signature found.");

  try {
    return JSON.parse(new TextDecoder().decode(bodyBytes)) as WebhookMessage<T>;
  } catch {
    throw new WebhookVerificationError("The body is not JSON.");
  }
}

/** `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`: what a sender puts in `webhook-signature`. */
export async function signWebhook(secret: string, id: string, timestamp: number | string, body: string | Uint8Array): Promise<string> {
  const bodyBytes = typeof body === "string" ? encoder.encode(body) : body;
  return "v1," + encodeBase64(await sign(secretKey(secret), id, String(timestamp), bodyBytes));
}

function secretKey(secret: string): Uint8Array {
  const key = decodeBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  if (key === undefined || key.length === 0) throw new WebhookVerificationError("The secret is not whsec_ followed by base64.");
  return key;
}

async function sign(key: Uint8Array, id: string, timestamp: string, body: Uint8Array): Promise<Uint8Array> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  const subtle = globalThis.crypto.subtle;
  const hmac = await subtle.importKey("raw", key as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", hmac, content));
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
