"""Pacing: the global rate and the per-chat / per-group limits of a messenger."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class TokenBucket:
    """The global rate limit. Starts with one token and holds at most ``burst_seconds`` worth of tokens, so that
    scheduling jitter is absorbed at high rates while no one-second window exceeds the rate by more than that."""

    def __init__(self, rate: float, *, burst_seconds: float = 0.05,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate * burst_seconds)
        self.tokens = 1.0
        self.clock = clock
        self.updated = clock()

    async def acquire(self) -> None:
        while True:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1.0 - 1e-9:  # after sleeping exactly the deficit, rounding may leave 0.999…
                self.tokens = max(0.0, self.tokens - 1.0)
                return
            await asyncio.sleep((1.0 - self.tokens) / self.rate)


class ChatPacer:
    """Per-chat limits: one message per ``interval`` to any chat, and ``group_per_minute`` to a group.

    Keys are user keys or ``messenger:chat`` and live only in memory; entries older than a minute are dropped.
    """

    def __init__(self, interval: float = 1.0, group_per_minute: int = 20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.group_per_minute = group_per_minute
        self.clock = clock
        self._next: dict[str, float] = {}
        self._group_sends: dict[str, deque[float]] = {}

    def ready_at(self, chat: str, group: bool) -> float:
        """The earliest monotonic time a message to ``chat`` may start."""
        ready = self._next.get(chat, 0.0)
        sends = self._group_sends.get(chat)
        if group and sends is not None:
            horizon = self.clock() - 60.0
            while sends and sends[0] <= horizon:
                sends.popleft()
            if len(sends) >= self.group_per_minute:
                ready = max(ready, sends[0] + 60.0)
        return ready

    def record(self, chat: str, group: bool) -> None:
        now = self.clock()
        self._next[chat] = max(self._next.get(chat, 0.0), now + self.interval)
        if group:
            self._group_sends.setdefault(chat, deque()).append(now)
        if len(self._next) > 4096:
            self._forget(now)

    def hold(self, chat: str, seconds: float) -> None:
        """The messenger asked us to leave this chat alone for ``seconds`` (429 ``retry_after``)."""
        self._next[chat] = max(self._next.get(chat, 0.0), self.clock() + seconds)

    def _forget(self, now: float) -> None:
        self._next = {k: t for k, t in self._next.items() if t > now}
        self._group_sends = {k: d for k, d in self._group_sends.items() if d and d[-1] > now - 60.0}
