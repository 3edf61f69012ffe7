"""Bilingual FAQ ranking: BM25 (bm25s) over whole entries and over each way of asking, plus typo repair.

Why two indexes: an entry's own text (question, keywords, answer) says what it is about, while the
residents' phrasings in the content files say how people actually ask. Scoring a question against every
phrasing separately (the best phrasing counts) lets one close paraphrase win even when the entry's long
text is dominated by other words; the entry-level score keeps rare words from the answer useful. Both
use the same terms (see :mod:`bot.faq.text`), so Spanish, English and Spanglish meet in one index.

Everything here is rebuilt from the content on load and on ``/reload_faq``; nothing is saved to disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from math import exp, log, log1p

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from bot.faq.model import LANGS, Entry, Topic
from bot.faq.text import normalize, term, terms, words

# Repetitions of each part of an entry in its entry-level document (BM25 has no field weights).
ENTRY_FIELD_REPEAT: Mapping[str, int] = {"question": 2, "keywords": 2, "phrasings": 1, "topic": 1, "answer": 1}
K1 = 5.0
B = 0.75
ENTRY_WEIGHT = 1.0  # combined score = ENTRY_WEIGHT * entry BM25 + PHRASING_WEIGHT * best phrasing BM25
PHRASING_WEIGHT = 0.0
BIGRAM_WEIGHT = 0.0  # phrase (bigram) matches relative to single words
FUZZY_CUTOFF = 82.0
FUZZY_MIN_LEN = 4
# A contested entry (``contested = true``) is multiplied by this unless the question uses a word that only
# that entry has ("memo", "lyons", "demanda"...), i.e. unless it is asked for directly.
CONTESTED_FACTOR = 0.6
_UNKNOWN_IDF = 2.0
KEYWORDS_AS_PHRASINGS = False  # measured: see docs/faq-search.md
_FUZZY_CACHE_MAX = 10_000  # free text from strangers must not grow memory without bound

Holdout = Callable[[str, str, int], bool]  # (entry id, lang, phrasing position) -> leave out of the index


def _retriever(docs: list[list[str]]) -> bm25s.BM25:
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    retriever.index([d or ["_empty_"] for d in docs], show_progress=False)
    return retriever


@dataclass(frozen=True)
class Scores:
    """Per-entry arrays for one query, aligned with :attr:`SearchIndex.ids`."""

    combined: np.ndarray  # BM25 (bm25s) score of each entry, contested entries damped
    coverage: np.ndarray  # share of the query's idf mass the entry contains
    matched: np.ndarray  # how many distinct query words the entry contains
    mass: np.ndarray  # idf mass of those words
    words: int
    unigrams: tuple[str, ...]


# Confidence: a logistic model over five features of the best entry, fitted once offline on the k-fold
# predictions plus the off-topic list (off-topic weighted 8x; see docs/faq-search.md). Features:
# log1p(score), coverage, min(matched, 4), log1p(idf mass), nearness to the closest phrasing.
CONFIDENCE_COEF = (3.2662, 2.4706, 0.2195, -0.3687, 2.6242)
CONFIDENCE_INTERCEPT = -6.4889


def confidence(score: float, coverage: float, matched: int, mass: float, nearness: float) -> float:
    """Probability-like 0–1 confidence that the best entry answers the question."""
    features = (log1p(max(score, 0.0)), coverage, min(matched, 4), log1p(mass), nearness)
    z = CONFIDENCE_INTERCEPT + sum(c * f for c, f in zip(CONFIDENCE_COEF, features, strict=True))
    return 1.0 / (1.0 + exp(-z))


@dataclass
class SearchIndex:
    """BM25 over entries and over phrasings, with the vocabulary needed for typo repair and coverage."""

    ids: list[str]
    entry_bm25: bm25s.BM25
    phrasing_bm25: bm25s.BM25 | None  # only built when PHRASING_WEIGHT is not 0
    phrasing_starts: np.ndarray  # phrasing docs are grouped by entry; start offset of each entry's group
    entry_terms: list[frozenset[str]]
    idf: dict[str, float]
    own_terms: dict[int, frozenset[str]]  # contested entry index -> terms no other entry has
    raw_vocab: dict[str, str]  # normalised word -> its term, for typo repair
    raw_list: list[str]
    phrasing_texts: list[list[str]]  # per entry: its question and phrasings as term strings, for nearness
    _fuzzy_cache: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[Entry], topics: Mapping[str, Topic], holdout: Holdout | None = None
              ) -> SearchIndex:
        ids: list[str] = []
        entry_docs: list[list[str]] = []
        phrasing_docs: list[list[str]] = []
        starts: list[int] = []
        raw_vocab: dict[str, str] = {}
        contested: list[int] = []
        phrasing_texts: list[list[str]] = []
        for entry in entries:
            if entry.contested:
                contested.append(len(ids))
            ids.append(entry.id)
            starts.append(len(phrasing_docs))
            doc: list[str] = []
            near: list[str] = []
            for lang in LANGS:
                text = entry.text(lang)
                phrasings = [p for i, p in enumerate(text.phrasings)
                             if holdout is None or not holdout(entry.id, lang, i)]
                parts = {
                    "question": [text.question],
                    "keywords": text.keywords,
                    "phrasings": phrasings,
                    "topic": [topics[entry.topic].title(lang)],
                    "answer": [text.answer.replace("{hotline_name}", " ").replace("{hotline_phone}", " ")],
                }
                for name, chunks in parts.items():
                    for chunk in chunks:
                        chunk_terms = terms(chunk)
                        doc.extend(chunk_terms * ENTRY_FIELD_REPEAT[name])
                        for word in words(chunk):
                            raw_vocab.setdefault(word, term(word))
                if PHRASING_WEIGHT:
                    for chunk in [text.question, *phrasings, *(text.keywords if KEYWORDS_AS_PHRASINGS else [])]:
                        phrasing_docs.append(terms(chunk))
                near.extend(" ".join(terms(chunk, bigrams=False)) for chunk in [text.question, *phrasings])
            entry_docs.append(doc)
            phrasing_texts.append(near)
        entry_terms = [frozenset(t for t in doc if "_" not in t) for doc in entry_docs]
        n = len(entry_docs)
        df: dict[str, int] = {}
        for found in entry_terms:
            for t in found:
                df[t] = df.get(t, 0) + 1
        idf = {t: log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        own_terms = {i: frozenset(t for t in entry_terms[i] if df[t] == 1) for i in contested}
        return cls(
            ids=ids,
            entry_bm25=_retriever(entry_docs),
            phrasing_bm25=_retriever(phrasing_docs) if PHRASING_WEIGHT else None,
            phrasing_starts=np.asarray(starts, dtype=np.int64),
            entry_terms=entry_terms,
            idf=idf,
            own_terms=own_terms,
            raw_vocab=raw_vocab,
            raw_list=sorted(w for w in raw_vocab if len(w) >= FUZZY_MIN_LEN and not w.isdigit()),
            phrasing_texts=phrasing_texts,
        )

    def _repair(self, word: str) -> str | None:
        """The term of the closest known word for a typo ("warrent", "inmigrasion", "avrir"), or None."""
        if len(word) < FUZZY_MIN_LEN or word.isdigit():
            return None
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        hit = process.extractOne(word, self.raw_list, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        found = self.raw_vocab[hit[0]] if hit else None
        if len(self._fuzzy_cache) < _FUZZY_CACHE_MAX:
            self._fuzzy_cache[word] = found
        return found

    def query_terms(self, query: str) -> list[str]:
        """Unigram terms of the query, each known word kept and each unknown one repaired when possible."""
        out: list[str] = []
        for word in words(query):
            t = term(word)
            if t not in self.idf:
                t = self._repair(word) or t
            out.append(t)
        return list(dict.fromkeys(out))

    def nearness(self, unigrams: list[str], doc: int) -> float:
        """0–1: how close the query's words are to the closest way of asking entry ``doc`` (rapidfuzz)."""
        hit = process.extractOne(" ".join(unigrams), self.phrasing_texts[doc], scorer=fuzz.token_set_ratio)
        return hit[1] / 100.0 if hit else 0.0

    def score(self, query: str) -> Scores:
        unigrams = self.query_terms(query)
        bigrams = list(dict.fromkeys(f"{a}_{b}" for a, b in zip(unigrams, unigrams[1:], strict=False) if a != b))
        entry = self.entry_bm25.get_scores(unigrams) if unigrams else np.zeros(len(self.ids), dtype=np.float32)
        phrasing_bm25 = self.phrasing_bm25
        phr = phrasing_bm25.get_scores(unigrams) if unigrams and phrasing_bm25 is not None else None
        if bigrams and BIGRAM_WEIGHT:
            entry = entry + BIGRAM_WEIGHT * self.entry_bm25.get_scores(bigrams)
            if phr is not None and phrasing_bm25 is not None:
                phr = phr + BIGRAM_WEIGHT * phrasing_bm25.get_scores(bigrams)
        best_phr = (np.maximum.reduceat(phr, self.phrasing_starts) if phr is not None
                    else np.zeros(len(self.ids), dtype=np.float32))
        combined = ENTRY_WEIGHT * entry + PHRASING_WEIGHT * best_phr
        total = sum(self.idf.get(t, _UNKNOWN_IDF) for t in unigrams)
        coverage = np.zeros(len(self.ids), dtype=np.float64)
        mass = np.zeros(len(self.ids), dtype=np.float64)
        matched = np.zeros(len(self.ids), dtype=np.int64)
        for i, found in enumerate(self.entry_terms):
            hits = [t for t in unigrams if t in found]
            matched[i] = len(hits)
            mass[i] = sum(self.idf[t] for t in hits)
            coverage[i] = mass[i] / total if total else 0.0
        query_set = set(unigrams)
        for i, own in self.own_terms.items():
            if not own & query_set:
                combined[i] *= CONTESTED_FACTOR
        return Scores(combined=np.asarray(combined, dtype=np.float64), coverage=coverage, matched=matched,
                      mass=mass, words=len(unigrams), unigrams=tuple(unigrams))


__all__ = ["SearchIndex", "Scores", "normalize"]
