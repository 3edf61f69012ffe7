"""Asking for a place (shared by the report, alert and broadcast flows): a location pin, or typed text resolved
offline.

The flow keeps its own step; this helper answers the input and, once a place is settled, returns its data
(coarsened point and labels) for the flow to store. Every status of :class:`bot.geo.Resolution` gets an answer
that says what to do next (issue 12): candidates and the crossings of a bare street are buttons (and numbered
options on Signal), an unknown or outside place gets examples instead of a bare refusal.
"""

from __future__ import annotations

from typing import Any

from bot.chat import Button, Reply, callback, parse_id
from bot.geo import Place, Resolution
from handlers.flow import Context

CONFIDENT = 0.8
MAX_PLACE_TEXT = 200


def place_data(ctx: Context, place: Place) -> dict[str, Any]:
    """What a flow stores of a place: the point coarsened on arrival, and its labels."""
    lat, lon = ctx.services.geo.coarsen(place.lat, place.lon)
    return {"lat": lat, "lon": lon, "place_en": place.label_en, "place_es": place.label_es,
            "area_number": place.area_number, "kind": place.kind}


def ask_place(ctx: Context, key: str) -> Reply:
    return Reply(ctx.t(key), ask_location=ctx.t("core.share_location"))


def _outside(ctx: Context) -> Reply:
    settings = ctx.services.settings
    return Reply(ctx.t("geo.outside_area", city=settings.service_area_name, margin_km=settings.service_area_margin_km))


async def place_input(ctx: Context, flow: str) -> tuple[list[Reply], dict[str, Any] | None]:
    """Handle a pin or typed place. Returns replies, and the place data once one is settled."""
    event = ctx.event
    geo = ctx.services.geo
    if event.kind == "location" and event.location:
        lat, lon = event.location
        if not geo.within_service_area(lat, lon):
            return [_outside(ctx)], None
        place = geo.reverse(lat, lon)
        return [Reply(ctx.t("report.place_set", place=place.label(ctx.lang)), remove_keyboard=True)], \
            place_data(ctx, place)
    if event.kind != "text" or not event.text.strip():
        return [Reply(ctx.t("report.where_expected"))], None
    text = event.text.strip()
    if len(text) > MAX_PLACE_TEXT:
        return [Reply(ctx.t("report.too_long", limit=MAX_PLACE_TEXT, length=len(text)))], None
    street = ctx.conversation.data.get("street_hint") if ctx.conversation else None
    if street:  # the answer to "¿En qué cruce de Pulaski?" may be just the other street
        result = await geo.find(f"{street} & {text}", limit=3)
        if result.status in ("found", "candidates"):
            return await answer_resolution(ctx, flow, result, text)
    return await answer_resolution(ctx, flow, await geo.find(text, limit=3), text)


async def answer_resolution(ctx: Context, flow: str, result: Resolution, text: str
                            ) -> tuple[list[Reply], dict[str, Any] | None]:
    """Turn a :class:`Resolution` into replies (and the place data when it is settled).

    Several places (candidates, or the real corners of a bare street or of two streets that never meet) are
    stored in the conversation and offered as buttons; :func:`picked_place` reads the choice back."""
    if result.status == "found" and result.places and result.places[0].confidence >= CONFIDENT:
        place = result.places[0]
        data = place_data(ctx, place)
        # A typed place is shown on the map before it is used (issue 13): the pin says where we understood.
        return [Reply(ctx.t("report.place_set", place=place.label(ctx.lang)), remove_keyboard=True,
                      location=(data["lat"], data["lon"]))], data
    if result.status == "outside":
        return [_outside(ctx), Reply(ctx.t("geo.examples"))], None
    if result.status in ("street_only", "no_crossing") and result.crossings:
        options, key = list(result.crossings[:6]), f"geo.which_crossing_{result.status}"
        prompt = ctx.t(key, street=result.street or text)
    elif result.places:
        options, prompt = list(result.places[:3]), ctx.t("geo.pick_candidate")
    else:
        return [Reply(ctx.t("geo.not_found", text=text), ask_location=ctx.t("core.share_location"))], None
    assert ctx.conversation is not None
    ctx.conversation.data["candidates"] = [place_data(ctx, p) for p in options]
    ctx.conversation.data["street_hint"] = result.street if result.status == "street_only" else None
    await ctx.set_step(flow, ctx.conversation.step, ctx.conversation.data)
    rows = [[Button(p.label(ctx.lang)[:60], callback(flow, "place", i))] for i, p in enumerate(options)]
    rows.append([Button(ctx.t("geo.none_of_these"), callback(flow, "retype"))])
    return [Reply(prompt, buttons=rows)], None


def picked_place(ctx: Context, args: list[str]) -> tuple[list[Reply], dict[str, Any] | None]:
    """A candidate button was pressed: the chosen place's data, or ``None`` when the button is stale."""
    assert ctx.conversation is not None
    candidates = ctx.conversation.data.pop("candidates", [])
    ctx.conversation.data.pop("street_hint", None)
    index = parse_id(args[0]) if args else None
    if index is None or index >= len(candidates):
        return [], None
    chosen = candidates[index]
    place = chosen["place_" + ("es" if ctx.lang == "es" else "en")]
    return [Reply(ctx.t("report.place_set", place=place), remove_keyboard=True,
                  location=(chosen["lat"], chosen["lon"]))], chosen


def typed_candidate(ctx: Context, text: str) -> int | None:
    """A candidate picked by typing its number ("2") on a messenger where the buttons were shown anyway."""
    if ctx.conversation is None:
        return None
    index = parse_id(text)
    candidates = ctx.conversation.data.get("candidates") or []
    if index is None or not 1 <= index <= len(candidates):
        return None
    return index - 1
