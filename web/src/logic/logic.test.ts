import { describe, expect, it } from "vitest";

import type { LedgerEntry } from "../api/types";
import { emptyForm, fromImage, toRequest } from "./generateForm";
import { sizePresets } from "./sizes";
import { usagePerDay } from "./usage";

describe("size presets", () => {
  it("stay within the plan's longest side, on the 8 px grid", () => {
    const presets = sizePresets(1024, 768);
    expect(presets.every((p) => Math.max(p.width, p.height) <= 768 && p.width % 8 === 0 && p.height % 8 === 0)).toBe(true);
    expect(presets.find((p) => p.key === "square")).toEqual({ key: "square", width: 768, height: 768 });
    expect(presets.find((p) => p.key === "wide")).toEqual({ key: "wide", width: 768, height: 432 });
  });
});

describe("credits used per day", () => {
  const entry = (kind: LedgerEntry["kind"], amount: number, createdAt: string): LedgerEntry =>
    ({ id: createdAt + kind, kind, amount, balanceAfter: 0, reason: null, jobId: null, createdAt });

  it("sums charges less refunds per day and fills empty days", () => {
    const days = usagePerDay([
      entry("charge", -5, "2026-12-02T01:00:00Z"),
      entry("charge", -3, "2026-12-02T02:00:00Z"),
      entry("reserve", -9, "2026-12-02T02:00:00Z"),
      entry("grant", 100, "2026-12-01T00:00:00Z"),
      entry("charge", -4, "2026-11-30T10:00:00Z"),
    ], 4, new Date("2026-12-02T12:00:00Z"));
    expect(days).toEqual([
      { day: "2026-11-29", credits: 0 },
      { day: "2026-11-30", credits: 4 },
      { day: "2026-12-01", credits: 0 },
      { day: "2026-12-02", credits: 8 },
    ]);
  });
});

describe("the Generate form", () => {
  it("sends a blank seed as random and an init image with its strength", () => {
    const request = toRequest({ ...emptyForm, prompt: "p", model: "sd-1.5", initImage: { id: "u1", previewUrl: "", width: 64, height: 64 }, strength: 0.4 });
    expect(request).toMatchObject({ seed: null, initImageId: "u1", strength: 0.4, negativePrompt: null });
    expect(toRequest({ ...emptyForm, prompt: "p", model: "m" })).not.toHaveProperty("initImageId");
  });

  it("uses a gallery image again from its metadata (strings)", () => {
    const form = fromImage(emptyForm, {
      id: "i", generationId: "g", batchIndex: 0, url: "", thumbnailUrl: "", thumbnail512Url: "", width: 512, height: 768, seed: 42,
      model: "sd-1.5", prompt: "a lighthouse", storedBytes: 1, createdAt: "",
      metadata: { steps: "30", cfgScale: "6.5", scheduler: "ddim", negativePrompt: "" },
      negativePrompt: "blurry", folderId: null, starred: false, tags: ["fox", "night"], useCount: 0, deletedAt: null, purgeAt: null,
    });
    expect(form).toMatchObject({ prompt: "a lighthouse", negativePrompt: "blurry", width: 512, height: 768, steps: 30, cfgScale: 6.5, scheduler: "ddim", seed: "42" });
    // "Use again" names its source image (its use count rises) and keeps the image's tags.
    expect(toRequest(form)).toMatchObject({ sourceImageId: "i", tags: ["fox", "night"] });
    expect(toRequest({ ...emptyForm, prompt: "p", model: "m" })).not.toHaveProperty("sourceImageId");
    expect(toRequest({ ...emptyForm, prompt: "p", model: "m" })).not.toHaveProperty("tags");
  });
});
