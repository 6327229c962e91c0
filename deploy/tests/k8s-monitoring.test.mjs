// The monitoring objects of every rendered overlay (deploy/k8s/monitoring; schemas are checked
// with every other object in k8s.test.mjs): the ServiceMonitor and PodMonitor reach the API and
// worker pods on a port that exists and that the NetworkPolicies open to namespace monitoring;
// the PrometheusRule holds exactly the groups of deploy/monitoring/rules/*.yml; each dashboard is
// a ConfigMap for Grafana's sidecar holding the file byte for byte, small enough for kubectl apply.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { ruleGroups } from "./prometheusrule.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const k8s = join(root, "deploy", "k8s");
const dashboardsDir = join(root, "deploy", "monitoring", "dashboards");
const overlays = readdirSync(join(k8s, "overlays"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const kubectl = process.env.KUBECTL || "kubectl";
// A client-side `kubectl apply` keeps the whole object in an annotation; annotations are limited
// to 256 KiB in total, so each dashboard ConfigMap stays well under half of that.
const MAX_CONFIGMAP_BYTES = 128 * 1024;

function render(overlay) {
  let out;
  try {
    out = execFileSync(kubectl, ["kustomize", join(k8s, "overlays", overlay)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  } catch (e) {
    if (e.code === "ENOENT") throw new Error(`${kubectl} not found: install Debian's kubectl (apt-get install kubernetes-client) or set KUBECTL`);
    throw new Error(`kubectl kustomize overlays/${overlay} failed:\n${e.stderr}`);
  }
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}

const matches = (selector, labels) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);

// Does some NetworkPolicy selecting these pods let namespace monitoring in on this port?
function scrapeAllowed(nps, podLabels, containerPort) {
  return nps.some((n) => Object.keys(n.spec.podSelector?.matchLabels ?? {}).length > 0 && matches(n.spec.podSelector, podLabels)
    && (n.spec.ingress ?? []).some((r) => (r.from ?? []).some((f) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "monitoring" && !f.podSelector)
      && (r.ports ?? []).some((p) => p.port === containerPort.containerPort || p.port === containerPort.name)));
}

for (const overlay of overlays) {
  describe(`overlay ${overlay}: monitoring`, () => {
    const objs = render(overlay);
    const byKind = (k) => objs.filter((o) => o.kind === k);
    const deployments = byKind("Deployment");
    const nps = byKind("NetworkPolicy");

    test("the ServiceMonitor scrapes /metrics of the API Service's http port, which Prometheus may reach", () => {
      const sms = byKind("ServiceMonitor");
      assert.equal(sms.length, 1);
      const sm = sms[0];
      const svc = byKind("Service").find((s) => matches(sm.spec.selector, s.metadata.labels));
      assert.ok(svc, "no Service matches the ServiceMonitor's selector");
      assert.equal(svc.metadata.name, "pingvas-api", "the job label (the Service's name) is what the alert rules match");
      const api = deployments.find((d) => d.metadata.name === "pingvas-api");
      assert.ok(matches({ matchLabels: svc.spec.selector }, api.spec.template.metadata.labels));
      for (const ep of sm.spec.endpoints) {
        assert.equal(ep.path, "/metrics");
        const port = svc.spec.ports.find((p) => p.name === ep.port);
        assert.ok(port, `Service port ${ep.port}`);
        const container = api.spec.template.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
        assert.ok(container, `container port ${port.targetPort}`);
        assert.ok(scrapeAllowed(nps, api.spec.template.metadata.labels, container), `NetworkPolicy: monitoring -> API :${container.containerPort}`);
      }
    });

    test("the PodMonitor scrapes /metrics on every worker pod's health port, which Prometheus may reach", () => {
      const pms = byKind("PodMonitor");
      assert.equal(pms.length, 1);
      const pm = pms[0];
      const workers = deployments.filter((d) => matches(pm.spec.selector, d.spec.template.metadata.labels));
      const all = deployments.filter((d) => d.spec.template.metadata.labels["app.kubernetes.io/component"] === "worker");
      assert.deepEqual(workers.map((d) => d.metadata.name).sort(), all.map((d) => d.metadata.name).sort(), "every worker Deployment (GPU classes and relay)");
      assert.ok(!deployments.some((d) => d.metadata.name === "pingvas-api" && matches(pm.spec.selector, d.spec.template.metadata.labels)), "the API is scraped through its Service only");
      for (const ep of pm.spec.podMetricsEndpoints) {
        assert.equal(ep.path, "/metrics");
        assert.ok(ep.relabelings?.some((r) => r.targetLabel === "job" && r.replacement === "pingvas-worker"), "job=pingvas-worker, as the alert rules match");
        for (const d of workers) {
          const worker = d.spec.template.spec.containers.find((c) => c.args?.[0] === "worker");
          const port = (worker.ports ?? []).find((p) => p.name === ep.port);
          assert.ok(port, `${d.metadata.name}: the worker container has no port ${ep.port}`);
          assert.ok(scrapeAllowed(nps, d.spec.template.metadata.labels, port), `NetworkPolicy: monitoring -> ${d.metadata.name} :${port.containerPort}`);
        }
      }
    });

    test("the PrometheusRule holds exactly the groups of deploy/monitoring/rules/*.yml", () => {
      const rules = byKind("PrometheusRule");
      assert.equal(rules.length, 1);
      assert.deepEqual(rules[0].spec.groups, ruleGroups(), "regenerate: node deploy/tests/prometheusrule.mjs > deploy/k8s/monitoring/prometheusrule.yaml");
    });

    test("every dashboard is a ConfigMap for Grafana's sidecar, byte for byte, small enough to apply", () => {
      const files = readdirSync(dashboardsDir).filter((f) => f.endsWith(".json")).sort();
      const cms = byKind("ConfigMap").filter((c) => c.metadata.labels?.grafana_dashboard === "1");
      assert.deepEqual(cms.flatMap((c) => Object.keys(c.data ?? {})).sort(), files);
      for (const cm of cms) {
        assert.match(cm.metadata.name, /^pingvas-dashboard-[a-z]+$/, "a fixed name (no hash suffix): a new one would leave the old dashboard behind");
        for (const [file, text] of Object.entries(cm.data)) assert.equal(text, readFileSync(join(dashboardsDir, file), "utf8"), `${cm.metadata.name}: ${file}`);
        const size = Buffer.byteLength(JSON.stringify(cm));
        assert.ok(size < MAX_CONFIGMAP_BYTES, `${cm.metadata.name}: ${size} bytes`);
      }
    });
  });
}
