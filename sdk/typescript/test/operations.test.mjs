// The operations table: one entry a line in the shared shape, the fixed operationIds, and the only
// place the client's code names an API path.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { operations } from "../dist/index.js";

const source = readFileSync(new URL("../src/operations.ts", import.meta.url), "utf8");
const line = /^ {2}(\w+): \["(GET|POST|DELETE|PATCH|PUT)", "(\/api\/v1\/[^"]*)"\],$/gm;

const fixed = {
  createGeneration: ["POST", "/api/v1/generations"],
  listGenerations: ["GET", "/api/v1/generations"],
  getGeneration: ["GET", "/api/v1/generations/{id}"],
  cancelGeneration: ["POST", "/api/v1/generations/{id}/cancel"],
  estimateGeneration: ["POST", "/api/v1/generations/estimate"],
  streamGenerationEvents: ["GET", "/api/v1/generations/{id}/events"],
  streamAllGenerationEvents: ["GET", "/api/v1/generations/events"],
  listModels: ["GET", "/api/v1/models"],
  listImages: ["GET", "/api/v1/images"],
  getImage: ["GET", "/api/v1/images/{id}"],
  getImageContent: ["GET", "/api/v1/images/{id}/content"],
  listWebhookEndpoints: ["GET", "/api/v1/webhook-endpoints"],
  createWebhookEndpoint: ["POST", "/api/v1/webhook-endpoints"],
  getWebhookEndpoint: ["GET", "/api/v1/webhook-endpoints/{id}"],
  deleteWebhookEndpoint: ["DELETE", "/api/v1/webhook-endpoints/{id}"],
  rotateWebhookEndpointSecret: ["POST", "/api/v1/webhook-endpoints/{id}/rotate-secret"],
  listWebhookDeliveries: ["GET", "/api/v1/webhook-endpoints/{id}/deliveries"],
};

test("the source lines parse with the shared regex to exactly the table the client uses", () => {
  const parsed = Object.fromEntries([...source.matchAll(line)].map((m) => [m[1], [m[2], m[3]]]));
  assert.deepEqual(parsed, { ...operations });
});

test("the table holds the fixed operationIds with their methods and paths", () => {
  assert.deepEqual({ ...operations }, fixed);
});

test("no other source file has an API path in a string", () => {
  const dir = new URL("../src/", import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "operations.ts")) {
    assert.doesNotMatch(readFileSync(new URL(file, dir), "utf8"), /["'`]\/api\//, file);
  }
});
