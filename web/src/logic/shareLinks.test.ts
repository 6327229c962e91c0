import { describe, expect, it } from "vitest";

import { emptyShareForm, shareBody, targetKey } from "./shareLinks";

describe("shareBody", () => {
  const now = new Date("2026-12-02T10:00:00.000Z");

  it("leaves out what the user left empty", () => {
    expect(shareBody({ imageId: "i1" }, emptyShareForm, now)).toEqual({ imageId: "i1" });
  });

  it("sends the password, the expiry from now and the view limit", () => {
    expect(shareBody({ folderId: "f1" }, { password: "open sesame", expiry: "week", maxViews: " 25 " }, now)).toEqual({
      folderId: "f1",
      password: "open sesame",
      expiresAt: "2026-12-09T10:00:00.000Z",
      maxViews: 25,
    });
    expect(shareBody({ imageId: "i1" }, { ...emptyShareForm, expiry: "day" }, now).expiresAt).toBe("2026-12-03T10:00:00.000Z");
    expect(shareBody({ imageId: "i1" }, { ...emptyShareForm, expiry: "month" }, now).expiresAt).toBe("2027-01-01T10:00:00.000Z");
  });

  it("keys a target by its kind", () => {
    expect(targetKey({ imageId: "a" })).toBe("image:a");
    expect(targetKey({ folderId: "a" })).toBe("folder:a");
  });
});
