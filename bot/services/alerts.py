"""Nearby alerts: who is inside a report's circle, what they are told, corrections, caps and digests.

Selection is exact: the R*Tree narrows to subscriptions whose (enlarged) box holds the point, then the
geodesic distance decides, so nobody outside is alerted and nobody inside is missed. Alerts are rendered per
recipient, in the recipient's language, and queued in the same transaction as the moderator's decision.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import aiosqlite

from bot.chat import Button, Reply, callback
from bot.geo import CircleTest, distance_m
from bot.geo.shapes import SHAPE_KINDS
from i18n import Safe
from storage.alerts import AlertRepository, AlertRow, Candidate, SubscriptionRow

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.delivery.outbox import Outbox
    from bot.faq import FaqStore
    from bot.geo import GeoService
    from bot.geo.shapes import Shape
    from bot.services.channels import ChannelService
    from i18n import Translator
    from storage.db import Database
    from storage.outbox import Reach, ReachStats
    from storage.reports import ReportRow

log = logging.getLogger(__name__)

MERGE_M = 1000.0
MERGE_WINDOW_S = 2 * 3600.0
FAQ_ACTIVITY = {"home": "at_home"}
DIGEST_MAX_LINES = 15  # report activity → FAQ tip activity where the names differ


def is_quiet(hour: int, quiet_from: int | None, quiet_to: int | None) -> bool:
    """Whether a local hour falls in [from, to), wrapping midnight (22 → 7 means 22:00–06:59)."""
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return False
    if quiet_from < quiet_to:
        return quiet_from <= hour < quiet_to
    return hour >= quiet_from or hour < quiet_to


ShapeOf = Callable[[str, str], "Shape | None"]


def _in_shape(c: Candidate, lat: float, lon: float, shape_of: ShapeOf | None) -> bool:
    """A neighbourhood or ZIP area: inside its polygon or within its margin (``radius_m``) of the edge."""
    shape = shape_of(c.area_kind, c.area_ref or "") if shape_of is not None else None
    return shape is not None and shape.contains(lat, lon, c.radius_m)


def select_exact(candidates: list[Candidate], lat: float, lon: float,
                 shape_of: ShapeOf | None = None) -> list[Candidate]:
    """Keep subscriptions whose area contains the point (circles: geodesic; shapes: polygon plus margin); one
    per user, the first found."""
    chosen: dict[str, Candidate] = {}
    test = CircleTest(lat, lon)
    for c in candidates:
        if c.user_key in chosen:
            continue
        if c.area_kind == "circle":
            if test.contains(c.lat, c.lon, c.radius_m):
                chosen[c.user_key] = c
        elif _in_shape(c, lat, lon, shape_of):
            chosen[c.user_key] = c
    return list(chosen.values())


def select_geodesic(candidates: list[Candidate], lat: float, lon: float,
                    shape_of: ShapeOf | None = None) -> list[Candidate]:
    """The plain definition (geopy geodesic for every circle): the baseline the fast path is checked against."""
    chosen: dict[str, Candidate] = {}
    for c in candidates:
        if c.user_key in chosen:
            continue
        if c.area_kind == "circle":
            if distance_m((lat, lon), (c.lat, c.lon)) <= c.radius_m:
                chosen[c.user_key] = c
        elif _in_shape(c, lat, lon, shape_of):
            chosen[c.user_key] = c
    return list(chosen.values())


class AlertService:
    def __init__(self, db: Database, repo: AlertRepository, outbox: Outbox, geo: GeoService, faq: FaqStore,
                 translator: Translator, settings: Settings) -> None:
        self.db, self.repo, self.outbox, self.geo, self.faq = db, repo, outbox, geo, faq
        self.translator, self.settings = translator, settings
        self.tz = ZoneInfo(settings.timezone)
        self.channels: ChannelService | None = None  # set by the app (neighbourhood channels, issue 15)

    # -- who ----------------------------------------------------------------------------------------
    async def recipients(self, lat: float, lon: float) -> list[Candidate]:
        return select_exact(await self.repo.candidates(lat, lon), lat, lon, self.geo.shape)

    async def recipients_brute_force(self, lat: float, lon: float) -> list[Candidate]:
        """The same answer by a full scan with the plain geodesic (tests and benchmarks compare the two)."""
        return select_geodesic(await self.repo.all_subscriptions(), lat, lon, self.geo.shape)

    # -- what -----------------------------------------------------------------------------------------
    def _ago(self, lang: str, seconds: float) -> str:
        minutes = max(1, int(seconds // 60))
        if minutes < 60:
            return self.translator.t(lang, "alert.minutes_ago", n=minutes)
        return self.translator.t(lang, "alert.hours_ago", n=minutes // 60)

    def render(self, alert: AlertRow, lang: str, now: float, *, silent: bool = False) -> Reply:
        """One alert for one language: what, roughly where, when, confidence, a tip and the hotline; a map pin of
        the (coarsened) place sent just before it; and, at the end, a short text to pass on (issue 12).

        Why the pin rides on the same outbox row (``Reply.location``): one row per recipient keeps the fan-out,
        the caps and the corrections as they are; the Telegram front sends the pin first, Signal shows a map link.
        Why the share text uses the clock and not "10 min ago": it is forwarded and read later, when a relative
        time would be wrong. It names no reporter and describes nobody (design principle 4)."""
        t = self.translator.t
        place = self.geo.reverse(alert.lat, alert.lon).label(lang)
        tip = self.faq.tip_for_activity(FAQ_ACTIVITY.get(alert.activity, alert.activity), lang).text
        clock = dt.datetime.fromtimestamp(alert.observed_at, self.tz).strftime("%H:%M")
        what = t(lang, f"report.activity.{alert.activity}")
        lines = [
            t(lang, "alert.title_verified" if alert.verified else "alert.title_unverified"),
            t(lang, "alert.what_where", what=what, place=place),
            t(lang, "alert.when", ago=self._ago(lang, now - alert.observed_at), clock=clock),
            t(lang, "alert.reports", n=alert.report_count),
            t(lang, "alert.safety"),
            t(lang, "alert.tip", tip=tip),
            t(lang, "alert.hotline", name=self.settings.hotline_name, phone=self.settings.hotline_phone),
            "",
            t(lang, "alert.share_title"),
            t(lang, "alert.share_text", what=what, place=place, clock=clock,
              status=Safe(t(lang, "alert.share_verified" if alert.verified else "alert.share_unverified")),
              name=self.settings.hotline_name, phone=self.settings.hotline_phone),
        ]
        buttons = [[Button(t(lang, "core.menu_rights"), callback("start", "menu", "rights")),
                    Button(t(lang, "alert.btn_stop"), callback("alerts", "stopask"))]]
        return Reply("\n".join(lines), buttons=buttons, silent=silent, location=(alert.lat, alert.lon))

    def _language(self, c: Candidate) -> str:
        return c.language or self.settings.default_language

    def _silent(self, c: Candidate, now: float) -> bool:
        hour = dt.datetime.fromtimestamp(now, self.tz).hour
        return is_quiet(hour, c.quiet_from, c.quiet_to)

    # -- publishing (called inside the moderator's decision transaction) -------------------------------
    async def on_publish(self, conn: aiosqlite.Connection, report: ReportRow) -> None:
        now = time.time()
        verified = report.status == "confirmed"
        near = await self.repo.active_near(conn, report.lat, report.lon, MERGE_M, now - MERGE_WINDOW_S)
        near = [a for a in near if distance_m((a.lat, a.lon), (report.lat, report.lon)) <= MERGE_M]
        if near:
            base = min(near, key=lambda a: distance_m((a.lat, a.lon), (report.lat, report.lon)))
            alert = await self.repo.merge_report(conn, base.id, report.id, verified, report.observed_at)
            await self._send_update(conn, alert, now, exclude=report.reporter)
            return
        expires = now + self.settings.alert_expiry_hours * 3600
        alert_id = await self.repo.create_alert(conn, report.id, report.activity, report.lat, report.lon, verified,
                                                report.observed_at, now, expires)
        alert = await self.repo.get_alert(alert_id, conn)
        assert alert is not None
        await self._fan_out(conn, alert, now, exclude=report.reporter)
        await self._post_to_channel(conn, alert, now)

    async def _post_to_channel(self, conn: aiosqlite.Connection, alert: AlertRow, now: float,
                               correction: str | None = None) -> None:
        """Issue 15: the neighbourhood's channel gets the alert (or its correction) too, in both languages, the
        same wording as a resident's alert and no reporter data; through the outbox, paced like a group."""
        if self.channels is None:
            return
        channel = await self.channels.for_point(alert.lat, alert.lon)
        ref = f"channel:{alert.id}"
        if channel is None or (correction is not None and not await self.outbox.repo.has_ref(ref)):
            return
        parts = []
        for lang in ("es", "en"):
            if correction is None:
                parts.append(self.render(alert, lang, now).text)
            else:
                parts.append(self.translator.t(lang, f"alert.correction_{correction}",
                                               place=self.geo.reverse(alert.lat, alert.lon).label(lang),
                                               ago=self._ago(lang, now - alert.created_at)))
        reply = Reply("\n\n— — —\n\n".join(parts), location=None if correction else (alert.lat, alert.lon))
        await self.outbox.to_chat(conn, "telegram", channel.chat, reply, kind="channel",
                                  ref=ref if correction is None else f"channel_fix:{alert.id}")

    async def _fan_out(self, conn: aiosqlite.Connection, alert: AlertRow, now: float, exclude: str | None) -> int:
        """Queue the alert for everyone whose area holds it, nearest first (issue 15), and start its reach clock.

        Each row carries the recipient's distance as its sort key, so the worker sends in that order. The hourly
        cap is read for the whole fan-out at once and the rows are written in one statement: the first message
        cannot leave before this transaction commits, so it must stay short even for tens of thousands."""
        from storage.outbox import ReachRepository

        rendered: dict[tuple[str, bool], Reply] = {}
        recent = await self.outbox.repo.alert_counts_since(conn, now - 3600)
        items: list[tuple[str, Reply, float]] = []
        for sort_key, c in await self.ordered_recipients(alert.lat, alert.lon):
            if c.user_key == exclude:
                continue
            if recent.get(c.user_key, 0) >= self.settings.alerts_per_hour:
                await self.repo.hold_for_digest(conn, c.user_key, alert.id, now)
                continue
            lang, silent = self._language(c), self._silent(c, now)
            reply = rendered.get((lang, silent)) or self.render(alert, lang, now, silent=silent)
            rendered[(lang, silent)] = reply
            items.append((c.user_key, reply, sort_key))
        sent = await self.outbox.to_users(conn, items, kind="alert", ref=f"alert:{alert.id}")
        await ReachRepository(self.db).start(conn, alert.id, now, sent)
        log.info("alert %d queued for %d subscribers", alert.id, sent)
        return sent

    async def ordered_recipients(self, lat: float, lon: float) -> list[tuple[float, Candidate]]:
        """The same people as :meth:`recipients`, nearest first, each with their sort key: the distance in whole
        metres from the point to the centre of their nearest matching area, plus radius/10^6 (at equal distance
        the smaller circle first). Distances use an ellipsoidal projection at the mid-latitude (within 1 cm of
        the geodesic over ±13 km), not a geodesic per person, so a fan-out of thousands is ordered in
        milliseconds."""
        import math

        from bot.geo import metres_per_degree

        def metres(c: Candidate) -> float:
            m_lat, m_lon = metres_per_degree((lat + c.lat) / 2)
            return math.hypot((c.lat - lat) * m_lat, (c.lon - lon) * m_lon)

        candidates = await self.repo.candidates(lat, lon)
        keys = {c.subscription_id: round(metres(c)) + min(c.radius_m, 999_999.0) / 1e6 for c in candidates}
        by_key = sorted(candidates, key=lambda c: keys[c.subscription_id])
        # select_exact keeps each user's first matching area in the given order: here, their nearest.
        return [(keys[c.subscription_id], c) for c in select_exact(by_key, lat, lon, self.geo.shape)]

    async def reach(self, alert_id: int) -> Reach | None:
        """How far an alert got: decided when, sent to how many of how many, first/last delivery, still queued
        (the moderators' card shows "sent to N of M (first after X s)")."""
        from storage.outbox import ReachRepository

        return await ReachRepository(self.db).get(alert_id)

    async def reach_of_report(self, report_id: int) -> Reach | None:
        """The reach of the alert a report started (None for a report merged into another's alert)."""
        alert = await self.repo.alert_of_report(report_id)
        if alert is None or alert.report_id != report_id:
            return None
        return await self.reach(alert.id)

    async def recent_alert_reports(self, since: float) -> list[int]:
        """Reports whose alert was decided since ``since`` (housekeeping refreshes their cards' reach line)."""
        from storage.outbox import ReachRepository

        reports = []
        for reach in await ReachRepository(self.db).since(since):
            alert = await self.repo.get_alert(reach.alert_id)
            if alert is not None:
                reports.append(alert.report_id)
        return reports

    async def reach_stats(self, since: float) -> ReachStats:
        """Time to reach of the alerts decided since ``since`` (for /stats: the last week)."""
        from storage.outbox import ReachRepository, ReachStats

        return ReachStats.of(await ReachRepository(self.db).since(since))

    async def _send_update(self, conn: aiosqlite.Connection, alert: AlertRow, now: float, exclude: str | None) -> None:
        """A merged report: the people already alerted get a short update, within their hourly cap."""
        for user_key, lang in await self.repo.alerted_users(conn, f"alert:{alert.id}"):
            if user_key == exclude:
                continue
            if await self.repo.alerts_sent_since(conn, user_key, now - 3600) >= self.settings.alerts_per_hour:
                continue
            lang = lang or self.settings.default_language
            t = self.translator.t
            text = t(lang, "alert.update", n=alert.report_count,
                     status=Safe(t(lang, "alert.title_verified" if alert.verified else "alert.title_unverified")),
                     place=self.geo.reverse(alert.lat, alert.lon).label(lang))
            await self.outbox.to_user(conn, user_key, Reply(text), kind="alert_update", ref=f"alert:{alert.id}")

    async def on_correction(self, conn: aiosqlite.Connection, report: ReportRow, status: str) -> None:
        """Resolved or false alarm: cancel what is not sent yet; tell exactly those who received the alert."""
        alert = await self.repo.alert_of_report(report.id, conn)
        if alert is None or not await self.repo.set_status(conn, alert.id, status):
            return
        ref, fix = f"alert:{alert.id}", f"correction:{alert.id}"
        # Nobody new gets the outdated alert: queued rows are cancelled; claimed rows the worker has not started
        # yet are marked, and the worker drops them together with their correction (see OutboxRepository.recheck).
        await self.outbox.repo.cancel(ref=ref, conn=conn)
        await self.outbox.repo.supersede(conn, ref, fix)
        order = await self.outbox.repo.sort_keys_of(conn, ref)  # corrections go out in the alert's order
        now = time.time()
        replies: dict[str, Reply] = {}
        items: list[tuple[str, Reply, float]] = []
        for user_key, lang in await self.repo.alerted_users(conn, ref):
            lang = lang or self.settings.default_language
            if lang not in replies:
                replies[lang] = Reply(self.translator.t(lang, f"alert.correction_{status}",
                                                        place=self.geo.reverse(alert.lat, alert.lon).label(lang),
                                                        ago=self._ago(lang, now - alert.created_at)))
            items.append((user_key, replies[lang], order.get(user_key, 1e9)))  # digest readers last
        items.sort(key=lambda item: item[2])
        await self.outbox.to_users(conn, items, kind="correction", ref=fix)
        await self._post_to_channel(conn, alert, now, correction=status)

    # -- subscriptions --------------------------------------------------------------------------------
    async def subscribe(self, user_key: str, data: dict[str, object], *, replace: object = None,
                        max_areas: int = 3) -> bool:
        """Save an area (coarsened already). False when the user is at the limit."""
        subs = await self.repo.subscriptions_of(user_key)
        replace_id = replace if isinstance(replace, int) and any(s.id == replace for s in subs) else None
        if replace_id is None and len(subs) >= max_areas:
            return False
        kind, ref, box = "circle", None, None
        if data.get("area_kind") in SHAPE_KINDS:  # "all of Pilsen": the polygon, not a circle round its centre
            shape = self.geo.shape(str(data["area_kind"]), str(data["area_ref"]))
            if shape is not None:
                kind, ref, box = shape.kind, shape.ref, shape.box(float(data["radius_m"]))  # type: ignore[arg-type]
        await self.repo.add_subscription(user_key, float(data["lat"]), float(data["lon"]),  # type: ignore[arg-type]
                                         float(data["radius_m"]), str(data["place_en"]),  # type: ignore[arg-type]
                                         str(data["place_es"]), time.time(), replace_id=replace_id,
                                         area_kind=kind, area_ref=ref, box=box)
        if replace_id is not None:
            await self._cancel_outside(user_key)
        return True

    async def remove(self, user_key: str, sub_id: int | None) -> int:
        """Remove one area (or all): alerts not yet sent for places outside the remaining areas are cancelled."""
        removed = await self.repo.remove_subscription(user_key, sub_id)
        await self._cancel_outside(user_key)
        return removed

    async def _cancel_outside(self, user_key: str) -> int:
        remaining = await self.repo.subscriptions_of(user_key)
        queued = await self.repo.queued_alerts_of(user_key)
        outside = [row_id for row_id, lat, lon in queued
                   if not any(distance_m((lat, lon), (s.lat, s.lon)) <= s.radius_m for s in remaining)]
        if not remaining:
            await self.repo.clear_digest(user_key)
        return await self.outbox.repo.cancel_rows(outside)

    # -- housekeeping ---------------------------------------------------------------------------------
    async def housekeeping(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        await self.repo.expire(now)
        await self.send_digests(now)

    async def send_digests(self, now: float) -> int:
        """Held alerts go out as one message per user once they are under their hourly cap again."""
        sent = 0
        for user_key in await self.repo.digest_users():
            async with self.db.transaction() as conn:
                if await self.repo.alerts_sent_since(conn, user_key, now - 3600) >= self.settings.alerts_per_hour:
                    continue
                alerts = await self.repo.take_digest(conn, user_key, now)
                if not alerts:
                    continue
                lang = await self.repo.language_of(conn, user_key) or self.settings.default_language
                t = self.translator.t
                lines = [t(lang, "alert.digest_title", n=len(alerts))]
                for a in alerts[-DIGEST_MAX_LINES:]:  # the newest; a Telegram message holds 4096 characters
                    lines.append(t(lang, "alert.digest_line", what=t(lang, f"report.activity.{a.activity}"),
                                   place=self.geo.reverse(a.lat, a.lon).label(lang),
                                   ago=self._ago(lang, now - a.observed_at)))
                lines.append(t(lang, "alert.hotline", name=self.settings.hotline_name,
                               phone=self.settings.hotline_phone))
                await self.outbox.to_user(conn, user_key, Reply("\n".join(lines)), kind="alert",
                                          ref=f"digest:{alerts[0].id}")
                sent += 1
        return sent

    # -- reads for the flows (flows never touch repositories) -------------------------------------------
    async def subscriptions_of(self, user_key: str) -> list[SubscriptionRow]:
        return await self.repo.subscriptions_of(user_key)

    async def quiet_hours(self, user_key: str) -> tuple[int | None, int | None]:
        return await self.repo.quiet_hours(user_key)

    async def set_quiet_hours(self, user_key: str, quiet_from: int | None, quiet_to: int | None) -> None:
        await self.repo.set_quiet_hours(user_key, quiet_from, quiet_to)

    async def count_subscriptions(self) -> int:
        return await self.repo.count_subscriptions()
