#!/usr/bin/env bash
# Builds the service image from the repository's Dockerfile with BuildKit (which builds only the stages the target
# needs) and host networking (NuGet restore; needed where containers have no other route out).
#   scripts/build-image.sh [cpu|gpu] [tag]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-cpu}
tag=${2:-mobilevit-service:$target}
export DOCKER_API_VERSION=${DOCKER_API_VERSION:-1.41}

# A client with BuildKit: the buildx plugin, or a pre-23 client with BuildKit built in (Debian's docker.io).
cli=""
if docker buildx version >/dev/null 2>&1; then cli=docker
else
  for candidate in $(type -ap docker); do
    major=$("$candidate" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1 || true)
    if [ -n "$major" ] && [ "$major" -lt 23 ] 2>/dev/null; then cli=$candidate; break; fi
  done
fi
[ -n "$cli" ] || { echo "build-image: need docker buildx or a docker client < 23 with built-in BuildKit" >&2; exit 1; }
DOCKER_BUILDKIT=1 "$cli" build --network host --target "$target" -t "$tag" .
