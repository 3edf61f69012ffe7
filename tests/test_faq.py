"""Editorial and search checks for the know-your-rights FAQ (issue 6).

Why editorial rules live in tests: the content is edited by organisers, not programmers; a broken rule
(missing language, unknown source, answer too long, a caution dropped) must fail CI before it reaches
someone standing at their door.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.faq import (
    ACTIVITIES,
    DEFAULT_HOTLINE_PHONE,
    MAX_ANSWER_CHARS,
    FaqError,
    FaqStore,
    detect_lang,
    normalize,
    render_answer,
)
from bot.faq.classifier import Classifier, _matrix, text_features
from bot.faq.evaluation import Tally, ask, kfold, noisy
from bot.faq.text import term, terms, words
from i18n import Translator, load_catalogs, placeholders
from tests.faq_questions import (
    ENGLISH,
    HELDOUT_ENGLISH,
    HELDOUT_SPANISH,
    OFF_TOPIC,
    SPANISH,
)

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "i18n" / "faq"
FACT_SHEET = ROOT.parent / "shared" / "kyr-facts.md"
# Source keys of the fact sheet's "Sources" list (kept here so CI does not need the shared notes).
FACT_SHEET_KEYS = frozenset(
    "S1 S2 S4 S5 S6 S7 S8 S9 S10 S11 S12 S13 S14 S15 S16 S17 S18 S19 S19b S20 S21 S22 S23 S24 S25 S26 "
    "S27 S28 S29 S30 S31 S32 S33 S34 S35 S37 S38 S39 S40 S41 S42 S43 S44 S45 S45b S46 S47 "
    "S48 S49 S50 S51 S52 S53 S54 S55 S57 S59 S60 S61 S62 S64 S65 S66 S67".split()
)
REQUIRED_TOPICS = {"home", "street", "car", "work", "detained", "recording", "law", "redcards", "hotlines", "schools"}
# Entries built on facts the sheet marks with ⚠️: the caution must be visible in both languages.
CAUTIONED = {
    "home_admin_warrant", "home_i205_memo", "street_illinois_name", "work_workers", "detained_find_relative",
    "detained_family_plan", "recording_safely", "law_consent_decree", "hotline_report", "hotline_legal_help",
    "schools_ice_at_school", "schools_protected_areas",
}


@pytest.fixture(scope="module")
def store() -> FaqStore:
    return FaqStore.load(cache_dir=Path(os.environ["FAQ_CACHE_DIR"]))  # conftest: shared trained model


@pytest.fixture(scope="module")
def phrasings_store(tmp_path_factory: pytest.TempPathFactory) -> FaqStore:
    """The content without the residents' questions (asked.tsv): the k-fold tests measure the phrasings editors
    write, and each of their five trainings takes a fraction of the time without those 2,900 extra texts. The full
    search with them is measured by leaving each question table out (tests/test_faq_asked.py, bench --loto)."""
    target = tmp_path_factory.mktemp("faq") / "faq"
    shutil.copytree(FAQ_DIR, target, ignore=shutil.ignore_patterns("asked.tsv"))
    return FaqStore.load(target)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator(default="es", catalogs=load_catalogs())


# ------------------------------------------------------------------------------------ editorial checks


def test_enough_entries_and_required_topics(store: FaqStore) -> None:
    assert len(store.entries()) >= 35
    topic_ids = {t.id for t in store.topics()}
    assert REQUIRED_TOPICS <= topic_ids
    for topic in store.topics():
        assert topic.title("es") and topic.title("en") and topic.title("es") != topic.title("en")
        assert store.entries(topic.id), topic.id
    assert sum(len(store.entries(t.id)) for t in store.topics()) == len(store.entries())


def test_every_entry_is_complete_in_both_languages(store: FaqStore) -> None:
    for entry in store.entries():
        for lang in ("es", "en"):
            text = entry.text(lang)
            assert "?" in text.question, (entry.id, lang)
            assert len(entry.answer(lang)) <= MAX_ANSWER_CHARS, (entry.id, lang)
            assert len(text.keywords) >= 3, (entry.id, lang)
            assert "{" not in entry.answer(lang) and "}" not in entry.answer(lang), (entry.id, lang)
        assert entry.es.question != entry.en.question
        assert entry.es.answer != entry.en.answer
        assert entry.related, f"{entry.id} has no related entries"


def test_sources_exist_in_fact_sheet(store: FaqStore) -> None:
    for entry in store.entries():
        assert entry.sources and set(entry.sources) <= FACT_SHEET_KEYS, entry.id
        assert [s.key for s in entry.source_refs] == entry.sources
    if FACT_SHEET.exists():
        sheet_keys = set(re.findall(r"^- (S\d+[a-z]?) ", FACT_SHEET.read_text(encoding="utf-8"), re.M))
        assert sheet_keys == FACT_SHEET_KEYS


def test_reviewed_on_dates(store: FaqStore) -> None:
    for entry in store.entries():
        assert date(2025, 1, 1) <= entry.reviewed_on <= date.today(), entry.id


def test_cautions_are_carried(store: FaqStore) -> None:
    for entry_id in CAUTIONED:
        entry = store.get(entry_id)
        assert entry is not None, entry_id
        assert "⚠️" in entry.en.answer and "⚠️" in entry.es.answer, entry_id
    memo = store.get("home_i205_memo")
    assert memo is not None
    # The sheet forbids promising that ICE "can never" enter with an I-205.
    assert not re.search(r"can ?not ever|can never|never enter", memo.en.answer, re.I)
    assert not re.search(r"nunca (pueden|puede) entrar", memo.es.answer, re.I)


def test_spanish_uses_usted(store: FaqStore) -> None:
    # Forms that only exist in the familiar "tú" register; "usted abre/llama" are fine and not listed.
    informal = re.compile(r"\b(tú|tienes|puedes|quieres|debes|estás|eres|tus|tu|haz|di|sabes|vives)\b", re.I)
    for entry in store.entries():
        for field in (entry.es.question, entry.es.answer, entry.es.tip or ""):
            assert not informal.search(field), (entry.id, informal.search(field))
    for topic in store.topics():
        assert not informal.search(topic.title_es), topic.id


def test_icirr_is_the_default_hotline(store: FaqStore) -> None:
    entry = store.get("hotline_report")
    assert entry is not None
    assert "ICIRR" in entry.answer("en") and "1-855-435-7693" in entry.answer("es")
    assert DEFAULT_HOTLINE_PHONE == "1-855-435-7693"
    assert "{hotline_phone}" in entry.es.answer  # the settings hotline is used, not only the Chicago one


def test_tips_for_every_activity(store: FaqStore) -> None:
    for activity in ACTIVITIES:
        for lang in ("es", "en"):
            tip = store.tip_for_activity(activity, lang)
            assert store.get(tip.entry_id) is not None
            assert 20 <= len(tip.text) <= 240
            assert len(re.findall(r"[.!?](\s|$)", tip.text)) <= 2, tip.text
    assert store.tip_for_activity("unknown", "en") == store.tip_for_activity("other", "en")
    assert store.tip_for_activity("at_home", "es").entry_id == "home_open_door"


# ------------------------------------------------------------------------------------------ catalogs


def test_faq_catalog_keys_and_placeholders_match() -> None:
    catalogs = load_catalogs()
    en = {k: v for k, v in catalogs["en"].items() if k.startswith("faq.")}
    es = {k: v for k, v in catalogs["es"].items() if k.startswith("faq.")}
    assert en.keys() == es.keys()
    for key in ("faq.sources", "faq.reviewed_on", "faq.disclaimer", "faq.not_found", "faq.topics_title",
                "faq.related", "faq.back"):
        assert key in en
    for key in en:
        assert placeholders(en[key]) == placeholders(es[key]), key


# ---------------------------------------------------------------------------------------- rendering


def test_render_answer_html(store: FaqStore, translator: Translator) -> None:
    entry = store.get("detained_find_relative")
    assert entry is not None
    html_en = render_answer(entry, "en", translator, "ICIRR <Family> & Co", "1-855-435-7693")
    assert html_en.startswith(f"<b>{entry.en.question}</b>")
    assert "ICIRR &lt;Family&gt; &amp; Co" in html_en and "<Family>" not in html_en
    assert "Sources: " in html_en and '<a href="https://' in html_en
    assert "Reviewed on 2026-11-28" in html_en
    assert "not legal advice" in html_en and "{" not in html_en
    assert set(re.findall(r"</?([a-z]+)", html_en)) <= {"b", "i", "a"}
    html_es = render_answer(entry, "es", translator, "ICIRR", "1-855-435-7693")
    assert "Fuentes: " in html_es and "Revisado el 2026-11-28" in html_es and "asesoría legal" in html_es


def test_render_escapes_answer_text(store: FaqStore, translator: Translator) -> None:
    entry = store.get("street_silence")
    assert entry is not None
    rendered = render_answer(entry, "en", translator, "X", "1")
    assert "&quot;" not in rendered  # quotes stay readable; only <, > and & need escaping
    assert '"I want to remain silent."' in rendered


# ------------------------------------------------------------------------------------------ search


def _accuracy(store: FaqStore, table: list[tuple[str, str]], lang: str) -> tuple[float, float]:
    top1 = top3 = 0
    for question, expected in table:
        matches = store.search(question, lang=lang)
        ids = [m.entry.id for m in matches[:3]]
        top1 += bool(ids) and ids[0] == expected and matches[0].confident
        top3 += expected in ids
    return top1 / len(table), top3 / len(table)


def test_question_table_is_realistic_and_large_enough(store: FaqStore) -> None:
    assert len(SPANISH) >= 40 and len(ENGLISH) >= 40
    known = {e.id for e in store.entries()}
    for _, expected in SPANISH + ENGLISH + HELDOUT_SPANISH + HELDOUT_ENGLISH:
        assert expected in known, expected
    # Residents rarely type accents: most Spanish questions have none.
    assert sum(q == normalize(q) for q, _ in SPANISH) >= len(SPANISH) // 2


@pytest.mark.parametrize(("lang", "table"), [("es", SPANISH), ("en", ENGLISH)])
def test_accuracy_goals(store: FaqStore, lang: str, table: list[tuple[str, str]]) -> None:
    top1, top3 = _accuracy(store, table, lang)
    assert top1 >= 0.90, f"{lang} top-1 {top1:.1%}"
    assert top3 >= 0.98, f"{lang} top-3 {top3:.1%}"


@pytest.mark.parametrize(("lang", "table"), [("es", HELDOUT_SPANISH), ("en", HELDOUT_ENGLISH)])
def test_heldout_accuracy(store: FaqStore, lang: str, table: list[tuple[str, str]]) -> None:
    top1, top3 = _accuracy(store, table, lang)
    assert top1 >= 0.70 and top3 >= 0.85, f"{lang} held-out top-1 {top1:.1%} top-3 {top3:.1%}"


def test_off_topic_is_not_answered_with_confidence(store: FaqStore) -> None:
    for text in OFF_TOPIC + ["", "   ", "???", "🙂"]:
        matches = store.search(text)
        assert not matches or not matches[0].confident, (text, matches[0].entry.id)


@pytest.mark.parametrize(
    ("text", "acceptable"),
    [
        ("migra en mi puerta", {"home_open_door", "home_who_is_knocking"}),
        ("inmigrasion en mi casa tocando", {"home_open_door", "home_who_is_knocking"}),
        ("orden del juez", {"home_judicial_warrant"}),
        ("me paro la policia",
         {"street_silence", "car_traffic_stop", "street_free_to_go", "car_police_or_ice"}),
        ("ICE en mi trabajo", {"work_ice_at_work", "work_workers"}),
        ("tarjeta roja", {"redcards_what", "redcards_how_to_use"}),
    ],
)
def test_issue_examples(store: FaqStore, text: str, acceptable: set[str]) -> None:
    matches = store.search(text)
    assert matches and matches[0].entry.id in acceptable, [m.entry.id for m in matches]
    assert len(matches) <= 4


def test_accent_case_punctuation_insensitive(store: FaqStore) -> None:
    base = [m.entry.id for m in store.search("tengo que abrir la puerta si es inmigracion")]
    variants = (
        "¿TENGO QUE ABRIR LA PUERTA SI ES INMIGRACIÓN?",
        "tengo que abrir, la puerta... si es inmigración!!",
    )
    for variant in variants:
        assert [m.entry.id for m in store.search(variant)] == base


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SPANISH + ENGLISH), st.sampled_from(["", "!", "?", "...", " 🙏"]), st.booleans())
def test_noise_does_not_change_the_answer(
    store: FaqStore, item: tuple[str, str], tail: str, upper: bool
) -> None:
    question = item[0]
    noisy = (question.upper() if upper else question) + tail
    assert [m.entry.id for m in store.search(noisy)][:1] == [m.entry.id for m in store.search(question)][:1]


def test_language_of_match(store: FaqStore) -> None:
    assert store.search("do i have to open the door")[0].lang == "en"
    assert store.search("tengo que abrir la puerta")[0].lang == "es"
    assert store.search("tengo que abrir la puerta", lang="en")[0].lang == "en"
    assert detect_lang("hola") is None or detect_lang("hola") in ("es", "en")


# ------------------------------------------------------------------------------- loading and reload


def _copy(tmp_path: Path) -> Path:
    """The content without the residents' questions (asked.tsv): these tests are about loading and reloading, and
    without those 2,900 rows each index trains in a fraction of the time (tests/test_faq_asked.py covers them)."""
    target = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, target, ignore=shutil.ignore_patterns("asked.tsv"))
    return target


def test_reload_keeps_old_content_when_broken(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    store = FaqStore.load(directory)
    before = store.get("car_search")
    assert before is not None
    path = directory / "car.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace('"S10", "S1"]\nrelated = ["car_traffic_stop", "street_search"',
                                     '"S10", "S999"]\nrelated = ["car_traffic_stop", "street_search"', 1),
                    encoding="utf-8")
    with pytest.raises(FaqError) as err:
        store.reload()
    assert "car.toml" in str(err.value) and "car_search" in str(err.value) and "S999" in str(err.value)
    assert store.get("car_search") is before  # old content still served

    path.write_text(original.replace("Can the police search my car?", "Can police search my car?"),
                    encoding="utf-8")
    assert store.reload() == len(store.entries())
    entry = store.get("car_search")
    assert entry is not None and entry.en.question == "Can police search my car?"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('reviewed_on = 2026-11-28\n\n[entry.en]\nquestion = "Can the police search my car?"',
         '\n\n[entry.en]\nquestion = "Can the police search my car?"', "reviewed_on"),
        ('related = ["car_traffic_stop", "street_search", "car_passengers"]',
         'related = ["car_traffic_stop", "no_such_entry"]', "no_such_entry"),
        ('question = "Can the police search my car?"\nanswer = \'\'\'\n',
         'question = "Can the police search my car?"\nanswer = \'\'\'\n' + "x" * 950 + "\n", "limit 900"),
        ('question = "Can the police search my car?"', 'question = "Can the police {search} my car?"',
         "placeholders"),
        ('id = "car_drivers_license"', 'id = "street_search"', "duplicate id"),
    ],
)
def test_validation_errors_name_file_and_entry(tmp_path: Path, old: str, new: str, message: str) -> None:
    directory = _copy(tmp_path)
    path = directory / "car.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FaqError) as err:
        FaqStore.load(directory)
    assert "car.toml" in str(err.value) and message in str(err.value)


def test_missing_spanish_is_rejected(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "recording.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[entry.es]")
    end = text.index("[[entry]]", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(FaqError) as err:
        FaqStore.load(directory)
    message = str(err.value)
    assert "recording.toml" in message and "recording_right" in message and "es" in message


def test_every_activity_needs_a_tip(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "street.toml"
    text = path.read_text(encoding="utf-8").replace('activities = ["vehicles"]\n', "", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FaqError, match="vehicles"):
        FaqStore.load(directory)


# ------------------------------------------------------------------ issue 14: generalising search


def test_every_entry_has_ten_phrasings_per_language(store: FaqStore) -> None:
    for entry in store.entries():
        for lang in ("es", "en"):
            phrasings = entry.text(lang).phrasings
            assert len(phrasings) >= 10, (entry.id, lang, len(phrasings))
            assert len(set(phrasings)) == len(phrasings), (entry.id, lang)
    # Written the way residents type: mostly without accents or question marks.
    spanish = [p for e in store.entries() for p in e.es.phrasings]
    assert sum(p == normalize(p) for p in spanish) >= len(spanish) * 0.8


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("la migra esta afuera de mi casa que hago", "es"),
        ("la migra ta afuera q ago", "es"),
        ("ice at the door should i let em in lol", "en"),
        ("ice is outside my house what do i do", "en"),
    ],
)
def test_slang_door_question_gets_the_door_answer(store: FaqStore, text: str, lang: str) -> None:
    result = store.lookup(text, lang=lang)
    assert result.kind == "answer" and result.best is not None, (result.kind, result.matches)
    assert result.best.entry.id == "home_open_door"


def test_contested_entry_is_not_first_unless_asked_for(store: FaqStore) -> None:
    memo = store.get("home_i205_memo")
    assert memo is not None and memo.contested
    for text in ("la migra esta afuera de mi casa que hago", "tumbaron la puerta que hago",
                 "they have an i-205 warrant at my door do i open"):
        matches = store.search(text)
        assert matches and matches[0].entry.id != "home_i205_memo", (text, matches[0].entry.id)
    # Asked for directly, it is the answer.
    for text in ("es cierto lo del memo de ice que deja entrar con una i-205?", "the todd lyons memo"):
        result = store.lookup(text)
        assert result.best is not None and result.best.entry.id == "home_i205_memo", text


@pytest.mark.parametrize("text", ["gracias", "gracias mija", "hola", "jaja", "jajajaja ok", "thanks!!", "ok",
                                  "👍", "dios le bendiga", "hola buenas tardes"])
def test_small_talk_is_recognised(store: FaqStore, text: str) -> None:
    result = store.lookup(text)
    assert result.kind == "small_talk" and result.small_talk and result.off_topic and not result.confident
    assert store.search(text) == []  # never a legal answer, not even a guessed one


@pytest.mark.parametrize("text", ["best pizza", "whats the best pizza in town", "how do i bake a cake",
                                  "cual es la mejor taqueria en pilsen", "quien gano el partido ayer"])
def test_off_topic_is_recognised(store: FaqStore, text: str) -> None:
    result = store.lookup(text)
    assert result.kind == "off_topic" and result.off_topic and not result.suggestions and result.best is None


def test_whole_off_topic_list_gets_no_answer(store: FaqStore) -> None:
    assert len(OFF_TOPIC) >= 30
    confident = [t for t in OFF_TOPIC if store.lookup(t).confident]
    assert confident == []


@pytest.mark.parametrize("text", ["como te llamas", "quien eres", "are you a real person", "stupid bot",
                                  "eres un bot inutil", "whats your name"])
def test_questions_about_the_bot_are_off_topic(store: FaqStore, text: str) -> None:
    """ "como te llamas" shares "llamar" with "can I call the police"; it must never get a legal answer."""
    result = store.lookup(text)
    assert result.kind == "off_topic" and not result.confident and store.search(text) == []


def test_me_llamo_is_about_a_name_not_a_call(store: FaqStore) -> None:
    matches = store.search("me pueden arrestar si no digo como me llamo")
    assert matches and matches[0].entry.id == "street_illinois_name", [m.entry.id for m in matches]


@pytest.mark.parametrize(
    "text", ["tengo una pregunta sobre la policia", "papeles", "orden", "i have a question about ice"])
def test_low_confidence_returns_three_suggestions(store: FaqStore, text: str) -> None:
    result = store.lookup(text)
    assert result.kind == "suggest" and not result.confident and result.best is None
    assert len(result.suggestions) == 3
    assert len({m.entry.id for m in result.suggestions}) == 3
    assert all(not m.confident for m in result.suggestions)


def test_answer_result_lists_alternatives(store: FaqStore) -> None:
    result = store.lookup("tengo ke avrir la puerta si tocan los de inmigrasion")
    assert result.kind == "answer" and result.best is not None
    assert result.best.entry.id == "home_open_door"
    assert 1 <= len(result.alternatives) <= 3 and result.best not in result.alternatives
    assert all(a.score >= result.best.score * 0.4 for a in result.alternatives)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("puedo llamar a la policia o me deportan", "law_call_police"),
        ("can ice come in my kids school", "schools_ice_at_school"),
        ("tengo que firmar algo", "detained_dont_sign"),
        ("do chicago police share data with ice", "law_chicago_police"),
        ("raid at my job what do i do", "work_workers"),
        ("me pueden arrestar en la corte por una multa de transito", "law_hb1312"),
        ("mi pais me puede ayudar si me detiene la migra? el consulado", "detained_consulate"),
        ("pueden arrestarme en el hospital o en la iglesia", "schools_protected_areas"),
    ],
)
def test_issue_14_examples(store: FaqStore, text: str, expected: str) -> None:
    matches = store.search(text)
    assert matches and matches[0].entry.id == expected, [m.entry.id for m in matches]


# Floors for the ranking on the phrasings alone (round 7: the k-fold runs without asked.tsv, see phrasings_store):
# right entry ranked first 87.3 % es / 88.1 % en, top-3 97.7 / 97.5 (910 / 931 phrasings, 5 folds, the classifier
# retrained in every fold). The confidence gate is fitted for the whole search (phrasings and the residents'
# questions, which raise every entry's coverage), so on the phrasings alone only the ranking is a fair check; the
# gate's floors are in tests/test_faq_asked.py. The floors sit a few points below, so a content edit that makes
# the search generalise worse fails here instead of in front of a resident.
KFOLD_FLOORS = {"es": (0.84, 0.96), "en": (0.85, 0.96)}


def test_kfold_accuracy_stays_above_the_floor(phrasings_store: FaqStore) -> None:
    store = phrasings_store
    tallies = kfold(store, k=5)
    for lang, (first_floor, top3_floor) in KFOLD_FLOORS.items():
        tally = tallies[lang]
        assert tally.total >= 10 * len(store.entries()), lang
        assert tally.first_rate >= first_floor, f"{lang} k-fold ranked first {tally.first_rate:.1%}"
        assert tally.top3_rate >= top3_floor, f"{lang} k-fold top-3 {tally.top3_rate:.1%}"


def test_kfold_really_leaves_phrasings_out(phrasings_store: FaqStore) -> None:
    store = phrasings_store
    phrasing = "la migra toca la puerta q hago"
    entry = store.get("home_open_door")
    assert entry is not None and phrasing in entry.es.phrasings
    held = store.without_phrasings(lambda entry_id, lang, i: entry_id == "home_open_door")
    full_index, held_index = store._content.index, held._content.index  # noqa: SLF001 - white-box check
    doc = full_index.ids.index("home_open_door")
    assert len(held_index.phrasing_texts[doc]) == 2  # only the two questions are left
    assert len(full_index.phrasing_texts[doc]) > 20
    assert store.get("home_open_door") is held.get("home_open_door")  # content shared, index rebuilt
    # The classifier is retrained without them too: words only those phrasings use are unknown to it. They are
    # found, not named, so new phrasings elsewhere (round 4 added "porch" to two other entries) cannot void this.
    assert full_index.classifier is not None and held_index.classifier is not None
    elsewhere = {term(w) for e in store.entries() for lang in ("es", "en") for text in
                 [e.text(lang).question, *e.text(lang).keywords,
                  *([] if e.id == "home_open_door" else e.text(lang).phrasings)] for w in words(text)}
    elsewhere |= {term(w) for a in store.asked() for w in words(a.question)}  # residents' questions train it too
    only_there = {term(w) for lang in ("es", "en") for p in entry.text(lang).phrasings for w in words(p)} - elsewhere
    assert len(only_there) >= 3, only_there
    assert all("w:" + t in full_index.classifier.vocab for t in only_there)
    assert not any("w:" + t in held_index.classifier.vocab for t in only_there)


# ------------------------------------------------------------------------------------ classifier


def test_classifier_survives_typos_and_spelling_by_ear() -> None:
    """Character n-grams of by-ear spellings: one wrong letter costs a few n-grams, not the whole word."""
    texts = ["la migra toca la puerta", "licencia de manejar sin papeles", "grabar a la policia con el celular"]
    model = Classifier.train(texts, [0, 1, 2], 3)
    for text, label in [("la imigra toka la puerta", 0), ("lisencia de manejar", 1), ("grabar a la polisia", 2),
                        ("migra tocando", 0), ("lisensia", 1)]:
        proba = model.proba(text)
        assert abs(float(proba.sum()) - 1.0) < 1e-5
        assert int(proba.argmax()) == label, (text, proba)


def test_sparse_products_match_the_dense_ones() -> None:
    """X W and Xᵀ G of a training step, gathered a chunk of postings at a time, equal the dense products.

    Chunks of 1, 3 and 7 postings cut through rows and features; the empty text is a row without postings."""
    from bot.faq.classifier import _by_column, _times, _transpose_times

    feats = [text_features(t) for t in ["la migra toca", "toca la puerta", "", "ice at the door", "la puerta"]]
    names = sorted({name for f in feats for name in f})
    vocab = {name: i for i, name in enumerate(names)}
    x = _matrix(feats, vocab, np.ones(len(names), dtype=np.float32))
    dense = np.zeros((x.n, len(names)), dtype=np.float32)
    dense[x.rows, x.cols] = x.vals
    rng = np.random.default_rng(7)
    w = rng.normal(size=(len(names), 4)).astype(np.float32)
    g = rng.normal(size=(x.n, 4)).astype(np.float32)
    for chunk in (1, 3, 7, 10_000):
        assert np.allclose(_times(x, w, chunk=chunk), dense @ w, atol=1e-5)
        assert np.allclose(_transpose_times(_by_column(x), g, len(names), chunk=chunk), dense.T @ g, atol=1e-5)


def test_nearest_chatter_is_the_dense_best_dot_product() -> None:
    """Neighbours.best is the largest dot product of the query's tf-idf row with any stored text, 0 without any
    shared feature; a stored text itself scores its own squared norm."""
    from bot.faq.classifier import Neighbours

    model = Classifier.train(["la migra toca la puerta", "grabar a la policia", "licencia de manejar"], [0, 1, 2], 3)
    chatter = ["la puerta del garage no cierra", "a que hora abre la tienda", "hola buenas"]
    near = Neighbours(model, chatter)
    rows = [model.vector(t) for t in chatter]
    for query in ["my door lock is broken", "a q hora abren", "la puerta no cierra", "zzz qqq"]:
        q = model.vector(query)
        dense_q = np.zeros(len(model.vocab))
        dense_q[q.cols] = q.vals
        expected = max(float(sum(dense_q[c] * v for c, v in zip(r.cols, r.vals, strict=True))) for r in rows)
        assert near.best(q) == pytest.approx(expected, abs=1e-5), query
    own = model.vector(chatter[0])  # words and n-grams the model knows: both blocks are unit vectors
    assert near.best(own) == pytest.approx(float((own.vals ** 2).sum()), abs=1e-5) and near.best(own) > 1.0
    assert near.best(model.vector("zzz qqq")) == 0.0
    assert Neighbours(model, []).best(model.vector("hola")) == 0.0


def test_the_gate_weighs_the_nearest_known_chatter(store: FaqStore) -> None:
    """The asked.tsv rows that are not rights questions (entry none) feed the "chatter similarity" feature: without
    them, a message like the known chatter looks less like chatter to the gate, and a rights question does not."""
    from bot.faq.model import NO_ENTRY
    from bot.faq.search import FEATURES

    without = store.without_phrasings(asked_holdout=lambda a: a.entry == NO_ENTRY)
    position = FEATURES.index("chatter similarity")
    chatter = "the front door of my building wont close, who fixes that"
    question = "la migra esta tocando mi puerta tengo que abrir"
    assert store.search(chatter)[0].features[position] > without.search(chatter)[0].features[position] + 0.3
    assert without.search(chatter)[0].features[position] == 0.0
    assert store.search(question)[0].features[position] < 1.0
    assert store.lookup(question).confident


def test_primal_fit_follows_the_dual_steps_exactly() -> None:
    """Round 8 moved the fit from the dual coefficients (over the Gram matrix) to the weights. With W = Xᵀ A the two
    are the same trajectory step for step; a dense dual fit written out here must give the same model."""
    import bot.faq.classifier as classifier

    texts = ["la migra toca la puerta", "tocan la puerta unos agentes", "abro la puerta a la migra?",
             "licencia de manejar sin papeles", "sacar licencia sin seguro social", "licensia pa manejar",
             "grabar a la policia con el celular", "puedo grabar video a los agentes", "grabando a la migra"]
    labels = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    weights = [1.0, 2.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 3.0]
    model = Classifier.train(texts, labels, 3, weights)
    vocab, x, _ = classifier._training_matrix(texts)
    dense = np.zeros((x.n, len(vocab)), dtype=np.float64)
    dense[x.rows, x.cols] = x.vals
    k = dense @ dense.T
    y = np.eye(3)[labels]
    sw = np.asarray(weights) / sum(weights)
    a, b = np.zeros((9, 3)), np.zeros(3)
    a_prev, b_prev = a, b
    for step in range(1, classifier.STEPS + 1):
        mom = (step - 1) / (step + 2)
        av, bv = a + mom * (a - a_prev), b + mom * (b - b_prev)
        z = k @ av + bv
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - y) * sw[:, None]
        a_prev, b_prev = a, b
        a = av - classifier.LEARNING_RATE * (grad + classifier.L2 * av)
        b = bv - classifier.LEARNING_RATE * grad.sum(axis=0)
    assert np.allclose(model.weights, dense.T @ a, atol=1e-3)
    assert np.allclose(model.bias, b, atol=1e-3)
    for text, label in [("la imigra toka la puerta", 0), ("lisencia de manejar", 1), ("grabar a la polisia", 2)]:
        assert int(model.proba(text).argmax()) == label, text


def test_extra_scores_can_be_fused_in(store: FaqStore) -> None:
    """Another scorer (an embedding model) adds per-entry scores without changing the search module."""
    question = "la migra esta afuera de mi casa que hago"
    assert store.search(question)[0].entry.id == "home_open_door"
    boosted = store.search(question, extra={"law_trust_act": 5.0})
    assert boosted[0].entry.id == "law_trust_act"
    assert store.lookup(question, extra={"no_such_entry": 5.0}).best.entry.id == "home_open_door"


@pytest.mark.parametrize("text", ["consulado", "i-9"])
def test_a_clear_one_word_question_is_answered(store: FaqStore, text: str) -> None:
    assert store.lookup(text).kind == "answer"


def test_licence_alone_leads_with_the_licence_entry(store: FaqStore) -> None:
    """Round 7: "licencia" names no authority, so it needs the higher bar (0.6, 0.8 since round 8) and scored right at
    it; round 8's chatter similarity brings it near the off-topic split (0.14 against 0.1). Whatever the gate says,
    the licence entry must come first, answered or as the first suggestion, never "off-topic"."""
    result = store.lookup("licencia")
    assert result.kind in ("answer", "suggest")
    assert result.matches[0].entry.id == "car_drivers_license"


def test_announcing_a_question_is_not_a_question_about_answering() -> None:
    """ "tengo una pregunta" shares "pregunta" with "do I have to answer questions"; it is dropped."""
    assert normalize("Tengo una pregunta sobre la policía") == "sobre la policia"
    assert normalize("I have a quick question about ICE") == "about ice"
    assert normalize("do i have to answer their questions") == "do i have to answer their questions"


# ------------------------------------------------------------------------------------ round 4


@pytest.mark.parametrize("text", ["feliz año nuevo", "a no ser que llueva", "voy a no decir nada", "el año pasado"])
def test_ano_and_a_no_are_not_an_a_number(text: str) -> None:
    """ "año" loses its accent ("ano") and once became "anumber", pulling new-year wishes to detained_a_number."""
    assert "anumber" not in normalize(text)


@pytest.mark.parametrize("text", ["a number", "A-Number??", "a# de mi esposo", "A-No. 123", "mi numero de a"])
def test_a_number_spellings_still_glue(text: str) -> None:
    assert "anumber" in normalize(text)


def test_citizen_and_city_are_different_terms() -> None:
    """Both once stemmed to "siti", so "citizen" matched the city entries and "ciudad" the citizen questions."""
    assert term("citizen") == term("ciudadano") != term("city") == term("ciudad")


def test_first_amendment_is_one_term_and_first_alone_is_nothing() -> None:
    assert "amendment1" in normalize("is that protected by the First Amendment")
    assert "amendment1" in normalize("la primera enmienda me protege")
    assert "amendment5" in normalize("can i plead the fifth")
    assert words("what should i do first") == words("what should i do")


def test_what_to_do_first_after_an_arrest_is_not_about_filming(store: FaqStore) -> None:
    """ "first" used to match "first amendment" in recording_right, ahead of the detained entries."""
    assert store.search("me arresto inmigracion que es lo primero que debo hacer")[0].entry.id != "recording_right"


def test_domain_anchor_feature_reads_only_the_query_words(store: FaqStore) -> None:
    """The anchor (an authority, immigration or a legal notion named) comes from the query's own words; a typo
    guess ("fire" -> "firme", sign) does not count, nor does "memo" (a voice memo) or "linea" (online)."""
    index = store._content.index  # noqa: SLF001 - white-box check of one feature
    assert index.score("la migra esta afuera").anchored
    assert index.score("can the police search my bag").anchored
    assert not index.score("red card in the fire game").anchored
    assert not index.score("how do i record a voice memo").anchored
    assert not index.score("pago la multa en linea").anchored


def test_tally_separates_ranking_from_the_gate(store: FaqStore) -> None:
    """The bench prints "ranked first" and "answered right" apart, so gate losses and ranking losses read apart."""
    tally = Tally()
    ask(store, "la migra esta afuera de mi casa que hago", "home_open_door", "es", tally)  # first and confident
    ask(store, "papeles", "street_papers", "es", tally)  # first, but one vague word: suggestions only
    ask(store, "la migra esta afuera de mi casa que hago", "law_trust_act", "es", tally)  # wrong entry first
    assert (tally.total, tally.first, tally.top1) == (3, 2, 1)
    assert tally.misses[0].startswith("GATE") and tally.misses[1].startswith("RANK")


# ------------------------------------------------------------------------------------ round 5


@pytest.mark.parametrize("text", ["theres ice on the sidewalk, who salts it", "hielo resbaloso en la banqueta",
                                  "the ice rink downtown", "ice cream truck"])
def test_frozen_water_is_not_the_agency(text: str) -> None:
    """ "ice" / "hielo" next to weather, salt, skating or food is frozen water: no ICE term, no domain anchor."""
    assert term("ice") not in terms(text) and "hielo" not in normalize(text).split()


def test_the_agency_stays_the_agency() -> None:
    assert term("ice") in terms("ICE is on my block rn")
    assert term("ice") in terms("la migra, el hielo, esta afuera")


@pytest.mark.parametrize("text", ["donde saco pasaporte mexicano", "how much is a passport renewal",
                                  "quiero renovar mi pasaporte", "where do i get my passport photo"])
def test_getting_a_passport_is_a_consular_service(text: str) -> None:
    """Getting or renewing a passport is not covered; carrying one is (street_papers), so only the former changes."""
    assert "passportservice" in normalize(text)
    assert "passportservice" not in normalize("do i have to carry my passport")


def test_phrases_whose_words_mean_something_else_alone() -> None:
    assert "breakin" in normalize("if they break in do i fight back")
    assert "breakin" in normalize("they kicked down the door")
    assert "attorneygeneral" in normalize("the Illinois attorney general")
    assert term("attorneygeneral") != term("attorney")
    assert "voluntarydeparture" in normalize("me ofrecen salida voluntaria")
    assert "greencard" in normalize("im a permanent resident, do i carry my card")


def test_workers_meet_across_languages() -> None:
    assert term("empleados") == term("workers") == term("trabajadora") == term("employee")


def test_lock_and_vest_words_do_not_anchor(store: FaqStore) -> None:
    """ "chapa" is a door lock in Mexican Spanish (it anchored "la chapa de la puerta no abre"); "vest" describes
    agents but is worn on any job, so neither places a message in the FAQ's world by itself."""
    index = store._content.index  # noqa: SLF001 - white-box check of one feature
    assert not index.score("la chapa de la puerta de mi carro no abre").anchored
    assert not index.score("vest for my construction job").anchored
    assert index.score("un agente con chaleco me pregunto de donde soy").anchored


def test_questions_naming_the_faq_world_need_less_confidence(store: FaqStore) -> None:
    """Two bars: chatter that reached the old bar named no authority or legal notion, so unanchored questions need
    more confidence than anchored ones."""
    from bot.faq import store as store_module
    from bot.faq.search import FEATURES

    anchored = [0.0] * len(FEATURES)
    anchored[FEATURES.index("domain anchor")] = 1.0
    plain = [0.0] * len(FEATURES)
    assert store_module._bar(tuple(anchored)) == store_module.MIN_CONFIDENCE  # noqa: SLF001
    assert store_module._bar(tuple(plain)) == store_module.MIN_CONFIDENCE_UNANCHORED  # noqa: SLF001
    assert store_module.MIN_CONFIDENCE < store_module.MIN_CONFIDENCE_UNANCHORED
    result = store.lookup("la puerta del garage no abre, q hago")
    assert not result.confident


def test_the_search_is_built_on_first_use_or_by_warm_and_content_errors_still_fail_at_load(tmp_path: Path) -> None:
    """A restart answers at once: loading validates the content but leaves the classifier's training to the first
    search or to warm() (a thread at start); a broken file still fails the load itself."""
    target = _copy(tmp_path)
    with (target / "basics.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# a new comment: other bytes, so not the search built earlier in this process\n")
    store = FaqStore.load(target)
    assert store._content.lazy._index is None
    store.warm()
    assert store._content.lazy._index is not None
    assert store.lookup("la migra esta en mi puerta", "es").matches[0].entry.id == "home_open_door"
    again = FaqStore.load(target)  # same bytes: the built search is reused
    assert again._content.lazy._index is store._content.lazy._index
    (target / "car.toml").write_text("[topic]\nid = 1\n", encoding="utf-8")
    with pytest.raises(FaqError):
        FaqStore.load(target)


# ------------------------------------------------------------------------------------ round 6: typing noise


def test_two_swapped_letters_are_repaired_and_the_classifier_reads_the_repair(store: FaqStore) -> None:
    """A swap of two adjacent letters is one slip of the thumb, but it breaks most of the word's character n-grams:
    the classifier must read the repaired word, not only BM25."""
    index = store._content.index  # noqa: SLF001
    assert index._repair("abgoado") == "abogado"  # noqa: SLF001
    assert index._repair("polcia") == "policia"  # noqa: SLF001
    # Both went to another entry before round 6 (hotline_legal_help).
    for clean, slipped in [("tengo derecho a un abogado gratis", "tengo derehco a un abgoado gratis"),
                           ("do i need a lawyer for my immigration hearing",
                            "do i need a lawyer for my immigration haering")]:
        scores = index.score(slipped)
        assert scores.repaired >= 1
        assert store.search(slipped)[0].entry.id == store.search(clean)[0].entry.id


def test_only_swaps_get_the_new_repair(store: FaqStore) -> None:
    """In a five-letter word a swap and a wrong letter are both below fuzz.ratio's cutoff; only the swap is repaired
    (other one-letter edits of words the index lacks were real words: "station", "better")."""
    index = store._content.index  # noqa: SLF001
    assert "orden" in index.raw_vocab
    assert index._repair("odren") == "orden"  # noqa: SLF001
    assert index._repair("ordxn") is None  # noqa: SLF001


def test_noisy_spellings_are_deterministic_and_look_typed() -> None:
    text = "¿La policía puede entrar a mi casa sin una orden del juez? Qué hago right now"
    assert noisy(text) == noisy(text)
    assert noisy(text, seed=1) != noisy(text, seed=2) or noisy(text, seed=3) != noisy(text)
    assert noisy(text, kinds=["texting"]).split()[-1] == "rn"
    assert " q " in f" {noisy(text, kinds=['texting'])} " or " que " in f" {noisy(text, kinds=['texting'])} "
    assert "í" not in noisy(text, kinds=[]) and "?" not in noisy(text, kinds=[])
    swapped = noisy(text, kinds=["swap"]).split()
    clean = noisy(text, kinds=[]).split()
    assert len(swapped) == len(clean) and sum(a != b for a, b in zip(swapped, clean, strict=True)) == 1
