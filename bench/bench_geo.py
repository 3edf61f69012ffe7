"""Resolution latency (p50/p99 over 10,000 mixed inputs) and resident memory of the offline resolver.

Run: ``python bench/bench_geo.py``. Goal from issue 13: p99 < 5 ms over 10,000 mixed inputs including whole
sentences, and the process with the resolver and all its data (street network, landmarks) under 80 MB resident.
No assertions — tests must not depend on machine speed.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.geo import OfflineResolver  # noqa: E402

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


if __name__ == "__main__":
    main()
