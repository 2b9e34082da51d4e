#!/usr/bin/env bash
# Interleaved comparison that sees through this VM's run-to-run noise: the in-process ceiling, the service (default
# configuration) and the naive baseline, one after another, each a fresh process, repeated; then the median of each
# and the ratios of the medians. One closed-loop HTTP point per service/baseline run; the ceiling run is the best of
# batch 1 and 2 at one instance per core x 1 intra-op thread (the best configuration of the full sweep in scripts/bench.sh).
# Usage: scripts/bench-ab.sh [xxs|xs|s] [concurrency] [seconds] [rounds]   (builds Release first)
# Environment: AB_ARMS (ceiling,service,naive; ceiling-inference is the inference-only ceiling (pre-made tensors); an arm 'service:KEY=VALUE' is the service with one more setting, printed
# as VALUE, e.g. 'service:MobileViT__Execution__Preprocessing=request'; an arm 'service/PROTOCOL' is the default service
# over grpc, grpc-stream, v2-json or v2-binary instead of HTTP; 'before' and 'before/PROTOCOL' are the same with the service built
# from AB_BEFORE, a git revision), BENCH_SERVICE_ENV (settings for every service arm).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-xxs}; concurrency=${2:-32}; seconds=${3:-15}; rounds=${4:-3}
arms=${AB_ARMS:-ceiling,service,naive}
for project in src/MobileViT.Cli src/MobileViT.Service benchmarks/MobileViT.NaiveBaseline; do
  dotnet build -c Release -v q -nologo "$project" >/dev/null || { echo "build failed: $project" >&2; exit 1; }
done
cli=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench)
service_dll=src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
before_dll=""
if [[ ",$arms," == *,before* ]]; then
  : "${AB_BEFORE:?the before arms need AB_BEFORE=<git revision>}"
  # Built outside the checkout, whose Directory.*.props would apply to it.
  before_src=${TMPDIR:-/tmp}/mobilevit-ab-before-src
  rm -rf "$before_src" && mkdir -p "$before_src"
  git archive "$AB_BEFORE" | tar -x -C "$before_src"
  dotnet build -c Release -v q -nologo "$before_src/src/MobileViT.Service" >/dev/null || { echo "build failed: $AB_BEFORE" >&2; exit 1; }
  before_dll=$before_src/src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT

serve() {
  local name=$1 url=$2 ready=$3 protocol=${protocol:-http}; shift 3
  "$@" >/dev/null 2>&1 &
  local pid=$!
  # Ready when $ready answers 200 (the service's /health/ready), or for the baseline (no health endpoint), answers at all.
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$ready" || true)
    if [ "$code" = 200 ] || { [ "$name" = naive ] && [ "$code" != 000 ]; }; then break; fi
    sleep 0.5
  done
  local model=()
  [[ $protocol == v2-* ]] && model=(--model bench)
  line=$("${cli[@]}" --url "$url" --grpc-url http://127.0.0.1:5401 --protocol "$protocol" "${model[@]}" --concurrency "$concurrency" \
    --duration "$seconds" --warmup 5 2>/dev/null | tail -1)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%-8s %s\n' "$name" "$line"
  # img/s and p99 follow the concurrency column (c=N); the protocol column is two words for V2 (v2-binary b1).
  echo "$round $name $(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^c=/) { print $(i + 1), $(i + 4); exit } }' <<<"$line")" >>"$results"
}
ceiling() {
  line=$("${cli[@]}" --in-process --source "synthetic:$variant" --instances "$(nproc)" --threads 1 --batch 1,2 \
    --duration "$seconds" --warmup 3 2>/dev/null | grep -- '<- best')
  printf '%-8s %s\n' ceiling "$line"
  echo "$round ceiling $(awk '{print $4}' <<<"$line") -" >>"$results"
}
# The pure ONNX Runtime ceiling: pre-made tensors (no decode, no preprocessing), the best of instances x intra-op
# threads x batch; each of its 12 points runs a third of the arm's seconds.
ceiling_inference() {
  line=$("${cli[@]}" --in-process --source "synthetic:$variant" --inference-only --instances "1,$(nproc)" --threads 1,2 --batch 1,2,4 \
    --duration "$(( seconds / 3 + 1 ))" --warmup 1 2>/dev/null | grep -- '<- best')
  printf '%-8s %s\n' ceiling-inference "$line"
  echo "$round ceiling-inference $(awk '{print $4}' <<<"$line") -" >>"$results"
}
# service [KEY=VALUE [NAME]]: the default service, with one more setting if given; $protocol picks what the client speaks.
service() {
  local extra=${1:-}
  local name=${2:-${extra#*=}}
  serve "${name:-service}" http://127.0.0.1:5400 http://127.0.0.1:5400/health/ready env ${BENCH_SERVICE_ENV:-} $extra \
    MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="synthetic:$variant" \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:5400 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5401 \
    Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production dotnet "${dll:-$service_dll}"
}
naive() {
  # The baseline only starts listening once its model is loaded.
  serve naive http://127.0.0.1:5410 http://127.0.0.1:5410/ dotnet benchmarks/MobileViT.NaiveBaseline/bin/Release/net10.0/MobileViT.NaiveBaseline.dll \
    --urls http://127.0.0.1:5410 --source "synthetic:$variant"
}

echo "== synthetic:$variant, closed loop c=$concurrency, ${seconds}s per run, $rounds rounds, $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  echo "-- round $round"
  for arm in ${arms//,/ }; do
    case $arm in
      ceiling) ceiling ;;
      ceiling-inference) ceiling_inference ;;
      service) service ;;
      service:*=*) service "${arm#service:}" ;;
      service/*) protocol=${arm#service/} service "" "${arm#service/}" ;;
      before) dll=$before_dll service "" before ;;
      before/*) dll=$before_dll protocol=${arm#before/} service "" "$arm" ;;
      naive) naive ;;
      *) echo "unknown arm $arm" >&2; exit 2 ;;
    esac
  done
done
echo "== medians over $rounds rounds (img/s; client p99 for service and baseline arms), and the median of the per-round ratios (each arm against the ceiling and the naive baseline of the same round)"
awk '
  { r = $1; name = $2; n[name]++; t[name, n[name]] = $3; p[name, n[name]] = $4; hasp[name] = ($4 != "-"); at[name, r] = $3
    if (!(name in seen)) { seen[name] = 1; names[++arms] = name } rounds[r] = 1 }
  function median(a, name, count,   i, j, v, tmp) {
    for (i = 1; i <= count; i++) v[i] = a[name, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  function paired(name, base,   r, k, ratio) {
    k = 0
    for (r in rounds) if (((name, r) in at) && ((base, r) in at) && at[base, r] > 0) ratio["x", ++k] = at[name, r] / at[base, r]
    return k ? median(ratio, "x", k) : -1
  }
  END {
    for (k = 1; k <= arms; k++) {
      name = names[k]; line = sprintf("%-8s %7.1f img/s", name, median(t, name, n[name]))
      if (hasp[name]) line = line sprintf("  p99 %7.1f ms", median(p, name, n[name]))
      if (name != "ceiling" && (c = paired(name, "ceiling")) >= 0) line = line sprintf("  %5.1f%% of ceiling", 100 * c)
      if (name != "naive" && name != "ceiling" && (x = paired(name, "naive")) >= 0) line = line sprintf("  %.2fx naive", x)
      for (j = 1; j < k; j++) if (names[j] != "ceiling" && names[j] != "naive" && name != "naive" && (y = paired(name, names[j])) >= 0)
        line = line sprintf("  %.2fx %s", y, names[j])
      print line
    }
  }' "$results"
