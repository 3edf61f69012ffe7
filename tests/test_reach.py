"""Issue 15: nearest first, alerts ahead of broadcasts, corrections ahead of alerts, paid broadcast, time to reach.

Through the real PTB stack against the fake Bot API (the fake records every call's order and time)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import pytest

from bot.chat import Sender
from bot.geo import distance_m
from bot.services.alerts import AlertService
from storage.outbox import STARS_PER_PAID_MESSAGE
from tests.fakebot import FakeBotAPI
from tests.test_delivery import Harness, harness  # noqa: F401 (the fixture)

CENTRE = (41.85, -87.66)
M_PER_DEG_LAT = 111_000.0


def sends(api: FakeBotAPI, chat_ids: set[int] | None = None) -> list[Any]:
    return [c for c in api.calls_to("sendMessage") if c.status == 200 and
            (chat_ids is None or int(c.params["chat_id"]) in chat_ids)]


async def subscriber(h: Harness, uid: int, lat: float, lon: float, radius: float, lang: str = "en") -> str:
    user = await h.app.services.users.identify(Sender("telegram", str(uid), str(uid), lang))
    await h.app.services.users.set_language(user.key, lang)
    await h.app.services.alerts.repo.add_subscription(user.key, lat, lon, radius, "p", "p", time.time())
    return user.key


async def confirm_report(h: Harness, reporter_uid: int, lat: float, lon: float) -> int:
    """A report at (lat, lon) confirmed by a moderator; returns the report id."""
    services = h.app.services
    reporter = await services.users.identify(Sender("telegram", str(reporter_uid), str(reporter_uid), "es"))
    report_id = await services.reports.submit(reporter.key, "es", {
        "activity": "street", "lat": lat, "lon": lon, "place_en": "x", "place_es": "x", "when": "now",
        "agents": "1-2", "vehicles": "1", "markings": "ice"})
    assert (await services.moderation.decide(report_id, "ok", reporter.key)).ok
    return report_id


async def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


# -- nearest first -------------------------------------------------------------------------------------------
async def test_ordered_recipients_are_nearest_first_then_smaller_radius(harness: Harness) -> None:  # noqa: F811
    alerts: AlertService = harness.app.services.alerts
    expected = []
    for i in range(60):
        # Spread over 8 km in every direction; some share a point (coarsened locations do) with other radii.
        angle, metres = i * 2.4, (i % 20) * 400.0
        lat = CENTRE[0] + metres * math.cos(angle) / M_PER_DEG_LAT
        lon = CENTRE[1] + metres * math.sin(angle) / (M_PER_DEG_LAT * math.cos(math.radians(CENTRE[0])))
        radius = 9000.0 - (i % 3) * 100
        key = await subscriber(harness, 10_000 + i, lat, lon, radius)
        expected.append((distance_m(CENTRE, (lat, lon)), radius, key))
    ordered = await alerts.ordered_recipients(*CENTRE)
    assert sorted(c.user_key for _, c in ordered) == sorted(k for _, _, k in expected)  # the same people
    keys = [k for k, _ in ordered]
    assert keys == sorted(keys)
    geodesic = {key: (d, r) for d, r, key in expected}
    pairs = [geodesic[c.user_key] for _, c in ordered]
    for (d1, r1), (d2, r2) in zip(pairs, pairs[1:], strict=False):
        assert d2 >= d1 - 1.0  # by geodesic distance (the key keeps whole metres)
        if d2 == d1:
            assert r2 >= r1  # the same place: the smaller circle first


async def test_a_user_with_two_areas_is_ordered_by_the_nearer(harness: Harness) -> None:  # noqa: F811
    alerts: AlertService = harness.app.services.alerts
    far_first = await subscriber(harness, 20_001, CENTRE[0] + 0.05, CENTRE[1], 9000)
    await alerts.repo.add_subscription(far_first, CENTRE[0] + 0.001, CENTRE[1], 9000, "p", "p", time.time())
    middle = await subscriber(harness, 20_002, CENTRE[0] + 0.01, CENTRE[1], 9000)
    ordered = await alerts.ordered_recipients(*CENTRE)
    assert [c.user_key for _, c in ordered] == [far_first, middle]


async def test_an_alert_is_sent_nearest_first(api: FakeBotAPI, harness: Harness) -> None:  # noqa: F811
    distances = {}
    for i in range(40):
        metres = ((i * 7919) % 40) * 150.0  # shuffled insertion order: the table order says nothing
        lat = CENTRE[0] + metres / M_PER_DEG_LAT
        await subscriber(harness, 30_000 + i, lat, CENTRE[1], 8000)
        distances[30_000 + i] = distance_m(CENTRE, (lat, CENTRE[1]))
    await confirm_report(harness, 39_999, *CENTRE)
    # One send at a time, so arrival order at the fake is the worker's order (with several in flight, HTTP
    # requests may overtake each other by a few milliseconds; bench_reach measures that window).
    await harness.worker(rate_per_second=200, max_in_flight=1).start()
    await harness.settled()
    order = [distances[int(c.params["chat_id"])] for c in sends(api, set(distances))]
    assert len(order) == 40 and order == sorted(order)


# -- priorities ----------------------------------------------------------------------------------------------
async def test_an_alert_queued_behind_a_running_broadcast_is_sent_first(api: FakeBotAPI,
                                                                        harness: Harness) -> None:  # noqa: F811
    readers = await harness.users(*range(40_000, 40_200))
    (neighbour,) = await harness.users(40_999)
    await harness.fan_out(readers, "newsletter", kind="broadcast", ref="broadcast:1")
    worker = harness.worker(rate_per_second=50, per_chat_interval=0)  # claims 50 broadcast rows at a time
    await worker.start()
    await wait_for(lambda: len(sends(api)) >= 10)
    queued_at = time.monotonic()
    await harness.fan_out([neighbour], "ALERT", kind="alert", ref="alert:1")
    await harness.settled()
    calls = sends(api)
    alert_index = next(i for i, c in enumerate(calls) if c.params["chat_id"] == "40999")
    before = [c for c in calls[:alert_index] if c.at > queued_at]
    # At 50 msg/s a broadcast row is started every 20 ms; the alert takes the next free token (one or two sends
    # already holding a token may land first), not the rest of the claimed batch of 50.
    assert len(before) <= 3, len(before)
    assert len(calls) == 201 and alert_index < 20  # and the broadcast resumed and finished
    counts = await harness.repo.counts()
    assert (counts.sent, counts.queued, counts.sending) == (201, 0, 0)


async def test_a_nearer_alert_overtakes_the_far_end_of_an_earlier_fan_out(api: FakeBotAPI,
                                                                          harness: Harness) -> None:  # noqa: F811
    far = await harness.users(*range(41_000, 41_060))
    async with harness.db.transaction() as conn:
        for n, user in enumerate(far):
            await harness.outbox.to_user(conn, user.key, _reply("first alert"), kind="alert", ref="alert:1",
                                         sort_key=5000.0 + n)
    worker = harness.worker(rate_per_second=40, per_chat_interval=0)
    await worker.start()
    await wait_for(lambda: len(sends(api)) >= 5)
    (near,) = await harness.users(41_999)
    async with harness.db.transaction() as conn:
        await harness.outbox.to_user(conn, near.key, _reply("second alert"), kind="alert", ref="alert:2",
                                     sort_key=100.0)
    await harness.settled()
    chats = [c.params["chat_id"] for c in sends(api)]
    assert chats.index("41999") <= 8 and len(chats) == 61


# -- corrections ---------------------------------------------------------------------------------------------
async def test_a_correction_overtakes_queued_alerts(api: FakeBotAPI, harness: Harness) -> None:  # noqa: F811
    """A false alarm during a fan-out: everyone who got the alert hears the correction; nobody new gets the
    alert once the correction is decided, including rows the worker had claimed but not started; and the
    corrections go out ahead of another report's fan-out that is still running."""
    alerts: AlertService = harness.app.services.alerts
    group_a, group_b = set(range(50_000, 50_030)), set(range(51_000, 51_030))
    for n, uid in enumerate(sorted(group_a)):
        await subscriber(harness, uid, CENTRE[0] + n * 0.0005, CENTRE[1], 3000)
    other = (CENTRE[0] + 0.2, CENTRE[1])  # 22 km away: a separate alert with its own people
    for n, uid in enumerate(sorted(group_b)):
        await subscriber(harness, uid, other[0] + n * 0.0005, other[1], 3000)
    report_a = await confirm_report(harness, 59_001, *CENTRE)
    await confirm_report(harness, 59_002, *other)
    # 10 msg/s, claims of 50 rows (A's and B's interleaved by distance): most rows sit claimed but unstarted.
    worker = harness.worker(rate_per_second=10, per_chat_interval=0)
    await worker.start()
    await wait_for(lambda: len(sends(api, group_a)) >= 5)
    reporter = await harness.app.services.users.identify(Sender("telegram", "59001", "59001", "es"))
    assert (await harness.app.services.moderation.decide(report_a, "fa", reporter.key)).ok
    decided = time.monotonic()
    await harness.settled(timeout=30)

    is_alert = "reply_markup"  # an alert carries buttons; a correction is plain text
    alerted = {int(c.params["chat_id"]) for c in sends(api, group_a) if is_alert in c.params}
    corrected = [c for c in sends(api, group_a) if is_alert not in c.params]
    assert 5 <= len(alerted) < 30
    assert {int(c.params["chat_id"]) for c in corrected} == alerted  # exactly the people who got the alert
    late = [c for c in sends(api, group_a) if c.at > decided and is_alert in c.params]
    assert len(late) <= worker.max_in_flight  # only sends already started at the decision
    last_correction = max(c.at for c in corrected)
    b_times = [c.at for c in sends(api, group_b)]
    assert len(b_times) == 30 and last_correction < max(b_times)  # ahead of the other fan-out's remainder
    alert_id = (await alerts.repo.alert_of_report(report_a)).id
    rows = await harness.db.fetchall("SELECT status, COUNT(*) AS n FROM outbox WHERE ref = ? GROUP BY status",
                                     (f"alert:{alert_id}",))
    by_status = {r["status"]: r["n"] for r in rows}
    assert by_status.get("sent") == len(alerted) and by_status.get("cancelled") == 30 - len(alerted)
    superseded = await harness.db.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE last_error = 'superseded'")
    assert superseded["n"] > 0  # claimed rows not yet started were dropped, not sent


def count_tokens(worker: Any) -> dict[str, int]:
    """Which rate each send waited for: tokens taken from the paid bucket and from the free ones. Rates are checked
    this way rather than with a wall clock (no timed assertions; the bucket's own pacing is tested in
    test_delivery)."""
    taken = {"paid": 0, "free": 0}
    buckets = {id(b): ("free", b) for b in (worker.bucket, *worker.buckets.values())}
    if worker.paid_bucket is not None:
        buckets[id(worker.paid_bucket)] = ("paid", worker.paid_bucket)
    for lane, bucket in buckets.values():
        async def counted(lane: str = lane, acquire: Any = bucket.acquire) -> None:
            taken[lane] += 1
            await acquire()
        bucket.acquire = counted
    return taken


# -- paid broadcast ------------------------------------------------------------------------------------------
async def test_paid_broadcast_raises_the_rate_for_alerts_only(api: FakeBotAPI, harness: Harness) -> None:  # noqa: F811
    users = await harness.users(*range(60_000, 60_200))
    await harness.fan_out(users, "alert", kind="alert", ref="alert:1")
    await harness.fan_out(users[:3], "newsletter", kind="broadcast", ref="broadcast:1")
    await harness.fan_out(users[3:5], "an answer", kind="reply")
    worker = harness.worker(rate_per_second=20, paid_rate_per_second=400, paid_daily_stars_cap=1000,
                            per_chat_interval=0)
    taken = count_tokens(worker)
    await worker.start()
    await harness.settled()
    calls = sends(api)
    alerts = [c for c in calls if c.params["text"] == "alert"]
    assert len(alerts) == 200 and all(c.paid for c in alerts)
    assert not any(c.paid for c in calls if c.params["text"] != "alert")  # never for replies or broadcasts
    assert taken == {"paid": 200, "free": 5} and worker.paid_bucket.rate == 400  # alerts paced at the paid rate
    spend = await harness.outbox.paid_spend()
    assert spend.today == pytest.approx(200 * STARS_PER_PAID_MESSAGE)
    rows = await harness.db.fetchall("SELECT kind, paid FROM outbox")
    assert {(r["kind"], r["paid"]) for r in rows} == {("alert", 1), ("broadcast", 0), ("reply", 0)}


async def test_the_daily_cap_in_stars_is_kept(api: FakeBotAPI, harness: Harness) -> None:  # noqa: F811
    users = await harness.users(*range(61_000, 61_080))
    await harness.fan_out(users, "alert", kind="alert", ref="alert:1")
    await harness.worker(rate_per_second=200, paid_rate_per_second=400, paid_daily_stars_cap=3,
                         per_chat_interval=0).start()
    await harness.settled()
    assert sum(1 for c in sends(api) if c.paid) == 30  # 3 Stars at 0.1 Star a message
    assert len(sends(api)) == 80
    assert (await harness.outbox.paid_spend()).today == pytest.approx(3.0)


async def test_a_refused_paid_broadcast_falls_back_to_the_free_rate_without_losing_messages(
        api: FakeBotAPI, harness: Harness, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    api.refuse_paid_broadcast = "Bad Request: not enough Stars for a paid broadcast"
    users = await harness.users(*range(62_000, 62_040))
    await harness.fan_out(users, "alert", kind="alert", ref="alert:1")
    worker = harness.worker(rate_per_second=20, paid_rate_per_second=500, paid_daily_stars_cap=1000,
                            per_chat_interval=0)
    caplog.set_level(logging.ERROR, logger="bot.delivery.worker")
    taken = count_tokens(worker)
    await worker.start()
    await harness.settled()
    calls = api.calls_to("sendMessage")
    refused = [c for c in calls if c.status == 400]
    delivered = [c for c in calls if c.status == 200]
    assert refused and all(c.paid for c in refused)  # the first tries asked for paid broadcast
    assert len(delivered) == 40 and not any(c.paid for c in delivered)
    assert sorted(int(c.params["chat_id"]) for c in delivered) == list(range(62_000, 62_040))  # each once
    # Then every message waited for the free rate (a few had already taken a paid token when the refusal came).
    assert taken["free"] == 40 and taken["paid"] >= len(refused)
    counts = await harness.repo.counts()
    assert (counts.sent, counts.failed, counts.retried) == (40, 0, 0)  # a refusal is not a failed attempt
    refusals = [r for r in caplog.records if "REFUSED paid broadcast" in r.getMessage()]
    assert len(refusals) == 1 and "free rate" in refusals[0].getMessage()
    assert (await harness.outbox.paid_spend()).today == 0


# -- time to reach -------------------------------------------------------------------------------------------
async def test_time_to_reach_is_recorded(api: FakeBotAPI, harness: Harness) -> None:  # noqa: F811
    alerts: AlertService = harness.app.services.alerts
    api.blocked.add(70_005)
    for n in range(25):
        await subscriber(harness, 70_000 + n, CENTRE[0] + n * 0.001, CENTRE[1], 5000)
    decided = time.time()
    report_id = await confirm_report(harness, 79_999, *CENTRE)
    alert_id = (await alerts.repo.alert_of_report(report_id)).id
    before = await alerts.reach(alert_id)
    assert (before.total, before.sent, before.queued, before.first_sent_at) == (25, 0, 25, None)
    await harness.worker(rate_per_second=50).start()
    await harness.settled()
    reach = await alerts.reach(alert_id)
    assert (reach.total, reach.sent, reach.failed, reach.queued) == (25, 24, 1, 0)
    assert decided <= reach.decided_at <= reach.first_sent_at <= reach.last_sent_at
    assert reach.last_after >= 23 / 50 * 0.9 and reach.first_after < 1.0
    stats = await alerts.reach_stats(time.time() - 7 * 86400)
    assert (stats.alerts, stats.recipients, stats.sent, stats.failed, stats.unfinished) == (1, 25, 24, 1, 0)
    assert stats.first is not None and stats.first[0] == pytest.approx(reach.first_after)
    assert stats.everyone is not None and stats.everyone[2] == pytest.approx(reach.last_after)


def _reply(text: str) -> Any:
    from bot.chat import Reply

    return Reply(text)
