#!/usr/bin/env bash
# The benchmark of issue 3, item 9 (method and results: docs/benchmarks.md). One run, side by side:
#   1. Pingvas: POST /generations throughput and latency (`pingvas api` on PostgreSQL, in-process);
#   2. Pingvas: the queue on a zero-time engine with 1, 2, 4, 8 workers (drain and steady state);
#   3. Pingvas: where the time of one submit / claim / job goes (statements, one at a time);
#   4. BullMQ on a local redis-server: the same job count, priorities and worker counts;
# then prints the markdown table (also in bench/results/report.md).
# Installs what it needs (redis-server from apt, bench/bullmq's npm packages), makes sure PostgreSQL
# runs (scripts/postgres.sh). Everything listens on 127.0.0.1 only; every phase is bounded in count
# and time; the redis-server it starts is stopped at the end. Total: about 10 minutes on 2 cores.
#
# Knobs (environment): BENCH_USERS (200), BENCH_CONCURRENCY (32,1), BENCH_SUBMITS (20000),
# BENCH_SUBMIT_SECONDS (20), BENCH_JOBS (1000), BENCH_WORKERS (1,2,4,8), BENCH_RATE (10),
# BENCH_STEADY_SECONDS (15), BENCH_PROFILE (1: run step 3), BENCH_OUT (bench/results).
# BENCH_SEARCH=1 runs only the gallery search bench of issue 12 (bench/results/issue-12/search.md):
# BENCH_SEARCH_IMAGES (1000000), BENCH_SEARCH_USER_IMAGES (100000), BENCH_SEARCH_OTHER_USERS (900),
# BENCH_SEARCH_ROUNDS (40); about 10 minutes at the full size on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

users=${BENCH_USERS:-200}
concurrency=${BENCH_CONCURRENCY:-32,1}
submits=${BENCH_SUBMITS:-20000}
submit_seconds=${BENCH_SUBMIT_SECONDS:-20}
jobs=${BENCH_JOBS:-1000}
workers=${BENCH_WORKERS:-1,2,4,8}
rate=${BENCH_RATE:-10}
steady_seconds=${BENCH_STEADY_SECONDS:-15}
out=${BENCH_OUT:-bench/results}
mkdir -p "$out"

redis_pid_file=$(mktemp)
stop_redis() {
  # Only the redis-server this run started (bench.mjs stops it too; this covers an interrupted run).
  local pid
  pid=$(cat "$redis_pid_file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$redis_pid_file"
}
trap stop_redis EXIT

echo "== prerequisites"
if ! command -v redis-server >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
if [ ! -d bench/bullmq/node_modules ] || [ bench/bullmq/package-lock.json -nt bench/bullmq/node_modules ]; then
  (cd bench/bullmq && npm ci --no-audit --no-fund --loglevel=error)
fi
bash scripts/postgres.sh
# --no-incremental: the sources may change while other work goes on; never measure a stale build.
dotnet build bench/Pingvas.Bench -c Release --nologo -v quiet --no-incremental 2>&1 | tail -n 2
bench="dotnet bench/Pingvas.Bench/bin/Release/net10.0/Pingvas.Bench.dll"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown) ($(git status --porcelain 2>/dev/null | grep -vc '^?? bench/' || true) uncommitted paths outside bench/)"
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dotnet: $(dotnet --version), node: $(node --version), $(redis-server --version | cut -d' ' -f1-3)"
  echo "postgres: $(PGPASSWORD=pingvas psql -h 127.0.0.1 -U pingvas -d postgres -Atc 'select version()' 2>/dev/null | cut -d' ' -f1-2)"
} > "$out/machine.txt"
cat "$out/machine.txt"

# The server logs at its shipped levels (appsettings.json); keep the console for the bench's own lines.
run() { timeout "$1" "${@:2}" > >(grep -v '^\(info\|warn\): ' >&2); }

if [ "${BENCH_SEARCH:-0}" = 1 ]; then
  echo "== pingvas: gallery search (issue 12)"
  mkdir -p bench/results/issue-12
  cp "$out/machine.txt" bench/results/issue-12/machine.txt
  run 1800 $bench search --images "${BENCH_SEARCH_IMAGES:-1000000}" --user-images "${BENCH_SEARCH_USER_IMAGES:-100000}" \
    --other-users "${BENCH_SEARCH_OTHER_USERS:-900}" --rounds "${BENCH_SEARCH_ROUNDS:-40}" --out bench/results/issue-12/search.md
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a bench/results/issue-12/machine.txt
  exit 0
fi

echo "== 1/4 pingvas: POST /generations"
run 300 $bench submit --users "$users" --concurrency "$concurrency" --count "$submits" --seconds "$submit_seconds" --out "$out/pingvas-submit.json"
echo "== 2/4 pingvas: the queue, zero-time engine"
run 600 $bench claim --jobs "$jobs" --workers "$workers" --rate "$rate" --steady-seconds "$steady_seconds" --out "$out/pingvas-claim.json"
if [ "${BENCH_PROFILE:-1}" = 1 ]; then
  echo "== 3/4 pingvas: where the time goes, one operation at a time"
  run 300 $bench profile --ops 50 --depth "$jobs" --out "$out/profile.md"
fi
echo "== 4/4 bullmq on redis-server"
timeout 300 node bench/bullmq/bench.mjs --jobs "$jobs" --workers "$workers" --concurrency "$concurrency" \
  --enqueue-count "$submits" --enqueue-seconds "$submit_seconds" --rate "$rate" --steady-seconds "$steady_seconds" \
  --out "$out/bullmq.json" --pidfile "$redis_pid_file"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

echo
$bench report --in "$out/pingvas-submit.json,$out/pingvas-claim.json,$out/bullmq.json" --out "$out/report.md"
