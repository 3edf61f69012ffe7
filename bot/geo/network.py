"""The street network (every named street and crossing) and the landmark gazetteer, as loaded from geodata.

Why separate from the reader: these are plain look-up structures built once at start-up (a few MB); the
reader (``reader.py``) decides what a sentence means and asks these for points.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.geo.text import tokenize

NEVER_ALONE = {"la", "el", "de", "del", "the", "of", "y", "and", "n", "e", "s", "w", "a", "st", "park"}

GEODATA = Path(__file__).resolve().parent.parent / "geodata"
DEFAULT_STREETS = GEODATA / "streets.json"
DEFAULT_LANDMARKS = GEODATA / "landmarks.json"
DEFAULT_NEIGHBORHOODS = GEODATA / "neighborhoods.json"
M_PER_DEG_LAT = 110_574.0
_STRIDE = 1 << 16
MAX_GAP_M = 1500.0  # a polyline gap longer than this is two pieces of a street, not a segment
MAJOR_EXTENT_M = 8000.0  # streets at least this long are offered as likely crossings
TYPE_RANK = {"st": 0, "ave": 0, "rd": 0, "blvd": 1, "dr": 2, "pkwy": 2, "": 3, "hwy": 3, "expy": 4, "pl": 5,
             "ct": 6, "ter": 6, "ln": 7, "plz": 7, "sq": 7, "way": 7, "row": 8}


def key_of(text: str) -> tuple[str, ...]:
    """The token key a phrase is indexed under (same tokenizer as the reader, so "18th" == "la 18")."""
    return tuple(t.text for t in tokenize(text))


@dataclass
class Street:
    index: int
    name: str
    core: str
    type: str
    dirs: str
    lat: np.ndarray
    lon: np.ndarray
    extent_m: float
    crossings: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # rows of the table
    major: bool = False


class StreetNetwork:
    """Streets by name, the crossing of any two, and the nearest approach of two that never meet."""

    def __init__(
        self,
        data: dict[str, Any],
        aliases: dict[str, list[str]] | None = None,
        grid_cores: set[str] | None = None,
        major_cores: set[str] | None = None,
    ) -> None:
        """``major_cores``: arterials of the address grid; streets off the grid (diagonals) count as major
        when at least ``MAJOR_EXTENT_M`` long. Without a grid table, length alone decides."""
        self.sources = data.get("sources", [])
        self.streets: list[Street] = []
        for i, s in enumerate(data["streets"]):
            line = s["line"]
            lat, lon = np.array(line[0::2]), np.array(line[1::2])
            k = 111_320.0 * math.cos(math.radians(float(lat.mean())))
            extent = math.hypot((lat.max() - lat.min()) * M_PER_DEG_LAT, (lon.max() - lon.min()) * k)
            self.streets.append(Street(i, s["name"], s["core"], s["type"], s["dirs"], lat, lon, extent))
        for st in self.streets:
            on_grid = grid_cores is not None and (st.core in grid_cores or st.core.isdigit())
            st.major = (st.core in (major_cores or set())) if on_grid else st.extent_m >= MAJOR_EXTENT_M
            if st.type in ("pl", "ct", "ter", "ln", "expy", "plz", "sq", "way", "row"):
                st.major = False
        table = np.array(data["crossings"], dtype=np.float64).reshape(-1, 4)
        self.c_a, self.c_b = table[:, 0].astype(np.int32), table[:, 1].astype(np.int32)
        self.c_lat, self.c_lon = table[:, 2].copy(), table[:, 3].copy()
        del table
        # compact pair index: (low * STRIDE + high) → row; a dict of ints, not of tuples
        self.pairs: dict[int, int] = {
            int(min(a, b)) * _STRIDE + int(max(a, b)): row
            for row, (a, b) in enumerate(zip(self.c_a.tolist(), self.c_b.tolist(), strict=True))
        }
        ends = np.concatenate([self.c_a, self.c_b])
        rows = np.concatenate([np.arange(len(self.c_a), dtype=np.int32)] * 2)
        order = np.argsort(ends, kind="stable")
        ends, rows = ends[order], rows[order]
        bounds = np.searchsorted(ends, np.arange(len(self.streets) + 1))
        for st in self.streets:
            st.crossings = rows[bounds[st.index] : bounds[st.index + 1]]
        self.by_key: dict[tuple[str, ...], list[int]] = {}
        for s in self.streets:
            for variant in self._variants(s.core):
                self.by_key.setdefault(key_of(variant), []).append(s.index)
        for alias, targets in (aliases or {}).items():
            ids = [i for t in targets for i in self.by_key.get(key_of(t), [])]
            if ids:
                self.by_key.setdefault(key_of(alias), []).extend(i for i in ids if i not in self.by_key.get(
                    key_of(alias), []))
        for ids in self.by_key.values():
            ids.sort(key=lambda i: (TYPE_RANK.get(self.streets[i].type, 9), -len(self.streets[i].crossings)))
        self.names = sorted({" ".join(k) for k in self.by_key if not (len(k) == 1 and k[0].isdigit())})
        self.max_words = max(len(k) for k in self.by_key)

    @staticmethod
    def _variants(core: str) -> set[str]:
        out = {core}
        if core.startswith("st "):
            out.add("saint " + core[3:])
        if core.startswith("dr "):
            out.add(core[3:])
        if core.endswith(" jr"):
            out |= {v[:-3] for v in list(out)}
        return {v for v in out if v and v not in NEVER_ALONE}

    def lookup(self, key: tuple[str, ...], typ: str | None = None) -> list[int]:
        ids = self.by_key.get(key, [])
        if typ:
            typed = [i for i in ids if self.streets[i].type == typ]
            return typed + [i for i in ids if i not in typed]
        return ids

    # ---- crossings

    def crossing(self, a_ids: list[int], b_ids: list[int]) -> tuple[int, int, float, float, bool] | None:
        """Best crossing of any street named A with any named B: (a, b, lat, lon, from_table)."""
        for a in a_ids:
            for b in b_ids:
                row = self.pairs.get(min(a, b) * _STRIDE + max(a, b)) if a != b else None
                if row is not None:
                    return a, b, float(self.c_lat[row]), float(self.c_lon[row]), True
        for a in a_ids[:2]:
            for b in b_ids[:2]:
                if a == b:
                    continue
                hit = self.meet(self.streets[a], self.streets[b])
                if hit is not None:
                    return a, b, hit[0], hit[1], False
        return None

    def meet(self, a: Street, b: Street, tolerance_m: float = 100.0) -> tuple[float, float] | None:
        """Where two polylines cross (or pass within ``tolerance_m``), if they do."""
        if len(a.lat) < 2 or len(b.lat) < 2:
            return None
        k = 111_320.0 * math.cos(math.radians(float(a.lat.mean())))
        ax, ay = a.lon * k, a.lat * M_PER_DEG_LAT
        bx, by = b.lon * k, b.lat * M_PER_DEG_LAT
        d = np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        best: tuple[float, float, float] | None = None
        for si in range(max(0, i - 2), min(len(ax) - 1, i + 2)):
            p, p2 = (ax[si], ay[si]), (ax[si + 1], ay[si + 1])
            if math.dist(p, p2) > MAX_GAP_M:
                continue
            for sj in range(max(0, j - 2), min(len(bx) - 1, j + 2)):
                q, q2 = (bx[sj], by[sj]), (bx[sj + 1], by[sj + 1])
                if math.dist(q, q2) > MAX_GAP_M:
                    continue
                hit = _segment_hit(p, p2, q, q2)
                if hit is not None:
                    return float(hit[1] / M_PER_DEG_LAT), float(hit[0] / k)
        for (px, py, ii), (qx, qy, jj) in (((ax, ay, i), (bx, by, j)), ((bx, by, j), (ax, ay, i))):
            end = _extended_end(px, py, ii)
            if end is None:
                continue
            for sj in range(max(0, jj - 3), min(len(qx) - 1, jj + 3)):
                hit = _segment_hit(end[0], end[1], (qx[sj], qy[sj]), (qx[sj + 1], qy[sj + 1]))
                if hit is not None:
                    return float(hit[1] / M_PER_DEG_LAT), float(hit[0] / k)
        if d[i, j] <= tolerance_m:
            best = ((ay[i] + by[j]) / 2, (ax[i] + bx[j]) / 2, float(d[i, j]))
            return float(best[0] / M_PER_DEG_LAT), float(best[1] / k)
        return None

    def nearest_crossings(self, a: Street, b: Street, limit: int = 3) -> list[tuple[int, int, float, float]]:
        """For streets that never meet: the crossings of each that lie closest to the other."""
        out = []
        for s, other in ((a, b), (b, a)):
            if not len(s.crossings):
                continue
            k = 111_320.0 * math.cos(math.radians(float(s.lat.mean())))
            lat, lon = self.c_lat[s.crossings], self.c_lon[s.crossings]
            d = np.hypot((lat[:, None] - other.lat[None, :]) * M_PER_DEG_LAT,
                         (lon[:, None] - other.lon[None, :]) * k).min(axis=1)
            for q in np.argsort(d, kind="stable")[: limit * 4].tolist():
                c = self._other(int(s.crossings[q]), s.index)
                rank = 0 if self.streets[c].major else 1
                out.append((rank, float(d[q]), s.index, c, float(lat[q]), float(lon[q])))
        out.sort(key=lambda x: (x[0], x[1]))
        return [(x[2], x[3], x[4], x[5]) for x in out[:limit]]

    def _other(self, row: int, street: int) -> int:
        a = int(self.c_a[row])
        return int(self.c_b[row]) if a == street else a

    def crossings_of(self, s: Street) -> list[tuple[int, float, float]]:
        """(other street, lat, lon) for every crossing of ``s``."""
        return [(self._other(r, s.index), float(self.c_lat[r]), float(self.c_lon[r])) for r in s.crossings.tolist()]

    def major_crossings(self, s: Street, limit: int = 6) -> list[tuple[int, float, float]]:
        """Likely crossings of a bare street: its crossings with long (arterial) streets, spread along it."""
        majors = [(c, lat, lon) for c, lat, lon in self.crossings_of(s) if self.streets[c].major and c != s.index]
        majors.sort(key=lambda x: (-len(self.streets[x[0]].crossings), x[0]))
        return sorted(majors[:limit], key=lambda x: (x[1], x[2]))


def _extended_end(x: np.ndarray, y: np.ndarray, i: int, reach_m: float = 450.0):  # noqa: ANN202
    """A street whose data stops one block short of a T-junction: its end segment prolonged by ``reach_m``."""
    if i not in (0, len(x) - 1) or len(x) < 2:
        return None
    inner = 1 if i == 0 else len(x) - 2
    dx, dy = x[i] - x[inner], y[i] - y[inner]
    length = math.hypot(dx, dy)
    if length == 0:
        return None
    return (x[i], y[i]), (x[i] + dx / length * reach_m, y[i] + dy / length * reach_m)


def _segment_hit(p, p2, q, q2) -> tuple[float, float] | None:  # noqa: ANN001 - tiny geometry helper
    r = (p2[0] - p[0], p2[1] - p[1])
    s = (q2[0] - q[0], q2[1] - q[1])
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-9:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / den
    u = ((q[0] - p[0]) * r[1] - (q[1] - p[1]) * r[0]) / den
    if -0.02 <= t <= 1.02 and -0.02 <= u <= 1.02:
        return p[0] + t * r[0], p[1] + t * r[1]
    return None


@dataclass
class Landmark:
    index: int
    kind: str
    name_en: str
    name_es: str
    lat: float
    lon: float
    lines: tuple[str, ...] = ()
    level: str = ""


class Landmarks:
    """Landmarks by every alias key; whether a key may match without a hint word is decided by the reader."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.sources = data.get("sources", {})
        self.places: list[Landmark] = []
        self.by_key: dict[tuple[str, ...], list[int]] = {}
        self.curated: set[int] = set()
        for i, p in enumerate(data["places"]):
            self.places.append(Landmark(i, p["kind"], p["name_en"], p["name_es"], p["lat"], p["lon"],
                                        tuple(p.get("lines", ())), p.get("level", "")))
            if str(p.get("src", "")).startswith("curated"):
                self.curated.add(i)
            for alias in p["aliases"]:
                key = key_of(alias)
                if key and i not in self.by_key.get(key, []):
                    self.by_key.setdefault(key, []).append(i)
        self.max_words = max((len(k) for k in self.by_key), default=1)
        self.outside = {key_of(name): name for name in data.get("outside", [])}


def load_json(path: Path | None, default: Path) -> dict[str, Any] | None:
    target = Path(path) if path else default
    if not target.exists():
        return None
    return json.loads(target.read_text(encoding="utf-8"))
