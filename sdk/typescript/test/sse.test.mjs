// The event-stream parser, fed as a network would: in arbitrary chunks, with every line ending.
import assert from "node:assert/strict";
import { test } from "node:test";

import { EventStreamParser, readServerSentEvents, StreamIdleError } from "../dist/index.js";

function streamOf(chunks) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect(stream, options) {
  const events = [];
  for await (const event of readServerSentEvents(stream, options)) events.push(event);
  return events;
}

test("parses id, event and data, and skips comments", () => {
  const parser = new EventStreamParser();
  const events = parser.push(": keep-alive\n\nid: c1\nevent: generation\ndata: {\"a\":1}\n\n");
  assert.deepEqual(events, [{ id: "c1", event: "generation", data: '{"a":1}' }]);
});

test("joins data lines with LF and defaults the type to message", () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push("data: one\ndata:two\ndata\n\n"), [{ id: "", event: "message", data: "one\ntwo\n" }]);
});

test("keeps the last id for later events and ignores an id with NUL", () => {
  const parser = new EventStreamParser();
  const events = parser.push("id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n");
  assert.deepEqual(events.map((e) => e.id), ["7", "7", "7"]);
});

test("drops an event with no data, and resets the type after each dispatch", () => {
  const parser = new EventStreamParser();
  const events = parser.push("event: generation\n\ndata: plain\n\n");
  assert.deepEqual(events, [{ id: "", event: "message", data: "plain" }]);
});

test("handles CRLF, CR and LF, including a CRLF split across chunks", async () => {
  const events = await collect(streamOf(["id: 1\r", "\nevent: generation\rdata: x\r\n", "\r", "\ndata: y\n\n"]));
  assert.deepEqual(events, [
    { id: "1", event: "generation", data: "x" },
    { id: "1", event: "message", data: "y" },
  ]);
});

test("decodes UTF-8 split inside a character and drops a leading BOM", async () => {
  const bytes = new TextEncoder().encode("\uFEFFdata: 펭귄\n\n");
  const events = await collect(streamOf([bytes.slice(0, 9), bytes.slice(9, 11), bytes.slice(11)]));
  assert.deepEqual(events, [{ id: "", event: "message", data: "펭귄" }]);
});

test("reads the retry field and ignores unknown fields", () => {
  const parser = new EventStreamParser();
  assert.deepEqual(parser.push("retry: 1500\nfoo: bar\ndata: z\n\n"), [{ id: "", event: "message", data: "z", retry: 1500 }]);
});

test("an event cut off by the end of the stream is not dispatched", async () => {
  const events = await collect(streamOf(["data: whole\n\n", "data: cut"]));
  assert.deepEqual(events.map((e) => e.data), ["whole"]);
});

test("stopping the iteration cancels the body", async () => {
  let cancelled = false;
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("data: 1\n\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const event of readServerSentEvents(stream)) {
    assert.equal(event.data, "1");
    break;
  }
  assert.equal(cancelled, true);
});

test("a silent stream fails with StreamIdleError", async () => {
  const stream = new ReadableStream({ start() {} });
  await assert.rejects(collect(stream, { idleTimeoutMs: 50 }), StreamIdleError);
});
