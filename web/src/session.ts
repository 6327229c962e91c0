// Starting a signed-in session: the last user's cached data goes, the pair is stored, then the
// page that asked for sign-in (?next=) opens.
import type { TokenPair } from "./api/tokens";
import { navigate } from "./router";
import type { Services } from "./services";

/** `?next=` when it is a path of this site, else the studio. */
export function nextPath(search: string, fallback = "/generate"): string {
  const next = new URLSearchParams(search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : fallback;
}

export function startSession({ client, queries }: Pick<Services, "client" | "queries">, pair: TokenPair): void {
  queries.removeQueries({ predicate: (query) => query.queryKey[0] !== "plans" });
  client.tokens.set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
  navigate(nextPath(location.search), true);
}
