"""Hand-curated local landmarks: places residents name that no open data set lists under that name.

Why: "el arco de la villita", "la iglesia San Pío", "el consulado" are how people on the south-west side say
where they are, and no City data set has them. This table holds ONLY the name, its Spanish/English aliases and
the street corner (or address) the place stands at. The point is NOT typed in: ``build_landmarks`` resolves the
corner through the City street data (``streets.json``), so every coordinate still comes from City data.

Every row carries a source note (where the name and the corner come from) and a usage note.
Source keys: ``web`` = the institution's own published address; ``usage`` = everyday usage in Spanish-language
Chicago media and community organisations (e.g. "el arco" for the Little Village arch), curated by the Vecinos
maintainers.
"""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "web": "The institution's published street address (own website / parish directory), reduced to the nearest "
    "corner by the maintainers",
    "usage": "Everyday Spanish/English usage in Chicago media and community organisations, curated by the "
    "Vecinos maintainers",
}

# (name_en, name_es, kind, aliases, corner or address, source key, usage note)
CURATED: list[tuple[str, str, str, tuple[str, ...], str, str, str]] = [
    ("Little Village Arch", "Arco de La Villita", "landmark",
     ("el arco", "arco de la villita", "el arco de la villita", "arco de la 26", "little village arch",
      "the arch", "bienvenidos a little village"),
     "26th St & Albany Ave", "usage", "the arch over 26th St at Albany, the symbol of La Villita"),
    ("Consulate General of Mexico", "Consulado General de México", "consulate",
     ("consulado mexicano", "consulado de mexico", "el consulado", "mexican consulate", "consulado"),
     "Adams St & Ashland Ave", "web", "204 S Ashland Ave"),
    ("St. Pius V Church", "Iglesia San Pío V", "church",
     ("san pio", "san pio v", "san pio quinto", "iglesia san pio", "st pius", "saint pius", "st pius v"),
     "19th St & Ashland Ave", "web", "1919 S Ashland Ave, Pilsen"),
    ("St. Agnes of Bohemia Church", "Iglesia Santa Inés de Bohemia", "church",
     ("santa ines", "santa ines de bohemia", "st agnes", "st agnes of bohemia", "saint agnes"),
     "26th St & Central Park Ave", "web", "2651 S Central Park Ave, Little Village"),
    ("Our Lady of Tepeyac Church", "Iglesia Nuestra Señora del Tepeyac", "church",
     ("tepeyac", "nuestra senora del tepeyac", "our lady of tepeyac", "iglesia del tepeyac"),
     "Cermak Rd & Whipple St", "web", "2226 S Whipple St, Little Village"),
    ("Providence of God Church", "Iglesia Providencia de Dios", "church",
     ("providencia de dios", "providence of god"),
     "18th St & Union Ave", "web", "717 W 18th St, Pilsen"),
    ("St. Adalbert Church", "Iglesia San Adalberto", "church",
     ("san adalberto", "st adalbert", "saint adalbert"),
     "17th St & Paulina St", "web", "1650 W 17th St, Pilsen"),
    ("St. Augustine Church", "Iglesia San Agustín", "church",
     ("san agustin", "st augustine", "saint augustine", "iglesia san agustin"),
     "51st St & Laflin St", "web", "5045 S Laflin St, Back of the Yards"),
    ("Our Lady of Guadalupe Church", "Iglesia Nuestra Señora de Guadalupe", "church",
     ("la guadalupe", "nuestra senora de guadalupe", "our lady of guadalupe", "iglesia de guadalupe"),
     "91st St & Brandon Ave", "web", "3200 E 91st St, South Chicago"),
    ("St. Roman Church", "Iglesia San Román", "church",
     ("san roman", "st roman", "saint roman"),
     "23rd St & Washtenaw Ave", "web", "2311 S Washtenaw Ave"),
    ("Epiphany Church", "Iglesia de la Epifanía", "church",
     ("epifania", "la epifania", "epiphany"),
     "25th St & Keeler Ave", "web", "2524 S Keeler Ave, Little Village"),
    ("St. Francis of Assisi Church", "Iglesia San Francisco de Asís", "church",
     ("san francisco de asis", "st francis of assisi", "st francis"),
     "Roosevelt Rd & Newberry Ave", "web", "813 W Roosevelt Rd"),
    ("Holy Name Cathedral", "Catedral del Santo Nombre", "church",
     ("holy name", "catedral", "santo nombre", "la catedral"),
     "Superior St & State St", "web", "735 N State St"),
    ("National Museum of Mexican Art", "Museo Nacional de Arte Mexicano", "landmark",
     ("museo mexicano", "museo de arte mexicano", "mexican art museum", "el museo mexicano"),
     "19th St & Wolcott Ave", "web", "1852 W 19th St, Pilsen (in Harrison Park)"),
    ("Instituto del Progreso Latino", "Instituto del Progreso Latino", "community",
     ("instituto del progreso", "el instituto", "progreso latino"),
     "25th St & Western Ave", "web", "2520 S Western Ave"),
    ("Enlace Chicago", "Enlace Chicago", "community", ("enlace",),
     "28th St & Harding Ave", "web", "2759 S Harding Ave, Little Village"),
    ("Casa Aztlán", "Casa Aztlán", "community", ("casa aztlan",),
     "18th St & Racine Ave", "web", "1831 S Racine Ave, Pilsen (historic community centre)"),
    ("Cook County Jail", "Cárcel del Condado de Cook", "landmark",
     ("la carcel", "carcel de cook", "cook county jail", "la carcel de la 26", "county jail"),
     "26th St & California Ave", "web", "2700 S California Ave (the 26th & California courthouse)"),
    ("Mount Sinai Hospital", "Hospital Mount Sinai", "hospital",
     ("mount sinai", "monte sinai", "sinai"),
     "1500 S California Ave", "web", "1500 S Fairfield Ave / California Ave"),
    ("Saint Anthony Hospital", "Hospital San Antonio", "hospital",
     ("saint anthony", "st anthony", "san antonio", "hospital san antonio", "st anthony hospital"),
     "2875 W 19th St", "web", "2875 W 19th St"),
    ("Stroger Hospital", "Hospital Stroger (Condado de Cook)", "hospital",
     ("stroger", "cook county hospital", "hospital del condado", "el county"),
     "Polk St & Damen Ave", "web", "1969 W Ogden Ave, Illinois Medical District"),
    ("Rush University Medical Center", "Hospital Rush", "hospital", ("rush", "rush hospital"),
     "Harrison St & Paulina St", "web", "1653 W Congress Pkwy"),
    ("UI Health Hospital", "Hospital UI Health (UIC)", "hospital",
     ("ui health", "uic hospital", "hospital de la uic", "university of illinois hospital"),
     "Taylor St & Wood St", "web", "1740 W Taylor St"),
    ("Holy Cross Hospital", "Hospital Holy Cross", "hospital", ("holy cross", "santa cruz hospital"),
     "68th St & California Ave", "web", "2701 W 68th St, Marquette Park"),
    ("Swedish Hospital", "Hospital Swedish", "hospital", ("swedish covenant", "swedish hospital"),
     "Foster Ave & California Ave", "web", "5145 N California Ave"),
    ("Lurie Children's Hospital", "Hospital de Niños Lurie", "hospital",
     ("lurie", "lurie childrens", "hospital de ninos"),
     "Chicago Ave & Fairbanks Ct", "web", "225 E Chicago Ave"),
    ("Northwestern Memorial Hospital", "Hospital Northwestern", "hospital", ("northwestern hospital",),
     "Huron St & Fairbanks Ct", "web", "251 E Huron St"),
    ("Jackson Park Hospital", "Hospital Jackson Park", "hospital", ("jackson park hospital",),
     "75th St & Stony Island Ave", "web", "7531 S Stony Island Ave"),
    ("University of Chicago Medical Center", "Hospital de la Universidad de Chicago", "hospital",
     ("uchicago medicine", "u of c hospital", "university of chicago hospital"),
     "59th St & Maryland Ave", "web", "5841 S Maryland Ave"),
    ("Mercy Hospital", "Hospital Mercy", "hospital", ("mercy hospital",),
     "26th St & Michigan Ave", "web", "2525 S Michigan Ave"),
    ("Loretto Hospital", "Hospital Loretto", "hospital", ("loretto",),
     "Harrison St & Central Ave", "web", "645 S Central Ave, Austin"),
    ("Union Station", "Estación Union", "transit", ("union station", "estacion union"),
     "Adams St & Canal St", "web", "225 S Canal St (Amtrak/Metra)"),
    ("Ogilvie Transportation Center", "Estación Ogilvie", "transit", ("ogilvie", "estacion ogilvie"),
     "Madison St & Clinton St", "web", "500 W Madison St (Metra)"),
    ("Greyhound Bus Station", "Estación de Greyhound", "transit", ("greyhound", "la greyhound"),
     "Harrison St & Jefferson St", "web", "630 W Harrison St"),
]
