"""Hand-curated neighbourhood aliases (English and Spanish) → Chicago community area number.

Why: residents name places the way people talk ("Pilsen", "La Villita", "Back of the Yards"), not by the
77 official community-area names. Every official name is added automatically by ``build_gazetteer``;
this table only holds the popular names, each with where it comes from.

Source keys (see ``SOURCES``) are recorded per alias in the generated gazetteer.
"""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "nbhd2012": "City of Chicago, 'Boundaries - Neighborhoods' (Neighborhoods_2012b, PRI_NEIGH/SEC_NEIGH), "
    "shipped in the `chicago` PyPI package; alias assigned to the community area that contains it",
    "eoc": "Encyclopedia of Chicago (Chicago Historical Society / Newberry Library), community-area entries",
    "usage": "Everyday Spanish/English usage in Chicago media and community organisations (e.g. 'La Villita' "
    "for Little Village, 'la 26' for 26th Street); curated by the Vecinos maintainers",
}

# (alias, community area number, source key)
ALIASES: list[tuple[str, int, str]] = [
    ("Pilsen", 31, "eoc"),
    ("Pilsen Chicago", 31, "eoc"),
    ("East Pilsen", 31, "usage"),
    ("Barrio de Pilsen", 31, "usage"),
    ("Little Village", 30, "nbhd2012"),
    ("La Villita", 30, "usage"),
    ("Villita", 30, "usage"),
    ("Back of the Yards", 61, "nbhd2012"),
    ("Back of the Yard", 61, "usage"),
    ("Brighton Park", 58, "nbhd2012"),
    ("Gage Park", 63, "nbhd2012"),
    ("Archer Heights", 57, "nbhd2012"),
    ("Chicago Lawn", 66, "eoc"),
    ("Marquette Park", 66, "nbhd2012"),
    ("Parque Marquette", 66, "usage"),
    ("Humboldt Park", 23, "nbhd2012"),
    ("Parque Humboldt", 23, "usage"),
    ("Paseo Boricua", 23, "eoc"),
    ("Logan Square", 22, "nbhd2012"),
    ("Plaza Logan", 22, "usage"),
    ("Belmont Cragin", 19, "nbhd2012"),
    ("Belmont Craigin", 19, "nbhd2012"),
    ("Hermosa", 20, "nbhd2012"),
    ("Albany Park", 14, "nbhd2012"),
    ("Rogers Park", 1, "nbhd2012"),
    ("Chinatown", 34, "nbhd2012"),
    ("Barrio Chino", 34, "usage"),
    ("Bridgeport", 60, "nbhd2012"),
    ("McKinley Park", 59, "nbhd2012"),
    ("Parque McKinley", 59, "usage"),
    ("Garfield Ridge", 56, "nbhd2012"),
    ("Midway", 56, "nbhd2012"),
    ("West Lawn", 65, "nbhd2012"),
    ("South Chicago", 46, "nbhd2012"),
    ("East Side", 52, "nbhd2012"),
    ("Hegewisch", 55, "nbhd2012"),
    ("Uptown", 3, "nbhd2012"),
    ("Avondale", 21, "nbhd2012"),
    ("Portage Park", 15, "nbhd2012"),
    ("Bronzeville", 38, "nbhd2012"),
    ("Wicker Park", 24, "nbhd2012"),
    ("Ukrainian Village", 24, "nbhd2012"),
    ("Bucktown", 22, "nbhd2012"),
    ("Andersonville", 77, "nbhd2012"),
    ("Wrigleyville", 6, "nbhd2012"),
    ("Boystown", 6, "nbhd2012"),
    ("Lakeview", 6, "eoc"),
    ("Old Town", 8, "nbhd2012"),
    ("Streeterville", 8, "nbhd2012"),
    ("River North", 8, "nbhd2012"),
    ("Gold Coast", 8, "nbhd2012"),
    ("West Loop", 28, "nbhd2012"),
    ("Greektown", 28, "nbhd2012"),
    ("Little Italy", 28, "nbhd2012"),
    ("UIC", 28, "nbhd2012"),
    ("Printers Row", 32, "nbhd2012"),
    ("Downtown", 32, "usage"),
    ("El Centro", 32, "usage"),
    ("Sauganash", 12, "nbhd2012"),
    ("Galewood", 18, "nbhd2012"),
    ("Marquette Park Chicago Lawn", 66, "usage"),
    ("Englewood", 68, "nbhd2012"),
]

# Popular name shown in parentheses after the official name in labels ("New City (Back of the Yards)").
DISPLAY_POPULAR: dict[int, tuple[str, str]] = {
    61: ("Back of the Yards", "Back of the Yards"),
    31: ("Pilsen", "Pilsen"),
    30: ("Little Village", "La Villita"),
    66: ("Marquette Park", "Marquette Park"),
    34: ("Chinatown", "Chinatown"),
    56: ("Midway", "Midway"),
}
