"""Print the table that closes ``make test``: each part's time and status.

Each part of ``make test`` runs through the Makefile's ``timed-%`` rule, which leaves
``<logs>/<part>.status`` holding ``"<exit status> <seconds>"``. A part with no status
file did not run (make skips a part whose prerequisite failed). Usage::

    python scripts/test_summary.py LOGDIR PART [PART ...] [--since EPOCH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def rows(logs: Path, parts: list[str]) -> list[tuple[str, str, str]]:
    """(part, seconds, verdict) for every part, in the order given."""
    out = []
    for part in parts:
        status = logs / f"{part}.status"
        if not status.exists():
            out.append((part, "-", "not run (a part it needs failed)"))
            continue
        rc, seconds = status.read_text().split()
        out.append((part, seconds, "passed" if rc == "0" else f"FAILED (exit {rc})"))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", type=Path)
    parser.add_argument("parts", nargs="+")
    parser.add_argument("--since", type=int, help="start of the run (seconds since the epoch)")
    args = parser.parse_args(argv)
    table = rows(args.logs, args.parts)
    width = max(len("total (wall clock)"), *(len(p) for p, _, _ in table))
    print("\n=== make test: time of each part (parts run side by side on every core)")
    for part, seconds, verdict in table:
        print(f"  {part:<{width}}  {seconds:>5} s  {verdict}")
    notebooks_log = args.logs / "test-notebooks.log"
    if notebooks_log.exists():
        for line in notebooks_log.read_text().splitlines():
            if "compared by claim only" in line:
                print(f"  nbval: {line}")
    if args.since:
        print(f"  {'total (wall clock)':<{width}}  {int(time.time()) - args.since:>5} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
