"""End to end: Know your rights — browse, free-text search in both languages, not-found, /ask, admin reload."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.faq import DEFAULT_DIR, FaqStore
from tests.fakebot import FakeBotAPI, FakeUser

HOTLINE = "1-855-435-7693"
ADMIN = 555


@pytest.fixture(scope="module")
def faq() -> FaqStore:
    return FaqStore.load(cache_dir=Path(os.environ["FAQ_CACHE_DIR"]))  # conftest: shared trained model


def q(faq: FaqStore, entry_id: str, lang: str) -> str:
    """The entry's question as it appears in an answer's bold first line (HTML-escaped like the bot does)."""
    entry = faq.get(entry_id)
    assert entry is not None, entry_id
    return entry.question(lang).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def head(text: str, n: int = 25) -> str:
    """A prefix of a question, enough to find its (possibly shortened) button."""
    return text[:n]


def answered(text: str, faq: FaqStore, entry_id: str, lang: str) -> bool:
    return text.startswith(f"<b>{q(faq, entry_id, lang)}</b>")


async def test_browse_in_spanish(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    ana = api.user(301, language_code="es-MX")
    shown = await ana.send("/derechos")
    assert len(shown) == 1 and "Conozca sus derechos" in shown[0].text
    assert shown[0].button_labels == [t.title_es for t in faq.topics()]
    browse_id = shown[0].message_id

    shown = await ana.press("En su casa y las órdenes")
    assert len(shown) == 1 and shown[0].message_id == browse_id and shown[0].edited  # edited in place
    assert "<b>En su casa y las órdenes</b>" in shown[0].text and "Escoja una pregunta" in shown[0].text
    home = faq.entries("home")
    assert len(shown[0].button_labels) == len(home) + 1 and shown[0].button_labels[-1] == "Todos los temas"
    assert all(len(label) <= 58 for label in shown[0].button_labels)

    shown = await ana.press(head(home[0].question("es")))
    answer = shown[0]
    assert answer.message_id == browse_id
    assert answered(answer.text, faq, "home_open_door", "es")
    entry = faq.get("home_open_door")
    assert "Fuentes:" in answer.text
    assert f"Revisado el {entry.reviewed_on.isoformat()}" in answer.text
    assert "no asesoría legal" in answer.text and HOTLINE in answer.text
    related = faq.related("home_open_door")
    labels = answer.button_labels
    assert len(labels) == len(related[:3]) + 2 and labels[-2:] == ["« Regresar", "Todos los temas"]
    assert all(head(r.question("es")) in label for r, label in zip(related, labels, strict=False))

    # Related → another answer, Back → that answer's topic, All topics → the topic list; still one message.
    target = related[0]
    shown = await ana.press(head(target.question("es")))
    assert answered(shown[0].text, faq, target.id, "es")
    shown = await ana.press("« Regresar")
    assert f"<b>{faq.topic(target.topic).title_es}</b>" in shown[0].text
    shown = await ana.press("Todos los temas")
    assert "Escoja un tema" in shown[0].text
    assert [m.message_id for m in ana.seen()] == [browse_id]


async def test_browse_in_english_from_the_menu(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    bob = api.user(302, language_code="en-US")
    await bob.send("/menu")
    shown = await bob.press("Know your rights")
    assert "Choose a topic" in shown[0].text
    assert shown[0].button_labels == [t.title_en for t in faq.topics()]
    shown = await bob.press("In a car")
    car = faq.entries("car")
    assert all(head(e.question("en")) in label for e, label in zip(car, shown[0].button_labels, strict=False))
    shown = await bob.press(head(faq.get("car_search").question("en")))
    text = shown[0].text
    assert answered(text, faq, "car_search", "en")
    assert "Sources:" in text and "Reviewed on" in text and "not legal advice" in text and HOTLINE in text
    assert "<a href=\"https://" in text  # sources are linked
    shown = await bob.press("« Back")
    assert "<b>In a car</b>" in shown[0].text
    assert await bob.send("/rights") and "Choose a topic" in bob.last.text  # the command works too


async def test_free_text_questions_get_the_right_entry(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    ana = api.user(303, language_code="es")
    shown = await ana.send("la migra esta en mi puerta que hago")
    assert len(shown) == 1 and answered(shown[0].text, faq, "home_open_door", "es")
    assert "Otras respuestas que le pueden servir" in shown[0].text and "no asesoría legal" in shown[0].text
    alternatives = [label for label in shown[0].button_labels if label.startswith("↪")]
    assert 1 <= len(alternatives) <= 3
    assert shown[0].button_labels[-2:] == ["« Regresar", "Todos los temas"]
    # An alternative opens its answer in place of the first.
    first = shown[0].message_id
    shown = await ana.press(alternatives[0][2:20])
    assert shown[0].message_id == first and "Fuentes:" in shown[0].text

    # Misspelt, no accents, no question marks.
    shown = await ana.send("tengo ke avrir la puerta si tocan los de inmigrasion")
    assert answered(shown[0].text, faq, "home_open_door", "es")
    shown = await ana.send("polisia me paro en el carro")
    assert answered(shown[0].text, faq, "car_traffic_stop", "es")

    # A Spanish user asking in English still reads the answer in Spanish.
    shown = await ana.send("do I have to open the door to ICE")
    assert answered(shown[0].text, faq, "home_open_door", "es")
    assert q(faq, "home_open_door", "en") not in shown[0].text

    bob = api.user(304, language_code="en")
    shown = await bob.send("do I have to open the door to ICE")
    assert answered(shown[0].text, faq, "home_open_door", "en") and "not legal advice" in shown[0].text
    shown = await bob.send("tengo que firmar papeles de la migra?")
    assert answered(shown[0].text, faq, "detained_dont_sign", "en")  # asked in Spanish, answered in English


async def test_off_topic_gets_a_kind_word_the_hotline_and_the_menu(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    bob = api.user(305, language_code="en")
    for text in ("how do i bake a cake", "cual es la mejor taqueria en pilsen", "what's the best pizza in town"):
        shown = await bob.send(text)
        assert "I don't know about that" in shown[0].text and HOTLINE in shown[0].text
        assert "Sources:" not in shown[0].text  # no guessed answer
        assert shown[-1].text == "What would you like to do?"  # never a dead end: the menu
    ana = api.user(306, language_code="es")
    shown = await ana.send("/preguntar quien gano el partido ayer")
    assert "Eso no lo sé" in shown[0].text and HOTLINE in shown[0].text
    shown = await ana.press("Conozca sus derechos")  # the menu leads on to the topics
    assert any("En el trabajo" in label for m in shown for label in m.button_labels)


async def test_thanks_get_a_friendly_reply_not_a_legal_answer(api: FakeBotAPI, bot) -> None:
    for user_id, lang, text, expected in ((311, "es", "gracias mija", "¡Con mucho gusto!"),
                                          (312, "en", "ok thx", "You're welcome!")):
        person = api.user(user_id, language_code=lang)
        shown = await person.send(text)
        assert expected in shown[0].text and "Sources" not in shown[0].text and "Fuentes" not in shown[0].text
        assert len(shown) == 2  # the kind word, then the menu


async def test_a_low_confidence_question_gets_did_you_mean_buttons(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    bob = api.user(313, language_code="en")
    question = "lawyer"  # one word: several entries share it (detention, legal help, who advises me)
    result = faq.lookup(question, "en")
    assert result.kind == "suggest"  # the matcher is not confident about this one (checked, not assumed)
    shown = await bob.send(question)
    assert "Did you mean" in shown[0].text and HOTLINE in shown[0].text and "Sources:" not in shown[0].text
    labels = [label for label in shown[0].button_labels if label.startswith("❓")]
    assert len(labels) == 3
    wanted = faq.get("hotline_legal_help")
    assert any(wanted.question("en")[:20] in label for label in labels)  # the lawyer entry is among them
    answer = await bob.press(wanted.question("en")[:20])
    assert answered(answer[0].text, faq, "hotline_legal_help", "en")


async def test_the_door_question_in_slang_gets_the_door_entry_first(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    ana = api.user(314, language_code="es")
    shown = await ana.send("la migra esta afuera de mi casa que hago")
    assert answered(shown[0].text, faq, "home_open_door", "es")
    assert not shown[0].text.split("\n")[0].startswith("⚠️")  # the calm answer, not the contested memo


async def test_ask_command_greetings_and_other_input(api: FakeBotAPI, bot, faq: FaqStore) -> None:
    bob = api.user(308, language_code="en")
    shown = await bob.send("/ask")
    assert shown[0].text.startswith("Write your question after /ask")
    shown = await bob.send("/ask do I have to open the door to ICE?")
    assert answered(shown[0].text, faq, "home_open_door", "en")
    shown = await bob.send("/rights can they search my car")
    assert answered(shown[0].text, faq, "car_search", "en")

    for text in ("hi", "Hello!", "menu", "I need help"):
        shown = await bob.send(text)
        assert "Hello! You can choose an option" in shown[0].text
        assert shown[-1].text == "What would you like to do?"
    ana = api.user(309, language_code="es")
    for text in ("Hola", "menú", "ayuda", "buenas tardes"):
        shown = await ana.send(text)
        assert "¡Hola!" in shown[0].text and shown[-1].text == "¿Qué le gustaría hacer?", text
    shown = await ana.send("/preguntar")
    assert "Escriba su pregunta" in shown[0].text

    shown = await ana.send_photo()
    assert "solo puedo leer texto" in shown[0].text and shown[-1].text == "¿Qué le gustaría hacer?"
    shown = await ana.send_location(41.8565, -87.6650)
    assert "solo puedo leer texto" in shown[0].text and shown[-1].text == "¿Qué le gustaría hacer?"
    shown = await ana.send("la migra " * 80)
    assert "muy largo" in shown[0].text and "Fuentes:" not in shown[0].text

    # Another flow's "More about this" button (e.g. on an alert) opens the answer as a new message.
    menu = ana.last
    shown = await ana.press_data("v1:rights:m:street_silence", menu)
    assert len(shown) == 1 and shown[0].message_id != menu.message_id
    assert answered(shown[0].text, faq, "street_silence", "es") and not api.find(ana.id, menu.message_id).edited

    # A stale or forged button: a toast, nothing else.
    before = len(ana.seen())
    await ana.press_data("v1:rights:e:no_such_entry", ana.last)
    await ana.press_data("v1:rights:t:nosuch", ana.last)
    await ana.press_data("v1:rights:zz", ana.last)
    assert len(ana.seen()) == before and not ana.last.edited
    toasts = [c.params.get("text") for c in api.calls_to("answerCallbackQuery")[-3:]]
    assert toasts == ["Ese botón ya no sirve."] * 3


async def _reload(user: FakeUser) -> str:
    shown = await user.send("/reload_faq")
    return shown[0].text


async def test_reload_refused_for_non_admin_and_survives_a_broken_edit(
        api: FakeBotAPI, start_bot, faq: FaqStore, tmp_path: Path) -> None:
    content = tmp_path / "faq"
    # Without the residents' questions (asked.tsv): this test is about reloading, and each reload retrains the
    # search; 2,900 fewer texts make that a fraction of a second, well inside the fake API's settle timeout.
    shutil.copytree(DEFAULT_DIR, content, ignore=shutil.ignore_patterns("asked.tsv"))
    await start_bot(admin_ids=frozenset({ADMIN}), faq_path=content)
    ana = api.user(310, language_code="es")
    admin = api.user(ADMIN, language_code="en")

    assert await _reload(ana) == "Perdón, usted no tiene permiso para hacer esto."
    assert await _reload(admin) == f"Rights content reloaded: {len(faq.entries())} answers."

    # A legal organisation corrects a question; the reload shows it without a restart.
    home = content / "home.toml"
    original = home.read_text(encoding="utf-8")
    old_question = faq.get("home_open_door").question("en")
    home.write_text(original.replace(old_question, "Must I open the door to immigration agents?"), encoding="utf-8")
    assert "reloaded" in await _reload(admin)
    shown = await admin.send("do I have to open the door to ICE")
    assert shown[0].text.startswith("<b>Must I open the door to immigration agents?</b>")

    # A broken file: the admin is told where, and the previous content keeps being served.
    home.write_text(original.replace('id = "home_open_door"', 'id = "Home Open Door <x>"'), encoding="utf-8")
    text = await _reload(admin)
    assert text.startswith("Rights content NOT reloaded") and "home.toml" in text
    assert "<x>" not in text and "&lt;x&gt;" in text  # the error is escaped
    shown = await admin.send("do I have to open the door to ICE")
    assert shown[0].text.startswith("<b>Must I open the door to immigration agents?</b>")
    shown = await ana.send("la migra esta en mi puerta que hago")
    assert answered(shown[0].text, faq, "home_open_door", "es")
