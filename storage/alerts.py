"""Alert areas (subscriptions with an R*Tree index), quiet hours, published alerts and the digest queue."""

from __future__ import annotations

import math
from dataclasses import dataclass

import aiosqlite

from storage.db import Database

# Metres per degree, chosen so the box is never smaller than the true geodesic circle (WGS84 minimum for
# latitude; longitude taken at the pole-ward edge), then enlarged by 1 % and ~10 m.
M_PER_DEG_LAT_MIN = 110_574.0
M_PER_DEG_LON_EQ = 111_320.0
BOX_MARGIN = 1.01
BOX_PAD_DEG = 0.0001


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    dlat = radius_m * BOX_MARGIN / M_PER_DEG_LAT_MIN + BOX_PAD_DEG
    edge = min(89.0, abs(lat) + dlat)
    dlon = radius_m * BOX_MARGIN / (M_PER_DEG_LON_EQ * max(math.cos(math.radians(edge)), 0.01)) + BOX_PAD_DEG
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class SubscriptionRow:
    id: int
    user_key: str
    lat: float
    lon: float
    radius_m: float
    place_en: str
    place_es: str
    area_kind: str = "circle"
    area_ref: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A subscription whose box contains a point, with what is needed to alert its owner."""

    subscription_id: int
    user_key: str
    lat: float
    lon: float
    radius_m: float
    language: str | None
    quiet_from: int | None
    quiet_to: int | None
    area_kind: str = "circle"  # or "area" / "zip": the point must lie in that shape (radius_m is its margin)
    area_ref: str | None = None


@dataclass(frozen=True)
class AlertRow:
    id: int
    report_id: int
    activity: str
    lat: float
    lon: float
    verified: bool
    observed_at: float
    report_count: int
    status: str
    created_at: float
    expires_at: float


_SUB_COLUMNS = "id, user_key, lat, lon, radius_m, place_en, place_es, area_kind, area_ref"
_ALERT_COLUMNS = ("id, report_id, activity, lat, lon, verified, observed_at, report_count, status, created_at, "
                  "expires_at")


def _alert(row: aiosqlite.Row) -> AlertRow:
    values = dict(row)
    values["verified"] = bool(values["verified"])
    return AlertRow(**values)


class AlertRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- subscriptions --------------------------------------------------------------------------------
    async def add_subscription(self, user_key: str, lat: float, lon: float, radius_m: float, place_en: str,
                               place_es: str, now: float, *, replace_id: int | None = None,
                               area_kind: str = "circle", area_ref: str | None = None,
                               box: tuple[float, float, float, float] | None = None,
                               conn: aiosqlite.Connection | None = None) -> int:
        """Insert (or replace one of the user's) subscription and its index box atomically. A shape ("area",
        "zip") passes its own ``box`` (min_lat, max_lat, min_lon, max_lon), covering the shape and its margin."""
        if conn is None:
            async with self.db.transaction() as tx:
                return await self.add_subscription(user_key, lat, lon, radius_m, place_en, place_es, now,
                                                   replace_id=replace_id, area_kind=area_kind, area_ref=area_ref,
                                                   box=box, conn=tx)
        if replace_id is not None:
            await conn.execute("DELETE FROM subscriptions WHERE id = ? AND user_key = ?", (replace_id, user_key))
        cursor = await conn.execute(
            "INSERT INTO subscriptions(user_key, lat, lon, radius_m, place_en, place_es, created_at, area_kind, "
            "area_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_key, lat, lon, radius_m, place_en, place_es, now, area_kind, area_ref))
        sub_id = cursor.lastrowid
        assert sub_id is not None
        await conn.execute("INSERT INTO subscriptions_box(id, min_lat, max_lat, min_lon, max_lon) "
                           "VALUES (?, ?, ?, ?, ?)", (sub_id, *(box or bounding_box(lat, lon, radius_m))))
        return sub_id

    async def subscriptions_of(self, user_key: str) -> list[SubscriptionRow]:
        rows = await self.db.fetchall(
            f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE user_key = ? ORDER BY id", (user_key,))  # noqa: S608
        return [SubscriptionRow(**dict(r)) for r in rows]

    async def count_subscriptions(self) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) AS n FROM subscriptions")
        return int(row["n"]) if row else 0

    async def remove_subscription(self, user_key: str, sub_id: int | None = None) -> int:
        """Remove one of the user's areas (or all of them when ``sub_id`` is None)."""
        if sub_id is None:
            return await self.db.execute("DELETE FROM subscriptions WHERE user_key = ?", (user_key,))
        return await self.db.execute("DELETE FROM subscriptions WHERE id = ? AND user_key = ?", (sub_id, user_key))

    async def candidates(self, lat: float, lon: float) -> list[Candidate]:
        """Subscriptions of active users whose index box contains the point (the caller checks exactly)."""
        rows = await self.db.fetchall(
            "SELECT s.id, s.user_key, s.lat, s.lon, s.radius_m, u.language, p.quiet_from, p.quiet_to, "
            "s.area_kind, s.area_ref FROM subscriptions_box b JOIN subscriptions s ON s.id = b.id "
            "JOIN users u ON u.key = s.user_key "
            "LEFT JOIN alert_prefs p ON p.user_key = s.user_key "
            "WHERE b.min_lat <= ? AND b.max_lat >= ? AND b.min_lon <= ? AND b.max_lon >= ? AND u.active = 1",
            (lat, lat, lon, lon))
        return [Candidate(*tuple(r)) for r in rows]

    async def all_subscriptions(self) -> list[Candidate]:
        """Every subscription of active users: the brute-force baseline for tests and benchmarks."""
        rows = await self.db.fetchall(
            "SELECT s.id, s.user_key, s.lat, s.lon, s.radius_m, u.language, p.quiet_from, p.quiet_to, "
            "s.area_kind, s.area_ref FROM subscriptions s JOIN users u ON u.key = s.user_key "
            "LEFT JOIN alert_prefs p ON p.user_key = s.user_key WHERE u.active = 1")
        return [Candidate(*tuple(r)) for r in rows]

    async def set_quiet_hours(self, user_key: str, quiet_from: int | None, quiet_to: int | None) -> None:
        await self.db.execute(
            "INSERT INTO alert_prefs(user_key, quiet_from, quiet_to) VALUES (?, ?, ?) ON CONFLICT(user_key) "
            "DO UPDATE SET quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to",
            (user_key, quiet_from, quiet_to))

    async def quiet_hours(self, user_key: str) -> tuple[int | None, int | None]:
        row = await self.db.fetchone("SELECT quiet_from, quiet_to FROM alert_prefs WHERE user_key = ?", (user_key,))
        return (row["quiet_from"], row["quiet_to"]) if row else (None, None)

    # -- alerts ---------------------------------------------------------------------------------------
    async def create_alert(self, conn: aiosqlite.Connection, report_id: int, activity: str, lat: float, lon: float,
                           verified: bool, observed_at: float, now: float, expires_at: float) -> int:
        cursor = await conn.execute(
            "INSERT INTO alerts(report_id, activity, lat, lon, verified, observed_at, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (report_id, activity, lat, lon, int(verified), observed_at, now,
                                                expires_at))
        alert_id = cursor.lastrowid
        assert alert_id is not None
        await conn.execute("INSERT INTO alert_reports(alert_id, report_id) VALUES (?, ?)", (alert_id, report_id))
        return alert_id

    async def merge_report(self, conn: aiosqlite.Connection, alert_id: int, report_id: int, verified: bool,
                           observed_at: float) -> AlertRow:
        """Add another independent report to an alert; it becomes verified once any merged report is."""
        await conn.execute("INSERT OR IGNORE INTO alert_reports(alert_id, report_id) VALUES (?, ?)",
                           (alert_id, report_id))
        await conn.execute(
            "UPDATE alerts SET report_count = (SELECT COUNT(*) FROM alert_reports WHERE alert_id = ?), "
            "verified = MAX(verified, ?), observed_at = MAX(observed_at, ?) WHERE id = ?",
            (alert_id, int(verified), observed_at, alert_id))
        row = await self.get_alert(alert_id, conn)
        assert row is not None
        return row

    async def get_alert(self, alert_id: int, conn: aiosqlite.Connection | None = None) -> AlertRow | None:
        sql = f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id = ?"  # noqa: S608
        if conn is not None:
            async with conn.execute(sql, (alert_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await self.db.fetchone(sql, (alert_id,))
        return _alert(row) if row else None

    async def alert_of_report(self, report_id: int, conn: aiosqlite.Connection | None = None) -> AlertRow | None:
        sql = (f"SELECT a.{_ALERT_COLUMNS.replace(', ', ', a.')} FROM alerts a "  # noqa: S608
               "JOIN alert_reports r ON r.alert_id = a.id WHERE r.report_id = ?")
        if conn is not None:
            async with conn.execute(sql, (report_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await self.db.fetchone(sql, (report_id,))
        return _alert(row) if row else None

    async def active_near(self, conn: aiosqlite.Connection, lat: float, lon: float, radius_m: float,
                          since: float) -> list[AlertRow]:
        """Active alerts created since ``since`` whose point is in a box around (lat, lon)."""
        min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_m)
        async with conn.execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE status = 'active' AND created_at >= ? "  # noqa: S608
            "AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", (since, min_lat, max_lat, min_lon, max_lon)
        ) as cursor:
            return [_alert(r) for r in await cursor.fetchall()]

    async def set_status(self, conn: aiosqlite.Connection, alert_id: int, status: str) -> bool:
        # An expired alert can still be corrected: people who got a false alarm must be told, however late.
        cursor = await conn.execute(
            "UPDATE alerts SET status = ? WHERE id = ? AND status IN ('active', 'expired')", (status, alert_id))
        return cursor.rowcount == 1

    async def expire(self, now: float) -> int:
        return await self.db.execute("UPDATE alerts SET status = 'expired' WHERE status = 'active' AND expires_at < ?",
                                     (now,))

    # -- per-subscriber caps and digests ----------------------------------------------------------------
    async def alerts_sent_since(self, conn: aiosqlite.Connection, user_key: str, since: float) -> int:
        """Alerts queued or sent to a user since ``since`` (the hourly cap counts both)."""
        async with conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE user_key = ? AND kind = 'alert' AND created_at >= ? "
            "AND status != 'cancelled'", (user_key, since)) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def hold_for_digest(self, conn: aiosqlite.Connection, user_key: str, alert_id: int, now: float) -> None:
        await conn.execute("INSERT OR IGNORE INTO alert_digest(user_key, alert_id, queued_at) VALUES (?, ?, ?)",
                           (user_key, alert_id, now))

    async def digest_users(self) -> list[str]:
        rows = await self.db.fetchall("SELECT DISTINCT user_key FROM alert_digest WHERE sent_at IS NULL")
        return [r["user_key"] for r in rows]

    async def take_digest(self, conn: aiosqlite.Connection, user_key: str, now: float) -> list[AlertRow]:
        """The held alerts of a user that are still active, marked as sent now."""
        async with conn.execute(
            f"SELECT a.{_ALERT_COLUMNS.replace(', ', ', a.')} FROM alert_digest d "  # noqa: S608
            "JOIN alerts a ON a.id = d.alert_id WHERE d.user_key = ? AND d.sent_at IS NULL AND a.status = 'active' "
            "ORDER BY a.created_at", (user_key,)) as cursor:
            rows = [_alert(r) for r in await cursor.fetchall()]
        await conn.execute("UPDATE alert_digest SET sent_at = ? WHERE user_key = ? AND sent_at IS NULL",
                           (now, user_key))
        return rows

    async def alerted_users(self, conn: aiosqlite.Connection, ref: str) -> list[tuple[str, str | None]]:
        """(user key, language) of everyone who received an alert or is receiving it right now, directly or in a
        digest: exactly the people a correction must reach."""
        alert_id = int(ref.split(":", 1)[1])
        async with conn.execute(
            "SELECT u.key, u.language FROM users u WHERE u.key IN ("
            " SELECT user_key FROM outbox WHERE ref = ? AND kind = 'alert' AND status IN ('sent', 'sending')"
            " UNION SELECT user_key FROM alert_digest WHERE alert_id = ? AND sent_at IS NOT NULL)",
            (ref, alert_id)) as cursor:
            return [(r[0], r[1]) for r in await cursor.fetchall()]

    async def language_of(self, conn: aiosqlite.Connection, user_key: str) -> str | None:
        async with conn.execute("SELECT language FROM users WHERE key = ?", (user_key,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def queued_alerts_of(self, user_key: str) -> list[tuple[int, float, float]]:
        """(outbox row id, alert lat, alert lon) of a user's alerts not yet sent."""
        rows = await self.db.fetchall(
            "SELECT o.id, a.lat, a.lon FROM outbox o JOIN alerts a ON o.ref = 'alert:' || a.id "
            "WHERE o.user_key = ? AND o.status = 'queued' AND o.kind IN ('alert', 'alert_update')", (user_key,))
        return [(r["id"], r["lat"], r["lon"]) for r in rows]

    async def clear_digest(self, user_key: str) -> None:
        await self.db.execute("DELETE FROM alert_digest WHERE user_key = ? AND sent_at IS NULL", (user_key,))
