"""Bilingual FAQ ranking: BM25 (bm25s) over whole entries fused with a classifier over the ways of asking.

Why two indexes: an entry's own text (question, keywords, answer) says what it is about, while the
residents' phrasings in the content files say how people actually ask. Scoring a question against every
phrasing separately (the best phrasing counts) lets one close paraphrase win even when the entry's long
text is dominated by other words; the entry-level score keeps rare words from the answer useful. Both
use the same terms (see :mod:`bot.faq.text`), so Spanish, English and Spanglish meet in one index.

BM25 alone ranks by shared words, so siblings that share them (door / who is knocking) tie and a long story
goes to whichever entry repeats its rarest word. The classifier (:mod:`bot.faq.classifier`, softmax over
word terms and character n-grams, trained on the phrasings, questions and keywords) learns which words
*separate* the entries and survives typos; its probability is added to the BM25 score scaled to the best
entry's, and both feed the confidence model.

Everything here is rebuilt from the content on load and on ``/reload_faq``; nothing is saved to disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from math import exp, log, log1p
from pathlib import Path

import bm25s
import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.faq.classifier import Classifier, Neighbours
from bot.faq.model import LANGS, NO_ENTRY, Entry, Topic
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
# Round 6: two adjacent letters swapped in a word of 5+ letters ("odren") are repaired when exactly one index term is
# that swap away (optimal string alignment distance 1 with the same letters). fuzz.ratio counts a swap as two edits,
# so it missed them in five-letter words. Only swaps, as a precaution: other one-letter edits of a word the index
# lacks are often another real word ("lining" / "living"). docs/faq-search.md, sixth round.
TYPO_EDITS = 1
TYPO_MIN_LEN = 5
# Round 6: the classifier reads the question with its swapped letters put back, whichever rule repaired them (a swap
# breaks most character n-grams of a word): k-fold through swapped letters ranked first 81 -> 88 %. Only swaps: with
# every fuzz.ratio repair ("all") it also read "train station" as "traian situation", "better" as "letter", and
# lost dev-table rows.
CLASSIFIER_SEES_REPAIRS = "swaps"
# A contested entry (``contested = true``) is multiplied by this unless the question uses a word that only
# that entry has ("memo", "lyons", "demanda"...), i.e. unless it is asked for directly.
CONTESTED_FACTOR = 0.6
_UNKNOWN_IDF = 2.0
KEYWORDS_AS_PHRASINGS = False  # measured: see docs/faq-search.md
# ranking score = BM25 / best BM25 of the query + CLASSIFIER_WEIGHT * classifier probability (+ any extra
# per-entry scores a caller passes, e.g. an embedding model's similarity). Measured: docs/faq-search.md (round 4:
# 2.0 ranks ~0.5 point better than 1.0 on k-fold; 3.0 no better).
CLASSIFIER_WEIGHT = 2.0
KEYWORD_SAMPLE_WEIGHT = 0.0  # keywords as short training texts of their entry (0.5 until round 7; see docs)
# Round 7: the questions residents asked (i18n/faq/asked.tsv) go into their entry's BM25 document and train the
# classifier like phrasings (weight 1.0); measured by leaving each table out (docs/faq-search.md, seventh round):
# in BM25 too +1 point ranked first and +4 answered right over the classifier alone; weight 0.5, 1.5 and 2.0 and
# adding them to the nearness list changed nothing.
ASKED_IN_BM25 = True
ASKED_IN_NEAR = False
ASKED_WEIGHT = 1.0
# Round 8: the asked.tsv rows that are not rights questions (entry none: greetings, errands, traps such as "my door
# lock is broken, who do i call") feed the gate as "chatter similarity", the query's best dot product with any of
# them in the classifier's tf-idf space. Leaving each table out (its own rows too), with the bars re-swept: 5 of 885
# chatter rows confident instead of 7 at about equal answered right (docs/faq-search.md, eighth round).
CHATTER_NEIGHBOURS = True
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
    fused: np.ndarray  # the ranking score: BM25 scaled to the best entry + classifier probability (+ extra)
    proba: np.ndarray  # the classifier's probability of each entry
    coverage: np.ndarray  # share of the query's idf mass the entry contains
    matched: np.ndarray  # how many distinct query words the entry contains
    mass: np.ndarray  # idf mass of those words
    words: int
    unigrams: tuple[str, ...]
    unknown: int = 0  # query words that are in no entry, even after typo repair
    repaired: int = 0  # query words matched only through typo repair (a guess: "venden" -> "vienen")
    anchored: bool = False  # a word of the query itself (not a typo guess) is in ANCHOR_TERMS
    chatter: float = 0.0  # similarity to the nearest known chatter message (asked.tsv rows with entry none)


# Confidence: a logistic model over features of the best entry and of its lead over the second one. The
# coefficients are generated by ``python bench/bench_faq.py --fit`` (logistic regression in numpy, see
# bot/faq/evaluation.py) on the k-fold predictions, the eleven dev tables tests/data/faq_eval{,2,…,10,12}.tsv (each
# searched from an index that leaves its own rows out of asked.tsv) and the off-topic texts (weight 24), then pasted
# here (round 8); docs/faq-search.md records the run. Features, in order:
FEATURES = ("log1p(score)", "coverage", "min(matched,4)", "log1p(idf mass)", "nearness", "margin", "log1p(words)",
            "unknown share", "coverage lead", "repaired share", "classifier probability", "probability lead",
            "ranking margin", "domain anchor", "english", "chatter similarity")
CONFIDENCE_COEF = (0.8605, 6.8384, 0.1693, -0.3236, 2.4239, 0.1437, 1.6183, -4.2981, 0.1158, -2.4723, 2.2772, 0.8851,
                   0.7031, 1.3691, 0.2301, -4.6243)
CONFIDENCE_INTERCEPT = -11.5934


# Words that place a message in this FAQ's world: an authority (police, ICE, agents, a judge), immigration, or a
# legal notion (rights, warrant, papers, status). Why a feature: the off-topic traps that still got confident
# answers share an entry's everyday words ("the door won't lock", "red card in the match", "no sound on the
# video", "hiring for warehouse work") but name no authority and no legal notion, while nearly every real
# question does. The logistic model decides how much it weighs; it is a hint, not a rule.
ANCHOR_WORDS = """
    ice migra police policia agent agents agente agentes immigration inmigracion deport deportar detained detenido
    warrant orden judge juez lawyer abogado undocumented indocumentado papers papeles status estatus raid redada
    consulate consulado court corte law ley rights derechos cbp dhs homeland federal feds sheriff fbi government
    gobierno uniform uniforme badge placa sanctuary santuario i9 i200 i205 anumber 287g trust
    citizen ciudadano citizenship ciudadania visa greencard passport permit permiso asylum asilo removal
    constitution constitucion amendment enmienda legal ilegal illegal arrest arrestar custody checkpoint
    silent silence search revisar sign firmar detainer notario ordinance ordenanza welcoming eavesdropping
    amendment1 amendment4 amendment5 voluntarydeparture attorneygeneral
    """.split()
ANCHOR_TERMS: frozenset[str] = frozenset(term(w) for w in normalize(" ".join(ANCHOR_WORDS)).split())


def features(scores: Scores, best: int, second: int | None, nearness: float, lang: str = "es") -> tuple[float, ...]:
    """The confidence features of entry ``best`` for one query (see :data:`FEATURES`).

    Why the language (round 7): with the same other features, an English question ranked first was right more often
    than the gate believed (English answered right trailed Spanish by 8 points at the same ranking). As a feature
    the fit corrects that calibration: leaving each table out, English answered right +1.3, Spanish -0.4, one
    confident chatter row fewer (docs/faq-search.md, seventh round).

    Why a margin: sibling entries (door / who is knocking, red cards what / how) share most words, so a
    first place only a hair ahead of the second is a coin toss even when both cover the whole question.
    Why the query length: a long worried story covers little of its own words, yet is clear when its few
    rare words all point at one entry. Why the classifier's probability and its lead: it was trained to
    tell the entries apart, so a clear lead there is evidence BM25's shared words cannot give.
    """
    score = float(scores.combined[best])
    other = float(scores.combined[second]) if second is not None else 0.0
    margin = (score - other) / score if score > 0 else 0.0
    lead = float(scores.coverage[best]) - (float(scores.coverage[second]) if second is not None else 0.0)
    unknown = scores.unknown / scores.words if scores.words else 1.0
    proba = float(scores.proba[best])
    proba_lead = proba - (float(scores.proba[second]) if second is not None else 0.0)
    fused = float(scores.fused[best])
    fused_margin = (fused - (float(scores.fused[second]) if second is not None else 0.0)) / fused if fused > 0 else 0.0
    return (log1p(max(score, 0.0)), float(scores.coverage[best]), float(min(int(scores.matched[best]), 4)),
            log1p(float(scores.mass[best])), nearness, margin, log1p(scores.words), unknown, lead,
            scores.repaired / scores.words if scores.words else 0.0, proba, proba_lead, fused_margin,
            float(scores.anchored), float(lang == "en"), scores.chatter)


def confidence(values: tuple[float, ...]) -> float:
    """Probability-like 0–1 confidence that the best entry answers the question."""
    z = CONFIDENCE_INTERCEPT + sum(c * f for c, f in zip(CONFIDENCE_COEF, values, strict=True))
    return 1.0 / (1.0 + exp(-max(min(z, 50.0), -50.0)))


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
    classifier: Classifier | None  # None only when CLASSIFIER_WEIGHT is 0
    chatter: Neighbours | None = None  # the asked.tsv rows that are not rights questions, in the classifier's space
    _fuzzy_cache: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[Entry], topics: Mapping[str, Topic], holdout: Holdout | None = None,
              asked: Iterable[tuple[str, str, str]] = (), cache_dir: Path | None = None) -> SearchIndex:
        ids: list[str] = []
        entry_docs: list[list[str]] = []
        phrasing_docs: list[list[str]] = []
        starts: list[int] = []
        raw_vocab: dict[str, str] = {}
        contested: list[int] = []
        phrasing_texts: list[list[str]] = []
        train_texts: list[str] = []
        train_labels: list[int] = []
        train_weights: list[float] = []
        asked_by: dict[tuple[str, str], list[str]] = {}
        for entry_id, lang, question in asked:
            asked_by.setdefault((entry_id, lang), []).append(question)
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
                extra_asked = asked_by.get((entry.id, lang), [])
                parts = {
                    "question": [text.question],
                    "keywords": text.keywords,
                    "phrasings": phrasings + (extra_asked if ASKED_IN_BM25 else []),
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
                near.extend(" ".join(terms(chunk, bigrams=False))
                            for chunk in [text.question, *phrasings, *(extra_asked if ASKED_IN_NEAR else [])])
                for chunk, weight in [(text.question, 1.0), *((p, 1.0) for p in phrasings),
                                      *((q, ASKED_WEIGHT) for q in extra_asked),
                                      *((k, KEYWORD_SAMPLE_WEIGHT) for k in text.keywords)]:
                    if not weight:
                        continue
                    train_texts.append(chunk)
                    train_labels.append(len(ids) - 1)
                    train_weights.append(weight)
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
        classifier = (Classifier.cached(cache_dir, train_texts, train_labels, n, train_weights) if CLASSIFIER_WEIGHT
                      else None)
        chatter_texts = [question for (entry_id, _), questions in asked_by.items() if entry_id == NO_ENTRY
                         for question in questions]
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
            classifier=classifier,
            chatter=Neighbours(classifier, chatter_texts) if classifier is not None and CHATTER_NEIGHBOURS else None,
        )

    def _repair(self, word: str) -> str | None:
        """The closest known word for a typo ("warrent", "inmigrasion", "avrir", "odren"), or None."""
        if len(word) < FUZZY_MIN_LEN or word.isdigit():
            return None
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        hit = process.extractOne(word, self.raw_list, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        found = hit[0] if hit else None
        if found is None and TYPO_EDITS and len(word) >= TYPO_MIN_LEN:
            close = [w for w, _, _ in process.extract(word, self.raw_list, scorer=OSA.distance,
                                                        score_cutoff=TYPO_EDITS, limit=None)
                     if len(w) == len(word) and sorted(w) == sorted(word)]  # two letters swapped, nothing else
            if close and len({self.raw_vocab[w] for w in close}) == 1:  # one meaning, not a guess between two
                found = close[0]
        if len(self._fuzzy_cache) < _FUZZY_CACHE_MAX:
            self._fuzzy_cache[word] = found
        return found

    def query_terms(self, query: str) -> list[str]:
        """Unigram terms of the query, each known word kept and each unknown one repaired when possible."""
        return self._query_terms(query)[0]

    def _query_terms(self, query: str) -> tuple[list[str], int, list[str]]:
        """Unigram terms, how many words were repaired, and the query's words with its swapped letters put back."""
        out: list[str] = []
        fixed_words: list[str] = []
        repaired = 0
        for word in words(query):
            t = term(word)
            if t not in self.idf:
                fixed = self._repair(word)
                if fixed is not None:
                    repaired += 1
                    t = self.raw_vocab[fixed]
                    if CLASSIFIER_SEES_REPAIRS == "all" or sorted(fixed) == sorted(word):
                        word = fixed
            out.append(t)
            fixed_words.append(word)
        return list(dict.fromkeys(out)), repaired, fixed_words

    def nearness(self, unigrams: list[str], doc: int) -> float:
        """0–1: how close the query's words are to the closest way of asking entry ``doc`` (rapidfuzz)."""
        hit = process.extractOne(" ".join(unigrams), self.phrasing_texts[doc], scorer=fuzz.token_set_ratio)
        return hit[1] / 100.0 if hit else 0.0

    def score(self, query: str, extra: Mapping[str, float] | None = None) -> Scores:
        """Scores of every entry for one query; ``extra`` adds per-entry scores (entry id -> value) to the
        ranking score, so another scorer (an embedding model) can be fused without touching this module."""
        unigrams, repaired, fixed_words = self._query_terms(query)
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
        classified = " ".join(fixed_words) if repaired and CLASSIFIER_SEES_REPAIRS else query
        proba, chatter = np.zeros(len(self.ids)), 0.0
        if self.classifier is not None:
            row = self.classifier.vector(classified)  # one feature row for both the classifier and the chatter
            proba = self.classifier.proba_of(row).astype(np.float64)
            chatter = self.chatter.best(row) if self.chatter is not None else 0.0
        top = float(combined.max()) if len(combined) else 0.0
        fused = (combined / top if top > 0 else np.zeros(len(self.ids))) + CLASSIFIER_WEIGHT * proba
        if extra:
            position = {entry_id: i for i, entry_id in enumerate(self.ids)}
            for entry_id, value in extra.items():
                if entry_id in position:
                    fused[position[entry_id]] += value
        for i, own in self.own_terms.items():
            if not own & query_set:
                combined[i] *= CONTESTED_FACTOR
                fused[i] *= CONTESTED_FACTOR
        # Typo repair is a guess ("fire" -> "firme"), so only the query's own words can anchor it.
        anchored = any(term(w) in ANCHOR_TERMS for w in words(query))
        return Scores(combined=np.asarray(combined, dtype=np.float64), fused=fused, proba=proba,
                      coverage=coverage, matched=matched,
                      mass=mass, words=len(unigrams), unigrams=tuple(unigrams),
                      unknown=sum(t not in self.idf for t in unigrams), repaired=repaired, anchored=anchored,
                      chatter=chatter)


__all__ = ["FEATURES", "SearchIndex", "Scores", "confidence", "features", "normalize"]
