"""The course plan (book/course.yml) agrees with the book it describes."""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))

import course  # noqa: E402
from notebooks import toc_notebooks  # noqa: E402

PLAN = course.load_plan()
CHAPTERS = [nb.stem for nb in toc_notebooks()]


def test_every_chapter_of_the_toc_is_planned_and_nothing_else():
    assert sorted(PLAN["requires"]) == sorted(CHAPTERS), (
        "book/course.yml `requires` must list exactly the chapters of _toc.yml"
    )


def test_prerequisites_come_earlier_in_the_book():
    order = {name: i for i, name in enumerate(CHAPTERS)}
    for name, prereqs in PLAN["requires"].items():
        for r in prereqs:
            assert order[r] < order[name], f"{name} builds on {r}, which comes after it"


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        course.depths({"a": ["b"], "b": ["a"]})


def test_depths_are_longest_paths():
    assert course.depths({"a": [], "b": ["a"], "c": ["a", "b"]}) == {
        "a": 0,
        "b": 1,
        "c": 2,
    }


@pytest.mark.parametrize("track", PLAN["tracks"], ids=lambda t: t["name"])
def test_each_track_teaches_every_chapter_once_after_its_prerequisites(track):
    seen: list[str] = []
    for row in track["rows"]:
        for name in row["chapters"] + row.get("optional", []):
            missing = [r for r in PLAN["requires"][name] if r not in seen]
            # optional chapters may be skipped: a chapter may build on one of them
            assert not missing or all(
                any(r in row_.get("optional", []) for row_ in track["rows"]) for r in missing
            ), f"{track['name']}: {name} comes before its prerequisites {missing}"
            seen.append(name)
    assert sorted(seen) == sorted(CHAPTERS), f"{track['name']} must cover every chapter once"
    assignments = [row["assignment"] for row in track["rows"] if "assignment" in row]
    masters = sorted(p.stem for p in (ROOT / "assignments" / "masters").glob("*.md"))
    assert sorted(assignments) == masters, f"{track['name']} must hand out every assignment"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_counts_agree_with_jupytext(name):
    """The study-time rule counts code cells and exercises as jupytext and MyST see them."""
    stats = course.chapter_stats(name)
    nb = jupytext.read(ROOT / "book" / f"{name}.md")
    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    exercises = sum(c.source.count("{exercise}") for c in nb.cells if c.cell_type == "markdown")
    assert stats["cells"] == code_cells
    assert stats["exercises"] == exercises
    assert stats["words"] > 1000, f"{name}: only {stats['words']} words counted"


def test_study_time_rule():
    stats = {"words": 3000, "cells": 10, "exercises": 3}
    # 3000 / 50 + 10 * 2 + 3 * 20 = 140 minutes, rounded up to 2.5 h
    assert course.study_minutes(stats) == 140
    assert course.hours(140) == "2.5 h"
    assert course.hours(150) == "2.5 h"
    assert course.hours(151) == "3 h"


def test_wrap_keeps_every_word_and_the_width():
    label = "Score-based diffusion and the Fisher divergence"
    lines = course.wrap(label, 19)
    assert " ".join(lines) == label
    assert all(len(line) <= 19 for line in lines)


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_chapter_has_three_to_five_objectives(name):
    objectives = PLAN.get("objectives", {}).get(name, [])
    assert 3 <= len(objectives) <= 5, f"{name}: {len(objectives)} learning objectives"
    for objective in objectives:
        assert objective.count("$") % 2 == 0, f"{name}: unbalanced $ in {objective!r}"


def test_the_opening_box_links_the_prerequisites_and_gives_the_time():
    from docutils import nodes
    from sphinx import addnodes

    plan = {"requires": {"kl": ["entropy"]}, "objectives": {"kl": ["compute $a$", "b", "c"]}}
    box = course.chapter_opening("kl", "book/kl", plan)
    items = list(box.findall(nodes.list_item))
    assert len(items) == 3
    assert list(items[0].findall(nodes.math))[0].astext() == "a"
    targets = [x["reftarget"] for x in box.findall(addnodes.pending_xref)]
    assert targets == ["/book/entropy", "/book/syllabus"]
    stats = course.chapter_stats("kl")
    assert course.hours(course.study_minutes(stats)) in box.astext()
