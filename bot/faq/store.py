"""Loading, validating and serving the FAQ content: browse, search, tips, hot reload.

Why the store owns one immutable snapshot (:class:`_Content`): the admin's ``/reload_faq`` swaps the whole
snapshot at once, only after the new files validated completely, so readers never see half an update.
"""

from __future__ import annotations

import csv
import hashlib
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from bot.faq.classifier import release_freed_memory
from bot.faq.model import (
    ACTIVITIES,
    DEFAULT_DIR,
    LANGS,
    MAX_ASKED_CHARS,
    NO_ENTRY,
    Asked,
    Entry,
    FaqError,
    Match,
    SearchResult,
    Source,
    Tip,
    Topic,
)
from bot.faq.search import FEATURES, Holdout, SearchIndex, confidence, features
from bot.faq.text import detect_lang, is_about_bot, is_small_talk

# Confidence rule (see FaqStore.search), calibrated on k-fold over the entries' phrasings, the three dev tables
# and the off-topic texts (bench/bench_faq.py prints the figures; docs/faq-search.md has the story).
# Round 4 sweep after bench --fit: 0.5 kept; with the model refitted without faq_eval3, 0.5 answered 0 of its 87
# off-topic rows and 0.4 answered 2; each 0.05 lower gains ~0.5-1 point of right answers.
# Round 5: two bars, by the domain anchor (search.ANCHOR_WORDS). The chatter that still got confident answers
# without naming any authority or legal notion ("la puerta del garage no abre") scored up to ~0.56, while real
# questions nearly always name one; so questions that do are answered from 0.4 and questions that do not need 0.6.
# Chosen by leave-one-table-out over the four dev tables (bench --loto; docs/faq-search.md, fifth round): against
# one bar of 0.5, about +1 point of right answers on the table left out and one confident chatter row fewer.
# Round 7 (gate refitted with the asked questions): swept by leaving each table out, 0.4 answered 0.3-0.6 point more
# right but 5 of 503 chatter rows with confidence against 3 at 0.5 (docs/faq-search.md, seventh round).
# Round 8 (gate refitted with the chatter similarity, ten dev tables): 0.45 / 0.8 gives 5 of 885 chatter rows
# confident where 0.5 / 0.7 gives 7 for ~0.7 point more answered right; eleven tables: 6 of 982 against 8
# (docs/faq-search.md, eighth round).
MIN_CONFIDENCE = 0.45  # questions with a domain anchor (0.4 in rounds 5-6, 0.5 in round 7)
MIN_CONFIDENCE_UNANCHORED = 0.8  # questions without one (0.6 in round 7)
MIN_SCORE = 1.0  # floor for alternatives (half of it) here and in the rights flow
# No answer below this BM25 score whatever the other features say. Was MIN_SCORE (1.0) before the classifier;
# short questions such as "me detuvieron que derechos tengo" score below it and are now told apart anyway.
MIN_ANSWER_SCORE = 0.5
MIN_PROBA = 0.0  # no answer the classifier gives less than this probability (measured: any bar costs more)
# A one-word question is answered only when the classifier agrees ("q hora es" shares its one word with one
# entry, so BM25 alone looks certain) and one entry clearly leads: "papeles", "orden" or "grabar" alone fit
# several entries equally, so the resident gets the suggestions; "consulado" or "i-9" get the answer.
MIN_PROBA_ONE_WORD = 0.2
ONE_WORD_MARGIN = 0.3  # BM25 lead of the first entry over the second, as a share of the first
# or: the classifier's lead. 0.85 until round 5; the classifier's L2 went from 1e-4 to 3e-5 (sharper probabilities)
# and "orden" / "warrant" alone, which fit both warrant entries, reached a lead of 0.85-0.89.
ONE_WORD_PROBA_LEAD = 0.9
# The answer must contain a fifth of what the question says (by idf mass). Was a third; long worried stories
# fell under it although their rare words all pointed at one entry; the model now weighs coverage itself.
MIN_COVERAGE = 0.2
# Below the bar, "nothing related at all" (off-topic) versus "close but unsure" (suggestions).
# 0.15 until round 8; the chatter similarity lowers single words that chatter also uses ("licencia" 0.14), and of
# the 69 off-topic texts only 3 score above 0.1 (round 8).
OFF_TOPIC_CONFIDENCE = 0.1
MAX_SUGGESTIONS = 3
ALT_MIN_RATIO = 0.4
MAX_QUERY_CHARS = 500
RERANK_POOL = 6
NEARNESS_WEIGHT = 0.0
CLASSIFIER_ONLY_MIN = 0.3


@dataclass(frozen=True)
class _Content:
    """One immutable, fully validated snapshot; reload swaps the whole object at once."""

    sources: dict[str, Source]
    topics: dict[str, Topic]
    entries: dict[str, Entry]
    tips: dict[str, str]  # activity -> entry id
    lazy: _LazyIndex
    asked: tuple[Asked, ...] = ()

    @property
    def index(self) -> SearchIndex:
        return self.lazy.get()


class _LazyIndex:
    """The search index, built on first use or by :meth:`FaqStore.warm` (the app runs it in a thread at start).

    Why: training the classifier takes about a second. At start the app builds it in a thread while the delivery
    worker already sends what was queued before a restart (alerts first), and only then lets the fronts listen;
    a process that never searches (the delivery test's child, `python -m bot migrate`) never pays for it. The
    lock makes a search wait for a build already under way."""

    def __init__(self, build: Callable[[], SearchIndex] | None = None, index: SearchIndex | None = None) -> None:
        self._build = build
        self._index = index
        self._lock = threading.Lock()

    def get(self) -> SearchIndex:
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    assert self._build is not None
                    self._index = self._build()
                    self._build = None
                index = self._index
        return index


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


# The last content built, by a digest of the files' bytes: building the search (the classifier is trained on load)
# takes about a second, and a restart, a second bot in the same process (tests) or a /reload_faq with nothing
# changed needs no rebuild. Only one is kept: the content is read-only once built, so sharing it is safe.
_LAST_BUILT: dict[str, _Content] = {}


ASKED_FILE = "asked.tsv"
ASKED_COLUMNS = ("lang", "question", "entry", "source")


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for path in sorted([*directory.glob("*.toml"), *directory.glob(ASKED_FILE)]):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _load_content(directory: Path, cache_dir: Path | None = None) -> _Content:
    """Read and validate every file; raise FaqError on the first broken file, entry or cross-reference."""
    if not directory.is_dir():
        raise FaqError(f"{directory}: FAQ directory not found")
    digest = _digest(directory)
    built = _LAST_BUILT.get(digest)
    if built is not None:
        return built
    content = _build_content(directory, cache_dir)
    _LAST_BUILT.clear()
    _LAST_BUILT[digest] = content
    return content


def _build_content(directory: Path, cache_dir: Path | None = None) -> _Content:
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
    built = list(entries.values())
    asked = _read_asked(directory / ASKED_FILE, entries)
    return _Content(sources=sources, topics=ordered, entries=entries, tips=tips, asked=asked,
                    lazy=_LazyIndex(lambda: SearchIndex.build(built, topics, asked=_training(asked),
                                                              cache_dir=cache_dir)))


def _read_asked(path: Path, entries: Mapping[str, Entry]) -> tuple[Asked, ...]:
    """The questions residents asked (optional file): tab-separated, ``#`` comment lines, header
    lang/question/entry/source. Every row is checked; the first bad one raises :class:`FaqError` with its line.
    """
    if not path.exists():
        return ()
    rows: list[Asked] = []
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [(number, line) for number, line in enumerate(fh, start=1) if not line.startswith("#")]
    reader = csv.reader((line for _, line in lines), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != ASKED_COLUMNS:
        raise FaqError(f"{path.name}: the header must be {'<tab>'.join(ASKED_COLUMNS)}")
    for (number, _), cells in zip(lines[1:], reader, strict=True):
        where = f"{path.name}: line {number}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(ASKED_COLUMNS):
            raise FaqError(f"{where}: {len(cells)} columns, expected {len(ASKED_COLUMNS)} separated by tabs")
        lang, question, entry, source = (c.strip() for c in cells)
        if lang not in LANGS:
            raise FaqError(f"{where}: lang must be one of {list(LANGS)}, not {lang!r}")
        if not question or len(question) > MAX_ASKED_CHARS:
            raise FaqError(f"{where}: the question must have 1 to {MAX_ASKED_CHARS} characters")
        if entry != NO_ENTRY and entry not in entries:
            raise FaqError(f"{where}: entry {entry!r} does not exist (use an entry id, or {NO_ENTRY!r})")
        if not source:
            raise FaqError(f"{where}: the source is empty (say where the question came from)")
        rows.append(Asked(lang, question, entry, source))
    return tuple(rows)


def _training(asked: tuple[Asked, ...], leave_out: Callable[[Asked], bool] | None = None
              ) -> list[tuple[str, str, str]]:
    """(entry id or none, lang, question) for the index, without the rows ``leave_out`` selects."""
    return [(a.entry, a.lang, a.question) for a in asked if leave_out is None or not leave_out(a)]


class FaqStore:
    """Validated FAQ content with browse, search, tips and hot reload.

    Readers take ``self._content`` once per call, and :meth:`reload` replaces it only after the new
    content validated completely, so a broken edit never leaves the bot half-updated.
    """

    def __init__(self, content: _Content, directory: Path, cache_dir: Path | None = None) -> None:
        self._content = content
        self.directory = directory
        self.cache_dir = cache_dir

    @classmethod
    def load(cls, path: Path | None = None, cache_dir: Path | None = None) -> FaqStore:
        """Load and validate the content of ``path`` (default: the packaged catalog); ``cache_dir`` keeps trained
        models between processes (``FAQ_CACHE_DIR``, see :meth:`Classifier.cached`)."""
        directory = Path(path) if path is not None else DEFAULT_DIR
        return cls(_load_content(directory, cache_dir), directory, cache_dir)

    def without_phrasings(self, holdout: Holdout | None = None,
                          asked_holdout: Callable[[Asked], bool] | None = None) -> FaqStore:
        """A copy whose index leaves out the phrasings ``holdout`` selects and the asked questions
        ``asked_holdout`` selects (for k-fold and leave-one-table-out evaluation).

        Why here: the bench and the tests must measure the real matcher on questions it has not indexed.
        """
        content = self._content
        index = SearchIndex.build(content.entries.values(), content.topics, holdout,
                                  asked=_training(content.asked, asked_holdout))
        return FaqStore(replace(content, lazy=_LazyIndex(index=index)), self.directory)

    def asked(self) -> tuple[Asked, ...]:
        """The questions residents asked (``asked.tsv``), in file order."""
        return self._content.asked

    def warm(self) -> None:
        """Build the search index now (blocking; the app runs it in a thread at start)."""
        self._content.lazy.get()

    def reload(self) -> int:
        """Re-read the directory; on any error keep the old content and raise :class:`FaqError`.

        Returns the number of entries now loaded (for the admin's confirmation message).
        """
        content = _load_content(self.directory, self.cache_dir)
        content.lazy.get()  # built before the swap: an edit that breaks the search keeps the old content too
        self._content = content
        release_freed_memory()  # the old index, once no reader holds it (otherwise ~15 MB stay mapped per reload)
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
    def search(self, text: str, lang: str | None = None, limit: int = 4,
               extra: Mapping[str, float] | None = None) -> list[Match]:
        """Best entries for free text in either language (typos, no accents, Spanglish welcome).

        Returns at most ``limit`` matches, best first (by BM25 fused with the classifier), each sharing a word
        with the text or likely to the classifier; ``score`` is the BM25 part. ``confident`` is
        True when the score, the share of the query's meaningful words the entry covers and the number of
        words it shares all pass the thresholds; a caller shows "not found" (or suggestions, see
        :meth:`lookup`) when the first match is not confident, instead of guessing. Small talk
        ("gracias mija") is never confident. ``extra`` (entry id -> score) is added to the ranking score of
        those entries, so another scorer (an embedding model) can be fused in without changing this module.
        """
        content = self._content
        return _rank(content, text, lang, limit, extra)

    def lookup(self, text: str, lang: str | None = None, extra: Mapping[str, float] | None = None) -> SearchResult:
        """Search plus the decision the flow needs: answer, suggestions, small talk or off-topic.

        See :class:`SearchResult`. Below the confidence bar the 3 closest entries come back as
        ``suggestions`` (for "¿Quiso decir…?" buttons) unless nothing in the text relates to the FAQ.
        """
        query_lang = lang if lang in LANGS else (detect_lang(text or "") or "es")
        if not text or not any(ch.isalnum() for ch in text):
            kind = "small_talk" if text and is_small_talk(text) else "empty"
            return SearchResult(kind=kind, lang=query_lang)
        if is_small_talk(text):
            return SearchResult(kind="small_talk", lang=query_lang)
        if is_about_bot(text):
            return SearchResult(kind="off_topic", lang=query_lang)
        matches = tuple(_rank(self._content, text, lang, 1 + MAX_SUGGESTIONS, extra))
        if matches and matches[0].confident:
            best = matches[0]
            floor = max(MIN_SCORE / 2, best.score * ALT_MIN_RATIO)
            alternatives = tuple(m for m in matches[1:] if m.score >= floor)[:MAX_SUGGESTIONS]
            return SearchResult(kind="answer", lang=query_lang, matches=matches, alternatives=alternatives)
        # A message that names the FAQ's world (ICE, police, papers, rights...) is never "nothing related": since
        # round 8 the gate knows the chatter residents send, and "tengo una pregunta sobre la policia" looks like it.
        if not matches or (matches[0].confidence < OFF_TOPIC_CONFIDENCE and not _anchored(matches[0].features)):
            return SearchResult(kind="off_topic", lang=query_lang, matches=matches)
        return SearchResult(kind="suggest", lang=query_lang, matches=matches, suggestions=matches[:MAX_SUGGESTIONS])

    # alerts -------------------------------------------------------------------------------------
    def tip_for_activity(self, activity: str, lang: str) -> Tip:
        """One rights tip for an alert's activity; unknown activities get the general ("other") tip."""
        content = self._content
        entry_id = content.tips.get(activity) or content.tips["other"]
        entry = content.entries[entry_id]
        tip = entry.text(lang if lang in LANGS else "es").tip
        assert tip is not None  # guaranteed by Entry validation for entries with activities
        return Tip(tip, entry_id)


def _bar(values: tuple[float, ...]) -> float:
    """The confidence a first match needs: lower when the question names the FAQ's world (see MIN_CONFIDENCE)."""
    return MIN_CONFIDENCE if _anchored(values) else MIN_CONFIDENCE_UNANCHORED


def _anchored(values: tuple[float, ...]) -> bool:
    """Whether the question itself names an authority or a legal notion (the "domain anchor" feature)."""
    return bool(dict(zip(FEATURES, values, strict=True))["domain anchor"])


def _clear_one_word(values: tuple[float, ...]) -> bool:
    """Whether a one-word question clearly points at its first entry (see :data:`ONE_WORD_MARGIN`)."""
    named = dict(zip(FEATURES, values, strict=True))
    return named["classifier probability"] >= MIN_PROBA_ONE_WORD and (
        named["margin"] >= ONE_WORD_MARGIN or named["probability lead"] >= ONE_WORD_PROBA_LEAD)


def _rank(content: _Content, text: str, lang: str | None, limit: int,
          extra: Mapping[str, float] | None = None) -> list[Match]:
    query_lang = lang if lang in LANGS else (detect_lang(text or "") or "es")
    if not text or not text.strip() or limit <= 0 or is_small_talk(text) or is_about_bot(text):
        return []
    scores = content.index.score(text[:MAX_QUERY_CHARS], extra)
    combined = scores.combined
    fused = scores.fused
    # A single shared word (often a cross-language sound-alike: "best"/"vestidos") is not an answer to a
    # longer question.
    min_words = 2 if scores.words >= 3 else 1
    # Ranked by the fused score (BM25 + classifier); an entry only the classifier sees (no shared term after
    # typo repair) must be fairly sure to be listed at all.
    pool = [int(i) for i in np.argsort(-fused, kind="stable")
            if combined[i] > 0 or scores.proba[i] >= CLASSIFIER_ONLY_MIN][: max(limit, RERANK_POOL)]
    unigrams = list(scores.unigrams)
    # Optionally re-rank the best few by how close the question is to one of their phrasings (rapidfuzz).
    # Measured in docs/faq-search.md: no gain over BM25 alone, so the weight is 0 and nearness only feeds the
    # confidence of the first match.
    near: dict[int, float] = {}
    if NEARNESS_WEIGHT:
        near = {i: content.index.nearness(unigrams, i) for i in pool}
        pool.sort(key=lambda i: -(fused[i] + NEARNESS_WEIGHT * near[i]))
    ranked = pool[:limit]
    if ranked and ranked[0] not in near:
        near[ranked[0]] = content.index.nearness(unigrams, ranked[0])
    # The runner-up for the margins is the second entry by the fused score, listed or not: an entry that is
    # first only because nothing else shares a word ("q hora es") must not look like a clear winner.
    order = np.argsort(-fused, kind="stable")[:2]
    second = int(order[1]) if ranked and len(order) > 1 and int(order[0]) == ranked[0] else (
        pool[1] if len(pool) > 1 else None)
    values = features(scores, ranked[0], second, near[ranked[0]], query_lang) if ranked else ()
    matches = []
    for rank, i in enumerate(ranked):
        conf = confidence(values) if rank == 0 else 0.0
        matches.append(Match(
            entry=content.entries[content.index.ids[i]],
            score=round(float(combined[i]), 4),
            confident=bool(rank == 0 and conf >= _bar(values) and combined[i] >= MIN_ANSWER_SCORE
                           and scores.proba[i] >= MIN_PROBA and (scores.words > 1 or _clear_one_word(values))
                           and scores.coverage[i] >= MIN_COVERAGE and scores.matched[i] >= min_words),
            lang=query_lang,
            coverage=round(float(scores.coverage[i]), 4),
            confidence=round(conf, 4),
            features=values if rank == 0 else (),
        ))
    return matches
