// @vitest-environment happy-dom
// The gallery's organising and search against the fake API: URL state, selection, keys, trash, tags, "use again".
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";

import type { Folder, GalleryImage } from "./api/types";
import { calls, image, overrides, render, resetApp, running, settle } from "./testing/fakeApp";
import { click, type, until } from "./testing/pageActions";

const folders: Folder[] = [
  { id: "f1", parentId: null, name: "Animals", images: 1, createdAt: "2026-12-01T00:00:00Z" },
  { id: "f2", parentId: "f1", name: "Foxes", images: 0, createdAt: "2026-12-01T00:00:00Z" },
];
const images: GalleryImage[] = ["i1", "i2", "i3", "i4"].map((id, n) => ({
  ...image, id, prompt: `picture ${n + 1}`, tags: n === 0 ? ["night"] : [], starred: n === 1, folderId: n === 0 ? "f1" : null,
}));

function withGallery(trashed: GalleryImage[] = []) {
  overrides.set("GET /folders", () => ({ status: 200, body: { items: folders } }));
  overrides.set("GET /tags", () => ({ status: 200, body: { items: [{ tag: "night", images: 1 }] } }));
  overrides.set("GET /images/models", () => ({ status: 200, body: { items: [{ model: "sd-1.5", images: 4 }] } }));
  overrides.set("GET /images", (call) => ({ status: 200, body: { items: call.url.includes("trash=true") ? trashed : images, nextCursor: null } }));
  for (const verb of ["POST /images/move", "POST /images/trash"]) {
    overrides.set(verb, (call) => ({ status: 200, body: { moved: (call.body as { imageIds: string[] }).imageIds.length, trashed: (call.body as { imageIds: string[] }).imageIds.length } }));
  }
}

const tiles = (page: HTMLElement) => [...page.querySelectorAll<HTMLAnchorElement>("[data-testid=gallery-item]")];

async function press(target: HTMLElement, key: string, init: KeyboardEventInit = {}) {
  await act(async () => {
    target.focus();
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
  });
}

afterEach(resetApp);

describe("gallery page", () => {
  it("shows the folder tree with counts and keeps the search and filters in the URL", async () => {
    withGallery();
    const page = await render("/gallery", true);
    const sidebar = [...page.querySelectorAll("[data-testid=folder-link]")].map((b) => b.textContent);
    expect(sidebar).toEqual(["All images", "Unfiled", "Animals1", "Foxes0", "Starred", "Trash"]);
    await type(page, "#gallery-search", "붉은 여우");
    await until(page, () => location.search.includes("q="));
    expect(new URLSearchParams(location.search).get("q")).toBe("붉은 여우");
    await until(page, () => calls.some((c) => c.path === "/images" && new URL(c.url, "http://x").searchParams.get("q") === "붉은 여우"));
    await click(page, "Clear filters");
    expect(location.search).toBe("");
  });

  it("reads the filters from the URL on load and sends them to GET /images", async () => {
    withGallery();
    await render("/gallery?q=fox&tag=night&folder=f1&starred=1&sort=most_used&from=2026-11-01&to=2026-11-30", true);
    const sent = calls.filter((c) => c.path === "/images").map((c) => new URL(c.url, "http://x").searchParams);
    expect(sent.some((p) => p.get("q") === "fox" && p.get("tag") === "night" && p.get("folder") === "f1" && p.get("starred") === "true"
      && p.get("sort") === "most_used" && p.get("from") === new Date(2026, 10, 1).toISOString() && p.get("to") === new Date(2026, 11, 1).toISOString())).toBe(true);
  });

  it("selects with the checkbox and shift-click, then moves the selection with M and the keyboard list", async () => {
    withGallery();
    const page = await render("/gallery", true);
    const checks = [...page.querySelectorAll<HTMLInputElement>(".tile-check")];
    await act(async () => checks[0].click());
    await act(async () => checks[2].dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true })));
    expect(tiles(page).map((t) => t.dataset.selected)).toEqual(["true", "true", "true", "false"]);
    expect(page.querySelector("[data-testid=selection-bar]")?.textContent).toContain("3 selected");
    await press(tiles(page)[0], "m");
    const dialog = page.querySelector("[data-testid=move-dialog]")!;
    expect(dialog.textContent).toContain("Move 3 images to…");
    const choices = [...dialog.querySelectorAll<HTMLButtonElement>(".move-list button")];
    expect(choices.map((b) => b.textContent)).toEqual(["Unfiled", "Animals", "Foxes"]);
    await press(choices[0], "ArrowDown");
    await press(document.activeElement as HTMLElement, "ArrowDown");
    expect(document.activeElement?.textContent).toBe("Foxes");
    await act(async () => (document.activeElement as HTMLButtonElement).click());
    await settle(page);
    expect(calls.find((c) => c.path === "/images/move")?.body).toEqual({ imageIds: ["i1", "i2", "i3"], folderId: "f2" });
    expect(page.querySelector("[data-testid=gallery-status]")?.textContent).toBe("Moved 3 images to Foxes.");
  });

  it("moves focus with the arrows, stars with S and trashes with Delete the focused image", async () => {
    withGallery();
    overrides.set("PATCH /images/i2", (call) => ({ status: 200, body: { ...images[1], ...(call.body as object) } }));
    const page = await render("/gallery", true);
    expect(tiles(page).map((t) => t.tabIndex)).toEqual([0, -1, -1, -1]);
    await press(tiles(page)[0], "ArrowRight");
    expect(document.activeElement).toBe(tiles(page)[1]);
    await press(tiles(page)[1], "s");
    await settle(page);
    // i2 is starred already: S on it alone removes the star.
    expect(calls.find((c) => c.method === "PATCH")).toMatchObject({ path: "/images/i2", body: { starred: false } });
    await press(tiles(page)[1], " ");
    expect(tiles(page)[1].dataset.selected).toBe("true");
    await press(tiles(page)[1], "ArrowRight", { shiftKey: true });
    expect(tiles(page).map((t) => t.dataset.selected)).toEqual(["false", "true", "true", "false"]);
    await press(tiles(page)[2], "Delete");
    await settle(page);
    expect(calls.find((c) => c.path === "/images/trash")?.body).toEqual({ imageIds: ["i2", "i3"] });
    expect(page.textContent).toContain("Moved 2 images to the trash.");
  });

  it("adds a tag to every selected image, keeping their own tags", async () => {
    withGallery();
    overrides.set("PATCH /images/i1", () => ({ status: 200, body: images[0] }));
    overrides.set("PATCH /images/i2", () => ({ status: 200, body: images[1] }));
    const page = await render("/gallery", true);
    const checks = [...page.querySelectorAll<HTMLInputElement>(".tile-check")];
    await act(async () => checks[0].click());
    await act(async () => checks[1].click());
    await type(page, "#selection-tags", "Ｆｏｘ");
    await click(page, "Add");
    const patches = calls.filter((c) => c.method === "PATCH").map((c) => [c.path, c.body]);
    expect(patches).toEqual([["/images/i1", { tags: ["fox", "night"] }], ["/images/i2", { tags: ["fox"] }]]);
  });

  it("shows the trash with each image's purge date, restores and deletes forever behind a dialog", async () => {
    const trashed = [{ ...images[0], deletedAt: "2026-12-01T00:00:00Z", purgeAt: "2026-12-31T00:00:00Z" }];
    withGallery(trashed);
    overrides.set("POST /images/i1/restore", () => ({ status: 200, body: images[0] }));
    overrides.set("DELETE /images/i1", () => ({ status: 204, body: null }));
    const page = await render("/gallery?view=trash", true);
    expect(page.querySelector("h1")?.textContent).toBe("Trash");
    expect(page.querySelector("[data-testid=purge-note]")?.textContent).toMatch(/^Deleted forever on Dec 31, 2026/);
    // A click in the trash selects (a trashed image has no page of its own).
    await act(async () => tiles(page)[0].click());
    expect(location.pathname).toBe("/gallery");
    await click(page, "Restore");
    expect(calls.some((c) => c.method === "POST" && c.path === "/images/i1/restore")).toBe(true);
    await act(async () => tiles(page)[0].click());
    await click(page, "Delete forever");
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await click(page, "Yes, delete forever");
    expect(calls.find((c) => c.method === "DELETE")?.url).toContain("/images/i1?permanent=true");
  });

  it("creates a folder under another and shows name_taken by its code", async () => {
    withGallery();
    overrides.set("POST /folders", () => ({ status: 409, body: { status: 409, code: "folder_name_taken", errors: { name: ["taken"] } } }));
    const page = await render("/gallery", true);
    await click(page, "New folder");
    await type(page, "#folder-name", "Foxes");
    const parent = page.querySelector<HTMLSelectElement>("#folder-parent")!;
    await act(async () => { parent.value = "f1"; parent.dispatchEvent(new Event("change", { bubbles: true })); });
    await click(page, "Create");
    expect(calls.find((c) => c.method === "POST" && c.path === "/folders")?.body).toEqual({ name: "Foxes", parentId: "f1" });
    expect(page.textContent).toContain("A folder with this name is already there.");
  });

  it("renames a tag on every image from the tag manager, and the tag filter follows it", async () => {
    withGallery();
    overrides.set("POST /tags/rename", () => ({ status: 200, body: { images: 1 } }));
    const page = await render("/gallery?tag=night", true);
    await click(page, "Manage tags");
    const dialog = page.querySelector<HTMLElement>("[data-testid=tag-manager]")!;
    expect(dialog.querySelector("li[data-tag=night]")?.textContent).toContain("night1 image");
    const asked = (path: string) => calls.filter((c) => c.method === "GET" && c.path === path).length;
    const [tagsBefore, imagesBefore] = [asked("/tags"), asked("/images")];
    await click(page, "Rename the tag night");
    await type(page, "#tag-manager-name", "Ｓｔａｒｓ  Above");
    await click(page, "Save");
    expect(calls.filter((c) => c.path === "/tags/rename").map((c) => c.body)).toEqual([{ from: "night", to: "stars above" }]);
    expect(dialog.querySelector("[data-testid=tag-manager-status]")?.textContent).toBe("Renamed “night” to “stars above” on 1 image.");
    await until(page, () => asked("/tags") > tagsBefore && asked("/images") > imagesBefore);
    expect(new URLSearchParams(location.search).get("tag")).toBe("stars above");
  });

  it("asks before merging into an existing tag and sends the rename only after Merge", async () => {
    withGallery();
    overrides.set("GET /tags", () => ({ status: 200, body: { items: [{ tag: "sky", images: 3 }, { tag: "night", images: 1 }] } }));
    overrides.set("POST /tags/rename", () => ({ status: 200, body: { images: 1 } }));
    const page = await render("/gallery", true);
    await click(page, "Manage tags");
    await click(page, "Rename the tag night");
    await type(page, "#tag-manager-name", "Sky");
    await click(page, "Save");
    expect(calls.some((c) => c.path === "/tags/rename")).toBe(false);
    expect(page.querySelector("li[data-tag=night]")?.textContent).toContain("“sky” is already a tag. Merge “night” (1 image) into “sky” (3 images)?");
    await click(page, "Merge");
    expect(calls.filter((c) => c.path === "/tags/rename").map((c) => c.body)).toEqual([{ from: "night", to: "sky" }]);
    expect(page.querySelector("[data-testid=tag-manager-status]")?.textContent).toBe("Merged “night” into “sky”.");
  });

  it("deletes a tag from every image after saying how many it is on, and shows tag_not_found by its code", async () => {
    withGallery();
    overrides.set("GET /tags", () => ({ status: 200, body: { items: [{ tag: "night sky", images: 2 }, { tag: "gone", images: 1 }] } }));
    overrides.set("DELETE /tags/night%20sky", () => ({ status: 200, body: { images: 2 } }));
    overrides.set("DELETE /tags/gone", () => ({ status: 404, body: { status: 404, code: "tag_not_found" } }));
    const page = await render("/gallery", true);
    await click(page, "Manage tags");
    await click(page, "Delete the tag night sky");
    expect(page.querySelector("li[data-tag='night sky']")?.textContent).toContain("Remove “night sky” from 2 images?");
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await click(page, "Remove");
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url)).toEqual(["/api/v1/tags/night%20sky"]);
    expect(page.querySelector("[data-testid=tag-manager-status]")?.textContent).toBe("Removed “night sky” from 2 images.");
    await click(page, "Delete the tag gone");
    await click(page, "Remove");
    expect(page.querySelector("[data-testid=tag-manager] [role=alert]")?.textContent).toContain("That tag is on no image.");
    await click(page, "Close");
    expect(page.querySelector("[data-testid=tag-manager] h2")).toBeNull();
  });

  it("is Korean throughout in Korean", async () => {
    withGallery();
    const page = await render("/gallery", true, "ko");
    const checks = [...page.querySelectorAll<HTMLInputElement>(".tile-check")];
    await act(async () => checks[0].click());
    const text = (page.textContent ?? "").replace(/Pingvas Studio|English|Animals|Foxes|picture|sd-1\.5|night|Enter|Shift|Space|Delete|Ctrl|Esc/g, "");
    expect(text.match(/[A-Za-z]{2,}/g)).toBeNull();
    expect(page.textContent).toContain("1장 선택됨");
    await click(page, "태그 관리");
    await click(page, "night 태그 지우기");
    const manager = (page.querySelector("[data-testid=tag-manager]")?.textContent ?? "").replace(/night/g, "");
    expect(manager.match(/[A-Za-z]{2,}/g)).toBeNull();
    expect(manager).toContain("이미지 1장에서 “” 태그를 뗄까요?");
  });
});

describe("image page and generate", () => {
  it("stars, tags and files the image, and 'use again' sends its id and tags with the submit", async () => {
    withGallery();
    const tagged = { ...image, tags: ["night"], negativePrompt: "blurry" };
    overrides.set("GET /images/i1", () => ({ status: 200, body: tagged }));
    overrides.set("PATCH /images/i1", (call) => ({ status: 200, body: { ...tagged, ...(call.body as object) } }));
    overrides.set("POST /generations", () => ({ status: 201, body: { ...running, id: "j9", status: "queued" } }));
    const page = await render("/gallery/i1", true);
    await act(async () => page.querySelector<HTMLButtonElement>(".star-toggle")!.click());
    await settle(page);
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ starred: true });
    expect(page.querySelector(".star-toggle")?.getAttribute("aria-pressed")).toBe("true");
    await type(page, "#image-tags", "여우");
    await click(page, "Add");
    expect(calls.filter((c) => c.method === "PATCH").at(-1)?.body).toEqual({ tags: ["night", "여우"] });
    await click(page, "Remove the tag night");
    expect(calls.filter((c) => c.method === "PATCH").at(-1)?.body).toEqual({ tags: ["여우"] });
    const folder = page.querySelector<HTMLSelectElement>("#image-folder")!;
    await act(async () => { folder.value = "f2"; folder.dispatchEvent(new Event("change", { bubbles: true })); });
    await settle(page);
    expect(calls.find((c) => c.path === "/images/move")?.body).toEqual({ imageIds: ["i1"], folderId: "f2" });

    await click(page, "Use again");
    await until(page, () => location.pathname === "/generate" && page.querySelector("#generate-tags") !== null);
    expect([...page.querySelectorAll("[data-testid=tag-chip]")].map((c) => c.textContent?.replace("×", ""))).toEqual(["여우"]);
    await until(page, () => !page.querySelector<HTMLButtonElement>(".generate-button")!.disabled);
    await act(async () => page.querySelector<HTMLButtonElement>(".generate-button")!.click());
    await settle(page);
    const submits = calls.filter((c) => c.method === "POST" && c.path === "/generations");
    expect(submits[0].body).toMatchObject({ sourceImageId: "i1", tags: ["여우"], negativePrompt: "blurry" });
  });

  it("sends the tags typed on the Generate page", async () => {
    overrides.set("POST /generations", () => ({ status: 201, body: { ...running, id: "j9", status: "queued" } }));
    const page = await render("/generate", true);
    await type(page, "#prompt", "a fox");
    await type(page, "#generate-tags", "Night Sky, 여우");
    await act(async () => page.querySelector<HTMLInputElement>("#generate-tags")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true })));
    await until(page, () => !page.querySelector<HTMLButtonElement>(".generate-button")!.disabled);
    await act(async () => page.querySelector<HTMLButtonElement>(".generate-button")!.click());
    await settle(page);
    const body = calls.find((c) => c.method === "POST" && c.path === "/generations")?.body as Record<string, unknown>;
    expect(body.tags).toEqual(["night sky", "여우"]);
    expect(body).not.toHaveProperty("sourceImageId");
  });
});
