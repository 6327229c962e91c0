import { describe, expect, it } from "vitest";

import { tokenFromSearch } from "./urlToken";

describe("token from the URL", () => {
  it("reads ?token= and gives back a plus that arrived as a space", () => {
    expect(tokenFromSearch("?token=abc-DEF_123")).toBe("abc-DEF_123");
    expect(tokenFromSearch("?lang=ko&token=ab%2Bc%2F%3D")).toBe("ab+c/=");
    expect(tokenFromSearch("?token=ab+cd")).toBe("ab+cd");
    expect(tokenFromSearch("?token=%20abc%20")).toBe("abc");
  });

  it("is null without a token", () => {
    expect(tokenFromSearch("")).toBeNull();
    expect(tokenFromSearch("?token=")).toBeNull();
    expect(tokenFromSearch("?other=1")).toBeNull();
  });
});
