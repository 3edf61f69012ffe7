"""End to end through the real PTB stack: /start, languages, /cancel, HTML safety, API failures."""

from __future__ import annotations

from tests.fakebot import FakeBotAPI


async def test_start_in_spanish_from_language_code(api: FakeBotAPI, bot) -> None:
    ana = api.user(101, language_code="es-MX")
    shown = await ana.send("/start")
    assert "Le damos la bienvenida a <b>Vecinos</b>" in shown[0].text
    assert shown[0].button_labels == ["Español", "English"]  # the guess first
    shown = await ana.press("Español")
    texts = [m.text for m in shown]
    assert any("Listo: le voy a escribir en español" in t for t in texts)
    assert any("no tienen cifrado de extremo a extremo" in t for t in texts)
    menu = ana.last
    assert menu.edited and menu.text.endswith("¿Qué le gustaría hacer?")  # the language question became the menu
    assert menu.button_labels == ["📣 Reportar lo que vi", "⚖️ Conozca sus derechos", "🔔 Alertas cerca de mí",
                                  "❓ Ayuda"]


async def test_start_in_english_and_switch_language(api: FakeBotAPI, bot) -> None:
    bob = api.user(102, language_code="en-US")
    shown = await bob.send("/start")
    assert "Welcome to <b>Vecinos</b>" in shown[0].text
    assert shown[0].button_labels == ["English", "Español"]
    await bob.press("English")
    assert bob.last.text.endswith("What would you like to do?")
    assert any("not end-to-end encrypted" in m.text for m in bob.seen())
    shown = await bob.send("/language")
    assert shown[0].text == "Which language do you prefer?"
    shown = await bob.press("Español", message=shown[0])
    assert "le voy a escribir en español" in shown[0].text
    assert shown[0].edited  # the language question was replaced, not repeated
    shown = await bob.send("/help")
    assert "1-855-435-7693" in shown[0].text and "/idioma" in shown[0].text


async def test_unknown_language_code_uses_default(api: FakeBotAPI, start_bot) -> None:
    await start_bot(default_language="en")
    zoe = api.user(103, language_code="fr")
    shown = await zoe.send("/start")
    assert "Welcome" in shown[0].text


async def test_cancel_everywhere_and_unknown_input(api: FakeBotAPI, bot) -> None:
    ana = api.user(104, language_code="es")
    shown = await ana.send("/cancelar")
    assert shown[0].text == "No había nada que cancelar."
    shown = await ana.send("/nosuch")
    assert "No conozco el comando /nosuch" in shown[0].text
    shown = await ana.send_photo()
    assert "solo puedo leer texto" in shown[0].text


async def test_html_in_user_text_is_shown_literally(api: FakeBotAPI, bot) -> None:
    ana = api.user(105, language_code="en")
    shown = await ana.send("/<b>bold</b>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in shown[0].text
    assert "<b>bold</b>" not in shown[0].text


async def test_stale_button_is_refused(api: FakeBotAPI, bot) -> None:
    ana = api.user(106, language_code="en")
    shown = await ana.send("/start")
    await ana.press_data("v1:nosuch:thing", shown[0])
    await ana.press_data("garbage", shown[0])
    answers = api.calls_to("answerCallbackQuery")
    assert len(answers) == 2 and all(c.params.get("text") == "That button is no longer valid." for c in answers)


async def test_api_failures_do_not_stop_the_bot(api: FakeBotAPI, bot) -> None:
    ana = api.user(107, language_code="en")
    api.fail("sendMessage", 429, retry_after=1)
    shown = await ana.send("/help", quiet=1.5)
    assert "Vecinos" in shown[0].text  # delivered after the flood wait
    api.fail("sendMessage", 500, times=2)
    shown = await ana.send("/privacy", quiet=2.5)
    assert "Your privacy" in shown[0].text
    api.slow("sendMessage", 0.5)
    shown = await ana.send("/help", quiet=1)
    assert shown and "Vecinos" in shown[0].text
    api.blocked.add(107)
    await ana.send("/help")
    key = bot.app.services.users.key_for("telegram", "107")
    assert (await bot.app.services.users.repo.get(key)).active is False
    api.blocked.clear()
    shown = await ana.send("/privacy")
    assert "Your privacy" in shown[0].text  # writing again makes the user active again
    assert (await bot.app.services.users.repo.get(key)).active is True


async def test_delete_me_erases_the_user(api: FakeBotAPI, bot) -> None:
    ana = api.user(108, language_code="es")
    await ana.send("/start")
    await ana.press("Español")
    assert await bot.app.services.users.repo.count() == 1
    shown = await ana.send("/borrarme")
    await ana.press("Sí", message=shown[0])
    assert "Se borró todo" in ana.last.text
    assert await bot.app.services.users.repo.count() == 0
    shown = await ana.send("/start")
    assert "Le damos la bienvenida" in shown[0].text  # a new user again: language question


async def test_command_menus_per_language(api: FakeBotAPI, bot) -> None:
    calls = api.calls_to("setMyCommands")
    by_lang = {c.params.get("language_code"): [x["command"] for x in c.params["commands"]] for c in calls}
    assert "idioma" in by_lang["es"] and "language" in by_lang["en"]
    assert by_lang[None] == by_lang["es"]


async def test_a_failure_inside_a_flow_is_reported_in_the_users_language(api: FakeBotAPI, bot) -> None:
    ana = api.user(109, language_code="es")
    await ana.send("/start")
    await bot.app.services.db.conn.execute("ALTER TABLE conversations RENAME TO conversations_gone")
    shown = await ana.send("/reportar")  # the flow cannot write its step: the storage error surfaces
    assert shown[-1].text == bot.app.services.translator.t("es", "core.error")
    await bot.app.services.db.conn.execute("ALTER TABLE conversations_gone RENAME TO conversations")
    shown = await ana.send("/ayuda")  # and the bot keeps working
    assert "/idioma" in shown[0].text


async def test_stats_for_admins_only(api: FakeBotAPI, start_bot) -> None:
    await start_bot(admin_ids=frozenset({110}))
    admin, resident = api.user(110, language_code="en"), api.user(111, language_code="en")
    shown = await resident.send("/stats")
    assert shown[0].text == "Sorry, you are not allowed to do this."
    shown = await admin.send("/stats")
    assert "Users: 2" in shown[0].text and "Sent:" in shown[0].text and "Possible duplicates" in shown[0].text


async def test_a_reply_that_keeps_failing_is_delivered_later_by_the_outbox(api: FakeBotAPI, bot) -> None:
    ana = api.user(112, language_code="en")
    api.fail("sendMessage", 500, times=6, chat_id=112)  # every direct attempt of the first reply fails
    await ana.send("/privacy", quiet=1.0)
    delivered = await api.wait_until(lambda: any("Your privacy" in m.text for m in ana.seen()), timeout=30)
    assert delivered
    await api.drain()  # shown to the user first, marked sent after: wait for the row, never assume it
    rows = await bot.app.services.db.fetchall("SELECT kind, status FROM outbox")
    assert [(r["kind"], r["status"]) for r in rows] == [("reply", "sent")]
