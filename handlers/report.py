"""The guided sighting report (SALUTE, as rapid-response hotlines use it).

safety → what → where → when → how many agents → vehicles → markings → details → summary → sent.
Every step is written to SQLite before the bot answers, accepts Back and /cancel, and answers wrong input
(a photo, text where a button is expected, an over-long message) without losing the step.
"""

from __future__ import annotations

from bot.chat import Button, Reply, callback, parse_id
from bot.reports import CHOICES, MAX_DETAILS, redact
from handlers.flow import Context, Flow
from handlers.places import ask_place, picked_place, place_input
from handlers.start import cancel_conversation, menu_reply

FLOW = "report"
STEPS = ("activity", "where", "when", "agents", "vehicles", "markings", "details", "summary")
EDITABLE = ("activity", "where", "when", "agents", "vehicles", "markings", "details")


def _nav(ctx: Context, step: str) -> list[Button]:
    row = []
    if step != STEPS[0]:
        row.append(Button(ctx.t("report.btn_back"), callback(FLOW, "back", step)))
    row.append(Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel")))
    return row


def question(ctx: Context, step: str) -> Reply:
    """The question of a step, with its buttons."""
    if step in CHOICES:
        options = [Button(ctx.t(f"report.{step}.{value}"), callback(FLOW, "a", step, value))
                   for value in CHOICES[step]]
        rows = [options[i:i + 2] for i in range(0, len(options), 2)]
        return Reply(ctx.t(f"report.q_{step}"), buttons=rows + [_nav(ctx, step)])
    if step == "where":
        return ask_place(ctx, "report.q_where")
    if step == "details":
        skip = [Button(ctx.t("report.btn_skip"), callback(FLOW, "skip"))]
        return Reply(ctx.t("report.q_details", limit=MAX_DETAILS), buttons=[skip, _nav(ctx, step)])
    return summary(ctx)


def summary(ctx: Context) -> Reply:
    data = ctx.conversation.data if ctx.conversation else {}
    place = data.get("place_es") if ctx.lang == "es" else data.get("place_en")
    lines = [
        ctx.t("report.summary_title"),
        ctx.t("report.summary_what", what=ctx.t(f"report.activity.{data['activity']}")),
        ctx.t("report.summary_where", place=place or ""),
        ctx.t("report.summary_when", when=ctx.t(f"report.when.{data['when']}")),
        ctx.t("report.summary_counts", agents=ctx.t(f"report.agents.{data['agents']}"),
              vehicles=ctx.t(f"report.vehicles.{data['vehicles']}"),
              markings=ctx.t(f"report.markings.{data['markings']}")),
        ctx.t("report.summary_details", details=data.get("details") or "—"),
    ]
    buttons = [[Button(ctx.t("report.btn_send"), callback(FLOW, "send"))],
               [Button(ctx.t("report.btn_edit"), callback(FLOW, "edit")),
                Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel"))]]
    return Reply("\n".join(lines), buttons=buttons)


class ReportFlow(Flow):
    name = FLOW
    commands = ("report", "reportar")

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if not ctx.event.sender.is_private:
            return [Reply(ctx.t("report.private_only"))]
        refusal = await ctx.services.reports.refusal(ctx.user.key)
        if refusal is not None:
            return [Reply(ctx.t(refusal.key, **refusal.args)), menu_reply(ctx)]
        await ctx.set_step(FLOW, "activity", {})
        first = question(ctx, "activity")
        first.text = ctx.t("report.safety") + "\n\n" + first.text
        return [first]

    # -- helpers --------------------------------------------------------------------------------------
    def _step(self, ctx: Context) -> str | None:
        conv = ctx.conversation
        return conv.step if conv is not None and conv.flow == FLOW else None

    async def _advance(self, ctx: Context, done_step: str) -> list[Reply]:
        """Go to the next step, or back to the summary when the user was editing one field."""
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if data.pop("editing", False):
            nxt = "summary"
        else:
            nxt = STEPS[STEPS.index(done_step) + 1]
        await ctx.set_step(FLOW, nxt, data)
        return [question(ctx, nxt)]

    def _expired(self, ctx: Context) -> list[Reply]:
        text = ctx.t("core.button_expired")
        return [Reply("", toast=text)]

    # -- buttons --------------------------------------------------------------------------------------
    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        if action == "answer":
            return await self._start_answer(ctx, args)
        step = self._step(ctx)
        if step is None:
            return self._expired(ctx)
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if action == "cancel":
            return await cancel_conversation(ctx)
        if action == "a" and len(args) == 2 and args[0] == step and args[1] in CHOICES.get(step, ()):
            data[step] = args[1]
            return await self._advance(ctx, step)
        if action == "back" and args == [step] and step != STEPS[0]:
            previous = STEPS[STEPS.index(step) - 1]
            data.pop("editing", None)
            await ctx.set_step(FLOW, previous, data)
            return [question(ctx, previous)]
        if action == "place" and step == "where":
            replies, chosen = picked_place(ctx, args)
            if chosen is None:
                return self._expired(ctx)
            data.update(chosen)
            return replies + await self._advance(ctx, "where")
        if action == "retype" and step == "where":
            data.pop("candidates", None)
            await ctx.set_step(FLOW, "where", data)
            return [question(ctx, "where")]
        if action == "skip" and step == "details":
            data["details"], data["redacted"] = "", False
            return await self._advance(ctx, "details")
        if action == "edit" and step == "summary":
            rows = [[Button(ctx.t(f"report.field_{f}"), callback(FLOW, "field", f))] for f in EDITABLE]
            return [Reply(ctx.t("report.which_field"), buttons=rows)]
        if action == "field" and step == "summary" and args and args[0] in EDITABLE:
            data["editing"] = True
            await ctx.set_step(FLOW, args[0], data)
            return [question(ctx, args[0])]
        if action == "send" and step == "summary":
            return await self._send(ctx)
        return self._expired(ctx)

    async def _send(self, ctx: Context) -> list[Reply]:
        assert ctx.conversation is not None
        refusal = await ctx.services.reports.refusal(ctx.user.key)
        if refusal is not None:
            await ctx.end()
            return [Reply(ctx.t(refusal.key, **refusal.args)), menu_reply(ctx)]
        report_id = await ctx.services.reports.submit(ctx.user.key, ctx.lang, ctx.conversation.data)
        await ctx.end()
        return [Reply(ctx.t("report.received", id=report_id), edit=ctx.event.message_id), menu_reply(ctx)]

    async def _start_answer(self, ctx: Context, args: list[str]) -> list[Reply]:
        report_id = parse_id(args[0]) if args else None
        if report_id is None:
            return self._expired(ctx)
        if not await ctx.services.moderation.awaits_answer(report_id, ctx.user.key):
            return [Reply(ctx.t("report.answer_closed"))]
        if ctx.conversation is not None and ctx.conversation.step != "answer":
            return [Reply(ctx.t("report.answer_busy"))]  # never throw away a half-written report or area
        await ctx.set_step(FLOW, "answer", {"report_id": report_id})
        return [Reply(ctx.t("report.type_answer", limit=MAX_DETAILS))]

    # -- typed input, locations, anything else -----------------------------------------------------
    async def on_input(self, ctx: Context) -> list[Reply]:
        step = self._step(ctx)
        if step is None:
            return []
        event = ctx.event
        if step == "where":
            replies, chosen = await place_input(ctx, FLOW)
            if chosen is None:
                return replies if any(r.buttons or r.ask_location for r in replies) else \
                    replies + [question(ctx, "where")]
            assert ctx.conversation is not None
            ctx.conversation.data.update(chosen)
            return replies + await self._advance(ctx, "where")
        if step == "details":
            if event.kind != "text":
                return [Reply(ctx.t("report.text_expected")), question(ctx, "details")]
            return await self._details(ctx, event.text.strip())
        if step == "answer":
            return await self._answer(ctx)
        return [Reply(ctx.t("report.use_buttons")), question(ctx, step)]

    async def _details(self, ctx: Context, text: str) -> list[Reply]:
        if len(text) > MAX_DETAILS:
            return [Reply(ctx.t("report.too_long", limit=MAX_DETAILS, length=len(text))), question(ctx, "details")]
        clean, removed = redact(text)
        assert ctx.conversation is not None
        ctx.conversation.data["details"], ctx.conversation.data["redacted"] = clean, removed
        notice = [Reply(ctx.t("report.redacted"))] if removed else []
        return notice + await self._advance(ctx, "details")

    async def _answer(self, ctx: Context) -> list[Reply]:
        event = ctx.event
        if event.kind != "text" or not event.text.strip():
            return [Reply(ctx.t("report.text_expected"))]
        text = event.text.strip()
        if len(text) > MAX_DETAILS:
            return [Reply(ctx.t("report.too_long", limit=MAX_DETAILS, length=len(text)))]
        assert ctx.conversation is not None
        report_id = int(ctx.conversation.data["report_id"])
        clean, removed = redact(text)
        await ctx.end()
        if not await ctx.services.moderation.answer(report_id, ctx.user.key, clean):
            return [Reply(ctx.t("report.answer_closed"))]
        notice = [Reply(ctx.t("report.redacted"))] if removed else []
        return notice + [Reply(ctx.t("report.answer_sent"))]
