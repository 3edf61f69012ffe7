"""The durable outbox: one row per recipient of every outgoing notification (design principle 3).

Why rows and not in-memory queues: a notification is written in the same transaction as the decision that
caused it (an approved report, a correction, a broadcast), so either both survive a crash or neither exists.
The delivery worker claims due rows with a lease; a row whose lease expired was in flight when a process died
and is claimed again, so nothing is lost and at most the rows in flight at the crash are sent twice.

This module stores opaque (already encrypted) blobs; :mod:`bot.delivery` does the encryption and sending.
All statements that change rows run under the database's write lock: the connection is shared, and a claim
must never read another coroutine's uncommitted transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict, dataclass

import aiosqlite

from storage.db import Database

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
COUNTERS = ("enqueued", "sent", "retried", "failed", "cancelled", "reclaimed")

_SELECT_CLAIMABLE = (
    "SELECT o.id, o.user_key, COALESCE(o.messenger, u.messenger) AS messenger, "
    "COALESCE(o.address, u.address) AS address, o.chat_kind, o.kind, o.ref, o.payload, o.attempts, "
    "COALESCE(u.active, 1) AS active "
    "FROM outbox o LEFT JOIN users u ON u.key = o.user_key "
)
_MESSENGER_FILTER = "AND (? IS NULL OR COALESCE(o.messenger, u.messenger) IN (SELECT value FROM json_each(?))) "
_EXPIRED = _SELECT_CLAIMABLE + "WHERE o.status = 'sending' AND o.lease_until <= ? " + _MESSENGER_FILTER + \
    "ORDER BY o.lease_until LIMIT ?"
_DUE = _SELECT_CLAIMABLE + "WHERE o.status = 'queued' AND o.not_before <= ? " + _MESSENGER_FILTER + \
    "ORDER BY o.priority DESC, o.not_before, o.id LIMIT ?"

# Finished rows keep who/when/ref/message_id (needed for corrections and card edits) but not the text:
# every statement that finishes a row sets payload = X''.
_CANCEL = {
    "ref": "UPDATE outbox SET status = 'cancelled', last_error = 'cancelled', payload = X'' "
           "WHERE status = 'queued' AND ref = ? AND (? IS NULL OR kind = ?)",
    "recipient": "UPDATE outbox SET status = 'cancelled', last_error = 'cancelled', payload = X'' "
                 "WHERE status = 'queued' AND user_key = ? AND (? IS NULL OR kind = ?)",
    "both": "UPDATE outbox SET status = 'cancelled', last_error = 'cancelled', payload = X'' "
            "WHERE status = 'queued' AND ref = ? AND user_key = ? AND (? IS NULL OR kind = ?)",
}


@dataclass(frozen=True)
class OutboxRow:
    """A claimed row: everything the worker needs to send it. ``address`` and ``payload`` are encrypted."""

    id: int
    user_key: str | None
    messenger: str
    address: bytes
    chat_kind: str
    kind: str
    ref: str | None
    payload: bytes
    attempts: int

    @property
    def is_group(self) -> bool:
        return self.chat_kind == "group"


@dataclass(frozen=True)
class OutboxCounts:
    """What /stats shows. ``queued``/``sending`` are rows now; the rest are cumulative since the outbox began.

    ``reclaimed`` counts rows taken back from a dead process: each may have been sent twice (an upper bound on
    duplicates).
    """

    queued: int
    sending: int
    enqueued: int
    sent: int
    retried: int
    failed: int
    cancelled: int
    reclaimed: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing, inside the caller's transaction ---------------------------------------------------
    async def add(self, conn: aiosqlite.Connection, *, kind: str, payload: bytes, now: float,
                  not_before: float | None = None, user_key: str | None = None, messenger: str | None = None,
                  address: bytes | None = None, chat_kind: str = "private", ref: str | None = None,
                  priority: int = 0) -> int:
        """Queue one message on ``conn``, which must be inside ``async with db.transaction() as conn``.

        Why the caller's connection: the row must commit or roll back together with the decision that caused it.
        Give either ``user_key`` or ``messenger`` + ``address`` (a chat that is not a user, e.g. a group).
        """
        if user_key is None and (messenger is None or address is None):
            raise ValueError("an outbox row needs a user_key or a messenger and an address")
        if not conn.in_transaction:
            raise RuntimeError("OutboxRepository.add must run inside db.transaction()")
        cursor = await conn.execute(
            "INSERT INTO outbox(user_key, messenger, address, chat_kind, kind, ref, priority, payload, not_before, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_key, messenger, address, chat_kind, kind, ref, priority, payload,
             now if not_before is None else not_before, now),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    # -- the worker's side --------------------------------------------------------------------------
    async def claim(self, now: float, limit: int, lease_seconds: float, *,
                    messengers: Collection[str] | None = None) -> list[OutboxRow]:
        """Atomically lease up to ``limit`` due rows (expired leases first) and return them.

        Rows for users marked inactive are cancelled here instead of being sent (they blocked the bot).
        ``messengers`` restricts the claim to fronts that are running, so others' rows wait instead of failing.
        """
        names = json.dumps(sorted(messengers)) if messengers is not None else None
        async with self.db.transaction() as conn:
            while True:  # until something is claimed or nothing was skipped: a batch of only inactive users
                claimed, skipped = await self._claim_batch(conn, now, limit, lease_seconds, names)
                if claimed or not skipped:
                    return claimed

    async def _claim_batch(self, conn: aiosqlite.Connection, now: float, limit: int, lease_seconds: float,
                           names: str | None) -> tuple[list[OutboxRow], int]:
        expired = await _fetch(conn, _EXPIRED, (now, names, names, limit))
        due = await _fetch(conn, _DUE, (now, names, names, limit - len(expired))) if len(expired) < limit else []
        rows = expired + due
        inactive = [(r["id"],) for r in rows if not r["active"]]
        claimed = [_to_row(r) for r in rows if r["active"]]
        await conn.executemany(
            "UPDATE outbox SET status = 'cancelled', last_error = 'inactive', payload = X'', lease_until = NULL "
            "WHERE id = ?", inactive)
        await conn.executemany("UPDATE outbox SET status = 'sending', lease_until = ? WHERE id = ?",
                               [(now + lease_seconds, r.id) for r in claimed])
        if expired:
            await _bump(conn, "reclaimed", len(expired))
        return claimed, len(inactive)

    async def release_all(self) -> int:
        """Put every 'sending' row back in the queue. Only for the single worker at start: any lease then
        belongs to a process that died, and waiting for it to expire would only delay those messages."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET status = 'queued', lease_until = NULL WHERE status = 'sending'")
            count = cursor.rowcount
            if count:
                await _bump(conn, "reclaimed", count)
        return count

    async def release(self, row_id: int, not_before: float) -> None:
        """Give a claimed row back unsent (per-chat pacing, shutdown); not an attempt, so not a retry."""
        await self.db.execute(
            "UPDATE outbox SET status = 'queued', lease_until = NULL, not_before = ? WHERE id = ? AND status = ?",
            (not_before, row_id, SENDING))

    async def mark_sent(self, row_id: int, now: float, message_id: str | None) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1, "
            "last_error = NULL, payload = X'', lease_until = NULL WHERE id = ? AND status = ?",
            (now, message_id, row_id, SENDING))

    async def mark_retry(self, row_id: int, not_before: float, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'queued', attempts = attempts + 1, not_before = ?, lease_until = NULL, "
            "last_error = ? WHERE id = ? AND status = ?",
            (not_before, error[:40], row_id, SENDING))

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, payload = X'', "
            "lease_until = NULL WHERE id = ? AND status = ?",
            (error[:40], row_id, SENDING))

    async def cancel(self, *, ref: str | None = None, recipient: str | None = None, kind: str | None = None,
                     conn: aiosqlite.Connection | None = None) -> int:
        """Cancel queued (not yet in flight) rows by ``ref`` and/or ``recipient`` user key, optionally of one kind.

        Why: removing a subscription or resolving an alert must stop messages not yet sent. Pass ``conn`` to
        cancel inside a caller's transaction. Returns the number of rows cancelled.
        """
        if ref is None and recipient is None:
            raise ValueError("cancel needs a ref or a recipient")
        which = "both" if ref is not None and recipient is not None else "ref" if ref is not None else "recipient"
        sql = _CANCEL[which]
        args = (*(p for p in (ref, recipient) if p is not None), kind, kind)
        if conn is not None:
            cursor = await conn.execute(sql, args)
            return cursor.rowcount
        return await self.db.execute(sql, args)

    async def cancel_rows(self, row_ids: list[int]) -> int:
        """Cancel specific queued rows (e.g. alerts for an area the user just removed); in-flight rows finish."""
        count = 0
        async with self.db.transaction() as conn:
            for row_id in row_ids:
                cursor = await conn.execute(
                    "UPDATE outbox SET status = 'cancelled', last_error = 'cancelled', payload = X'' "
                    "WHERE id = ? AND status = 'queued'", (row_id,))
                count += cursor.rowcount
        return count

    async def purge(self, before: float) -> int:
        """Delete finished rows created before ``before`` (retention); the counters keep the totals."""
        return await self.db.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'cancelled') AND created_at < ?", (before,))

    # -- reading ------------------------------------------------------------------------------------
    async def recipients_of(self, ref: str) -> list[str]:
        """User keys that were sent ``ref`` (e.g. who must get the correction of 'alert:42')."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT user_key FROM outbox WHERE ref = ? AND status = 'sent' AND user_key IS NOT NULL",
            (ref,))
        return [r["user_key"] for r in rows]

    async def message_id_of(self, ref: str) -> str | None:
        """The messenger's id of the latest sent message with ``ref`` (to edit a moderator card)."""
        row = await self.db.fetchone(
            "SELECT message_id FROM outbox WHERE ref = ? AND status = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1",
            (ref,))
        return row["message_id"] if row else None

    async def next_due(self) -> float | None:
        """When the next row becomes claimable (a queued row's not_before or a lease's end), if any."""
        row = await self.db.fetchone(
            "SELECT MIN(t) AS t FROM ("
            " SELECT MIN(not_before) AS t FROM outbox WHERE status = 'queued'"
            " UNION ALL SELECT MIN(lease_until) FROM outbox WHERE status = 'sending')")
        return float(row["t"]) if row and row["t"] is not None else None

    async def counts(self) -> OutboxCounts:
        live = {r["status"]: r["n"] for r in await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE status IN ('queued', 'sending') GROUP BY status")}
        totals = {r["name"]: r["value"] for r in await self.db.fetchall("SELECT name, value FROM delivery_stats")}
        return OutboxCounts(queued=live.get(QUEUED, 0), sending=live.get(SENDING, 0),
                            **{name: int(totals.get(name, 0)) for name in COUNTERS})


async def _fetch(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> list[aiosqlite.Row]:
    async with conn.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def _bump(conn: aiosqlite.Connection, name: str, by: int) -> None:
    await conn.execute("UPDATE delivery_stats SET value = value + ? WHERE name = ?", (by, name))


def _to_row(r: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(id=r["id"], user_key=r["user_key"], messenger=r["messenger"], address=r["address"],
                     chat_kind=r["chat_kind"], kind=r["kind"], ref=r["ref"], payload=r["payload"],
                     attempts=r["attempts"])
