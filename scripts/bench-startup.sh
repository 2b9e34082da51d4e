#!/usr/bin/env bash
# Start-up and first-request latency of the service, per build arm, each round a fresh process, arms interleaved:
# time from process start to /health/ready, the first POST /v1/classify after readiness, and the median of the next
# 20 (sequential, the same photo). Model: synthetic:xxs (2 instances x 1 thread, the CPU default here).
# Arms: build (dotnet build -c Release, what `dotnet run` and the other bench scripts run), publish (dotnet publish
# -r linux-x64, as the Dockerfile did before ReadyToRun), r2r (the same with -p:PublishReadyToRun=true).
# An arm ARM:KEY=VALUE runs ARM with one more environment variable, e.g. r2r:DOTNET_TieredPGO=0; ARM@REF builds ARM
# from a git commit instead of the working tree (a temporary worktree), e.g. r2r@HEAD~1 against r2r.
# Usage: scripts/bench-startup.sh [rounds] [arms]   e.g. scripts/bench-startup.sh 5 build,publish,r2r
# Environment: STARTUP_SOURCE (default synthetic:xxs), BENCH_SERVICE_ENV (settings for every arm).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; arms=${2:-publish,r2r}
source=${STARTUP_SOURCE:-synthetic:xxs}
image=benchmarks/images/chelsea.jpg
out=$(mktemp -d)
worktrees=()
cleanup() { for w in "${worktrees[@]}"; do git worktree remove --force "$w" >/dev/null 2>&1 || true; done; rm -rf "$out"; }
trap cleanup EXIT
for arm in $(tr ',' '\n' <<<"$arms" | cut -d: -f1 | sort -u); do
  tree=. kind=${arm%%@*}
  if [[ $arm == *@* ]]; then
    tree=$out/tree-${#worktrees[@]}
    git worktree add --detach "$tree" "${arm#*@}" >/dev/null 2>&1
    worktrees+=("$tree")
  fi
  case $kind in
    build) dotnet build -c Release -v q -nologo "$tree/src/MobileViT.Service" -o "$out/$arm" >/dev/null ;;
    publish) dotnet publish "$tree/src/MobileViT.Service" -c Release -r linux-x64 --self-contained false -p:UseAppHost=false -p:PublishReadyToRun=false -v q -nologo -o "$out/$arm" >/dev/null ;;
    r2r) dotnet publish "$tree/src/MobileViT.Service" -c Release -r linux-x64 --self-contained false -p:UseAppHost=false -p:PublishReadyToRun=true -v q -nologo -o "$out/$arm" >/dev/null ;;
    *) echo "unknown arm $arm" >&2; exit 2 ;;
  esac
done

run() {
  local arm=${1%%:*} extra= dll
  [[ $1 == *:* ]] && extra=${1#*:}
  dll=$out/$arm/MobileViT.Service.dll
  local started; started=$(date +%s%N)
  env ${BENCH_SERVICE_ENV:-} $extra MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="$source" \
    MobileViT__Execution__Providers=CPU Kestrel__Endpoints__Http__Url=http://127.0.0.1:5430 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5431 \
    Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production dotnet "$dll" >/dev/null 2>&1 &
  local pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5430/health/ready || true)" = 200 ]; do sleep 0.02; done
  local ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  local first; first=$(curl -s -o /dev/null -w '%{time_total}' --data-binary @"$image" -H 'Content-Type: image/jpeg' http://127.0.0.1:5430/v1/classify)
  local steady=()
  for _ in $(seq 1 20); do
    steady+=("$(curl -s -o /dev/null -w '%{time_total}' --data-binary @"$image" -H 'Content-Type: image/jpeg' http://127.0.0.1:5430/v1/classify)")
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local median; median=$(printf '%s\n' "${steady[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-24s ready %6d ms   first request %7.1f ms   steady median %6.1f ms\n' "$1" "$ready_ms" "$(awk "BEGIN{print $first*1000}")" "$(awk "BEGIN{print $median*1000}")"
  echo "$1 $ready_ms $(awk "BEGIN{print $first*1000}") $(awk "BEGIN{print $median*1000}")" >>"$out/results"
}

echo "== $source, $rounds rounds, arms $arms, $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  echo "-- round $round"
  for arm in ${arms//,/ }; do run "$arm"; done
done
echo "== medians over rounds; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for arm in ${arms//,/ }; do
  awk -v arm="$arm" '$1 == arm {r[++n]=$2; f[n]=$3; s[n]=$4}
    function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
    END { printf "%-24s ready %6.0f ms   first request %7.1f ms   steady %6.1f ms\n", arm, median(r, n), median(f, n), median(s, n) }' "$out/results"
done
