"""The one delivery worker (design principle 3).

Why: alerts, corrections, moderator cards, reporter notices and broadcasts must survive crashes and must respect
Telegram's limits (about 30 msg/s overall, 1 msg/s per chat, 20 msg/min per group). Flows therefore never send
notifications themselves: they queue one row per recipient through :class:`Outbox` inside the transaction that
records their decision, and :class:`DeliveryWorker` sends due rows, paces them, retries what can be retried and
marks users who blocked the bot inactive.

Delivery is at-least-once: a row is marked sent only after the messenger confirmed it, so a crash between the two
sends that row again on restart. Rows in flight are bounded by ``max_in_flight``, which bounds duplicates.

Order (issue 15): rows are claimed by priority, then sort key (an alert's nearest recipients first). Whenever
something new is queued while a claimed batch is being sent, the rows not yet started are checked again before
the next one starts: rows a correction superseded are dropped, and if a queued row now outranks them (an alert
queued during a broadcast, a correction during a fan-out) they go back to the queue, keeping their place.

Paid broadcast (optional): alert fan-outs (never direct replies or broadcasts) may be sent with the messenger's
paid broadcast at a higher rate, within a daily cap in Stars; when the messenger refuses it, the worker says so in
the log and goes on at the free rate, the refused message put back unsent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
import logging
import math
import random
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from bot.chat import Reply
from bot.delivery.outbox import _address_context, _payload_context, decode_reply
from bot.delivery.pacing import ChatPacer, TokenBucket
from bot.fronts.base import DeliveryFailed, Messenger
from bot.privacy import Keyring
from bot.services.users import UserService
from storage.db import Database
from storage.outbox import STARS_PER_PAID_MESSAGE, OutboxRepository, OutboxRow
from storage.users import UserRepository

log = logging.getLogger(__name__)

# Failures that no retry can fix but that say nothing about the recipient (e.g. malformed HTML).
NOT_RETRYABLE = frozenset({"bad_request", "undecodable", "no_messenger"})
# Kinds that may use paid broadcast: an alert's fan-out and what follows it to the same people.
PAID_KINDS = frozenset({"alert", "alert_update", "correction"})
PAID_REFUSED = "paid_refused"  # DeliveryFailed reason: the messenger would not send with paid broadcast


@dataclass(frozen=True)
class _Target:
    messenger: Messenger
    chat_id: str
    reply: Reply
    pace_key: str


# -- the worker ---------------------------------------------------------------------------------------
class DeliveryWorker:
    """Sends due outbox rows within the messengers' limits. Exactly one per database (it reclaims every lease
    at start). ``start()``/``stop()`` for the app; ``run_once()`` for tests."""

    def __init__(self, db: Database, outbox_repo: OutboxRepository, users: UserRepository | UserService,
                 keyring: Keyring, messengers: Mapping[str, Messenger], *, rate_per_second: float = 25.0,
                 per_chat_interval: float = 1.0, group_per_minute: int = 20, max_attempts: int = 8,
                 base_backoff: float = 1.0, max_backoff: float = 600.0, lease_seconds: float = 30.0,
                 batch: int = 50, max_in_flight: int | None = None, send_timeout: float = 30.0,
                 idle_poll: float = 1.0, reclaim_on_start: bool = True, paid_rate_per_second: float | None = None,
                 paid_daily_stars_cap: float = 0.0, paid_off_seconds: float = 3600.0,
                 rates: Mapping[str, float] | None = None) -> None:
        """``paid_rate_per_second`` turns paid broadcast on for alert fan-outs (None: off); at most
        ``paid_daily_stars_cap`` Stars a UTC day; after a refusal it stays off for ``paid_off_seconds``."""
        if rate_per_second <= 0 or (paid_rate_per_second is not None and paid_rate_per_second <= 0):
            raise ValueError("rate_per_second must be positive")
        self.db = db
        self.repo = outbox_repo
        self.users: UserRepository = users.repo if isinstance(users, UserService) else users
        self.keyring = keyring
        self.messengers = dict(messengers)
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.lease_seconds = lease_seconds
        top_rate = max(rate_per_second, paid_rate_per_second or 0.0)
        # Never claim more than can start well within the lease, or our own rows would look abandoned.
        self.batch = max(1, min(batch, int(rate_per_second * lease_seconds / 2)))
        # Enough sends in flight to reach the rate when the Bot API takes ~0.5 s to answer. This also bounds the
        # duplicates after a crash. On loopback fewer connections are faster (httpcore scans its pool per request).
        self.max_in_flight = max_in_flight or max(4, min(self.batch, math.ceil(top_rate / 2)))
        self.send_timeout = send_timeout
        self.idle_poll = idle_poll
        self.reclaim_on_start = reclaim_on_start
        self.bucket = TokenBucket(rate_per_second)
        # Each messenger is paced on its own (Telegram ~30 msg/s, Signal far slower): one worker, one bucket each;
        # messengers without a rate of their own share ``rate_per_second``.
        self.buckets = {name: TokenBucket(rate) for name, rate in (rates or {}).items()}
        self._held_until: dict[str, float] = {}  # messenger → monotonic time its whole account may send again
        self.paid_bucket = TokenBucket(paid_rate_per_second) if paid_rate_per_second else None
        self.paid_daily_stars_cap = paid_daily_stars_cap
        self.paid_off_seconds = paid_off_seconds
        self._paid_off_until = 0.0  # monotonic: paid broadcast refused, free rate until then
        self._paid_day = ""
        self._paid_used = 0  # paid messages today (UTC): sent before this process + started by it
        self._paid_capped_logged = ""
        self._supports_paid: dict[str, bool] = {}
        self.pacer = ChatPacer(per_chat_interval, group_per_minute)
        self._slots = asyncio.Semaphore(self.max_in_flight)
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # -- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is not None:
            return
        if self.reclaim_on_start:
            reclaimed = await self.repo.release_all()
            if reclaimed:
                log.warning("delivery: %d messages were in flight when the last process stopped; resending "
                            "(some may arrive twice)", reclaimed)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming, give back unstarted rows, let sends in flight finish (cancelled after ``timeout``;
        their rows stay leased and are resent by the next start)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drain(timeout)

    def wake(self) -> None:
        self._wake.set()

    def hold(self, messenger: str, seconds: float) -> None:
        """The messenger rate-limited the whole account (Signal): send nothing on it for ``seconds``."""
        self._held_until[messenger] = max(self._held_until.get(messenger, 0.0), time.monotonic() + seconds)

    async def run_once(self) -> int:
        """Claim one batch, send it and wait for the sends; returns how many sends were started."""
        started = await self._cycle()
        await self._drain(self.send_timeout)
        return started

    # -- the loop -----------------------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._stopping:
            try:
                started, claimed = await self._cycle_counts()
            except Exception:
                log.exception("delivery: cycle failed; retrying in a second")
                await self._idle(1.0)
                continue
            if claimed == 0:
                await self._idle(await self._idle_seconds())

    async def _cycle(self) -> int:
        started, _ = await self._cycle_counts()
        return started

    async def _cycle_counts(self) -> tuple[int, int]:
        self._wake.clear()
        rows = await self.repo.claim(time.time(), self.batch, self.lease_seconds, messengers=self.messengers.keys())
        started = 0
        pending = deque(rows)
        while pending:
            row = pending.popleft()
            if self._stopping:
                for rest in (row, *pending):
                    await self.repo.release(rest.id, time.time())
                break
            started += await self._dispatch(row, pending)
        return started, len(rows)

    async def _still_first(self, row: OutboxRow, pending: deque[OutboxRow]) -> bool:
        """Something was queued since the claim: check ``row`` (about to start) and the rest of the batch again.

        Drops rows a correction superseded (or that are gone) and gives back to the queue those that a newly
        queued row outranks. Returns whether ``row`` may start now."""
        self._wake.clear()
        drop, best = await self.repo.recheck([row.id, *(r.id for r in pending)], time.time(),
                                             messengers=self.messengers.keys())
        if drop:
            log.info("delivery: %d claimed messages are no longer to be sent (superseded or gone)", len(drop))
        rest = [r for r in pending if r.id not in drop]
        pending.clear()
        if row.id in drop:
            pending.extend(rest)
            return False
        if best is not None and best < row.rank:
            await self.repo.release_unstarted([row.id, *(r.id for r in rest)])
            return False
        if best is not None and rest and best < rest[-1].rank:
            await self.repo.release_unstarted([r.id for r in rest])
        else:
            pending.extend(rest)
        return True

    async def _idle_seconds(self) -> float:
        due = await self.repo.next_due()
        if due is None:
            return self.idle_poll
        wait = due - time.time()
        # Due rows we could not claim belong to a messenger that is not running: poll slowly.
        return self.idle_poll if wait <= 0 else min(self.idle_poll, max(0.005, wait))

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _drain(self, timeout: float) -> None:
        if not self._in_flight:
            return
        _, pending = await asyncio.wait(set(self._in_flight), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("delivery: %d sends cancelled at stop; they will be resent at the next start", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)

    # -- one row ------------------------------------------------------------------------------------
    async def _dispatch(self, row: OutboxRow, pending: deque[OutboxRow] | None = None) -> int:
        """Start sending ``row`` when the limits allow; returns 1 if started, 0 if put back, dropped or failed.

        ``pending`` is the rest of the claimed batch, checked again here when something new was queued."""
        try:
            target = self._target(row)
        except Exception as exc:  # wrong key, corrupt blob, unknown messenger: no retry can fix it
            reason = "no_messenger" if isinstance(exc, KeyError) else "undecodable"
            log.error("delivery: row %d cannot be read (%s)", row.id, reason)
            await self.repo.mark_failed(row.id, reason)
            return 0
        ready = max(self.pacer.ready_at(target.pace_key, row.is_group), self._held_until.get(row.messenger, 0.0))
        now = time.monotonic()
        if ready > now:
            await self.repo.release(row.id, time.time() + (ready - now))
            return 0
        paid = await self._paid_for(row)
        await self._slots.acquire()
        await (self.paid_bucket if paid and self.paid_bucket is not None
               else self.buckets.get(row.messenger, self.bucket)).acquire()
        if self._stopping:
            self._slots.release()
            await self.repo.release(row.id, time.time())
            return 0
        if self._wake.is_set() and not await self._still_first(row, pending if pending is not None else deque()):
            self._slots.release()
            return 0
        if paid and time.monotonic() < self._paid_off_until:  # refused while this row waited for its token
            paid = False
            await self.buckets.get(row.messenger, self.bucket).acquire()  # so it waits for the free rate instead
        if paid:
            self._paid_used += 1
        self.pacer.record(target.pace_key, row.is_group)
        task = asyncio.create_task(self._deliver(row, target, paid), name=f"deliver-{row.id}")
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        return 1

    def _target(self, row: OutboxRow) -> _Target:
        messenger = self.messengers[row.messenger]
        if row.user_key is not None:
            chat_id = self.keyring.decrypt(row.address, row.user_key.encode()).decode()
            owner, pace_key = row.user_key, row.user_key
        else:
            chat_id = self.keyring.decrypt(row.address, _address_context(row.messenger)).decode()
            owner, pace_key = row.messenger, f"{row.messenger}:{chat_id}"
        reply = decode_reply(self.keyring.decrypt_json(row.payload, _payload_context(owner)))
        return _Target(messenger, chat_id, reply, pace_key)

    async def _paid_for(self, row: OutboxRow) -> bool:
        """Whether ``row`` goes with paid broadcast: on, not refused lately, an alert fan-out to a person, a
        messenger that offers it, and today's spend (UTC day) under the cap."""
        if self.paid_bucket is None or row.kind not in PAID_KINDS or row.is_group or row.user_key is None:
            return False
        if time.monotonic() < self._paid_off_until or not self._offers_paid(row.messenger):
            return False
        day = dt.datetime.now(dt.UTC).date().isoformat()
        if day != self._paid_day:
            self._paid_day, self._paid_used = day, await self.repo.paid_messages(day)
        if (self._paid_used + 1) * STARS_PER_PAID_MESSAGE > self.paid_daily_stars_cap + 1e-9:
            if self._paid_capped_logged != day:
                self._paid_capped_logged = day
                log.warning("delivery: paid broadcast reached today's cap of %s Stars (%d messages); alerts go at "
                            "the free rate until midnight UTC", self.paid_daily_stars_cap, self._paid_used)
            return False
        return True

    def _offers_paid(self, messenger_name: str) -> bool:
        known = self._supports_paid.get(messenger_name)
        if known is None:
            messenger = self.messengers.get(messenger_name)
            try:
                known = messenger is not None and "paid_broadcast" in inspect.signature(messenger.send).parameters
            except (TypeError, ValueError):
                known = False
            self._supports_paid[messenger_name] = known
        return known

    async def _deliver(self, row: OutboxRow, target: _Target, paid: bool = False) -> None:
        try:
            try:
                async with asyncio.timeout(self.send_timeout):
                    if paid:
                        message_id = await target.messenger.send(target.chat_id, target.reply, retry=False,
                                                                 paid_broadcast=True)  # type: ignore[call-arg]
                    else:
                        message_id = await target.messenger.send(target.chat_id, target.reply, retry=False)
            except DeliveryFailed as exc:
                await self._failed(row, target, exc, paid)
            except TimeoutError:
                await self._failed(row, target, DeliveryFailed("timeout"), paid)
            except Exception as exc:  # a bug or an unexpected library error: retry like a transient failure
                log.exception("delivery: unexpected error sending row %d", row.id)
                await self._failed(row, target, DeliveryFailed(type(exc).__name__), paid)
            else:
                await self.repo.mark_sent(row.id, time.time(), message_id, paid=paid)
        finally:
            self._slots.release()

    async def _failed(self, row: OutboxRow, target: _Target, exc: DeliveryFailed, paid: bool = False) -> None:
        """Decide what a failed attempt means: recipient gone, hopeless, wait as asked, or back off and retry."""
        if paid:
            self._paid_used -= 1  # a failed send is not charged
        if exc.reason == PAID_REFUSED:
            # Not the message's fault: send it again at once at the free rate (not counted as an attempt).
            if time.monotonic() >= self._paid_off_until:
                cause = str(exc.__cause__ or "")[:120]
                log.error("delivery: the messenger REFUSED paid broadcast (%s); alerts go at the free rate of "
                          "%.0f msg/s for the next %.0f min. Check the bot's Stars balance and eligibility.",
                          cause or exc.reason, self.bucket.rate, self.paid_off_seconds / 60)
            self._paid_off_until = time.monotonic() + self.paid_off_seconds
            await self.repo.release(row.id, time.time())
            self._wake.set()
            return
        if exc.permanent:
            # The person first, then the row: once the row is no longer in flight, anyone who looks (the
            # /stats count, a test, the next fan-out) already sees the person inactive.
            if row.user_key is not None:
                await self.users.set_active(row.user_key, False)
            else:
                log.error("delivery: the %s chat for %s messages is unreachable (%s)", row.messenger, row.kind,
                          exc.reason)
            await self.repo.mark_failed(row.id, exc.reason)
            return
        if exc.retry_after is not None:
            # Flood control: wait as long as asked. Not the message's fault, so it is not counted as an attempt
            # (a busy hour must not turn a moderator card or an alert into a failure).
            self.pacer.hold(target.pace_key, exc.retry_after)
            if exc.whole_account:  # e.g. Signal's rate limit: the whole account waits, not only this chat
                self._held_until[row.messenger] = time.monotonic() + exc.retry_after
                log.warning("delivery: %s asked the whole account to wait %.0f s", row.messenger, exc.retry_after)
            await self.repo.release(row.id, time.time() + exc.retry_after)
            self._wake.set()
            return
        attempts = row.attempts + 1
        if exc.reason in NOT_RETRYABLE or attempts >= self.max_attempts:
            log.warning("delivery: row %d failed after %d attempts (%s)", row.id, attempts, exc.reason)
            await self.repo.mark_failed(row.id, exc.reason)
            return
        await self.repo.mark_retry(row.id, time.time() + self.backoff(attempts), exc.reason)
        self._wake.set()

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with jitter (so that many failed rows do not all come back at once)."""
        return min(self.max_backoff, self.base_backoff * 2 ** (attempts - 1)) * random.uniform(0.5, 1.5)
