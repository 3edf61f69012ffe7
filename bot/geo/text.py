"""Tokens of free text with their character spans, numbers written as words, and the small word lists.

Why spans: a story reader needs to know *which part* of "mi casa está en la 28 y st louis" named the place.
Folding keeps one character per input character (accents stripped, lower-cased), so every token's span points
back into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Tok:
    text: str  # folded text, or the digits of a number written in words/ordinals
    start: int
    end: int
    number: int | None = None
    ordinal: bool = False


def fold(text: str) -> str:
    """Lower-case, strip accents, one output character per input character."""
    out = []
    for ch in text:
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        out.append(base[:1] if base else " ")
    return "".join(out)


_TOKEN = re.compile(r"[a-z0-9][a-z0-9'’]*|[&/@+]")
_ORDINAL = re.compile(r"^(\d{1,3})(st|nd|rd|th|va|vo|ava|avo|a|o|era|er|ra|ro|ta|to)$")

UNITS = {
    "cero": 0, "uno": 1, "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veintiuno": 21, "veintiun": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
ORDINAL_UNITS = {
    "primera": 1, "primero": 1, "segunda": 2, "segundo": 2, "tercera": 3, "tercero": 3, "cuarta": 4, "cuarto": 4,
    "quinta": 5, "quinto": 5, "sexta": 6, "sexto": 6, "septima": 7, "septimo": 7, "octava": 8, "octavo": 8,
    "novena": 9, "noveno": 9, "decima": 10, "decimo": 10,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
}
TENS = {
    "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
ORDINAL_TENS = {
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "vigesima": 20, "vigesimo": 20, "trigesima": 30, "trigesimo": 30,
}
HUNDRED = {"cien": 100, "ciento": 100, "hundred": 100}


def tokenize(text: str) -> list[Tok]:
    """Tokens with spans; ordinals ("18th", "26va") and number words become numbers."""
    folded = fold(text)
    raw = []
    for m in _TOKEN.finditer(folded):
        word = re.sub(r"['’]s$", "", m.group()).replace("'", "").replace("’", "")  # possessive: "St Mary's"
        o = _ORDINAL.match(word)
        if o:
            raw.append(Tok(str(int(o.group(1))), m.start(), m.end(), int(o.group(1)), True))
        elif word.isdigit():
            raw.append(Tok(str(int(word)) if len(word) < 6 else word, m.start(), m.end(), int(word), False))
        else:
            raw.append(Tok(word, m.start(), m.end()))
    return _number_words(raw)


def _number_words(toks: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        value, ordinal, j = _read_number(toks, i)
        if value is None:
            out.append(t)
            i += 1
            continue
        out.append(Tok(str(value), t.start, toks[j - 1].end, value, ordinal))
        i = j
    return out


def _read_number(toks: list[Tok], i: int) -> tuple[int | None, bool, int]:
    """Read a number written in words starting at ``i``: (value, is ordinal, index after it)."""
    total, j = 0, i
    w = toks[j].text if j < len(toks) else ""
    if w in ("one", "un", "uno") and j + 1 < len(toks) and toks[j + 1].text in HUNDRED:
        j += 1
        w = toks[j].text
    if w in HUNDRED:
        total, j = 100, j + 1
        w = toks[j].text if j < len(toks) else ""
        if w == "and":
            j += 1
            w = toks[j].text if j < len(toks) else ""
        if w.endswith("th") and w[:-2] == "hundred":
            return 100, True, j
    if w in TENS:
        total += TENS[w]
        j += 1
        nxt = toks[j].text if j < len(toks) else ""
        after = toks[j + 1].text if j + 1 < len(toks) else ""
        if nxt == "y" and (after in UNITS and UNITS[after] < 10 and UNITS[after] > 0 or after in ORDINAL_UNITS):
            j += 1
            nxt = after
        if nxt in UNITS and 0 < UNITS[nxt] < 10:
            return total + UNITS[nxt], False, j + 1
        if nxt in ORDINAL_UNITS and ORDINAL_UNITS[nxt] < 10:
            return total + ORDINAL_UNITS[nxt], True, j + 1
        return total, False, j
    if w in ORDINAL_TENS:
        return total + ORDINAL_TENS[w], True, j + 1
    if w in UNITS and (total or w not in ("un", "una", "uno", "one")):
        return total + UNITS[w], False, j + 1
    if w in ORDINAL_UNITS and w not in ("second", "segundo", "segunda", "cuarto"):
        return total + ORDINAL_UNITS[w], True, j + 1
    if total:
        return total, False, j
    return None, False, i


# Words that carry no place meaning on their own: never matched to a name by fuzziness, never a name alone.
FILLER = {
    "la", "el", "los", "las", "lo", "de", "del", "en", "a", "al", "y", "e", "o", "u", "the", "of", "in", "on",
    "at", "and", "n", "to", "by", "near", "cerca", "por", "park", "parque", "san", "santa", "st", "saint",
    "street", "calle", "avenida", "ave", "av", "avenue", "blvd", "rd", "road", "dr", "drive", "north", "south",
    "east", "west", "norte", "sur", "este", "oeste", "mi", "my", "su", "casa", "house", "home", "un", "una",
    "is", "es", "esta", "estan", "estoy", "are", "r", "rn", "ahi", "aqui", "here", "there", "with", "con",
    "que", "who", "what", "where", "donde", "cuadra", "block", "esquina", "corner", "frente", "enfrente",
    "from", "para", "for", "migra", "ice", "gracias", "thanks", "ayuda", "help", "hola", "hi", "hello",
    "si", "yes", "no", "ok", "okay", "bien", "gente", "people", "they", "ellos", "we", "nosotros", "hay",
    "there's", "theres", "van", "going", "viene", "vienen", "coming", "line", "linea", "station", "estacion",
    "school", "escuela", "church", "iglesia", "library", "biblioteca", "hospital", "center", "centro", "big",
    "little", "new", "old", "high", "lake", "city", "town", "chicago", "il", "illinois", "usa",
}
SEPARATORS = {"y", "and", "&", "n", "at", "con", "e", "x", "/", "@", "+", "with", "esquina", "corner", "an"}
ARTICLES = {"la", "el", "the", "calle", "avenida", "av", "de", "del", "esquina", "corner", "of", "st", "saint"}
STREET_TYPES = {
    "st": "st", "street": "st", "str": "st", "ave": "ave", "av": "ave", "avenue": "ave", "blvd": "blvd",
    "boulevard": "blvd", "rd": "rd", "road": "rd", "dr": "dr", "drive": "dr", "pl": "pl", "place": "pl",
    "ct": "ct", "court": "ct", "pkwy": "pkwy", "parkway": "pkwy", "ter": "ter", "ln": "ln", "lane": "ln",
    "hwy": "hwy", "expy": "expy",
}
STREET_WORDS_BEFORE = {"calle", "avenida", "av", "street", "bulevar", "boulevard"}
DIRECTIONS = {
    "n": "N", "north": "N", "norte": "N", "s": "S", "south": "S", "sur": "S", "e": "E", "east": "E",
    "este": "E", "w": "W", "west": "W", "oeste": "W", "o": "W",
}
BLOCK_WORDS = {"block", "blk", "cuadra", "bloque", "of", "de", "del", "la", "el"}
HINTS = {
    "station": {"estacion", "station", "stop", "parada", "linea", "line", "tren", "train", "metro"},
    "school": {"escuela", "school", "prepa", "preparatoria", "high", "secundaria", "primaria", "colegio",
               "academy", "elementary", "hs", "escuelita"},
    "park": {"parque", "park", "square", "plaza", "fieldhouse"},
    "library": {"biblioteca", "library", "libreria", "branch"},
    "church": {"iglesia", "church", "parroquia", "parish", "templo", "capilla", "catedral"},
    "hospital": {"hospital", "clinica", "clinic", "emergencia", "emergencias"},
    "consulate": {"consulado", "consulate"},
    "community": {"centro", "center", "organizacion", "oficina", "office"},
    "transit": {"estacion", "station", "terminal"},
    "landmark": set(),
}
LINE_WORDS = {
    "pink": "pink", "rosa": "pink", "blue": "blue", "azul": "blue", "red": "red", "roja": "red", "green": "green",
    "verde": "green", "orange": "orange", "naranja": "orange", "brown": "brown", "cafe": "brown",
    "purple": "purple", "morada": "purple", "yellow": "yellow", "amarilla": "yellow",
}
