#!/usr/bin/env python3
"""Draws the summary of scripts/bench-sizes.sh (sizes.json) as an SVG: preprocessing time per image (Pillow and each
service arm) and service throughput at concurrency 8, per size class, on log scales. No plotting library needed.
Usage: plot_sizes.py sizes.json OUT.svg"""
import json
import math
import sys
from xml.sax.saxutils import escape

COLOURS = {"pillow": "#888888", "before": "#d62728", "exact": "#1f77b4", "fast": "#2ca02c"}
WIDTH, HEIGHT, PANEL_W, TOP, PLOT_H = 900, 420, 380, 60, 270


def log_ticks(low, high):
    ticks, value = [], 10 ** math.floor(math.log10(low))
    while value <= high * 1.0001:
        for m in (1, 2, 5):
            if low / 1.0001 <= value * m <= high * 1.0001:
                ticks.append(value * m)
        value *= 10
    return ticks


def panel(x0, title, unit, groups, series, values):
    """groups: size classes; series: bar names; values[(group, series)] -> number."""
    parts = [f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 25}" text-anchor="middle" font-size="15" font-weight="bold">{escape(title)}</text>']
    present = [v for v in values.values() if v and v > 0 and not math.isnan(v)]
    low = 10 ** math.floor(math.log10(min(present)))
    high = 10 ** math.ceil(math.log10(max(present)))
    y = lambda v: TOP + PLOT_H - (math.log10(v) - math.log10(low)) / (math.log10(high) - math.log10(low)) * PLOT_H
    for tick in log_ticks(low, high):
        parts.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{x0 - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">{tick:g}</text>')
    parts.append(f'<text x="{x0 - 42}" y="{TOP + PLOT_H / 2}" transform="rotate(-90 {x0 - 42} {TOP + PLOT_H / 2})" text-anchor="middle" font-size="12">{unit} (log scale)</text>')
    group_w = PANEL_W / len(groups)
    bar_w = group_w * 0.8 / len(series)
    for g, group in enumerate(groups):
        gx = x0 + g * group_w + group_w * 0.1
        for s, name in enumerate(series):
            v = values.get((group, name))
            if not v or math.isnan(v):
                continue
            bx, by = gx + s * bar_w, y(v)
            parts.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar_w - 2:.1f}" height="{TOP + PLOT_H - by:.1f}" fill="{COLOURS.get(name, "#9467bd")}"/>')
            parts.append(f'<text x="{bx + bar_w / 2 - 1:.1f}" y="{by - 4:.1f}" text-anchor="middle" font-size="10">{v:.3g}</text>')
        parts.append(f'<text x="{x0 + g * group_w + group_w / 2:.1f}" y="{TOP + PLOT_H + 18}" text-anchor="middle" font-size="12">{escape(group)}</text>')
    parts.append(f'<line x1="{x0}" x2="{x0 + PANEL_W}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}" stroke="black"/>')
    return parts


def main():
    summary = json.load(open(sys.argv[1]))
    classes = summary["classes"]
    groups = list(classes)
    arms = summary["arms"]
    prep = {}
    rate = {}
    for group, v in classes.items():
        prep[(group, "pillow")] = v["pillowPrepMs"]
        for arm in arms:
            prep[(group, arm)] = v["arms"][arm]["prepMs"]
            rate[(group, arm)] = v["arms"][arm]["throughput"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>']
    parts += panel(70, "Preprocessing per image (c=1, server-reported)", "ms", groups, ["pillow"] + arms, prep)
    parts += panel(70 + PANEL_W + 80, "Service throughput (HTTP, c=8)", "images/s", groups, arms, rate)
    legend_x = 70
    for name in ["pillow"] + arms:
        label = {"pillow": "Pillow (decode+resize+crop)", "before": "before (SkiaSharp, scalar)",
                 "exact": "exact", "fast": "fast"}.get(name, name)
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT - 40}" width="12" height="12" fill="{COLOURS.get(name, "#9467bd")}"/>')
        parts.append(f'<text x="{legend_x + 17}" y="{HEIGHT - 30}" font-size="12">{escape(label)}</text>')
        legend_x += 30 + 7 * len(label)
    parts.append(f'<text x="{WIDTH - 10}" y="{HEIGHT - 10}" text-anchor="end" font-size="10" fill="#666">scripts/bench-sizes.sh, {summary["rounds"]} interleaved rounds, medians</text>')
    parts.append("</svg>")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
