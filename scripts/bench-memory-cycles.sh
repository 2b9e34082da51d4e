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

SERVICE_ENV=${MEMORY_SERVICE_ENV:-}
source scripts/repository-service.sh
"${mobilevit[@]}" build-model --variant "$variant" --seed 1 --out "$repository/m/1" >/dev/null

start_repository_service

status=0
python3 scripts/memory_cycles.py --port "$port" --pid "$service" --key "$key" --cycles "$cycles" --images benchmarks/images/*.jpg \
  --json "$out/memory.json" | tee "$out/memory.txt" || status=$?
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/memory.txt"
exit $status
