"""End to end: the guided report, the moderators' card and decisions, reporter notices, anti-abuse, restarts."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.fakebot import FakeBotAPI, FakeUser

MOD_CHAT = -100777
ADMIN = 990
PILSEN_PIN = (41.8565, -87.6650)  # 18th St & Loomis, Pilsen


@pytest.fixture
async def bot(start_bot):
    return await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}))


async def moderator(api: FakeBotAPI, user_id: int, lang: str = "es") -> FakeUser:
    """A group member an admin named moderator (issue 11: being in the group is not enough to decide)."""
    user = api.user(user_id, language_code=lang)
    shown = await user.send("/my_id")
    assert f"telegram:{user_id}" in shown[0].text
    shown = await api.user(ADMIN, language_code="en").send(f"/mod_add telegram:{user_id}")
    assert "now a moderator" in shown[0].text
    return user


async def finish_undo_windows(bot) -> None:
    """Let the two-minute undo windows of Rejects and Blocks close (as housekeeping does)."""
    await bot.app.services.moderation.expire_overdue(now=time.time() + 121)


async def report_until_details(user: FakeUser, *, place: str | tuple[float, float], lang: str) -> None:
    es = lang == "es"
    shown = await user.send("/reportar" if es else "/report")
    assert ("Primero su seguridad" if es else "Your safety first") in shown[0].text
    shown = await user.press("Agentes en una casa" if es else "Agents at a home")
    where = next(m for m in shown if ("¿Dónde?" if es else "Where?") in m.text)
    assert where.keyboard and where.keyboard[0][0].get("request_location") is True
    assert ("Atrás" if es else "Back") in user.last.button_labels[0]  # the place step has Back too
    if isinstance(place, tuple):
        shown = await user.send_location(*place)
    else:
        shown = await user.send(place)
    assert any(("Lugar:" if es else "Place:") in m.text for m in shown)
    if not isinstance(place, tuple):  # a typed place is shown on the map before it is used (issue 13)
        assert shown[0].location is not None and not shown[0].text
    await user.press("Ahorita" if es else "Right now")
    await user.press("3–5")
    await user.press("2–3")
    await user.press("ICE")
    assert ("¿Algo más?" if es else "Anything else?") in user.last.text


async def full_report(user: FakeUser, *, place: str | tuple[float, float], lang: str, details: str = "") -> str:
    await report_until_details(user, place=place, lang=lang)
    es = lang == "es"
    if details:
        await user.send(details)
    else:
        await user.press("Saltar" if es else "Skip")
    assert ("Revise su reporte" if es else "Please check your report") in user.last.text
    shown = await user.press("Mandar" if es else "Send")
    received = next(m for m in shown if "#" in m.text)
    return received.text


def cards(api: FakeBotAPI) -> list:
    return [m for m in api.transcript(MOD_CHAT) if m.buttons and "#" in m.text]


async def test_two_reports_confirmed_and_rejected(api: FakeBotAPI, bot) -> None:
    ana = api.user(201, language_code="es-MX")
    bob = api.user(202, language_code="en")
    mod = await moderator(api, 900, "en")

    details = "Dos camionetas <b>grises</b> llamen al 312-555-0199"
    text = await full_report(ana, place=PILSEN_PIN, lang="es", details=details)
    assert "Recibimos su reporte #1" in text
    assert any("quitamos de su texto números de teléfono" in m.text for m in ana.seen())
    text = await full_report(bob, place="47th and Ashland", lang="en")
    assert "Report #2 received" in text

    await api.drain()
    shown = api.transcript(MOD_CHAT)
    pins = [m for m in shown if m.location]
    assert len(pins) == 2 and abs(pins[0].location[0] - PILSEN_PIN[0]) < 0.01
    card1, card2 = cards(api)
    assert "Reporte #1" in card1.text and "R-" in card1.text  # moderator language = default (es)
    assert "&lt;b&gt;grises&lt;/b&gt;" in card1.text and "312-555-0199" not in card1.text
    assert "47th St" in card2.text and "Back of the Yards" in card2.text
    assert "201" not in card1.text and "Vecina" not in card1.text  # never who reported

    await mod.press("Confirmar", message=card1, chat_id=MOD_CHAT)
    await mod.press("Rechazar", message=card2, chat_id=MOD_CHAT)
    await mod.press("spam", message=api.find(MOD_CHAT, card2.message_id), chat_id=MOD_CHAT)  # the reason
    await finish_undo_windows(bot)
    await api.drain()
    card1, card2 = api.find(MOD_CHAT, card1.message_id), api.find(MOD_CHAT, card2.message_id)
    assert "Confirmado</b> por M-" in card1.text and "Detalles borrados" in card1.text
    assert "grises" not in card1.text
    assert "Rechazado</b> por M-" in card2.text
    await api.drain()
    assert "Los moderadores confirmaron su reporte #1" in ana.last.text
    assert "could not be verified" in bob.last.text

    # Details are erased from the database once decided.
    repo = bot.app.services.reports.repo
    assert (await repo.get(1)).details is None
    audit = await repo.audit(1)
    assert [a[1] for a in audit] == ["ok"] and audit[0][0].startswith("M-")


async def test_non_moderator_and_simultaneous_presses(api: FakeBotAPI, bot) -> None:
    ana = api.user(211, language_code="es")
    await full_report(ana, place=PILSEN_PIN, lang="es")
    await api.drain()
    card = cards(api)[0]
    # A resident forging the moderator button from their own chat is refused and nothing changes.
    mallory = api.user(212, language_code="en")
    await mallory.send("/start")
    await mallory.press_data(card.button_data("Confirmar"), mallory.last)
    answer = api.calls_to("answerCallbackQuery")[-1]
    assert answer.params["text"] == "Only moderators can do this."
    assert (await bot.app.services.reports.repo.get(1)).status == "pending"

    m1 = await moderator(api, 901)
    m2 = await moderator(api, 902)
    await asyncio.gather(m1.press("Confirmar", message=card, chat_id=MOD_CHAT, settle=False),
                         m2.press_data(card.button_data("Rechazar") + ":spam", card, chat_id=MOD_CHAT,
                                       settle=False))
    await api.drain()
    await finish_undo_windows(bot)
    await api.drain()
    report = await bot.app.services.reports.repo.get(1)
    assert report.status in ("confirmed", "rejected")
    audit = [action for _, action, _ in await bot.app.services.reports.repo.audit(1)]
    assert audit[0] == "refused:ok"  # the forged press is logged, by handle
    assert len([a for a in audit if not a.startswith("refused")]) == 1
    toasts = [c.params.get("text") for c in api.calls_to("answerCallbackQuery")[-2:]]
    assert "Otro moderador ya decidió este reporte." in toasts
    notices = [m for m in ana.seen() if "#1" in m.text and ("confirmaron" in m.text or "No se pudo" in m.text)]
    assert len(notices) == 1


async def test_rate_limit_blocks_fourth_report(api: FakeBotAPI, bot) -> None:
    ana = api.user(221, language_code="en")
    for _ in range(3):
        await full_report(ana, place=PILSEN_PIN, lang="en")
    shown = await ana.send("/report")
    assert "You have sent 3 reports in the last hour" in shown[0].text
    assert bot.app.services.reports.repo is not None
    assert len(await bot.app.services.reports.repo.recent_by_reporter(
        bot.app.services.users.key_for("telegram", "221"), 0)) == 3


async def test_cooldown_between_reports(api: FakeBotAPI, start_bot) -> None:
    await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=120)
    ana = api.user(222, language_code="es")
    await full_report(ana, place=PILSEN_PIN, lang="es")
    shown = await ana.send("/reportar")
    assert "Acaba de mandar un reporte" in shown[0].text


async def test_wrong_input_keeps_the_step(api: FakeBotAPI, bot) -> None:
    bob = api.user(231, language_code="en")
    await bob.send("/report")
    shown = await bob.send("hmm")  # text that answers nothing: the step stays, with what it accepts
    assert shown[0].text.startswith("I didn't understand what you saw.")
    assert "What did you see?" in shown[1].text
    shown = await bob.send("agents at my neighbour's house")  # a typed answer is an answer
    assert any("Where?" in m.text for m in shown)
    shown = await bob.send_photo()  # kept for the moderators only, after a warning about faces; the step stays
    assert "show no faces" in shown[0].text and "Photo received" in shown[1].text
    assert any("Where?" in m.text for m in shown)
    shown = await bob.send("Paris, France")
    assert "couldn't find" in shown[0].text and "Paris, France" in shown[0].text
    shown = await bob.send_location(40.7128, -74.0060)  # New York: outside the service area
    assert "outside the area" in shown[0].text
    shown = await bob.send("<script>alert(1)</script>")
    assert "&lt;script&gt;" in shown[0].text
    await bob.send("Cermak and Western")
    await bob.press("Less than 15 minutes")
    shown = await bob.press("Back")
    assert "When did you see it?" in shown[-1].text
    await bob.press("Less than an hour")
    await bob.press("Don't know")
    await bob.press("None")
    await bob.press("Unmarked")
    shown = await bob.send("x" * 600)
    assert "too long (600 characters)" in shown[0].text
    shown = await bob.send("Grey van, <i>no plates</i> & tinted windows")
    summary = shown[-1].text
    assert "Less than an hour ago" in summary and "&lt;i&gt;no plates&lt;/i&gt; &amp; tinted" in summary
    await bob.press("Edit a field")
    await bob.press("Markings")
    shown = await bob.press("Police")
    assert "Please check your report" in shown[-1].text and "Police" in shown[-1].text
    shown = await bob.press("Cancel")
    assert any("Cancelled" in m.text for m in shown)
    assert await bot.app.services.reports.repo.get(1) is None


async def test_cancel_command_mid_report(api: FakeBotAPI, bot) -> None:
    ana = api.user(232, language_code="es")
    await ana.send("/reportar")
    await ana.press("Solo vehículos")
    shown = await ana.send("/cancelar")
    assert shown[0].text == "Cancelado. No se mandó nada."
    shown = await ana.send("Pilsen")  # no flow now: not treated as a place
    assert "Lugar" not in shown[0].text


async def test_restart_mid_report_resumes(api: FakeBotAPI, start_bot, make_settings) -> None:
    first = await start_bot(moderator_chat_id=MOD_CHAT)
    ana = api.user(241, language_code="es")
    await ana.send("/reportar")
    await ana.press("En un lugar de trabajo")
    await ana.send("Pilsen")
    await first.stop()
    await start_bot(moderator_chat_id=MOD_CHAT)
    shown = await ana.press("Hace menos de una hora")
    assert "¿Como cuántos agentes?" in shown[-1].text
    await ana.press("6–10")
    await ana.press("4 o más")
    await ana.press("Policía")
    await ana.press("Saltar")
    shown = await ana.press("Mandar")
    assert any("Recibimos su reporte #1" in m.text for m in shown)


async def test_ask_the_reporter_relay(api: FakeBotAPI, bot) -> None:
    ana = api.user(251, language_code="es")
    mod = await moderator(api, 903)
    await full_report(ana, place=PILSEN_PIN, lang="es")
    await api.drain()
    card = cards(api)[0]
    shown = await mod.press("Preguntar", message=card, chat_id=MOD_CHAT)
    assert any("/q 1" in m.text for m in shown)
    await mod.send("/q 1 ¿Cuántas <b>camionetas</b>?", chat_id=MOD_CHAT)
    await api.drain()
    question = ana.last
    assert "Un moderador tiene una pregunta sobre su reporte #1" in question.text
    assert "&lt;b&gt;camionetas&lt;/b&gt;" in question.text
    await ana.press("Contestar", message=question)
    await ana.send("Eran tres, color gris. Mi cel 773 555 0100")
    await api.drain()
    card = api.find(MOD_CHAT, card.message_id)
    assert "Respuesta de quien reportó:</b> Eran tres, color gris." in card.text
    assert "555" not in card.text and "camionetas" in card.text
    assert "251" not in card.text
    shown = await ana.press("Contestar", message=question)  # one answer per question
    assert "ya se contestó" in shown[0].text

    # A long exchange keeps the card within Telegram's limit (the fake Bot API refuses longer messages).
    for n in range(6):
        await mod.send(f"/q 1 pregunta {n} " + "¿" * 480, chat_id=MOD_CHAT)
        await api.drain()
        await ana.press("Contestar", message=ana.last)
        await ana.send(f"respuesta {n} " + "x" * 480)
    await api.drain()
    card = api.find(MOD_CHAT, card.message_id)
    assert "respuesta 5" in card.text and "respuesta 1 " not in card.text
    assert not [c for c in api.calls if c.status == 400]


async def test_block_reporter_and_pending_and_expiry(api: FakeBotAPI, bot) -> None:
    ana = api.user(261, language_code="en")
    mod = await moderator(api, 904, "en")
    await full_report(ana, place=PILSEN_PIN, lang="en")
    await full_report(ana, place=(41.80, -87.70), lang="en")
    await api.drain()
    card, second_card = cards(api)
    shown = await mod.send("/pending", chat_id=MOD_CHAT)
    assert "2 reports waiting" in shown[0].text and "Reporte #1" in shown[1].text
    await mod.press("Bloquear", message=card, chat_id=MOD_CHAT)
    await mod.press("spam", message=api.find(MOD_CHAT, card.message_id), chat_id=MOD_CHAT)
    await finish_undo_windows(bot)
    await api.drain()
    assert "your reports are paused" in ana.last.text
    shown = await ana.send("/report")
    assert "Your reports are paused for now" in shown[0].text
    resident = api.user(262, language_code="en")
    shown = await resident.send("/pending")
    assert shown[0].text == "Only moderators can do this."
    # The second report expires when nobody decides in time.
    import time

    expired = await bot.app.services.moderation.expire_overdue(now=time.time() + 4 * 3600)
    assert expired == 1
    await api.drain()
    assert "could not be checked in time" in ana.last.text
    card2 = api.find(MOD_CHAT, second_card.message_id)
    assert "Vencido" in card2.text and not card2.buttons


async def test_admin_grants_and_removes_the_moderator_role(api: FakeBotAPI, start_bot) -> None:
    await start_bot(moderator_chat_id=MOD_CHAT, admin_ids=frozenset({990}))
    admin, helper = api.user(990, language_code="en"), api.user(271, language_code="en")
    shown = await helper.send("/pending")
    assert shown[0].text == "Only moderators can do this."
    shown = await helper.send("/mod_add 271")
    assert shown[0].text == "Sorry, you are not allowed to do this."
    shown = await admin.send("/mod_add 272")
    assert shown[0].text == "That person has not started the bot yet."
    shown = await admin.send("/mod_add ²")
    assert shown[0].text.startswith("Usage: /mod_add")
    shown = await admin.send("/mod_add 271")
    assert "now a moderator" in shown[0].text
    shown = await helper.send("/pending")  # in a private chat, with the granted role
    assert shown[0].text == "No reports are waiting."
    shown = await admin.send("/org_add 271")
    assert "already a moderator" in shown[0].text  # one role per person: not silently replaced
    shown = await admin.send("/mod_remove 271")
    assert "no longer a moderator" in shown[0].text
    shown = await admin.send("/mod_remove 271")
    assert shown[0].text == "That person is not a moderator. Nothing was changed."
    shown = await helper.send("/pending")
    assert shown[0].text == "Only moderators can do this."
