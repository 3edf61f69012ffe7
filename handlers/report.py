"""The sighting report (SALUTE, as rapid-response hotlines use it), guided or told in one's own words.

safety → what → where → when → how many agents → vehicles → markings → details → summary → sent.
Every step is written to SQLite before the bot answers, accepts Back and /cancel, and answers wrong input
(a photo, an over-long message) without losing the step.

Why typed answers everywhere (issue 12): on Signal there are no buttons, and people in a hurry type "hace 10
minutos", "no sé" or the whole story at the first question. A story is read with :func:`bot.stories.read_story`
(rule-based, offline, never inventing a field) and the flow then asks only what is missing; a typed answer at a
step is read with the parser for that step. Nothing typed is thrown away: what cannot be read is answered with
what the step accepts, and the step stays.
"""

from __future__ import annotations

import re
from typing import Any

from bot.chat import Button, Reply, callback, parse_id
from bot.reports import CHOICES, MAX_DETAILS, redact
from bot.stories import (
    Story,
    find_place_span,
    fold,
    parse_activity,
    parse_count,
    parse_markings,
    parse_when,
    parse_yes_no,
    read_story,
    redact_more,
)
from handlers.flow import Context, Flow
from handlers.places import answer_resolution, ask_place, picked_place, place_input, typed_candidate
from handlers.start import cancel_conversation, menu_reply

FLOW = "report"
STEPS = ("activity", "where", "when", "agents", "vehicles", "markings", "details", "summary")
EDITABLE = ("activity", "where", "when", "agents", "vehicles", "markings", "details")
MAX_STORY = 1000  # a story longer than this is not a sighting told in a hurry; details are cut to MAX_DETAILS

BACK_WORDS = frozenset({"atras", "back", "regresar", "volver", "anterior", "go back"})
CANCEL_WORDS = frozenset({"cancelar", "cancel", "cancela", "cancelalo", "cancel it", "salir", "quit"})
SEND_WORDS = frozenset({"mandar", "mandalo", "mandelo", "enviar", "envialo", "send", "send it", "listo", "ya"})
EDIT_WORDS = frozenset({"cambiar", "cambiar algo", "editar", "edit", "change", "corregir", "fix"})
SKIP_WORDS = frozenset({"saltar", "skip", "nada", "nada mas", "no", "nothing", "none", "ninguno", "eso es todo",
                        "that's all", "thats all", "no gracias", "no thanks"})
MEDIA_KEPT = ("photo",)


def _words(text: str) -> str:
    """Folded, without punctuation or emoji: what a typed command word is compared as."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", fold(text or ""))).strip()


def _parsers() -> dict[str, Any]:
    return {"activity": parse_activity, "when": parse_when, "markings": parse_markings,
            "agents": lambda text: parse_count(text, "agents"), "vehicles": lambda text: parse_count(text, "vehicles")}


def _nav(ctx: Context, step: str) -> list[Button]:
    row = []
    if step != STEPS[0]:
        row.append(Button(ctx.t("report.btn_back"), callback(FLOW, "back", step)))
    row.append(Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel")))
    return row


def questions(ctx: Context, step: str) -> list[Reply]:
    """The question of a step, with its buttons (the place step: a location keyboard and a Back/Cancel row)."""
    if step in CHOICES:
        options = [Button(ctx.t(f"report.{step}.{value}"), callback(FLOW, "a", step, value))
                   for value in CHOICES[step]]
        rows = [options[i:i + 2] for i in range(0, len(options), 2)]
        return [Reply(ctx.t(f"report.q_{step}"), buttons=rows + [_nav(ctx, step)])]
    if step == "where":
        return [ask_place(ctx, "report.q_where"), Reply(ctx.t("report.place_nav"), buttons=[_nav(ctx, step)])]
    if step == "details":
        skip = [Button(ctx.t("report.btn_skip"), callback(FLOW, "skip"))]
        return [Reply(ctx.t("report.q_details", limit=MAX_DETAILS), buttons=[skip, _nav(ctx, step)])]
    return [summary(ctx)]


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
    if data.get("photo"):
        lines.append(ctx.t("report.summary_photo"))
    buttons = [[Button(ctx.t("report.btn_send"), callback(FLOW, "send"))],
               [Button(ctx.t("report.btn_edit"), callback(FLOW, "edit")),
                Button(ctx.t("report.btn_cancel"), callback(FLOW, "cancel"))]]
    return Reply("\n".join(lines), buttons=buttons)


def edit_menu(ctx: Context) -> Reply:
    rows = [[Button(ctx.t(f"report.field_{f}"), callback(FLOW, "field", f))] for f in EDITABLE]
    rows.append([Button(ctx.t("report.btn_back_summary"), callback(FLOW, "tosummary"))])
    return Reply(ctx.t("report.which_field"), buttons=rows)


def _missing(data: dict[str, Any], step: str) -> bool:
    if step == "where":
        return "lat" not in data
    if step == "summary":
        return True
    return step not in data


def read_sighting(ctx: Context, text: str) -> Story:
    """The story in ``text``, with its place found by the geo service's sentence reader (offline)."""
    geo = ctx.services.geo

    def find_place(sentence: str) -> tuple[Any, tuple[int, int]] | None:
        result = geo.find_in_sentence(sentence)
        if result.status != "unknown" and result.span is not None:
            return result, result.span
        span = find_place_span(sentence)  # the story reader's own guess ("…en Pulaski"), resolved on its own
        if span is None:
            return None
        result = geo.find_in_sentence(sentence[span[0]:span[1]])
        return (result, span) if result.status != "unknown" else None

    return read_story(text[:MAX_STORY], ctx.lang, find_place=find_place)


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
        first = questions(ctx, "activity")
        first[0].text = ctx.t("report.safety") + "\n\n" + ctx.t("report.tell_it") + "\n\n" + first[0].text
        return first

    # -- a story told outside any flow: "¿Quiere reportar esto?" ------------------------------------------
    async def offer_story(self, ctx: Context, text: str) -> list[Reply] | None:
        """Free text outside a flow that reads as a sighting: ask before treating it as a report, so that a
        question is never mistaken for one. ``None`` when the text is not a sighting (the rights search takes it)."""
        if not ctx.event.sender.is_private or len(text) > MAX_STORY:
            return None
        story = read_sighting(ctx, text)
        if not story.is_sighting:
            return None
        await ctx.set_step(FLOW, "offer", {"text": text})
        buttons = [[Button(ctx.t("report.btn_yes_report"), callback(FLOW, "offer", "yes")),
                    Button(ctx.t("report.btn_no_report"), callback(FLOW, "offer", "no"))]]
        return [Reply(ctx.t("report.offer"), buttons=buttons)]

    async def _offer_answer(self, ctx: Context, yes: bool) -> list[Reply]:
        assert ctx.conversation is not None
        text = str(ctx.conversation.data.get("text") or "")
        if not yes:
            await ctx.end()
            return [Reply(ctx.t("report.offer_declined"), edit=ctx.event.message_id), menu_reply(ctx)]
        refusal = await ctx.services.reports.refusal(ctx.user.key)
        if refusal is not None:
            await ctx.end()
            return [Reply(ctx.t(refusal.key, **refusal.args)), menu_reply(ctx)]
        await ctx.set_step(FLOW, "activity", {})
        return [Reply(ctx.t("report.safety"))] + await self._apply_story(ctx, read_sighting(ctx, text))

    async def _apply_story(self, ctx: Context, story: Story) -> list[Reply]:
        """Fill the draft from a story, then ask only what is missing (or show the summary)."""
        assert ctx.conversation is not None
        data = ctx.conversation.data
        data["story"] = True
        read = []
        for name in ("activity", "when", "agents", "vehicles", "markings"):
            value = getattr(story, name)
            if value is not None and value in CHOICES[name] and name not in data:
                data[name] = value
                read.append(name)
        if story.details and "details" not in data:
            data["details"], data["redacted"] = story.details[:MAX_DETAILS], story.redacted
        replies: list[Reply] = [Reply(ctx.t("report.story_read"))]
        if story.redacted:
            replies.append(Reply(ctx.t("report.redacted")))
        place_replies: list[Reply] = []
        resolution = story.place_object
        if resolution is not None and "lat" not in data:
            await ctx.set_step(FLOW, "where", data)
            place_replies, chosen = await answer_resolution(ctx, FLOW, resolution, story.place or "")
            if chosen is not None:
                data.update(chosen)
        if any(r.buttons for r in place_replies):  # "¿En qué cruce?" / "¿Cuál de estos?" first: its buttons
            await ctx.set_step(FLOW, "where", data)  # belong to the place step; the other questions follow
            return replies + place_replies
        nxt = next(s for s in STEPS if _missing(data, s))
        await ctx.set_step(FLOW, nxt, data)
        return replies + place_replies + questions(ctx, nxt)

    # -- helpers --------------------------------------------------------------------------------------
    def _step(self, ctx: Context) -> str | None:
        conv = ctx.conversation
        return conv.step if conv is not None and conv.flow == FLOW else None

    async def _advance(self, ctx: Context, done_step: str) -> list[Reply]:
        """Go to the next step, or back to the summary when the user was editing one field. After a story, steps
        it already answered are skipped."""
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if data.pop("editing", False):
            nxt = "summary"
        elif data.get("story"):  # the first field still missing, wherever it is (the place may have come first)
            nxt = next(s for s in STEPS if _missing(data, s))
        else:
            nxt = STEPS[STEPS.index(done_step) + 1]
        await ctx.set_step(FLOW, nxt, data)
        return questions(ctx, nxt)

    async def _back(self, ctx: Context, step: str) -> list[Reply]:
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if step == "summary" or data.pop("editing", False):
            target = "summary"
        elif step == STEPS[0]:
            return questions(ctx, step)
        else:
            target = STEPS[STEPS.index(step) - 1]
        data.pop("candidates", None)
        await ctx.set_step(FLOW, target, data)
        return questions(ctx, target)

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
        if action == "offer" and step == "offer" and args and args[0] in ("yes", "no"):
            return await self._offer_answer(ctx, args[0] == "yes")
        if action == "cancel":
            return await cancel_conversation(ctx)
        if action == "a" and len(args) == 2 and args[0] == step and args[1] in CHOICES.get(step, ()):
            data[step] = args[1]
            return await self._advance(ctx, step)
        if action == "back" and args == [step]:
            return await self._back(ctx, step)
        if action == "place" and step == "where":
            replies, chosen = picked_place(ctx, args)
            if chosen is None:
                return self._expired(ctx)
            data.update(chosen)
            return replies + await self._advance(ctx, "where")
        if action == "retype" and step == "where":
            data.pop("candidates", None)
            await ctx.set_step(FLOW, "where", data)
            return questions(ctx, "where")
        if action == "skip" and step == "details":
            data["details"], data["redacted"] = "", False
            return await self._advance(ctx, "details")
        if action == "edit" and step == "summary":
            return [edit_menu(ctx)]
        if action == "tosummary" and step == "summary":
            return [summary(ctx)]
        if action == "field" and step == "summary" and args and args[0] in EDITABLE:
            data["editing"] = True
            await ctx.set_step(FLOW, args[0], data)
            return questions(ctx, args[0])
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
        settings = ctx.services.settings
        text = ctx.t("report.received", id=report_id) + "\n\n" + \
            ctx.t("report.detained_hotline", name=settings.hotline_name, phone=settings.hotline_phone)
        return [Reply(text, edit=ctx.event.message_id if ctx.event.kind == "choice" else None), menu_reply(ctx)]

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
        if step == "answer":
            return await self._answer(ctx)
        if event.kind == "media":
            return await self._media(ctx, step)
        words = _words(event.text) if event.kind == "text" else ""
        assert ctx.conversation is not None
        data = ctx.conversation.data
        if step == "offer":
            yes = parse_yes_no(event.text) if event.kind == "text" else None
            if yes is None:  # something else: the offer lapses, nothing is lost (the router reads the new text)
                await ctx.end()
                return []
            return await self._offer_answer(ctx, yes)
        if words in CANCEL_WORDS:
            return await cancel_conversation(ctx)
        if words in BACK_WORDS:
            return await self._back(ctx, step)
        if step == "where":
            index = typed_candidate(ctx, event.text) if event.kind == "text" else None
            if index is not None:
                replies, chosen = picked_place(ctx, [str(index)])
                if chosen is not None:
                    data.update(chosen)
                    return replies + await self._advance(ctx, "where")
            replies, chosen = await place_input(ctx, FLOW)
            if chosen is None:
                return replies if any(r.buttons or r.ask_location for r in replies) else \
                    replies + questions(ctx, "where")
            ctx.conversation.data.update(chosen)
            return replies + await self._advance(ctx, "where")
        if step == "details":
            if event.kind != "text":
                return [Reply(ctx.t("report.text_expected")), *questions(ctx, "details")]
            if words in SKIP_WORDS:
                data["details"], data["redacted"] = "", False
                return await self._advance(ctx, "details")
            return await self._details(ctx, event.text.strip())
        if event.kind != "text":
            return [Reply(ctx.t("report.use_buttons")), *questions(ctx, step)]
        if step == "summary":
            return await self._summary_text(ctx, words)
        if step == STEPS[0] and not data.get("story") and len(words.split()) > 3:
            story = read_sighting(ctx, event.text)  # a story first: one word of it must not stand for all of it
            if story.is_sighting:
                return await self._apply_story(ctx, story)
        value = _parsers()[step](event.text) if step in CHOICES else None
        if value in CHOICES.get(step, ()):
            data[step] = value
            return await self._advance(ctx, step)
        return [Reply(ctx.t(f"report.typed_hint_{step}")), *questions(ctx, step)]

    async def _summary_text(self, ctx: Context, words: str) -> list[Reply]:
        if words in SEND_WORDS or parse_yes_no(words) is True:
            return await self._send(ctx)
        if words in EDIT_WORDS:
            return [edit_menu(ctx)]
        for field in EDITABLE:  # "cambiar dónde", "edit markings", or just the field's name
            name = _words(ctx.t(f"report.field_{field}"))
            if words == name or (words.split(" ", 1)[0] in EDIT_WORDS and words.endswith(name)):
                assert ctx.conversation is not None
                ctx.conversation.data["editing"] = True
                await ctx.set_step(FLOW, field, ctx.conversation.data)
                return questions(ctx, field)
        return [Reply(ctx.t("report.typed_hint_summary")), summary(ctx)]

    async def _media(self, ctx: Context, step: str) -> list[Reply]:
        """A photo on Telegram is kept for the moderators (issue 12, REPORT_PHOTOS): only its file reference, in the
        draft and then encrypted on the report, shown above the card and erased at the decision, never in an alert.
        The first one is preceded by a short "no faces" warning; a later one replaces it. Video and voice (and
        photos on Signal, whose attachments the Telegram moderators cannot open) are not kept: the person hears
        why, how to keep the file safe, and the hotline. In every case the step stays."""
        settings = ctx.services.settings
        event = ctx.event
        again = questions(ctx, step) if step in STEPS else []
        if event.media in MEDIA_KEPT and settings.report_photos and event.sender.messenger == "telegram" \
                and event.media_ref and step in STEPS and ctx.conversation is not None:
            data = ctx.conversation.data
            replaced = bool(data.get("photo"))
            data["photo"], data["photo_m"] = event.media_ref, event.sender.messenger
            await ctx.set_step(FLOW, step, data)
            notes = [] if replaced else [Reply(ctx.t("report.photo_no_faces"))]
            notes.append(Reply(ctx.t("report.photo_replaced" if replaced else "report.photo_kept")))
            return notes + questions(ctx, step)
        key = "report.media_photo" if event.media in MEDIA_KEPT else "report.media_not_kept"
        return [Reply(ctx.t(key, name=settings.hotline_name, phone=settings.hotline_phone)), *again]

    async def _details(self, ctx: Context, text: str) -> list[Reply]:
        if len(text) > MAX_DETAILS:
            return [Reply(ctx.t("report.too_long", limit=MAX_DETAILS, length=len(text))), *questions(ctx, "details")]
        clean, removed = redact_all(text)
        assert ctx.conversation is not None
        ctx.conversation.data["details"], ctx.conversation.data["redacted"] = clean, removed
        notice = [Reply(ctx.t("report.redacted"))] if removed else []
        return notice + await self._advance(ctx, "details")

    async def _answer(self, ctx: Context) -> list[Reply]:
        event = ctx.event
        if event.kind != "text" or not event.text.strip():
            return [Reply(ctx.t("report.text_expected_answer"))]
        assert ctx.conversation is not None
        report_id = int(ctx.conversation.data["report_id"])
        text = event.text.strip()
        if len(text) > MAX_DETAILS:  # the step stays: she can shorten it and send again
            return [Reply(ctx.t("report.too_long", limit=MAX_DETAILS, length=len(text)))]
        await ctx.end()
        return await relay_answer(ctx, report_id, text)


def redact_all(text: str) -> tuple[str, bool]:
    """Issue 11: phone numbers, e-mails and handles (bot.reports.redact), then links, spelled-out numbers, names
    after cues, home addresses and apartment numbers (bot.stories.redact_more). True when anything was removed."""
    first, removed = redact(text)
    second, more = redact_more(first)
    return second, removed or more


async def relay_answer(ctx: Context, report_id: int, text: str) -> list[Reply]:
    """Pass the reporter's typed answer to the moderators' card (redacted) and confirm it back to them."""
    if len(text) > MAX_DETAILS:
        return [Reply(ctx.t("report.too_long", limit=MAX_DETAILS, length=len(text)))]
    clean, removed = redact_all(text)
    if not await ctx.services.moderation.answer(report_id, ctx.user.key, clean):
        return [Reply(ctx.t("report.answer_closed"))]
    notice = [Reply(ctx.t("report.redacted"))] if removed else []
    return notice + [Reply(ctx.t("report.answer_sent_echo", id=report_id, text=clean))]


async def open_question(ctx: Context) -> int | None:
    """The report of this person on which a moderator's question is waiting for an answer, if any (the newest).

    Why: a reporter types her answer as a normal message far more often than she finds the Answer button; that
    text must reach the moderator, not the rights search."""
    services = ctx.services
    mine = [r for r in await services.reports.pending(limit=500) if r.reporter == ctx.user.key]
    for report in sorted(mine, key=lambda r: r.created_at, reverse=True):
        if await services.moderation.awaits_answer(report.id, ctx.user.key):
            return report.id
    return None
