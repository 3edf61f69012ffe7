"""Issue 11, group hygiene and undecodable input: what an attacker or a broken client can send does not crash,
wipe a card or reach the logs; /delete_me redraws the person's pending cards."""

from __future__ import annotations

import io
import logging
import time

import pytest

from bot.fronts.base import WithholdUpdateContent
from tests.fakebot import FakeBotAPI
from tests.test_e2e_report import ADMIN, MOD_CHAT, cards, full_report, moderator

PILSEN = (41.8565, -87.665)


@pytest.fixture
async def bot(start_bot):
    return await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}))


async def test_a_lone_surrogate_gets_an_answer_not_a_crash(api: FakeBotAPI, bot) -> None:
    ana = api.user(4001, language_code="es")
    shown = await ana.send("hola \ud800 migra en mi puerta")  # JSON carries it escaped; Python gets a lone surrogate
    assert shown and all(m.text for m in shown)
    assert "Algo salió mal" not in shown[0].text  # handled as text, not as an error
    shown = await ana.send("/reportar")
    assert "Primero su seguridad" in shown[0].text  # and the bot goes on


async def test_another_flows_button_pressed_on_a_card_changes_nothing(api: FakeBotAPI, bot) -> None:
    await full_report(api.user(4002, language_code="es"), place=PILSEN, lang="es")
    await api.drain()
    card = cards(api)[0]
    before = card.text
    member = api.user(4003, language_code="es")
    await member.press_data("v1:rights:all", card, chat_id=MOD_CHAT)  # a modified client, another flow's data
    await member.press_data("v1:report:cancel", card, chat_id=MOD_CHAT)
    assert api.find(MOD_CHAT, card.message_id).text == before
    assert not api.find(MOD_CHAT, card.message_id).edited


async def test_delete_me_redraws_the_pending_card_without_handle_or_details(api: FakeBotAPI, bot) -> None:
    ana = api.user(4004, language_code="es")
    await full_report(ana, place=PILSEN, lang="es", details="dos camionetas grises en el callejon")
    await api.drain()
    card = cards(api)[0]
    handle = card.text.split("·")[1].split("(")[0].strip()
    assert handle.startswith("R-") and "camionetas grises" in card.text
    shown = await ana.send("/borrarme")
    await ana.press("Sí", message=shown[0])
    await api.drain()
    redrawn = api.find(MOD_CHAT, card.message_id)
    assert redrawn.edited and handle not in redrawn.text and "camionetas grises" not in redrawn.text


def test_messenger_library_records_keep_level_but_never_their_arguments() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(WithholdUpdateContent())
    logger = logging.getLogger("telegram.ext.Updater.test")
    logger.addHandler(handler)
    try:
        logger.critical("Error while processing update %s", {"chat": {"id": 70123456, "first_name": "Ana"}})
        logging.getLogger("bot.test").addHandler(handler)
        logging.getLogger("bot.test").warning("kept %s", "as is")
    finally:
        logger.removeHandler(handler)
        logging.getLogger("bot.test").removeHandler(handler)
    text = out.getvalue()
    assert "Error while processing update" in text and "details withheld" in text
    assert "70123456" not in text and "Ana" not in text
    assert "kept as is" in text


async def test_cards_leave_the_group_after_the_retention_period(api: FakeBotAPI, bot) -> None:
    await full_report(api.user(4005, language_code="es"), place=PILSEN, lang="es")
    await api.drain()
    card = cards(api)[0]
    await (await moderator(api, 4006)).press("Confirmar", message=card, chat_id=MOD_CHAT)
    await api.drain()
    moderation = bot.app.services.moderation
    assert await moderation.delete_old_cards() == 0  # decided just now: kept
    later = time.time() + bot.app.settings.card_retention_hours * 3600 + 60
    pins = [m for m in api.transcript(MOD_CHAT) if m.location]
    assert await moderation.delete_old_cards(now=later) == 1 + len(pins)  # the card (and its pin, if one was sent)
    await api.drain()
    assert api.find(MOD_CHAT, card.message_id) is None and (MOD_CHAT, card.message_id) in api.deleted
    assert not [m for m in api.transcript(MOD_CHAT) if m.location]
    assert await moderation.delete_old_cards(now=later) == 0  # once


async def test_details_lose_names_links_addresses_and_spelled_numbers(api: FakeBotAPI, bot) -> None:
    ana = api.user(4007, language_code="es")
    details = ("se llevaron a Juan Perez, mi vecina Rosa vive en 2345 S Kedzie, vean t.me/rosa_k y llamen al "
               "tres uno dos cinco cinco cinco cero uno nueve nueve")
    await full_report(ana, place=PILSEN, lang="es", details=details)
    assert any("quitamos" in m.text for m in ana.seen())  # the reporter is told something was removed
    await api.drain()
    card = cards(api)[0].text
    for secret in ("Juan Perez", "Rosa", "2345 S Kedzie", "t.me/rosa_k", "tres uno dos cinco"):
        assert secret not in card, secret
