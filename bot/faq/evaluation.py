"""Honest accuracy figures for the FAQ search: k-fold over the entries' phrasings and question tables.

Why it lives in the package: the bench (``bench/bench_faq.py``) and the tests assert on the same numbers,
and both must measure the real :class:`FaqStore` on questions that are *not* in its index (design
principle 6). In fold ``f`` the phrasings assigned to ``f`` are removed from the index and asked as
questions; every phrasing is asked exactly once over the ``k`` folds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zlib import crc32

from bot.faq.model import LANGS
from bot.faq.store import FaqStore
from bot.faq.text import _SYNONYM_GROUPS, STOPWORDS, strip_accents


@dataclass
class Tally:
    """Counts for one language, with the misses for reading.

    Why both ``first`` and ``top1``: ``first`` is the ranking (right entry at rank 1, whatever the gate says),
    ``top1`` is what the resident sees as the answer (right *and* confident). Their gap is what the confidence
    gate costs; ``total - first`` is what the ranking costs.
    """

    total: int = 0
    first: int = 0  # right entry ranked first, confident or not
    top1: int = 0  # right entry ranked first and confident ("answered right")
    top3: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def first_rate(self) -> float:
        return self.first / self.total if self.total else 0.0

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def ask(store: FaqStore, question: str, expected: str, lang: str, tally: Tally) -> None:
    """Count one question: top-1 needs the right entry first *and* confident; top-3 only needs it listed."""
    matches = store.search(question, lang=lang, limit=3)
    ids = [m.entry.id for m in matches]
    tally.total += 1
    ranked_first = bool(ids) and ids[0] == expected
    tally.first += ranked_first
    if ranked_first and matches[0].confident:
        tally.top1 += 1
    else:
        got = ", ".join(f"{m.entry.id}({m.score:.1f},{m.coverage:.2f},{'c' if m.confident else '-'})"
                        for m in matches)
        kind = "GATE" if ranked_first else "RANK"
        conf = f" conf {matches[0].confidence:.2f}" if matches else ""
        tally.misses.append(f"{kind} [{lang}] {question!r}: expected {expected}; got {got or 'nothing'}{conf}")
    tally.top3 += expected in ids


def fold_of(entry_id: str, lang: str, position: int, k: int) -> int:
    """Deterministic fold of a phrasing: spread each entry's phrasings over all folds, in a stable order."""
    return (position + crc32(f"{entry_id}:{lang}".encode())) % k


def kfold(store: FaqStore, k: int = 5, asked: Callable[[str], str] | None = None) -> dict[str, Tally]:
    """k-fold cross-validation over every entry's phrasings, per language; ``asked`` rewrites each left-out
    phrasing before it is asked (e.g. a noisy spelling of it)."""
    tallies = {lang: Tally() for lang in LANGS}
    entries = store.entries()
    for fold in range(k):
        held = store.without_phrasings(lambda e, lang, i, f=fold: fold_of(e, lang, i, k) == f)
        for entry in entries:
            for lang in LANGS:
                for i, phrasing in enumerate(entry.text(lang).phrasings):
                    if fold_of(entry.id, lang, i, k) == fold:
                        ask(held, asked(phrasing) if asked else phrasing, entry.id, lang, tallies[lang])
    return tallies


# ------------------------------------------------------------------------------- residents' typing noise

# How residents respell words by ear (the inverse of what text.phonetic collapses, plus "ción" -> "sion").
_RESPELL: tuple[tuple[str, str], ...] = (
    ("cion", "sion"), ("ce", "se"), ("ci", "si"), ("z", "s"), ("s", "z"), ("ll", "y"), ("y", "ll"), ("v", "b"),
    ("b", "v"), ("qu", "k"), ("ge", "je"), ("gi", "ji"), ("x", "j"), ("ss", "s"), ("rr", "r"),
)
# Texting shorthand as residents write it (the inverse of text.TEXTING; "right now" -> "rn" is handled apart).
_ABBREVIATE: dict[str, str] = {
    "que": "q", "para": "pa", "por": "x", "porque": "xq", "de": "d", "esta": "ta", "estoy": "toy", "donde": "dnd",
    "tambien": "tmb", "you": "u", "your": "ur", "are": "r", "with": "w", "because": "cuz", "please": "pls",
    "people": "ppl", "and": "n", "what": "wat",
}
_PEERS: dict[str, tuple[str, ...]] = {
    w: tuple(o for o in g if o != w and "_" not in o) for g in _SYNONYM_GROUPS for w in g if "_" not in w
}


def _respell(ws: list[str], rng: random.Random) -> list[str]:
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(ws))
        rules = [(a, b) for a, b in _RESPELL if a in ws[i]]
        if rules:
            a, b = rng.choice(rules)
            ws[i] = ws[i].replace(a, b, 1)
        if ws[i].startswith("h") and len(ws[i]) > 3:
            ws[i] = ws[i][1:]
    return ws


def _abbreviate(ws: list[str], rng: random.Random) -> list[str]:
    ws = [_ABBREVIATE.get(w, w) if rng.random() < 0.7 else w for w in ws]
    return " ".join(ws).replace("right now", "rn").split()


def _spanglish(ws: list[str], rng: random.Random) -> list[str]:
    swappable = [i for i, w in enumerate(ws) if _PEERS.get(w)]
    if swappable:
        i = rng.choice(swappable)
        ws[i] = rng.choice(_PEERS[ws[i]])
    return ws


def _drop_little_words(ws: list[str], rng: random.Random) -> list[str]:
    return [w for w in ws if w not in STOPWORDS or rng.random() < 0.5] or ws


def _swap_letters(ws: list[str], rng: random.Random) -> list[str]:
    long = [i for i, w in enumerate(ws) if len(w) >= 4 and not w.isdigit()]
    if long:
        i = rng.choice(long)
        j = rng.randrange(len(ws[i]) - 1)
        ws[i] = ws[i][:j] + ws[i][j + 1] + ws[i][j] + ws[i][j + 2:]
    return ws


NOISE: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    "respell": _respell, "texting": _abbreviate, "spanglish": _spanglish, "drop": _drop_little_words,
    "swap": _swap_letters,
}
_NOISE_ODDS = {"respell": 0.6, "texting": 0.5, "spanglish": 0.4, "drop": 0.5, "swap": 0.5}


def noisy(text: str, seed: int = 0, kinds: Iterable[str] | None = None) -> str:
    """A deterministic noisy spelling of one question, as residents type it: accents dropped, and a random mix
    of spelling by ear ("polisia", "jues"), texting ("q", "pa", "u", "rn"), a synonym from the other language
    ("el officer"), little words dropped and two adjacent letters swapped. ``kinds`` applies only those (each
    always); by default each applies with its own odds. Seeded by the text, so every run asks the same thing.

    Why: the phrasings are written carefully, residents are not; asking the k-fold questions through this
    measures how much of the accuracy survives the way people really type (round 6, docs/faq-search.md).
    """
    rng = random.Random(crc32(text.encode()) ^ seed)
    ws = re.findall(r"[a-z0-9]+", strip_accents(text).replace("ñ", "n"))
    if not ws:
        return text
    for name, change in NOISE.items():
        if (name in kinds) if kinds is not None else rng.random() < _NOISE_ODDS[name]:
            ws = change(list(ws), rng) or ws
    return " ".join(ws)


def noisy_kfold(store: FaqStore, k: int = 5, seed: int = 0x5EED, kinds: Iterable[str] | None = None
                ) -> dict[str, Tally]:
    """:func:`kfold` with every held-out phrasing asked as :func:`noisy` spelling of itself."""
    chosen = tuple(kinds) if kinds is not None else None
    return kfold(store, k, lambda phrasing: noisy(phrasing, seed, chosen))


def _same_text(text: str) -> str:
    return " ".join(text.lower().split())


def without_table(store: FaqStore, name: str, rows: Iterable[tuple[str, str, str]]) -> FaqStore:
    """A copy of ``store`` whose index leaves out the asked questions (``asked.tsv``) that came from the question
    table ``name``, and any asked row with the same text as one of its ``rows``.

    Why: the retired tables are training data now (docs/faq-search.md, seventh round), so a table's own figure is
    only honest from an index that never saw it: leave one table out. The same message in two tables ("hola")
    would otherwise leak through the other table's copy.
    """
    texts = {(lang, _same_text(question)) for lang, question, _ in rows}
    return store.without_phrasings(
        asked_holdout=lambda a: a.source == name or (a.lang, _same_text(a.question)) in texts)


def table(store: FaqStore, rows: Iterable[tuple[str, str, str]]) -> tuple[dict[str, Tally], list[str], int]:
    """Accuracy per language over (lang, question, expected id) rows; expected ``none`` means off-topic.

    Returns the tallies, the off-topic texts answered with confidence, and how many off-topic rows there were.
    """
    tallies = {lang: Tally() for lang in LANGS}
    false_hits: list[str] = []
    off_topic = 0
    for lang, question, expected in rows:
        if expected == "none":
            off_topic += 1
            result = store.lookup(question, lang=lang)
            if result.confident:
                false_hits.append(f"[{lang}] {question!r} -> {result.matches[0].entry.id}")
            continue
        ask(store, question, expected, lang, tallies[lang])
    return tallies, false_hits, off_topic


# ------------------------------------------------------------------------------- fitting the confidence


@dataclass
class Samples:
    """Confidence features of the first match, whether it was right, and a weight, for logistic regression."""

    x: list[tuple[float, ...]] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    w: list[float] = field(default_factory=list)

    def add(self, store: FaqStore, question: str, expected: str | None, lang: str | None, weight: float) -> None:
        matches = store.search(question, lang=lang, limit=3)
        if not matches or not matches[0].features:
            return
        self.x.append(matches[0].features)
        self.y.append(int(expected is not None and matches[0].entry.id == expected))
        self.w.append(weight)


def kfold_samples(store: FaqStore, samples: Samples, k: int = 5, noisy_weight: float = 0.0) -> None:
    """Add the first match of every k-fold question (asked while left out of the index); with ``noisy_weight``,
    also of its :func:`noisy` spelling at that weight."""
    for fold in range(k):
        held = store.without_phrasings(lambda e, lang, i, f=fold: fold_of(e, lang, i, k) == f)
        for entry in store.entries():
            for lang in LANGS:
                for i, phrasing in enumerate(entry.text(lang).phrasings):
                    if fold_of(entry.id, lang, i, k) == fold:
                        samples.add(held, phrasing, entry.id, lang, 1.0)
                        if noisy_weight:
                            samples.add(held, noisy(phrasing), entry.id, lang, noisy_weight)


def fit_logistic(samples: Samples, l2: float = 1.0, steps: int = 50) -> tuple[tuple[float, ...], float]:
    """Weighted L2-regularised logistic regression by Newton's method (numpy only; no scikit-learn).

    Why not scikit-learn: importing it alone takes the bot near its memory limit (docs/faq-search.md), and a
    ten-feature model needs nothing more than a few Newton steps.
    """
    import numpy as np

    x = np.asarray(samples.x, dtype=np.float64)
    y = np.asarray(samples.y, dtype=np.float64)
    w = np.asarray(samples.w, dtype=np.float64)
    a = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[-1] = 0.0  # the intercept is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ beta, -50, 50)))
        grad = a.T @ (w * (p - y)) + reg * beta
        hess = (a * (w * p * (1 - p))[:, None]).T @ a + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return tuple(round(float(b), 4) for b in beta[:-1]), round(float(beta[-1]), 4)
