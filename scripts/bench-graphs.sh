#!/usr/bin/env bash
# The built graphs against the PyTorch export and each graph feature against the unfeatured graph (docs/benchmarks.md,
# "Graph features"). Builds, into OUT (default artifacts/graphs):
#   xxs-<features>/  MobileViT-XXS from the shared fixture's weights, one directory per feature set
#   s-<features>/    MobileViT-S from seeded weights (seed 7, saved as s7.safetensors)
#   s-torch.onnx     the PyTorch export of the same S weights (benchmarks/pytorch-reference/mobilevit_torch.py; needs
#                    Debian's python3-torch: apt-get install python3-torch); the XXS export is the shared fixture's
# then runs `mobilevit bench-graphs` (alternating runs in one process, wall and CPU time ratios) and, with PROFILE=1,
# `mobilevit profile-graph` for the export and the portable graph of each variant.
# Usage: scripts/bench-graphs.sh [OUT]   Environment: ROUNDS_XXS (11), ROUNDS_S (9), PROFILE (0)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-artifacts/graphs}")
mkdir -p "$out"
dotnet build -c Release -v q -nologo src/MobileViT.Cli >/dev/null
mobilevit=(dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll)
fixture=../shared/fixtures/mobilevit-xxs-seed7
features=(none TokenGemm TokenGemm,NaturalTokenOrder TokenGemm,ProjectionsOnTokens portable onnxruntime)

"${mobilevit[@]}" build-model --variant s --seed 7 --out "$out/s-seeded" --save-weights "$out/s7.safetensors" >/dev/null
for f in "${features[@]}"; do
  "${mobilevit[@]}" build-model --variant xxs --weights "$fixture/model.safetensors" --graph "$f" --out "$out/xxs-${f//,/+}" >/dev/null
  "${mobilevit[@]}" build-model --variant s --weights "$out/s7.safetensors" --graph "$f" --out "$out/s-${f//,/+}" >/dev/null
done
[ -f "$out/s-torch.onnx" ] || /usr/bin/python3 benchmarks/pytorch-reference/mobilevit_torch.py --variant s --weights "$out/s7.safetensors" --export "$out/s-torch.onnx" 2>/dev/null

arms() { local v=$1; shift; local IFS=,; echo "${*/#/$out/$v-}"; }
echo "== $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"${mobilevit[@]}" bench-graphs --built "$(arms xxs TokenGemm TokenGemm+NaturalTokenOrder TokenGemm+ProjectionsOnTokens portable onnxruntime)" \
  --reference "$out/xxs-none" --batch 1,8 --threads 1,2 --rounds "${ROUNDS_XXS:-11}" --runs 10 | tee "$out/xxs-features.txt"
"${mobilevit[@]}" bench-graphs --built "$(arms xxs none portable onnxruntime)" --reference "$fixture/onnx/model.onnx" \
  --batch 1,8 --threads 1,2 --rounds "${ROUNDS_XXS:-11}" --runs 10 | tee "$out/xxs-export.txt"
"${mobilevit[@]}" bench-graphs --built "$(arms s TokenGemm TokenGemm+NaturalTokenOrder TokenGemm+ProjectionsOnTokens portable onnxruntime)" \
  --reference "$out/s-none" --batch 1,8 --threads 1,2 --rounds "${ROUNDS_S:-9}" --runs 5 | tee "$out/s-features.txt"
"${mobilevit[@]}" bench-graphs --built "$(arms s none portable onnxruntime)" --reference "$out/s-torch.onnx" \
  --batch 1,8 --threads 1,2 --rounds "${ROUNDS_S:-9}" --runs 5 | tee "$out/s-export.txt"
if [ "${PROFILE:-0}" = 1 ]; then
  for arm in "xxs-torch=$fixture/onnx/model.onnx" "xxs-none=$out/xxs-none" "xxs-portable=$out/xxs-portable" \
             "s-torch=$out/s-torch.onnx" "s-none=$out/s-none" "s-portable=$out/s-portable"; do
    "${mobilevit[@]}" profile-graph --model "${arm#*=}" --batch 1,8 --runs 30 --warmup 5 | tee "$out/profile-${arm%%=*}.md"
  done
fi
echo "== done, load $(cut -d' ' -f1-3 /proc/loadavg)"
