"""Organizer broadcasts: Spanish text → English text (or the same for everyone) → audience → preview → send.

Only admins and people an admin made organizers (/org_add) may broadcast, in a private chat. Every button and
every step re-checks that: callback data is never trusted. What the organizer types is shown literally (escaped),
never as HTML. Sending and progress live in :mod:`bot.services.broadcasts`.
"""

from __future__ import annotations

import secrets

from bot.chat import Button, Reply, callback, parse_id
from handlers.admin import RoleTexts, change_role
from handlers.alerts import METRES, RADII, radius_label, shape_of_place
from handlers.flow import Context, Flow
from handlers.places import ask_place, picked_place, place_input
from handlers.start import cancel_conversation

FLOW = "bcast"
MAX_TEXT = 1000
AUDIENCE_KEYS = {"all": "bcast.aud_all", "es": "bcast.aud_es", "en": "bcast.aud_en", "area": "bcast.aud_area"}
# Where "Back" goes from each step (the preview goes back to the radius when the audience is an area).
BACK = {"en": "es", "audience": "en", "where": "audience", "radius": "where"}


def can_broadcast(ctx: Context) -> bool:
    return ctx.is_admin or ctx.user.role == "organizer"


ORGANIZER_TEXTS = RoleTexts(usage="bcast.grant_usage", granted="bcast.granted", revoked="bcast.revoked",
                            other_role="bcast.grant_other_role", not_holder="bcast.not_organizer")


class BroadcastFlow(Flow):
    name = FLOW
    commands = ("broadcast", "difundir", "org_add", "org_remove")

    # -- entry --------------------------------------------------------------------------------------------
    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if command in ("org_add", "org_remove"):
            return await self._grant(ctx, command, args)
        if not can_broadcast(ctx):
            return [Reply(ctx.t("core.not_allowed"))]
        if not ctx.event.sender.is_private:
            return [Reply(ctx.t("bcast.private_only"))]
        await ctx.set_step(FLOW, "es", {})
        return [self._prompt(ctx, "es")]

    async def _grant(self, ctx: Context, command: str, args: str) -> list[Reply]:
        return await change_role(ctx, args, "organizer", command == "org_add", ORGANIZER_TEXTS)

    # -- prompts --------------------------------------------------------------------------------------------
    def _nav(self, ctx: Context, back: bool = True) -> list[Button]:
        row = [Button(ctx.t("report.btn_back"), callback(FLOW, "back"))] if back else []
        return row + [Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel"))]

    def _prompt(self, ctx: Context, step: str) -> Reply:
        if step == "es":
            return Reply(ctx.t("bcast.q_es", limit=MAX_TEXT), buttons=[self._nav(ctx, back=False)])
        if step == "en":
            return Reply(ctx.t("bcast.q_en", limit=MAX_TEXT),
                         buttons=[[Button(ctx.t("bcast.btn_same"), callback(FLOW, "same"))], self._nav(ctx)])
        if step == "audience":
            rows = [[Button(ctx.t(label), callback(FLOW, "aud", key))] for key, label in AUDIENCE_KEYS.items()]
            return Reply(ctx.t("bcast.q_audience"), buttons=[*rows, self._nav(ctx)])
        unit = ctx.services.settings.distance_unit
        buttons = [Button(radius_label(ctx, float(r) * METRES[unit]), callback(FLOW, "r", r)) for r in RADII]
        rows = [buttons[:2], buttons[2:], self._nav(ctx)]
        data = ctx.conversation.data if ctx.conversation else {}
        if shape_of_place(ctx, data) is not None:  # a neighbourhood or ZIP code: all of it, its real shape
            place = data["place_es"] if ctx.lang == "es" else data["place_en"]
            rows.insert(0, [Button(ctx.t("alerts.btn_all_of", place=place), callback(FLOW, "r", "all"))])
        return Reply(ctx.t("bcast.q_radius"), buttons=rows)

    def _ask_where(self, ctx: Context) -> list[Reply]:
        return [ask_place(ctx, "bcast.q_where"), Reply(ctx.t("bcast.area_note"), buttons=[self._nav(ctx)])]

    async def _go(self, ctx: Context, step: str) -> list[Reply]:
        assert ctx.conversation is not None
        await ctx.set_step(FLOW, step, ctx.conversation.data)
        if step == "where":
            return self._ask_where(ctx)
        if step == "preview":
            return [await self._preview(ctx)]
        return [self._prompt(ctx, step)]

    def _step(self, ctx: Context) -> str | None:
        conv = ctx.conversation
        return conv.step if conv is not None and conv.flow == FLOW else None

    # -- preview --------------------------------------------------------------------------------------------
    def _audience_label(self, ctx: Context, data: dict[str, object]) -> str:
        if data.get("aud") == "area" and data.get("area_kind"):
            place = data["place_es"] if ctx.lang == "es" else data["place_en"]
            return ctx.t("bcast.aud_area_all_label", place=place)
        if data.get("aud") == "area":
            place = data["place_es"] if ctx.lang == "es" else data["place_en"]
            return ctx.t("bcast.aud_area_label", place=place, radius=radius_label(ctx, float(data["radius_m"])))  # type: ignore[arg-type]
        return ctx.t(AUDIENCE_KEYS[str(data.get("aud"))])

    async def _preview(self, ctx: Context) -> Reply:
        assert ctx.conversation is not None
        data = ctx.conversation.data
        service = ctx.services.broadcasts
        count = len(await service.recipients(data))
        data["nonce"] = secrets.token_hex(8)
        await ctx.set_step(FLOW, "preview", data)
        texts = {"es": data["text_es"], "en": data.get("text_en")}
        shown = ("es", "en") if data["aud"] in ("all", "area") else (data["aud"],)
        parts = [ctx.t("bcast.preview_title")]
        for lang in shown:
            parts.append(ctx.t(f"bcast.preview_{lang}") + "\n" + service.render(lang, texts).text)
        parts.append(ctx.t("bcast.audience_line", audience=self._audience_label(ctx, data)))
        if count == 0:
            parts.append(ctx.t("bcast.reach_none"))
            return Reply("\n\n".join(parts), buttons=[self._nav(ctx)])
        parts.append(ctx.t("bcast.reach_one" if count == 1 else "bcast.reach", n=count))
        return Reply("\n\n".join(parts),
                     buttons=[[Button(ctx.t("bcast.btn_send"), callback(FLOW, "send"))], self._nav(ctx)])

    # -- buttons --------------------------------------------------------------------------------------------
    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        if not can_broadcast(ctx):
            return [Reply("", toast=ctx.t("core.not_allowed"))]
        expired = [Reply("", toast=ctx.t("core.button_expired"))]
        if action == "stop":
            broadcast_id = parse_id(args[0]) if args else None
            if broadcast_id is None:
                return expired
            if not await ctx.services.broadcasts.may_stop(broadcast_id, ctx.user.key, ctx.is_admin):
                return [Reply("", toast=ctx.t("core.not_allowed"))]
            stopped = await ctx.services.broadcasts.stop_sending(broadcast_id)
            return [Reply("", toast=ctx.t("bcast.stopped", n=stopped))]
        step = self._step(ctx)
        if step is None:
            return expired
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if action == "cancel":
            return await cancel_conversation(ctx)
        if action == "back":
            if step == "preview":
                return await self._go(ctx, "radius" if data.get("aud") == "area" else "audience")
            if step in BACK:
                data.pop("candidates", None)
                return await self._go(ctx, BACK[step])
            return expired
        if action == "same" and step == "en":
            data["text_en"] = None
            return await self._go(ctx, "audience")
        if action == "aud" and step == "audience" and args and args[0] in AUDIENCE_KEYS:
            data["aud"] = args[0]
            return await self._go(ctx, "where" if args[0] == "area" else "preview")
        if action == "place" and step == "where":
            replies, chosen = picked_place(ctx, args)
            if chosen is None:
                return expired
            data.update(chosen)
            return replies + await self._go(ctx, "radius")
        if action == "retype" and step == "where":
            data.pop("candidates", None)
            return await self._go(ctx, "where")
        if action == "r" and step == "radius" and args and args[0] == "all":
            shape = shape_of_place(ctx, data)
            if shape is None:
                return expired
            data["area_kind"], data["area_ref"] = shape
            data["radius_m"] = ctx.services.settings.area_margin_m
            return await self._go(ctx, "preview")
        if action == "r" and step == "radius" and args and args[0] in RADII:
            data.pop("area_kind", None)
            data["radius_m"] = float(args[0]) * METRES[ctx.services.settings.distance_unit]
            return await self._go(ctx, "preview")
        if action == "send" and step == "preview":
            return await self._send(ctx)
        return expired

    async def _send(self, ctx: Context) -> list[Reply]:
        assert ctx.conversation is not None
        result = await ctx.services.broadcasts.send(ctx.user.key, ctx.lang, ctx.conversation.data)
        await ctx.end()
        if result is None:
            return [Reply(ctx.t("bcast.already_sent"), edit=ctx.event.message_id)]
        _, count = result
        return [Reply(ctx.t("bcast.queued", n=count), edit=ctx.event.message_id)]

    # -- typed input --------------------------------------------------------------------------------------------
    async def on_input(self, ctx: Context) -> list[Reply]:
        step = self._step(ctx)
        if step is None:
            return []
        assert ctx.conversation is not None
        if not can_broadcast(ctx):  # the role was taken away mid-way
            await ctx.end()
            return [Reply(ctx.t("core.not_allowed"))]
        data = ctx.conversation.data
        if step in ("es", "en"):
            event = ctx.event
            text = event.text.strip() if event.kind == "text" else ""
            if not text:
                return [Reply(ctx.t("report.text_expected")), self._prompt(ctx, step)]
            if len(text) > MAX_TEXT:
                return [Reply(ctx.t("report.too_long", limit=MAX_TEXT, length=len(text)))]
            data[f"text_{step}"] = text
            return await self._go(ctx, "en" if step == "es" else "audience")
        if step == "where":
            replies, chosen = await place_input(ctx, FLOW)
            if chosen is None:
                if any(r.buttons or r.ask_location for r in replies):
                    return replies
                return replies + self._ask_where(ctx)
            data.update(chosen)
            return replies + await self._go(ctx, "radius")
        return [Reply(ctx.t("report.use_buttons"))]
