"""The real process: `python -m bot run` against the fake Bot API, killed with SIGKILL mid-flow and restarted;
a SIGTERM shuts it down cleanly within 10 s."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.fronts.signal import plain
from i18n import Translator
from tests.chats import SignalChat, options_in
from tests.conftest import SECRET
from tests.fakebot import FakeBotAPI
from tests.fakesignal import FakeSignal

ROOT = Path(__file__).resolve().parent.parent
ES = Translator("es").catalogs["es"]
EN = Translator("en").catalogs["en"]


def spawn(api: FakeBotAPI, tmp_path: Path, log_level: str = "WARNING",
          signal_fake: FakeSignal | None = None, name: str = "bot") -> tuple[subprocess.Popen[bytes], Path]:
    """`python -m bot run` with both fronts configured; its output goes to a file (a pipe nobody reads during
    the test could fill and stall the bot)."""
    extra = {"SIGNAL_RPC_URL": signal_fake.url, "SIGNAL_ACCOUNT": signal_fake.account} if signal_fake else {}
    env = {**os.environ, **extra, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "DATABASE_PATH": str(tmp_path / "vecinos.db"), "SECRET_KEY": SECRET, "DEFAULT_LANGUAGE": "en",
           "RATE_LIMIT_PER_SECOND": "0", "LOG_LEVEL": log_level, "PYTHONPATH": str(ROOT),
           "TELEGRAM_POLL_TIMEOUT": "1", "SIGNAL_RATE_PER_SECOND": "100", "DELIVERY_PER_CHAT_INTERVAL": "0"}
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    return proc, log


async def until(predicate, what: str, timeout: float = 20.0) -> None:
    """Wait for the state a test asserts (another process answers when it answers), never a fixed time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(what)


async def tg(user, action: str, arg: str, expect: str) -> None:
    """One Telegram step: send or press without a quiet period, then wait until ``expect`` is shown."""
    before = {m.message_id: m.text for m in user.seen()}
    if action == "send":
        await user.send(arg, settle=False)
    else:
        await user.press(arg, settle=False)
    await until(lambda: any(expect in m.text and before.get(m.message_id) != m.text for m in user.seen()),
                f"telegram: {expect!r}")  # a new message, or one edited in place


async def sig(chat: SignalChat, text_or_label: str, expect: str, *, press: bool = False) -> None:
    """One Signal step: type a text (or the number of an option), then wait until ``expect`` is shown."""
    before = len(chat.user.seen())
    text = text_or_label
    if press:
        text = next(code for message in reversed(chat.user.seen())
                    for label, code in options_in(message.text).items() if text_or_label in label)
    await chat.user.send(text, settle=False)
    await until(lambda: any(expect in m.text for m in chat.user.seen()[before:]), f"signal: {expect!r}")


async def wait_polling(api: FakeBotAPI, proc: subprocess.Popen[bytes], after: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode() if proc.stdout else "bot exited")
        if len(api.calls_to("getUpdates")) > after:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot never polled")


async def test_sigkill_mid_report_resumes_and_sigterm_is_clean(api: FakeBotAPI, signal_fake: FakeSignal,
                                                               tmp_path: Path) -> None:
    """Both fronts up (Telegram and Signal, as `python -m bot run` starts them when both are configured): a
    resident on each is half-way through a report when the process is killed; after a restart both go on."""
    proc, log = spawn(api, tmp_path, log_level="DEBUG", signal_fake=signal_fake)  # DEBUG: still no secrets
    beto = SignalChat(signal_fake, "+13125550142")
    ana = api.user(70123456, language_code="es-MX")
    try:
        await wait_polling(api, proc, 0)
        await signal_fake.wait_for_listener(timeout=30)
        await sig(beto, "/reportar", plain(EN["report.q_activity"]))
        await sig(beto, EN["report.activity.street"], "Where?", press=True)
        await sig(beto, "47th and Ashland", plain(EN["report.q_when"]))
        await tg(ana, "send", "/start", ES["core.welcome"])  # es-MX → Spanish, although the default is English
        await tg(ana, "press", "Español", ES["core.menu_title"])
        await tg(ana, "send", "/reportar", ES["report.q_activity"])
        await tg(ana, "press", ES["report.activity.checkpoint"], "Dónde")
        await tg(ana, "send", "Pilsen", ES["report.q_when"])
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        debug_log = log.read_text(errors="replace")
        assert "DEBUG" in debug_log  # the level really was DEBUG
        for secret in (api.token, "Pilsen", "/reportar", "70123456", "+13125550142", beto.user_id, "Ashland"):
            assert secret not in debug_log, secret
    finally:
        if proc.poll() is None:
            proc.kill()
    polls = len(api.calls_to("getUpdates"))
    proc, log = spawn(api, tmp_path, signal_fake=signal_fake, name="restarted")
    try:
        await wait_polling(api, proc, polls)
        await signal_fake.wait_for_listener(timeout=30)
        await sig(beto, EN["report.when.15m"], plain(EN["report.q_agents"]), press=True)  # Beto's report goes on
        await tg(ana, "press", ES["report.when.1h"], ES["report.q_agents"])  # the same report, at the next step
        await tg(ana, "press", ES["report.agents.unknown"], ES["report.q_vehicles"])
        await tg(ana, "press", ES["report.vehicles.0"], ES["report.q_markings"])
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 15)
        assert time.monotonic() - started < 10
        assert code == 0
        output = log.read_text(errors="replace")
        assert "Traceback" not in output
        assert api.token not in output and "Pilsen" not in output  # neither the token nor message text logged
    finally:
        if proc.poll() is None:
            proc.kill()
