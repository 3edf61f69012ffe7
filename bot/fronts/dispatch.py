"""The one path from a parsed event to the person, shared by every front (design principle 1).

event → router → send each reply → on a messenger failure, defer the unsent replies to the durable outbox →
on a failure of ours, a translated error. A front only parses, renders and sends; nothing here names a messenger
library, so a new front cannot forget a step.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import deque

from bot.chat import Event, Reply
from bot.fronts.base import DeliveryFailed, Host, Messenger
from i18n import normalize_language

log = logging.getLogger(__name__)


def clean_text(text: str) -> str:
    """Text as the rest of the bot can store and send: lone surrogates (which a client can send and which UTF-8,
    SQLite and JSON refuse) become U+FFFD, and NUL characters are dropped."""
    if text.isascii():
        return text.replace("\x00", "")
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").replace("\x00", "")


def clean_event(event: Event) -> Event:
    if not (event.text or event.command or event.choice):
        return event
    return dataclasses.replace(event, text=clean_text(event.text), command=clean_text(event.command),
                               choice=clean_text(event.choice))


class Dispatcher:
    def __init__(self, app: Host, messenger: Messenger) -> None:
        self.app = app
        self.messenger = messenger
        # Ids (the front's own, e.g. Telegram update ids) of updates fully handled: replies sent or deferred.
        # Bounded; tests wait on it instead of on a quiet period.
        self.handled: deque[object] = deque(maxlen=4096)

    async def handle(self, event: Event) -> list[Reply]:
        """Route the event; a failure of ours (a bug, the database) becomes a translated apology, never silence."""
        event = clean_event(event)
        try:
            return await self.app.router.handle(event)
        except Exception:
            log.exception("error while handling an event (%s)", event.kind)
            return [Reply(await self.error_text(event))]

    async def error_text(self, event: Event) -> str:
        services = self.app.services
        lang = normalize_language(event.sender.language_code, self.app.settings.default_language)
        try:
            lang = await services.users.stored_language(event.sender.messenger, event.sender.user_id) or lang
        except Exception:  # the database may be what failed
            log.warning("could not read the user's language")
        return services.translator.t(lang, "core.error")

    async def deliver(self, event: Event, replies: list[Reply], *, done: object = None) -> None:
        """Answer directly (fast path). If the messenger keeps failing, the unsent replies go to the durable
        outbox, whose worker retries them with backoff and across restarts: no answer is lost to a bad minute."""
        try:
            for index, reply in enumerate(replies):
                try:
                    await self.messenger.send(event.sender.chat_id, reply)
                except DeliveryFailed as exc:
                    log.warning("reply not delivered: %s", exc.reason)
                    if exc.permanent:
                        if event.sender.is_private:
                            await self.app.services.users.deactivate(event.sender.messenger, event.sender.user_id)
                        return
                    if exc.reason == "bad_request":
                        continue  # this message can never be sent as it is; the next ones still can
                    if exc.retry_after is not None and exc.whole_account:
                        hold = getattr(getattr(self.app, "worker", None), "hold", None)
                        if hold is not None:  # the messenger limits the whole account: the worker waits too
                            hold(event.sender.messenger, exc.retry_after)
                    await self.defer(event, [r for r in replies[index:] if r.text or r.location],
                                     not_before=time.time() + exc.retry_after if exc.retry_after else None)
                    return
        finally:
            if done is not None:
                self.handled.append(done)

    async def defer(self, event: Event, replies: list[Reply], not_before: float | None = None) -> None:
        services = self.app.services
        key = services.users.key_for(event.sender.messenger, event.sender.user_id)
        async with services.db.transaction() as conn:
            for reply in replies:
                if event.sender.is_private:
                    await services.outbox.to_user(conn, key, reply, kind="reply", not_before=not_before)
                else:
                    await services.outbox.to_chat(conn, event.sender.messenger, event.sender.chat_id, reply,
                                                  kind="reply", not_before=not_before)

    async def dispatch(self, event: Event, *, done: object = None) -> list[Reply]:
        """Handle and deliver in one call (fronts with nothing to do in between, such as Signal)."""
        replies = await self.handle(event)
        await self.deliver(event, replies, done=done)
        return replies
