"""The durable outbox: notifications are queued as encrypted rows, one per recipient, inside the transaction that
records the decision that caused them (design principle 3). :mod:`bot.delivery.worker` sends them."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.chat import Reply
from bot.privacy import Keyring
from storage.outbox import STARS_PER_PAID_MESSAGE, OutboxCounts, OutboxRepository

# Higher is sent first: a moderator card or an alert must not wait behind a 5,000-recipient broadcast. A
# correction outranks alerts, so the people who got an alert hear it was wrong before anyone new hears the alert.
# Within a priority, rows go by sort key (an alert's nearest recipients first; everything else has 0).
PRIORITY = {"card": 30, "card_edit": 30, "correction": 25, "notice": 20, "relay": 20, "alert": 20,
            "alert_update": 20, "reply": 20, "channel": 25, "card_new": 15, "broadcast": 0}
# "channel": one post reaches a whole neighbourhood at once, so it goes ahead of the one-by-one fan-out.
# "card_new": cards of reports from brand-new accounts (issue 11) wait behind established reporters' cards and
# alerts, but ahead of broadcasts.
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
                      ref: str | None = None, not_before: float | None = None, sort_key: float = 0.0) -> int:
        """Queue ``reply`` for a user (their private chat); returns the row id."""
        payload = self.keyring.encrypt_json(encode_reply(reply), _payload_context(user_key))
        row_id = await self.repo.add(conn, kind=kind, payload=payload, now=self.clock(), not_before=not_before,
                                     user_key=user_key, ref=ref, priority=PRIORITY.get(kind, DEFAULT_PRIORITY),
                                     sort_key=sort_key)
        self.wake()
        return row_id

    async def to_users(self, conn: aiosqlite.Connection, items: Iterable[tuple[str, Reply, float]], *, kind: str,
                       ref: str | None = None) -> int:
        """Queue one reply per (user key, reply, sort key) in one statement (a fan-out); returns how many.

        A reply shared by many users is serialised once; each row is still encrypted under its own user."""
        encoded: dict[int, bytes] = {}
        rows: list[tuple[str, bytes, float]] = []
        for user_key, reply, sort_key in items:
            data = encoded.get(id(reply))
            if data is None:
                data = encoded[id(reply)] = json.dumps(encode_reply(reply), separators=(",", ":")).encode()
            rows.append((user_key, self.keyring.encrypt(data, _payload_context(user_key)), sort_key))
        count = await self.repo.add_to_users(conn, rows, kind=kind, ref=ref,
                                             priority=PRIORITY.get(kind, DEFAULT_PRIORITY), now=self.clock())
        if count:
            self.wake()
        return count

    async def paid_spend(self, now: float | None = None, days: int = 7) -> PaidSpend:
        """Stars spent on paid broadcast today and over the last ``days`` UTC days (for /stats)."""
        today = dt.datetime.fromtimestamp(self.clock() if now is None else now, dt.UTC).date()
        per_day = await self.repo.paid_spend((today - dt.timedelta(days=days - 1)).isoformat())
        return PaidSpend(today=per_day.get(today.isoformat(), 0) * STARS_PER_PAID_MESSAGE,
                         period=sum(per_day.values()) * STARS_PER_PAID_MESSAGE, days=days)

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

    async def counts(self) -> OutboxCounts:
        """Totals by status (for /stats)."""
        return await self.repo.counts()


@dataclass(frozen=True)
class PaidSpend:
    """Stars spent on paid broadcast (an upper bound: every message sent with it is counted at 0.1 Star)."""

    today: float
    period: float
    days: int
