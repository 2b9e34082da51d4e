#!/usr/bin/env bash
# Where the service's CPU time goes under load: starts the Release service (synthetic model, default configuration),
# drives it with `mobilevit bench` in a closed loop, samples it with perf for the middle of the run, and prints the
# server's CPU milliseconds per image split by library (ONNX Runtime, libjpeg-turbo, managed code, kernel, ...), the
# load generator's share of the machine, and the throughput.
# Usage: scripts/profile-service.sh IMAGES_DIR [concurrency] [seconds]   (e.g. benchmarks/images 32 10)
# Environment: PROFILE_VARIANT (xxs), PROFILE_ENV (more service settings, e.g. 'MobileViT__Preprocessing__Mode=fast').
# Needs perf (Debian: linux-perf; installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
images=${1:?images directory}; concurrency=${2:-32}; seconds=${3:-10}
variant=${PROFILE_VARIANT:-xxs}
command -v perf >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
for project in src/MobileViT.Cli src/MobileViT.Service; do
  dotnet build -c Release -v q -nologo "$project" >/dev/null || { echo "build failed: $project" >&2; exit 1; }
done
work=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck disable=SC2086
env ${PROFILE_ENV:-} MobileViT__Models__0__Name=bench MobileViT__Models__0__Source="synthetic:$variant" \
  Kestrel__Endpoints__Http__Url=http://127.0.0.1:5951 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:5952 \
  Logging__LogLevel__Default=Warning DOTNET_ENVIRONMENT=Production DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  dotnet src/MobileViT.Service/bin/Release/net10.0/MobileViT.Service.dll >"$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -fs http://127.0.0.1:5951/health/ready >/dev/null 2>&1 && break; sleep 0.5; done
bench=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll bench --url http://127.0.0.1:5951 --images "$images" --group size
  --concurrency "$concurrency")
"${bench[@]}" --duration 4 --warmup 1 >/dev/null 2>&1   # JIT warm-up

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8; exit}' /proc/stat; }
"${bench[@]}" --duration $((seconds + 4)) --warmup 0 --json "$work/bench.json" >"$work/bench.txt" 2>&1 &
client=$!
sleep 2
server0=$(cpu_ticks "$pid"); machine0=$(machine_ticks); start=$(date +%s.%N)
perf record -q -F 499 -g -p "$pid" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null
server1=$(cpu_ticks "$pid"); machine1=$(machine_ticks); end=$(date +%s.%N)
wait "$client"
perf report -i "$work/perf.data" --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' >"$work/dso.txt"

python3 - "$work" "$server0" "$server1" "$machine0" "$machine1" "$start" "$end" "$(nproc)" <<'EOF'
import json, sys, pathlib, re
work = pathlib.Path(sys.argv[1])
server0, server1, machine0, machine1 = map(float, sys.argv[2:6])
start, end, cores = float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
wall = end - start
point = json.loads((work / "bench.json").read_text())["points"][0]
rate = point["throughput"]
server_cores = (server1 - server0) / 100 / wall
machine_cores = (machine1 - machine0) / 100 / wall
per_image = server_cores * 1000 / rate  # server CPU ms per image
print(f"load: {point['images']} c={point['concurrency']}, {rate:.1f} img/s over the whole run; sampled {wall:.1f} s")
print(f"busy cores: machine {machine_cores:.2f} of {cores}, service {server_cores:.2f}, everything else (load generator, other work) {machine_cores - server_cores:.2f}")
print(f"service CPU per image: {per_image:.2f} ms")
groups = {}
for line in (work / "dso.txt").read_text().splitlines():
    m = re.match(r"\s*([\d.]+)%\s+(.+)$", line)
    if not m:
        continue
    share, dso = float(m.group(1)), m.group(2).strip()
    name = ("managed code (JIT)" if dso.startswith("[JIT]") or "doublemapper" in dso
            else "kernel" if "kernel" in dso
            else "ONNX Runtime" if "onnxruntime" in dso
            else "libjpeg-turbo" if "jpeg" in dso
            else "libc" if dso.startswith("libc.") or dso.startswith("libm.")
            else ".NET runtime" if "coreclr" in dso or "clrjit" in dso or "System." in dso
            else "other")
    groups[name] = groups.get(name, 0) + share
print(f"{'where':24}{'share':>8}{'ms/img':>9}")
for name, share in sorted(groups.items(), key=lambda kv: -kv[1]):
    print(f"{name:24}{share:7.1f}%{share / 100 * per_image:9.2f}")
EOF
