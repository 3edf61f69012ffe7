"""Flakiness check: run the suite (or a part) many times in a row, each time in a new random order, and report
every test that ever failed, with the seeds that reproduce it.

    make test-repeat N=20                      # the whole suite, 20 runs
    make test-repeat N=50 ARGS=tests/test_e2e_report.py

Each run uses pytest-randomly with a fresh seed (printed) and pytest-xdist workers like ``make test``; the result
of a run is read from its JUnit XML file, not from the console.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def failures(junit: Path) -> tuple[int, list[str], dict[str, str]]:
    """Tests run, the ones that failed, and each failure's message (the JUnit file is deleted with its run)."""
    root = ET.parse(junit).getroot()
    total, failed, messages = 0, [], {}
    for case in root.iter("testcase"):
        total += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            name = f"{case.get('classname')}::{case.get('name')}"
            failed.append(name)
            lines = (problem.text or "").strip().splitlines()
            messages[name] = problem.get("message") or (lines[-1] if lines else "")
    return total, failed, messages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", default="4")
    parser.add_argument("pytest_args", nargs="*", help="what to run (default: the whole suite)")
    args = parser.parse_args()
    ever_failed: dict[str, list[int]] = defaultdict(list)
    durations = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(1, args.runs + 1):
            seed = random.randrange(1, 2**31)
            junit = Path(tmp) / f"run{run}.xml"
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", args.workers, "-p", "no:cacheprovider",
                                   f"--randomly-seed={seed}", f"--junitxml={junit}", *args.pytest_args],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            durations.append(time.monotonic() - started)
            if not junit.exists():
                print(f"run {run:2d}: seed {seed}: pytest exited {proc.returncode} without a report")
                ever_failed["<pytest did not run>"].append(seed)
                continue
            total, failed, messages = failures(junit)
            for test in failed:
                ever_failed[test].append(seed)
                print(f"    {test} (seed {seed}): {messages[test][:600]}", flush=True)
            print(f"run {run:2d}: seed {seed:10d}: {total} tests, {len(failed)} failed, {durations[-1]:.0f} s",
                  flush=True)
    print(f"\n{args.runs} runs in random order, {sum(durations):.0f} s in all "
          f"(fastest {min(durations):.0f} s, slowest {max(durations):.0f} s)")
    if not ever_failed:
        print("no test failed in any run")
        return 0
    print("tests that failed at least once (reproduce with --randomly-seed=SEED):")
    for test, seeds in sorted(ever_failed.items()):
        print(f"  {test}: {len(seeds)} of {args.runs} runs, seeds {', '.join(map(str, seeds))}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
