"""Build ``streets.json`` — every named street of the City and every crossing — from City centre-line data.

Why: residents name corners of diagonal streets ("18th y Blue Island", "Archer and Ashland") that the address
grid cannot place. The City's *Street Center Lines* dataset records, for each of its ~56,000 segments, the two
cross streets at its ends; its intersections are therefore the exact crossings of every pair of named streets.

Input: a CSV of named intersections derived from that dataset (columns ``street_1, street_2, latitude,
longitude``), e.g. ``data/munged-chicago-intersections.csv`` of the public repository
dannguyen/chicago-streets-static-geocoder (see docs/geo.md for the commit and rebuild command). Only derived,
rounded numbers are written; the input file is not copied.

Output (deterministic): ``streets`` (display name, normalised core, type, polyline through its crossings ordered
along the street's main axis) and ``crossings`` ([street index, street index, lat, lon]).

Run: ``python -m bot.geodata.build_streets INTERSECTIONS.csv [--source-commit SHA] [--output PATH]``
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent / "streets.json"
DIRECTIONS = {"N", "S", "E", "W"}
# Expressway ramps, service roads and private ways are not corners anyone names.
SKIP_TYPES = {"ER", "XR", "RAMP", "SR", "ORD", "TURNAROUND", "TURN", "ACCESS", "PRIVATE", "TOLL", "RL"}
TYPES = {
    "AVE", "ST", "PL", "DR", "CT", "BLVD", "RD", "PKWY", "TER", "EXPY", "LN", "PLZ", "SQ", "WAY", "HWY", "ROW",
}


def split_name(raw: str) -> tuple[str, str, str] | None:
    """'S BLUE ISLAND AVE' → ('S', 'BLUE ISLAND', 'AVE'); None for ramps and unnamed pieces."""
    words = raw.strip().upper().split()
    if not words:
        return None
    direction = words[0] if words[0] in DIRECTIONS and len(words) > 1 else ""
    if direction:
        words = words[1:]
    if words[-1] in SKIP_TYPES or len(words) > 1 and words[-2] in SKIP_TYPES:
        return None
    typ = words[-1] if len(words) > 1 and words[-1] in TYPES else ""
    body = words[:-1] if typ else words
    return (direction, " ".join(body), typ) if body else None


def display(body: str, typ: str) -> str:
    words = [w.capitalize() if not re.match(r"^\d", w) else w.lower() for w in body.split()]
    return " ".join(words + ([typ.capitalize()] if typ else []))


def core(body: str) -> str:
    """Normalised name without type or direction: '18TH' → '18', 'BLUE ISLAND' → 'blue island'."""
    return " ".join(re.sub(r"^(\d+)(st|nd|rd|th)$", r"\1", w) for w in body.lower().split())


def order_points(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Order a street's crossings along its main axis (principal component in local metres)."""
    if len(points) < 3:
        return sorted(points)
    lat0 = sum(p[0] for p in points) / len(points)
    lon0 = sum(p[1] for p in points) / len(points)
    kx = 111_320.0 * math.cos(math.radians(lat0))
    xy = [((p[1] - lon0) * kx, (p[0] - lat0) * 110_574.0) for p in points]
    sxx = sum(x * x for x, _ in xy)
    syy = sum(y * y for _, y in xy)
    sxy = sum(x * y for x, y in xy)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    ux, uy = math.cos(angle), math.sin(angle)
    keyed = sorted(zip(((x * ux + y * uy) for x, y in xy), points, strict=True))
    return [p for _, p in keyed]


def build(csv_path: Path, source_commit: str) -> dict:
    streets: dict[tuple[str, str], dict] = {}
    pairs: dict[tuple[tuple[str, str], tuple[str, str]], tuple[float, float]] = {}
    with csv_path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            a, b = split_name(row["street_1"]), split_name(row["street_2"])
            if a is None or b is None:
                continue
            lat, lon = round(float(row["latitude"]), 5), round(float(row["longitude"]), 5)
            ka, kb = (a[1], a[2]), (b[1], b[2])
            if ka == kb:
                continue
            for key, parts in ((ka, a), (kb, b)):
                entry = streets.setdefault(key, {"dirs": set(), "points": set()})
                entry["dirs"].add(parts[0])
                entry["points"].add((lat, lon))
            pair = (min(ka, kb), max(ka, kb))
            pairs.setdefault(pair, (lat, lon))  # first (sorted input) wins: deterministic
    keys = sorted(streets)
    index = {k: i for i, k in enumerate(keys)}
    out_streets = []
    for body, typ in keys:
        entry = streets[(body, typ)]
        line = order_points(sorted(entry["points"]))
        out_streets.append(
            {
                "name": display(body, typ),
                "core": core(body),
                "type": typ.lower(),
                "dirs": "".join(sorted(d for d in entry["dirs"] if d)),
                "line": [c for p in line for c in p],
            }
        )
    crossings = sorted([index[a], index[b], lat, lon] for (a, b), (lat, lon) in pairs.items())
    return {
        "sources": [
            {
                "data": "City of Chicago, Department of Transportation / Office of Emergency Management and "
                "Communications: 'Street Center Lines' (data.cityofchicago.org, dataset 6imu-meau); named "
                "intersections derived from its F_CROSS/T_CROSS segment ends",
                "repository": "dannguyen/chicago-streets-static-geocoder",
                "path": "data/munged-chicago-intersections.csv",
                "commit": source_commit,
                "licence": "City of Chicago open data terms of use",
            }
        ],
        "notes": "line = crossings of the street ordered along its main axis (lat, lon pairs); crossings = "
        "[street, street, lat, lon]; ramps and service roads dropped",
        "streets": out_streets,
        "crossings": crossings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("intersections_csv", type=Path)
    parser.add_argument("--source-commit", default="e4ee3718d4acbaacd28e2030eed80ca7e17bb866")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    data = build(args.intersections_csv, args.source_commit)
    args.output.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(data['streets'])} streets, {len(data['crossings'])} crossings → {args.output}")


if __name__ == "__main__":
    main()
