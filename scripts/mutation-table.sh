#!/usr/bin/env bash
# Mutation table: for each deliberate break of a guarantee, which tests fail, over RUNS runs each.
#   bash scripts/mutation-table.sh [RUNS]            (default 10)
#   MUTATIONS=3,4 bash scripts/mutation-table.sh 10  (only those rows, numbered from 1 as listed below)
# Each mutation is applied to a detached worktree of HEAD (the checkout is never touched), its test project is built
# once, and the named tests are run RUNS times. Prints a markdown table: mutation, runs in which at least one test
# failed, and the tests that failed with how often. A row whose mutation is expected to change nothing says so.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
root=$(mktemp -d /tmp/mutations.XXXXXX)
ln -s "$(pwd)/../shared" "$root/shared"
trap 'for w in "$root"/m*; do git worktree remove --force "$w" >/dev/null 2>&1 || true; done; rm -rf "$root"' EXIT

# name | file | python expression on s (the file's text) | test project | test filter
mutations=(
  "remove the queue-delay wait|src/MobileViT.Inference/Batching/DynamicBatcher.cs|s.replace('WaitForMore(batch, runner.MaxBatchSize);', '{ }')|tests/MobileViT.Inference.Tests|FullyQualifiedName~DynamicBatcherTests"
  "drop the outcome record in the scope's disposal|src/MobileViT.Inference/Serving/InferenceCall.cs|s.replace('_service.Metrics.RecordRequest(_modelLabel', '_ = (_modelLabel')|tests/MobileViT.Service.Tests|FullyQualifiedName~OneRequestPathTests.Success|FullyQualifiedName~OneRequestPathTests.Undecodable_image"
  "a new endpoint with no attributes, called without a key (no mutation)|README.md|s|tests/MobileViT.Service.Tests|FullyQualifiedName~EveryEndpointIsProtectedTests"
  "the same with the authorization fallback policy removed|src/MobileViT.Service/Access/AccessPolicies.cs|s.replace('options.FallbackPolicy = Scoped(ApiKeyScopes.Infer);', 'options.FallbackPolicy = null;').replace('options.DefaultPolicy = options.FallbackPolicy;', 'options.DefaultPolicy = Scoped(ApiKeyScopes.Infer);')|tests/MobileViT.Service.Tests|FullyQualifiedName~EveryEndpointIsProtectedTests|FullyQualifiedName~ApiKeyRestTests|FullyQualifiedName~ApiKeyGrpcTests"
  "skip the wait-aware check|src/MobileViT.Inference/Serving/WaitAwareAdmissionRule.cs|s.replace('if (decision.RetryAfter is { } retryAfter)', 'if (decision.RetryAfter is { } retryAfter && context.Timeout < TimeSpan.Zero)')|tests/MobileViT.Service.Tests|FullyQualifiedName~OverloadAdmissionTests"
  "swap the batcher's calls that record a batch's size and time (order)|src/MobileViT.Inference/Batching/DynamicBatcher.cs|swap_lines(s, '_metrics.RecordBatch(_model', '_statistics.RecordInferBatch(batch.Count')|tests/MobileViT.Inference.Tests|FullyQualifiedName~DynamicBatcherTests|FullyQualifiedName~ModelStatisticsTests"
  "record a batch under the wrong size|src/MobileViT.Inference/Batching/DynamicBatcher.cs|s.replace('_statistics.RecordInferBatch(batch.Count,', '_statistics.RecordInferBatch(1,')|tests/MobileViT.Inference.Tests|FullyQualifiedName~DynamicBatcherTests|FullyQualifiedName~ModelStatisticsTests"
)

echo "| Mutation | Runs with a failure | Tests that failed (runs out of $runs) |"
echo "|---|---|---|"
i=0
for m in "${mutations[@]}"; do
  IFS='|' read -r name file expr project filter1 filter2 filter3 <<<"$m"
  filter=$filter1${filter2:+|$filter2}${filter3:+|$filter3}
  i=$((i + 1))
  if [ -n "${MUTATIONS:-}" ] && [[ ",$MUTATIONS," != *",$i,"* ]]; then continue; fi
  tree="$root/m$i"
  git worktree add --detach -q "$tree" HEAD
  python3 - "$tree/$file" "$expr" <<'PY'
import sys
path, expr = sys.argv[1], sys.argv[2]
def swap_lines(s, a, b):
    lines = s.split('\n')
    ia = next(i for i, l in enumerate(lines) if a in l)
    ib = next(i for i, l in enumerate(lines) if b in l)
    lines[ia], lines[ib] = lines[ib], lines[ia]
    return '\n'.join(lines)
s = open(path).read()
t = eval(expr)
if expr != 's' and t == s:
    sys.exit(f"mutation did not apply to {path}")
open(path, 'w').write(t)
PY
  (cd "$tree/tests/interop" && npm ci --no-audit --no-fund >/dev/null 2>&1) || true
  if ! (cd "$tree" && dotnet build "$project" -v q >/dev/null 2>&1); then
    echo "| $name | does not compile | - |"
    continue
  fi
  declare -A failed=()
  failing_runs=0
  for run in $(seq "$runs"); do
    log="$root/log-$i-$run"
    (cd "$tree" && dotnet test "$project" --no-build --filter "$filter" >"$log" 2>&1) || true
    names=$(grep -oE '^\s+Failed [^ ]+' "$log" | awk '{print $2}' | sed -E 's/^MobileViT\.[A-Za-z]+\.Tests\.//; s/\(.*//' | sort -u || true)
    [ -n "$names" ] && failing_runs=$((failing_runs + 1))
    for n in $names; do failed[$n]=$(( ${failed[$n]:-0} + 1 )); done
  done
  list=""
  for n in "${!failed[@]}"; do list+="${list:+, }\`$n\` (${failed[$n]})"; done
  echo "| $name | $failing_runs of $runs | ${list:-none} |"
  unset failed
  git worktree remove --force "$tree" >/dev/null 2>&1 || true
done
