// The rules and dashboards in a real Prometheus (Debian's `prometheus`, PROMETHEUS=/path
// overrides): a small exporter serves every series of the catalogue (metrics.yaml) with its
// labels, counters and histograms growing on each scrape; Prometheus scrapes it every second and
// evaluates every rules file. Then every rule must evaluate without error, and every dashboard
// expression must run without error and return data — a wrong label value, a many-to-many match
// or a filter that selects nothing shows up here, which a syntax check cannot see.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { catalogueValues, dashboardExprs, grafanaToPromql } from "./monitoring-check.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const mon = join(root, "deploy", "monitoring");
const prometheusBin = process.env.PROMETHEUS || "prometheus";
const catalogueText = readFileSync(join(mon, "metrics.yaml"), "utf8");
const catalogue = parse(catalogueText);
const PLANS = /\bplan \(([a-z|]+)\)/.exec(catalogueText)[1].split("|");
const values = catalogueValues(catalogue, { plan: PLANS });
const rulesFiles = readdirSync(join(mon, "rules")).filter((f) => f.endsWith(".yml")).sort().map((f) => join(mon, "rules", f));
const dashboards = readdirSync(join(mon, "dashboards")).filter((f) => f.endsWith(".json")).sort()
  .map((f) => ({ name: f, json: JSON.parse(readFileSync(join(mon, "dashboards", f), "utf8")) }));

// Plausible values for labels the catalogue does not enumerate.
const SAMPLE = {
  model: ["sdxl-1.0", "flux-dev"], gpu_class: ["l4", "relay"], topic: ["webhook", "email"], template: ["verify_email"],
  provider: ["stripe"], currency: ["USD"], version: ["0.1.0"], role: ["api"], http_request_method: ["GET", "POST"],
  http_route: ["/api/v1/generations", "/api/v1/images/{id:guid}", "/health/live"], http_response_status_code: ["200", "500"], url_scheme: ["http"],
};

// Every combination of label values of a metric (bounded: at most a few hundred series).
function combinations(m) {
  let rows = [{}];
  for (const l of m.labels) {
    const vs = values.get(m.type === "histogram" ? `${m.name}_bucket` : m.name)?.get(l) ?? SAMPLE[l] ?? ["x"];
    rows = rows.flatMap((r) => vs.map((v) => ({ ...r, [l]: v })));
  }
  return rows;
}

const fmt = (labels) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;

// The exposition at the n-th scrape: counters and histograms grow by n, gauges hold still. The
// utilisation is low and jobs wait, as in a real morning; the ledger is clean.
function exposition(n) {
  const lines = [];
  for (const m of catalogue.metrics) {
    lines.push(`# TYPE ${m.name} ${m.type}`);
    for (const labels of combinations(m)) {
      if (m.type === "counter") lines.push(`${m.name}${fmt(labels)} ${n * 3}`);
      else if (m.type === "gauge") {
        const v = m.name === "pingvas_ledger_anomalies" ? 0 : m.name.endsWith("_ratio") ? 0.5 : m.name === "pingvas_event_listener_up" || m.name === "pingvas_build_info" ? 1 : 4;
        lines.push(`${m.name}${fmt(labels)} ${v}`);
      } else {
        const buckets = m.buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
        buckets.forEach((b, k) => lines.push(`${m.name}_bucket${fmt({ ...labels, le: String(b) })} ${Math.round((n * 10 * (k + 1)) / buckets.length)}`));
        lines.push(`${m.name}_bucket${fmt({ ...labels, le: "+Inf" })} ${n * 10}`);
        lines.push(`${m.name}_sum${fmt(labels)} ${n * 25}`);
        lines.push(`${m.name}_count${fmt(labels)} ${n * 10}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

let exporter, prometheus, dir, base, output = "";

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function api(path) {
  const res = await fetch(`${base}${path}`);
  return res.json();
}

// Polls until `check` returns a truthy value or the deadline passes.
async function until(what, check, ms = 60000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try { last = await check(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last}); prometheus said:\n${output.slice(-2000)}`);
}

before(async () => {
  let scrapes = 0;
  exporter = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(exposition(++scrapes));
  });
  await new Promise((r) => exporter.listen(0, "127.0.0.1", r));
  dir = mkdtempSync(join(tmpdir(), "pingvas-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, JSON.stringify({
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: rulesFiles,
    scrape_configs: [{ job_name: "pingvas-api", static_configs: [{ targets: [`127.0.0.1:${exporter.address().port}`] }] }],
  }));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  prometheus = spawn(prometheusBin, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { stdio: ["ignore", "pipe", "pipe"] });
  prometheus.on("error", (e) => { output += `${e.code === "ENOENT" ? `${prometheusBin} not found: apt-get install prometheus (or set PROMETHEUS)` : e.message}\n`; });
  prometheus.stdout.on("data", (d) => { output += d; });
  prometheus.stderr.on("data", (d) => { output += d; });
  // Ready once every rule has been evaluated after at least two scrapes (rates need two samples).
  await until("rules evaluated on two scrapes", async () => {
    const up = await api("/api/v1/query?query=" + encodeURIComponent("count_over_time(up[1m])"));
    if (!(Number(up.data?.result?.[0]?.value?.[1]) >= 3)) return false;
    const rules = await api("/api/v1/rules");
    return rules.data.groups.every((g) => g.rules.every((r) => r.lastEvaluation && !r.lastEvaluation.startsWith("0001") && Date.parse(r.lastEvaluation) > Date.now() - 1000));
  });
});

after(async () => {
  prometheus?.kill("SIGTERM");
  if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus.once("exit", r));
  await new Promise((r) => exporter?.close(r) ?? r());
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("Prometheus loads every rules file and evaluates every rule without error", async () => {
  const rules = await api("/api/v1/rules");
  const loaded = rules.data.groups.flatMap((g) => g.rules);
  const expected = rulesFiles.flatMap((f) => parse(readFileSync(f, "utf8")).groups.flatMap((g) => g.rules));
  assert.equal(loaded.length, expected.length);
  assert.deepEqual(loaded.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.lastError}`), []);
  // The recording rules that turn the catalogue into the dashboards' series have data.
  for (const name of ["route_family:http_server_requests:rate5m", "plan:pingvas_queue_wait_seconds:p95_5m", "plan:pingvas_queue_wait_slo_errors:ratio_rate5m", "plan_model:pingvas_queue_depth:max"]) {
    const r = await api("/api/v1/query?query=" + encodeURIComponent(name));
    assert.ok(r.data.result.length > 0, `${name}: no data`);
  }
  // Healthy data: the ledger alert (no `for`) stays quiet.
  const alerts = await api("/api/v1/alerts");
  assert.deepEqual(alerts.data.alerts.filter((a) => a.labels.alertname === "LedgerAnomaly"), []);
});

test("every dashboard expression runs and returns data", async () => {
  const problems = [];
  for (const d of dashboards) for (const e of dashboardExprs(d.name, d.json)) {
    if (e.variable) continue;
    const q = grafanaToPromql(e.expr).replace(/\$\{?(plan|model|gpu_class)\}?/g, ".*");
    const r = await api("/api/v1/query?query=" + encodeURIComponent(q));
    if (r.status !== "success") problems.push(`${e.where}: ${r.error}`);
    else if (!r.data.result.length) problems.push(`${e.where}: no data: ${q}`);
  }
  assert.deepEqual(problems, []);
});
