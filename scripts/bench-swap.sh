#!/usr/bin/env bash
# The swap-under-load figures in docs/benchmarks.md: a model swapped 20 times between two versions while clients run at
# about 70% of capacity (scripts/swap_under_load.py: capacity, then rounds of a quiet phase and a swap phase, interleaved).
# The repository holds model m, versions 1 and 2: the same MobileViT variant built from two seeds, so their answers
# differ and every answer can be traced to one of them. Explicit control, the control API on, an admin key.
# Usage: scripts/bench-swap.sh [xxs|xs|s] [output-dir]
# Environment: SWAP_FRACTION (0.7), SWAP_ROUNDS (4), SWAP_PER_ROUND (5), SWAP_EVERY (5 s), SWAP_PORT (5390),
# SWAP_SERVICE_ENV (extra settings, e.g. 'MobileViT__Execution__Instances=1').
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-xxs}
out=${2:-artifacts/bench/swap-$variant}
port=${SWAP_PORT:-5390}
key=bench-admin-key
mkdir -p "$out"
out=$(cd "$out" && pwd)

dotnet build -c Release -v q -nologo src/MobileViT.Service >/dev/null || { echo "build failed: src/MobileViT.Service" >&2; exit 1; }
dotnet build -c Release -v q -nologo src/MobileViT.Cli >/dev/null || { echo "build failed: src/MobileViT.Cli" >&2; exit 1; }
repository=$(mktemp -d)
service=""
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$repository"; }
trap cleanup EXIT

for version in 1 2; do
  dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll build-model --variant "$variant" --seed "$version" --out "$repository/m/$version" >/dev/null
done
# Both versions serve at first, so that each one's own answers can be recorded; the benchmark then serves one at a time.
echo '{"version_policy": {"all": {}}}' > "$repository/m/model_config.json"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
env ${SWAP_SERVICE_ENV:-} MobileViT__Repository__Path="$repository" MobileViT__Repository__Control=explicit MobileViT__Repository__ControlApi=true \
  "MobileViT__Auth__ApiKeys__0=bench:$key scopes=infer,admin" MobileViT__Execution__Providers=CPU \
  Kestrel__Endpoints__Http__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
  Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll >"$out/service.log" 2>&1 &
service=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "service not ready; see $out/service.log" >&2; exit 1; }

status=0
python3 scripts/swap_under_load.py --port "$port" --key "$key" --images benchmarks/images/*.jpg \
  --fraction "${SWAP_FRACTION:-0.7}" --rounds "${SWAP_ROUNDS:-4}" --swaps-per-round "${SWAP_PER_ROUND:-5}" --swap-every "${SWAP_EVERY:-5}" \
  --json "$out/swap.json" | tee "$out/swap.txt" || status=$?
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/swap.txt"
exit $status
