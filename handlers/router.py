"""Routes a neutral event to the flow that owns it.

Order: global commands (/cancel) → a flow's command → a button's flow → the open conversation's flow →
free text outside any flow. Each user's events are handled one at a time so that two quick taps cannot race on
the same conversation row.

Free text outside a flow (issue 12: "talk like a hotline, not a form"), in this order: a command typed as a word
("reportar", "english", "menú"); an answer to a moderator's open question (the reporter's next text is the
answer); thanks; a sighting told in one's own words (the report flow asks "¿Quiere reportar esto?" first, so a
question is never mistaken for a report); everything else goes to the fallback flow (the rights search, which
also answers greetings).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import unicodedata
import weakref

from bot.chat import Event, Reply, parse_callback
from bot.services import Services
from handlers.flow import Context, Flow
from handlers.report import open_question, relay_answer

log = logging.getLogger(__name__)

CANCEL_COMMANDS = ("cancel", "cancelar")
GROUP_FLOWS = frozenset({"mod"})  # the only buttons that act in a group (the moderators' cards)
# Typed words that work as commands outside a flow (compared folded: no accents, case or punctuation).
WORD_COMMANDS = {
    "reportar": "reportar", "report": "report", "reporte": "reportar", "reportar algo": "reportar",
    "hacer un reporte": "reportar", "make a report": "report", "new report": "report", "nuevo reporte": "reportar",
    "derechos": "derechos", "rights": "rights", "mis derechos": "derechos", "my rights": "rights",
    "conozca sus derechos": "derechos", "know your rights": "rights",
    "alertas": "alertas", "alerts": "alerts", "alerta": "alertas", "alert": "alerts",
    "main menu": "menu", "menu principal": "menu",  # "menú", "ayuda", "hola": the rights flow greets, then the menu
    "idioma": "idioma", "language": "language", "privacidad": "privacidad", "privacy": "privacy",
}
LANGUAGE_WORDS = {"english": "en", "ingles": "en", "en ingles": "en", "in english": "en", "espanol": "es",
                  "spanish": "es", "en espanol": "es", "in spanish": "es", "castellano": "es"}
# A sighting that also asks what to do is a rights question: it stays with the rights search, whose answer comes
# with the menu (and its Report button). Compared folded, without punctuation.
ASKS = re.compile(r"\b(?:q|que|k|ke)\s+(?:hago|hacemos|debo|debemos|hacer|puedo)\b|\bwhat (?:do|should|can) (?:i|we)\b|"
                  r"\bwhat to do\b|\bdo i have to\b|\btengo que\b|\bderechos\b|\brights\b|\babro\b|\bopen the door\b")
THANKS_WORDS = frozenset({"gracias", "muchas gracias", "mil gracias", "thanks", "thank you", "thx", "ty", "ok gracias",
                          "ok thanks", "gracias por todo", "thanks a lot", "thank you so much", "graciass"})


class Router:
    def __init__(self, services: Services, flows: list[Flow], fallback: Flow, menu: Flow) -> None:
        self.services = services
        self.flows = {f.name: f for f in flows}
        self.commands: dict[str, Flow] = {}
        for flow in flows:
            for command in flow.commands:
                if command in self.commands:
                    raise ValueError(f"command /{command} claimed twice")
                self.commands[command] = flow
        self.fallback = fallback
        self.menu = menu
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def handle(self, event: Event) -> list[Reply]:
        if not event.sender.is_private and event.kind in ("text", "location", "unsupported"):
            return []  # in groups we act only on commands and buttons, never on conversation
        user = await self.services.users.identify(event.sender)
        lock = self._locks.get(user.key)
        if lock is None:
            lock = self._locks[user.key] = asyncio.Lock()
        async with lock:
            return await self._handle(event, user)

    async def _handle(self, event: Event, user) -> list[Reply]:  # type: ignore[no-untyped-def]
        users = self.services.users
        lang = users.language_of(user, event.sender)
        conversation, updated_at = await users.load_conversation(user.key)
        ctx = Context(self.services, event, user, lang, conversation)
        prefix: list[Reply] = []
        timeout = self.services.settings.conversation_timeout_minutes * 60
        if conversation is not None and time.time() - updated_at > timeout:
            await ctx.end()
            prefix.append(Reply(ctx.t("core.conversation_expired")))
            if event.kind == "text" and len(event.text.split()) > 3:  # a whole message is read, never dropped
                return prefix + await self.free_input(ctx)
            if event.kind in ("text", "location", "unsupported", "media"):
                return prefix + await self.menu.on_command(ctx, "menu", "")

        if event.kind == "command":
            if event.command in CANCEL_COMMANDS:
                had = ctx.conversation is not None
                await ctx.end()
                text = ctx.t("core.cancelled") if had else ctx.t("core.nothing_to_cancel")
                return prefix + [Reply(text, remove_keyboard=True)] + await self.menu.on_command(ctx, "menu", "")
            flow = self.commands.get(event.command)
            if flow is None:
                return prefix + [Reply(ctx.t("core.unknown_command", command="/" + event.command))] + \
                    await self.menu.on_command(ctx, "menu", "")
            return prefix + await flow.on_command(ctx, event.command, event.text)

        if event.kind == "choice":
            parsed = parse_callback(event.choice)
            flow = self.flows.get(parsed[0]) if parsed else None
            if parsed is None or flow is None:
                return prefix + [Reply(ctx.t("core.button_expired"), toast=ctx.t("core.button_expired"))]
            if not event.sender.is_private and parsed[0] not in GROUP_FLOWS:
                # Issue 11: a modified client can press any callback on a card; in a group only moderation
                # buttons mean something, so another flow's data can never wipe a card without a decision.
                log.warning("refused a %s button pressed in a group", parsed[0])
                return prefix + [Reply("", toast=ctx.t("core.button_expired"))]
            return prefix + await flow.on_choice(ctx, parsed[1], parsed[2])

        if ctx.conversation is not None:
            flow = self.flows.get(ctx.conversation.flow)
            if flow is not None:
                if event.kind == "text" and folded(event.text) in CANCEL_COMMANDS:  # "cancelar" typed, any flow
                    return prefix + await self.commands_cancel(ctx)
                replies = await flow.on_input(ctx)
                if replies or ctx.conversation is not None:
                    return prefix + replies
                # the flow let the text go (an offer it lapsed): read it as free text below, never drop it
            else:
                await ctx.end()  # a flow that no longer exists (after an upgrade)
        return prefix + await self.free_input(ctx)

    async def commands_cancel(self, ctx: Context) -> list[Reply]:
        await ctx.end()
        return [Reply(ctx.t("core.cancelled"), remove_keyboard=True)] + await self.menu.on_command(ctx, "menu", "")

    async def free_input(self, ctx: Context) -> list[Reply]:
        """Text or media outside any flow; see the module docstring for the order."""
        event = ctx.event
        report = self.flows.get("report")
        if event.kind == "media":
            settings = self.services.settings
            return [Reply(ctx.t("report.media_outside", name=settings.hotline_name, phone=settings.hotline_phone)),
                    *await self.menu.on_command(ctx, "menu", "")]
        if event.kind != "text" or not event.sender.is_private:
            return await self.fallback.on_input(ctx)
        words = folded(event.text)
        if words in LANGUAGE_WORDS:
            return await self.menu.on_choice(ctx, "lang", [LANGUAGE_WORDS[words]])
        command = WORD_COMMANDS.get(words)
        if command is not None and command in self.commands:
            return await self.commands[command].on_command(ctx, command, "")
        report_id = await open_question(ctx)
        if report_id is not None:
            return await relay_answer(ctx, report_id, event.text.strip())
        if words in THANKS_WORDS:
            return [Reply(ctx.t("core.thanks_reply")), *await self.menu.on_command(ctx, "menu", "")]
        offer = getattr(report, "offer_story", None)
        if offer is not None and not ASKS.search(words):  # "la migra está en mi puerta, ¿qué hago?" is a question
            replies = await offer(ctx, event.text.strip())
            if replies:
                return replies
        return await self.fallback.on_input(ctx)


def folded(text: str) -> str:
    """Lower case, no accents, no punctuation or emoji, single spaces: how typed command words are compared."""
    plain = "".join(c for c in unicodedata.normalize("NFD", (text or "").lower()) if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", plain)).strip()
