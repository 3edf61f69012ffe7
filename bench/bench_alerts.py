"""Issue 5: recipient selection for an alert at 10k, 100k and 1M subscriptions, and the memory it needs.

Run from the repository root: ``python bench/bench_alerts.py [--sizes 10000,100000,1000000]
[--queries 200,40,10] [--brute 5,2,1]``.

For each size a temporary database is created with the real migrations and filled directly with SQL in one
transaction through the storage layer's connection: users (2 areas each, 5 % inactive, 10 % with quiet hours)
and subscriptions spread uniformly over Chicago's service area (lat 41.64–42.02, lon −87.94 – −87.52) with radii
from {0.5, 1, 2, 5} miles, their R*Tree rows from ``storage.alerts.bounding_box``. Then two fresh processes open
the database with ``App.create`` at the same time (one per core):

* the *indexed* one reports its RSS right after ``App.create`` and, after timing ``AlertService.recipients`` at
  random points in the city, its peak RSS (VmHWM) — nothing else ran in it, so that is the App's memory;
* the *brute-force* one times ``AlertService.recipients_brute_force`` (every subscription, exact distance) at a
  few points and checks that the indexed answer names exactly the same people ("agree").

Goals from issue 5: p99 < 20 ms at 1M, peak RSS < 200 MB. Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import App  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.alerts import select_exact  # noqa: E402
from storage.alerts import bounding_box  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
LAT = (41.64, 42.02)
LON = (-87.94, -87.52)
RADII_M = [0.5 * 1609.344, 1609.344, 2 * 1609.344, 5 * 1609.344]
AREAS_PER_USER = 2
CHUNK = 50_000


def settings_for(db: Path) -> Settings:
    return Settings(_env_file=None, database_path=db, secret_key=SECRET)  # type: ignore[call-arg]


def proc_status() -> dict[str, float]:
    """VmRSS and VmHWM of this process in MB (Linux), and ru_maxrss."""
    out = {"rss": 0.0, "hwm": 0.0, "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                out["hwm"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def points(n: int, seed: int) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    return [(rnd.uniform(*LAT), rnd.uniform(*LON)) for _ in range(n)]


# ================================================================================================ populate
async def populate(db_path: Path, subscriptions: int) -> float:
    """Create the schema with App.create, then fill users and subscriptions in one transaction; seconds taken."""
    app = await App.create(settings_for(db_path))
    db = app.services.db
    rnd = random.Random(subscriptions)
    users = (subscriptions + AREAS_PER_USER - 1) // AREAS_PER_USER
    today = dt.date.today().isoformat()
    started = time.perf_counter()
    await db.conn.execute("PRAGMA cache_size=-262144")  # 256 MB page cache for this loading connection only
    async with db.transaction() as conn:
        for first in range(0, users, CHUNK):
            rows, prefs = [], []
            for u in range(first, min(users, first + CHUNK)):
                key = hashlib.sha256(f"telegram:{u}".encode()).hexdigest()
                language = ("es", "en", None)[u % 3]
                rows.append((key, "telegram", rnd.randbytes(38), language, 0 if u % 20 == 7 else 1, today, today))
                if u % 10 == 3:
                    prefs.append((key, 22, 7))
            await conn.executemany("INSERT INTO users(key, messenger, address, language, active, created_on, "
                                   "seen_on) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            await conn.executemany("INSERT INTO alert_prefs(user_key, quiet_from, quiet_to) VALUES (?, ?, ?)", prefs)
        now = time.time()
        for first in range(0, subscriptions, CHUNK):
            subs, boxes = [], []
            for i in range(first, min(subscriptions, first + CHUNK)):
                sub_id = i + 1
                key = hashlib.sha256(f"telegram:{i // AREAS_PER_USER}".encode()).hexdigest()
                lat, lon, radius = rnd.uniform(*LAT), rnd.uniform(*LON), rnd.choice(RADII_M)
                subs.append((sub_id, key, lat, lon, radius, "Near here", "Cerca de aquí", now))
                boxes.append((sub_id, *bounding_box(lat, lon, radius)))
            await conn.executemany("INSERT INTO subscriptions(id, user_key, lat, lon, radius_m, place_en, place_es, "
                                   "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", subs)
            await conn.executemany("INSERT INTO subscriptions_box(id, min_lat, max_lat, min_lon, max_lon) "
                                   "VALUES (?, ?, ?, ?, ?)", boxes)
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    elapsed = time.perf_counter() - started
    await app.close()
    return elapsed


# ================================================================================================ children
async def child_indexed(db_path: Path, queries: int, split: int) -> dict[str, Any]:
    before = proc_status()
    app = await App.create(settings_for(db_path))
    after_create = proc_status()
    alerts = app.services.alerts
    times, found = [], []
    for lat, lon in points(queries, 1):
        t0 = time.perf_counter()
        chosen = await alerts.recipients(lat, lon)
        times.append(time.perf_counter() - t0)
        found.append(len(chosen))
    after_queries = proc_status()
    # where the time goes (the same two calls recipients() makes)
    sql_t, exact_t, cands = [], [], []
    for lat, lon in points(split, 2):
        t0 = time.perf_counter()
        candidates = await alerts.repo.candidates(lat, lon)
        t1 = time.perf_counter()
        select_exact(candidates, lat, lon)
        exact_t.append(time.perf_counter() - t1)
        sql_t.append(t1 - t0)
        cands.append(len(candidates))
    subs = (await app.services.db.fetchone("SELECT COUNT(*) AS n FROM subscriptions"))["n"]  # type: ignore[index]
    await app.close()
    return {"times": times, "found": found, "before": before, "after_create": after_create,
            "after_queries": after_queries, "sql": sql_t, "exact": exact_t, "candidates": cands, "subs": subs}


async def child_brute(db_path: Path, count: int) -> dict[str, Any]:
    app = await App.create(settings_for(db_path))
    alerts = app.services.alerts
    times, agree, sizes = [], [], []
    for lat, lon in points(count, 3):
        indexed = await alerts.recipients(lat, lon)
        t0 = time.perf_counter()
        brute = await alerts.recipients_brute_force(lat, lon)
        times.append(time.perf_counter() - t0)
        agree.append({c.user_key for c in indexed} == {c.user_key for c in brute} and len(indexed) == len(brute))
        sizes.append(len(brute))
    await app.close()
    return {"times": times, "agree": agree, "sizes": sizes}


async def run_child(*args: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(sys.executable, __file__, *args, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[:2]} failed ({proc.returncode})")
    return json.loads(out.decode().strip().splitlines()[-1])


# ================================================================================================ main
def ms(x: float) -> str:
    return f"{x * 1000:,.1f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["indexed", "brute"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--split", type=int, default=3, help="queries timed as SQL + exact filter separately")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="subscription counts")
    parser.add_argument("--queries", default="200,40,10", help="indexed queries per size (random points)")
    parser.add_argument("--brute", default="5,2,1", help="full scans per size (each also checks agreement)")
    args = parser.parse_args()
    if args.child == "indexed":
        print(json.dumps(await child_indexed(args.db, args.count, args.split)), flush=True)
        return
    if args.child == "brute":
        print(json.dumps(await child_brute(args.db, args.count)), flush=True)
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    queries = [int(s) for s in args.queries.split(",")]
    brutes = [int(s) for s in args.brute.split(",")]
    queries += [queries[-1]] * (len(sizes) - len(queries))
    brutes += [brutes[-1]] * (len(sizes) - len(brutes))
    print("bench_alerts: subscriptions uniform over Chicago (lat 41.64–42.02, lon −87.94–−87.52), radii "
          "{0.5, 1, 2, 5} mi, 2 areas per user, 5 % of users inactive; query points uniform in the same box. "
          "RSS is that of a fresh process holding the App (indexed queries only). Goals: p99 < 20 ms at 1M, "
          "peak RSS < 200 MB.", flush=True)
    rows = []
    for size, nq, nb in zip(sizes, queries, brutes, strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "alerts.db"
            load_s = await populate(db, size)
            db_mb = db.stat().st_size / 2**20  # noqa: ASYNC240 (after loading; nothing else is running)
            started = time.perf_counter()
            jobs = [run_child("--child", "indexed", "--db", str(db), "--count", str(nq), "--split", str(args.split))]
            if nb:
                jobs.append(run_child("--child", "brute", "--db", str(db), "--count", str(nb)))
            results = await asyncio.gather(*jobs)
            idx = results[0]
            brute = results[1] if nb else {"times": [], "agree": [], "sizes": []}
            rows.append((size, nq, nb, idx, brute))
            p50, p99 = pct(idx["times"], 50), pct(idx["times"], 99)
            b_mean = statistics.fmean(brute["times"]) if brute["times"] else float("nan")
            print(f"\n{size:,} subscriptions (loaded in {load_s:.1f} s, database {db_mb:.0f} MB, rows counted "
                  f"{idx['subs']:,}; children took {time.perf_counter() - started:.1f} s)", flush=True)
            print(f"  indexed recipients(): {nq} queries  p50 {ms(p50)} ms  p99 {ms(p99)} ms  max "
                  f"{ms(max(idx['times']))} ms  (p99 of {nq} samples{' = the max' if nq < 100 else ''}); "
                  f"recipients per query: mean {statistics.fmean(idx['found']):,.0f}", flush=True)
            if idx["sql"]:
                print(f"  split over {len(idx['sql'])} points: candidates() SQL {ms(statistics.fmean(idx['sql']))} ms "
                      f"for {statistics.fmean(idx['candidates']):,.0f} candidates, select_exact() "
                      f"{ms(statistics.fmean(idx['exact']))} ms "
                      f"({statistics.fmean(idx['exact']) / max(statistics.fmean(idx['candidates']), 1) * 1e6:.0f} µs "
                      "per candidate)", flush=True)
            if nb:
                print(f"  brute force recipients_brute_force(): {nb} scans, mean {ms(b_mean)} ms; "
                      f"agree: {'yes' if all(brute['agree']) else 'no'} ({sum(brute['agree'])}/{nb} points, "
                      f"recipients {brute['sizes']})", flush=True)
            print(f"  RSS: after imports {idx['before']['rss']:.0f} MB, after App.create "
                  f"{idx['after_create']['rss']:.0f} MB, after queries {idx['after_queries']['rss']:.0f} MB, "
                  f"peak VmHWM "
                  f"{idx['after_queries']['hwm']:.0f} MB (ru_maxrss {idx['after_queries']['maxrss']:.0f} MB: "
                  "on Linux it carries over the forked parent's peak across exec, so read VmHWM)",
                  flush=True)

    print(f"\n{'subscriptions':>13} {'queries':>7} {'p50 ms':>9} {'p99 ms':>9} {'recipients':>10} "
          f"{'scan ms':>10} {'speed-up':>8} {'agree':>5} {'peak RSS MB':>11}")
    for size, nq, _nb, idx, brute in rows:
        p50, p99 = pct(idx["times"], 50), pct(idx["times"], 99)
        b_mean = statistics.fmean(brute["times"]) if brute["times"] else float("nan")
        agree = ("yes" if all(brute["agree"]) else "no") if brute["agree"] else "-"
        print(f"{size:>13,} {nq:>7} {ms(p50):>9} {ms(p99):>9} {statistics.fmean(idx['found']):>10,.0f} "
              f"{ms(b_mean):>10} {b_mean / statistics.fmean(idx['times']):>7.1f}× {agree:>5} "
              f"{idx['after_queries']['hwm']:>11.0f}")
    last = rows[-1]
    p99_last = pct(last[3]["times"], 99)
    print(f"\ngoal p99 < 20 ms at {last[0]:,}: {'met' if p99_last < 0.020 else 'NOT met'} ({ms(p99_last)} ms); "
          f"goal peak RSS < 200 MB: {'met' if last[3]['after_queries']['hwm'] < 200 else 'NOT met'} "
          f"({last[3]['after_queries']['hwm']:.0f} MB). speed-up = mean full scan / mean indexed query.")


if __name__ == "__main__":
    asyncio.run(main())
