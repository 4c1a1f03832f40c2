"""Lint the book's Markdown sources for what the build does not catch.

Raw TeX on the page: an inline ``$...$`` formula that is wrapped across source lines
so that the continuation line starts with ``+ ``, ``- ``, ``* ``, ``> `` or ``1. `` is parsed
as a list item or a block quote. The formula is then split, MathJax never sees it and
the reader gets the TeX source with its backslashes eaten (``KL(P ,|, Q)``). The build
raises no warning, so this lint runs before it (``make check``).

Usage::

    python scripts/lint_sources.py [FILE ...]     # default: book/**/*.md, assignments/**/*.md

Exit status 1 when a problem is found; each is printed as ``file:line: message``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: A line that Markdown would read as the start of a list item or a block quote.
BLOCK_START = re.compile(r"^\s*([-+*]\s|>\s?|\d+[.)]\s)")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")
#: Directives whose body is code or data, not Markdown prose.
CODE_DIRECTIVES = (
    "{code-cell}",
    "{code}",
    "{code-block}",
    "{eval-rst}",
    "{literalinclude}",
    "{math}",
)


def _strip_code_spans(line: str) -> str:
    """Remove inline code spans, whose ``$`` are not math."""
    return re.sub(r"(`+)(?:(?!\1).)*\1", "", line)


def _dollars(line: str) -> list[int]:
    """Positions of single ``$`` delimiters (not ``$$``, not escaped ``\\$``)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] == "$":
            if i + 1 < len(line) and line[i + 1] == "$":
                i += 2
                continue
            out.append(i)
        i += 1
    return out


def lint_text(text: str, name: str = "<text>") -> list[str]:
    """Problems in one Markdown source (code fences and display math are skipped)."""
    problems = []
    stack: list[tuple[str, bool]] = []  # open fences: (marker, holds code?)
    in_display = False
    open_at = None  # line number where an inline $ was opened and not closed
    for lineno, raw in enumerate(text.splitlines(), start=1):
        m = FENCE.match(raw)
        if m:
            mark = m.group(1)
            if (
                stack
                and raw.strip() == mark
                and mark[0] == stack[-1][0][0]
                and len(mark) >= len(stack[-1][0])
            ):
                stack.pop()  # closing fence
            else:
                # directives such as {prf:theorem} or {exercise} hold prose; code does not
                info = raw.strip()[len(mark) :].strip()
                is_code = not info.startswith("{") or info.startswith(CODE_DIRECTIVES)
                stack.append((mark, is_code))
            open_at = None
            continue
        if any(is_code for _, is_code in stack):
            continue
        line = _strip_code_spans(raw)
        if line.count("$$") % 2 == 1:
            in_display = not in_display
            continue
        if in_display or line.strip().startswith("$$"):
            continue
        if open_at is not None and BLOCK_START.match(raw):
            problems.append(
                f"{name}:{lineno}: an inline formula opened on line {open_at} continues on a "
                f"line that starts with {raw.strip()[:2]!r}, which Markdown reads as a list "
                "or quote: the page shows raw TeX. Rewrap so the line does not start with "
                "'+ ', '- ', '* ', '> ' or '1. ', or keep the formula on one line."
            )
        if not line.strip():
            open_at = None  # a blank line ends the paragraph
            continue
        for _ in _dollars(line):
            open_at = None if open_at is not None else lineno
    return problems


def default_files() -> list[Path]:
    files = sorted((ROOT / "book").rglob("*.md"))
    files += sorted((ROOT / "assignments").rglob("*.md")) if (ROOT / "assignments").is_dir() else []
    return [f for f in files if "_build" not in f.parts and ".ipynb_checkpoints" not in f.parts]


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = [Path(a) for a in args] or default_files()
    problems = []
    for f in files:
        problems += lint_text(
            f.read_text(encoding="utf-8"), str(f.relative_to(ROOT) if f.is_absolute() else f)
        )
    print("\n".join(problems) or f"source lint OK: {len(files)} Markdown files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
