"""Public checks catch the common bugs; hidden tests say why they fail.

For every auto-graded question, ``assignments/fixtures.yml`` lists its typical mistakes
under ``public`` (a text replacement in the solution). Each buggy solution must fail the
PUBLIC tests of its question (what ``grader.check`` shows a student, read from the
committed student notebook) with a message that names the mistake. Everything runs in
this process, without a kernel: the solution cells of the master are executed once per
assignment, and each bug re-executes only the cell it changes.

The masters' tests themselves: every ``assert`` carries a message (otherwise the reason
column of the grades says only ``AssertionError``).
"""

from __future__ import annotations

import ast
import copy
import warnings
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "assignments" / "masters").glob("*.md"))
SPEC = yaml.safe_load((ROOT / "assignments" / "fixtures.yml").read_text())
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION")


def _cells(master: Path):
    """(solution code cells, test code cells, auto question names) of a master."""
    nb = jupytext.read(master)
    code, tests, auto = [], [], []
    in_tests = False
    for cell in nb.cells:
        src = cell.source.strip()
        if cell.cell_type == "raw":
            if src.startswith("# BEGIN TESTS"):
                in_tests = True
            elif src.startswith("# END TESTS"):
                in_tests = False
            elif src.startswith("# BEGIN QUESTION"):
                cfg = yaml.safe_load(src.split("\n", 1)[1])
                if not cfg.get("manual"):
                    auto.append(cfg["name"])
            continue
        if cell.cell_type != "code":
            continue
        if in_tests:
            tests.append(cell.source)
        elif not src.startswith("# Setup:") and not src.startswith("grader.check"):
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in MARKERS]
            code.append("\n".join(lines))
    return code, tests, auto


def _public_tests(name: str) -> dict:
    nb = nbformat.read(ROOT / "assignments" / "student" / f"{name}.ipynb", as_version=4)
    return nb.metadata["otter"]["tests"]


def _run_public(test_spec: dict, ns: dict):
    """(passed, failure text) of a question's public tests in the namespace ``ns``."""
    from otter.test_files.ok_test import OKTestFile

    tf = OKTestFile.from_spec(copy.deepcopy(test_spec))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf.run(ns)
    text = "\n".join(r.message for r in tf.test_case_results if not r.passed)
    return tf.passed_all, text


_BASE: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def _keep_torch_default_dtype():
    """The masters' solutions set torch's default dtype (a3, a4: float64) in this
    process; put it back after each test, so no other test module sees it."""
    import torch

    before = torch.get_default_dtype()
    yield
    torch.set_default_dtype(before)


def _base(name: str) -> dict:
    """The namespace after the master's solution cells (executed once per assignment)."""
    if name not in _BASE:
        import matplotlib

        matplotlib.use("Agg")
        code, _, _ = _cells(ROOT / "assignments" / "masters" / f"{name}.md")
        ns: dict = {}
        for src in code:
            exec(compile(src, f"<{name}>", "exec"), ns)
        _BASE[name] = ns
    return _BASE[name]


CASES = [(name, bug) for name in SPEC for bug in SPEC[name].get("public", [])]


@pytest.mark.parametrize("name", [m.stem for m in MASTERS])
def test_every_auto_question_has_common_bug_fixtures_and_solutions_pass(name):
    _, _, auto = _cells(ROOT / "assignments" / "masters" / f"{name}.md")
    covered = {b["question"] for b in SPEC[name].get("public", [])}
    assert set(auto) <= covered, f"{name}: no common-bug fixture for {set(auto) - covered}"
    tests = _public_tests(name)
    for q in auto:
        passed, text = _run_public(tests[q], dict(_base(name)))
        assert passed, f"{name} {q}: the solution fails its public test:\n{text}"


@pytest.mark.parametrize(
    ("name", "bug"), CASES, ids=[f"{n}-{b['question']}-{b['bug']}" for n, b in CASES]
)
def test_public_check_catches_common_bug(name, bug):
    code, _, _ = _cells(ROOT / "assignments" / "masters" / f"{name}.md")
    hits = [src for src in code if bug["old"] in src]
    assert len(hits) == 1 and hits[0].count(bug["old"]) == 1, (
        f"fixtures.yml: {bug['bug']}: `old` must occur once in {name}'s solutions"
    )
    ns = dict(_base(name))
    exec(compile(hits[0].replace(bug["old"], bug["new"]), "<bug>", "exec"), ns)
    passed, text = _run_public(_public_tests(name)[bug["question"]], ns)
    assert not passed, f"{name} {bug['question']}: the public test misses {bug['bug']!r}"
    assert bug["message"] in text, (
        f"{name} {bug['question']} ({bug['bug']}): the public test fails without saying "
        f"{bug['message']!r}:\n{text[-600:]}"
    )


def _asserts_without_message(src: str) -> list[str]:
    return [
        ast.unparse(node)[:90]
        for node in ast.walk(ast.parse(src))
        if isinstance(node, ast.Assert) and node.msg is None
    ]


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_every_test_assertion_has_a_message(master):
    _, tests, _ = _cells(master)
    bare = [a for src in tests for a in _asserts_without_message(src)]
    assert not bare, f"{master.name}: asserts without a message: {bare}"


def test_message_check_can_fail():
    assert _asserts_without_message("assert x == 1\nassert y, 'why'\n") == ["assert x == 1"]
