// The checks behind monitoring.test.mjs, as functions of their inputs so the test can prove each
// one on deliberately bad input: the metric catalogue (deploy/monitoring/metrics.yaml), PromQL
// references (metric names, functions, labels), rule annotations and runbook anchors, Grafana
// dashboard structure, and PromQL syntax through `promtool check rules` (PROMTOOL overrides).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

// Labels Prometheus (or the Prometheus Operator's relabelling) puts on every scraped series.
export const TARGET_LABELS = ["job", "instance", "namespace", "pod", "container", "service", "endpoint"];

const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile"]);
const FUNCTIONS = new Set([
  "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes",
  "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
  "deg", "delta", "deriv", "exp", "floor", "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate", "label_join",
  "label_replace", "last_over_time", "ln", "log10", "log2", "max_over_time", "min_over_time", "minute", "month", "pi",
  "predict_linear", "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh",
  "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2"]);
const LABEL_LISTS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

// The catalogue as a map name -> { type, labels }, with the series a histogram exposes.
export function catalogueSeries(catalogue) {
  const series = new Map();
  for (const m of catalogue.metrics) {
    if (m.type === "histogram") {
      series.set(`${m.name}_bucket`, { labels: [...m.labels, "le"], from: m.name });
      series.set(`${m.name}_sum`, { labels: m.labels, from: m.name });
      series.set(`${m.name}_count`, { labels: m.labels, from: m.name });
    } else {
      series.set(m.name, { labels: m.labels, from: m.name });
    }
  }
  series.set("up", { labels: [], from: "up" });
  return series;
}

// The values a label may take where the catalogue's help lists them ("outcome = a|b|c"), per
// metric and for each series a histogram exposes; `shared` adds labels bounded file-wide (plan).
export function catalogueValues(catalogue, shared = {}) {
  const values = new Map();
  for (const m of catalogue.metrics) {
    const byLabel = new Map([...(m.help ?? "").matchAll(/\b([a-z_]+) = ([a-z_]+(?:\|[a-z_]+)+)/g)].map((x) => [x[1], x[2].split("|")]));
    for (const [label, allowed] of Object.entries(shared)) if (m.labels.includes(label)) byLabel.set(label, allowed);
    for (const name of m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]) values.set(name, byLabel);
  }
  return values;
}

// Grafana's own variables replaced by something PromQL accepts (only outside strings matters,
// but a $var inside a label matcher's string is a valid regex either way).
export function grafanaToPromql(expr) {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll("$__interval", "1m").replaceAll("$__range", "1d")
    .replaceAll("${__rate_interval}", "5m").replaceAll("${__interval}", "1m");
}

// A small PromQL scanner: metric names, functions, label names in matchers and in
// by/without/on/ignoring/group_* lists, and labels label_replace creates or reads.
export function scanPromql(expr) {
  const found = { metrics: [], functions: [], selectors: [], lists: [], created: [], read: [] };
  let i = 0;
  const s = expr;
  const skipString = (q) => { let j = i + 1; while (j < s.length && s[j] !== q) j += s[j] === "\\" && q !== "`" ? 2 : 1; return j + 1; };
  const nextNonSpace = (j) => { while (j < s.length && /\s/.test(s[j])) j++; return j; };
  const readMatchers = (start) => {
    // s[start] === "{"; returns [labels, end index after "}"].
    const labels = [];
    const values = [];
    let j = start + 1;
    while (j < s.length && s[j] !== "}") {
      const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*/.exec(s.slice(j));
      if (!m) { j++; continue; }
      labels.push(m[1]);
      j += m[0].length;
      if (s[j] === '"' || s[j] === "'" || s[j] === "`") {
        i = j;
        const end = skipString(s[j]);
        values.push({ label: m[1], op: m[2], value: s.slice(j + 1, end - 1) });
        j = end;
      }
      j = nextNonSpace(j);
      if (s[j] === ",") j++;
    }
    return [labels, j + 1, values];
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '"' || c === "'" || c === "`") { i = skipString(c); continue; }
    if (c === "#") { while (i < s.length && s[i] !== "\n") i++; continue; }
    if (c === "[") { while (i < s.length && s[i] !== "]") i++; i++; continue; }
    if (c === "{") { const [labels, end, values] = readMatchers(i); found.selectors.push({ metric: null, labels, values }); i = end; continue; }
    if (/[0-9.]/.test(c)) { const m = /^[0-9.]+(e[+-]?[0-9]+)?[smhdwy]*/i.exec(s.slice(i)); i += m ? m[0].length : 1; continue; }
    const id = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s.slice(i));
    if (!id) { i++; continue; }
    const word = id[0];
    i += word.length;
    const after = nextNonSpace(i);
    if (LABEL_LISTS.has(word.toLowerCase())) {
      if (s[after] === "(") {
        const close = s.indexOf(")", after);
        found.lists.push(...s.slice(after + 1, close).split(",").map((x) => x.trim()).filter(Boolean));
        i = close + 1;
      }
      continue;
    }
    if (KEYWORDS.has(word.toLowerCase())) continue;
    if (s[after] === "(") {
      found.functions.push(word);
      if (word === "label_replace") {
        // label_replace(v, "dst", "replacement", "src", "regex"): the four strings end the call.
        const rest = s.slice(after);
        let depth = 0, end = 0;
        for (let k = 0; k < rest.length; k++) { if (rest[k] === "(") depth++; if (rest[k] === ")" && --depth === 0) { end = k; break; } }
        const args = /"([^"]*)"\s*,\s*"[^"]*"\s*,\s*"([^"]*)"\s*,\s*"[^"]*"\s*$/.exec(rest.slice(0, end));
        if (args) { found.created.push(args[1]); found.read.push(args[2]); }
      }
      continue;
    }
    if (AGGREGATIONS.has(word) && /^(by|without)\b/i.test(s.slice(after))) { found.functions.push(word); continue; }
    found.metrics.push(word);
    if (s[after] === "{") { const [labels, end, values] = readMatchers(after); found.selectors.push({ metric: word, labels, values }); i = end; }
  }
  return found;
}

// Problems with one expression: unknown functions or metrics, labels a metric does not have.
// `known` maps a series name to { labels }; `extraLabels` are labels the context adds (a rule's
// own labels, Grafana legend references are checked against the same set).
export function promqlProblems(expr, known, { legend, values } = {}) {
  const problems = [];
  const f = scanPromql(grafanaToPromql(expr));
  for (const fn of f.functions) if (!FUNCTIONS.has(fn) && !AGGREGATIONS.has(fn)) problems.push(`unknown function ${fn}()`);
  const available = new Set([...TARGET_LABELS, ...f.created]);
  for (const m of f.metrics) {
    const k = known.get(m);
    if (!k) { problems.push(`unknown metric ${m} (not in metrics.yaml, not a recording rule)`); continue; }
    for (const l of k.labels) available.add(l);
  }
  for (const sel of f.selectors) {
    const labels = sel.metric ? known.get(sel.metric)?.labels : undefined;
    if (!labels) continue;
    for (const l of sel.labels) if (l !== "__name__" && !labels.includes(l) && !TARGET_LABELS.includes(l)) problems.push(`${sel.metric} has no label ${l}`);
    // A literal value (or plain alternatives) of a label whose values the catalogue lists.
    for (const v of sel.values ?? []) {
      const allowed = values?.get(sel.metric)?.get(v.label);
      if (!allowed || !/^[a-z_]+(\|[a-z_]+)*$/.test(v.value) || v.op === "!=" && !v.value) continue;
      for (const x of v.value.split("|")) if (!allowed.includes(x)) problems.push(`${sel.metric}: ${v.label} is never "${x}" (${allowed.join("|")})`);
    }
  }
  for (const l of [...f.lists, ...f.read]) if (!available.has(l)) problems.push(`label ${l} is on none of the series used`);
  for (const m of (legend ?? "").matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)) if (!available.has(m[1])) problems.push(`legend {{${m[1]}}}: no such label`);
  return problems;
}

// Recording rules as known series: their labels are the by() lists of their expression when it
// has any, none when it aggregates everything away, otherwise everything the series they read
// carry (a superset, never too few); plus the rule's static labels.
export function withRecordingRules(known, ruleFiles) {
  const all = new Map(known);
  for (const file of ruleFiles) for (const g of file.groups) for (const r of g.rules) {
    if (!r.record) continue;
    const f = scanPromql(r.expr);
    const labels = new Set(Object.keys(r.labels ?? {}));
    const hasBy = /\bby\s*\(/.test(r.expr);
    const aggregates = f.functions.some((fn) => AGGREGATIONS.has(fn)) && !/\bwithout\s*\(/.test(r.expr);
    if (hasBy) for (const l of f.lists) labels.add(l);
    else if (!aggregates) {
      for (const m of f.metrics) for (const l of all.get(m)?.labels ?? []) labels.add(l);
      for (const l of f.created) labels.add(l);
    }
    const prev = all.get(r.record);
    all.set(r.record, { labels: [...new Set([...(prev?.labels ?? []), ...labels])].filter((l) => l !== "le" || !hasBy || r.record.includes("_bucket")), from: "recording rule" });
  }
  return all;
}

// GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
export function anchorsOf(markdown) {
  const anchors = new Set();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) anchors.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
  }
  return anchors;
}

// Alerting rules: severity, annotations, a runbook anchor named after the alert that exists.
export function alertProblems(ruleFiles, anchors) {
  const problems = [];
  const names = new Set();
  for (const file of ruleFiles) for (const g of file.groups) for (const r of g.rules) {
    if (!r.alert) continue;
    if (names.has(r.alert)) problems.push(`${r.alert}: defined twice`);
    names.add(r.alert);
    if (!["page", "ticket"].includes(r.labels?.severity)) problems.push(`${r.alert}: severity must be page or ticket`);
    for (const a of ["summary", "description", "runbook_url"]) if (!r.annotations?.[a]) problems.push(`${r.alert}: no ${a} annotation`);
    const anchor = /#([^#]+)$/.exec(r.annotations?.runbook_url ?? "")?.[1];
    if (anchor !== r.alert.toLowerCase()) problems.push(`${r.alert}: runbook_url must end in #${r.alert.toLowerCase()}`);
    else if (!anchors.has(anchor)) problems.push(`${r.alert}: docs/operations.md has no heading "${r.alert}"`);
  }
  return problems;
}

// Every alert needs a promtool case where it fires and one where it does not; every recording
// rule needs its value checked by a promql_expr_test.
export function coverageProblems(ruleFiles, testFiles) {
  const fires = new Set(), quiet = new Set(), evaluated = new Set();
  for (const t of testFiles) for (const c of t.tests ?? []) {
    for (const a of c.alert_rule_test ?? []) ((a.exp_alerts ?? []).length ? fires : quiet).add(a.alertname);
    for (const e of c.promql_expr_test ?? []) for (const m of scanPromql(e.expr).metrics) evaluated.add(m);
  }
  const problems = [];
  for (const file of ruleFiles) for (const g of file.groups) for (const r of g.rules) {
    if (r.alert && !fires.has(r.alert)) problems.push(`${r.alert}: no test case where it fires`);
    if (r.alert && !quiet.has(r.alert)) problems.push(`${r.alert}: no test case where it stays quiet`);
    if (r.record && !evaluated.has(r.record)) problems.push(`${r.record}: no promql_expr_test checks its value`);
  }
  return problems;
}

// Grafana dashboards: identity, the datasource variable, unique panel ids, panels inside the
// 24-column grid and not overlapping, units, targets with expressions.
export function dashboardProblems(name, d) {
  const problems = [];
  const p = (m) => problems.push(`${name}: ${m}`);
  if (!d.uid || !d.title) p("uid and title are required");
  if (!(d.schemaVersion >= 39)) p(`schemaVersion ${d.schemaVersion} < 39`);
  if (!Array.isArray(d.tags) || !d.tags.includes("pingvas")) p("tags must include pingvas");
  const dsVar = d.templating?.list?.find((v) => v.name === "datasource");
  if (dsVar?.type !== "datasource" || dsVar.query !== "prometheus") p("no ${datasource} variable of type datasource (prometheus)");
  const panels = [];
  for (const panel of d.panels ?? []) { panels.push(panel); for (const inner of panel.panels ?? []) panels.push(inner); }
  const ids = new Set();
  for (const panel of panels) {
    const where = `panel ${panel.id} "${panel.title}"`;
    if (ids.has(panel.id)) p(`${where}: duplicate id`);
    ids.add(panel.id);
    const g = panel.gridPos;
    if (!g || !(g.w > 0 && g.h > 0 && g.x >= 0 && g.y >= 0 && g.x + g.w <= 24)) p(`${where}: gridPos outside the 24-column grid`);
    if (panel.type === "row") continue;
    if (panel.datasource?.uid !== "${datasource}") p(`${where}: datasource must be \${datasource}`);
    if (!panel.targets?.length) p(`${where}: no targets`);
    for (const t of panel.targets ?? []) {
      if (!t.expr) p(`${where}: target ${t.refId} has no expr`);
      if (t.datasource && t.datasource.uid !== "${datasource}") p(`${where}: target ${t.refId} datasource must be \${datasource}`);
    }
    if (panel.type !== "heatmap" && !panel.fieldConfig?.defaults?.unit) p(`${where}: no unit`);
  }
  const boxes = panels.filter((x) => x.gridPos);
  for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
    const A = boxes[a].gridPos, B = boxes[b].gridPos;
    if (A.x < B.x + B.w && B.x < A.x + A.w && A.y < B.y + B.h && B.y < A.y + A.h) p(`panels ${boxes[a].id} and ${boxes[b].id} overlap`);
  }
  return problems;
}

// Every PromQL expression of every target, with where it came from.
export function dashboardExprs(name, d) {
  const out = [];
  for (const panel of d.panels ?? []) for (const x of [panel, ...(panel.panels ?? [])]) for (const t of x.targets ?? []) {
    if (t.expr) out.push({ where: `${name} panel ${x.id} "${x.title}" ${t.refId}`, expr: t.expr, legend: t.legendFormat === "__auto" ? "" : t.legendFormat });
  }
  // Query variables: label_values(metric, label) is Grafana's, not PromQL; checked as a selector.
  for (const v of d.templating?.list ?? []) if (v.type === "query") {
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    const m = /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_]+)\s*\)$/.exec(q ?? "");
    if (m) out.push({ where: `${name} variable ${v.name}`, expr: `count by (${m[2]}) (${m[1]})`, legend: "", variable: true });
    else out.push({ where: `${name} variable ${v.name}`, expr: q ?? "", legend: "", variable: true });
  }
  return out;
}

// PromQL syntax by Prometheus itself: each expression becomes a recording rule of a scratch
// file that `promtool check rules` parses. Returns promtool's complaint, or "" when all parse.
export function promtoolSyntax(exprs, promtool = process.env.PROMTOOL || "promtool") {
  const dir = mkdtempSync(join(tmpdir(), "pingvas-promql-"));
  try {
    const file = join(dir, "exprs.yml");
    writeFileSync(file, stringify({ groups: [{ name: "dashboard-exprs", rules: exprs.map((e, n) => ({ record: `check:expr_${n}`, expr: grafanaToPromql(e) })) }] }));
    try {
      execFileSync(promtool, ["check", "rules", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      return "";
    } catch (e) {
      if (e.code === "ENOENT") throw new Error(`${promtool} not found: apt-get install prometheus (or set PROMTOOL)`);
      return `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
