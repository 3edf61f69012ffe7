"""A supervised classifier over the entries' ways of asking: word terms + character n-grams, softmax in numpy.

Why besides BM25: BM25 rewards exact shared terms, so a question worded unlike any phrasing ("mi brother",
"la sita en corte", a long story whose rare words point at a neighbour) loses to an entry that merely
repeats one of its words. A linear model trained on the residents' phrasings learns which words and word
pieces *separate* sibling entries (door / who is knocking, red cards what / how), and character n-grams
inside word boundaries survive typos, spelling by ear and missing accents that stemming does not fix.

Why numpy and not scikit-learn: importing scikit-learn alone brings the process near its memory limit
(docs/faq-search.md); a sparse softmax regression over a few thousand short texts needs a page of numpy. The
model is trained on load (and on ``/reload_faq``) from the content files, in a few seconds, or loaded from the
folder ``FAQ_CACHE_DIR`` names when it was trained on exactly the same texts and code (:meth:`Classifier.cached`).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bot.faq.text import phonetic, term, words

CHAR_NGRAMS = (3, 4, 5)
CHAR_WEIGHT = 1.0  # the character-n-gram block relative to the word block (each block is L2-normalised)
WORD_WEIGHT = 1.0
# Per-example L2 penalty: 1e-4 until round 5, 3e-5 until round 7; with the asked questions 1e-5 ranks ~0.7 point
# better in English by leaving each table out, 3e-6 no better (docs/faq-search.md, seventh round).
L2 = 1e-5
STEPS = 30  # measured: 60 steps change no k-fold figure by more than 0.2 points
LEARNING_RATE = 100.0
CHUNK = 32_768  # postings gathered at a time in a training step (memory: CHUNK × classes float32, ~6 MB)
CACHE_PREFIX = "faq-classifier-"
CACHE_KEEP = 4  # models kept in the cache folder (the newest; a reload or an edit adds one)


def text_features(text: str) -> dict[str, float]:
    """Named features of one text (value 1 each): stemmed terms, term bigrams, character n-grams of by-ear
    spellings.

    Why the phonetic key for n-grams: "inmigrasion", "imigracion" and "inmigración" share their pieces once
    z/s/c, v/b, ll/y and doubled letters are collapsed, so a typo costs a few n-grams, not the whole word.
    """
    ws = words(text)
    feats: dict[str, float] = {}
    ts = [term(w) for w in ws]
    for t in ts:
        feats["w:" + t] = 1.0
    for a, b in zip(ts, ts[1:], strict=False):
        if a != b:
            feats[f"b:{a}_{b}"] = 1.0
    for w in ws:
        padded = f" {phonetic(w)} "
        for n in CHAR_NGRAMS:
            for i in range(len(padded) - n + 1):
                feats["c:" + padded[i:i + n]] = 1.0
    return feats


@dataclass
class _Sparse:
    """Rows of (feature index, value) pairs, flattened CSR-style, with the nnz sorted by row."""

    indptr: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    rows: np.ndarray

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    def dot(self, w: np.ndarray) -> np.ndarray:
        """This matrix times a dense (features × classes) matrix."""
        out = np.zeros((self.n, w.shape[1]), dtype=w.dtype)
        if len(self.cols) == 0:
            return out
        prod = w[self.cols] * self.vals[:, None]
        nonempty = self.indptr[:-1] < self.indptr[1:]
        out[nonempty] = np.add.reduceat(prod, self.indptr[:-1][nonempty], axis=0)
        return out


class Classifier:
    """A linear model over sparse tf-idf features (softmax regression); :meth:`scores` per class."""

    def __init__(self, vocab: dict[str, int], idf: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> None:
        self.vocab = vocab
        self.idf = idf
        self.weights = weights
        self.bias = bias

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[int], n_classes: int,
              sample_weight: Sequence[float] | None = None) -> Classifier:
        vocab, x, idf = _training_matrix(texts)
        release_freed_memory()  # the feature names' short-lived strings, before the fit
        n = x.n
        y = np.zeros((n, n_classes), dtype=np.float32)
        y[np.arange(n), np.asarray(labels, dtype=np.int64)] = 1.0
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        weights, bias = _fit_softmax(x, y, (sw / sw.sum()).astype(np.float32), len(vocab))
        del x
        release_freed_memory()
        return cls(vocab, idf, weights, bias)

    @classmethod
    def cached(cls, cache_dir: Path | None, texts: Sequence[str], labels: Sequence[int], n_classes: int,
               sample_weight: Sequence[float] | None = None) -> Classifier:
        """:meth:`train`, or the model trained earlier on exactly these texts, labels, weights and code.

        Why: training takes ~3 s and ~90 MB at its peak on every start, every ``/reload_faq`` and in every process
        of the test suite, for the same content. The file name is a digest of everything the model depends on
        (the texts, labels, weights, the settings above and the source of this module and of ``text.py``), so a
        changed catalog or code never meets a stale model. Plain numpy arrays (``allow_pickle=False``): loading
        cannot run code. A file that cannot be read is trained again and replaced. The folder holds public FAQ
        content only, but whoever can write it can change answers: protect it as the FAQ folder itself.
        """
        if cache_dir is None:
            return cls.train(texts, labels, n_classes, sample_weight)
        digest = _training_digest(texts, labels, n_classes, sample_weight)
        path = Path(cache_dir) / f"{CACHE_PREFIX}{digest}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as saved:
                    vocab = {str(name): i for i, name in enumerate(saved["vocab"])}
                    model = cls(vocab, saved["idf"], saved["weights"], saved["bias"])
                if model.weights.shape == (len(vocab), n_classes):
                    return model
            except (OSError, ValueError, KeyError):
                pass
        model = cls.train(texts, labels, n_classes, sample_weight)
        try:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with partial.open("wb") as fh:
                np.savez(fh, vocab=np.asarray(list(model.vocab), dtype=str), idf=model.idf, weights=model.weights,
                         bias=model.bias)
            os.replace(partial, path)  # atomic: a reader sees the old file, none, or the whole new one
            saved_models = sorted(Path(cache_dir).glob(f"{CACHE_PREFIX}*.npz"), key=lambda p: p.stat().st_mtime)
            for old in saved_models[:-CACHE_KEEP]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only or full disk only costs the next start a training
        return model

    def vector(self, text: str) -> _Sparse:
        """The tf-idf row of one text in this model's feature space (features it never saw dropped)."""
        return _matrix([text_features(text)], self.vocab, self.idf)

    def proba(self, text: str) -> np.ndarray:
        """Probability of each entry (class) for one text."""
        return self.proba_of(self.vector(text))

    def proba_of(self, row: _Sparse) -> np.ndarray:
        """Probability of each entry for one row from :meth:`vector` (a caller that needs the row too)."""
        z = row.dot(self.weights)[0] + self.bias
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()


class Neighbours:
    """Texts in a classifier's feature space, for the best cosine-like similarity of a query to any of them.

    Why: the chatter residents send and the traps that share a legal word ("sign my coworker's card", "detention
    after class") recur with the same everyday words; the nearest known chatter is evidence the gate can weigh.
    """

    def __init__(self, model: Classifier, texts: Sequence[str]) -> None:
        x = _matrix([text_features(t) for t in texts], model.vocab, model.idf)
        self.count = x.n
        self.columns = _by_column(x)

    def best(self, query: _Sparse) -> float:
        """The largest dot product of ``query`` (one row from :meth:`Classifier.vector`) with a text (0 to 2)."""
        if not self.count or not len(query.cols):
            return 0.0
        feats = self.columns.features
        where = np.searchsorted(feats, query.cols)
        found = (where < len(feats)) & (feats[np.minimum(where, len(feats) - 1)] == query.cols)
        if not found.any():
            return 0.0
        starts, ends = self.columns.starts[where[found]], self.columns.starts[where[found] + 1]
        lengths = ends - starts
        postings = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        sims = np.zeros(self.count, dtype=np.float32)
        weights = self.columns.vals[postings] * np.repeat(query.vals[found], lengths)
        np.add.at(sims, self.columns.rows[postings], weights)
        return float(sims.max())


def _training_digest(texts: Sequence[str], labels: Sequence[int], n_classes: int,
                     sample_weight: Sequence[float] | None) -> str:
    """What a trained model depends on, as a hex digest (see :meth:`Classifier.cached`)."""
    h = hashlib.sha256()
    for module in (__file__, sys.modules[term.__module__].__file__):  # this module and bot/faq/text.py
        h.update(Path(str(module)).read_bytes())
    settings = (CHAR_NGRAMS, CHAR_WEIGHT, WORD_WEIGHT, L2, STEPS, LEARNING_RATE, n_classes)
    h.update(repr(settings).encode())
    weights = [1.0] * len(texts) if sample_weight is None else sample_weight
    for text, label, weight in zip(texts, labels, weights, strict=True):
        h.update(f"{label}\t{weight!r}\t{text}\0".encode())
    return h.hexdigest()[:40]


def _training_matrix(texts: Sequence[str]) -> tuple[dict[str, int], _Sparse, np.ndarray]:
    """The vocabulary, the tf-idf rows (as :func:`_matrix` makes them) and the idf of every training text.

    Why not :func:`_matrix` over a list of feature dicts: ~4,000 texts × ~100 feature names each are ~400,000
    small strings in ~4,000 dicts, about 55 MB at the training peak, and most of it stayed mapped afterwards
    (round 7). Here each text's features become an array of vocabulary indices at once; only the vocabulary keeps
    its strings.
    """
    vocab: dict[str, int] = {}
    per_text = [np.fromiter((vocab.setdefault(name, len(vocab)) for name in text_features(t)), dtype=np.int32)
                for t in texts]
    n = len(per_text)
    lengths = np.asarray([len(ids) for ids in per_text], dtype=np.int64)
    cols = np.concatenate(per_text) if per_text else np.zeros(0, dtype=np.int32)
    del per_text
    df = np.bincount(cols, minlength=len(vocab))
    idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    is_char = np.fromiter((name[0] == "c" for name in vocab), dtype=bool, count=len(vocab))
    rows = np.repeat(np.arange(n, dtype=np.int32), lengths)  # int32: half the memory at the training peak
    vals = idf[cols].astype(np.float64)
    block = rows * 2 + is_char[cols]
    norms = np.sqrt(np.bincount(block, weights=vals * vals, minlength=2 * n))
    weight = np.where(is_char[cols], CHAR_WEIGHT, WORD_WEIGHT)
    vals = (weight * vals / norms[block]).astype(np.float32)
    indptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    return vocab, _Sparse(indptr=indptr, cols=cols, vals=vals, rows=rows), idf


def _matrix(feats: list[dict[str, float]], vocab: dict[str, int], idf: np.ndarray) -> _Sparse:
    """Sparse tf-idf rows, each block (word / char) L2-normalised so long texts do not dominate."""
    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for f in feats:
        row = [(vocab[k], v * float(idf[vocab[k]]), k[0] == "c") for k, v in f.items() if k in vocab]
        for is_char in (False, True):
            block = [(c, v) for c, v, ch in row if ch == is_char]
            norm = sum(v * v for _, v in block) ** 0.5
            weight = CHAR_WEIGHT if is_char else WORD_WEIGHT
            for c, v in block:
                cols.append(c)
                vals.append(weight * v / norm)
        indptr.append(len(cols))
    ip = np.asarray(indptr, dtype=np.int64)
    return _Sparse(indptr=ip, cols=np.asarray(cols, dtype=np.int64), vals=np.asarray(vals, dtype=np.float32),
                   rows=np.repeat(np.arange(len(feats)), np.diff(ip)))


class _Columns(NamedTuple):
    """The postings of a :class:`_Sparse` matrix sorted by feature: for Xᵀ G without a scatter."""

    features: np.ndarray  # the distinct features, ascending
    starts: np.ndarray  # where each feature's postings start (and, last, the number of postings)
    rows: np.ndarray
    vals: np.ndarray


def _by_column(x: _Sparse) -> _Columns:
    order = np.argsort(x.cols, kind="stable")
    cols = x.cols[order]
    starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]]) if len(cols) else np.zeros(0, dtype=np.int64)
    return _Columns(cols[starts], np.r_[starts, len(cols)].astype(np.int64), x.rows[order], x.vals[order])


def _gathered_sums(source: np.ndarray, index: np.ndarray, vals: np.ndarray, starts: np.ndarray,
                   chunk: int) -> np.ndarray:
    """For each segment ``starts[k]:starts[k + 1]`` of the postings (none empty), the sum of ``vals × source[index]``
    over its postings, gathering about ``chunk`` postings at a time (whole segments, at least one)."""
    count, c = len(starts) - 1, source.shape[1]
    out = np.empty((count, c), dtype=np.float32)
    buffer = np.empty((chunk, c), dtype=np.float32)
    i = 0
    while i < count:
        j = min(count, max(i + 1, int(np.searchsorted(starts, starts[i] + chunk, side="right")) - 1))
        first, last = int(starts[i]), int(starts[j])
        picked = buffer[:last - first] if last - first <= chunk else np.empty((last - first, c), dtype=np.float32)
        np.take(source, index[first:last], axis=0, out=picked)
        picked *= vals[first:last, None]
        out[i:j] = np.add.reduceat(picked, starts[i:j] - first, axis=0)
        i = j
    return out


def _times(x: _Sparse, w: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    """X W: each row's postings pick their feature's weights, summed per row (rows without postings give 0)."""
    out = np.zeros((x.n, w.shape[1]), dtype=np.float32)
    rows = np.flatnonzero(np.diff(x.indptr) > 0)
    if len(rows):
        out[rows] = _gathered_sums(w, x.cols, x.vals, np.r_[x.indptr[rows], x.indptr[-1]], chunk)
    return out


def _transpose_times(xc: _Columns, g: np.ndarray, n_features: int, chunk: int = CHUNK) -> np.ndarray:
    """Xᵀ G: each feature's postings pick their row's G, summed per feature."""
    out = np.zeros((n_features, g.shape[1]), dtype=np.float32)
    if len(xc.features):
        out[xc.features] = _gathered_sums(g, xc.rows, xc.vals, xc.starts, chunk)
    return out


def _fit_softmax(x: _Sparse, y: np.ndarray, sw: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted L2-regularised softmax regression: Nesterov gradient descent on the weights.

    Why in the primal (round 8): until round 7 the fit ran on the dual coefficients over the Gram matrix X Xᵀ,
    whose n² entries were the training peak (61 MB in int16 for 5,500 texts) and forced fitting in averaged parts
    above 6,000 texts, which cost accuracy. The same steps on the weights (W = Xᵀ A: the two are the same
    trajectory, step for step) need memory linear in the postings and the vocabulary, and with the gathers
    chunked they are as fast: ~0.13 s a step for 6,300 texts.
    """
    n, c = y.shape
    columns = _by_column(x)
    w = np.zeros((n_features, c), dtype=np.float32)
    b = np.zeros(c, dtype=np.float32)
    w_prev, b_prev = w.copy(), b.copy()
    for step in range(1, STEPS + 1):
        mom = (step - 1) / (step + 2)
        wv = w + mom * (w - w_prev)
        bv = b + mom * (b - b_prev)
        z = _times(x, wv) + bv
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * sw[:, None]
        w_prev, b_prev = w, b
        w = wv - LEARNING_RATE * (_transpose_times(columns, g, n_features) + L2 * wv)
        b = bv - LEARNING_RATE * g.sum(axis=0)
        del wv, z, p, g
    return w, b


def release_freed_memory() -> None:
    """Give the memory freed after training back to the operating system (glibc only; a no-op elsewhere).

    Why: training allocates a few tens of MB of short-lived arrays and small objects; glibc keeps freed heap
    pages mapped, so without this the bot's resident memory stays ~50 MB higher after every load or
    ``/reload_faq`` although nothing uses it.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
