import { describe, expect, it } from "vitest";

import type { Notice } from "../api/types";
import { noticeText, shownNotices } from "./notices";

const notice = (kind: string, data: Record<string, unknown> | null = null): Notice => ({ id: kind, kind, createdAt: "2026-12-02T00:00:00Z", data });

describe("notices", () => {
  it("shows the credit notices only (the address has its own banner, unknown kinds wait for words)", () => {
    const list = [notice("credits_low"), notice("verify_email"), notice("credits_exhausted"), notice("something_new")];
    expect(shownNotices(list).map((n) => n.kind)).toEqual(["credits_low", "credits_exhausted"]);
  });

  it("says how many credits are left when the server sends the balance", () => {
    expect(noticeText("en", notice("credits_low", { balance: 480 }))).toBe("Your credits are running low: 480 credits left.");
    expect(noticeText("en", notice("credits_low", { balance: "480" }))).toBe("Your credits are running low.");
    expect(noticeText("ko", notice("credits_low", { balance: 1200 }))).toBe("크레딧이 얼마 남지 않았습니다. 남은 크레딧: 1,200크레딧");
    expect(noticeText("en", notice("credits_exhausted"))).toBe("You have used all your credits.");
    expect(noticeText("en", notice("credits_exhausted", { balance: 0, monthlyCredits: 100, periodEnd: "2026-12-31T12:00:00Z" })))
      .toMatch(/^You have used all your credits\. Your plan's credits renew on Dec 31, 2026/);
  });
});
