// @vitest-environment happy-dom
// The storage bar and the retention rule on the account page, driven in a DOM against a fake API.
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { GalleryImage, StorageUsage } from "./api/types";
import { storageLevel } from "./components/storage/StorageBar";
import { calls, overrides, render, resetApp, settle } from "./testing/fakeApp";

afterEach(resetApp);

const MB = 1024 * 1024;
const bucket = (count: number, bytes: number) => ({ count, bytes });
const usage = (usedBytes: number, quotaBytes: number | null, reservedBytes = 0): StorageUsage => ({
  usedBytes, reservedBytes, quotaBytes, overQuota: quotaBytes !== null && usedBytes > quotaBytes,
  images: bucket(3, usedBytes - 2 * MB), trash: bucket(1, MB), uploads: bucket(1, MB), loras: bucket(0, 0),
});

async function type(page: HTMLElement, selector: string, value: string) {
  const input = page.querySelector<HTMLInputElement>(selector)!;
  await act(async () => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, value);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}

async function click(page: HTMLElement, name: string, within: ParentNode = page) {
  const button = [...within.querySelectorAll<HTMLElement>("button")].find((b) => b.textContent?.trim() === name);
  if (!button) {
    throw new Error(`no button "${name}" in: ${page.textContent}`);
  }
  await act(async () => button.click());
  await settle(page);
}

/** Settles until `ready` holds (bounded): queries answer in a few rounds, more on a busy machine. */
async function until(page: HTMLElement, ready: () => boolean) {
  for (let i = 0; i < 200 && !ready(); i++) {
    await settle(page, 1);
  }
}

describe("storage bar", () => {
  it("is ok below 90 %, near from 90 % (waiting jobs counted) and over once stored bytes pass the quota", () => {
    expect(storageLevel(usage(50 * MB, 100 * MB))).toBe("ok");
    expect(storageLevel(usage(80 * MB, 100 * MB, 10 * MB))).toBe("near");
    expect(storageLevel(usage(101 * MB, 100 * MB))).toBe("over");
    expect(storageLevel(usage(5000 * MB, null))).toBe("ok");
  });

  it("shows used of quota with the breakdown, and the over-quota notice in Korean", async () => {
    overrides.set("GET /me/storage", () => ({ status: 200, body: usage(120 * MB, 100 * MB) }));
    overrides.set("GET /me/retention", () => ({ status: 200, body: { days: null } }));
    const page = await render("/account", true, "ko");
    await until(page, () => page.querySelector("[data-testid=storage-bar]") !== null);
    const bar = page.querySelector("[data-testid=storage-bar]")!;
    expect(bar.getAttribute("data-level")).toBe("over");
    expect(page.querySelector("[data-testid=storage-used]")?.textContent).toBe("100MB 중 120MB 사용");
    expect(page.querySelector("[data-testid=storage-trash]")?.textContent).toContain("1개 · 1MB");
    expect(page.querySelector("[data-testid=storage-over]")?.textContent).toContain("용량 초과");
  }, 30_000);
});

describe("retention rule", () => {
  it("previews what would go, asks, then saves the days", async () => {
    const sample = { id: "i1", thumbnailUrl: "/t/i1.webp", prompt: "a fox" } as GalleryImage;
    let saved: unknown = null;
    overrides.set("GET /me/storage", () => ({ status: 200, body: usage(10 * MB, 1024 * MB) }));
    overrides.set("GET /me/retention", () => ({ status: 200, body: { days: null } }));
    overrides.set("GET /me/retention/preview", (call) => ({ status: 200, body: call.url.includes("days=30") ? { images: 2, bytes: 3 * MB, sample: [sample] } : { images: 0, bytes: 0, sample: [] } }));
    overrides.set("PUT /me/retention", (call) => { saved = call.body; return { status: 200, body: call.body }; });
    const page = await render("/account", true);
    await until(page, () => page.querySelector("[data-testid=retention]") !== null);
    const section = page.querySelector<HTMLElement>("[data-testid=retention]")!;
    const [, on] = [...section.querySelectorAll<HTMLInputElement>("input[type=radio]")];
    await act(async () => on.click());
    await until(page, () => page.querySelector("#retention-days") !== null);
    await type(page, "#retention-days", "3");
    await settle(page, 5);
    expect(section.textContent).toContain("Enter a whole number of days from 7 to 3650.");
    expect(section.querySelector<HTMLButtonElement>("button[type=submit]")?.disabled).toBe(true);

    await type(page, "#retention-days", "30");
    await until(page, () => section.querySelector("[data-testid=retention-preview] img") !== null);
    expect(section.querySelector("[data-testid=retention-preview]")?.textContent).toContain("Right now this moves 2 images (3 MB) to the trash.");
    expect(section.querySelector("img")?.getAttribute("alt")).toBe("a fox");
    await click(page, "Save rule", section.querySelector("form")!);
    expect(saved).toBeNull();
    expect(page.querySelector("dialog")?.textContent).toContain("older than 30 days");
    await click(page, "Save rule", page.querySelector("dialog")!);
    expect(saved).toEqual({ days: 30 });
    expect(calls.filter((c) => c.method === "PUT" && c.path === "/me/retention")).toHaveLength(1);
  }, 30_000);
});
