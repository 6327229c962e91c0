// A small typed t(): keys come from en.json, so a missing or misspelt key fails the type check.
import en from "./en.json";
import ko from "./ko.json";

export type Locale = "en" | "ko";
type CatalogKey = keyof typeof en;
/** "pricing.concurrent" for the pair "pricing.concurrent_one" / "pricing.concurrent_other". */
type PluralBase<K> = K extends `${infer Base}_other` ? Base : never;
/** A plain key, or a plural's base key (then `count` picks the form through Intl.PluralRules). */
export type MessageKey = Exclude<CatalogKey, `${string}_one` | `${string}_other`> | PluralBase<CatalogKey>;
export type Params = Record<string, string | number>;

export const locales: readonly Locale[] = ["en", "ko"];
export const catalogs: Record<Locale, Record<string, string>> = { en, ko };

const storageKey = "pingvas.locale";
export const localeTags: Record<Locale, string> = { en: "en-US", ko: "ko-KR" };

/** The remembered choice, else the browser's language (Korean for any ko-*), else English. */
export function detectLocale(stored: string | null, languages: readonly string[]): Locale {
  if (stored === "en" || stored === "ko") {
    return stored;
  }
  for (const language of languages) {
    const primary = language.toLowerCase().split("-")[0];
    if (primary === "ko" || primary === "en") {
      return primary;
    }
  }
  return "en";
}

export function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(storageKey);
  } catch {
    stored = null;
  }
  return detectLocale(stored, navigator.languages ?? [navigator.language]);
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(storageKey, locale);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** The catalog entry for a key: the key itself, or its plural form for `count` (English has _one/_other, Korean one form). */
function template(locale: Locale, key: string, count: unknown): string | undefined {
  const catalog = catalogs[locale];
  if (catalog[key] !== undefined) {
    return catalog[key];
  }
  if (typeof count === "number") {
    const form = new Intl.PluralRules(localeTags[locale]).select(count);
    return catalog[`${key}_${form}`] ?? catalog[`${key}_other`];
  }
  return catalog[`${key}_other`];
}

/**
 * Fills {name} placeholders; an unknown key falls back to English, then to the key itself. A
 * plural key picks its form by the `count` parameter, which is formatted for the locale.
 */
export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const found = template(locale, key, params.count) ?? template("en", key, params.count) ?? key;
  const numbers = new Intl.NumberFormat(localeTags[locale]);
  return found.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) {
      return whole;
    }
    const value = params[name];
    return name === "count" && typeof value === "number" ? numbers.format(value) : String(value);
  });
}

/** The key a catalog entry belongs to: "a.b_one" and "a.b_other" are both "a.b". */
export function baseKey(key: string): string {
  return key.replace(/_(one|other)$/, "");
}

/** The {placeholders} a message uses, for the completeness test. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}
