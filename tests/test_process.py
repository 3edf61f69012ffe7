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
from tests.chats import SignalChat
from tests.conftest import SECRET
from tests.fakebot import FakeBotAPI
from tests.fakesignal import FakeSignal

ROOT = Path(__file__).resolve().parent.parent
ES = Translator("es").catalogs["es"]
EN = Translator("en").catalogs["en"]


def spawn(api: FakeBotAPI, tmp_path: Path, log_level: str = "WARNING",
          signal_fake: FakeSignal | None = None) -> subprocess.Popen[bytes]:
    extra = {"SIGNAL_RPC_URL": signal_fake.url, "SIGNAL_ACCOUNT": signal_fake.account} if signal_fake else {}
    env = {**os.environ, **extra, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "DATABASE_PATH": str(tmp_path / "vecinos.db"), "SECRET_KEY": SECRET, "DEFAULT_LANGUAGE": "en",
           "RATE_LIMIT_PER_SECOND": "0", "LOG_LEVEL": log_level, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


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
    proc = spawn(api, tmp_path, log_level="DEBUG", signal_fake=signal_fake)  # even at DEBUG: no secrets logged
    beto = SignalChat(signal_fake, "+13125550142")
    try:
        await wait_polling(api, proc, 0)
        await signal_fake.wait_for_listener(timeout=30)
        await beto.send("/reportar")
        await beto.press(EN["report.activity.street"])
        said = await beto.send("47th and Ashland")
        assert plain(EN["report.q_when"]) in said[-1].text
        ana = api.user(70123456, language_code="es-MX")
        shown = await ana.send("/start", quiet=0.3)
        assert shown[0].text == ES["core.welcome"]  # es-MX → Spanish, although the default is English
        await ana.press("Español", quiet=0.3)
        await ana.send("/reportar", quiet=0.3)
        await ana.press(ES["report.activity.checkpoint"], quiet=0.3)
        shown = await ana.send("Pilsen", quiet=0.3)
        assert ES["report.q_when"] in shown[-1].text
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        debug_log = proc.stdout.read().decode() if proc.stdout else ""
        assert "DEBUG" in debug_log  # the level really was DEBUG
        for secret in (api.token, "Pilsen", "/reportar", "70123456", "+13125550142", beto.user_id, "Ashland"):
            assert secret not in debug_log, secret
    finally:
        if proc.poll() is None:
            proc.kill()
    polls = len(api.calls_to("getUpdates"))
    proc = spawn(api, tmp_path, signal_fake=signal_fake)
    try:
        await wait_polling(api, proc, polls)
        await signal_fake.wait_for_listener(timeout=30)
        said = await beto.press(EN["report.when.15m"])
        assert plain(EN["report.q_agents"]) in said[-1].text  # Beto's report too, at its next step
        shown = await ana.press(ES["report.when.1h"], quiet=0.3)
        assert ES["report.q_agents"] in shown[-1].text  # the same report, at the next step
        await ana.press(ES["report.agents.unknown"], quiet=0.3)
        shown = await ana.press(ES["report.vehicles.0"], quiet=0.3)
        assert ES["report.q_markings"] in shown[-1].text
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(proc.wait, 15)
        assert time.monotonic() - started < 10
        assert code == 0
        output = proc.stdout.read().decode() if proc.stdout else ""
        assert "Traceback" not in output
        assert api.token not in output and "Pilsen" not in output  # neither the token nor message text logged
    finally:
        if proc.poll() is None:
            proc.kill()
