"""Know-your-rights content: loading, validation, browsing and bilingual search (issue 6).

Why this module exists apart from ``handlers/rights.py``: the content and the matcher must be testable
and benchmarkable without any messenger, and the admin ``/reload`` must be able to swap content while
the bot runs. Nothing here imports ``telegram``.

Content lives in ``i18n/faq/*.toml`` (one file per topic, plus ``sources.toml``). Text fields are
**plain text**: :func:`render_answer` HTML-escapes them; callers that show ``entry.question(lang)`` or
topic titles on buttons must not escape again for button labels (Telegram buttons are not HTML) but must
escape them inside HTML messages. Answers may contain the placeholders ``{hotline_name}`` and
``{hotline_phone}``, filled from settings at render time.

Search is a small BM25 over normalised tokens (accents, case and punctuation removed; a phonetic key so
that "inmigrasion" equals "inmigracion"; light stemming; a synonym map for slang such as "migra",
"troca", "chamba"), with typo tolerance from rapidfuzz for query words that are not in the vocabulary.
Each entry is indexed in both languages at once, so Spanish, English and Spanglish all match; the answer
is then shown in the user's language.
"""

from __future__ import annotations

import html
import re
import string
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from math import log
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from rapidfuzz import fuzz, process

from i18n import Safe, escape

LANGS: tuple[str, ...] = ("es", "en")
Lang = Literal["es", "en"]
ACTIVITIES: tuple[str, ...] = ("at_home", "street", "workplace", "checkpoint", "vehicles", "other")
Activity = Literal["at_home", "street", "workplace", "checkpoint", "vehicles", "other"]

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "i18n" / "faq"
# Chicago default per the fact sheet (ICIRR Family Support Network); deployments override via settings.
DEFAULT_HOTLINE_NAME = "ICIRR Family Support Network"
DEFAULT_HOTLINE_PHONE = "1-855-435-7693"

MAX_ANSWER_CHARS = 900  # measured after filling the default hotline: what a user actually reads
MAX_QUESTION_CHARS = 160
MAX_TIP_CHARS = 240
ALLOWED_PLACEHOLDERS = frozenset({"hotline_name", "hotline_phone"})

# Confidence rule (see FaqStore.search): below either bar the bot says it found nothing. Calibrated on
# tests/faq_questions.py: the weakest correct answer scored ~5.8, the strongest off-topic text ~4.4; a
# query whose known words the entry covers less than a third of is treated as a guess.
MIN_SCORE = 4.0
MIN_COVERAGE = 0.34


class FaqError(ValueError):
    """Content failed validation; the message names the file and the entry so an editor can fix it."""


# --------------------------------------------------------------------------------------------- models


class Source(BaseModel):
    """One fact-sheet source key, shown to users as its organisation (linked when a URL is known)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^S\d+[a-z]?$")
    organization: str = Field(min_length=2)
    title: str = ""
    url: str | None = None
    url_es: str | None = None
    note: str = ""
    secondary: bool = False

    @field_validator("url", "url_es")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        # Links go into Telegram HTML; only absolute https URLs are safe and clickable.
        if value is not None and not re.fullmatch(r"https://[^\s\"<>]+", value):
            raise ValueError(f"URL must be an absolute https:// address without spaces or quotes: {value!r}")
        return value

    def link(self, lang: str) -> str | None:
        return (self.url_es if lang == "es" and self.url_es else None) or self.url


def _clean_paragraphs(text: str) -> str:
    """Join hard-wrapped lines; keep blank lines as paragraph breaks.

    Why: editors wrap TOML text at ~110 columns for readable diffs, but Telegram should reflow it.
    """
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:  # unbalanced braces
        raise ValueError(f"bad braces in text: {exc}") from None


def _fill(text: str, hotline_name: str, hotline_phone: str) -> str:
    # str.replace, not str.format: answers are validated to hold only these two placeholders, and
    # replace cannot be tricked by a value that itself contains braces.
    return text.replace("{hotline_name}", hotline_name).replace("{hotline_phone}", hotline_phone)


class LangText(BaseModel):
    """The question, answer, search keywords and optional alert tip of one entry in one language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=5, max_length=MAX_QUESTION_CHARS)
    answer: str = Field(min_length=40)
    keywords: list[str] = Field(min_length=3)
    tip: str | None = Field(default=None, max_length=MAX_TIP_CHARS)

    @field_validator("question", "tip")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if _placeholders(value):
            raise ValueError("questions and tips may not contain {placeholders}")
        return value

    @field_validator("answer")
    @classmethod
    def _answer(cls, value: str) -> str:
        value = _clean_paragraphs(value)
        unknown = _placeholders(value) - ALLOWED_PLACEHOLDERS
        if unknown:
            allowed = sorted(ALLOWED_PLACEHOLDERS)
            raise ValueError(f"unknown placeholders {sorted(unknown)}; allowed: {allowed}")
        filled = _fill(value, DEFAULT_HOTLINE_NAME, DEFAULT_HOTLINE_PHONE)
        if len(filled) > MAX_ANSWER_CHARS:
            raise ValueError(
                f"answer is {len(filled)} characters with the default hotline; limit {MAX_ANSWER_CHARS}"
            )
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(k.split()) for k in value]
        if any(not k for k in cleaned):
            raise ValueError("empty keyword")
        return cleaned


class Entry(BaseModel):
    """One question-and-answer in both languages, with its sources and review date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")  # short: it travels in 64-byte callback data
    topic: str
    sources: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list, max_length=4)
    activities: list[Activity] = Field(default_factory=list)
    reviewed_on: date
    en: LangText
    es: LangText
    # Filled by the loader from sources.toml (never written in the entry files), so that rendering an
    # answer needs nothing but the entry.
    source_refs: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _checks(self) -> Entry:
        if self.id in self.related:
            raise ValueError("an entry cannot be related to itself")
        if len(set(self.related)) != len(self.related) or len(set(self.sources)) != len(self.sources):
            raise ValueError("duplicate related id or source key")
        if self.activities and not (self.en.tip and self.es.tip):
            raise ValueError("an entry used for alert activities needs a tip in both languages")
        return self

    def text(self, lang: str) -> LangText:
        return self.es if lang == "es" else self.en

    def question(self, lang: str) -> str:
        return self.text(lang).question

    def answer(
        self, lang: str, hotline_name: str = DEFAULT_HOTLINE_NAME, hotline_phone: str = DEFAULT_HOTLINE_PHONE
    ) -> str:
        """Plain-text answer with the hotline filled in (not HTML-escaped)."""
        return _fill(self.text(lang).answer, hotline_name, hotline_phone)


class Topic(BaseModel):
    """A browse-menu topic; ``entry_ids`` keeps the file order, which editors choose on purpose."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,20}$")
    order: int
    title_en: str = Field(min_length=2, max_length=40)
    title_es: str = Field(min_length=2, max_length=40)
    entry_ids: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_es if lang == "es" else self.title_en


@dataclass(frozen=True)
class Match:
    """A search hit. ``lang`` is the language the query looked like (or the one the caller gave)."""

    entry: Entry
    score: float
    confident: bool
    lang: str
    coverage: float = 0.0


class Tip(NamedTuple):
    """A one- or two-sentence rights tip for an alert, with the entry it came from (for a "More" button)."""

    text: str
    entry_id: str


class TranslatorLike(Protocol):
    def t(self, lang: str, key: str, /, **kwargs: object) -> str: ...


# ----------------------------------------------------------------------------------------- normalising

# Words that carry no meaning for matching, in both languages. Kept short on purpose: words like "no",
# "free", "where" or "sign" matter here.
STOPWORDS: frozenset[str] = frozenset(
    """
    a al ante con de del el en es la las lo los le les me mi mis nos o para por que q k se si su sus te tu
    un una unos unas y ya yo usted ud este esta esto eso esa ese hay son soy muy mas pero como cuando
    tengo tiene tienen tenemos puedo puede pueden pueda hacer hago hace hacemos debo debe quien quienes cual
    cuales who whom which
    the an and or of to in on at for with by is are am was were be been do does did i im my me we
    our you your it its this that these those there they them he she his her can could should would will
    have has had what whats wat how if so about just get got any some into as not
    """.split()
)

# Slang, by-ear spellings and cross-language equivalents mapped to one canonical word before stemming.
# Why: BM25 only rewards shared terms, and residents write "migra", "la chota", "troca", "chamba".
_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ice", "migra", "imigra", "lamigra", "hielo"),
    ("police", "policia", "policias", "policía", "cop", "cops", "poli", "chota", "patrulla", "officer",
     "officers", "oficial", "oficiales", "policeman"),
    ("immigration", "inmigracion", "migracion", "imigracion", "inmigrasion", "immigracion"),
    ("door", "puerta", "doors", "puertas"),
    ("warrant", "warrants", "orden", "ordenes", "warrent", "warant"),
    ("judge", "juez", "jueza", "jues", "judges", "jueces", "magistrate", "magistrado"),
    ("car", "carro", "troca", "truck", "coche", "auto", "vehicle", "vehiculo", "camioneta", "van", "cars"),
    ("lawyer", "abogado", "abogada", "attorney", "licenciado", "lawyers", "abogados", "licenciada"),
    ("sign", "firmar", "firma", "firmo", "firme", "signing", "signed", "signature", "firmen"),
    ("film", "grabar", "record", "filmar", "recording", "grabo", "graba", "grabando", "filming", "tape"),
    ("work", "trabajo", "job", "chamba", "jale", "workplace", "trabajar", "trabaja", "chambear"),
    ("search", "revisar", "revisarme", "registrar", "catear", "esculcar", "cateo", "registro", "revisen",
     "searched", "searching", "revise"),
    ("silent", "silencio", "callado", "callada", "callarme", "silence"),
    ("home", "casa", "house", "apartment", "departamento", "apartamento", "depa", "hogar"),
    ("papers", "papeles", "documents", "documentos", "paper", "papel", "documento", "document"),
    ("license", "licencia", "licence", "licencias", "licenses"),
    ("family", "familia", "familiar", "relative", "familiares", "relatives"),
    ("card", "tarjeta", "tarjetas", "cards", "tarjetita"),
    ("red", "roja", "rojas", "rojo"),
    ("court", "corte", "courthouse", "juzgado", "cortes", "courts"),
    ("passenger", "pasajero", "pasajera", "passengers", "pasajeros"),
    ("consulate", "consulado", "embassy", "embajada"),
    ("spanish", "espanol", "espanish", "castellano"),
    ("run", "correr", "huir", "flee", "corro", "running", "runaway"),
    ("fake", "falso", "falsa", "falsos", "falsas", "false", "chueco", "chuecos", "chueca"),
    ("name", "nombre", "names"),
    ("kids", "hijos", "ninos", "children", "child", "kid", "hijo", "hija", "hijas", "nino", "nina"),
    ("employer", "patron", "boss", "jefe", "jefa", "employers", "patrones"),
    ("owner", "dueno", "duena", "duenos", "owners"),
    ("hotline", "linea", "telefono", "phone", "number", "numero", "hotlines"),
    ("detained", "detenido", "detenida", "arrested", "arrestado", "arrestada", "detention", "detencion",
     "detain", "detienen", "detiene", "detuvo", "arrest", "arresto", "arrestaron"),
    ("stop", "paro", "pararon", "stopped", "parar", "paran", "pullearon", "pulled", "pull", "pulling",
     "pulls", "stopping", "stops", "detuvieron"),
    ("leave", "irme", "irse", "retirarme", "retirarse", "leaving", "go", "walk"),
    ("free", "gratis", "gratuito"),
    ("deport", "deportar", "deportarme", "deportan", "deportation", "deportacion", "deported", "deporten",
     "removal"),
    ("raid", "redada", "redadas", "operativo", "operativos", "raids", "sweep"),
    ("address", "direccion", "domicilio"),
    ("born", "naci", "nacimiento", "birth"),
    ("undocumented", "indocumentado", "indocumentada", "indocumentados", "sinpapeles"),
    ("sanctuary", "santuario"),
    ("audio", "sonido", "sound", "voz", "voice"),
    ("photo", "foto", "fotos", "picture", "pictures", "photos"),
    ("airport", "aeropuerto"),
    ("border", "frontera", "garita"),
    ("school", "escuela", "schools", "escuelas"),
    ("cellphone", "celular", "cel", "cell"),
    ("find", "encontrar", "encuentro", "buscar", "localizar", "locate", "busco", "hallar"),
    ("report", "reportar", "reporto", "reportes", "avisar", "reports"),
    ("rights", "derechos", "derecho", "right"),
    ("questions", "preguntas", "pregunta", "question"),
    ("answer", "contestar", "responder", "contesto", "answering", "respondo"),
    ("knock", "tocan", "tocando", "toco", "tocar", "knocking", "knocked", "tocaron", "golpean"),
    ("open", "abrir", "abro", "abra", "opening"),
    ("backpack", "mochila", "bag", "bolsa", "purse", "bolso"),
    ("city", "ciudad", "municipal"),
    ("law", "ley", "leyes", "laws"),
    ("cbp", "borderpatrol"),
    ("distance", "distancia", "close", "cerca"),
)
SYNONYMS: dict[str, str] = {word: group[0] for group in _SYNONYM_GROUPS for word in group}

_SUFFIXES: tuple[str, ...] = (
    "aciones", "iciones", "amente", "mente", "ieron", "aron", "iendo", "ando", "ados", "idos", "adas",
    "idas", "ing", "ado", "ido", "ada", "ida", "ion", "ar", "er", "ir", "es", "ed", "s",
)
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    """Lower-case and drop diacritics, so "inmigración", "INMIGRACION" and "inmigracion" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form, with form numbers and A-number glued together."""
    text = strip_accents(text)
    text = re.sub(r"[’'`´]", "", text)  # "don't" -> "dont", "driver's" -> "drivers"
    text = re.sub(r"\b287\s*\(?\s*g\s*\)?", " 287g ", text)
    text = re.sub(r"\bi\s*-?\s*(\d{1,3})\b", r" i\1 ", text)  # "I-205", "i 205", "i205" -> "i205"
    text = re.sub(r"\ba\s*-?\s*(?:number|num|no|#)(?![a-z])", " anumber ", text)
    text = re.sub(r"\bnumero\s+(?:de\s+)?a\b(?!\s+(?:que|quien|donde|la|el|las|los)\b)", " anumber ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _phonetic(token: str) -> str:
    """Collapse spellings that sound alike in Spanish ("inmigrasion", "ajente", "yamar", "ablar").

    Applied to every token on both sides of the match, so it only has to be consistent, not correct.
    """
    if token.isdigit() or len(token) <= 2:
        return token
    t = token
    if t.startswith("h") and len(t) > 3 and t[1] in "aeiou":
        t = t[1:]
    t = re.sub(r"ll(?=[aeiou])", "y", t).replace("qu", "k").replace("z", "s").replace("v", "b")
    t = re.sub(r"c(?=[ei])", "s", t)
    t = re.sub(r"c(?=[aou]|$|[^aeiouh])", "k", t)
    t = re.sub(r"g(?=[ei])", "j", t)
    t = re.sub(r"(.)\1+", r"\1", t)
    return t


def _stem(token: str) -> str:
    """Very light stemming for both languages (plurals, -ing/-ed, common Spanish verb endings)."""
    if token.isdigit() or len(token) <= 3:
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            break
    if len(token) >= 4 and token[-1] in "aoe":
        token = token[:-1]
    return token


def terms(text: str) -> list[str]:
    """The index terms of a text: stemmed content words plus adjacent-word bigrams.

    Why bigrams: phrases such as "free to go", "orden del juez" or "tarjeta roja" mean more than their words.
    """
    words: list[str] = []
    for raw in _TOKEN_RE.findall(normalize(text)):
        if raw in STOPWORDS:
            continue
        canonical = SYNONYMS.get(raw, raw)
        words.append(_stem(_phonetic(canonical)))
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False) if a != b]


_ES_HINTS = frozenset(
    "que como donde tengo puedo la el los las mi mis me usted si se del por para una un es esta estoy "
    "migra puerta policia trabajo derechos abogado casa carro hijos hago".split()
)
_EN_HINTS = frozenset(
    "the what how where do does i my me you your is are can should if to of a an am im get got ice door "
    "police work rights lawyer home car kids".split()
)


def detect_lang(text: str) -> str | None:
    """Guess es/en from function words; None when unclear. Used only when the caller gives no language."""
    words = _TOKEN_RE.findall(strip_accents(text))
    es = sum(w in _ES_HINTS for w in words)
    en = sum(w in _EN_HINTS for w in words)
    if es == en:
        return None
    return "es" if es > en else "en"


# -------------------------------------------------------------------------------------------- search


# Why the topic title is indexed: residents often say only where it happened ("en la calle", "at work").
FIELD_WEIGHTS: Mapping[str, float] = {"question": 2.0, "keywords": 1.5, "topic": 1.0, "answer": 0.25}
K1 = 1.2
B = 0.5
FUZZY_CUTOFF = 80.0
FUZZY_MIN_LEN = 4
BIGRAM_WEIGHT = 0.6  # multiplier on phrase (bigram) matches relative to single words


@dataclass
class _Index:
    """Inverted BM25 index over both languages of every entry."""

    ids: list[str]
    postings: dict[str, list[tuple[int, float]]]
    idf: dict[str, float]
    vocab: list[str]
    _fuzzy_cache: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[Entry], topics: Mapping[str, Topic]) -> _Index:
        ids: list[str] = []
        doc_tf: list[dict[str, float]] = []
        for entry in entries:
            tf: dict[str, float] = {}
            for lang in LANGS:
                text = entry.text(lang)
                chunks = {
                    "question": [text.question],
                    "keywords": text.keywords,
                    "topic": [topics[entry.topic].title(lang)],
                    "answer": [text.answer.replace("{hotline_name}", " ").replace("{hotline_phone}", " ")],
                }
                for field_name, parts in chunks.items():
                    weight = FIELD_WEIGHTS[field_name]
                    for part in parts:
                        for term in terms(part):
                            tf[term] = tf.get(term, 0.0) + weight
            ids.append(entry.id)
            doc_tf.append(tf)
        n = len(doc_tf)
        lengths = [sum(tf.values()) for tf in doc_tf]
        avg = sum(lengths) / n if n else 1.0
        postings: dict[str, list[tuple[int, float]]] = {}
        for doc, tf in enumerate(doc_tf):
            norm = K1 * (1 - B + B * lengths[doc] / avg)
            for term, freq in tf.items():
                # Store the saturated tf part of BM25 so a query only multiplies by idf.
                postings.setdefault(term, []).append((doc, freq * (K1 + 1) / (freq + norm)))
        idf = {t: log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        vocab = sorted(t for t in postings if "_" not in t)
        return cls(ids=ids, postings=postings, idf=idf, vocab=vocab)

    def expand(self, term: str) -> list[tuple[str, float]]:
        """Exact term, or the closest vocabulary words for a typo ("warrent", "inmigrasion", "polisia")."""
        if term in self.postings:
            return [(term, 1.0)]
        if "_" in term or len(term) < FUZZY_MIN_LEN or term.isdigit():
            return []
        cached = self._fuzzy_cache.get(term)
        if cached is None:
            hits = process.extract(term, self.vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3)
            cached = [(word, (score / 100.0) ** 2) for word, score, _ in hits]
            if len(self._fuzzy_cache) < 10_000:  # bounded: free text from strangers must not grow memory
                self._fuzzy_cache[term] = cached
        return cached

    def score(self, query: str) -> tuple[list[float], list[float], list[int], int]:
        """BM25 score per document, the share of the query's idf mass each document covered, how many distinct
        query words each document matched, and how many words the query has."""
        scores = [0.0] * len(self.ids)
        covered = [0.0] * len(self.ids)
        matched = [0] * len(self.ids)
        words = 0
        total = 0.0
        q_terms = list(dict.fromkeys(terms(query)))
        for term in q_terms:
            is_bigram = "_" in term
            expansions = self.expand(term)
            factor = BIGRAM_WEIGHT if is_bigram else 1.0
            if not is_bigram:
                # Unknown words count towards the query mass, so off-topic text gets low coverage.
                total += max((self.idf[w] for w, _ in expansions), default=_UNKNOWN_IDF)
                words += 1
            best: dict[int, tuple[float, float]] = {}
            for word, weight in expansions:
                idf = self.idf[word]
                for doc, sat in self.postings[word]:
                    value = factor * weight * idf * sat
                    if value > best.get(doc, (0.0, 0.0))[0]:
                        best[doc] = (value, weight * idf)
            for doc, (value, mass) in best.items():
                scores[doc] += value
                if not is_bigram:
                    covered[doc] += mass
                    matched[doc] += 1
        return scores, [c / total if total else 0.0 for c in covered], matched, words


_UNKNOWN_IDF = 2.0


# --------------------------------------------------------------------------------------------- store


@dataclass(frozen=True)
class _Content:
    """One immutable, fully validated snapshot; reload swaps the whole object at once."""

    sources: dict[str, Source]
    topics: dict[str, Topic]
    entries: dict[str, Entry]
    tips: dict[str, str]  # activity -> entry id
    index: _Index


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FaqError(f"{path.name}: cannot read TOML: {exc}") from exc


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(entry)"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _load_content(directory: Path) -> _Content:
    """Read and validate every file; raise FaqError on the first broken file, entry or cross-reference."""
    if not directory.is_dir():
        raise FaqError(f"{directory}: FAQ directory not found")
    sources_path = directory / "sources.toml"
    raw_sources = _read_toml(sources_path)
    sources: dict[str, Source] = {}
    for key, data in raw_sources.items():
        try:
            sources[key] = Source.model_validate({"key": key, **(data if isinstance(data, dict) else {})})
        except ValidationError as exc:
            raise FaqError(f"{sources_path.name}: source {key!r}: {_describe(exc)}") from exc

    topics: dict[str, Topic] = {}
    entries: dict[str, Entry] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == "sources.toml":
            continue
        data = _read_toml(path)
        unknown = set(data) - {"topic", "entry"}
        if unknown:
            raise FaqError(f"{path.name}: unknown top-level tables {sorted(unknown)}")
        raw_topic = data.get("topic")
        if not isinstance(raw_topic, dict):
            raise FaqError(f"{path.name}: missing [topic] table")
        raw_entries = data.get("entry", [])
        if not isinstance(raw_entries, list) or not raw_entries:
            raise FaqError(f"{path.name}: no [[entry]] tables")
        topic_id = str(raw_topic.get("id", ""))
        ids: list[str] = []
        for position, raw in enumerate(raw_entries, start=1):
            raw_id = raw.get("id", f"#{position}") if isinstance(raw, dict) else f"#{position}"
            label = f"entry {raw_id!r}"
            if not isinstance(raw, dict):
                raise FaqError(f"{path.name}: {label}: not a table")
            if raw.get("topic", topic_id) != topic_id:
                raise FaqError(f"{path.name}: {label}: topic must be {topic_id!r} (the file's topic)")
            if "source_refs" in raw:
                raise FaqError(f"{path.name}: {label}: source_refs is filled by the loader, not by editors")
            try:
                entry = Entry.model_validate({**raw, "topic": topic_id})
            except ValidationError as exc:
                raise FaqError(f"{path.name}: {label}: {_describe(exc)}") from exc
            if entry.id in entries:
                raise FaqError(f"{path.name}: {label}: duplicate id (also in {origin[entry.id]})")
            missing = [s for s in entry.sources if s not in sources]
            if missing:
                raise FaqError(f"{path.name}: {label}: source keys not in sources.toml: {missing}")
            entry = entry.model_copy(update={"source_refs": tuple(sources[s] for s in entry.sources)})
            entries[entry.id] = entry
            origin[entry.id] = path.name
            ids.append(entry.id)
        try:
            topic = Topic.model_validate({**raw_topic, "entry_ids": tuple(ids)})
        except ValidationError as exc:
            raise FaqError(f"{path.name}: [topic]: {_describe(exc)}") from exc
        if topic.id in topics:
            raise FaqError(f"{path.name}: duplicate topic id {topic.id!r}")
        topics[topic.id] = topic

    if not entries:
        raise FaqError(f"{directory}: no FAQ entries found")
    tips: dict[str, str] = {}
    for entry in entries.values():
        bad = [r for r in entry.related if r not in entries]
        if bad:
            raise FaqError(f"{origin[entry.id]}: entry {entry.id!r}: related ids do not exist: {bad}")
        for activity in entry.activities:
            if activity in tips:
                raise FaqError(f"{origin[entry.id]}: entry {entry.id!r}: activity {activity!r} "
                               f"already has a tip in {tips[activity]!r}")
            tips[activity] = entry.id
    missing_tips = [a for a in ACTIVITIES if a not in tips]
    if missing_tips:
        raise FaqError(f"{directory}: no entry provides a tip for activities {missing_tips}")
    ordered = dict(sorted(topics.items(), key=lambda item: (item[1].order, item[0])))
    index = _Index.build(entries.values(), topics)
    return _Content(sources=sources, topics=ordered, entries=entries, tips=tips, index=index)


class FaqStore:
    """Validated FAQ content with browse, search, tips and hot reload.

    Readers take ``self._content`` once per call, and :meth:`reload` replaces it only after the new
    content validated completely, so a broken edit never leaves the bot half-updated.
    """

    def __init__(self, content: _Content, directory: Path) -> None:
        self._content = content
        self.directory = directory

    @classmethod
    def load(cls, path: Path | None = None) -> FaqStore:
        directory = Path(path) if path is not None else DEFAULT_DIR
        return cls(_load_content(directory), directory)

    def reload(self) -> int:
        """Re-read the directory; on any error keep the old content and raise :class:`FaqError`.

        Returns the number of entries now loaded (for the admin's confirmation message).
        """
        content = _load_content(self.directory)
        self._content = content
        return len(content.entries)

    # browse -------------------------------------------------------------------------------------
    def topics(self) -> list[Topic]:
        return list(self._content.topics.values())

    def topic(self, topic_id: str) -> Topic | None:
        return self._content.topics.get(topic_id)

    def entries(self, topic_id: str | None = None) -> list[Entry]:
        """Entries of one topic in file order, or every entry when ``topic_id`` is None."""
        content = self._content
        if topic_id is None:
            return list(content.entries.values())
        topic = content.topics.get(topic_id)
        return [content.entries[i] for i in topic.entry_ids] if topic else []

    def get(self, entry_id: str) -> Entry | None:
        return self._content.entries.get(entry_id)

    def related(self, entry_id: str) -> list[Entry]:
        content = self._content
        entry = content.entries.get(entry_id)
        return [content.entries[r] for r in entry.related] if entry else []

    def source(self, key: str) -> Source | None:
        return self._content.sources.get(key)

    # search -------------------------------------------------------------------------------------
    def search(self, text: str, lang: str | None = None, limit: int = 4) -> list[Match]:
        """Best entries for free text in either language (typos, no accents, Spanglish welcome).

        Returns at most ``limit`` matches, best first, only with a positive score. ``confident`` is
        True when the score and the share of the query's meaningful words the entry covers both pass
        the thresholds; a caller shows "not found" + topics + hotline when the first match is not
        confident, instead of guessing.
        """
        content = self._content
        query_lang = lang if lang in LANGS else (detect_lang(text) or "es")
        if not text or not text.strip():
            return []
        scores, coverage, matched, words = content.index.score(text[:500])
        # A single shared word (often a cross-language sound-alike: "best"/"vestidos") is not an answer to a
        # longer question.
        min_words = 2 if words >= 3 else 1
        ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: -scores[i])[: max(limit, 0)]
        return [
            Match(
                entry=content.entries[content.index.ids[i]],
                score=round(scores[i], 4),
                confident=scores[i] >= MIN_SCORE and coverage[i] >= MIN_COVERAGE and matched[i] >= min_words,
                lang=query_lang,
                coverage=round(coverage[i], 4),
            )
            for i in ranked
        ]

    # alerts -------------------------------------------------------------------------------------
    def tip_for_activity(self, activity: str, lang: str) -> Tip:
        """One rights tip for an alert's activity; unknown activities get the general ("other") tip."""
        content = self._content
        entry_id = content.tips.get(activity) or content.tips["other"]
        entry = content.entries[entry_id]
        tip = entry.text(lang if lang in LANGS else "es").tip
        assert tip is not None  # guaranteed by Entry validation for entries with activities
        return Tip(tip, entry_id)


# -------------------------------------------------------------------------------------------- render


def render_sources(sources: Iterable[Source], lang: str) -> str:
    """Organisation names, linked where a URL is known; one mention per organisation."""
    seen: dict[str, str | None] = {}
    for source in sources:
        if source.organization not in seen:
            seen[source.organization] = source.link(lang)
        elif seen[source.organization] is None:
            seen[source.organization] = source.link(lang)
    parts = []
    for org, url in seen.items():
        if url:
            parts.append(f'<a href="{html.escape(url, quote=True)}">{escape(org)}</a>')
        else:
            parts.append(escape(org))
    return " · ".join(parts)  # not a comma: several organisation names contain commas


def render_answer(
    entry: Entry,
    lang: str,
    translator: TranslatorLike,
    hotline_name: str = DEFAULT_HOTLINE_NAME,
    hotline_phone: str = DEFAULT_HOTLINE_PHONE,
) -> str:
    """The final Telegram HTML for one answer: question, answer, sources, review date, disclaimer.

    The entry's text is plain and escaped here; ``hotline_name``/``hotline_phone`` are raw settings values
    and are escaped here too. All fixed phrases come from the ``faq.*`` catalog keys.
    """
    lang = lang if lang in LANGS else "es"
    sources = entry.source_refs
    text = entry.text(lang)
    answer = _fill(escape(text.answer), escape(hotline_name), escape(hotline_phone))
    lines = [
        f"<b>{escape(text.question)}</b>",
        "",
        answer,
        "",
        translator.t(lang, "faq.sources", sources=Safe(render_sources(sources, lang))),
        translator.t(lang, "faq.reviewed_on", date=entry.reviewed_on.isoformat()),
        "",
        "<i>"
        + translator.t(lang, "faq.disclaimer", hotline_name=hotline_name, hotline_phone=hotline_phone)
        + "</i>",
    ]
    return "\n".join(lines)

