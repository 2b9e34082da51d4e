"""Small, dependency-free SVG charts (Python standard library only): line charts and grouped bar charts.

Reusable for any figure in docs/: callers pass plain numbers and get an SVG document back as a string. Output is
deterministic (same input, same bytes), so regenerated charts only show up in a diff when the data changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

PALETTE = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass
class Series:
    """One line (x, y points) or one group of bars (y values, one per category)."""

    name: str
    points: list[tuple[float, float]] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    dashed: bool = False
    color: str | None = None


@dataclass
class Reference:
    """A horizontal line across the plot, e.g. a ceiling."""

    name: str
    value: float
    color: str = "#6b7280"


@dataclass
class Frame:
    width: int = 760
    height: int = 380
    left: int = 64
    right: int = 20
    top: int = 48
    bottom: int = 76

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:g}"


def _num(value: float) -> str:
    return f"{value:.1f}"


def _color(series: Series, index: int) -> str:
    return series.color or PALETTE[index % len(PALETTE)]


def _open(frame: Frame, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" role="img" aria-labelledby="title desc" font-family="{FONT}" font-size="12">',
        f"<title id=\"title\">{escape(title)}</title>",
        f"<desc id=\"desc\">{escape(description)}</desc>",
        f'<rect width="{frame.width}" height="{frame.height}" fill="#ffffff"/>',
        f'<text x="{frame.left}" y="26" font-size="15" font-weight="600" fill="#111827">{escape(title)}</text>',
    ]


def _y_axis(frame: Frame, ticks: list[float], y_of, label: str) -> list[str]:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{_num(y)}" y2="{_num(y)}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{frame.left - 8}" y="{_num(y + 4)}" text-anchor="end" fill="#4b5563">{_fmt(tick)}</text>')
    middle = frame.top + frame.plot_height / 2
    parts.append(f'<text transform="translate(16 {_num(middle)}) rotate(-90)" text-anchor="middle" fill="#374151">{escape(label)}</text>')
    return parts


def _x_label(frame: Frame, label: str) -> str:
    x = frame.left + frame.plot_width / 2
    return f'<text x="{_num(x)}" y="{frame.height - 40}" text-anchor="middle" fill="#374151">{escape(label)}</text>'


def _legend(frame: Frame, entries: list[tuple[str, str, str]]) -> list[str]:
    """entries: (name, color, kind) with kind 'line', 'dashed' or 'bar'; laid out in one row under the x label."""
    parts = []
    x = frame.left
    y = frame.height - 16
    for name, color, kind in entries:
        if kind == "bar":
            parts.append(f'<rect x="{x}" y="{y - 9}" width="14" height="10" fill="{color}"/>')
        else:
            dash = ' stroke-dasharray="5 4"' if kind == "dashed" else ""
            parts.append(f'<line x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" stroke-width="2.5"{dash}/>')
        parts.append(f'<text x="{x + 22}" y="{y}" fill="#374151">{escape(name)}</text>')
        x += 34 + 7 * len(name)
    return parts


def _references(frame: Frame, references: list[Reference], y_of) -> list[str]:
    parts = []
    for ref in references:
        y = y_of(ref.value)
        parts.append(f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{_num(y)}" y2="{_num(y)}" '
                     f'stroke="{ref.color}" stroke-width="1.5" stroke-dasharray="2 3"/>')
        parts.append(f'<text x="{frame.width - frame.right - 4}" y="{_num(y - 5)}" text-anchor="end" fill="{ref.color}">'
                     f'{escape(ref.name)} {_fmt(round(ref.value, 1))}</text>')
    return parts


def line_chart(title: str, series: list[Series], x_label: str, y_label: str, *, log2_x: bool = False,
               references: list[Reference] | None = None, description: str = "", frame: Frame | None = None) -> str:
    """Lines over a shared x axis; with log2_x the x values (e.g. concurrency 1, 4, 16, 64) are spaced by their log."""
    frame = frame or Frame()
    references = references or []
    xs = sorted({x for s in series for x, _ in s.points})
    ys = [y for s in series for _, y in s.points] + [r.value for r in references]
    transform = (lambda v: math.log2(v)) if log2_x else (lambda v: v)
    x_low, x_high = transform(xs[0]), transform(xs[-1])
    ticks = nice_ticks(0, max(ys) * 1.05)
    y_high = ticks[-1]

    def x_of(v: float) -> float:
        span = x_high - x_low or 1
        return frame.left + 12 + (transform(v) - x_low) / span * (frame.plot_width - 24)

    def y_of(v: float) -> float:
        return frame.top + frame.plot_height * (1 - v / y_high)

    parts = _open(frame, title, description or title)
    parts += _y_axis(frame, ticks, y_of, y_label)
    for x in xs:
        parts.append(f'<text x="{_num(x_of(x))}" y="{frame.top + frame.plot_height + 18}" text-anchor="middle" fill="#4b5563">{_fmt(x)}</text>')
    parts.append(_x_label(frame, x_label))
    parts += _references(frame, references, y_of)
    legend = []
    for index, s in enumerate(series):
        color = _color(s, index)
        path = " ".join(f"{_num(x_of(x))},{_num(y_of(y))}" for x, y in sorted(s.points))
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"{dash}/>')
        for x, y in s.points:
            parts.append(f'<circle cx="{_num(x_of(x))}" cy="{_num(y_of(y))}" r="3.5" fill="{color}"><title>{escape(s.name)}: {_fmt(round(y, 1))} at {_fmt(x)}</title></circle>')
        legend.append((s.name, color, "dashed" if s.dashed else "line"))
    parts += _legend(frame, legend)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def grouped_bar_chart(title: str, categories: list[str], groups: list[Series], x_label: str, y_label: str, *,
                      references: list[Reference] | None = None, description: str = "", frame: Frame | None = None) -> str:
    """For each category, one bar per group (groups[i].values[j] is group i's bar in category j)."""
    frame = frame or Frame()
    references = references or []
    ys = [v for g in groups for v in g.values] + [r.value for r in references]
    ticks = nice_ticks(0, max(ys) * 1.05)
    y_high = ticks[-1]

    def y_of(v: float) -> float:
        return frame.top + frame.plot_height * (1 - v / y_high)

    slot = frame.plot_width / len(categories)
    bar = min(28.0, slot * 0.8 / len(groups))
    parts = _open(frame, title, description or title)
    parts += _y_axis(frame, ticks, y_of, y_label)
    for j, category in enumerate(categories):
        centre = frame.left + slot * (j + 0.5)
        parts.append(f'<text x="{_num(centre)}" y="{frame.top + frame.plot_height + 18}" text-anchor="middle" fill="#4b5563">{escape(category)}</text>')
        for i, group in enumerate(groups):
            value = group.values[j]
            x = centre - bar * len(groups) / 2 + bar * i
            y = y_of(value)
            parts.append(f'<rect x="{_num(x + 1)}" y="{_num(y)}" width="{_num(bar - 2)}" height="{_num(frame.top + frame.plot_height - y)}" '
                         f'fill="{_color(group, i)}"><title>{escape(group.name)}, {escape(category)}: {_fmt(round(value, 1))}</title></rect>')
    parts.append(_x_label(frame, x_label))
    parts += _references(frame, references, y_of)
    parts += _legend(frame, [(g.name, _color(g, i), "bar") for i, g in enumerate(groups)])
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
