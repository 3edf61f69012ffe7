"""Offline, privacy-preserving place resolution (issue 3 "Places").

Why offline: the places residents type ("47th and Ashland", "La Villita", "60608") are exactly what we
promise not to leak, and tests and self-hosted deployments have no network. Everything here works from
the shipped gazetteer (``bot/geodata/chicago.json``, built by ``python -m bot.geodata.build_gazetteer``);
the online geocoder is an opt-in fallback that must be chosen explicitly in settings.

No ``telegram`` import: the flows call this module; this module knows nothing about Telegram.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geopy.distance import geodesic
from rapidfuzz import fuzz, process

from bot.geo.geometry import _WGS84_A, _WGS84_E2, metres_per_degree, point_in_rings  # noqa: F401
from bot.geo.geometry import rings_from_flat as _rings
from bot.geo.model import Place, Resolution

if TYPE_CHECKING:
    from bot.geo.shapes import Shape

# Spoken names of streets that no data set spells that way (usage; see docs/geo.md).
STREET_ALIASES: dict[str, list[str]] = {
    "mlk": ["martin luther king"],
    "king": ["martin luther king"],
    "king drive": ["martin luther king"],
    "cottage": ["cottage grove"],
    "cali": ["california"],
    "la salle": ["lasalle"],
    "desplaines": ["des plaines"],
}
DEFAULT_GAZETTEER = Path(__file__).resolve().parent.parent / "geodata" / "chicago.json"
KINDS = ("community_area", "zip", "address", "intersection", "pin")
M_PER_DEG_LAT = 110_574.0


# --------------------------------------------------------------------------- public model




def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lat, lon) points."""
    return float(geodesic(a, b).meters)


FAST_MARGIN = 0.01  # relative band around a radius inside which only the geodesic decides




class CircleTest:
    """Is a circle's centre within its radius of one fixed point? Exact (geodesic) but fast.

    Why: alert fan-out checks tens of thousands of circles per report, and geopy's geodesic costs ~90 µs. A local
    ellipsoidal projection at the point is far better than 1 % accurate for city distances, so only centres whose
    projected distance falls within 1 % (+2 m) of the radius are settled by the geodesic; the answer is always the
    geodesic one.
    """

    def __init__(self, lat: float, lon: float) -> None:
        self.lat, self.lon = lat, lon
        self.m_lat, self.m_lon = metres_per_degree(lat)

    def contains(self, lat: float, lon: float, radius_m: float) -> bool:
        d = math.hypot((lat - self.lat) * self.m_lat, (lon - self.lon) * self.m_lon)
        if d <= radius_m * (1.0 - FAST_MARGIN) - 2.0:
            return True
        if d >= radius_m * (1.0 + FAST_MARGIN) + 2.0:
            return False
        return distance_m((self.lat, self.lon), (lat, lon)) <= radius_m


def coarsen(lat: float, lon: float, meters: float = 150.0) -> tuple[float, float]:
    """Snap a point to a grid of roughly ``meters`` so stored reports cannot pinpoint a home.

    The longitude step is derived from the *snapped* latitude, so the same input always gives the same
    cell and nearby points collapse to one value.
    """
    if meters <= 0:
        return lat, lon
    lat_step = meters / M_PER_DEG_LAT
    snapped_lat = round(lat / lat_step) * lat_step
    lon_step = meters / (111_320.0 * max(math.cos(math.radians(snapped_lat)), 1e-6))
    return round(snapped_lat, 6), round(round(lon / lon_step) * lon_step, 6)


# --------------------------------------------------------------------------- text normalisation

_DIRECTIONS = {
    "n": "N",
    "north": "N",
    "norte": "N",
    "s": "S",
    "south": "S",
    "sur": "S",
    "e": "E",
    "east": "E",
    "este": "E",
    "w": "W",
    "west": "W",
    "oeste": "W",
    "o": "W",
}
_TRAILING_TYPES = {
    "st",
    "street",
    "str",
    "ave",
    "av",
    "avenue",
    "blvd",
    "boulevard",
    "rd",
    "road",
    "dr",
    "drive",
    "pkwy",
    "parkway",
    "pl",
    "place",
    "ct",
    "court",
    "way",
}
_LEADING_TYPES = {"calle", "avenida", "av", "ave", "bulevar", "boulevard", "la", "el", "the", "de", "del"}
_SEPARATOR = re.compile(r"\s+(?:and|y|e|&|at|con|with|n|x|/)\s+|\s*[&/@+]\s*")
_PREFIXES = re.compile(
    r"^(?:(?:on|en|in|at|near|cerca de|por|the|corner of|esquina(?: de)?|esq|la esquina de|"
    r"barrio|el barrio|neighborhood|neighbourhood|vecindario|colonia)\s+)+"
)
_ADDRESS = re.compile(r"^(\d{1,5})\s+(?:(?:block|blk|cuadra|bloque)\s+(?:of\s+|de\s+)?)?(.+)$")
_ORDINAL = re.compile(r"^(\d{1,3})(?:st|nd|rd|th|vo|va|o|a|ava|avo|ero|er)?$")
_ZIP = re.compile(r"\b(\d{5})\b")
_LATLON = re.compile(r"^(-?\d{1,2}\.\d+)\s*[, ]\s*(-?\d{1,3}\.\d+)$")


def normalize(text: str) -> str:
    """Lower-case, strip accents, keep letters, digits and the separators the parser cares about."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9&/@+.\-\s]", " ", text)
    text = re.sub(r"(?<![0-9])[.\-]|[.\-](?![0-9])", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def street_core(text: str) -> tuple[str | None, str]:
    """Split a normalised street phrase into (direction letter or None, core name without type words)."""
    words = text.split()
    direction = None
    while words and words[0] in _LEADING_TYPES and len(words) > 1:
        words = words[1:]
    if len(words) > 1 and words[0] in _DIRECTIONS and any(w not in _TRAILING_TYPES for w in words[1:]):
        direction, words = _DIRECTIONS[words[0]], words[1:]  # "S Wolcott" but not "North Ave"
    while words and words[0] in _LEADING_TYPES and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in _TRAILING_TYPES:
        words = words[:-1]
    core = " ".join(words)
    match = _ORDINAL.match(core)
    return direction, (str(int(match.group(1))) if match else core)


# --------------------------------------------------------------------------- geometry helpers






def _segment_m(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


@dataclass
class _Area:
    number: int
    name: str
    popular_en: str
    popular_es: str
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]
    rings: list[list[tuple[float, float]]]

    def label(self, lang: str) -> str:
        popular = self.popular_es if lang == "es" else self.popular_en
        return f"{self.name} ({popular})" if popular and popular != self.name else self.name

    def contains(self, lon: float, lat: float) -> bool:
        b = self.bbox
        return b[0] <= lon <= b[2] and b[1] <= lat <= b[3] and point_in_rings(lon, lat, self.rings)


@dataclass
class _Street:
    name: str
    axis: str  # "ns" (has an x grid number) or "ew" (has a y grid number)
    n: int
    major: bool
    offsets: list[int]


# --------------------------------------------------------------------------- the address grid


@dataclass
class Grid:
    """Chicago-style address grid: grid numbers ↔ lat/lon through the fitted transform in the gazetteer."""

    data: dict[str, Any]
    streets: dict[str, list[_Street]] = field(default_factory=dict)
    ns_major: list[_Street] = field(default_factory=list)
    ew_major: list[_Street] = field(default_factory=list)

    def __post_init__(self) -> None:
        d = self.data
        self.lon_poly, self.lat_poly = d["lon_poly"], d["lat_poly"]
        self.scale, self.inv_scale = d["poly_scale"], d["inv_scale"]
        self.origin = d["origin"]
        self.knots = [tuple(k) for k in d["y_knots"]]
        self.inv_knots = [(b, a) for a, b in self.knots]
        self.m_per_deg_lon = 111_320.0 * math.cos(math.radians(self.origin[1]))
        for axis in ("ns", "ew"):
            for row in d[axis]:
                street = _Street(row["name"], axis, row["n"], row["major"], row["offset_m"])
                for key in {
                    street_core(normalize(row["name"]))[1],
                    *(street_core(normalize(a))[1] for a in row["aliases"]),
                }:
                    self.streets.setdefault(key, []).append(street)
                if street.major:
                    (self.ns_major if axis == "ns" else self.ew_major).append(street)
        for number, name in d["numbered_aliases"].items():
            self.streets.setdefault(number, self.streets[street_core(normalize(name))[1]])
        self.names = [k for k in self.streets if not k.isdigit()]

    @staticmethod
    def _piecewise(knots: Sequence[tuple[float, float]], value: float) -> float:
        for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
            if value <= x1 or (x1, y1) == knots[-1]:
                return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
        return value

    @staticmethod
    def _poly(coef: Sequence[float], u: float, v: float) -> float:
        return (
            coef[0]
            + coef[1] * u
            + coef[2] * v
            + coef[3] * u * u
            + coef[4] * u * v
            + coef[5] * v * v
            + coef[6] * u * u * u
            + coef[7] * u * u * v
            + coef[8] * u * v * v
            + coef[9] * v * v * v
        )

    @staticmethod
    def _band(offsets: Sequence[int], bands: Sequence[int], value: float) -> float:
        start, step, count = bands
        t = (value - start) / step
        i = max(0, min(count - 2, int(math.floor(t))))
        f = max(0.0, min(1.0, t - i))
        return offsets[i] * (1 - f) + offsets[i + 1] * f

    def to_latlon(
        self, x: float, y: float, ns: _Street | None = None, ew: _Street | None = None
    ) -> tuple[float, float]:
        """Grid (x, y) → (lat, lon); a known street adds its calibrated offset so drifting streets fit."""
        u, v = x / self.scale, self._piecewise(self.knots, y) / self.scale
        lon, lat = self._poly(self.lon_poly, u, v), self._poly(self.lat_poly, u, v)
        if ns is not None:
            lon += self._band(ns.offsets, self.data["y_bands"], y) / self.m_per_deg_lon
        if ew is not None:
            lat += self._band(ew.offsets, self.data["x_bands"], x) / M_PER_DEG_LAT
        return lat, lon

    def to_grid(self, lat: float, lon: float) -> tuple[float, float]:
        """(lat, lon) → approximate grid (x, y) via the fitted inverse polynomial."""
        u, v = (lon - self.origin[0]) * self.inv_scale, (lat - self.origin[1]) * self.inv_scale
        x, survey_y = self._poly(self.data["x_inv"], u, v), self._poly(self.data["y_inv"], u, v)
        return x, self._piecewise(self.inv_knots, survey_y)

    def find(self, phrase: str) -> tuple[str | None, list[_Street]]:
        """Street(s) named by a normalised phrase: exact core, number, or a close spelling."""
        direction, core = street_core(phrase)
        if not core:
            return direction, []
        if core in self.streets:
            return direction, self.streets[core]
        if core.isdigit() or len(core) < 4:
            return direction, []
        hit = process.extractOne(core, self.names, scorer=fuzz.ratio, score_cutoff=78)
        return direction, (self.streets[hit[0]] if hit else [])

    def nearest_intersection(self, lat: float, lon: float) -> tuple[_Street, _Street] | None:
        """The major N-S and E-W streets nearest a point, if both exist on that side of the city."""
        x, y = self.to_grid(lat, lon)
        ns = [s for s in self.ns_major if self._ns_exists(s, y)]
        ew = [s for s in self.ew_major if (s.n > 0) == (y > 0) or s.n == 0]
        if not ns or not ew:
            return None
        return min(ns, key=lambda s: abs(s.n - x)), min(ew, key=lambda s: abs(s.n - y))

    @staticmethod
    def _ns_exists(street: _Street, y: float) -> bool:
        """East-side arterials (King Dr, Cottage Grove…) exist only south of Roosevelt; Cumberland north."""
        if street.n >= 400:
            return y < -1200
        if street.n <= -8400:
            return y > 0
        return True


# --------------------------------------------------------------------------- offline resolver


class OfflineResolver:
    """Typed text or a pin → ranked places, from the shipped gazetteer only (no network, ever)."""

    def __init__(
        self,
        data: dict[str, Any],
        margin_km: float = 2.0,
        *,
        streets: dict[str, Any] | None = None,
        landmarks: dict[str, Any] | None = None,
        neighborhoods: dict[str, Any] | None = None,
    ) -> None:
        self.city = data.get("city", "")
        self.margin_m = margin_km * 1000.0
        self.areas = [
            _Area(
                a["number"],
                a["name"],
                a["popular_en"],
                a["popular_es"],
                a["lat"],
                a["lon"],
                tuple(a["bbox"]),
                _rings(a["outline"]),
            )
            for a in data["areas"]
        ]
        self.by_number = {a.number: a for a in self.areas}
        self.zips = {z["zip"]: z for z in data["zips"]}
        self.aliases: dict[str, int] = {}
        for row in data["aliases"]:
            self.aliases.setdefault(normalize(row["alias"]), row["area"])
        self.alias_keys = list(self.aliases)
        self.city_rings = _rings(data["city_outline"])
        b = data["bbox"]
        self.bbox = (b[0], b[1], b[2], b[3])
        self.lat0 = (b[1] + b[3]) / 2
        self.m_per_deg_lon = 111_320.0 * math.cos(math.radians(self.lat0))
        self.city_edges_m = self._edges_m(self.city_rings)
        self.grid = Grid(data["grid"]) if data.get("grid") else None
        from bot.geo.network import Landmarks, StreetNetwork
        from bot.geo.reader import Reader

        street_aliases = dict(STREET_ALIASES)
        for axis in ("ns", "ew"):
            for row in (data.get("grid") or {}).get(axis, []):
                for alias in row["aliases"]:
                    street_aliases.setdefault(alias, [street_core(normalize(row["name"]))[1]])
        for number, name in ((data.get("grid") or {}).get("numbered_aliases") or {}).items():
            core_name = street_core(normalize(name))[1]
            street_aliases.setdefault(core_name, [core_name]).append(number)  # "Garfield" is also 55th St
            street_aliases.setdefault(number, [number]).append(core_name)
        grid_rows = [row for axis in ("ns", "ew") for row in (data.get("grid") or {}).get(axis, [])]
        grid_cores = {street_core(normalize(row["name"]))[1] for row in grid_rows} if grid_rows else None
        major_cores = {street_core(normalize(row["name"]))[1] for row in grid_rows if row["major"]}
        self.network = StreetNetwork(streets, street_aliases, grid_cores, major_cores) if streets else None
        self.landmarks = Landmarks(landmarks) if landmarks else None
        self.alias_points, self.area_points = self._neighborhood_points(neighborhoods, data["aliases"])
        self.reader = Reader(self)

    def _neighborhood_points(
        self, neighborhoods: dict[str, Any] | None, aliases: list[dict[str, Any]]
    ) -> tuple[dict[str, tuple[float, float]], dict[int, tuple[float, float]]]:
        """Where a neighbourhood *name* points: the City neighbourhood of that name, when there is one.

        Why: "Logan Square" or "Humboldt Park" mean the neighbourhood people call that, whose centre is 400-700 m
        from the community area's centroid. An alias takes the point of the neighbourhood it names, else of the
        one its area is popularly called ("La Villita" → Little Village), else of the one with the area's official
        name; only if that point lies inside the alias's own community area (a name in another area is a
        different place). Keys are the reader's token keys joined by spaces.
        """
        from bot.geo.network import key_of

        if not neighborhoods:
            return {}, {}
        hoods: dict[str, tuple[float, float]] = {}
        for h in neighborhoods.get("neighborhoods", []):
            for name in (h["name"], *h.get("aliases", ())):
                hoods.setdefault(" ".join(key_of(name)), (float(h["lat"]), float(h["lon"])))

        def point_for(names: tuple[str, ...], number: int) -> tuple[float, float] | None:
            for name in names:
                point = hoods.get(" ".join(key_of(name))) if name else None
                if point is not None:
                    area = self.area_at(*point)
                    return point if area is not None and area.number == number else None
            return None

        by_area: dict[int, tuple[float, float]] = {}
        for area in self.areas:
            point = point_for((area.popular_en, area.name), area.number)
            if point is not None:
                by_area[area.number] = point
        by_alias: dict[str, tuple[float, float]] = {}
        for row in aliases:
            area = self.by_number.get(row["area"])
            if area is None:
                continue
            point = point_for((row["alias"], area.popular_en, area.name), area.number)
            if point is not None:
                by_alias.setdefault(" ".join(key_of(row["alias"])), point)
        return by_alias, by_area

    @classmethod
    def load(
        cls,
        gazetteer_path: Path | None = None,
        *,
        margin_km: float = 2.0,
        streets_path: Path | None | bool = None,
        landmarks_path: Path | None | bool = None,
        neighborhoods_path: Path | None | bool = None,
    ) -> OfflineResolver:
        """Load a gazetteer file (default: the shipped Chicago data) with its street network and landmarks.

        ``streets_path``/``landmarks_path``/``neighborhoods_path``: None = the shipped file next to the default
        gazetteer (only when the default gazetteer is used), a path = that file, False = none.
        """
        from bot.geo.network import DEFAULT_LANDMARKS, DEFAULT_NEIGHBORHOODS, DEFAULT_STREETS, load_json

        path = Path(gazetteer_path) if gazetteer_path else DEFAULT_GAZETTEER
        default = gazetteer_path is None
        streets = None
        if streets_path is not False and (streets_path or default):
            streets = load_json(streets_path or None, DEFAULT_STREETS)  # type: ignore[arg-type]
        landmarks = None
        if landmarks_path is not False and (landmarks_path or default):
            landmarks = load_json(landmarks_path or None, DEFAULT_LANDMARKS)  # type: ignore[arg-type]
        hoods = None
        if neighborhoods_path is not False and (neighborhoods_path or default):
            hoods = load_json(neighborhoods_path or None, DEFAULT_NEIGHBORHOODS)  # type: ignore[arg-type]
        return cls(
            json.loads(path.read_text(encoding="utf-8")), margin_km=margin_km, streets=streets, landmarks=landmarks,
            neighborhoods=hoods,
        )

    def area_polygon(self, number: int) -> list[list[tuple[float, float]]]:
        """Outline rings ((lon, lat) pairs) of a community area, for alert areas and maps."""
        area = self.by_number.get(number)
        return [list(r) for r in area.rings] if area else []

    def find(self, text: str, limit: int = 3) -> Resolution:
        """Read a place out of free text (a whole message or a sentence of a story): see ``Resolution``."""
        if self.network is None and self.landmarks is None:
            return self._legacy_find(text, limit)
        return self.reader.read(text, limit)

    find_in_sentence = find

    def _legacy_find(self, text: str, limit: int) -> Resolution:
        """Cities shipped without a street network: grid, ZIP, area names only."""
        places = self._legacy_resolve(text, limit)
        if not places:
            return Resolution("unknown")
        if places[0].kind == "pin" and not self.within_service_area(places[0].lat, places[0].lon):
            return Resolution("outside", tuple(places))
        exact = len(places) == 1 and places[0].confidence >= 0.9
        return Resolution("found" if exact else "candidates", tuple(places), text=text.strip())

    # ---- service area and areas

    def _edges_m(self, rings: list[list[tuple[float, float]]]) -> list[tuple[float, float, float, float]]:
        edges = []
        for ring in rings:
            pts = [self._m(lat, lon) for lon, lat in ring]
            edges += [(*a, *b) for a, b in zip(pts, pts[1:] + pts[:1], strict=True)]
        return edges

    def _m(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * self.m_per_deg_lon, lat * M_PER_DEG_LAT

    def within_service_area(self, lat: float, lon: float) -> bool:
        """Inside the city outline, or within ``margin_km`` of it."""
        pad_lat = self.margin_m / M_PER_DEG_LAT
        pad_lon = self.margin_m / self.m_per_deg_lon
        b = self.bbox
        if not (b[0] - pad_lon <= lon <= b[2] + pad_lon and b[1] - pad_lat <= lat <= b[3] + pad_lat):
            return False
        if point_in_rings(lon, lat, self.city_rings):
            return True
        px, py = self._m(lat, lon)
        return any(_segment_m(px, py, *e) <= self.margin_m for e in self.city_edges_m)

    def area_at(self, lat: float, lon: float) -> _Area | None:
        """Community area containing the point; nearest centroid within 1.5 km for boundary slivers."""
        for area in self.areas:
            if area.contains(lon, lat):
                return area
        nearest = min(
            self.areas,
            key=lambda a: math.hypot((a.lat - lat) * M_PER_DEG_LAT, (a.lon - lon) * self.m_per_deg_lon),
        )
        d = math.hypot((nearest.lat - lat) * M_PER_DEG_LAT, (nearest.lon - lon) * self.m_per_deg_lon)
        return nearest if d <= 1500 or self.within_service_area(lat, lon) else None

    def area_name(self, number: int) -> str:
        """Official community-area name ("New City"), or the number as text when unknown."""
        area = self.by_number.get(number)
        return area.name if area else str(number)

    # ---- reverse

    def reverse(self, lat: float, lon: float) -> Place:
        """A pin → Place(kind="pin") labelled with the nearest major intersection and its area."""
        area = self.area_at(lat, lon)
        area_en = area.label("en") if area else self.city
        area_es = area.label("es") if area else self.city
        corner = self._corner(lat, lon)
        if corner:
            en, es = (
                f"near {corner[0]} & {corner[1]}, {area_en}",
                f"cerca de {corner[0]} y {corner[1]}, {area_es}",
            )
        else:
            en, es = f"near {area_en}", f"cerca de {area_es}"
        return Place(lat, lon, "pin", en, es, 1.0, area.number if area else None)

    def _corner(self, lat: float, lon: float) -> tuple[str, str] | None:
        """Names of the nearest major intersection, if it is within about a kilometre."""
        if self.grid is None:
            return None
        pair = self.grid.nearest_intersection(lat, lon)
        if pair is None:
            return None
        ns, ew = pair
        clat, clon = self.grid.to_latlon(ns.n, ew.n, ns, ew)
        if math.hypot((clat - lat) * M_PER_DEG_LAT, (clon - lon) * self.m_per_deg_lon) > 1100:
            return None
        return ew.name, ns.name

    # ---- forward

    def resolve(self, text: str, limit: int = 3) -> list[Place]:
        """Typed place → up to ``limit`` ranked places; [] when nothing (or only a bare street) matched.

        Compatibility view of ``find``: "found" gives one place, "candidates" several; street-only and
        no-crossing answers give [] here (use ``find`` to get their crossings).
        """
        result = self.find(text, limit)
        if result.status in ("found", "candidates", "outside"):
            return list(result.places[: max(limit, 0)])
        return []

    def _legacy_resolve(self, text: str, limit: int = 3) -> list[Place]:
        pin = self._latlon(text.strip())
        if pin:
            return pin
        query = _PREFIXES.sub("", normalize(text)).strip()
        if not query:
            return []
        for parser in (self._intersection, self._address, self._zip):
            found = parser(query)
            if found:
                return self._rank(found, limit)
        return self._rank(self._areas_named(query), limit)

    @staticmethod
    def _rank(places: list[Place], limit: int) -> list[Place]:
        seen: set[tuple[float, float, str]] = set()
        out = []
        for p in sorted(places, key=lambda p: -p.confidence):
            key = (round(p.lat, 4), round(p.lon, 4), p.kind)
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out[: max(limit, 0)]

    def _latlon(self, text: str) -> list[Place]:
        """Typed coordinates ("41.8088, -87.6648") are treated like a dropped pin."""
        m = _LATLON.match(text)
        if not m:
            return []
        lat, lon = float(m.group(1)), float(m.group(2))
        return [self.reverse(lat, lon)] if -90 <= lat <= 90 and -180 <= lon <= 180 else []

    def _zip(self, query: str) -> list[Place]:
        out = []
        for code in _ZIP.findall(query):
            z = self.zips.get(code)
            if z:
                area = self.area_at(z["lat"], z["lon"])
                suffix_en = f", {area.label('en')}" if area else ""
                suffix_es = f", {area.label('es')}" if area else ""
                out.append(
                    Place(
                        z["lat"],
                        z["lon"],
                        "zip",
                        f"ZIP {code}{suffix_en}",
                        f"código postal {code}{suffix_es}",
                        0.95,
                        area.number if area else None,
                    )
                )
        return out

    def _intersection(self, query: str) -> list[Place]:
        if self.grid is None:
            return []
        parts = [p.strip() for p in _SEPARATOR.split(query) if p and p.strip()]
        if len(parts) != 2:
            return []
        (_, first), (_, second) = self.grid.find(parts[0]), self.grid.find(parts[1])
        out = []
        for a in first:
            for b in second:
                if a.axis == b.axis:
                    continue
                ns, ew = (a, b) if a.axis == "ns" else (b, a)
                lat, lon = self.grid.to_latlon(ns.n, ew.n, ns, ew)
                if self.within_service_area(lat, lon):
                    out.append(
                        self._place(
                            lat, lon, "intersection", f"{ew.name} & {ns.name}", f"{ew.name} y {ns.name}", 0.9
                        )
                    )
        return out

    def _address(self, query: str) -> list[Place]:
        m = _ADDRESS.match(query)
        if self.grid is None or not m:
            return []
        number = int(m.group(1))
        direction, streets = self.grid.find(m.group(2))
        out = []
        for street in streets:
            for sign, letter, conf in self._directions(street, direction):
                x, y = (street.n, sign * number) if street.axis == "ns" else (sign * number, street.n)
                lat, lon = self.grid.to_latlon(
                    x, y, *((street, None) if street.axis == "ns" else (None, street))
                )
                if self.within_service_area(lat, lon):
                    label = f"{number} {letter} {street.name}"
                    out.append(self._place(lat, lon, "address", label, label, conf))
        return out

    @staticmethod
    def _directions(street: _Street, given: str | None) -> list[tuple[int, str, float]]:
        """Grid sign(s) for an address; without a direction both sides are offered, the likelier first."""
        if street.axis == "ns":
            options = {"S": (-1, "S", 0.85), "N": (1, "N", 0.8)}
            if given in options:
                return [(*options[given][:2], 0.9)]
            return [options["S"], options["N"]] if street.n > -8400 else [options["N"]]
        options = {"W": (-1, "W", 0.85), "E": (1, "E", 0.8)}
        if given in options:
            return [(*options[given][:2], 0.9)]
        return [options["W"], options["E"]]

    def _areas_named(self, query: str) -> list[Place]:
        if len(query) < 3:
            return []
        if query in self.aliases:
            return [self._area_place(self.aliases[query], 0.95)]
        hits = process.extract(query, self.alias_keys, scorer=fuzz.WRatio, limit=8, score_cutoff=82)
        best: dict[int, float] = {}
        for key, score, _ in hits:
            number = self.aliases[key]
            best[number] = max(best.get(number, 0.0), score / 100.0 * 0.9)
        return [self._area_place(n, conf) for n, conf in best.items()]

    def _area_place(self, number: int, confidence: float, name: str | None = None) -> Place:
        """A community area as a place; its point is the neighbourhood the name means (see
        ``_neighborhood_points``), else the area's centroid. ``name``: the alias as the reader's tokens joined."""
        area = self.by_number[number]
        lat, lon = self.alias_points.get(name or "") or self.area_points.get(number) or (area.lat, area.lon)
        return Place(
            lat,
            lon,
            "community_area",
            area.label("en"),
            area.label("es"),
            round(confidence, 3),
            number,
        )

    def _place(self, lat: float, lon: float, kind: str, en: str, es: str, conf: float) -> Place:
        area = self.area_at(lat, lon)
        if area:
            en, es = f"{en}, {area.label('en')}", f"{es}, {area.label('es')}"
        return Place(round(lat, 6), round(lon, 6), kind, en, es, conf, area.number if area else None)


# --------------------------------------------------------------------------- optional online geocoder


class OnlineGeocoder:
    """Opt-in Nominatim/Photon fallback. It SENDS THE TYPED TEXT TO A THIRD PARTY — see docs/geo.md.

    Bounded to the service area's box, rate-limited to one request a second (the public services' policy)
    with geopy's ``AsyncRateLimiter``, and cached so a repeated query is sent only once.
    """

    def __init__(
        self, provider: str, user_agent: str, bbox: tuple[float, float, float, float], cache_size: int = 1024
    ) -> None:
        if provider not in ("nominatim", "photon"):
            raise ValueError(f"unknown geocoder {provider!r}")
        if not user_agent:
            raise ValueError("an online geocoder needs its own GEOCODER_USER_AGENT")
        self.provider, self.user_agent, self.bbox = provider, user_agent, bbox
        self.cache: OrderedDict[tuple[str, int], list[Place]] = OrderedDict()
        self.cache_size = cache_size
        self._geocoder: Any = None
        self._limited: Any = None
        self._lock = asyncio.Lock()

    def _client(self) -> Any:
        """Build the geopy client lazily, inside the running event loop (the aiohttp adapter needs one)."""
        if self._limited is None:
            from geopy.adapters import AioHTTPAdapter
            from geopy.extra.rate_limiter import AsyncRateLimiter
            from geopy.geocoders import Nominatim, Photon

            cls = Nominatim if self.provider == "nominatim" else Photon
            self._geocoder = cls(user_agent=self.user_agent, adapter_factory=AioHTTPAdapter, timeout=5)
            self._limited = AsyncRateLimiter(self._geocoder.geocode, min_delay_seconds=1.0, max_retries=1)
        return self._limited

    async def geocode(self, text: str, limit: int = 3) -> list[Place]:
        """Query the service (or the cache); results are plain ``address`` places."""
        key = (normalize(text), limit)
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        async with self._lock:
            west, south, east, north = self.bbox
            kwargs: dict[str, Any] = {"exactly_one": False, "limit": limit}
            if self.provider == "nominatim":
                kwargs.update(viewbox=[(south, west), (north, east)], bounded=True)
            else:
                kwargs.update(bbox=[(south, west), (north, east)])
            results = await self._client()(text, **kwargs) or []
        places = [Place(r.latitude, r.longitude, "address", r.address, r.address, 0.5, None) for r in results]
        self.cache[key] = places
        if len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        return places

    async def aclose(self) -> None:
        if self._geocoder is not None:
            await self._geocoder.__aexit__(None, None, None)  # closes the aiohttp session


# --------------------------------------------------------------------------- async facade


class GeoService:
    """What the flows use: offline first, optional online fallback, service-area filter, coarsening."""

    def __init__(
        self, offline: OfflineResolver, online: OnlineGeocoder | None = None, coarsen_m: float = 150.0
    ) -> None:
        self.offline, self.online, self.coarsen_m = offline, online, coarsen_m
        self._shapes: dict[tuple[str, str], Shape | None] = {}

    def shape(self, kind: str, ref: str) -> Shape | None:
        """A community area ("area", its number) or a ZIP code ("zip") as its polygon; None if unknown."""
        from bot.geo.shapes import build_shape

        key = (kind, ref)
        if key in self._shapes:
            return self._shapes[key]
        shape = None
        resolver = self.offline
        if kind == "area" and ref.isdigit():
            area = next((a for a in resolver.areas if a.number == int(ref)), None)
            if area is not None:
                shape = build_shape(kind, ref, area.rings, (area.lat, area.lon))
        elif kind == "zip" and ref in resolver.zips:
            z = resolver.zips[ref]
            shape = build_shape(kind, ref, _rings(z["outline"]), (z["lat"], z["lon"]))
        self._shapes[key] = shape
        return shape

    async def resolve(self, text: str, limit: int = 3) -> list[Place]:
        """Ranked candidates inside the service area; online only when offline found nothing."""
        places = self.offline.resolve(text, limit)
        if not places and self.online is not None:
            places = await self.online.geocode(text, limit)
            places = [self._with_area(p) for p in places]
        return [p for p in places if self.within_service_area(p.lat, p.lon)][:limit]

    async def find(self, text: str, limit: int = 3) -> Resolution:
        """Full answer for the flow: status found/candidates/street_only/no_crossing/outside/unknown.

        The online geocoder (if enabled) is asked only when nothing at all was recognised; its answers are
        never "found", only candidates.
        """
        result = self.offline.find(text, limit)
        if result.status == "unknown" and self.online is not None:
            places = [self._with_area(p) for p in await self.online.geocode(text, limit)]
            inside = [p for p in places if self.within_service_area(p.lat, p.lon)]
            if inside:
                return Resolution("candidates", tuple(inside[:limit]), text=text.strip())
            if places:
                return Resolution("outside", tuple(places[:limit]), text=text.strip())
        return result

    def find_in_sentence(self, text: str) -> Resolution:
        """The place named somewhere in a sentence, with ``span`` = where in ``text`` it was said (offline)."""
        return self.offline.find(text)

    def _with_area(self, place: Place) -> Place:
        area = self.offline.area_at(place.lat, place.lon)
        if area is None:
            return place
        return Place(
            place.lat, place.lon, place.kind, place.label_en, place.label_es, place.confidence, area.number
        )

    def reverse(self, lat: float, lon: float) -> Place:
        return self.offline.reverse(lat, lon)

    def within_service_area(self, lat: float, lon: float) -> bool:
        return self.offline.within_service_area(lat, lon)

    def coarsen(self, lat: float, lon: float) -> tuple[float, float]:
        """Coarsen before storing (setting ``COARSEN_METERS``)."""
        return coarsen(lat, lon, self.coarsen_m)


def build_geo_service(
    *,
    gazetteer_path: Path | str | None = None,
    margin_km: float = 2.0,
    coarsen_m: float = 150.0,
    geocoder: str = "offline",
    user_agent: str = "",
) -> GeoService:
    """Factory for the app: settings in, ready service out (online geocoder only when explicitly chosen)."""
    offline = OfflineResolver.load(Path(gazetteer_path) if gazetteer_path else None, margin_km=margin_km)
    online = None
    if geocoder != "offline":
        pad_lat = margin_km * 1000 / M_PER_DEG_LAT
        pad_lon = margin_km * 1000 / offline.m_per_deg_lon
        b = offline.bbox
        online = OnlineGeocoder(
            geocoder, user_agent, (b[0] - pad_lon, b[1] - pad_lat, b[2] + pad_lon, b[3] + pad_lat)
        )
    return GeoService(offline, online, coarsen_m)
