import { describe, expect, it } from "vitest";

import en from "./en.json";
import ko from "./ko.json";
import { baseKey, detectLocale, placeholders, translate } from "./i18n";

const catalogs = { en: en as Record<string, string>, ko: ko as Record<string, string> };

describe("the message catalogs", () => {
  it("have the same messages in English and Korean (plural forms counted as one message)", () => {
    const messages = (locale: "en" | "ko") => [...new Set(Object.keys(catalogs[locale]).map(baseKey))].sort();
    expect(messages("ko")).toEqual(messages("en"));
  });

  it("give every English plural both forms, and Korean (one form) only _other", () => {
    const plurals = [...new Set(Object.keys(catalogs.en).filter((k) => k !== baseKey(k)).map(baseKey))];
    expect(plurals.length).toBeGreaterThan(0);
    for (const key of plurals) {
      expect([catalogs.en[`${key}_one`], catalogs.en[`${key}_other`]].every(Boolean), key).toBe(true);
      expect(catalogs.ko[`${key}_other`], key).toBeTruthy();
      expect(catalogs.ko[`${key}_one`], key).toBeUndefined();
      expect(catalogs.en[key] ?? catalogs.ko[key], key).toBeUndefined();
    }
  });

  it.each(["en", "ko"] as const)("have no empty message in %s", (locale) => {
    const empty = Object.entries(catalogs[locale]).filter(([, message]) => message.trim() === "");
    expect(empty).toEqual([]);
  });

  it("use the same placeholders in both languages (each English plural form against the Korean one)", () => {
    const korean = (key: string) => catalogs.ko[key] ?? catalogs.ko[`${baseKey(key)}_other`] ?? "";
    const mismatched = Object.keys(catalogs.en).filter(
      (key) => placeholders(catalogs.en[key]).join() !== placeholders(korean(key)).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it("are written in Korean where Korean is shown (only names and units may stay Latin)", () => {
    const latinOnly = Object.entries(catalogs.ko).filter(
      ([key, message]) => {
        const words = message.replace(/\{\w+\}/g, "");
        return /[A-Za-z]/.test(words) && !/[\uac00-\ud7a3]/.test(words) && !["app.name", "language.en"].includes(key);
      },
    );
    expect(latinOnly).toEqual([]);
  });
});

describe("translate", () => {
  it("picks the plural form by count through Intl.PluralRules, with the number formatted", () => {
    expect(translate("en", "pricing.concurrent", { count: 1 })).toBe("1 job at a time");
    expect(translate("en", "pricing.concurrent", { count: 3 })).toBe("3 jobs at a time");
    expect(translate("en", "pricing.maxBatch", { count: 1 })).toBe("Up to 1 image per job");
    expect(translate("en", "credits.count", { count: 1234 })).toBe("1,234 credits");
    expect(translate("en", "credits.count", { count: 1 })).toBe("1 credit");
    expect(translate("ko", "credits.count", { count: 1 })).toBe("1크레딧");
    expect(translate("ko", "pricing.concurrent", { count: 2 })).toBe("동시에 2개 작업");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "job.steps", { step: 3, total: 20 })).toBe("Step 3 of 20");
    expect(translate("ko", "job.steps", { step: 3, total: 20 })).toBe("20단계 중 3단계");
    expect(translate("en", "job.steps", { step: 3 })).toBe("Step 3 of {total}");
  });
});

describe("detectLocale", () => {
  it("prefers the remembered choice, then the browser's languages, then English", () => {
    expect(detectLocale("ko", ["en-US"])).toBe("ko");
    expect(detectLocale(null, ["ko-KR", "en-US"])).toBe("ko");
    expect(detectLocale(null, ["de-DE", "en-GB"])).toBe("en");
    expect(detectLocale("fr", ["de-DE"])).toBe("en");
  });
});
