# Sourced by ./test.sh and tests/UrlShortener.Benchmarks/run.sh (from the repository root):
# installs what the tests and benchmarks start themselves, on a fresh machine.
# redis-server, chromium (the dashboard's browser tests), node and npm from apt; the Cosmos DB emulator from
# tests/cosmos-emulator's lock file.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_services() {
  # Redis: the tests start their own redis-server processes on free ports.
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "installing redis-server (apt)"
    apt_install redis-server
  fi

  # Chromium: Playwright drives Debian's build (its own browser download cannot reach its CDN from here).
  if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (apt)"
    apt_install chromium
  fi

  # The Cosmos DB emulator: an npm package pinned in tests/cosmos-emulator/package-lock.json.
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "installing nodejs and npm (apt)"
    apt_install nodejs npm
  fi
  local emulator=tests/cosmos-emulator
  local lock_hash
  lock_hash=$(sha256sum "$emulator/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$emulator/node_modules/.installed-lock" 2>/dev/null)" != "$lock_hash" ]; then
    echo "installing the Cosmos DB emulator (npm ci)"
    (cd "$emulator" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" > "$emulator/node_modules/.installed-lock"
  fi
}
