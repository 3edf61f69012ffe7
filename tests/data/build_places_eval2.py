"""Build tests/data/places_eval2.tsv, the second held-out table for the offline place finder.

Why this script exists: the first table (places_eval.tsv) has been seen by the resolver's authors, so a fresh one
is needed to measure generalisation honestly. The phrasings below are hand-written the way residents type; no
coordinate is hand-typed. Every expected point is read from a public file at a pinned commit (named in the
`source` column of each row), so anyone can check where a point came from and rebuild the table.

The script reads the files from local mirrors made with the research tool's `fetch`
(``<mirror-root>/<owner>+<name>/repo``, a bare git directory), via ``git show <commit>:<path>``. It is never run
by the tests and needs no network. Usage::

    python tests/data/build_places_eval2.py [--mirror-root /work/.mirror] [--out tests/data/places_eval2.tsv]

Rule: the table is for measurement only; never tune the resolver on it (see tests/data/README.md).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

csv.field_size_limit(10**9)


@dataclass(frozen=True)
class Source:
    """One public file at one commit."""

    repo: str
    commit: str
    path: str

    def label(self) -> str:
        return f"{self.repo} {self.path} @{self.commit}"


CAMERAS = Source("uic-vis/project-3-neil", "151f11604a58e1b2895f621f3a85cf11cdd7659c", "data/intersectionViolations.js")
DIVVY = Source(
    "codebyvictor/Rebalancing-Optimization-for-Bike-sharing-Systems",
    "372dc01c46824c520a524a4410587b240b454e0d",
    "Divvy_Stations_2017_Q3Q4.csv",
)
CTA = Source(
    "acreighton/cta-map",
    "f241fa03fc57e2be2121928ef7b561447e9aee53",
    "data/CTA_-_System_Information_-_List_of__L__Stops.csv",
)
CPS = Source("Aente107/CourseraTemporaryCSV", "92201b1c2d23bbb39ed6254707ab7bad85b60cda", "ChicagoPublicSchools.csv")
TALES = "fatimai12/tales-of-second-city"
TALES_COMMIT = "962170170257b7ee1dc6f90d678db65c192b0b5e"
LIBRARIES = Source(TALES, TALES_COMMIT, "talesofsecondcity/data/original/libraries.csv")
PARKS = Source(TALES, TALES_COMMIT, "talesofsecondcity/data/original/CPD_Parks.csv")
HOODS = Source(TALES, TALES_COMMIT, "talesofsecondcity/data/original/Boundaries - Neighborhoods.geojson")
HOSPITALS = Source(
    "MKwenhua/docs-r-us", "bb3c05b5ffb14483810cf7ae5302188fbe5e7f1d", "config/data_setup/hospital_addresses.js"
)


def read(src: Source, root: Path) -> str:
    git_dir = root / src.repo.replace("/", "+") / "repo"
    out = subprocess.run(
        ["git", "-C", str(git_dir), "show", f"{src.commit}:{src.path}"], check=True, capture_output=True
    )
    return out.stdout.decode("utf-8")


# ---------------------------------------------------------------- geometry


def rings_centroid(polygons: list[list[list[list[float]]]]) -> tuple[float, float, float]:
    """Area-weighted centroid (lat, lon) and area (deg²) of polygons given as [outer, hole…] rings of [lon, lat].

    Computed in lon/lat degrees: an affine scaling (the local east/north metres) preserves centroids, and the
    areas only weight pieces of one small region, so no projection is needed at city scale.
    """
    total = cx = cy = 0.0
    for rings in polygons:
        for i, ring in enumerate(rings):
            a = x = y = 0.0
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                a += cross
                x += (x0 + x1) * cross
                y += (y0 + y1) * cross
            if a == 0:
                continue
            a /= 2
            rx, ry = x / (6 * a), y / (6 * a)
            w = abs(a) if i == 0 else -abs(a)  # first ring outer, the rest holes
            total += w
            cx += w * rx
            cy += w * ry
    return cy / total, cx / total, total


def wkt_polygons(wkt: str) -> list[list[list[list[float]]]]:
    body = wkt[wkt.index("(") :]
    body = re.sub(r"(-?[\d.]+) (-?[\d.]+)", r"[\1,\2]", body).replace("(", "[").replace(")", "]")
    data = json.loads(body)
    return data if wkt.lstrip().upper().startswith("MULTIPOLYGON") else [data]


# ---------------------------------------------------------------- gazetteers: key -> (lat, lon, record, address)


def load_cameras(root: Path) -> dict:
    text = read(CAMERAS, root)
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    pts: dict[str, list] = {}
    for f in data["features"]:
        lon, lat = f["geometry"]["coordinates"]
        pts.setdefault(f["properties"]["INTERSECTION"], []).append((lat, lon))
    return {
        k: (
            sum(p[0] for p in v) / len(v),
            sum(p[1] for p in v) / len(v),
            f"INTERSECTION={k!r} (mean of {len(v)} camera points)",
            "",
        )
        for k, v in pts.items()
    }


def load_divvy(root: Path) -> dict:
    out = {}
    for r in csv.DictReader(io.StringIO(read(DIVVY, root))):
        out[r["name"]] = (float(r["latitude"]), float(r["longitude"]), f"station id={r['id']} name={r['name']!r}", "")
    return out


def load_cta(root: Path) -> dict:
    pts: dict[str, set] = {}
    ids: dict[str, str] = {}
    for r in csv.DictReader(io.StringIO(read(CTA, root))):
        lat, lon = (float(v) for v in r["Location"].strip("()").split(","))
        pts.setdefault(r["STATION_DESCRIPTIVE_NAME"], set()).add((lat, lon))
        ids[r["STATION_DESCRIPTIVE_NAME"]] = r["MAP_ID"]
    return {
        k: (sum(p[0] for p in v) / len(v), sum(p[1] for p in v) / len(v), f"MAP_ID={ids[k]} {k!r}", "")
        for k, v in pts.items()
    }


def load_cps(root: Path) -> dict:
    out = {}
    for r in csv.DictReader(io.StringIO(read(CPS, root))):
        out[r["NAME_OF_SCHOOL"]] = (
            float(r["Latitude"]),
            float(r["Longitude"]),
            f"School_ID={r['School_ID']} {r['NAME_OF_SCHOOL']!r}, {r['Street_Address']}",
            r["Street_Address"],
        )
    return out


def load_libraries(root: Path) -> dict:
    out = {}
    for r in csv.DictReader(io.StringIO(read(LIBRARIES, root))):
        lat, lon = (float(v) for v in r["LOCATION"].strip("()").split(","))
        out[r["NAME"]] = (lat, lon, f"NAME={r['NAME']!r}, {r['ADDRESS']}", r["ADDRESS"])
    return out


def load_parks(root: Path) -> dict:
    out = {}
    for r in csv.DictReader(io.StringIO(read(PARKS, root))):
        lat, lon, _ = rings_centroid(wkt_polygons(r["the_geom"]))
        rec = f"PARK_NO={r['PARK_NO']} PARK={r['PARK']!r} ({r['ACRES']} acres; polygon centroid)"
        out[r["PARK"]] = (lat, lon, rec, r["LOCATION"])
    return out


def load_hoods(root: Path) -> dict:
    out = {}
    for f in json.loads(read(HOODS, root))["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        lat, lon, _ = rings_centroid(polys)
        name = f["properties"]["pri_neigh"]
        out[name] = (lat, lon, f"pri_neigh={name!r} (area-weighted polygon centroid)", "")
    return out


def load_hospitals(root: Path) -> dict:
    text = read(HOSPITALS, root)
    out = {}
    pat = r'"lat": ([\d.-]+),\s*"lng": ([\d.-]+).*?"name": "([^"]+)",\s*"address": "([^"]+)"'
    for m in re.finditer(pat, text, re.S):
        name, addr = m.group(3), m.group(4)
        out.setdefault(name, (float(m.group(1)), float(m.group(2)), f"name={name!r}, {addr}", addr))
    return out


LOADERS = {
    "cam": (CAMERAS, load_cameras),
    "divvy": (DIVVY, load_divvy),
    "cta": (CTA, load_cta),
    "cps": (CPS, load_cps),
    "lib": (LIBRARIES, load_libraries),
    "park": (PARKS, load_parks),
    "hood": (HOODS, load_hoods),
    "hosp": (HOSPITALS, load_hospitals),
}

# ---------------------------------------------------------------- rows
# (lang, text, kind, source key, record key[, house number that the record's address must start with])

PLACES: list[tuple] = [
    # corners — es
    ("es", "la 47 y kedzie", "corner", "cam", "KEDZIE AND 47TH"),
    ("es", "cicero y north", "corner", "cam", "CICERO AND NORTH"),
    ("es", "la sesenta y tres y pulasky", "corner", "cam", "PULASKI AND 63RD"),
    ("es", "archer y cicero", "corner", "cam", "ARCHER AND CICERO"),
    ("es", "elston y addison", "corner", "cam", "ELSTON AND ADDISON"),
    ("es", "milwakee y montrose", "corner", "cam", "MILWAUKEE AND MONTROSE"),
    ("es", "central y belmon", "corner", "cam", "CENTRAL AND BELMONT"),
    ("es", "la 79 y halsted", "corner", "cam", "79TH AND HALSTED"),
    ("es", "vincennes con la 111", "corner", "cam", "VINCENNES AND 111TH"),
    ("es", "la cermak y westren", "corner", "cam", "WESTERN AND CERMAK"),
    ("es", "la cincuenta y cinco y kedzie", "corner", "cam", "55TH AND KEDZIE"),
    ("es", "austin e irving park", "corner", "cam", "AUSTIN AND IRVING PARK"),
    ("es", "blue island y damen", "corner", "cam", "BLUE ISLAND AND DAMEN"),
    ("es", "la 95 y cottage grove", "corner", "cam", "COTTAGE GROVE AND 95TH"),
    ("es", "esquina de la 71 y ashland", "corner", "cam", "71ST AND ASHLAND"),
    ("es", "roosevelt y kostner", "corner", "cam", "ROOSEVELT AND KOSTNER"),
    ("es", "madison y laramie", "corner", "cam", "LARAMIE AND MADISON"),
    ("es", "la 35 y western", "corner", "cam", "35TH AND WESTERN"),
    ("es", "pulaski esquina con diversey", "corner", "cam", "PULASKI AND DIVERSEY"),
    ("es", "lawrence y western", "corner", "cam", "LAWRENCE AND WESTERN"),
    ("es", "milwaukee y wabansia", "corner", "divvy", "Milwaukee Ave & Wabansia Ave"),
    ("es", "clybourn y division", "corner", "divvy", "Clybourn Ave & Division St"),
    ("es", "ogden y chicago ave", "corner", "divvy", "Ogden Ave & Chicago Ave"),
    ("es", "la cermak y wabash", "corner", "divvy", "Wabash Ave & Cermak Rd"),
    ("es", "elston y logan", "corner", "divvy", "Logan Blvd & Elston Ave"),
    ("es", "broadway y argyle", "corner", "divvy", "Broadway & Argyle St"),
    ("es", "archer y loomis", "corner", "divvy", "Loomis St & Archer Ave"),
    ("es", "california y milwaukee", "corner", "divvy", "California Ave & Milwaukee Ave"),
    # corners — en
    ("en", "kedzie & armitage", "corner", "cam", "KEDZIE AND ARMITAGE"),
    ("en", "pulaski n fullerton", "corner", "cam", "PULASKI AND FULLERTON"),
    ("en", "western and marquette", "corner", "cam", "WESTERN AND MARQUETTE"),
    ("en", "elston & foster", "corner", "cam", "ELSTON AND FOSTER"),
    ("en", "milwaukee and devon", "corner", "cam", "MILWAUKEE AND DEVON"),
    ("en", "lincoln n mccormick", "corner", "cam", "LINCOLN AND MCCORMICK"),
    ("en", "ashland at lawrance", "corner", "cam", "ASHLAND AND LAWRENCE"),
    ("en", "111th & halsted", "corner", "cam", "111TH AND HALSTED"),
    ("en", "jeffery n 79th", "corner", "cam", "JEFFERY AND 79TH"),
    ("en", "ogden & kostner", "corner", "cam", "OGDEN AND KOSTNER"),
    ("en", "harlem and belmont", "corner", "cam", "HARLEM AND BELMONT"),
    ("en", "damen n elston", "corner", "cam", "DAMEN AND ELSTON"),
    ("en", "california & devon", "corner", "cam", "CALIFORNIA AND DEVON"),
    ("en", "stony island and seventy ninth", "corner", "cam", "STONEY ISLAND AND 79TH"),
    ("en", "halsted and north ave", "corner", "cam", "HALSTED AND NORTH"),
    ("en", "chicago ave and central", "corner", "cam", "CENTRAL AND CHICAGO"),
    ("en", "sacramento & lake", "corner", "cam", "SACRAMENTO AND LAKE"),
    ("en", "kedzie and 63rd", "corner", "cam", "KEDZIE AND 63RD"),
    ("en", "cicero at 47th", "corner", "cam", "CICERO AND 47TH"),
    ("en", "irving park & kedsie", "corner", "cam", "IRVING PARK AND KEDZIE"),
    ("en", "lincoln & belmont", "corner", "divvy", "Lincoln Ave & Belmont Ave"),
    ("en", "grand and damen", "corner", "divvy", "Damen Ave & Grand Ave"),
    ("en", "archer n halsted", "corner", "divvy", "Halsted St & Archer Ave"),
    ("en", "south chicago ave and 83rd", "corner", "divvy", "South Chicago Ave & 83rd St"),
    ("en", "kedzie n milwaukee", "corner", "divvy", "Kedzie Ave & Milwaukee Ave"),
    ("en", "clark & touhy", "corner", "divvy", "Clark St & Touhy Ave"),
    ("en", "ogden and roosevelt", "corner", "divvy", "Ogden Ave & Roosevelt Rd"),
    ("en", "ashland & grand", "corner", "divvy", "Ashland Ave & Grand Ave"),
    # addresses — es (building addresses whose point is the building's own geocode)
    ("es", "3857 w 111", "address", "cps", "Chicago High School for Agricultural Sciences", "3857"),
    ("es", "en el 2100 e de la 87", "address", "cps", "Chicago Vocational Career Academy High School", "2100"),
    ("es", "5630 s rockwell", "address", "cps", "Gage Park High School", "5630"),
    ("es", "2311 s kedzie", "address", "lib", "Little Village", "2311"),
    ("es", "el 4314 s archer", "address", "lib", "Brighton Park", "4314"),
    ("es", "3030 w fullerton", "address", "lib", "Logan Square", "3030"),
    ("es", "5108 w belmont", "address", "lib", "Portage-Cragin", "5108"),
    ("es", "el 2875 de la 19", "address", "hosp", "Saint Anthony Hospital", "2875"),
    ("es", "6120 s kedzie", "address", "lib", "Chicago Lawn", "6120"),
    ("es", "3436 w wilson", "address", "cps", "Theodore Roosevelt High School", "3436"),
    ("es", "5400 s st louis", "address", "cps", "Eric Solorio Academy High School", "5400"),
    ("es", "9055 s houston", "address", "lib", "South Chicago", "9055"),
    ("es", "1147 n western", "address", "cps", "Roberto Clemente Community Academy High School", "1147"),
    ("es", "3401 w foster", "address", "lib", "Albany Park", "3401"),
    ("es", "la 4300 de la north", "address", "lib", "North Pulaski", "4300"),
    # addresses — en
    ("en", "4455 n lincoln ave", "address", "lib", "Sulzer Regional Library", "4455"),
    ("en", "3535 e 114th st", "address", "cps", "George Washington High School", "3535"),
    ("en", "6200 s hamlin", "address", "cps", "Gurdon S Hubbard High School", "6200"),
    ("en", "5039 n kimball", "address", "cps", "Friedrich W von Steuben Metropolitan Science High School", "5039"),
    ("en", "3250 w adams", "address", "cps", "John Marshall Metropolitan High School", "3250"),
    ("en", "forty one hundred w 79th", "address", "lib", "Scottsdale", "4101"),
    ("en", "4024 n elston", "address", "lib", "Independence", "4024"),
    ("en", "2148 n long ave", "address", "cps", "Charles Allen Prosser Career Academy High School", "2148"),
    ("en", "7531 s stony island", "address", "hosp", "Jackson Park Hospital", "7531"),
    ("en", "5025 n paulina", "address", "hosp", "Methodist Hospital of Chicago", "5025"),
    ("en", "2320 e 93rd st", "address", "hosp", "Advocate Trinity Hospital", "2320"),
    ("en", "4400 w lawrence", "address", "lib", "Mayfair", "4400"),
    ("en", "3939 w 79th", "address", "cps", "William J Bogan High School", "3939"),
    ("en", "1701 n milwaukee", "address", "lib", "Bucktown-Wicker Park", "1701"),
    ("en", "8148 s stony island", "address", "lib", "Avalon", "8148"),
    # landmarks — es
    ("es", "la estacion de la cafe en western", "landmark", "cta", "Western (Brown Line)"),
    ("es", "el tren azul de logan square", "landmark", "cta", "Logan Square (Blue Line)"),
    ("es", "la roja de la 95", "landmark", "cta", "95th/Dan Ryan (Red Line)"),
    ("es", "la parada de la rosa en kostner", "landmark", "cta", "Kostner (Pink Line)"),
    ("es", "la verde de garfield", "landmark", "cta", "Garfield (Green Line)"),
    ("es", "la naranja en pulaski", "landmark", "cta", "Pulaski (Orange Line)"),
    ("es", "la prepa curie", "landmark", "cps", "Marie Sklodowska Curie Metropolitan High School"),
    ("es", "la prepa schurz", "landmark", "cps", "Carl Schurz High School"),
    ("es", "la prepa kelvin park", "landmark", "cps", "Kelvyn Park High School"),
    ("es", "la prepa clemente", "landmark", "cps", "Roberto Clemente Community Academy High School"),
    ("es", "la prepa steinmetz", "landmark", "cps", "Charles P Steinmetz Academic Centre High School"),
    ("es", "la prepa hubbard", "landmark", "cps", "Gurdon S Hubbard High School"),
    ("es", "la prepa bogan", "landmark", "cps", "William J Bogan High School"),
    ("es", "el parque mckinley", "landmark", "park", "MCKINLEY (WILLIAM)"),
    ("es", "el parque kosciuszko", "landmark", "park", "KOSCIUSZKO (THADEUZ)"),
    ("es", "el parque piotrowski", "landmark", "park", "PIOTROWSKI (LILLIAN)"),
    ("es", "el parque de la villita", "landmark", "park", "LA VILLITA"),
    ("es", "el parque hermosa", "landmark", "park", "HERMOSA"),
    ("es", "el parque riis", "landmark", "park", "RIIS (JACOB)"),
    ("es", "el parque gage", "landmark", "park", "GAGE (GEORGE)"),
    ("es", "la biblioteca sulzer", "landmark", "lib", "Sulzer Regional Library"),
    ("es", "la libreria de west lawn", "landmark", "lib", "West Lawn"),
    ("es", "la biblioteca de archer heights", "landmark", "lib", "Archer Heights"),
    ("es", "el hospital mercy", "landmark", "hosp", "Mercy Hospital and Medical Center"),
    ("es", "el hospital norwegian", "landmark", "hosp", "Norwegian American Hospital"),
    # landmarks — en
    ("en", "brown line kimball", "landmark", "cta", "Kimball (Brown Line)"),
    ("en", "jefferson park blue line", "landmark", "cta", "Jefferson Park (Blue Line)"),
    ("en", "midway orange line", "landmark", "cta", "Midway (Orange Line)"),
    ("en", "howard red line", "landmark", "cta", "Howard (Red, Purple & Yellow Lines)"),
    ("en", "california pink line", "landmark", "cta", "California (Pink Line)"),
    ("en", "irving park blue line stop", "landmark", "cta", "Irving Park (Blue Line)"),
    ("en", "lane tech", "landmark", "cps", "Albert G Lane Technical High School"),
    ("en", "amundsen high school", "landmark", "cps", "Roald Amundsen High School"),
    ("en", "senn high", "landmark", "cps", "Nicholas Senn High School"),
    ("en", "taft hs", "landmark", "cps", "William Howard Taft High School"),
    ("en", "roosevelt high school", "landmark", "cps", "Theodore Roosevelt High School"),
    ("en", "kennedy high school", "landmark", "cps", "John F Kennedy High School"),
    ("en", "hyde park academy", "landmark", "cps", "Hyde Park Academy High School"),
    ("en", "horner park", "landmark", "park", "HORNER (HENRY)"),
    ("en", "winnemac park", "landmark", "park", "WINNEMAC"),
    ("en", "sherman park", "landmark", "park", "SHERMAN (JOHN)"),
    ("en", "chopin park", "landmark", "park", "CHOPIN (FREDERIC)"),
    ("en", "welles park", "landmark", "park", "WELLES (GIDEON)"),
    ("en", "mount sinai hospital", "landmark", "hosp", "Mount Sinai Hospital"),
    ("en", "swedish covenant", "landmark", "hosp", "Swedish Covenant Hospital"),
    ("en", "holy cross hospital", "landmark", "hosp", "Holy Cross Hospital"),
    ("en", "stroger hospital", "landmark", "hosp", "John H Stroger Jr Hospital of Cook County"),
    ("en", "loretto hospital", "landmark", "hosp", "Loretto Hospital"),
    ("en", "albany park library", "landmark", "lib", "Albany Park"),
    ("en", "logan square library", "landmark", "lib", "Logan Square"),
    # neighbourhoods — es
    ("es", "en albany park", "neighbourhood", "hood", "Albany Park"),
    ("es", "belmont cragin", "neighbourhood", "hood", "Belmont Cragin"),
    ("es", "por hermosa", "neighbourhood", "hood", "Hermosa"),
    ("es", "en gage park", "neighbourhood", "hood", "Gage Park"),
    ("es", "en el south chicago", "neighbourhood", "hood", "South Chicago"),
    ("es", "en rogers park", "neighbourhood", "hood", "Rogers Park"),
    ("es", "por el east side", "neighbourhood", "hood", "East Side"),
    ("es", "en austin", "neighbourhood", "hood", "Austin"),
    ("es", "north lawndale", "neighbourhood", "hood", "North Lawndale"),
    ("es", "en west lawn", "neighbourhood", "hood", "West Lawn"),
    # neighbourhoods — en
    ("en", "logan square", "neighbourhood", "hood", "Logan Square"),
    ("en", "uptown", "neighbourhood", "hood", "Uptown"),
    ("en", "portage park area", "neighbourhood", "hood", "Portage Park"),
    ("en", "in avondale", "neighbourhood", "hood", "Avondale"),
    ("en", "chicago lawn", "neighbourhood", "hood", "Chicago Lawn"),
    ("en", "archer heights", "neighbourhood", "hood", "Archer Heights"),
    ("en", "around irving park", "neighbourhood", "hood", "Irving Park"),
    ("en", "roseland", "neighbourhood", "hood", "Roseland"),
    ("en", "garfield ridge", "neighbourhood", "hood", "Garfield Ridge"),
    ("en", "hegewisch", "neighbourhood", "hood", "Hegewisch"),
    # sentences — es
    ("es", "hay 3 camionetas en la 63 y western", "sentence", "cam", "WESTERN AND 63RD"),
    ("es", "estan parados en milwaukee y central", "sentence", "cam", "MILWAUKEE AND CENTRAL"),
    ("es", "vi a la migra afuera de la prepa foreman", "sentence", "cps", "Edwin G Foreman High School"),
    ("es", "acaban de detener a alguien enfrente del parque senka", "sentence", "park", 'SENKA (EDWARD "DUKE")'),
    ("es", "hay agentes en la estacion de la azul en damen", "sentence", "cta", "Damen (Blue Line)"),
    ("es", "andan rondando por la biblioteca de little village", "sentence", "lib", "Little Village"),
    ("es", "se llevaron a un señor en la 55 y pulaski", "sentence", "cam", "55TH and PULASKI"),
    ("es", "mi hermana dice que estan en fullerton y western", "sentence", "cam", "WESTERN AND FULLERTON"),
    ("es", "hay patrullas y migra en foster y broadway", "sentence", "cam", "FOSTER AND BROADWAY"),
    (
        "es",
        "estan afuera del hospital st mary",
        "sentence",
        "hosp",
        "Presence Saints Mary and Elizabeth Medical Center",
    ),
    ("es", "vieron una van blanca cerca de la prepa gage park", "sentence", "cps", "Gage Park High School"),
    ("es", "pasaron por la north y pulaski hace rato", "sentence", "cam", "PULASKI AND NORTH"),
    ("es", "estan en la parada de la cafe en kedzie", "sentence", "cta", "Kedzie (Brown Line)"),
    ("es", "me dijeron que hay un reten en la 87 y vincennes", "sentence", "cam", "87TH AND VINCENNES"),
    ("es", "estan afuera del 3400 n austin ahorita", "sentence", "cps", "Chicago Academy High School", "3400"),
    # sentences — en
    ("en", "ice parked by the pink line on cicero", "sentence", "cta", "Cicero (Pink Line)"),
    ("en", "theyre at kimball and diversey rn", "sentence", "cam", "KIMBALL AND DIVERSEY"),
    ("en", "2 unmarked cars outside lindblom", "sentence", "cps", "Robert Lindblom Math & Science Academy High School"),
    ("en", "agents at the blue line in pulaski", "sentence", "cta", "Pulaski (Blue Line)"),
    ("en", "saw ice at ashland and division", "sentence", "cam", "ASHLAND AND DIVISION"),
    ("en", "someone got detained near california and peterson", "sentence", "cam", "CALIFORNIA AND PETERSON"),
    ("en", "there are agents by the green line on laramie", "sentence", "cta", "Laramie (Green Line)"),
    ("en", "ICE vans lined up at 119th and halsted", "sentence", "cam", "119TH AND HALSTED"),
    ("en", "they took a guy from the car wash on pulaski & montrose", "sentence", "cam", "PULASKI AND MONTROSE"),
    ("en", "heard theyre at western n devon right now", "sentence", "cam", "WESTERN AND DEVON"),
    ("en", "checkpoint at clark and fullerton", "sentence", "cam", "CLARK AND FULLERTON"),
    ("en", "my cousin says la migra is at the red line on lawrence", "sentence", "cta", "Lawrence (Red Line)"),
    ("en", "agents outside julian high school", "sentence", "cps", "Percy L Julian High School"),
    ("en", "two trucks parked next to mcguane park", "sentence", "park", "MCGUANE (JOHN)"),
    ("en", "they were asking for papers at legler library", "sentence", "lib", "Legler Regional"),
]

NONE_ES = [
    "hola",
    "buenas tardes",
    "ayuda por favor",
    "la",
    "el parque",
    "la escuela",
    "la esquina",
    "cerca de mi casa",
    "ahorita",
    "a las 6 de la mañana",
    "como 5 camionetas",
    "eran como veinte agentes",
    "la migra",
    "ice",
    "gracias",
    "no se donde",
    "la linea",
    "el tren",
    "aqui",
    "por aca",
    "en el trabajo",
    "dos carros negros sin placas",
    "hace 10 minutos",
    "si",
    "mañana en la mañana",
]
NONE_EN = [
    "hi",
    "help",
    "the park",
    "the school",
    "the corner",
    "near my house",
    "idk",
    "right now",
    "at 7am",
    "3 trucks",
    "like 10 agents",
    "ice agents",
    "thanks",
    "ok",
    "the train",
    "the station",
    "down the street",
    "by my job",
    "last night",
    "no plates",
]
# Suburbs: not Chicago places (kind `outside`, no point).
OUTSIDE = [
    ("en", "park ridge?"),
    ("es", "en berwyn"),
    ("en", "evanston"),
    ("en", "in oak park"),
    ("es", "en melrose park"),
    ("en", "skokie"),
    ("es", "en waukegan"),
    ("es", "aurora il"),
    ("es", "por el pueblo de cicero"),
]


def build(root: Path) -> list[list[str]]:
    gaz = {k: load(root) for k, (_, load) in LOADERS.items()}
    rows = []
    for spec in PLACES:
        lang, text, kind, src, key = spec[:5]
        lat, lon, record, address = gaz[src][key]  # KeyError = a misspelt record key: fix the spec, never guess
        if len(spec) > 5:
            assert address.startswith(spec[5] + " "), (text, address)
        assert 41.64 < lat < 42.03 and -87.95 < lon < -87.52, (text, lat, lon)  # inside Chicago's bounding box
        rows.append([lang, text, f"{lat:.5f}", f"{lon:.5f}", kind, f"{LOADERS[src][0].label()} {record}"])
    for lang, texts in (("es", NONE_ES), ("en", NONE_EN)):
        rows += [[lang, t, "", "", "none", "hand-written non-place"] for t in texts]
    rows += [[lang, t, "", "", "outside", "hand-written suburb name (outside Chicago)"] for lang, t in OUTSIDE]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror-root", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("places_eval2.tsv"))
    args = ap.parse_args()
    rows = build(args.mirror_root)
    texts = [r[1] for r in rows]
    assert len(texts) == len(set(texts)), "duplicate input text"
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(["lang", "text", "lat", "lon", "kind", "source"])
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
