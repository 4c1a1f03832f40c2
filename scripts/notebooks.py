"""Chapter notebooks: list them, regenerate the executed .ipynb from the .md, check pairing.

The MyST-markdown file ``book/<name>.md`` is the source of truth; its paired
``book/<name>.ipynb`` holds the executed outputs that Binder opens and nbval
compares. Usage (from the repository root, with the project's venv)::

    python scripts/notebooks.py list              # notebooks listed in _toc.yml
    python scripts/notebooks.py sync [FILE ...]   # .md -> executed .ipynb (all by default)
    python scripts/notebooks.py pair FILE ...     # .md -> .ipynb keeping stored outputs
    python scripts/notebooks.py check             # fail if a pair has drifted
    python scripts/notebooks.py claims            # cells nbval compares by claim only
    python scripts/notebooks.py stored-config     # a _config.yml that renders stored outputs

``sync`` runs each notebook in a fresh kernel from ``book/`` (nbclient), with a
per-notebook time limit, and prints how long each took.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
#: A chapter must run in under 60 s on one core; the hard limit leaves headroom
#: for a slower CI machine.
TIMEOUT = 180


def toc_files() -> list[str]:
    """Every ``file:`` entry of ``_toc.yml`` (root included), in order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def toc_notebooks() -> list[Path]:
    """The ``.ipynb`` chapters listed in ``_toc.yml``."""
    return [ROOT / f for f in toc_files() if f.endswith(".ipynb")]


def paired_sources() -> list[Path]:
    """Every ``book/*.md`` that is a jupytext notebook (has a kernelspec)."""
    out = []
    for md in sorted(BOOK.glob("*.md")):
        head = md.read_text().split("\n---", 1)[0]
        if md.read_text().startswith("---") and "jupytext:" in head:
            out.append(md)
    return out


def _cells(nb) -> list[tuple[str, str]]:
    """(cell type, source) of every cell: what must agree between .md and .ipynb."""
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def drift(md: Path) -> str | None:
    """Describe how ``md`` and its paired ``.ipynb`` differ, or None if they agree."""
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        return f"{ipynb.relative_to(ROOT)} is missing: run `make sync`"
    a = _cells(jupytext.read(md))
    b = _cells(nbformat.read(ipynb, as_version=4))
    if a == b:
        return None
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return (
                f"{md.name} and {ipynb.name} differ at cell {i} "
                f"({x[0]}: {x[1][:60]!r} vs {y[0]}: {y[1][:60]!r}): run `make sync`"
            )
    return f"{md.name} has {len(a)} cells, {ipynb.name} has {len(b)}: run `make sync`"


def missing_outputs(ipynb: Path) -> list[int]:
    """Indices of code cells that have no stored outputs and no execution count."""
    nb = nbformat.read(ipynb, as_version=4)
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.source.strip() and c.execution_count is None
    ]


def execute(md: Path) -> float:
    """Convert ``md`` to a notebook, run it in a fresh kernel, write the ``.ipynb``."""
    from nbclient import NotebookClient

    nb = jupytext.read(md)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}
    ).execute()
    elapsed = time.perf_counter() - t0
    for line in _slowest_cells(nb):
        print(line, flush=True)
    _make_stable(nb, md.stem)
    nb.metadata["jupytext"] = {"formats": "ipynb,md:myst"}
    nbformat.write(nb, md.with_suffix(".ipynb"))
    return elapsed


def pair(md: Path) -> None:
    """Rewrite ``md``'s ``.ipynb`` from ``md`` without executing, keeping its outputs.

    For edits that cannot change an output: prose, or code reformatted without a
    change of meaning. Outputs move with their code cell by position, so the number of
    code cells must be unchanged (otherwise re-execute with ``make sync``). nbval then
    proves the kept outputs still reproduce.
    """
    ipynb = md.with_suffix(".ipynb")
    old = nbformat.read(ipynb, as_version=4)
    nb = jupytext.read(md)
    nb.metadata = old.metadata
    old_code = [c for c in old.cells if c.cell_type == "code"]
    new_code = [c for c in nb.cells if c.cell_type == "code"]
    if len(old_code) != len(new_code):
        raise SystemExit(
            f"{md.name} has {len(new_code)} code cells, {ipynb.name} {len(old_code)}: "
            f"outputs cannot be carried over; run `make sync NB={md.relative_to(ROOT)}`"
        )
    for new, prev in zip(new_code, old_code):
        new.outputs = prev.outputs
        new.execution_count = prev.execution_count
    _make_stable(nb, md.stem)
    nbformat.write(nb, ipynb)


def _slowest_cells(nb, n: int = 3) -> list[str]:
    """The ``n`` slowest code cells, from the timestamps nbclient records."""
    from datetime import datetime

    rows = []
    for i, cell in enumerate(nb.cells):
        stamps = cell.metadata.get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in stamps:
            t0, t1 = (
                datetime.fromisoformat(stamps[k].rstrip("Z"))
                for k in ("iopub.execute_input", "shell.execute_reply")
            )
            first = (cell.source.strip().splitlines() or [""])[0][:50]
            rows.append(((t1 - t0).total_seconds(), i, first))
    rows.sort(reverse=True)
    return [f"  {sec:5.1f} s  cell {i:>3}  {first}" for sec, i, first in rows[:n]]


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _make_stable(nb, stem: str) -> None:
    """Drop what changes on every run (timestamps, random cell ids) so a re-sync of an
    unchanged chapter leaves a clean ``git diff``; and drop ipywidgets state (tqdm's
    notebook progress bars): a page that stores widgets loads require.js and the widget
    manager from a CDN, which fails offline. A finished progress bar tells a reader of
    the static page nothing (its text form is a bar stuck at 0%), so it is dropped."""
    nb.metadata.pop("widgets", None)
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell["id"] = f"{stem[:40]}-{i}".replace(".", "-")
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]


#: The one tag that leaves a cell's output out of nbval's comparison (nbval's own).
IGNORE_TAG = "nbval-ignore-output"
#: nbval's comment form of the same thing: not used here, so that one tag says it all.
IGNORE_COMMENT = "NBVAL_IGNORE_OUTPUT"
#: What a tagged cell without an assert may print: progress bars (text or widget).
PROGRESS = re.compile(r"^\s*(?:[^\n]*\d+%\|[^\n]*\||\s*)$")


def _printed_text(cell) -> str:
    """Everything a code cell printed or displayed as text, stderr excluded."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(out.get("text", ""))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "".join(parts)


def claim_cells(ipynb: Path) -> tuple[list[int], list[int], list[str]]:
    """Cells of ``ipynb`` whose output nbval does not compare: those that assert their
    claim, those that only show a progress bar, and the problems.

    A cell tagged ``nbval-ignore-output`` is compared by claim only: it must assert
    what it shows (so the claim is still checked on every run), or print nothing but a
    progress bar (training loops). The comment form ``# NBVAL_IGNORE_OUTPUT`` is
    refused, so that one tag, visible in the chapter source, says it all.
    """
    nb = nbformat.read(ipynb, as_version=4)
    claims, progress, problems = [], [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{ipynb.relative_to(ROOT)} cell {i}"
        if IGNORE_COMMENT in cell.source:
            problems.append(f"{where}: use the tag {IGNORE_TAG}, not the comment")
        if IGNORE_TAG not in cell.metadata.get("tags", []):
            continue
        printed = [ln for ln in _printed_text(cell).splitlines() if not PROGRESS.match(ln)]
        if re.search(r"^\s*assert\b", cell.source, re.MULTILINE):
            claims.append(i)
        elif not printed:
            progress.append(i)
        else:
            problems.append(
                f"{where}: tagged {IGNORE_TAG} but prints {printed[0][:60]!r} without an "
                "assert of its claim; assert it, or print it at a precision stable across CPUs"
            )
    return claims, progress, problems


def stored_outputs_config() -> Path:
    """Write ``_build/_config_stored_outputs.yml``: ``_config.yml`` with execution off.

    ``make test`` runs nbval first, which re-executes every chapter and proves its
    stored outputs reproduce; the strict build that follows can then render those
    outputs instead of executing every chapter a second time. Relative paths are made
    absolute because Jupyter Book resolves them against the config file's folder.
    """
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    cfg["execute"]["execute_notebooks"] = "off"
    ext = cfg["sphinx"].get("local_extensions", {})
    cfg["sphinx"]["local_extensions"] = {k: str(ROOT / v) for k, v in ext.items()}
    cfg["bibtex_bibfiles"] = [str(ROOT / b) for b in cfg["bibtex_bibfiles"]]
    out = ROOT / "_build" / "_config_stored_outputs.yml"
    out.parent.mkdir(exist_ok=True)
    out.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return out


QUIZ_CELL = re.compile(r'^divlib\.quiz\("(\w+)"\)\s*$')


def refresh_quiz(ipynb: Path) -> bool:
    """Recompute the output of ``ipynb``'s quiz cell (``divlib.quiz("name")``) without
    executing the rest: it depends on nothing but divlib's quiz files and renderer.
    Returns whether the stored output changed; nbval proves the result."""
    import divlib

    nb = nbformat.read(ipynb, as_version=4)
    changed = False
    for cell in nb.cells:
        m = cell.cell_type == "code" and QUIZ_CELL.match(cell.source.strip())
        if not m:
            continue
        q = divlib.quiz(m.group(1))
        output = nbformat.v4.new_output(
            "execute_result",
            data={"text/plain": repr(q), "text/html": q._repr_html_()},
            execution_count=cell.execution_count,
        )
        if [dict(o) for o in cell.outputs] != [dict(output)]:
            cell.outputs = [output]
            changed = True
    if changed:
        nbformat.write(nb, ipynb)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="print the notebooks listed in _toc.yml")
    s = sub.add_parser("sync", help="regenerate executed .ipynb files from .md")
    s.add_argument("files", nargs="*", type=Path)
    pr = sub.add_parser("pair", help="rewrite .ipynb from .md keeping outputs (no execution)")
    pr.add_argument("files", nargs="+", type=Path)
    sub.add_parser("check", help="fail if a .md and its .ipynb differ")
    sub.add_parser("claims", help="list the cells nbval compares by claim only")
    sub.add_parser("stored-config", help="write a config that renders the stored outputs")
    sub.add_parser("requiz", help="recompute the quiz cells' outputs (after a quiz edit)")
    args = parser.parse_args(argv)

    if args.cmd == "list":
        print("\n".join(str(p.relative_to(ROOT)) for p in toc_notebooks()))
        return 0
    if args.cmd == "stored-config":
        print(stored_outputs_config().relative_to(ROOT))
        return 0
    if args.cmd == "sync":
        files = [f.resolve().with_suffix(".md") for f in args.files] or paired_sources()
        for md in files:
            print(f"executing {md.relative_to(ROOT)} ...", flush=True)
            print(f"  done in {execute(md):.1f} s", flush=True)
        return 0
    if args.cmd == "claims":
        n_claims = n_progress = 0
        problems = []
        for nb in toc_notebooks():
            claims, progress, bad = claim_cells(nb)
            problems += bad
            n_claims, n_progress = n_claims + len(claims), n_progress + len(progress)
            if claims:
                print(f"  {nb.relative_to(ROOT)}: cells {', '.join(map(str, claims))}")
        print(
            f"{n_claims} cells compared by claim only (tag {IGNORE_TAG}: each asserts "
            f"its claim on every run); {n_progress} more show only a progress bar"
        )
        if problems:
            print("\n".join(problems))
        return 1 if problems else 0
    if args.cmd == "requiz":
        for nb in toc_notebooks():
            if refresh_quiz(nb):
                print(f"refreshed the quiz output of {nb.relative_to(ROOT)}")
        return 0
    if args.cmd == "pair":
        for f in args.files:
            pair(f.resolve().with_suffix(".md"))
            print(f"paired {f} (outputs kept; nbval checks they still reproduce)")
        return 0
    problems = [d for md in paired_sources() if (d := drift(md))]
    print("\n".join(problems) or "all notebooks in sync")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
