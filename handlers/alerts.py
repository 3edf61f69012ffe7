"""Opt-in nearby alerts: up to three areas (pin, neighbourhood, ZIP or corner) with a radius, quiet hours, stop."""

from __future__ import annotations

import re

from bot.chat import Button, Reply, callback, parse_id
from handlers.channels import channel_lines
from handlers.flow import Context, Flow
from handlers.places import ask_place, picked_place, place_input
from handlers.start import cancel_conversation, menu_reply

FLOW = "alerts"
MAX_AREAS = 3
RADII = ("0.5", "1", "2", "5")
METRES = {"mi": 1609.344, "km": 1000.0}
QUIET = {"off": (None, None), "22-7": (22, 7), "23-6": (23, 6), "0-6": (0, 6)}


def radius_label(ctx: Context, radius_m: float) -> str:
    """"media milla" / "half a mile", "1 milla", "2 millas", "5 km": how people say a distance, never "0.5 millas"
    (issue 12)."""
    unit = ctx.services.settings.distance_unit
    value = radius_m / METRES[unit]
    text = f"{value:g}" if value >= 1 else f"{value:.1f}"
    if unit == "mi" and text == "0.5":
        return ctx.t("alerts.unit_half_mi")
    one = "_one" if text == "1" else ""
    return ctx.t(f"alerts.unit_{unit}{one}", n=text)


def shape_of_place(ctx: Context, data: dict) -> tuple[str, str] | None:
    """(kind, ref) when the chosen place is a community area or a ZIP code with a known polygon: the area or
    audience is then offered as that whole shape ("all of Pilsen"), not only as a circle round its centre."""
    kind = data.get("kind")
    if kind == "community_area" and data.get("area_number") is not None:
        ref = ("area", str(data["area_number"]))
    elif kind == "zip" and (match := re.search(r"\b(6\d{4})\b", str(data.get("place_en", "")))):
        ref = ("zip", match.group(1))
    else:
        return None
    return ref if ctx.services.geo.shape(*ref) is not None else None


class AlertsFlow(Flow):
    name = FLOW
    commands = ("alerts", "alertas", "stop", "detener")

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if not ctx.event.sender.is_private:
            return [Reply(ctx.t("report.private_only"))]
        if command in ("stop", "detener"):
            return await self._stop_all(ctx)
        return [await self.overview(ctx)]

    async def overview(self, ctx: Context, edit: str | None = None) -> Reply:
        subs = await ctx.services.alerts.subscriptions_of(ctx.user.key)
        rows: list[list[Button]] = []
        if subs:
            lines = [ctx.t("alerts.your_areas")]
            for n, sub in enumerate(subs, 1):
                place = sub.place_es if ctx.lang == "es" else sub.place_en
                if sub.area_kind == "circle":
                    lines.append(ctx.t("alerts.area_line", n=n, place=place, radius=radius_label(ctx, sub.radius_m)))
                else:
                    lines.append(ctx.t("alerts.area_line_all", n=n, place=place))
                rows.append([Button(ctx.t("alerts.btn_view", n=n), callback(FLOW, "view", sub.id)),
                             Button(ctx.t("alerts.btn_change", n=n), callback(FLOW, "change", sub.id)),
                             Button(ctx.t("alerts.btn_remove", n=n), callback(FLOW, "remove", sub.id))])
            lines += await channel_lines(ctx, subs)
            quiet = await ctx.services.alerts.quiet_hours(ctx.user.key)
            if quiet[0] is not None:
                lines.append(ctx.t("alerts.quiet_on", start=f"{quiet[0]:02d}:00", end=f"{quiet[1]:02d}:00"))
        else:
            lines = [ctx.t("alerts.none_yet")]
        if len(subs) < MAX_AREAS:
            rows.append([Button(ctx.t("alerts.btn_add"), callback(FLOW, "add"))])
        if subs:
            rows.append([Button(ctx.t("alerts.btn_quiet"), callback(FLOW, "quiet")),
                         Button(ctx.t("alerts.btn_stop_all"), callback(FLOW, "stopask"))])
        return Reply("\n".join(lines), buttons=rows, edit=edit)

    def _step(self, ctx: Context) -> str | None:
        conv = ctx.conversation
        return conv.step if conv is not None and conv.flow == FLOW else None

    async def _own(self, ctx: Context, args: list[str]) -> int | None:
        """The subscription id in a button, if it is one of this user's (callback data is never trusted)."""
        sub_id = parse_id(args[0]) if args else None
        if sub_id is None:
            return None
        subs = await ctx.services.alerts.subscriptions_of(ctx.user.key)
        return sub_id if any(s.id == sub_id for s in subs) else None

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        alerts = ctx.services.alerts
        expired = [Reply("", toast=ctx.t("core.button_expired"))]
        if action in ("add", "change"):
            replace = None
            if action == "change":
                replace = await self._own(ctx, args)
                if replace is None:
                    return expired
            elif len(await alerts.subscriptions_of(ctx.user.key)) >= MAX_AREAS:
                return [Reply(ctx.t("alerts.max_areas", n=MAX_AREAS))]
            await ctx.set_step(FLOW, "where", {"replace": replace})
            return [ask_place(ctx, "alerts.q_where")]
        if action == "view":
            sub_id = await self._own(ctx, args)
            sub = next((s for s in await alerts.subscriptions_of(ctx.user.key) if s.id == sub_id), None)
            if sub is None:
                return expired
            place = sub.place_es if ctx.lang == "es" else sub.place_en
            reply = Reply(ctx.t("alerts.view", place=place, radius=radius_label(ctx, sub.radius_m)),
                          location=(sub.lat, sub.lon),
                          buttons=[[Button(ctx.t("alerts.btn_back"), callback(FLOW, "list"))]])
            return [reply]
        if action == "list":
            return [await self.overview(ctx, edit=ctx.event.message_id)]
        if action == "remove":
            sub_id = await self._own(ctx, args)
            if sub_id is None:
                return expired
            await ctx.services.alerts.remove(ctx.user.key, sub_id)
            return [Reply(ctx.t("alerts.removed")), await self.overview(ctx)]
        if action == "quiet":
            rows = [[Button(ctx.t(f"alerts.quiet_{k.replace('-', '_')}"), callback(FLOW, "q", k))] for k in QUIET]
            return [Reply(ctx.t("alerts.quiet_question"), buttons=rows)]
        if action == "q" and args and args[0] in QUIET:
            start, end = QUIET[args[0]]
            await alerts.set_quiet_hours(ctx.user.key, start, end)
            return [Reply(ctx.t("alerts.quiet_saved"), edit=ctx.event.message_id), await self.overview(ctx)]
        if action == "stopask":
            rows = [[Button(ctx.t("alerts.btn_stop_yes"), callback(FLOW, "stopall")),
                     Button(ctx.t("alerts.btn_stop_no"), callback(FLOW, "list"))]]
            return [Reply(ctx.t("alerts.stop_confirm"), buttons=rows)]
        if action == "stopall":
            return await self._stop_all(ctx, edit=ctx.event.message_id)
        return await self._flow_choice(ctx, action, args)

    async def _flow_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        step = self._step(ctx)
        expired = [Reply("", toast=ctx.t("core.button_expired"))]
        if step is None:
            return expired
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if action == "cancel":
            return await cancel_conversation(ctx)
        if action == "place" and step == "where":
            replies, chosen = picked_place(ctx, args)
            if chosen is None:
                return expired
            data.update(chosen)
            return replies + await self._ask_radius(ctx)
        if action == "retype" and step == "where":
            data.pop("candidates", None)
            await ctx.set_step(FLOW, "where", data)
            return [ask_place(ctx, "alerts.q_where")]
        if action == "r" and step == "radius" and args and (args[0] in RADII or args[0] == "all"):
            place = data["place_es"] if ctx.lang == "es" else data["place_en"]
            rows = [[Button(ctx.t("alerts.btn_save"), callback(FLOW, "save")),
                     Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel"))]]
            shape = self._shape_of(ctx, data) if args[0] == "all" else None
            if args[0] == "all" and shape is None:
                return expired
            if shape is not None:
                data["area_kind"], data["area_ref"] = shape
                data["radius_m"] = ctx.services.settings.area_margin_m
                text = ctx.t("alerts.confirm_all", place=place)
            else:
                data.pop("area_kind", None)
                data["radius_m"] = float(args[0]) * METRES[ctx.services.settings.distance_unit]
                text = ctx.t("alerts.confirm", place=place, radius=radius_label(ctx, data["radius_m"]))
            await ctx.set_step(FLOW, "confirm", data)
            return [Reply(text, buttons=rows, edit=ctx.event.message_id)]
        if action == "save" and step == "confirm":
            return await self._save(ctx)
        return expired

    async def _ask_radius(self, ctx: Context) -> list[Reply]:
        assert ctx.conversation is not None
        data = ctx.conversation.data
        await ctx.set_step(FLOW, "radius", data)
        unit = ctx.services.settings.distance_unit
        buttons = [Button(radius_label(ctx, float(r) * METRES[unit]), callback(FLOW, "r", r)) for r in RADII]
        rows = [buttons[:2], buttons[2:], [Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel"))]]
        shape = self._shape_of(ctx, data)
        if shape is not None:  # a neighbourhood or ZIP code: the whole of it (its real shape) comes first
            place = data["place_es"] if ctx.lang == "es" else data["place_en"]
            rows.insert(0, [Button(ctx.t("alerts.btn_all_of", place=place), callback(FLOW, "r", "all"))])
        return [Reply(ctx.t("alerts.q_radius"), buttons=rows)]

    @staticmethod
    def _shape_of(ctx: Context, data: dict) -> tuple[str, str] | None:
        return shape_of_place(ctx, data)

    async def _save(self, ctx: Context) -> list[Reply]:
        assert ctx.conversation is not None
        data = ctx.conversation.data
        alerts = ctx.services.alerts
        if ctx.user.language is None:  # alerts are rendered in the stored language: keep the one in use
            await ctx.services.users.set_language(ctx.user.key, ctx.lang)
        saved = await alerts.subscribe(ctx.user.key, data, replace=data.get("replace"))
        await ctx.end()
        if not saved:
            return [Reply(ctx.t("alerts.max_areas", n=MAX_AREAS))]
        return [Reply(ctx.t("alerts.saved"), edit=ctx.event.message_id), await self.overview(ctx)]

    async def _stop_all(self, ctx: Context, edit: str | None = None) -> list[Reply]:
        removed = await ctx.services.alerts.remove(ctx.user.key, None)
        if ctx.conversation is not None and ctx.conversation.flow == FLOW:
            await ctx.end()
        key = "alerts.stopped" if removed else "alerts.nothing_to_stop"
        return [Reply(ctx.t(key), edit=edit), menu_reply(ctx)]

    async def on_input(self, ctx: Context) -> list[Reply]:
        step = self._step(ctx)
        if step == "where":
            replies, chosen = await place_input(ctx, FLOW)
            if chosen is None:
                if any(r.buttons or r.ask_location for r in replies):
                    return replies
                return replies + [ask_place(ctx, "alerts.q_where")]
            assert ctx.conversation is not None
            ctx.conversation.data.update(chosen)
            return replies + await self._ask_radius(ctx)
        return [Reply(ctx.t("report.use_buttons"))]
