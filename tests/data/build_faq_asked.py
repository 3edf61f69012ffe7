"""Build the retired tables' part of i18n/faq/asked.tsv: questions residents asked, with the entry that answers them.

Why this script exists: every question table in this folder was written blind, by someone who saw neither the
matcher nor the earlier tables, and once its figure has been read it is tuning data (tests/data/README.md). Those
rows are the closest thing we have to how residents really ask, far closer than phrasings written by the
catalog's own editors, so the search learns from them (docs/faq-search.md, seventh round). Copying them by hand
would drift from the tables; this script copies them, and only from the tables listed in ``RETIRED``.

Rows whose ``source`` is not one of these tables (a legal organisation's own hotline questions, say) are kept as
they are, so re-running the script never loses hand-added rows. Usage::

    python tests/data/build_faq_asked.py [--out i18n/faq/asked.tsv]

Rule: a table that is still blind (see the status table in tests/data/README.md) must never be listed here; its
figure would then be a training score, not a result.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# Retired to tuning data, in the order they were written. Never add a table before its blind run is recorded.
RETIRED = ("faq_eval.tsv", "faq_eval2.tsv", "faq_eval3.tsv", "faq_eval4.tsv", "faq_eval5.tsv", "faq_eval6.tsv",
           "faq_eval7.tsv", "faq_eval8.tsv", "faq_eval9.tsv", "faq_eval10.tsv", "faq_eval12.tsv")
HEADER = ("lang", "question", "entry", "source")
PREAMBLE = (
    "# Questions residents asked and the entry that answers them (entry = none: not a rights question).",
    "# The search learns from these rows as from the phrasings; add your own with any source name (e.g. hotline).",
    "# Rows whose source is tests/data/faq_eval*.tsv are copied by tests/data/build_faq_asked.py; do not edit them.",
    "# Rows whose source is written_r7 were written by hand (round 7) from the catalog and the fact sheet only, in",
    "# residents' words, 8 per entry and language, to tell sibling entries apart (docs/faq-search.md, seventh round).",
    "# Rows whose source is written_r8 were written by hand (round 8) from the catalog (questions and answers) and the",
    "# fact sheet, for the sibling entries the retired tables confused most, plus short fragments for every entry.",
)


def read_table(path: Path) -> list[tuple[str, str, str]]:
    """(lang, question, expected) rows of one question table (tab-separated, header lang/question/expected)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        return [(r["lang"].strip(), r["question"].strip(), r["expected"].strip()) for r in reader]


def read_asked(path: Path) -> list[tuple[str, str, str, str]]:
    """The rows of an existing asked.tsv (none if it does not exist)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t",
                                quoting=csv.QUOTE_NONE)
        return [(r["lang"], r["question"], r["entry"], r["source"]) for r in reader]


def build(out: Path) -> tuple[int, int]:
    """Rewrite ``out``: the retired tables' rows, then every row of another source as it was. Returns both counts."""
    kept = [row for row in read_asked(out) if row[3] not in RETIRED]
    copied: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for name in RETIRED:
        for lang, question, expected in read_table(HERE / name):
            key = (lang, " ".join(question.lower().split()))
            if key in seen:  # the same message in two tables ("hola", "gracias") is one row
                continue
            seen.add(key)
            copied.append((lang, question, expected, name))
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(PREAMBLE) + "\n")
        writer = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(copied + [row for row in kept if (row[0], " ".join(row[1].lower().split())) not in seen])
    return len(copied), len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "i18n" / "faq" / "asked.tsv")
    args = parser.parse_args()
    copied, kept = build(args.out)
    print(f"{args.out}: {copied} rows copied from {len(RETIRED)} retired tables, {kept} rows of other sources kept")


if __name__ == "__main__":
    main()
