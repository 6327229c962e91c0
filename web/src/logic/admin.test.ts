import { describe, expect, it } from "vitest";

import { auditChanges } from "./auditDiff";
import { chartMax, chartTicks } from "./chart";
import { cleanCode, cleanRecoveryCode, groupSecret, recoveryFile } from "./totp";

describe("auditChanges", () => {
  it("keeps only the fields that changed, in order, values as text", () => {
    const before = JSON.stringify({ plan: "free", suspended: false, periodStart: "2026-12-01T00:00:00Z", periodEnd: "2026-12-31T00:00:00Z" });
    const after = JSON.stringify({ plan: "starter", suspended: false, periodStart: "2026-12-02T00:00:00Z", periodEnd: "2026-12-31T00:00:00Z" });
    expect(auditChanges(before, after)).toEqual([
      { field: "plan", before: "free", after: "starter" },
      { field: "periodStart", before: "2026-12-01T00:00:00Z", after: "2026-12-02T00:00:00Z" },
    ]);
  });

  it("shows fields present on one side only, and survives missing or non-JSON text", () => {
    expect(auditChanges(JSON.stringify({ balance: 10 }), JSON.stringify({ balance: 15, amount: 5, reason: "thanks" }))).toEqual([
      { field: "balance", before: "10", after: "15" },
      { field: "amount", before: null, after: "5" },
      { field: "reason", before: null, after: "thanks" },
    ]);
    expect(auditChanges(null, "not json")).toEqual([{ field: "value", before: null, after: "not json" }]);
    expect(auditChanges(null, null)).toEqual([]);
  });
});

describe("chartTicks", () => {
  it("labels the newest bar and every 7th back, alternating minor labels, edges anchored inside", () => {
    const ticks = chartTicks(30, 7);
    expect(ticks.map((t) => t.index)).toEqual([1, 8, 15, 22, 29]);
    expect(ticks.map((t) => t.minor)).toEqual([false, true, false, true, false]);
    expect(ticks[0].anchor).toBe("start");
    expect(ticks[2].anchor).toBe("middle");
    expect(ticks[4].anchor).toBe("end");
  });

  it("has no two labels on neighbouring bars (the overlap the old chart had)", () => {
    for (const count of [1, 2, 7, 29, 30, 31]) {
      const indices = chartTicks(count, 7).map((t) => t.index);
      expect(indices.every((index, i) => i === 0 || index - indices[i - 1] >= 7), String(count)).toBe(true);
      expect(indices.at(-1)).toBe(count - 1);
    }
  });

  it("scales to the tallest stacked bar, never zero", () => {
    expect(chartMax([{ values: [3, 4] }, { values: [5] }])).toBe(7);
    expect(chartMax([])).toBe(1);
  });
});

describe("two-step sign-in helpers", () => {
  it("groups the manual key in fours and keeps six digits of a typed code", () => {
    expect(groupSecret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect(groupSecret("ABCDEF")).toBe("ABCD EF");
    expect(cleanCode("12 34-567")).toBe("123456");
    expect(cleanRecoveryCode(" abcde-12345 ")).toBe("ABCDE-12345");
  });

  it("writes the recovery codes file one code a line", () => {
    expect(recoveryFile("Codes", "a@example.com", ["AAAAA-BBBBB", "CCCCC-DDDDD"])).toBe("Codes\na@example.com\n\nAAAAA-BBBBB\nCCCCC-DDDDD\n");
  });
});
