"""End to end (issue 12): a photo sent during a report reaches the moderators above the card, never anyone else,
and is gone from the database once they decide. Video and voice keep their kind explanation. Both languages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.chat import Reply
from bot.fronts.signal import SignalMessenger
from i18n import Translator
from tests.fakebot import FakeBotAPI
from tests.test_e2e_alerts import REPORT_PIN, subscribe
from tests.test_e2e_report import ADMIN, MOD_CHAT, cards, moderator, report_until_details

FILE_ID = "AgACAgEAAxkBAAIBQ2photo-of-the-vans"
T = {
    "es": {"no_faces": "no se vean caras", "kept": "Foto recibida", "replaced": "reemplaza a la anterior",
           "summary": "📷 Foto: adjunta", "card": "El reporte trae una foto", "skip": "Saltar", "send": "Mandar",
           "review": "Revise su reporte", "confirm": "Confirmar", "not_kept": "No guardamos videos ni audios",
           "photo_refused": "no guardamos fotos", "radius": "1 milla", "alert": "Agentes en una casa"},
    "en": {"no_faces": "show no faces", "kept": "Photo received", "replaced": "replaces the earlier one",
           "summary": "📷 Photo: attached", "card": "The report comes with a photo", "skip": "Skip", "send": "Send",
           "review": "Please check your report", "confirm": "Confirm", "not_kept": "We don't keep videos or voice",
           "photo_refused": "we don't keep photos", "radius": "1 mi", "alert": "Agents at a home"},
}


@pytest.fixture
async def bot(start_bot):
    return await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, admin_ids=frozenset({ADMIN}))


async def photo_column(bot, report_id: int) -> bytes | None:
    row = await bot.app.services.db.fetchone("SELECT photo FROM reports WHERE id = ?", (report_id,))
    return row[0]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_photo_reaches_the_card_and_is_gone_from_the_database_after_the_decision(
        api: FakeBotAPI, bot, lang: str) -> None:
    es, t = lang == "es", T[lang]
    mod = await moderator(api, 900 if es else 901, lang)
    neighbour = api.user(420 if es else 421, language_code=lang)
    await subscribe(neighbour, REPORT_PIN, t["radius"], es=es)
    ana = api.user(410 if es else 411, language_code=lang)
    await report_until_details(ana, place=REPORT_PIN, lang=lang)

    shown = await ana.send_photo("AgAD-first")  # first: the short "no faces" warning, then it is accepted
    assert t["no_faces"] in shown[0].text and t["kept"] in shown[1].text
    assert ("¿Algo más?" if es else "Anything else?") in shown[-1].text  # the step stays
    shown = await ana.send_photo(FILE_ID)  # a second photo replaces the first, without the warning again
    assert t["replaced"] in shown[0].text and not any(t["no_faces"] in m.text for m in shown)
    await ana.press(t["skip"])
    assert t["review"] in ana.last.text and t["summary"] in ana.last.text
    await ana.press(t["send"])
    await api.drain()

    # Stored: the file reference only, encrypted (neither the reference nor its prefix readable in the file).
    sealed = await photo_column(bot, 1)
    assert sealed is not None and FILE_ID.encode() not in sealed and b"AgAC" not in sealed
    path = bot.settings.database_path
    for file in (path, path.with_name(path.name + "-wal")):  # nor anywhere in the file or its log (the draft too)
        assert not file.exists() or FILE_ID.encode() not in file.read_bytes()

    # The moderators' chat: pin, then the photo (protected, by file_id), then the card that mentions it.
    chat = api.transcript(MOD_CHAT)
    photos = [m for m in chat if m.photo]
    assert [p.photo for p in photos] == [FILE_ID] and photos[0].protected
    card = cards(api)[0]
    assert chat.index(photos[0]) == chat.index(card) - 1
    assert T["es"]["card"] in card.text  # moderator language = default (es)
    assert [int(c.params["chat_id"]) for c in api.calls_to("sendPhoto")] == [MOD_CHAT]

    await mod.press(T["es"]["confirm"], message=card, chat_id=MOD_CHAT)
    await api.drain()
    assert await photo_column(bot, 1) is None  # dropped at the decision
    decided = api.find(MOD_CHAT, card.message_id)
    assert T["es"]["card"] not in decided.text and "Confirmado" in decided.text
    # The alert reached the neighbour, with no photo: only the moderators' chat ever got one.
    assert any(t["alert"] in m.text for m in neighbour.seen())
    assert not [m for m in neighbour.seen() if m.photo]
    assert {int(c.params["chat_id"]) for c in api.calls_to("sendPhoto")} == {MOD_CHAT}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_video_and_voice_keep_the_explanation_and_photos_can_be_turned_off(
        api: FakeBotAPI, start_bot, lang: str) -> None:
    es, t = lang == "es", T[lang]
    await start_bot(moderator_chat_id=MOD_CHAT, report_cooldown_seconds=0, report_photos=False)
    ana = api.user(430, language_code=lang)
    await ana.send("/reportar" if es else "/report")
    voice = {"file_id": "AwAD", "file_unique_id": "v1", "duration": 3}
    shown = await ana._exchange({"message": ana._message(voice=voice)})
    assert t["not_kept"] in shown[0].text
    shown = await ana.send_photo()
    assert t["photo_refused"] in shown[0].text and not any(t["kept"] in m.text for m in shown)


async def test_signal_says_where_the_photo_is() -> None:
    """signal-cli cannot show a Telegram file_id: the moderators read where the photo is instead."""
    settings = SimpleNamespace(moderator_language="en", default_language="es")
    app = SimpleNamespace(settings=settings, services=SimpleNamespace(db=None, translator=Translator("es")))
    text, _, _ = await SignalMessenger(rpc=None, app=app).render("+1312", Reply("Report #3", photo=FILE_ID))  # type: ignore[arg-type]
    assert text.startswith("📷 (this report's photo can only be seen on Telegram)") and FILE_ID not in text


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_a_rejected_reports_photo_goes_when_the_undo_window_closes_and_delete_me_drops_a_pending_one(
        api: FakeBotAPI, bot, lang: str) -> None:
    """A Reject stays undoable for two minutes (the details and the photo with it); then both are erased. A
    reporter who erases herself takes the photo of her undecided report with her."""
    from tests.test_e2e_report import finish_undo_windows

    es, t = lang == "es", T[lang]
    mod = await moderator(api, 902 if es else 903, lang)
    for uid in (440, 441):
        user = api.user(uid + (0 if es else 10), language_code=lang)
        await report_until_details(user, place=REPORT_PIN, lang=lang)
        await user.send_photo(f"{FILE_ID}-{uid}")
        await user.press(t["skip"])
        await user.press(t["send"])
    await api.drain()
    assert await photo_column(bot, 1) is not None and await photo_column(bot, 2) is not None
    card = cards(api)[0]
    await mod.press("Rechazar", message=card, chat_id=MOD_CHAT)
    await mod.press("spam", message=api.find(MOD_CHAT, card.message_id), chat_id=MOD_CHAT)
    assert await photo_column(bot, 1) is not None  # still undoable: kept like the details
    await finish_undo_windows(bot)
    assert await photo_column(bot, 1) is None

    second = api.user(441 + (0 if es else 10), language_code=lang)
    shown = await second.send("/borrarme" if es else "/delete_me")
    await second.press("Sí" if es else "Yes", message=shown[0])
    assert await photo_column(bot, 2) is None
