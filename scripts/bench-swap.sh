#!/usr/bin/env bash
# The swap-under-load figures in docs/benchmarks.md: a model swapped 20 times between two versions while clients run at
# about 70% of capacity (scripts/swap_under_load.py: capacity, then rounds of a quiet phase and a swap phase, interleaved).
# The repository holds model m, versions 1 and 2: the same MobileViT variant built from two seeds, so their answers
# differ and every answer can be traced to one of them. Explicit control, the control API on, an admin key.
# Usage: scripts/bench-swap.sh [xxs|xs|s] [output-dir]
# Environment: SWAP_FRACTION (0.7), SWAP_ROUNDS (4), SWAP_PER_ROUND (5), SWAP_EVERY (5 s), SWAP_PORT (5390),
# SWAP_SERVICE_ENV (extra settings, e.g. 'MobileViT__Execution__Instances=1').
# Where the slow answers fall: python3 scripts/swap_timeline.py OUTPUT-DIR/timeline.json
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-xxs}
out=${2:-artifacts/bench/swap-$variant}
port=${SWAP_PORT:-5390}
key=bench-admin-key
mkdir -p "$out"
out=$(cd "$out" && pwd)

SERVICE_ENV=${SWAP_SERVICE_ENV:-}
source scripts/repository-service.sh

for version in 1 2; do
  "${mobilevit[@]}" build-model --variant "$variant" --seed "$version" --out "$repository/m/$version" >/dev/null
done
# Both versions serve at first, so that each one's own answers can be recorded; the benchmark then serves one at a time.
echo '{"version_policy": {"all": {}}}' > "$repository/m/model_config.json"

start_repository_service

status=0
python3 scripts/swap_under_load.py --port "$port" --key "$key" --images benchmarks/images/*.jpg \
  --fraction "${SWAP_FRACTION:-0.7}" --rounds "${SWAP_ROUNDS:-4}" --swaps-per-round "${SWAP_PER_ROUND:-5}" --swap-every "${SWAP_EVERY:-5}" \
  --json "$out/swap.json" --timeline "$out/timeline.json" | tee "$out/swap.txt" || status=$?
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/swap.txt"
exit $status
