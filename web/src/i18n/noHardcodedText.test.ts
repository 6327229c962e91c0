import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsxFiles(path) : path.endsWith(".tsx") ? [path] : [];
  });
}

describe("components", () => {
  it("have no words between tags or in alt/label/title/placeholder attributes (every string comes from the catalogs)", () => {
    const root = new URL("..", import.meta.url).pathname;
    const offenders: string[] = [];
    for (const file of tsxFiles(root)) {
      const source = readFileSync(file, "utf8");
      for (const match of source.matchAll(/(?<![=-])>\s*([^<>{}]*[A-Za-z\uac00-\ud7a3]{2,}[^<>{}]*)\s*</g)) {
        // Arrow-function bodies and generics look like text to this regex; real JSX text has no "=>" or ";".
        if (!/=>|;|\(|\)/.test(match[1])) {
          offenders.push(`${file}: ${match[1].trim()}`);
        }
      }
      for (const match of source.matchAll(/\b(alt|aria-label|title|placeholder)="([^"]+)"/g)) {
        // A message key (AuthForm's title="signIn.title") is fine: it is translated where it is shown.
        if (!/^[a-z][a-zA-Z]*\.[a-zA-Z_]+$/.test(match[2])) {
          offenders.push(`${file}: ${match[1]}="${match[2]}"`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
