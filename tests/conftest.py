"""Shared fixtures: a fake Bot API on loopback, a real SQLite file per test, and the real PTB stack."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import Settings
from bot.fronts.telegram import TelegramFront
from tests.fakebot import FakeBotAPI
from tests.fakesignal import FakeSignal

SECRET = "test-secret-key-that-is-long-enough-0123456789"
# Every bot the tests start (in this process, in xdist workers and in child processes, which inherit the environment)
# loads the rights search's trained model from one shared folder instead of training it again: files are named by a
# digest of the content and the code, so a stale one is never used. Set FAQ_CACHE_DIR to override.
os.environ.setdefault("FAQ_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"vecinos-test-faq-cache-{os.getuid()}"))


def outbox_has_due_rows(path: Path) -> Callable[[], bool]:
    """A read-only look at the bot's outbox (WAL lets a second reader in): messages due now or being sent."""

    def pending() -> bool:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT EXISTS(SELECT 1 FROM outbox WHERE status = 'sending' OR (status = 'queued' "
                               "AND (not_before IS NULL OR not_before <= ?)))", (time.time(),)).fetchone()
            return bool(row[0])
        except sqlite3.OperationalError:  # not migrated yet, or busy for a moment
            return False
        finally:
            conn.close()

    return pending


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": "123456:TEST-token",
            "database_path": tmp_path / "vecinos.db",
            "secret_key": SECRET,
            "default_language": "es",
            "rate_limit_per_second": 0,
            "delivery_rate_per_second": 1000,
            "signal_rate_per_second": 1000,
            "delivery_per_chat_interval": 0,
            "delivery_group_per_minute": 100000,
            # Fault-injection tests: retries wait milliseconds, not seconds (the logic is the same).
            "telegram_retry_base_delay": 0.02,
            "delivery_base_backoff": 0.05,
            "telegram_poll_timeout": 1,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


class RunningBot:
    """The real Vecinos app + PTB Application polling the fake API; can be restarted on the same database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: App | None = None
        self.front: TelegramFront | None = None

    async def start(self) -> RunningBot:
        self.app = await App.create(self.settings)
        self.front = TelegramFront(self.app)
        await self.app.start_fronts([self.front])
        return self

    def handled(self, update_id: int) -> bool:
        """The bot finished this update: its replies were sent or handed to the outbox."""
        return self.front is not None and update_id in self.front.dispatcher.handled

    async def stop(self) -> None:
        if self.app:
            await self.app.close()
        self.front = self.app = None


@pytest.fixture
async def start_bot(api: FakeBotAPI, make_settings: Callable[..., Settings]) -> AsyncIterator[Callable[..., Any]]:
    running: list[RunningBot] = []

    async def start(**overrides: Any) -> RunningBot:
        overrides.setdefault("telegram_api_base_url", api.base_url)
        bot = await RunningBot(make_settings(**overrides)).start()
        due = outbox_has_due_rows(bot.settings.database_path)
        # Only while its delivery worker runs (tests stop it on purpose to hold messages in the outbox).
        api.pending_work = lambda: bot.app is not None and bot.app.worker is not None and due()
        api.handled = bot.handled
        running.append(bot)
        return bot

    yield start
    for bot in running:
        await bot.stop()


@pytest.fixture
async def bot(start_bot: Callable[..., Any]) -> RunningBot:
    return await start_bot()


@pytest.fixture
async def signal_fake() -> AsyncIterator[FakeSignal]:
    server = FakeSignal()
    await server.start()
    yield server
    await server.stop()


class BothFronts:
    """The real app with its Telegram and Signal fronts (as ``python -m bot run`` starts them), each against its
    fake server, on one SQLite file."""

    def __init__(self, settings: Settings, api: FakeBotAPI, fake: FakeSignal) -> None:
        self.settings, self.api, self.fake = settings, api, fake
        self.app: App | None = None

    async def start(self) -> BothFronts:
        self.app = await App.create(self.settings)
        fronts = self.app.configured_fronts()
        assert [f.name for f in fronts] == ["telegram", "signal"]
        await self.app.start_fronts(fronts)
        by_name = {f.name: f for f in fronts}
        due = outbox_has_due_rows(self.settings.database_path)
        pending = lambda: self.app is not None and self.app.worker is not None and due()  # noqa: E731
        self.api.pending_work = self.fake.pending_work = pending
        self.api.handled = lambda update_id: update_id in by_name["telegram"].dispatcher.handled  # type: ignore
        self.fake.handled = lambda ts: ts in by_name["signal"].dispatcher.handled  # type: ignore
        await self.fake.wait_for_listener()
        return self

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.close()
            self.app = None


@pytest.fixture
async def start_both(api: FakeBotAPI, signal_fake: FakeSignal,
                     make_settings: Callable[..., Settings]) -> AsyncIterator[Callable[..., Any]]:
    running: list[BothFronts] = []

    async def start(**overrides: Any) -> BothFronts:
        overrides.setdefault("telegram_api_base_url", api.base_url)
        overrides.setdefault("signal_rpc_url", signal_fake.url)
        overrides.setdefault("signal_account", signal_fake.account)
        bot = await BothFronts(make_settings(**overrides), api, signal_fake).start()
        running.append(bot)
        return bot

    yield start
    for bot in running:
        await bot.stop()
