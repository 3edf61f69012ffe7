"""End to end: organizer broadcasts through the real PTB stack — granting the role, composing in two languages,
audiences (everyone, a language, subscribers near a place), the literal text, one edited progress message,
blocked recipients, refusals and /cancel."""

from __future__ import annotations

import pytest

from bot.chat import Sender
from bot.geo import coarsen
from tests.fakebot import FakeBotAPI, FakeUser
from tests.test_e2e_alerts import MILE, REPORT_PIN, north_of

ADMIN = 900
ORGANIZER = 801
HTML_ES = "Taller <b>gratis</b> & asesoría legal: sábado 10am <script>x</script>"
HTML_EN = "Free <b>workshop</b> & legal advice: Saturday 10am"


@pytest.fixture
async def bot(start_bot):
    running = await start_bot(admin_ids=frozenset({ADMIN}))
    running.app.services.broadcasts.interval = 0.2  # progress edits every 0.2 s instead of 2 s
    return running


async def resident(bot, uid: int, lang: str | None) -> str:
    """A user who started the bot earlier (created directly: the start flow has its own tests)."""
    users = bot.app.services.users
    user = await users.identify(Sender("telegram", str(uid), str(uid), lang or "es"))
    if lang:
        await users.set_language(user.key, lang)
    return user.key


async def organizer(api: FakeBotAPI, uid: int = ORGANIZER, lang: str = "es") -> FakeUser:
    org = api.user(uid, language_code=lang)
    await org.send("/start")
    shown = await api.user(ADMIN, language_code="en").send(f"/org_add {uid}")
    assert "now an organizer" in shown[0].text
    return org


def announcements(user: FakeUser) -> list[str]:
    return [m.text for m in user.seen() if "📢 <b>A" in m.text]


def progress_messages(user: FakeUser) -> list:
    return [m for m in user.seen() if m.text.startswith(("📤 Mandando", "✅ Enviado", "📤 Sending", "✅ Sent"))]


async def wait_final(api: FakeBotAPI, org: FakeUser, marker: str) -> None:
    assert await api.wait_until(lambda: any(marker in m.text for m in progress_messages(org)), timeout=10), \
        [m.text for m in progress_messages(org)]
    await api.drain()  # the progress message is shown before its row is marked sent: assert on a settled state


async def test_bilingual_broadcast_to_everyone_with_literal_text_and_one_edited_progress_message(
        api: FakeBotAPI, bot) -> None:
    org = await organizer(api)
    for uid, lang in ((811, "es"), (812, "en"), (813, None)):  # 813: no stored choice → the default (es)
        await resident(bot, uid, lang)
    shown = await org.send("/difundir")
    assert "español" in shown[0].text and "1000" in shown[0].text
    shown = await org.send(HTML_ES)
    assert "inglés" in shown[0].text
    await org.send(HTML_EN)
    shown = await org.press("A todos")
    preview = shown[-1].text
    assert "📢 <b>Aviso de los organizadores</b>" in preview and "📢 <b>Announcement from the organizers</b>" in preview
    assert "Taller &lt;b&gt;gratis&lt;/b&gt; &amp; asesoría" in preview and "&lt;script&gt;" in preview
    assert "Free &lt;b&gt;workshop&lt;/b&gt;" in preview
    assert "Llegará a 5 personas" in preview  # admin, organizer, 811, 812, 813

    shown = await org.press("Mandar")
    assert any("Mandándolo a 5 personas" in m.text for m in shown)
    await wait_final(api, org, "✅ Enviado a 5 de 5.")

    es_user, en_user, default_user = api.user(811), api.user(812, "en"), api.user(813)
    for user in (es_user, default_user):
        [text] = announcements(user)
        assert text.startswith("📢 <b>Aviso de los organizadores</b>\n\n")
        assert text.endswith("Taller &lt;b&gt;gratis&lt;/b&gt; &amp; asesoría legal: sábado 10am "
                             "&lt;script&gt;x&lt;/script&gt;")
    [text] = announcements(en_user)
    assert text == "📢 <b>Announcement from the organizers</b>\n\n" \
                   "Free &lt;b&gt;workshop&lt;/b&gt; &amp; legal advice: Saturday 10am"
    [progress] = progress_messages(org)  # one message, edited in place
    assert progress.edited and progress.text == "✅ Enviado a 5 de 5." and not progress.buttons
    assert len([c for c in api.calls_to("sendMessage") if "Mandando" in str(c.params.get("text"))]) == 1

    db = bot.app.services.db
    row = await db.fetchone("SELECT author, audience, recipients FROM broadcasts")
    assert row["author"].startswith("O-") and row["audience"] == "all" and row["recipients"] == 5
    columns = {r["name"] for r in await db.fetchall("PRAGMA table_info(broadcasts)")}
    assert not columns & {"text", "text_es", "text_en", "user_key"}
    leftover = await db.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE ref LIKE 'broadcast%' AND payload != X''")
    assert leftover["n"] == 0  # texts wiped once sent


async def test_spanish_speakers_only_and_a_blocked_recipient_counts_as_not_reached(api: FakeBotAPI, bot) -> None:
    org = await organizer(api)
    for uid, lang in ((821, "es"), (822, "en"), (823, "es")):
        await resident(bot, uid, lang)
    api.blocked.add(823)
    await org.send("/difundir")
    await org.send("Línea de ayuda: 1-855-435-7693")
    shown = await org.press("Igual para todos")
    assert "¿A quién" in shown[-1].text
    shown = await org.press("A quienes usan español")
    preview = shown[-1].text
    assert "Quienes usan inglés" not in preview and "Llegará a 4 personas" in preview
    # the admin (no stored choice: the default, Spanish), the organizer, 821 and 823
    await org.press("Mandar")
    await wait_final(api, org, "✅ Enviado a 3 de 4 (no se pudo contactar a 1).")
    assert announcements(api.user(821)) and not announcements(api.user(822))
    users = bot.app.services.users
    assert (await users.repo.get(users.key_for("telegram", "823"))).active is False
    assert len(progress_messages(org)) == 1


async def test_area_audience_reaches_only_subscribers_near_the_place(api: FakeBotAPI, bot) -> None:
    org = await organizer(api, lang="en")
    alerts = bot.app.services.alerts.repo
    near = await resident(bot, 831, "es")
    far = await resident(bot, 832, "en")
    await resident(bot, 833, "es")  # no alert area at all
    await alerts.add_subscription(near, *coarsen(*north_of(REPORT_PIN, 0.4 * MILE)), 0.5 * MILE, "p", "p", 0)
    await alerts.add_subscription(far, *coarsen(*north_of(REPORT_PIN, 3 * MILE)), 5 * MILE, "p", "p", 0)

    await org.send("/broadcast")
    await org.send("Taller en Pilsen")
    await org.send("Workshop in Pilsen")
    shown = await org.press("People with alerts near a place")
    assert any("alert area centered near that place" in m.text for m in shown)
    await org.send_location(*REPORT_PIN)
    await org.press("Back")  # radius → place again
    assert "Near which place" in org.seen()[-2].text
    await org.send_location(*REPORT_PIN)
    shown = await org.press("1 mi")
    preview = shown[-1].text
    assert "Will reach 1 person." in preview and "within 1 mi of" in preview
    await org.press("Send")
    await wait_final(api, org, "✅ Sent to 1 of 1.")
    assert announcements(api.user(831)) == ["📢 <b>Aviso de los organizadores</b>\n\nTaller en Pilsen"]
    assert not announcements(api.user(832)) and not announcements(api.user(833))
    assert not announcements(org)  # the organizer has no alert area here


async def test_only_organizers_and_admins_may_broadcast(api: FakeBotAPI, bot) -> None:
    nobody = api.user(841, language_code="es")
    shown = await nobody.send("/difundir")
    assert shown[0].text == "Perdón, usted no tiene permiso para hacer esto."
    shown = await nobody.send("/org_add 841")
    assert shown[0].text == "Perdón, usted no tiene permiso para hacer esto."
    org = await organizer(api, uid=842)
    shown = await org.send("/difundir", chat_id=-100555)
    assert "chat privado" in shown[0].text
    admin = api.user(ADMIN, language_code="en")
    assert "no longer an organizer" in (await admin.send("/org_remove 842"))[0].text
    shown = await org.send("/difundir")
    assert shown[0].text == "Perdón, usted no tiene permiso para hacer esto."
    assert "/org_add" in (await admin.send("/org_add someone"))[0].text
    shown = await admin.send("/broadcast")  # an admin may broadcast without the role
    assert "Spanish" in shown[0].text


async def test_cancel_mid_compose_sends_nothing(api: FakeBotAPI, bot) -> None:
    org = await organizer(api)
    await resident(bot, 851, "es")
    await org.send("/difundir")
    await org.send("Aviso que no se manda")
    await org.press("Igual para todos")
    shown = await org.send("/cancelar")
    assert "Cancelado" in shown[0].text
    shown = await org.send("otra cosa")  # free text again goes to the rights search, not the broadcast
    db = bot.app.services.db
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM broadcasts"))["n"] == 0
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE kind LIKE 'broadcast%'"))["n"] == 0
    assert not announcements(api.user(851))
    # The Cancel button works too, and a stale Send button afterwards does nothing.
    await org.send("/difundir")
    await org.send("Otro aviso")
    await org.press("Igual para todos")
    shown = await org.press("A todos")
    preview = shown[-1]
    await org.press("Cancelar", message=preview)
    await org.press("Mandar", message=preview)
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM broadcasts"))["n"] == 0


async def test_stop_sending_cancels_what_is_queued(api: FakeBotAPI, bot) -> None:
    org = await organizer(api)
    for uid in (861, 862):
        await resident(bot, uid, "es")
    await org.send("/difundir")
    await org.send("Aviso")
    await org.press("Igual para todos")
    shown = await org.press("A todos")
    preview = shown[-1]
    await bot.app.stop_delivery()  # the worker is busy elsewhere: everything waits in the outbox
    await org.press("Mandar", message=preview)
    broadcast_id = (await bot.app.services.db.fetchone("SELECT id FROM broadcasts"))["id"]
    await api.user(861).press_data(f"v1:bcast:stop:{broadcast_id}", preview)  # not an organizer: ignored
    other = await organizer(api, uid=803)
    await other.press_data(f"v1:bcast:stop:{broadcast_id}", preview)  # another organizer's broadcast: refused
    refused = api.calls_to("answerCallbackQuery")[-1].params.get("text")
    assert refused == "Perdón, usted no tiene permiso para hacer esto."
    assert (await bot.app.services.broadcasts.repo.counts_for_ref(f"broadcast:{broadcast_id}")).queued == 4
    await org.press_data(f"v1:bcast:stop:{broadcast_id}", preview)
    await bot.app.start_delivery({"telegram": bot.front.messenger})
    # Either the progress message never went out (the result then comes as a new message) or it was already on its
    # way when delivery restarted (the result then edits it): the organizer sees one message either way.
    await wait_final(api, org, "✅ Enviado a 0 de 4 (no se pudo contactar a 4).")
    assert len(progress_messages(org)) == 1
    assert not announcements(api.user(861)) and not announcements(api.user(862))


async def test_progress_is_edited_while_delivery_proceeds(api: FakeBotAPI, start_bot) -> None:
    slow = await start_bot(admin_ids=frozenset({ADMIN}), delivery_rate_per_second=8)
    slow.app.services.broadcasts.interval = 0.3
    org = await organizer(api)
    for uid in range(870, 885):
        await resident(slow, uid, "es")
    await org.send("/difundir")
    await org.send("Aviso")
    await org.press("Igual para todos")
    await org.press("A todos")
    await org.press("Mandar")
    await wait_final(api, org, "✅ Enviado a 17 de 17.")
    edits = [str(c.params.get("text")) for c in api.calls_to("editMessageText") if c.status == 200]
    steps = [e for e in edits if e.startswith("📤 Mandando… ")]
    assert steps and all(e.endswith(" / 17") for e in steps)  # intermediate counts, then the result
    assert edits[-1] == "✅ Enviado a 17 de 17." and len(progress_messages(org)) == 1
