#!/usr/bin/env bash
# Two configurations of the published app side by side (README "Benchmarks"); never part of ./test.sh.
#   tests/UrlShortener.Benchmarks/pair.sh [--rounds N] [--seed N] [--a embedded|cosmos] [--b embedded|cosmos]
#                                         [--set-a Name=value]... [--set-b Name=value]...
# Starts app A and app B (defaults: embedded and Cosmos DB + Redis) and keeps both alive, creates one hot link
# and --seed more links in each, then alternates 10 s wrk runs of the hot redirect at A and B. Each line gives
# req/s, the app's CPU microseconds per request, the machine's idle CPU seconds and context switches per request;
# the last line, the median of B/A. Both apps live through the whole run and take turns, so the machine's drift
# falls on both: on a noisy VM this compares two configurations far better than two harness runs.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=8 seed=1000 a_backend=embedded b_backend=cosmos a_settings=() b_settings=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --a) a_backend=$2; shift 2 ;;
    --b) b_backend=$2; shift 2 ;;
    --set-a) a_settings+=("$2"); shift 2 ;;
    --set-b) b_settings+=("$2"); shift 2 ;;
    *) echo "pair.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

source tests/install-services.sh
install_services
command -v wrk >/dev/null 2>&1 || apt_install wrk
rm -rf artifacts/benchmarks/app
dotnet publish src/UrlShortener.Server --configuration Release --output artifacts/benchmarks/app -nologo -v q -clp:ErrorsOnly

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { local port; while :; do port=$((20000 + RANDOM % 20000)); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }; done; }
wait_for() { for _ in $(seq 300); do curl -sf "$1" >/dev/null && return; sleep 0.1; done; echo "pair.sh: $1 did not answer" >&2; exit 1; }

key=pair-$RANDOM$RANDOM$RANDOM
common=(ASPNETCORE_ENVIRONMENT=Production Shortener__BaseUrl=https://sho.rt "Shortener__CodeSecret=$(head -c 32 /dev/urandom | base64)"
  Auth__ApiKeys__0__Owner=pair "Auth__ApiKeys__0__KeyHash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)"
  Auth__ApiKeys__0__Scopes__0=links:write)
cosmos=()
if [ "$a_backend" = cosmos ] || [ "$b_backend" = cosmos ]; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --save "" --appendonly no > "$work/redis.log" 2>&1 & pids+=($!)
  cosmos_port=$(free_port)
  (cd tests/cosmos-emulator && exec node server.js "$cosmos_port" $$) > "$work/cosmos.log" 2>&1 & pids+=($!)
  cosmos=("Cosmos__ConnectionString=AccountEndpoint=https://127.0.0.1:$cosmos_port/;AccountKey=cGFpcg==;"
    Cosmos__DatabaseName=pair Cosmos__DisableServerCertificateValidation=true Cosmos__CreateResources=true
    "Redis__ConnectionString=127.0.0.1:$redis_port")
  for _ in $(seq 100); do grep -q listening "$work/cosmos.log" && break; sleep 0.1; done
fi

start_app() { # name backend settings...
  local name=$1 backend=$2; shift 2
  local port; port=$(free_port)
  local backend_settings=("Embedded__DatabasePath=$work/$name.db")
  [ "$backend" = cosmos ] && backend_settings=("${cosmos[@]}")
  (cd artifacts/benchmarks/app && exec env "${common[@]}" "${backend_settings[@]}" "$@" dotnet UrlShortener.Server.dll --urls "http://127.0.0.1:$port") > "$work/$name.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$! ${name}_port=$port"
  wait_for "http://127.0.0.1:$port/healthz"
}
create() { curl -sf -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d "{\"url\":\"$2\"}" "http://127.0.0.1:$1/api/links"; }

# One at a time: two first starts on one Cosmos database would both create it.
start_app a "$a_backend" "${a_settings[@]}"
start_app b "$b_backend" "${b_settings[@]}"
for side in a b; do
  port_var=${side}_port
  hot=$(create "${!port_var}" "https://example.com/landing/page?utm=1" | sed -n 's/.*"code":"\([^"]*\)".*/\1/p')
  eval "${side}_code=$hot"
  seq "$seed" | xargs -P 16 -I{} curl -sf -o /dev/null -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
    -d '{"url":"https://example.com/catalogue/item-{}?ref=pair"}' "http://127.0.0.1:${!port_var}/api/links"
done

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
idle() { awk '/^cpu /{print $5 + $6}' /proc/stat; }
switches() { awk '/^ctxt/{print $2}' /proc/stat; }
ratios=()
run() { # side seconds -> "req/s us/req idle ctx/req"
  local pid_var=$1_pid port_var=$1_port code_var=$1_code
  local c0 i0 x0 out rps c1 i1 x1
  c0=$(cpu "${!pid_var}"); i0=$(idle); x0=$(switches)
  out=$(wrk -t2 -c64 -d"$2"s -H 'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' \
    -H 'Referer: https://news.example.org/post' "http://127.0.0.1:${!port_var}/${!code_var}")
  c1=$(cpu "${!pid_var}"); i1=$(idle); x1=$(switches)
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  awk -v r="$rps" -v c=$((c1 - c0)) -v i=$((i1 - i0)) -v x=$((x1 - x0)) -v d="$2" \
    'BEGIN { printf "%8.0f req/s %6.2f us/req idle %4.2f s ctx/req %4.2f", r, 1e4 * c / (r * d), i / 100, x / (r * d) }'
}
run a 3 >/dev/null; run b 3 >/dev/null
echo "A = $a_backend ${a_settings[*]:-}; B = $b_backend ${b_settings[*]:-}; $seed links seeded; wrk -t2 -c64 -d10s, hot redirect"
for i in $(seq "$rounds"); do
  a=$(run a 10); b=$(run b 10)
  ratio=$(awk -v a="${a%% req*}" -v b="${b%% req*}" 'BEGIN { printf "%.3f", b / a }')
  ratios+=("$ratio")
  echo "round $i  A: $a   B: $b   B/A $ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median B/A over %d rounds: %.3f\n", NR, m }'
