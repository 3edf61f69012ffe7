"""Moderation: cards in the moderators' chat, atomic first-decision-wins, audit log, reporter notices, relays.

Nothing a resident reports reaches anyone else until a moderator has looked at it. Moderators see a
pseudonymous handle and a track record, never who reported.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
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
    from storage.outbox import Reach

log = logging.getLogger(__name__)

# Button action → resulting status. "dup" and "blk" are handled specially but end in these statuses.
DECISIONS = {"ok": "confirmed", "un": "unconfirmed", "no": "rejected", "dup": "duplicate", "blk": "rejected",
             "res": "resolved", "fa": "false_alarm"}
PUBLISHED = ("confirmed", "unconfirmed")
NEARBY_M = 1000.0
MAX_RELAYS_SHOWN = 4
NEARBY_S = 2 * 3600.0
# Issue 12: the card lists what was decided nearby lately, so a report at a corner just marked a false alarm does
# not look like the first one there.
HISTORY_S = 6 * 3600.0
HISTORY_STATUSES = ("confirmed", "unconfirmed", "resolved", "false_alarm")
# Issue 11: this many reports from new accounts in one cluster (1 km, 2 h) is flagged as a possible bait wave.
CLUSTER_NEW_MIN = 3
# Reasons offered (as buttons) for a Reject or a Block; kept in the audit log as "no:spam".
REASONS = ("unclear", "not_agents", "spam", "harmful")
VERIFY_ANSWERS = ("seen", "not_there", "cant_tell")

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
    # Issue 11/12 additions (defaults keep older constructors working).
    account_days: int | None = None  # the author's account age at the time of the report (None: unknown/erased)
    new_account: bool = False
    nearby_new: int = 0  # nearby reports from new accounts: shown, never counted as corroboration
    cluster_flagged: bool = False
    history: list[tuple[ReportRow, str]] = field(default_factory=list)  # decided nearby lately, with the clock
    proposal: tuple[str, str] | None = None  # (action, first moderator) waiting for a second moderator
    undo: tuple[str, str, str, str] | None = None  # (action, reason, moderator, until clock) while undoable
    reason: str | None = None  # why it was rejected or blocked, once decided
    pick_reason: str | None = None  # "no" | "blk": the card shows the reason buttons instead
    verifications: list[dict[str, Any]] = field(default_factory=list)
    held: bool = False
    reach: Reach | None = None  # issue 15: how far the alert built on this report got (published reports)
    # Issue 12: the Telegram file_id of the reporter's photo while the report is undecided (None after: erased).
    photo: str | None = None


class ModerationViews(Protocol):
    """The screens the moderation service queues (implemented by :class:`handlers.views.Views`)."""

    def card(self, data: CardData, lang: str) -> Reply: ...

    def question_to_reporter(self, lang: str, report_id: int, question: str) -> Reply: ...

    def notice(self, lang: str, key: str, **kwargs: object) -> Reply: ...

    def verifier_offer(self, lang: str, verification_id: int, report: ReportRow) -> Reply: ...


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
        # How far the alert built on a report got (set by the app: the alerts service knows); shown on the card.
        self.reach_of: Callable[[int], Awaitable[Reach | None]] | None = None
        self._reach_shown: dict[int, tuple[int, int]] = {}  # report id → (sent, queued) last shown on its card
        self.on_correction: CorrectionHook | None = None

    def wake(self) -> None:
        self.outbox.wake()

    # -- who may moderate ---------------------------------------------------------------------------
    def is_moderator(self, sender: Sender, role: str) -> bool:
        """Granted moderators and admins only (issue 11). Being in the moderators' group is not enough: a group can
        be joined by someone hostile, who then sees cards but whose presses are refused and logged."""
        return role in ("moderator", "admin") or self.roles.is_admin_id(sender)

    async def refuse(self, report_id: int | None, action: str, user_key: str) -> None:
        """Log a press by someone who may not moderate: in the audit log (by handle) and the application log."""
        log.warning("refused a moderation press (%s) from someone who is not a moderator", action)
        if report_id is None or await self.repo.get(report_id) is None:
            return
        async with self.db.transaction() as conn:
            await self.repo.log(conn, report_id, self.moderator_handle(user_key), f"refused:{action}"[:40],
                                time.time())

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

    async def card_data(self, report: ReportRow, details: str = "", pick_reason: str | None = None) -> CardData:
        """Everything a moderators' card shows (rendered by the flows' views, not here)."""
        record = await self.repo.track_record(report.reporter)
        relays = [(direction, self.keyring.decrypt(body, b"relay").decode())
                  for direction, body in (await self.repo.messages(report.id))[-MAX_RELAYS_SHOWN:] if body is not None]
        nearby = await self.nearby(report)
        trust = await self.repo.trust([report.id] + [r.id for r in nearby])
        own = trust.get(report.id)
        established = [r for r in nearby if not trust.get(r.id, (0, False, False))[1]]
        nearby_new = len(nearby) - len(established)
        cluster_new = nearby_new + (1 if own and own[1] else 0)
        since = report.created_at - HISTORY_S
        history = [(r, self.clock(r.decided_at or r.created_at)) for r in await self.repo.decided_nearby(
            report.lat, report.lon, NEARBY_M, since, HISTORY_STATUSES, report.id)
            if distance_m((r.lat, r.lon), (report.lat, report.lon)) <= NEARBY_M]
        undo = await self.repo.undo_window(report.id)
        reason = None
        if report.status == "rejected":
            reason = next((a.split(":", 1)[1] for _, a, _ in reversed(await self.repo.audit(report.id))
                           if a.startswith(("no:", "blk:"))), None)
        photo = await self._photo(report) if report.status == "pending" or undo else None
        return CardData(report=report, details=details if report.status == "pending" or undo else "",
                        confirmed=record.get("confirmed", 0) + record.get("resolved", 0),
                        rejected=record.get("rejected", 0) + record.get("false_alarm", 0),
                        nearby=established, relays=relays,
                        observed_clock=self.clock(report.observed_at),
                        decided_clock=self.clock(report.decided_at or time.time()),
                        account_days=own[0] if own and report.reporter else None,
                        new_account=bool(own and own[1]), nearby_new=nearby_new,
                        cluster_flagged=cluster_new >= CLUSTER_NEW_MIN, history=history[:6],
                        proposal=await self.repo.proposal(report.id) if report.status == "pending" else None,
                        undo=(undo[0], undo[1], undo[2], self.clock(undo[3])) if undo else None,
                        reason=reason, pick_reason=pick_reason,
                        verifications=await self.repo.verifications_of(report.id),
                        held=bool(own and own[2]),
                        reach=await self.reach_of(report.id) if self.reach_of and report.decided_at else None,
                        photo=photo)

    async def _photo(self, report: ReportRow) -> str | None:
        """The reporter's photo (a Telegram file_id) for the card; it is erased with the details at the decision
        (:meth:`ReportRepository.erase_texts`), so a decided card has none."""
        from bot.reports import PHOTO_CONTEXT

        box = await self.repo.photo_of(report.id)
        if box is None:
            return None
        sealed = self.keyring.decrypt_json(box, PHOTO_CONTEXT)
        return str(sealed["r"]) if sealed.get("m") == "telegram" else None

    async def redraw_cards(self, report_ids: list[int]) -> None:
        """Queue an edit of these reports' cards (after /delete_me: the author's handle and details are gone)."""
        for report_id in report_ids:
            report = await self.repo.get(report_id)
            if report is None:
                continue
            async with self.db.transaction() as conn:
                await self._queue_card_edit(conn, report)
        if report_ids:
            self.wake()

    async def refresh_reach(self, report_ids: list[int]) -> int:
        """Edit the cards whose alert reached more people since the card was last drawn ("sent to N of M");
        called by housekeeping for recent alerts. Returns how many cards were queued for an edit."""
        edited = 0
        for report_id in report_ids:
            reach = await self.reach_of(report_id) if self.reach_of else None
            report = await self.repo.get(report_id)
            if reach is None or report is None or self._reach_shown.get(report_id) == (reach.sent, reach.queued):
                continue
            self._reach_shown[report_id] = (reach.sent, reach.queued)
            async with self.db.transaction() as conn:
                await self._queue_card_edit(conn, report)
            edited += 1
        if edited:
            self.wake()
        return edited

    async def card(self, report: ReportRow, details: str = "", pick_reason: str | None = None) -> Reply:
        card = self.views.card(await self.card_data(report, details, pick_reason), self.lang)
        card.protect = True  # issue 11: pending reports are not forwarded out of the group with one tap
        return card

    async def _assess(self, conn: aiosqlite.Connection, report: ReportRow) -> tuple[int, bool, bool]:
        """(account days, new account, established) of a report's author at the time of the report.

        Established: an account older than NEW_ACCOUNT_DAYS or with a report moderators confirmed before."""
        days = 30
        if report.reporter is not None:
            first = await self.repo.account_day(report.reporter, conn)
            if first is not None:
                day = dt.datetime.fromtimestamp(report.created_at, dt.UTC).date()
                days = max(0, (day - dt.date.fromisoformat(first)).days)
        new = days <= self.settings.new_account_days
        if not new:
            return days, False, True
        record = await self.repo.track_record(report.reporter)
        return days, True, record.get("confirmed", 0) + record.get("resolved", 0) > 0

    async def _over_cap(self, conn: aiosqlite.Connection, report: ReportRow, held: bool = False) -> bool:
        """Whether the undecided reports already shown reach the global cap or the cap around this place.
        ``held``: the report itself is not counted as shown yet (a held card being considered for release)."""
        if await self.repo.count_pending_shown(conn) >= self.settings.pending_cap_global + (not held):
            return True
        near = await self.nearby(report, statuses=("pending",))
        trust = await self.repo.trust([r.id for r in near])
        shown = [r for r in near if not trust.get(r.id, (0, False, False))[2]]
        return len(shown) >= self.settings.pending_cap_area

    async def queue_card(self, conn: aiosqlite.Connection, report_id: int) -> None:
        room = self.roles.moderators_room()
        if room is None:
            log.warning("MODERATOR_CHAT_ID is not set: report %d waits for /pending", report_id)
            return
        messenger, chat = room
        report = await self.repo.get(report_id, conn)
        assert report is not None
        days, new, established = await self._assess(conn, report)
        held = not established and await self._over_cap(conn, report)
        await self.repo.set_trust(conn, report_id, days, new and not established, held)
        if held:  # a wave of new accounts: the card waits until moderators catch up; the author is told calmly
            if report.reporter is not None:
                user = await self.users.repo.get(report.reporter)
                lang = (user.language if user else None) or report.language
                await self.outbox.to_user(conn, report.reporter, self.views.notice(lang, "mod.reporter_held",
                                                                                   id=report_id),
                                          kind="notice")
            return
        await self._queue_card_rows(conn, report, established)

    async def _queue_card_rows(self, conn: aiosqlite.Connection, report: ReportRow, established: bool) -> None:
        room = self.roles.moderators_room()
        if room is None:
            return
        messenger, chat = room
        data = await self.card_data(report, self._details(report))
        card = self.views.card(data, self.lang)
        card.protect = True
        # An established reporter's card goes first: never behind a flood of new accounts' cards ("card_new" has a
        # lower outbox priority than "card"; see bot/delivery/outbox.py PRIORITY).
        kind = "card" if established else "card_new"
        # The pin and the card are separate rows: each is paced as one message and retried on its own. In a
        # flagged cluster of new accounts the card comes without the pin (its place is on the card): a group may get
        # only 20 messages a minute, and a wave of new accounts must not spend that budget twice over (issue 11).
        if established or not data.cluster_flagged:
            await self.outbox.to_chat(conn, messenger, chat,
                                      Reply("", location=(report.lat, report.lon), protect=True),
                                      kind=kind, ref=f"card_pin:{report.id}")
        await self.outbox.to_chat(conn, messenger, chat, card, kind=kind, ref=f"card:{report.id}")

    async def release_held(self, now: float | None = None) -> int:
        """Show held cards, oldest first, while the undecided reports stay under the caps."""
        released = 0
        for report_id in await self.repo.held(limit=20):
            async with self.db.transaction() as conn:
                report = await self.repo.get(report_id, conn)
                if report is None or report.status != "pending" or await self._over_cap(conn, report, held=True):
                    continue
                if await self.repo.release(conn, report_id):
                    await self._queue_card_rows(conn, report, established=False)
                    released += 1
        if released:
            self.wake()
        return released

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
                     refresh_group_card: bool = True, reason: str | None = None) -> Decision:
        """Apply a moderator's button. Exactly one of several simultaneous presses wins.

        ``refresh_group_card``: also update the card in the moderators' chat (False when the press came from
        that very card, which the caller edits in place).

        Safeguards (issues 11, 12): Reject and Block first ask for a reason and then stay undoable for
        MODERATION_UNDO_SECONDS (the reporter is told, the details erased and the block applied only when the window
        closes); "Publish unverified" (and, when configured, Confirm) needs a second, different moderator.
        """
        now = time.time() if now is None else now
        status = DECISIONS.get(action)
        if status is None:
            return Decision(False, None, "core.button_expired")
        handle = self.moderator_handle(moderator_key)
        report = await self.repo.get(report_id)
        if report is None:
            return Decision(False, None, "core.button_expired")
        if await self.repo.undo_window(report_id) is not None:
            return Decision(False, report, "mod.already_decided")
        undoable = action in ("no", "blk")
        if undoable and report.status == "pending" and reason not in REASONS:
            return Decision(True, report, "mod.pick_reason",
                            await self.card(report, self._details(report), pick_reason=action))
        from_statuses: tuple[str, ...] = PUBLISHED if action in ("res", "fa") else ("pending",)
        if report.status not in from_statuses:
            return Decision(False, report, "mod.already_decided")
        decided_by = handle
        if action in ("ok", "un") and await self._needs_second(report_id, action):
            proposal = await self.repo.proposal(report_id)
            if proposal is None or proposal[0] != action:
                async with self.db.transaction() as conn:
                    await self.repo.propose(conn, report_id, action, handle, now)
                    await self.repo.log(conn, report_id, handle, f"propose:{action}", now)
                    if refresh_group_card:
                        await self._queue_card_edit(conn, report)
                self.wake()
                return Decision(True, report, "mod.proposed", await self.card(report, self._details(report)))
            if proposal[1] == handle:
                return Decision(False, report, "mod.needs_second")
            decided_by = f"{proposal[1]} + {handle}"  # the audit row and the card name both moderators
        duplicate_of = None
        if action == "dup":
            original = next(iter(await self.nearby(report, statuses=OPEN_STATUSES)), None)
            if original is None:
                return Decision(False, report, "mod.no_duplicate")
            duplicate_of = original.id
        window = self.settings.moderation_undo_seconds if undoable else 0
        async with self.db.transaction() as conn:
            won = await self.repo.decide(conn, report_id, status, decided_by, now, from_statuses=from_statuses,
                                         duplicate_of=duplicate_of, erase=not window)
            if not won:
                current = await self.repo.get(report_id, conn)
                return Decision(False, current, "mod.already_decided")
            await self.repo.clear_proposal(conn, report_id)
            await self.repo.log(conn, report_id, decided_by, f"{action}:{reason}" if undoable else action, now)
            decided = await self.repo.get(report_id, conn)
            assert decided is not None
            if window:
                await self.repo.open_undo(conn, report_id, action, reason or "", handle, now + window)
            else:
                if action == "blk" and report.reporter:
                    await self.repo.block(conn, report.reporter, handle, now)
                await self._notify_reporter(conn, decided, action)
            if status in PUBLISHED and self.on_publish is not None:
                await self.on_publish(conn, decided)
            if status in ("resolved", "false_alarm") and self.on_correction is not None:
                await self.on_correction(conn, decided, status)
            if refresh_group_card:
                await self._queue_card_edit(conn, decided)
        card = await self.card(decided, self._details(decided))
        self.wake()
        await self.release_held()
        key = f"mod.done_{status}_undo" if window else f"mod.done_{status}"
        return Decision(True, decided, key, card)

    async def _needs_second(self, report_id: int, action: str) -> bool:
        """Whether this publication needs a second moderator. A verifier's "Seen" counts as the second for a
        Confirm (issue 11: the answer counts toward Confirm); nothing replaces it for "Publish unverified"."""
        if action == "un":
            return self.settings.two_moderators_for_unverified
        if not self.settings.two_moderators_for_confirm:
            return False
        return not any(v["answer"] == "seen" for v in await self.repo.verifications_of(report_id))

    async def undo(self, report_id: int, moderator_key: str, now: float | None = None, *,
                   refresh_group_card: bool = True) -> Decision:
        """Undo a Reject or Block within its window: the report is pending again, as if never decided."""
        now = time.time() if now is None else now
        window = await self.repo.undo_window(report_id)
        report = await self.repo.get(report_id)
        if window is None or report is None:
            return Decision(False, report, "mod.undo_too_late")
        if now > window[3]:
            await self.finish(report_id)
            return Decision(False, await self.repo.get(report_id), "mod.undo_too_late")
        handle = self.moderator_handle(moderator_key)
        async with self.db.transaction() as conn:
            if not await self.repo.close_undo(conn, report_id):
                return Decision(False, report, "mod.undo_too_late")
            if not await self.repo.reopen(conn, report_id, "rejected"):
                return Decision(False, report, "mod.undo_too_late")
            await self.repo.log(conn, report_id, handle, f"undo:{window[0]}", now)
            reopened = await self.repo.get(report_id, conn)
            assert reopened is not None
            if refresh_group_card:
                await self._queue_card_edit(conn, reopened)
        self.wake()
        return Decision(True, reopened, "mod.undone", await self.card(reopened, self._details(reopened)))

    async def finish_for_reporter(self, reporter_key: str) -> int:
        """/delete_me during a Reject/Block undo window: the window closes now, so a block is applied while the
        person's key is still known (erasing oneself must not escape a block). Returns windows closed."""
        closed = 0
        for report_id, _ in await self.repo.ids_of(reporter_key):
            if await self.repo.undo_window(report_id) is not None and await self.finish(report_id):
                closed += 1
        return closed

    async def finish(self, report_id: int) -> bool:
        """Close an undo window: erase the texts, apply the block, tell the reporter, update the card."""
        window = await self.repo.undo_window(report_id)
        if window is None:
            return False
        action, _, handle, _ = window
        async with self.db.transaction() as conn:
            if not await self.repo.close_undo(conn, report_id):
                return False
            report = await self.repo.get(report_id, conn)
            if report is None:
                return False
            await self.repo.erase_texts(conn, report_id)
            if action == "blk" and report.reporter:
                await self.repo.block(conn, report.reporter, handle, time.time())
            await self._notify_reporter(conn, report, action)
            await self._queue_card_edit(conn, report)
        self.wake()
        return True

    async def _notify_reporter(self, conn: aiosqlite.Connection, report: ReportRow, action: str) -> None:
        """Tell the reporter what was decided, honestly: how many neighbours are being alerted (or that nobody has
        an alert area there yet), and later whether it was resolved or a false alarm (issue 12)."""
        if report.reporter is None:
            return
        user = await self.users.repo.get(report.reporter)
        if user is None:
            return
        lang = user.language or report.language
        args: dict[str, object] = {"id": report.id}
        if action == "blk":
            key = "report.outcome_blocked"
        elif report.status in PUBLISHED:
            told = await self._neighbours_told(conn, report)
            # "_count" has a "_count_one" form that the translator picks for 1 (never "1 vecinos")
            key, args["n"] = f"report.outcome_{report.status}_{'count' if told else 'none'}", told
        else:
            key = f"report.outcome_{report.status}"
        await self.outbox.to_user(conn, report.reporter, self.views.notice(lang, key, **args),
                                  kind="notice")

    async def _neighbours_told(self, conn: aiosqlite.Connection, report: ReportRow) -> int:
        """How many people the publication of ``report`` reaches, read from the alerts' tables before the fan-out
        (which runs right after this, in the same transaction) with the same rules: a report near a recent alert
        updates the people that alert reached; otherwise everyone whose area holds the point, one per person,
        never the reporter. People over their hourly cap count: they get it in their digest."""
        from bot.services.alerts import MERGE_M, MERGE_WINDOW_S, select_exact
        from storage.alerts import AlertRepository

        repo = AlertRepository(self.db)
        point = (report.lat, report.lon)
        near = [a for a in await repo.active_near(conn, report.lat, report.lon, MERGE_M, time.time() - MERGE_WINDOW_S)
                if distance_m((a.lat, a.lon), point) <= MERGE_M]
        if near:
            base = min(near, key=lambda a: distance_m((a.lat, a.lon), point))
            people = {key for key, _ in await repo.alerted_users(conn, f"alert:{base.id}")}
        else:
            people = {c.user_key for c in select_exact(await repo.candidates(report.lat, report.lon), *point)}
        people.discard(report.reporter or "")
        return len(people)

    async def expire_overdue(self, now: float | None = None) -> int:
        """Reports nobody decided in time expire; the card and the reporter are told."""
        now = time.time() if now is None else now
        for report_id in await self.repo.undo_due(now):  # Reject/Block windows that closed (issue 12)
            await self.finish(report_id)
        await self.release_held(now)
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
            await self.outbox.to_user(conn, report.reporter, reply, kind="relay")
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

    # -- verifiers (issue 11) ----------------------------------------------------------------------------
    def verifier_handle(self, user_key: str) -> str:
        return self.keyring.handle(user_key, prefix="V")

    async def request_verifier(self, report_id: int, moderator_key: str, now: float | None = None) -> tuple[str, int]:
        """Offer a pending report to the verifiers whose areas hold its place; returns (i18n key, how many)."""
        now = time.time() if now is None else now
        report = await self.repo.get(report_id)
        if report is None or report.status != "pending":
            return "mod.already_decided", 0
        people = [k for k in await self.repo.verifiers_near(report.lat, report.lon) if k != report.reporter]
        if not people:
            return "mod.verify_none", 0
        handle = self.moderator_handle(moderator_key)
        async with self.db.transaction() as conn:
            verification_id = await self.repo.add_verification(conn, report_id, handle, now)
            await self.repo.log(conn, report_id, handle, "verify", now)
            for key in people:
                user = await self.users.repo.get(key)
                lang = (user.language if user else None) or self.settings.default_language
                await self.outbox.to_user(conn, key, self.views.verifier_offer(lang, verification_id, report),
                                          kind="relay", ref=f"verify:{verification_id}")
            await self._queue_card_edit(conn, report)
        self.wake()
        return "mod.verify_sent", len(people)

    async def accept_verification(self, verification_id: int, verifier_key: str) -> tuple[str, ReportRow | None]:
        """The first verifier who accepts gets the place; returns (i18n key, the report when accepted)."""
        found = await self.repo.verification(verification_id)
        if found is None or not await self.repo.is_verifier(verifier_key):
            return "verify.not_allowed", None
        report = await self.repo.get(found["report_id"])
        if report is None or report.status != "pending":
            return "verify.closed", None
        async with self.db.transaction() as conn:
            if not await self.repo.accept_verification(conn, verification_id, verifier_key,
                                                       self.verifier_handle(verifier_key)):
                return "verify.taken", None
            await self.repo.log(conn, report.id, self.verifier_handle(verifier_key), "verify:accept", time.time())
            await self._queue_card_edit(conn, report)
        self.wake()
        return "verify.accepted", report

    async def answer_verification(self, verification_id: int, verifier_key: str, answer: str) -> str:
        """Record the verifier's answer; it appears on the card (and a "Seen" counts toward Confirm)."""
        if answer not in VERIFY_ANSWERS:
            return "core.button_expired"
        found = await self.repo.verification(verification_id)
        if found is None or found["verifier"] != verifier_key:
            return "verify.not_allowed"
        async with self.db.transaction() as conn:
            if not await self.repo.answer_verification(conn, verification_id, verifier_key, answer, time.time()):
                return "verify.already_answered"
            await self.repo.log(conn, found["report_id"], self.verifier_handle(verifier_key), f"verify:{answer}",
                                time.time())
            report = await self.repo.get(found["report_id"], conn)
            if report is not None:
                await self._queue_card_edit(conn, report)
        self.wake()
        return "verify.thanks"

    async def delete_old_cards(self, now: float | None = None) -> int:
        """Group hygiene (issue 11): a card and its pin leave the moderators' group once the report has been
        decided for ``CARD_RETENTION_HOURS`` (under Telegram's 48-hour limit for a bot deleting its messages).
        Through the outbox, once per card; returns how many deletions were queued."""
        room = self.roles.moderators_room()
        if room is None:
            return 0
        messenger, chat = room
        now = time.time() if now is None else now
        keep_s = self.settings.card_retention_hours * 3600
        queued = 0
        for report_id in await self.repo.decided_between(now - keep_s - 24 * 3600, now - keep_s):
            ref = f"card_delete:{report_id}"
            if await self.outbox.repo.has_ref(ref):
                continue
            async with self.db.transaction() as conn:
                for card_ref in (f"card:{report_id}", f"card_pin:{report_id}"):
                    message_id = await self.outbox.repo.message_id_of(card_ref)
                    if message_id is not None:
                        await self.outbox.to_chat(conn, messenger, chat, Reply("", delete=message_id),
                                                  kind="card_edit", ref=ref)
                        queued += 1
        if queued:
            self.wake()
        return queued
