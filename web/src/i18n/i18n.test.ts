import { describe, expect, it } from "vitest";

import en from "./en.json";
import ko from "./ko.json";
import { detectLocale, placeholders, translate } from "./i18n";

const catalogs = { en: en as Record<string, string>, ko: ko as Record<string, string> };

describe("the message catalogs", () => {
  it("have the same keys in English and Korean", () => {
    expect(Object.keys(catalogs.ko).sort()).toEqual(Object.keys(catalogs.en).sort());
  });

  it.each(["en", "ko"] as const)("have no empty message in %s", (locale) => {
    const empty = Object.entries(catalogs[locale]).filter(([, message]) => message.trim() === "");
    expect(empty).toEqual([]);
  });

  it("use the same placeholders in both languages", () => {
    const mismatched = Object.keys(catalogs.en).filter(
      (key) => placeholders(catalogs.en[key]).join() !== placeholders(catalogs.ko[key] ?? "").join(),
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
