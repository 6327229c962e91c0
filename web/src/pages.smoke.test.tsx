// @vitest-environment happy-dom
// Every page rendered against a fake API in a DOM: no render error, and the page's own words on screen.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { render, resetApp } from "./testing/fakeApp";

afterEach(resetApp);

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
        .replace(/Pingvas Studio|Free|Starter|Pro\b|Stable Diffusion 1\.5|FLUX\.1 dev|a lighthouse|English|euler_a|euler|dpmpp_2m_k|dpmpp_2m|dpmpp_sde|ddim|lms|heun|generation|CFG|FLUX|LoRA|SLA|GPU|US\$|WebP|PNG|JPEG|px|MB/g, "");
      expect(text, path).not.toMatch(/[A-Za-z]{3,}/);
      resetApp();
    }
  });
});
