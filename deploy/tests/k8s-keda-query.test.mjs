// The KEDA queue-depth queries of every rendered overlay, run for real: a scratch PostgreSQL
// database gets every migration (as `pingvas migrate` applies them), a read-only role set up as
// docs/operations.md tells the operator, and a fixture of queued, running and finished jobs on
// workers of each class; each ScaledObject's query, run as that role, must count exactly the jobs
// its class should wake for, and the role must not read anything else (prompts, other tables).
// Needs the local PostgreSQL that scripts/postgres.sh starts (127.0.0.1:5432, role pingvas), and
// root for creating the scaler's role (as the postgres superuser).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes, randomUUID } from "node:crypto";
import { parseAllDocuments } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const k8s = join(root, "deploy", "k8s");
const migrations = join(root, "src/Pingvas.Server/Data/Migrations/postgres");
const kubectl = process.env.KUBECTL || "kubectl";
const host = process.env.PINGVAS_TEST_PG_HOST || "127.0.0.1";
const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
const database = `pingvas_keda_${suffix}`;
const kedaRole = `pingvas_keda_${suffix}`;
const kedaPassword = randomBytes(18).toString("hex");

function psql(args, { input, user = "pingvas", password = "pingvas", db = database, options } = {}) {
  try {
    return execFileSync("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host, "-U", user, "-d", db, ...args], {
      encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, PGPASSWORD: password, PGOPTIONS: options ?? "", PGCONNECT_TIMEOUT: "5" },
    }).trim();
  } catch (e) {
    if (e.code === "ENOENT") throw new Error("psql not found: run scripts/postgres.sh (installs Debian's postgresql)");
    const err = new Error(`psql as ${user} on ${db}: ${e.stderr || e.message}`);
    err.stderr = e.stderr;
    throw err;
  }
}

function superuser(sql) {
  if (process.getuid?.() !== 0) throw new Error("creating the scaler's role needs the postgres superuser: run as root (CI does)");
  return execFileSync("su", ["postgres", "-c", "psql -X -q -v ON_ERROR_STOP=1"], { input: sql, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

function queries() {
  const result = [];
  for (const overlay of readdirSync(join(k8s, "overlays")).sort()) {
    const out = execFileSync(kubectl, ["kustomize", join(k8s, "overlays", overlay)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    for (const d of parseAllDocuments(out).map((x) => x.toJS()).filter((o) => o?.kind === "ScaledObject")) {
      for (const t of d.spec.triggers.filter((x) => x.type === "postgresql")) {
        result.push({ overlay, name: d.metadata.name, cls: d.metadata.labels["pingvas.io/gpu-class"], query: t.metadata.query });
      }
    }
  }
  return result;
}

before(() => {
  psql(["-c", `CREATE DATABASE ${database}`], { db: "postgres" });
  // As `pingvas migrate` does: each script in order, one transaction each, in system context.
  const scripts = readdirSync(migrations).filter((x) => x.endsWith(".sql")).sort();
  psql([], { options: "-c pingvas.user_id=system", input: scripts.map((f) => `BEGIN;\n\\i ${join(migrations, f)}\nCOMMIT;\n`).join("") });
  // docs/operations.md "Kubernetes": the scaler's read-only role.
  superuser(`CREATE ROLE ${kedaRole} LOGIN PASSWORD '${kedaPassword}';
ALTER ROLE ${kedaRole} SET pingvas.user_id = 'system';`);
  psql(["-c", `GRANT SELECT (status, model_id, worker_id, user_id) ON jobs TO ${kedaRole};
GRANT SELECT (id, gpu_class) ON workers TO ${kedaRole};`]);
});

after(() => {
  try { psql(["-c", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`], { db: "postgres" }); } catch { /* reported by the tests */ }
  try { superuser(`DROP ROLE IF EXISTS ${kedaRole};`); } catch { /* idem */ }
});

test("each class's query counts its home models' queued jobs and its own running jobs, as the read-only role", () => {
  const user = randomUUID();
  const now = "now()";
  const job = (status, model, worker = null) => `('${randomUUID()}', '${user}', '${status}', 'a prompt', '${model}', 512, 512, 20, 7, 'euler', 1, 1, 0, 0, 0, 20, 1, false, ${now}, ${worker ? `'${worker}'` : "NULL"})`;
  const worker = (id, cls) => `('${id}', 'host:1:ab', 'worker', 'invokeai', 'node0', '${cls}', 'sd-1.5,sdxl-1.0,flux-schnell,flux-dev', 'busy', 0, 0, ${now}, ${now})`;
  psql([], {
    options: "-c pingvas.user_id=system",
    input: `INSERT INTO users (id, email, name, password_hash, role, plan_id, period_start, period_end, created_at)
VALUES ('${user}', 'keda@example.com', 'k', 'x', 'user', 'free', now(), now() + interval '30 days', now());
INSERT INTO workers (id, process, role, engine, instance, gpu_class, models, state, jobs_done, busy_ms, started_at, heartbeat_at) VALUES
${worker("host:1:ab:0", "l4")}, ${worker("host:2:cd:0", "a10g")};
INSERT INTO jobs (id, user_id, status, prompt, model_id, width, height, steps, cfg_scale, scheduler, seed, batch_size, priority,
  reserved_credits, progress_step, progress_total, attempt, cancel_requested, created_at, worker_id) VALUES
${[
  job("queued", "sd-1.5"), job("queued", "sd-1.5"), job("queued", "sdxl-1.0"),
  job("queued", "flux-dev"),
  job("queued", "nano-banana"),
  job("running", "sdxl-1.0", "host:1:ab:0"),
  job("running", "sd-1.5", "host:2:cd:0"), job("running", "flux-schnell", "host:2:cd:0"),
  job("running", "sd-1.5", "gone:9:ff:0"),
  job("succeeded", "sd-1.5", "host:1:ab:0"), job("failed", "flux-dev"), job("cancelled", "sd-1.5"),
].join(",\n")};`,
  });
  // queued: sd-1.5 ×2, sdxl ×1, flux-dev ×1 (nano-banana is a relay model: no GPU class);
  // running: sdxl on l4, two on a10g, one on a worker no longer registered (counted by nobody).
  const expected = {
    "prod/pingvas-worker-l4": 3 + 1,
    "prod/pingvas-worker-a10g": 1 + 2,
    "dev/pingvas-worker-l4": 4 + 1,
  };
  const qs = queries();
  assert.deepEqual(qs.map((q) => `${q.overlay}/${q.name}`).sort(), Object.keys(expected).sort());
  for (const q of qs) {
    const got = Number(psql(["-c", q.query], { user: kedaRole, password: kedaPassword }));
    assert.equal(got, expected[`${q.overlay}/${q.name}`], `${q.overlay}/${q.name} (class ${q.cls})`);
  }
});

test("the scaler's role reads nothing but the columns it counts", () => {
  for (const sql of ["SELECT prompt FROM jobs LIMIT 1", "SELECT email FROM users LIMIT 1", "SELECT models FROM workers LIMIT 1", "UPDATE jobs SET status = 'cancelled'"]) {
    assert.throws(() => psql(["-c", sql], { user: kedaRole, password: kedaPassword }), /permission denied/, sql);
  }
});

test("without the system context on the role, row-level security hides every job (why the role sets it)", () => {
  const got = Number(psql(["-c", "SELECT count(*) FROM jobs"], { user: kedaRole, password: kedaPassword, options: "-c pingvas.user_id=" }));
  assert.equal(got, 0);
});
