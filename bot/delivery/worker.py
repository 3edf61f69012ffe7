"""The one delivery worker (design principle 3).

Why: alerts, corrections, moderator cards, reporter notices and broadcasts must survive crashes and must respect
Telegram's limits (about 30 msg/s overall, 1 msg/s per chat, 20 msg/min per group). Flows therefore never send
notifications themselves: they queue one row per recipient through :class:`Outbox` inside the transaction that
records their decision, and :class:`DeliveryWorker` sends due rows, paces them, retries what can be retried and
marks users who blocked the bot inactive.

Delivery is at-least-once: a row is marked sent only after the messenger confirmed it, so a crash between the two
sends that row again on restart. Rows in flight are bounded by ``max_in_flight``, which bounds duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bot.chat import Reply
from bot.delivery.outbox import _address_context, _payload_context, decode_reply
from bot.delivery.pacing import ChatPacer, TokenBucket
from bot.fronts.base import DeliveryFailed, Messenger
from bot.privacy import Keyring
from bot.services.users import UserService
from storage.db import Database
from storage.outbox import OutboxRepository, OutboxRow
from storage.users import UserRepository

log = logging.getLogger(__name__)

# Failures that no retry can fix but that say nothing about the recipient (e.g. malformed HTML).
NOT_RETRYABLE = frozenset({"bad_request", "undecodable", "no_messenger"})


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
                 idle_poll: float = 1.0, reclaim_on_start: bool = True) -> None:
        if rate_per_second <= 0:
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
        # Never claim more than can start well within the lease, or our own rows would look abandoned.
        self.batch = max(1, min(batch, int(rate_per_second * lease_seconds / 2)))
        # Enough sends in flight to reach the rate when the Bot API takes ~0.5 s to answer. This also bounds the
        # duplicates after a crash. On loopback fewer connections are faster (httpcore scans its pool per request).
        self.max_in_flight = max_in_flight or max(4, min(self.batch, math.ceil(rate_per_second / 2)))
        self.send_timeout = send_timeout
        self.idle_poll = idle_poll
        self.reclaim_on_start = reclaim_on_start
        self.bucket = TokenBucket(rate_per_second)
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
        for index, row in enumerate(rows):
            if self._stopping:
                for rest in rows[index:]:
                    await self.repo.release(rest.id, time.time())
                break
            started += await self._dispatch(row)
        return started, len(rows)

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
    async def _dispatch(self, row: OutboxRow) -> int:
        """Start sending ``row`` when the limits allow; returns 1 if started, 0 if put back or failed."""
        try:
            target = self._target(row)
        except Exception as exc:  # wrong key, corrupt blob, unknown messenger: no retry can fix it
            reason = "no_messenger" if isinstance(exc, KeyError) else "undecodable"
            log.error("delivery: row %d cannot be read (%s)", row.id, reason)
            await self.repo.mark_failed(row.id, reason)
            return 0
        ready = self.pacer.ready_at(target.pace_key, row.is_group)
        now = time.monotonic()
        if ready > now:
            await self.repo.release(row.id, time.time() + (ready - now))
            return 0
        await self._slots.acquire()
        await self.bucket.acquire()
        if self._stopping:
            self._slots.release()
            await self.repo.release(row.id, time.time())
            return 0
        self.pacer.record(target.pace_key, row.is_group)
        task = asyncio.create_task(self._deliver(row, target), name=f"deliver-{row.id}")
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

    async def _deliver(self, row: OutboxRow, target: _Target) -> None:
        try:
            try:
                async with asyncio.timeout(self.send_timeout):
                    message_id = await target.messenger.send(target.chat_id, target.reply, retry=False)
            except DeliveryFailed as exc:
                await self._failed(row, target, exc)
            except TimeoutError:
                await self._failed(row, target, DeliveryFailed("timeout"))
            except Exception as exc:  # a bug or an unexpected library error: retry like a transient failure
                log.exception("delivery: unexpected error sending row %d", row.id)
                await self._failed(row, target, DeliveryFailed(type(exc).__name__))
            else:
                await self.repo.mark_sent(row.id, time.time(), message_id)
        finally:
            self._slots.release()

    async def _failed(self, row: OutboxRow, target: _Target, exc: DeliveryFailed) -> None:
        """Decide what a failed attempt means: recipient gone, hopeless, wait as asked, or back off and retry."""
        if exc.permanent:
            await self.repo.mark_failed(row.id, exc.reason)
            if row.user_key is not None:
                await self.users.set_active(row.user_key, False)
            else:
                log.error("delivery: the %s chat for %s messages is unreachable (%s)", row.messenger, row.kind,
                          exc.reason)
            return
        if exc.retry_after is not None:
            # Flood control: wait as long as asked. Not the message's fault, so it is not counted as an attempt
            # (a busy hour must not turn a moderator card or an alert into a failure).
            self.pacer.hold(target.pace_key, exc.retry_after)
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
