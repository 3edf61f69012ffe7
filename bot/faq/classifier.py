"""A supervised classifier over the entries' ways of asking: word terms + character n-grams, softmax in numpy.

Why besides BM25: BM25 rewards exact shared terms, so a question worded unlike any phrasing ("mi brother",
"la sita en corte", a long story whose rare words point at a neighbour) loses to an entry that merely
repeats one of its words. A linear model trained on the residents' phrasings learns which words and word
pieces *separate* sibling entries (door / who is knocking, red cards what / how), and character n-grams
inside word boundaries survive typos, spelling by ear and missing accents that stemming does not fix.

Why numpy and not scikit-learn: importing scikit-learn alone brings the process near its memory limit
(docs/faq-search.md); a sparse softmax regression over ~2,700 short texts needs a page of numpy. The model
is trained on load (and on ``/reload_faq``) from the content files, in under a second; nothing is saved.
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
# More training texts than this are fitted in parts whose weights are averaged: the Gram matrix takes n² × 2 bytes
# (61 MB for today's 5,500 texts, 72 MB at 6,000). Measured (round 7): two halves of today's texts rank 0.8 point
# worse in English leaving each table out, with a training peak of 121 MB instead of 162 MB for the process; so one
# matrix up to here, and a hotline adding thousands of questions costs accuracy, not memory.
MAX_GRAM_TEXTS = 6_000
CACHE_PREFIX = "faq-classifier-"
CACHE_KEEP = 4  # models kept in the cache folder (the newest; a reload or an edit adds one)
GRAM_BAND = 256  # rows of the Gram matrix summed at a time (memory: 256 × n float32)
DENSE_COLUMNS = 128  # dense features per block in _gram (memory: n × 128 float32 at a time)
DENSE_DF = 64  # features in more training texts than this go through a dense product in _gram (memory)


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
    """A linear model over sparse tf-idf features, trained in its dual form; :meth:`scores` per class."""

    def __init__(self, vocab: dict[str, int], idf: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> None:
        self.vocab = vocab
        self.idf = idf
        self.weights = weights
        self.bias = bias

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[int], n_classes: int,
              sample_weight: Sequence[float] | None = None) -> Classifier:
        vocab, x, idf = _training_matrix(texts)
        release_freed_memory()  # the feature names' short-lived strings, before the Gram matrix (the peak)
        n = x.n
        label_array = np.asarray(labels, dtype=np.int64)
        y = np.zeros((n, n_classes), dtype=np.float32)
        y[np.arange(n), label_array] = 1.0
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        parts = max(1, -(-n // MAX_GRAM_TEXTS))
        if parts == 1:
            a, b = _fit_softmax_dual(_gram(x), y, (sw / sw.sum()).astype(np.float32))
            weights = _transpose_dot(x, a, len(vocab))
            del x, a
            release_freed_memory()
            return cls(vocab, idf, weights, b.astype(np.float32))
        # Too many texts for one Gram matrix: each label's texts are dealt round-robin into parts, a model is fitted
        # on each part, and their weights are averaged (one linear model, so searching costs the same).
        part_of = np.empty(n, dtype=np.int64)
        part_of[np.argsort(label_array, kind="stable")] = np.arange(n) % parts
        weights = np.zeros((len(vocab), n_classes), dtype=np.float32)
        bias = np.zeros(n_classes, dtype=np.float32)
        for part in range(parts):
            keep = part_of == part
            xp = _take(x, keep)
            part_sw = sw[keep]
            a, b = _fit_softmax_dual(_gram(xp), y[keep], (part_sw / part_sw.sum()).astype(np.float32))
            weights += _transpose_dot(xp, a, len(vocab)) / parts
            bias += b / parts
            del xp, a
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

    def scores(self, text: str) -> np.ndarray:
        x = _matrix([text_features(text)], self.vocab, self.idf)
        return x.dot(self.weights)[0] + self.bias

    def proba(self, text: str) -> np.ndarray:
        """Probability of each entry (class) for one text."""
        z = self.scores(text)
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()


def _training_digest(texts: Sequence[str], labels: Sequence[int], n_classes: int,
                     sample_weight: Sequence[float] | None) -> str:
    """What a trained model depends on, as a hex digest (see :meth:`Classifier.cached`)."""
    h = hashlib.sha256()
    for module in (__file__, sys.modules[term.__module__].__file__):  # this module and bot/faq/text.py
        h.update(Path(str(module)).read_bytes())
    settings = (CHAR_NGRAMS, CHAR_WEIGHT, WORD_WEIGHT, L2, STEPS, LEARNING_RATE, MAX_GRAM_TEXTS, n_classes)
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


def _take(x: _Sparse, keep: np.ndarray) -> _Sparse:
    """The rows of ``x`` where ``keep`` is true, in order."""
    lengths = np.diff(x.indptr)[keep]
    starts = x.indptr[:-1][keep]
    ends = starts + lengths
    mask = np.zeros(len(x.cols), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        mask[start:end] = True
    return _Sparse(indptr=np.r_[0, np.cumsum(lengths)].astype(np.int64), cols=x.cols[mask], vals=x.vals[mask],
                   rows=np.repeat(np.arange(len(lengths), dtype=np.int32), lengths))


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


def _by_column(x: _Sparse) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(x.cols, kind="stable")
    cols = x.cols[order]
    starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
    return cols[starts], starts, x.rows[order], x.vals[order]


class _Gram(NamedTuple):
    """X Xᵀ as stored: ``values / scale`` are the dot products (int16 fixed point, or float32 with scale 1)."""

    values: np.ndarray
    scale: float

    def dense(self) -> np.ndarray:
        return self.values.astype(np.float32) / self.scale


def _gram(x: _Sparse, chunk: int = 100_000, dense_df: int | None = None, band: int = GRAM_BAND,
          dtype: type = np.int16) -> _Gram:
    """X Xᵀ (rows × rows) from the sparse rows, a band of rows at a time, stored in 16-bit fixed point by default.

    Why this way: ~4,000 short training texts share few features each, so for most features accumulating the
    outer product of their postings is far cheaper than a dense product; the pairs are made in chunks so the index
    arrays stay a few MB. A feature in many texts (a common character n-gram) would make one chunk of df² pairs, so
    features with more than :data:`DENSE_DF` postings go into a small dense block (a few hundred columns at a time)
    whose product is taken with BLAS. Why bands and 16 bits (round 7): with the residents' questions the Gram
    matrix of ~4,400 texts is 76 MB in float32 and was the training peak; each band of rows is summed in float32
    and only then stored as int16 scaled so the largest possible entry (the largest squared row norm, by
    Cauchy-Schwarz) fits: steps of ~6e-5 on entries between 0 and 2, 38 MB. The softmax fit widens it back a band
    at a time (:func:`_times`); int16 widens ~8 times faster than float16, which added 2 s to every training.
    """
    n = x.n
    dense_df = DENSE_DF if dense_df is None else dense_df
    _, starts, rows, vals = _by_column(x)
    sizes = np.diff(np.r_[starts, len(rows)])
    feature_of = np.repeat(np.arange(len(starts), dtype=np.int32), sizes)  # per posting (column order): its feature
    low = sizes[feature_of] <= dense_df
    dense = np.flatnonzero(sizes > dense_df)
    gram = np.empty((n, n), dtype=dtype)
    if np.issubdtype(dtype, np.integer):
        largest = float(np.bincount(x.rows, weights=x.vals.astype(np.float64) ** 2, minlength=n).max(initial=0.0))
        scale = 0.999 * np.iinfo(dtype).max / max(largest, 1e-12)
    else:
        scale = 1.0
    for top in range(0, n, band):
        bottom = min(top + band, n)
        out = np.zeros((bottom - top) * n, dtype=np.float32)
        # Sparse features: pair every posting of a row in this band with every posting of its feature.
        left_all = np.flatnonzero(low & (rows >= top) & (rows < bottom))
        first = 0
        while first < len(left_all):
            widths = sizes[feature_of[left_all[first:first + chunk]]]
            last = first + max(1, int(np.searchsorted(np.cumsum(widths), chunk, side="right")))
            left = left_all[first:last]
            width = sizes[feature_of[left]]
            offsets = np.repeat(np.cumsum(width) - width, width)
            right = np.repeat(starts[feature_of[left]], width) + (np.arange(int(width.sum())) - offsets)
            pair_left = np.repeat(left, width)
            np.add.at(out, (rows[pair_left].astype(np.int64) - top) * n + rows[right],
                      (vals[pair_left] * vals[right]).astype(np.float32))
            first = last
        out = out.reshape(bottom - top, n)
        # Dense features: a few hundred columns at a time, this band's rows against all rows.
        for start in range(0, len(dense), DENSE_COLUMNS):
            part = dense[start:start + DENSE_COLUMNS]
            block = np.zeros((n, len(part)), dtype=np.float32)
            for column, f in enumerate(part):
                block[rows[starts[f]:starts[f] + sizes[f]], column] = vals[starts[f]:starts[f] + sizes[f]]
            out += block[top:bottom] @ block.T
            del block
        if scale != 1.0:
            out *= scale
            np.rint(out, out=out)
        gram[top:bottom] = out
        del out
    return _Gram(gram, scale)


def _times(k: _Gram, a: np.ndarray, band: int = GRAM_BAND) -> np.ndarray:
    """K A from the stored Gram matrix: each band of its rows is widened to float32 only for its own product."""
    if k.values.dtype == np.float32 and k.scale == 1.0:
        return k.values @ a
    values = k.values
    out = np.empty((values.shape[0], a.shape[1]), dtype=np.float32)
    buffer = np.empty((min(band, values.shape[0]), values.shape[1]), dtype=np.float32)
    for top in range(0, values.shape[0], band):
        rows = values[top:top + band]
        widened = buffer[:len(rows)]
        np.copyto(widened, rows)
        np.matmul(widened, a, out=out[top:top + band])
    out /= k.scale
    return out


def _transpose_dot(x: _Sparse, a: np.ndarray, n_features: int, chunk: int = 20_000) -> np.ndarray:
    """Xᵀ A: the primal weights of a model whose dual coefficients are A (in chunks: a few MB at a time)."""
    out = np.zeros((n_features, a.shape[1]), dtype=np.float32)
    a32 = a.astype(np.float32)
    for start in range(0, len(x.cols), chunk):
        part = slice(start, start + chunk)
        np.add.at(out, x.cols[part], a32[x.rows[part]] * x.vals[part, None])
    return out


def _fit_softmax_dual(k: _Gram, y: np.ndarray, sw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted L2-regularised softmax regression, gradient descent on the dual coefficients.

    Why dual: with W = Xᵀ A, a primal gradient step W -= lr (Xᵀ G + L2 W) is exactly A -= lr (G + L2 A), and
    the scores are K A, a dense product of two small matrices.
    """
    n, c = y.shape
    a = np.zeros((n, c), dtype=np.float32)
    b = np.zeros(c, dtype=np.float32)
    a_prev, b_prev = a.copy(), b.copy()
    for step in range(1, STEPS + 1):
        mom = (step - 1) / (step + 2)
        av = a + mom * (a - a_prev)
        bv = b + mom * (b - b_prev)
        z = _times(k, av) + bv
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * sw[:, None]
        a_prev, b_prev = a, b
        a = av - LEARNING_RATE * (g + L2 * av)
        b = bv - LEARNING_RATE * g.sum(axis=0)
    return a, b


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
