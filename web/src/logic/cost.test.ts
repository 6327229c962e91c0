import { describe, expect, it } from "vitest";

import type { Estimate } from "../api/types";
import { formatCredits } from "../i18n/format";
import { balanceAfter, canSubmit, generateButtonLabel, type EstimateState } from "./cost";

const priced = (credits: number | null, allowed = true): Estimate => ({ credits, allowed, problem: allowed ? null : { status: 402, code: "insufficient_credits" } });

describe("the Generate button's price", () => {
  it("shows the estimated credits on the button", () => {
    expect(generateButtonLabel("en", { state: "ready", estimate: priced(12) }, false)).toBe("Generate · 12 credits");
    expect(generateButtonLabel("en", { state: "ready", estimate: priced(1) }, false)).toBe("Generate · 1 credit");
    expect(generateButtonLabel("ko", { state: "ready", estimate: priced(1234) }, false)).toBe("생성하기 · 1,234크레딧");
  });

  it("keeps the last price while a new one loads, so the label does not flicker", () => {
    const loading: EstimateState = { state: "loading", previous: priced(7) };
    expect(generateButtonLabel("en", loading, false)).toBe("Generate · 7 credits");
    expect(generateButtonLabel("en", { state: "loading", previous: null }, false)).toBe("Generate");
  });

  it("says Generate alone when the request cannot be priced", () => {
    expect(generateButtonLabel("en", { state: "idle" }, false)).toBe("Generate");
    expect(generateButtonLabel("en", { state: "failed" }, false)).toBe("Generate");
    expect(generateButtonLabel("en", { state: "ready", estimate: priced(null, false) }, false)).toBe("Generate");
  });

  it("marks the price as included on an unlimited plan", () => {
    expect(generateButtonLabel("en", { state: "ready", estimate: priced(30) }, true)).toBe("Generate · 30 credits (included in your plan)");
  });

  it("submits only a priced, allowed request (or when pricing itself failed)", () => {
    expect(canSubmit({ state: "ready", estimate: priced(5) })).toBe(true);
    expect(canSubmit({ state: "ready", estimate: priced(500, false) })).toBe(false);
    expect(canSubmit({ state: "loading", previous: priced(5) })).toBe(false);
    expect(canSubmit({ state: "idle" })).toBe(false);
    expect(canSubmit({ state: "failed" })).toBe(true);
  });

  it("tells the balance left after the job, not on unlimited plans", () => {
    expect(balanceAfter(100, { state: "ready", estimate: priced(12) }, false)).toBe(88);
    expect(balanceAfter(100, { state: "ready", estimate: priced(12) }, true)).toBeNull();
    expect(balanceAfter(null, { state: "ready", estimate: priced(12) }, false)).toBeNull();
  });

  it("formats credits per locale", () => {
    expect(formatCredits("en", 15000)).toBe("15,000 credits");
    expect(formatCredits("ko", 15000)).toBe("15,000크레딧");
  });
});
