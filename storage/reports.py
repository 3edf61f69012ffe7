"""Reports, their moderation log, blocked reporters and relayed questions (one aggregate: the report).

Why the sealed author (issue 11, migration 0008): a report's author and handle are stored only inside
``reporter_box``, encrypted with a fresh nonce per report, so the file alone neither joins a report to the
author's subscriptions nor two reports to each other. With the key (and only with it) the repository opens the
box, so callers still see :attr:`ReportRow.reporter` and :attr:`ReportRow.reporter_handle`. Finding "this
person's reports" is then a scan of the retained reports (30 days), which is cheap at a neighbourhood's scale.
Times are kept to 5 minutes; the quota and blocks are keyed hashes that share no value with any other table.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import os
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import aiosqlite

from storage.db import Database

if TYPE_CHECKING:
    from bot.privacy import Keyring

OPEN_STATUSES = ("pending", "confirmed", "unconfirmed")
ERASED_HANDLE = "R-····"  # what moderators see once the author used /delete_me
TIME_STEP_S = 300  # report, decision, log and relay times are kept to 5 minutes
BLOCK_DAYS = 90  # a moderator's block lapses after this many days
OWNER_CONTEXT = b"report-reporter"


def coarse_time(ts: float, step: int = TIME_STEP_S) -> float:
    """Round down to ``step`` seconds: exact times would let a copy of the file be matched against other logs."""
    return float(int(ts // step) * step)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance: exact enough within a city, and storage imports nothing from the bot."""
    dy = (a[0] - b[0]) * 111_320
    dx = (a[1] - b[1]) * 111_320 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def _round_up(ts: float, step: int = TIME_STEP_S) -> int:
    return int(-(-ts // step) * step)


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


_STORED = [f.name for f in fields(ReportRow) if f.name not in ("reporter", "reporter_handle")]
_COLUMNS = ", ".join(["reporter_box", *_STORED])


class ReportRepository:
    def __init__(self, db: Database, keyring: Keyring | None = None) -> None:
        self.db = db
        self.keyring = keyring  # set by ReportService when the wiring does not pass it

    @property
    def _keys(self) -> Keyring:
        if self.keyring is None:
            raise RuntimeError("ReportRepository needs the keyring to open report authors")
        return self.keyring

    def _seal(self, user_key: str, handle: str) -> bytes:
        return self._keys.encrypt_json({"u": user_key, "h": handle}, OWNER_CONTEXT)

    def _owner(self, box: bytes | None) -> tuple[str | None, str]:
        if box is None:
            return None, ERASED_HANDLE
        owner = self._keys.decrypt_json(box, OWNER_CONTEXT)
        return owner["u"], owner["h"]

    def _row(self, row: aiosqlite.Row | None) -> ReportRow | None:
        if row is None:
            return None
        values = dict(row)
        values["reporter"], values["reporter_handle"] = self._owner(values.pop("reporter_box"))
        values["redacted"] = bool(values["redacted"])
        return ReportRow(**values)

    async def add(self, conn: aiosqlite.Connection, values: dict[str, Any]) -> int:
        """Insert a report inside the caller's transaction; returns its id (never one used before).

        ``reporter`` and ``reporter_handle`` are sealed into one box; times are rounded to 5 minutes."""
        values = dict(values)
        reporter, handle = values.pop("reporter", None), values.pop("reporter_handle", ERASED_HANDLE)
        values["reporter_box"] = self._seal(reporter, handle) if reporter else None
        for name in ("created_at", "observed_at", "decided_at"):
            if values.get(name) is not None:
                values[name] = coarse_time(values[name])
        names = [n for n in ["reporter_box", *_STORED] if n in values]
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
                return self._row(await cursor.fetchone())
        return self._row(await self.db.fetchone(sql, (report_id,)))

    async def ids_of(self, reporter: str) -> list[tuple[int, str]]:
        return await self._ids_of(reporter)

    async def _ids_of(self, reporter: str, conn: aiosqlite.Connection | None = None) -> list[tuple[int, str]]:
        """(id, status) of every retained report by ``reporter``: each box is opened (there is no index)."""
        sql = "SELECT id, status, reporter_box FROM reports WHERE reporter_box IS NOT NULL"
        if conn is not None:
            async with conn.execute(sql) as cursor:
                rows = list(await cursor.fetchall())
        else:
            rows = await self.db.fetchall(sql)
        return [(r[0], r[1]) for r in rows if self._owner(r[2])[0] == reporter]

    async def decide(self, conn: aiosqlite.Connection, report_id: int, status: str, moderator: str, now: float,
                     *, from_statuses: tuple[str, ...] = ("pending",), duplicate_of: int | None = None,
                     erase: bool = True) -> bool:
        """Atomically move a report out of ``from_statuses``; False when someone else decided first.

        Details (free text) are erased in the same statement: moderators decide, then the text is gone. A Reject
        that can still be undone passes ``erase=False``; :meth:`erase_texts` runs when its window closes.
        """
        marks = ", ".join("?" for _ in from_statuses)
        cursor = await conn.execute(
            f"UPDATE reports SET status = ?, decided_at = ?, decided_by = ?, "  # noqa: S608
            f"details = CASE WHEN ? THEN NULL ELSE details END, "
            f"duplicate_of = COALESCE(?, duplicate_of) WHERE id = ? AND status IN ({marks})",
            (status, coarse_time(now), moderator, int(erase), duplicate_of, report_id, *from_statuses),
        )
        if cursor.rowcount == 1 and erase:
            await self.erase_texts(conn, report_id)
        return cursor.rowcount == 1

    async def erase_texts(self, conn: aiosqlite.Connection, report_id: int) -> None:
        """Erase a decided report's details and relayed texts (and truncate the log once this commits)."""
        await conn.execute("UPDATE reports SET details = NULL, photo = NULL WHERE id = ?", (report_id,))
        await conn.execute("UPDATE report_messages SET body = NULL WHERE report_id = ?", (report_id,))
        self.db.erased()  # the log is truncated once this commits: no old page keeps the text

    # -- a reporter's photo (issue 12, migration 0012): its file reference only, encrypted, until the decision -----
    async def set_photo(self, conn: aiosqlite.Connection, report_id: int, box: bytes | None) -> None:
        """Store (or clear) the sealed file reference of a report's photo, inside the caller's transaction."""
        await conn.execute("UPDATE reports SET photo = ? WHERE id = ?", (box, report_id))

    async def photo_of(self, report_id: int, conn: aiosqlite.Connection | None = None) -> bytes | None:
        """The sealed file reference of a report's photo; None when there is none or it was dropped."""
        sql = "SELECT photo FROM reports WHERE id = ?"
        if conn is not None:
            async with conn.execute(sql, (report_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await self.db.fetchone(sql, (report_id,))
        return bytes(row[0]) if row and row[0] is not None else None

    async def reopen(self, conn: aiosqlite.Connection, report_id: int, from_status: str) -> bool:
        """Undo: a report rejected moments ago is pending again (atomically; False if it moved meanwhile)."""
        cursor = await conn.execute(
            "UPDATE reports SET status = 'pending', decided_at = NULL, decided_by = NULL "
            "WHERE id = ? AND status = ?", (report_id, from_status))
        return cursor.rowcount == 1

    async def log(self, conn: aiosqlite.Connection, report_id: int, moderator: str, action: str,
                  now: float) -> None:
        await conn.execute("INSERT INTO moderation_log(report_id, moderator, action, at) VALUES (?, ?, ?, ?)",
                           (report_id, moderator, action, coarse_time(now)))

    async def audit(self, report_id: int) -> list[tuple[str, str, float]]:
        rows = await self.db.fetchall(
            "SELECT moderator, action, at FROM moderation_log WHERE report_id = ? ORDER BY id", (report_id,))
        return [(r["moderator"], r["action"], r["at"]) for r in rows]

    async def recent_by_reporter(self, reporter: str, since: float) -> list[float]:
        """Approximate creation times (to 5 minutes, never earlier than the real one) of a reporter's reports
        since ``since``, newest first, for rate limits. Read from the quota table, which outlives /delete_me for
        an hour so that erasing oneself does not reset the limit."""
        return [e - 3600.0 for e in await self.quota_expiries(reporter, since + 3600)]

    async def quota_expiries(self, reporter: str, now: float) -> list[int]:
        """When each of the reporter's counted reports stops counting (after ``now``), latest first."""
        rows = await self.db.fetchall(
            "SELECT expires_at FROM report_quota WHERE tag = ? AND expires_at > ? ORDER BY expires_at DESC",
            (self._keys.tag("quota", reporter), now))
        return [int(r["expires_at"]) for r in rows]

    async def count_towards_quota(self, conn: aiosqlite.Connection, reporter: str, now: float,
                                  window_s: float = 3600) -> None:
        """One row per report: a keyed hash (not the user key) and an expiry rounded up to 5 minutes, so the row
        neither joins other tables nor points at its report's exact time."""
        await conn.execute("INSERT INTO report_quota(tag, expires_at) VALUES (?, ?)",
                           (self._keys.tag("quota", reporter), _round_up(now + window_s)))

    async def forget_reporter(self, reporter: str) -> list[int]:
        """/delete_me: reports stay (moderators' history) but lose their author and handle; a pending report also
        loses its details and relayed texts now rather than at the decision. Returns the ids unlinked."""
        async with self.db.transaction() as conn:
            mine = await self._ids_of(reporter, conn)
            for report_id, status in mine:
                if status == "pending":
                    await conn.execute("UPDATE reports SET reporter_box = NULL, details = NULL, photo = NULL "
                                       "WHERE id = ?", (report_id,))
                    await conn.execute("UPDATE report_messages SET body = NULL WHERE report_id = ?", (report_id,))
                else:
                    await conn.execute("UPDATE reports SET reporter_box = NULL WHERE id = ?", (report_id,))
            await conn.execute("DELETE FROM legacy_report_owner WHERE user_key = ?", (reporter,))
            self.db.erased()
        return [report_id for report_id, _ in mine]

    async def seal_legacy(self) -> int:
        """Seal authors and blocks that migration 0008 found in clear (kept aside until the keyring is at hand)."""
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT report_id, user_key, handle FROM legacy_report_owner") as cursor:
                owners = list(await cursor.fetchall())
            for report_id, user_key, handle in owners:
                await conn.execute("UPDATE reports SET reporter_box = ? WHERE id = ?",
                                   (self._seal(user_key, handle), report_id))
            async with conn.execute("SELECT user_key FROM legacy_blocked") as cursor:
                blocked = [r[0] for r in await cursor.fetchall()]
            for user_key in blocked:
                await self.block(conn, user_key, "legacy", dt.datetime.now(dt.UTC).timestamp())
            await conn.execute("DELETE FROM legacy_report_owner")
            await conn.execute("DELETE FROM legacy_blocked")
            if owners or blocked:
                self.db.erased()
        return len(owners) + len(blocked)

    async def decided_between(self, after: float, before: float) -> list[int]:
        """Reports decided in [after, before): their moderators' cards are due to be deleted from the group."""
        rows = await self.db.fetchall("SELECT id FROM reports WHERE status != 'pending' AND decided_at >= ? "
                                      "AND decided_at < ? ORDER BY id", (after, before))
        return [r["id"] for r in rows]

    async def purge(self, now: float, retention_s: float, quota_s: float = 3600) -> int:
        """Delete reports older than the retention period with everything that hangs on them (alerts built on
        them, merges, digests, relays, the moderation log), quota rows that stopped counting and lapsed blocks.
        ``quota_s`` is accepted for older callers; each quota row now carries its own expiry."""
        await self.seal_legacy()
        cutoff = now - retention_s
        today = dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()
        async with self.db.transaction() as conn:
            self.db.erased()
            await conn.execute("DELETE FROM report_quota WHERE expires_at <= ?", (now,))
            await conn.execute("DELETE FROM blocked_reporters WHERE expires_on < ?", (today,))
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
        record: dict[str, int] = {}
        for _, status in await self._ids_of(reporter):
            record[status] = record.get(status, 0) + 1
        return record

    async def nearby(self, lat: float, lon: float, radius_m: float, since: float, *,
                     statuses: tuple[str, ...] = OPEN_STATUSES, exclude: int | None = None) -> list[ReportRow]:
        """Reports created since ``since`` inside a bounding box around the point (caller refines by distance)."""
        dlat = radius_m / 111_320
        dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM reports WHERE created_at >= ? AND lat BETWEEN ? AND ? "  # noqa: S608
            f"AND lon BETWEEN ? AND ? AND status IN ({marks}) AND id != ? ORDER BY created_at DESC, id DESC",
            (since, lat - dlat, lat + dlat, lon - dlon, lon + dlon, *statuses, exclude or -1))
        return [r for r in (self._row(x) for x in rows) if r is not None]

    async def pending(self, limit: int = 20) -> list[ReportRow]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM reports WHERE status = 'pending' ORDER BY created_at, id LIMIT ?",  # noqa: S608
            (limit,))
        return [r for r in (self._row(x) for x in rows) if r is not None]

    async def overdue(self, before: float) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM reports WHERE status = 'pending' AND created_at < ?", (before,))
        return [r["id"] for r in rows]

    async def is_blocked(self, user_key: str, now: float | None = None) -> bool:
        """Blocks are salted keyed hashes: each live row is recomputed for this person (there are few)."""
        moment = dt.datetime.now(dt.UTC) if now is None else dt.datetime.fromtimestamp(now, dt.UTC)
        today = moment.date().isoformat()
        if await self.db.fetchone("SELECT 1 FROM legacy_blocked WHERE user_key = ?", (user_key,)) is not None:
            return True
        rows = await self.db.fetchall("SELECT salt, tag FROM blocked_reporters WHERE expires_on >= ?", (today,))
        return any(hmac.compare_digest(self._keys.tag("block", user_key, bytes(r["salt"])), r["tag"]) for r in rows)

    async def block(self, conn: aiosqlite.Connection, user_key: str, moderator: str, now: float,
                    days: int = BLOCK_DAYS) -> None:
        """Block a reporter for ``days``. Who blocked is in the moderation log, not here; the row holds only a
        random salt, a keyed hash and a day, so it outlives /delete_me without pointing at anyone."""
        salt = os.urandom(16)
        until = (dt.datetime.fromtimestamp(now, dt.UTC).date() + dt.timedelta(days=days)).isoformat()
        await conn.execute("INSERT INTO blocked_reporters(salt, tag, expires_on) VALUES (?, ?, ?)",
                           (salt, self._keys.tag("block", user_key, salt), until))

    async def add_message(self, conn: aiosqlite.Connection, report_id: int, direction: str, body: bytes,
                          now: float) -> None:
        await conn.execute("INSERT INTO report_messages(report_id, direction, body, at) VALUES (?, ?, ?, ?)",
                           (report_id, direction, body, coarse_time(now)))

    async def last_direction(self, conn: aiosqlite.Connection, report_id: int) -> str | None:
        async with conn.execute("SELECT direction FROM report_messages WHERE report_id = ? ORDER BY id DESC LIMIT 1",
                                (report_id,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def messages(self, report_id: int) -> list[tuple[str, bytes | None]]:
        rows = await self.db.fetchall(
            "SELECT direction, body FROM report_messages WHERE report_id = ? ORDER BY id", (report_id,))
        return [(r["direction"], r["body"]) for r in rows]

    # -- moderation safeguards (migration 0010) ---------------------------------------------------------------
    async def account_day(self, user_key: str, conn: aiosqlite.Connection | None = None) -> str | None:
        """The first day (ISO date) of an account: the only age the users table keeps."""
        sql = "SELECT created_on FROM users WHERE key = ?"
        if conn is not None:
            async with conn.execute(sql, (user_key,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await self.db.fetchone(sql, (user_key,))
        return row[0] if row else None

    async def set_trust(self, conn: aiosqlite.Connection, report_id: int, account_days: int, new_account: bool,
                        held: bool) -> None:
        await conn.execute("INSERT OR REPLACE INTO report_trust(report_id, account_days, new_account, held) "
                           "VALUES (?, ?, ?, ?)", (report_id, min(account_days, 30), int(new_account), int(held)))

    async def trust(self, report_ids: list[int]) -> dict[int, tuple[int, bool, bool]]:
        """report id → (account days, new account, card held) for the reports that have a row."""
        if not report_ids:
            return {}
        marks = ", ".join("?" for _ in report_ids)
        rows = await self.db.fetchall(
            f"SELECT report_id, account_days, new_account, held FROM report_trust "  # noqa: S608
            f"WHERE report_id IN ({marks})", report_ids)
        return {r[0]: (int(r[1]), bool(r[2]), bool(r[3])) for r in rows}

    async def count_pending_shown(self, conn: aiosqlite.Connection) -> int:
        """Undecided reports whose card is shown (not held back by the cap)."""
        async with conn.execute(
                "SELECT COUNT(*) FROM reports r LEFT JOIN report_trust t ON t.report_id = r.id "
                "WHERE r.status = 'pending' AND COALESCE(t.held, 0) = 0") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def held(self, limit: int = 10) -> list[int]:
        """Reports whose card waits behind the cap, oldest first."""
        rows = await self.db.fetchall(
            "SELECT r.id FROM reports r JOIN report_trust t ON t.report_id = r.id "
            "WHERE r.status = 'pending' AND t.held = 1 ORDER BY r.created_at, r.id LIMIT ?", (limit,))
        return [r[0] for r in rows]

    async def release(self, conn: aiosqlite.Connection, report_id: int) -> bool:
        cursor = await conn.execute("UPDATE report_trust SET held = 0 WHERE report_id = ? AND held = 1",
                                    (report_id,))
        return cursor.rowcount == 1

    async def propose(self, conn: aiosqlite.Connection, report_id: int, action: str, moderator: str,
                      now: float) -> None:
        await conn.execute("INSERT OR REPLACE INTO mod_proposals(report_id, action, moderator, at) VALUES (?, ?, ?, ?)",
                           (report_id, action, moderator, coarse_time(now)))

    async def proposal(self, report_id: int, conn: aiosqlite.Connection | None = None) -> tuple[str, str] | None:
        """(action, first moderator's handle) waiting for a second moderator, if any."""
        sql = "SELECT action, moderator FROM mod_proposals WHERE report_id = ?"
        if conn is not None:
            async with conn.execute(sql, (report_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await self.db.fetchone(sql, (report_id,))
        return (row[0], row[1]) if row else None

    async def clear_proposal(self, conn: aiosqlite.Connection, report_id: int) -> None:
        await conn.execute("DELETE FROM mod_proposals WHERE report_id = ?", (report_id,))

    async def open_undo(self, conn: aiosqlite.Connection, report_id: int, action: str, reason: str, moderator: str,
                        until: float) -> None:
        await conn.execute("INSERT OR REPLACE INTO mod_undo(report_id, action, reason, moderator, until) "
                           "VALUES (?, ?, ?, ?, ?)", (report_id, action, reason, moderator, until))

    async def undo_window(self, report_id: int, conn: aiosqlite.Connection | None = None
                          ) -> tuple[str, str, str, float] | None:
        """(action, reason, moderator handle, until) of a Reject/Block that may still be undone."""
        sql = "SELECT action, reason, moderator, until FROM mod_undo WHERE report_id = ?"
        if conn is not None:
            async with conn.execute(sql, (report_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await self.db.fetchone(sql, (report_id,))
        return (row[0], row[1], row[2], float(row[3])) if row else None

    async def close_undo(self, conn: aiosqlite.Connection, report_id: int) -> bool:
        cursor = await conn.execute("DELETE FROM mod_undo WHERE report_id = ?", (report_id,))
        return cursor.rowcount == 1

    async def undo_due(self, now: float) -> list[int]:
        rows = await self.db.fetchall("SELECT report_id FROM mod_undo WHERE until <= ? ORDER BY until", (now,))
        return [r[0] for r in rows]

    async def decided_nearby(self, lat: float, lon: float, radius_m: float, since: float, statuses: tuple[str, ...],
                             exclude: int) -> list[ReportRow]:
        """Reports decided since ``since`` within the box (confirmations and false alarms for the card)."""
        dlat = radius_m / 111_320
        dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        marks = ", ".join("?" for _ in statuses)
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM reports WHERE decided_at >= ? AND lat BETWEEN ? AND ? "  # noqa: S608
            f"AND lon BETWEEN ? AND ? AND status IN ({marks}) AND id != ? ORDER BY decided_at DESC, id DESC",
            (since, lat - dlat, lat + dlat, lon - dlon, lon + dlon, *statuses, exclude))
        return [r for r in (self._row(x) for x in rows) if r is not None]

    # -- verifiers ------------------------------------------------------------------------------------------
    async def set_verifier(self, user_key: str, grant: bool, today: str) -> bool:
        """Grant or remove the verifier role; False when nothing changed."""
        if grant:
            cursor = await self.db.execute(
                "INSERT OR IGNORE INTO verifiers(user_key, granted_on) VALUES (?, ?)", (user_key, today))
        else:
            cursor = await self.db.execute("DELETE FROM verifiers WHERE user_key = ?", (user_key,))
        return cursor > 0

    async def is_verifier(self, user_key: str) -> bool:
        return await self.db.fetchone("SELECT 1 FROM verifiers WHERE user_key = ?", (user_key,)) is not None

    async def verifiers_near(self, lat: float, lon: float) -> list[str]:
        """Verifiers one of whose alert areas (their own choice, /alerts) contains the point."""
        rows = await self.db.fetchall(
            "SELECT v.user_key, s.lat, s.lon, s.radius_m FROM verifiers v "
            "JOIN subscriptions s ON s.user_key = v.user_key JOIN users u ON u.key = v.user_key WHERE u.active = 1")
        near = {r[0] for r in rows if _metres((lat, lon), (r[1], r[2])) <= r[3]}
        return sorted(near)

    async def add_verification(self, conn: aiosqlite.Connection, report_id: int, moderator: str, now: float) -> int:
        cursor = await conn.execute(
            "INSERT INTO verifications(report_id, requested_by, created_at) VALUES (?, ?, ?)",
            (report_id, moderator, coarse_time(now)))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def accept_verification(self, conn: aiosqlite.Connection, verification_id: int, verifier: str,
                                  handle: str) -> bool:
        """First who accepts wins (atomically)."""
        cursor = await conn.execute(
            "UPDATE verifications SET verifier = ?, handle = ? WHERE id = ? AND verifier IS NULL AND answer IS NULL",
            (verifier, handle, verification_id))
        return cursor.rowcount == 1

    async def answer_verification(self, conn: aiosqlite.Connection, verification_id: int, verifier: str,
                                  answer: str, now: float) -> bool:
        cursor = await conn.execute(
            "UPDATE verifications SET answer = ?, answered_at = ? WHERE id = ? AND verifier = ? AND answer IS NULL",
            (answer, coarse_time(now), verification_id, verifier))
        return cursor.rowcount == 1

    async def mark_verification_photo(self, conn: aiosqlite.Connection, verification_id: int, verifier: str) -> bool:
        cursor = await conn.execute("UPDATE verifications SET photo = 1 WHERE id = ? AND verifier = ?",
                                    (verification_id, verifier))
        return cursor.rowcount == 1

    async def verification(self, verification_id: int) -> dict[str, Any] | None:
        row = await self.db.fetchone(
            "SELECT id, report_id, requested_by, verifier, handle, answer, photo FROM verifications WHERE id = ?",
            (verification_id,))
        return dict(row) if row else None

    async def verifications_of(self, report_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT id, report_id, requested_by, verifier, handle, answer, photo FROM verifications "
            "WHERE report_id = ? ORDER BY id", (report_id,))
        return [dict(r) for r in rows]
