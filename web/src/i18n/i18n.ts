// A small typed t(): keys come from en.json, so a missing or misspelt key fails the type check.
import en from "./en.json";
import ko from "./ko.json";

export type Locale = "en" | "ko";
export type MessageKey = keyof typeof en;
export type Params = Record<string, string | number>;

export const locales: readonly Locale[] = ["en", "ko"];
export const catalogs: Record<Locale, Record<string, string>> = { en, ko };

const storageKey = "pingvas.locale";

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

/** Fills {name} placeholders; an unknown key falls back to English, then to the key itself. */
export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = catalogs[locale][key] ?? catalogs.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The {placeholders} a message uses, for the completeness test. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}
