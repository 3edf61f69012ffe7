"""Delivery throughput as a fraction of the configured rate, against the fake Bot API on loopback.

Run from the repository root: ``python bench/bench_delivery.py [--fake-in-process]``. For each configured rate it
queues N alerts (one per user) in one transaction, starts the delivery worker with the real PTB stack and measures
the rate at which the fake Bot API received the sends (first to last). The goal is ≥ 0.95 of the configured rate.

By default the fake Bot API runs in a child process, as Telegram would be another machine: in one process the
fake server's own CPU time would be charged to the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App  # noqa: E402
from bot.chat import Reply, Sender  # noqa: E402
from bot.delivery import DeliveryWorker, Outbox  # noqa: E402
from bot.fronts.telegram import TelegramFront  # noqa: E402
from storage.outbox import OutboxRepository  # noqa: E402
from tests.delivery_child import settings_for  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

# (configured rate, messages, max_in_flight or None for the worker's default)
RUNS: list[tuple[float, int, int | None]] = [(25.0, 250, None), (500.0, 5000, None), (500.0, 5000, 8)]


async def serve_fake_api() -> None:
    """Child mode: run the fake Bot API, print its URL, and on stdin EOF print the send timestamps."""
    api = FakeBotAPI()
    print(await api.start(), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    sends = [c.at for c in api.calls_to("sendMessage") if c.status == 200]
    print(" ".join(f"{t:.6f}" for t in sends), flush=True)
    await api.stop()


class FakeApiProcess:
    async def start(self) -> str:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve-fake-api", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        assert self.proc.stdout is not None
        return (await self.proc.stdout.readline()).decode().strip()

    async def send_times(self) -> list[float]:
        out, _ = await self.proc.communicate(b"")
        return [float(t) for t in out.decode().split()]


class FakeApiInProcess:
    async def start(self) -> str:
        self.api = FakeBotAPI()
        return await self.api.start()

    async def send_times(self) -> list[float]:
        times = [c.at for c in self.api.calls_to("sendMessage") if c.status == 200]
        await self.api.stop()
        return times


async def measure(rate: float, count: int, in_flight: int | None, in_process: bool) -> None:
    fake = FakeApiInProcess() if in_process else FakeApiProcess()
    base_url = await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        app = await App.create(settings_for(Path(tmp) / "bench.db", base_url))
        front = TelegramFront(app)
        await front.application.initialize()
        repo = OutboxRepository(app.services.db)
        outbox = Outbox(repo, app.services.keyring)
        keys = [(await app.services.users.identify(Sender("telegram", str(i), str(i)))).key
                for i in range(10_000, 10_000 + count)]
        async with app.services.db.transaction() as conn:
            for key in keys:
                await outbox.to_user(conn, key, Reply("⚠️ Alert: activity reported near you"), kind="alert",
                                     ref="alert:1")
        worker = DeliveryWorker(app.services.db, repo, app.services.users, app.services.keyring,
                                {"telegram": front.messenger}, rate_per_second=rate, max_in_flight=in_flight)
        started = time.monotonic()
        await worker.start()
        while True:
            counts = await repo.counts()
            if counts.queued + counts.sending == 0:
                break
            await asyncio.sleep(0.05)
        wall = time.monotonic() - started
        await worker.stop()
        await front.application.shutdown()
        await app.close()
    times = await fake.send_times()
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    print(f"rate {rate:>6.0f} msg/s  N={count:<5}  sent {len(times):<5}  achieved {achieved:7.1f} msg/s  "
          f"fraction {achieved / rate:.3f}  (wall {wall:.1f} s, in_flight≤{worker.max_in_flight}, "
          f"fake API {'in-process' if in_process else 'child process'})", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-fake-api", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fake-in-process", action="store_true")
    args = parser.parse_args()
    if args.serve_fake_api:
        await serve_fake_api()
        return
    try:
        import sniffio  # noqa: F401
    except ImportError:
        print("note: sniffio is not installed; httpcore then retries that import (a sys.path scan) on every "
              "request, which costs about a fifth of the CPU at 500 msg/s. pip install sniffio.", flush=True)
    for rate, count, in_flight in RUNS:
        await measure(rate, count, in_flight, args.fake_in_process)


if __name__ == "__main__":
    asyncio.run(main())
