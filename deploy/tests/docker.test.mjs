// A small Dockerfile linter (Debian has no hadolint and there is no Docker engine here): every
// deploy/docker/Dockerfile* is parsed and checked for pinned bases, a non-root final USER, a
// HEALTHCHECK, an exec-form ENTRYPOINT, no secrets in ARG/ENV and no remote ADD; plus what the
// server image must hold (the native libraries Pingvas.Engines loads) and .dockerignore.
// The linter is tested on bad Dockerfiles first, so a check that finds nothing is not vacuous.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dockerDir = join(root, "deploy", "docker");

/** Instructions of a Dockerfile: comments dropped, continuation lines joined. */
export function parseDockerfile(text) {
  const out = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!current && /^\s*#/.test(line)) continue;
    if (current && /^\s*#/.test(line)) continue;
    if (line.endsWith("\\")) { current += line.slice(0, -1) + " "; continue; }
    current += line;
    if (current.trim()) {
      const m = /^\s*(\w+)\s*(.*)$/s.exec(current);
      out.push({ op: m[1].toUpperCase(), args: m[2].trim() });
    }
    current = "";
  }
  if (current.trim()) {
    const m = /^\s*(\w+)\s*(.*)$/s.exec(current);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim() });
  }
  return out;
}

/** Stages: each FROM with the instructions after it. */
export function stages(instructions) {
  const result = [];
  for (const ins of instructions) {
    if (ins.op === "FROM") {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith("--"));
      result.push({ image: parts[0], alias: /^as$/i.test(parts[1] ?? "") ? parts[2] : undefined, body: [] });
    } else if (result.length) {
      result.at(-1).body.push(ins);
    }
  }
  return result;
}

const SECRET_NAME = /(pass(word)?|secret|token|api_?key|access_?key|private_?key|signing_?key|credential)/i;

/** Lint problems of one Dockerfile's text (empty when it passes). */
export function lint(text) {
  const problems = [];
  const all = parseDockerfile(text);
  const st = stages(all);
  if (!st.length) return ["no FROM"];
  const aliases = new Set();
  for (const s of st) {
    if (aliases.has(s.image)) { if (s.alias) aliases.add(s.alias); continue; }
    const digest = /@sha256:[0-9a-f]{64}$/.test(s.image);
    const tag = /^(?:[^/]+\/)*[^/:@]+:([^@/]+)(?:@sha256:[0-9a-f]{64})?$/.exec(s.image)?.[1];
    if (!digest && !tag) problems.push(`FROM ${s.image}: no tag (pin a tag, and a digest for production)`);
    if (tag === "latest") problems.push(`FROM ${s.image}: latest is not a pin`);
    if (/\$/.test(s.image)) problems.push(`FROM ${s.image}: base image from a build argument`);
    if (s.alias) aliases.add(s.alias);
  }
  const final = st.at(-1);
  const users = final.body.filter((i) => i.op === "USER");
  if (!users.length) problems.push("final stage has no USER (runs as root)");
  else if (/^(root|0)(:|$)/.test(users.at(-1).args)) problems.push(`final USER ${users.at(-1).args} is root`);
  const health = final.body.filter((i) => i.op === "HEALTHCHECK");
  if (!health.length || /^NONE$/i.test(health.at(-1).args)) problems.push("final stage has no HEALTHCHECK");
  const entry = final.body.filter((i) => i.op === "ENTRYPOINT");
  if (!entry.length) problems.push("final stage has no ENTRYPOINT");
  else {
    try { if (!Array.isArray(JSON.parse(entry.at(-1).args))) throw new Error(); }
    catch { problems.push("ENTRYPOINT must be exec form (a JSON array), so SIGTERM reaches the process"); }
  }
  for (const ins of all) {
    if (ins.op === "ADD" && /(^|\s)(https?|ftp):\/\//i.test(ins.args)) problems.push(`ADD from a URL: ${ins.args}`);
    if (ins.op === "ARG" || ins.op === "ENV") {
      const names = ins.op === "ARG" ? [ins.args.split("=")[0]]
        : [...ins.args.matchAll(/(?:^|\s)([A-Za-z_][\w.]*)=/g)].map((m) => m[1]).concat(/=/.test(ins.args) ? [] : [ins.args.split(/\s+/)[0]]);
      for (const n of names) if (SECRET_NAME.test(n)) problems.push(`${ins.op} ${n}: secrets never go into an image (build secrets: RUN --mount=type=secret)`);
    }
    if (ins.op === "MAINTAINER") problems.push("MAINTAINER is deprecated (use a LABEL)");
  }
  return problems;
}

// --- the linter itself ------------------------------------------------------------------------
test("the linter finds every kind of problem it claims to", () => {
  const bad = [
    "FROM node AS a",
    "FROM mcr.microsoft.com/dotnet/aspnet:latest",
    "ARG NPM_TOKEN",
    "ENV Auth__SigningKey=abc OTHER=1",
    "ADD https://example.com/x.tar.gz /x",
    "USER root",
    "ENTRYPOINT dotnet app.dll",
  ].join("\n");
  const p = lint(bad);
  for (const want of ["FROM node: no tag", "latest is not a pin", "ARG NPM_TOKEN", "ENV Auth__SigningKey", "ADD from a URL", "final USER root", "no HEALTHCHECK", "exec form"]) {
    assert.ok(p.some((x) => x.includes(want)), `expected a problem mentioning "${want}", got ${JSON.stringify(p)}`);
  }
  assert.ok(lint("FROM debian:12\nRUN true").some((x) => x.includes("no USER")));
  const good = "FROM a/b:1.0 AS build\nRUN x \\\n  && y\nFROM c/d:2@sha256:" + "0".repeat(64) + "\n# comment\nUSER 1000:1000\nHEALTHCHECK CMD [\"true\"]\nENTRYPOINT [\"/app\"]\n";
  assert.deepEqual(lint(good), []);
  assert.deepEqual(lint("FROM a:1 AS base\nFROM base\nUSER app\nHEALTHCHECK CMD true\nENTRYPOINT [\"x\"]"), [], "a stage built on an earlier stage needs no tag");
});

// --- the project's Dockerfiles ----------------------------------------------------------------
const dockerfiles = readdirSync(dockerDir).filter((f) => /^Dockerfile(\..+)?$/.test(f)).sort();

test("Dockerfiles exist", () => {
  assert.ok(dockerfiles.includes("Dockerfile") && dockerfiles.includes("Dockerfile.invokeai-worker"), `found ${dockerfiles}`);
});

for (const f of dockerfiles) {
  test(`${f} passes the lint`, () => {
    assert.deepEqual(lint(readFileSync(join(dockerDir, f), "utf8")), []);
  });
}

test("server image: multi-stage SDK + Node build to the ASP.NET runtime, roles through the entrypoint", () => {
  const st = stages(parseDockerfile(readFileSync(join(dockerDir, "Dockerfile"), "utf8")));
  assert.ok(st.some((s) => s.image.startsWith("mcr.microsoft.com/dotnet/sdk:10.0")), "an SDK 10.0 build stage");
  assert.ok(st.at(-1).image.startsWith("mcr.microsoft.com/dotnet/aspnet:10.0"), "the final stage is the ASP.NET runtime");
  const build = st.find((s) => s.image.startsWith("mcr.microsoft.com/dotnet/sdk"));
  assert.ok(build.body.some((i) => i.op === "COPY" && /node/.test(i.args)), "Node in the build stage (the web app is built by the server project)");
  const final = st.at(-1).body;
  assert.ok(final.some((i) => i.op === "COPY" && /--from=build/.test(i.args)), "the runtime gets the published app from the build stage");
  const entry = JSON.parse(final.findLast((i) => i.op === "ENTRYPOINT").args);
  assert.deepEqual(entry, ["dotnet", "/app/pingvas.dll"], "the first argument after the entrypoint is the role");
  assert.deepEqual(JSON.parse(final.findLast((i) => i.op === "CMD").args), ["serve"]);
  const user = final.findLast((i) => i.op === "USER").args;
  assert.match(user, /^[1-9]\d*:[1-9]\d*$/, "numeric non-root uid:gid, so runAsNonRoot can verify it");
  const health = final.findLast((i) => i.op === "HEALTHCHECK").args;
  assert.match(health, /\/health\/live/);
  const env = final.filter((i) => i.op === "ENV").map((i) => i.args).join(" ");
  assert.match(env, /ASPNETCORE_URLS=http:\/\/\+:8080/, "listens on all interfaces inside the container");
  assert.match(env, /Data__Path=\/var\/lib\/pingvas/, "the data folder is the volume, the only writable path besides /tmp");
});

test("server image installs every native library Pingvas.Engines loads, checked by soname", () => {
  const natives = readFileSync(join(root, "src/Pingvas.Engines/Imaging/NativeLibraries.cs"), "utf8");
  const sonames = [...natives.matchAll(/Candidates =\s*\["(lib[\w.+-]+\.so\.\d+)"/g)].map((m) => m[1]);
  assert.deepEqual(sonames.sort(), ["libpng16.so.16", "libturbojpeg.so.0", "libwebp.so.7"]);
  const st = stages(parseDockerfile(readFileSync(join(dockerDir, "Dockerfile"), "utf8")));
  const runs = st.at(-1).body.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
  assert.match(runs, /apt-get install/);
  for (const so of sonames) assert.ok(runs.includes(so), `the runtime stage must check for ${so}`);
  assert.match(runs, /ldconfig -p/);
  assert.match(runs, /rm -rf \/var\/lib\/apt\/lists/, "apt lists removed");
});

test("InvokeAI sidecar image: pinned InvokeAI >= 6.13 with the settings README asks for", () => {
  const st = stages(parseDockerfile(readFileSync(join(dockerDir, "Dockerfile.invokeai-worker"), "utf8")));
  const m = /^ghcr\.io\/invoke-ai\/invokeai:v(\d+)\.(\d+)\.\d+/.exec(st[0].image);
  assert.ok(m, `InvokeAI base pinned to a release: ${st[0].image}`);
  assert.ok(Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 13), "README: InvokeAI 6.13 or newer");
  const copies = st.at(-1).body.filter((i) => i.op === "COPY").map((i) => i.args.split(/\s+/).filter((a) => !a.startsWith("--"))[0]);
  for (const c of copies) assert.ok(existsSync(join(dockerDir, c)), `COPY source ${c} is in the build context`);
  const cfg = parseYaml(readFileSync(join(dockerDir, "invokeai.yaml"), "utf8"));
  assert.equal(cfg.host, "127.0.0.1", "reachable only from its pod's worker");
  assert.equal(cfg.port, 9090);
  assert.equal(cfg.node_cache_size, 0, "every paid job renders");
  assert.equal(cfg.clear_queue_on_startup, true);
  assert.equal(cfg.multiuser, false);
  assert.equal(cfg.http_compression_level, 0);
  assert.ok(cfg.max_queue_size >= 1);
});

test(".dockerignore keeps secrets, history and build output out of the context, and not what the build copies", () => {
  const ignore = readFileSync(join(root, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (const p of ["**/.git", "**/node_modules", "**/bin", "**/obj", "**/.env", "/data"]) assert.ok(ignore.includes(p), `.dockerignore must list ${p}`);
  const st = stages(parseDockerfile(readFileSync(join(dockerDir, "Dockerfile"), "utf8")));
  const sources = st.flatMap((s) => s.body).filter((i) => i.op === "COPY" && !/--from=/.test(i.args))
    .flatMap((i) => { const a = i.args.split(/\s+/).filter((x) => !x.startsWith("--")); return a.slice(0, -1); });
  assert.ok(sources.length > 3);
  for (const s of sources) {
    const top = "/" + s.replace(/\/$/, "").split("/")[0];
    assert.ok(!ignore.includes(top), `${s} is copied but .dockerignore drops ${top}`);
    assert.ok(existsSync(join(root, s)), `COPY source ${s} does not exist`);
  }
});
