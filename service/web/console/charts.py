"""Bar charts drawn on the server as SVG geometry (no script, no outside library): the
template draws the rectangles and gives the same numbers as a table beside them."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 720
HEIGHT = 160
LABEL_SPACE = 20  # below the bars, for the first and last labels


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    top: int  # the largest value (the full height)
    width: int = WIDTH
    height: int = HEIGHT + LABEL_SPACE
    baseline: int = HEIGHT


def bar_chart(points: list[tuple[str, int]]) -> BarChart:
    """One bar per (label, value), scaled to the largest value."""
    top = max((value for _label, value in points), default=0)
    if not points:
        return BarChart(bars=[], top=0)
    step = WIDTH / len(points)
    gap = min(2.0, step / 4)
    bars = []
    for n, (label, value) in enumerate(points):
        height = HEIGHT * value / top if top else 0.0
        bars.append(
            Bar(
                x=round(n * step + gap / 2, 2),
                y=round(HEIGHT - height, 2),
                width=round(step - gap, 2),
                height=round(height, 2),
                label=label,
                value=value,
            )
        )
    return BarChart(bars=bars, top=top)
