#!/usr/bin/env bash
# The self-tuning figures in docs/benchmarks.md, arms interleaved round by round:
#   hand = `mobilevit bench --in-process --inference-only` over instances {1,2} x threads {1,2} x batch {1,2,4};
#   tuner = the service started with MobileViT__Execution__Tuning=auto (default budgets), stopped once ready; its
#           choice and figures are the "tuned on" log line.
# Usage: scripts/bench-tuning.sh [rounds] [output-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
out=${2:-artifacts/bench/tuning}
mkdir -p "$out"
dotnet build -c Release -v q -nologo src/MobileViT.Service >/dev/null || { echo "build failed: src/MobileViT.Service" >&2; exit 1; }
dotnet build -c Release -v q -nologo src/MobileViT.Cli >/dev/null || { echo "build failed: src/MobileViT.Cli" >&2; exit 1; }
service=""
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

for round in $(seq 1 "$rounds"); do
  echo "round $round: hand-picked sweep" >&2
  dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench --in-process --source synthetic:xxs --inference-only \
    --instances 1,2 --threads 1,2 --batch 1,2,4 --duration 5 --warmup 1 > "$out/hand-$round.txt" 2>&1
  echo "round $round: service with Tuning=auto" >&2
  log="$out/tuner-$round.log"
  MobileViT__Models__0__Name=xxs MobileViT__Models__0__Source=synthetic:xxs MobileViT__Execution__Providers=CPU \
  MobileViT__Execution__Tuning=auto Kestrel__Endpoints__Http__Url=http://127.0.0.1:0 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:0 \
    dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll > "$log" 2>&1 &
  service=$!
  for _ in $(seq 1 240); do grep -q "loaded and warm; ready" "$log" && break; sleep 0.5; done
  kill "$service"; wait "$service" 2>/dev/null || true; service=""
  grep -A1 "tuned on" "$log" | head -2 >&2
done
