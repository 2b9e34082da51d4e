#!/usr/bin/env bash
# The service against its peer, Hugging Face transformers.js (benchmarks/transformersjs: @huggingface/transformers on
# onnxruntime-node), both serving the same model directory over HTTP, closed loop at one concurrency with the photos
# in benchmarks/images, each arm a fresh process, the arms interleaved round by round; then the median img/s per arm
# and the median of the per-round ratios service / peer.
# The service serves the directory as configured by default: a directory with MobileViT weights (model.safetensors or
# pytorch_model.bin) is built by its own builder; transformers.js runs the directory's onnx/model.onnx.
# Usage: scripts/bench-peers.sh MODEL_DIR [concurrency] [seconds] [rounds]   (builds Release, installs the peer with npm ci)
# Environment: PEER_ARMS (default service,transformersjs; 'service:KEY=VALUE' adds a setting to the service),
# BENCH_SERVICE_ENV (settings for every service arm).
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(realpath "${1:?usage: scripts/bench-peers.sh MODEL_DIR [concurrency] [seconds] [rounds]}")
concurrency=${2:-32}; seconds=${3:-20}; rounds=${4:-3}
arms=${PEER_ARMS:-service,transformersjs}
for project in src/MobileViT.Cli src/MobileViT.Service; do
  dotnet build -c Release -v q -nologo "$project" >/dev/null || { echo "build failed: $project" >&2; exit 1; }
done
[ -d benchmarks/transformersjs/node_modules/@huggingface/transformers ] || (cd benchmarks/transformersjs && npm ci --no-audit --no-fund >/dev/null)
cli=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench)
results=$(mktemp)
trap 'rm -f "$results"' EXIT

serve() {
  local name=$1 url=$2 ready=$3; shift 3
  "$@" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$ready" || true)" = 200 ] && break
    sleep 0.5
  done
  line=$("${cli[@]}" --url "$url" --model bench --protocol http --concurrency "$concurrency" --duration "$seconds" --warmup 5 2>/dev/null | tail -1)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-16s %s\n' "$name" "$line"
  echo "$round $name $(awk '{print $4}' <<<"$line")" >>"$results"
}
service() {
  local extra=${1:-}
  serve "service${extra:+:${extra#*=}}" http://127.0.0.1:5400 http://127.0.0.1:5400/health/ready env ${BENCH_SERVICE_ENV:-} $extra \
    MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="$model" \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:5400 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5401 \
    Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
}
transformersjs() {
  serve transformersjs http://127.0.0.1:5420 http://127.0.0.1:5420/health node benchmarks/transformersjs/server.js --model "$model" --port 5420
}

echo "== $model, closed loop c=$concurrency over HTTP, ${seconds}s per run, $rounds rounds, $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  echo "-- round $round"
  for arm in ${arms//,/ }; do
    case $arm in
      service) service ;;
      service:*=*) service "${arm#service:}" ;;
      transformersjs) transformersjs ;;
      *) echo "unknown arm $arm" >&2; exit 2 ;;
    esac
  done
done
echo "== medians (img/s) and per-round ratios against the first arm; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "${arms%%,*}" <<'PY'
import statistics, sys
from collections import defaultdict
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
first = sys.argv[2]
per_arm, per_round = defaultdict(list), defaultdict(dict)
for round_, arm, rate in rows:
    per_arm[arm].append(float(rate)); per_round[round_][arm] = float(rate)
for arm, rates in per_arm.items():
    ratios = [r[first] / r[arm] for r in per_round.values() if arm in r and first in r and r[arm] > 0]
    print(f"{arm:16} median {statistics.median(rates):7.1f} img/s  ({', '.join(f'{x:.1f}' for x in rates)})"
          + ("" if arm == first else f"   {first}/{arm} per round: {', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}x"))
PY
