// Following a generation over SSE: progress, resume with Last-Event-ID after a drop, and the end.
import assert from "node:assert/strict";
import { after, test } from "node:test";

import { ConnectionError, NotFoundError, Pingvas } from "../dist/index.js";
import { fakeSleep, problem, startStub } from "./stub.mjs";

const stubs = [];
after(() => Promise.all(stubs.map((s) => s.close())));

const id = "0195f0c8-0000-7000-8000-00000000000a";
const state = (status, step, extra = {}) => ({ id, status, progress: { step, totalSteps: 4, percent: step * 25 }, images: [], ...extra });

function sse(events, { end = true, keepAlive = false } = {}) {
  return (req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    if (keepAlive) res.write(": keep-alive\n\n");
    for (const [cursor, body] of events) res.write(`id: ${cursor}\nevent: generation\ndata: ${JSON.stringify(body)}\n\n`);
    // Ending the response without a final state is what a dropped stream looks like to the client.
    if (end) res.end();
  };
}

async function clientFor(handlers, options = {}) {
  const stub = await startStub(handlers);
  stubs.push(stub);
  const clock = fakeSleep();
  return { stub, clock, client: new Pingvas({ apiKey: "pv_live_test", baseUrl: stub.baseUrl, retry: { sleep: clock.sleep, random: () => 0.5 }, ...options }) };
}

test("wait() reports every state and resumes with Last-Event-ID after a drop", async () => {
  const { client, stub, clock } = await clientFor([
    sse([["c1", state("queued", 0)], ["c2", state("running", 1)]]),
    sse([["c3", state("running", 2)], ["c4", state("succeeded", 4, { images: [{ id: "img" }] })]], { keepAlive: true }),
  ]);
  const seen = [];
  const final = await client.generations.wait(id, { onProgress: (g) => seen.push(`${g.status}:${g.progress.step}`) });
  assert.equal(final.status, "succeeded");
  assert.deepEqual(final.images, [{ id: "img" }]);
  assert.deepEqual(seen, ["queued:0", "running:1", "running:2", "succeeded:4"]);
  assert.equal(stub.requests[0].url, `/api/v1/generations/${id}/events`);
  assert.equal(stub.requests[0].headers.accept, "text/event-stream");
  assert.equal(stub.requests[0].headers["last-event-id"], undefined);
  assert.equal(stub.requests[1].headers["last-event-id"], "c2");
  assert.deepEqual(clock.waits, [375]);
});

test("events() yields cursors, ignores other event types and stops at the final state", async () => {
  const { client, stub } = await clientFor([
    (req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: other\ndata: {}\n\n");
      res.write(`id: k1\nevent: generation\ndata: ${JSON.stringify(state("cancelled", 1))}\n\n`);
      // The server would close here; this one does not, and the client must not wait for it.
    },
  ]);
  const events = [];
  for await (const event of client.generations.events(id, { lastEventId: "k0" })) events.push(event);
  assert.deepEqual(events.map((e) => [e.id, e.generation.status]), [["k1", "cancelled"]]);
  assert.equal(stub.requests[0].headers["last-event-id"], "k0");
});

test("a refusal of the stream is thrown, not retried", async () => {
  const { client, stub } = await clientFor([problem(404, "not_found")]);
  await assert.rejects(client.generations.wait(id), NotFoundError);
  assert.equal(stub.requests.length, 1);
});

test("a stream that keeps dropping without events gives up after maxRetries", async () => {
  const { client, stub, clock } = await clientFor([sse([]), sse([]), sse([])], { maxRetries: 2 });
  await assert.rejects(client.generations.wait(id), ConnectionError);
  assert.equal(stub.requests.length, 3);
  assert.deepEqual(clock.waits, [375, 750]);
});

test("a silent stream is resumed after the idle timeout", async () => {
  const { client, stub } = await clientFor(
    [sse([["s1", state("running", 1)]], { end: false }), sse([["s2", state("succeeded", 4)]])],
    { streamIdleTimeoutMs: 500 },
  );
  const final = await client.generations.wait(id);
  assert.equal(final.status, "succeeded");
  assert.equal(stub.requests[1].headers["last-event-id"], "s1");
});

test("allEvents() runs until the caller stops, and aborting closes it", async () => {
  const { client, stub } = await clientFor([sse([["a1", state("succeeded", 4)], ["a2", { ...state("queued", 0), id: "other" }]], { end: false })]);
  const controller = new AbortController();
  const ids = [];
  await assert.rejects(
    (async () => {
      for await (const event of client.generations.allEvents({ signal: controller.signal })) {
        ids.push(event.generation.id);
        if (ids.length === 2) controller.abort(new Error("enough"));
      }
    })(),
    /enough/,
  );
  assert.deepEqual(ids, [id, "other"]);
  assert.equal(stub.requests[0].url, "/api/v1/generations/events");
});
