#!/usr/bin/env bash
# Fast preprocessing mode against exact mode on camera-sized photos: generates four JPEGs from the CC0 photos with
# benchmarks/make_phone_photo.py (12 MP landscape and portrait with sensor-like noise, 12 MP without noise, 3 MP), adds
# the benchmark photos, and runs `mobilevit compare-preprocessing` with the shared MobileViT-XXS fixture model (pixel
# difference and logit / top-5 probe).
# Usage: scripts/compare-preprocessing.sh [output-dir]   (default artifacts/compare-preprocessing)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/compare-preprocessing}
python=/usr/bin/python3
"$python" -c 'import PIL, numpy' 2>/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pil python3-numpy >/dev/null; }
mkdir -p "$out"
cp benchmarks/images/*.jpg "$out/"
"$python" benchmarks/make_phone_photo.py "$out/phone_4032x3024.jpg"
"$python" benchmarks/make_phone_photo.py --width 3024 --height 4032 --seed 13 "$out/phone_3024x4032.jpg"
"$python" benchmarks/make_phone_photo.py --seed 15 --noise 0 "$out/phone_4032x3024_clean.jpg"
"$python" benchmarks/make_phone_photo.py --width 2016 --height 1512 --seed 14 "$out/photo_2016x1512.jpg"
dotnet build -c Release -v q -nologo src/MobileViT.Cli >/dev/null
model=../shared/fixtures/mobilevit-xxs-seed7
[ -d "$model" ] && model_args=(--model "$model") || model_args=()
dotnet src/MobileViT.Cli/bin/Release/net10.0/mobilevit.dll compare-preprocessing --images "$out" "${model_args[@]}"
