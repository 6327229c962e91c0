// Which in-app notices the banner shows, and their words (the server sends a kind and some numbers).
import type { Notice } from "../api/types";
import { formatCredits, formatDateTime } from "../i18n/format";
import { translate, type Locale } from "../i18n/i18n";

/** The kinds with a banner: credits running low or gone (verify_email has its own banner, from GET /me). */
export const bannerKinds = ["credits_low", "credits_exhausted"] as const;

export function shownNotices(notices: Notice[]): Notice[] {
  return notices.filter((n) => (bannerKinds as readonly string[]).includes(n.kind));
}

export function noticeText(locale: Locale, notice: Notice): string {
  const balance = notice.data?.balance;
  const periodEnd = notice.data?.periodEnd;
  if (notice.kind === "credits_exhausted") {
    return typeof periodEnd === "string" && !Number.isNaN(Date.parse(periodEnd))
      ? translate(locale, "notice.creditsExhaustedUntil", { date: formatDateTime(locale, periodEnd) })
      : translate(locale, "notice.creditsExhausted");
  }
  return typeof balance === "number"
    ? translate(locale, "notice.creditsLowBalance", { credits: formatCredits(locale, balance) })
    : translate(locale, "notice.creditsLow");
}
