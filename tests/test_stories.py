"""Tests for the story reader (bot/stories.py): per-field rules, questions never read as sightings, no invented
fields, the typed-answer parsers, redaction, and the tuning table as a regression net.

The tuning table (tests/data/stories_tune.tsv) was written alongside the rules, and the first evaluation table
(tests/data/stories_eval.tsv) has been SEEN and tuned on since issue 12: the floors asserted on both are regression
nets (smoke tests), not results. The second evaluation table (tests/data/stories_eval2.tsv) was run blind in round 2
and then TUNED on in round 3 (issue 12), so its floor below is a smoke test too. The independent figure now comes
from bench/bench_stories.py on a third table written by someone who has not seen the reader
(tests/data/stories_eval3.tsv, run once; deliberately not read by these tests and given no floor). The fourth table
(tests/data/stories_eval4.tsv) was run blind once and then tuned on in round 5: the ``round5`` tests below cover
the classes of error it showed, with new stories written for each class. The fifth (tests/data/stories_eval5.tsv) was
run blind once and tuned on in round 6 (``round6`` tests, same way), and the sixth (tests/data/stories_eval6.tsv) in
round 7 (``round7`` tests). A seventh table is being written blind: these tests do not read it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.stories import (
    FIELDS,
    Story,
    find_place_span,
    fold,
    parse_activity,
    parse_count,
    parse_markings,
    parse_when,
    parse_yes_no,
    read_story,
    redact_more,
)

DATA = Path(__file__).parent / "data"
TUNE = DATA / "stories_tune.tsv"
EVAL1 = DATA / "stories_eval.tsv"
EVAL2 = DATA / "stories_eval2.tsv"
EVAL3 = DATA / "stories_eval3.tsv"
EVAL4 = DATA / "stories_eval4.tsv"
EVAL5 = DATA / "stories_eval5.tsv"
EVAL6 = DATA / "stories_eval6.tsv"


def test_spanish_story_from_the_brief() -> None:
    text = "vi dos camionetas sin placas y agentes con chalecos en la 26 y Pulaski hace 10 minutos"
    s = read_story(text)
    assert s.is_sighting and s.confidence >= 0.8
    assert s.lang == "es"
    assert s.vehicles == "2-3"
    assert s.markings == "unmarked"  # no agency named: "sin placas" → unmarked (documented rule)
    assert s.place == "la 26 y Pulaski"
    assert s.place_span is not None and text[s.place_span[0]:s.place_span[1]] == "la 26 y Pulaski"
    assert s.when == "15m"
    assert s.agents is None  # "agentes" without a number: not counted, the flow asks
    assert s.activity is None  # agents at a corner, no action: the flow asks
    assert s.missing() == ["activity", "agents"]


def test_english_story_from_the_brief() -> None:
    s = read_story("yo theres ice trucks on 18th n blue island rn")
    assert s.is_sighting
    assert s.lang == "en"
    assert s.place == "18th n blue island"
    assert s.when == "now"
    assert s.markings == "ice"
    assert s.activity == "vehicles"  # only vehicles seen
    assert s.vehicles is None  # plural with no number: not invented
    assert s.agents is None
    assert s.missing() == ["agents", "vehicles"]


@pytest.mark.parametrize("text", [
    "que hago si la migra toca mi puerta",
    "¿Qué hago si la migra toca mi puerta?",
    "gracias",
    "hola buenas tardes",
    "hay migra en la 26 y pulaski?",
    "¿Tengo que abrir la puerta si no tienen orden de un juez?",
    "dicen que hay migra en pilsen",
    "no hay nada en la 26, fue falsa alarma",
    "si me para la policia tengo que dar mi nombre?",
    "what do i do if ice comes to my job?",
    "is ICE at 47th and Kedzie right now??",
    "do I have to open the door for immigration?",
    "heard there's a raid in Pilsen, anyone know?",
    "what if they stop me on the street",
    "can ICE come into a church",
    "thanks!",
    "ICE",
])
def test_questions_and_chatter_are_not_sightings(text: str) -> None:
    s = read_story(text)
    assert not s.is_sighting
    assert all(getattr(s, name) is None for name in FIELDS)  # nothing is read out of a question


@pytest.mark.parametrize("text", [
    "ICE agents outside the Mexican Consulate on Pulaski this morning, like 4",  # a consulate is a place
    "feds posted up at Armitage and Kostner in an unmarked Tahoe 10 min ago",  # "posted up" is not a post
    "black vans no plates circling the block near my kids daycare",
    "agentes de inmigracion en la puerta de mi depa que hago",
])
def test_issue12_sightings(text: str) -> None:
    assert read_story(text).is_sighting


@pytest.mark.parametrize("text,expected", [
    ("my boss just called, ICE is at the shop", None),  # the call, not the sighting
    ("I just dropped my kids at school and saw ICE at 26th and Kedzie", None),
    # a bare "just" states no minutes (stories_eval4 labelling; tune relabelled): left empty
    ("4 ICE agents just walked into the restaurant at 18th and Racine", None),
    ("my husband called at 9am, ICE at his job on Pulaski", None),
    ("around noon ICE at 59th and Kedzie", "today"),
    ("around 5 agents at 26th and Kedzie", None),  # a count, not five o'clock
    ("ICE agents at 26th and Kedzie about 10 a.m.", "today"),
])
def test_when_in_context(text: str, expected: str | None) -> None:
    assert read_story(text).when == expected


def test_first_hand_report_followed_by_a_question_is_a_sighting() -> None:
    s = read_story("vi a la migra en la 26 y Kedzie, ¿qué hago?")
    assert s.is_sighting
    assert s.place == "la 26 y Kedzie"


@pytest.mark.parametrize("text,expected", [
    ("hace 10 minutos", "15m"), ("ahorita", "now"), ("rn", "now"), ("right now", "now"),
    ("hace media hora", "1h"), ("this morning", "today"), ("en la mañana", "today"), ("hace 3 horas", "today"),
    ("hace 40 min", "1h"), ("20 mins ago", "1h"), ("hace un momento", "15m"), ("just now", "15m"),
    ("hace una hora", "1h"), ("a las 7am", "today"), ("todavía están ahí", "now"), ("ayer", None),
    ("anoche", None), ("last night", None), ("hace rato", "1h"), ("earlier today", "today"),
])
def test_when(text: str, expected: str | None) -> None:
    assert parse_when(text) == expected
    story = read_story(f"la migra en la 26 y Pulaski {text}")
    assert story.when == expected


@pytest.mark.parametrize("text,agents,vehicles", [
    ("vi dos agentes y una camioneta en la 26", "1-2", "1"),
    ("like 5 guys in vests at 47th & hoyne", "3-5", None),
    ("3 suvs de ICE en la 47", None, "2-3"),
    ("a van with ICE agents on Cermak", None, "1"),
    ("un montón de agentes en la 47 y Damen", None, None),
    ("muchos agentes y varias camionetas en la 26", None, None),
    ("como 12 agentes de ICE en la 26", "10+", None),
    ("4 o 5 federales en el parque", "3-5", None),
    ("5 or 6 agents at Cermak and Kedzie", "6-10", None),
    ("ICE: 2 suvs and a van at 26th and Kedzie", None, "2-3"),
    ("ICE, 3 black suvs and 2 vans at Archer", None, "4+"),
    ("se llevaron a dos señores en la 26, ICE", None, None),
    ("ICE arrested two guys at 31st and Pulaski", None, None),
    ("la migra en la 26, no sé cuántos agentes", "unknown", None),
    ("agentes de ICE a pie en la 26 y Kedzie", None, "0"),
    ("ICE en la 26, son como 10", "6-10", None),
    ("rn 2 cop cars and an unmarked van at 31st & Kedzie", None, "2-3"),
    ("dozen agents at the Home Depot on Pulaski", "10+", None),
    ("ICE agents in my car at 26th", None, None),
    # issue 12: causes found on the first evaluation table
    ("2 agents + 1 suv at Harrison and Kedzie", "1-2", "1"),  # "+ 1" is plus one, not "more than 1"
    ("saw ICE arrest a guy at 26th and Kedzie, two agents", "1-2", None),  # the arrested are not agents
    ("ICE detuvo a 2 personas en la 18, eran 4 agentes", "3-5", None),
    ("llegaron unos señores de la migra como unos cuatro a la 26 y Kedzie", "3-5", None),
    ("dos de la migra a pie en la 21 y Damen", "1-2", "0"),
    ("CBP agents outside the Blue Line stop at Kedzie, maybe 6 or 7", "6-10", None),
    ("la troca de la migra esta parada en la 26 y Kedzie", None, "1"),
    ("ICE van parked at Damen & 19th", None, "1"),
    ("bajaron de 2 camionetas en la 26 y Kedzie, la migra", None, "2-3"),
    ("la migra, como 26 y Pulaski", None, None),  # a corner, not a count
    ("one agent had a rifle, at 47th and Wood", None, None),
    ("ICE at the car wash on 26th", None, None),
])
def test_counts(text: str, agents: str | None, vehicles: str | None) -> None:
    s = read_story(text)
    assert s.is_sighting
    assert (s.agents, s.vehicles) == (agents, vehicles)


@pytest.mark.parametrize("text,expected", [
    ("chalecos que dicen ICE en la 26", "ice"),
    ("la migra en la 26 y Pulaski", "ice"),  # product rule: "la migra" / "immigration" → ice
    ("immigration agents at 26th and Kedzie", "ice"),
    ("los verdes en la 63 y California", "cbp"),
    ("la migra y border patrol en la 26", "cbp"),  # a named agency beats the everyday name
    ("feds en la 26 y Kedzie", None),  # "feds" alone names no agency
    ("like 6 cop cars at 26th and Pulaski, idk if its ICE", "police"),  # a hedged agency does not count
    ("migra en pilsen?? vi 2 trocas negras en la 18 y Halsted", None),  # named only inside a question
    ("vests that said police but they were immigration, at 47th and Ashland", "ice"),
    ("border patrol at Cermak and Kedzie", "cbp"),
    ("la patrulla fronteriza en la 26", "cbp"),
    ("camionetas sin placas en la 26", "unmarked"),
    ("agentes sin uniforme en la 26", "unmarked"),
    ("policia parando carros en la 26", "police"),
    ("cops at 47th and Ashland", "police"),
    ("camionetas sin placas y chalecos de ICE en la 26", "ice"),  # an agency named beats unmarked
    ("no eran de ICE, eran policías en la 26", "police"),  # negated agency does not count
    ("agentes en la 26, no sé de qué agencia", "unknown"),
    ("ice cream truck and ICE agents at 26th", "ice"),
])
def test_markings(text: str, expected: str | None) -> None:
    assert read_story(text).markings == expected


@pytest.mark.parametrize("text,expected", [
    ("la migra está tocando puertas en la 26", "home"),
    ("ICE agents knocking on doors on Kedzie", "home"),
    ("hay un retén en Cermak y Kedzie", "checkpoint"),
    ("Border Patrol checkpoint at Cermak and Pulaski", "checkpoint"),
    ("cops pulled over a guy at 31st and Pulaski, ICE there too", "street"),
    ("redada en la fábrica de la 26 y Central Park", "workplace"),
    ("ICE at the Home Depot on Pulaski", "workplace"),
    ("dos agentes afuera de la escuela Benito Juárez", "other"),
    ("camionetas de ICE estacionadas en la 47", "vehicles"),
    ("agentes de ICE en la 26 y Pulaski", None),
    ("la migra anda por Brighton Park", None),  # "Park" in a name is not a park
    ("there's ICE in the alley behind 18th and Paulina rn", "street"),
    ("ICE arrested a guy at the bus stop on Cermak and Kedzie", "street"),
    ("la migra se llevo a un señor en la esquina de la 18 y Throop", "street"),  # an arrest, no site named
    ("ICE is at my door right now", "home"),
    ("2 camionetas sin placas estacionadas enfrente de la escuela Benito Juarez", "vehicles"),  # vehicles only
    ("there's an ICE van outside my building on 31st", "vehicles"),
    ("unmarked car parked on Kildare and 31st, 2 guys sitting in it", "vehicles"),
    ("migra en 47 y kedzie rn 3 trocas", None),  # agents and a place, no action
    ("ICE en el estacionamiento del Aldi en la Cicero, 3 camionetas", "other"),
    ("se subieron 2 agentes de migracion al camion de la CTA", "other"),
    ("I was walking my kids to school on 21st and Leavitt and ICE agents stopped a man", "street"),
    ("vi a la migra esta mañana cerca de mi casa en la 26", None),  # near the house is not at it
    ("redada en la 24 y Sacramento", None),
])
def test_activity(text: str, expected: str | None) -> None:
    assert read_story(text).activity == expected


@pytest.mark.parametrize("text,span", [
    ("la migra en la 26 y Pulaski ahorita", "la 26 y Pulaski"),
    ("ice on 18th n blue island rn", "18th n blue island"),
    ("agents at 47th & hoyne", "47th & hoyne"),
    ("tocando puertas en la 3100 de la 26", "la 3100 de la 26"),
    ("ICE on the 2400 block of S Kedzie", "the 2400 block of S Kedzie"),
    ("migra en Pilsen", "Pilsen"),
    ("ICE in little village", "little village"),
    ("la migra afuera del Walmart de la Cermak", "Walmart de la Cermak"),
    ("agentes en la Cermak y Pulaski", "la Cermak y Pulaski"),
    ("Hay ICE en la 47", "la 47"),
    ("vio a la migra en la escuela Whittier, cerca de la 23 y Wood", "la escuela Whittier"),  # landmark first
    ("en Humboldt Park pasaron 5 carros sin placas por la North Ave", "la North Ave"),  # street over neighbourhood
    ("cuidado x la ashland i 51 anda la migra", "la ashland i 51"),
])
def test_place_span(text: str, span: str) -> None:
    s = read_story(text)
    assert s.place == span
    found = find_place_span(text)
    assert found is not None and text[found[0]:found[1]] == span


@pytest.mark.parametrize("text", ["entre 3 y 5 agentes de ICE", "hace 10 minutos vi la migra", "ICE 2 y 3 camionetas"])
def test_counts_are_not_corners(text: str) -> None:
    assert read_story(text).place is None


def test_find_place_callable_is_used() -> None:
    calls = []

    def finder(text: str):
        calls.append(text)
        return ("PLACE", (14, 29))

    text = "la migra en la 26 y Pulaski ahorita"
    s = read_story(text, find_place=finder)
    assert calls == [text]
    assert s.place_object == "PLACE" and s.place_span == (14, 29) and s.place == text[14:29]
    assert read_story(text, find_place=lambda t: None).place is None


def test_never_invents_fields() -> None:
    s = read_story("la migra anda por aquí")
    assert s.is_sighting is False or s.missing() == list(FIELDS)
    s = read_story("ICE agents at 26th and Kedzie")
    assert (s.activity, s.when, s.agents, s.vehicles, s.markings) == (None, None, None, None, "ice")


def test_details_are_redacted() -> None:
    s = read_story("ICE se llevó a mi vecina Rosa Pérez en la 26 y Kedzie ahorita, llamen al 773 555 1234 "
                   "o @vecino_123, más info t.me/canalx")
    assert s.is_sighting and s.redacted
    assert s.details is not None
    for secret in ("Rosa", "Pérez", "555", "@vecino_123", "t.me/canalx"):
        assert secret not in s.details
    assert "26 y Kedzie" in s.details


@pytest.mark.parametrize("text,secret", [
    ("my number is seven seven three five five five one two one two", "five five"),
    ("vivo en 2345 S Kedzie Ave apt 3", "2345"),
    ("join https://t.me/joinchat/abc", "t.me"),
    ("se llevaron a Juan Pérez", "Juan"),
])
def test_redact_more(text: str, secret: str) -> None:
    out, changed = redact_more(text)
    assert changed and secret not in out


def test_story_is_frozen_and_missing_in_flow_order() -> None:
    s = read_story("3 trocas de ICE en la 26 y Kedzie hace 5 minutos")
    assert isinstance(s, Story)
    with pytest.raises(AttributeError):
        s.when = "now"  # type: ignore[misc]
    assert s.missing() == ["agents"]
    assert s.as_draft()["vehicles"] == "2-3"


@pytest.mark.parametrize("text,expected", [
    ("si", True), ("sí", True), ("Simón", True), ("yes", True), ("ya", True), ("Sí, por favor", True),
    ("no", False), ("nel", False), ("nope", False), ("No gracias", False), ("tal vez", None), ("", None),
    ("siii", True), ("nooo", False),
])
def test_parse_yes_no(text: str, expected: bool | None) -> None:
    assert parse_yes_no(text) is expected if expected is None else parse_yes_no(text) == expected


@pytest.mark.parametrize("text,kind,expected", [
    ("2", "agents", "1-2"), ("dos", "agents", "1-2"), ("como 5", "agents", "3-5"), ("3-5", "agents", "3-5"),
    ("más de 10", "agents", "10+"), ("7", "agents", "6-10"), ("no sé", "agents", "unknown"),
    ("muchos", "agents", None), ("ninguno", "vehicles", "0"), ("una", "vehicles", "1"), ("tres", "vehicles", "2-3"),
    ("4+", "vehicles", "4+"), ("cinco", "vehicles", "4+"), ("idk", "vehicles", "unknown"), ("ninguno", "agents", None),
    ("un par", "vehicles", "2-3"), ("hola", "agents", None),
])
def test_parse_count(text: str, kind: str, expected: str | None) -> None:
    assert parse_count(text, kind) == expected


def test_parse_count_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError):
        parse_count("2", "people")


@pytest.mark.parametrize("text,expected", [
    ("ICE", "ice"), ("border patrol", "cbp"), ("policía", "police"), ("sin placas", "unmarked"),
    ("no sé", "unknown"), ("la migra", None), ("ninguno", "unmarked"), ("cops", "police"),
    ("immigration", None), ("chalecos de ICE", "ice"),
])
def test_parse_markings(text: str, expected: str | None) -> None:
    assert parse_markings(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("retén", "checkpoint"), ("en una casa", "home"), ("tocando puertas", "home"), ("en la calle", "street"),
    ("traffic stop", "street"), ("en una fábrica", "workplace"), ("solo vehículos", "vehicles"), ("otro", "other"),
    ("hmm", None),
])
def test_parse_activity(text: str, expected: str | None) -> None:
    assert parse_activity(text) == expected


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _tune_rows() -> list[dict[str, str]]:
    return _rows(TUNE)


def _score(rows: list[dict[str, str]]) -> tuple[float, float, float]:
    """(share of labelled cells right, share of empty cells invented, is_sighting accuracy), scored as
    bench/bench_stories.py does (place: the reader's span overlaps the labelled text)."""
    right = total = invented = empty = sight_ok = 0
    for row in rows:
        s = read_story(row["story"], row["lang"])
        sight_ok += s.is_sighting == (row["is_sighting"] in ("1", "yes"))
        for name in FIELDS:
            want, got = row[name], getattr(s, name)
            if not want:
                empty += 1
                invented += got is not None
                continue
            total += 1
            if name == "place":
                start = fold(row["story"]).find(fold(want))
                right += s.place_span is not None and start >= 0 and s.place_span[0] < start + len(want) \
                    and start < s.place_span[1]
            else:
                right += got == want
    return right / total, invented / empty, sight_ok / len(rows)


def test_tuning_table_shape() -> None:
    rows = _tune_rows()
    assert len(rows) >= 80
    assert sum(r["lang"] == "es" for r in rows) >= len(rows) / 2
    assert sum(r["is_sighting"] == "0" for r in rows) >= 20


def test_tuning_table_regression() -> None:
    """TUNED table (smoke test, not a result): measured 100 % right, 0 invented, every is_sighting right."""
    for row in _tune_rows():
        assert read_story(row["story"]).is_sighting == (row["is_sighting"] == "1"), row["story"]
    right, invented, sighting = _score(_tune_rows())
    assert right >= 0.98 and invented <= 0.005 and sighting == 1.0


def assert_fields(text: str, expected: dict[str, str]) -> None:
    """``text`` is read as a sighting with these fields ("-" = must stay empty; a place is matched by containment)."""
    s = read_story(text)
    assert s.is_sighting, (text, s.why)
    for name, want in expected.items():
        got = getattr(s, name)
        if name == "place":
            assert got is not None and fold(want) in fold(got), (text, got)
        else:
            assert got == (None if want == "-" else want), (text, name, got)


def assert_floor(rows: list[dict[str, str]], *, min_rows: int, right: float, invented: float,
                 sighting: float) -> None:
    """A seen table still scores at least this (a smoke test against regressions, not a result)."""
    assert len(rows) >= min_rows
    got_right, got_invented, got_sighting = _score(rows)
    assert got_right >= right and got_invented <= invented and got_sighting >= sighting, \
        (got_right, got_invented, got_sighting)


def test_first_eval_table_floor_seen_and_tuned() -> None:
    """stories_eval.tsv has been SEEN and tuned on (issue 12), so this floor is a smoke test, not a result.
    Measured after tuning (round 4): 99.3 % of labelled cells right, 2.6 % of empty cells invented, is_sighting
    100 %. Its rows that follow the first table's rules where they differ from the product rules ("hace rato",
    "desde hace rato", Home Depot lots) are counted as errors here on purpose."""
    assert_floor(_rows(EVAL1), min_rows=120, right=0.97, invented=0.03, sighting=0.98)


def test_second_eval_table_floor_seen_and_tuned() -> None:
    """stories_eval2.tsv was run blind in round 2 (88.7 % right, 1.9 % invented) and TUNED on in round 3, so this
    floor is a smoke test, not a result. Measured after tuning: 100 % of labelled cells right, 0.6 % of empty cells
    invented, is_sighting 100 %."""
    assert_floor(_rows(EVAL2), min_rows=150, right=0.97, invented=0.02, sighting=0.98)


# round 3 (issue 12): the causes found on stories_eval2.tsv, each checked with new sentences written for the rule
# (not rows of that table). Fields: activity, place, when, agents, vehicles, markings; "-" means "must be None".
@pytest.mark.parametrize("text,expected", [
    # second-hand from a named person, specific (place + time/count): a report, not a rumour
    ("mi tio me dijo que la migra paro a su compa en la 31 y pulaski hace como 10 minutos",
     {"activity": "street", "place": "la 31 y pulaski", "when": "15m", "vehicles": "-", "markings": "ice"}),
    ("my neighbor texted that ICE grabbed a man at the bus stop on 55th and Kedzie this morning",
     {"activity": "street", "place": "55th and Kedzie", "when": "today", "markings": "ice"}),
    # "¿alguien más vio…? yo las vi": the writer confirms the scene asked about
    ("alguien mas vio las 2 camionetas de ICE en la 26 y central park? yo las vi hace rato",
     {"activity": "vehicles", "vehicles": "2-3", "when": "1h", "markings": "ice"}),
    # "are you aware X?" asserts X
    ("are you guys aware ICE is at the brickyard mall rn? like 4 of em",
     {"place": "the brickyard mall", "when": "now", "agents": "3-5", "markings": "ice"}),
    # the story before a plea for advice
    ("a mi hermano lo pararon los de la border patrol en la 59 y kedzie, no contesta, que hago?",
     {"activity": "street", "place": "la 59 y kedzie", "markings": "cbp"}),
    # vehicles described as enforcement's without an agency
    ("2 camionetas sin logos frente a la iglesia en la 21 y damen",
     {"activity": "vehicles", "vehicles": "2-3", "markings": "unmarked"}),
    ("4 black suvs parked on 18th and Wolcott", {"activity": "vehicles", "vehicles": "4+", "markings": "-"}),
    ("migrasion en la 26 y kolin ahorita", {"markings": "ice", "when": "now", "activity": "-"}),
    # lower-case landmarks and landmarks named after a street
    ("la migra en el walmart de la kedzie hace 10 min", {"place": "el walmart de la kedzie", "when": "15m"}),
    ("ICE at the Benito Juarez high school on Cermak", {"activity": "other", "place": "Benito Juarez high school"}),
    ("ICE en la estacion kedzie de la linea rosa ahorita", {"activity": "other", "place": "la estacion kedzie"}),
    ("migra x la cermak ahorita", {"place": "la cermak"}),
    ("cpd roadblock at north and ashland", {"activity": "checkpoint", "place": "north and ashland"}),
    ("la migra detuvo a un señor en la kedzi y 51", {"place": "la kedzi y 51"}),
    # a stopped car is not an enforcement vehicle; "acaban de mandar" is the message, not the scene
    ("la migra paro un carro en la 47 y kedzie hace 5 min", {"activity": "street", "vehicles": "-"}),
    ("me acaban de pasar esto: ICE en la 26 y kedzie", {"when": "-"}),
    # vehicle counts said apart from the noun, only when vehicles are all the scene shows
    ("ICE trucks circling Little Village, counted 5", {"activity": "vehicles", "vehicles": "4+", "agents": "-"}),
    ("cbp suvs x4 on 26th and Pulaski", {"vehicles": "4+", "markings": "cbp"}),
    ("unmarked Chevy Impala with 2 agents at 31st and Kedzie", {"vehicles": "1", "agents": "1-2"}),
    ("immigration in a black Chevy Tahoe on Fullerton and Cicero rn", {"vehicles": "1", "markings": "ice"}),
    ("cops pulled over my brother in a grey Ford on Cermak and Kedzie", {"vehicles": "-", "activity": "street"}),
    ("la troca gris de la migra en la 18 y loomis hace 10 min", {"activity": "vehicles", "vehicles": "1"}),
    # activity: knocking at an address, waiting for the bus, a sidewalk outside a store, workers approached
    ("ICE knocked at 2900 s drake this morning", {"activity": "home", "place": "2900 s drake"}),
    ("ICE took a guy waiting for the bus at Ashland and 47th", {"activity": "street"}),
    ("2 agentes en la banqueta afuera de la tienda en la 26 y kostner se llevaron a un señor",
     {"activity": "street", "agents": "1-2", "markings": "-"}),
    ("immigration at the Jewel on 26th asking the cashiers for ID", {"activity": "workplace"}),
    ("ICE arrested a roofer on a job at 3300 w 59th st", {"activity": "workplace"}),
    ("cops blocked off the alley behind 2500 s st louis", {"activity": "street"}),  # an alley, not a checkpoint
    # "immigration officers" are agents, not an immigration office; abbreviations and lower-case landmark names
    ("immigration officers at the church on 18th", {"markings": "ice", "activity": "other"}),
    ("ICE officers at St. Procopius church this afternoon", {"place": "St. Procopius church", "when": "today"}),
    ("agentes de ICE en el hospital mount sinai", {"place": "el hospital mount sinai", "activity": "other"}),
    ("anyone else see the ICE trucks at Cermak and Western? I drove by 10 min ago",
     {"activity": "vehicles", "when": "15m", "markings": "ice"}),
    ("los de ICE andan en una suburban negra en la 22 y marshall", {"activity": "vehicles", "vehicles": "1"}),
    # clock times are not agent counts
    ("ICE at the Jewel on 26th around 9", {"agents": "-", "when": "today"}),
    ("immigration raided a bakery on 18th this morning around 7", {"agents": "-", "activity": "workplace"}),
])
def test_round3_causes(text: str, expected: dict[str, str]) -> None:
    assert_fields(text, expected)


@pytest.mark.parametrize("text", [
    "I saw the video of ICE at 26th and Kedzie, is it true?",
    "alguien mas vio a la migra en la 26 y kedzie?",
    "dicen que la migra anda en pilsen, es cierto?",
    "me dijeron que mañana van a hacer redadas en la 26 y pulaski, compartan",
    "my cousin said there might be ICE somewhere in Pilsen, anyone know?",
    "sabian que la migra no puede entrar sin orden judicial?",
])
def test_round3_still_not_sightings(text: str) -> None:
    assert not read_story(text).is_sighting, text


def test_third_eval_table_floor_seen_and_tuned() -> None:
    """stories_eval3.tsv was run blind in round 3 (89.4 % right, 0.3 % invented; activity 75.8 %) and TUNED on in
    round 4, so this floor is a smoke test, not a result. Measured after tuning: 100 % of labelled cells right,
    0.3 % of empty cells invented (a "no sé quiénes eran" read as markings ``unknown``), is_sighting 100 %."""
    assert_floor(_rows(EVAL3), min_rows=140, right=0.97, invented=0.02, sighting=0.98)


def test_fourth_eval_table_floor_seen_and_tuned() -> None:
    """stories_eval4.tsv was run blind once (91.8 % right, 3.9 % invented) and TUNED on afterwards, so this floor is
    a smoke test, not a result. Measured after tuning: 99.0 % right, 0.2 % invented, is_sighting 100 %. The blind
    figure now comes from stories_eval5.tsv, which no test reads (bench/bench_stories.py --table)."""
    assert_floor(_rows(EVAL4), min_rows=180, right=0.97, invented=0.02, sighting=0.98)


def test_fifth_eval_table_floor_seen_and_tuned() -> None:
    """stories_eval5.tsv was run blind once (91.8 % right, 0.8 % invented; activity 84.3 %) and TUNED on in round 6,
    so this floor is a smoke test, not a result. Measured after tuning: 99.9 % of labelled cells right, 0 invented,
    is_sighting 100 %."""
    assert_floor(_rows(EVAL5), min_rows=190, right=0.97, invented=0.02, sighting=0.98)


# round 4 (issue 12): causes found on stories_eval3.tsv, each checked with new sentences written for the rule (not
# rows of that table). Same notation as round 3.
@pytest.mark.parametrize("text,expected", [
    # a site by category of words: health, stores and markets, transit, dwellings
    ("ICE at the dentist office on Milwaukee and Diversey taking a patient", {"activity": "other"}),
    ("ICE agents at the health center on 26th rn", {"activity": "other", "when": "now"}),
    ("cops and ICE at the Mariano's on Western, they cuffed a guy by the entrance",
     {"activity": "other", "place": "Mariano's on Western"}),
    ("ICE arrested a lady outside the grocery store on 63rd", {"activity": "other"}),
    ("border patrol agents on the 9 Ashland bus at 47th checking papers", {"activity": "other", "place": "47th"}),
    ("la migra en el depa de al lado en la 28 y Trumbull, sacaron a una familia", {"activity": "home"}),
    ("I'm at my mom's on 26th and ICE is outside", {"activity": "home"}),
    # workers approached: a crew on a house, people waiting for work at a store lot, the one taken works there
    ("ICE picked up a landscaping crew working on a house on 111th and Kedzie", {"activity": "workplace"}),
    ("migra en el estacionamiento del Aldi de la 26 levantando a los que buscan trabajo",
     {"activity": "workplace"}),
    ("la migra entro a la lavanderia de la 18 y se llevo a la señora que trabaja ahi", {"activity": "workplace"}),
    ("ICE raid at the tortilleria on 26th and Kolin, 10 agents", {"activity": "workplace", "agents": "6-10"}),
    ("ICE showed up where I work on Kostner and 47th, they are lining everyone up", {"activity": "workplace"}),
    # a weak action yields to a named site; alone it still says what happened
    ("CBP checking IDs at the bus station on Harrison", {"activity": "other"}),
    # (round 6: people asked for papers at a corner is a stop on the street, not a checkpoint — the labelling rules
    # keep `checkpoint` for reten / checkpoint / roadblock / every car; driving licences checked still say so)
    ("agentes revisando papeles en la 26 y Kedzie", {"activity": "street"}),
    ("policias revisando licencias en la 26 y Kedzie", {"activity": "checkpoint"}),
    ("migra parando a la gente afuera de la estacion de la rosa en la 18", {"activity": "other"}),
    ("agentes de ICE parados en la esquina de la 63 y Kedzie, como 6", {"activity": "street", "agents": "6-10"}),
    # a traffic stop, a person held or put into a vehicle, with no site named → street
    ("my brother got pulled over on Pulaski and 31st by immigration", {"activity": "street"}),
    ("ICE dragged a man out of his car on 26th and Drake", {"activity": "street", "agents": "-"}),
    ("unos de civil tenian a un muchacho contra la pared en la 47 y Damen", {"activity": "street"}),
    ("la migra subio a un señor a una camioneta en la 59 y Kedzie", {"activity": "street", "vehicles": "1"}),
    # vehicles only: agents said to be inside, guessed at, or absent; vehicles lined up
    ("una camioneta con 2 hombres adentro afuera de la clinica, parecen de la migra", {"activity": "vehicles"}),
    ("3 ICE trucks parked by the school on 24th, no agents outside", {"activity": "vehicles", "vehicles": "2-3"}),
    ("5 trocas de inmigracion formadas en la 31 y Kedzie", {"activity": "vehicles", "vehicles": "4+"}),
    # ...but agents standing beside a parked van at a named site: the site
    ("una troca de ICE estacionada y 2 agentes parados en la entrada de la escuela Cardenas",
     {"activity": "other", "place": "la escuela Cardenas"}),
    # counts: a model is a described vehicle; the person brought is not an agent; "like 5 of them" after a comma
    ("se lo llevaron en una tahoe gris en la 47 y Ashland", {"vehicles": "1"}),
    ("2 ICE officers at the ER on Cermak, they brought a guy in cuffs", {"agents": "1-2"}),
    ("ICE took my neighbor from his house on 31st, immigration, like 5 of them", {"agents": "3-5"}),
    ("ICE agents (maybe a dozen) at Belmont and Central rn", {"agents": "10+", "when": "now"}),
    ("se estan llevando gente en 2 camiones blancos en la 43 y Packers, la migra", {"vehicles": "2-3"}),
    # self-corrections: the corrected place, agency and a corrected question read as a statement
    ("q onda, la migra en la 26 y Central? no, perdon, en la 26 y Laramie, tocando puertas orita",
     {"place": "la 26 y Laramie", "activity": "home", "when": "now", "markings": "ice"}),
    ("ICE on 59th and Kedzie, sorry, I mean 59th and Sawyer, stopping every car",
     {"place": "59th and Sawyer", "activity": "checkpoint"}),
    ("hay migra en la 47? no, es la policia en la 47 y Kedzie", {"markings": "police"}),
    # slang and typos; lower-case landmarks with a saint's name; "in front of" is not a place
    ("polis en la 2600 de la Pulaski", {"markings": "police", "place": "la 2600 de la Pulaski"}),
    ("boarder patrol en la 26 y Kedzie", {"markings": "cbp"}),
    ("la migra afuera de la iglesia santa ines", {"place": "la iglesia santa ines", "activity": "other"}),
    ("ICE arrested a man in front of the Saint Agnes church", {"place": "Saint Agnes church"}),
    ("la migra en la prepa Curie ahorita", {"place": "la prepa Curie", "activity": "other"}),
    ("agentes federales afuera de la corte en la Clark y Van Buren", {"place": "Clark y Van Buren"}),
    # relayed by a named person with an arrest and a place
    ("my niece said ICE took 2 roofers off a house on 55th and Keeler", {"activity": "workplace"}),
    ("mi suegra que vive en la 45 y Wood me mando mensaje que la migra se llevo a un vecino de su edificio",
     {"activity": "home", "place": "la 45 y Wood"}),
    ("roadblock on 26th and Pulaski, stopping everyone", {"activity": "checkpoint"}),
    # "at the door" of a named institution is that institution; "un señor" is the one taken, not an agent
    ("ICE is at the shelter on Ashland right now, 4 agents at the door", {"activity": "other", "agents": "3-5"}),
    ("un señor que vende elotes en la 24 y Kolin se lo llevaron los de ICE", {"activity": "street", "agents": "-"}),
    ("ICE took 2 guys at 47th and Ashland, 6 in the morning", {"activity": "street", "when": "today", "agents": "-"}),
    ("ICE en la 47 y Ashland como a eso de las 8 de la mañana", {"when": "today"}),
    ("ICE agents walking around Pilsen near 18th and Ashland", {"place": "18th and Ashland"}),
    # a site only near the scene, or one the writer warns others away from, is not the site
    ("migra en la 18 y Ashland, mi casa esta a una cuadra", {"activity": "-"}),
    ("la migra en la 26 y Pulaski, no vayan a la tienda", {"activity": "-"}),
    ("la migra en la escuela cerca de la 26 y Kedzie", {"activity": "other"}),
])
def test_round4_causes(text: str, expected: dict[str, str]) -> None:
    assert_fields(text, expected)


@pytest.mark.parametrize("text", [
    "mi tia dice que la migra va a estar en la pulga mañana, sera cierto?",
    "if cops stop me on the street can they ask for my papers?",
    "is it true there's a roadblock on Cicero?",
    "ICE at 26th and Kedzie? no, not there",
    "me dijeron que hay polis en la 47 pero no vi nada",
    "my mom told me they arrested people at the flea market last week, is that true?",
])
def test_round4_still_not_sightings(text: str) -> None:
    assert not read_story(text).is_sighting, text


# --------------------------------------------------------------------------- round 5 (stories_eval4 causes)
# Classes of error found on tests/data/stories_eval4.tsv (now tuning data). Stories here are new, written for the
# class, not copied from that table.
@pytest.mark.parametrize("text, expected", [
    # a span without an explicit "still"/"siguen" leaves `when` empty (labelling rules, eval3/eval4 sections)
    ("hay un reten en la 26 y Kedzie parando carros desde hace 10 min", {"when": "-"}),
    ("la migra en la 18 y Loomis desde hace un rato, revisando gente", {"when": "-"}),
    ("ICE vans parked at 31st and Pulaski since this morning", {"when": "-"}),
    ("an ICE van at 26th and Lawndale, been there for 3 hours", {"when": "-"}),
    ("tres trocas de la migra en la 47 y Western, llevan toda la tarde ahi", {"when": "-"}),
    ("migra en la 26 y Kedzie, ya llevan una hora ahi", {"when": "now"}),
    ("ICE at 47th and Western, been there an hour and they are still there", {"when": "now"}),
    ("la migra en la 59 y California tocando puertas, llevan rato y siguen", {"when": "now"}),
    # a bare "just"/"acaban de" states no minutes: left empty
    ("just saw 2 ICE trucks on Cermak and Kedzie", {"when": "-"}),
    ("acaban de pasar 3 trocas de la migra por la 26 y Pulaski", {"when": "-"}),
    ("ICE agarro a un señor en la 26 y Millard hace como 10 minutitos", {"when": "15m"}),
    ("la migra en la 18 y Paulina, se llevaron a uno hace like 25 mins", {"when": "1h"}),
    # a question about whether it is still going on is not "now"
    ("earlier today ICE was stopping cars on Pulaski and 31st, are they still there?", {"when": "today"}),
    ("ICE took a guy on Western and 59th at like 6am", {"when": "today"}),
    # agents: the people taken, the start of a span, and "N of them" after vehicles are not agent counts
    ("ICE on 26th and Kostner, they put 3 guys in a van", {"agents": "-"}),
    ("police roadblock at 55th and Pulaski, been there since like 8", {"agents": "-"}),
    ("unmarked SUVs outside the Jewel on Archer and Kedzie, 5 of them, nobody got out",
     {"agents": "-", "vehicles": "4+"}),
    ("ICE agents at 26th and Central Park, like 7 of them", {"agents": "6-10"}),
    ("there's a police checkpoint at 31st and Kedzie, cops checking licenses", {"agents": "-"}),
    ("la migra en una fabrica en la 38 y Kedzie, son como unos 15 o mas", {"agents": "10+"}),
    ("ICE stopping people on Pulaski and 26th, maybe five or six of them", {"agents": "6-10"}),
    # vehicles: the car of the person stopped, and "sin carro", are not enforcement vehicles
    ("reten de policia en la 26 y Pulaski, a mi vecino le quitaron el carro", {"vehicles": "-"}),
    ("police checkpoint on Cicero and 31st, they towed his car", {"vehicles": "-"}),
    ("vi a 3 de la migra en la 26 y Kedzie a pie, sin carro, preguntando por alguien", {"vehicles": "0"}),
    # activity
    ("la migra esta tocando mi puerta ahorita en la 3300 W 25th St", {"activity": "home"}),
    ("agents arresting a man at his front door on 26th and Drake", {"activity": "home"}),
    ("la migra agarrando a un señor en la 26 y Hamlin", {"activity": "street"}),
    ("ICE agents talking to a man on the corner of 47th and Ashland", {"activity": "street"}),
    ("los de ICE agarraron a un muchacho en el parque Piotrowski", {"activity": "street"}),
    ("ICE took the cashier from the taco spot on 26th and Pulaski", {"activity": "workplace"}),
    ("immigration picking up guys at the day labor corner on Cicero and Belmont", {"activity": "workplace"}),
    ("la migra en el lavado de carros de la 26 y Kedzie revisando a los trabajadores, llegaron 3 trocas",
     {"activity": "workplace"}),
    ("una troca negra con agentes afuera de una casa en la 4500 S Wood, esperando que saliera alguien",
     {"activity": "home"}),
    ("hay 2 camionetas negras afuera de la escuela Cardenas con gente adentro, no se bajan", {"activity": "vehicles"}),
    ("my uncle got picked up at the job site on Kedzie and 31st, immigration", {"activity": "workplace"}),
    # markings
    ("Black SUVs with police lights and no markings at 26th and Pulaski", {"markings": "unmarked"}),
    ("reten en la 26 y Central Park, dicen que era la migra, yo vi puro policia", {"markings": "police"}),
    ("pasaron 4 camionetas negras por la Cermak, no tenian placas", {"markings": "unmarked"}),
    # a self-correction without punctuation ("no wait it was", "no sorry its at")
    ("ICE on Pulaski and 31st? no wait it was Pulaski and 26th, 2 agents", {"place": "Pulaski and 26th",
                                                                          "markings": "ice"}),
])
def test_round5_causes(text: str, expected: dict[str, str]) -> None:
    assert_fields(text, expected)


@pytest.mark.parametrize("text", [
    # sightings that were missed: a story with advice or identity questions after it, identity hearsay, a denial
    # of the agency only, government vehicles
    "tocaron la puerta de mi casa hace 10 minutos, dicen q son de inmigracion, estoy en la 2600 S Christiana, q hago??",
    "hay 3 carros negros en la 26 y Trumbull desde temprano con vidrios polarizados, alguien sabe si son de la migra?",
    "I drove past 47th and Pulaski and there were 2 ICE trucks and agents questioning a man, is that normal??",
    "en la escuela Madero hay 2 camionetas negras afuera, dicen que son federales",
    "there's a police checkpoint at 26th and Pulaski, not ICE, just CPD checking licenses",
    "there were 4 government vans parked at 51st and Kedzie",
    "no era la migra, era un reten de policia en la 26 y Pulaski",
])
def test_round5_sightings_found(text: str) -> None:
    assert read_story(text).is_sighting, (text, read_story(text).why)


@pytest.mark.parametrize("text", [
    "REENVIADO: a partir del lunes la migra va a estar en todas las tiendas de Chicago, pasalo a todos tus contactos",
    "Forwarded: ICE will be at every CTA station starting Monday, share this with everyone",
    "fwd: la migra en todos los Home Depot de Chicago, compartelo",
    "false alarm, the trucks at 26th and Pulaski were just Peoples Gas, no ICE",
    "no era la migra, era la compañia de gas en la 26 y Pulaski",
    "wasnt immigration, just a tow truck on 26th and Kedzie",
])
def test_round5_not_sightings(text: str) -> None:
    assert not read_story(text).is_sighting, text


# --------------------------------------------------------------------------- round 6 (stories_eval5 causes)
# Classes of error found on tests/data/stories_eval5.tsv (now tuning data). Stories here are new, written for the
# class, not copied from that table. Same notation as round 3 ("-" = must stay empty).
@pytest.mark.parametrize("text, expected", [
    # activity — papers or IDs asked of people is a stop on the street (a sidewalk, a bus stop, a park, on foot);
    # licences checked, or every car stopped, is a checkpoint; a site still says more (a station, a store)
    ("dos de ICE en la banqueta de la 26 y Hamlin pidiendo identificacion", {"activity": "street"}),
    ("CBP on foot at Pulaski and Armitage asking people for their papers", {"activity": "street"}),
    ("immigration checking IDs by the lagoon at Douglass Park", {"activity": "street"}),
    ("migra en la parada del camion de la 31 y Kedzie pidiendo papeles", {"activity": "street"}),
    ("police checking licenses at 55th and Kedzie", {"activity": "checkpoint"}),
    ("ICE at the Jewel on Cermak checking shoppers' IDs", {"activity": "other"}),
    # vehicles moving, or agents named only as who rides in one; a guess at who they are is no one seen
    ("cuatro camionetas grises subiendo x la Kedzie hacia el norte, parecen de la migra", {"activity": "vehicles"}),
    ("la migra en la 47 y Damen en un carro gris sin placas", {"activity": "vehicles"}),
    ("CBP in a white pickup at Archer and Central", {"activity": "vehicles"}),
    ("ICE at Gage Park high school, 3 vans, no agents got out", {"activity": "vehicles"}),
    # an action in a word list that was missing
    ("vi a 3 de la migra caminando x la 26 sin carro preguntandole a la gente por un señor", {"activity": "street"}),
    ("los de ICE tocando bien fuerte en el 2700 S Avers, buscan a alguien", {"activity": "home"}),
    ("la migra saco a unos señores de la bodega de la 38, llegaron 2 camionetas", {"activity": "workplace"}),
    ("immigration agents going up to people at Cermak and Kedzie", {"activity": "street"}),
    ("fueron a buscar a alguien a la casa de mi vecina en la 26 y Karlov, 2 hombres de civil en un carro gris",
     {"activity": "home"}),
    # a site named only by its proper name, its saint, its "High", or a transit/public office
    ("ICE outside St. Bartholomew during the noon mass, 4 of them", {"activity": "other", "agents": "3-5"}),
    ("Theres ICE by the front steps of Our Lady of Fatima on 26th", {"activity": "other",
                                                                     "place": "Our Lady of Fatima"}),
    ("immigration agents outside Curie High right now", {"activity": "other"}),
    ("ICE at Stroger asking for a patient", {"activity": "other"}),
    ("ICE agents checking tickets at the Megabus stop downtown", {"activity": "other"}),
    ("la migra en la oficina del seguro social de la 26, se llevaron a un señor", {"activity": "other"}),
    ("migras en el anden de la linea azul en la California", {"activity": "other"}),
    # someone taken as they left a site was taken there; the writer's own going somewhere is not the site
    ("agarraron a mi primo los de ICE saliendo de la clinica de la 26 esta mañana", {"activity": "other"}),
    ("la migra llego a la bodega de la 38 y Kedzie y todos nos regresamos a la casa", {"activity": "workplace"}),
    # a vendor approached at a market works there; a man taken from his car had a traffic stop, even near a
    # hospital ("car wash" is no car); agents "nomas" standing and watching do nothing (eval5 rules)
    ("ICE arrested a vendor at the flea market on Ashland", {"activity": "workplace"}),
    ("ICE took a man from his car outside Saint Anthony hospital", {"activity": "street"}),
    ("ICE took someone from the car wash on Cicero and Diversey", {"activity": "workplace"}),
    ("2 agentes parados en la esquina de la 26 y Kedzie nomas viendo", {"activity": "-"}),
    # a worker of the place taken: the owner, a coworker
    ("ICE took the owner of the barbershop on 26th and Kolin", {"activity": "workplace"}),
    ("immigration took my coworker from the dry cleaners on Devon", {"activity": "workplace"}),
    ("agents asking for a tenant at the 2-flat on 25th and Springfield", {"activity": "home"}),
    # when
    ("reten en la 31 y Kedzie, hace 10 minutos que empezaron", {"when": "-"}),
    ("police roadblock at Kedzie and 63rd, it started like half an hour ago", {"when": "-"}),
    ("ICE took a man at 26th and Pulaski, it started around 7am", {"when": "today"}),
    ("una troca sin placas sigue estacionada afuera de mi casa en la 2400 S Kolin", {"when": "now"}),
    ("a black van still parked at 31st and Central", {"when": "now"}),
    ("la migra entro a la panaderia de la 26 hace como hora y media", {"when": "today"}),
    ("ICE knocking on doors at 2500 S Ridgeway since early this morning", {"when": "-"}),
    # agents: the agency as the noun, people sitting inside, "counted", a trailing range, the rest of them; people
    # taken are not agents
    ("hay 3 ICE afuera de la escuela Zapata", {"agents": "3-5"}),
    ("2 ICE and a van at 26th and Pulaski", {"agents": "1-2", "vehicles": "1"}),
    ("una troca de ICE en la 26 y Kildare con 4 adentro", {"agents": "3-5"}),
    ("ICE agents going door to door on Troy near 24th, my neighbor counted 9", {"agents": "6-10"}),
    ("Migras afuera de la estacion de la rosa de la 18, 4 o 5", {"agents": "3-5"}),
    ("ICE agents on Kolin and 25th, 2 of them at the back door and another in the truck", {"agents": "3-5"}),
    ("raid at a tortilla factory on 26th, heard like 25 people were taken", {"agents": "-"}),
    # vehicles: a make between the number and the noun; "a" with colours or a make before the noun
    ("2 black dodge chargers without plates at 31st and Lawndale", {"vehicles": "2-3", "markings": "unmarked"}),
    ("a dark grey SUV with no plates parked at 47th and Kedzie", {"vehicles": "1"}),
    ("a white Ford van with tinted windows parked at 26th and Troy", {"vehicles": "1"}),
    # markings: what the writer saw beats an agency only heard of
    ("reten en la 26 y Central Park, dicen q hay migra pero yo nomas vi policias", {"markings": "police"}),
    ("checkpoint on Pulaski at 31st, mostly cops but somebody said ICE is there too", {"markings": "police"}),
    ("hay 2 carros sin placas en la 26 y Troy, dicen que son de la migra", {"markings": "ice"}),
    # place: a landmark over the corner near it; a chain's name alone names no one store; a corner after a
    # correction with no preposition; a station named by its street; "of" before a name
    ("2 trocas sin placas afuera de la iglesia de San Pablo en la 26 y Kolin", {"place": "San Pablo"}),
    ("la Cermak y Kedzie, una van de ICE parada enfrente del Walmart", {"place": "la Cermak y Kedzie"}),
    ("CBP at Logan Square park? no, it was Kosciuszko Park, 20 min ago", {"place": "Kosciuszko Park"}),
    ("ICE took a man out of the 95th st Red line station", {"place": "95th st Red line station"}),
    ("checkpoint at Pulaski and 26th? nah its on Pulaski and 31st, cops", {"place": "Pulaski and 31st"}),
    ("la migra is at the entrance of Benito Juarez high school rn", {"place": "Benito Juarez high school"}),
])
def test_round6_causes(text: str, expected: dict[str, str]) -> None:
    assert_fields(text, expected)


@pytest.mark.parametrize("text", [
    # missed sightings: a police checkpoint with the migra denied; green uniforms; the writer answering their own
    # question; a warrant described; a building's door; a correction after "nah"; vehicles by their model
    "esta mañana habia un reten en la 26 y Kostner, puro policia, no vi migra",
    "guys in green uniforms at the 47th and Kedzie bus stop asking people for ID",
    "hay migra en el Jewel de la Archer? yo los vi hace rato en el estacionamiento",
    "ICE agents with a warrant at a house on 2700 S Trumbull",
    "ICE is at my buildings front door right now on 26th and Drake",
    "checkpoint at Pulaski and 26th? nah its on Pulaski and 31st, cops",
    "two black Chargers no plates parked at 55th and Kedzie",
    "checkpoint on 31st and Kedzie, just cops, someone said ICE was there too",
])
def test_round6_sightings_found(text: str) -> None:
    assert read_story(text).is_sighting, (text, read_story(text).why)


@pytest.mark.parametrize("text", [
    # still not sightings: a rumour asked and never confirmed, a question about a warrant, a lone question
    "alguien sabe si hay migra en el Jewel de la Archer? voy a ir a comprar",
    "do they need a warrant to come into my building?",
    "are they still at 26th and Pulaski?",
    "no era la migra, eran los del agua en la 26 y Kolin",
])
def test_round6_not_sightings(text: str) -> None:
    assert not read_story(text).is_sighting, text


def test_sixth_eval_table_floor_seen_and_tuned() -> None:
    """stories_eval6.tsv was run blind once (94.5 % right, 0.8 % invented; activity 88.3 %) and TUNED on in round 7,
    so this floor is a smoke test, not a result. Measured after tuning: 99.9 % of labelled cells right, 0 invented,
    is_sighting 100 %."""
    assert_floor(_rows(EVAL6), min_rows=190, right=0.97, invented=0.02, sighting=0.98)


# --------------------------------------------------------------------------- round 7 (stories_eval6 causes)
# Classes of error found on tests/data/stories_eval6.tsv (now tuning data). Stories here are new, written for the
# class, not copied from that table. Same notation as round 3 ("-" = must stay empty).
@pytest.mark.parametrize("text, expected", [
    # activity — a CTA bus named by its route; a fast-food chain or a store's customers are a store (other), its
    # staff or the people who work there a workplace; the ICE check-in office is a site
    ("la migra bajo a un muchacho del camion de la 47 en la 47 y Kedzie", {"activity": "other"}),
    ("ICE sacando a un señor del McDonald's de la 26 y Pulaski", {"activity": "other"}),
    ("ICE agents pulled a woman out of the Subway on Cermak and Kedzie", {"activity": "other"}),
    ("migra en la farmacia de la Archer revisando a los clientes", {"activity": "other"}),
    ("ICE talking to the kitchen staff at the Wendy's on Pulaski", {"activity": "workplace"}),
    ("la migra en la tortilleria de la 26 interrogando a los que trabajan ahi", {"activity": "workplace"}),
    ("border patrol questioning men unloading a truck behind the Jewel on Western", {"activity": "workplace"}),
    ("agents waiting for people coming to their check in at the ICE office downtown", {"activity": "other"}),
    ("migra entro a una construccion en la Kedzie y Cermak, como 6 agentes", {"activity": "workplace",
                                                                             "agents": "6-10"}),
    # an action in a word list that was missing: stopping people where they walk, knocking "en la casa", the back
    # door of a house, a street blocked at a corner
    ("la migra acaba de parar a un muchacho en la 26 y Hamlin", {"activity": "street"}),
    ("ICE stopping men walking on Kedzie near 55th", {"activity": "street"}),
    ("dos de ICE tocaron en la casa de mi vecina en la 2600 S Avers", {"activity": "home"}),
    ("ICE went around to the side door of a two flat on Troy", {"activity": "home"}),
    ("police cars blocking Pulaski at 31st, checking everybody", {"activity": "checkpoint"}),
    # neighbouring words of the same classes: a doorbell rung, a stop at a traffic light, a fonda, "la marqueta"
    ("ICE ringing doorbells on the 2300 block of S Drake", {"activity": "home"}),
    ("la migra paro a un muchacho en el semaforo de la 26 y Pulaski", {"activity": "street"}),
    ("migra en la fonda de la 26 y Kolin, se llevaron a la cocinera", {"activity": "workplace"}),
    ("ICE en la marqueta de la 26 pidiendo papeles a la gente", {"activity": "other"}),
    # vehicles moving somewhere are vehicles
    ("tres trocas de la migra yendo hacia el norte por la Pulaski", {"activity": "vehicles"}),
    ("pasó una camioneta sin placas por la 26 hace 5 min", {"activity": "vehicles", "when": "15m"}),
    ("two ICE vans heading south on Western at 59th", {"activity": "vehicles"}),
    # a correction fixes the place, not what was done: an action before it still counts, and "la puerta" of a
    # church named before it is the church's
    ("ICE arresting guys at the bus stop on 26th and Kedzie? no, its 26th and Homan. they had 3 vans",
     {"activity": "street", "place": "26th and Homan"}),
    ("la migra en la escuela de la 31? no, la de la 33, en la puerta ahorita", {"activity": "other"}),
    # the writer only going to a station named by its street is not the site
    ("walking to the 35th st red line I saw ICE grabbing a man at the corner of 35th and Wallace",
     {"activity": "street"}),
    # when: "hace ratito" is "hace rato" (1h); a parked car "lleva ahí" a span is still there
    ("ICE arrested a man at Archer y Kedzie hace ratito", {"when": "1h"}),
    ("una camioneta sin logos en la 24 y Homan, lleva ahi como 40 minutos", {"when": "now"}),
    # agents: "N border patrol" and "N verdes" are agents; people who got out of a vehicle are agents
    ("like six border patrol asking for papers at 47th and Ashland", {"agents": "6-10", "markings": "cbp"}),
    ("3 border patrol trucks on Cermak", {"agents": "-", "vehicles": "2-3"}),
    ("2 verdes en la Archer y Pulaski pidiendo papeles", {"agents": "1-2", "markings": "cbp"}),
    ("una van blanca sin placas en la 31 y Kolin, se bajaron 3 y se fueron a la tienda", {"agents": "3-5"}),
    ("ICE van sitting on 25th and Lawndale, nobody got out", {"agents": "-"}),
    # vehicles: a second single vehicle, the agents' vehicle they got out of, a bare "unmarked car" in a list; a
    # car the writer rides in and an "auto shop" are no enforcement vehicle
    ("a black suv and an unmarked pickup at Kedzie and 63rd", {"vehicles": "2-3"}),
    ("una patrulla paro a un señor en la Pulaski y 55, despues llego otra camioneta", {"vehicles": "2-3"}),
    ("2 agents jumped out of a white minivan at 2500 S Kolin", {"vehicles": "1"}),
    ("ICE took a man from the bakery on 26th, unmarked van outside", {"vehicles": "1"}),
    ("I was in the car with my mom when we saw ICE at 26th and Kostner", {"vehicles": "-"}),
    ("ICE agents inside the auto shop on Cicero and 31st", {"vehicles": "-"}),
    # markings: "la fronteriza" is Border Patrol; an agency only heard of after what the writer saw does not win
    ("la fronteriza en la 63 y Pulaski parando carros", {"markings": "cbp"}),
    ("CPD pulled a guy out of his car on Cermak and Kostner, heard they called ICE on him", {"markings": "police"}),
])
def test_round7_causes(text: str, expected: dict[str, str]) -> None:
    assert_fields(text, expected)


@pytest.mark.parametrize("text", [
    # missed sightings: a worker's own job with an arrest; a question answered with "acabo de ver"; green-uniform
    # agents named by number
    "en mi trabajo se llevaron a mi compañero los de la migra",
    "alguien mas vio a ICE en el Walmart de la Cicero? yo los acabo de ver en la entrada",
    "como 5 verdes en la 26 y Kostner parando gente",
])
def test_round7_sightings_found(text: str) -> None:
    assert read_story(text).is_sighting, (text, read_story(text).why)


@pytest.mark.parametrize("text", [
    # a rumour said and then asked about ("is it true?") is not a report
    "dicen q hay migra en la 31 y Kedzie, alguien sabe si es cierto?",
    "people are saying ICE is at the Jewel on 63rd, does anyone know if it's true?",
])
def test_round7_not_sightings(text: str) -> None:
    assert not read_story(text).is_sighting, text
