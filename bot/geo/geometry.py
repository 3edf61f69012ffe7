"""Plane geometry the place finder and the area shapes share (kept apart so neither imports the other)."""

from __future__ import annotations

import math
from collections.abc import Sequence

_WGS84_A = 6_378_137.0
_WGS84_E2 = 6.694379990141e-3


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude at ``lat`` on the WGS84 ellipsoid."""
    phi = math.radians(lat)
    w = 1.0 - _WGS84_E2 * math.sin(phi) ** 2
    per_rad_lat = _WGS84_A * (1.0 - _WGS84_E2) / w**1.5
    per_rad_lon = _WGS84_A / math.sqrt(w) * math.cos(phi)
    return per_rad_lat * math.pi / 180.0, per_rad_lon * math.pi / 180.0


def point_in_rings(lon: float, lat: float, rings: Sequence[Sequence[tuple[float, float]]]) -> bool:
    """Even-odd rule over all rings (holes and multi-part areas need no special casing)."""
    inside = False
    for ring in rings:
        x0, y0 = ring[-1]
        for x1, y1 in ring:
            if (y1 > lat) != (y0 > lat) and lon < (x0 - x1) * (lat - y1) / (y0 - y1) + x1:
                inside = not inside
            x0, y0 = x1, y1
    return inside


def rings_from_flat(flat_rings: Sequence[Sequence[float]]) -> list[list[tuple[float, float]]]:
    return [list(zip(r[0::2], r[1::2], strict=True)) for r in flat_rings]
