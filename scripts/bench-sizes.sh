#!/usr/bin/env bash
# Per-size-class preprocessing and throughput, interleaved in rounds so that ratios survive this VM's noise:
# per round, Pillow (Debian python3-pil) times decode + resize + crop of every photo, the candidate JPEG decoders
# decode every photo (benchmarks/JpegDecoderChoice), then each service arm runs as a
# fresh process and is measured at concurrency 1, one image at a time (server-reported x-preprocess-time-ms per
# photo), and at concurrency 8 per size class (throughput, and the server's CPU seconds per image), then its peak RSS. Images: benchmarks/images plus a 12 MP phone-size photo
# made by benchmarks/make_phone_photo.py. Summary (JSON and table) by benchmarks/summarise_sizes.py, plot by
# benchmarks/plot_sizes.py.
# Usage: scripts/bench-sizes.sh [output-dir]   (default artifacts/bench/sizes)
# Environment: BENCH_ROUNDS (3), BENCH_DURATION (seconds per throughput point, 10; per-photo c=1 points get half),
# BENCH_ARMS (exact,fast; 'before' is the service built from BENCH_BEFORE, a git revision, the baseline the targets
# are stated against; 'previous' the one built from BENCH_PREVIOUS, e.g. the commit before the latest change; both run
# in exact mode), BENCH_VARIANT (xxs), BENCH_PLOT (an SVG path to draw the summary to).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/bench/sizes}
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-10}
arms=${BENCH_ARMS:-exact,fast}
variant=${BENCH_VARIANT:-xxs}
python=/usr/bin/python3
mkdir -p "$out/images"

"$python" -c 'import PIL, numpy' 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pil python3-numpy >/dev/null; }
cp benchmarks/images/*.jpg "$out/images/"
[ -f "$out/images/phone_4032x3024.jpg" ] || "$python" benchmarks/make_phone_photo.py "$out/images/phone_4032x3024.jpg"
# One directory per size class for the throughput points, each measured with the server's CPU time.
mkdir -p "$out/class-small" "$out/class-12mp"
cp benchmarks/images/*.jpg "$out/class-small/"
cp "$out/images/phone_4032x3024.jpg" "$out/class-12mp/"

for project in src/MobileViT.Cli src/MobileViT.Service benchmarks/JpegDecoderChoice; do
  dotnet build -c Release -v q -nologo "$project" >/dev/null || { echo "build failed: $project" >&2; exit 1; }
done
service_dll=src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll
# The service as it was at a git revision, built outside the checkout (whose Directory.*.props would apply to it).
build_at() {
  local name=$1 revision=$2 src=${TMPDIR:-/tmp}/mobilevit-bench-$1-src
  rm -rf "$src" && mkdir -p "$src"
  git archive "$revision" | tar -x -C "$src"
  dotnet build -c Release -v q -nologo "$src/src/MobileViT.Service" >/dev/null || { echo "build failed: $revision" >&2; exit 1; }
  echo "$src/src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll"
}
before_dll="" previous_dll=""
if [[ ",$arms," == *,before,* ]]; then
  : "${BENCH_BEFORE:?the before arm needs BENCH_BEFORE=<git revision>}"
  before_dll=$(build_at before "$BENCH_BEFORE")
fi
if [[ ",$arms," == *,previous,* ]]; then
  : "${BENCH_PREVIOUS:?the previous arm needs BENCH_PREVIOUS=<git revision>}"
  previous_dll=$(build_at previous "$BENCH_PREVIOUS")
fi
bench=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench --url http://127.0.0.1:5947)
cli=("${bench[@]}" --images "$out/images")
# CPU seconds (user + system) the process has used; clock ticks are 1/100 s.
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  dir=$out/round$round; mkdir -p "$dir"
  echo "== round $round: pillow"
  "$python" benchmarks/pillow_preprocess.py --json "$dir/pillow.json" "$out/images"/*.jpg
  echo "== round $round: JPEG decoders"
  dotnet benchmarks/JpegDecoderChoice/bin/Release/net10.0/JpegDecoderChoice.dll "$out/images"/*.jpg | tee "$dir/decoders.txt"
  for arm in ${arms//,/ }; do
    dll=$service_dll; mode=$arm
    [ "$arm" != before ] || { dll=$before_dll; mode=exact; }
    [ "$arm" != previous ] || { dll=$previous_dll; mode=exact; }
    MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="synthetic:$variant" MobileViT__Preprocessing__Mode=$mode \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:5947 \
    Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5948 Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production \
      dotnet "$dll" >"$dir/$arm.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || { echo "the $arm service exited (port in use?):" >&2; tail -n 5 "$dir/$arm.log" >&2; exit 1; }
      curl -fs http://127.0.0.1:5947/health/ready >/dev/null 2>&1 && break; sleep 0.5
    done
    echo "== round $round: service, $arm"
    "${cli[@]}" --concurrency 4 --duration 3 --warmup 0 >/dev/null 2>&1   # JIT warm-up on every size
    "${cli[@]}" --group image --concurrency 1 --duration "$(awk "BEGIN {print $duration / 2}")" --warmup 1 \
      --json "$dir/$arm-c1.json" 2>/dev/null | tail -n +2 || echo "   ($arm: a c=1 point failed)"
    # Throughput per size class, and the server's CPU time per image over the same window (no warm-up, so that both
    # cover the same requests): on a shared VM the CPU time per image is what other load disturbs least.
    for class in small 12mp; do
      before_cpu=$(cpu_seconds "$pid")
      "${bench[@]}" --images "$out/class-$class" --group size --concurrency 8 --duration "$duration" --warmup 0 \
        --json "$dir/$arm-c8-$class.json" 2>/dev/null | tail -n +3 || echo "   ($arm, $class: a point failed)"
      awk "BEGIN {printf \"%.2f\\n\", $(cpu_seconds "$pid") - $before_cpu}" >"$dir/$arm-c8-$class.cpu"
    done
    # The process's peak resident memory over all of the arm's points (whole-image decodes keep 36 MB buffers).
    awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" >"$dir/$arm.peak-rss-kb"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  done
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$python" benchmarks/summarise_sizes.py "$out" | tee "$out/summary.txt"
[ -z "${BENCH_PLOT:-}" ] || "$python" benchmarks/plot_sizes.py "$out/sizes.json" "$BENCH_PLOT"
