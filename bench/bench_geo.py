"""Resolution latency (p50/p99 over 10,000 mixed inputs) and resident memory of the offline resolver.

Run: ``python bench/bench_geo.py``. Goal from issue 13: p99 < 5 ms over 10,000 mixed inputs including whole
sentences, and the process with the resolver and all its data (street network, landmarks) under 80 MB resident.
``python bench/bench_geo.py --eval tests/data/places_eval.tsv [--misses]`` instead scores a place table (columns
lang, text, lat, lon, kind): per kind, the share within 300 m as "found" and as "found or first candidate", and the
non-places (kind ``none``) that came back "found" or with any point.
No assertions — tests must not depend on machine speed.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.geo import OfflineResolver  # noqa: E402
from bot.geo.core import distance_m  # noqa: E402

WITHIN_M = 300.0

INPUTS = [
    "47th & Ashland", "47 y Ashland", "Cermak and Western", "26th St & Pulaski", "4800 S Wolcott",
    "4800 block of South Wolcott Avenue", "calle 26 y Kedzie", "la 22 y Western", "Pilsen", "La Villita",
    "little vilage", "Back of the Yards", "Brigton Park", "Humbolt Park", "60608", "codigo postal 60623",
    "2400 W Cermak Rd", "6300 S Kedzie", "Lawrence & Kedzie", "Hegewish", "park", "xyzzy", "Ashlnd y 47",
    "Marquette Park", "41.8088, -87.6648", "4800 Wolcott", "Belmont y Central", "something unknown here",
    # issue 13: diagonals, landmarks, sentences, numbers in words, filler
    "18th and blue island", "archer y ashland", "Roosevelt and Ogden", "Milwaukee y California", "la 26",
    "la 18 y blue island", "cerca de la iglesia San Agustin", "ogden y central park", "Central Park pink line",
    "mi casa esta en la 28 y st louis", "enfrente de la Walgreens de la 26 y kedzie", "they r at 47th n hoyne rn",
    "la veintiséis y pulaski", "la iglesia San Pío", "la prepa Farragut", "el arco de la villita",
    "la estación de la 18", "gracias", "los de la migra", "Ashland and Damen", "3500 S Archer",
    "Hay agentes de inmigración parados enfrente de la escuela en la cuarenta y siete y ashland desde las 7, "
    "tengan cuidado y no abran la puerta, compartan por favor con los vecinos de Back of the Yards",
    "ICE vans seen near the Pink Line station at Kedzie, about a block from the library, please be careful",
    "estacion kedzie", "Blue Island y Western", "el parque Harrison", "biblioteca toman", "Brigton Prk",
]
PINS = [(41.8088, -87.6648), (41.9244, -87.7267), (41.6605, -87.5466), (41.97, -87.66), (41.88, -87.63)]


def rss_mb() -> float:
    """Current resident set size from /proc (Linux); 0 when unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(n: int = 10_000) -> None:
    before = rss_mb()
    start = time.perf_counter()
    resolver = OfflineResolver.load()  # gazetteer + street network + landmarks
    load_ms = (time.perf_counter() - start) * 1000
    after = rss_mb()
    rng = random.Random(3)
    typed = [rng.choice(INPUTS) for _ in range(n)]
    times: list[float] = []
    for text in typed:
        t0 = time.perf_counter()
        resolver.find(text)
        times.append((time.perf_counter() - t0) * 1000)
    pins: list[float] = []
    for _ in range(2_000):
        lat, lon = rng.choice(PINS)
        t0 = time.perf_counter()
        resolver.reverse(lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01))
        pins.append((time.perf_counter() - t0) * 1000)
    print(f"load: {load_ms:.0f} ms")
    print(f"resolve x{n}: p50 {statistics.median(times):.3f} ms  p99 {percentile(times, 0.99):.3f} ms  "
          f"max {max(times):.3f} ms")
    print(f"reverse x{len(pins)}: p50 {statistics.median(pins):.3f} ms  p99 {percentile(pins, 0.99):.3f} ms")
    print(f"RSS: process {rss_mb():.1f} MB (interpreter + libraries {before:.1f} MB, "
          f"resolver adds {after - before:.1f} MB)")


def score_table(resolver: OfflineResolver, path: Path, verbose: bool = False) -> dict[str, object]:
    """Score a place table: per kind (found within 300 m, found-or-first-candidate within 300 m, rows) and the
    non-places answered "found" (confident) or with any point at all. Shared by the test and ``--eval``."""
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    kinds: dict[str, list[int]] = {}
    misses: list[str] = []
    confident: list[str] = []
    pointed: list[str] = []
    outside: list[tuple[str, str]] = []
    for row in rows:
        result = resolver.find(row["text"])
        if row["kind"] == "outside":  # a real place beyond the city: passes unless a Chicago point comes back
            inside = [p for p in result.places if resolver.within_service_area(p.lat, p.lon)]
            outside.append((row["text"], "point" if inside and result.status != "outside" else result.status))
            continue
        if row["kind"] == "none":
            if result.status == "found":
                confident.append(row["text"])
            if result.places:
                pointed.append(row["text"])
            continue
        tally = kinds.setdefault(row["kind"], [0, 0, 0])
        tally[2] += 1
        d = None
        if result.status in ("found", "candidates") and result.places:
            d = distance_m((result.places[0].lat, result.places[0].lon), (float(row["lat"]), float(row["lon"])))
            tally[0] += d <= WITHIN_M and result.status == "found"
            tally[1] += d <= WITHIN_M
        if d is None or d > WITHIN_M:
            label = result.places[0].label_en if result.places else result.street or ""
            misses.append(f"{row['kind']:13} {row['text']!r}: {result.status} {label!r} "
                          f"{'' if d is None else f'{d:.0f} m'}")
    found = sum(t[0] for t in kinds.values())
    first = sum(t[1] for t in kinds.values())
    total = sum(t[2] for t in kinds.values())
    return {"kinds": kinds, "found": found, "first": first, "total": total, "confident": confident,
            "pointed": pointed, "nones": sum(r["kind"] == "none" for r in rows), "misses": misses,
            "outside": outside}


def report(path: Path, verbose: bool) -> None:
    resolver = OfflineResolver.load()
    s = score_table(resolver, path)
    print(f"{path}: within {WITHIN_M:.0f} m")
    print(f"{'kind':14} {'rows':>5} {'found':>14} {'found/first':>14}")
    for kind, (f, a, n) in sorted(s["kinds"].items()):  # type: ignore[union-attr]
        print(f"{kind:14} {n:5d} {f:5d} {f / n:7.1%} {a:5d} {a / n:7.1%}")
    total = s["total"]
    print(f"{'all places':14} {total:5d} {s['found']:5d} {s['found'] / total:7.1%} "  # type: ignore[operator]
          f"{s['first']:5d} {s['first'] / total:7.1%}")  # type: ignore[operator]
    print(f"non-places: {s['nones']}; answered 'found': {len(s['confident'])} {s['confident']}; "  # type: ignore[arg-type]
          f"with any point: {len(s['pointed'])} {s['pointed']}")  # type: ignore[arg-type]
    if s["outside"]:
        answers = [a for _, a in s["outside"]]  # type: ignore[union-attr]
        print(f"outside rows: {len(answers)}; answered 'outside': {answers.count('outside')}, 'unknown': "
              f"{answers.count('unknown')}, with a Chicago point: {answers.count('point')}, other: "
              f"{len(answers) - answers.count('outside') - answers.count('unknown') - answers.count('point')}")
    if verbose:
        print("\n".join(s["misses"]))  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, help="score this place table instead of timing")
    parser.add_argument("--misses", action="store_true", help="with --eval: list the rows missed")
    args = parser.parse_args()
    if args.eval:
        report(args.eval, args.misses)
    else:
        main()
