#!/usr/bin/env bash
# Produces the figures in docs/benchmarks.md for one model variant, on this machine, in one run:
#   1. the in-process ceiling sweep (instances x intra-op threads x batch, decode + preprocess + inference),
#   2. the service at its default configuration over HTTP, gRPC unary and gRPC streaming at concurrency 1..64,
#   3. a memory soak (RSS after 2,000 and 20,000 requests),
#   4. the naive baseline (Session.Run per request) at the same concurrencies,
#   5. per size class (web photos and a 12 MP phone-size photo): preprocessing against Pillow and throughput, exact and
#      fast mode (scripts/bench-sizes.sh, into OUTPUT/sizes).
# Usage: scripts/bench.sh [xxs|xs|s] [output-dir]
# Environment: BENCH_DURATION (seconds per point, 15), BENCH_CONCURRENCY (1,4,16,32,64), BENCH_PROTOCOLS
# (http,grpc,grpc-stream), BENCH_BATCHES (1,2,4,8,16), BENCH_SOAK (1 runs the memory soak, 0 skips it),
# BENCH_SERVICE_ENV (extra settings for the service, e.g. 'MobileViT__Batching__MaxBatchSize=4'), BENCH_SIZES (1 runs the
# per-size-class section, 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-xxs}
out=${2:-artifacts/bench/$variant}
duration=${BENCH_DURATION:-15}
concurrency=${BENCH_CONCURRENCY:-1,4,16,32,64}
protocols=${BENCH_PROTOCOLS:-http,grpc,grpc-stream}
soak=${BENCH_SOAK:-1}
mkdir -p "$out"

for project in src/MobileViT.Cli src/MobileViT.Service benchmarks/MobileViT.NaiveBaseline; do
  dotnet build -c Release -v q -nologo "$project" >/dev/null || { echo "build failed: $project" >&2; exit 1; }
done
cli=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "not ready: $1" >&2; return 1
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 1. in-process ceiling, synthetic:$variant"
"${cli[@]}" --in-process --source "synthetic:$variant" --instances 1,2 --threads 1,2 --batch "${BENCH_BATCHES:-1,2,4,8,16}" \
  --duration "$duration" --warmup 2 --json "$out/ceiling.json" | tee "$out/ceiling.txt"
echo "== 1b. inference only (pre-made tensors)"
"${cli[@]}" --in-process --inference-only --source "synthetic:$variant" --instances 1,2 --threads 1,2 --batch 1,4,16 \
  --duration "$duration" --warmup 2 --json "$out/ceiling-inference-only.json" | tee "$out/ceiling-inference-only.txt"
echo "== 1c. single-image latency, 1 instance x 1 thread, batch 1"
"${cli[@]}" --in-process --source "synthetic:$variant" --instances 1 --threads 1 --batch 1 \
  --duration "$duration" --warmup 2 --json "$out/single-image.json" | tee "$out/single-image.txt"

echo "== 2. service, default configuration"
env ${BENCH_SERVICE_ENV:-} MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="synthetic:$variant" \
Kestrel__Endpoints__Http__Url=http://127.0.0.1:5300 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5301 \
Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
  dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll >"$out/service.log" 2>&1 &
service=$!; pids+=("$service")
wait_ready http://127.0.0.1:5300/health/ready
# Tiered JIT keeps recompiling hot paths for the first ~30 s under load; warm it before the first measured point.
"${cli[@]}" --url http://127.0.0.1:5300 --grpc-url http://127.0.0.1:5301 --protocol "$protocols" --concurrency 16 --duration 5 --warmup 0 >/dev/null
"${cli[@]}" --url http://127.0.0.1:5300 --grpc-url http://127.0.0.1:5301 --protocol "$protocols" --concurrency "$concurrency" \
  --duration "$duration" --warmup 3 --json "$out/service.json" | tee "$out/service.txt"

if [ "$soak" = 1 ]; then
echo "== 3. memory soak (HTTP, concurrency 16)"
"${cli[@]}" --url http://127.0.0.1:5300 --concurrency 16 --requests 2000 --duration 600 --warmup 0 >/dev/null
rss_2k=$(rss_kib "$service")
"${cli[@]}" --url http://127.0.0.1:5300 --concurrency 16 --requests 18000 --duration 600 --warmup 0 >/dev/null
rss_20k=$(rss_kib "$service")
echo "RSS after 2,000 requests: $((rss_2k / 1024)) MiB; after 20,000: $((rss_20k / 1024)) MiB; ratio $(awk "BEGIN {printf \"%.3f\", $rss_20k / $rss_2k}")" | tee "$out/soak.txt"
fi
kill "$service"; wait "$service" 2>/dev/null || true

echo "== 4. naive baseline"
dotnet benchmarks/MobileViT.NaiveBaseline/bin/Release/net10.0/MobileViT.NaiveBaseline.dll --urls http://127.0.0.1:5310 --source "synthetic:$variant" >"$out/naive.log" 2>&1 &
pids+=("$!")
# Any HTTP answer (400 for the empty body) means it is up.
for _ in $(seq 1 300); do if curl -s -o /dev/null -X POST http://127.0.0.1:5310/v1/classify; then break; fi; sleep 0.5; done
"${cli[@]}" --url http://127.0.0.1:5310 --protocol http --concurrency "$concurrency" --duration "$duration" --warmup 3 \
  --json "$out/naive.json" | tee "$out/naive.txt"
if [ "${BENCH_SIZES:-1}" = 1 ]; then
  kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()
  echo "== 5. per size class: preprocessing against Pillow, throughput, exact and fast"
  BENCH_VARIANT=$variant BENCH_DURATION=$duration bash scripts/bench-sizes.sh "$out/sizes"
fi
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
