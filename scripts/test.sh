#!/usr/bin/env bash
# The whole test suite: the InvokeAI protocol test node's own tests, the web app's unit tests, the
# fleet simulation's self-checks, Core and engine unit tests, then the integration tests, which
# start the real server on loopback ports and drive it over HTTP and with the npm SignalR client
# under Node, once on SQLite (the embedded default) and once on a real PostgreSQL server; and the
# browser tests, which drive the web app in headless Chromium (/usr/bin/chromium) against the server.
set -euo pipefail
cd "$(dirname "$0")/.."

for dir in tests/Pingvas.Server.Tests/signalr-client tests/Pingvas.Server.Tests/s3-server tests/Pingvas.Server.Tests/stripe-signer tests/Pingvas.Server.Tests/smtp-server tests/Pingvas.Server.Tests/webhook-verifier tests/invokeai-node sdk/typescript deploy/tests; do
  [ -d "$dir/node_modules" ] || (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
bash scripts/postgres.sh

log=$(mktemp)
status=0
# The InvokeAI protocol test node's own tests (validator, events, queue), before the .NET tests use it.
echo "== InvokeAI test node (node --test)"
(cd tests/invokeai-node && npm test --silent) || status=$?
# Terraform for AWS, checked without a Terraform binary: every .tf file parsed with @cdktf/hcl2json,
# the module wiring validated and the security properties asserted (deploy/tests/terraform.test.mjs).
echo "== deploy: terraform"
(cd deploy/tests && node --test terraform*.test.mjs) || status=$?
# The deploy files, offline: Dockerfile lint, and every Kustomize overlay rendered with kubectl and
# validated against the Kubernetes, KEDA, External Secrets and Prometheus Operator schemas
# (docs/operations.md).
echo "== deploy: containers and kubernetes (node --test)"
(cd deploy/tests && node --test docker*.test.mjs k8s*.test.mjs) || status=$?
# Alert rules and dashboards (deploy/monitoring), offline: promtool check and unit tests of the
# rules, every metric and label against the catalogue, dashboards' structure and PromQL syntax,
# then the rules and every dashboard query in a real Prometheus scraping the catalogue's series.
echo "== deploy: monitoring"
(cd deploy/tests && node --test monitoring*.test.mjs) || status=$?
# The web app's unit tests (Vitest); the .NET build below runs npm ci and the Vite build itself.
echo "== web app (vitest run)"
[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
(cd web && npm test --silent) || status=$?
dotnet build Pingvas.slnx --nologo -v quiet 2>&1 | tail -n 3
# The fleet simulation's self-checks run the real scheduling policy (Core's ClaimPolicy) on a seeded
# fleet: deterministic, about two seconds; the full comparison is bench/fleet.sh.
echo "== fleet simulation self-checks"
dotnet build bench/Pingvas.FleetSim -c Release --nologo -v quiet 2>&1 | tail -n 1
dotnet bench/Pingvas.FleetSim/bin/Release/net10.0/Pingvas.FleetSim.dll --check | tail -n 1 || status=$?
echo "== unit and integration tests on SQLite"
# The browser tests run on their own below: beside the others, 2 cores would starve Chromium.
dotnet test Pingvas.slnx --nologo --no-build --filter "FullyQualifiedName!~Pingvas.E2E.Tests" 2>&1 | tee -a "$log" || status=$?
echo "== browser end-to-end tests (headless Chromium; screenshots in artifacts/screenshots)"
dotnet test tests/Pingvas.E2E.Tests --nologo --no-build 2>&1 | tee -a "$log" || status=$?
echo "== integration tests on PostgreSQL"
PINGVAS_TEST_DATABASE=postgres dotnet test tests/Pingvas.Server.Tests --nologo --no-build 2>&1 | tee -a "$log" || status=$?

# One closing line for the whole run, summed over the test projects and both databases.
awk '/(Passed|Failed)! +- Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
