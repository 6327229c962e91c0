// A fake API and an App rendered into happy-dom, for the page tests (not shipped: only tests import it).
import { act } from "react";
import { createRoot } from "react-dom/client";

import { App } from "../App";
import type { Uploader } from "../api/client";
import type { GalleryImage, Generation, LedgerEntry, Me, Model, Plan } from "../api/types";
import { navigate } from "../router";
import { createServices } from "../services";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export const plans: Plan[] = [
  { id: "free", name: "Free", monthlyPriceCents: 0, annualPriceCents: null, monthlyCredits: 100, unlimitedCredits: false, storageBytes: 1073741824, concurrentJobs: 1, queuePriority: 2, apiCallsPerMonth: 0, maxSide: 1024, maxBatch: 1, features: ["generate"] },
  { id: "starter", name: "Starter", monthlyPriceCents: 2500, annualPriceCents: 25000, monthlyCredits: 5000, unlimitedCredits: false, storageBytes: 21474836480, concurrentJobs: 1, queuePriority: 4, apiCallsPerMonth: 50, maxSide: 1536, maxBatch: 4, features: ["generate", "canvas", "upscale"] },
];
export const me: Me = {
  id: "u1", email: "a@example.com", name: "A", role: "user", createdAt: "2026-12-01T00:00:00Z",
  plan: { id: "free", name: "Free", queuePriority: 2, concurrentJobs: 1, maxSide: 1024, maxBatch: 1, monthlyCredits: 100 },
  credits: { balance: 96, reserved: 4, unlimited: false, periodEnd: "2026-12-31T00:00:00Z" },
};
export const models: Model[] = [
  { id: "sd-1.5", name: "Stable Diffusion 1.5", kind: "local", family: "sd1", minPlan: "free", allowed: true, available: true, engine: "procedural", defaultSteps: 25, defaultSide: 512, creditsPerImage: null, typicalCredits: 4, description: "Fast." },
  { id: "flux-dev", name: "FLUX.1 dev", kind: "local", family: "flux", minPlan: "starter", allowed: false, available: true, engine: "procedural", defaultSteps: 28, defaultSide: 1024, creditsPerImage: null, typicalCredits: 35, description: "Slow." },
];
export const running: Generation = {
  id: "j1", status: "running", model: "sd-1.5", prompt: "a lighthouse", negativePrompt: null, width: 512, height: 512, steps: 20, cfgScale: 7,
  scheduler: "euler", seed: 1, batchSize: 1, queuePosition: null, progress: { step: 5, totalSteps: 20, percent: 25 }, images: [], gpuSeconds: null,
  reservedCredits: 4, creditsCharged: null, engine: "procedural", error: null, createdAt: "2026-12-02T00:00:00Z", startedAt: null, finishedAt: null,
  kind: "txt2img", initImageId: null, strength: null,
};
export const image: GalleryImage = {
  id: "i1", generationId: "j1", batchIndex: 0, url: "/api/v1/files/i1", thumbnailUrl: "/t", thumbnail512Url: "/t5", width: 512, height: 512, seed: 1,
  model: "sd-1.5", prompt: "a lighthouse", storedBytes: 2048, createdAt: "2026-12-02T00:00:00Z", metadata: { steps: "20", scheduler: "euler" },
  negativePrompt: null, folderId: null, starred: false, tags: [], useCount: 0, deletedAt: null, purgeAt: null,
};
export const ledger: LedgerEntry[] = [{ id: "l1", kind: "charge", amount: -3, balanceAfter: 96, reason: "generation", jobId: "j1", createdAt: new Date().toISOString() }];

export interface Call {
  method: string;
  path: string;
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

/** Answers a test sets for "METHOD /path" (a status and body), checked before the defaults. */
export const overrides = new Map<string, (call: Call) => { status: number; body: unknown }>();
/** Answers held back until the promise a test sets for "METHOD /path" settles (data that arrives late). */
export const holds = new Map<string, Promise<void>>();
/** Every call the app made, for assertions. */
export const calls: Call[] = [];

function fakeApi(url: string): unknown {
  const path = url.replace("/api/v1", "").split("?")[0];
  if (path === "/plans") return plans;
  if (path === "/me") return me;
  if (path === "/models") return models;
  if (path === "/generations/estimate") return { credits: 4, allowed: true, problem: null };
  if (path === "/generations") return { items: url.includes("running") ? [running] : [], nextCursor: null };
  if (path === "/images") return { items: [], nextCursor: null };
  if (path === "/images/i1") return image;
  if (path === "/folders") return { items: [] };
  if (path === "/tags") return { items: [] };
  if (path === "/credits/ledger") return { items: ledger, nextCursor: null };
  if (path === "/workflows") return { items: [] };
  if (path === "/presets") return { items: [] };
  if (path === "/loras") return { items: [], usedBytes: 0, quotaBytes: 1073741824 };
  return null;
}

const fetcher = async (url: string, init?: RequestInit) => {
  const call: Call = {
    method: init?.method ?? "GET",
    path: url.replace("/api/v1", "").split("?")[0],
    url,
    body: typeof init?.body === "string" ? JSON.parse(init.body) : null,
    headers: (init?.headers ?? {}) as Record<string, string>,
  };
  calls.push(call);
  await holds.get(`${call.method} ${call.path}`);
  const override = overrides.get(`${call.method} ${call.path}`);
  if (override) {
    const answer = override(call);
    return new Response(answer.body === null ? null : JSON.stringify(answer.body), { status: answer.status, headers: { "Content-Type": "application/json" } });
  }
  const body = fakeApi(url);
  return body === null
    ? new Response(JSON.stringify({ code: "not_found" }), { status: 404 })
    : new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
};

/** Multipart uploads with progress (LoRAs): half the bytes are reported, then `gate` (when a test sets it) is awaited, then all. */
export const uploadControl: { gate: Promise<void> | null } = { gate: null };

const uploader: Uploader = async (url, init) => {
  const file = init.body.get("file");
  const size = file instanceof Blob ? file.size : 0;
  const call: Call = {
    method: "POST", path: url.replace("/api/v1", "").split("?")[0], url, headers: init.headers,
    body: { file: file instanceof File ? file.name : null, name: init.body.get("name") },
  };
  calls.push(call);
  init.onProgress({ loaded: Math.floor(size / 2), total: size });
  if (uploadControl.gate) {
    await uploadControl.gate;
  }
  init.onProgress({ loaded: size, total: size });
  const answer = overrides.get(`POST ${call.path}`)?.(call) ?? { status: 404, body: { code: "not_found" } };
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "Content-Type": "application/json" } });
};

let cleanup: (() => void) | null = null;

/** Unmounts the last rendered app and forgets the fake API's state. */
export function resetApp(): void {
  cleanup?.();
  cleanup = null;
  localStorage.clear();
  overrides.clear();
  holds.clear();
  calls.length = 0;
  uploadControl.gate = null;
}

/** Lets queries answer and the page render their data (bounded). */
export async function settle(container: HTMLElement, rounds = 3): Promise<void> {
  for (let i = 0; i < 50 && (i < rounds || /Loading|불러오는 중/.test(container.textContent ?? "")); i++) {
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  }
}

export async function render(path: string, signedIn: boolean, locale = "en") {
  localStorage.setItem("pingvas.locale", locale);
  if (signedIn) {
    localStorage.setItem("pingvas.session", JSON.stringify({ accessToken: "a.b.c", refreshToken: "r" }));
  }
  navigate(path, true);
  const services = createServices(fetcher, uploader);
  // The hub is not under test here: keep it from dialling out.
  services.live.start = () => undefined;
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => root.render(<App services={services} />));
  await settle(container);
  cleanup = () => {
    act(() => root.unmount());
    container.remove();
  };
  return container;
}

