#!/usr/bin/env bash
# The benchmarks (README "Benchmarks"); never part of ./test.sh.
#   tests/UrlShortener.Benchmarks/run.sh            load benchmark, then micro-benchmarks
#   tests/UrlShortener.Benchmarks/run.sh load [--quick] [--rounds N] [--duration S] [--backend embedded,cosmos,worker] [--only NAME]
#   tests/UrlShortener.Benchmarks/run.sh micro [BenchmarkDotNet options, e.g. --filter '*Code*']
# Installs what it needs (wrk, redis-server, node and the Cosmos DB emulator), builds Release, and
# writes its reports under artifacts/benchmarks/.
set -euo pipefail
cd "$(dirname "$0")/../.."

source tests/install-services.sh
install_services
if ! command -v wrk >/dev/null 2>&1; then
  echo "run.sh: installing wrk (apt)"
  apt_install wrk
fi

# The standalone app, compiled ahead of time for this machine as the Functions package is for Azure; and the
# Functions app as published for Azure (ReadyToRun for linux-x64, see its csproj), for the worker row.
rm -rf artifacts/benchmarks/app artifacts/benchmarks/worker
dotnet publish src/UrlShortener.Server --configuration Release --output artifacts/benchmarks/app \
  --runtime linux-x64 --self-contained false -p:PublishReadyToRun=true -nologo -v q -clp:ErrorsOnly
dotnet publish src/UrlShortener.Functions --configuration Release --output artifacts/benchmarks/worker -nologo -v q -clp:ErrorsOnly
dotnet build tests/UrlShortener.Benchmarks --configuration Release -nologo -v q -clp:ErrorsOnly
exec dotnet tests/UrlShortener.Benchmarks/bin/Release/net10.0/UrlShortener.Benchmarks.dll "$@"
