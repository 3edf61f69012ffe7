"""Tests for offline place resolution (issue 3). No network: nothing here may reach an online geocoder.

Where the expected points come from (never from the fitted grid transform itself):

* ``OSM`` — intersection coordinates as published on OpenStreetMap, entered by hand by the author. They
  were then cross-checked against City data: ``test_osm_points_sit_on_city_boundaries`` confirms each lies
  within 60 m of a vertex of the City's census-tract boundaries (tract lines run down street centrelines),
  which the ``chicago`` package ships. Roosevelt & Halsted has no tract corner nearby and is exempt.
* ``ADDR`` — an address's expected point is built from two ``OSM`` intersections with the published grid
  rule (800 numbers a mile): e.g. 4800 S Wolcott = 47th & Ashland moved 3/8 of the way to 47th & Western
  (1900 W between 1600 W and 2400 W) and 100 numbers (1/8 mile = 0.00181°) south.
* ``CA`` — a community area's expected point is the area-weighted centroid of the City's 2010 census
  tracts for that area (City of Chicago data in the ``chicago`` package).
* ``ZIP`` — centroid of the City's ZIP-code polygon (same package).
"""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest

from bot.geo import (
    GeoService,
    OfflineResolver,
    Place,
    build_geo_service,
    coarsen,
    distance_m,
    normalize,
)

TOLERANCE_M = 300.0

# --- expected points -------------------------------------------------------------------------------
OSM = {
    "47/ashland": (41.8088, -87.6648),
    "cermak/western": (41.8520, -87.6856),
    "26/pulaski": (41.8443, -87.7244),
    "26/kedzie": (41.8445, -87.7052),
    "18/ashland": (41.8578, -87.6666),
    "18/halsted": (41.8578, -87.6466),
    "cermak/pulaski": (41.8518, -87.7248),
    "31/kedzie": (41.8376, -87.7049),
    "47/pulaski": (41.8079, -87.7232),
    "47/kedzie": (41.8083, -87.7036),
    "47/western": (41.8086, -87.6843),
    "55/pulaski": (41.7933, -87.7228),
    "63/kedzie": (41.7793, -87.7030),
    "59/kedzie": (41.7866, -87.7032),
    "63/western": (41.7795, -87.6837),
    "71/western": (41.7650, -87.6834),
    "fullerton/pulaski": (41.9244, -87.7267),
    "north/western": (41.9104, -87.6872),
    "division/california": (41.9029, -87.6971),
    "armitage/kedzie": (41.9174, -87.7067),
    "diversey/pulaski": (41.9317, -87.7268),
    "belmont/cicero": (41.9388, -87.7466),
    "lawrence/kedzie": (41.9685, -87.7084),
    "devon/western": (41.9979, -87.6899),
    "irving/pulaski": (41.9538, -87.7275),
    "madison/state": (41.8819, -87.6278),
    "roosevelt/halsted": (41.8673, -87.6469),
    "chicago/ashland": (41.8961, -87.6671),
    "79/halsted": (41.7507, -87.6442),
    "95/western": (41.7214, -87.6827),
    "cermak/kedzie": (41.8519, -87.7050),
    "35/ashland": (41.8306, -87.6656),
    "pershing/western": (41.8232, -87.6850),
    "howard/western": (42.0190, -87.6901),
    "lawrence/cicero": (41.9680, -87.7478),
    "belmont/central": (41.9384, -87.7666),
    "51/kedzie": (41.8010, -87.7035),
    "31/pulaski": (41.8369, -87.7243),
    "55/kedzie": (41.7939, -87.7034),
    "63/pulaski": (41.7788, -87.7226),
    "91/commercial": (41.7299, -87.5515),
    "79/stony": (41.7515, -87.5859),
    "103/halsted": (41.7066, -87.6431),
    "cermak/damen": (41.8524, -87.6757),
}
CA = {
    1: (42.00925, -87.6685),
    3: (41.96585, -87.65238),
    14: (41.96804, -87.72164),
    15: (41.95403, -87.76341),
    19: (41.92728, -87.76553),
    20: (41.92438, -87.73474),
    21: (41.93867, -87.71121),
    22: (41.92264, -87.69891),
    23: (41.90009, -87.72104),
    30: (41.83899, -87.71404),
    31: (41.85024, -87.66758),
    34: (41.84211, -87.63396),
    46: (41.74308, -87.54679),
    52: (41.70791, -87.53435),
    55: (41.66047, -87.54662),
    56: (41.79473, -87.76293),
    57: (41.81083, -87.72634),
    58: (41.81733, -87.69886),
    59: (41.8299, -87.67253),
    60: (41.83606, -87.64876),
    61: (41.80903, -87.65909),
    63: (41.79541, -87.69621),
    65: (41.7698, -87.72693),
    66: (41.77185, -87.69566),
}
ZIP = {
    "60608": (41.84865, -87.67092),
    "60609": (41.81223, -87.65535),
    "60623": (41.84846, -87.71691),
    "60629": (41.7752, -87.71275),
    "60632": (41.81171, -87.71364),
    "60639": (41.92046, -87.756),
    "60647": (41.9211, -87.70226),
}
MILE_LAT = 0.01447  # 1 mile of latitude in degrees, for ADDR points


def addr(on: str, toward: str, fraction: float, south_numbers: int = 0) -> tuple[float, float]:
    """ADDR point: move ``fraction`` of the way between two OSM corners, then ``south_numbers`` south."""
    (la, lo), (lb, lob) = OSM[on], OSM[toward]
    return la + (lb - la) * fraction - south_numbers / 800 * MILE_LAT, lo + (lob - lo) * fraction


# (typed input, expected (lat, lon), expected kind)
TABLE: list[tuple[str, tuple[float, float], str]] = [
    # intersections, English
    ("47th & Ashland", OSM["47/ashland"], "intersection"),
    ("47th and Ashland", OSM["47/ashland"], "intersection"),
    ("W 47th St and S Ashland Ave", OSM["47/ashland"], "intersection"),
    ("Cermak and Western", OSM["cermak/western"], "intersection"),
    ("22nd & Western", OSM["cermak/western"], "intersection"),
    ("26th St & Pulaski", OSM["26/pulaski"], "intersection"),
    ("26th at Kedzie", OSM["26/kedzie"], "intersection"),
    ("18th and halsted", OSM["18/halsted"], "intersection"),
    ("corner of 18th and Ashland", OSM["18/ashland"], "intersection"),
    ("Cermak Rd / Pulaski Rd", OSM["cermak/pulaski"], "intersection"),
    ("31st & Kedzie", OSM["31/kedzie"], "intersection"),
    ("47th and Pulaski", OSM["47/pulaski"], "intersection"),
    ("Western & 47th", OSM["47/western"], "intersection"),
    ("Garfield Blvd and Pulaski", OSM["55/pulaski"], "intersection"),
    ("63rd St & Kedzie Ave", OSM["63/kedzie"], "intersection"),
    ("71st and Western", OSM["71/western"], "intersection"),
    ("Fullerton & Pulaski", OSM["fullerton/pulaski"], "intersection"),
    ("North Ave and Western Ave", OSM["north/western"], "intersection"),
    ("Division & California", OSM["division/california"], "intersection"),
    ("Armitage and Kedzie", OSM["armitage/kedzie"], "intersection"),
    ("Belmont & Cicero", OSM["belmont/cicero"], "intersection"),
    ("Lawrence and Kedzie", OSM["lawrence/kedzie"], "intersection"),
    ("Devon & Western", OSM["devon/western"], "intersection"),
    ("Irving Park Rd and Pulaski", OSM["irving/pulaski"], "intersection"),
    ("State and Madison", OSM["madison/state"], "intersection"),
    ("Roosevelt & Halsted", OSM["roosevelt/halsted"], "intersection"),
    ("79th and Halsted", OSM["79/halsted"], "intersection"),
    ("95th & Western", OSM["95/western"], "intersection"),
    ("Stony Island and 79th", OSM["79/stony"], "intersection"),
    ("91st & Commercial", OSM["91/commercial"], "intersection"),
    ("103rd and Halsted", OSM["103/halsted"], "intersection"),
    ("Howard and Western", OSM["howard/western"], "intersection"),
    # intersections, Spanish
    ("47 y Ashland", OSM["47/ashland"], "intersection"),
    ("calle 47 y Ashland", OSM["47/ashland"], "intersection"),
    ("la 26 y Pulaski", OSM["26/pulaski"], "intersection"),
    ("Calle 26 y Kedzie", OSM["26/kedzie"], "intersection"),
    ("la 22 y Western", OSM["cermak/western"], "intersection"),
    ("Avenida Kedzie y la 31", OSM["31/kedzie"], "intersection"),
    ("esquina de la 63 y Western", OSM["63/western"], "intersection"),
    ("Cermak y Damen", OSM["cermak/damen"], "intersection"),
    ("calle 51 e Kedzie", OSM["51/kedzie"], "intersection"),
    ("Pershing y Western", OSM["pershing/western"], "intersection"),
    # misspellings / case / abbreviations
    ("47th & Ashlnd", OSM["47/ashland"], "intersection"),
    ("26 y Pulasky", OSM["26/pulaski"], "intersection"),
    ("CERMAK AND WESTREN", OSM["cermak/western"], "intersection"),
    ("59 y Kedsie", OSM["59/kedzie"], "intersection"),
    ("Lawrence & Cicero Av.", OSM["lawrence/cicero"], "intersection"),
    ("Belmont y Central", OSM["belmont/central"], "intersection"),
    ("Chicago Av & Ashland", OSM["chicago/ashland"], "intersection"),
    ("35th/Ashland", OSM["35/ashland"], "intersection"),
    # addresses
    ("4800 S Wolcott", addr("47/ashland", "47/western", 3 / 8, 100), "address"),
    ("4800 block of South Wolcott Avenue", addr("47/ashland", "47/western", 3 / 8, 100), "address"),
    ("4800 sur Wolcott", addr("47/ashland", "47/western", 3 / 8, 100), "address"),
    ("4700 S Ashland Ave", OSM["47/ashland"], "address"),
    ("1600 W 47th St", OSM["47/ashland"], "address"),
    ("2400 W Cermak Rd", OSM["cermak/western"], "address"),
    ("4000 W 26th St", OSM["26/pulaski"], "address"),
    ("3600 W 26th Street", addr("26/kedzie", "26/pulaski", 1 / 2), "address"),
    ("2200 S Pulaski", OSM["cermak/pulaski"], "address"),
    ("6300 S Kedzie", OSM["63/kedzie"], "address"),
    ("2400 N Pulaski Rd", OSM["fullerton/pulaski"], "address"),
    ("4800 N Kedzie", OSM["lawrence/kedzie"], "address"),
    ("3200 W 47th", OSM["47/kedzie"], "address"),
    # neighbourhoods (English, Spanish, no accents, misspelled)
    ("Pilsen", CA[31], "community_area"),
    ("PILSEN", CA[31], "community_area"),
    ("en Pilsen", CA[31], "community_area"),
    ("Pilsn", CA[31], "community_area"),
    ("Little Village", CA[30], "community_area"),
    ("La Villita", CA[30], "community_area"),
    ("barrio la villita", CA[30], "community_area"),
    ("little vilage", CA[30], "community_area"),
    ("Back of the Yards", CA[61], "community_area"),
    ("back of the yard", CA[61], "community_area"),
    ("Brighton Park", CA[58], "community_area"),
    ("Brigton Park", CA[58], "community_area"),
    ("Gage Park", CA[63], "community_area"),
    ("Archer Heights", CA[57], "community_area"),
    ("Chicago Lawn", CA[66], "community_area"),
    ("Marquette Park", CA[66], "community_area"),
    ("Parque Marquette", CA[66], "community_area"),
    ("Humboldt Park", CA[23], "community_area"),
    ("Humbolt Park", CA[23], "community_area"),
    ("Logan Square", CA[22], "community_area"),
    ("Belmont Cragin", CA[19], "community_area"),
    ("Hermosa", CA[20], "community_area"),
    ("Albany Park", CA[14], "community_area"),
    ("Rogers Park", CA[1], "community_area"),
    ("Chinatown", CA[34], "community_area"),
    ("Barrio Chino", CA[34], "community_area"),
    ("Bridgeport", CA[60], "community_area"),
    ("McKinley Park", CA[59], "community_area"),
    ("mckinley park", CA[59], "community_area"),
    ("Garfield Ridge", CA[56], "community_area"),
    ("West Lawn", CA[65], "community_area"),
    ("South Chicago", CA[46], "community_area"),
    ("East Side", CA[52], "community_area"),
    ("Hegewisch", CA[55], "community_area"),
    ("Hegewish", CA[55], "community_area"),
    ("Uptown", CA[3], "community_area"),
    ("Avondale", CA[21], "community_area"),
    ("Portage Park", CA[15], "community_area"),
    # ZIP codes
    ("60608", ZIP["60608"], "zip"),
    ("zip 60609", ZIP["60609"], "zip"),
    ("código postal 60623", ZIP["60623"], "zip"),
    ("codigo postal 60629", ZIP["60629"], "zip"),
    ("60632", ZIP["60632"], "zip"),
    ("60639", ZIP["60639"], "zip"),
    ("60647", ZIP["60647"], "zip"),
]


@pytest.fixture(scope="module")
def resolver() -> OfflineResolver:
    return OfflineResolver.load()


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 60
    assert (
        sum(
            1
            for text, _, _ in TABLE
            if any(
                w in text.lower()
                for w in (" y ", "calle", "la ", "sur", "barrio", "parque", "codigo", "código")
            )
        )
        >= 15
    )


@pytest.mark.parametrize(("text", "expected", "kind"), TABLE, ids=[t for t, _, _ in TABLE])
def test_typed_input_resolves_within_300m(
    resolver: OfflineResolver, text: str, expected: tuple[float, float], kind: str
) -> None:
    places = resolver.resolve(text)
    assert places, f"nothing for {text!r}"
    best = places[0]
    assert best.kind == kind
    if kind == "community_area":
        # A neighbourhood name points at the City neighbourhood of that name (docs/geo.md), which can lie
        # 400-700 m from the community area's centroid: the point must be inside the right community area.
        number = next(n for n, point in CA.items() if point == expected)
        assert best.area_number == number
        inside = resolver.area_at(best.lat, best.lon).number == number
        assert inside or distance_m((best.lat, best.lon), expected) <= TOLERANCE_M  # Hegewisch: concave
    else:
        assert distance_m((best.lat, best.lon), expected) <= TOLERANCE_M
    assert 0.0 < best.confidence <= 1.0
    assert best.label("en") and best.label("es")


def test_ambiguous_input_yields_up_to_three_candidates(resolver: OfflineResolver) -> None:
    places = resolver.resolve("Brigton Prk")  # a misspelt name is offered, never accepted
    assert 1 <= len(places) <= 3 and places[0].kind == "community_area"
    assert resolver.find("Brigton Prk").status == "candidates"
    assert resolver.resolve("park") == []  # issue 13: a filler word is not a place
    both = resolver.resolve("4800 Wolcott")  # no N/S: both sides are offered, South first
    assert [p.label_en.split(",")[0] for p in both] == ["4800 S Wolcott Ave", "4800 N Wolcott Ave"]
    assert len(resolver.resolve("4800 Wolcott", limit=1)) == 1


@pytest.mark.parametrize("text", ["xyzzy", "", "   ", "asdf qwer", "the moon", "99999", "Ashland and Damen"])
def test_unresolvable_input_gives_nothing(resolver: OfflineResolver, text: str) -> None:
    assert resolver.resolve(text) == []


def test_typed_coordinates_are_a_pin(resolver: OfflineResolver) -> None:
    (place,) = resolver.resolve("41.8088, -87.6648")
    assert place.kind == "pin" and place.area_number == 61


def test_labels_are_bilingual(resolver: OfflineResolver) -> None:
    (place,) = resolver.resolve("La Villita")
    assert place.label("es") == "South Lawndale (La Villita)"
    assert place.label("en") == "South Lawndale (Little Village)"
    assert place.area_number == 30
    (corner,) = resolver.resolve("47 y Ashland")
    assert corner.label("es").startswith("47th St y Ashland Ave")
    assert corner.label("en").startswith("47th St & Ashland Ave")


# --- reverse labels: sample points named by a well-known landmark or a City centroid ----------------
REVERSE = [
    ((41.8088, -87.6648), 61),  # 47th & Ashland (OSM) — New City
    ((41.7868, -87.7522), 56),  # Midway Airport terminal (OSM) — Garfield Ridge
    ((41.9484, -87.6553), 6),  # Wrigley Field (OSM) — Lake View
    ((41.8789, -87.6359), 32),  # Willis Tower (OSM) — Loop
    ((41.8527, -87.6320), 34),  # Chinatown gate, Wentworth & Cermak (OSM) — Armour Square
    ((41.9786, -87.9048), 76),  # O'Hare terminals (OSM) — O'Hare
    ((41.8443, -87.7150), 30),  # 26th St, Little Village arch area (OSM) — South Lawndale
    # City centroids fall inside their own areas — except Hegewisch (55), whose L-shaped outline around
    # Wolf Lake puts its centroid in South Deering.
    *[(point, number) for number, point in CA.items() if number != 55],
]


@pytest.mark.parametrize(("point", "number"), REVERSE)
def test_reverse_names_the_right_community_area(
    resolver: OfflineResolver, point: tuple[float, float], number: int
) -> None:
    place = resolver.reverse(*point)
    assert place.kind == "pin"
    assert place.area_number == number
    assert resolver.area_name(number) in place.label_en


def test_reverse_label_names_nearest_major_corner(resolver: OfflineResolver) -> None:
    place = resolver.reverse(41.8090, -87.6652)
    assert place.label("en") == "near 47th St & Ashland Ave, New City (Back of the Yards)"
    assert place.label("es") == "cerca de 47th St y Ashland Ave, New City (Back of the Yards)"
    assert "Cermak Rd & Western Ave" in resolver.reverse(*OSM["cermak/western"]).label_en
    assert "Fullerton Ave & Pulaski Rd" in resolver.reverse(*OSM["fullerton/pulaski"]).label_en


def test_area_name(resolver: OfflineResolver) -> None:
    assert resolver.area_name(61) == "New City"
    assert resolver.area_name(59) == "McKinley Park"
    assert resolver.area_name(76) == "O'Hare"
    assert len(resolver.areas) == 77


# --- service area and privacy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        ((41.8819, -87.6278), True),  # State & Madison
        ((41.6605, -87.5466), True),  # Hegewisch
        ((41.8850, -87.7845), True),  # Oak Park, ~0.8 km west of Austin Blvd: inside the 2 km margin
        ((42.0565, -87.6753), False),  # Evanston, Northwestern University (~4 km north of Howard)
        ((41.8800, -87.5000), False),  # Lake Michigan, 9 km offshore
        ((43.0389, -87.9065), False),  # Milwaukee
        ((41.6020, -87.3370), False),  # Gary, Indiana
    ],
)
def test_service_area(resolver: OfflineResolver, point: tuple[float, float], inside: bool) -> None:
    assert resolver.within_service_area(*point) is inside


def test_margin_is_configurable() -> None:
    wide = OfflineResolver.load(margin_km=6.0)
    assert wide.within_service_area(42.0565, -87.6753)
    assert not OfflineResolver.load(margin_km=0.0).within_service_area(41.8850, -87.7845)


def test_coarsen_snaps_to_about_150m() -> None:
    lat, lon = 41.808812, -87.664831
    c = coarsen(lat, lon)
    assert c != (lat, lon)
    assert distance_m((lat, lon), c) <= 150 * math.sqrt(2) / 2 + 1
    assert coarsen(*c) == c
    assert coarsen(41.80882, -87.66482) == c  # a few metres away: same cell
    assert coarsen(lat, lon, 0) == (lat, lon)
    far = coarsen(lat, lon, 1000)
    assert distance_m((lat, lon), far) <= 1000 * math.sqrt(2) / 2 + 1


def test_distance_uses_geodesic() -> None:
    assert distance_m((41.8819, -87.6278), (41.8819, -87.6278)) == 0
    assert 1590 < distance_m((41.8819, -87.6278), (41.8674, -87.6278)) < 1630


def test_normalize_strips_accents_and_case() -> None:
    assert normalize("Código Postal  60623") == "codigo postal 60623"
    assert normalize("Cermak Rd. & Western") == "cermak rd & western"


# --- async facade ----------------------------------------------------------------------------------


class FakeOnline:
    """Stands in for the online geocoder: records calls, never touches the network."""

    def __init__(self, places: list[Place]) -> None:
        self.places, self.calls = places, []

    async def geocode(self, text: str, limit: int = 3) -> list[Place]:
        self.calls.append(text)
        return self.places


def test_geo_service_uses_offline_first_and_filters_service_area(resolver: OfflineResolver) -> None:
    inside = Place(41.85, -87.70, "address", "somewhere", "algún lugar", 0.5, None)
    outside = Place(43.04, -87.90, "address", "Milwaukee", "Milwaukee", 0.5, None)
    online = FakeOnline([inside, outside])
    service = GeoService(resolver, online, coarsen_m=150)  # type: ignore[arg-type]
    found = asyncio.run(service.resolve("Pilsen"))
    assert found[0].area_number == 31 and online.calls == []
    fallback = asyncio.run(service.resolve("1234 Some Unknown Diagonal Rd"))
    assert online.calls == ["1234 Some Unknown Diagonal Rd"]
    assert [p.label_en for p in fallback] == ["somewhere"] and fallback[0].area_number is not None
    assert service.coarsen(41.808812, -87.664831) == coarsen(41.808812, -87.664831, 150)
    assert service.reverse(41.8088, -87.6648).area_number == 61
    assert not service.within_service_area(43.04, -87.90)


def test_factory_is_offline_by_default() -> None:
    service = build_geo_service(
        gazetteer_path=None, margin_km=2.0, coarsen_m=150, geocoder="offline", user_agent=""
    )
    assert service.online is None
    assert asyncio.run(service.resolve("60608"))[0].kind == "zip"


def test_factory_online_needs_user_agent_and_makes_no_request() -> None:
    with pytest.raises(ValueError):
        build_geo_service(
            gazetteer_path=None, margin_km=2.0, coarsen_m=150, geocoder="nominatim", user_agent=""
        )
    service = build_geo_service(
        gazetteer_path=None, margin_km=2.0, coarsen_m=150, geocoder="photon", user_agent="vecinos-test"
    )
    assert service.online is not None and service.online._limited is None  # built lazily, nothing sent


# --- data and generator ----------------------------------------------------------------------------


def test_shipped_gazetteer_is_small_and_complete() -> None:
    path = Path(__file__).resolve().parents[1] / "bot" / "geodata" / "chicago.json"
    assert path.stat().st_size < 2_000_000
    data = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(a["number"] for a in data["areas"]) == list(range(1, 78))
    assert len(data["zips"]) >= 55
    assert len(data["grid"]["ns"]) + len(data["grid"]["ew"]) >= 120
    assert all(row["source"] in {"official", *data["alias_sources"]} for row in data["aliases"])
    required = [
        "Pilsen",
        "Little Village",
        "La Villita",
        "Back of the Yards",
        "Brighton Park",
        "Gage Park",
        "Archer Heights",
        "Chicago Lawn",
        "Marquette Park",
        "Humboldt Park",
        "Logan Square",
        "Belmont Cragin",
        "Hermosa",
        "Albany Park",
        "Rogers Park",
        "Chinatown",
        "Bridgeport",
        "McKinley Park",
        "Garfield Ridge",
        "West Lawn",
        "South Chicago",
        "East Side",
        "Hegewisch",
        "Uptown",
        "Avondale",
        "Portage Park",
    ]
    assert set(required) <= {row["alias"] for row in data["aliases"]}


def test_osm_points_sit_on_city_boundaries() -> None:
    """Independent check of the hand-entered OSM corners against City tract boundaries."""
    pytest.importorskip("six")
    build = pytest.importorskip("bot.geodata.build_gazetteer")
    tracts = build.read_polygons(build.chicago_data_dir() / "census_tracts_as_of_2010.geojson")
    vertices = [p for _, rings in tracts for ring in rings for p in ring]
    for name, (lat, lon) in OSM.items():
        if name == "roosevelt/halsted":
            continue
        near = min(
            math.hypot((v[1] - lat) * 110_574, (v[0] - lon) * 83_000)
            for v in vertices
            if abs(v[1] - lat) < 0.01 and abs(v[0] - lon) < 0.01
        )
        assert near <= 60, name


def test_generator_is_reproducible() -> None:
    pytest.importorskip("six")
    build = pytest.importorskip("bot.geodata.build_gazetteer")
    shipped = (Path(build.__file__).parent / "chicago.json").read_text(encoding="utf-8")
    fresh = json.dumps(build.build_chicago(), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    assert fresh + "\n" == shipped


def test_another_city_without_grid(tmp_path: Path) -> None:
    """Deployment elsewhere: areas from any GeoJSON, no address grid."""
    from bot.geodata import build_gazetteer

    def square(lon: float, lat: float) -> list[list[list[float]]]:
        return [[[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02], [lon, lat + 0.02], [lon, lat]]]

    features = [
        {
            "type": "Feature",
            "properties": {"id": i, "name": name},
            "geometry": {"type": "Polygon", "coordinates": square(-118.30 + 0.02 * i, 34.00)},
        }
        for i, name in enumerate(["Boyle Heights", "East Los Angeles"])
    ]
    src = tmp_path / "areas.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    out = tmp_path / "la.json"
    build_gazetteer.main(["--areas-geojson", str(src), "--city", "Los Angeles", "--output", str(out)])
    other = OfflineResolver.load(out, margin_km=1.0)
    (place,) = other.resolve("boyle heigths")
    assert place.kind == "community_area" and distance_m((place.lat, place.lon), (34.01, -118.29)) < 50
    assert other.resolve("1st and Main") == []
    assert other.reverse(34.01, -118.25).label_en == "near East Los Angeles"
    assert other.within_service_area(34.01, -118.29) and not other.within_service_area(34.2, -118.29)


def test_geo_messages_exist_in_both_languages() -> None:
    from i18n import load_catalogs, placeholders

    catalogs = load_catalogs()
    en = {k: v for k, v in catalogs["en"].items() if k.startswith("geo.")}
    es = {k: v for k, v in catalogs["es"].items() if k.startswith("geo.")}
    assert set(en) == set(es) >= {"geo.not_found", "geo.outside_area", "geo.pick_candidate"}
    assert all(placeholders(en[k]) == placeholders(es[k]) for k in en)


# --- issue 13: street network, landmarks, reading places out of sentences ------------------------------
#
# Tuning inputs written for this module (NOT the evaluation table tests/data/places_eval.tsv, which is only
# scored at the end). Expected points: the OSM corners above; for diagonal streets, the grid street the
# corner lies on (its address-grid line, fitted from census-tract boundaries — independent of the
# centre-line data the resolver uses).

SENTENCES: list[tuple[str, str]] = [  # (text, OSM key of the corner it names)
    ("la 26 y kedzie", "26/kedzie"),
    ("enfrente de la Walgreens de la 26 y kedzie", "26/kedzie"),
    ("hay migra en la 47 y ashland ahorita", "47/ashland"),
    ("la cuarenta y siete y ashland", "47/ashland"),
    ("forty seventh and ashland", "47/ashland"),
    ("they r at 47th n hoyne rn", "47/western"),  # Hoyne is 2100 W, 300 numbers from Western: < 700 m
    ("la veintiséis y pulaski", "26/pulaski"),
    ("ICE van at 26th & Pulaski right now!!", "26/pulaski"),
    ("a block from 63rd and Kedzie", "63/kedzie"),
    ("por la 31 y kedzie hay patrullas", "31/kedzie"),
    ("esquina de la 18 con halsted", "18/halsted"),
    ("18th street and ashland ave", "18/ashland"),
    ("Cermak y Kedzie", "cermak/kedzie"),
    ("la veintidos y western", "cermak/western"),
    ("twenty sixth & kedzie", "26/kedzie"),
    ("calle 59 y kedzie", "59/kedzie"),
    ("mi tía vive por la 55 y kedzie", "55/kedzie"),
]

DIAGONALS: list[tuple[str, str, int]] = [  # (text, axis of the grid street, its grid number)
    ("18th and blue island", "y", -1800),
    ("la 18 y blue island", "y", -1800),
    ("archer y ashland", "x", -1600),
    ("Roosevelt and Ogden", "y", -1200),
    ("Milwaukee y California", "x", -2800),
    ("ogden y central park", "x", -3600),
    ("Archer & Pulaski", "x", -4000),
    ("Elston and Pulaski", "x", -4000),
    ("Lincoln y Western", "x", -2400),
    ("Clybourn & Ashland", "x", -1600),
    ("Vincennes and 79th", "y", -7900),
    ("South Chicago Ave & 79th", "y", -7900),
    ("Blue Island y Western", "x", -2400),
    ("Grand Ave & Western", "x", -2400),
]

NON_PLACES = [
    "la", "el", "los", "park", "parque", "san", "gracias", "muchas gracias", "ayuda", "help", "los de la migra",
    "la migra", "hola", "buenos dias", "ok", "si", "no", "thank you", "que hago", "tengo miedo", "hi there",
    "ICE", "what do I do", "la policia", "estan aqui", "ya se fueron", "cuidado", "nada", "st", "ave",
    "la esquina", "the corner", "mi casa", "my house", "en el trabajo", "at work", "la tienda", "una van blanca",
    "y", "and",
]


def test_corners_inside_sentences(resolver: OfflineResolver) -> None:
    for text, key in SENTENCES:
        result = resolver.find(text)
        assert result.status == "found", (text, result)
        place = result.place
        assert place is not None and place.kind == "intersection"
        limit = 700 if "hoyne" in text else TOLERANCE_M
        assert distance_m((place.lat, place.lon), OSM[key]) <= limit, (text, place)
        start, end = result.span or (0, 0)
        assert result.text == text[start:end] and len(result.text) < len(text) + 1


def test_diagonal_street_corners_lie_on_the_grid_street(resolver: OfflineResolver) -> None:
    assert resolver.grid is not None
    for text, axis, number in DIAGONALS:
        result = resolver.find(text)
        assert result.status == "found", (text, result)
        place = result.place
        assert place is not None
        x, y = resolver.grid.to_grid(place.lat, place.lon)
        off = abs((x if axis == "x" else y) - number)
        assert off <= 60, (text, place, off)  # 60 numbers ≈ 120 m


def test_non_places_never_resolve_with_confidence(resolver: OfflineResolver) -> None:
    for text in NON_PLACES:
        result = resolver.find(text)
        assert result.status not in ("found", "street_only"), (text, result)


def test_filler_words_do_not_pull_in_neighbourhoods(resolver: OfflineResolver) -> None:
    for text in ("la 18 y blue island", "la 26", "cerca de la iglesia San Agustin"):
        result = resolver.find(text)
        assert all(p.area_number != 30 or "26" in text for p in result.places), (text, result)
    for text in ("ogden y central park", "Central Park pink line"):
        result = resolver.find(text)
        assert result.status == "found" and result.place is not None
        assert result.place.area_number != 1, text  # not Rogers Park
        assert distance_m((result.place.lat, result.place.lon), (41.854, -87.715)) < 300, text


def test_bare_street_asks_for_the_crossing(resolver: OfflineResolver) -> None:
    for text, name in (("la 26", "26th St"), ("la 18", "18th St"), ("calle 26", "26th St"), ("Archer", "Archer Ave"),
                       ("Kedzie Ave", "Kedzie Ave"), ("en la veintiséis", "26th St")):
        result = resolver.find(text)
        assert result.status == "street_only", (text, result)
        assert result.street == name and 3 <= len(result.crossings) <= 6
        assert all(c.kind == "intersection" and name in c.label_en for c in result.crossings)
    assert resolver.resolve("la 26") == []


def test_streets_that_never_meet_offer_nearest_corners(resolver: OfflineResolver) -> None:
    result = resolver.find("Ashland and Damen")
    assert result.status == "no_crossing" and result.places == ()
    assert 1 <= len(result.crossings) <= 3


def test_landmarks(resolver: OfflineResolver) -> None:
    cases = {  # text → (kind word in label, near this OSM corner or None, max metres)
        "la iglesia San Pío": ("Pius", "18/ashland", 400),
        "cerca de la iglesia San Agustin": ("Augustine", None, 0),
        "el arco de la villita": ("Arch", "26/kedzie", 600),
        "la estación de la 18": ("18th station", "18/ashland", 500),
        "la prepa Farragut": ("Farragut", None, 0),
        "el consulado mexicano": ("Consulate", None, 0),
        "el parque Harrison": ("Harrison Park", "18/ashland", 800),
        "biblioteca Toman": ("Toman", "26/pulaski", 600),
        "Central Park pink line": ("Central Park station", None, 0),
        "estacion kedzie linea rosa": ("Kedzie station (Pink", None, 0),
        "hospital Mount Sinai": ("Sinai", None, 0),
    }
    for text, (word, corner, limit) in cases.items():
        result = resolver.find(text)
        assert result.status == "found", (text, result)
        place = result.place
        assert place is not None and place.kind == "landmark" and word in place.label_en, (text, place)
        if corner:
            assert distance_m((place.lat, place.lon), OSM[corner]) <= limit, (text, place)
    several = resolver.find("estacion kedzie")
    assert several.status == "candidates" and 2 <= len(several.places) <= 3


def test_neighbourhood_names_stay_areas(resolver: OfflineResolver) -> None:
    for text, number in (("Humboldt Park", 23), ("Pilsen", 31), ("La Villita", 30), ("vivo en pilsen", 31)):
        result = resolver.find(text)
        assert result.status == "found" and result.place is not None and result.place.area_number == number


def test_addresses_on_diagonal_streets(resolver: OfflineResolver) -> None:
    result = resolver.find("3500 S Archer Ave")
    assert result.status == "found" and result.place is not None
    x, y = resolver.grid.to_grid(result.place.lat, result.place.lon)  # type: ignore[union-attr]
    assert abs(y + 3500) <= 60


def test_numbers_in_words() -> None:
    from bot.geo.text import tokenize

    def numbers(text: str) -> list[int | None]:
        return [t.number for t in tokenize(text) if t.number is not None]

    assert numbers("la veintiséis") == [26]
    assert numbers("cuarenta y siete y ashland") == [47]
    assert numbers("forty-seventh and ashland") == [47]
    assert numbers("twenty sixth") == [26]
    assert numbers("la 18va") == [18]
    assert numbers("ciento tres") == [103]
    assert numbers("one hundred third") == [103]


def test_find_in_sentence_gives_the_span() -> None:
    from bot.geo import find_in_sentence

    text = "Vi a la migra enfrente de la Walgreens de la 26 y Kedzie hace rato"
    result = find_in_sentence(text)
    assert result.status == "found" and result.span is not None
    assert text[result.span[0] : result.span[1]] == "26 y Kedzie"
    assert find_in_sentence("gracias por la ayuda").status == "unknown"


def test_outside_and_unknown_are_distinct(resolver: OfflineResolver) -> None:
    assert resolver.find("41.5, -88.9").status == "outside"
    assert resolver.find("xyzzy").status == "unknown"


def test_geo_service_find_is_async_and_offline(resolver: OfflineResolver) -> None:
    service = GeoService(resolver)
    result = asyncio.run(service.find("la 26 y kedzie"))
    assert result.status == "found"
    assert service.find_in_sentence("they r at 47th n hoyne rn").status == "found"


def test_shipped_street_and_landmark_data() -> None:
    folder = Path(__file__).resolve().parents[1] / "bot" / "geodata"
    streets = json.loads((folder / "streets.json").read_text(encoding="utf-8"))
    landmarks = json.loads((folder / "landmarks.json").read_text(encoding="utf-8"))
    assert (folder / "streets.json").stat().st_size < 4_000_000
    assert (folder / "landmarks.json").stat().st_size < 4_000_000
    assert len(streets["streets"]) > 1500 and len(streets["crossings"]) > 20_000
    assert all(src["repository"] and src["commit"] for src in streets["sources"])
    names = {s["name"] for s in streets["streets"]}
    assert {"Archer Ave", "Blue Island Ave", "Ogden Ave", "Milwaukee Ave", "Elston Ave", "Lincoln Ave",
            "Clybourn Ave", "Grand Ave", "Vincennes Ave", "South Chicago Ave", "Cottage Grove Ave",
            "Columbus Ave"} <= names
    places = landmarks["places"]
    assert len(places) >= 1000
    kinds = {p["kind"] for p in places}
    assert {"station", "school", "park", "library", "hospital", "church", "consulate"} <= kinds
    assert all(p["src"] in landmarks["sources"] for p in places)


def test_curated_places_carry_sources() -> None:
    from bot.geodata.curated_places import CURATED, SOURCES

    assert all(row[5] in SOURCES and row[6] for row in CURATED)
    # curated rows stay a supplement to open data: hospitals, clinics and parishes, for which no open data set of
    # Chicago points was found (docs/geo.md), and a few local names; every point still comes from City street data
    assert len(CURATED) < 100


def test_area_polygons_stay_available(resolver: OfflineResolver) -> None:
    rings = resolver.area_polygon(30)
    assert rings and len(rings[0]) > 10


def test_misspelt_street_after_a_house_number_is_only_a_candidate(resolver: OfflineResolver) -> None:
    for text, expected in (("4800 s wolcot", addr("47/ashland", "47/western", 3 / 8, 100)),
                           ("2400 n kedzi", OSM["fullerton/pulaski"])):
        result = resolver.find(text)
        assert result.status == "candidates" and result.places, text
        assert all(p.confidence < 0.9 for p in result.places)
        if "wolcot" in text:
            assert distance_m((result.places[0].lat, result.places[0].lon), expected) <= TOLERANCE_M
    assert resolver.find("tengo 300 dolares").status == "unknown"
    assert resolver.find("la 3100 de la 26").status == "found"


# --- issue 13, second round: causes found on the first (now seen) table, fixed in general ways -------------
# Inputs below are written for these tests; none is a row of places_eval.tsv / places_eval2.tsv.


def _found(resolver: OfflineResolver, text: str) -> Place:
    result = resolver.find(text)
    assert result.status == "found" and result.place is not None, (text, result)
    return result.place


def test_stations_named_with_their_line(resolver: OfflineResolver) -> None:
    for text, line in (("la kostner de la linea rosa", "Pink"), ("la halsted de la naranja", "Orange"),
                       ("Kedzie pink", "Pink"), ("damen brown line", "Brown"), ("la 63 de la roja", "Red"),
                       ("garfield green", "Green"), ("the 18th street pink line station", "Pink"),
                       ("chicago red line", "Red")):
        place = _found(resolver, text)
        assert "station" in place.label_en and line in place.label_en, (text, place)
    # a colour that is part of a street name is not a line; a colour alone is nothing
    assert "Blue Island" in resolver.find("blue islan y damen").places[0].label_en
    for text in ("la linea azul", "the orange line", "red and blue lights", "la camioneta roja", "ICE in chicago"):
        assert resolver.find(text).status == "unknown", text


def test_station_named_like_a_corner(resolver: OfflineResolver) -> None:
    """"54th/Cermak" never meet as streets (it is a Pink Line station); "la 54" is its everyday name."""
    for text in ("54th/Cermak", "la parada de la 54", "sox-35th", "la estación 35th/Archer"):
        assert "station" in _found(resolver, text).label_en, text
    assert _found(resolver, "35th y archer").kind == "intersection"  # said as a corner, it is the corner


def test_direction_words_as_street_names(resolver: OfflineResolver) -> None:
    for text in ("la north y pulaski", "western and north right now", "North Ave y Pulaski"):
        place = _found(resolver, text)
        assert place.kind == "intersection" and "North Ave" in place.label_en, text
    assert "Ashland" in _found(resolver, "47th and south ashland").label_en
    for text in ("they went north and then west", "the north side", "going south and east"):
        assert resolver.find(text).status == "unknown", text


def test_neighbourhood_said_without_its_last_word(resolver: OfflineResolver) -> None:
    assert _found(resolver, "brighton").area_number == 58
    assert resolver.find("calle brighton").status == "street_only"
    humboldt = resolver.find("humboldt")  # Humboldt Blvd exists: a guess, not "found"
    assert humboldt.status == "candidates" and humboldt.places[0].area_number == 23
    assert resolver.find("garfield").status == "street_only"  # Garfield Blvd is an arterial


def test_neighbourhood_points_are_the_city_neighbourhoods(resolver: OfflineResolver) -> None:
    """"Logan Square" points at the City's Logan Square neighbourhood (bbvz-uum9 centroid), inside its area."""
    hoods = json.loads((Path(__file__).resolve().parents[1] / "bot" / "geodata" / "neighborhoods.json")
                       .read_text(encoding="utf-8"))
    assert hoods["source"]["repository"] and hoods["source"]["commit"] and len(hoods["neighborhoods"]) >= 90
    point = {h["name"]: (h["lat"], h["lon"]) for h in hoods["neighborhoods"]}
    for text, name, number in (("logan square", "Logan Square", 22), ("en humboldt park", "Humboldt Park", 23),
                               ("La Villita", "Little Village", 30)):
        place = _found(resolver, text)
        assert place.area_number == number
        assert distance_m((place.lat, place.lon), point[name]) < 1, text
        assert resolver.area_at(place.lat, place.lon).number == number


def test_addresses_on_streets_off_the_grid_table(resolver: OfflineResolver) -> None:
    ogden = _found(resolver, "la 2430 de ogden")  # Ogden's numbers are W ones here: no N/S to guess
    assert ogden.label_en.startswith("2430 W Ogden")
    hermitage = _found(resolver, "4821 S Hermitage Ave")  # not Armitage, a close spelling in the grid table
    assert hermitage.label_en.startswith("4821 S Hermitage") and hermitage.area_number == 61
    assert _found(resolver, "6243 S Fairfield Ave").label_en.startswith("6243 S Fairfield")


def test_corner_said_with_near(resolver: OfflineResolver) -> None:
    for text, names in (("they are on archer near kedzie", ("Archer", "Kedzie")),
                        ("checkpoint on pulaski by 55th", ("Pulaski", "55th")),
                        ("en la 26 por kedzie", ("26th", "Kedzie"))):
        place = _found(resolver, text)
        assert place.kind == "intersection" and all(n in place.label_en for n in names), text
    assert resolver.find("la 26 por favor").status == "street_only"


def test_street_inside_a_neighbourhood_name_is_not_a_street(resolver: OfflineResolver) -> None:
    assert resolver.find("little village y 26").status != "no_crossing"  # not "Village Ct / 26th St"
    assert resolver.find("Irving Park y Pulaski").place.kind == "intersection"  # the street's whole name


def test_school_named_by_its_neighbourhood(resolver: OfflineResolver) -> None:
    school = _found(resolver, "mi hijo va a la prepa de back of the yards")
    assert "Back of the Yards" in school.label_en and school.kind == "landmark"
    assert _found(resolver, "en back of the yards").kind == "community_area"


def test_more_hospitals_and_parishes(resolver: OfflineResolver) -> None:
    for text, name in (("el norwegian", "Norwegian"), ("st anthony's hospital", "Saint Anthony"),
                       ("st anthonys hospital", "Saint Anthony"), ("la iglesia del buen pastor", "Good Shepherd"),
                       ("afuera de la iglesia san procopio", "Procopius"), ("hospital st mary of nazareth", "Mary")):
        assert name in _found(resolver, text).label_en, text


# --- held-out evaluation (tests/data/places_eval.tsv, written by another session; never tuned on) --------

EVAL = Path(__file__).resolve().parent / "data" / "places_eval.tsv"
EVAL2 = Path(__file__).resolve().parent / "data" / "places_eval2.tsv"


def _score(resolver: OfflineResolver, path: Path) -> tuple[int, int, int, int, list[str]]:
    """(places, within 300 m found-or-first-candidate, within 300 m found, non-places, non-places "found")."""
    import csv

    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    places = [r for r in rows if r["kind"] not in ("none", "outside")]  # "outside" rows have no point
    hits = found = 0
    for row in places:
        result = resolver.find(row["text"])
        if result.status in ("found", "candidates") and result.places:
            d = distance_m((result.places[0].lat, result.places[0].lon), (float(row["lat"]), float(row["lon"])))
            hits += d <= 300
            found += d <= 300 and result.status == "found"
    nones = [r for r in rows if r["kind"] == "none"]
    confident = [r["text"] for r in nones if resolver.find(r["text"]).status == "found"]
    return len(places), hits, found, len(nones), confident


@pytest.mark.skipif(not EVAL.exists(), reason="evaluation table not present")
def test_held_out_place_table_measured_floor(resolver: OfflineResolver) -> None:
    """Issue 13 goal: >= 95 % within 300 m and no confident non-place.

    First measured blind: 205/219 = 93.6 % (87.7 % "found"). The table was then SEEN and its failures' causes
    fixed in general ways, so this figure is a smoke test, not a result (design principle 6): 218/219 = 99.5 %
    found-or-first-candidate, 203/219 = 92.7 % "found", 0 of 54 non-places with any point."""
    total, hits, found, nones, confident = _score(resolver, EVAL)
    assert total >= 150 and nones >= 40
    assert hits / total >= 0.99
    assert found / total >= 0.92
    assert confident == []


@pytest.mark.skipif(not EVAL2.exists(), reason="second evaluation table not present")
def test_second_held_out_place_table_measured_floor(resolver: OfflineResolver) -> None:
    """The second table (written by another session without seeing the resolver), run ONCE after the second
    round of fixes, nothing changed afterwards: 177/186 = 95.2 % within 300 m as found-or-first-candidate,
    172/186 = 92.5 % as "found", 0 of 45 non-places with any point; of 9 suburb ("outside") rows, 1 came back
    with a Chicago point. These are the floors; the goal (>= 95 %, no confident non-place) is met on this table
    by the found-or-first measure, not by "found" alone."""
    import csv

    total, hits, found, nones, confident = _score(resolver, EVAL2)
    assert total >= 150 and nones >= 40
    assert hits / total >= 0.95
    assert found / total >= 0.92
    assert confident == []
    rows = list(csv.DictReader(EVAL2.open(encoding="utf-8"), delimiter="\t"))
    chicago = 0
    for row in (r for r in rows if r["kind"] == "outside"):
        result = resolver.find(row["text"])
        chicago += result.status != "outside" and any(
            resolver.within_service_area(p.lat, p.lon) for p in result.places)
    assert chicago <= 1
