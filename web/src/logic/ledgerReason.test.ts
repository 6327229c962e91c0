import { describe, expect, it } from "vitest";

import { ledgerReason, reasonText } from "./ledgerReason";

describe("ledger reasons", () => {
  it("translates the server's known sentences, with their numbers, names and dates", () => {
    expect(reasonText("ko", "Reserved for a generation")).toBe("생성 작업용으로 예약");
    expect(reasonText("ko", "Refund: cancelled before it started")).toBe("환불: 시작 전에 취소됨");
    expect(reasonText("en", "Generation: 1 image(s) via openai")).toBe("Generation: 1 image via openai");
    expect(reasonText("en", "Generation: 3 image(s) via openai")).toBe("Generation: 3 images via openai");
    expect(reasonText("ko", "Generation: 2.5 GPU-seconds")).toBe("생성: GPU 2.5초");
    expect(reasonText("en", "Cancelled while running: 4 GPU-seconds used")).toBe("Cancelled while rendering: 4 GPU seconds used");
    expect(reasonText("ko", "Usage of 1200 credits (unlimited plan)")).toBe("1,200크레딧 사용 (무제한 요금제)");
    expect(reasonText("ko", "Free plan credits for 2026-12-01 – 2026-12-31")).toBe("Free 요금제 크레딧 (2026. 12. 1. ~ 2026. 12. 31.)");
    expect(reasonText("en", "Credits expired (Free plan credits for 2026-11-01 – 2026-12-01)"))
      .toBe("Credits expired (Free plan credits for Nov 1, 2026 – Dec 1, 2026)");
  });

  it("keeps an unknown sentence and an admin's own words as they were sent", () => {
    expect(reasonText("ko", "Something new the server says")).toBe("Something new the server says");
    expect(ledgerReason("ko", { kind: "adjust", reason: "Refund: cancelled before it started" })).toBe("Refund: cancelled before it started");
    expect(ledgerReason("ko", { kind: "release", reason: "Refund: cancelled before it started" })).toBe("환불: 시작 전에 취소됨");
    expect(ledgerReason("en", { kind: "grant", reason: null })).toBe("");
  });
});

describe("model descriptions", () => {
  it("describe the known models in the user's language and keep the catalog's words for others", async () => {
    const { modelDescription } = await import("./modelDescription");
    expect(modelDescription("ko", { id: "sd-1.5", kind: "local", creditsPerImage: null, description: "Fast classic model, 512 px native." })).toBe("빠른 클래식 모델이에요. 기본 512px.");
    expect(modelDescription("en", { id: "nano-banana", kind: "external", creditsPerImage: 1, description: "x" })).toBe("External API model: 1 credit per image.");
    expect(modelDescription("ko", { id: "new-model", kind: "local", creditsPerImage: null, description: "Brand new." })).toBe("Brand new.");
  });
});
