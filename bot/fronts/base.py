"""What every messenger front offers the rest of the system, without naming any messenger library."""

from __future__ import annotations

from typing import Protocol

from bot.chat import Reply


class DeliveryFailed(Exception):
    """A message could not be delivered.

    ``permanent``: retrying cannot help (the user blocked the bot, the chat is gone); the recipient should be
    marked inactive. ``retry_after``: the messenger asked us to wait this many seconds (Telegram's 429).
    """

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Messenger(Protocol):
    """A front that can send a neutral reply to a chat address."""

    name: str

    async def send(self, chat_id: str, reply: Reply, *, retry: bool = True) -> str | None:
        """Send or edit one message; return the id of the message shown (``None`` when nothing was shown).

        With ``retry=False`` one attempt is made and every failure raises :class:`DeliveryFailed` (the delivery
        worker schedules retries itself); with ``retry=True`` transient failures are retried in place.
        """
        ...
