// The single-use token an email link carries (/verify-email?token=…, /reset-password?token=…).

/**
 * The `token` of a query string, or null when there is none. A `+` written unencoded in a link
 * reaches URLSearchParams as a space: base64 tokens get their plus back.
 */
export function tokenFromSearch(search: string): string | null {
  const value = new URLSearchParams(search).get("token");
  if (value === null) {
    return null;
  }
  const token = value.trim().replace(/ /g, "+");
  return token === "" ? null : token;
}

/** Sends the browser to a provider's page (checkout, portal); replaced in tests. */
export const external = {
  go(url: string): void {
    window.location.assign(url);
  },
};
