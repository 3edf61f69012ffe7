"""Asking for a place (shared by the report and alert flows): a location pin, or typed text resolved offline.

The flow keeps its own step; this helper answers the input and, once a place is settled, returns its data
(coarsened point and labels) for the flow to store.
"""

from __future__ import annotations

from typing import Any

from bot.chat import Button, Reply, callback, parse_id
from bot.geo import Place
from handlers.flow import Context

CONFIDENT = 0.8
MAX_PLACE_TEXT = 200


def place_data(ctx: Context, place: Place) -> dict[str, Any]:
    """What a flow stores of a place: the point coarsened on arrival, and its labels."""
    lat, lon = ctx.services.geo.coarsen(place.lat, place.lon)
    return {"lat": lat, "lon": lon, "place_en": place.label_en, "place_es": place.label_es,
            "area_number": place.area_number}


def ask_place(ctx: Context, key: str) -> Reply:
    return Reply(ctx.t(key), ask_location=ctx.t("core.share_location"))


async def place_input(ctx: Context, flow: str) -> tuple[list[Reply], dict[str, Any] | None]:
    """Handle a pin or typed place. Returns replies, and the place data once one is settled."""
    event = ctx.event
    geo = ctx.services.geo
    if event.kind == "location" and event.location:
        lat, lon = event.location
        if not geo.within_service_area(lat, lon):
            settings = ctx.services.settings
            return [Reply(ctx.t("geo.outside_area", city=settings.service_area_name,
                                margin_km=settings.service_area_margin_km))], None
        place = geo.reverse(lat, lon)
        return [Reply(ctx.t("report.place_set", place=place.label(ctx.lang)), remove_keyboard=True)], \
            place_data(ctx, place)
    if event.kind != "text" or not event.text.strip():
        return [Reply(ctx.t("report.where_expected"))], None
    text = event.text.strip()
    if len(text) > MAX_PLACE_TEXT:
        return [Reply(ctx.t("report.too_long", limit=MAX_PLACE_TEXT, length=len(text)))], None
    candidates = await geo.resolve(text, limit=3)
    if not candidates:
        return [Reply(ctx.t("geo.not_found", text=text), ask_location=ctx.t("core.share_location"))], None
    if len(candidates) == 1 and candidates[0].confidence >= CONFIDENT:
        return [Reply(ctx.t("report.place_set", place=candidates[0].label(ctx.lang)), remove_keyboard=True)], \
            place_data(ctx, candidates[0])
    assert ctx.conversation is not None
    ctx.conversation.data["candidates"] = [place_data(ctx, p) for p in candidates]
    await ctx.set_step(flow, ctx.conversation.step, ctx.conversation.data)
    rows = [[Button(p.label(ctx.lang)[:60], callback(flow, "place", i))] for i, p in enumerate(candidates)]
    rows.append([Button(ctx.t("geo.none_of_these"), callback(flow, "retype"))])
    return [Reply(ctx.t("geo.pick_candidate"), buttons=rows)], None


def picked_place(ctx: Context, args: list[str]) -> tuple[list[Reply], dict[str, Any] | None]:
    """A candidate button was pressed: the chosen place's data, or ``None`` when the button is stale."""
    assert ctx.conversation is not None
    candidates = ctx.conversation.data.pop("candidates", [])
    index = parse_id(args[0]) if args else None
    if index is None or index >= len(candidates):
        return [], None
    chosen = candidates[index]
    place = chosen["place_" + ("es" if ctx.lang == "es" else "en")]
    return [Reply(ctx.t("report.place_set", place=place), remove_keyboard=True)], chosen
