"""Issue 13: an alert area or broadcast audience chosen by neighbourhood is the neighbourhood's real shape.

"1 mile around Pilsen" is a circle round the community area's centre and misses East Pilsen (18th & Halsted is
1.22 mi from it); "all of Pilsen" is the polygon (plus a small margin), so it does not.
"""

from __future__ import annotations

import pytest

from bot.geo import distance_m
from tests.fakebot import FakeBotAPI, FakeUser
from tests.test_e2e_broadcast import ADMIN as BROADCAST_ADMIN
from tests.test_e2e_broadcast import announcements, organizer, wait_final
from tests.test_e2e_report import ADMIN, MOD_CHAT, cards, full_report, moderator

EAST_PILSEN = (41.85786, -87.64662)  # 18th St & Halsted St (the street grid: 800 W, 1800 S)
MILE = 1609.344


@pytest.fixture
async def bot(start_bot):
    return await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0,
                           admin_ids=frozenset({ADMIN, BROADCAST_ADMIN}))


async def subscribe_by_name(user: FakeUser, place: str, choice: str) -> None:
    await user.send("/alertas")
    await user.press("Agregar una zona")
    shown = await user.send(place)
    assert any("¿Qué tan lejos" in m.text for m in shown)
    shown = await user.press(choice)
    assert "todo" in shown[-1].text or "a la redonda" in shown[-1].text
    shown = await user.press("Guardar")
    assert any("Guardado" in m.text for m in shown)


async def test_all_of_pilsen_reaches_east_pilsen_and_la_villita_does_not(api: FakeBotAPI, bot) -> None:
    pilsen_centre = bot.app.services.geo.shape("area", "31").centre
    assert distance_m(pilsen_centre, EAST_PILSEN) > MILE  # a 1-mile circle round the centre would miss it

    whole_pilsen = api.user(601, language_code="es")
    await subscribe_by_name(whole_pilsen, "Pilsen", "Todo Lower West Side")
    assert "todo Lower West Side (Pilsen)" in whole_pilsen.last.text  # the overview says it is all of it
    circle_pilsen = api.user(602, language_code="es")
    await subscribe_by_name(circle_pilsen, "Pilsen", "1 milla")
    la_villita = api.user(603, language_code="es")
    await subscribe_by_name(la_villita, "La Villita", "Todo South Lawndale")

    await full_report(api.user(610, language_code="es"), place=EAST_PILSEN, lang="es")
    await api.drain()
    await (await moderator(api, 905)).press("Confirmar", message=cards(api)[0], chat_id=MOD_CHAT)
    await api.drain()
    assert any("Confirmado por moderadores" in m.text for m in whole_pilsen.seen())
    assert not any("Confirmado por moderadores" in m.text for m in la_villita.seen())
    assert not any("Confirmado por moderadores" in m.text for m in circle_pilsen.seen())  # the old circle


async def test_a_broadcast_to_all_of_pilsen_reaches_east_pilsen(api: FakeBotAPI, bot) -> None:
    alerts = bot.app.services.alerts.repo
    users = bot.app.services.users
    from bot.chat import Sender

    east = (await users.identify(Sender("telegram", "701", "701", "es"))).key
    villita = (await users.identify(Sender("telegram", "702", "702", "es"))).key
    await alerts.add_subscription(east, *EAST_PILSEN, 800.0, "18th & Halsted", "18 y Halsted", 0)
    await alerts.add_subscription(villita, 41.8445, -87.7140, 800.0, "26th & Pulaski", "26 y Pulaski", 0)

    await api.user(ADMIN, language_code="es").send("/canal 31 @vecinos_pilsen")
    await api.user(ADMIN, language_code="es").send("/canal 30 @vecinos_lavillita")
    org = await organizer(api, lang="es")
    await org.send("/difundir")
    await org.send("Taller de derechos en Pilsen")
    await org.press("Igual para todos")
    await org.press("cerca de un lugar")
    await org.send("Pilsen")
    shown = await org.press("Todo Lower West Side")
    preview = shown[-1].text
    assert "todo Lower West Side (Pilsen)" in preview and "Llegará a 1 persona" in preview
    await org.press("Mandar")
    await wait_final(api, org, "✅ Enviado a 1 de 1.")
    assert announcements(api.user(701)) and not announcements(api.user(702))
    await api.drain()
    posted = {c.params.get("chat_id") for c in api.calls_to("sendMessage") if "Taller de derechos" in
              str(c.params.get("text"))}
    assert "@vecinos_pilsen" in posted and "@vecinos_lavillita" not in posted  # Pilsen's channel only


async def test_a_channel_mapped_to_pilsen_gets_the_alert_and_the_correction(api: FakeBotAPI, bot) -> None:
    admin = api.user(ADMIN, language_code="es")
    shown = await admin.send("/canal 31 @vecinos_pilsen")
    assert "@vecinos_pilsen" in shown[0].text
    subscriber = api.user(620, language_code="es")
    await subscribe_by_name(subscriber, "Pilsen", "Todo Lower West Side")
    assert "t.me/vecinos_pilsen" in subscriber.last.text  # the alerts menu offers the channel
    shown = await subscriber.send("/start")
    assert any("t.me/vecinos_pilsen" in m.text for m in shown)  # and so does /start
    await full_report(api.user(621, language_code="es"), place=EAST_PILSEN, lang="es")
    await full_report(api.user(622, language_code="es"), place=(41.8445, -87.7140), lang="es")  # La Villita
    await api.drain()
    mod = await moderator(api, 905)
    pilsen_card, villita_card = cards(api)
    await mod.press("Confirmar", message=pilsen_card, chat_id=MOD_CHAT)
    await mod.press("Confirmar", message=villita_card, chat_id=MOD_CHAT)
    await api.drain()
    posts = [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == "@vecinos_pilsen"]
    assert len(posts) == 1  # Pilsen's alert only, not La Villita's
    text = posts[0].params["text"]
    assert "Confirmado por moderadores" in text and "Confirmed by moderators" in text  # both languages
    assert "R-" not in text and "621" not in text  # no reporter data
    assert any(c.params.get("chat_id") == "@vecinos_pilsen" for c in api.calls_to("sendLocation"))

    await mod.press("Falsa alarma", message=api.find(MOD_CHAT, pilsen_card.message_id), chat_id=MOD_CHAT)
    await api.drain()
    posts = [c for c in api.calls_to("sendMessage") if c.params.get("chat_id") == "@vecinos_pilsen"]
    assert len(posts) == 2 and "falsa alarma" in posts[1].params["text"] and "false alarm" in posts[1].params["text"]


async def test_the_card_and_stats_say_how_far_an_alert_got(api: FakeBotAPI, bot) -> None:
    subscriber = api.user(630, language_code="es")
    await subscribe_by_name(subscriber, "Pilsen", "Todo Lower West Side")
    await full_report(api.user(631, language_code="es"), place=EAST_PILSEN, lang="es")
    await api.drain()
    card = cards(api)[0]
    await (await moderator(api, 905)).press("Confirmar", message=card, chat_id=MOD_CHAT)
    await api.drain()
    await bot.app.housekeeping()  # refreshes the reach line of recent alerts' cards
    await api.drain()
    assert "Enviada a 1 de 1 (la primera a los" in api.find(MOD_CHAT, card.message_id).text
    shown = await api.user(ADMIN, language_code="es").send("/estadisticas")
    assert "alertas: 1 · personas alcanzadas: 1 de 1" in shown[0].text
    assert "Primera persona: mediana" in shown[0].text
