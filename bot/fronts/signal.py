"""The Signal front: signal-cli's JSON-RPC daemon (:mod:`bot.fronts.signal_rpc`) wired to the shared dispatcher.

Signal has no inline buttons and signal-cli sends no map pins, so a reply's buttons are rendered as numbered lines
and a reply with the number picks one. The number → choice mapping is stored per chat
(:mod:`storage.choices`, encrypted, keyed by an HMAC of the chat) so that it survives restarts. In a group several
moderator cards can be open at once: each card's options carry a tag ("C3"), and "C3 1" — or quoting the card
and writing "1" — is unambiguous.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import time
from collections.abc import Awaitable

from bot.chat import Button, Event, Reply, Sender
from bot.fronts.base import DeliveryFailed, Host
from bot.fronts.dispatch import Dispatcher
from bot.fronts.signal_rpc import (
    Group,
    IncomingMessage,
    SignalRateLimited,
    SignalRecipientError,
    SignalRpc,
    SignalRpcError,
    split_text,
)
from storage.choices import ChoiceRepository

log = logging.getLogger(__name__)
MESSENGER = "signal"
GROUP_PREFIX = "group:"
CHOICE_TTL_S = 7 * 24 * 3600
_TAG_RE = re.compile(r"<[^>]+>")
_PICK = re.compile(r"^\s*(?:(c\d{1,4})\s*[:#.-]?\s*)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
_MEDIA_KINDS = (("image/", "photo"), ("video/", "video"), ("audio/", "voice"))


def plain(text: str) -> str:
    """Our Telegram-subset HTML → plain text (links keep their address), which Signal shows as typed."""
    text = re.sub(r'<a href="([^"]+)">([^<]*)</a>', lambda m: m.group(2) if m.group(1) in m.group(2)
                  else f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG_RE.sub("", text))


def _map_link(lat: float, lon: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=17/{lat:.5f}/{lon:.5f}"


class SignalMessenger:
    """Sends neutral replies through signal-cli; numbered choices are remembered per chat."""

    name = MESSENGER

    def __init__(self, rpc: SignalRpc, app: Host) -> None:
        self.rpc = rpc
        self.app = app
        self.choices = ChoiceRepository(app.services.db)

    def chat_key(self, chat_id: str) -> str:
        return self.app.services.keyring.tag("signal-chat", chat_id)

    @staticmethod
    def target(chat_id: str) -> str | Group:
        return Group(chat_id[len(GROUP_PREFIX):]) if chat_id.startswith(GROUP_PREFIX) else chat_id

    async def _next_tag(self, chat_key: str) -> str:
        used = {t for t in await self.choices.tags(chat_key) if t}
        n = 1
        while f"C{n}" in used:
            n += 1
        return f"C{n}"

    async def render(self, chat_id: str, reply: Reply) -> tuple[str, str | None, list[str]]:
        """(text, tag, options) for a reply: HTML made plain, buttons numbered, a pin as a map link."""
        lines: list[str] = []
        if reply.location:
            lat, lon = reply.location
            lines.append("📍 " + _map_link(lat, lon))
        if reply.photo:  # a Telegram file_id: signal-cli cannot show it, so the moderators are told where it is
            settings = self.app.settings
            lines.append(self.app.services.translator.t(settings.moderator_language or settings.default_language,
                                                        "report.signal_photo"))
        if reply.text:
            lines.append(plain(reply.text))
        options: list[str] = []
        buttons: list[Button] = [b for row in reply.buttons for b in row]
        tag: str | None = None
        if buttons:
            group = chat_id.startswith(GROUP_PREFIX)
            key = self.chat_key(chat_id)
            if group:
                existing = await self.choices.by_message(key, reply.edit) if reply.edit else None
                tag = existing.tag if existing else await self._next_tag(key)
            else:
                tag = ""
            lines.append("")
            for number, button in enumerate(buttons, 1):
                code = f"{tag} {number}" if tag else str(number)
                lines.append(f"  {code} · {plain(button.label)}")
                options.append(button.data)
        if reply.ask_location:
            lines.append(self.app.services.translator.t(self.app.settings.default_language, "core.signal_no_pins"))
        return "\n".join(lines).strip(), tag, options

    async def send(self, chat_id: str, reply: Reply, *, retry: bool = True) -> str | None:
        if reply.delete and reply.delete.isdigit():  # "delete for everyone" (Signal allows it for 24 h)
            target = self.target(chat_id)
            where = {"groupId": target.id} if isinstance(target, Group) else {"recipient": [target]}
            with contextlib.suppress(SignalRpcError):  # too old or already gone: nothing more to do
                await self.rpc.call("remoteDelete", targetTimestamp=int(reply.delete), **where)
            return None
        text, tag, options = await self.render(chat_id, reply)
        if not text:
            return None
        to = self.target(chat_id)
        attempts = 4 if retry else 1
        for attempt in range(attempts):
            try:
                timestamp = await self._send(to, text, reply)
                break
            except SignalRateLimited as exc:
                # Signal rate-limits the account (a proof-required challenge needs an operator): everyone waits.
                if exc.proof_required:
                    log.error("Signal asks for a rate-limit challenge (captcha); see docs/signal.md")
                raise DeliveryFailed("flood_limit", retry_after=exc.retry_after or 60.0, whole_account=True) from exc
            except SignalRecipientError as exc:
                raise DeliveryFailed("forbidden", permanent=True) from exc
            except SignalRpcError as exc:
                if exc.permanent or attempt == attempts - 1:
                    raise DeliveryFailed("bad_request" if exc.permanent else "signal_unavailable") from exc
                await asyncio.sleep(0.2 * 2**attempt)
        message_id = str(timestamp)
        if tag is not None:
            key = self.chat_key(chat_id)
            blob = self.app.services.keyring.encrypt_json(options, b"signal-choices:" + key.encode())
            await self.choices.save(key, tag, blob, reply.edit or message_id, time.time())
        return reply.edit or message_id

    async def _send(self, to: str | Group, text: str, reply: Reply) -> int:
        if reply.edit and reply.edit.isdigit():
            with contextlib.suppress(SignalRpcError):  # too old or gone: send it anew below
                await self.rpc.send(to, text, edit_timestamp=int(reply.edit), notify=not reply.silent)
                return int(reply.edit)
        parts = split_text(text)
        timestamp = 0
        for index, part in enumerate(parts):
            sent = await self.rpc.send(to, part, notify=not reply.silent)
            timestamp = sent if index == 0 else timestamp
        return timestamp

    async def pick(self, chat_id: str, text: str, quote: int | None) -> tuple[str, str | None] | None:
        """(button data, id of the message that showed it) for a typed "2", "C3 2" or "2" quoting a card."""
        key = self.chat_key(chat_id)
        match = _PICK.match(text)
        tag = ""
        row = None
        if match and match.group(1):
            tag = match.group(1).upper()
            row = await self.choices.get(key, tag)
        elif quote is not None:
            row = await self.choices.by_message(key, str(quote))
        elif not chat_id.startswith(GROUP_PREFIX):
            row = await self.choices.get(key, "")
        if row is None:
            return None
        options: list[str] = self.app.services.keyring.decrypt_json(row.options, b"signal-choices:" + key.encode())
        if match:
            number = int(match.group(2))
            return (options[number - 1], row.message_id) if 1 <= number <= len(options) else None
        return None


class SignalFront:
    """Receives from signal-cli, hands events to the dispatcher, renders replies through :class:`SignalMessenger`."""

    name = MESSENGER

    def __init__(self, app: Host, rpc: SignalRpc | None = None) -> None:
        settings = app.settings
        if not (settings.signal_rpc_url and settings.signal_account):
            raise ValueError("SIGNAL_RPC_URL and SIGNAL_ACCOUNT are required for the Signal front")
        self.app = app
        self.rpc = rpc or SignalRpc(settings.signal_rpc_url, settings.signal_account)
        self.messenger = SignalMessenger(self.rpc, app)
        self.dispatcher = Dispatcher(app, self.messenger)
        self._task: asyncio.Task[None] | None = None
        self._handling: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if not await self.rpc.check():
            log.warning("signal-cli did not answer its health check; receiving will retry in the background")

    async def listen(self) -> None:
        self._task = asyncio.create_task(self._receive())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._handling):
            task.cancel()
        await self.rpc.aclose()

    async def _receive(self) -> None:
        async for message in self.rpc.messages():
            task = asyncio.create_task(self._on_message(message))
            self._handling.add(task)
            task.add_done_callback(self._handling.discard)

    async def _on_message(self, message: IncomingMessage) -> None:
        event = None
        try:
            event = await self.to_event(message)
            if event is not None:
                target = message.reply_target
                if target is not None and event.sender.is_private:
                    await self._quietly(self.rpc.send_typing(target))  # "…" while the answer is prepared
                    if event.kind == "choice":  # a typed number picked an option: acknowledge it on that message
                        await self._quietly(self.rpc.send_reaction(target, "👍", message.sender or "",
                                                                   message.timestamp))
                await self.dispatcher.dispatch(event, done=message.timestamp)
        except Exception:
            log.exception("error while handling a Signal message")
        finally:
            if event is None:  # ignored (a reaction, our own sync) or failed before dispatch: still finished
                self.dispatcher.handled.append(message.timestamp)

    @staticmethod
    async def _quietly(call: Awaitable[object]) -> None:
        """Typing and reactions are courtesies: a failure never delays or stops the answer."""
        try:
            await asyncio.wait_for(call, 2.0)
        except (SignalRpcError, TimeoutError):
            log.debug("signal: a typing indicator or reaction was not sent")

    async def to_event(self, message: IncomingMessage) -> Event | None:
        """Translate a Signal message into a neutral event; None for what we deliberately ignore."""
        if message.is_sync or message.reaction is not None or message.is_group_update or message.sender is None:
            return None
        user_id = message.sender
        if message.group_id:
            chat_id, chat_type = GROUP_PREFIX + message.group_id, "group"
        else:
            chat_id, chat_type = user_id, "private"
        sender = Sender(MESSENGER, user_id, chat_id, None, chat_type)
        reply_to = str(message.quote_timestamp) if message.quote_timestamp else None
        text = (message.text or "").strip()
        if message.attachments and not text:
            content_type = message.attachments[0].content_type or ""
            media = next((kind for prefix, kind in _MEDIA_KINDS if content_type.startswith(prefix)), "document")
            return Event(sender, "media", media=media, media_ref=message.attachments[0].id or "",
                         message_id=str(message.timestamp), reply_to=reply_to)
        if not text:
            return None
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            return Event(sender, "command", command=head.lower(), text=args.strip(),
                         message_id=str(message.timestamp), reply_to=reply_to)
        picked = await self.messenger.pick(chat_id, text, message.quote_timestamp)
        if picked is not None:
            return Event(sender, "choice", choice=picked[0], message_id=picked[1], reply_to=reply_to)
        return Event(sender, "text", text=text, message_id=str(message.timestamp), reply_to=reply_to)
