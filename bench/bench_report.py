"""Issue 4: what one full report costs in bot CPU — Vecinos vs a bare PTB echo bot on the same updates.

Run from the repository root: ``python bench/bench_report.py [--reporters 100] [--timeout 30]``.

K reporters run concurrently through every step of a report: /report → activity → pin location → when → agents
→ vehicles → markings → skip details → send (9 updates each), each waiting for the bot's complete answer to a
step before the next. The bot process's CPU time (``time.process_time()``: all its threads, so aiosqlite's too)
is measured over the run and until the durable outbox has delivered the moderators' cards. The fake Bot API and
the reporters run in a child process (as in bench_delivery) so that their CPU is not counted. The same updates
are then sent to a bare PTB echo bot (same Application settings). Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_start import (  # noqa: E402
    PTB_SETTINGS,
    EchoBot,
    FakeApiProcess,
    Step,
    VecinosBot,
    measure,
    print_header,
    print_row,
    serve_fake_api,
)

MOD_CHAT = -100777
# Pins on land inside Chicago (Pilsen, Little Village, Back of the Yards, Humboldt Park, Albany Park); each
# reporter's pin is one of these moved by up to ~500 m.
PINS = [(41.8565, -87.6650), (41.8470, -87.7050), (41.8088, -87.6648), (41.9020, -87.7210), (41.9680, -87.7130)]
LANGS = ["en"]


def report_steps(index: int) -> list[Step]:
    rnd = random.Random(index)
    lat, lon = rnd.choice(PINS)
    pin = (round(lat + rnd.uniform(-0.004, 0.004), 5), round(lon + rnd.uniform(-0.005, 0.005), 5))
    return [("text", "/report"), ("press", "Agents at a home"), ("location", pin), ("press", "Right now"),
            ("press", "3–5"), ("press", "2–3"), ("press", "ICE"), ("press", "Skip"), ("press", "Send")]


def report_scenario(users: int, first_id: int) -> list[list[Step]]:
    return [report_steps(first_id + i) for i in range(users)]


class CheckedVecinos(VecinosBot):
    """Vecinos that, before stopping, counts what it stored and delivered (to check the run did what it says)."""

    async def stop(self) -> None:
        db = self.app.services.db
        row = await db.fetchone("SELECT COUNT(*) AS n FROM reports")
        self.reports = int(row["n"]) if row else 0
        self.outbox = (await self.app.services.outbox.repo.counts()).as_dict()
        await super().stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-fake-api", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reporters", type=int, default=100, help="concurrent reporters (default 100)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one step's answer")
    args = parser.parse_args()
    if args.serve_fake_api:
        await serve_fake_api(report_scenario)
        return

    k = args.reporters
    steps = len(report_steps(0))
    print(f"bench_report: {k} concurrent reporters × {steps} updates (/report, activity, pin, when, agents, vehicles, "
          "markings, skip details, send); fake Bot API + reporters in a child process; bot CPU = "
          "time.process_time() of this process over the run (+ delivering the moderators' cards).", flush=True)
    print(f"Same PTB settings for both bots: {PTB_SETTINGS}. Vecinos: moderator chat set, reports_per_hour high, "
          "report_cooldown_seconds=0, rate_limit_per_second=0, delivery 1000 msg/s.", flush=True)
    fake = FakeApiProcess(__file__)
    base_url = await fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bot = CheckedVecinos(base_url, Path(tmp), moderator_chat_id=MOD_CHAT, reports_per_hour=1_000_000,
                                 report_cooldown_seconds=0)
            vec = await measure(bot, fake, k, 1_000_000, args.timeout, LANGS, drain=True)
        echo = await measure(EchoBot(base_url), fake, k, 2_000_000, args.timeout, LANGS)
    finally:
        await fake.stop()

    print_header()
    print_row("Vecinos", vec)
    print_row("echo", echo)
    vec_ups, echo_ups = vec["updates"] / vec["bot_cpu"], echo["updates"] / echo["bot_cpu"]
    reports_done = vec["complete"] // steps
    print(f"\nVecinos: {reports_done / vec['bot_cpu']:.1f} reports per CPU-second "
          f"({vec['bot_cpu'] / max(reports_done, 1) * 1000:.1f} ms CPU per report; "
          f"{vec['bot_cpu_answers']:.2f} s CPU until the last answer, {vec['bot_cpu']:.2f} s with the cards delivered)")
    print(f"updates per CPU-second: Vecinos {vec_ups:.1f}, echo {echo_ups:.1f}; ratio Vecinos/echo = "
          f"{vec_ups / echo_ups:.2f}  (echo equivalent: {echo_ups / steps:.1f} 'reports' per CPU-second)")
    print(f"answering Bot API calls per update: Vecinos {vec['answer_calls'] / vec['updates']:.2f}, "
          f"echo {echo['answer_calls'] / echo['updates']:.2f};  bot CPU per answering call: "
          f"Vecinos {vec['bot_cpu'] / vec['answer_calls'] * 1000:.2f} ms, "
          f"echo {echo['bot_cpu'] / echo['answer_calls'] * 1000:.2f} ms (Vecinos also sends 2 calls per card)")
    print(f"wall throughput: Vecinos {vec['updates'] / vec['wall']:.1f} updates/s, "
          f"echo {echo['updates'] / echo['wall']:.1f} updates/s")
    cards = bot.outbox.get("sent", 0)
    print(f"sanity: Vecinos stored {bot.reports} reports (expected {k + 1} incl. the calibration reporter), "
          f"outbox {bot.outbox}; steps answered completely: Vecinos {vec['complete']}/{vec['updates']}, "
          f"echo {echo['complete']}/{echo['updates']}; answering calls per step {vec['expected_per_step']}")
    if bot.reports != k + 1 or vec["timeouts"] or cards < k + 1:
        print("sanity: WARNING — not every report went through; the figures above are not per full report.")


if __name__ == "__main__":
    asyncio.run(main())
