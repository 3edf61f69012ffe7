"""The Telegram front: turns PTB updates into neutral events and neutral replies into Bot API calls.

The only module that imports ``telegram``. Everything a user sends is handled by :class:`handlers.router.Router`;
this module only translates, sends with retries, and keeps the bot alive when the Bot API misbehaves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, Defaults, TypeHandler

from bot.chat import Event, Reply, Sender
from bot.fronts.base import DeliveryFailed, Host
from bot.fronts.dispatch import Dispatcher

log = logging.getLogger(__name__)
T = TypeVar("T")
MESSENGER = "telegram"


def _chat(chat_id: str) -> int | str:
    """A Bot API chat: a number, or a public channel's @username (neighbourhood channels)."""
    return chat_id if chat_id.startswith("@") else int(chat_id)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def with_retries(call: Callable[[], Awaitable[T]], *, attempts: int = 6, base_delay: float = 0.5,
                       max_wait: float = 60.0) -> T:
    """Run a Bot API call, waiting out 429s (``retry_after``) and retrying 5xx/timeouts with backoff + jitter.

    Raises :class:`DeliveryFailed` when the user blocked the bot, the chat is gone, or attempts run out
    (with ``attempts=1`` every failure raises at once, carrying ``retry_after`` for a 429).
    """
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            return await call()
        except RetryAfter as exc:
            if last:  # the caller (the delivery worker) schedules the wait, however long Telegram asks for
                raise DeliveryFailed("flood_limit", retry_after=retry_after_seconds(exc)) from exc
            wait = min(retry_after_seconds(exc), max_wait)
            log.warning("Bot API flood limit: waiting %.1f s", wait)
            await asyncio.sleep(wait)
        except Forbidden as exc:
            raise DeliveryFailed("forbidden", permanent=True) from exc
        except BadRequest as exc:
            text = str(exc).lower()
            permanent = "chat not found" in text or "user is deactivated" in text
            raise DeliveryFailed("chat_not_found" if permanent else "bad_request", permanent=permanent) from exc
        except NetworkError as exc:  # 5xx, timeouts, connection errors
            if last:
                raise DeliveryFailed(type(exc).__name__) from exc
            delay = base_delay * (2**attempt) * (0.5 + random.random())
            log.warning("Bot API error (%s): retry %d in %.2f s", type(exc).__name__, attempt + 1, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def reply_markup(reply: Reply) -> Any:
    if reply.buttons:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in reply.buttons]
        )
    if reply.ask_location:
        return ReplyKeyboardMarkup([[KeyboardButton(reply.ask_location, request_location=True)]],
                                   resize_keyboard=True, one_time_keyboard=True)
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


class TelegramMessenger:
    """Sends neutral replies through a PTB ``Bot``. Also used by the delivery worker."""

    name = MESSENGER

    def __init__(self, application: Application, *, base_delay: float = 0.5) -> None:  # type: ignore[type-arg]
        self.application = application
        self.base_delay = base_delay

    async def send(self, chat_id: str, reply: Reply, *, retry: bool = True,
                   paid_broadcast: bool = False) -> str | None:
        """Send (or edit) one reply; returns the id of the message shown, if any.

        ``paid_broadcast`` (the delivery worker, for alert fan-outs only) sends with Telegram's
        ``allow_paid_broadcast`` (up to 1,000 msg/s, 0.1 Star a message). If Telegram refuses it (not eligible,
        balance too low) this raises ``DeliveryFailed("paid_refused")`` so that the worker falls back to the free
        rate and sends the message again. Edits are never paid."""
        bot = self.application.bot
        attempts = 6 if retry else 1
        paid = True if paid_broadcast else None

        async def call(make: Callable[[], Awaitable[T]]) -> T:
            try:
                return await with_retries(make, attempts=attempts, base_delay=self.base_delay)
            except DeliveryFailed as exc:
                text = str(exc.__cause__ or "").lower()
                if paid and not exc.permanent and exc.retry_after is None and \
                        any(word in text for word in ("paid", "broadcast", "star", "balance", "payment")):
                    raise DeliveryFailed("paid_refused") from exc.__cause__
                raise

        if reply.delete:  # a card past its retention: gone from the group (bots may delete within 48 h)
            try:
                await call(lambda: bot.delete_message(_chat(chat_id), int(reply.delete or 0)))
            except DeliveryFailed as exc:
                if exc.reason != "bad_request":  # "message to delete not found": already gone, nothing to do
                    raise
            return None
        pin_id: str | None = None
        if reply.location:
            lat, lon = reply.location
            pin = await call(lambda: bot.send_location(_chat(chat_id), latitude=lat, longitude=lon,
                                                         disable_notification=reply.silent,
                                                         protect_content=reply.protect or None,
                                                         allow_paid_broadcast=paid))
            pin_id = str(pin.message_id) if isinstance(pin, Message) else None

        async def photo() -> None:
            """A reporter's photo before the moderators' card, never forwardable or savable (issue 12)."""
            file_id = reply.photo
            if file_id:
                await call(lambda: bot.send_photo(_chat(chat_id), file_id, disable_notification=reply.silent,
                                                  protect_content=True))

        if not reply.edit:
            await photo()
        if not reply.text:
            return pin_id  # a pin alone (a card's map pin): its id, so that it can be deleted later
        markup = reply_markup(reply)
        if reply.edit:
            try:
                edited = await call(lambda: bot.edit_message_text(
                    reply.text, chat_id=_chat(chat_id), message_id=int(reply.edit or 0),
                    reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None))
                return str(edited.message_id) if isinstance(edited, Message) else reply.edit
            except DeliveryFailed as exc:
                if exc.reason != "bad_request":
                    raise
                if "not modified" in str(exc.__cause__).lower():
                    return reply.edit
                # the message is too old or gone: fall through and send it anew (with its photo, if any)
                await photo()
        sent = await call(lambda: bot.send_message(_chat(chat_id), reply.text, reply_markup=markup,
                                                           disable_notification=reply.silent,
                                                           protect_content=reply.protect or None,
                                                           allow_paid_broadcast=paid))
        return str(sent.message_id)


def to_event(update: Update, bot_username: str | None) -> Event | None:
    """Translate an update into a neutral event; ``None`` for updates we deliberately ignore."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    sender = Sender(MESSENGER, str(user.id), str(chat.id), user.language_code, chat.type)
    query = update.callback_query
    if query is not None:
        message_id = str(query.message.message_id) if query.message else None
        return Event(sender, "choice", choice=query.data or "", message_id=message_id)
    message = update.message
    if message is None:
        return None  # edits, channel posts, reactions …
    if message.text is not None:
        text = message.text
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            head, _, newline_args = head.partition("\n")
            command, _, target = head.partition("@")
            if target and bot_username and target.lower() != bot_username.lower():
                return None  # a command for another bot in a group
            return Event(sender, "command", command=command.lower(), text=(newline_args + " " + args).strip())
        return Event(sender, "text", text=text)
    if message.location is not None:
        return Event(sender, "location", location=(message.location.latitude, message.location.longitude))
    for media in ("photo", "video", "voice", "video_note", "audio", "document", "sticker", "animation"):
        content = getattr(message, media, None)
        if content:
            item = content[-1] if isinstance(content, (list, tuple)) else content  # photo: sizes, largest last
            return Event(sender, "media", media=media, media_ref=str(getattr(item, "file_id", "") or ""))
    return Event(sender, "unsupported")


class TelegramFront:
    """A PTB ``Application`` wired to the shared dispatcher: parses updates, renders replies, nothing else."""

    name = MESSENGER

    def __init__(self, app: Host, *, poll_timeout: int | None = None) -> None:
        self.app = app
        settings = app.settings
        self.poll_timeout = settings.telegram_poll_timeout if poll_timeout is None else poll_timeout
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is required for the Telegram front")
        builder = (
            Application.builder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(settings.telegram_api_base_url)
            .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .concurrent_updates(True)
        )
        if settings.rate_limit_per_second > 0:
            builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=settings.rate_limit_per_second))
        self.application = builder.build()
        self.messenger = TelegramMessenger(self.application, base_delay=settings.telegram_retry_base_delay)
        self.dispatcher = Dispatcher(app, self.messenger)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = to_event(update, context.bot.username)
        query = update.callback_query
        if event is None:
            if query is not None:
                await query.answer()
            self.dispatcher.handled.append(update.update_id)
            return
        replies: list[Reply] = []
        try:
            replies = await self.dispatcher.handle(event)
        finally:
            if query is not None:
                toast = next((r.toast for r in replies if r.toast), None)
                try:
                    await query.answer(text=toast)
                except TelegramError:
                    log.warning("could not answer a callback query")
        await self.dispatcher.deliver(event, replies, done=update.update_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Errors outside the dispatcher (PTB itself, sending the error message): logged without any update
        content (never message text, names or chat ids), and the bot carries on."""
        log.error("error in the Telegram front: %s", type(context.error).__name__,
                  exc_info=(type(context.error), context.error, None) if context.error else None)

    async def set_commands(self) -> None:
        """Per-language command menus (Telegram shows the one matching the user's app language)."""
        bot = self.application.bot
        for lang in self.app.languages():
            commands = [BotCommand(c, d) for c, d in self.app.command_menu(lang)]
            await with_retries(lambda commands=commands, lang=lang: bot.set_my_commands(commands,
                                                                                          language_code=lang))
        default = [BotCommand(c, d) for c, d in self.app.command_menu(self.app.settings.default_language)]
        await with_retries(lambda: bot.set_my_commands(default))

    async def start(self) -> None:
        """Connect and set the menus; polling starts in :meth:`listen`, after the app started delivery."""
        await self.application.initialize()
        await self.set_commands()

    async def listen(self) -> None:
        assert self.application.updater is not None
        await self.application.updater.start_polling(timeout=self.poll_timeout, drop_pending_updates=False,
                                                     allowed_updates=["message", "callback_query"])
        await self.application.start()

    async def stop(self) -> None:
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
