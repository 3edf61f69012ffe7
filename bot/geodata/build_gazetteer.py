"""Regenerate ``bot/geodata/chicago.json`` (or a gazetteer for another city) from public boundary data.

Run: ``python -m bot.geodata.build_gazetteer`` (needs the build-time-only packages ``chicago`` and ``six``;
the bot itself never imports them). The output is deterministic: same inputs, byte-identical file.

What it does and why:

* **Community areas** — the `chicago` package ships the City's 2010 census tracts, each tagged with its
  community-area number. Tracts of one area are *dissolved* (edges shared by two tracts cancel out), the
  remaining boundary is chained into rings and simplified (Douglas-Peucker, ~12 m), giving a small outline
  for offline point-in-area tests. The centroid is the area-weighted mean of tract centroids.
* **City outline** — the same dissolve over all tracts; used for the service-area test.
* **ZIP codes** — the City's ZIP polygons (also in the package): centroid and simplified outline.
* **Aliases** — the official names plus ``aliases.ALIASES`` (popular English/Spanish names, with sources).
* **Address grid** — ``grid_streets`` lists grid numbers. The grid→lat/lon transform is *fitted to City
  data*, not typed in: census-tract and ZIP boundaries run along the arterial streets, so for each
  arterial and each half-mile band the script finds the longitude (or latitude) where boundary edges
  parallel to that street pile up, fits a cubic polynomial to those control points (with outlier
  rejection), and stores each street's remaining offset per band so that streets that drift (Western,
  Pulaski, Harlem…) are placed where the boundaries say they are. The only typed-in coordinate is the
  starting guess (State & Madison), which the fit then moves.

Another city: ``--areas-geojson FILE --area-id-field F --area-name-field F [--zips-geojson FILE
--zip-field F] --city NAME --output PATH --no-grid`` builds areas (and optionally postal codes) from any
GeoJSON polygons; without a grid the resolver answers area names, postal codes and pins only.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.geodata import aliases as alias_table
from bot.geodata import grid_streets

Point = tuple[float, float]  # (lon, lat)
Ring = list[Point]

LAT0 = 41.84
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))
SIMPLIFY_M = 12.0
OUTPUT = Path(__file__).resolve().parent / "chicago.json"

# Starting guess only (State St & Madison St, OpenStreetMap); the calibration below refines the transform.
ORIGIN_GUESS: Point = (-87.6278, 41.8819)
GRID_PER_MILE = 800.0
METERS_PER_MILE = 1609.344
BAND_STEP = 400  # grid units (half a mile) between calibration bands
X_RANGE = (-8800, 3600)
Y_RANGE = (-13800, 7800)


# --------------------------------------------------------------------------- inputs


def chicago_data_dir() -> Path:
    """Locate the `chicago` package's data folder without importing it (it imports `six` undeclared)."""
    spec = importlib.util.find_spec("chicago")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("The build needs the `chicago` package: pip install chicago six")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def read_polygons(path: Path) -> list[tuple[dict[str, str], list[Ring]]]:
    """GeoJSON features as (properties, outer-and-inner rings)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        geom = feature["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [[(float(p[0]), float(p[1])) for p in ring] for poly in polys for ring in poly]
        out.append((feature["properties"], rings))
    return out


def community_area_names(data_dir: Path) -> dict[int, str]:
    """Official community-area names, with the City's all-caps spelling turned into display case."""
    fixes = {"Mckinley Park": "McKinley Park", "Ohare": "O'Hare"}
    with (data_dir / "CommAreas.csv").open(encoding="utf-8") as fh:
        names = {int(r["AREA_NUMBE"]): r["COMMUNITY"].title() for r in csv.DictReader(fh)}
    return {n: fixes.get(name, name) for n, name in names.items()}


# --------------------------------------------------------------------------- polygon geometry


def to_m(p: Point) -> tuple[float, float]:
    """Local equirectangular metres — plenty accurate at city scale and needs no projection library."""
    return (p[0] * M_PER_DEG_LON, p[1] * M_PER_DEG_LAT)


def ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed shoelace area (m²) and centroid (lon, lat) of a closed ring."""
    a = cx = cy = 0.0
    pts = [to_m(p) for p in ring]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2.0
    if abs(a) < 1e-9:
        return 0.0, ring[0][0], ring[0][1]
    return a, cx / (6 * a) / M_PER_DEG_LON, cy / (6 * a) / M_PER_DEG_LAT


def rings_centroid(rings: Iterable[Ring]) -> Point:
    """Area-weighted centroid of several rings (holes subtract because their signed area is opposite)."""
    total = sx = sy = 0.0
    for ring in rings:
        a, cx, cy = ring_area_centroid(ring)
        total += a
        sx += a * cx
        sy += a * cy
    return sx / total, sy / total


def dissolve(rings: Iterable[Ring], digits: int = 6) -> list[Ring]:
    """Union of polygons that share vertices: keep edges used once, chain them back into closed rings."""
    count: dict[tuple[Point, Point], int] = defaultdict(int)
    for ring in rings:
        pts = [(round(x, digits), round(y, digits)) for x, y in ring]
        for a, b in zip(pts, pts[1:], strict=False):
            if a != b:
                count[(min(a, b), max(a, b))] += 1
    edges = sorted(k for k, n in count.items() if n % 2 == 1)
    return chain(edges)


def chain(edges: Sequence[tuple[Point, Point]]) -> list[Ring]:
    """Walk unused edges into closed rings (even-odd filling does not care where rings touch)."""
    adjacent: dict[Point, list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(edges):
        adjacent[a].append(i)
        adjacent[b].append(i)
    used = [False] * len(edges)
    rings: list[Ring] = []
    for start in range(len(edges)):
        if used[start]:
            continue
        used[start] = True
        first, current = edges[start]
        ring = [first, current]
        while current != first:
            nxt = next((i for i in adjacent[current] if not used[i]), None)
            if nxt is None:
                break
            used[nxt] = True
            a, b = edges[nxt]
            current = b if a == current else a
            ring.append(current)
        if len(ring) >= 4:
            rings.append(ring)
    return rings


def simplify(ring: Ring, tolerance_m: float = SIMPLIFY_M) -> Ring:
    """Douglas-Peucker on a closed ring, keeping the first point fixed."""
    pts = [to_m(p) for p in ring]
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    far = max(range(len(pts)), key=lambda i: math.dist(pts[0], pts[i]))
    keep[far] = True
    stack = [(0, far), (far, len(pts) - 1)]
    while stack:
        lo, hi = stack.pop()
        best, best_d = -1, tolerance_m
        for i in range(lo + 1, hi):
            d = segment_distance(pts[i], pts[lo], pts[hi])
            if d > best_d:
                best, best_d = i, d
        if best >= 0:
            keep[best] = True
            stack += [(lo, best), (best, hi)]
    return [ring[i] for i in range(len(ring)) if keep[i]]


def segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance from p to segment ab in a plane."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def flat(ring: Ring) -> list[float]:
    """Ring as a flat [lon, lat, lon, lat, …] list rounded to ~1 m, to keep the JSON small."""
    return [round(v, 5) for p in ring for v in p]


def outline(rings: Iterable[Ring]) -> list[list[float]]:
    """Simplified rings without slivers (fewer than 4 points after simplification)."""
    out = []
    for ring in rings:
        small = simplify(ring)
        if len(small) >= 4:
            out.append(flat(small))
    return out


def bbox(rings: Iterable[Ring]) -> list[float]:
    pts = [p for r in rings for p in r]
    return [
        round(min(p[0] for p in pts), 5),
        round(min(p[1] for p in pts), 5),
        round(max(p[0] for p in pts), 5),
        round(max(p[1] for p in pts), 5),
    ]


# --------------------------------------------------------------------------- areas, ZIPs, aliases


def build_areas(
    features: list[tuple[dict[str, str], list[Ring]]], id_field: str, names: dict[int, str]
) -> tuple[list[dict], list[list[float]]]:
    """Dissolve member polygons per area id; return area records and the dissolved city outline."""
    groups: dict[int, list[Ring]] = defaultdict(list)
    for props, rings in features:
        groups[int(props[id_field])].extend(rings)
    areas = []
    for number in sorted(groups):
        members = groups[number]
        lon, lat = rings_centroid(members)
        popular = alias_table.DISPLAY_POPULAR.get(number, ("", ""))
        areas.append(
            {
                "number": number,
                "name": names.get(number, str(number)),
                "popular_en": popular[0],
                "popular_es": popular[1],
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "bbox": bbox(members),
                "outline": outline(dissolve(members)),
            }
        )
    city = outline(dissolve([r for _, rings in features for r in rings]))
    return areas, city


def build_zips(features: list[tuple[dict[str, str], list[Ring]]], field: str) -> list[dict]:
    """ZIP records; a ZIP made of several features is merged."""
    groups: dict[str, list[Ring]] = defaultdict(list)
    for props, rings in features:
        groups[str(props[field])].extend(rings)
    out = []
    for code in sorted(groups):
        lon, lat = rings_centroid(groups[code])
        out.append(
            {
                "zip": code,
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "bbox": bbox(groups[code]),
                "outline": outline(groups[code]),
            }
        )
    return out


def build_aliases(areas: list[dict]) -> list[dict]:
    """Official names (source: City community-area file) plus the curated popular names."""
    rows = [{"alias": a["name"], "area": a["number"], "source": "official"} for a in areas]
    known = {a["number"] for a in areas}
    rows += [{"alias": name, "area": n, "source": src} for name, n, src in alias_table.ALIASES if n in known]
    return rows


# --------------------------------------------------------------------------- grid calibration


class Poly:
    """Cubic polynomial in scaled grid coordinates (u, v) = (x, y) / 8000; coefficients fitted below."""

    SCALE = 8000.0

    @staticmethod
    def terms(x: float, y: float, warp: bool = True) -> list[float]:
        """Monomials; grid y is first mapped to survey y (see ``grid_streets.Y_KNOTS``) unless told not to."""
        if warp:
            y = grid_streets.piecewise(grid_streets.Y_KNOTS, y)
        u, v = x / Poly.SCALE, y / Poly.SCALE
        return [1.0, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v]

    @staticmethod
    def value(coef: Sequence[float], x: float, y: float) -> float:
        return sum(c * t for c, t in zip(coef, Poly.terms(x, y), strict=True))


def least_squares(rows: list[list[float]], target: list[float], ridge: float = 1e-9) -> list[float]:
    """Solve the normal equations by Gaussian elimination (no numpy needed at build time either)."""
    n = len(rows[0])
    a = [[sum(r[i] * r[j] for r in rows) + (ridge if i == j else 0.0) for j in range(n)] for i in range(n)]
    b = [sum(r[i] * t for r, t in zip(rows, target, strict=True)) for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot], b[col], b[pivot] = a[pivot], a[col], b[pivot], b[col]
        for r in range(col + 1, n):
            f = a[r][col] / a[col][col]
            a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
            b[r] -= f * b[col]
    sol = [0.0] * n
    for r in range(n - 1, -1, -1):
        sol[r] = (b[r] - sum(a[r][c] * sol[c] for c in range(r + 1, n))) / a[r][r]
    return sol


def robust_fit(points: list[tuple[float, float, float]]) -> tuple[list[float], list[bool]]:
    """Fit value = Poly(x, y), dropping control points more than 3 MADs (≥ 40 m) away, three rounds."""
    keep = [True] * len(points)
    coef: list[float] = []
    for _ in range(4):
        sel = [p for p, k in zip(points, keep, strict=True) if k]
        coef = least_squares([Poly.terms(x, y) for x, y, _ in sel], [v for _, _, v in sel])
        res = [abs(v - Poly.value(coef, x, y)) for x, y, v in points]
        mad = statistics.median(r for r, k in zip(res, keep, strict=True) if k)
        limit = max(3 * 1.4826 * mad, 40.0 / M_PER_DEG_LAT)
        keep = [r <= limit for r in res]
    return coef, keep


class EdgeIndex:
    """Boundary edges parallel to one axis, bucketed so that 'edges near this line' is a cheap lookup."""

    def __init__(self, edges: list[tuple[float, float, float]], cell: float = 0.004) -> None:
        # each edge: (position across the street in degrees, position along it in degrees, length in m)
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[tuple[float, float, float]]] = defaultdict(list)
        for e in edges:
            self.buckets[(int(e[0] // cell), int(e[1] // cell))].append(e)

    def near(self, across: float, along_lo: float, along_hi: float, half: float) -> list[tuple[float, ...]]:
        c = self.cell
        out = []
        for i in range(int((across - half) // c), int((across + half) // c) + 1):
            for j in range(int(along_lo // c), int(along_hi // c) + 1):
                out += [
                    e
                    for e in self.buckets.get((i, j), ())
                    if abs(e[0] - across) <= half and along_lo <= e[1] <= along_hi
                ]
        return out


def axis_edges(rings: Iterable[Ring]) -> tuple[EdgeIndex, EdgeIndex]:
    """Split boundary edges into north-south ones (indexed by lon) and east-west ones (indexed by lat)."""
    ns, ew = [], []
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            dx, dy = (x1 - x0) * M_PER_DEG_LON, (y1 - y0) * M_PER_DEG_LAT
            length = math.hypot(dx, dy)
            if length < 15:
                continue
            if abs(dx) < 0.04 * length:
                ns.append(((x0 + x1) / 2, (y0 + y1) / 2, length))
            elif abs(dy) < 0.04 * length:
                ew.append(((y0 + y1) / 2, (x0 + x1) / 2, length))
    return EdgeIndex(ns), EdgeIndex(ew)


def density_peak(edges: list[tuple[float, ...]], sigma: float) -> tuple[float, float]:
    """Position with the most boundary length nearby (Gaussian kernel); returns (position, weight in m)."""
    best, best_w = 0.0, 0.0
    for cand in edges:
        w = sum(e[2] * math.exp(-0.5 * ((e[0] - cand[0]) / sigma) ** 2) for e in edges)
        if w > best_w:
            best, best_w = cand[0], w
    return best, best_w


def bands(lo: int, hi: int) -> list[int]:
    return list(range(lo, hi + 1, BAND_STEP))


def control_points(
    streets: list[tuple[int, bool]],
    index: EdgeIndex,
    ns: bool,
    lon_coef: list[float],
    lat_coef: list[float],
    window_m: float,
) -> list[tuple[float, float, float, int]]:
    """For each major street and band, the boundary-density peak near the predicted line."""
    scale = M_PER_DEG_LON if ns else M_PER_DEG_LAT
    out = []
    for number, major in streets:
        if not major:
            continue
        for b in bands(*(Y_RANGE if ns else X_RANGE)):
            x, y = (number, b) if ns else (b, number)
            across = Poly.value(lon_coef if ns else lat_coef, x, y)
            b0, b1 = (x, b - BAND_STEP / 2) if ns else (b - BAND_STEP / 2, y)
            b2, b3 = (x, b + BAND_STEP / 2) if ns else (b + BAND_STEP / 2, y)
            a0 = Poly.value(lat_coef if ns else lon_coef, b0, b1)
            a1 = Poly.value(lat_coef if ns else lon_coef, b2, b3)
            found = index.near(across, min(a0, a1), max(a0, a1), window_m / scale)
            pos, weight = density_peak(found, 15.0 / scale)
            if weight >= 250.0:
                out.append((x, y, pos, number))
    return out


def initial_coefficients() -> tuple[list[float], list[float]]:
    """Linear starting transform: origin guess plus 800 grid numbers per mile."""
    deg_lon = METERS_PER_MILE / M_PER_DEG_LON / GRID_PER_MILE * Poly.SCALE
    deg_lat = METERS_PER_MILE / M_PER_DEG_LAT / GRID_PER_MILE * Poly.SCALE
    lon = [ORIGIN_GUESS[0], deg_lon] + [0.0] * 8
    lat = [ORIGIN_GUESS[1], 0.0, deg_lat] + [0.0] * 7
    return lon, lat


def fit_transform(
    rings: list[Ring], ns_streets: list[tuple[int, bool]], ew_streets: list[tuple[int, bool]]
) -> tuple[list[float], list[float], dict[int, dict[int, float]], dict[int, dict[int, float]]]:
    """Iteratively fit lon(x, y) and lat(x, y); return per-street residuals (m) at calibrated bands."""
    ns_index, ew_index = axis_edges(rings)
    lon_coef, lat_coef = initial_coefficients()
    ns_pts: list[tuple[float, float, float, int]] = []
    ew_pts: list[tuple[float, float, float, int]] = []
    for window in (320.0, 200.0, 120.0):
        ns_pts = control_points(ns_streets, ns_index, True, lon_coef, lat_coef, window)
        ew_pts = control_points(ew_streets, ew_index, False, lon_coef, lat_coef, window)
        lon_coef, ns_keep = robust_fit([(x, y, v) for x, y, v, _ in ns_pts])
        lat_coef, ew_keep = robust_fit([(x, y, v) for x, y, v, _ in ew_pts])
    ns_res = residuals(ns_pts, ns_keep, lon_coef, M_PER_DEG_LON, along=1)
    ew_res = residuals(ew_pts, ew_keep, lat_coef, M_PER_DEG_LAT, along=0)
    return lon_coef, lat_coef, ns_res, ew_res


def residuals(
    points: list[tuple[float, float, float, int]],
    keep: list[bool],
    coef: list[float],
    scale: float,
    along: int,
) -> dict[int, dict[int, float]]:
    """street grid number → {band: metres the street lies off the polynomial}, for kept control points."""
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for (x, y, v, number), k in zip(points, keep, strict=True):
        if k:
            out[number][int((x, y)[along])] = (v - Poly.value(coef, x, y)) * scale
    return out


def street_offsets(number: int, res: dict[int, dict[int, float]], band_list: list[int]) -> list[int]:
    """Per-band offset of one street: its own calibration where available, else neighbours', smoothed.

    Streets without their own control points borrow a linear interpolation of the two nearest calibrated
    streets on either side (by grid number), band by band.
    """
    calibrated = sorted(res)
    own = res.get(number, {})
    out = []
    for b in band_list:
        if b in own:
            out.append(own[b])
            continue
        lower = [n for n in calibrated if n <= number and b in res[n]]
        upper = [n for n in calibrated if n >= number and b in res[n]]
        if lower and upper:
            lo, hi = lower[-1], upper[0]
            t = 0.0 if hi == lo else (number - lo) / (hi - lo)
            out.append((1 - t) * res[lo][b] + t * res[hi][b])
        elif lower or upper:
            out.append(res[(lower or upper)[-1 if lower else 0]][b])
        else:
            out.append(0.0)
    return smooth([round(v) for v in out])


def smooth(values: list[int]) -> list[int]:
    """Median of three neighbours: one bad peak must not bend a street."""
    if len(values) < 3:
        return values
    return (
        [values[0]]
        + [int(statistics.median(values[i - 1 : i + 2])) for i in range(1, len(values) - 1)]
        + [values[-1]]
    )


def inverse_coefficients(lon_coef: list[float], lat_coef: list[float]) -> tuple[list[float], list[float]]:
    """Fit x(lon, lat) and y(lon, lat) on a dense sample so reverse lookups need no iteration."""
    rows, xs, ys = [], [], []
    for x in range(X_RANGE[0], X_RANGE[1] + 1, 200):
        for y in range(Y_RANGE[0], Y_RANGE[1] + 1, 200):
            lon, lat = Poly.value(lon_coef, x, y), Poly.value(lat_coef, x, y)
            rows.append(
                Poly.terms(
                    (lon - ORIGIN_GUESS[0]) * Poly.SCALE * 5,
                    (lat - ORIGIN_GUESS[1]) * Poly.SCALE * 5,
                    warp=False,
                )
            )
            xs.append(x)
            ys.append(grid_streets.piecewise(grid_streets.Y_KNOTS, y))
    return least_squares(rows, xs), least_squares(rows, ys)


def build_grid(boundary_rings: list[Ring]) -> dict:
    """The grid section: polynomial transform, inverse, and streets with their per-band offsets."""
    ns_rows = grid_streets.NS_STREETS
    ew_rows = grid_streets.EW_STREETS + grid_streets.numbered_streets()
    lon_coef, lat_coef, ns_res, ew_res = fit_transform(
        boundary_rings, [(x, m) for _, x, m, _ in ns_rows], [(y, m) for _, y, m, _ in ew_rows]
    )
    x_inv, y_inv = inverse_coefficients(lon_coef, lat_coef)
    y_bands, x_bands = bands(*Y_RANGE), bands(*X_RANGE)

    def rows(
        table: list[tuple[str, int, bool, tuple[str, ...]]],
        res: dict[int, dict[int, float]],
        band_list: list[int],
    ) -> list[dict]:
        return [
            {
                "name": name,
                "n": number,
                "major": major,
                "aliases": list(extra),
                "offset_m": street_offsets(number, res, band_list),
            }
            for name, number, major, extra in table
        ]

    return {
        "origin": list(ORIGIN_GUESS),
        "poly_scale": Poly.SCALE,
        "lon_poly": lon_coef,
        "lat_poly": lat_coef,
        "x_inv": x_inv,
        "y_inv": y_inv,
        "inv_scale": 5.0,
        "y_knots": [list(k) for k in grid_streets.Y_KNOTS],
        "y_bands": [Y_RANGE[0], BAND_STEP, len(y_bands)],
        "x_bands": [X_RANGE[0], BAND_STEP, len(x_bands)],
        "ns": rows(ns_rows, ns_res, y_bands),
        "ew": rows(ew_rows, ew_res, x_bands),
        "calibration": {
            "ns_streets": len(ns_res),
            "ew_streets": len(ew_res),
            "ns_points": sum(map(len, ns_res.values())),
            "ew_points": sum(map(len, ew_res.values())),
        },
        "numbered_aliases": {str(n): name for n, name in grid_streets.NAMED_NUMBERS.items()},
        "sources": grid_streets.__doc__,
    }


# --------------------------------------------------------------------------- main


def build_chicago() -> dict:
    """Gazetteer for Chicago from the `chicago` package's City of Chicago files."""
    data_dir = chicago_data_dir()
    tracts = read_polygons(data_dir / "census_tracts_as_of_2010.geojson")
    areas, city = build_areas(tracts, "commarea", community_area_names(data_dir))
    zips = build_zips(read_polygons(data_dir / "chicago_zip_codes.geojson"), "zip")
    city_rings = dissolve([r for _, rings in tracts for r in rings])
    all_rings = [r for _, rings in tracts for r in rings] + [
        r for _, rings in read_polygons(data_dir / "chicago_zip_codes.geojson") for r in rings
    ]
    return {
        "version": 1,
        "city": "Chicago",
        "country": "US",
        "source": "City of Chicago census tracts (2010, with community area) and ZIP code boundaries, "
        "from the `chicago` PyPI package",
        "bbox": bbox(city_rings),
        "city_outline": city,
        "areas": areas,
        "zips": zips,
        "aliases": build_aliases(areas),
        "alias_sources": alias_table.SOURCES,
        "grid": build_grid(all_rings),
    }


def build_generic(args: argparse.Namespace) -> dict:
    """Gazetteer for another city from any GeoJSON of named areas (and optional postal-code polygons)."""
    features = read_polygons(Path(args.areas_geojson))
    ids: dict[str, int] = {}
    for props, _ in features:
        ids.setdefault(str(props[args.area_id_field]), len(ids) + 1)
    names = {ids[str(p[args.area_id_field])]: str(p[args.area_name_field]) for p, _ in features}
    for props, _ in features:
        props["_area"] = str(ids[str(props[args.area_id_field])])
    areas, city = build_areas(features, "_area", names)
    zips = build_zips(read_polygons(Path(args.zips_geojson)), args.zip_field) if args.zips_geojson else []
    return {
        "version": 1,
        "city": args.city,
        "country": args.country,
        "source": args.areas_geojson,
        "bbox": bbox([r for _, rings in features for r in rings]),
        "city_outline": city,
        "areas": areas,
        "zips": zips,
        "aliases": [{"alias": a["name"], "area": a["number"], "source": "official"} for a in areas],
        "alias_sources": {},
        "grid": None,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(OUTPUT))
    parser.add_argument("--areas-geojson", help="another city: GeoJSON of neighbourhood polygons")
    parser.add_argument("--area-id-field", default="id")
    parser.add_argument("--area-name-field", default="name")
    parser.add_argument("--zips-geojson")
    parser.add_argument("--zip-field", default="zip")
    parser.add_argument("--city", default="City")
    parser.add_argument("--country", default="")
    args = parser.parse_args(argv)
    data = build_generic(args) if args.areas_geojson else build_chicago()
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(
        f"wrote {args.output}: {len(text) / 1024:.0f} KiB, {len(data['areas'])} areas, "
        f"{len(data['zips'])} postal codes, grid={'yes' if data['grid'] else 'no'}"
    )
    if data["grid"]:
        print("calibration:", data["grid"]["calibration"])


if __name__ == "__main__":
    main()
