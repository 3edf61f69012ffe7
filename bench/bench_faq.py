"""Benchmark the rights FAQ search: top-1 / top-3 accuracy per language and query latency.

Run from the repository root: ``python bench/bench_faq.py`` (add ``-v`` to list the misses).
Why a script and not only a test: editors change keywords and answers; this prints the figures they need
to see whether a change helped, including the misses, without reading pytest output.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from faq_questions import ENGLISH, HELDOUT_ENGLISH, HELDOUT_SPANISH, OFF_TOPIC, SPANISH  # noqa: E402

from bot.faq import FaqStore  # noqa: E402


def evaluate(store: FaqStore, table: list[tuple[str, str]], lang: str) -> tuple[float, float, list[str]]:
    """Top-1 and top-3 accuracy (a top-1 hit must also be confident) and a description of each miss."""
    top1 = top3 = 0
    misses: list[str] = []
    for question, expected in table:
        matches = store.search(question, lang=lang)
        ids = [m.entry.id for m in matches[:3]]
        if ids and ids[0] == expected and matches[0].confident:
            top1 += 1
        else:
            got = ", ".join(f"{m.entry.id}({m.score:.1f},{m.coverage:.2f},{'c' if m.confident else '-'})"
                            for m in matches[:3])
            misses.append(f"  [{lang}] {question!r}: expected {expected}; got {got or 'nothing'}")
        if expected in ids:
            top3 += 1
    return top1 / len(table), top3 / len(table), misses


def main(verbose: bool = False) -> int:
    store = FaqStore.load()
    print(f"entries: {len(store.entries())}, topics: {len(store.topics())}")
    all_misses: list[str] = []
    for lang, table in (("es", SPANISH), ("en", ENGLISH)):
        t1, t3, misses = evaluate(store, table, lang)
        all_misses += misses
        print(f"{lang}: {len(table)} questions  top-1 {t1:6.1%}  top-3 {t3:6.1%}")
    for lang, table in (("es", HELDOUT_SPANISH), ("en", HELDOUT_ENGLISH)):
        t1, t3, misses = evaluate(store, table, lang)
        all_misses += misses
        print(f"{lang} held-out (never tuned on): {len(table)} questions  top-1 {t1:6.1%}  top-3 {t3:6.1%}")
    false_hits = [q for q in OFF_TOPIC if (m := store.search(q)) and m[0].confident]
    print(f"off-topic answered with confidence: {len(false_hits)}/{len(OFF_TOPIC)} {false_hits or ''}")

    queries = [q for q, _ in SPANISH + ENGLISH] + OFF_TOPIC
    timings: list[float] = []
    for _ in range(20):
        for q in queries:
            start = time.perf_counter()
            store.search(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"latency over {len(timings)} searches: p50 {p50:.3f} ms  p99 {p99:.3f} ms  "
          f"max {timings[-1]:.3f} ms")
    if verbose and all_misses:
        print("misses (id(score,coverage,confident)):")
        print("\n".join(all_misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(verbose="-v" in sys.argv[1:]))
