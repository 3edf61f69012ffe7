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
import math
from collections.abc import Collection
from dataclasses import asdict, dataclass

import aiosqlite

from storage.db import Database

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
COUNTERS = ("enqueued", "sent", "retried", "failed", "cancelled", "reclaimed")

_SELECT_CLAIMABLE = (
    "SELECT o.id, o.user_key, COALESCE(o.messenger, u.messenger) AS messenger, "
    "COALESCE(o.address, u.address) AS address, o.chat_kind, o.kind, o.ref, o.payload, o.attempts, "
    "o.priority, o.sort_key, COALESCE(u.active, 1) AS active "
    "FROM outbox o LEFT JOIN users u ON u.key = o.user_key "
)
_MESSENGER_FILTER = "AND (? IS NULL OR COALESCE(o.messenger, u.messenger) IN (SELECT value FROM json_each(?))) "
_EXPIRED = _SELECT_CLAIMABLE + "WHERE o.status = 'sending' AND o.lease_until <= ? " + _MESSENGER_FILTER + \
    "ORDER BY o.lease_until LIMIT ?"
# Priority first; within a priority the sort key (an alert's nearest recipients first, see 0007_reach.sql).
_ORDER = "ORDER BY o.priority DESC, o.sort_key, o.not_before, o.id "
_DUE = _SELECT_CLAIMABLE + "WHERE o.status = 'queued' AND o.not_before <= ? " + _MESSENGER_FILTER + _ORDER + "LIMIT ?"
_BEST_DUE = ("SELECT o.priority, o.sort_key FROM outbox o LEFT JOIN users u ON u.key = o.user_key "  # noqa: S608
             "WHERE o.status = 'queued' AND o.not_before <= ? " + _MESSENGER_FILTER + _ORDER + "LIMIT 1")
# Messenger's charge for one message sent with allow_paid_broadcast (Bot API: "a fee of 0.1 Telegram Stars per
# message"). Counted for every such message, so the spend shown is an upper bound.
STARS_PER_PAID_MESSAGE = 0.1

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
    priority: int = 0
    sort_key: float = 0.0

    @property
    def is_group(self) -> bool:
        return self.chat_kind == "group"

    @property
    def rank(self) -> tuple[int, float]:
        """Claim order key (smaller first): priority descending, then sort key."""
        return -self.priority, self.sort_key


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
                  priority: int = 0, sort_key: float = 0.0) -> int:
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
            "created_at, sort_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_key, messenger, address, chat_kind, kind, ref, priority, payload,
             now if not_before is None else not_before, now, sort_key),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def add_to_users(self, conn: aiosqlite.Connection, rows: list[tuple[str, bytes, float]], *, kind: str,
                           ref: str | None, priority: int, now: float) -> int:
        """Queue many (user_key, payload, sort_key) rows in one statement, inside the caller's transaction.

        Why: a fan-out to thousands must commit in well under a second (the first alert cannot leave before the
        decision's transaction commits); one row per round trip to SQLite's thread costs ~0.1 ms each.
        """
        if not conn.in_transaction:
            raise RuntimeError("OutboxRepository.add_to_users must run inside db.transaction()")
        await conn.executemany(
            "INSERT INTO outbox(user_key, kind, ref, priority, payload, not_before, created_at, sort_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(user_key, kind, ref, priority, payload, now, now, sort_key) for user_key, payload, sort_key in rows])
        return len(rows)

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

    async def recheck(self, row_ids: list[int], now: float, *,
                      messengers: Collection[str] | None = None) -> tuple[set[int], tuple[int, float] | None]:
        """Look again at claimed rows the worker has not started, after something new was queued.

        Returns the ids that must not be sent any more (gone, or superseded by a correction: those are cancelled
        here together with the correction queued for the same person, who never saw the alert) and the rank
        (priority, sort key) of the best due queued row, so the worker can give its batch back when outranked.
        """
        names = json.dumps(sorted(messengers)) if messengers is not None else None
        drop: set[int] = set()
        async with self.db.transaction() as conn:
            marks = ",".join("?" * len(row_ids))
            rows = await _fetch(conn, f"SELECT id, status, user_key, superseded_by FROM outbox "  # noqa: S608
                                      f"WHERE id IN ({marks})", tuple(row_ids))
            found = {r["id"]: r for r in rows}
            for row_id in row_ids:
                r = found.get(row_id)
                if r is None or r["status"] != SENDING:
                    drop.add(row_id)
                elif r["superseded_by"] is not None:
                    drop.add(row_id)
                    await conn.execute(
                        "UPDATE outbox SET status = 'cancelled', last_error = 'superseded', payload = X'', "
                        "lease_until = NULL WHERE id = ?", (row_id,))
                    await conn.execute(_CANCEL["both"], (r["superseded_by"], r["user_key"], None, None))
            best = await _fetch(conn, _BEST_DUE, (now, names, names))
        return drop, ((-best[0]["priority"], best[0]["sort_key"]) if best else None)

    async def supersede(self, conn: aiosqlite.Connection, ref: str, by: str, *, kind: str = "alert") -> int:
        """Mark rows of ``ref`` in flight as superseded by the queued rows ``by`` (a correction), on ``conn``.

        Why: a claimed row may not have been started yet; the worker must not start it (see :meth:`recheck`).
        Rows already started are sent and marked sent as usual; their recipients get ``by``.
        """
        cursor = await conn.execute(
            "UPDATE outbox SET superseded_by = ? WHERE ref = ? AND kind = ? AND status = 'sending'", (by, ref, kind))
        return cursor.rowcount

    async def release_unstarted(self, row_ids: list[int]) -> int:
        """Give back claimed rows that were outranked before they started; their place in the queue is kept."""
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE outbox SET status = 'queued', lease_until = NULL WHERE id = ? AND status = 'sending'",
                [(row_id,) for row_id in row_ids])
        return len(row_ids)

    async def release(self, row_id: int, not_before: float) -> None:
        """Give a claimed row back unsent (per-chat pacing, shutdown); not an attempt, so not a retry."""
        await self.db.execute(
            "UPDATE outbox SET status = 'queued', lease_until = NULL, not_before = ? WHERE id = ? AND status = ?",
            (not_before, row_id, SENDING))

    async def mark_sent(self, row_id: int, now: float, message_id: str | None, *, paid: bool = False) -> None:
        """``paid``: sent with the messenger's paid broadcast (counted per day by a trigger, for the daily cap)."""
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1, "
            "last_error = NULL, payload = X'', lease_until = NULL, paid = ? WHERE id = ? AND status = ?",
            (now, message_id, int(paid), row_id, SENDING))

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
    async def alert_counts_since(self, conn: aiosqlite.Connection, since: float) -> dict[str, int]:
        """Alerts queued or sent to each user since ``since`` (the hourly cap, for a whole fan-out at once;
        the same rule as ``AlertRepository.alerts_sent_since``)."""
        rows = await _fetch(conn, "SELECT user_key, COUNT(*) AS n FROM outbox INDEXED BY outbox_recent_alerts "
                                  "WHERE kind = 'alert' "
                                  "AND created_at >= ? AND status != 'cancelled' AND user_key IS NOT NULL "
                                  "GROUP BY user_key", (since,))
        return {r["user_key"]: int(r["n"]) for r in rows}

    async def sort_keys_of(self, conn: aiosqlite.Connection, ref: str, kind: str = "alert") -> dict[str, float]:
        """user key → sort key of their ``ref`` row (a correction goes out in the order the alert did)."""
        rows = await _fetch(conn, "SELECT user_key, MIN(sort_key) AS k FROM outbox WHERE ref = ? AND kind = ? "
                                  "AND user_key IS NOT NULL GROUP BY user_key", (ref, kind))
        return {r["user_key"]: float(r["k"]) for r in rows}

    async def paid_messages(self, day: str) -> int:
        """Messages sent with paid broadcast on a UTC day ('YYYY-MM-DD')."""
        row = await self.db.fetchone("SELECT messages FROM paid_broadcast_spend WHERE day = ?", (day,))
        return int(row["messages"]) if row else 0

    async def paid_spend(self, since_day: str) -> dict[str, int]:
        """UTC day → messages sent with paid broadcast, from ``since_day`` on (× STARS_PER_PAID_MESSAGE = Stars)."""
        rows = await self.db.fetchall(
            "SELECT day, messages FROM paid_broadcast_spend WHERE day >= ? ORDER BY day", (since_day,))
        return {r["day"]: int(r["messages"]) for r in rows}

    async def recipients_of(self, ref: str) -> list[str]:
        """User keys that were sent ``ref`` (e.g. who must get the correction of 'alert:42')."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT user_key FROM outbox WHERE ref = ? AND status = 'sent' AND user_key IS NOT NULL",
            (ref,))
        return [r["user_key"] for r in rows]

    async def has_ref(self, ref: str) -> bool:
        """Whether any row (queued, sent or failed) carries ``ref`` (to queue a one-time action once)."""
        return await self.db.fetchone("SELECT 1 FROM outbox WHERE ref = ? LIMIT 1", (ref,)) is not None

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
                     attempts=r["attempts"], priority=r["priority"], sort_key=r["sort_key"])


# -- time to reach (issue 15) ------------------------------------------------------------------------
@dataclass(frozen=True)
class Reach:
    """How far one alert's fan-out got. Times are unix seconds; ``sent`` counts confirmed deliveries."""

    alert_id: int
    decided_at: float
    total: int
    sent: int
    queued: int  # still queued or in flight now
    failed: int
    first_sent_at: float | None
    last_sent_at: float | None

    @property
    def first_after(self) -> float | None:
        """Seconds from the decision to the first confirmed delivery."""
        return None if self.first_sent_at is None else max(0.0, self.first_sent_at - self.decided_at)

    @property
    def last_after(self) -> float | None:
        """Seconds from the decision to the latest confirmed delivery (to everyone once ``queued`` is 0)."""
        return None if self.last_sent_at is None else max(0.0, self.last_sent_at - self.decided_at)


class ReachRepository:
    """Per-alert reach rows (migration 0007); the counters are kept by a trigger on the outbox."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(self, conn: aiosqlite.Connection, alert_id: int, decided_at: float, total: int) -> None:
        """Record a fan-out of ``total`` rows decided at ``decided_at``, in the decision's transaction."""
        await conn.execute(
            "INSERT INTO alert_reach(alert_id, decided_at, total) VALUES (?, ?, ?) ON CONFLICT(alert_id) "
            "DO UPDATE SET total = total + excluded.total", (alert_id, decided_at, total))

    async def get(self, alert_id: int) -> Reach | None:
        return next(iter(await self._select("WHERE r.alert_id = ?", (alert_id,))), None)

    async def since(self, since: float) -> list[Reach]:
        return await self._select("WHERE r.decided_at >= ? ORDER BY r.decided_at", (since,))

    async def _select(self, where: str, params: tuple[object, ...]) -> list[Reach]:
        rows = await self.db.fetchall(
            "SELECT r.alert_id, r.decided_at, r.total, r.sent, r.first_sent_at, r.last_sent_at, "  # noqa: S608
            "(SELECT COUNT(*) FROM outbox o WHERE o.ref = 'alert:' || r.alert_id AND o.kind = 'alert' "
            " AND o.status IN ('queued', 'sending')) AS queued, "
            "(SELECT COUNT(*) FROM outbox o WHERE o.ref = 'alert:' || r.alert_id AND o.kind = 'alert' "
            " AND o.status = 'failed') AS failed "
            f"FROM alert_reach r {where}", params)  # fixed clauses only
        return [Reach(alert_id=r["alert_id"], decided_at=r["decided_at"], total=r["total"], sent=r["sent"],
                      queued=r["queued"], failed=r["failed"], first_sent_at=r["first_sent_at"],
                      last_sent_at=r["last_sent_at"]) for r in rows]


@dataclass(frozen=True)
class ReachStats:
    """Time to reach over a period (for /stats): seconds from the decision to the first delivery of each alert,
    and to the last one for alerts whose fan-out finished (nothing queued)."""

    alerts: int
    recipients: int
    sent: int
    queued: int
    failed: int
    first: tuple[float, float, float] | None  # (median, 90th percentile, max) seconds to the first delivery
    everyone: tuple[float, float, float] | None  # the same, to the last delivery of finished fan-outs
    unfinished: int  # alerts with messages still queued

    @classmethod
    def of(cls, reaches: list[Reach]) -> ReachStats:
        firsts = [r.first_after for r in reaches if r.first_after is not None]
        lasts = [r.last_after for r in reaches if r.last_after is not None and r.queued == 0]
        return cls(alerts=len(reaches), recipients=sum(r.total for r in reaches), sent=sum(r.sent for r in reaches),
                   queued=sum(r.queued for r in reaches), failed=sum(r.failed for r in reaches),
                   first=_spread(firsts), everyone=_spread(lasts),
                   unfinished=sum(1 for r in reaches if r.queued > 0))


def _spread(values: list[float]) -> tuple[float, float, float] | None:
    """(median, 90th percentile, max) by the nearest-rank method; None without values."""
    if not values:
        return None
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]

    return rank(0.5), rank(0.9), ordered[-1]
