// Numbers, dates and credits per locale, through Intl only.
import { localeTags as tags, translate, type Locale } from "./i18n";

export function formatNumber(locale: Locale, value: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(tags[locale], { maximumFractionDigits: fractionDigits }).format(value);
}

/** "1,234 credits" / "1,234크레딧"; one credit reads as one. */
export function formatCredits(locale: Locale, value: number): string {
  return translate(locale, "credits.count", { count: value });
}

/** A signed amount for the ledger: "+10" / "−3". */
export function formatSigned(locale: Locale, value: number): string {
  return new Intl.NumberFormat(tags[locale], { signDisplay: "exceptZero" }).format(value);
}

export function formatDateTime(locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(tags[locale], { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

export function formatDay(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(tags[locale], { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** "$25" for whole amounts, "$9.50" otherwise. */
export function formatMoney(locale: Locale, cents: number): string {
  const digits = cents % 100 === 0 ? 0 : 2;
  return new Intl.NumberFormat(tags[locale], { style: "currency", currency: "USD", minimumFractionDigits: digits, maximumFractionDigits: digits }).format(cents / 100);
}

/** "3 s ago" / "3초 전", for heartbeats and waits. */
export function formatAgo(locale: Locale, iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const format = new Intl.RelativeTimeFormat(tags[locale], { numeric: "always", style: "short" });
  return seconds < 120 ? format.format(-seconds, "second") : format.format(-Math.round(seconds / 60), "minute");
}

/** A length of time, "45 s", "12 min", "3 h", by the largest unit that fits. */
export function formatDuration(locale: Locale, seconds: number): string {
  const [value, unit] = seconds < 120 ? [seconds, "second"] : seconds < 7200 ? [seconds / 60, "minute"] : [seconds / 3600, "hour"];
  return new Intl.NumberFormat(tags[locale], { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 0 }).format(value);
}

export function formatBytes(locale: Locale, bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;
  // From kilobytes up: "0 byte" / "512 byte" read oddly in a storage line or beside a progress bar.
  let value = bytes / 1024;
  let unit = 1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(tags[locale], { style: "unit", unit: units[unit], maximumFractionDigits: 1 }).format(value);
}
