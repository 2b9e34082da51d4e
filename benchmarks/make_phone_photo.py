#!/usr/bin/env python3
"""Makes a phone-camera-sized JPEG (4032x3024, quality 90, ~3.5 MB) from the photographs in benchmarks/images.

Real camera photos are 12 megapixels of sensor detail; upscaled small photos alone would be too smooth (and compress
far better than a camera file), so the tiled photos get seeded Gaussian sensor-like noise. The output is a pure
function of the inputs, the seed and the JPEG encoder (Debian's Pillow with libjpeg-turbo).

Usage: make_phone_photo.py OUTPUT.jpg [--width 4032 --height 3024 --quality 90 --seed 12 --noise 7]
"""
import argparse
import pathlib

import numpy as np
from PIL import Image

IMAGES = pathlib.Path(__file__).resolve().parent / "images"
SOURCES = ["chelsea.jpg", "coffee.jpg", "astronaut.jpg", "rocket.jpg", "hubble_deep_field.jpg", "coffee.jpg"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--width", type=int, default=4032)
    parser.add_argument("--height", type=int, default=3024)
    parser.add_argument("--quality", type=int, default=90)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--noise", type=float, default=7.0, help="standard deviation of the added noise, in 8-bit levels")
    args = parser.parse_args()

    columns, rows = 3, 2
    tile_w, tile_h = -(-args.width // columns), -(-args.height // rows)
    canvas = Image.new("RGB", (tile_w * columns, tile_h * rows))
    for i, name in enumerate(SOURCES):
        with Image.open(IMAGES / name) as photo:
            tile = photo.convert("RGB").resize((tile_w, tile_h), Image.BICUBIC)
        canvas.paste(tile, ((i % columns) * tile_w, (i // columns) * tile_h))
    pixels = np.asarray(canvas.crop((0, 0, args.width, args.height)), dtype=np.float32)

    noise = np.random.default_rng(args.seed).normal(0.0, args.noise, pixels.shape).astype(np.float32)
    noisy = np.clip(np.rint(pixels + noise), 0, 255).astype(np.uint8)
    Image.fromarray(noisy, "RGB").save(args.output, "JPEG", quality=args.quality, subsampling="4:2:0")


if __name__ == "__main__":
    main()
