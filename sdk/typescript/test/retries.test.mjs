// Retries, Retry-After, typed errors and rate-limit headers, against a loopback stub on a fake clock.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import {
  AuthenticationError,
  ConnectionError,
  NotFoundError,
  parseRetryAfter,
  PermissionDeniedError,
  Pingvas,
  PingvasError,
  QuotaExceededError,
  RateLimitError,
  ServerError,
  ValidationError,
} from "../dist/index.js";
import { drop, fakeSleep, json, problem, startStub } from "./stub.mjs";

const stubs = [];
after(() => Promise.all(stubs.map((s) => s.close())));

async function clientFor(handlers, options = {}) {
  const stub = await startStub(handlers);
  stubs.push(stub);
  const clock = fakeSleep();
  const client = new Pingvas({ apiKey: "pv_live_test", baseUrl: stub.baseUrl + "/", retry: { sleep: clock.sleep, random: () => 0.5 }, ...options });
  return { client, stub, clock };
}

const generation = { id: "0195f0c8-0000-7000-8000-000000000001", status: "queued", progress: { step: 0, totalSteps: 4, percent: 0 } };

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-12-01T00:00:00Z");
  assert.equal(parseRetryAfter("7", now), 7);
  assert.equal(parseRetryAfter("Tue, 01 Dec 2026 00:00:30 GMT", now), 30);
  assert.equal(parseRetryAfter("Mon, 30 Nov 2026 00:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test("a submit retried after 429 and 503 keeps its Idempotency-Key and honours Retry-After", async () => {
  const { client, stub, clock } = await clientFor([
    problem(429, "rate_limited", {}, { "retry-after": "2" }),
    problem(503, "unavailable", {}, { "retry-after": "5" }),
    json(202, generation),
  ]);
  const created = await client.generations.create({ prompt: "a lighthouse", model: "sd-1.5" });
  assert.equal(created.id, generation.id);
  assert.deepEqual(clock.waits, [2000, 5000]);
  const keys = stub.requests.map((r) => r.headers["idempotency-key"]);
  assert.equal(keys.length, 3);
  assert.ok(keys[0] && keys.every((k) => k === keys[0]), `one key for every attempt: ${keys}`);
  assert.equal(stub.requests[0].headers.authorization, "Bearer pv_live_test");
  assert.equal(stub.requests[0].url, "/api/v1/generations");
  assert.deepEqual(JSON.parse(stub.requests[0].body), { prompt: "a lighthouse", model: "sd-1.5" });
});

test("two submits send two different Idempotency-Keys; a given one is used as is", async () => {
  const { client, stub } = await clientFor([json(202, generation), json(202, generation), json(202, generation)]);
  await client.generations.create({ model: "sd-1.5", prompt: "a" });
  await client.generations.create({ model: "sd-1.5", prompt: "a" });
  await client.generations.create({ model: "sd-1.5", prompt: "a" }, { idempotencyKey: "mine-1" });
  const [a, b, c] = stub.requests.map((r) => r.headers["idempotency-key"]);
  assert.notEqual(a, b);
  assert.equal(c, "mine-1");
});

test("without Retry-After the waits back off with jitter", async () => {
  const { client, clock } = await clientFor([problem(503, "unavailable"), problem(503, "unavailable"), problem(503, "unavailable"), json(200, generation)]);
  await client.generations.get(generation.id);
  // random() = 0.5: three quarters of 500 ms, 1 s, 2 s.
  assert.deepEqual(clock.waits, [375, 750, 1500]);
});

test("after maxRetries the last error is thrown with its retryAfter", async () => {
  const { client, stub, clock } = await clientFor(
    [problem(429, "rate_limited", {}, { "retry-after": "1" }), problem(429, "rate_limited", {}, { "retry-after": "1" })],
    { maxRetries: 1 },
  );
  const error = await client.generations.get(generation.id).catch((e) => e);
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.status, 429);
  assert.equal(error.code, "rate_limited");
  assert.equal(error.retryAfter, 1);
  assert.equal(stub.requests.length, 2);
  assert.deepEqual(clock.waits, [1000]);
});

test("a quota that resets beyond the longest wait fails at once with its reset time", async () => {
  const resetAt = "2027-01-01T00:00:00Z";
  const { client, stub, clock } = await clientFor([
    problem(429, "api_quota_exceeded", { resetAt, limit: 50 }, { "retry-after": "2419200", "ratelimit-limit": "50", "ratelimit-remaining": "0", "ratelimit-reset": "2419200" }),
  ]);
  const error = await client.generations.create({ model: "sd-1.5", prompt: "x" }).catch((e) => e);
  assert.ok(error instanceof QuotaExceededError);
  assert.ok(error instanceof RateLimitError && error instanceof PingvasError);
  assert.equal(error.resetAt.toISOString(), "2027-01-01T00:00:00.000Z");
  assert.equal(error.limit, 50);
  assert.equal(error.retryAfter, 2419200);
  assert.equal(stub.requests.length, 1);
  assert.deepEqual(clock.waits, []);
  assert.equal(client.rateLimit.limit, 50);
  assert.equal(client.rateLimit.remaining, 0);
  assert.equal(client.rateLimit.resetSeconds, 2419200);
});

test("a Retry-After within maxRetryWaitMs is waited for, a longer one is not", async () => {
  const { client, clock } = await clientFor([problem(429, "rate_limited", {}, { "retry-after": "3" }), json(200, generation)], { maxRetryWaitMs: 3000 });
  await client.generations.get(generation.id);
  assert.deepEqual(clock.waits, [3000]);
  const second = await clientFor([problem(429, "rate_limited", {}, { "retry-after": "4" })], { maxRetryWaitMs: 3000 });
  await assert.rejects(second.client.generations.get(generation.id), RateLimitError);
  assert.deepEqual(second.clock.waits, []);
});

test("a dropped connection is retried for reads and submits, not for other writes", async () => {
  const { client, stub } = await clientFor([drop(), json(200, [{ id: "sd-1.5" }]), drop(), json(202, generation), drop()]);
  assert.deepEqual(await client.models.list(), [{ id: "sd-1.5" }]);
  await client.generations.create({ model: "sd-1.5", prompt: "x" });
  assert.equal(stub.requests[2].headers["idempotency-key"], stub.requests[3].headers["idempotency-key"]);
  const error = await client.webhookEndpoints.create({ url: "https://example.com/h", events: ["generation.succeeded"] }).catch((e) => e);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.status, 0);
  assert.equal(error.code, "connection_error");
  assert.equal(stub.requests.length, 5);
});

test("other statuses are not retried and map to their error classes", async () => {
  const { client, stub } = await clientFor([
    problem(400, "validation_failed", { errors: { prompt: ["too long"] } }),
    problem(401, "invalid_api_key"),
    problem(403, "api_key_scope_missing", { requiredScope: "generate" }),
    problem(404, "not_found"),
    problem(500, "internal_error"),
    (req, res) => res.writeHead(502, { "content-type": "text/html" }).end("<h1>bad gateway</h1>"),
  ]);
  const v = await client.generations.create({ model: "sd-1.5", prompt: "x" }).catch((e) => e);
  assert.ok(v instanceof ValidationError);
  assert.deepEqual(v.errors, { prompt: ["too long"] });
  assert.equal(v.detail, "detail of validation_failed");
  assert.equal(v.title, "Refused.");
  assert.ok((await client.models.list().catch((e) => e)) instanceof AuthenticationError);
  const forbidden = await client.generations.create({ model: "sd-1.5", prompt: "x" }).catch((e) => e);
  assert.ok(forbidden instanceof PermissionDeniedError);
  assert.equal(forbidden.requiredScope, "generate");
  assert.equal(forbidden.problem.code, "api_key_scope_missing");
  assert.ok((await client.images.get("i1").catch((e) => e)) instanceof NotFoundError);
  assert.ok((await client.models.list().catch((e) => e)) instanceof ServerError);
  const gateway = await client.models.list().catch((e) => e);
  assert.ok(gateway instanceof ServerError);
  assert.equal(gateway.code, "http_502");
  assert.equal(gateway.detail, "<h1>bad gateway</h1>");
  assert.equal(stub.requests.length, 6);
});

test("an aborted call rejects with the signal's reason, also during a retry wait", async () => {
  const stub = await startStub([problem(503, "unavailable", {}, { "retry-after": "30" })]);
  stubs.push(stub);
  const client = new Pingvas({ apiKey: "pv_live_test", baseUrl: stub.baseUrl });
  const controller = new AbortController();
  const pending = client.generations.get(generation.id, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 100);
  await assert.rejects(pending, /stop/);
  await assert.rejects(client.models.list({ signal: AbortSignal.abort() }), { name: "AbortError" });
});

test("an attempt that takes longer than timeoutMs is a ConnectionError, retried when safe", async () => {
  const slow = () => () => undefined; // never answers
  const { client, stub, clock } = await clientFor([slow(), json(200, [])], { timeoutMs: 1000 });
  assert.deepEqual(await client.models.list(), []);
  assert.equal(stub.requests.length, 2);
  assert.equal(clock.waits.length, 1);
});

test("query parameters and path parameters are encoded", async () => {
  const { client, stub } = await clientFor([json(200, { items: [], nextCursor: null }), json(200, { id: "a b" })]);
  const pages = [];
  for await (const page of client.images.list({ q: "펭귄 dusk", starred: true, limit: 5, tag: undefined })) pages.push(page);
  assert.equal(pages.length, 1);
  await client.images.get("a b/c");
  assert.equal(stub.requests[0].url, "/api/v1/images?q=%ED%8E%AD%EA%B7%84+dusk&starred=true&limit=5");
  assert.equal(stub.requests[1].url, "/api/v1/images/a%20b%2Fc");
});

test("list pages follow nextCursor until there is none", async () => {
  const { client, stub } = await clientFor([
    json(200, { items: [{ id: "3" }, { id: "2" }], nextCursor: "c2" }),
    json(200, { items: [{ id: "1" }], nextCursor: null }),
  ]);
  const ids = [];
  for await (const page of client.generations.list({ limit: 2, status: "succeeded" })) ids.push(...page.items.map((g) => g.id));
  assert.deepEqual(ids, ["3", "2", "1"]);
  assert.equal(stub.requests[0].url, "/api/v1/generations?limit=2&status=succeeded");
  assert.equal(stub.requests[1].url, "/api/v1/generations?limit=2&status=succeeded&cursor=c2");
});
