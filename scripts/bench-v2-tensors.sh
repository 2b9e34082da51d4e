#!/usr/bin/env bash
# KServe V2 REST with the FP32 pixel tensor as JSON numbers vs as Triton binary tensor data, batch 1 and 8: requests/s
# and the server process's CPU seconds per request (from /proc/PID/stat), arms interleaved round by round (ABBA).
# Usage: scripts/bench-v2-tensors.sh [output-dir]
# Environment: V2_BATCHES (1,8), V2_CONCURRENCY (4), V2_ROUNDS (5), V2_DURATION (seconds per point, 15),
# BENCH_BUILD_ARGS (extra dotnet build arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/bench/v2-tensors}
mkdir -p "$out"
for project in src/MobileViT.Cli src/MobileViT.Service; do
  # shellcheck disable=SC2086
  dotnet build -c Release -v q -nologo ${BENCH_BUILD_ARGS:-} "$project" >/dev/null || { echo "build failed: $project" >&2; exit 1; }
done
service=
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
MobileViT__Models__0__Name=bench MobileViT__Models__0__Source=synthetic:xxs \
Kestrel__Endpoints__Http__Url=http://127.0.0.1:5320 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5321 \
Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll >"$out/service.log" 2>&1 &
service=$!
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:5320/health/ready >/dev/null 2>&1 && break; sleep 0.5; done
dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench --url http://127.0.0.1:5320 --model bench \
  --protocol v2-json,v2-binary --batch "${V2_BATCHES:-1,8}" --concurrency "${V2_CONCURRENCY:-4}" \
  --rounds "${V2_ROUNDS:-5}" --duration "${V2_DURATION:-15}" --warmup 5 --server-pid "$service" \
  --json "$out/v2-tensors.json" | tee "$out/v2-tensors.txt"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
