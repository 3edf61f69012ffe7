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
        self.area_max = max((len(k) for k in self.area_keys), default=1)
        self.street_keys = set(self.net.by_key) if self.net else set()

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
        mentions = self._street_mentions(toks) if self.net else []
        for step in (self._corner, self._address, self._landmark, self._zip, self._area, self._fuzzy_corner,
                     self._fuzzy_address, self._outside, self._street_only, self._fuzzy_area):
            out = step(text, toks, mentions, limit)
            if out is not None:
                return out
        return Resolution("unknown")

    # ------------------------------------------------------------------ helpers

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

    @staticmethod
    def _framed_as_street(toks: list[Tok], i: int) -> bool:
        """A common word ("Lake", "Chicago", "Park") counts as a street only with a street type or a corner."""
        word = toks[i].text
        after = toks[i + 1].text if i + 1 < len(toks) else ""
        if after in STREET_TYPES and word not in ARTICLES and word not in SEPARATORS:
            return True  # "North Ave", "Park Ave"
        if word in DIRECTIONS and len(word) >= 4 and toks[i].text in ("north", "south", "east", "west"):
            before, after = (toks[i - 1].text if i else ""), (toks[i + 1].text if i + 1 < len(toks) else "")
            return (before in SEPARATORS and i >= 2 and not after) or (after in SEPARATORS and i == 0)
        if word in ARTICLES or word in SEPARATORS or word in DIRECTIONS or len(word) < 4:
            return False
        after = toks[i + 1].text if i + 1 < len(toks) else ""
        before = toks[i - 1].text if i else ""
        return after in STREET_TYPES or after in SEPARATORS or before in SEPARATORS and i >= 2

    def _gap_is_corner(self, toks: list[Tok], a: int, b: int) -> bool:
        gap = [t.text for t in toks[a:b]]
        if not gap or len(gap) > 4 or not any(w in SEPARATORS for w in gap):
            return False
        return all(w in SEPARATORS or w in ARTICLES or w in STREET_TYPES or w in DIRECTIONS for w in gap)

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
            if grid_hits and self.r.grid.find(f"{core}")[1]:
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
        dirs = direction or ("S" if "S" in street.dirs else "N" if "N" in street.dirs else
                             "W" if "W" in street.dirs else "E")
        axis = 1 if dirs in ("N", "S") else 0
        target = number * (1 if dirs in ("N", "E") else -1)
        out = []
        for p in range(len(xy) - 1):
            v0, v1 = xy[p][axis], xy[p + 1][axis]
            if (v0 - target) * (v1 - target) <= 0 and v0 != v1:
                f = (target - v0) / (v1 - v0)
                lat = float(street.lat[p] + f * (street.lat[p + 1] - street.lat[p]))
                lon = float(street.lon[p] + f * (street.lon[p + 1] - street.lon[p]))
                label = f"{number} {dirs} {street.name}"
                out.append(self.r._place(lat, lon, "address", label, label, 0.9))
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

    def _hinted(self, toks: list[Tok], i: int, j: int, kind: str, taken: set[int] = frozenset()) -> bool:
        """A word of the landmark's kind just before/after it ("la prepa Farragut", "Harrison Park"); words
        that belong to a neighbourhood name ("Humboldt Park") do not count."""
        words = HINTS.get(kind, set())
        if kind == "station":
            words = words | {"l"}
        k, seen = i - 1, 0
        while k >= 0 and seen < 3:
            w = toks[k].text
            if w in words and k not in taken:
                return True
            if w not in ARTICLES:
                seen += 1
            k -= 1
        inside = any(t.text in words for t in toks[i:j]) and tuple(t.text for t in toks[i:j]) not in self.area_keys
        return inside or any(t.text in words and q not in taken for q, t in enumerate(toks[j : j + 2], start=j))

    def _strong(self, key: tuple[str, ...], lm: Landmark) -> bool:
        if key in self.street_keys or key in self.area_keys:
            return False
        content = [w for w in key if w not in FILLER and not w.isdigit()]
        if lm.index in self.marks.curated:
            return bool(content)
        kind_words = HINTS.get(lm.kind, set())
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
                if not ids or (length == 1 and (key[0] in FILLER or len(key[0]) < 3 and not key[0].isdigit())):
                    continue
                ok = [x for x in ids if self._strong(key, self.marks.places[x])
                      or self._hinted(toks, i, i + length, self.marks.places[x].kind, taken)]
                if ok:
                    if best is None or length > best[0]:
                        best = (length, i, i + length, ok)
                    break
        if best is None:
            return None
        _, i, j, ids = best
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
                    place = self.r._area_place(self.area_keys[key], 0.9)
                    return Resolution("found", (place,), span=span, text=matched)
        return None

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
