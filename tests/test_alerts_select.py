"""Recipient selection is exact: the R*Tree + geodesic check equals a brute-force geodesic scan."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.chat import Sender
from bot.services.alerts import is_quiet

lat_s = st.floats(41.64, 42.02)
lon_s = st.floats(-87.94, -87.52)
radius_s = st.sampled_from([804.672, 1609.344, 3218.688, 8046.72, 1000.0, 250.0])


@pytest.fixture
async def shared_app(make_settings) -> AsyncIterator[App]:
    """One app for all the examples of a property test (building one per example cost most of the test's time);
    each example starts from an empty set of subscriptions."""
    app = await App.create(make_settings())
    yield app
    await app.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subs=st.lists(st.tuples(lat_s, lon_s, radius_s), min_size=1, max_size=40),
       points=st.lists(st.tuples(lat_s, lon_s), min_size=1, max_size=8))
async def test_index_equals_brute_force(shared_app, subs, points) -> None:
    alerts = shared_app.services.alerts
    keys = []
    for i in range(len(subs)):
        user = await shared_app.services.users.identify(Sender("telegram", str(i), str(i), "es"))
        await alerts.repo.remove_subscription(user.key)  # an earlier example's areas
        keys.append(user.key)
    for key, (lat, lon, radius) in zip(keys, subs, strict=True):
        await alerts.repo.add_subscription(key, lat, lon, radius, "p", "p", time.time())
    for extra in range(len(subs), 40):  # users of a larger earlier example: no areas now
        user = await shared_app.services.users.identify(Sender("telegram", str(extra), str(extra), "es"))
        await alerts.repo.remove_subscription(user.key)
    # Points right on the edge of circles, too: the index must never cut a circle.
    edge = [(lat + radius * 0.999 / 111_320, lon) for lat, lon, radius in subs[:5]]
    for lat, lon in points + edge:
        fast = sorted(c.user_key for c in await alerts.recipients(lat, lon))
        slow = sorted(c.user_key for c in await alerts.recipients_brute_force(lat, lon))
        assert fast == slow


def test_quiet_hours_wrap_midnight() -> None:
    assert is_quiet(23, 22, 7) and is_quiet(3, 22, 7) and not is_quiet(7, 22, 7) and not is_quiet(12, 22, 7)
    assert is_quiet(2, 0, 6) and not is_quiet(6, 0, 6)
    assert not is_quiet(2, None, None) and not is_quiet(5, 5, 5)


async def test_hourly_cap_holds_alerts_for_a_digest(make_settings) -> None:
    app = await App.create(make_settings(alerts_per_hour=1))
    try:
        services = app.services
        sub = await services.users.identify(Sender("telegram", "1", "1", "en"))
        await services.users.set_language(sub.key, "en")
        await services.alerts.repo.add_subscription(sub.key, 41.85, -87.66, 20_000, "city", "city", time.time())
        reporter = await services.users.identify(Sender("telegram", "2", "2", "es"))
        ids = []
        for lat in (41.80, 41.85, 41.90):  # > 1 km apart: three separate alerts
            ids.append(await services.reports.submit(reporter.key, "es", {
                "activity": "street", "lat": lat, "lon": -87.66, "place_en": "x", "place_es": "x", "when": "now",
                "agents": "1-2", "vehicles": "1", "markings": "ice"}))
        for report_id in ids:
            assert (await services.moderation.decide(report_id, "ok", reporter.key)).ok
        rows = await services.db.fetchall("SELECT kind FROM outbox WHERE user_key = ?", (sub.key,))
        assert [r["kind"] for r in rows] == ["alert"]
        assert await services.alerts.repo.digest_users() == [sub.key]
        assert await services.alerts.send_digests(time.time()) == 0  # still at the cap
        assert await services.alerts.send_digests(time.time() + 3700) == 1
        rows = await services.db.fetchall("SELECT kind, ref FROM outbox WHERE user_key = ? ORDER BY id", (sub.key,))
        assert [r["kind"] for r in rows] == ["alert", "alert"] and rows[1]["ref"].startswith("digest:")
        held = await services.alerts.repo.alert_of_report(ids[2])
        async with services.db.transaction() as conn:
            alerted = await services.alerts.repo.alerted_users(conn, f"alert:{held.id}")
        assert [k for k, _ in alerted] == [sub.key]  # a digest reader gets corrections too
    finally:
        await app.close()


@settings(max_examples=3000, deadline=None)
@given(lat=lat_s, lon=lon_s, dlat=st.floats(-0.12, 0.12), dlon=st.floats(-0.16, 0.16),
       radius=st.floats(100, 12_000))
def test_fast_circle_test_agrees_with_geodesic(lat, lon, dlat, dlon, radius) -> None:
    from bot.geo import CircleTest, distance_m

    other = (lat + dlat, lon + dlon)
    assert CircleTest(lat, lon).contains(*other, radius) == (distance_m((lat, lon), other) <= radius)


def test_fast_circle_test_on_the_boundary() -> None:
    from bot.geo import CircleTest, distance_m

    centre = (41.85, -87.66)
    test = CircleTest(*centre)
    for bearing in ((1, 0), (0, 1), (0.7, 0.7), (-0.6, 0.8)):
        for metres in (500.0, 1609.344, 8046.72):
            def point(t: float, b: tuple[float, float] = bearing) -> tuple[float, float]:
                return centre[0] + b[0] * t, centre[1] + b[1] * t

            lo, hi = 0.0, 0.2  # binary search for the crossing of the geodesic radius along the bearing
            for _ in range(60):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if distance_m(centre, point(mid)) <= metres else (lo, mid)
            assert test.contains(*point(lo), metres) and not test.contains(*point(hi), metres)


async def test_a_false_alarm_is_corrected_even_after_the_alert_expired(make_settings) -> None:
    app = await App.create(make_settings())
    try:
        services = app.services
        sub = await services.users.identify(Sender("telegram", "1", "1", "en"))
        await services.alerts.repo.add_subscription(sub.key, 41.85, -87.66, 5000, "p", "p", time.time())
        reporter = await services.users.identify(Sender("telegram", "2", "2", "es"))
        report_id = await services.reports.submit(reporter.key, "es", {
            "activity": "street", "lat": 41.85, "lon": -87.66, "place_en": "x", "place_es": "x", "when": "now",
            "agents": "1-2", "vehicles": "1", "markings": "ice"})
        assert (await services.moderation.decide(report_id, "ok", reporter.key)).ok
        await services.db.execute("UPDATE outbox SET status = 'sent' WHERE kind = 'alert'")  # it was delivered
        await services.alerts.repo.expire(time.time() + 7 * 3600)
        assert (await services.moderation.decide(report_id, "fa", reporter.key)).ok
        rows = await services.db.fetchall("SELECT kind FROM outbox WHERE user_key = ? AND kind = 'correction'",
                                          (sub.key,))
        assert len(rows) == 1
    finally:
        await app.close()
