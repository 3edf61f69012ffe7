"""Organizer broadcasts: the audit row, audience selection and delivery progress (all SQL for the feature).

Why the audience queries live here and not in the alert repository: a broadcast by area selects *subscribers
near a place* (the centre of an alert area within the organizer's circle), which is a different question from
"whose circle contains this report"; it still uses the alert areas' R*Tree to narrow the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database


@dataclass(frozen=True)
class Recipient:
    user_key: str
    language: str | None  # the stored choice; None means the deployment default


@dataclass(frozen=True)
class AreaCandidate:
    """An alert area of an active user whose centre lies in a box (the caller checks the exact circle)."""

    user_key: str
    language: str | None
    lat: float
    lon: float


@dataclass(frozen=True)
class RefCounts:
    """Outbox rows of one ref by status: what the progress message shows."""

    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def pending(self) -> int:
        return self.queued + self.sending

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.cancelled

    @property
    def unreached(self) -> int:
        """Failed (e.g. blocked the bot) or cancelled (inactive, or the organizer stopped the broadcast)."""
        return self.failed + self.cancelled


class BroadcastRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- audience -----------------------------------------------------------------------------------
    async def active_users(self, language: str | None = None, default_language: str = "es") -> list[Recipient]:
        """Every active user, or those whose language (stored, else the default) is ``language``."""
        rows = await self.db.fetchall(
            "SELECT key, language FROM users WHERE active = 1 "
            "AND (? IS NULL OR COALESCE(language, ?) = ?) ORDER BY key",
            (language, default_language, language))
        return [Recipient(r["key"], r["language"]) for r in rows]

    async def areas_in_box(self, min_lat: float, max_lat: float, min_lon: float, max_lon: float
                           ) -> list[AreaCandidate]:
        """Alert areas of active users whose centre is in the box. The R*Tree holds each area's (larger) box,
        so boxes that overlap ours are a superset; the centre test on the table then narrows it."""
        rows = await self.db.fetchall(
            "SELECT s.user_key, u.language, s.lat, s.lon FROM subscriptions_box b "
            "JOIN subscriptions s ON s.id = b.id JOIN users u ON u.key = s.user_key "
            "WHERE b.max_lat >= ? AND b.min_lat <= ? AND b.max_lon >= ? AND b.min_lon <= ? "
            "AND s.lat BETWEEN ? AND ? AND s.lon BETWEEN ? AND ? AND u.active = 1",
            (min_lat, max_lat, min_lon, max_lon, min_lat, max_lat, min_lon, max_lon))
        return [AreaCandidate(r["user_key"], r["language"], r["lat"], r["lon"]) for r in rows]

    # -- the broadcast row, inside the caller's transaction ---------------------------------------------
    async def create(self, conn: aiosqlite.Connection, *, author: str, audience: str, nonce: str,
                     now: float) -> int | None:
        """Insert the audit row; ``None`` when this preview (nonce) was already sent."""
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO broadcasts(author, audience, nonce, created_at) VALUES (?, ?, ?, ?)",
            (author, audience, nonce, now))
        if cursor.rowcount != 1:
            return None
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def set_recipients(self, conn: aiosqlite.Connection, broadcast_id: int, count: int) -> None:
        await conn.execute("UPDATE broadcasts SET recipients = ? WHERE id = ?", (count, broadcast_id))

    async def author_of(self, broadcast_id: int) -> str | None:
        row = await self.db.fetchone("SELECT author FROM broadcasts WHERE id = ?", (broadcast_id,))
        return row["author"] if row else None

    async def get_recipients(self, broadcast_id: int) -> int | None:
        row = await self.db.fetchone("SELECT recipients FROM broadcasts WHERE id = ?", (broadcast_id,))
        return int(row["recipients"]) if row else None

    # -- progress -------------------------------------------------------------------------------------
    async def counts_for_ref(self, ref: str) -> RefCounts:
        """Outbox rows with ``ref`` by status (uses the outbox_ref index)."""
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM outbox WHERE ref = ? GROUP BY status", (ref,))
        return RefCounts(**{r["status"]: int(r["n"]) for r in rows})
