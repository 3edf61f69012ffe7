"""Moderation: cards in the moderators' chat, atomic first-decision-wins, audit log, reporter notices, relays.

Nothing a resident reports reaches anyone else until a moderator has looked at it. Moderators see a
pseudonymous handle and a track record, never who reported.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

import aiosqlite

from bot.chat import Reply, Sender
from bot.geo import distance_m
from i18n import Translator
from storage.reports import OPEN_STATUSES, ReportRepository, ReportRow

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.delivery.outbox import Outbox
    from bot.privacy import Keyring
    from bot.services.roles import RoleService
    from bot.services.users import UserService
    from storage.db import Database

log = logging.getLogger(__name__)

# Button action → resulting status. "dup" and "blk" are handled specially but end in these statuses.
DECISIONS = {"ok": "confirmed", "un": "unconfirmed", "no": "rejected", "dup": "duplicate", "blk": "rejected",
             "res": "resolved", "fa": "false_alarm"}
PUBLISHED = ("confirmed", "unconfirmed")
NEARBY_M = 1000.0
MAX_RELAYS_SHOWN = 4
NEARBY_S = 2 * 3600.0

PublishHook = Callable[[aiosqlite.Connection, ReportRow], Awaitable[None]]
CorrectionHook = Callable[[aiosqlite.Connection, ReportRow, str], Awaitable[None]]


@dataclass(frozen=True)
class CardData:
    """What a moderators' card shows; :mod:`handlers.views` turns it into a message."""

    report: ReportRow
    details: str
    confirmed: int
    rejected: int
    nearby: list[ReportRow]
    relays: list[tuple[str, str]]  # (question|answer, text), the latest few
    observed_clock: str
    decided_clock: str


class ModerationViews(Protocol):
    """The screens the moderation service queues (implemented by :class:`handlers.views.Views`)."""

    def card(self, data: CardData, lang: str) -> Reply: ...

    def question_to_reporter(self, lang: str, report_id: int, question: str) -> Reply: ...

    def notice(self, lang: str, key: str, **kwargs: object) -> Reply: ...


@dataclass(frozen=True)
class Decision:
    ok: bool  # False: someone decided first, or nothing to do
    report: ReportRow | None
    toast_key: str
    card: Reply | None = None  # the card as it should now look


class ModerationService:
    def __init__(self, db: Database, repo: ReportRepository, outbox: Outbox, users: UserService,
                 keyring: Keyring, translator: Translator, settings: Settings, roles: RoleService,
                 views: ModerationViews) -> None:
        self.db, self.repo, self.outbox, self.users = db, repo, outbox, users
        self.keyring, self.translator, self.settings, self.roles = keyring, translator, settings, roles
        self.lang = settings.moderator_language or settings.default_language
        self.views = views
        self.tz = ZoneInfo(settings.timezone)
        self.on_publish: PublishHook | None = None  # alerts subscribe here (fan-out in the same transaction)
        self.on_correction: CorrectionHook | None = None

    def wake(self) -> None:
        self.outbox.wake()

    # -- who may moderate ---------------------------------------------------------------------------
    def is_moderator(self, sender: Sender, role: str) -> bool:
        """Members of the moderators' chat (a press from inside it), granted moderators, and admins."""
        roles = self.roles
        return roles.in_moderators_room(sender) or role in ("moderator", "admin") or roles.is_admin_id(sender)

    def moderator_handle(self, user_key: str) -> str:
        return self.keyring.handle(user_key, prefix="M")

    # -- cards --------------------------------------------------------------------------------------
    def clock(self, ts: float) -> str:
        return dt.datetime.fromtimestamp(ts, self.tz).strftime("%H:%M")

    async def nearby(self, report: ReportRow, statuses: tuple[str, ...] = OPEN_STATUSES + ("duplicate",)
                     ) -> list[ReportRow]:
        """Other reports within 1 km and 2 h of this one, nearest first."""
        rows = await self.repo.nearby(report.lat, report.lon, NEARBY_M, report.created_at - NEARBY_S,
                                      statuses=statuses, exclude=report.id)
        close = [(distance_m((r.lat, r.lon), (report.lat, report.lon)), r) for r in rows
                 if abs(r.created_at - report.created_at) <= NEARBY_S]
        return [r for d, r in sorted(close, key=lambda x: x[0]) if d <= NEARBY_M]

    async def card_data(self, report: ReportRow, details: str = "") -> CardData:
        """Everything a moderators' card shows (rendered by the flows' views, not here)."""
        record = await self.repo.track_record(report.reporter)
        relays = [(direction, self.keyring.decrypt(body, b"relay").decode())
                  for direction, body in (await self.repo.messages(report.id))[-MAX_RELAYS_SHOWN:] if body is not None]
        return CardData(report=report, details=details if report.status == "pending" else "",
                        confirmed=record.get("confirmed", 0) + record.get("resolved", 0),
                        rejected=record.get("rejected", 0) + record.get("false_alarm", 0),
                        nearby=await self.nearby(report), relays=relays,
                        observed_clock=self.clock(report.observed_at),
                        decided_clock=self.clock(report.decided_at or time.time()))

    async def card(self, report: ReportRow, details: str = "") -> Reply:
        return self.views.card(await self.card_data(report, details), self.lang)

    async def queue_card(self, conn: aiosqlite.Connection, report_id: int) -> None:
        room = self.roles.moderators_room()
        if room is None:
            log.warning("MODERATOR_CHAT_ID is not set: report %d waits for /pending", report_id)
            return
        messenger, chat = room
        report = await self.repo.get(report_id, conn)
        assert report is not None
        card = await self.card(report, self._details(report))
        # The pin and the card are separate rows: each is paced as one message and retried on its own.
        await self.outbox.to_chat(conn, messenger, chat, Reply("", location=(report.lat, report.lon)),
                                  kind="card", ref=f"card_pin:{report_id}")
        await self.outbox.to_chat(conn, messenger, chat, card, kind="card", ref=f"card:{report_id}")

    def _details(self, report: ReportRow) -> str:
        if not report.details:
            return ""
        return self.keyring.decrypt(report.details, b"report-details").decode()

    async def _queue_card_edit(self, conn: aiosqlite.Connection, report: ReportRow) -> None:
        """Bring the card in the moderators' chat up to date (through the outbox, so it survives failures)."""
        room = self.roles.moderators_room()
        if room is None:
            return
        messenger, chat = room
        message_id = await self.outbox.repo.message_id_of(f"card:{report.id}")
        if message_id is None:
            return  # the card was never shown (queued or failed): nothing to edit
        card = await self.card(report, self._details(report))
        card.edit = message_id
        # Same ref as the card: if the edit has to fall back to a new message, later edits find that one.
        await self.outbox.to_chat(conn, messenger, chat, card, kind="card_edit",
                                  ref=f"card:{report.id}")

    # -- decisions ----------------------------------------------------------------------------------
    async def decide(self, report_id: int, action: str, moderator_key: str, now: float | None = None, *,
                     refresh_group_card: bool = True) -> Decision:
        """Apply a moderator's button. Exactly one of several simultaneous presses wins.

        ``refresh_group_card``: also update the card in the moderators' chat (False when the press came from
        that very card, which the caller edits in place).
        """
        now = time.time() if now is None else now
        status = DECISIONS.get(action)
        if status is None:
            return Decision(False, None, "core.button_expired")
        handle = self.moderator_handle(moderator_key)
        report = await self.repo.get(report_id)
        if report is None:
            return Decision(False, None, "core.button_expired")
        from_statuses: tuple[str, ...] = PUBLISHED if action in ("res", "fa") else ("pending",)
        duplicate_of = None
        if action == "dup":
            original = next(iter(await self.nearby(report, statuses=OPEN_STATUSES)), None)
            if original is None:
                return Decision(False, report, "mod.no_duplicate")
            duplicate_of = original.id
        async with self.db.transaction() as conn:
            won = await self.repo.decide(conn, report_id, status, handle, now, from_statuses=from_statuses,
                                         duplicate_of=duplicate_of)
            if not won:
                current = await self.repo.get(report_id, conn)
                return Decision(False, current, "mod.already_decided")
            await self.repo.log(conn, report_id, handle, action, now)
            if action == "blk" and report.reporter:
                await self.repo.block(conn, report.reporter, handle, now)
            decided = await self.repo.get(report_id, conn)
            assert decided is not None
            await self._notify_reporter(conn, decided, action)
            if status in PUBLISHED and self.on_publish is not None:
                await self.on_publish(conn, decided)
            if status in ("resolved", "false_alarm") and self.on_correction is not None:
                await self.on_correction(conn, decided, status)
            if refresh_group_card:
                await self._queue_card_edit(conn, decided)
            card = await self.card(decided)
        self.wake()
        return Decision(True, decided, f"mod.done_{status}", card)

    async def _notify_reporter(self, conn: aiosqlite.Connection, report: ReportRow, action: str) -> None:
        if report.reporter is None or report.status in ("resolved", "false_alarm"):
            return
        user = await self.users.repo.get(report.reporter)
        if user is None:
            return
        lang = user.language or report.language
        key = "report.outcome_blocked" if action == "blk" else f"report.outcome_{report.status}"
        await self.outbox.to_user(conn, report.reporter, self.views.notice(lang, key, id=report.id),
                                  kind="notice", ref=f"report:{report.id}")

    async def expire_overdue(self, now: float | None = None) -> int:
        """Reports nobody decided in time expire; the card and the reporter are told."""
        now = time.time() if now is None else now
        expired = 0
        for report_id in await self.repo.overdue(now - self.settings.report_expiry_hours * 3600):
            async with self.db.transaction() as conn:
                if not await self.repo.decide(conn, report_id, "expired", "system", now):
                    continue
                await self.repo.log(conn, report_id, "system", "expire", now)
                report = await self.repo.get(report_id, conn)
                assert report is not None
                await self._notify_reporter(conn, report, "expire")
                await self._queue_card_edit(conn, report)
            expired += 1
        if expired:
            self.wake()
        return expired

    # -- relays between a moderator and the reporter --------------------------------------------------
    async def ask(self, report_id: int, question: str, moderator_key: str) -> str:
        """Relay a moderator's question to the reporter; returns an i18n key describing the outcome."""
        report = await self.repo.get(report_id)
        if report is None:
            return "mod.no_such_report"
        if report.status != "pending" or report.reporter is None:
            return "mod.cannot_ask"
        user = await self.users.repo.get(report.reporter)
        if user is None:
            return "mod.cannot_ask"
        lang = user.language or report.language
        now = time.time()
        reply = self.views.question_to_reporter(lang, report.id, question)
        async with self.db.transaction() as conn:
            current = await self.repo.get(report_id, conn)
            if current is None or current.status != "pending":  # decided meanwhile: its texts are erased
                return "mod.cannot_ask"
            await self.repo.add_message(conn, report_id, "question", self.keyring.encrypt(question.encode(), b"relay"),
                                        now)
            await self.repo.log(conn, report_id, self.moderator_handle(moderator_key), "ask", now)
            await self.outbox.to_user(conn, report.reporter, reply, kind="relay", ref=f"report:{report.id}")
            await self._queue_card_edit(conn, report)
        self.wake()
        return "mod.question_sent"

    async def awaits_answer(self, report_id: int, reporter_key: str) -> bool:
        """Whether the reporter has an unanswered question on a pending report (one answer per question)."""
        report = await self.repo.get(report_id)
        if report is None or report.reporter != reporter_key or report.status != "pending":
            return False
        messages = await self.repo.messages(report_id)
        return bool(messages) and messages[-1][0] == "question"

    async def answer(self, report_id: int, reporter_key: str, text: str) -> bool:
        async with self.db.transaction() as conn:
            report = await self.repo.get(report_id, conn)
            if report is None or report.reporter != reporter_key or report.status != "pending":
                return False
            last = await self.repo.last_direction(conn, report_id)
            if last != "question":
                return False
            await self.repo.add_message(conn, report_id, "answer", self.keyring.encrypt(text.encode(), b"relay"),
                                        time.time())
            await self._queue_card_edit(conn, report)
        self.wake()
        return True
