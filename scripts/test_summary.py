"""Print the table that closes ``make test``: each part's time and status.

Each part of ``make test`` runs through the Makefile's ``timed-%`` rule, which runs
``make PART`` through :func:`run` (``python scripts/test_summary.py --run PART LOGDIR``):
its output goes to ``<logs>/<part>.log`` and ``<logs>/<part>.status`` holds
``"<exit status> <seconds> <CPU seconds>"`` (CPU: user + system time of the part and
every process it waited for, Chromium and pytest's workers included). A part with no
status file did not run (make skips a part whose prerequisite failed). Usage::

    python scripts/test_summary.py LOGDIR PART [PART ...] [--since EPOCH]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def run(part: str, logs: Path) -> int:
    """Run ``make PART`` with its output in ``logs/PART.log``; record status, wall and
    CPU seconds in ``logs/PART.status``; print the log whole (make's --output-sync)."""
    logs.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(logs / f"{part}.log", "wb") as log:
        make = os.environ.get("MAKE", "make")
        # a part is one recipe: it runs on its own, outside the parent's job server
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
        rc = subprocess.call([make, "--no-print-directory", part], stdout=log, stderr=log, env=env)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    (logs / f"{part}.status").write_text(f"{rc} {wall:.0f} {cpu:.0f}\n")
    print(f"=== make {part} ({wall:.0f} s, CPU {cpu:.0f} s)", flush=True)
    sys.stdout.write((logs / f"{part}.log").read_text(errors="replace"))
    return rc


def rows(logs: Path, parts: list[str]) -> list[tuple[str, str, str, str]]:
    """(part, seconds, CPU seconds, verdict) for every part, in the order given."""
    out = []
    for part in parts:
        status = logs / f"{part}.status"
        if not status.exists():
            out.append((part, "-", "-", "not run (a part it needs failed)"))
            continue
        rc, seconds, *cpu = status.read_text().split()
        verdict = "passed" if rc == "0" else f"FAILED (exit {rc})"
        out.append((part, seconds, cpu[0] if cpu else "-", verdict))
    return out


def main(argv=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--run"]:
        return run(argv[1], Path(argv[2]))
    if argv[:1] == ["--mark"]:  # the machine's busy ticks at the start of make test
        ticks = _busy_ticks()
        if ticks is not None:
            Path(argv[1]).write_text(str(ticks))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", type=Path)
    parser.add_argument("parts", nargs="+")
    parser.add_argument("--since", type=int, help="start of the run (seconds since the epoch)")
    args = parser.parse_args(argv)
    table = rows(args.logs, args.parts)
    width = max(len("total (wall clock)"), *(len(row[0]) for row in table))
    print("\n=== make test: time of each part (parts run side by side on every core)")
    print(f"  {'part':<{width}}  {'wall':>7}  {'CPU':>7}")
    for part, seconds, cpu, verdict in table:
        print(f"  {part:<{width}}  {seconds:>5} s  {cpu:>5} s  {verdict}")
    notebooks_log = args.logs / "test-notebooks.log"
    if notebooks_log.exists():
        for line in notebooks_log.read_text().splitlines():
            if "compared by claim only" in line:
                print(f"  nbval: {line}")
    if args.since:
        wall = int(time.time()) - args.since
        cpu = sum(int(c) for _, _, c, _ in table if c.isdigit())
        cores = os.cpu_count() or 1
        busy = machine_busy_seconds(args.logs / "cpu.start")
        whole = (
            f"; the whole machine was busy {busy:.0f} CPU s, "
            f"{busy / (cores * max(wall, 1)):.0%} of {cores} cores"
            if busy is not None
            else ""
        )
        print(f"  {'total (wall clock)':<{width}}  {wall:>5} s  {cpu:>5} s  (parts' own{whole})")
        print(
            "  (a part's CPU counts the processes it waited for: the browsers Playwright "
            "starts are not among them)"
        )
    return 0


def _busy_ticks() -> int | None:
    """Busy CPU ticks of the whole machine since boot (Linux /proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def machine_busy_seconds(start_file: Path) -> float | None:
    """CPU seconds the whole machine spent busy since ``start_file`` was written by
    ``python scripts/test_summary.py --mark FILE`` (None off Linux)."""
    now = _busy_ticks()
    if now is None or not start_file.exists():
        return None
    return (now - int(start_file.read_text())) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
