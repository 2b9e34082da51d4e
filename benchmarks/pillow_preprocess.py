#!/usr/bin/env python3
"""Times Pillow doing what Hugging Face's MobileViT image processor does before its numpy steps, per JPEG.

Per image, the median of --repeat runs of:
  prep     open, decode, convert("RGB"), resize shortest edge to 288 (BILINEAR, long edge int(288 * long / short)),
           centre crop 256 (what the service's exact mode reproduces bit for bit);
  decode   open + decode only;
  floor    decode with draft() at libjpeg's 1/8 scale: Huffman decoding of every coefficient plus DC-only IDCT and
           colour conversion of 1/64 of the pixels, close to the floor of any JPEG decoder, whatever its scale.
Usage: pillow_preprocess.py [--repeat N] [--json FILE] IMAGE...
"""
import argparse
import json
import pathlib
import statistics
import time

import PIL
from PIL import Image, features

SHORTEST_EDGE, CROP = 288, 256


def prep(path):
    with Image.open(path) as image:
        image = image.convert("RGB")
        w, h = image.size
        nw, nh = (SHORTEST_EDGE, int(SHORTEST_EDGE * h / w)) if w <= h else (int(SHORTEST_EDGE * w / h), SHORTEST_EDGE)
        resized = image.resize((nw, nh), Image.BILINEAR)
        top, left = (nh - CROP) // 2, (nw - CROP) // 2
        return resized.crop((left, top, left + CROP, top + CROP))


def decode(path):
    with Image.open(path) as image:
        image.load()


def floor(path):
    with Image.open(path) as image:
        image.draft("RGB", (max(1, image.size[0] // 8), max(1, image.size[1] // 8)))
        image.load()


def median_ms(function, path, repeat):
    function(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json")
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    results = {}
    for path in args.images:
        with Image.open(path) as image:
            width, height = image.size
        results[pathlib.Path(path).name] = {
            "width": width, "height": height,
            "prepMs": median_ms(prep, path, args.repeat),
            "decodeMs": median_ms(decode, path, args.repeat),
            "floorMs": median_ms(floor, path, args.repeat),
        }
        r = results[pathlib.Path(path).name]
        print(f"pillow {pathlib.Path(path).name:28} {width}x{height}  prep {r['prepMs']:7.2f} ms  decode {r['decodeMs']:7.2f} ms  1/8-scale decode {r['floorMs']:6.2f} ms")
    report = {"pillow": PIL.__version__, "libjpegTurbo": features.version("jpg"), "images": results}
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
