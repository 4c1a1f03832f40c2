"""Keep the chapters' code within the code column: ruff format on every code cell.

At 1280 px the site's code column shows 84 characters (13 px monospace, see
``book/_ext/site_static/divergences.css``); past that the end of a line, often the
True/False verdict of a check, hides behind a scrollbar. This script formats the code
cells of every chapter source (``book/*.md``, MyST notebooks) with ruff at
``LINE_LENGTH`` and reports any code line still longer than ``MAX_VISIBLE``
(a long string or comment, which a formatter does not split: rewrap it by hand).

Usage::

    python scripts/format_chapters.py check [FILE ...]   # make check: fail on a change
    python scripts/format_chapters.py write [FILE ...]   # make format: rewrite the .md

After ``write``, re-pair the notebooks without re-executing them
(``python scripts/notebooks.py pair FILE``): formatting does not change what runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LINE_LENGTH = 84
MAX_VISIBLE = 84
CELL_START = re.compile(r"^```\{code-cell\}[^\n]*\n", re.M)


def _cells(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the code of every code cell in a MyST notebook."""
    spans = []
    for m in CELL_START.finditer(text):
        pos = m.end()
        lines = text[pos:].split("\n")
        i = 0
        if lines and lines[0].startswith("---"):  # YAML options block
            i = 1
            while i < len(lines) and not lines[i].startswith("---"):
                i += 1
            i += 1
        while i < len(lines) and lines[i].startswith(":"):  # :tags: [...] options
            i += 1
        if i < len(lines) and i > 0 and lines[i] == "":
            i += 1
        start = pos + sum(len(l) + 1 for l in lines[:i])
        end = text.index("\n```", start - 1) if not text[start:].startswith("```") else start
        spans.append((start, end))
    return spans


def _ruff_format(sources: list[str]) -> list[str]:
    """Format code cells with ruff (notebook mode: IPython magics are understood)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cells.ipynb"
        nbformat.write(nb, path)
        ruff = Path(sys.executable).with_name("ruff")
        out = subprocess.run(
            [
                str(ruff),
                "format",
                "--no-cache",
                "--isolated",
                f"--line-length={LINE_LENGTH}",
                str(path),
            ],
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip() or out.stdout.strip())
        return [c.source for c in nbformat.read(path, as_version=4).cells]


def format_text(text: str) -> str:
    spans = _cells(text)
    bodies = [text[a:b] for a, b in spans]
    new = _ruff_format(bodies)
    out, last = [], 0
    for (a, b), body in zip(spans, new):
        out += [text[last:a], body.rstrip("\n")]
        last = b
    out.append(text[last:])
    return "".join(out)


def long_lines(text: str, name: str) -> list[str]:
    problems = []
    for a, b in _cells(text):
        first = text.count("\n", 0, a) + 1
        for k, line in enumerate(text[a:b].split("\n")):
            if len(line) > MAX_VISIBLE:
                problems.append(
                    f"{name}:{first + k}: code line of {len(line)} characters; the code column "
                    f"shows {MAX_VISIBLE}: rewrap it (a formatter does not split strings or comments)"
                )
    return problems


def _rel(f: Path) -> str:
    return str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f)


def chapter_sources() -> list[Path]:
    sys.path.insert(0, str(ROOT / "scripts"))
    import notebooks

    return notebooks.paired_sources()


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cmd, files = (args[0] if args else "check"), [Path(a) for a in args[1:]]
    files = [f.resolve() for f in files] or chapter_sources()
    problems, changed = [], []
    for f in files:
        text = f.read_text(encoding="utf-8")
        new = format_text(text)
        if new != text:
            changed.append(f)
            if cmd == "write":
                f.write_text(new, encoding="utf-8")
        problems += long_lines(new, _rel(f))
    if cmd == "write":
        print(f"formatted {len(changed)} of {len(files)} chapters" + (": " if changed else ""))
        print("\n".join(_rel(f) for f in changed))
    elif changed:
        problems = [
            f"{_rel(f)}: code cells are not formatted (make format)" for f in changed
        ] + problems
    print("\n".join(problems) or f"code format OK: {len(files)} chapters, lines <= {MAX_VISIBLE}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
