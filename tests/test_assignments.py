"""The assignments pipeline: masters -> student notebooks, pages, autograders -> grades.

Everything is built into a temporary directory from ``assignments/masters/*.md`` (the
committed files are never rewritten here), then one batch grades fixture submissions of
every assignment with the real autograder (``otter run`` without Docker, in parallel):

- the solutions score full marks, the blank student notebook 0 on every autograded
  question, and a submission with one known bug loses exactly that question's points;
- for the first assignment the fixture folder also holds a submission that raises, one
  that loops (stopped by the per-cell time limit) and a corrupt file: each loses exactly
  what it breaks, with a reason, and the batch finishes;
- the student notebooks and pages hold no solution line and no hidden test;
- a committed student notebook or page that differs from what its master generates fails.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import re
import sys
import types
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("assignments", ROOT / "scripts" / "assignments.py")
assignments = importlib.util.module_from_spec(spec)
spec.loader.exec_module(assignments)

MASTERS = assignments.masters()
NAMES = [m.stem for m in MASTERS]
#: The first assignment gets the full fixture folder; the others full, blank and one bug.
ALL_KINDS = ["full", "blank", "one_bug", "raises", "loops", "corrupt"]
FEW_KINDS = ["full", "blank", "one_bug"]
CELL_TIMEOUT = 30  # generous: a legitimate cell takes < 2 s of CPU, this machine may be 8x shared


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every master built with otter assign into a temporary _build/assignments."""
    root = tmp_path_factory.mktemp("assignments")
    out = {}
    for master in MASTERS:
        out[master.stem] = assignments.build(master, root / master.stem)
    return root, out


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory, request):
    """One parallel grading batch over the fixtures of every assignment."""
    root, _ = built
    folder = tmp_path_factory.mktemp("submissions")
    expected = {}
    mp = pytest.MonkeyPatch()
    mp.setattr(assignments, "BUILD", root)
    request.addfinalizer(mp.undo)
    for i, name in enumerate(NAMES):
        kinds = ALL_KINDS if i == 0 else FEW_KINDS
        made = assignments.fixtures(name, root / name, root / name / "fixtures")
        for kind in kinds:
            src = root / name / "fixtures" / f"{kind}.ipynb"
            (folder / f"{name}-{kind}.ipynb").write_bytes(src.read_bytes())
            expected[f"{name}-{kind}"] = made[kind]
    out = folder / "grades.csv"
    rows = assignments.grade(folder, out, jobs=2, cell_timeout=CELL_TIMEOUT,
                             notebook_timeout=240, progress=False)
    return rows, expected, out


def _questions(built, name):
    root, _ = built
    return json.loads((root / name / "questions.json").read_text())


# -- grading -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_solutions_full_marks_blank_zero_one_bug_loses_its_question(graded, built, name):
    rows, expected, _ = graded
    questions = _questions(built, name)
    auto = [q for q in questions if not q["manual"]]
    assert auto, f"{name} has no autograded question"
    kinds = ALL_KINDS if name == NAMES[0] else FEW_KINDS
    for kind in kinds:
        student = f"{name}-{kind}"
        got = {r["question"]: r for r in rows if r["student"] == student}
        assert set(got) == {q["name"] for q in questions}, (student, got)
        for q in auto:
            want = expected[student]["scores"][q["name"]]
            assert float(got[q["name"]]["score"]) == pytest.approx(want), (
                f"{student} {q['name']}: {got[q['name']]}, expected {want}"
            )
            assert float(got[q["name"]]["max"]) == q["points"]
            if want < q["points"]:
                assert got[q["name"]]["reason"], f"{student} {q['name']}: no reason given"
        for q in questions:
            if q["manual"] and kind != "corrupt":
                assert got[q["name"]]["score"] == "" and "by hand" in got[q["name"]]["reason"]


def test_fixture_folder_csv(graded):
    """The CSV of the fixture folder: columns, one row per student and question, reasons."""
    rows, expected, out = graded
    with out.open() as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["student", "question", "score", "max", "reason"]
        on_disk = list(reader)
    assert len(on_disk) == len(rows) and {r["student"] for r in on_disk} == set(expected)
    first = NAMES[0]
    reasons = {(r["student"], r["question"]): r["reason"] for r in on_disk}
    spec = yaml.safe_load(assignments.FIXTURES_SPEC.read_text())[first]
    raise_q, loop_q = spec["raises"]["question"], spec["loops"]["question"]
    assert "raised RuntimeError" in reasons[(f"{first}-raises", raise_q)]
    assert f"longer than {CELL_TIMEOUT} s" in reasons[(f"{first}-loops", loop_q)]
    corrupt = [r for r in on_disk if r["student"] == f"{first}-corrupt"]
    assert corrupt and all("not a valid notebook" in r["reason"] for r in corrupt)
    full = [r for r in on_disk if r["student"] == f"{first}-full"]
    assert all(r["reason"] in ("", "graded by hand") for r in full)


# -- what the student gets ---------------------------------------------------------------


def _solution_and_hidden(master: Path) -> tuple[list[str], list[str]]:
    """Solution lines and hidden-test lines of a master (both raw and as otter rewrites them)."""
    nb = jupytext.read(master)
    solution, hidden, shared = [], [], set()
    in_block = False
    for cell in nb.cells:
        src = cell.source.strip()
        if cell.cell_type == "raw":
            if src.startswith("# BEGIN SOLUTION"):
                in_block = True
            elif src.startswith("# END SOLUTION"):
                in_block = False
            continue
        if cell.cell_type == "code" and src.startswith("# HIDDEN"):
            code = ast.unparse(ast.parse(src))
            hidden += [ln.strip() for ln in src.splitlines()[1:] + code.splitlines()]
            continue
        inside = False
        for line in src.splitlines():
            s = line.strip()
            if "# BEGIN SOLUTION" in s:
                inside = True
            elif "# END SOLUTION" in s:
                inside = False
            elif inside or (in_block and cell.cell_type == "markdown"):
                solution.append(s)
            else:
                shared.add(s)

    def keep(lines):
        return sorted({s for s in lines if len(s) >= 12 and s not in shared})

    return keep(solution), keep(hidden)


def _haystack(nb) -> str:
    """Every cell source and every string in the notebook's metadata."""
    texts = [c.source for c in nb.cells]

    def walk(x):
        if isinstance(x, str):
            texts.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(nb.metadata)
    for c in nb.cells:
        walk(c.metadata)
    return "\n".join(texts)


def leaks(master: Path, student_nb, page: str) -> list[str]:
    solution, hidden = _solution_and_hidden(master)
    assert solution and hidden, f"{master.name}: no solution or no hidden test found"
    hay = _haystack(student_nb) + "\n" + page
    return [s for s in solution + hidden if s in hay]


@pytest.mark.parametrize("master", MASTERS, ids=NAMES)
def test_student_version_has_no_solution_and_no_hidden_test(built, master):
    _, made = built
    nb = nbformat.read(made[master.stem]["student"], as_version=4)
    page = made[master.stem]["page"].read_text()
    assert leaks(master, nb, page) == []
    tests = nb.metadata["otter"]["tests"]
    cases = [c for t in tests.values() for s in t["suites"] for c in s["cases"]]
    assert cases and not any(c["hidden"] for c in cases)
    # every autograded question has at least one public test the student can run
    for q in _questions(built, master.stem):
        if not q["manual"]:
            assert q["name"] in tests, f"{master.stem} {q['name']} has no public test"


def test_leak_check_can_fail(built):
    """A solution line or a hidden test pasted into the student notebook is found."""
    _, made = built
    master = MASTERS[0]
    nb = nbformat.read(made[master.stem]["student"], as_version=4)
    solution, hidden = _solution_and_hidden(master)
    nb.cells[-1].source += "\n" + solution[0]
    assert leaks(master, nb, "") == [solution[0]]
    nb = nbformat.read(made[master.stem]["student"], as_version=4)
    nb.metadata["otter"]["tests"]["extra"] = {"code": hidden[-1]}
    assert leaks(master, nb, "") == [hidden[-1]]


# -- committed files match their masters -------------------------------------------------


@pytest.mark.parametrize("master", MASTERS, ids=NAMES)
def test_committed_student_notebook_and_page_match_master(built, master):
    _, made = built
    for kind, folder in (("student", assignments.STUDENT), ("page", assignments.PAGES)):
        committed = folder / made[master.stem][kind].name
        assert committed.exists(), f"{committed} missing: run make assignments"
        assert committed.read_bytes() == made[master.stem][kind].read_bytes(), (
            f"{committed.relative_to(ROOT)} differs from what {master.name} generates: "
            "run `make assignments` and commit"
        )


def test_drift_is_detected(tmp_path, built):
    """Editing a master without regenerating makes the committed student notebook differ."""
    master = MASTERS[0]
    edited = tmp_path / master.name
    text = master.read_text()
    assert "Expected time:" in text
    edited.write_text(text.replace("Expected time:", "Expected duration:", 1))
    made = assignments.build(edited, tmp_path / "out")
    committed = assignments.STUDENT / made["student"].name
    assert committed.read_bytes() != made["student"].read_bytes()


# -- the student notebook's setup cell: Colab and the configured repository ----------------


def _setup_cell(nb) -> str:
    cell = next(c for c in nb.cells if c.cell_type == "code")
    assert cell.source.startswith("# Setup:")
    return cell.source


@pytest.mark.parametrize("master", MASTERS, ids=NAMES)
def test_setup_cell_installs_from_the_configured_repository(built, master):
    _, made = built
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    src = _setup_cell(nbformat.read(made[master.stem]["student"], as_version=4))
    assert re.findall(r'REPO = "(\S+)"', src) == [url]
    assert set(re.findall(r"git\+(https://\S+?)[\"']", src)) == {url}
    assert f'NOTEBOOK = "{master.stem}.ipynb"' in src
    assert 'find_spec("otter")' in src and 'find_spec("divlib")' in src
    links = assignments.launch_links(master.stem)
    page = made[master.stem]["page"].read_text()
    assert links["binder"] in page and links["colab"] in page
    assert f"assignments/student/{master.stem}.ipynb" in links["colab"]


def test_colab_setup_writes_tests_and_grader_check_runs(built, tmp_path, monkeypatch):
    """On Colab (no notebook file on disk) the setup cell fetches the notebook and writes
    its public tests, so grader.check works; the network fetch is replaced by the file."""
    import otter.check.utils
    from IPython.core.inputtransformer2 import TransformerManager

    _, made = built
    name = NAMES[0]
    student = made[name]["student"]
    src = TransformerManager().transform_cell(_setup_cell(nbformat.read(student, 4)))
    fetched = []

    def urlopen(url):
        fetched.append(url)
        return open(student, "rb")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    monkeypatch.setattr(otter.check.utils, "get_ipython", lambda: "<google.colab._shell>")
    ns = {}
    exec(compile(src, "setup", "exec"), ns)  # noqa: S102 (the cell under test)
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    raw = url.replace("github.com", "raw.githubusercontent.com")
    assert fetched == [f"{raw}/main/assignments/student/{name}.ipynb"]
    assert (tmp_path / "tests" / "q1.py").exists()
    exec("import numpy as np\ndef entropy(p):\n    return 0.0\n", ns)  # noqa: S102
    result = ns["grader"].check("q1", ns)
    assert not result.passed_all
    right = "def entropy(p):\n    p = np.asarray(p)\n    return float(-(p * np.log(p)).sum())\n"
    exec(right, ns)  # noqa: S102
    assert ns["grader"].check("q1", ns).passed_all


def test_setup_cells_agree_but_for_the_notebook_name(built):
    """Every assignment's setup cell is the same code (one fix reaches all four)."""
    _, made = built
    cells = {
        name: _setup_cell(nbformat.read(made[name]["student"], as_version=4)).replace(
            f"{name}.ipynb", "NAME.ipynb")
        for name in NAMES
    }
    assert len(set(cells.values())) == 1, "the setup cells differ: copy the fix to every master"


def test_assignment_is_recognised_without_its_setup_cell(tmp_path):
    """A submission names its assignment in its setup cell, or else by its title."""
    for name in NAMES:
        nb = nbformat.read(assignments.STUDENT / f"{name}.ipynb", as_version=4)
        nbformat.write(nb, tmp_path / "renamed by the student.ipynb")
        assert assignments.assignment_of(tmp_path / "renamed by the student.ipynb") == name
        nb.cells = [c for c in nb.cells if not c.source.startswith("# Setup:")]
        nbformat.write(nb, tmp_path / "no setup.ipynb")
        assert assignments.assignment_of(tmp_path / "no setup.ipynb") == name


def test_notebook_time_limit_stops_a_loop_that_ignores_interrupts(built, tmp_path, monkeypatch):
    """The per-notebook limit is the backstop: 0 everywhere, with the reason."""
    root, _ = built
    name = NAMES[0]
    monkeypatch.setattr(assignments, "BUILD", root)
    folder = tmp_path / "subs"
    folder.mkdir()
    text = (root / name / "solved.ipynb").read_text()
    old = "def entropy(p):"
    assert text.count(old) == 1
    loop = "while True:\\n    try:\\n        time.sleep(0.1)\\n    except BaseException:\\n        pass\\n"
    (folder / "stubborn.ipynb").write_text(text.replace(old, "import time\\n" + loop + old))
    rows = assignments.grade(folder, folder / "grades.csv", jobs=1, cell_timeout=60,
                             notebook_timeout=10, progress=False)
    auto = [r for r in rows if r["reason"] != "graded by hand" and r["score"] != ""]
    assert auto and all(r["score"] == 0 for r in auto)
    assert all("longer than the 10 s limit" in r["reason"] for r in auto)
