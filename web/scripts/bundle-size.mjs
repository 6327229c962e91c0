// Prints the first-load JavaScript (what index.html loads, gzipped) and fails the build above the budget.
import { readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const budget = 300 * 1000; // kB as Vite prints them (1 kB = 1000 bytes)
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
// Entry scripts and their modulepreloads; lazily imported chunks are not first load.
const scripts = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const total = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file))).length, 0);
const kb = (total / 1000).toFixed(1);
console.log(`first-load JavaScript: ${kb} kB gzipped (${scripts.length} files; budget ${budget / 1000} kB)`);
if (total > budget) {
  console.error(`first-load JavaScript is ${kb} kB gzipped, over the ${budget / 1000} kB budget`);
  // No index.html: the server does not serve an over-budget build, and the next build runs again.
  rmSync(join(dist, "index.html"));
  process.exit(1);
}
