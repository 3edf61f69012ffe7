"""Reports, their moderation log, blocked reporters and relayed questions (one aggregate: the report)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import aiosqlite

from storage.db import Database

OPEN_STATUSES = ("pending", "confirmed", "unconfirmed")


@dataclass(frozen=True)
class ReportRow:
    id: int
    reporter: str | None
    reporter_handle: str
    activity: str
    lat: float
    lon: float
    place_en: str
    place_es: str
    area_number: int | None
    observed_at: float
    when_bucket: str
    agents: str
    vehicles: str
    markings: str
    details: bytes | None
    redacted: bool
    language: str
    status: str
    duplicate_of: int | None
    created_at: float
    decided_at: float | None
    decided_by: str | None


_COLUMNS = ", ".join(f.name for f in fields(ReportRow))


def _row(row: aiosqlite.Row | None) -> ReportRow | None:
    if row is None:
        return None
    values = dict(row)
    values["redacted"] = bool(values["redacted"])
    return ReportRow(**values)


class ReportRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, conn: aiosqlite.Connection, values: dict[str, Any]) -> int:
        """Insert a report inside the caller's transaction; returns its id."""
        names = [f.name for f in fields(ReportRow) if f.name in values]
        placeholders = ", ".join("?" for _ in names)
        cursor = await conn.execute(
            f"INSERT INTO reports ({', '.join(names)}) VALUES ({placeholders})",  # noqa: S608 names are fields
            [values[n] for n in names],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, report_id: int, conn: aiosqlite.Connection | None = None) -> ReportRow | None:
        sql = f"SELECT {_COLUMNS} FROM reports WHERE id = ?"  # noqa: S608 fixed column list
        if conn is not None:
            async with conn.execute(sql, (report_id,)) as cursor:
                return _row(await cursor.fetchone())
        return _row(await self.db.fetchone(sql, (report_id,)))

    async def decide(self, conn: aiosqlite.Connection, report_id: int, status: str, moderator: str, now: float,
                     *, from_statuses: tuple[str, ...] = ("pending",), duplicate_of: int | None = None) -> bool:
        """Atomically move a report out of ``from_statuses``; False when someone else decided first.

        Details (free text) are erased in the same statement: moderators decide, then the text is gone.
        """
        marks = ", ".join("?" for _ in from_statuses)
        cursor = await conn.execute(
            f"UPDATE reports SET status = ?, decided_at = ?, decided_by = ?, details = NULL, "  # noqa: S608
            f"duplicate_of = COALESCE(?, duplicate_of) WHERE id = ? AND status IN ({marks})",
            (status, now, moderator, duplicate_of, report_id, *from_statuses),
        )
        if cursor.rowcount == 1:
            await conn.execute("UPDATE report_messages SET body = NULL WHERE report_id = ?", (report_id,))
        return cursor.rowcount == 1

    async def log(self, conn: aiosqlite.Connection, report_id: int, moderator: str, action: str,
                  now: float) -> None:
        await conn.execute("INSERT INTO moderation_log(report_id, moderator, action, at) VALUES (?, ?, ?, ?)",
                           (report_id, moderator, action, now))

    async def audit(self, report_id: int) -> list[tuple[str, str, float]]:
        rows = await self.db.fetchall(
            "SELECT moderator, action, at FROM moderation_log WHERE report_id = ? ORDER BY id", (report_id,))
        return [(r["moderator"], r["action"], r["at"]) for r in rows]

    async def recent_by_reporter(self, reporter: str, since: float) -> list[float]:
        """Creation times of a reporter's reports since ``since`` (newest first), for rate limits. Read from the
        quota table, which outlives /delete_me for an hour so that erasing oneself does not reset the limit."""
        rows = await self.db.fetchall(
            "SELECT created_at FROM report_quota WHERE user_key = ? AND created_at >= ? ORDER BY created_at DESC",
            (reporter, since))
        return [r["created_at"] for r in rows]

    async def count_towards_quota(self, conn: aiosqlite.Connection, reporter: str, now: float) -> None:
        await conn.execute("INSERT INTO report_quota(user_key, created_at) VALUES (?, ?)", (reporter, now))

    async def forget_reporter(self, reporter: str) -> None:
        """/delete_me: the reports stay (moderators' history) but their handle no longer links them together."""
        await self.db.execute("UPDATE reports SET reporter_handle = 'R-····' WHERE reporter = ?", (reporter,))

    async def purge(self, now: float, retention_s: float, quota_s: float = 3600) -> int:
        """Delete reports older than the retention period with everything that hangs on them (alerts built on
        them, merges, digests, relays, the moderation log), and quota rows older than an hour."""
        cutoff = now - retention_s
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM report_quota WHERE created_at < ?", (now - quota_s,))
            old = "SELECT id FROM reports WHERE created_at < ?"
            dead_alerts = f"SELECT id FROM alerts WHERE report_id IN ({old})"  # noqa: S608 fixed subquery
            await conn.execute(f"DELETE FROM alert_digest WHERE alert_id IN ({dead_alerts})", (cutoff,))  # noqa: S608
            await conn.execute(f"DELETE FROM alert_reports WHERE alert_id IN ({dead_alerts}) "  # noqa: S608
                               f"OR report_id IN ({old})", (cutoff, cutoff))
            await conn.execute(f"DELETE FROM alerts WHERE report_id IN ({old})", (cutoff,))  # noqa: S608
            await conn.execute(f"UPDATE reports SET duplicate_of = NULL WHERE duplicate_of IN ({old})",  # noqa: S608
                               (cutoff,))
            await conn.execute(f"DELETE FROM moderation_log WHERE report_id IN ({old})", (cutoff,))  # noqa: S608
            cursor = await conn.execute("DELETE FROM reports WHERE created_at < ?", (cutoff,))
            return cursor.rowcount

    async def track_record(self, reporter: str | None) -> dict[str, int]:
        if reporter is None:
            return {}
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n FROM reports WHERE reporter = ? GROUP BY status", (reporter,))
        return {r["status"]: r["n"] for r in rows}

    async def nearby(self, lat: float, lon: float, radius_m: float, since: float, *,
                     statuses: tuple[str, ...] = OPEN_STATUSES, exclude: int | None = None) -> list[ReportRow]:
        """Reports created since ``since`` inside a bounding box around the point (caller refines by distance)."""
        dlat = radius_m / 111_320
        dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM reports WHERE created_at >= ? AND lat BETWEEN ? AND ? "  # noqa: S608
            f"AND lon BETWEEN ? AND ? AND status IN ({marks}) AND id != ? ORDER BY created_at DESC",
            (since, lat - dlat, lat + dlat, lon - dlon, lon + dlon, *statuses, exclude or -1))
        return [r for r in (_row(x) for x in rows) if r is not None]

    async def pending(self, limit: int = 20) -> list[ReportRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM reports WHERE status = 'pending' ORDER BY created_at LIMIT ?",  # noqa: S608
            (limit,))
        return [r for r in (_row(x) for x in rows) if r is not None]

    async def overdue(self, before: float) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM reports WHERE status = 'pending' AND created_at < ?", (before,))
        return [r["id"] for r in rows]

    async def is_blocked(self, user_key: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM blocked_reporters WHERE user_key = ?", (user_key,)) is not None

    async def block(self, conn: aiosqlite.Connection, user_key: str, moderator: str, now: float) -> None:
        await conn.execute("INSERT OR IGNORE INTO blocked_reporters(user_key, blocked_at, blocked_by) "
                           "VALUES (?, ?, ?)", (user_key, now, moderator))

    async def add_message(self, conn: aiosqlite.Connection, report_id: int, direction: str, body: bytes,
                          now: float) -> None:
        await conn.execute("INSERT INTO report_messages(report_id, direction, body, at) VALUES (?, ?, ?, ?)",
                           (report_id, direction, body, now))

    async def last_direction(self, conn: aiosqlite.Connection, report_id: int) -> str | None:
        async with conn.execute("SELECT direction FROM report_messages WHERE report_id = ? ORDER BY id DESC LIMIT 1",
                                (report_id,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def messages(self, report_id: int) -> list[tuple[str, bytes | None]]:
        rows = await self.db.fetchall(
            "SELECT direction, body FROM report_messages WHERE report_id = ? ORDER BY id", (report_id,))
        return [(r["direction"], r["body"]) for r in rows]
