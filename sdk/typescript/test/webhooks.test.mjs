// Webhook verification: the Standard Webhooks spec's published vector, and messages signed here
// with node:crypto (an HMAC that is not the SDK's own).
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";

import { signWebhook, verifyWebhook, WebhookVerificationError } from "../dist/index.js";

// From the Standard Webhooks specification's reference libraries.
const vector = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

function newSecret() {
  return "whsec_" + randomBytes(32).toString("base64");
}

function nodeSign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  return "v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}

function signed(secret, body, { id = "msg_abc", timestamp = Math.floor(Date.now() / 1000) } = {}) {
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": nodeSign(secret, id, timestamp, body) };
}

test("the spec's test vector verifies, and signWebhook reproduces its signature", async () => {
  const headers = { "webhook-id": vector.id, "webhook-timestamp": String(vector.timestamp), "webhook-signature": vector.signature };
  const message = await verifyWebhook(vector.secret, headers, vector.body, { now: vector.timestamp });
  assert.deepEqual(message, { test: 2432232314 });
  assert.equal(await signWebhook(vector.secret, vector.id, vector.timestamp, vector.body), vector.signature);
});

test("a message signed with node:crypto verifies, from a plain object, Headers or bytes", async () => {
  const secret = newSecret();
  const body = JSON.stringify({ type: "generation.succeeded", timestamp: new Date().toISOString(), data: { id: "g1", prompt: "펭귄" } });
  const headers = signed(secret, body);
  const parsed = await verifyWebhook(secret, headers, body);
  assert.equal(parsed.type, "generation.succeeded");
  assert.equal(parsed.data.prompt, "펭귄");
  await verifyWebhook(secret, new Headers(headers), new TextEncoder().encode(body));
  const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
  await verifyWebhook(secret, upper, new TextEncoder().encode(body).buffer);
});

test("one matching signature among several is enough (a secret rotation's overlap)", async () => {
  const [old, fresh] = [newSecret(), newSecret()];
  const body = '{"type":"generation.succeeded"}';
  const headers = signed(old, body);
  headers["webhook-signature"] = `v1a,whatever ${nodeSign(fresh, "msg_abc", headers["webhook-timestamp"], body)} ${headers["webhook-signature"]}`;
  await verifyWebhook(old, headers, body);
  await verifyWebhook(fresh, headers, body);
});

test("a tampered body, another secret or a changed id is refused", async () => {
  const secret = newSecret();
  const body = '{"type":"generation.succeeded","data":{"creditsCharged":3}}';
  const headers = signed(secret, body);
  await assert.rejects(verifyWebhook(secret, headers, body.replace("3", "0")), WebhookVerificationError);
  await assert.rejects(verifyWebhook(newSecret(), headers, body), /No matching signature/);
  await assert.rejects(verifyWebhook(secret, { ...headers, "webhook-id": "msg_other" }, body), WebhookVerificationError);
});

test("timestamps more than five minutes away are refused, either way", async () => {
  const secret = newSecret();
  const body = "{}";
  const now = 1_800_000_000;
  await verifyWebhook(secret, signed(secret, body, { timestamp: now - 299 }), body, { now });
  await assert.rejects(verifyWebhook(secret, signed(secret, body, { timestamp: now - 301 }), body, { now }), /too old/);
  await assert.rejects(verifyWebhook(secret, signed(secret, body, { timestamp: now + 301 }), body, { now }), /too new/);
  await assert.rejects(verifyWebhook(secret, signed(secret, body, { timestamp: "12a" }), body, { now }), /Invalid webhook-timestamp/);
});

test("missing headers, a malformed signature or a bad secret are refused", async () => {
  const secret = newSecret();
  const body = "{}";
  const headers = signed(secret, body);
  for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
    const partial = { ...headers };
    delete partial[name];
    await assert.rejects(verifyWebhook(secret, partial, body), /Missing/);
  }
  await assert.rejects(verifyWebhook(secret, { ...headers, "webhook-signature": "v1,not base64!" }, body), WebhookVerificationError);
  await assert.rejects(verifyWebhook(secret, { ...headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,") }, body), WebhookVerificationError);
  await assert.rejects(verifyWebhook("whsec_***", headers, body), /secret/);
});
