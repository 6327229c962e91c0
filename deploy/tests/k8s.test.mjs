// The Kubernetes manifests, checked offline: every overlay under deploy/k8s/overlays is rendered
// with `kubectl kustomize` (Debian's kubectl; KUBECTL=/path overrides), every rendered object is
// validated against its Kubernetes, KEDA, External Secrets or Prometheus Operator schema
// (kubernetes-models), with no field the schema does not know, and the properties
// docs/operations.md promises are asserted:
// non-root read-only containers with resources, no secret values, one Deployment + ScaledObject
// from zero per GPU class, the worker's SIGTERM grace inside terminationGracePeriodSeconds, the
// migration as a PreSync Job, default-deny NetworkPolicies, ExternalSecrets and IRSA.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const k8s = join(root, "deploy", "k8s");
const overlays = readdirSync(join(k8s, "overlays"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const kubectl = process.env.KUBECTL || "kubectl";

// --- facts from the server's own source, so the manifests follow the code ---------------------
const src = (p) => readFileSync(join(root, p), "utf8");
// QueueSetup: HostOptions.ShutdownTimeout = grace + N; the pod must outlive the host's timeout.
const hostExtra = Number(/ShutdownTimeout = TimeSpan\.FromSeconds\(grace \+ (\d+)\)/.exec(src("src/Pingvas.Server/Queue/QueueSetup.cs"))?.[1]);
const defaultGrace = Number(/ShutdownGraceSeconds \{ get; set; \} = (\d+);/.exec(src("src/Pingvas.Server/Queue/QueueOptions.cs"))?.[1]);
// Beyond the host's timeout: time for the native sidecar (InvokeAI) to stop after the worker.
const SIDECAR_MARGIN = 10;
// AWS gives a Spot instance two minutes' notice.
const SPOT_NOTICE = 120;
// Known GPU classes: WorkersOptions.GpuSpeeds.
const gpuSpeeds = src("src/Pingvas.Server/Workers/WorkersOptions.cs");
const knownClasses = [...gpuSpeeds.matchAll(/\["([a-z0-9]+)"\] = [\d.]+/g)].map((m) => m[1]);
// Local (GPU) catalog models: every migration's INSERT INTO models rows of kind 'local'.
const migrations = join(root, "src/Pingvas.Server/Data/Migrations/postgres");
const localModels = readdirSync(migrations).filter((f) => f.endsWith(".sql")).sort()
  .flatMap((f) => [...readFileSync(join(migrations, f), "utf8").matchAll(/\('([a-z0-9.\-]+)',\s*'[^']*',\s*'local'/g)].map((m) => m[1]));

// Columns of a table: its CREATE TABLE plus every ALTER TABLE ... ADD COLUMN, over all migrations.
function columnsOf(table) {
  const cols = new Set();
  for (const f of readdirSync(migrations).filter((x) => x.endsWith(".sql")).sort()) {
    const sql = readFileSync(join(migrations, f), "utf8");
    const create = new RegExp(`CREATE TABLE ${table} \\(([\\s\\S]*?)\\n\\);`).exec(sql);
    if (create) for (const m of create[1].matchAll(/^\s+([a-z_]+) [a-z]/gm)) cols.add(m[1]);
    for (const m of sql.matchAll(new RegExp(`ALTER TABLE ${table} ADD COLUMN ([a-z_]+)`, "g"))) cols.add(m[1]);
  }
  return cols;
}

test("the KEDA queries name real columns of the jobs and workers tables", () => {
  const jobs = columnsOf("jobs");
  const workers = columnsOf("workers");
  for (const c of ["status", "model_id", "worker_id", "user_id"]) assert.ok(jobs.has(c), `jobs.${c} (have ${[...jobs]})`);
  for (const c of ["id", "gpu_class"]) assert.ok(workers.has(c), `workers.${c} (have ${[...workers]})`);
  const statuses = /status text NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(src("src/Pingvas.Server/Data/Migrations/postgres/0001_initial.sql"))[1];
  for (const st of ["queued", "running"]) assert.ok(statuses.includes(`'${st}'`), `job status ${st}`);
});

test("facts read from the server source", () => {
  assert.ok(hostExtra > 0, "QueueSetup.cs: ShutdownTimeout = grace + N not found");
  assert.ok(defaultGrace > 0, "QueueOptions.cs: ShutdownGraceSeconds default not found");
  assert.ok(knownClasses.includes("l4") && knownClasses.includes("a10g"), `GpuSpeeds classes: ${knownClasses}`);
  assert.deepEqual([...localModels].sort(), ["flux-dev", "flux-schnell", "sd-1.5", "sdxl-1.0"].sort());
});

// --- rendering and schema models --------------------------------------------------------------
function render(overlay) {
  let out;
  try {
    out = execFileSync(kubectl, ["kustomize", join(k8s, "overlays", overlay)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (e.code === "ENOENT") throw new Error(`${kubectl} not found: install Debian's kubectl (apt-get install kubernetes-client) or set KUBECTL`);
    throw new Error(`kubectl kustomize overlays/${overlay} failed:\n${e.stderr}`);
  }
  return parseAllDocuments(out).map((d) => {
    if (d.errors.length) throw new Error(`overlays/${overlay}: rendered YAML does not parse: ${d.errors[0].message}`);
    return d.toJS();
  }).filter(Boolean);
}

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const path = group === "keda.sh" ? `@kubernetes-models/keda/keda.sh/${version}/${kind}`
    : group === "external-secrets.io" ? `@kubernetes-models/external-secrets/external-secrets.io/${version}/${kind}`
    : group === "monitoring.coreos.com" ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}/${kind}`
    : group === "" ? `kubernetes-models/v1/${kind}`
    : `kubernetes-models/${group}/${version}/${kind}`;
  try {
    return (await import(path))[kind];
  } catch {
    return undefined;
  }
}

function schemaErrors(Model, obj) {
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    if (!e.errors) throw e;
    return e.errors;
  }
}

// Fields the schema does not know (a typo such as readOnlyRootFileSystem would otherwise pass):
// each field in turn is replaced by a value no schema accepts; a known field then fails at its
// own path, an unknown one is not looked at.
function unknownFields(Model, obj) {
  const unknown = [];
  const walk = (node, path) => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, [...path, i]));
    if (!node || typeof node !== "object") return;
    for (const key of Object.keys(node)) {
      const here = [...path, key];
      const copy = structuredClone(obj);
      let parent = copy;
      for (const p of path) parent = parent[p];
      parent[key] = Symbol("probe");
      const pointer = "/" + here.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
      if (!schemaErrors(Model, copy).some((e) => e.instancePath === pointer || e.instancePath.startsWith(pointer + "/"))) {
        unknown.push(pointer);
      } else {
        walk(node[key], here);
      }
    }
  };
  walk(obj, []);
  // apiVersion and kind are set by the model itself.
  return unknown.filter((p) => p !== "/apiVersion" && p !== "/kind");
}

// --- helpers over rendered objects ------------------------------------------------------------
const id = (o) => `${o.kind}/${o.metadata?.name}`;
const podSpecOf = (o) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec?.template?.spec);
const workloads = (objs) => objs.filter((o) => ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(o.kind));
const allContainers = (spec) => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
const matches = (selector, labels) => Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
const envOf = (c, name) => c.env?.find((e) => e.name === name)?.value;
const SECRET_NAME = /(password|secret|token|apikey|api_key|accesskey|signingkey|connectionstrings__)/i;

for (const overlay of overlays) {
  describe(`overlay ${overlay}`, async () => {
    const objs = render(overlay);
    const byKind = (k) => objs.filter((o) => o.kind === k);

    test("renders objects, all in one namespace", () => {
      assert.ok(objs.length > 10, `only ${objs.length} objects rendered`);
      const namespaces = new Set(objs.map((o) => o.metadata?.namespace));
      assert.equal(namespaces.size, 1, `namespaces: ${[...namespaces]}`);
      assert.ok([...namespaces][0], "objects without a namespace");
    });

    test("every object validates against its schema, with no unknown field", async () => {
      const problems = [];
      for (const o of objs) {
        const Model = await modelFor(o.apiVersion, o.kind);
        if (!Model) { problems.push(`${o.apiVersion} ${id(o)}: no schema model for this kind`); continue; }
        for (const e of schemaErrors(Model, o)) problems.push(`${id(o)}${e.instancePath}: ${e.message}`);
        for (const p of unknownFields(Model, o)) problems.push(`${id(o)}${p}: field not in the ${o.apiVersion} ${o.kind} schema`);
      }
      assert.deepEqual(problems, []);
    });

    test("every container runs as non-root on a read-only root filesystem, no privileges, with resources", () => {
      const problems = [];
      for (const w of workloads(objs)) {
        const spec = podSpecOf(w);
        const podNonRoot = spec.securityContext?.runAsNonRoot === true;
        if (spec.securityContext?.seccompProfile?.type !== "RuntimeDefault") problems.push(`${id(w)}: seccompProfile RuntimeDefault`);
        if (spec.automountServiceAccountToken !== false) problems.push(`${id(w)}: automountServiceAccountToken not false`);
        if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push(`${id(w)}: host namespaces`);
        const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
        for (const c of allContainers(spec)) {
          const where = `${id(w)} container ${c.name}`;
          const sc = c.securityContext ?? {};
          if (!(sc.runAsNonRoot === true || (podNonRoot && sc.runAsNonRoot !== false))) problems.push(`${where}: runAsNonRoot`);
          if ((sc.runAsUser ?? spec.securityContext?.runAsUser) === 0) problems.push(`${where}: runAsUser 0`);
          if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem`);
          if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation`);
          if (sc.privileged) problems.push(`${where}: privileged`);
          if (!sc.capabilities?.drop?.includes("ALL") || sc.capabilities?.add?.length) problems.push(`${where}: capabilities must drop ALL and add none`);
          for (const r of ["cpu", "memory"]) if (!c.resources?.requests?.[r]) problems.push(`${where}: requests.${r}`);
          if (!c.resources?.limits?.memory) problems.push(`${where}: limits.memory`);
          const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
          if (!tmp || !volumes.get(tmp.name)?.emptyDir) problems.push(`${where}: /tmp must be an emptyDir`);
          for (const m of c.volumeMounts ?? []) if (!volumes.get(m.name)?.emptyDir) problems.push(`${where}: ${m.mountPath} is not an emptyDir`);
          if (!/^[^@]+:[^:/@]+(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/.test(c.image) || /:latest(@|$)/.test(c.image)) problems.push(`${where}: image ${c.image} not pinned`);
        }
      }
      assert.deepEqual(problems, []);
    });

    test("no secret values: no Secret objects, no secret-named literal settings", () => {
      assert.deepEqual(byKind("Secret").map(id), [], "Secrets come from ExternalSecrets, never from the manifests");
      const problems = [];
      for (const cm of byKind("ConfigMap")) for (const k of Object.keys(cm.data ?? {})) if (SECRET_NAME.test(k)) problems.push(`${id(cm)}: ${k}`);
      for (const w of workloads(objs)) for (const c of allContainers(podSpecOf(w))) for (const e of c.env ?? []) {
        if (e.value !== undefined && SECRET_NAME.test(e.name)) problems.push(`${id(w)} ${c.name}: env ${e.name} has a literal value`);
      }
      assert.deepEqual(problems, []);
    });

    test("secrets come from AWS Secrets Manager through ExternalSecrets", () => {
      const stores = byKind("SecretStore").concat(byKind("ClusterSecretStore"));
      assert.ok(stores.length > 0, "no SecretStore");
      for (const s of stores) {
        assert.equal(s.spec.provider.aws?.service, "SecretsManager", `${id(s)}: AWS Secrets Manager`);
        assert.ok(s.spec.provider.aws.auth?.jwt?.serviceAccountRef?.name, `${id(s)}: IRSA (jwt) auth, no static keys`);
        assert.equal(s.spec.provider.aws.auth.secretRef, undefined, `${id(s)}: no access-key secret`);
      }
      const externals = byKind("ExternalSecret");
      const targets = new Set(externals.map((e) => e.spec.target?.name ?? e.metadata.name));
      for (const e of externals) {
        assert.ok(stores.some((s) => s.kind === e.spec.secretStoreRef.kind && s.metadata.name === e.spec.secretStoreRef.name), `${id(e)}: its store is not rendered`);
        const keys = [...(e.spec.data ?? []).map((d) => d.remoteRef.key), ...(e.spec.dataFrom ?? []).map((d) => d.extract?.key)];
        for (const k of keys) assert.match(k, new RegExp(`^pingvas/${overlay}/`), `${id(e)}: remote key ${k} is not this environment's`);
      }
      const used = new Set();
      for (const w of workloads(objs)) for (const c of allContainers(podSpecOf(w))) {
        for (const f of c.envFrom ?? []) if (f.secretRef) used.add(f.secretRef.name);
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) used.add(e.valueFrom.secretKeyRef.name);
      }
      for (const t of byKind("TriggerAuthentication")) for (const r of t.spec.secretTargetRef ?? []) used.add(r.name);
      for (const name of used) assert.ok(targets.has(name), `Secret ${name} is used but no ExternalSecret creates it`);
      const app = externals.find((e) => (e.spec.target?.name) === "pingvas-app");
      const named = (app?.spec.data ?? []).map((d) => d.secretKey);
      for (const k of ["ConnectionStrings__Database", "Auth__SigningKey"]) assert.ok(named.includes(k), `pingvas-app must name ${k} (api and worker refuse to start without it)`);
    });

    test("the server's service account is annotated for IRSA and used by every server pod", () => {
      const sa = byKind("ServiceAccount").find((s) => s.metadata.name === "pingvas");
      assert.ok(sa, "ServiceAccount pingvas");
      assert.match(sa.metadata.annotations?.["eks.amazonaws.com/role-arn"] ?? "", /^arn:aws:iam::\d{12}:role\/[\w+=,.@\-]+$/);
      for (const w of workloads(objs)) assert.equal(podSpecOf(w).serviceAccountName, "pingvas", `${id(w)}: serviceAccountName`);
      const cm = byKind("ConfigMap").find((c) => c.metadata.name === "pingvas-config");
      assert.equal(cm.data.Storage__Provider, "s3");
      assert.equal(cm.data.Database__Provider, "postgres", "api and worker run on PostgreSQL only");
      assert.ok(!("Storage__S3__AccessKey" in cm.data) && !("Storage__S3__SecretKey" in cm.data), "no S3 keys: the role's credentials");
    });

    test("CloudFront signed URLs: domain and key pair id in the ConfigMap, the private key only from the secret store", () => {
      const cm = byKind("ConfigMap").find((c) => c.metadata.name === "pingvas-config");
      assert.ok(!("Storage__CloudFront__PrivateKey" in cm.data) && !("Storage__CloudFront__PrivateKeyFile" in cm.data), "the signing key is a secret");
      if (!cm.data.Storage__CloudFront__Domain) return;
      assert.match(cm.data.Storage__CloudFront__Domain, /^[a-z0-9.-]+$/, "a host name, no scheme");
      assert.match(cm.data.Storage__CloudFront__KeyPairId ?? "", /^[A-Z0-9]+$/, "Storage__CloudFront__KeyPairId with the domain");
      assert.ok(!("Storage__S3__PublicBaseUrl" in cm.data), "CloudFront serves only signed URLs: no presigned S3 URLs on its host");
      const app = byKind("ExternalSecret").find((e) => e.metadata.name === "pingvas-app");
      const named = (app?.spec.data ?? []).map((d) => d.secretKey);
      assert.ok(named.includes("Storage__CloudFront__PrivateKey"), "pingvas-app must name Storage__CloudFront__PrivateKey (the server refuses to start without it)");
    });

    test("API: probes on /health/live and /health/ready, HPA and PodDisruptionBudget", () => {
      const api = byKind("Deployment").find((d) => d.metadata.name === "pingvas-api");
      assert.ok(api, "Deployment pingvas-api");
      const c = api.spec.template.spec.containers.find((x) => x.name === "api");
      assert.deepEqual(c.args, ["api"]);
      assert.equal(c.livenessProbe?.httpGet?.path, "/health/live");
      assert.equal(c.readinessProbe?.httpGet?.path, "/health/ready");
      assert.equal(api.spec.replicas, undefined, "the HPA owns the replica count; an apply must not reset it");
      const hpa = byKind("HorizontalPodAutoscaler").find((h) => h.spec.scaleTargetRef.name === "pingvas-api" && h.spec.scaleTargetRef.kind === "Deployment");
      assert.ok(hpa, "HPA for pingvas-api");
      assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
      const pdb = byKind("PodDisruptionBudget").find((p) => matches(p.spec.selector, api.spec.template.metadata.labels));
      assert.ok(pdb, "a PodDisruptionBudget selecting the API pods");
      assert.ok(pdb.spec.minAvailable !== undefined && pdb.spec.minAvailable < hpa.spec.minReplicas, "the PDB must leave room to drain a node at minimum replicas");
      const svc = byKind("Service").find((s) => matches({ matchLabels: s.spec.selector }, api.spec.template.metadata.labels));
      assert.ok(svc, "a Service in front of the API");
    });

    test("one worker Deployment and one KEDA ScaledObject from zero per GPU class", () => {
      const gpuWorkers = byKind("Deployment").filter((d) => d.spec.template.metadata.labels?.["app.kubernetes.io/component"] === "worker"
        && d.spec.template.metadata.labels?.["pingvas.io/gpu-class"] !== "relay");
      assert.ok(gpuWorkers.length >= (overlay === "prod" ? 2 : 1), `${gpuWorkers.length} GPU classes`);
      const homes = new Map();
      const auths = byKind("TriggerAuthentication").map((t) => t.metadata.name);
      for (const d of gpuWorkers) {
        const cls = d.spec.template.metadata.labels["pingvas.io/gpu-class"];
        assert.ok(knownClasses.includes(cls), `${id(d)}: GPU class ${cls} has no speed in Workers__GpuSpeeds`);
        const spec = d.spec.template.spec;
        assert.equal(spec.nodeSelector?.["pingvas.io/gpu-class"], cls, `${id(d)}: nodeSelector`);
        assert.ok(spec.tolerations?.some((t) => t.key === "nvidia.com/gpu"), `${id(d)}: tolerates GPU nodes`);
        const worker = spec.containers.find((c) => c.name === "worker");
        assert.deepEqual(worker.args, ["worker"]);
        assert.equal(envOf(worker, "Engines__InvokeAi__Nodes__0__GpuClass"), cls, `${id(d)}: the worker reports its class`);
        assert.equal(envOf(worker, "Engines__InvokeAi__Nodes__0__Url"), "http://127.0.0.1:9090", `${id(d)}: InvokeAI on localhost`);
        const invoke = spec.initContainers?.find((c) => c.name === "invokeai");
        assert.equal(invoke?.restartPolicy, "Always", `${id(d)}: InvokeAI is a native sidecar (stops after the worker)`);
        assert.equal(String(invoke.resources?.limits?.["nvidia.com/gpu"]), "1", `${id(d)}: one GPU per pod`);
        assert.equal(d.spec.replicas, undefined, `${id(d)}: KEDA owns the replica count`);
        const sos = byKind("ScaledObject").filter((s) => s.spec.scaleTargetRef.name === d.metadata.name);
        assert.equal(sos.length, 1, `${id(d)}: exactly one ScaledObject`);
        const so = sos[0];
        assert.equal(so.spec.minReplicaCount, 0, `${id(so)}: scale to zero`);
        assert.ok(so.spec.maxReplicaCount >= 1);
        assert.equal(so.spec.triggers.length, 1);
        const t = so.spec.triggers[0];
        assert.equal(t.type, "postgresql");
        assert.ok(auths.includes(t.authenticationRef?.name), `${id(so)}: TriggerAuthentication ${t.authenticationRef?.name} not rendered`);
        assert.equal(t.metadata.targetQueryValue, "1", "one job in flight per GPU pod");
        const q = t.metadata.query.replace(/\s+/g, " ");
        const home = new RegExp(String.raw`^SELECT \(SELECT count\(\*\) FROM jobs j WHERE j\.status = 'queued' AND j\.model_id IN \(([^)]*)\)\) `
          + String.raw`\+ \(SELECT count\(\*\) FROM jobs j JOIN workers w ON w\.id = j\.worker_id WHERE j\.status = 'running' AND w\.gpu_class = '${cls}'\)$`).exec(q.trim());
        assert.ok(home, `${id(so)}: the query must count queued jobs of its home models plus running jobs of class ${cls}: ${q}`);
        for (const m of home[1].split(",").map((s) => s.trim().replace(/^'|'$/g, ""))) {
          assert.ok(localModels.includes(m), `${id(so)}: ${m} is not a local catalog model`);
          assert.ok(!homes.has(m), `${m} scales both ${homes.get(m)} and ${cls}: one waiting job would wake two GPUs`);
          homes.set(m, cls);
        }
      }
      assert.deepEqual([...homes.keys()].sort(), [...localModels].sort(), "every local model must wake some GPU class");
    });

    test("workers' termination grace covers the SIGTERM drain (Spot-friendly)", () => {
      const workers = byKind("Deployment").filter((d) => d.spec.template.metadata.labels?.["app.kubernetes.io/component"] === "worker");
      assert.ok(workers.length > 0);
      for (const d of workers) {
        const spec = d.spec.template.spec;
        const worker = spec.containers.find((c) => c.args?.[0] === "worker");
        const grace = Number(envOf(worker, "Worker__ShutdownGraceSeconds") ?? defaultGrace);
        assert.equal(spec.terminationGracePeriodSeconds, grace + hostExtra + SIDECAR_MARGIN,
          `${id(d)}: terminationGracePeriodSeconds must be Worker__ShutdownGraceSeconds (${grace}) + the host's ${hostExtra} s + ${SIDECAR_MARGIN} s`);
        if (spec.tolerations?.some((t) => t.value === "spot")) {
          assert.ok(spec.terminationGracePeriodSeconds <= SPOT_NOTICE, `${id(d)}: longer than the Spot notice`);
        }
      }
    });

    test("the migration runs as a Job before the rollout", () => {
      const jobs = byKind("Job").filter((j) => j.spec.template.spec.containers.some((c) => c.args?.[0] === "migrate"));
      assert.equal(jobs.length, 1, "one migrate Job");
      const job = jobs[0];
      assert.equal(job.metadata.annotations?.["argocd.argoproj.io/hook"], "PreSync");
      assert.equal(job.spec.template.spec.restartPolicy, "Never");
      assert.ok(job.spec.backoffLimit >= 1 && job.spec.activeDeadlineSeconds > 0);
    });

    test("NetworkPolicies: default deny, DNS, API ingress from the ingress controller only, no metadata service", () => {
      const nps = byKind("NetworkPolicy");
      const deny = nps.find((n) => Object.keys(n.spec.podSelector ?? {}).length === 0 && !n.spec.ingress && !n.spec.egress);
      assert.ok(deny && deny.spec.policyTypes.includes("Ingress") && deny.spec.policyTypes.includes("Egress"), "a default-deny policy for every pod");
      assert.ok(nps.some((n) => Object.keys(n.spec.podSelector ?? {}).length === 0 && n.spec.egress?.some((e) => e.ports?.some((p) => p.port === 53))), "DNS egress");
      for (const w of workloads(objs)) {
        const labels = w.spec.template.metadata.labels;
        const own = nps.filter((n) => Object.keys(n.spec.podSelector?.matchLabels ?? {}).length > 0 && matches(n.spec.podSelector, labels));
        assert.ok(own.some((n) => n.spec.egress?.some((e) => e.ports?.some((p) => p.port === 5432))), `${id(w)}: egress to PostgreSQL`);
        const ingress = own.flatMap((n) => n.spec.ingress ?? []);
        const from = ingress.flatMap((r) => r.from ?? []);
        assert.ok(from.every((f) => f.namespaceSelector || f.podSelector), `${id(w)}: ingress from anywhere`);
        const namespaces = from.map((f) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]);
        if (labels["app.kubernetes.io/component"] === "api") {
          assert.ok(namespaces.includes("ingress-nginx"), "API ingress from the ingress controller");
        } else {
          assert.ok(namespaces.every((n) => n === "monitoring"), `${id(w)}: only Prometheus may connect`);
        }
      }
      for (const n of nps) for (const e of n.spec.egress ?? []) for (const t of e.to ?? []) {
        if (t.ipBlock?.cidr === "0.0.0.0/0") assert.ok(t.ipBlock.except?.includes("169.254.169.254/32"), `${id(n)}: open egress must exclude the instance metadata service`);
      }
    });
  });
}
