#!/usr/bin/env bash
# What a newcomer does: run the service with the README's command and classify a JPEG with curl.
# Offline (as in CI) the configured hf: model cannot be fetched, so Development falls back to synthetic:s.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-../shared/fixtures/preprocess/noise_300x517.jpg}
port=${SMOKE_PORT:-18080}
log=$(mktemp)
export Kestrel__Endpoints__Http__Url="http://127.0.0.1:${port}"
export Kestrel__Endpoints__Grpc__Url="http://127.0.0.1:$((port + 1))"
dotnet run --project src/MobileViT.Service >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT

ready=""
for _ in $(seq 1 180); do
  if curl -fs "http://127.0.0.1:${port}/health/ready" >/dev/null 2>&1; then ready=yes; break; fi
  if ! kill -0 $pid 2>/dev/null; then break; fi
  sleep 1
done
if [ -z "$ready" ]; then echo "smoke: service did not become ready"; cat "$log"; exit 1; fi

body=$(curl -fsS --data-binary @"$image" -H 'Content-Type: image/jpeg' "http://127.0.0.1:${port}/v1/classify?topK=3")
echo "smoke: $body"
echo "$body" | grep -q '"predictions":\[{"index":' || { echo "smoke: no predictions"; exit 1; }
echo "smoke: ok"
