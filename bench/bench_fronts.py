"""Issue 10: throughput with both fronts up vs Telegram alone, for the same load.

Run from the repository root: ``python bench/bench_fronts.py [--users 100] [--rounds 3]``.

The same conversation load is played twice against the real app on a fresh SQLite file:
  A. Telegram alone: every user on Telegram (fake Bot API), only the Telegram front running;
  B. both fronts: the same number of users, half on Telegram and half on Signal (fake signal-cli), both fronts up
     in one process with one delivery worker (as ``python -m bot run`` with both configured).
Each user, concurrently with the others: ``/start`` → pick the language → a rights question in their own words →
``/alertas``, each step waiting until the bot finished it (the fronts' "handled" signal, not a quiet period).
Throughput = steps handled per second of wall time. The fakes run in this process too (in both runs alike), so
the figures compare the fronts, not absolute capacity. Goal: B ≥ 0.8 × A. Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App  # noqa: E402
from bot.config import Settings  # noqa: E402
from tests.chats import Chat, SignalChat, TelegramChat  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402
from tests.fakesignal import FakeSignal  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
STEPS = 4


def settings(db: Path, api: FakeBotAPI, fake: FakeSignal | None) -> Settings:
    values = {"telegram_bot_token": api.token, "telegram_api_base_url": api.base_url, "database_path": db,
              "secret_key": SECRET, "default_language": "es", "rate_limit_per_second": 0,
              "delivery_rate_per_second": 1000, "signal_rate_per_second": 1000, "delivery_per_chat_interval": 0,
              "telegram_poll_timeout": 1,
              "log_level": "WARNING"}
    if fake is not None:
        values.update(signal_rpc_url=fake.url, signal_account=fake.account)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def conversation(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Español")
    await chat.send("la migra esta en mi puerta q hago")
    await chat.send("/alertas")


async def run(users: int, both: bool) -> float:
    api = FakeBotAPI()
    await api.start()
    fake = FakeSignal() if both else None
    if fake is not None:
        await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        app = await App.create(settings(Path(tmp) / "bench.db", api, fake))
        fronts = app.configured_fronts()
        await app.start_fronts(fronts)
        by_name = {f.name: f for f in fronts}
        api.handled = lambda uid: uid in by_name["telegram"].dispatcher.handled  # type: ignore[attr-defined]
        if fake is not None:
            fake.handled = lambda ts: ts in by_name["signal"].dispatcher.handled  # type: ignore[attr-defined]
            await fake.wait_for_listener()
        chats: list[Chat] = []
        for n in range(users):
            if both and n % 2:
                chats.append(SignalChat(fake, f"+1312{5000000 + n:07d}"))  # type: ignore[arg-type]
            else:
                chats.append(TelegramChat(api, 10_000 + n, "es"))
        started = time.perf_counter()
        await asyncio.gather(*(conversation(c) for c in chats))
        elapsed = time.perf_counter() - started
        await app.close()
    await api.stop()
    if fake is not None:
        await fake.stop()
    return users * STEPS / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    alone, both = [], []
    for _ in range(args.rounds):  # alternate, so that drift (caches, other load) hits both alike
        alone.append(await run(args.users, both=False))
        both.append(await run(args.users, both=True))
    a, b = statistics.median(alone), statistics.median(both)
    print(f"{args.users} concurrent users × {STEPS} steps, {args.rounds} rounds (median):")
    print(f"  A. Telegram alone:            {a:7.1f} steps/s   (runs: {', '.join(f'{x:.1f}' for x in alone)})")
    print(f"  B. Telegram + Signal (50/50): {b:7.1f} steps/s   (runs: {', '.join(f'{x:.1f}' for x in both)})")
    print(f"  ratio B/A = {b / a:.2f}  (goal ≥ 0.8)")


if __name__ == "__main__":
    asyncio.run(main())
