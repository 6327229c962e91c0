// Numbers, dates and credits per locale, through Intl only.
import { translate, type Locale } from "./i18n";

const tags: Record<Locale, string> = { en: "en-US", ko: "ko-KR" };

export function formatNumber(locale: Locale, value: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(tags[locale], { maximumFractionDigits: fractionDigits }).format(value);
}

/** "1,234 credits" / "1,234크레딧"; one credit reads as one. */
export function formatCredits(locale: Locale, value: number): string {
  const amount = formatNumber(locale, value);
  return translate(locale, Math.abs(value) === 1 ? "credits.one" : "credits.many", { amount });
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

export function formatMoney(locale: Locale, cents: number): string {
  return new Intl.NumberFormat(tags[locale], { style: "currency", currency: "USD" }).format(cents / 100);
}

export function formatBytes(locale: Locale, bytes: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(tags[locale], { style: "unit", unit: units[unit], maximumFractionDigits: 1 }).format(value);
}
