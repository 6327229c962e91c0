import { describe, expect, it } from "vitest";

import type { Generation } from "../api/types";
import { activeJobs, mergeJob } from "./jobState";

const job = (status: Generation["status"], extra: Partial<Generation> = {}): Generation => ({
  id: "j1", status, model: "sd-1.5", prompt: "p", negativePrompt: null, width: 64, height: 64, steps: 4, cfgScale: 7,
  scheduler: "euler", seed: 1, batchSize: 1, queuePosition: null, progress: { step: 0, totalSteps: 4, percent: 0 }, images: [],
  gpuSeconds: null, reservedCredits: 1, creditsCharged: null, engine: null, error: null, createdAt: "2026-12-02T00:00:00Z",
  startedAt: null, finishedAt: null, kind: "txt2img", initImageId: null, strength: null, ...extra,
});

describe("merging job states", () => {
  it("takes each new state and keeps the last preview while running", () => {
    const first = mergeJob(undefined, job("running", { preview: "data:a", progress: { step: 1, totalSteps: 4, percent: 25 } }));
    const second = mergeJob(first, job("running", { preview: null, progress: { step: 2, totalSteps: 4, percent: 50 } }));
    expect(second.progress.percent).toBe(50);
    expect(second.preview).toBe("data:a");
  });

  it("ignores an older state that arrives after the final one", () => {
    const done = mergeJob(undefined, job("succeeded"));
    expect(mergeJob(done, job("running")).status).toBe("succeeded");
  });

  it("lets a job that lost its worker go back to the queue", () => {
    expect(mergeJob(job("running"), job("queued", { queuePosition: 2 })).queuePosition).toBe(2);
  });

  it("lists only waiting and running jobs, oldest first", () => {
    const jobs = [
      job("queued", { id: "b", createdAt: "2026-12-02T00:00:02Z" }),
      job("succeeded", { id: "c" }),
      job("running", { id: "a", createdAt: "2026-12-02T00:00:01Z" }),
    ];
    expect(activeJobs(jobs).map((j) => j.id)).toEqual(["a", "b"]);
  });
});
