"""Plane geometry for the bundled seat maps: fitting projected rings into a frame, line
simplification (Douglas–Peucker) and the compact SVG path text the maps are stored as.

Everything here works on projected points (x to the east, y downwards, as SVG draws), so it
knows nothing of longitudes or national grids; map_build chooses the projection per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]
Ring = list[Point]


@dataclass(frozen=True)
class Box:
    """A rectangle of the drawing, in map units (integers once rounded)."""

    x: float
    y: float
    width: float
    height: float


def bounds(rings: Sequence[Ring]) -> Box:
    xs = [x for ring in rings for x, _y in ring]
    ys = [y for ring in rings for _x, y in ring]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def fit(source: Box, target: Box) -> tuple[float, float, float]:
    """Scale and offsets (x, y) that put `source` inside `target`, centred, keeping shape."""
    scale = min(target.width / (source.width or 1), target.height / (source.height or 1))
    dx = target.x + (target.width - source.width * scale) / 2 - source.x * scale
    dy = target.y + (target.height - source.height * scale) / 2 - source.y * scale
    return scale, dx, dy


def simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas–Peucker on a closed ring: keep the points that lie further than `tolerance`
    from the chord of the stretch they belong to. The ring is split at its first point and
    at the point furthest from it, so the closed shape keeps two fixed anchors."""
    if len(ring) < 4:
        return list(ring)
    points = ring[:-1] if ring[0] == ring[-1] else list(ring)
    far = max(range(len(points)), key=lambda i: _distance2(points[0], points[i]))
    first = _keep(points[: far + 1], tolerance)
    second = _keep([*points[far:], points[0]], tolerance)
    return [*first, *second[1:]]


def _keep(points: Sequence[Point], tolerance: float) -> Ring:
    """Open-line Douglas–Peucker, iterative (a coastline can have thousands of points)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        start, end = stack.pop()
        worst, worst_at = 0.0, -1
        for i in range(start + 1, end):
            d = _segment_distance2(points[i], points[start], points[end])
            if d > worst:
                worst, worst_at = d, i
        if worst_at >= 0 and worst > limit:
            keep[worst_at] = True
            stack.append((start, worst_at))
            stack.append((worst_at, end))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _distance2(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _segment_distance2(p: Point, a: Point, b: Point) -> float:
    length2 = _distance2(a, b)
    if length2 == 0:
        return _distance2(p, a)
    t = ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / length2
    t = max(0.0, min(1.0, t))
    return _distance2(p, (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))


def rounded(ring: Ring) -> list[tuple[int, int]]:
    """The ring on the integer grid, without repeated points."""
    out: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x), round(y))
        if not out or out[-1] != point:
            out.append(point)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def area(ring: Sequence[tuple[int, int]] | Ring) -> float:
    """Unsigned area (shoelace)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def path_text(rings: Sequence[Sequence[tuple[int, int]]]) -> str:
    """SVG path data, relative moves after the first point of each ring: "M10 20l3-1 0 4z"."""
    parts: list[str] = []
    for ring in rings:
        x0, y0 = ring[0]
        steps = [f"{x - px} {y - py}" for (px, py), (x, y) in zip(ring, ring[1:], strict=False)]
        parts.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")
