#!/usr/bin/env bash
# Interleaved A/B of the service (default configuration) against the naive baseline, to see through this VM's
# run-to-run noise: service, naive, service, naive, each a fresh process, one closed-loop HTTP point each.
# Usage: scripts/bench-vs-naive.sh [xxs|s] [concurrency] [seconds]     (build Release first, e.g. via scripts/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-s}; concurrency=${2:-4}; seconds=${3:-15}
cli=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench)
run() {
  local label=$1 url=$2 ready=$3; shift 3
  "$@" >/dev/null 2>&1 &
  local pid=$!
  # Ready when $ready answers 200 (the service's /health/ready), or for the baseline (no health endpoint), answers at all.
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$ready" || true)
    if [ "$code" = 200 ] || { [ "$label" = naive ] && [ "$code" != 000 ]; }; then break; fi
    sleep 0.5
  done
  printf '%-8s' "$label"; "${cli[@]}" --url "$url" --concurrency "$concurrency" --duration "$seconds" --warmup 3 2>/dev/null | tail -1
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
service() {
  run service http://127.0.0.1:5400 http://127.0.0.1:5400/health/ready env MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="synthetic:$variant" \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:5400 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5401 \
    Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
}
naive() {
  # The baseline only starts listening once its model is loaded.
  run naive http://127.0.0.1:5410 http://127.0.0.1:5410/ dotnet benchmarks/MobileViT.NaiveBaseline/bin/Release/net10.0/MobileViT.NaiveBaseline.dll \
    --urls http://127.0.0.1:5410 --source "synthetic:$variant"
}
service; naive; service; naive
