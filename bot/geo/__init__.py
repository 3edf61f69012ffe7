"""Offline, privacy-preserving place resolution (issues 3 and 13).

Modules: ``core`` (Place, distances, service area, grid, areas, GeoService), ``network`` (street network and
landmark gazetteer), ``text`` (tokens with spans, numbers in words), ``reader`` (reading a place out of free
text into a ``Resolution``). Everything works from the shipped files in ``bot/geodata/`` — no network.
"""

from __future__ import annotations

from functools import lru_cache

from bot.geo.core import (
    DEFAULT_GAZETTEER,
    KINDS,
    CircleTest,
    GeoService,
    Grid,
    OfflineResolver,
    OnlineGeocoder,
    Place,
    build_geo_service,
    coarsen,
    distance_m,
    metres_per_degree,
    normalize,
    point_in_rings,
    street_core,
)
from bot.geo.reader import STATUSES, Resolution


@lru_cache(maxsize=1)
def default_resolver() -> OfflineResolver:
    """The shipped Chicago resolver, loaded once per process."""
    return OfflineResolver.load()


def find_in_sentence(text: str, resolver: OfflineResolver | None = None) -> Resolution:
    """The place named in ``text`` (a sentence of a story, a message) and the character span it came from."""
    return (resolver or default_resolver()).find(text)


__all__ = [
    "DEFAULT_GAZETTEER",
    "KINDS",
    "STATUSES",
    "CircleTest",
    "GeoService",
    "Grid",
    "OfflineResolver",
    "OnlineGeocoder",
    "Place",
    "Resolution",
    "build_geo_service",
    "coarsen",
    "default_resolver",
    "distance_m",
    "find_in_sentence",
    "metres_per_degree",
    "normalize",
    "point_in_rings",
    "street_core",
]
