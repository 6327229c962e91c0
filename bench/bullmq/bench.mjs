// The BullMQ peer of the Pingvas queue benchmark (docs/benchmarks.md).
//
// Starts its own redis-server on 127.0.0.1 (a free port, no persistence), then measures what the
// .NET bench measures for our queue: enqueue throughput and latency with a fixed number of adds in
// flight; draining the same number of prioritised jobs (plan priorities 2/4/6/8/10) with 1, 2, 4 and 8
// workers doing zero work; and enqueue → start latency at a fixed arrival rate while workers run.
// Writes the same JSON shape as `Pingvas.Bench` (a list of measurements). Bounded: every phase has
// a count and a time limit, and redis-server is stopped on the way out, whatever happens.
//
// usage: node bench.mjs [--jobs 1000] [--workers 1,2,4,8] [--concurrency 32,8] [--enqueue-count 20000]
//                       [--enqueue-seconds 20] [--rate 10] [--steady-seconds 20] [--out FILE] [--pidfile FILE]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const jobs = int(args.jobs, 1000);
const workerCounts = list(args.workers, '1,2,4,8');
const concurrencies = list(args.concurrency, '32,8');
const enqueueCount = int(args['enqueue-count'], 20000);
const enqueueSeconds = Number(args['enqueue-seconds'] ?? 20);
const rate = Number(args.rate ?? 10);
const steadySeconds = Number(args['steady-seconds'] ?? 20);
const out = args.out ?? path.join(here, '..', 'results', 'bullmq.json');
const phaseLimitMs = 180_000;

// The plans' queue priorities, highest first in BullMQ's terms (1 is the highest there).
const planPriorities = [2, 4, 6, 8, 10];
const bullPriority = (p) => 11 - p;
const users = 50;

const started = performance.now();
const log = (message) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}`);

let redis;
try {
  redis = await startRedis();
  const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const admin = new IORedis(connection);
  const serverInfo = await admin.info('server');
  const redisVersion = /redis_version:(\S+)/.exec(serverInfo)?.[1];
  const bullmqVersion = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'bullmq', 'package.json'), 'utf8')).version;
  log(`redis-server ${redisVersion} on 127.0.0.1:${redis.port}, bullmq ${bullmqVersion}`);
  const results = [];
  const versions = `bullmq ${bullmqVersion}, ioredis ${JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'ioredis', 'package.json'), 'utf8')).version}, redis ${redisVersion}`;

  // Warm-up (JIT, connections): a small enqueue and drain, not recorded.
  {
    const queue = new Queue('warmup', { connection });
    await enqueueClosed(queue, 16, 500, 30);
    await drain('warmup', connection, 2, 500);
    await queue.close();
    await admin.flushdb();
  }

  for (const c of concurrencies) {
    const queue = new Queue(`enqueue-${c}`, { connection });
    const cpu = cpuStart();
    const r = await enqueueClosed(queue, c, enqueueCount, enqueueSeconds);
    results.push({
      system: 'bullmq', bench: 'enqueue', concurrency: c, count: r.count, errors: r.errors,
      seconds: round(r.seconds, 3), throughput: round((r.count - r.errors) / r.seconds, 1), latency: summary(r.latencies),
      extra: { ...cpu.per(r.count - r.errors), queueDepthEnd: await queue.count() },
      note: `queue.add of a prioritised job (priorities 2/4/6/8/10 → BullMQ 9/7/5/3/1), ${c} adds in flight, no workers; ${versions}`,
    });
    log(`enqueue c=${c}: ${(r.count / r.seconds).toFixed(0)} /s, ${fmt(summary(r.latencies))}, errors ${r.errors}`);
    await queue.close();
    await admin.flushdb();
  }

  for (const w of workerCounts) {
    const name = `drain-${w}`;
    const queue = new Queue(name, { connection });
    await enqueueClosed(queue, 16, jobs, 120);
    const cpu = cpuStart();
    const r = await drain(name, connection, w, jobs);
    results.push({
      system: 'bullmq', bench: 'drain', workers: w, count: jobs, errors: jobs - r.completed,
      seconds: round(r.seconds, 3), throughput: round(r.completed / r.seconds, 1), startLatency: summary(r.startLatencies),
      extra: cpu.per(r.completed),
      note: `${jobs} prioritised jobs pre-filled, then ${w} Worker(s) (concurrency 1 each, own connections) with an empty processor; enqueue→start here is mostly backlog wait; ${versions}`,
    });
    log(`drain w=${w}: ${(r.completed / r.seconds).toFixed(0)} jobs/s over ${r.seconds.toFixed(2)} s`);
    await queue.close();
    await admin.flushdb();
  }

  for (const w of workerCounts) {
    const name = `steady-${w}`;
    const queue = new Queue(name, { connection });
    const cpu = cpuStart();
    const r = await steady(queue, name, connection, w, rate, steadySeconds);
    results.push({
      system: 'bullmq', bench: 'steady', workers: w, rate, count: r.count, errors: r.count - r.completed,
      seconds: round(r.seconds, 3), throughput: round(r.completed / r.seconds, 1),
      latency: summary(r.addLatencies), startLatency: summary(r.startLatencies),
      extra: cpu.per(r.completed),
      note: `adds at ${rate}/s for ${steadySeconds} s while ${w} worker(s) with an empty processor run; enqueue→start = processor entry − time taken just before queue.add; ${versions}`,
    });
    log(`steady w=${w} at ${rate}/s: enqueue→start ${fmt(summary(r.startLatencies))}`);
    await queue.close();
    await admin.flushdb();
  }

  await admin.quit();
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  log(`wrote ${out}`);
} finally {
  await stopRedis(redis);
}
process.exit(0);

/** Adds with a fixed number in flight until the count or the duration is reached. */
async function enqueueClosed(queue, concurrency, maxCount, maxSeconds) {
  let next = 0;
  let errors = 0;
  const latencies = [];
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const i = next++;
      if (i >= maxCount) return;
      const sent = performance.now();
      try {
        await queue.add('generate', payload(i, sent), { priority: bullPriority(planPriorities[i % planPriorities.length]) });
      } catch {
        errors++;
      }
      latencies.push(performance.now() - sent);
    }
  }));
  return { count: latencies.length, errors, latencies, seconds: (performance.now() - t0) / 1000 };
}

/** Starts `workers` workers on a pre-filled queue and waits until `expected` jobs have completed. */
async function drain(name, connection, workers, expected) {
  const startLatencies = [];
  let completed = 0;
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });
  const t0 = performance.now();
  let last = t0;
  const pool = Array.from({ length: workers }, () => {
    const worker = new Worker(name, async (job) => { startLatencies.push(performance.now() - job.data.t); }, { connection, concurrency: 1 });
    worker.on('completed', () => {
      completed++;
      last = performance.now();
      if (completed >= expected) resolveDone();
    });
    return worker;
  });
  await withLimit(done, `drain of ${expected} jobs with ${workers} worker(s)`);
  await Promise.all(pool.map((w) => w.close()));
  return { completed, startLatencies, seconds: (last - t0) / 1000 };
}

/** Workers running; adds at a fixed rate (open loop); waits until every added job has completed. */
async function steady(queue, name, connection, workers, perSecond, seconds) {
  const startLatencies = [];
  const addLatencies = [];
  let completed = 0;
  const total = Math.round(perSecond * seconds);
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });
  const pool = Array.from({ length: workers }, () => {
    const worker = new Worker(name, async (job) => { startLatencies.push(performance.now() - job.data.t); }, { connection, concurrency: 1 });
    worker.on('completed', () => {
      completed++;
      if (completed >= total) resolveDone();
    });
    return worker;
  });
  await Promise.all(pool.map((w) => w.waitUntilReady()));
  await sleep(500); // the workers are idle, blocked waiting for a job
  const t0 = performance.now();
  const adds = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / perSecond - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    adds.push(queue.add('generate', payload(i, sent), { priority: bullPriority(planPriorities[i % planPriorities.length]) })
      .then(() => addLatencies.push(performance.now() - sent)));
  }
  await Promise.all(adds);
  await withLimit(done, `steady state with ${workers} worker(s)`);
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(pool.map((w) => w.close()));
  return { count: total, completed, startLatencies, addLatencies, seconds: elapsed };
}

function payload(i, t) {
  // The same request our submit carries, the owner, and the enqueue time for enqueue → start.
  return { prompt: 'a lighthouse at dusk, oil painting', model: 'sd-1.5', width: 512, height: 512, steps: 25, batchSize: 1, user: `user-${i % users}`, t };
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (args.pidfile) fs.writeFileSync(args.pidfile, String(child.pid));
  process.on('exit', () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } });
  const probe = new IORedis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') break;
    } catch {
      probe.disconnect();
      await sleep(100);
    }
  }
  probe.disconnect();
  return { port, child };
}

async function stopRedis(server) {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** CPU of this Node process (producer and workers) and of redis-server, per completed operation. */
function cpuStart() {
  const node0 = process.cpuUsage();
  const redis0 = redisCpuMs();
  return {
    per(n) {
      const node = process.cpuUsage(node0);
      return {
        nodeCpuMsPerJob: round((node.user + node.system) / 1000 / Math.max(1, n), 3),
        redisCpuMsPerJob: round((redisCpuMs() - redis0) / Math.max(1, n), 3),
      };
    },
  };
}

function redisCpuMs() {
  try {
    const stat = fs.readFileSync(`/proc/${redis.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ = 100
  } catch {
    return 0;
  }
}

function withLimit(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${phaseLimitMs / 1000} s`)), phaseLimitMs); });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function summary(samples) {
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  const rank = (p) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))], 3);
  return { samples: sorted.length, mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 3), p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: round(sorted[sorted.length - 1], 3) };
}

function fmt(s) {
  return s ? `p50 ${s.p50.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms` : 'no samples';
}

function parseArgs(argv) {
  const parsed = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) throw new Error(`Unexpected argument ${argv[i]}`);
    const key = argv[i].slice(2);
    parsed[key] = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
  }
  return parsed;
}

function int(value, fallback) { return value === undefined ? fallback : Number.parseInt(value, 10); }
function list(value, fallback) { return String(value ?? fallback).split(',').map((v) => Number.parseInt(v, 10)); }
function round(v, digits) { return Number(v.toFixed(digits)); }
function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
