"""Build tests/data/places_eval.tsv, the held-out table for the offline place finder.

Why this script exists: the expected point of every row must come from a data set that the resolver does not use,
and must be reproducible. The phrasings below were written by hand (the way residents type), but no coordinate is
typed here: each row names a record in a public City of Chicago derived file, found through GitHub mirrors, and the
point is read from that file at a pinned commit. The `source` column records repository, path, commit and record.

This script is NOT run by tests and needs the mirrors on disk (`/work/.mirror/<owner>+<name>/repo`, bare git
directories). Run it by hand:  python tests/data/build_places_eval.py [--mirror-root DIR] [--out FILE]

The table is for measurement only. Never tune the resolver (vocabulary, aliases, thresholds) on it.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Src:
    """One public file at one commit."""

    repo: str
    path: str
    commit: str

    def tag(self) -> str:
        return f"{self.repo}:{self.path}@{self.commit}"


SOURCES = {
    # City of Chicago "CTA - System Information - List of 'L' Stops" (8pix-ypme), Location column.
    "cta": Src("acreighton/cta-map", "data/CTA_-_System_Information_-_List_of__L__Stops.csv",
               "f241fa03fc57e2be2121928ef7b561447e9aee53"),
    # Divvy station list 2017 Q3/Q4 (station named after its corner, placed at that corner).
    "divvy": Src("codebyvictor/Rebalancing-Optimization-for-Bike-sharing-Systems", "Divvy_Stations_2017_Q3Q4.csv",
                 "372dc01c46824c520a524a4410587b240b454e0d"),
    # City of Chicago red light camera violations by intersection (camera points, averaged per intersection).
    "rlc": Src("uic-vis/project-3-neil", "data/intersectionViolations.js", "151f11604a58e1b2895f621f3a85cf11cdd7659c"),
    # City of Chicago "Average Daily Traffic Counts" (3pqi-8pfr): a street address with its geocoded point.
    "adt": Src("pkaushik/mi-parque-appengine", "war/data/gis/traffic_counts.js",
               "3ff2a7fcad46ec4478da9813bc26b97d14412af0"),
    # City/CPS school points for Little Village (public and private/parish schools).
    "lvpub": Src("pkaushik/mi-parque-appengine", "war/data/gis/public_schools_little_village.js",
                 "b9973e0571455f61f8ef297dea5328695dc44e4d"),
    "lvpriv": Src("pkaushik/mi-parque-appengine", "war/data/gis/private_schools_little_village.js",
                  "b9973e0571455f61f8ef297dea5328695dc44e4d"),
    # CPS school profile (data.cityofchicago.org 8i6r-et8s) school_latitude/longitude, as saved by that project.
    "cps": Src("ktut/classsizeschool", "src/data/schools.js", "89cf35d5a34acb1d496bf2b24d31abd8cd0f0417"),
    # Hospital points (Google Places geocodes saved by that project).
    "hosp": Src("MKwenhua/docs-r-us", "data_setup/hospital_addresses.js", "6efa0130d9a2e47a7de059f15710a59df9f96886"),
    # City of Chicago "Boundaries - Neighborhoods" (bbvz-uum9, Neighborhoods_2012b): polygon centroid.
    "nbhd": Src("Nasser-Alshaya/problem_set_6_nasser_alshaya", "chicago_neighborhoods.geojson",
                "f9bc5bada30f6d7303715b46d5cd208f99457a33"),
}


def git_show(root: Path, src: Src) -> str:
    gitdir = root / src.repo.replace("/", "+") / "repo"
    out = subprocess.run(["git", "--git-dir", str(gitdir), "show", f"{src.commit}:{src.path}"],
                         check=True, capture_output=True)
    return out.stdout.decode("utf-8")


class Points:
    """Lookup tables built from the fetched files; every lookup must match exactly one record."""

    def __init__(self, root: Path) -> None:
        text = {key: git_show(root, src) for key, src in SOURCES.items()}
        self.cta: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for row in csv.DictReader(text["cta"].splitlines()):
            lat, lon = (float(v) for v in row["Location"].strip("()").split(","))
            self.cta[row["MAP_ID"]].append((lat, lon))
        self.cta_names = {row["MAP_ID"]: row["STATION_DESCRIPTIVE_NAME"]
                          for row in csv.DictReader(text["cta"].splitlines())}
        self.divvy = {}
        for row in csv.DictReader(text["divvy"].splitlines()):
            self.divvy[row["name"].strip()] = (float(row["latitude"]), float(row["longitude"]))
        self.rlc: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for m in re.finditer(r'"INTERSECTION": "([^"]*)".*?"coordinates": \[\s*([-\d.]+),\s*([-\d.]+)', text["rlc"],
                             re.S):
            self.rlc[m.group(1)].append((float(m.group(3)), float(m.group(2))))
        self.adt: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for m in re.finditer(r'"(\d+ (?:North|South|East|West))", "([^"]+)", -?\d+, "\d+", "[^"]*", "([-\d.]+)", '
                             r'"([-\d.]+)"', text["adt"]):
            self.adt[f"{m.group(1)} {m.group(2).strip()}"].append((float(m.group(3)), float(m.group(4))))
        self.lv: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for key in ("lvpub", "lvpriv"):
            for m in re.finditer(r'"FACILITY_N": "([^"]*)".*?"coordinates": \[ ([-\d.]+), ([-\d.]+) \]', text[key]):
                self.lv[m.group(1)].append((float(m.group(3)), float(m.group(2))))
        self.cps: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for m in re.finditer(r'"name": "([^"]*)",\s*"address": "([^"]*)",\s*"lat": ([-\d.]+),\s*"lng": ([-\d.]+)',
                             text["cps"]):
            if "Chicago" in m.group(2):
                self.cps[m.group(1)].append((float(m.group(3)), float(m.group(4))))
        self.hosp: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        for m in re.finditer(r'"lat": ([-\d.]+),\s*"lng": ([-\d.]+).*?"name": "([^"]*)"', text["hosp"], re.S):
            self.hosp[m.group(3)].append((float(m.group(1)), float(m.group(2))))
        self.nbhd = {}
        data = json.loads(text["nbhd"])
        cols = [c["name"] for c in data["meta"]["view"]["columns"]]
        for row in data["data"]:
            self.nbhd[row[cols.index("PRI_NEIGH")]] = _centroid(row[cols.index("the_geom")])


def _centroid(wkt: str) -> tuple[float, float]:
    """Area-weighted centroid of a (multi)polygon given as WKT, as (lat, lon)."""
    area = cx = cy = 0.0
    for ring in re.findall(r"\(\(([^()]*)\)", wkt):
        pts = [tuple(map(float, p.split())) for p in ring.split(",")]
        for (x1, y1), (x2, y2) in zip(pts, pts[1:], strict=False):
            c = x1 * y2 - x2 * y1
            area += c
            cx += (x1 + x2) * c
            cy += (y1 + y2) * c
    area /= 2
    return cy / (6 * area), cx / (6 * area)


def _one(table: dict, key: str, what: str) -> list[tuple[float, float]]:
    pts = table.get(key)
    if not pts:
        raise KeyError(f"{what}: no record {key!r}")
    return pts if isinstance(pts, list) else [pts]


def _mean(pts: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def resolve(p: Points, ref: str) -> tuple[float, float, str]:
    """Turn a reference like 'divvy:Blue Island Ave & 18th St' into (lat, lon, source text)."""
    kind, _, key = ref.partition(":")
    if kind == "cta":
        lat, lon = _mean(_one(p.cta, key, "cta"))
        return lat, lon, f"{SOURCES['cta'].tag()} MAP_ID={key} ({p.cta_names[key]})"
    if kind == "divvy":
        lat, lon = _one(p.divvy, key, "divvy")[0]
        return lat, lon, f"{SOURCES['divvy'].tag()} station={key}"
    if kind == "rlc":
        pts = _one(p.rlc, key, "rlc")
        lat, lon = _mean(pts)
        return lat, lon, f"{SOURCES['rlc'].tag()} INTERSECTION={key} (mean of {len(pts)} camera points)"
    if kind == "adt":
        pts = _one(p.adt, key, "adt")
        lat, lon = _mean(pts)
        return lat, lon, f"{SOURCES['adt'].tag()} address={key}"
    if kind == "adtinterp":
        # adtinterp:<number>|<anchor address A>|<anchor address B>, linear in address number along one street.
        number, a, b = key.split("|")
        (la, lo_a), (lb, lo_b) = _mean(_one(p.adt, a, "adt")), _mean(_one(p.adt, b, "adt"))
        na, nb = int(a.split()[0]), int(b.split()[0])
        t = (int(number) - na) / (nb - na)
        return (la + t * (lb - la), lo_a + t * (lo_b - lo_a),
                f"{SOURCES['adt'].tag()} interpolated at {number} between address={a} and address={b}")
    if kind in ("lv", "lvparish"):
        lat, lon = _mean(_one(p.lv, key, "lv"))
        note = " (parish school record; the church stands on the same campus)" if kind == "lvparish" else ""
        src = SOURCES["lvpriv"] if kind == "lvparish" else SOURCES["lvpub"]
        return lat, lon, f"{src.tag()} FACILITY_N={key}{note}"
    if kind in ("cps", "cpsbuilding"):
        lat, lon = _one(p.cps, key, "cps")[0]
        note = " (library shares this school building, 2111 W 47th St)" if kind == "cpsbuilding" else ""
        return lat, lon, f"{SOURCES['cps'].tag()} name={key}{note}"
    if kind == "hosp":
        lat, lon = _one(p.hosp, key, "hosp")[0]
        return lat, lon, f"{SOURCES['hosp'].tag()} name={key}"
    if kind == "nbhd":
        lat, lon = _one(p.nbhd, key, "nbhd")[0]
        return lat, lon, f"{SOURCES['nbhd'].tag()} PRI_NEIGH={key} (polygon centroid)"
    raise ValueError(ref)


# (lang, text, kind, reference). Written by the table's author from the resident's point of view; the reference only
# says which public record holds the expected point.
ROWS: list[tuple[str, str, str, str]] = [
    # ---- corners (grid and diagonal streets)
    ("es", "18 y blue island", "corner", "divvy:Blue Island Ave & 18th St"),
    ("es", "la 18 y racine", "corner", "divvy:Racine Ave & 18th St"),
    ("es", "dieciocho y paulina", "corner", "divvy:Paulina St & 18th St"),
    ("es", "la 18 con halstead", "corner", "divvy:Halsted St & 18th St"),
    ("es", "ashland y la 21", "corner", "divvy:Ashland Ave & 21st St"),
    ("es", "damen y cullerton", "corner", "divvy:Damen Ave & Cullerton St"),
    ("es", "archer y normal", "corner", "divvy:Normal Ave & Archer Ave"),
    ("es", "leavitt y archer", "corner", "divvy:Leavitt St & Archer Ave"),
    ("es", "la veintiseis y california", "corner", "divvy:California Ave & 26th St"),
    ("es", "la 26 y millard", "corner", "divvy:Millard Ave & 26th St"),
    ("es", "kedsie y la 24", "corner", "divvy:Kedzie Ave & 24th St"),
    ("es", "la 23 y lawndale", "corner", "divvy:Lawndale Ave & 23rd St"),
    ("es", "ogden y central park", "corner", "divvy:Central Park Ave & Ogden Ave"),
    ("es", "westren y la 28", "corner", "divvy:Western Ave & 28th St"),
    ("es", "la treinta y cinco y wood", "corner", "divvy:Wood St & 35th St"),
    ("es", "pershing y damen", "corner", "divvy:Damen Ave & Pershing Rd"),
    ("es", "ashland y garfield", "corner", "divvy:Ashland Ave & Garfield Blvd"),
    ("es", "la 51 y damen", "corner", "divvy:Damen Ave & 51st St"),
    ("es", "la kedzie y la 26", "corner", "rlc:KEDZIE AND 26TH"),
    ("es", "pulasky y archer", "corner", "rlc:PULASKI AND ARCHER"),
    ("es", "cermak y pulaski", "corner", "rlc:CERMAK AND PULASKI"),
    ("es", "archer y cicero", "corner", "rlc:ARCHER AND CICERO"),
    ("es", "blue islan y damen", "corner", "rlc:BLUE ISLAND AND DAMEN"),
    ("es", "western y cermack", "corner", "rlc:WESTERN AND CERMAK"),
    ("es", "la 35 y western", "corner", "rlc:35TH AND WESTERN"),
    ("es", "la 31 y california", "corner", "rlc:31ST AND CALIFORNIA"),
    ("es", "la cuarenta y siete y ashland", "corner", "rlc:ASHLAND AND 47TH"),
    ("es", "kedzie y la 47", "corner", "rlc:KEDZIE AND 47TH"),
    ("es", "la 55 y pulaski", "corner", "rlc:55TH and PULASKI"),
    ("es", "ogden y kostner", "corner", "rlc:OGDEN AND KOSTNER"),
    ("es", "la north y pulaski", "corner", "rlc:PULASKI AND NORTH"),
    ("es", "division y california", "corner", "divvy:California Ave & Division St"),
    ("es", "armitage y humboldt", "corner", "divvy:Humboldt Blvd & Armitage Ave"),
    ("es", "milwaukee y california", "corner", "divvy:California Ave & Milwaukee Ave"),
    ("es", "elston y logan", "corner", "divvy:Logan Blvd & Elston Ave"),
    ("es", "la chicago y kedzie", "corner", "divvy:Kedzie Ave & Chicago Ave"),
    ("es", "vincennes y la 87", "corner", "rlc:87TH AND VINCENNES"),
    ("es", "south chicago y stony island", "corner", "divvy:Stony Island Ave & South Chicago Ave"),
    ("es", "la veintiséis y pulaski", "corner", "adtinterp:4000|3734 West 26th St|4306 West 26th St"),
    ("en", "18th & morgan", "corner", "divvy:Morgan St & 18th St"),
    ("en", "halsted and 21st", "corner", "divvy:Halsted St & 21st St"),
    ("en", "ashland n archer", "corner", "rlc:ASHLAND AND ARCHER"),
    ("en", "archer at halsted", "corner", "divvy:Halsted St & Archer Ave"),
    ("en", "21st and western", "corner", "divvy:Western Ave & 21st St"),
    ("en", "kedzie n 21st", "corner", "divvy:Kedzie Ave & 21st St"),
    ("en", "california & 23rd pl", "corner", "divvy:California Ave & 23rd Pl"),
    ("en", "24th and western", "corner", "divvy:Western Ave & 24th St"),
    ("en", "ogden & roosevelt", "corner", "divvy:Ogden Ave & Roosevelt Rd"),
    ("en", "31st and kedzie", "corner", "rlc:KEDZIE AND 31ST"),
    ("en", "35th and racine", "corner", "divvy:Racine Ave & 35th St"),
    ("en", "halsted n 35th", "corner", "divvy:Halsted St & 35th St (*)"),
    ("en", "ashland and pershing", "corner", "divvy:Ashland Ave & Pershing Rd"),
    ("en", "47th & elizabeth", "corner", "divvy:Elizabeth St & 47th St"),
    ("en", "garfield blvd and racine", "corner", "divvy:Racine Ave & Garfield Blvd"),
    ("en", "55th/kedzie", "corner", "rlc:55TH AND KEDZIE"),
    ("en", "western & 51st", "corner", "rlc:WESTERN AND 51ST"),
    ("en", "pulaski and division", "corner", "rlc:PULASKI AND DIVISION"),
    ("en", "chicago ave n sacramento", "corner", "rlc:SACRAMENTO AND CHICAGO"),
    ("en", "north ave and central park", "corner", "divvy:Central Park Ave & North Ave"),
    ("en", "milwaukee & grand", "corner", "divvy:Milwaukee Ave & Grand Ave"),
    ("en", "clybourn and division", "corner", "divvy:Clybourn Ave & Division St"),
    ("en", "lincoln & belmont", "corner", "divvy:Lincoln Ave & Belmont Ave"),
    ("en", "elston and damen", "corner", "rlc:DAMEN AND ELSTON"),
    ("en", "kimball n lincoln", "corner", "rlc:KIMBALL AND LINCOLN"),
    ("en", "grand and damen", "corner", "divvy:Damen Ave & Grand Ave"),
    ("en", "south chicago ave & 83rd", "corner", "divvy:South Chicago Ave & 83rd St"),
    ("en", "milwaukee and central", "corner", "rlc:CENTRAL AND MILWAUKEE"),
    # ---- addresses
    ("es", "la 2900 de la 26", "address", "adt:2900 West 26th St"),
    ("es", "la 3100 de la 26", "address", "adtinterp:3100|2900 West 26th St|3734 West 26th St"),
    ("es", "3734 w 26", "address", "adt:3734 West 26th St"),
    ("es", "4306 de la veintiseis", "address", "adt:4306 West 26th St"),
    ("es", "la 2455 de la pulaski", "address", "adt:2455 South Pulaski Rd"),
    ("es", "3121 sur pulaski", "address", "adt:3121 South Pulaski Rd"),
    ("es", "4201 s pulasky", "address", "adt:4201 South Pulaski Rd"),
    ("es", "la 1314 de la 18", "address", "adt:1314 West 18th St"),
    ("es", "2263 w 18", "address", "adt:2263 West 18th Street"),
    ("es", "1623 s blue island", "address", "adt:1623 South Blue Island Ave"),
    ("es", "2444 blue island", "address", "adt:2444 South Blue Island Ave"),
    ("es", "3242 w ogden", "address", "adt:3242 West Ogden Ave"),
    ("es", "la 2430 de ogden", "address", "adt:2430 West Ogden Ave"),
    ("es", "1730 w cermak", "address", "adt:1730 West Cermak Rd"),
    ("es", "3658 de la cermak", "address", "adt:3658 West Cermak Rd"),
    ("es", "la 3430 de archer", "address", "adt:3430 South Archer Ave"),
    ("es", "4709 s archer", "address", "adt:4709 South Archer Ave"),
    ("es", "4611 kedzie", "address", "adt:4611 South Kedzie Ave"),
    ("es", "la 3001 de la kedzie", "address", "adt:3001 South Kedzie Ave"),
    ("es", "2566 s damen", "address", "adt:2566 South Damen Ave"),
    ("es", "1707 de la 47", "address", "adt:1707 West 47th St"),
    ("es", "la 3900 de la 31", "address", "adt:3900 West 31st St"),
    ("es", "2857 w pershing", "address", "adt:2857 West Pershing Rd"),
    ("es", "la 2126 de central park", "address", "adt:2126 South Central Park Ave"),
    ("en", "2700 S Pulaski", "address", "adtinterp:2700|2455 South Pulaski Rd|3121 South Pulaski Rd"),
    ("en", "2738 W 47th St", "address", "adt:2738 West 47th St"),
    ("en", "3535 w 47th", "address", "adt:3535 West 47th St"),
    ("en", "4028 S Western", "address", "adt:4028 South Western Ave"),
    ("en", "2446 s western ave", "address", "adt:2446 South Western Ave"),
    ("en", "3751 S California", "address", "adt:3751 South California Ave"),
    ("en", "2149 s california ave", "address", "adt:2149 South California Ave"),
    ("en", "1447 S Ashland", "address", "adt:1447 South Ashland Ave"),
    ("en", "4432 s ashland", "address", "adt:4432 South Ashland Ave"),
    ("en", "2307 W 35th St", "address", "adt:2307 West 35th St"),
    ("en", "1301 w 35th", "address", "adt:1301 West 35th St"),
    ("en", "3247 S Archer", "address", "adt:3247 South Archer Ave"),
    ("en", "4401 s archer ave", "address", "adt:4401 South Archer Ave"),
    ("en", "2525 S Blue Island Ave", "address", "adt:2525 South Blue Island Ave"),
    ("en", "2653 w ogden ave", "address", "adt:2653 West Ogden Ave"),
    ("en", "2703 W Cermak Rd", "address", "adt:2703 West Cermak Rd"),
    ("en", "4042 w cermak", "address", "adt:4042 West Cermak Rd"),
    ("en", "1926 W Grand Ave", "address", "adt:1926 West Grand Ave"),
    ("en", "2650 w chicago ave", "address", "adt:2650 West Chicago Ave"),
    ("en", "928 N Pulaski", "address", "adt:928 North Pulaski Rd"),
    ("en", "3252 W 31st St", "address", "adt:3252 West 31st St"),
    ("en", "2505 s central park", "address", "adt:2505 South Central Park Ave"),
    ("en", "4740 S Kedzie", "address", "adt:4740 South Kedzie Ave"),
    ("en", "3030 s kostner", "address", "adt:3030 South Kostner Ave"),
    # ---- landmarks: 'L' stations
    ("es", "la estacion de la 18", "landmark", "cta:40830"),
    ("es", "la parada de damen de la linea rosa", "landmark", "cta:40210"),
    ("es", "estacion california de la rosa", "landmark", "cta:40440"),
    ("es", "el tren de kedzie linea rosa", "landmark", "cta:41040"),
    ("es", "la estación kostner", "landmark", "cta:40600"),
    ("es", "estacion cicero rosa", "landmark", "cta:40420"),
    ("es", "la 54/cermak", "landmark", "cta:40580"),
    ("es", "la pulaski de la linea naranja", "landmark", "cta:40960"),
    ("es", "la western de la naranja", "landmark", "cta:40310"),
    ("es", "la estacion de halsted naranja", "landmark", "cta:41130"),
    ("es", "la estacion ashland de la naranja", "landmark", "cta:41060"),
    ("en", "Central Park pink line", "landmark", "cta:40780"),
    ("en", "western pink line stop", "landmark", "cta:40740"),
    ("en", "pulaski pink line", "landmark", "cta:40150"),
    ("en", "kedzie orange line", "landmark", "cta:41150"),
    ("en", "35th/archer station", "landmark", "cta:40120"),
    ("en", "midway orange line", "landmark", "cta:40930"),
    ("en", "california blue line", "landmark", "cta:40570"),
    ("en", "damen blue line", "landmark", "cta:40590"),
    ("en", "logan square blue line", "landmark", "cta:41020"),
    ("en", "kedzie green line", "landmark", "cta:41070"),
    ("en", "47th red line", "landmark", "cta:41230"),
    # ---- landmarks: schools
    ("es", "la prepa Farragut", "landmark", "lv:FARRAGUT CAREER ACADEMY HS"),
    ("es", "la prepa juarez", "landmark", "cps:JUAREZ HS"),
    ("es", "la prepa kelly", "landmark", "cps:KELLY HS"),
    ("es", "la prepa curie", "landmark", "cps:CURIE HS"),
    ("es", "la escuela solorio", "landmark", "cps:SOLORIO HS"),
    ("es", "la prepa de back of the yards", "landmark", "cps:BACK OF THE YARDS HS"),
    ("es", "la escuela zapata", "landmark", "lv:ZAPATA ELEM ACADEMY"),
    ("es", "escuela telpochcalli", "landmark", "lv:TELPOCHCALLI ELEM SCHOOL"),
    ("es", "la escuela madero", "landmark", "lv:MADERO MIDDLE SCHOOL"),
    ("es", "escuela castellanos", "landmark", "lv:CASTELLANOS ELEM SCHOOL"),
    ("es", "la escuela eli whitney", "landmark", "lv:WHITNEY ELEM SCHOOL"),
    ("es", "escuela cardenas", "landmark", "lv:CARDENAS ELEM SCHOOL"),
    ("en", "world language high school", "landmark", "cps:WORLD LANGUAGE HS"),
    ("en", "orr high school", "landmark", "cps:ORR HS"),
    ("en", "wells high school", "landmark", "cps:WELLS HS"),
    ("en", "tilden hs", "landmark", "cps:TILDEN HS"),
    ("en", "dvorak school", "landmark", "cps:DVORAK"),
    ("en", "gunsaulus elementary", "landmark", "cps:GUNSAULUS"),
    ("en", "columbia explorers academy", "landmark", "cps:COLUMBIA EXPLORERS"),
    ("en", "sandoval elementary", "landmark", "cps:SANDOVAL"),
    ("en", "spry school", "landmark", "lv:SPRY ELEM COMMUNITY SCHOOL"),
    ("en", "hammond elementary", "landmark", "lv:HAMMOND ELEM SCHOOL"),
    # ---- landmarks: hospitals, consulate, arch, churches, library
    ("es", "el hospital mount sinai", "landmark", "hosp:Mount Sinai Hospital"),
    ("es", "hospital st anthony", "landmark", "hosp:Saint Anthony Hospital"),
    ("es", "el hospital del condado stroger", "landmark", "hosp:John H Stroger Jr Hospital of Cook County"),
    ("es", "el hospital holy cross", "landmark", "hosp:Holy Cross Hospital"),
    ("es", "el norwegian", "landmark", "hosp:Norwegian American Hospital"),
    ("es", "el consulado mexicano", "landmark",
     "adtinterp:204|133 South Ashland Ave|320 South Ashland Ave"),
    ("es", "el arco de la villita", "landmark", "divvy:Albany Ave & 26th St"),
    ("es", "la iglesia santa ines", "landmark", "lvparish:ST AGNES OF BOHEMIA"),
    ("es", "la iglesia del tepeyac", "landmark", "lvparish:OUR LADY OF TEPEYAC"),
    ("es", "iglesia epifania", "landmark", "lvparish:EPIPHANY SCHOOL"),
    ("es", "la biblioteca de back of the yards", "landmark", "cpsbuilding:BACK OF THE YARDS HS"),
    ("en", "st mary's hospital", "landmark", "hosp:Presence Saints Mary and Elizabeth Medical Center"),
    ("en", "UIC hospital", "landmark", "hosp:University of Illinois Hospital & Clinics"),
    ("en", "rush hospital", "landmark", "hosp:Rush University Medical Center"),
    ("en", "norwegian american hospital", "landmark", "hosp:Norwegian American Hospital"),
    ("en", "mexican consulate on ashland", "landmark", "adtinterp:204|133 South Ashland Ave|320 South Ashland Ave"),
    ("en", "the little village arch", "landmark", "divvy:Albany Ave & 26th St"),
    ("en", "good shepherd church", "landmark", "lvparish:GOOD SHEPHERD SCHOOL"),
    # ---- neighbourhoods
    ("es", "en pilsen", "neighbourhood", "nbhd:Lower West Side"),
    ("es", "la villita", "neighbourhood", "nbhd:Little Village"),
    ("es", "en la villita", "neighbourhood", "nbhd:Little Village"),
    ("es", "por back of the yards", "neighbourhood", "nbhd:New City"),
    ("es", "brighton", "neighbourhood", "nbhd:Brighton Park"),
    ("es", "el barrio de mckinley park", "neighbourhood", "nbhd:Mckinley Park"),
    ("es", "en gage park", "neighbourhood", "nbhd:Gage Park"),
    ("es", "archer heights", "neighbourhood", "nbhd:Archer Heights"),
    ("es", "en la hermosa", "neighbourhood", "nbhd:Hermosa"),
    ("en", "humboldt park area", "neighbourhood", "nbhd:Humboldt Park"),
    ("en", "little village", "neighbourhood", "nbhd:Little Village"),
    ("en", "pilsen", "neighbourhood", "nbhd:Lower West Side"),
    ("en", "back of the yards", "neighbourhood", "nbhd:New City"),
    ("en", "in bridgeport", "neighbourhood", "nbhd:Bridgeport"),
    ("en", "logan square", "neighbourhood", "nbhd:Logan Square"),
    ("en", "belmont cragin", "neighbourhood", "nbhd:Belmont Cragin"),
    ("en", "albany park", "neighbourhood", "nbhd:Albany Park"),
    ("en", "west lawn", "neighbourhood", "nbhd:West Lawn"),
    # ---- sentences with the place inside
    ("es", "enfrente de la Walgreens de la 26 y kedzie", "sentence", "rlc:KEDZIE AND 26TH"),
    ("es", "estan parados en la 21 y california", "sentence", "divvy:California Ave & 21st St"),
    ("es", "vi a la migra en ogden y washtenaw", "sentence", "divvy:Washtenaw Ave & Ogden Ave (*)"),
    ("es", "hay camionetas en la kedzie y roosevelt", "sentence", "divvy:Kedzie Ave & Roosevelt Rd"),
    ("es", "hay agentes en la 44 y marshfield", "sentence", "divvy:Marshfield Ave & 44th St"),
    ("es", "estan en la 52 y throop ahorita", "sentence", "divvy:Throop St & 52nd St"),
    ("es", "andan por la 50 y ashland", "sentence", "divvy:Ashland Ave & 50th St"),
    ("es", "cerca de garfield y seeley hay 3 carros", "sentence", "divvy:Seeley Ave & Garfield Blvd"),
    ("es", "en la 31 y morgan estan revisando", "sentence", "divvy:Morgan St & 31st St"),
    ("es", "afuera de la escuela hedges hay patrullas", "sentence", "cps:HEDGES"),
    ("es", "mi casa esta en la 35 y wallace", "sentence", "divvy:Wallace St & 35th St"),
    ("es", "acaban de pasar por la 2444 s blue island", "sentence", "adt:2444 South Blue Island Ave"),
    ("en", "they r at 47th n hoyne rn", "sentence", "divvy:Hoyne Ave & 47th St"),
    ("en", "a block from the 35th/archer orange line", "sentence", "cta:40120"),
    ("en", "ice at western and north right now", "sentence", "rlc:WESTERN AND NORTH"),
    ("en", "2 trucks parked on chicago ave & western", "sentence", "rlc:WESTERN AND CHICAGO"),
    ("en", "saw agents near kedzie and armitage", "sentence", "rlc:KEDZIE AND ARMITAGE"),
    ("en", "they're at pulaski & chicago", "sentence", "rlc:PULASKI AND CHICAGO"),
    ("en", "checkpoint on roosevelt n pulaski", "sentence", "rlc:ROOSEVELT AND PULASKI"),
    ("en", "unmarked cars by cicero and 47th", "sentence", "rlc:CICERO AND 47TH"),
    ("en", "raid at 3642 w 47th st this morning", "sentence", "adt:3642 West 47th St"),
    ("en", "idk exactly, somewhere by troy & north ave", "sentence", "divvy:Troy St & North Ave"),
    ("en", "outside mount sinai er", "sentence", "hosp:Mount Sinai Hospital"),
    ("es", "estan en el estacionamiento del hospital st anthony", "sentence", "hosp:Saint Anthony Hospital"),
]

# Inputs that name no place: the finder should return nothing (or ask again), never a point.
NONE_ROWS: list[tuple[str, str]] = [
    ("es", "la"), ("es", "gracias"), ("en", "park"), ("es", "ayuda"), ("es", "los de la migra"),
    ("es", "hola buenas"), ("es", "el"), ("es", "san"), ("es", "vi dos camionetas"), ("es", "no se"),
    ("es", "ahorita"), ("es", "si"), ("es", "no"), ("es", "ya se fueron"), ("es", "estan en todos lados"),
    ("es", "cuidado"), ("es", "por aqui"), ("es", "aqui"), ("es", "cerca de mi casa"), ("es", "en la esquina"),
    ("es", "la calle"), ("es", "la migra"), ("es", "dos agentes"), ("es", "hace rato"), ("es", "buenos dias"),
    ("es", "que hago"), ("es", "tengo miedo"), ("es", "el parque"), ("es", "la tienda"), ("es", "avenida"),
    ("en", "help"), ("en", "thanks"), ("en", "where?"), ("en", "idk"), ("en", "near my house"),
    ("en", "the corner"), ("en", "ICE"), ("en", "3 trucks"), ("en", "right now"), ("en", "yes"),
    ("en", "nope"), ("en", "?"), ("en", "..."), ("en", "the park"), ("en", "the store"), ("en", "street"),
    ("en", "north"), ("en", "ok"), ("en", "hello??"), ("en", "my kids school"), ("es", "en la escuela de mis hijos"),
    ("es", "sur"), ("en", "lol"), ("es", "jajaja"),
]


def build(root: Path) -> list[dict[str, str]]:
    p = Points(root)
    out = []
    for lang, text, kind, ref in ROWS:
        lat, lon, source = resolve(p, ref)
        out.append({"lang": lang, "text": text, "lat": f"{lat:.5f}", "lon": f"{lon:.5f}", "kind": kind,
                    "source": source})
    for lang, text in NONE_ROWS:
        out.append({"lang": lang, "text": text, "lat": "", "lon": "", "kind": "none",
                    "source": "none: names no place (written by the table author)"})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("places_eval.tsv"))
    args = ap.parse_args(argv)
    rows = build(args.mirror_root)
    texts = [r["text"] for r in rows]
    dupes = {t for t in texts if texts.count(t) > 1}
    if dupes:
        raise SystemExit(f"duplicate texts: {sorted(dupes)}")
    for r in rows:
        if r["lat"] and not (41.64 < float(r["lat"]) < 42.03 and -87.95 < float(r["lon"]) < -87.52):
            raise SystemExit(f"point outside Chicago: {r}")
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["lang", "text", "lat", "lon", "kind", "source"], delimiter="\t",
                           lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writeheader()
        w.writerows(rows)
    counts = collections.Counter((r["kind"], r["lang"]) for r in rows)
    for key in sorted(counts):
        print(*key, counts[key], sep="\t", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
