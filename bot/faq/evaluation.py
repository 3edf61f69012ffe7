"""Honest accuracy figures for the FAQ search: k-fold over the entries' phrasings and question tables.

Why it lives in the package: the bench (``bench/bench_faq.py``) and the tests assert on the same numbers,
and both must measure the real :class:`FaqStore` on questions that are *not* in its index (design
principle 6). In fold ``f`` the phrasings assigned to ``f`` are removed from the index and asked as
questions; every phrasing is asked exactly once over the ``k`` folds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from zlib import crc32

from bot.faq.model import LANGS
from bot.faq.store import FaqStore


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


def kfold(store: FaqStore, k: int = 5) -> dict[str, Tally]:
    """k-fold cross-validation over every entry's phrasings, per language."""
    tallies = {lang: Tally() for lang in LANGS}
    entries = store.entries()
    for fold in range(k):
        held = store.without_phrasings(lambda e, lang, i, f=fold: fold_of(e, lang, i, k) == f)
        for entry in entries:
            for lang in LANGS:
                for i, phrasing in enumerate(entry.text(lang).phrasings):
                    if fold_of(entry.id, lang, i, k) == fold:
                        ask(held, phrasing, entry.id, lang, tallies[lang])
    return tallies


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


def kfold_samples(store: FaqStore, samples: Samples, k: int = 5) -> None:
    """Add the first match of every k-fold question (asked while left out of the index)."""
    for fold in range(k):
        held = store.without_phrasings(lambda e, lang, i, f=fold: fold_of(e, lang, i, k) == f)
        for entry in store.entries():
            for lang in LANGS:
                for i, phrasing in enumerate(entry.text(lang).phrasings):
                    if fold_of(entry.id, lang, i, k) == fold:
                        samples.add(held, phrasing, entry.id, lang, 1.0)


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
