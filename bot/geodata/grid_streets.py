"""Chicago address-grid street table (hand-curated, build-time input for ``build_gazetteer``).

Why a table: Chicago addresses count from State St (0 E/W) and Madison St (0 N/S), 800 numbers a mile, so
a street's grid number plus a fitted grid→lat/lon transform places any address or intersection offline.

Coordinates: ``x`` is the east/west grid number (east positive, west negative) of a street that runs
north-south; ``y`` is the north/south grid number (north positive, south negative) of a street that runs
east-west. ``major`` marks arterials used to name the nearest intersection in reverse labels and to
calibrate the transform against census-tract boundaries (arterials are where tract lines run).

Sources (grid numbers): City of Chicago, Department of Streets and Sanitation / Office of Emergency
Management and Communications street-number guide ("Chicago Street Guide"), the grid system as described
in Hayner & McNamee, *Streetwise Chicago* (Loyola University Press, 1988), and OpenStreetMap
``addr:housenumber`` ranges at each street; entered by hand. Numbered South Side streets follow the rule
``N-th Street = N × 100 S`` (e.g. 47th St = 4700 S), which is how the grid was defined in the 1909
renumbering ordinance. Diagonal streets (Archer, Milwaukee, Ogden, Elston, Lincoln, Clark north of North
Ave, Vincennes, Blue Island…) are deliberately absent: they have no single grid number.
"""

from __future__ import annotations

# (display name, grid number, major, extra aliases) — N-S streets, x: east positive, west negative.
NS_STREETS: list[tuple[str, int, bool, tuple[str, ...]]] = [
    ("State St", 0, True, ()),
    ("Dearborn St", -36, False, ()),
    ("Clark St", -100, False, ()),
    ("LaSalle St", -140, False, ("la salle",)),
    ("Wells St", -200, False, ()),
    ("Wentworth Ave", -200, False, ()),
    ("Franklin St", -300, False, ()),
    ("Princeton Ave", -300, False, ()),
    ("Stewart Ave", -400, False, ()),
    ("Canal St", -500, False, ()),
    ("Normal Ave", -500, False, ()),
    ("Clinton St", -540, False, ()),
    ("Jefferson St", -600, False, ()),
    ("Wallace St", -600, False, ()),
    ("Des Plaines St", -650, False, ("desplaines",)),
    ("Union Ave", -700, False, ()),
    ("Halsted St", -800, True, ()),
    ("Peoria St", -900, False, ()),
    ("Green St", -832, False, ()),
    ("Morgan St", -1000, False, ()),
    ("Aberdeen St", -1100, False, ()),
    ("Racine Ave", -1200, True, ()),
    ("Throop St", -1300, False, ()),
    ("Loomis St", -1400, False, ("loomis blvd",)),
    ("Laflin St", -1500, False, ()),
    ("Ashland Ave", -1600, True, ()),
    ("Paulina St", -1700, False, ()),
    ("Wood St", -1800, False, ()),
    ("Wolcott Ave", -1900, False, ()),
    ("Damen Ave", -2000, True, ()),
    ("Hoyne Ave", -2100, False, ()),
    ("Leavitt St", -2200, False, ()),
    ("Oakley Ave", -2300, False, ("oakley blvd",)),
    ("Western Ave", -2400, True, ()),
    ("Campbell Ave", -2500, False, ()),
    ("Rockwell St", -2600, False, ()),
    ("Washtenaw Ave", -2700, False, ()),
    ("California Ave", -2800, True, ()),
    ("Francisco Ave", -2900, False, ()),
    ("Sacramento Ave", -3000, False, ("sacramento blvd",)),
    ("Albany Ave", -3100, False, ()),
    ("Kedzie Ave", -3200, True, ()),
    ("Spaulding Ave", -3300, False, ()),
    ("Homan Ave", -3400, False, ()),
    ("St Louis Ave", -3500, False, ("saint louis", "st louis")),
    ("Central Park Ave", -3600, True, ()),
    ("Lawndale Ave", -3700, False, ()),
    ("Hamlin Ave", -3800, False, ("hamlin blvd",)),
    ("Springfield Ave", -3900, False, ()),
    ("Pulaski Rd", -4000, True, ("crawford",)),
    ("Keeler Ave", -4200, False, ()),
    ("Kildare Ave", -4300, False, ()),
    ("Kostner Ave", -4400, True, ()),
    ("Kilbourn Ave", -4500, False, ()),
    ("Kenton Ave", -4600, False, ()),
    ("Cicero Ave", -4800, True, ()),
    ("Laramie Ave", -5200, True, ()),
    ("Lockwood Ave", -5300, False, ()),
    ("Long Ave", -5400, False, ()),
    ("Central Ave", -5600, True, ()),
    ("Austin Ave", -6000, True, ("austin blvd",)),
    ("Narragansett Ave", -6400, True, ()),
    ("Oak Park Ave", -6800, True, ()),
    ("Harlem Ave", -7200, True, ()),
    ("Cumberland Ave", -8400, True, ()),
    ("Wabash Ave", 45, False, ()),
    ("Michigan Ave", 100, False, ()),
    ("Indiana Ave", 200, False, ()),
    ("Prairie Ave", 300, False, ()),
    ("Martin Luther King Dr", 400, True, ("king dr", "king drive", "mlk", "dr martin luther king jr")),
    ("Cottage Grove Ave", 800, True, ()),
    ("Ellis Ave", 1000, False, ()),
    ("Woodlawn Ave", 1200, False, ()),
    ("Dorchester Ave", 1400, False, ()),
    ("Stony Island Ave", 1600, True, ()),
    ("Jeffery Blvd", 2000, True, ("jeffrey",)),
    ("Yates Blvd", 2400, False, ("yates ave",)),
    ("Torrence Ave", 2600, True, ()),
    ("Commercial Ave", 3000, True, ()),
]

# (display name, grid number, major, extra aliases) — E-W streets, y: north positive, south negative.
EW_STREETS: list[tuple[str, int, bool, tuple[str, ...]]] = [
    ("Howard St", 7600, True, ()),
    ("Jarvis Ave", 7400, False, ()),
    ("Touhy Ave", 7200, True, ()),
    ("Lunt Ave", 7000, False, ()),
    ("Morse Ave", 6900, False, ()),
    ("Pratt Blvd", 6800, False, ("pratt ave",)),
    ("Devon Ave", 6400, True, ()),
    ("Granville Ave", 6200, False, ()),
    ("Peterson Ave", 6000, True, ()),
    ("Thorndale Ave", 5900, False, ()),
    ("Bryn Mawr Ave", 5600, True, ()),
    ("Balmoral Ave", 5400, False, ()),
    ("Berwyn Ave", 5300, False, ()),
    ("Foster Ave", 5200, True, ()),
    ("Argyle St", 5000, False, ()),
    ("Ainslie St", 4900, False, ()),
    ("Lawrence Ave", 4800, True, ()),
    ("Leland Ave", 4700, False, ()),
    ("Wilson Ave", 4600, False, ()),
    ("Montrose Ave", 4400, True, ()),
    ("Irving Park Rd", 4000, True, ()),
    ("Grace St", 3800, False, ()),
    ("Waveland Ave", 3700, False, ()),
    ("Addison St", 3600, True, ()),
    ("Cornelia Ave", 3500, False, ()),
    ("Roscoe St", 3400, False, ()),
    ("Belmont Ave", 3200, True, ()),
    ("Wellington Ave", 3000, False, ()),
    ("Diversey Ave", 2800, True, ("diversey pkwy",)),
    ("Wrightwood Ave", 2600, False, ()),
    ("Fullerton Ave", 2400, True, ()),
    ("Palmer St", 2200, False, ()),
    ("Dickens Ave", 2100, False, ()),
    ("Armitage Ave", 2000, True, ()),
    ("Bloomingdale Ave", 1800, False, ()),
    ("Wabansia Ave", 1700, False, ()),
    ("North Ave", 1600, True, ()),
    ("LeMoyne St", 1500, False, ()),
    ("Hirsch St", 1400, False, ()),
    ("Potomac Ave", 1300, False, ()),
    ("Division St", 1200, True, ()),
    ("Thomas St", 1100, False, ()),
    ("Augusta Blvd", 1000, False, ()),
    ("Chicago Ave", 800, True, ()),
    ("Huron St", 700, False, ()),
    ("Erie St", 660, False, ()),
    ("Ohio St", 600, False, ()),
    ("Grand Ave", 530, True, ()),
    ("Hubbard St", 430, False, ()),
    ("Kinzie St", 400, False, ()),
    ("Fulton St", 300, False, ("fulton market",)),
    ("Lake St", 200, True, ()),
    ("Randolph St", 150, False, ()),
    ("Washington Blvd", 100, False, ("washington st",)),
    ("Madison St", 0, True, ()),
    ("Monroe St", -100, False, ()),
    ("Adams St", -200, False, ()),
    ("Jackson Blvd", -300, False, ()),
    ("Van Buren St", -400, False, ()),
    ("Congress Pkwy", -500, False, ("eisenhower",)),
    ("Harrison St", -600, False, ()),
    ("Polk St", -800, False, ()),
    ("Taylor St", -1000, False, ()),
    ("Roosevelt Rd", -1200, True, ("12th st", "calle 12")),
    ("Cullerton St", -2000, False, ("20th st",)),
    ("Cermak Rd", -2200, True, ("22nd st", "la 22", "calle 22")),
    ("Pershing Rd", -3900, True, ("39th st",)),
    ("Garfield Blvd", -5500, True, ("55th st",)),
    ("Marquette Rd", -6600, False, ("66th st",)),
]

# Numbered South Side streets that are arterials (named in reverse labels, used for calibration).
MAJOR_NUMBERED: frozenset[int] = frozenset(
    {
        16,
        18,
        26,
        31,
        35,
        43,
        47,
        51,
        59,
        63,
        67,
        71,
        75,
        79,
        83,
        87,
        91,
        95,
        99,
        103,
        107,
        111,
        115,
        119,
        127,
        130,
        138,
    }
)

# Numbered streets that exist under a name; the number is an alias of that entry instead.
NAMED_NUMBERS: dict[int, str] = {
    12: "Roosevelt Rd",
    20: "Cullerton St",
    22: "Cermak Rd",
    39: "Pershing Rd",
    55: "Garfield Blvd",
    66: "Marquette Rd",
}
NUMBERED_RANGE = range(13, 139)


def ordinal(n: int) -> str:
    """English ordinal as written on Chicago street signs: 1st, 22nd, 47th, 103rd, 111th."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def numbered_streets() -> list[tuple[str, int, bool, tuple[str, ...]]]:
    """The generated ``N-th St`` rows (N × 100 S) for numbers without another name."""
    return [
        (f"{ordinal(n)} St", -100 * n, n in MAJOR_NUMBERED, ())
        for n in NUMBERED_RANGE
        if n not in NAMED_NUMBERS
    ]


# The grid's kink: south of Madison the first section lines (one mile apart) are Roosevelt (1200 S), Cermak
# (2200 S), 31st (3100 S) and Pershing (3900 S); only from Pershing south do numbers run 800 a mile (47th is
# 5 miles south of Madison, not 5⅞). North, west and east of the origin the 800-a-mile rule holds. The
# transform works in "survey" numbers (800 a mile everywhere); these knots map grid y → survey y.
Y_KNOTS: list[tuple[float, float]] = [
    (-20000.0, -19300.0),
    (-3900.0, -3200.0),
    (-3100.0, -2400.0),
    (-2200.0, -1600.0),
    (-1200.0, -800.0),
    (0.0, 0.0),
    (20000.0, 20000.0),
]


def piecewise(knots: list[tuple[float, float]], value: float) -> float:
    """Linear interpolation through sorted (input, output) knots, extrapolating the end segments."""
    for (x0, y0), (x1, y1) in zip(knots, knots[1:], strict=False):
        if value <= x1 or (x1, y1) == knots[-1]:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return value
