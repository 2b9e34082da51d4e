#!/usr/bin/env bash
# Memory across load/unload cycles (docs/benchmarks.md): MobileViT-S unloaded and loaded again 50 times through the
# control API (scripts/memory_cycles.py); the service's RSS after the last cycle against after the first.
# Usage: scripts/bench-memory-cycles.sh [xxs|xs|s] [cycles] [output-dir]
# Environment: MEMORY_PORT (5395), MEMORY_SERVICE_ENV (extra settings).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-s}
cycles=${2:-50}
out=${3:-artifacts/bench/memory-$variant}
port=${MEMORY_PORT:-5395}
key=bench-admin-key
mkdir -p "$out"
out=$(cd "$out" && pwd)

dotnet build -c Release -v q -nologo src/MobileViT.Service >/dev/null || { echo "build failed: src/MobileViT.Service" >&2; exit 1; }
dotnet build -c Release -v q -nologo src/MobileViT.Cli >/dev/null || { echo "build failed: src/MobileViT.Cli" >&2; exit 1; }
repository=$(mktemp -d)
service=""
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$repository"; }
trap cleanup EXIT
dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll build-model --variant "$variant" --seed 1 --out "$repository/m/1" >/dev/null

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
env ${MEMORY_SERVICE_ENV:-} MobileViT__Repository__Path="$repository" MobileViT__Repository__Control=explicit MobileViT__Repository__ControlApi=true \
  "MobileViT__Auth__ApiKeys__0=bench:$key scopes=infer,admin" MobileViT__Execution__Providers=CPU \
  Kestrel__Endpoints__Http__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
  Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll >"$out/service.log" 2>&1 &
service=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "service not ready; see $out/service.log" >&2; exit 1; }

status=0
python3 scripts/memory_cycles.py --port "$port" --pid "$service" --key "$key" --cycles "$cycles" --images benchmarks/images/*.jpg \
  --json "$out/memory.json" | tee "$out/memory.txt" || status=$?
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/memory.txt"
exit $status
