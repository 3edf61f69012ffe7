"""One end-to-end suite, run on every front: the same people and the same steps on Telegram and on Signal.

The bot runs both fronts at once (as ``python -m bot run`` does with both configured), each against its fake
server, on one database; the parameters say which messenger each person and the moderators' room use. Signal
has no buttons, so there a "press" is typing the option's number ("C1 1" on a card in the group).
"""

from __future__ import annotations

import pytest

from tests.chats import Chat, Room, SignalChat, SignalRoom, TelegramChat, TelegramRoom

PLACE = "18th and Ashland"  # typed: Signal has no location pins
PAIRS = [("telegram", "telegram"), ("signal", "signal"), ("telegram", "signal"), ("signal", "telegram")]


def person(messenger: str, api, fake, n: int) -> Chat:
    if messenger == "telegram":
        return TelegramChat(api, 500 + n, "es")
    return SignalChat(fake, f"+1312555{n:04d}")


def room(messenger: str, api, fake) -> tuple[Room, object, str]:
    """The moderators' room, the member who moderates, and that member's qualified id (granted as admin: being
    in the group is not enough to decide)."""
    if messenger == "telegram":
        r = TelegramRoom(api)
        return r, r.member(905), "telegram:905"
    r = SignalRoom(fake, ["+13125559001"])
    member = r.member("+13125559001")
    return r, member, f"signal:{member.uuid}"


async def subscribe(chat: Chat, place: str) -> None:
    said = await chat.send("/alertas")
    assert any("Todavía no tiene zonas" in s.text for s in said)
    await chat.press("Agregar una zona")
    await chat.send_place(place)
    await chat.press("1 milla")
    said = await chat.press("Guardar")
    assert any("Guardado" in s.text for s in said)


async def report(chat: Chat, place: str) -> str:
    said = await chat.send("/reportar")
    assert "Primero su seguridad" in said[0].text
    await chat.press("Agentes en una casa")
    said = await chat.send_place(place)
    assert any("Lugar:" in s.text for s in said), [s.text for s in said]
    await chat.press("Ahorita")
    await chat.press("3–5")
    await chat.press("2–3")
    await chat.press("ICE")
    await chat.press("Saltar")
    assert "Revise su reporte" in chat.last.text
    said = await chat.press("Mandar")
    return next(s.text for s in said if "#" in s.text)


@pytest.mark.parametrize(("resident_on", "room_on"), PAIRS)
async def test_report_moderated_alerted_and_corrected(api, signal_fake, start_both, resident_on, room_on) -> None:
    mods, moderator, moderator_id = room(room_on, api, signal_fake)
    bot = await start_both(moderator_chat_id=mods.chat_id, report_cooldown_seconds=0,
                           admin_ids=frozenset({moderator_id}))
    on_telegram = person("telegram", api, signal_fake, 1)
    on_signal = person("signal", api, signal_fake, 2)
    for subscriber in (on_telegram, on_signal):
        await subscribe(subscriber, "18th and Loomis")  # about 0.3 mi from the report
    resident = person(resident_on, api, signal_fake, 3)

    received = await report(resident, PLACE)
    assert "Recibimos su reporte #1" in received
    if resident_on == "signal":  # each typed number that picked an option got a 👍 on the person's message
        assert signal_fake.calls_to("sendReaction")
    await api.drain()
    await signal_fake.drain()
    card = next(c for c in mods.cards() if "Reporte #1" in c.text)
    assert "18th" in card.text and resident.user_id not in card.text  # never who reported

    await mods.press(moderator, "Confirmar", "Reporte #1")
    await api.drain()
    await signal_fake.drain()
    for subscriber in (on_telegram, on_signal):
        assert subscriber.saw("Confirmado por moderadores"), subscriber.messenger
    assert resident.saw("Los moderadores confirmaron su reporte #1")
    assert any("Confirmado por M-" in c.text for c in mods.cards())

    await mods.press(moderator, "Falsa alarma", "Reporte #1")
    await api.drain()
    await signal_fake.drain()
    for subscriber in (on_telegram, on_signal):
        assert subscriber.saw("falsa alarma"), subscriber.messenger
    users = bot.app.services.users
    assert users.key_for("signal", on_signal.user_id) != users.key_for("telegram", on_signal.user_id)


@pytest.mark.parametrize("messenger", ["telegram", "signal"])
async def test_rights_question_in_own_words(api, signal_fake, start_both, messenger) -> None:
    await start_both()
    chat = person(messenger, api, signal_fake, 7)
    said = await chat.send("la migra esta tocando mi puerta q hago")
    assert any("puerta" in s.text.lower() and "juez" in s.text.lower() for s in said), [s.text for s in said]
    if messenger == "signal":  # typing while the answer is prepared
        assert signal_fake.calls_to("sendTyping")


@pytest.mark.parametrize("messenger", ["telegram", "signal"])
async def test_a_photo_gets_a_kind_answer_not_silence(api, signal_fake, start_both, messenger) -> None:
    await start_both()
    chat = person(messenger, api, signal_fake, 8)
    await chat.send("/start")
    before = len(chat.seen())
    if isinstance(chat, TelegramChat):
        await chat.user.send_photo()
    else:
        await chat.user.send_attachment("image/jpeg")
    assert len(chat.seen()) > before


async def test_a_signal_rate_limit_holds_the_account_and_loses_nothing(api, signal_fake, start_both) -> None:
    """Signal answers a send with its rate limit: the direct answer goes to the durable outbox, the worker holds
    the whole Signal account for the time asked, then delivers; Telegram is not held."""
    bot = await start_both()
    chat = person("signal", api, signal_fake, 9)
    signal_fake.rate_limit("send", times=1, retry_after=1)
    await chat.user.send("la migra esta tocando mi puerta q hago", settle=False)
    assert await signal_fake.wait_until(lambda: chat.saw("juez"), timeout=15)  # delivered after the wait
    assert bot.app.worker is not None and "signal" in bot.app.worker._held_until
    other = person("telegram", api, signal_fake, 10)
    said = await other.send("/start")
    assert said  # Telegram answered while Signal was held


@pytest.mark.parametrize("organizer_on", ["telegram", "signal"])
async def test_a_broadcast_reaches_people_on_both_messengers(api, signal_fake, start_both, organizer_on) -> None:
    organizer = person(organizer_on, api, signal_fake, 11)
    admin_id = f"telegram:{organizer.user_id}" if organizer_on == "telegram" else f"signal:{organizer.user_id}"
    await start_both(admin_ids=frozenset({admin_id}))  # admins may broadcast
    residents = [person("telegram", api, signal_fake, 12), person("signal", api, signal_fake, 13)]
    for resident in residents:
        await resident.send("/start")
        await resident.press("Español")
    await organizer.send("/difundir")
    await organizer.send("Taller de derechos el sabado")
    await organizer.press("Igual para todos")
    said = await organizer.press("A todos")
    assert any("Llegará a" in s.text for s in said)
    await organizer.press("Mandar")
    await api.drain()
    await signal_fake.drain()
    for resident in residents:
        assert resident.saw("Taller de derechos el sabado"), resident.messenger
