#!/usr/bin/env bash
# The whole test suite: Core and engine unit tests, then the integration tests, which start the
# real server on loopback ports and drive it over HTTP and with the npm SignalR client under Node.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d tests/Pingvas.Server.Tests/signalr-client/node_modules ]; then
  (cd tests/Pingvas.Server.Tests/signalr-client && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
status=0
dotnet test Pingvas.slnx --nologo 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test projects.
awk '/(Passed|Failed)! +- Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $status
