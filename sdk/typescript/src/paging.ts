import type { Page } from "./types.js";

/** Pages one after another by `nextCursor`, until a page has none. */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  cursor?: string,
): AsyncGenerator<Page<T>, void, undefined> {
  let next: string | undefined = cursor;
  do {
    const page = await fetchPage(next);
    yield page;
    next = page.nextCursor ?? undefined;
  } while (next !== undefined);
}
