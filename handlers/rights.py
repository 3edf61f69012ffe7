"""Know your rights (issue 6): browse topics → questions → answers, search free text, reload the content.

Why this flow is also the router's fallback: residents rarely find a menu first; they type "la migra está
en mi puerta". Any free text outside another flow is therefore searched in the FAQ (both languages at once,
see :mod:`bot.faq`) and answered in the user's language. When the matcher is not confident the bot says so
and offers the topics and the hotline instead of guessing: a wrong legal answer is worse than none.

The flow keeps no conversation state: every button carries the topic or entry id it needs, validated
against the current content (which an admin may have reloaded since the button was drawn). Callback data:
``v1:rights:all`` (topic list), ``v1:rights:t:<topic>``, ``v1:rights:e:<entry>`` (both edit the pressed
message in place) and ``v1:rights:m:<entry>`` (the answer as a new message, for other flows' buttons).
"""

from __future__ import annotations

import asyncio
import logging

from bot.chat import MAX_CALLBACK_BYTES, Button, Reply, callback
from bot.faq import MIN_SCORE, Entry, FaqError, FaqStore, render_answer, strip_accents
from handlers.flow import Context, Flow
from handlers.start import menu_reply

log = logging.getLogger(__name__)

FLOW = "rights"
MAX_QUERY_CHARS = 500  # longer text is not a question; the matcher would only be guessing
MAX_LABEL_CHARS = 58  # Telegram ellipsises long inline buttons on phones; cut at a word instead
MAX_RELATED = 3
MAX_ALTERNATIVES = 3
# An alternative is worth a button when it scores at least half the bar for confidence and a fair share of
# the best answer's score: "la migra está en mi puerta" → open the door (best) + "who is knocking" (alt).
ALT_MIN_SCORE = MIN_SCORE / 2
ALT_MIN_RATIO = 0.4
MAX_ERROR_CHARS = 1500  # a validation error shown to the admin; Telegram messages stop at 4096

# Free text that is a greeting or a request for the menu, not a question (compared without accents/case).
GREETING_WORDS = frozenset(
    """
    hola hi hello hey holi ola buenas buenos buen dia dias tardes noches good morning afternoon evening
    que tal saludos menu inicio empezar comenzar start ayuda help ayudame please porfa favor por me there
    i need necesito
    """.split()
)
# …but only when at least one word really says "hello" or "menu" ("por favor" alone is not a greeting).
GREETING_CORE = frozenset(
    "hola hi hello hey holi ola buenas buenos tal saludos menu inicio empezar comenzar start ayuda help ayudame"
    .split()
)


def _cb(action: str, *args: object) -> str | None:
    """Callback data for this flow, or None if it would not fit Telegram's 64 bytes (the button is dropped)."""
    data = callback(FLOW, action, *args)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        log.warning("rights: callback data too long, button dropped (%d bytes)", len(data.encode()))
        return None
    return data


def _label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """A button label: whole words up to ``limit`` characters, then an ellipsis. Plain text, never HTML."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:¿?¡!.-—") + "…"


def _button(label: str, action: str, *args: object) -> list[Button]:
    """One-button row, or an empty row when the data cannot be encoded (filtered out by :func:`_rows`)."""
    data = _cb(action, *args)
    return [Button(label, data)] if data else []


def _rows(*rows: list[Button]) -> list[list[Button]]:
    return [row for row in rows if row]


def _is_greeting(text: str) -> bool:
    words = "".join(ch if ch.isalnum() else " " for ch in strip_accents(text)).split()
    return 0 < len(words) <= 4 and all(w in GREETING_WORDS for w in words) and any(w in GREETING_CORE for w in words)


class RightsFlow(Flow):
    """`/rights` `/derechos` (browse), `/ask` `/preguntar` (search), `/reload_faq` (admins) and free text."""

    name = FLOW
    commands = ("rights", "derechos", "ask", "preguntar", "reload_faq")

    # -- entry points ---------------------------------------------------------------------------------------
    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        args = args.strip()
        if command == "reload_faq":
            return await self._reload(ctx)
        if command in ("ask", "preguntar"):
            if not args:
                return [Reply(ctx.t("faq.ask_usage"))]
            return self._search(ctx, args)
        if args:  # "/derechos puerta": treat the words as a question
            return self._search(ctx, args)
        return [self._topics(ctx)]

    async def on_input(self, ctx: Context) -> list[Reply]:
        """Anything typed or sent outside another flow (the router's fallback)."""
        event = ctx.event
        if event.kind != "text":
            return [Reply(ctx.t("core.unsupported")), menu_reply(ctx)]
        text = event.text.strip()
        if not text:
            return [Reply(ctx.t("core.not_understood")), menu_reply(ctx)]
        if _is_greeting(text):
            return [Reply(ctx.t("faq.greeting")), menu_reply(ctx)]
        return self._search(ctx, text)

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        faq = self._faq(ctx)
        edit = ctx.event.message_id
        if action == "all" and not args:
            return [self._topics(ctx, edit=edit)]
        if action == "t" and len(args) == 1 and faq.topic(args[0]) is not None:
            return [self._topic(ctx, args[0], edit=edit)]
        if action in ("e", "m") and len(args) == 1:
            entry = faq.get(args[0])
            if entry is not None:
                # "m" (more) is for buttons on messages this flow does not own, such as an alert's "More about
                # this": the answer comes as a new message so the alert itself stays readable.
                return [self._answer(ctx, entry, edit=edit if action == "e" else None)]
        text = ctx.t("core.button_expired")  # a stale button (e.g. an entry removed by a reload)
        return [Reply("", toast=text)]

    # -- browse ---------------------------------------------------------------------------------------------
    @staticmethod
    def _faq(ctx: Context) -> FaqStore:
        return ctx.services.faq

    def _topic_rows(self, ctx: Context) -> list[list[Button]]:
        return _rows(*(_button(_label(t.title(ctx.lang)), "t", t.id) for t in self._faq(ctx).topics()))

    def _topics(self, ctx: Context, edit: str | None = None) -> Reply:
        return Reply(ctx.t("faq.topics_title"), buttons=self._topic_rows(ctx), edit=edit)

    def _topic(self, ctx: Context, topic_id: str, edit: str | None = None) -> Reply:
        faq = self._faq(ctx)
        topic = faq.topic(topic_id)
        assert topic is not None
        rows = [_button(_label(e.question(ctx.lang)), "e", e.id) for e in faq.entries(topic_id)]
        rows.append(_button(ctx.t("faq.all_topics"), "all"))
        return Reply(ctx.t("faq.topic_questions", topic=topic.title(ctx.lang)), buttons=_rows(*rows), edit=edit)

    def _render(self, ctx: Context, entry: Entry) -> str:
        settings = ctx.services.settings
        return render_answer(entry, ctx.lang, ctx.services.translator, settings.hotline_name, settings.hotline_phone)

    def _nav_row(self, ctx: Context, entry: Entry) -> list[Button]:
        return [b for row in (_button(ctx.t("faq.back"), "t", entry.topic), _button(ctx.t("faq.all_topics"), "all"))
                for b in row]

    def _answer(self, ctx: Context, entry: Entry, edit: str | None = None) -> Reply:
        """An answer with up to three related questions, Back (to its topic) and All topics."""
        related = self._faq(ctx).related(entry.id)[:MAX_RELATED]
        rows = [_button("↪ " + _label(r.question(ctx.lang), MAX_LABEL_CHARS - 2), "e", r.id) for r in related]
        return Reply(self._render(ctx, entry), buttons=_rows(*rows, self._nav_row(ctx, entry)), edit=edit)

    # -- search ---------------------------------------------------------------------------------------------
    def _search(self, ctx: Context, text: str) -> list[Reply]:
        """Answer, "did you mean…?", or a kind word: never a dead end, never a guessed legal answer."""
        if len(text) > MAX_QUERY_CHARS:
            return [Reply(ctx.t("faq.too_long", limit=MAX_QUERY_CHARS), buttons=self._topic_rows(ctx))]
        result = self._faq(ctx).lookup(text, ctx.lang)
        settings = ctx.services.settings
        hotline = {"hotline_name": settings.hotline_name, "hotline_phone": settings.hotline_phone}
        if result.kind == "small_talk":
            return [Reply(ctx.t("faq.small_talk")), menu_reply(ctx)]
        if result.kind in ("off_topic", "empty"):
            return [Reply(ctx.t("faq.off_topic", **hotline)), menu_reply(ctx)]
        if result.kind == "suggest" or result.best is None:
            rows = [_button("❓ " + _label(m.entry.question(ctx.lang), MAX_LABEL_CHARS - 2), "e", m.entry.id)
                    for m in result.suggestions[:MAX_ALTERNATIVES]]
            key = "faq.did_you_mean" if rows else "faq.not_found"
            return [Reply(ctx.t(key, **hotline), buttons=_rows(*rows, _button(ctx.t("faq.all_topics"), "all")))]
        best = result.best
        alternatives = [m for m in result.alternatives if m.entry.id != best.entry.id][:MAX_ALTERNATIVES]
        if not alternatives:  # nothing else close: offer the editors' related questions instead
            return [self._answer(ctx, best.entry)]
        text_html = self._render(ctx, best.entry) + "\n\n" + ctx.t("faq.alternatives")
        rows = [_button("↪ " + _label(m.entry.question(ctx.lang), MAX_LABEL_CHARS - 2), "e", m.entry.id)
                for m in alternatives]
        return [Reply(text_html, buttons=_rows(*rows, self._nav_row(ctx, best.entry)))]

    # -- admin ----------------------------------------------------------------------------------------------
    async def _reload(self, ctx: Context) -> list[Reply]:
        if not ctx.is_admin:
            return [Reply(ctx.t("core.not_allowed"))]
        try:
            # Reading and indexing ~50 entries takes a moment; keep the event loop serving other users.
            count = await asyncio.to_thread(self._faq(ctx).reload)
        except FaqError as exc:
            error = str(exc)
            if len(error) > MAX_ERROR_CHARS:
                error = error[: MAX_ERROR_CHARS - 1] + "…"
            log.warning("rights: FAQ reload failed; previous content kept")
            return [Reply(ctx.t("faq.reload_failed", error=error))]
        log.info("rights: FAQ reloaded, %d entries", count)
        return [Reply(ctx.t("faq.reloaded", count=count))]
