"""Issue 2: /start and language switching — Vecinos vs a bare PTB echo bot, on the same fake Bot API.

Run from the repository root: ``python bench/bench_start.py [--users 200] [--timeout 20]``.

N users run concurrently; each goes ``/start`` → press the (guessed) language → ``/language`` → press the other
language, waiting for the bot's complete answer to a step before its next step. The same scenario is then played
against a bare PTB echo bot (a MessageHandler that echoes text, a CallbackQueryHandler that answers and edits).

The fake Bot API and the simulated users run in a child process (Telegram is another machine): this process
holds only the bot, so its CPU time is the bot's. The child records, per update, when it was pushed and when the
bot's first answering call for that chat arrived (sendMessage / editMessageText / answerCallbackQuery / …), and
when the step's last answering call arrived (the number of calls per step is calibrated by one unhurried user
first). Goal from issue 2: Vecinos throughput ≥ 0.8 × echo. Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakebot import FakeBotAPI, FakeUser, Shown, _int  # noqa: E402

TOKEN = "123456:TEST-token"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
ANSWER_METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery", "sendLocation", "sendVenue",
                  "editMessageReplyMarkup")
PTB_SETTINGS = ("concurrent_updates=True (256), no rate limiter, Defaults(parse_mode=HTML, link previews off), "
                "long polling timeout=1 s, allowed_updates=[message, callback_query]")

# A step: ("text", "/start"), ("press", 0 | "label"), ("location", (lat, lon)).
Step = tuple[str, Any]
START_SCENARIO: list[Step] = [("text", "/start"), ("press", 0), ("text", "/language"), ("press", 1)]


# ==================================================================================== child: fake API + users
@dataclass
class Pending:
    """One pushed update of one chat, waiting for the bot's answering calls."""

    pushed: float
    expected: int | None
    first: float | None = None
    last: float | None = None
    count: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)


class TimedAPI(FakeBotAPI):
    """The fake Bot API, recording for each chat's latest update when the bot's answering calls arrived."""

    def __init__(self) -> None:
        super().__init__(TOKEN)
        self.pending: dict[int, Pending] = {}
        self.query_chat: dict[str, int] = {}
        self.answer_calls = 0

    def _answered(self, chat_id: int) -> None:
        self.answer_calls += 1
        p = self.pending.get(chat_id)
        if p is None:
            return
        now = time.monotonic()
        p.count += 1
        if p.first is None:
            p.first = now
        p.last = now
        if p.expected is not None and p.count >= p.expected:
            p.done.set()

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._m_sendMessage(params)
        self._answered(_int(params.get("chat_id")))
        return result

    async def _m_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._m_sendLocation(params)
        self._answered(_int(params.get("chat_id")))
        return result

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super()._m_editMessageText(params)
        finally:
            self._answered(_int(params.get("chat_id")))

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        result = await super()._m_editMessageReplyMarkup(params)
        self._answered(_int(params.get("chat_id")))
        return result

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self._answered(self.query_chat.pop(str(params.get("callback_query_id")), 0))
        return True

    # -- building a user's update --------------------------------------------------------------------
    def build_update(self, user: FakeUser, step: Step) -> dict[str, Any]:
        kind, arg = step
        if kind == "text":
            content: dict[str, Any] = {"text": arg}
            if arg.startswith("/"):
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(arg.split()[0])}]
            return {"message": user._message(**content)}
        if kind == "location":
            return {"message": user._message(location={"latitude": arg[0], "longitude": arg[1]})}
        if kind == "press":
            message, data = self._target(user, arg)
            query_id = str(next(self._message_ids))
            self.query_chat[query_id] = user.id
            return {"callback_query": {"id": query_id, "from": user._from(), "chat_instance": "ci", "data": data,
                                       "message": self._message_json(message)}}
        raise ValueError(kind)

    def _target(self, user: FakeUser, arg: int | str) -> tuple[Shown, str]:
        """The button to press: by index on the latest message with buttons, or by label. A bot without buttons
        (the echo bot) gets a press on its latest message with made-up data."""
        shown = self.transcript(user.id)
        with_buttons = [m for m in shown if m.buttons]
        if isinstance(arg, int) and with_buttons:
            message = with_buttons[-1]
            datas = [b["callback_data"] for row in message.buttons for b in row]
            if arg < len(datas):
                return message, datas[arg]
        if isinstance(arg, str):
            for message in reversed(with_buttons):
                if any(arg in label for label in message.button_labels):
                    return message, message.button_data(arg)
        if not shown:
            raise RuntimeError(f"user {user.id}: nothing to press")
        return shown[-1], f"echo:{arg}"[:64]


async def _play_step(api: TimedAPI, user: FakeUser, step: Step, expected: int | None, timeout: float,
                     quiet: float = 0.3) -> Pending:
    update = api.build_update(user, step)
    p = Pending(time.monotonic(), expected)
    api.pending[user.id] = p
    api.push_update(update)
    if expected is not None:
        try:
            await asyncio.wait_for(p.done.wait(), timeout)
        except TimeoutError:
            pass
        return p
    # calibration: wait for the first answer, then until the chat has been quiet for `quiet` seconds
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        if p.last is not None and time.monotonic() - p.last >= quiet:
            break
    return p


def _pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def calibrate(api: TimedAPI, steps: list[Step], user_id: int, timeout: float, lang: str) -> dict[str, Any]:
    """One unhurried user: how many answering calls each step gets, and the latency with nothing else going on."""
    api.updates.clear()  # a previous bot fetched (and answered) everything; nothing must be redelivered
    user = api.user(user_id, language_code=lang)
    expected: list[int] = []
    latency: list[float] = []
    for step in steps:
        p = await _play_step(api, user, step, None, timeout)
        expected.append(p.count)
        if p.first is not None:
            latency.append(p.first - p.pushed)
    return {"expected_per_step": expected, "unloaded_p50": _pct(latency, 50)}


async def run_scenario(api: TimedAPI, scenario: list[list[Step]], expected: list[int], first_id: int,
                       timeout: float, language_codes: list[str]) -> dict[str, Any]:
    """Play every user's steps concurrently (each waits for its step's answer); figures as a dict."""
    results: list[Pending] = []
    users = [api.user(first_id + i, language_code=language_codes[i % len(language_codes)])
             for i in range(len(scenario))]

    async def play(user: FakeUser, steps: list[Step]) -> None:
        for step, want in zip(steps, expected, strict=True):
            results.append(await _play_step(api, user, step, max(want, 1), timeout))

    calls_before = api.answer_calls
    cpu0, wall0 = time.process_time(), time.monotonic()
    await asyncio.gather(*(play(u, s) for u, s in zip(users, scenario, strict=True)))
    wall1, cpu1 = time.monotonic(), time.process_time()
    answered = [p for p in results if p.first is not None]
    complete = [p for p in results if p.expected is not None and p.count >= p.expected]
    latencies = [p.first - p.pushed for p in answered]  # type: ignore[operator]
    step_times = [p.last - p.pushed for p in complete]  # type: ignore[operator]
    start = min(p.pushed for p in results)
    end = max((p.last for p in complete), default=wall1)
    return {
        "updates": len(results), "answered": len(answered), "complete": len(complete),
        "timeouts": len(results) - len(complete), "wall": end - start, "driver_wall": wall1 - wall0,
        "answer_calls": api.answer_calls - calls_before, "expected_per_step": expected,
        "p50": _pct(latencies, 50), "p95": _pct(latencies, 95), "p99": _pct(latencies, 99),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "step_p50": _pct(step_times, 50), "step_p95": _pct(step_times, 95), "fake_cpu": cpu1 - cpu0,
    }


async def serve_fake_api(make_scenario: Callable[[int, int], list[list[Step]]]) -> None:
    """Child mode: serve the fake Bot API. Each stdin JSON line {"op", "users", "first_id", "timeout", "langs"}
    either calibrates (op "calibrate": user ``first_id - 1`` alone) or plays the scenario for users ``first_id …``
    concurrently (op "run") against whatever bot polls; the figures come back as one JSON line. EOF ends it."""
    api = TimedAPI()
    expected: list[int] = []
    print(await api.start(), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line.strip():
            break
        cmd = json.loads(line)
        scenario = make_scenario(cmd["users"] + 1, cmd["first_id"] - 1)
        if cmd["op"] == "calibrate":
            result = await calibrate(api, scenario[0], cmd["first_id"] - 1, cmd["timeout"], cmd["langs"][0])
            expected[:] = result["expected_per_step"]
            await asyncio.sleep(0.2)
        else:
            result = await run_scenario(api, scenario[1:], expected, cmd["first_id"], cmd["timeout"], cmd["langs"])
        print(json.dumps(result), flush=True)
    await api.stop()


class FakeApiProcess:
    """The child process running the fake API and the users (``script --serve-fake-api``)."""

    def __init__(self, script: str) -> None:
        self.script = script

    async def start(self) -> str:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, self.script, "--serve-fake-api", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        assert self.proc.stdout is not None
        return (await self.proc.stdout.readline()).decode().strip()

    async def play(self, op: str, users: int, first_id: int, timeout: float, langs: list[str]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((json.dumps({"op": op, "users": users, "first_id": first_id, "timeout": timeout,
                                           "langs": langs}) + "\n").encode())
        await self.proc.stdin.drain()
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fake API child ended")
        return json.loads(line)

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await self.proc.wait()


# ==================================================================================== parent: the bots
def vecinos_settings(db: Path, base_url: str, **overrides: Any) -> Any:
    from bot.config import Settings

    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN, "database_path": db, "secret_key": SECRET, "default_language": "es",
        "rate_limit_per_second": 0, "telegram_api_base_url": base_url, "delivery_rate_per_second": 1000,
        "delivery_per_chat_interval": 0, "delivery_group_per_minute": 100000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class VecinosBot:
    """The real App + TelegramFront (as tests/conftest.py starts it), on a temporary SQLite file."""

    name = "Vecinos"

    def __init__(self, base_url: str, tmp: Path, **overrides: Any) -> None:
        self.base_url, self.tmp, self.overrides = base_url, tmp, overrides

    async def start(self) -> None:
        from bot.app import App
        from bot.fronts.telegram import TelegramFront

        self.app = await App.create(vecinos_settings(self.tmp / "vecinos.db", self.base_url, **self.overrides))
        self.front = TelegramFront(self.app, poll_timeout=1)
        await self.app.start_fronts([self.front])

    async def drain(self, timeout: float = 60.0) -> None:
        """Wait until the durable outbox has nothing queued or in flight."""
        repo = self.app.services.outbox.repo
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = await repo.counts()
            if counts.queued + counts.sending == 0:
                return
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        await self.front.stop()
        await self.app.close()


class EchoBot:
    """A bare PTB bot with the same Application settings as Vecinos' TelegramFront."""

    name = "echo"

    def __init__(self, base_url: str) -> None:
        from telegram import LinkPreviewOptions, Update
        from telegram.constants import ParseMode
        from telegram.ext import Application, CallbackQueryHandler, ContextTypes, Defaults, MessageHandler, filters

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            assert message is not None
            text = html.escape(message.text) if message.text else "📍"
            await context.bot.send_message(message.chat_id, text)

        async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            assert query is not None
            await query.answer()
            await query.edit_message_text(f"pressed {html.escape(query.data or '')}")

        self.application = (
            Application.builder().token(TOKEN).base_url(base_url)
            .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .concurrent_updates(True).build()
        )
        self.application.add_handler(MessageHandler(filters.ALL, echo))
        self.application.add_handler(CallbackQueryHandler(pressed))

    async def start(self) -> None:
        await self.application.initialize()
        assert self.application.updater is not None
        await self.application.updater.start_polling(timeout=1, drop_pending_updates=False,
                                                     allowed_updates=["message", "callback_query"])
        await self.application.start()

    async def drain(self, timeout: float = 60.0) -> None:
        return None

    async def stop(self) -> None:
        assert self.application.updater is not None
        await self.application.updater.stop()
        await self.application.stop()
        await self.application.shutdown()


async def measure(bot: Any, fake: FakeApiProcess, users: int, first_id: int, timeout: float,
                  langs: list[str], *, drain: bool = False) -> dict[str, Any]:
    """Start a bot, play the scenario, and add this (bot) process's CPU time to the child's figures."""
    await bot.start()
    try:
        calibration = await fake.play("calibrate", users, first_id, timeout, langs)
        if drain:
            await bot.drain()
        cpu0 = time.process_time()
        result = await fake.play("run", users, first_id, timeout, langs)
        result["unloaded_p50"] = calibration["unloaded_p50"]
        result["bot_cpu_answers"] = time.process_time() - cpu0
        if drain:
            await bot.drain()
        result["bot_cpu"] = time.process_time() - cpu0
    finally:
        await bot.stop()
    return result


def start_scenario(users: int, first_id: int) -> list[list[Step]]:
    return [list(START_SCENARIO) for _ in range(users)]


def print_row(name: str, r: dict[str, Any]) -> None:
    throughput = r["updates"] / r["wall"] if r["wall"] > 0 else 0.0
    print(f"{name:<8} {r['updates']:>6} {r['wall']:>7.2f} {throughput:>9.1f} {r['p50'] * 1000:>8.1f} "
          f"{r['p95'] * 1000:>8.1f} {r['p99'] * 1000:>8.1f} {r['step_p95'] * 1000:>9.1f} "
          f"{r['unloaded_p50'] * 1000:>9.1f} {r['answer_calls']:>6} {r['bot_cpu']:>7.2f} {r['fake_cpu']:>8.2f} "
          f"{r['timeouts']:>4}  {r['expected_per_step']}", flush=True)


def print_header() -> None:
    print(f"{'bot':<8} {'updates':>6} {'wall s':>7} {'updates/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'step p95':>9} {'idle p50':>9} {'calls':>6} {'bot CPU':>7} {'fake CPU':>8} {'lost':>4}  "
          "answering calls per step", flush=True)


def compare(vec: dict[str, Any], echo: dict[str, Any], users: int) -> float:
    print_header()
    print_row("Vecinos", vec)
    print_row("echo", echo)
    tv, te = vec["updates"] / vec["wall"], echo["updates"] / echo["wall"]
    ratio = tv / te if te else 0.0
    verdict = "met" if ratio >= 0.8 else "NOT met"
    print(f"throughput Vecinos/echo at {users} users = {ratio:.2f}  (goal ≥ 0.80: {verdict})"
          f";  latency p50 Vecinos/echo = {vec['p50'] / echo['p50']:.1f}×, p95 = {vec['p95'] / echo['p95']:.1f}×")
    print(f"bot CPU per update: Vecinos {vec['bot_cpu'] / vec['updates'] * 1000:.2f} ms, "
          f"echo {echo['bot_cpu'] / echo['updates'] * 1000:.2f} ms;  answering Bot API calls per update: "
          f"Vecinos {vec['answer_calls'] / vec['updates']:.2f}, echo {echo['answer_calls'] / echo['updates']:.2f};  "
          f"bot CPU per answering call: Vecinos {vec['bot_cpu'] / vec['answer_calls'] * 1000:.2f} ms, "
          f"echo {echo['bot_cpu'] / echo['answer_calls'] * 1000:.2f} ms")
    for name, r in (("Vecinos", vec), ("echo", echo)):
        busy = r["fake_cpu"] / r["driver_wall"] if r["driver_wall"] else 0.0
        bot_busy = r["bot_cpu"] / r["driver_wall"] if r["driver_wall"] else 0.0
        note = "  ← the fake server may be the limit" if busy > 0.85 else ""
        print(f"sanity {name}: {r['complete']}/{r['updates']} steps answered completely; bot process busy "
              f"{bot_busy:.0%}, fake-API process busy {busy:.0%} of the run{note}")
    return ratio


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-fake-api", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=200, help="concurrent users (default 200)")
    parser.add_argument("--also-users", type=int, default=50,
                        help="a second, lighter load to compare at (default 50; 0 = skip)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for one step's answer")
    args = parser.parse_args()
    if args.serve_fake_api:
        await serve_fake_api(start_scenario)
        return

    langs = ["es", "en"]
    loads = [args.users] + ([args.also_users] if args.also_users else [])
    fake = FakeApiProcess(__file__)
    base_url = await fake.start()
    print(f"bench_start: concurrent users × {len(START_SCENARIO)} updates each "
          "(/start → press language → /language → press the other language); the fake Bot API and the users run "
          "in a child process, the bots in this one; the same fake server for both bots.", flush=True)
    print(f"Same PTB settings for both bots: {PTB_SETTINGS}.", flush=True)
    ratios = []
    try:
        for n, users in enumerate(loads):
            print(f"\n-- {users} concurrent users --", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                vec = await measure(VecinosBot(base_url, Path(tmp)), fake, users, 1_000_000 * (2 * n + 1),
                                    args.timeout, langs)
            echo = await measure(EchoBot(base_url), fake, users, 1_000_000 * (2 * n + 2), args.timeout, langs)
            ratios.append((users, compare(vec, echo, users)))
    finally:
        await fake.stop()
    print("\nlatency = push of an update → first answering Bot API call for that chat (sendMessage, "
          "editMessageText, answerCallbackQuery …); 'step p95' = push → the step's last answering call; "
          "'idle p50' = one user alone (calibration); 'lost' = steps not completely answered within --timeout.")
    print("summary: " + ", ".join(f"Vecinos/echo throughput {r:.2f} at {u} users" for u, r in ratios) +
          "  (goal ≥ 0.80)")
    print("note: at high concurrency httpcore's connection pool spends CPU quadratic in the number of requests in "
          "flight (connection_pool.py _assign_requests_to_connections); the echo bot, which never waits on "
          "anything, keeps the most requests in flight and suffers most — compare the 'bot CPU per answering "
          "call' of the two loads.")


if __name__ == "__main__":
    asyncio.run(main())
