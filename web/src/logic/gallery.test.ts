import { describe, expect, it } from "vitest";

import type { Folder } from "../api/types";
import { folderTree } from "./folders";
import { apiParams, emptyQuery, formatQuery, isFiltered, parseQuery } from "./galleryQuery";
import { columnsOf, gridAction, nextIndex } from "./gridKeys";
import { extendTo, keepShown, noSelection, targets, toggle } from "./selection";
import { addTags, normaliseTag, parseTags } from "./tags";

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe("gallery query string", () => {
  it("round-trips every filter through the URL, Korean included", () => {
    const query = { ...emptyQuery, q: "붉은 여우", tag: "night sky", folder: "f1", model: "sd-1.5", starred: true, from: "2026-11-01", to: "2026-11-30", sort: "most_used" as const };
    const search = formatQuery(query);
    expect(search).toBe("?q=%EB%B6%89%EC%9D%80+%EC%97%AC%EC%9A%B0&folder=f1&tag=night+sky&model=sd-1.5&starred=1&from=2026-11-01&to=2026-11-30&sort=most_used");
    expect(parseQuery(search)).toEqual(query);
  });

  it("leaves the defaults out, so the plain gallery is /gallery", () => {
    expect(formatQuery(emptyQuery)).toBe("");
    expect(parseQuery("")).toEqual(emptyQuery);
    expect(formatQuery({ ...emptyQuery, q: "   " })).toBe("");
  });

  it("ignores malformed values instead of sending them", () => {
    expect(parseQuery("?sort=random&from=yesterday&to=2026-13&starred=yes")).toEqual(emptyQuery);
  });

  it("the trash view drops the filters, in the URL and on the API", () => {
    const trash = { ...emptyQuery, trash: true, q: "fox", starred: true };
    expect(formatQuery(trash)).toBe("?view=trash");
    expect(parseQuery("?view=trash")).toEqual({ ...emptyQuery, trash: true });
    expect(apiParams(trash)).toEqual({ trash: "true" });
  });

  it("turns dates into instants of the user's days, the last day included (the API's `to` is exclusive)", () => {
    const params = apiParams({ ...emptyQuery, from: "2026-11-01", to: "2026-11-30", starred: true, sort: "oldest" });
    expect(params.from).toBe(new Date(2026, 10, 1).toISOString());
    expect(params.to).toBe(new Date(2026, 11, 1).toISOString());
    expect(params).toMatchObject({ starred: "true", sort: "oldest", q: "", folder: "" });
    expect(apiParams(emptyQuery).sort).toBe("");
  });

  it("knows when a search narrows the view", () => {
    expect(isFiltered(emptyQuery)).toBe(false);
    expect(isFiltered({ ...emptyQuery, folder: "f1", sort: "oldest" })).toBe(false);
    expect(isFiltered({ ...emptyQuery, q: "여우" })).toBe(true);
    expect(isFiltered({ ...emptyQuery, to: "2026-01-01" })).toBe(true);
  });
});

describe("selection", () => {
  const order = ["a", "b", "c", "d", "e"];

  it("toggles one image and remembers it as the anchor", () => {
    const one = toggle(noSelection, "b");
    expect(one).toEqual({ ids: ["b"], anchor: "b" });
    expect(toggle(one, "b")).toEqual({ ids: [], anchor: "b" });
  });

  it("shift-click selects the range from the anchor in either direction, keeping the rest", () => {
    const start = toggle(toggle(noSelection, "a"), "d");
    expect(extendTo(start, order, "b").ids).toEqual(["a", "d", "b", "c"]);
    expect(extendTo(toggle(noSelection, "b"), order, "e").ids).toEqual(["b", "c", "d", "e"]);
    expect(extendTo(toggle(noSelection, "b"), order, "e").anchor).toBe("b");
  });

  it("without an anchor a shift-click selects that image alone; unknown ids change nothing", () => {
    expect(extendTo(noSelection, order, "c")).toEqual({ ids: ["c"], anchor: "c" });
    expect(extendTo({ ids: [], anchor: "gone" }, order, "c")).toEqual({ ids: ["c"], anchor: "c" });
    const some = toggle(noSelection, "a");
    expect(extendTo(some, order, "zz")).toBe(some);
  });

  it("drops images that left the view and acts on the focused image when nothing is selected", () => {
    const s = { ids: ["a", "c", "x"], anchor: "x" };
    expect(keepShown(s, order)).toEqual({ ids: ["a", "c"], anchor: null });
    const same = { ids: ["a"], anchor: "a" };
    expect(keepShown(same, order)).toBe(same);
    expect(targets(s, "e")).toEqual(["a", "c", "x"]);
    expect(targets(noSelection, "e")).toEqual(["e"]);
    expect(targets(noSelection, null)).toEqual([]);
  });
});

describe("grid keyboard", () => {
  it("moves focus by the arrows across rows of the grid, clamped to its ends", () => {
    // 10 images in rows of 4: 0-3, 4-7, 8-9.
    expect(nextIndex("ArrowRight", 3, 4, 10)).toBe(4);
    expect(nextIndex("ArrowLeft", 0, 4, 10)).toBe(0);
    expect(nextIndex("ArrowDown", 1, 4, 10)).toBe(5);
    expect(nextIndex("ArrowDown", 5, 4, 10)).toBe(9);
    expect(nextIndex("ArrowDown", 7, 4, 10)).toBe(7);
    expect(nextIndex("ArrowUp", 2, 4, 10)).toBe(0);
    expect(nextIndex("ArrowUp", 9, 4, 10)).toBe(5);
    expect(nextIndex("Home", 6, 4, 10)).toBe(0);
    expect(nextIndex("End", 2, 4, 10)).toBe(9);
    expect(nextIndex("x", 2, 4, 10)).toBeNull();
    expect(nextIndex("ArrowRight", 0, 4, 0)).toBeNull();
  });

  it("maps the documented shortcuts, leaving browser shortcuts alone", () => {
    expect(gridAction(key(" "))).toBe("toggle");
    expect(gridAction(key("Enter"))).toBe("toggle");
    expect(gridAction(key("m"))).toBe("move");
    expect(gridAction(key("Delete"))).toBe("trash");
    expect(gridAction(key("s"))).toBe("star");
    expect(gridAction(key("o"))).toBe("open");
    expect(gridAction(key("Escape"))).toBe("clear");
    expect(gridAction(key("?"))).toBe("help");
    expect(gridAction(key("a", { ctrlKey: true }))).toBe("selectAll");
    expect(gridAction(key("a", { metaKey: true }))).toBe("selectAll");
    expect(gridAction(key("s", { ctrlKey: true }))).toBeNull();
    expect(gridAction(key("m", { altKey: true }))).toBeNull();
    expect(gridAction(key("x"))).toBeNull();
  });

  it("counts the columns from the items' tops", () => {
    expect(columnsOf([0, 0, 0, 120, 120])).toBe(3);
    expect(columnsOf([0, 0])).toBe(2);
    expect(columnsOf([])).toBe(1);
  });
});

describe("tags", () => {
  it("normalises like the server: full-width folded, lower-case, spaces collapsed", () => {
    expect(normaliseTag("  Ｎｉｇｈｔ   Sky ")).toBe("night sky");
    expect(normaliseTag("붉은여우")).toBe("붉은여우");
  });

  it("splits typed text on commas and drops empty or too long tags", () => {
    expect(parseTags("Fox, 여우 ,, " + "x".repeat(41))).toEqual(["fox", "여우"]);
  });

  it("adds without duplicates, sorted, at most 20", () => {
    expect(addTags(["night", "fox"], ["FOX", "dawn"])).toEqual(["dawn", "fox", "night"]);
    expect(addTags([], Array.from({ length: 25 }, (_, i) => `t${String(i).padStart(2, "0")}`))).toHaveLength(20);
  });
});

describe("folder tree", () => {
  const folder = (id: string, name: string, parentId: string | null = null): Folder => ({ id, name, parentId, images: 0, createdAt: "" });

  it("lists each top-level folder by name followed by its sub-folders; orphans stay visible", () => {
    const rows = folderTree([folder("2", "동물"), folder("1", "Animals"), folder("3", "Cats", "1"), folder("4", "Birds", "1"), folder("5", "Lost", "gone")]);
    expect(rows.map((r) => `${r.depth}:${r.folder.name}`)).toEqual(["0:Animals", "1:Birds", "1:Cats", "0:Lost", "0:동물"]);
  });
});
