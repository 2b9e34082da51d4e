#!/usr/bin/env bash
# Memory under pressure (issue 20): the service limited as a 2 GiB pod would be, driven by benchmarks/memory_pressure.py
# with 16 concurrent batch uploads of 64 phone-size photos (benchmarks/make_phone_photo.py), 16 concurrent chunked V2
# bodies claiming 2 GiB each, and 16 concurrent chunked V2 bodies within every limit streamed as fast as the server
# takes them; RSS followed throughout and for 10 s after each phase.
# The limit is a real memory cgroup (a child of this shell's own, v1 or v2, made and removed here) holding the service
# from its first instruction, so the runtime sees it as in a container (its GC heap limit becomes 75% of it) and the
# kernel kills the process if it goes over; where no cgroup can be made, DOTNET_GCHeapHardLimit at 75% of the limit
# stands in (no kill, only the GC's own limit) and the output says so.
# Usage: scripts/bench-memory-pressure.sh [output-dir]   (default artifacts/bench/memory-pressure)
# Environment: PRESSURE_LIMIT_MIB (2048), PRESSURE_CONCURRENCY (16), PRESSURE_PHASES (batch,claims,stream),
# PRESSURE_VARIANT (s: synthetic MobileViT-S), PRESSURE_MARGIN_MIB (256: RSS may pass idle + budget by this much),
# PRESSURE_ARMS (current; 'before' also runs the service built from PRESSURE_BEFORE, a git revision, first).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/bench/memory-pressure}
limit_mib=${PRESSURE_LIMIT_MIB:-2048}
concurrency=${PRESSURE_CONCURRENCY:-16}
phases=${PRESSURE_PHASES:-batch,claims,stream}
variant=${PRESSURE_VARIANT:-s}
margin_mib=${PRESSURE_MARGIN_MIB:-256}
arms=${PRESSURE_ARMS:-current}
python=/usr/bin/python3
port=5951
mkdir -p "$out"

"$python" -c 'import PIL, numpy' 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pil python3-numpy >/dev/null; }
photo="$out/phone_4032x3024.jpg"
[ -f "$photo" ] || "$python" benchmarks/make_phone_photo.py "$photo"

dotnet build -c Release -v q -nologo src/MobileViT.Service >/dev/null || { echo "build failed" >&2; exit 1; }
current_dll=src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
before_dll=""
if [[ ",$arms," == *,before,* ]]; then
  : "${PRESSURE_BEFORE:?the before arm needs PRESSURE_BEFORE=<git revision>}"
  src=${TMPDIR:-/tmp}/mobilevit-pressure-before-src
  rm -rf "$src" && mkdir -p "$src"
  git archive "$PRESSURE_BEFORE" | tar -x -C "$src"
  dotnet build -c Release -v q -nologo "$src/src/MobileViT.Service" >/dev/null || { echo "build failed: $PRESSURE_BEFORE" >&2; exit 1; }
  before_dll="$src/src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll"
fi

# A memory cgroup of our own under this shell's, limited to limit_mib; empty when none can be made.
make_cgroup() {
  local dir="" own mount
  if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
    dir=/sys/fs/cgroup${own%/}/mobilevit-pressure-$$
    { mkdir "$dir" && echo $((limit_mib << 20)) > "$dir/memory.max" && { echo 0 > "$dir/memory.swap.max" 2>/dev/null || true; }; } 2>/dev/null || dir=""
  else
    mount=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup" && $(i+3) ~ /(^|,)memory(,|$)/) print $5; break } }' /proc/self/mountinfo | head -1)
    own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
    if [ -n "$mount" ]; then
      dir=$mount${own%/}/mobilevit-pressure-$$
      { mkdir "$dir" && echo $((limit_mib << 20)) > "$dir/memory.limit_in_bytes"; } 2>/dev/null || dir=""
    fi
  fi
  echo "$dir"
}

pid="" cgroup=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
  [ -z "$cgroup" ] || rmdir "$cgroup" 2>/dev/null || true
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for arm in ${before_dll:+before} current; do
  dll=$current_dll
  [ "$arm" = before ] && dll=$before_dll
  cgroup=$(make_cgroup)
  env=()
  if [ -n "$cgroup" ]; then
    echo "== $arm: memory cgroup $cgroup limited to $limit_mib MiB"
  else
    heap=$(printf '0x%x' $(( (limit_mib << 20) * 3 / 4 )))
    env=(DOTNET_GCHeapHardLimit="$heap")
    echo "== $arm: no memory cgroup could be made; DOTNET_GCHeapHardLimit=$heap (75% of $limit_mib MiB) stands in, without a kernel limit"
  fi
  log="$out/$arm-service.log"
  # The shell joins the cgroup, then becomes the service: every allocation of the process is inside it.
  env "${env[@]}" sh -c 'if [ -n "$1" ]; then echo $$ > "$1/cgroup.procs"; fi; shift; exec "$@"' sh "$cgroup" \
    dotnet "$dll" --environment Production --Kestrel:Endpoints:Http:Url=http://127.0.0.1:$port --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:$((port + 1)) \
    --MobileViT:Models:0:Name=m --MobileViT:Models:0:Source=synthetic:$variant --MobileViT:Execution:Providers=CPU >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
  grep -h "Request memory budget" "$log" || true
  # The rule's RSS ceiling: idle + budget + margin, known once the driver has measured idle; it reads them itself.
  "$python" benchmarks/memory_pressure.py --url "http://127.0.0.1:$port" --pid "$pid" --photo "$photo" --concurrency "$concurrency" \
    --phases "$phases" --margin-mib "$margin_mib" --json "$out/$arm.json" | tee "$out/$arm.txt" || status=$?
  if [ -n "$cgroup" ]; then
    peak=$(cat "$cgroup/memory.peak" 2>/dev/null || cat "$cgroup/memory.max_usage_in_bytes" 2>/dev/null || echo 0)
    kills=$(cat "$cgroup/memory.events" "$cgroup/memory.oom_control" 2>/dev/null | awk '$1 == "oom_kill" { print $2; exit }' || true)
    echo "cgroup peak usage $((peak >> 20)) MiB, OOM kills ${kills:-0}" | tee -a "$out/$arm.txt"
  fi
  cleanup
  pid="" cgroup=""
done
exit "$status"
