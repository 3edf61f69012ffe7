"""What every messenger front offers the rest of the system, without naming any messenger library."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from bot.chat import Event, Reply

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services import Services


class WithholdUpdateContent(logging.Filter):
    """Messenger libraries' own log records may carry an update or API parameters in their arguments (PTB logs
    an update it cannot parse at CRITICAL, with the chat id and the sender's first name). Keep the record, its
    level and its traceback, never the arguments: no chat id, name or message text reaches a log. Installed on
    the log handlers by ``python -m bot`` for the loggers named in ``prefixes``."""

    def __init__(self, prefixes: tuple[str, ...] = ("telegram", "httpx", "httpcore")) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        if record.args:
            text = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
            record.msg = f"{text} [details withheld: they may contain an update]"
            record.args = ()
        elif not isinstance(record.msg, str):
            record.msg = f"<{type(record.msg).__name__} withheld>"
        return True


class DeliveryFailed(Exception):
    """A message could not be delivered.

    ``permanent``: retrying cannot help (the user blocked the bot, the chat is gone); the recipient should be
    marked inactive. ``retry_after``: the messenger asked us to wait this many seconds (Telegram's 429, Signal's
    rate-limit answer). ``reason`` is a short code such as ``forbidden``, ``bad_request``, ``flood_limit``.
    """

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None,
                 whole_account: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.whole_account = whole_account  # the wait applies to every chat of this messenger (Signal)


class Messenger(Protocol):
    """A front's sending side: a neutral reply to a chat address. Used for direct answers and by the worker."""

    name: str

    async def send(self, chat_id: str, reply: Reply, *, retry: bool = True) -> str | None:
        """Send or edit one message; return the id of the message shown (``None`` when nothing was shown).

        With ``retry=False`` one attempt is made and every failure raises :class:`DeliveryFailed` (the delivery
        worker schedules retries itself); with ``retry=True`` transient failures are retried in place.
        """
        ...


class Front(Protocol):
    """A running messenger connection: receives updates, parses them into events and hands them to a
    :class:`bot.fronts.dispatch.Dispatcher`. :mod:`bot.app` starts and stops every configured front."""

    name: str
    messenger: Messenger

    async def start(self) -> None:
        """Connect (and check credentials); receive nothing yet."""

    async def listen(self) -> None:
        """Begin receiving; called once the app's delivery worker can send for this front."""

    async def stop(self) -> None: ...


class Router(Protocol):
    async def handle(self, event: Event) -> list[Reply]: ...


class Host(Protocol):
    """What a front may use of the running app (:class:`bot.app.App` is one). A protocol, so that fronts never
    import the app that imports them."""

    services: Services
    router: Router

    @property
    def settings(self) -> Settings: ...

    def languages(self) -> tuple[str, ...]: ...

    def command_menu(self, lang: str) -> list[tuple[str, str]]: ...

    async def start_fronts(self, fronts: list[Front]) -> None: ...

    async def stop_fronts(self) -> None: ...
