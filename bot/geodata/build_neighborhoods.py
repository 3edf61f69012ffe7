"""Build ``neighborhoods.json`` — one point per City of Chicago neighbourhood — from the City's polygons.

Why: residents who say "Logan Square" or "Humboldt Park" mean the neighbourhood people call that, not the
community area of the same name, whose centre can lie 400–700 m away (the community area "Logan Square" runs
far west of the square; "Humboldt Park" reaches south to Chicago Ave). The City's *Boundaries - Neighborhoods*
layer (98 neighbourhoods, data portal ``bbvz-uum9``, the polygons behind the ``Neighborhoods_2012b`` names in the
`chicago` package) draws them as people use them. The point kept is the polygon's area-weighted centroid (the
resolver checks that it lies inside the community area the name belongs to, else keeps the area's centre).
Only the rounded centroid and the names are committed, never the input file.

Input: the data portal's ``rows.json`` export of ``bbvz-uum9`` (columns ``the_geom`` WKT, ``PRI_NEIGH``,
``SEC_NEIGH``), e.g. ``chicago_neighborhoods.geojson`` of the public repository
Nasser-Alshaya/problem_set_6_nasser_alshaya (see docs/geo.md for the commit).

Run: ``python -m bot.geodata.build_neighborhoods rows.json [--source-commit SHA]`` (deterministic output).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent / "neighborhoods.json"
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(41.84))


def _polygons(wkt: str) -> list[list[list[tuple[float, float]]]]:
    """WKT (MULTI)POLYGON → polygons → rings → (lon, lat) points; the first ring of a polygon is its outline."""
    out = []
    for poly in re.findall(r"\(\(.*?\)\)", wkt):
        rings = []
        for ring in re.findall(r"\(([^()]+)\)", poly):
            rings.append([tuple(map(float, p.split()[:2])) for p in ring.split(",")])
        out.append(rings)
    return out


def _ring(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Unsigned shoelace area (m²) and centroid (lon, lat)."""
    pts = [(x * M_PER_DEG_LON, y * M_PER_DEG_LAT) for x, y in ring]
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a, cx, cy = a + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    if abs(a) < 1e-9:
        return 0.0, ring[0][0], ring[0][1]
    return abs(a) / 2, cx / (3 * a) / M_PER_DEG_LON, cy / (3 * a) / M_PER_DEG_LAT


def centroid(wkt: str) -> tuple[float, float]:
    """Area-weighted centroid (lat, lon) of all polygons, holes subtracted."""
    total = sx = sy = 0.0
    for rings in _polygons(wkt):
        for k, ring in enumerate(rings):
            a, x, y = _ring(ring)
            a = a if k == 0 else -a
            total, sx, sy = total + a, sx + a * x, sy + a * y
    return round(sy / total, 5), round(sx / total, 5)


def build(path: Path, commit: str | None) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    names = [c["name"] for c in data["meta"]["view"]["columns"]]
    col = {n: names.index(n) for n in ("the_geom", "PRI_NEIGH", "SEC_NEIGH")}
    rows = [(r[col["PRI_NEIGH"]].strip(), r[col["SEC_NEIGH"]].strip(), r[col["the_geom"]]) for r in data["data"]]
    seconds: dict[str, set[str]] = {}
    for pri, sec, _ in rows:
        for part in re.split(r"\s*,\s*|\s+AND\s+", sec):
            if part:
                seconds.setdefault(part.title(), set()).add(pri)
    hoods = []
    for pri, _, wkt in sorted(rows):
        lat, lon = centroid(wkt)
        # a secondary name is an alias only when it names this one neighbourhood ("Back of the Yards" covers two)
        aliases = sorted(s for s, pris in seconds.items() if pris == {pri} and s.lower() != pri.lower())
        hoods.append({"name": pri, "aliases": aliases, "lat": lat, "lon": lon})
    source = {
        "data": "City of Chicago, 'Boundaries - Neighborhoods' (data.cityofchicago.org bbvz-uum9, "
        "Neighborhoods_2012b): area-weighted polygon centroids",
        "repository": "Nasser-Alshaya/problem_set_6_nasser_alshaya", "path": "chicago_neighborhoods.geojson",
    }
    if commit:
        source["commit"] = commit
    return {"source": source, "neighborhoods": hoods}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows_json", type=Path)
    parser.add_argument("--source-commit", default=None)
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    data = build(args.rows_json, args.source_commit)
    args.output.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(data['neighborhoods'])} neighbourhoods → {args.output}")


if __name__ == "__main__":
    main()
