#!/usr/bin/env bash
# Renders every overlay under deploy/overlays with kubectl kustomize into artifacts/deploy/ and validates every object
# against its schema. Run tools/k8s/setup.sh first (CI does).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/deploy
rm -rf "$out" && mkdir -p "$out"
for overlay in deploy/overlays/*/; do
  name=$(basename "$overlay")
  tools/k8s/bin/kubectl kustomize "$overlay" >"$out/$name.yaml"
  echo "rendered $overlay: $(grep -c '^kind:' "$out/$name.yaml") objects"
done
node tools/k8s/validate.mjs "$out"/*.yaml
