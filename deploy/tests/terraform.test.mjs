// Static checks of deploy/terraform without a Terraform binary: every .tf file is parsed with
// @cdktf/hcl2json (HashiCorp's own HCL parser compiled to WebAssembly), the modules are wired
// together like `terraform validate` would (module arguments, variables, outputs, locals), and each
// environment's module tree is instantiated so that values passed down from environments/dev and
// environments/prod are followed to the resources they configure (prod's RDS is Multi-AZ because
// environments/prod says true, platform passes it on and database sets multi_az from it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

const here = path.dirname(fileURLToPath(import.meta.url));
const tfRoot = path.resolve(here, '../terraform');
const repoRoot = path.resolve(here, '../..');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === '.terraform' ? [] : walk(p);
    return [p];
  });
}

const allFiles = walk(tfRoot);
const tfFiles = allFiles.filter((f) => f.endsWith('.tf'));
const rel = (p) => path.relative(tfRoot, p);

// ---- parse -------------------------------------------------------------------------------------

const parsed = new Map(); // file → JSON
const parseErrors = [];
for (const f of tfFiles) {
  try {
    parsed.set(f, await parse(rel(f), fs.readFileSync(f, 'utf8')));
  } catch (e) {
    parseErrors.push(`${rel(f)}: ${e.message ?? e}`);
  }
}

// One merged view per directory (= Terraform module).
const mods = new Map();
for (const [f, j] of parsed) {
  const dir = path.dirname(f);
  if (!mods.has(dir)) {
    mods.set(dir, { dir, files: [], resource: {}, data: {}, variable: {}, output: {}, locals: {}, module: {}, terraform: [], provider: {} });
  }
  const m = mods.get(dir);
  m.files.push(f);
  for (const kind of ['resource', 'data']) {
    for (const [type, byName] of Object.entries(j[kind] ?? {})) {
      for (const [name, bodies] of Object.entries(byName)) {
        assert.ok(!(m[kind][type]?.[name]), `${rel(f)}: ${kind} ${type}.${name} declared twice`);
        (m[kind][type] ??= {})[name] = bodies[0];
      }
    }
  }
  for (const kind of ['variable', 'output', 'module', 'provider']) {
    for (const [name, bodies] of Object.entries(j[kind] ?? {})) {
      assert.ok(!(name in m[kind]), `${rel(f)}: ${kind} ${name} declared twice`);
      m[kind][name] = bodies[0];
    }
  }
  for (const l of j.locals ?? []) Object.assign(m.locals, l);
  m.terraform.push(...(j.terraform ?? []));
}

const modDir = (name) => path.join(tfRoot, name);
const envDirs = ['dev', 'prod'].map((e) => path.join(tfRoot, 'environments', e));
const resourcesOf = (m, type) => Object.entries(m.resource[type] ?? {});
const allResources = (type) => [...mods.values()].flatMap((m) => resourcesOf(m, type).map(([n, b]) => ({ m, name: n, body: b })));

// ---- instantiate each environment's module tree --------------------------------------------------
// An instance is a module directory plus the arguments its caller passed. value() resolves the
// common shapes "${var.x}" (to the caller's argument, recursively, or the variable's default) and
// "${local.x}"; anything else comes back as an opaque expression string.

const VAR_ONLY = /^\$\{var\.([A-Za-z0-9_-]+)\}$/;
const LOCAL_ONLY = /^\$\{local\.([A-Za-z0-9_-]+)\}$/;
const UNRESOLVED = Symbol('unresolved');

function instances() {
  const out = [];
  const visit = (dir, args, parent, trail) => {
    const inst = { dir, mod: mods.get(dir), args, parent, trail };
    out.push(inst);
    for (const [name, call] of Object.entries(inst.mod.module)) {
      const child = path.resolve(dir, call.source);
      const { source, ...childArgs } = call;
      visit(child, childArgs, inst, `${trail} → module.${name}`);
    }
  };
  for (const env of envDirs) visit(env, {}, null, rel(env));
  return out;
}

function value(inst, v, depth = 0) {
  assert.ok(depth < 20, 'value() recursion');
  if (typeof v !== 'string') return v;
  let m = VAR_ONLY.exec(v);
  if (m) {
    const name = m[1];
    if (name in inst.args) return inst.parent ? value(inst.parent, inst.args[name], depth + 1) : inst.args[name];
    const decl = inst.mod.variable[name];
    if (decl && 'default' in decl) return decl.default;
    return UNRESOLVED;
  }
  m = LOCAL_ONLY.exec(v);
  if (m && m[1] in inst.mod.locals) return value(inst, inst.mod.locals[m[1]], depth + 1);
  return v;
}

const insts = parseErrors.length ? [] : instances();
const instancesOf = (name) => insts.filter((i) => i.dir === modDir(name));
const envOf = (inst) => { let i = inst; while (i.parent) i = i.parent; return path.basename(i.dir); };

// ---- the checks --------------------------------------------------------------------------------

test('every .tf file parses with @cdktf/hcl2json, and the parser rejects broken HCL', async () => {
  assert.ok(tfFiles.length >= 20, `expected the modules and environments, found ${tfFiles.length} .tf files`);
  assert.deepEqual(parseErrors, []);
  await assert.rejects(parse('broken.tf', 'resource "a" "b" {\n  x =\n}\n'));
});

test('layout: environments dev and prod call the shared platform module', () => {
  for (const env of envDirs) {
    const m = mods.get(env);
    assert.ok(m, `${rel(env)} missing`);
    assert.equal(path.resolve(env, m.module.platform?.source ?? '.'), modDir('modules/platform'), `${rel(env)} must call modules/platform`);
  }
  for (const name of ['network', 'eks', 'database', 'storage', 'irsa', 'secrets', 'platform']) {
    assert.ok(mods.has(modDir(`modules/${name}`)), `modules/${name} missing`);
  }
});

test('module wiring: sources exist, arguments are declared variables, required variables are passed, references resolve', () => {
  const problems = [];
  for (const m of mods.values()) {
    const text = m.files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    for (const [name, call] of Object.entries(m.module)) {
      const child = mods.get(path.resolve(m.dir, call.source));
      if (!child) { problems.push(`${rel(m.dir)}: module.${name} source ${call.source} has no .tf files`); continue; }
      const meta = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
      for (const arg of Object.keys(call)) {
        if (!meta.has(arg) && !(arg in child.variable)) problems.push(`${rel(m.dir)}: module.${name} passes ${arg}, which ${rel(child.dir)} does not declare`);
      }
      for (const [v, decl] of Object.entries(child.variable)) {
        if (!('default' in decl) && !(v in call)) problems.push(`${rel(m.dir)}: module.${name} misses required variable ${v}`);
      }
      for (const [, out] of text.matchAll(new RegExp(`module\\.${name}\\.([A-Za-z0-9_]+)`, 'g'))) {
        if (!(out in child.output)) problems.push(`${rel(m.dir)}: module.${name}.${out} is not an output of ${rel(child.dir)}`);
      }
    }
    for (const [, v] of text.matchAll(/\bvar\.([A-Za-z0-9_]+)/g)) {
      if (!(v in m.variable)) problems.push(`${rel(m.dir)}: var.${v} is not declared`);
    }
    for (const [, l] of text.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)) {
      if (!(l in m.locals)) problems.push(`${rel(m.dir)}: local.${l} is not defined`);
    }
    for (const [, mod] of text.matchAll(/\bmodule\.([A-Za-z0-9_]+)/g)) {
      if (!(mod in m.module)) problems.push(`${rel(m.dir)}: module.${mod} is not called here`);
    }
    // resource references (type.name.attr) point at declared resources/data sources
    for (const [, type, name] of text.matchAll(/\$\{[^}]*?(?<!data\.)\b(aws_[a-z0-9_]+|tls_[a-z0-9_]+)\.([a-z0-9_]+)/g)) {
      if (!m.resource[type]?.[name]) problems.push(`${rel(m.dir)}: ${type}.${name} is referenced but not declared`);
    }
    for (const [, type, name] of text.matchAll(/\bdata\.([a-z0-9_]+)\.([a-z0-9_]+)/g)) {
      if (!m.data[type]?.[name]) problems.push(`${rel(m.dir)}: data.${type}.${name} is referenced but not declared`);
    }
  }
  assert.deepEqual(problems, []);
});

// for_each keys must be known at plan time: an id of a resource created in the same apply makes
// `terraform plan` fail ("Invalid for_each argument"). Follow var.* references up to the environment
// and refuse any resource or module attribute on the way (data sources without inputs are read
// during plan and allowed).
const PLAN_TIME_DATA = /\$\{[^}]*data\.(aws_partition|aws_region|aws_caller_identity|aws_availability_zones)\./;
function unknownAtPlan(inst, v, depth = 0) {
  if (depth > 20) return 'recursion';
  if (Array.isArray(v)) return v.map((x) => unknownAtPlan(inst, x, depth + 1)).find(Boolean);
  if (v && typeof v === 'object') return Object.values(v).map((x) => unknownAtPlan(inst, x, depth + 1)).find(Boolean);
  if (typeof v !== 'string' || !v.includes('${')) return undefined;
  const stripped = v.replace(/\beach\.(key|value)\b|\bcount\.index\b/g, '');
  if (/\b(aws_[a-z0-9_]+\.[a-z0-9_]+\.|module\.[a-z0-9_]+\.)/.test(stripped.replace(/data\.aws_[a-z0-9_]+\.[a-z0-9_]+\./g, ''))) return v;
  if (/\bdata\./.test(stripped) && !PLAN_TIME_DATA.test(stripped)) return v;
  for (const [, name] of stripped.matchAll(/\bvar\.([A-Za-z0-9_]+)/g)) {
    if (name in inst.args) {
      const bad = inst.parent ? unknownAtPlan(inst.parent, inst.args[name], depth + 1) : undefined;
      if (bad) return bad;
    }
  }
  for (const [, name] of stripped.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)) {
    const bad = unknownAtPlan(inst, inst.mod.locals[name], depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

test('for_each keys are known at plan time (no ids of resources created in the same apply)', () => {
  const problems = [];
  for (const inst of insts) {
    const blocks = [
      ...Object.entries(inst.mod.resource).flatMap(([t, byName]) => Object.entries(byName).map(([n, b]) => [`${t}.${n}`, b])),
      ...Object.entries(inst.mod.module).map(([n, b]) => [`module.${n}`, b]),
    ];
    for (const [name, body] of blocks) {
      if (!('for_each' in body)) continue;
      const bad = unknownAtPlan(inst, body.for_each);
      if (bad) problems.push(`${inst.trail}: ${name} for_each depends on ${bad}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('provider versions: exact pins in each environment (same in both), bounded constraints in modules, every used provider declared', () => {
  const pins = {};
  for (const m of mods.values()) {
    const providers = Object.assign({}, ...m.terraform.flatMap((t) => t.required_providers ?? []));
    assert.ok(m.terraform.some((t) => t.required_version), `${rel(m.dir)}: no required_version`);
    const used = new Set([...Object.keys(m.resource), ...Object.keys(m.data)].map((t) => t.split('_')[0]));
    if (m.dir.includes(`${path.sep}environments${path.sep}`)) used.add('aws');
    for (const p of used) assert.ok(providers[p], `${rel(m.dir)}: provider ${p} is used but not in required_providers`);
    for (const [name, req] of Object.entries(providers)) {
      assert.match(req.source ?? '', /^hashicorp\//, `${rel(m.dir)}: provider ${name} has no hashicorp/ source`);
      const v = req.version ?? '';
      if (envDirs.includes(m.dir)) {
        assert.match(v, /^=?\s*\d+\.\d+\.\d+$/, `${rel(m.dir)}: provider ${name} must be pinned to an exact version, not "${v}"`);
        (pins[name] ??= new Set()).add(v.replace(/^=\s*/, ''));
      } else {
        assert.match(v, />=\s*\d+\.\d+\.\d+\s*,\s*<\s*\d+/, `${rel(m.dir)}: provider ${name} needs a bounded constraint (">= x.y.z, < N"), not "${v}"`);
      }
    }
  }
  for (const [name, set] of Object.entries(pins)) assert.equal(set.size, 1, `dev and prod pin different ${name} versions: ${[...set]}`);
  assert.ok(pins.aws, 'the environments pin hashicorp/aws');
});

test('state backend: S3, encrypted, locked, one key per environment', () => {
  const keys = new Set();
  for (const env of envDirs) {
    const s3 = mods.get(env).terraform.flatMap((t) => t.backend?.s3 ?? [])[0];
    assert.ok(s3, `${rel(env)}: no backend "s3"`);
    assert.equal(s3.encrypt, true, `${rel(env)}: state not encrypted`);
    assert.equal(s3.use_lockfile, true, `${rel(env)}: state not locked`);
    assert.ok(!('access_key' in s3) && !('secret_key' in s3), `${rel(env)}: credentials in the backend`);
    keys.add(s3.key);
  }
  assert.equal(keys.size, envDirs.length, 'each environment needs its own state key');
});

test('S3: every bucket blocks all public access, has no ACLs or public policy, SSE-KMS, versioning, lifecycle to a cheaper class after 90 days, noncurrent expiry', () => {
  const buckets = allResources('aws_s3_bucket');
  assert.ok(buckets.length >= 1);
  for (const { m, name, body } of buckets) {
    const ref = `\${aws_s3_bucket.${name}.id}`;
    const forBucket = (type) => resourcesOf(m, type).filter(([, b]) => b.bucket === ref).map(([, b]) => b);
    assert.ok(!('acl' in body) && !('policy' in body) && !('website' in body), `aws_s3_bucket.${name}: inline acl/policy/website`);
    assert.equal(resourcesOf(m, 'aws_s3_bucket_acl').length, 0, 'no aws_s3_bucket_acl');
    assert.equal(resourcesOf(m, 'aws_s3_bucket_website_configuration').length, 0, 'no website hosting');

    const pab = forBucket('aws_s3_bucket_public_access_block');
    assert.equal(pab.length, 1, `aws_s3_bucket.${name}: needs one public access block`);
    for (const k of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      assert.equal(pab[0][k], true, `aws_s3_bucket.${name}: ${k} must be true`);
    }
    const own = forBucket('aws_s3_bucket_ownership_controls');
    assert.equal(own[0]?.rule?.[0]?.object_ownership, 'BucketOwnerEnforced', `aws_s3_bucket.${name}: ACLs must be disabled (BucketOwnerEnforced)`);

    const sse = forBucket('aws_s3_bucket_server_side_encryption_configuration')[0]?.rule?.[0];
    const def = sse?.apply_server_side_encryption_by_default?.[0];
    assert.equal(def?.sse_algorithm, 'aws:kms', `aws_s3_bucket.${name}: SSE-KMS`);
    assert.match(def?.kms_master_key_id ?? '', /^\$\{aws_kms_key\.[a-z_]+\.arn\}$/, `aws_s3_bucket.${name}: customer-managed KMS key`);
    assert.equal(sse.bucket_key_enabled, true, 'S3 Bucket Keys on (fewer KMS calls)');

    assert.equal(forBucket('aws_s3_bucket_versioning')[0]?.versioning_configuration?.[0]?.status, 'Enabled', `aws_s3_bucket.${name}: versioning`);

    const rules = forBucket('aws_s3_bucket_lifecycle_configuration')[0]?.rule ?? [];
    for (const inst of insts.filter((i) => i.dir === m.dir)) {
      const transitions = rules.filter((r) => r.status === 'Enabled').flatMap((r) => r.transition ?? []);
      assert.ok(transitions.length >= 1, 'a lifecycle transition');
      for (const t of transitions) {
        assert.equal(value(inst, t.days), 90, `${inst.trail}: transition after 90 days`);
        assert.ok(['STANDARD_IA', 'INTELLIGENT_TIERING'].includes(value(inst, t.storage_class)), `${inst.trail}: transition class ${value(inst, t.storage_class)}`);
      }
      const nce = rules.flatMap((r) => r.noncurrent_version_expiration ?? []);
      assert.equal(nce.length, 1, 'noncurrent versions expire');
      const days = value(inst, nce[0].noncurrent_days);
      assert.ok(Number.isInteger(days) && days >= 1 && days <= 90, `${inst.trail}: noncurrent expiry ${String(days)}`);
      assert.ok(rules.some((r) => r.abort_incomplete_multipart_upload), 'incomplete multipart uploads are aborted');
    }
  }
});

// IAM policy documents: no Allow statement for everyone.
function publicAllows(doc) {
  return (doc.statement ?? []).filter((s) => (s.effect ?? 'Allow') === 'Allow'
    && (s.principals ?? []).some((p) => p.type === '*' || (p.identifiers ?? []).includes('*')));
}

test('no policy allows anyone ("*"): bucket policies are policy documents; TLS is enforced on the bucket', () => {
  for (const m of mods.values()) {
    for (const [name, doc] of Object.entries(m.data.aws_iam_policy_document ?? {})) {
      assert.deepEqual(publicAllows(doc).map((s) => s.sid), [], `${rel(m.dir)}: data.aws_iam_policy_document.${name} allows "*"`);
      for (const s of doc.statement ?? []) assert.ok(!s.not_principals, `${rel(m.dir)}: ${name} uses not_principals`);
    }
  }
  for (const { m, name, body } of allResources('aws_s3_bucket_policy')) {
    const docRef = /^\$\{data\.aws_iam_policy_document\.([a-z_]+)\.json\}$/.exec(body.policy);
    assert.ok(docRef, `aws_s3_bucket_policy.${name}: use a policy document, not inline JSON`);
    const doc = m.data.aws_iam_policy_document[docRef[1]];
    const tls = doc.statement.find((s) => s.effect === 'Deny' && s.condition?.some((c) => c.variable === 'aws:SecureTransport' && c.values.includes('false')));
    assert.ok(tls, 'bucket policy denies non-TLS requests');
    const cf = doc.statement.filter((s) => (s.effect ?? 'Allow') === 'Allow');
    for (const s of cf) {
      assert.deepEqual(s.principals, [{ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] }], 'only CloudFront is allowed by the bucket policy');
      assert.ok(s.condition?.some((c) => c.variable === 'AWS:SourceArn' && c.values.every((v) => v.includes('aws_cloudfront_distribution.'))), 'CloudFront access is limited to our distribution');
      assert.deepEqual(s.actions, ['s3:GetObject']);
    }
  }
});

test('CloudFront: OAC origin, HTTPS-only viewers, signed URLs through a key group whose public key comes from a variable', () => {
  const dists = allResources('aws_cloudfront_distribution');
  assert.ok(dists.length >= 1);
  for (const { m, name, body } of dists) {
    for (const o of body.origin) {
      assert.match(o.origin_access_control_id ?? '', /^\$\{aws_cloudfront_origin_access_control\.[a-z_]+\.id\}$/, `${name}: origin ${o.origin_id} must use OAC`);
      assert.ok(!o.s3_origin_config?.[0]?.origin_access_identity, `${name}: legacy OAI`);
      assert.ok(!o.custom_origin_config, `${name}: S3 origin through the website endpoint`);
    }
    for (const oac of resourcesOf(m, 'aws_cloudfront_origin_access_control').map(([, b]) => b)) {
      assert.equal(oac.origin_access_control_origin_type, 's3');
      assert.equal(oac.signing_behavior, 'always');
      assert.equal(oac.signing_protocol, 'sigv4');
    }
    const behaviors = [...(body.default_cache_behavior ?? []), ...(body.ordered_cache_behavior ?? [])];
    assert.ok(behaviors.length >= 1);
    for (const b of behaviors) {
      assert.equal(b.viewer_protocol_policy, 'https-only', `${name}: viewer_protocol_policy`);
      assert.ok(Array.isArray(b.trusted_key_groups) && b.trusted_key_groups.length > 0, `${name}: every behavior requires signed URLs (trusted_key_groups)`);
      assert.ok(!b.trusted_signers, `${name}: legacy trusted_signers (root-account key pairs)`);
      assert.deepEqual(b.allowed_methods, ['GET', 'HEAD'], `${name}: read-only`);
      for (const kg of b.trusted_key_groups) {
        const kgName = /^\$\{aws_cloudfront_key_group\.([a-z_]+)\.id\}$/.exec(kg)?.[1];
        const group = m.resource.aws_cloudfront_key_group?.[kgName];
        assert.ok(group, `${name}: trusted key group ${kg} not declared`);
        for (const item of group.items) {
          const pk = m.resource.aws_cloudfront_public_key[/aws_cloudfront_public_key\.([a-z_]+)\.id/.exec(item)[1]];
          assert.match(pk.encoded_key, VAR_ONLY, 'the public key comes from a variable');
          const decl = m.variable[VAR_ONLY.exec(pk.encoded_key)[1]];
          assert.ok(!('default' in decl), 'the public key variable has no default');
          assert.ok(decl.validation?.some((v) => v.condition.includes('PRIVATE KEY')), 'the public key variable refuses private keys');
        }
      }
    }
    const vc = body.viewer_certificate[0];
    assert.match(String(vc.minimum_protocol_version), /TLSv1\.2_2021|TLSv1/, 'minimum TLS');
    assert.ok(String(vc.minimum_protocol_version).includes('TLSv1.2_2021'), `${name}: custom domains need TLSv1.2_2021`);
  }
});

test('RDS: encrypted with KMS, private, TLS forced, managed master password; prod Multi-AZ with deletion protection; backups ≥ 7 days', () => {
  const dbs = allResources('aws_db_instance');
  assert.ok(dbs.length >= 1);
  const dbInsts = instancesOf('modules/database');
  assert.deepEqual(dbInsts.map(envOf).sort(), ['dev', 'prod'], 'each environment has one database');
  for (const { m, name, body } of dbs) {
    assert.equal(body.storage_encrypted, true, `${name}: storage_encrypted`);
    assert.match(body.kms_key_id ?? '', /^\$\{aws_kms_key\.[a-z_]+\.arn\}$/, `${name}: customer-managed KMS key`);
    assert.equal(body.publicly_accessible, false, `${name}: publicly_accessible must be false`);
    assert.equal(body.manage_master_user_password, true, `${name}: RDS manages the master password in Secrets Manager`);
    assert.ok(!('password' in body), `${name}: a password in Terraform`);
    assert.equal(body.skip_final_snapshot, false, `${name}: final snapshot`);
    assert.ok(body.performance_insights_kms_key_id, `${name}: Performance Insights encrypted with our key`);
    const pgName = /^\$\{aws_db_parameter_group\.([a-z_]+)\.name\}$/.exec(body.parameter_group_name)?.[1];
    const params = m.resource.aws_db_parameter_group?.[pgName]?.parameter ?? [];
    assert.equal(params.find((p) => p.name === 'rds.force_ssl')?.value, '1', `${name}: rds.force_ssl = 1`);
    // The security group admits only other security groups (the cluster), never address ranges.
    for (const [, rule] of resourcesOf(m, 'aws_vpc_security_group_ingress_rule')) {
      assert.ok(rule.referenced_security_group_id && !rule.cidr_ipv4 && !rule.cidr_ipv6, 'RDS ingress only from security groups');
    }
    for (const inst of dbInsts.filter((i) => i.dir === m.dir)) {
      const env = envOf(inst);
      const retention = value(inst, body.backup_retention_period);
      assert.ok(Number.isInteger(retention) && retention >= 7, `${inst.trail}: backup retention ${String(retention)} < 7 days`);
      const multiAz = value(inst, body.multi_az);
      const protect = value(inst, body.deletion_protection);
      assert.equal(typeof multiAz, 'boolean', `${inst.trail}: multi_az must be set explicitly`);
      assert.equal(typeof protect, 'boolean', `${inst.trail}: deletion_protection must be set explicitly`);
      if (env === 'prod') {
        assert.equal(multiAz, true, 'prod RDS must be Multi-AZ');
        assert.equal(protect, true, 'prod RDS must have deletion protection');
        assert.ok(value(inst, inst.args.subnet_ids) !== UNRESOLVED);
      }
    }
    // the validation on the retention variable refuses < 7 for anyone calling the module
    const rv = m.variable[VAR_ONLY.exec(body.backup_retention_period)[1]];
    assert.ok(rv.validation?.some((v) => />=\s*7/.test(v.condition)), 'backup retention variable validates ≥ 7');
  }
  // The database subnets have no route out.
  const net = mods.get(modDir('modules/network'));
  assert.equal(net.resource.aws_route_table.database.route, undefined, 'database subnets must not route to the internet');
});

test('EKS: secrets encrypted with KMS, IMDSv2 with hop limit 1 on every node, system group On-Demand, GPU groups on Spot from min 0', () => {
  const eks = mods.get(modDir('modules/eks'));
  const cluster = eks.resource.aws_eks_cluster.this;
  assert.deepEqual(cluster.encryption_config[0].resources, ['secrets']);
  assert.ok(!cluster.vpc_config[0].public_access_cidrs?.includes?.('0.0.0.0/0'));
  assert.ok(eks.variable.api_public_cidrs.validation.some((v) => v.condition.includes('0.0.0.0/0')), 'the API endpoint cannot be opened to the world');
  for (const [name, lt] of resourcesOf(eks, 'aws_launch_template')) {
    assert.equal(lt.metadata_options[0].http_tokens, 'required', `${name}: IMDSv2`);
    assert.equal(lt.metadata_options[0].http_put_response_hop_limit, 1, `${name}: pods must not reach the node role`);
    for (const bd of lt.block_device_mappings) assert.equal(bd.ebs[0].encrypted, true, `${name}: encrypted root volume`);
  }
  const groups = resourcesOf(eks, 'aws_eks_node_group');
  const gpu = groups.filter(([, g]) => g.labels?.['pingvas.io/node-role'] === 'gpu');
  const system = groups.filter(([, g]) => g.labels?.['pingvas.io/node-role'] === 'system');
  assert.equal(gpu.length, 1, 'one GPU node group resource (for_each over classes)');
  assert.equal(system.length, 1);
  for (const [name, g] of gpu) {
    assert.equal(g.capacity_type, 'SPOT', `${name}: Spot`);
    assert.equal(g.scaling_config[0].min_size, 0, `${name}: min_size 0`);
    assert.equal(g.scaling_config[0].desired_size, 0, `${name}: starts at 0`);
    assert.ok(g.lifecycle[0].ignore_changes.includes('${scaling_config[0].desired_size}'), `${name}: the autoscaler owns desired_size`);
    assert.ok(g.taint.some((t) => t.key === 'nvidia.com/gpu' && t.effect === 'NO_SCHEDULE'), `${name}: GPU taint`);
    assert.match(String(eks.variable.gpu_ami_type.default), /NVIDIA/, 'GPU AMI with NVIDIA drivers');
  }
  assert.equal(system[0][1].capacity_type, 'ON_DEMAND');
  for (const inst of instancesOf('modules/eks')) {
    const groupsByClass = value(inst, inst.mod.resource.aws_eks_node_group.gpu.for_each);
    assert.equal(typeof groupsByClass, 'object', `${inst.trail}: GPU classes resolve`);
    assert.ok(Object.keys(groupsByClass).length >= 1);
    for (const [cls, g] of Object.entries(groupsByClass)) {
      assert.match(cls, /^[a-z0-9]+$/, `GPU class ${cls} (pingvas.io/gpu-class label)`);
      assert.ok(g.instance_types.length >= 2, `${inst.trail}: ${cls} needs several Spot instance types`);
      assert.ok(g.instance_types.every((t) => /^g[4-6][a-z]*\./.test(t)), `${inst.trail}: ${cls} lists a non-GPU type`);
      assert.ok(g.max_size >= 1);
    }
  }
});

test('IRSA: the server role may use only its bucket and key; trust is limited to named service accounts; no IAM users or access keys', () => {
  const plat = mods.get(modDir('modules/platform'));
  const doc = plat.data.aws_iam_policy_document.server;
  for (const s of doc.statement) {
    assert.ok(s.resources.every((r) => r.startsWith('${module.storage.bucket_arn}') || r === '${module.storage.kms_key_arn}'), `server policy ${s.sid} reaches beyond the bucket: ${s.resources}`);
    assert.ok(s.actions.every((a) => !a.includes('*')), `server policy ${s.sid} uses wildcards`);
  }
  assert.equal(plat.module.server_irsa.policy_json, '${data.aws_iam_policy_document.server.json}');
  const irsa = mods.get(modDir('modules/irsa'));
  const trust = irsa.data.aws_iam_policy_document.trust.statement[0];
  assert.deepEqual(trust.actions, ['sts:AssumeRoleWithWebIdentity']);
  assert.ok(trust.condition.some((c) => c.test === 'StringEquals' && c.variable.endsWith(':sub') && c.values.includes('system:serviceaccount:${var.namespace}:${sa}')));
  assert.ok(trust.condition.some((c) => c.variable.endsWith(':aud') && c.values[0] === 'sts.amazonaws.com'));
  for (const t of ['aws_iam_user', 'aws_iam_access_key', 'aws_iam_user_policy']) assert.equal(allResources(t).length, 0, `${t} must not exist`);
  for (const inst of instancesOf('modules/irsa')) {
    const sas = value(inst, '${var.service_accounts}');
    assert.ok(Array.isArray(sas) && sas.length >= 1 && sas.every((s) => !s.includes('*')), `${inst.trail}: explicit service accounts`);
  }
});

test('IAM: no Allow of every action, no admin policies attached to pod roles', () => {
  for (const m of mods.values()) {
    for (const [name, doc] of Object.entries(m.data.aws_iam_policy_document ?? {})) {
      for (const s of doc.statement ?? []) {
        if ((s.effect ?? 'Allow') !== 'Allow') continue;
        const wild = (s.actions ?? []).filter((a) => a === '*' || a.endsWith(':*'));
        // A KMS key policy must let the account's root administer the key (else the key is unmanageable).
        const keyAdmin = wild.every((a) => a === 'kms:*') && s.principals?.every((p) => p.type === 'AWS' && p.identifiers.every((i) => /:root"?\}?$|:root$/.test(i)));
        assert.ok(wild.length === 0 || keyAdmin, `${rel(m.dir)}: ${name} allows ${wild}`);
      }
    }
  }
  for (const inst of instancesOf('modules/irsa')) {
    const managed = value(inst, '${var.managed_policy_arns}');
    const list = Array.isArray(managed) ? managed : [];
    assert.ok(list.every((a) => !/AdministratorAccess|PowerUserAccess|IAMFullAccess|AmazonS3FullAccess/.test(a)), `${inst.trail}: broad managed policy ${list}`);
  }
});

test('Secrets Manager: names only (no secret versions), KMS-encrypted, named after the server settings in README "Configuration"', () => {
  assert.equal(allResources('aws_secretsmanager_secret_version').length, 0, 'secret values are set out of band, never in Terraform');
  for (const { name, body } of allResources('aws_secretsmanager_secret')) {
    assert.ok(body.kms_key_id, `${name}: customer-managed KMS key`);
    assert.ok(!('secret_string' in body));
  }
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const plat = mods.get(modDir('modules/platform'));
  const settings = plat.locals.secret_settings;
  for (const s of ['Auth__SigningKey', 'ConnectionStrings__Database']) assert.ok(settings.includes(s), `${s} must be a secret`);
  const documented = (s) => {
    const [section, ...rest] = s.split('__');
    return readme.includes(`\`${s}\``) || readme.includes(`${section}__${rest[0]}__`) || readme.includes(`..__${rest.at(-1)}`) || readme.includes(`\`${section}__{`);
  };
  for (const s of settings) {
    assert.ok(documented(s), `${s} is not a setting README "Configuration" knows`);
  }
  const env = plat.output.server_environment.value;
  for (const k of Object.keys(env)) assert.ok(readme.includes(`\`${k}\``), `output server_environment.${k} is not a README setting`);
  assert.ok(!Object.keys(env).some((k) => /AccessKey|SecretKey/.test(k)), 'no S3 keys: the server uses its IRSA role');
});

test('no variable default looks like a secret, and no credentials anywhere under deploy/terraform', () => {
  const secretName = /password|secret|token|key/i;
  const nonEmpty = (d) => d !== null && d !== undefined && d !== '' && !(Array.isArray(d) && d.length === 0) && !(typeof d === 'object' && Object.keys(d).length === 0);
  for (const m of mods.values()) {
    for (const [name, v] of Object.entries(m.variable)) {
      // Numbers and booleans (e.g. a recovery window in days) are settings, not secret values.
      if (secretName.test(name) && nonEmpty(v.default) && typeof v.default !== 'number' && typeof v.default !== 'boolean') {
        assert.fail(`${rel(m.dir)}: variable ${name} has a default (${JSON.stringify(v.default)}) and looks like a secret`);
      }
    }
    for (const [name, p] of Object.entries(m.provider)) {
      for (const k of ['access_key', 'secret_key', 'token', 'profile']) assert.ok(!(k in p), `${rel(m.dir)}: provider ${name} sets ${k}`);
    }
  }
  const patterns = [
    [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'AWS access key id'],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key'],
    [/aws_secret_access_key|secret_access_key\s*=/i, 'AWS secret key'],
    [/\b(password|secret_string|client_secret)\s*=\s*"[^"$]+"/i, 'literal password/secret'],
    [/\bsk_live_[0-9A-Za-z]+|\bwhsec_[0-9A-Za-z]+|\bxox[bp]-/, 'API key'],
  ];
  for (const f of allFiles.filter((p) => !p.includes(`${path.sep}.terraform${path.sep}`))) {
    const text = fs.readFileSync(f, 'utf8');
    for (const [re, what] of patterns) assert.doesNotMatch(text, re, `${rel(f)}: ${what}`);
  }
  assert.ok(!allFiles.some((f) => /\.tfvars$|\.tfstate/.test(f)), 'no tfvars or state files in the repository (values come from the operator)');
});

test('the checks catch what they are for (the private key and public ACL detectors fire on bad input)', async () => {
  const bad = await parse('bad.tf', `
resource "aws_s3_bucket_public_access_block" "b" {
  bucket              = aws_s3_bucket.b.id
  block_public_acls   = false
}
variable "api_token" {
  default = "abc123"
}
data "aws_iam_policy_document" "p" {
  statement {
    actions = ["s3:GetObject"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}`);
  assert.equal(bad.resource.aws_s3_bucket_public_access_block.b[0].block_public_acls, false);
  assert.equal(publicAllows(bad.data.aws_iam_policy_document.p[0]).length, 1);
  assert.equal(bad.variable.api_token[0].default, 'abc123');
});

test('Secrets Manager names are the ones the ExternalSecrets read (pingvas/<env>/app and pingvas/<env>/keda)', () => {
  const made = new Map(); // env → secret names Terraform creates
  for (const inst of instancesOf('modules/secrets')) {
    const env = value(inst.parent, '${var.environment}');
    assert.equal(typeof env, 'string', `${inst.trail}: environment unresolved`);
    const prefix = inst.args.prefix.replace('${var.environment}', env);
    const names = resourcesOf(inst.mod, 'aws_secretsmanager_secret').map(([, b]) => b.name.replace('${var.prefix}', prefix));
    made.set(envOf(inst), new Set(names));
  }
  const k8s = path.join(repoRoot, 'deploy/k8s');
  const read = { dev: 'base/secrets.yaml', prod: 'overlays/prod/patches.yaml' };
  for (const [env, file] of Object.entries(read)) {
    const keys = [...fs.readFileSync(path.join(k8s, file), 'utf8').matchAll(/^\s*key:\s*(\S+)\s*$/gm)].map((m) => m[1]);
    assert.ok(keys.length >= 2, `${file}: no remoteRef keys found`);
    for (const key of keys) assert.ok(made.get(env)?.has(key), `${file} reads ${key}, which Terraform's ${env} environment does not create (${[...(made.get(env) ?? [])]})`);
  }
});
