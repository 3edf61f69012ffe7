"""End to end: subscribing, exact recipients in their own language, corrections, blocked users, /stop."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.chat import Sender
from bot.geo import coarsen, distance_m
from tests.fakebot import FakeBotAPI, FakeUser
from tests.test_e2e_report import ADMIN, MOD_CHAT, cards, full_report, moderator

REPORT_PIN = coarsen(41.8565, -87.6650)  # Pilsen, already on the storage grid
MILE = 1609.344


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / 111_132.0, point[1]


def east_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0], point[1] + metres / (111_320.0 * math.cos(math.radians(point[0])))


@pytest.fixture
async def bot(start_bot):
    return await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}))


async def subscribe(user: FakeUser, point: tuple[float, float], radius_label: str, *, es: bool) -> None:
    shown = await user.send("/alertas" if es else "/alerts")
    assert ("Todavía no tiene zonas" if es else "You have no alert areas yet") in shown[0].text
    await user.press("Agregar una zona" if es else "Add an area")
    assert user.last.keyboard[0][0].get("request_location")
    await user.send_location(*point)
    await user.press(radius_label)
    shown = await user.press("Guardar" if es else "Save")
    assert any(("Guardado" if es else "Saved") in m.text for m in shown)


async def test_only_subscribers_in_range_get_it_in_their_language(api: FakeBotAPI, bot) -> None:
    near = api.user(301, language_code="es-MX")   # 0.3 mi
    mid = api.user(302, language_code="en-US")    # 0.9 mi
    far = api.user(303, language_code="es")       # 3 mi
    blocked = api.user(304, language_code="en")   # 0.5 mi, then blocks the bot
    points = {near: north_of(REPORT_PIN, 0.3 * MILE), mid: east_of(REPORT_PIN, 0.9 * MILE),
              far: north_of(REPORT_PIN, 3 * MILE), blocked: east_of(REPORT_PIN, -0.5 * MILE)}
    for user, point in points.items():
        stored = coarsen(*point)
        assert abs(distance_m(stored, REPORT_PIN) - distance_m(point, REPORT_PIN)) < 120
        await subscribe(user, point, "1 milla" if user.language_code.startswith("es") else "1 mi",
                        es=user.language_code.startswith("es"))
    api.blocked.add(304)

    reporter = api.user(310, language_code="es")
    await full_report(reporter, place=REPORT_PIN, lang="es")
    await api.drain()
    mod = await moderator(api, 905)
    card = cards(api)[0]
    await mod.press("Confirmar", message=card, chat_id=MOD_CHAT)
    await api.drain()

    alert_es = near.last.text
    assert "Confirmado por moderadores" in alert_es and "Agentes en una casa" in alert_es
    assert "Pilsen" in alert_es or "Lower West Side" in alert_es
    assert "1-855-435-7693" in alert_es and "Reportes independientes: 1" in alert_es
    assert near.last.button_labels == ["⚖️ Conozca sus derechos", "🔕 Parar alertas"]
    alert_en = mid.last.text
    assert "Confirmed by moderators" in alert_en and "Agents at a home" in alert_en
    assert "Independent reports: 1" in alert_en
    assert not any("Confirmado por moderadores" in m.text for m in far.seen())
    assert not any("Confirm" in m.text for m in reporter.seen() if "moderadores" in m.text and "🚨" in m.text)
    users = bot.app.services.users
    assert (await users.repo.get(users.key_for("telegram", "304"))).active is False

    # False alarm: the correction reaches exactly the two who received the alert, each in their language.
    card = api.find(MOD_CHAT, card.message_id)
    await mod.press("Falsa alarma", message=card, chat_id=MOD_CHAT)
    await api.drain()
    assert "fue una <b>falsa alarma</b>" in near.last.text
    assert "was a <b>false alarm</b>" in mid.last.text
    assert not any("falsa alarma" in m.text for m in far.seen())
    corrections = [c for c in api.calls_to("sendMessage") if "alarm" in str(c.params.get("text", "")).lower()
                   and c.status == 200 and int(c.params["chat_id"]) != 310]
    assert {int(c.params["chat_id"]) for c in corrections} == {301, 302}
    assert any("falsa alarma" in m.text for m in reporter.seen())  # the reporter hears the outcome too (issue 12)
    assert "Falsa alarma" in api.find(MOD_CHAT, card.message_id).text


async def test_nearby_reports_merge_into_one_alert(api: FakeBotAPI, bot) -> None:
    sub = api.user(321, language_code="en")
    await subscribe(sub, REPORT_PIN, "2 mi", es=False)
    # Quiet hours covering this very hour: the alert arrives, silently.
    hour = datetime.now(ZoneInfo(bot.app.settings.timezone)).hour
    await bot.app.services.alerts.repo.set_quiet_hours(bot.app.services.users.key_for("telegram", "321"),
                                                       hour, (hour + 1) % 24)
    mod = await moderator(api, 906)
    for uid in (322, 323):
        await full_report(api.user(uid, language_code="es"), place=REPORT_PIN, lang="es")
    await api.drain()
    first, second = cards(api)
    await mod.press("Publicar sin confirmar", message=first, chat_id=MOD_CHAT)
    await api.drain()
    assert not any(m.text.startswith(("🚨", "⚠️")) for m in sub.seen())  # one moderator is not enough
    await (await moderator(api, 909)).press("Publicar sin confirmar", message=first, chat_id=MOD_CHAT)
    await api.drain()
    assert "Not verified yet" in sub.last.text and sub.last.silent
    await mod.press("Confirmar", message=second, chat_id=MOD_CHAT)
    await api.drain()
    alerts = [m for m in sub.seen() if m.text.startswith(("🚨", "⚠️"))]
    assert len(alerts) == 1  # one alert plus an update, not two alerts
    assert "Update for the alert" in sub.last.text and "independent reports: 2" in sub.last.text
    assert "Confirmed by moderators" in sub.last.text


async def test_stop_cancels_alerts_not_yet_sent(api: FakeBotAPI, bot) -> None:
    sub = api.user(331, language_code="es")
    await subscribe(sub, REPORT_PIN, "1 milla", es=True)
    await full_report(api.user(332, language_code="es"), place=REPORT_PIN, lang="es")
    await api.drain()
    card = cards(api)[0]
    await bot.app.stop_delivery()  # the worker is busy elsewhere: the alert waits in the outbox
    mod = await moderator(api, 907)
    await mod.press("Confirmar", message=card, chat_id=MOD_CHAT)
    shown = await sub.send("/detener")
    assert "Ya no recibirá alertas" in shown[0].text
    await bot.app.start_delivery({"telegram": bot.front.messenger})
    await api.drain()
    assert not any("Confirmado por moderadores" in m.text for m in sub.seen())
    counts = await bot.app.services.outbox.repo.counts()
    assert counts.cancelled >= 1


async def test_manage_areas(api: FakeBotAPI, bot) -> None:
    ana = api.user(341, language_code="es")
    await subscribe(ana, REPORT_PIN, "1 milla", es=True)
    await ana.send("/alertas")
    await ana.press("Agregar una zona")
    shown = await ana.send("la villita")
    assert shown[0].location is not None and "Lugar:" in shown[1].text  # the pin, then the place in words
    await ana.press("5 millas")
    await ana.press("Guardar")
    await ana.press("Agregar una zona")
    await ana.send("60608")
    await ana.press("media milla")
    await ana.press("Guardar")
    overview = ana.last
    assert "3." in overview.text and "➕ Agregar una zona" not in overview.button_labels
    await ana.press("Quitar 1", message=overview)
    assert "Zona quitada" in ana.seen()[-2].text
    assert "3." not in ana.last.text
    await ana.press("Horas de silencio")
    await ana.press("22:00–07:00")
    assert "Horas de silencio: 22:00–07:00" in ana.last.text
    await ana.press("Parar todas las alertas")
    await ana.press("Sí, párenlas")
    assert await bot.app.services.alerts.repo.subscriptions_of(bot.app.services.users.key_for("telegram", "341")) \
        == []


async def test_every_alert_arrives_despite_api_faults(api: FakeBotAPI, bot) -> None:
    services = bot.app.services
    subscribers = []
    for i in range(30):
        user = await services.users.identify(Sender("telegram", str(500 + i), str(500 + i), "es"))
        await services.users.set_language(user.key, "es" if i % 2 else "en")
        await services.alerts.repo.add_subscription(user.key, *REPORT_PIN, MILE, "p", "p", 0)
        subscribers.append(500 + i)
    await full_report(api.user(340, language_code="es"), place=REPORT_PIN, lang="es")
    await api.drain()
    api.random_failure_rate = 0.2
    mod = await moderator(api, 908)
    await mod.press("Confirmar", message=cards(api)[0], chat_id=MOD_CHAT)

    def received(uid: int) -> bool:
        return any(m.text.startswith("🚨") for m in api.transcript(uid))

    delivered = await api.wait_until(lambda: all(received(uid) for uid in subscribers), timeout=30)
    api.random_failure_rate = 0.0
    assert delivered
    await api.drain(timeout=30)  # nothing left in flight that could still arrive twice
    failed_calls = [c for c in api.calls_to("sendMessage") if c.status != 200]
    assert failed_calls  # faults really happened
    for uid in subscribers:  # exactly one alert each, in their language
        alerts = [m for m in api.transcript(uid) if m.text.startswith("🚨")]
        assert len(alerts) == 1
        expected = "Confirmado" if (uid - 500) % 2 else "Confirmed"
        assert expected in alerts[0].text


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_an_alert_carries_a_pin_and_a_text_to_pass_on(api: FakeBotAPI, bot, lang: str) -> None:
    """Issue 12: people can act on an alert (a map pin first) and pass it on (a short text with place, time,
    confidence and the hotline, and nothing about who reported)."""
    from types import SimpleNamespace

    from bot.chat import Reply
    from bot.fronts.signal import SignalMessenger

    es = lang == "es"
    sub = api.user(361 if es else 362, language_code=lang)
    await subscribe(sub, REPORT_PIN, "media milla" if es else "half a mile", es=es)
    shown = await sub.send("/alertas" if es else "/alerts")
    assert ("a media milla a la redonda" if es else "within half a mile") in shown[0].text
    reporter = api.user(363 if es else 364, language_code="es")
    await full_report(reporter, place=REPORT_PIN, lang="es", details="Camioneta gris, el vecino de la tienda")
    await api.drain()
    await (await moderator(api, 910)).press("Confirmar", message=cards(api)[0], chat_id=MOD_CHAT)
    await api.drain()

    seen = sub.seen()
    alert = next(m for m in seen if m.text.startswith("🚨"))
    pin = seen[seen.index(alert) - 1]  # the pin comes right before the text
    assert pin.location is not None and distance_m(pin.location, REPORT_PIN) < 50 and not pin.text
    share = alert.text.split("📤", 1)[1]
    if es:
        assert "Para compartir" in share and "Actividad de agentes reportada: Agentes en una casa, cerca de" in share
        assert "Confirmado por moderadores de la red vecinal" in share and "llame a" in share
    else:
        assert "To pass on" in share and "Reported immigration agent activity: Agents at a home, near" in share
        assert "Verified by the neighborhood network's moderators" in share and "call" in share
    clock = alert.text.split("(", 1)[1].split(")", 1)[0].split()[-1]  # "(como a las 14:05)." / "(around 14:05)."
    assert clock in share and "1-855-435-7693" in share and ("Pilsen" in share or "Lower West Side" in share)
    assert "cerca de cerca de" not in alert.text and "near near" not in alert.text
    for private in ("R-", "Camioneta", "vecino de la tienda", str(reporter.id), "#1"):  # nothing about the report
        assert private not in share
    assert not [m for m in seen if m.photo]

    # On Signal (no pins) the same alert starts with a map link.
    services = bot.app.services
    row = await services.alerts.repo.get_alert(1)
    reply = services.alerts.render(row, lang, row.observed_at + 600)
    assert isinstance(reply, Reply) and reply.location == (row.lat, row.lon)
    app = SimpleNamespace(settings=bot.app.settings, services=services)
    text, _, _ = await SignalMessenger(rpc=None, app=app).render("+1312", reply)  # type: ignore[arg-type]
    assert text.startswith("📍 https://www.openstreetmap.org/?mlat=") and len(text) < 2000  # one Signal message
