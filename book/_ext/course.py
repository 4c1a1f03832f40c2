"""The course plan on the site, drawn at build time from ``book/course.yml``.

Every chapter page opens with a box of its learning objectives (``objectives:`` in the
YAML file), the chapters it builds on (``requires:``), as links, and its study time, by
the rule below; the box is inserted when the page is read, so the chapters' sources stay
what a notebook reader runs. Three directives, used by ``book/syllabus.md``:

- ``{course-tracks}``: one table per track (week or day, chapters, assignment, study
  time), with each row's time summed from its chapters and assignment;
- ``{chapter-map}``: which chapter builds on which, as an inline SVG (no script, no CDN,
  no system program such as Graphviz, so ``make book`` needs nothing beyond .venv), with
  a list of the same edges in text for screen readers and for print.

A chapter's study time is estimated by one rule from its source ``book/<name>.md``, so it
follows the chapter as it grows (:func:`study_minutes`). Both directives mark the YAML
file and every chapter source as dependencies of the page, so an incremental build
redraws the page when either changes.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

BOOK = Path(__file__).resolve().parents[1]
PLAN = BOOK / "course.yml"

#: The study-time rule. Reading: technical prose with formulas, read with care, at
#: 50 words a minute (a third of the speed of plain prose). Each code cell: 2 minutes to
#: run it and read its output. Each exercise: 20 minutes. Each assignment question:
#: 30 minutes. The total is rounded up to the next half hour.
WORDS_PER_MINUTE = 50
MINUTES_PER_CODE_CELL = 2
MINUTES_PER_EXERCISE = 20
MINUTES_PER_QUESTION = 30

FENCE = re.compile(r"^(`{3,}|~{3,})")


@cache
def load_plan(path: Path = PLAN) -> dict:
    """The parsed ``course.yml``."""
    return yaml.safe_load(path.read_text())


def source_of(name: str) -> Path:
    return BOOK / f"{name}.md"


def chapter_stats(name: str) -> dict:
    """Title, prose words, code cells and exercises of ``book/<name>.md``."""
    text = source_of(name).read_text()
    if text.startswith("---"):
        text = text.split("\n---", 1)[1]
    title, words, cells, exercises = name, 0, 0, 0
    in_code = False
    for line in text.splitlines():
        fence = FENCE.match(line)
        if fence:
            if "{code-cell}" in line:
                cells += 1
                in_code = True
            elif "{exercise}" in line:
                exercises += 1
            elif in_code:
                in_code = False
            continue
        if in_code or line.lstrip().startswith(":"):
            continue
        if line.startswith("# ") and title == name:
            title = line[2:].strip()
        words += len(line.split())
    return {"title": title, "words": words, "cells": cells, "exercises": exercises}


def study_minutes(stats: dict) -> int:
    """Reading plus running plus exercises, by the rule above (unrounded minutes)."""
    return (
        stats["words"] / WORDS_PER_MINUTE
        + stats["cells"] * MINUTES_PER_CODE_CELL
        + stats["exercises"] * MINUTES_PER_EXERCISE
    )


def assignment_minutes(name: str) -> float:
    master = BOOK.parent / "assignments" / "masters" / f"{name}.md"
    return master.read_text().count("# BEGIN QUESTION") * MINUTES_PER_QUESTION


def hours(minutes: float) -> str:
    """Minutes rounded up to the next half hour, as ``"4.5 h"``."""
    halves = -(-round(minutes) // 30)
    return f"{halves / 2:g} h"


def short_title(name: str) -> str:
    """The chapter title before its colon, without Markdown emphasis."""
    return chapter_stats(name)["title"].split(":")[0].replace("*", "")


def depths(requires: dict) -> dict:
    """Longest path from a chapter with no prerequisite: the map's column of each."""
    out: dict = {}

    def depth(name, seen=()):
        if name in seen:
            raise ValueError(f"course.yml: the prerequisites of {name!r} form a cycle")
        if name not in out:
            out[name] = 1 + max((depth(r, (*seen, name)) for r in requires[name]), default=-1)
        return out[name]

    for name in requires:
        depth(name)
    return out


class _CourseDirective(SphinxDirective):
    has_content = False

    def note_sources(self, names) -> None:
        self.env.note_dependency(str(PLAN))
        for name in names:
            self.env.note_dependency(str(source_of(name)))

    def parse_markdown(self, lines: list[str]) -> list[nodes.Node]:
        box = nodes.container()
        self.state.nested_parse(StringList(lines, str(PLAN)), self.content_offset, box)
        return box.children


class CourseTracks(_CourseDirective):
    """One table per track in ``course.yml``, each row's study time summed."""

    def run(self):
        plan = load_plan()
        self.note_sources(plan["requires"])
        lines: list[str] = []
        for track in plan["tracks"]:
            total = 0.0
            lines += [f"**{track['name']}**", ""]
            lines += [f"| {track['unit']} | Chapters | Assignment | Study time |"]
            lines += ["| --- | --- | --- | --- |"]
            for i, row in enumerate(track["rows"], 1):
                minutes = sum(study_minutes(chapter_stats(c)) for c in row["chapters"])
                chapters = ", ".join(f"{{doc}}`{c}`" for c in row["chapters"])
                if row.get("optional"):
                    extra = ", ".join(f"{{doc}}`{c}`" for c in row["optional"])
                    chapters += f"; optional: {extra}"
                assignment = ""
                if row.get("assignment"):
                    minutes += assignment_minutes(row["assignment"])
                    assignment = f"{{doc}}`assignments/{row['assignment']}`"
                total += minutes
                lines.append(f"| {i} | {chapters} | {assignment} | {hours(minutes)} |")
            lines += [
                "",
                f"Total: about {hours(total)} of study, optional chapters aside.",
                "",
            ]
        return self.parse_markdown(lines)


class ChapterStudyTimes(_CourseDirective):
    """A table of every chapter's study time and the counts the rule uses."""

    def run(self):
        plan = load_plan()
        self.note_sources(plan["requires"])
        lines = ["| Chapter | Words | Code cells | Exercises | Study time |"]
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for name in plan["requires"]:
            s = chapter_stats(name)
            row = f"| {{doc}}`{name}` | {s['words']:,} | {s['cells']} | {s['exercises']} |"
            lines.append(f"{row} {hours(study_minutes(s))} |")
        return self.parse_markdown(lines)


class ChapterKit(_CourseDirective):
    """A table of each chapter's teaching kit: its lecture deck and its quiz."""

    def run(self):
        import divlib

        plan = load_plan()
        self.note_sources(plan["requires"])
        lines = ["| Chapter | Lecture slides | Self-check quiz |", "| --- | --- | --- |"]
        for name in plan["requires"]:
            # an incremental build redraws the table when a quiz file changes
            self.env.note_dependency(str(divlib._teaching.QUIZ_DIR / f"{name}.toml"))
            kinds = [q["kind"] for q in divlib.quiz(name).questions]
            quiz = (
                f"{len(kinds)} questions ({kinds.count('choice')} multiple choice, "
                f"{kinds.count('numeric')} numeric)"
            )
            deck = f'<a href="../slides/{name}.html">deck</a>'
            lines.append(f"| {{doc}}`{name}` | {deck} | {quiz} |")
        return self.parse_markdown(lines)


# -- the map ---------------------------------------------------------------------------

BOX_W, GAP_X, GAP_Y, PAD = 184, 40, 12, 8
LINE_H, CHARS_PER_LINE, FONT_PX = 18, 19, 15


def wrap(label: str, width: int = CHARS_PER_LINE) -> list[str]:
    """Greedy word wrap of a box label into lines of at most ``width`` characters."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def chapter_map_svg(requires: dict, href) -> str:
    """An SVG of the prerequisite graph: columns by depth, arrows from prerequisite to
    chapter. ``href(name)`` gives each box's link. It scales to the text column and
    keeps a minimum width (its container scrolls sideways on a phone)."""
    depth = depths(requires)
    labels = {name: wrap(short_title(name)) for name in requires}
    box_h = LINE_H * max(len(v) for v in labels.values()) + 12
    columns: dict[int, list[str]] = {}
    for name in requires:  # course.yml order within a column
        columns.setdefault(depth[name], []).append(name)
    pos = {}
    for col, names in columns.items():
        for row, name in enumerate(names):
            pos[name] = (PAD + col * (BOX_W + GAP_X), PAD + row * (box_h + GAP_Y))
    width = PAD * 2 + len(columns) * BOX_W + (len(columns) - 1) * GAP_X
    height = PAD * 2 + max(len(v) for v in columns.values()) * (box_h + GAP_Y) - GAP_Y
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chapter-map" role="group" '
            f'aria-labelledby="chapter-map-title" viewBox="0 0 {width} {height}" '
            f'style="width: 100%; min-width: 600px; height: auto">'
        ),
        (
            '<title id="chapter-map-title">Which chapter builds on which: an arrow goes '
            "from a chapter to one that builds on it</title>"
        ),
        (
            '<defs><marker id="chapter-map-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="#4a5568"/></marker></defs>'
        ),
    ]
    for name, prereqs in requires.items():
        x1, y1 = pos[name]
        for r in prereqs:
            x0, y0 = pos[r]
            sx, sy, ex, ey = x0 + BOX_W, y0 + box_h / 2, x1, y1 + box_h / 2
            mid = (sx + ex) / 2
            out.append(
                f'<path d="M {sx} {sy} C {mid} {sy}, {mid} {ey}, {ex} {ey}" fill="none" '
                'stroke="#4a5568" stroke-width="1.4" marker-end="url(#chapter-map-arrow)"/>'
            )
    for name, (x, y) in pos.items():
        lines = labels[name]
        top = y + box_h / 2 - LINE_H * (len(lines) - 1) / 2 + FONT_PX / 2 - 2
        tspans = "".join(
            f'<tspan x="{x + BOX_W / 2}" y="{top + i * LINE_H}">{html.escape(t)}</tspan>'
            for i, t in enumerate(lines)
        )
        out.append(
            f'<a href="{html.escape(href(name))}"><rect x="{x}" y="{y}" width="{BOX_W}" '
            f'height="{box_h}" rx="6" fill="#eef3fa" stroke="#2b4c7e" stroke-width="1.2"/>'
            f'<text text-anchor="middle" font-size="{FONT_PX}" fill="#14213d">{tspans}</text></a>'
        )
    out.append("</svg>")
    return "".join(out)


class ChapterMap(_CourseDirective):
    """The prerequisite graph as an inline SVG (HTML) and as a list of edges (all)."""

    def run(self):
        requires = load_plan()["requires"]
        self.note_sources(requires)
        builder = self.env.app.builder

        def href(name):
            return builder.get_relative_uri(self.env.docname, f"{name}")

        svg = chapter_map_svg(requires, href)
        figure = nodes.raw(
            "",
            f'<div class="chapter-map-scroll" style="overflow-x: auto">{svg}</div>',
            format="html",
        )
        lines = ["", "In words (each chapter and the chapters it builds on):", ""]
        for name, prereqs in requires.items():
            after = ", ".join(f"{{doc}}`{r}`" for r in prereqs) or "nothing before it"
            lines.append(f"- {{doc}}`{name}`: {after}")
        return [figure, *self.parse_markdown(lines)]


# -- the opening box of each chapter -----------------------------------------------------

INLINE_MATH = re.compile(r"\$([^$]+)\$")


def _inline(text: str) -> list[nodes.Node]:
    """Text with ``$...$`` inline math, as docutils nodes (MathJax typesets the math)."""
    out: list[nodes.Node] = []
    for i, part in enumerate(INLINE_MATH.split(text)):
        if part:
            out.append(nodes.math(part, part) if i % 2 else nodes.Text(part))
    return out


def _doc_link(docname: str, target: str, label: str | None = None) -> nodes.Node:
    """A link from ``docname`` to ``book/<target>``, labelled with its short title."""
    return addnodes.pending_xref(
        "",
        nodes.inline("", label or short_title(target)),
        refdomain="std",
        reftype="doc",
        reftarget="/book/" + target,
        refdoc=docname,
        refexplicit=True,
        refwarn=True,
    )


def chapter_opening(name: str, docname: str, plan: dict) -> nodes.Node:
    """The box at the top of chapter ``name``: objectives, prerequisites, study time."""
    box = nodes.admonition(classes=["chapter-opening", "tip"])
    box += nodes.title("", "In this chapter")
    objectives = plan.get("objectives", {}).get(name, [])
    if objectives:
        box += nodes.paragraph("", "After this chapter you can:")
        items = nodes.bullet_list()
        for objective in objectives:
            items += nodes.list_item("", nodes.paragraph("", "", *_inline(objective)))
        box += items
    builds_on = nodes.paragraph("", "", nodes.strong("", "Builds on: "))
    prereqs = plan["requires"][name]
    if prereqs:
        for i, r in enumerate(prereqs):
            builds_on += nodes.Text(", " if i else "")
            builds_on += _doc_link(docname, r)
        builds_on += nodes.Text(".")
    else:
        builds_on += nodes.Text("nothing before it but the notation page.")
    box += builds_on
    stats = chapter_stats(name)
    box += nodes.paragraph(
        "",
        "",
        nodes.strong("", "Study time: "),
        nodes.Text(
            f"about {hours(study_minutes(stats))} ({stats['words']:,} words, "
            f"{stats['cells']} code cells, {stats['exercises']} exercises; "
        ),
        nodes.Text("the rule is on the "),
        _doc_link(docname, "syllabus", "syllabus"),
        nodes.Text(" page)."),
    )
    # the deck is written beside the site by scripts/slides.py (make book, make slides)
    box += nodes.paragraph(
        "",
        "",
        nodes.strong("", "Teach or revise: "),
        nodes.reference("", "the lecture slides", refuri=f"../slides/{name}.html"),
        nodes.Text(" (one deck, offline; arrow keys to move) and the "),
        nodes.reference("", "self-check quiz", refuri="#self-check-quiz"),
        nodes.Text(" at the end of the chapter."),
    )
    return box


def _insert_opening(app, doctree) -> None:
    docname = app.env.docname
    folder, _, name = docname.rpartition("/")
    plan = load_plan()
    if folder != "book" or name not in plan["requires"]:
        return
    app.env.note_dependency(str(PLAN))
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    section.insert(1, chapter_opening(name, docname, plan))


def setup(app):
    app.connect("doctree-read", _insert_opening)
    app.add_directive("course-tracks", CourseTracks)
    app.add_directive("chapter-study-times", ChapterStudyTimes)
    app.add_directive("chapter-map", ChapterMap)
    app.add_directive("chapter-kit", ChapterKit)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
