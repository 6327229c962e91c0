// Alert rules and dashboards (deploy/monitoring), checked offline: `promtool check rules` and
// `promtool test rules` (Debian's prometheus package; PROMTOOL=/path overrides); every alert
// has a firing and a quiet test case and a runbook in docs/operations.md; every recording rule's
// value is tested; every metric and label the rules and dashboards use is in the catalogue
// (metrics.yaml) or a recording rule; fleet gauges are never summed across API replicas; the SLO
// targets in docs are the rules'; every dashboard is well formed and each of its expressions
// parses as PromQL. The checker first proves itself on bad input.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  alertProblems, anchorsOf, catalogueSeries, catalogueValues, coverageProblems, dashboardExprs, dashboardProblems,
  promqlProblems, promtoolSyntax, scanPromql, withRecordingRules,
} from "./monitoring-check.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const mon = join(root, "deploy", "monitoring");
const promtool = process.env.PROMTOOL || "promtool";
const filesIn = (dir, ext) => readdirSync(join(mon, dir)).filter((f) => f.endsWith(ext)).sort().map((f) => join(mon, dir, f));

const catalogue = parse(readFileSync(join(mon, "metrics.yaml"), "utf8"));
const ruleFiles = filesIn("rules", ".yml").map((f) => ({ path: f, ...parse(readFileSync(f, "utf8")) }));
const testFiles = filesIn("tests", ".test.yml").map((f) => ({ path: f, ...parse(readFileSync(f, "utf8")) }));
const dashboards = filesIn("dashboards", ".json").map((f) => ({ path: f, name: f.split("/").pop(), json: JSON.parse(readFileSync(f, "utf8")) }));
const operations = readFileSync(join(root, "docs", "operations.md"), "utf8");
const known = withRecordingRules(catalogueSeries(catalogue), ruleFiles);
// The plans, from the catalogue's header: "Labels are bounded: plan (free|starter|…)".
const PLANS = /\bplan \(([a-z|]+)\)/.exec(readFileSync(join(mon, "metrics.yaml"), "utf8"))[1].split("|");
const values = catalogueValues(catalogue, { plan: PLANS });
const allRules = ruleFiles.flatMap((f) => f.groups.flatMap((g) => g.rules));

// Fleet gauges: read from the database by every API replica, each reporting the same value.
const FLEET = catalogue.metrics.filter((m) => m.type === "gauge" && m.name.startsWith("pingvas_") && m.roles.join() === "serve,api").map((m) => m.name);

// A fleet gauge summed (or averaged, counted) directly, rather than first reduced with max/min.
function summedFleetGauges(expr) {
  const problems = [];
  for (const name of FLEET) for (const m of expr.matchAll(new RegExp(`(?<![\\w:])${name}(?![\\w:])`, "g"))) {
    let depth = 0, k = m.index - 1;
    for (; k >= 0; k--) {
      if (expr[k] === ")") depth++;
      else if (expr[k] === "(" && depth-- === 0) break;
    }
    // The call that encloses the gauge: "max by (x) (", "sum(", "rate(" ...
    const before = expr.slice(0, Math.max(k, 0)).replace(/\s*(by|without)\s*\([^)]*\)\s*$/, "");
    const fn = /([a-z_]+)\s*$/.exec(before)?.[1];
    if (["sum", "avg", "count"].includes(fn)) problems.push(`${name} is ${fn === "sum" ? "summed" : fn === "avg" ? "averaged" : "counted"} across replicas: reduce it with max() first`);
  }
  return problems;
}

function run(args) {
  try {
    return { ok: true, out: execFileSync(promtool, args, { cwd: mon, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) };
  } catch (e) {
    if (e.code === "ENOENT") throw new Error(`${promtool} not found: apt-get install prometheus (or set PROMTOOL)`);
    return { ok: false, out: `${e.stdout}${e.stderr}` };
  }
}

describe("the checker, on bad input", () => {
  test("finds unknown metrics, functions and labels, and summed fleet gauges", () => {
    const k = catalogueSeries(catalogue);
    assert.deepEqual(promqlProblems('max by (plan) (pingvas_queue_depth{plan="pro"})', k), []);
    assert.match(promqlProblems("pingvas_queue_depht", k).join(), /unknown metric pingvas_queue_depht/);
    assert.match(promqlProblems('pingvas_queue_depth{tier="pro"}', k).join(), /pingvas_queue_depth has no label tier/);
    assert.match(promqlProblems("sum by (tier) (pingvas_queue_depth)", k).join(), /label tier is on none/);
    assert.match(promqlProblems("histogramquantile(0.9, pingvas_queue_wait_seconds_bucket)", k).join(), /unknown function histogramquantile/);
    assert.match(promqlProblems("pingvas_queue_depth", k, { legend: "{{gpu_class}}" }).join(), /legend \{\{gpu_class\}\}/);
    const v = catalogueValues(catalogue, { plan: PLANS });
    assert.match(promqlProblems('pingvas_queue_wait_seconds_count{plan="premium"}', k, { values: v }).join(), /plan is never "premium"/);
    assert.match(promqlProblems('pingvas_jobs_finished_total{outcome=~"succeeded|success"}', k, { values: v }).join(), /outcome is never "success"/);
    assert.deepEqual(promqlProblems('pingvas_jobs_finished_total{outcome=~"succeeded|failed"}', k, { values: v }), []);
    assert.match(promqlProblems('pingvas_workers{state="running"}', k, { values: v }).join(), /state is never "running"/);
    assert.deepEqual(promqlProblems('sum by (route_family) (label_replace(up, "route_family", "$1", "job", "(.*)"))', k), []);
    assert.match(promqlProblems('label_replace(up, "x", "$1", "http_route", "(.*)")', k).join(), /label http_route is on none/);
    assert.match(summedFleetGauges("sum by (model) (pingvas_queue_depth)").join(), /summed across replicas/);
    assert.deepEqual(summedFleetGauges("sum by (model) (max by (plan, model) (pingvas_queue_depth))"), []);
    assert.deepEqual(summedFleetGauges("sum(plan_model:pingvas_queue_depth:max)"), []);
  });

  test("promtool rejects an expression that is not PromQL", () => {
    assert.equal(promtoolSyntax(["sum(rate(up[5m]))"], promtool), "");
    assert.match(promtoolSyntax(["sum(rate(up[5m])"], promtool), /parse error|unclosed|FAILED/i);
  });

  test("finds broken dashboards", () => {
    const bad = {
      uid: "x", title: "x", tags: ["other"], schemaVersion: 30, templating: { list: [] },
      panels: [
        { id: 1, type: "timeseries", title: "a", gridPos: { x: 0, y: 0, w: 12, h: 8 }, datasource: { uid: "prom" }, targets: [{ refId: "A", expr: "up" }], fieldConfig: { defaults: {} } },
        { id: 1, type: "timeseries", title: "b", gridPos: { x: 6, y: 4, w: 20, h: 8 }, datasource: { uid: "${datasource}" }, targets: [] },
      ],
    };
    const p = dashboardProblems("bad.json", bad).join("\n");
    for (const m of [/schemaVersion 30/, /tags must include pingvas/, /no \$\{datasource\} variable/, /duplicate id/, /outside the 24-column grid/, /overlap/, /datasource must be/, /no targets/, /no unit/]) assert.match(p, m);
  });

  test("finds alerts without runbooks, severities or tests", () => {
    const rules = [{ groups: [{ name: "g", rules: [
      { alert: "Foo", expr: "up == 0", labels: { severity: "critical" }, annotations: { summary: "s", runbook_url: "https://x/docs/operations.md#foo" } },
      { record: "job:up:sum", expr: "sum by (job) (up)" },
    ] }] }];
    const p = alertProblems(rules, new Set(["bar"])).join("\n");
    assert.match(p, /severity must be page or ticket/);
    assert.match(p, /no description annotation/);
    assert.match(p, /no heading "Foo"/);
    const c = coverageProblems(rules, [{ tests: [{ alert_rule_test: [{ alertname: "Foo", exp_alerts: [] }] }] }]).join("\n");
    assert.match(c, /Foo: no test case where it fires/);
    assert.match(c, /job:up:sum: no promql_expr_test/);
  });
});

describe("alert and recording rules", () => {
  test("promtool check rules accepts every rules file", () => {
    assert.ok(ruleFiles.length >= 3, `${ruleFiles.length} rules files`);
    const r = run(["check", "rules", ...ruleFiles.map((f) => f.path)]);
    assert.ok(r.ok, r.out);
  });

  test("promtool test rules: every unit test passes", () => {
    const r = run(["test", "rules", ...testFiles.map((f) => f.path)]);
    assert.ok(r.ok, r.out);
  });

  test("every alert has a severity, a summary, a description and a runbook in docs/operations.md", () => {
    assert.deepEqual(alertProblems(ruleFiles, anchorsOf(operations)), []);
  });

  test("every alert fires in one test case and stays quiet in another; every recording rule is evaluated", () => {
    assert.deepEqual(coverageProblems(ruleFiles, testFiles), []);
    // The list of alerts, by name.
    const alerts = allRules.filter((r) => r.alert).map((r) => r.alert);
    for (const a of ["ApiErrorRatioHigh", "ApiLatencyHigh", "QueueWaitOverSLO", "EnterpriseWaitBudgetBurnFast", "EnterpriseWaitBudgetBurnSlow",
      "NoWorkerForWaitingJobs", "OutboxMessagesOld", "EventListenerDown", "LedgerAnomaly", "GpuUtilisationLowWhileJobsWait", "PingvasTargetDown"]) {
      assert.ok(alerts.includes(a), `alert ${a}`);
    }
  });

  test("every metric and label the rules use exists (metrics.yaml or a recording rule)", () => {
    const problems = allRules.flatMap((r) => promqlProblems(r.expr, known, { values }).map((p) => `${r.alert ?? r.record}: ${p}`));
    assert.deepEqual(problems, []);
  });

  test("fleet gauges are reduced with max(), never summed across API replicas", () => {
    assert.ok(FLEET.includes("pingvas_queue_depth") && FLEET.includes("pingvas_workers"), `fleet gauges: ${FLEET}`);
    const problems = [
      ...allRules.flatMap((r) => summedFleetGauges(r.expr).map((p) => `${r.alert ?? r.record}: ${p}`)),
      ...dashboards.flatMap((d) => dashboardExprs(d.name, d.json).filter((e) => !e.variable).flatMap((e) => summedFleetGauges(e.expr).map((p) => `${e.where}: ${p}`))),
    ];
    assert.deepEqual(problems, []);
  });

  test("the queue-wait SLO targets: one per plan, bucket boundaries, the same in docs/operations.md", () => {
    const targets = new Map(allRules.filter((r) => r.record === "pingvas:queue_wait_slo_target_seconds")
      .map((r) => [r.labels.plan, Number(/^vector\(([\d.]+)\)$/.exec(r.expr)[1])]));
    assert.deepEqual([...targets.keys()].sort(), [...PLANS].sort());
    const buckets = catalogue.metrics.find((m) => m.name === "pingvas_queue_wait_seconds").buckets;
    for (const [plan, s] of targets) assert.ok(buckets.includes(s), `${plan}: ${s} s is not a bucket of pingvas_queue_wait_seconds`);
    // docs: "| Enterprise | 10 | 30 s |" rows of the SLO table.
    const documented = new Map([...operations.matchAll(/^\| (Free|Starter|Pro|Studio|Enterprise) \| \d+ \| (\d+) (s|min) \|/gm)]
      .map((m) => [m[1].toLowerCase(), Number(m[2]) * (m[3] === "min" ? 60 : 1)]));
    assert.deepEqual(Object.fromEntries(documented), Object.fromEntries(targets), "docs/operations.md SLO table");
    // The Enterprise SLI counts jobs under the Enterprise target's bucket.
    for (const r of allRules.filter((x) => x.record?.startsWith("plan:pingvas_queue_wait_slo_errors:"))) {
      assert.match(r.expr, new RegExp(`le=~"${targets.get("enterprise")}\\|${targets.get("enterprise")}\\\\\\\\\\.0"`), `${r.record}: le must be the enterprise target`);
    }
  });
});

for (const d of dashboards) {
  describe(`dashboard ${d.name}`, () => {
    const exprs = dashboardExprs(d.name, d.json);

    test("is well formed: uid, title, tags, ${datasource}, unique ids, a grid without overlaps, units", () => {
      assert.deepEqual(dashboardProblems(d.name, d.json), []);
      assert.ok(exprs.length > 0);
    });

    test("every expression parses as PromQL (promtool)", () => {
      assert.equal(promtoolSyntax(exprs.map((e) => e.expr), promtool), "");
    });

    test("every metric, label and legend label it uses exists", () => {
      const problems = exprs.flatMap((e) => promqlProblems(e.expr, known, { legend: e.legend, values }).map((p) => `${e.where}: ${p}`));
      assert.deepEqual(problems, []);
    });
  });
}

test("dashboards have distinct uids and cover the four views", () => {
  const uids = dashboards.map((d) => d.json.uid);
  assert.equal(new Set(uids).size, uids.length, `uids: ${uids}`);
  assert.deepEqual([...uids].sort(), ["pingvas-api", "pingvas-money", "pingvas-overview", "pingvas-queue"]);
  // Every recording rule a dashboard reads exists (caught above as an unknown metric otherwise);
  // and every series of the catalogue is shown somewhere.
  const used = new Set(dashboards.flatMap((d) => dashboardExprs(d.name, d.json).flatMap((e) => scanPromql(e.expr).metrics)));
  const viaRules = new Set(allRules.filter((r) => r.record).flatMap((r) => (used.has(r.record) ? scanPromql(r.expr).metrics : [])));
  const missing = catalogue.metrics.map((m) => m.name).filter((n) => ![...used, ...viaRules].some((u) => u === n || u.startsWith(`${n}_`)));
  assert.deepEqual(missing, [], "catalogue series no dashboard shows");
});
