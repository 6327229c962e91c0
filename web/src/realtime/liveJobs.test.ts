import { HttpError } from "@microsoft/signalr";
import { describe, expect, it } from "vitest";

import { isUnauthorized } from "./liveJobs";

describe("isUnauthorized", () => {
  it("recognises the hub refusing the token, however the SignalR client reports it", () => {
    expect(isUnauthorized(new HttpError("Unauthorized", 401))).toBe(true);
    // A failed negotiate keeps only the message.
    expect(isUnauthorized(new Error("Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'"))).toBe(true);
  });

  it("leaves other failures to the normal retries", () => {
    expect(isUnauthorized(new HttpError("Service Unavailable", 503))).toBe(false);
    expect(isUnauthorized(new Error("WebSocket closed with status code: 1006"))).toBe(false);
    expect(isUnauthorized(undefined)).toBe(false);
  });
});
