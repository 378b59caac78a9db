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

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Redis: the tests start their own redis-server processes on free ports.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (apt)"
  apt_install redis-server
fi

# The Cosmos DB emulator: an npm package pinned in tests/cosmos-emulator/package-lock.json.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: installing nodejs and npm (apt)"
  apt_install nodejs npm
fi
emulator=tests/cosmos-emulator
lock_hash=$(sha256sum "$emulator/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$emulator/node_modules/.installed-lock" 2>/dev/null)" != "$lock_hash" ]; then
  echo "test.sh: installing the Cosmos DB emulator (npm ci)"
  (cd "$emulator" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$emulator/node_modules/.installed-lock"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
dotnet test UrlShortener.sln --configuration Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One summary line over all test projects, e.g. "197 passed, 0 failed, 0 skipped".
awk '/^Total tests: [0-9]+/ { runs++ }
     /^ +Passed: [0-9]+$/ { passed += $2 }
     /^ +Failed: [0-9]+$/ { failed += $2 }
     /^ +Skipped: [0-9]+$/ { skipped += $2 }
     END { if (runs) printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
