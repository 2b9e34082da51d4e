#!/usr/bin/env python3
"""Draws docs/benchmarks.md's charts from the recorded JSON (docs/benchmarks/<model>/*.json, as written by
`mobilevit bench --json`) into docs/benchmarks/charts/<model>-<chart>.svg.

    python3 tools/charts/benchmark_charts.py [--input docs/benchmarks] [--output docs/benchmarks/charts]

Per model folder: throughput against concurrency per protocol, the service against the in-process ceiling and the
naive baseline, and latency percentiles. Python standard library only; the drawing is in svgchart.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from svgchart import Reference, Series, grouped_bar_chart, line_chart  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[2]
MODEL_NAMES = {"xxs": "MobileViT-XXS", "s": "MobileViT-S"}
PROTOCOL_NAMES = {"http": "HTTP", "grpc": "gRPC unary", "grpc-stream": "gRPC stream"}


@dataclass
class BenchmarkRun:
    """One model's recorded results: the service's load points, the naive baseline's and the in-process ceiling."""

    key: str
    name: str
    service: list[dict]
    naive: list[dict]
    ceiling: float

    def points(self, protocol: str) -> list[dict]:
        return sorted((p for p in self.service if p["protocol"] == protocol), key=lambda p: p["concurrency"])

    def protocols(self) -> list[str]:
        seen = dict.fromkeys(p["protocol"] for p in self.service)
        return [p for p in PROTOCOL_NAMES if p in seen] + [p for p in seen if p not in PROTOCOL_NAMES]


def load_run(folder: Path) -> BenchmarkRun:
    def read(name: str) -> dict:
        return json.loads((folder / name).read_text())

    naive = read("naive.json")["points"] if (folder / "naive.json").exists() else []
    return BenchmarkRun(folder.name, MODEL_NAMES.get(folder.name, folder.name.upper()), read("service.json")["points"],
                        sorted(naive, key=lambda p: p["concurrency"]), read("ceiling.json")["best"]["throughput"])


def throughput_by_protocol(run: BenchmarkRun) -> str:
    series = [Series(PROTOCOL_NAMES.get(protocol, protocol), points=[(p["concurrency"], p["throughput"]) for p in run.points(protocol)])
              for protocol in run.protocols()]
    return line_chart(f"{run.name}: throughput by protocol", series, "concurrent requests (closed loop)", "images/s",
                      log2_x=True, references=[Reference("in-process ceiling", run.ceiling)],
                      description=f"{run.name} service throughput at each concurrency over HTTP, gRPC unary and gRPC "
                                  f"streaming, against the in-process ceiling of {run.ceiling:.1f} images/s.")


def service_against_ceiling_and_baseline(run: BenchmarkRun) -> str:
    http = run.points("http")
    naive = {p["concurrency"]: p["throughput"] for p in run.naive}
    concurrencies = [p["concurrency"] for p in http if p["concurrency"] in naive]
    service = {p["concurrency"]: p["throughput"] for p in http}
    groups = [Series("service (HTTP)", values=[service[c] for c in concurrencies], color="#2563eb"),
              Series("naive baseline (HTTP)", values=[naive[c] for c in concurrencies], color="#9ca3af")]
    return grouped_bar_chart(f"{run.name}: service vs ceiling vs naive baseline", [f"c={c}" for c in concurrencies], groups,
                             "concurrent requests (closed loop)", "images/s",
                             references=[Reference("in-process ceiling", run.ceiling, "#b91c1c")],
                             description=f"{run.name}: images/s of the service and of the naive baseline at each concurrency over HTTP, "
                                         f"with the in-process ceiling of {run.ceiling:.1f} images/s.")


def latency_percentiles(run: BenchmarkRun) -> str:
    colors = {"p50": "#2563eb", "p90": "#059669", "p99": "#d97706"}
    series = [Series(f"service {q}", points=[(p["concurrency"], p["latencyMs"][q]) for p in run.points("http")], color=colors[q])
              for q in ("p50", "p90", "p99")]
    if run.naive:
        series += [Series(f"naive {q}", points=[(p["concurrency"], p["latencyMs"][q]) for p in run.naive], color=colors[q], dashed=True)
                   for q in ("p50", "p99")]
    return line_chart(f"{run.name}: latency percentiles over HTTP", series, "concurrent requests (closed loop)", "latency (ms)",
                      log2_x=True,
                      description=f"{run.name}: client-measured p50, p90 and p99 latency of the service over HTTP at each "
                                  "concurrency (solid), and the naive baseline's p50 and p99 (dashed).")


CHARTS = {
    "throughput-by-protocol": throughput_by_protocol,
    "service-vs-ceiling-vs-baseline": service_against_ceiling_and_baseline,
    "latency-percentiles": latency_percentiles,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=REPOSITORY / "docs" / "benchmarks")
    parser.add_argument("--output", type=Path, default=REPOSITORY / "docs" / "benchmarks" / "charts")
    args = parser.parse_args()
    folders = sorted(f for f in args.input.iterdir() if (f / "service.json").exists() and (f / "ceiling.json").exists())
    if not folders:
        print(f"no <model>/service.json with ceiling.json under {args.input}", file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        run = load_run(folder)
        for chart, draw in CHARTS.items():
            path = args.output / f"{run.key}-{chart}.svg"
            path.write_text(draw(run))
            print(path.relative_to(REPOSITORY) if path.is_relative_to(REPOSITORY) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
