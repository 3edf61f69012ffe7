"""End to end (issues 11 and 12): named moderators, two-person publishing, undoable Reject, bait floods, verifiers."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.chat import Sender
from bot.geo import coarsen
from tests.fakebot import FakeBotAPI
from tests.test_e2e_report import ADMIN, MOD_CHAT, PILSEN_PIN, cards, full_report, moderator


@pytest.fixture
async def bot(start_bot):
    return await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}))


def card_of(api: FakeBotAPI, report_id: int):
    return next(m for m in reversed(cards(api) + [m for m in api.transcript(MOD_CHAT) if m.text])
                if f"#{report_id}</b>" in m.text)


async def test_a_group_member_who_was_not_named_cannot_decide(api: FakeBotAPI, bot) -> None:
    await full_report(api.user(401, language_code="es"), place=PILSEN_PIN, lang="es")
    await api.drain()
    card = cards(api)[0]
    assert "🆕" in card.text and "Cuenta nueva" in card.text  # account age shown: created today
    stranger = api.user(402, language_code="es")  # in the group, never granted
    await stranger.press("Confirmar", message=card, chat_id=MOD_CHAT)
    assert api.calls_to("answerCallbackQuery")[-1].params["text"] == "Solo los moderadores pueden hacer esto."
    repo = bot.app.services.reports.repo
    assert (await repo.get(1)).status == "pending"
    assert [a for _, a, _ in await repo.audit(1)] == ["refused:ok"]
    shown = await stranger.send("/mod_add telegram:402", chat_id=MOD_CHAT)  # cannot name themself either
    assert "no tiene permiso" in shown[0].text.lower() or "not allowed" in shown[0].text.lower()
    # Named by an admin, the same person can decide.
    await moderator(api, 402)
    await stranger.press("Confirmar", message=card, chat_id=MOD_CHAT)
    assert (await repo.get(1)).status == "confirmed"


async def test_publish_unverified_needs_two_moderators(api: FakeBotAPI, bot) -> None:
    await full_report(api.user(411, language_code="es"), place=PILSEN_PIN, lang="es")
    await api.drain()
    card = cards(api)[0]
    first, second = await moderator(api, 412), await moderator(api, 413)
    await first.press("Publicar sin confirmar", message=card, chat_id=MOD_CHAT)
    repo = bot.app.services.reports.repo
    assert (await repo.get(1)).status == "pending"
    card = api.find(MOD_CHAT, card.message_id)
    assert "falta que otra persona moderadora lo apruebe" in card.text
    await first.press("Publicar sin confirmar", message=card, chat_id=MOD_CHAT)  # the same person again
    assert "ya lo propuso" in api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert (await repo.get(1)).status == "pending"
    await second.press("Publicar sin confirmar", message=card, chat_id=MOD_CHAT)
    report = await repo.get(1)
    assert report.status == "unconfirmed"
    decided_by = report.decided_by
    assert decided_by.count("M-") == 2 and " + " in decided_by
    audit = await repo.audit(1)
    assert audit[-1][0] == decided_by and audit[-1][1] == "un"  # the audit row names both handles
    assert "Publicado como no confirmado</b> por M-" in api.find(MOD_CHAT, card.message_id).text
    # One moderator's Confirm still publishes at once (the default).
    await full_report(api.user(414, language_code="es"), place=(41.80, -87.70), lang="es")
    await api.drain()
    await first.press("Confirmar", message=card_of(api, 2), chat_id=MOD_CHAT)
    assert (await repo.get(2)).status == "confirmed"


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_reject_can_be_undone_within_the_window_and_not_after(api: FakeBotAPI, start_bot, lang) -> None:
    es = lang == "es"
    bot = await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}),
                          moderator_language=lang, moderation_undo_seconds=1.5)
    reporter = api.user(421, language_code=lang)
    await full_report(reporter, place=PILSEN_PIN, lang=lang, details="camioneta gris")
    await api.drain()
    mod = await moderator(api, 422, lang)
    card = cards(api)[0]
    await mod.press("Rechazar" if es else "Reject", message=card, chat_id=MOD_CHAT)
    card = api.find(MOD_CHAT, card.message_id)
    assert ("¿Por qué lo rechaza?" if es else "Why reject it?") in card.text
    await mod.press("spam", message=card, chat_id=MOD_CHAT)
    card = api.find(MOD_CHAT, card.message_id)
    assert ("Deshacer" if es else "Undo") in card.button_labels[0] and "🆕" not in card.text
    assert "camioneta gris" in card.text  # kept until the window closes
    await mod.press("Deshacer" if es else "Undo", message=card, chat_id=MOD_CHAT)
    repo = bot.app.services.reports.repo
    assert (await repo.get(1)).status == "pending"
    card = api.find(MOD_CHAT, card.message_id)
    assert "🆕" in card.text and ("Confirmar" if es else "Confirm") in card.button_labels[0]
    await api.drain()
    told = "reporte #1" if es else "report #1"
    assert not any(told in m.text and ("No se pudo" in m.text or "could not" in m.text) for m in reporter.seen())

    await mod.press("Rechazar" if es else "Reject", message=card, chat_id=MOD_CHAT)
    await mod.press("spam", message=api.find(MOD_CHAT, card.message_id), chat_id=MOD_CHAT)
    await asyncio.sleep(1.7)  # the window closes
    await mod.press("Deshacer" if es else "Undo", message=api.find(MOD_CHAT, card.message_id), chat_id=MOD_CHAT)
    toast = api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert toast == ("Ya no se puede deshacer: pasó el tiempo." if es else
                     "It can no longer be undone: the time is up.")
    report = await repo.get(1)
    assert report.status == "rejected" and report.details is None
    await api.drain()
    card = api.find(MOD_CHAT, card.message_id)
    assert "🆕" not in card.text and not card.buttons
    assert ("Rechazado" if es else "Rejected") in card.text and ("prueba o spam" if es else "test or spam") in card.text
    assert [a for _, a, _ in await repo.audit(1)] == ["no:spam", "undo:no", "no:spam"]


async def test_a_false_alarm_nearby_shows_on_the_next_card(api: FakeBotAPI, bot) -> None:
    mod = await moderator(api, 431)
    await full_report(api.user(432, language_code="es"), place=PILSEN_PIN, lang="es")
    await api.drain()
    await mod.press("Confirmar", message=cards(api)[0], chat_id=MOD_CHAT)
    await mod.press("Falsa alarma", message=card_of(api, 1), chat_id=MOD_CHAT)
    await full_report(api.user(433, language_code="es"), place=PILSEN_PIN, lang="es")
    await api.drain()
    text = card_of(api, 2).text
    assert "Decidido cerca hace poco (1 km, 6 h):</b> 🚫 #1 falsa alarma" in text


async def test_fifty_new_accounts_are_flagged_and_do_not_delay_an_established_reporter(
        api: FakeBotAPI, start_bot) -> None:
    # Telegram's real pacing for a group (20 messages a minute), so a flood would really queue.
    bot = await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}),
                          delivery_group_per_minute=20, pending_cap_area=8)
    services = bot.app.services
    veteran = api.user(440, language_code="es")
    await veteran.send("/start")
    await services.db.execute("UPDATE users SET created_on = '2026-01-02' WHERE key = ?",
                              (services.users.key_for("telegram", "440"),))
    lat, lon = coarsen(*PILSEN_PIN)
    draft = {"activity": "home", "lat": lat, "lon": lon, "place_en": "18th St & Loomis St",
             "place_es": "18th St y Loomis St", "area_number": 31, "when": "now", "agents": "3-5",
             "vehicles": "2-3", "markings": "ice", "details": ""}
    for n in range(50):  # 50 fresh accounts, one report each, at one corner
        user = await services.users.identify(Sender("telegram", str(5000 + n), str(5000 + n), "es"))
        await services.reports.submit(user.key, "es", draft)
    assert len(await services.reports.repo.held(limit=100)) == 42  # 8 cards shown around the corner, 42 wait

    async def step(action) -> None:  # one step of the veteran's report, without waiting for the flood
        await action
        update_id = api.pushed_update_id
        assert await api.wait_until(lambda: api.handled(update_id), timeout=10)

    await step(veteran.send("/reportar", settle=False))
    await step(veteran.press("Agentes en una casa", settle=False))
    await step(veteran.send("18th and Loomis", settle=False))
    for label in ("Ahorita", "3–5", "2–3", "ICE", "Saltar"):
        await step(veteran.press(label, settle=False))
    sent_at = time.monotonic()
    await step(veteran.press("Mandar", settle=False))
    arrived = await api.wait_until(lambda: any("Reporte #51" in m.text for m in api.transcript(MOD_CHAT)),
                                   timeout=5)
    delay = time.monotonic() - sent_at
    print(f"established reporter card after {delay:.2f} s behind 50 new-account reports")
    assert arrived and delay <= 5, delay
    card = next(m for m in api.transcript(MOD_CHAT) if "Reporte #51" in m.text)
    assert "Cerca (1 km, 2 h):</b> ninguno" in card.text  # 50 new accounts are not corroboration
    assert "de cuentas nuevas:</b> 50" in card.text and "Varios reportes de cuentas nuevas" in card.text
    assert "Cuenta creada:</b> hace 30 días o más" in card.text
    flood_cards = [m for m in api.transcript(MOD_CHAT) if "Reporte #" in m.text and "Reporte #51" not in m.text]
    assert len(flood_cards) == 8  # the cap: the other 42 wait, so the group's 20 messages a minute are not spent
    # Pins: the first two new accounts' cards (no cluster yet) and the veteran's; none for the flagged wave.
    assert len([m for m in api.transcript(MOD_CHAT) if m.location]) == 3
    told = [5000 + n for n in range(50)
            if any("muchos reportes por revisar" in m.text for m in api.transcript(5000 + n))]
    assert await api.wait_until(lambda: len([n for n in range(50) if any(
        "muchos reportes por revisar" in m.text for m in api.transcript(5000 + n))]) == 42, timeout=10), told


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_verifier_round_trip(api: FakeBotAPI, start_bot, lang) -> None:
    es = lang == "es"
    bot = await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}),
                          moderator_language=lang, two_moderators_for_confirm=True)
    verifiers = [api.user(451, language_code=lang), api.user(452, language_code=lang)]
    for v in verifiers:  # verifiers choose their own areas: their alert areas
        await v.send("/alertas" if es else "/alerts")
        await v.press("Agregar una zona" if es else "Add an area")
        await v.send_location(*PILSEN_PIN)
        await v.press("1 milla" if es else "1 mi")
        await v.press("Guardar" if es else "Save")
    far = api.user(453, language_code=lang)
    await far.send("/start")
    admin = api.user(ADMIN, language_code="en")
    for uid in (451, 452, 453):
        shown = await admin.send(f"/ver_add telegram:{uid}")
        assert "now a verifier" in shown[0].text
    reporter = api.user(454, language_code=lang)
    await full_report(reporter, place=PILSEN_PIN, lang=lang, details="detalle privado")
    await api.drain()
    mod = await moderator(api, 455, lang)
    card = cards(api)[0]
    await mod.press("verificador" if es else "verifier", message=card, chat_id=MOD_CHAT)
    assert api.calls_to("answerCallbackQuery")[-1].params["text"] == (
        "Se ofreció la verificación a 2 personas verificadoras cercanas." if es else "Offered to 2 verifiers nearby.")
    await api.drain()
    offer = verifiers[0].last
    assert ("¿Puede verificar un reporte?" if es else "Can you check a report?") in offer.text
    assert "detalle privado" not in offer.text and "R-" not in offer.text  # no reporter data
    assert not any("verificar" in m.text or "check a report" in m.text for m in far.seen())
    shown = await verifiers[0].press("Acepto" if es else "I'll go", message=offer)
    assert any(m.location for m in shown) and ("Busque:" if es else "Look for:") in shown[-1].text
    shown = await verifiers[1].press("Acepto" if es else "I'll go", message=verifiers[1].last)
    assert ("Otra persona ya aceptó" if es else "Someone else already accepted") in shown[0].text
    await api.drain()
    assert ("va a revisar" if es else "is going to look") in api.find(MOD_CHAT, card.message_id).text
    await verifiers[0].press("Lo vi" if es else "I saw it")
    await api.drain()
    card = api.find(MOD_CHAT, card.message_id)
    assert ("Verificador V-" if es else "Verifier V-") in card.text and ("lo vio" if es else "saw it") in card.text
    # With "two moderators for every Confirm" on, the verifier's "Seen" is the second voice.
    await mod.press("Confirmar" if es else "Confirm", message=card, chat_id=MOD_CHAT)
    assert (await bot.app.services.reports.repo.get(1)).status == "confirmed"
