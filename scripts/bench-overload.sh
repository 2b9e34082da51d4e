#!/usr/bin/env bash
# The overload figures in docs/benchmarks.md: one server per round and arm, arms interleaved round by round.
# Each round runs `mobilevit bench --overload` with the server's pid: the closed-loop capacity at c=32, then, for each
# arrival pattern, an open loop at MULTIPLE x that capacity with a deadline on every request, beside a trickle of
# high-priority requests: smooth (evenly spaced) and burst (all of a second's requests at once, every second).
# Arms: after = this checkout; before = the service built from OVERLOAD_BEFORE_REF (default df6d6a8, the request-scope
# commit: wait-aware admission with the fixed safety factor), extracted with git archive into artifacts/ and built
# there; off = this checkout with MobileViT__Batching__WaitAwareAdmission=false (queue, then 504); after+KEY=VALUE = this
# checkout with one more setting (e.g. after+MobileViT__Batching__AdmissionQuantile=0.9).
# Usage: scripts/bench-overload.sh [xxs|xs|s] [rounds] [output-dir]
# Environment: OVERLOAD_MULTIPLE (4), OVERLOAD_DEADLINE_MS (1000), OVERLOAD_HIGH_RATE (5), OVERLOAD_DURATION (15),
# OVERLOAD_ARRIVALS (smooth,burst), OVERLOAD_BURST_PERIOD_MS (1000), OVERLOAD_ARMS (after,before), OVERLOAD_PORT (5370),
# OVERLOAD_BEFORE_REF (df6d6a8), OVERLOAD_SERVICE_ENV (extra settings for every arm, e.g.
# 'MobileViT__Batching__DrainRateWindowMs=2000'), OVERLOAD_BENCH_ARGS (extra arguments of every overload run, e.g.
# --expect-continue), OVERLOAD_CLI_CONFIGURATION (Release; Debug saves a second ~1 GB
# Release output when the disk is short, at the cost of a heavier load generator).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-xxs}
rounds=${2:-2}
out=${3:-artifacts/bench/overload-$variant}
port=${OVERLOAD_PORT:-5370}
arms=${OVERLOAD_ARMS:-after,before}
before_ref=${OVERLOAD_BEFORE_REF:-df6d6a8}
mkdir -p "$out"

cli_config=${OVERLOAD_CLI_CONFIGURATION:-Release}
dotnet build -c Release -v q -nologo src/MobileViT.Service >/dev/null || { echo "build failed: src/MobileViT.Service" >&2; exit 1; }
dotnet build -c "$cli_config" -v q -nologo src/MobileViT.Cli >/dev/null || { echo "build failed: src/MobileViT.Cli" >&2; exit 1; }
cli=(dotnet "src/MobileViT.Cli/bin/$cli_config/net10.0/mobilevit.dll" bench)
if [[ ",$arms," == *,before,* ]]; then
  before_src=artifacts/overload-before/$(git rev-parse --short "$before_ref")
  if [ ! -f "$before_src/src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll" ]; then
    rm -rf "$before_src"; mkdir -p "$before_src"
    git archive "$before_ref" | tar -x -C "$before_src"
    dotnet build -c Release -v q -nologo "$before_src/src/MobileViT.Service" >/dev/null || { echo "build failed: $before_src" >&2; exit 1; }
  fi
fi
service=""
cleanup() { [ -n "$service" ] && kill "$service" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "not ready: $1" >&2; return 1
}

poll_admission() {
  local began=$EPOCHREALTIME
  while true; do
    curl -fs -m 1 "$1" | awk -v now="$EPOCHREALTIME" -v began="$began" '
      /^mobilevit_admission_margin\{/ { margin = $NF } /^mobilevit_admission_calibration_samples\{/ { samples = $NF }
      /^mobilevit_admission_offset_seconds\{/ { offset = $NF } /^dotnet_gc_pause_time_seconds_total/ { gc = $NF }
      /^dotnet_gc_collections_total\{.*gen2/ { gen2 = $NF } /^mobilevit_requests_total\{.*outcome="deadline_exceeded"/ { expired += $NF }
      END { if (margin != "") printf "%.1f %s %s %s %s %s %d\n", now - began, margin, samples, offset, gc, gen2, expired }'
    sleep 0.5
  done
}

summarize_admission() {
  awk '$3 > 0 { print $2 }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR) printf "admission margin (factor) while calibrated (%d readings): min %.2f, median %.2f, max %.2f\n", NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
  awk '$3 > 0 && $4 != "" { print $4 }' "$1" | sort -g | awk '{ v[NR] = $1 * 1000 } END {
    if (NR) printf "admission offset while calibrated: min %.0f ms, median %.0f ms, max %.0f ms\n", v[1], v[int((NR + 1) / 2)], v[NR] }'
  awk 'NR == 1 { first = $5; gen2first = $6 } { last = $5; gen2last = $6 } END {
    if (first != "") printf "GC pauses during the overload run: %.0f ms, %d gen2 collections\n", (last - first) * 1000, gen2last - gen2first }' "$1"
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== after: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes') (service built $(date -r src/MobileViT.Service/bin/Release/net10.0/MobileViT.Inference.dll +%H:%M:%S), cli $(date -r src/MobileViT.Cli/bin/$cli_config/net10.0/mobilevit.dll +%H:%M:%S)); before: $before_ref"
for round in $(seq 1 "$rounds"); do
  for arm in ${arms//,/ }; do
    extra=()
    dll=src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
    case "$arm" in
      after) ;;
      before) dll=$before_src/$dll ;;
      off) extra=(MobileViT__Batching__WaitAwareAdmission=false) ;;
      after+*) extra=("${arm#after+}") ;;
      *) echo "unknown arm: $arm" >&2; exit 2 ;;
    esac
    env ${OVERLOAD_SERVICE_ENV:-} "${extra[@]}" MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="synthetic:$variant" \
      Kestrel__Endpoints__Http__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
      Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production \
      dotnet "$dll" >"$out/service-$arm-$round.log" 2>&1 &
    service=$!
    wait_ready "http://127.0.0.1:$port/health/ready"
    # Tiered JIT keeps recompiling hot paths for the first ~30 s under load; warm it before measuring.
    "${cli[@]}" --url "http://127.0.0.1:$port" --concurrency 16 --duration 5 --warmup 0 >/dev/null
    echo "== round $round, arm $arm (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    # Admission's calibrated margin through the run, twice a second, from the service's own /metrics (empty for a
    # build without calibration): seconds since the overload run began, factor, calibration samples in its window,
    # offset (s; empty before the offset existed), the GC's total pause time (s), gen2 collections and requests that
    # expired after admission (504), so far.
    poll_admission "http://127.0.0.1:$port/metrics" >"$out/admission-$arm-$round.log" 2>/dev/null &
    poller=$!
    "${cli[@]}" --url "http://127.0.0.1:$port" --overload "${OVERLOAD_MULTIPLE:-4}" --deadline-ms "${OVERLOAD_DEADLINE_MS:-1000}" \
      --arrivals "${OVERLOAD_ARRIVALS:-smooth,burst}" --burst-period-ms "${OVERLOAD_BURST_PERIOD_MS:-1000}" \
      --high-rate "${OVERLOAD_HIGH_RATE:-5}" --concurrency 32 --duration "${OVERLOAD_DURATION:-15}" --warmup 3 --server-pid "$service" ${OVERLOAD_BENCH_ARGS:-} \
      --json "$out/overload-$arm-$round.json" | tee "$out/overload-$arm-$round.txt"
    kill "$poller" 2>/dev/null; wait "$poller" 2>/dev/null || true
    # How far the predictions were from what happened, over the whole run: the finish-ratio and start-error histograms,
    # and the session runs' times (stalls of the machine show there).
    curl -fs "http://127.0.0.1:$port/metrics" | grep -E '^mobilevit_(admission_(finish_ratio|start_error_seconds)|batch_inference_seconds)_bucket' \
      >"$out/admission-$arm-$round.prom" || true
    summarize_admission "$out/admission-$arm-$round.log"
    echo "== round $round, arm $arm done (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    kill "$service"; wait "$service" 2>/dev/null || true; service=""
  done
done
