"""The results of place finding: a :class:`Place` and a :class:`Resolution` (what a text names, how surely).

Their own module so that the resolver and the sentence reader can both build them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("found", "candidates", "street_only", "no_crossing", "outside", "unknown")


@dataclass(frozen=True)
class Place:
    """A resolved place. Labels are plain text; the caller HTML-escapes them."""

    lat: float
    lon: float
    kind: str
    label_en: str
    label_es: str
    confidence: float
    area_number: int | None = None

    def label(self, lang: str) -> str:
        """Label in ``lang`` ("es" or "en"); anything else falls back to English."""
        return self.label_es if lang == "es" else self.label_en


@dataclass(frozen=True)
class Resolution:
    """What a text names, and how sure we are.

    status: ``found`` (one place, accept it), ``candidates`` (up to 3 places to choose from, each labelled with
    its area), ``street_only`` (a street without a corner: ask "¿En qué cruce?" offering ``crossings``),
    ``no_crossing`` (two streets that never meet: ``crossings`` holds the nearest real corners), ``outside``
    (a real place outside the service area; ``places`` holds it), ``unknown`` (nothing recognisable).
    ``span`` is the (start, end) character range of the original text the place was read from.
    """

    status: str
    places: tuple[Place, ...] = ()
    crossings: tuple[Place, ...] = ()
    street: str | None = None
    span: tuple[int, int] | None = None
    text: str = ""

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.status == "found" and self.places else None
