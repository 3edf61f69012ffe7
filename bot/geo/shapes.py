"""Neighbourhoods and ZIP codes as their real shape, for alert areas and broadcast audiences (issue 13).

Why: "1 mile around Pilsen" is a circle round the area's centre and misses East Pilsen (18th & Halsted is 1.22 mi
from it); "all of Pilsen" is the community area's polygon. A shape contains a point when the point is inside the
polygon, or within ``margin_m`` of its edge (a report on a boundary street belongs to both sides).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.geo.geometry import metres_per_degree, point_in_rings

SHAPE_KINDS = ("area", "zip")


@dataclass(frozen=True)
class Shape:
    kind: str  # "area" (community area number) or "zip"
    ref: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings
    bbox: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    centre: tuple[float, float]  # (lat, lon), for ordering recipients by distance

    def box(self, margin_m: float) -> tuple[float, float, float, float]:
        """(min_lat, max_lat, min_lon, max_lon) enlarged by the margin: what the R*Tree indexes."""
        per_lat, per_lon = metres_per_degree(self.centre[0])
        dlat, dlon = margin_m / per_lat * 1.01 + 1e-6, margin_m / per_lon * 1.01 + 1e-6
        return self.bbox[1] - dlat, self.bbox[3] + dlat, self.bbox[0] - dlon, self.bbox[2] + dlon

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        b = self.bbox
        if b[0] <= lon <= b[2] and b[1] <= lat <= b[3] and point_in_rings(lon, lat, self.rings):
            return True
        return margin_m > 0 and self.distance_m(lat, lon) <= margin_m

    def distance_m(self, lat: float, lon: float) -> float:
        """Metres from the point to the nearest edge (a local projection: the shapes are a few km across)."""
        per_lat, per_lon = metres_per_degree(lat)
        best = math.inf
        for ring in self.rings:
            x0, y0 = (ring[-1][0] - lon) * per_lon, (ring[-1][1] - lat) * per_lat
            for x, y in ring:
                x1, y1 = (x - lon) * per_lon, (y - lat) * per_lat
                dx, dy = x1 - x0, y1 - y0
                length2 = dx * dx + dy * dy
                t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(x0 * dx + y0 * dy) / length2))
                best = min(best, math.hypot(x0 + t * dx, y0 + t * dy))
                x0, y0 = x1, y1
        return best


def build_shape(kind: str, ref: str, rings: list[list[tuple[float, float]]], centre: tuple[float, float]) -> Shape:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return Shape(kind, ref, tuple(tuple(r) for r in rings), (min(xs), min(ys), max(xs), max(ys)), centre)
