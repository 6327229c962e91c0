// @vitest-environment happy-dom
// Every page rendered against a fake API in a DOM: no render error, and the page's own words on screen.
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";

import { App } from "./App";
import type { GalleryImage, Generation, LedgerEntry, Me, Model, Plan } from "./api/types";
import { navigate } from "./router";
import { createServices } from "./services";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const plans: Plan[] = [
  { id: "free", name: "Free", monthlyPriceCents: 0, annualPriceCents: null, monthlyCredits: 100, unlimitedCredits: false, storageBytes: 1073741824, concurrentJobs: 1, queuePriority: 2, apiCallsPerMonth: 0, maxSide: 1024, maxBatch: 1, features: ["generate"] },
  { id: "starter", name: "Starter", monthlyPriceCents: 2500, annualPriceCents: 25000, monthlyCredits: 5000, unlimitedCredits: false, storageBytes: 21474836480, concurrentJobs: 1, queuePriority: 4, apiCallsPerMonth: 50, maxSide: 1536, maxBatch: 4, features: ["generate", "canvas", "upscale"] },
];
const me: Me = {
  id: "u1", email: "a@example.com", name: "A", role: "user", createdAt: "2026-12-01T00:00:00Z",
  plan: { id: "free", name: "Free", queuePriority: 2, concurrentJobs: 1, maxSide: 1024, maxBatch: 1, monthlyCredits: 100 },
  credits: { balance: 96, reserved: 4, unlimited: false, periodEnd: "2026-12-31T00:00:00Z" },
};
const models: Model[] = [
  { id: "sd-1.5", name: "Stable Diffusion 1.5", kind: "local", family: "sd1", minPlan: "free", allowed: true, available: true, engine: "procedural", defaultSteps: 25, defaultSide: 512, creditsPerImage: null, typicalCredits: 4, description: "Fast." },
  { id: "flux-dev", name: "FLUX.1 dev", kind: "local", family: "flux", minPlan: "starter", allowed: false, available: true, engine: "procedural", defaultSteps: 28, defaultSide: 1024, creditsPerImage: null, typicalCredits: 35, description: "Slow." },
];
const running: Generation = {
  id: "j1", status: "running", model: "sd-1.5", prompt: "a lighthouse", negativePrompt: null, width: 512, height: 512, steps: 20, cfgScale: 7,
  scheduler: "euler", seed: 1, batchSize: 1, queuePosition: null, progress: { step: 5, totalSteps: 20, percent: 25 }, images: [], gpuSeconds: null,
  reservedCredits: 4, creditsCharged: null, engine: "procedural", error: null, createdAt: "2026-12-02T00:00:00Z", startedAt: null, finishedAt: null,
  kind: "txt2img", initImageId: null, strength: null,
};
const image: GalleryImage = {
  id: "i1", generationId: "j1", batchIndex: 0, url: "/api/v1/files/i1", thumbnailUrl: "/t", thumbnail512Url: "/t5", width: 512, height: 512, seed: 1,
  model: "sd-1.5", prompt: "a lighthouse", storedBytes: 2048, createdAt: "2026-12-02T00:00:00Z", metadata: { steps: "20", scheduler: "euler" },
};
const ledger: LedgerEntry[] = [{ id: "l1", kind: "charge", amount: -3, balanceAfter: 96, reason: "generation", jobId: "j1", createdAt: new Date().toISOString() }];

function fakeApi(url: string): unknown {
  const path = url.replace("/api/v1", "").split("?")[0];
  if (path === "/plans") return plans;
  if (path === "/me") return me;
  if (path === "/models") return models;
  if (path === "/generations/estimate") return { credits: 4, allowed: true, problem: null };
  if (path === "/generations") return { items: url.includes("running") ? [running] : [], nextCursor: null };
  if (path === "/images") return { items: [], nextCursor: null };
  if (path === "/images/i1") return image;
  if (path === "/credits/ledger") return { items: ledger, nextCursor: null };
  return null;
}

const fetcher = async (url: string) => {
  const body = fakeApi(url);
  return body === null
    ? new Response(JSON.stringify({ code: "not_found" }), { status: 404 })
    : new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
};

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
  localStorage.clear();
});

async function render(path: string, signedIn: boolean, locale = "en") {
  localStorage.setItem("pingvas.locale", locale);
  if (signedIn) {
    localStorage.setItem("pingvas.session", JSON.stringify({ accessToken: "a.b.c", refreshToken: "r" }));
  }
  navigate(path, true);
  const services = createServices(fetcher);
  // The hub is not under test here: keep it from dialling out.
  services.live.start = () => undefined;
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container);
  await act(async () => root.render(<App services={services} />));
  // Let the queries answer and the page render their data (bounded).
  for (let i = 0; i < 50 && (i < 3 || /Loading|불러오는 중/.test(container.textContent ?? "")); i++) {
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
  }
  cleanup = () => {
    act(() => root.unmount());
    container.remove();
  };
  return container;
}

describe("pages", () => {
  it.each([
    ["/", false, "Images from words, in seconds"],
    ["/pricing", false, "What each plan includes"],
    ["/signin", false, "No account yet?"],
    ["/signup", false, "Create your account"],
    ["/generate", true, "Your plan allows up to 1024 px on the long side."],
    ["/canvas", true, "Canvas comes with the Starter plan and above."],
    ["/queue", true, "Step 5 of 20"],
    ["/gallery", true, "No images yet."],
    ["/credits", true, "Credit history"],
    ["/gallery/i1", true, "Upscaling comes with the Starter plan and above."],
    ["/nowhere", false, "This page does not exist"],
  ])("%s renders", async (path, signedIn, text) => {
    const page = await render(path, signedIn);
    expect(page.textContent).toContain(text);
  });

  it("prices the request on the Generate button once there is a prompt", async () => {
    const page = await render("/generate", true);
    const prompt = page.querySelector<HTMLTextAreaElement>("#prompt")!;
    await act(async () => {
      // React listens for input events and reads the value through the native setter.
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(prompt, "a lighthouse at dusk");
      prompt.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await act(() => new Promise((resolve) => setTimeout(resolve, 400)));
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(page.querySelector(".generate-button")?.textContent).toBe("Generate · 4 credits");
    expect(page.textContent).toContain("92 credits left after this one");
  });

  it("shows a locked model with the plan that unlocks it", async () => {
    const page = await render("/generate", true);
    const options = [...page.querySelectorAll("#model option")].map((o) => [o.textContent, (o as HTMLOptionElement).disabled]);
    expect(options).toContainEqual(["FLUX.1 dev — with the Starter plan", true]);
  });

  it("sends a signed-out visitor of a private page to sign-in", async () => {
    await render("/gallery", false);
    expect(location.pathname + location.search).toBe("/signin?next=%2Fgallery");
  });

  it("renders in Korean with no English words on the pages", async () => {
    for (const path of ["/", "/generate", "/queue", "/credits"]) {
      const page = await render(path, true, "ko");
      // Names from the API (plans, models, prompts, schedulers) and the brand may be Latin; the UI's words may not.
      const text = (page.textContent ?? "")
        .replace(/Pingvas Studio|Free|Starter|Stable Diffusion 1\.5|FLUX\.1 dev|a lighthouse|English|euler_a|euler|dpmpp_2m_k|dpmpp_2m|dpmpp_sde|ddim|lms|heun|Fast\.|generation|CFG|FLUX|LoRA|SLA|GPU|US\$|WebP|PNG|JPEG|px|MB/g, "");
      expect(text, path).not.toMatch(/[A-Za-z]{3,}/);
      cleanup?.();
      cleanup = null;
    }
  });
});
