"""The durable outbox: notifications are queued as encrypted rows, one per recipient, inside the transaction that
records the decision that caused them (design principle 3). :mod:`bot.delivery.worker` sends them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiosqlite

from bot.chat import Reply
from bot.privacy import Keyring
from storage.outbox import OutboxRepository

# Higher is sent first: a moderator card or an alert must not wait behind a 5,000-recipient broadcast.
PRIORITY = {"card": 30, "card_edit": 30, "notice": 20, "relay": 20, "alert": 20, "alert_update": 20,
            "correction": 20, "reply": 20, "broadcast": 0}
DEFAULT_PRIORITY = 10


def _payload_context(row_owner: str) -> bytes:
    return b"outbox-payload:" + row_owner.encode()


def _address_context(messenger: str) -> bytes:
    return b"outbox-address:" + messenger.encode()


def encode_reply(reply: Reply) -> dict[str, Any]:
    """``Reply.to_dict`` plus ``edit`` (which ``to_dict`` leaves out, but a moderator-card edit needs)."""
    return {**reply.to_dict(), "edit": reply.edit}


def decode_reply(data: dict[str, Any]) -> Reply:
    reply = Reply.from_dict(data)
    reply.edit = data.get("edit")
    return reply


class Outbox:
    """Queues notifications. Call it inside ``async with db.transaction() as conn`` with that ``conn``."""

    def __init__(self, repo: OutboxRepository, keyring: Keyring, *, clock: Callable[[], float] = time.time) -> None:
        self.repo = repo
        self.keyring = keyring
        self.clock = clock
        self._listeners: list[Callable[[], None]] = []

    def listen(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (e.g. ``DeliveryWorker.wake``) whenever a row is queued."""
        self._listeners.append(callback)

    def wake(self) -> None:
        """Tell the worker there is work. Safe before the caller's commit: the worker's claim takes the write
        lock, so it runs after the commit (and finds nothing if the transaction rolled back)."""
        for callback in self._listeners:
            callback()

    async def to_user(self, conn: aiosqlite.Connection, user_key: str, reply: Reply, *, kind: str,
                      ref: str | None = None, not_before: float | None = None) -> int:
        """Queue ``reply`` for a user (their private chat); returns the row id."""
        payload = self.keyring.encrypt_json(encode_reply(reply), _payload_context(user_key))
        row_id = await self.repo.add(conn, kind=kind, payload=payload, now=self.clock(), not_before=not_before,
                                     user_key=user_key, ref=ref, priority=PRIORITY.get(kind, DEFAULT_PRIORITY))
        self.wake()
        return row_id

    async def to_chat(self, conn: aiosqlite.Connection, messenger: str, chat_id: str, reply: Reply, *, kind: str,
                      ref: str | None = None, group: bool = True, not_before: float | None = None) -> int:
        """Queue ``reply`` for a chat that is not a user (e.g. the moderators' group); returns the row id."""
        address = self.keyring.encrypt(chat_id.encode(), _address_context(messenger))
        payload = self.keyring.encrypt_json(encode_reply(reply), _payload_context(messenger))
        row_id = await self.repo.add(conn, kind=kind, payload=payload, now=self.clock(), not_before=not_before,
                                     messenger=messenger, address=address, ref=ref,
                                     chat_kind="group" if group else "private",
                                     priority=PRIORITY.get(kind, DEFAULT_PRIORITY))
        self.wake()
        return row_id


