"""A bot process for the SIGKILL test: queue a fan-out and/or run the delivery worker until nothing is left.

Run from the repository root:
``python -m tests.delivery_child --db F --base-url U [--enqueue N] [--rate R] [--in-flight K]``.
It sends through the real PTB stack to ``--base-url`` (a fake Bot API in another process), prints one line
``READY`` once its queue is written and one JSON line with the outbox counts when nothing is left to send.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.app import App
from bot.chat import Reply, Sender
from bot.config import Settings
from bot.delivery import DeliveryWorker, Outbox
from bot.fronts.telegram import TelegramFront
from storage.outbox import OutboxRepository

SECRET = "test-secret-key-that-is-long-enough-0123456789"
FIRST_USER_ID = 500_000


def settings_for(db: Path, base_url: str) -> Settings:
    return Settings(_env_file=None, telegram_bot_token="123456:TEST-token", database_path=db,  # type: ignore[call-arg]
                    secret_key=SECRET, rate_limit_per_second=0, telegram_api_base_url=base_url)


async def enqueue(app: App, outbox: Outbox, count: int, ref: str) -> None:
    """Create ``count`` users and queue one alert for each, in one transaction (as an approval would)."""
    keys = []
    for n in range(count):
        uid = str(FIRST_USER_ID + n)
        keys.append((await app.services.users.identify(Sender("telegram", uid, uid))).key)
    async with app.services.db.transaction() as conn:
        for key in keys:
            await outbox.to_user(conn, key, Reply(f"⚠️ Alert {ref}"), kind="alert", ref=ref)


async def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--enqueue", type=int, default=0)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--in-flight", type=int, default=None)
    args = parser.parse_args(argv)

    app = await App.create(settings_for(args.db, args.base_url))
    front = TelegramFront(app)
    await front.application.initialize()
    repo = OutboxRepository(app.services.db)
    outbox = Outbox(repo, app.services.keyring)
    if args.enqueue:
        await enqueue(app, outbox, args.enqueue, "alert:1")
    print("READY", flush=True)
    worker = DeliveryWorker(app.services.db, repo, app.services.users, app.services.keyring,
                            {"telegram": front.messenger}, rate_per_second=args.rate, base_backoff=0.05,
                            max_in_flight=args.in_flight)
    outbox.listen(worker.wake)
    await worker.start()
    while True:
        counts = await repo.counts()
        if counts.queued + counts.sending == 0:
            break
        await asyncio.sleep(0.1)
    await worker.stop()
    print(json.dumps(counts.as_dict()), flush=True)
    await front.application.shutdown()
    await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
