// The gallery's filters ↔ the page's query string (so they survive reload and back) ↔ GET /images parameters.
import type { ImageQuery, ImageSort } from "../api/types";

export const emptyQuery: ImageQuery = { q: "", tag: "", folder: "", model: "", starred: false, from: "", to: "", sort: "newest", trash: false };

const sorts: ImageSort[] = ["newest", "oldest", "most_used"];
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** Reads `?q=&tag=&folder=&model=&starred=1&from=&to=&sort=&view=trash`; anything malformed is left unset. */
export function parseQuery(search: string): ImageQuery {
  const params = new URLSearchParams(search);
  const text = (name: string) => (params.get(name) ?? "").trim();
  const date = (name: string) => (datePattern.test(text(name)) ? text(name) : "");
  const sort = text("sort") as ImageSort;
  return {
    q: params.get("q") ?? "",
    tag: text("tag"),
    folder: text("folder"),
    model: text("model"),
    starred: params.get("starred") === "1",
    from: date("from"),
    to: date("to"),
    sort: sorts.includes(sort) ? sort : "newest",
    trash: params.get("view") === "trash",
  };
}

/** The page's query string ("" or "?…"), in a fixed order and without the defaults, so equal filters give equal URLs. */
export function formatQuery(query: ImageQuery): string {
  const params = new URLSearchParams();
  if (query.trash) {
    params.set("view", "trash");
  } else {
    if (query.q.trim() !== "") params.set("q", query.q.trim());
    if (query.folder !== "") params.set("folder", query.folder);
    if (query.tag !== "") params.set("tag", query.tag);
    if (query.model !== "") params.set("model", query.model);
    if (query.starred) params.set("starred", "1");
    if (query.from !== "") params.set("from", query.from);
    if (query.to !== "") params.set("to", query.to);
    if (query.sort !== "newest") params.set("sort", query.sort);
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** Local midnight of a yyyy-mm-dd date plus `days`, as an ISO instant. */
function localMidnight(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d + days).toISOString();
}

/** GET /images parameters: dates become instants in the user's time zone, the "to" day included (the API's `to` is exclusive). */
export function apiParams(query: ImageQuery): Record<string, string> {
  if (query.trash) {
    return { trash: "true" };
  }
  return {
    q: query.q.trim(),
    tag: query.tag,
    folder: query.folder,
    model: query.model,
    starred: query.starred ? "true" : "",
    from: query.from === "" ? "" : localMidnight(query.from, 0),
    to: query.to === "" ? "" : localMidnight(query.to, 1),
    sort: query.sort === "newest" ? "" : query.sort,
  };
}

/** Whether any filter beyond the folder and the sort is set (the empty grid then says "no match" instead of "no images yet"). */
export function isFiltered(query: ImageQuery): boolean {
  return query.q.trim() !== "" || query.tag !== "" || query.model !== "" || query.starred || query.from !== "" || query.to !== "";
}
