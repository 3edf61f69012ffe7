"""Story reader accuracy and speed, per language.

Run: ``python bench/bench_stories.py [--table PATH ...] [--show-errors]``. Default: the tuning table
(tests/data/stories_tune.tsv) and the first evaluation table (tests/data/stories_eval.tsv). Both have been SEEN and
tuned on (issue 12), so their figures are smoke tests, not results. So have the second table
(``--table tests/data/stories_eval2.tsv``: run blind in round 2, tuned on in round 3) and the third
(``--table tests/data/stories_eval3.tsv``: run blind in round 3, tuned on in round 4), and the fourth
(``--table tests/data/stories_eval4.tsv``: run blind once, 91.8 % right / 3.9 % invented, then tuned on in round 5),
and the fifth (``--table tests/data/stories_eval5.tsv``: run blind once, 91.8 % right / 0.8 % invented, activity
84.3 %, then tuned on in round 6), and the sixth (``--table tests/data/stories_eval6.tsv``: run blind once, 94.5 %
right / 0.8 % invented, activity 88.3 %, then tuned on in round 7).
The figure that counts comes from a table nobody tuned on (the next fresh table; design principle 6: run it once per
change worth reporting, without ``--show-errors``).
No assertions: tests must not depend on machine speed.

The reader follows the stories_eval2.tsv labelling rules (tests/data/README.md), the product rules now. Where the
first table's rules differ, its rows score as errors on purpose: "hace rato" (eval1 empty, reader ``1h``) and a Home
Depot lot where day labourers are approached (eval1 ``other``, reader ``workplace``). Since round 5 the reader follows
the eval3/eval4 rules for spans: "desde hace rato" / "llevan toda la mañana" / "for 2 hrs" / "since this morning"
without an explicit "still"/"siguen"/"ya llevan" → empty, and a bare "just"/"acaban de" with no minutes → empty.

Scoring, per field (activity, place, when, agents, vehicles, markings) of each story:
* expected value present → *correct* when the reader gave the same value; for ``place`` when the reader's span
  (own detection, or find_place's when one is used) overlaps the expected place text in the story, or when the two
  texts overlap after folding case and accents if the expected text is not found verbatim;
* expected value empty → *invented* when the reader filled it anyway.
``is_sighting`` is scored separately (accuracy, and questions/chatter taken as sightings). "Invented" is given over
all empty cells and over the empty cells of sighting rows only (non-sightings have every cell empty, so they dilute
the first share).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.stories import FIELDS, fold, read_story  # noqa: E402

TABLES = [
    (ROOT / "tests/data/stories_tune.tsv", "TUNING table (rules were tuned on it: smoke test, not a result)"),
    (ROOT / "tests/data/stories_eval.tsv", "EVAL table 1 (SEEN and tuned on since issue 12: smoke test, not a result)"),
]
TRUE = {"1", "true", "yes", "y", "si", "sí", "t"}


def load(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in rows]


def place_ok(story: str, expected: str, span: tuple[int, int] | None) -> bool:
    if span is None:
        return False
    fs, fe = fold(story), fold(expected)
    at = fs.find(fe)
    if at < 0:  # expected text not verbatim in the story: compare words
        got = set(fold(story[span[0]:span[1]]).split())
        return bool(got & set(fe.split()) - {"la", "el", "the", "y", "and", "de"})
    return span[0] < at + len(fe) and at < span[1]


def percentile(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else 0.0


def score(rows: list[dict[str, str]], show_errors: bool) -> None:
    by_lang: dict[str, dict[str, float]] = {}
    per_field = {name: [0, 0, 0, 0] for name in FIELDS}  # correct, expected, invented, empty
    per_lang_field: dict[tuple[str, str], list[int]] = {}
    times: list[float] = []
    read_story("warm-up: la migra en la 26 y Pulaski")  # loads the street lexicon once, as the bot does at start
    for row in rows:
        lang = row.get("lang") or "?"
        st = by_lang.setdefault(lang, {"n": 0, "expected": 0, "correct": 0, "empty": 0, "invented": 0,
                                       "s_empty": 0, "s_invented": 0,
                                       "sight_ok": 0, "neg": 0, "false_pos": 0, "pos": 0, "missed": 0})
        text = row["story"]
        t0 = time.perf_counter()
        story = read_story(text, lang if lang in ("es", "en") else None)
        times.append(time.perf_counter() - t0)
        st["n"] += 1
        errors = []
        want_s = row.get("is_sighting", "").lower() in TRUE
        for name in FIELDS:
            want = row.get(name, "")
            got = getattr(story, name)
            plf = per_lang_field.setdefault((lang, name), [0, 0, 0, 0])
            if want:
                st["expected"] += 1
                ok = place_ok(text, want, story.place_span) if name == "place" else got == want
                st["correct"] += ok
                per_field[name][0] += ok
                per_field[name][1] += 1
                plf[0] += ok
                plf[1] += 1
                if not ok:
                    errors.append(f"{name}: want {want!r} got {got!r}")
            else:
                st["empty"] += 1
                st["s_empty"] += want_s
                per_field[name][3] += 1
                plf[3] += 1
                if got is not None:
                    st["invented"] += 1
                    st["s_invented"] += want_s
                    per_field[name][2] += 1
                    plf[2] += 1
                    errors.append(f"{name}: INVENTED {got!r}")
        st["sight_ok"] += story.is_sighting == want_s
        if want_s:
            st["pos"] += 1
            st["missed"] += not story.is_sighting
        else:
            st["neg"] += 1
            st["false_pos"] += story.is_sighting
        if story.is_sighting != want_s:
            errors.append(f"is_sighting: want {want_s} got {story.is_sighting} ({', '.join(story.why)})")
        if show_errors and errors:
            print(f"    [{lang}] {text}\n        " + "\n        ".join(errors))
    total = {k: sum(s[k] for s in by_lang.values()) for k in next(iter(by_lang.values()), {})}
    for lang, st in sorted(by_lang.items()) + [("all", total)]:
        if not st:
            continue
        print(f"  {lang:>3}: {int(st['n']):3d} stories | fields correct {pct(st['correct'], st['expected'])} "
              f"({int(st['correct'])}/{int(st['expected'])}) | invented {pct(st['invented'], st['empty'])} "
              f"({int(st['invented'])}/{int(st['empty'])} empty cells; "
              f"{pct(st['s_invented'], st['s_empty']).strip()} of sightings' empty cells) | is_sighting right "
              f"{pct(st['sight_ok'], st['n'])}, non-sightings taken as sightings {int(st['false_pos'])}/"
              f"{int(st['neg'])}, sightings missed {int(st['missed'])}/{int(st['pos'])}")
    print("  per field (both languages): " + " | ".join(
        f"{name} {pct(c, e).strip()} right, {i}/{m} invented" for name, (c, e, i, m) in per_field.items()))
    for lang in sorted(by_lang):
        print(f"  per field ({lang}): " + " | ".join(
            f"{name} {pct(c, e).strip()} ({c}/{e}) right, {i}/{m} invented"
            for name in FIELDS for (c, e, i, m) in [per_lang_field.get((lang, name), [0, 0, 0, 0])]))
    # timing: repeat to get a stable tail
    for _ in range(4):
        for row in rows:
            t0 = time.perf_counter()
            read_story(row["story"])
            times.append(time.perf_counter() - t0)
    print(f"  time per story: p50 {percentile(times, 0.5) * 1e3:.2f} ms, p99 {percentile(times, 0.99) * 1e3:.2f} ms "
          f"({len(times)} reads)")


def pct(a: float, b: float) -> str:
    return f"{100 * a / b:5.1f} %" if b else "   n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table", action="append", type=Path, help="score only these tables")
    ap.add_argument("--show-errors", action="store_true", help="print each wrong or invented field")
    args = ap.parse_args()
    tables = [(p, str(p)) for p in args.table] if args.table else TABLES
    print("place counts as correct when the reader's span overlaps the expected place text in the story")
    for path, label in tables:
        if not path.exists():
            print(f"\n{label}: {path} not found, skipped")
            continue
        rows = load(path)
        print(f"\n{label}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        score(rows, args.show_errors)


if __name__ == "__main__":
    main()
