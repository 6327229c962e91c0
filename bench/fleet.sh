#!/usr/bin/env bash
# The fleet simulation of issue 8, item 8 (method and results: docs/benchmarks.md, "Fleet simulation").
# Builds bench/Pingvas.FleetSim in Release, runs its self-checks (--check), then every policy at
# every load on identical seeded workloads; prints the tables and writes bench/results/fleet.md and
# bench/results/fleet.json. No server, no database, no network; about 30 s of CPU on 2 cores.
# Extra arguments go to the simulator, e.g. `bash bench/fleet.sh --seed 9 --workers 48`.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${BENCH_OUT:-bench/results}
mkdir -p "$out"
# --no-incremental: never measure a stale build while other work changes the sources.
dotnet build bench/Pingvas.FleetSim -c Release --nologo -v quiet --no-incremental 2>&1 | tail -n 2
sim="dotnet bench/Pingvas.FleetSim/bin/Release/net10.0/Pingvas.FleetSim.dll"

echo "== self-checks"
timeout 120 $sim --check | tail -n 1
echo "== simulation"
timeout 300 $sim --out "$out" "$@"
