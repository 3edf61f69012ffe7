"""Issue 15: time to reach, nearest-first order and corrections, for one confirmed report over 100,000 areas.

Run from the repository root: ``python bench/bench_reach.py [--subscriptions 100000] [--runs free,paid,fix-free,
fix-paid]``.

Data (generated here, seed 15; no outside data): 50,000 users with 2 alert areas each, centres uniform over
Chicago's service area (lat 41.64–42.02, lon −87.94 – −87.52), radii from {0.5, 1, 2, 5} miles, languages es / en /
unset, 10 % with quiet hours — the same generator as ``bench/bench_alerts.py``. Each user's chat address is
encrypted as the bot does, so the real worker decrypts and sends them.

Each run is a fresh copy of that database in its own process (so its peak RSS is the bot's own), with the real
PTB stack sending to the fake Bot API in another process (as Telegram is another machine). The fake records the
wall-clock arrival of every sendMessage. A report at REPORT is confirmed through ``ModerationService.decide``:

* ``free`` / ``paid``: the whole fan-out at 25 msg/s, or with paid broadcast at 500 msg/s. Printed: the decision's
  transaction time, the first send after the decision, the time to reach everyone within 0.5 mile and within 1 mile
  (the distance from the report to the centre of a person's nearest matching area) and everyone, the order check
  (each recipient's geodesic distance recomputed here against arrival order at the fake) and peak RSS.
* ``fix-free`` / ``fix-paid``: a second report B (3 km away) is confirmed right after A; once 200 of A's people
  got it, A is marked a false alarm. Checked: every person who got A gets
  the correction, before B's fan-out (still running) finishes, and nobody gets A after the correction except sends
  already in flight.

Goals from issue 15: first message < 1 s after the decision, non-decreasing distance order, corrections ahead of
the running fan-out, RSS < 250 MB. Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App  # noqa: E402
from bot.chat import Sender  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.delivery import DeliveryWorker  # noqa: E402
from bot.fronts.telegram import TelegramFront  # noqa: E402
from bot.geo import distance_m  # noqa: E402
from storage.alerts import bounding_box  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
TOKEN = "123456:TEST-token"
LAT = (41.64, 42.02)
LON = (-87.94, -87.52)
RADII_M = [0.5 * 1609.344, 1609.344, 2 * 1609.344, 5 * 1609.344]
MILE = 1609.344
REPORT = (41.85, -87.70)  # Little Village / North Lawndale, well inside the box
REPORT_B = (41.877, -87.70)  # 3 km north
FIRST_UID = 1_000_000
RUNS = {"free": (25.0, None, False), "paid": (25.0, 500.0, False),
        "fix-free": (25.0, None, True), "fix-paid": (25.0, 500.0, True)}
CORRECT_AFTER = 200


def settings_for(db: Path, base_url: str = "http://127.0.0.1:9/bot") -> Settings:
    return Settings(_env_file=None, telegram_bot_token=TOKEN, database_path=db,  # type: ignore[call-arg]
                    secret_key=SECRET, rate_limit_per_second=0, telegram_api_base_url=base_url,
                    reports_per_hour=100, report_cooldown_seconds=0)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ====================================================================================== populate (child)
async def populate(db_path: Path, subscriptions: int) -> dict[str, Any]:
    app = await App.create(settings_for(db_path))
    db, keyring, users = app.services.db, app.services.keyring, app.services.users
    rnd = random.Random(15)
    n_users = (subscriptions + 1) // 2
    today = dt.date.today().isoformat()
    started = time.perf_counter()
    async with db.transaction() as conn:
        rows, prefs = [], []
        for u in range(n_users):
            uid = str(FIRST_UID + u)
            key = users.key_for("telegram", uid)
            rows.append((key, "telegram", keyring.encrypt(uid.encode(), key.encode()), ("es", "en", None)[u % 3],
                         today, today))
            if u % 10 == 3:
                prefs.append((key, 22, 7))
        await conn.executemany("INSERT INTO users(key, messenger, address, language, created_on, seen_on) "
                               "VALUES (?, ?, ?, ?, ?, ?)", rows)
        await conn.executemany("INSERT INTO alert_prefs(user_key, quiet_from, quiet_to) VALUES (?, ?, ?)", prefs)
        subs, boxes = [], []
        for i in range(subscriptions):
            lat, lon, radius = rnd.uniform(*LAT), rnd.uniform(*LON), rnd.choice(RADII_M)
            subs.append((i + 1, rows[i // 2][0], lat, lon, radius, "Near here", "Cerca de aquí", time.time()))
            boxes.append((i + 1, *bounding_box(lat, lon, radius)))
        await conn.executemany("INSERT INTO subscriptions(id, user_key, lat, lon, radius_m, place_en, place_es, "
                               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", subs)
        await conn.executemany("INSERT INTO subscriptions_box(id, min_lat, max_lat, min_lon, max_lon) "
                               "VALUES (?, ?, ?, ?, ?)", boxes)
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await app.close()
    return {"users": n_users, "subscriptions": subscriptions, "seconds": time.perf_counter() - started}


# ====================================================================================== fake Bot API (child)
async def serve_fake_api() -> None:
    """Run the fake Bot API, print its URL; on stdin EOF print every sendMessage as JSON (arrival order)."""
    from tests.fakebot import FakeBotAPI

    api = FakeBotAPI(TOKEN)
    print(await api.start(), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    # The k-th successful send to a chat made the k-th message shown there: that gives each send its message id,
    # which the bot's outbox row recorded (so the run can tell alert A, alert B and corrections apart).
    shown: dict[int, int] = {}
    calls = []
    for c in api.calls_to("sendMessage"):
        chat = int(c.params["chat_id"])
        mid = None
        if c.status == 200:
            mid = api.chats[chat][shown.get(chat, 0)].message_id
            shown[chat] = shown.get(chat, 0) + 1
        calls.append({"wall": c.wall, "chat": chat, "status": c.status, "paid": c.paid, "mid": mid,
                      "crc": zlib.crc32(str(c.params.get("text", "")).encode())})
    print(json.dumps(calls), flush=True)
    await api.stop()


class FakeApiProcess:
    async def start(self) -> str:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve-fake-api", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, limit=2**28)
        assert self.proc.stdout is not None
        return (await self.proc.stdout.readline()).decode().strip()

    async def calls(self) -> list[dict[str, Any]]:
        out, _ = await self.proc.communicate(b"")
        return json.loads(out.decode().strip().splitlines()[-1])


# ====================================================================================== one run (child)
class RecordingMessenger:
    """The Telegram messenger, noting when the worker started each send and to whom (the order the worker chose;
    with sends in flight concurrently, arrival at the Bot API can differ slightly)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self.started: list[tuple[float, int, int]] = []  # (unix time, chat, crc32 of the text)

    async def send(self, chat_id: str, reply: Any, *, retry: bool = True, paid_broadcast: bool = False) -> Any:
        self.started.append((time.time(), int(chat_id), zlib.crc32(reply.text.encode())))
        if paid_broadcast:
            return await self.inner.send(chat_id, reply, retry=retry, paid_broadcast=True)
        return await self.inner.send(chat_id, reply, retry=retry)


async def run(db_path: Path, name: str) -> dict[str, Any]:
    free_rate, paid_rate, with_fix = RUNS[name]
    fake = FakeApiProcess()
    base_url = await fake.start()
    app = await App.create(settings_for(db_path, base_url))
    services = app.services
    front = TelegramFront(app)
    await front.application.initialize()
    recorder = RecordingMessenger(front.messenger)
    worker = DeliveryWorker(services.db, services.outbox.repo, services.users, services.keyring,
                            {"telegram": recorder}, rate_per_second=free_rate,
                            paid_rate_per_second=paid_rate, paid_daily_stars_cap=1_000_000)
    services.outbox.listen(worker.wake)
    await worker.start()
    rss_idle = peak_rss_mb()

    moderator = await services.users.identify(Sender("telegram", "42", "42", "en"))
    draft = {"activity": "street", "place_en": "x", "place_es": "x", "when": "now", "agents": "1-2",
             "vehicles": "1", "markings": "ice"}
    reporter_a = await services.users.identify(Sender("telegram", "7", "7", "es"))
    report_a = await services.reports.submit(reporter_a.key, "es", {**draft, "lat": REPORT[0], "lon": REPORT[1]})
    report_b = None
    if with_fix:
        reporter_b = await services.users.identify(Sender("telegram", "8", "8", "es"))
        report_b = await services.reports.submit(reporter_b.key, "es",
                                                 {**draft, "lat": REPORT_B[0], "lon": REPORT_B[1]})
    decided = time.time()
    assert (await services.moderation.decide(report_a, "ok", moderator.key)).ok
    committed = time.time()
    alert_a = (await services.alerts.repo.alert_of_report(report_a)).id  # type: ignore[union-attr]
    out: dict[str, Any] = {"name": name, "decided": decided, "tx_seconds": committed - decided,
                           "free_rate": free_rate, "paid_rate": paid_rate, "rss_idle": rss_idle}
    if report_b is not None:
        out["decided_b"] = time.time()
        assert (await services.moderation.decide(report_b, "ok", moderator.key)).ok
        alert_b = (await services.alerts.repo.alert_of_report(report_b)).id  # type: ignore[union-attr]
        out["alert_b"] = alert_b
        while True:
            reach = await services.alerts.reach(alert_a)
            if reach is not None and reach.sent >= CORRECT_AFTER:
                break
            await asyncio.sleep(0.005)
        out["fix_at"] = time.time()
        assert (await services.moderation.decide(report_a, "fa", moderator.key)).ok
        out["fix_committed"] = time.time()
    while True:
        counts = await services.outbox.repo.counts()
        if counts.queued + counts.sending == 0:
            break
        await asyncio.sleep(0.05)
    out["reach_a"] = vars(await services.alerts.reach(alert_a))
    if report_b is not None:
        out["reach_b"] = vars(await services.alerts.reach(out["alert_b"]))
    out["rss_peak"] = peak_rss_mb()
    out["paid_spend"] = (await services.outbox.paid_spend()).today
    # Each recipient's nearest matching area (geodesic, computed here, independently of the bot's sort key).
    subs = await services.db.fetchall("SELECT user_key, lat, lon, radius_m FROM subscriptions")
    sent = await services.db.fetchall("SELECT message_id, ref, kind FROM outbox WHERE status = 'sent'")
    out["refs"] = {r["message_id"]: f"{r['kind']}:{r['ref']}" for r in sent}
    out["alert_a"] = alert_a
    await worker.stop()
    await front.application.shutdown()
    await app.close()
    uid_of = {services.users.key_for("telegram", str(FIRST_UID + u)): FIRST_UID + u for u in range(len(subs))}
    nearest: dict[str, dict[int, float]] = {"a": {}, "b": {}}
    for s in subs:
        for tag, point in (("a", REPORT), ("b", REPORT_B)):
            if abs(s["lat"] - point[0]) > 0.08 or abs(s["lon"] - point[1]) > 0.11:
                continue  # farther than the largest radius (5 miles)
            d = distance_m(point, (s["lat"], s["lon"]))
            uid = uid_of.get(s["user_key"])
            if d <= s["radius_m"] and uid is not None:
                nearest[tag][uid] = min(d, nearest[tag].get(uid, d))
    out["calls"] = await fake.calls()
    out["started"] = recorder.started
    out["nearest"] = {tag: {str(k): v for k, v in m.items()} for tag, m in nearest.items()}
    return out


# ====================================================================================== report
def after(t: float, since: float) -> str:
    return f"{t - since:7.2f} s"


def summarize(r: dict[str, Any]) -> None:
    calls = [c for c in r["calls"] if c["status"] == 200]
    for c in calls:
        c["ref"] = r["refs"].get(str(c["mid"]), "")
    near_a = {int(k): v for k, v in r["nearest"]["a"].items()}
    rate = f"{r['paid_rate']:.0f} msg/s paid" if r["paid_rate"] else f"{r['free_rate']:.0f} msg/s free"
    decided = r["decided"]
    a_sends = [c for c in calls if c["ref"] == f"alert:alert:{r['alert_a']}"]
    print(f"\n== {r['name']}: {rate}; decision transaction {r['tx_seconds'] * 1000:.0f} ms "
          f"(fan-out of {r['reach_a']['total']} rows), peak RSS {r['rss_peak']:.0f} MB "
          f"(after start {r['rss_idle']:.0f} MB)")
    if not a_sends:
        print("   no alert was sent")
        return
    print(f"   first alert at the fake {after(a_sends[0]['wall'], decided)} after the decision; "
          f"reach row: first after {r['reach_a']['first_sent_at'] - decided:.2f} s, "
          f"sent {r['reach_a']['sent']} of {r['reach_a']['total']}")
    a_texts = {c["crc"] for c in a_sends}  # alert A as rendered (per language and quiet hours)
    started = [(t, chat) for t, chat, crc in r["started"] if crc in a_texts]
    # People who got another message (alert B) less than a second before A was due wait for Telegram's per-chat
    # limit (1 msg/s): their A goes out of distance order, by design.
    previous: dict[int, float] = {}
    paced: set[int] = set()
    for t, chat, crc in r["started"]:
        if crc in a_texts and chat in previous and t - previous[chat] < 1.5:
            paced.add(chat)
        previous[chat] = t
    for label, order in (("started by the worker", [chat for _, chat in started]),
                         ("arrived at the fake API", [c["chat"] for c in a_sends])):
        dist = [near_a[chat] for chat in order]
        inversions = [(a, b) for a, b in zip(dist, dist[1:], strict=False) if b < a - 1.0]
        if label.startswith("started") and paced:
            print(f"   ({len(paced)} people had alert B within the second before A: the per-chat limit holds "
                  "their A back)")
        print(f"   order {label}: {len(dist)} recipients, {len(inversions)} nearer than the one before (beyond "
              "the key's 1 m)" + (f", worst by {max(a - b for a, b in inversions):.0f} m" if inversions else ""))
    arrival = {c["chat"]: c["wall"] for c in a_sends}
    flight = sorted(arrival[chat] - t for t, chat in started if chat in arrival)
    if flight:
        print(f"   in flight (worker start → arrival): median {flight[len(flight) // 2] * 1000:.0f} ms, max "
              f"{flight[-1] * 1000:.0f} ms — arrival order can differ from the worker's within that window")
    if "alert_b" not in r:
        for label, limit in (("0.5 mile", 0.5 * MILE), ("1 mile", MILE), ("everyone", float("inf"))):
            within = [c for c in a_sends if near_a[c["chat"]] <= limit]
            if within:
                print(f"   everyone within {label:>8} ({len(within):>5} people): "
                      f"{after(within[-1]['wall'], decided)}")
        paid = sum(1 for c in calls if c["paid"])
        if paid:
            print(f"   paid sends {paid}, spend recorded today {r['paid_spend']:.1f} Stars")
        return
    fix_at = r["fix_committed"]
    got_a = {c["chat"] for c in a_sends}
    fixes = [c for c in calls if c["ref"] == f"correction:correction:{r['alert_a']}"]
    fixed = {c["chat"] for c in fixes}
    late = [c for c in a_sends if c["wall"] > fix_at]
    b_sends = [c for c in calls if c["ref"] == f"alert:alert:{r['alert_b']}"]
    b_end = max(c["wall"] for c in b_sends) if b_sends else float("nan")
    print(f"   false alarm decided {after(fix_at, decided)} after A, when {len(got_a)} people had A "
          f"({len(late)} of them by sends already in flight); {r['reach_a']['total'] - len(got_a)} queued A "
          "messages cancelled")
    print(f"   corrections: {len(fixed)} people, {'exactly' if fixed == got_a else 'NOT'} those who got A; last "
          f"one {after(max(c['wall'] for c in fixes), fix_at)} after the decision; B's fan-out "
          f"({r['reach_b']['total']} people) finished {after(b_end, fix_at)} after it")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-fake-api", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--populate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--runs", default="free,paid,fix-free,fix-paid")
    args = parser.parse_args()
    if args.serve_fake_api:
        await serve_fake_api()
        return
    if args.populate:
        print(json.dumps(await populate(args.populate, args.subscriptions)), flush=True)
        return
    if args.run:
        print(json.dumps(await run(args.db, args.run)), flush=True)
        return

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        info = await child("--populate", str(template), "--subscriptions", str(args.subscriptions))
        print(f"bench_reach: {info['users']:,} users, {info['subscriptions']:,} areas uniform over Chicago, radii "
              f"0.5/1/2/5 mi (built in {info['seconds']:.1f} s); report at {REPORT}", flush=True)
        for name in args.runs.split(","):
            db = Path(tmp) / f"{name}.db"
            shutil.copy(template, db)
            summarize(await child("--run", name, "--db", str(db)))
            sys.stdout.flush()
            db.unlink()


async def child(*args: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, *args, stdout=asyncio.subprocess.PIPE,
                                                limit=2**28)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[:2]} failed ({proc.returncode})")
    return json.loads(out.decode().strip().splitlines()[-1])


if __name__ == "__main__":
    asyncio.run(main())
