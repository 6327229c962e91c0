// End to end against a real Pingvas server. Skipped unless PINGVAS_BASE_URL is set; the C# runner
// (tests/Pingvas.Server.Tests/Sdk/TypeScriptSdkTests.cs) starts a server with a 200 ms step delay and
// private webhook targets allowed, and passes:
//   PINGVAS_BASE_URL, PINGVAS_API_KEY (every scope), PINGVAS_READ_KEY (read only), PINGVAS_MODEL.
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  Pingvas,
  ValidationError,
  verifyWebhook,
  WebhookVerificationError,
} from "../dist/index.js";

const baseUrl = process.env.PINGVAS_BASE_URL;
const model = process.env.PINGVAS_MODEL ?? "sd-1.5";
const small = { model, width: 64, height: 64, steps: 4, batchSize: 1 };

const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes, prefix) => prefix.every((b, i) => bytes[i] === b);
const isWebP = (bytes) => startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes.slice(8), [0x57, 0x45, 0x42, 0x50]);

/** Polls `condition` every 100 ms until it holds or `ms` pass. */
async function eventually(condition, ms, what) {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("end to end against a Pingvas server", { skip: baseUrl ? false : "PINGVAS_BASE_URL is not set", timeout: 120_000 }, () => {
  let client;

  before(() => {
    client = new Pingvas({ apiKey: process.env.PINGVAS_API_KEY, baseUrl });
  });

  test("lists the models, with the test model allowed and served", async () => {
    const models = await client.models.list();
    const found = models.find((m) => m.id === model);
    assert.ok(found, `${model} in ${models.map((m) => m.id)}`);
    assert.equal(found.allowed, true);
    assert.equal(found.available, true);
  });

  test("submits, waits with progress, downloads and lists", async () => {
    const created = await client.generations.create({ ...small, prompt: "a lighthouse at dusk", seed: 42 });
    assert.equal(created.status, "queued");
    assert.ok(client.rateLimit, "RateLimit-* headers on a key's answer");
    assert.equal(client.rateLimit.limit, 50);
    assert.ok(client.rateLimit.remaining < 50);

    const seen = [];
    const final = await client.generations.wait(created.id, { onProgress: (g) => seen.push(g) });
    assert.equal(final.status, "succeeded", JSON.stringify(final.error));
    assert.ok(seen.some((g) => g.status === "running" && g.progress.step > 0), `progress events: ${seen.map((g) => `${g.status}:${g.progress.step}`)}`);
    assert.equal(seen.at(-1).status, "succeeded");
    assert.equal(final.images.length, 1);

    const imageId = final.images[0].id;
    const original = await client.images.download(imageId);
    assert.ok(original.byteLength > 0 && startsWith(original, png), "the original is a PNG");
    const thumbnail = await client.images.download(imageId, { size: "256" });
    assert.ok(thumbnail.byteLength > 0 && isWebP(thumbnail), "the thumbnail is a WebP");
    const file = join(tmpdir(), `pingvas-sdk-${created.id}.png`);
    try {
      assert.equal(await client.images.downloadToFile(imageId, file), original.byteLength);
      assert.deepEqual(new Uint8Array(await readFile(file)), original);
    } finally {
      await rm(file, { force: true });
    }

    assert.equal((await client.generations.get(created.id)).status, "succeeded");
    const image = await client.images.get(imageId);
    assert.equal(image.generationId, created.id);

    let listed = false;
    for await (const page of client.generations.list({ limit: 1 })) {
      assert.ok(page.items.length <= 1);
      if (page.items.some((g) => g.id === created.id)) {
        listed = true;
        break;
      }
    }
    assert.ok(listed, "the generation is in the list");
    const images = [];
    for await (const page of client.images.list({ limit: 50 })) images.push(...page.items);
    assert.ok(images.some((i) => i.id === imageId), "the image is in the gallery");
  });

  test("a repeated Idempotency-Key returns the first job", async () => {
    const key = `sdk-ts-${Date.now()}`;
    const first = await client.generations.create({ ...small, prompt: "same job" }, { idempotencyKey: key });
    const again = await client.generations.create({ ...small, prompt: "same job" }, { idempotencyKey: key });
    assert.equal(again.id, first.id);
    assert.equal((await client.generations.wait(first.id)).status, "succeeded");
  });

  test("cancels a running job, then finds it by resuming the all-generations stream", async () => {
    const created = await client.generations.create({ ...small, prompt: "a slow one", steps: 40 });
    let cursor;
    for await (const { id, generation } of client.generations.events(created.id)) {
      cursor ??= id;
      // After its first step the run is surely registered with its worker, so the cancel reaches it at once.
      if (generation.status === "running" && generation.progress.step >= 1) break;
    }
    const cancelling = await client.generations.cancel(created.id);
    assert.ok(["running", "cancelled"].includes(cancelling.status), cancelling.status);
    const final = await client.generations.wait(created.id);
    assert.equal(final.status, "cancelled");

    // Resuming from a cursor seen before the cancel replays the job's final state first.
    const replayed = [];
    for await (const { generation } of client.generations.allEvents({ lastEventId: cursor, signal: AbortSignal.timeout(15_000) })) {
      replayed.push(`${generation.id}:${generation.status}`);
      if (generation.id === created.id && generation.status === "cancelled") break;
    }
    assert.equal(replayed.at(-1), `${created.id}:cancelled`);
  });

  test("errors are typed: a read-only key submitting, an unknown id, a bad body, a bad key", async () => {
    const reader = new Pingvas({ apiKey: process.env.PINGVAS_READ_KEY, baseUrl });
    const forbidden = await reader.generations.create({ ...small, prompt: "not allowed" }).catch((e) => e);
    assert.ok(forbidden instanceof PermissionDeniedError, String(forbidden));
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.code, "api_key_scope_missing");
    assert.equal(forbidden.requiredScope, "generate");
    assert.equal(forbidden.problem.code, "api_key_scope_missing");
    assert.ok((await reader.models.list()).length > 0, "the read key may read");

    const missing = await client.generations.get("00000000-0000-7000-8000-000000000000").catch((e) => e);
    assert.ok(missing instanceof NotFoundError);
    assert.equal(missing.code, "not_found");

    const invalid = await client.generations.create({ ...small, prompt: "odd size", width: 65 }).catch((e) => e);
    assert.ok(invalid instanceof ValidationError, String(invalid));
    assert.ok(Object.keys(invalid.errors).some((field) => field.toLowerCase() === "width"), JSON.stringify(invalid.errors));

    const stranger = new Pingvas({ apiKey: "pv_live_000000000000" + "0".repeat(32), baseUrl });
    const unauthorized = await stranger.models.list().catch((e) => e);
    assert.ok(unauthorized instanceof AuthenticationError);
    assert.equal(unauthorized.code, "invalid_api_key");
  });

  describe("webhooks to a receiver on loopback", () => {
    const received = [];
    let receiver;
    let url;

    before(async () => {
      receiver = createServer((req, res) => {
        const chunks = [];
        req.on("data", (chunk) => chunks.push(chunk));
        req.on("end", () => {
          received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(200).end();
        });
      });
      await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${receiver.address().port}/hooks/pingvas`;
    });

    after(() => new Promise((resolve) => receiver.close(resolve)));

    test("registers an endpoint, receives generation.succeeded and verifies it", async () => {
      const endpoint = await client.webhookEndpoints.create({ url, events: ["generation.succeeded"], description: "sdk e2e" });
      assert.match(endpoint.secret, /^whsec_/);
      assert.ok((await client.webhookEndpoints.list()).some((e) => e.id === endpoint.id && e.secret == null));
      assert.equal((await client.webhookEndpoints.get(endpoint.id)).url, url);

      const created = await client.generations.create({ ...small, prompt: "tell me when done" });
      const final = await client.generations.wait(created.id);
      assert.equal(final.status, "succeeded");

      await eventually(() => received.some((r) => JSON.parse(r.body).data?.id === created.id), 30_000, "generation.succeeded at the receiver");
      const message = received.find((r) => JSON.parse(r.body).data?.id === created.id);
      assert.equal(message.path, "/hooks/pingvas");
      const verified = await verifyWebhook(endpoint.secret, message.headers, message.body);
      assert.equal(verified.type, "generation.succeeded");
      assert.equal(verified.data.id, created.id);
      assert.equal(verified.data.status, "succeeded");
      // The raw body as a string verifies too; a changed body does not.
      await verifyWebhook(endpoint.secret, message.headers, message.body.toString("utf8"));
      const tampered = message.body.toString("utf8").replace('"succeeded"', '"failed"');
      await assert.rejects(verifyWebhook(endpoint.secret, message.headers, tampered), WebhookVerificationError);

      // The server records the attempt just after the receiver answered.
      await eventually(async () => {
        for await (const page of client.webhookEndpoints.deliveries(endpoint.id)) {
          if (page.items.some((d) => d.generationId === created.id && d.status === "delivered")) return true;
        }
        return false;
      }, 10_000, "the delivery log shows it delivered");

      const rotated = await client.webhookEndpoints.rotateSecret(endpoint.id, { overlapHours: 0 });
      assert.match(rotated, /^whsec_/);
      assert.notEqual(rotated, endpoint.secret);

      await client.webhookEndpoints.delete(endpoint.id);
      assert.ok(!(await client.webhookEndpoints.list()).some((e) => e.id === endpoint.id));
      await assert.rejects(client.webhookEndpoints.get(endpoint.id), NotFoundError);
    });
  });
});
