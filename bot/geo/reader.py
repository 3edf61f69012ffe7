"""Reading a place out of free text: corners, addresses, landmarks, neighbourhoods, bare streets.

Why rules, not fuzzy-everything: a confident wrong place is worse than "not found". Names are matched exactly
(token for token, accents and case folded); fuzziness is used only where the shape of the text already says
"this is a street" (either side of "y/and/&" in a corner) or when the whole message is a short name, and never
on filler words ("la", "park", "san"). Whatever is less than exact comes back as candidates, not as "found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.geo.model import STATUSES, Place, Resolution  # noqa: F401 (re-exported)
from bot.geo.network import Landmark, Street, key_of
from bot.geo.text import (
    ARTICLES,
    BLOCK_WORDS,
    DIRECTIONS,
    FILLER,
    HINTS,
    LINE_WORDS,
    SEPARATORS,
    STREET_TYPES,
    STREET_WORDS_BEFORE,
    Tok,
    tokenize,
)

_LATLON = re.compile(r"(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)|(-?\d{1,2}\.\d{3,})\s+(-?\d{1,3}\.\d{3,})")
MAX_NUMBERED = 138
NEAR_WORDS = {"near", "by", "off", "cerca", "por", "junto"}  # "X near Y" names the corner of X and Y
MINOR_TYPES = {"pl", "ct", "ter", "ln", "way", "row", "plz", "sq"}
AREA_GENERIC = {"park", "square", "village", "heights"}  # last words people drop from a neighbourhood's name




@dataclass
class _Mention:
    i: int
    j: int
    ids: list[int]
    number: bool = False
    context: bool = False  # the text itself says "street" (calle/la 18/18th/Ave)
    fuzzy: bool = False
    typ: str | None = None
    direction: str | None = None


@dataclass
class _Hit:
    i: int
    j: int
    ids: list[int] = field(default_factory=list)


class Reader:
    """Stateless per call; holds the indexes of one ``OfflineResolver``."""

    def __init__(self, resolver: Any) -> None:  # a bot.geo.core.OfflineResolver (which imports this module)
        self.r = resolver
        self.net = resolver.network
        self.marks = resolver.landmarks
        self.area_keys: dict[tuple[str, ...], int] = {}
        for alias, number in resolver.aliases.items():
            key = key_of(alias)
            if key and not (len(key) == 1 and key[0] in FILLER):
                self.area_keys.setdefault(key, number)
        self.area_names = {" ".join(k): n for k, n in self.area_keys.items()}
        # "Brighton" alone for Brighton Park: a name whose last word is generic, said without it. Heads shared by
        # two areas ("Washington" Park/Heights) are dropped.
        heads: dict[tuple[str, ...], tuple[str, ...] | None] = {}
        for key, number in self.area_keys.items():
            if len(key) >= 2 and key[-1] in AREA_GENERIC and key[:-1] not in self.area_keys:
                head = key[:-1]
                if head in heads and (heads[head] is None or self.area_keys[heads[head]] != number):
                    heads[head] = None
                else:
                    heads.setdefault(head, key)
        self.area_heads = {h: k for h, k in heads.items() if k is not None and not all(w in FILLER for w in h)}
        self.area_max = max((len(k) for k in self.area_keys), default=1)
        self.street_keys = set(self.net.by_key) if self.net else set()
        self.first_words = {k[0] for k in self.street_keys if k[0] not in FILLER or len(k) > 1} - {"north", "south",
                                                                                               "east", "west"}

    # ------------------------------------------------------------------ entry point

    def read(self, text: str, limit: int = 3) -> Resolution:
        pin = _LATLON.search(text)
        if pin:
            lat, lon = float(pin.group(1) or pin.group(3)), float(pin.group(2) or pin.group(4))
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                place = self.r.reverse(lat, lon)
                status = "found" if self.r.within_service_area(lat, lon) else "outside"
                return Resolution(status, (place,), span=pin.span(), text=pin.group())
        toks = tokenize(text)
        if not toks:
            return Resolution("unknown")
        mentions = self._inside_area_names(toks, self._street_mentions(toks)) if self.net else []
        for step in (self._corner, self._address, self._landmark, self._zip, self._area, self._fuzzy_corner,
                     self._fuzzy_address, self._outside, self._street_only, self._fuzzy_area):
            out = step(text, toks, mentions, limit)
            if out is not None and step == self._corner and out.status == "found" and self._kind_word_before(
                    toks, out.span):
                # "la estación 35th/Archer", "the school at 47th and Wood": a place of that kind named by its
                # corner, when one is named exactly so.
                named = self._landmark(text, toks, mentions, limit)
                if named is not None and named.span and out.span and named.span[0] <= out.span[0] \
                        and out.span[1] <= named.span[1]:
                    return named
            if out is not None and out.status == "no_crossing":
                # Two streets that never meet may be a station's name ("54th/Cermak" on the Pink Line).
                named = self._landmark(text, toks, mentions, limit)
                if named is not None and named.span and out.span and named.span[0] <= out.span[1] \
                        and out.span[0] <= named.span[1]:
                    return named
            if out is not None:
                return out
        return Resolution("unknown")

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _kind_word_before(toks: list[Tok], span: tuple[int, int] | None) -> bool:
        """A landmark-kind word ("estación", "school") right before the character span, articles aside."""
        if span is None:
            return False
        k = max((q for q, t in enumerate(toks) if t.end <= span[0]), default=-1)
        while k >= 0 and toks[k].text in ARTICLES:
            k -= 1
        return k >= 0 and any(toks[k].text in words for words in HINTS.values())

    def _inside_area_names(self, toks: list[Tok], mentions: list[_Mention]) -> list[_Mention]:
        """Drop a street mention that is only part of a longer neighbourhood name ("Village" Ct in "Little
        Village", "Logan" Blvd in "Logan Square"); a street whose whole name is the area's ("Irving Park") stays."""
        out = []
        for m in mentions:
            inside = False
            for i in range(max(0, m.j - self.area_max), m.i + 1):
                for j in range(m.j, min(len(toks), i + self.area_max) + 1):
                    if (j - i) > (m.j - m.i) and tuple(t.text for t in toks[i:j]) in self.area_keys:
                        inside = True
                        break
                if inside:
                    break
            if not inside or m.context:
                out.append(m)
        return out

    @staticmethod
    def _span(text: str, toks: list[Tok], i: int, j: int) -> tuple[tuple[int, int], str]:
        start, end = toks[i].start, toks[j - 1].end
        return (start, end), text[start:end]

    def _street_mentions(self, toks: list[Tok]) -> list[_Mention]:
        out: list[_Mention] = []
        n, i = len(toks), 0
        while i < n:
            found = None
            for length in range(min(self.net.max_words, n - i), 0, -1):
                key = tuple(t.text for t in toks[i : i + length])
                if length == 1 and (len(key[0]) < 2 and not key[0].isdigit() or key[0] in FILLER
                                    and not self._framed_as_street(toks, i)):
                    continue
                if key in self.net.by_key:
                    found = (length, key)
                    break
            if found is None:
                i += 1
                continue
            length, key = found
            first = toks[i]
            number = length == 1 and first.number is not None
            if number and not (1 <= first.number <= MAX_NUMBERED) or number and len(first.text) > 3:
                i += 1
                continue
            j = i + length
            typ = None
            if j < n and toks[j].text in STREET_TYPES:
                typ = STREET_TYPES[toks[j].text]
                j += 1
            prev = toks[i - 1].text if i else ""
            direction = DIRECTIONS.get(prev) if prev in ("n", "s", "e", "w", "north", "south", "east", "west",
                                                         "norte", "sur", "oeste", "este") else None
            ids = self.net.lookup(key, typ)
            on_major = prev == "on" and not number and self.net.streets[ids[0]].major
            context = bool(typ) or on_major or prev in STREET_WORDS_BEFORE or (number and (first.ordinal or prev in (
                "la", "calle", "the", "avenida")))
            out.append(_Mention(i, j, ids, number, context, typ=typ, direction=direction))
            i = j
        return out

    def _framed_as_street(self, toks: list[Tok], i: int) -> bool:
        """A common word ("Lake", "Chicago", "Park") counts as a street only with a street type or a corner."""
        word = toks[i].text
        after = toks[i + 1].text if i + 1 < len(toks) else ""
        if after in STREET_TYPES and word not in ARTICLES and word not in SEPARATORS:
            return True  # "North Ave", "Park Ave"
        if word in ("north", "south", "east", "west"):
            return self._direction_is_street(toks, i)
        if word in ARTICLES or word in SEPARATORS or word in DIRECTIONS or len(word) < 4:
            return False
        after = toks[i + 1].text if i + 1 < len(toks) else ""
        before = toks[i - 1].text if i else ""
        return after in STREET_TYPES or after in SEPARATORS or before in SEPARATORS and i >= 2

    def _direction_is_street(self, toks: list[Tok], i: int) -> bool:
        """"North" is North Ave when it is one side of a corner and is not the direction of the street after it:
        "la north y pulaski", "western and north right now" — but not "47th and south ashland"."""
        n = len(toks)
        k = i - 1
        while k >= 0 and toks[k].text in ARTICLES:
            k -= 1
        nxt = toks[i + 1] if i + 1 < n else None
        if nxt is not None and (nxt.text in SEPARATORS and nxt.text not in ("n", "e")):
            p = i + 2
            while p < n and toks[p].text in ARTICLES:
                p += 1
            starts = p < n and (toks[p].text in self.first_words or toks[p].ordinal)
            return starts and (k < 0 or toks[k].text in ("en", "on", "at", "por", "near", "cerca", "in"))
        if k >= 1 and toks[k].text in SEPARATORS and toks[k].text not in ("n", "e"):
            following = nxt is not None and (nxt.text in self.first_words or nxt.number is not None)
            return not following and toks[k - 1].text not in ARTICLES
        return False

    def _gap_is_corner(self, toks: list[Tok], a: int, b: int) -> bool:
        gap = [t.text for t in toks[a:b]]
        if not gap or len(gap) > 4 or not any(w in SEPARATORS or w in NEAR_WORDS for w in gap):
            return False
        # "on archer near kedzie", "la 26 por kedzie", "pulaski by 55th": said of a corner as well
        return all(w in SEPARATORS or w in NEAR_WORDS or w in ARTICLES or w in STREET_TYPES or w in DIRECTIONS
                   for w in gap)

    # ------------------------------------------------------------------ steps

    def _corner(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        for m1, m2 in zip(mentions, mentions[1:], strict=False):
            if m1.number and not m1.context and m1.i > 0 and toks[m1.i - 1].number is not None:
                continue
            if not self._gap_is_corner(toks, m1.j, m2.i):
                continue
            return self._corner_result(text, toks, m1, m2, fuzzy=False, limit=limit)
        return None

    def _corner_result(self, text: str, toks: list[Tok], m1: _Mention, m2: _Mention, *, fuzzy: bool,
                       limit: int) -> Resolution:
        span, matched = self._span(text, toks, min(m1.i, m2.i), max(m1.j, m2.j))
        hit = self.net.crossing(m1.ids, m2.ids)
        if hit is not None:
            a, b, lat, lon, from_table = hit
            place = self._corner_place(a, b, lat, lon, 0.7 if fuzzy else 0.95 if from_table else 0.9)
            return Resolution("candidates" if fuzzy else "found", (place,), span=span, text=matched)
        sa, sb = self.net.streets[m1.ids[0]], self.net.streets[m2.ids[0]]
        near = self.net.nearest_crossings(sa, sb, limit)
        crossings = tuple(self._corner_place(a, b, lat, lon, 0.6) for a, b, lat, lon in near)
        return Resolution("no_crossing", (), crossings, f"{sa.name} / {sb.name}", span, matched)

    def _corner_place(self, a: int, b: int, lat: float, lon: float, conf: float) -> Place:
        na, nb = self.net.streets[a].name, self.net.streets[b].name
        return self.r._place(lat, lon, "intersection", f"{na} & {nb}", f"{na} y {nb}", conf)

    def _address(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        for m in mentions:
            k = m.i - 1
            direction = m.direction
            while k >= 0 and (toks[k].text in DIRECTIONS or toks[k].text in BLOCK_WORDS) and toks[k].number is None:
                if toks[k].text in DIRECTIONS and direction is None:
                    direction = DIRECTIONS[toks[k].text]
                k -= 1
            if k < 0 or toks[k].number is None or toks[k].ordinal or not (10 <= toks[k].number <= 14000):
                continue
            if len(toks[k].text) < 3 and toks[k].number < 100:
                continue
            number = toks[k].number
            span, matched = self._span(text, toks, k, m.j)
            places = self._address_places(number, direction, self.net.streets[m.ids[0]])
            if not places:
                continue
            status = "found" if len(places) == 1 else "candidates"
            return Resolution(status, tuple(places[:limit]), span=span, text=matched)
        return None

    def _address_places(self, number: int, direction: str | None, street: Street) -> list[Place]:
        core = street.core
        if self.r.grid is not None:
            query = f"{number} {(direction or '').lower()} {core} {street.type}".replace("  ", " ")
            grid_hits = self.r._address(query)
            # only a street the grid table has *by this name*: Grid.find also accepts close spellings, which
            # turned "4821 S Hermitage" into Armitage and "6243 S Fairfield" into Garfield Blvd
            if grid_hits and core in self.r.grid.streets:
                grid_hits.sort(key=lambda p: -p.confidence)
                if direction or len(grid_hits) == 1:
                    return [grid_hits[0]]
                return grid_hits
            return self._address_on_line(number, direction, street)
        return []

    def _address_on_line(self, number: int, direction: str | None, street: Street) -> list[Place]:
        """Diagonal streets: walk the polyline in grid numbers and interpolate the house number."""
        grid = self.r.grid
        if grid is None or len(street.lat) < 2:
            return []
        xy = [grid.to_grid(float(la), float(lo)) for la, lo in zip(street.lat, street.lon, strict=True)]
        # Without a direction, try each direction the street's own addresses use ("NW" for Ogden: its house
        # numbers are W ones south of Madison, N ones north of it); one hit is found, several are candidates.
        options = [direction] if direction else [d for d in "SNWE" if d in street.dirs] or ["S"]
        out = []
        for dirs in options:
            axis = 1 if dirs in ("N", "S") else 0
            target = number * (1 if dirs in ("N", "E") else -1)
            for p in range(len(xy) - 1):
                v0, v1 = xy[p][axis], xy[p + 1][axis]
                if (v0 - target) * (v1 - target) <= 0 and v0 != v1:
                    f = (target - v0) / (v1 - v0)
                    lat = float(street.lat[p] + f * (street.lat[p + 1] - street.lat[p]))
                    lon = float(street.lon[p] + f * (street.lon[p + 1] - street.lon[p]))
                    label = f"{number} {dirs} {street.name}"
                    out.append(self.r._place(lat, lon, "address", label, label, 0.9 if direction else 0.85))
                    break
        return out

    def _fuzzy_address(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        """"2700 S Pulasky": a house number followed by a misspelt street — offered as candidates only."""
        if not self.net:
            return None
        for k, t in enumerate(toks):
            if t.number is None or t.ordinal or not (100 <= t.number <= 14000) or len(t.text) > 5:
                continue
            p, direction = k + 1, None
            while p < len(toks) and (toks[p].text in DIRECTIONS or toks[p].text in BLOCK_WORDS):
                direction = direction or DIRECTIONS.get(toks[p].text)
                p += 1
            words = [q for q in range(p, min(p + 2, len(toks))) if toks[q].text not in FILLER
                     and toks[q].text not in STREET_TYPES and toks[q].number is None]
            for q_end in sorted({words[-1], words[0]}, reverse=True) if words else ():
                phrase = " ".join(toks[q].text for q in range(p, q_end + 1))
                if len(phrase) < 4:
                    continue
                hit = process.extractOne(phrase, self.net.names, scorer=fuzz.ratio, score_cutoff=80)
                ids = self.net.lookup(key_of(hit[0])) if hit else []
                if not ids:
                    continue
                places = self._address_places(t.number, direction, self.net.streets[ids[0]])
                if places:
                    span, matched = self._span(text, toks, k, q_end + 1)
                    shown = tuple(_lower(pl, 0.7) for pl in places[:limit])
                    return Resolution("candidates", shown, span=span, text=matched)
        return None

    def _hinted(self, toks: list[Tok], i: int, j: int, kind: str, taken: set[int] = frozenset(),
                lines: tuple[str, ...] = ()) -> bool:
        """A word of the landmark's kind just before/after it ("la prepa Farragut", "Harrison Park",
        "la pulaski de la linea naranja"); for a station, also the colour of one of its own lines ("la western
        de la naranja", "Kedzie pink"). Words that belong to a neighbourhood name ("Humboldt Park") do not
        count. Articles ("de la") are skipped on both sides."""
        words = HINTS.get(kind, set())
        if kind == "station":
            words = words | {"l"}
            if self._line_colour_next_to(toks, i, j, lines):
                return True
        k, seen = i - 1, 0
        while k >= 0 and seen < 3:
            w = toks[k].text
            if w in words and k not in taken:
                return True
            if w not in ARTICLES:
                seen += 1
            k -= 1
        inside = any(t.text in words for t in toks[i:j]) and tuple(t.text for t in toks[i:j]) not in self.area_keys
        if inside:
            return True
        k, seen = j, 0
        while k < len(toks) and seen < 2:
            w = toks[k].text
            if w in words and k not in taken:
                return True
            if w not in ARTICLES and w not in STREET_TYPES:  # "the 18th street station"
                seen += 1
            k += 1
        return False

    def _line_colour_next_to(self, toks: list[Tok], i: int, j: int, lines: tuple[str, ...]) -> bool:
        """The colour of one of the station's lines is the nearest word (articles aside) before or after it,
        and is not part of a street name ("Kedzie pink", "la western de la naranja", not "Blue Island y
        Damen")."""
        colours = {w for w, colour in LINE_WORDS.items() if colour in lines}
        if not colours:
            return False
        for k, step in ((i - 1, -1), (j, 1)):
            while 0 <= k < len(toks) and (toks[k].text in ARTICLES or toks[k].text in STREET_TYPES):
                k += step
            if 0 <= k < len(toks) and toks[k].text in colours:
                pair = tuple(t.text for t in toks[k : k + 2])
                if len(pair) < 2 or pair not in self.street_keys:  # "Blue Island" is a street, not a line
                    return True
        return False

    @staticmethod
    def _whole_name(said: tuple[str, ...], lm: Landmark) -> int:
        """0 when the words said are the landmark's whole name ("Kedzie" for Kedzie station), else 1."""
        name = key_of(lm.name_en.split(" (")[0])
        if name and name[-1] in ("station", "library", "park"):
            name = name[:-1]
        return 0 if name == said else 1

    @staticmethod
    def _station_word_next_to(toks: list[Tok], i: int) -> bool:
        """"estación"/"station"/"stop"/"parada" as the nearest word before or after position ``i``."""
        words = {"estacion", "station", "stop", "parada"}
        for k, step in ((i - 1, -1), (i + 1, 1)):
            while 0 <= k < len(toks) and toks[k].text in ARTICLES:
                k += step
            if 0 <= k < len(toks) and toks[k].text in words:
                return True
        return False

    def _strong(self, key: tuple[str, ...], lm: Landmark) -> bool:
        if key in self.street_keys or key in self.area_keys:
            return False
        content = [w for w in key if w not in FILLER and not w.isdigit()]
        if lm.index in self.marks.curated:
            return bool(content)
        kind_words = HINTS.get(lm.kind, set())
        if lm.kind == "station" and len([w for w in key if w not in FILLER and w != "/"]) >= 2:
            return True  # "Sox-35th", "Kedzie-Homan", "35th Archer": a station's two-part name
        return len(content) >= 2 or (len(content) == 1 and len(key) >= 2 and any(w in kind_words for w in key))

    def _landmark(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        if self.marks is None:
            return None
        n = len(toks)
        taken: set[int] = set()
        for length in range(2, min(self.area_max, n) + 1):
            for i in range(n - length + 1):
                if tuple(t.text for t in toks[i : i + length]) in self.area_keys:
                    taken |= set(range(i, i + length))
        best: tuple[int, int, int, list[int]] | None = None  # (length, i, j, ids)
        for i in range(n):
            for length in range(min(self.marks.max_words, n - i), 0, -1):
                key = tuple(t.text for t in toks[i : i + length])
                ids = self.marks.by_key.get(key)
                if not ids and length > 1 and any(len(w) > 4 and w[-1] == "s" and w[-2] != "s" for w in key):
                    key = tuple(w[:-1] if len(w) > 4 and w[-1] == "s" and w[-2] != "s" else w for w in key)
                    ids = self.marks.by_key.get(key)  # "st anthonys hospital" (possessive without apostrophe)
                if ids and length == 1 and key[0] in FILLER and len(key[0]) >= 4:
                    # a common word that is also a station ("Chicago", "Lake"): only with its line or "station"
                    ids = [x for x in ids if self.marks.places[x].kind == "station" and (
                        self._line_colour_next_to(toks, i, i + 1, self.marks.places[x].lines)
                        or self._station_word_next_to(toks, i))]
                    if ids:
                        best = best if best is not None and best[0] >= 1 else (1, i, i + 1, ids)
                    continue
                if not ids or (length == 1 and (key[0] in FILLER or len(key[0]) < 3 and not key[0].isdigit())):
                    continue
                ok = [x for x in ids if self._strong(key, self.marks.places[x])
                      or self._hinted(toks, i, i + length, self.marks.places[x].kind, taken,
                                      self.marks.places[x].lines)]
                if ok:
                    if best is None or length > best[0]:
                        best = (length, i, i + length, ok)
                    break
        if best is None:
            return None
        _, i, j, ids = best
        said = tuple(t.text for t in toks[i:j])
        ids = sorted(ids, key=lambda x: self._whole_name(said, self.marks.places[x]))  # "Kedzie" before Kedzie-Homan
        ids = self._narrow(toks, ids)
        span, matched = self._span(text, toks, i, j)
        places = tuple(self._landmark_place(self.marks.places[x], 0.95 if len(ids) == 1 else 0.7)
                       for x in ids[:limit])
        return Resolution("found" if len(ids) == 1 else "candidates", places, span=span, text=matched)

    def _narrow(self, toks: list[Tok], ids: list[int]) -> list[int]:
        words = {t.text for t in toks}
        places = self.marks.places
        lines = {LINE_WORDS[w] for w in words if w in LINE_WORDS}
        if lines:
            with_line = [x for x in ids if lines & set(places[x].lines)]
            ids = with_line or ids
        kinds = {k for k, hint in HINTS.items() if words & hint}
        if kinds:
            ids = [x for x in ids if places[x].kind in kinds] or ids
        if words & {"prepa", "preparatoria", "high", "hs", "secundaria"}:
            ids = [x for x in ids if places[x].level == "HS"] or ids
        return ids

    def _landmark_place(self, lm: Landmark, conf: float) -> Place:
        return self.r._place(lm.lat, lm.lon, "landmark", lm.name_en, lm.name_es, conf)

    def _zip(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        for k, t in enumerate(toks):
            if len(t.text) == 5 and t.text.isdigit() and t.text in self.r.zips:
                places = self.r._zip(t.text)
                span, matched = self._span(text, toks, k, k + 1)
                return Resolution("found", tuple(places[:1]), span=span, text=matched)
        return None

    def _area(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        n = len(toks)
        for length in range(min(self.area_max, n), 0, -1):
            for i in range(n - length + 1):
                key = tuple(t.text for t in toks[i : i + length])
                if key in self.area_keys:
                    if length == 1 and any(m.i <= i < m.j and m.context for m in mentions):
                        continue
                    span, matched = self._span(text, toks, i, i + length)
                    place = self.r._area_place(self.area_keys[key], 0.9, " ".join(key))
                    return Resolution("found", (place,), span=span, text=matched)
        return self._area_head(text, toks, mentions)

    def _area_head(self, text: str, toks: list[Tok], mentions: list[_Mention]) -> Resolution | None:
        """The whole message is a neighbourhood name without its generic last word ("brighton", "en gage").

        Only when no arterial has that name ("Marquette", "Garfield" are streets people name alone) and nothing
        frames it as a street ("calle Brighton", "la Logan", "Logan Blvd")."""
        content = [k for k, t in enumerate(toks) if t.text not in FILLER]
        if not content or content[-1] - content[0] + 1 != len(content) or len(content) > 3:
            return None
        i, j = content[0], content[-1] + 1
        head = tuple(t.text for t in toks[i:j])
        full = self.area_heads.get(head)
        if full is None:
            return None
        before = toks[i - 1].text if i else ""
        if before in ("la", "calle", "avenida", "av", "street", "the") or (j < len(toks) and toks[j].text in
                                                                            STREET_TYPES):
            return None
        if any(m.context or self.net.streets[x].major for m in mentions if m.i == i for x in m.ids):
            return None
        span, matched = self._span(text, toks, i, j)
        # a real street of that name ("Humboldt Blvd", "Morgan St") makes it a guess; a lane ("Brighton Pl") not
        street = any(self.net.streets[x].type not in MINOR_TYPES for m in mentions if m.i == i for x in m.ids)
        place = self.r._area_place(self.area_keys[full], 0.7 if street else 0.85, " ".join(full))
        return Resolution("candidates" if street else "found", (place,), span=span, text=matched)

    def _outside(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        """A suburb named as a place ("en Cicero", "Berwyn"), not as a street ("Cicero Ave", "Cicero y 26")."""
        if self.marks is None or not self.marks.outside:
            return None
        n = len(toks)
        content = [k for k, t in enumerate(toks) if t.text not in FILLER]
        for i in range(n):
            for length in (2, 1):
                key = tuple(t.text for t in toks[i : i + length])
                if len(key) < length or key not in self.marks.outside:
                    continue
                j = i + length
                after = toks[j].text if j < n else ""
                if after in STREET_TYPES or after in SEPARATORS or (i and toks[i - 1].text in SEPARATORS):
                    continue
                before = toks[i - 1].text if i else ""
                whole = all(i <= k < j for k in content)
                if whole or before in ("en", "in", "de", "from", "desde", "to", "hacia", "near", "cerca"):
                    span, matched = self._span(text, toks, i, j)
                    return Resolution("outside", (), span=span, text=matched)
        return None

    def _street_only(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        content = [t for t in toks if t.text not in FILLER]
        for m in mentions:
            whole = all(m.i <= toks.index(t) < m.j for t in content) if content else False
            if not (m.context or whole):
                continue
            near = {toks[k].text for k in (m.i - 1, m.j) if 0 <= k < len(toks)}
            if m.j - m.i == 1 and toks[m.i].text in LINE_WORDS and near & {"line", "linea"}:
                continue  # "the orange line" is a train line, not Orange Ave
            street = self.net.streets[m.ids[0]]
            crossings = tuple(self._corner_place(street.index, c, lat, lon, 0.6)
                              for c, lat, lon in self.net.major_crossings(street))
            span, matched = self._span(text, toks, m.i, m.j)
            return Resolution("street_only", (), crossings, street.name, span, matched)
        return None

    def _fuzzy_corner(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        if not self.net:
            return None
        for k, t in enumerate(toks):
            if t.text not in SEPARATORS or k == 0 or k == len(toks) - 1:
                continue
            left = self._side(toks, mentions, k, -1)
            right = self._side(toks, mentions, k, 1)
            if left and right and (left.fuzzy or right.fuzzy):
                return self._corner_result(text, toks, left, right, fuzzy=True, limit=limit)
        return None

    def _side(self, toks: list[Tok], mentions: list[_Mention], k: int, step: int) -> _Mention | None:
        for m in mentions:
            if (step < 0 and 0 < k - m.j + 1 <= 2) or (step > 0 and 0 <= m.i - k - 1 <= 1):
                return m
        words, p = [], k + step
        while 0 <= p < len(toks) and len(words) < 2:
            w = toks[p].text
            if w in SEPARATORS and p != k:
                break
            if w not in ARTICLES and w not in STREET_TYPES and w not in DIRECTIONS:
                words.append(p)
            p += step
        if not words:
            return None
        words.sort()
        for span in ((words[0], words[-1]), (words[-1], words[-1]) if step < 0 else (words[0], words[0])):
            phrase = " ".join(toks[q].text for q in range(span[0], span[1] + 1))
            if len(phrase) < 4 or phrase in FILLER:
                continue
            hit = process.extractOne(phrase, self.net.names, scorer=fuzz.ratio, score_cutoff=80)
            if hit:
                ids = self.net.lookup(key_of(hit[0]))
                if ids:
                    return _Mention(span[0], span[1] + 1, ids, fuzzy=True)
        return None

    def _fuzzy_area(self, text: str, toks: list[Tok], mentions: list[_Mention], limit: int) -> Resolution | None:
        content = [t.text for t in toks if t.text not in ARTICLES and t.text not in ("barrio", "en", "in", "near")]
        if not content or len(content) > 4 or all(w in FILLER for w in content):
            return None
        query = " ".join(content)
        if len(query) < 5:
            return None
        hits = process.extract(query, list(self.area_names), scorer=fuzz.ratio, limit=6, score_cutoff=84)
        seen: dict[int, float] = {}
        for name, score, _ in hits:
            number = self.area_names[name]
            seen[number] = max(seen.get(number, 0.0), score / 100 * 0.75)
        if not seen:
            return None
        places = tuple(self.r._area_place(n, c) for n, c in sorted(seen.items(), key=lambda x: -x[1])[:limit])
        return Resolution("candidates", places, span=(toks[0].start, toks[-1].end), text=text.strip())



def _lower(place: Place, confidence: float) -> Place:
    """The same place with a lower confidence (a guessed spelling is never "found")."""
    from dataclasses import replace

    return replace(place, confidence=min(place.confidence, confidence))
