#!/usr/bin/env bash
# The project's one test command (README "Test it"; .ci/run calls it unchanged).
# Installs what the tests need on a fresh machine (redis-server, node and the Cosmos DB emulator),
# then runs every test project in Release. The tests start and stop the servers themselves.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK 10 is required (https://dot.net)." >&2
  exit 1
fi

source tests/install-services.sh
install_services

log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
dotnet test UrlShortener.sln --configuration Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Repeat every failed test with its message at the end, so that a log's tail (CI keeps only the tail) names it.
failures=$(awk '/^  Failed [A-Za-z]/ { show = 1; lines = 0; print "" }
                /^  (Passed|Skipped) [A-Za-z]/ || /^\[xUnit\.net/ || /^Test Run / { show = 0 }
                show && lines++ < 40 { print }' "$log")
if [ -n "$failures" ]; then
  printf -- '--- failed tests ---%s\n' "$failures"
fi

# One summary line over all test projects, e.g. "197 passed, 0 failed, 0 skipped".
awk '/^Total tests: [0-9]+/ { runs++ }
     /^ +Passed: [0-9]+$/ { passed += $2 }
     /^ +Failed: [0-9]+$/ { failed += $2 }
     /^ +Skipped: [0-9]+$/ { skipped += $2 }
     END { if (runs) printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
