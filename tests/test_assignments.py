"""The assignments pipeline: masters -> student notebooks, pages, autograders -> grades.

Everything is built into a temporary directory from ``assignments/masters/*.md`` (the
committed files are never rewritten here), then one batch grades fixture submissions of
every assignment with the real autograder (``otter run`` without Docker), with more
workers than cores (JOBS=4 on 2 cores):

- the solutions score full marks, the blank student notebook 0 on every autograded
  question, and a submission with one known bug loses exactly that question's points;
- the first assignment gets a folder of 13 submissions: correct alternatives (scipy's
  entr/xlogy and L-BFGS, float32, no grader.check cells, a student-style file name, a
  slow but correct q6), one whose kernel dies on the first try (retried, full marks), one
  that raises, one that loops (stopped by the per-cell limit), one whose q6 never returns
  (only q6's tests that call it are lost) and a corrupt file: each loses exactly what it
  breaks, with a reason, and the batch finishes;
- gradebook.csv, canvas.csv, the hand-grading pages and the HAND merge;
- the zip grades in a fresh pip virtual environment built from its own requirements;
- the student notebooks and pages hold no solution line and no hidden test;
- a committed student notebook or page that differs from what its master generates fails.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
import types
import zipfile
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
FEW_KINDS = ["full", "blank", "one_bug"]
CELL_TIMEOUT = 30  # generous: a legitimate cell takes < 2 s of CPU, this machine may be 8x shared
JOBS = 4  # above the 2 cores of CI: the load test


def _all_kinds(name):
    """Every fixture of fixtures.yml for ``name`` (but the public ones), with full/blank."""
    kinds = yaml.safe_load(assignments.FIXTURES_SPEC.read_text())[name]
    return ["full", "blank", *[k for k in kinds if k != "public"], "corrupt"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every master built with otter assign into a temporary _build/assignments."""
    root = tmp_path_factory.mktemp("assignments")
    out = {}
    for master in MASTERS:
        out[master.stem] = assignments.build(master, root / master.stem)
    return root, out


def _dies_once(solved: str, flag: Path) -> str:
    """The solutions, with a cell that kills its kernel the first time it runs."""
    nb = nbformat.reads(solved, as_version=4)
    kill = (
        f"import os, pathlib\nflag = pathlib.Path({str(flag)!r})\n"
        "if not flag.exists():\n    flag.touch()\n    os._exit(1)\n"
    )
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(kill))
    return nbformat.writes(nb)


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
        kinds = _all_kinds(name) if i == 0 else FEW_KINDS
        made = assignments.fixtures(name, root / name, root / name / "fixtures")
        for kind in kinds:
            src = root / name / "fixtures" / f"{kind}.ipynb"
            (folder / f"{name}-{kind}.ipynb").write_bytes(src.read_bytes())
            expected[f"{name}-{kind}"] = made[kind]
    first = NAMES[0]
    full = (root / first / "fixtures" / "full.ipynb").read_text()
    auto = expected[f"{first}-full"]
    renamed = f"Grace Hopper - {first} (1)"
    (folder / f"{renamed}.ipynb").write_text(full)
    expected[renamed] = auto
    nb = nbformat.reads(full, as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.startswith("grader.check")]
    (folder / f"{first}-no_checks.ipynb").write_text(nbformat.writes(nb))
    expected[f"{first}-no_checks"] = auto
    flag = tmp_path_factory.mktemp("flag") / "died"
    (folder / f"{first}-dies_once.ipynb").write_text(_dies_once(full, flag))
    expected[f"{first}-dies_once"] = auto
    out = folder / "grades.csv"
    t0 = time.perf_counter()
    rows = assignments.grade(folder, out, jobs=JOBS, cell_timeout=CELL_TIMEOUT, progress=False)
    print(
        f"graded {len(expected)} submissions with JOBS={JOBS} in {time.perf_counter() - t0:.0f} s"
    )
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
    students = [
        s
        for s in expected
        if s.startswith(f"{name}-") or (name == NAMES[0] and s.startswith("Grace Hopper"))
    ]
    assert len(students) == (13 if name == NAMES[0] else 3), students
    for student in students:
        kind = student.rsplit("-", 1)[-1]
        got = {r["question"]: r for r in rows if r["student"] == student}
        assert set(got) == {q["name"] for q in questions}, (student, got)
        for q in auto:
            want = expected[student]["scores"][q["name"]]
            assert float(got[q["name"]]["score"]) == pytest.approx(want), (
                f"{student} {q['name']}: {got[q['name']]}, expected {want}"
            )
            assert float(got[q["name"]]["max"]) == q["points"]
            assert got[q["name"]]["assignment"] == name
            if want < q["points"]:
                assert got[q["name"]]["reason"], f"{student} {q['name']}: no reason given"
        for q in questions:
            if q["manual"] and kind != "corrupt":
                assert got[q["name"]]["score"] == "" and "by hand" in got[q["name"]]["reason"]


def test_fixture_folder_csv(graded):
    """The CSV of the fixture folder: columns, one row per student and question, reasons."""
    rows, expected, out = graded
    raw = out.read_bytes()
    assert b"\r\n" not in raw, "grades.csv has CRLF line endings"
    with out.open() as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["student", "assignment", "question", "score", "max", "reason"]
        on_disk = list(reader)
    assert len(on_disk) == len(rows) and {r["student"] for r in on_disk} == set(expected)
    first = NAMES[0]
    reasons = {(r["student"], r["question"]): r["reason"] for r in on_disk}
    spec = yaml.safe_load(assignments.FIXTURES_SPEC.read_text())[first]
    raise_q, loop_q = spec["raises"]["question"], spec["loops"]["question"]
    assert "raised RuntimeError" in reasons[(f"{first}-raises", raise_q)]
    assert f"longer than {CELL_TIMEOUT} s" in reasons[(f"{first}-loops", loop_q)]
    slow_q = spec["too_slow"]["question"]
    assert "longer than" in reasons[(f"{first}-too_slow", slow_q)]
    corrupt = [r for r in on_disk if r["student"] == f"{first}-corrupt"]
    assert corrupt and all("not a valid notebook" in r["reason"] for r in corrupt)
    for kind in ("full", "slow", "alt_xlogy", "alt_float32", "no_checks"):
        full = [r for r in on_disk if r["student"] == f"{first}-{kind}"]
        assert full and all(r["reason"] in ("", "graded by hand") for r in full), full
    died = [
        r
        for r in on_disk
        if r["student"] == f"{first}-dies_once" and r["reason"] != "graded by hand"
    ]
    assert died and all(
        "graded on a second try" in r["reason"] and "Kernel died" in r["reason"] for r in died
    ), died
    for r in on_disk:
        assert not re.search(r"\.\d{3}", r["score"]), f"more than two decimals: {r}"


def test_gradebook_roster_hand_pages_and_merge(graded, built, tmp_path, monkeypatch):
    """gradebook.csv: one row per student, two decimals, pending, roster ids; canvas.csv;
    one HTML page per written question; a filled-in hand.csv merged."""
    rows, expected, _ = graded
    root, _ = built
    monkeypatch.setattr(assignments, "BUILD", root)
    folder = tmp_path / "subs"
    folder.mkdir()
    first = NAMES[0]
    src = root / first / "fixtures"
    shutil.copy(src / "full.ipynb", folder / f"Grace Hopper - {first} (1).ipynb")
    shutil.copy(src / "one_bug.ipynb", folder / "ada.ipynb")
    shutil.copy(src / "blank.ipynb", folder / "zz_unlisted.ipynb")
    mine = [
        r
        for r in rows
        if r["student"] in (f"Grace Hopper - {first} (1)", f"{first}-one_bug", f"{first}-blank")
    ]
    rename = {f"{first}-one_bug": "ada", f"{first}-blank": "zz_unlisted"}
    mine = [{**r, "student": rename.get(r["student"], r["student"])} for r in mine]
    third = [r for r in mine if r["student"] == "ada" and r["question"] == "q3"]
    third[0]["score"] = 4 / 3  # a partial score: printed with two decimals
    roster = tmp_path / "roster.csv"
    roster.write_text("pattern,id,name\ngrace hopper*,gh01,Grace Hopper\nada,al02,Ada Lovelace\n")
    made = assignments.report(folder, mine, folder, roster)
    text = made["gradebook"].read_bytes()
    assert b"\r" not in text
    book = list(csv.DictReader(made["gradebook"].open()))
    questions = json.loads((root / first / "questions.json").read_text())
    manual = [q["name"] for q in questions if q["manual"]]
    assert [b["id"] for b in book] == ["gh01", "al02", "zz_unlisted"]
    by = {b["id"]: b for b in book}
    assert by["gh01"]["name"] == "Grace Hopper" and by["gh01"]["assignment"] == first
    total = sum(q["points"] for q in questions if not q["manual"])
    assert float(by["gh01"]["total"]) == total and float(by["gh01"]["max"]) == sum(
        q["points"] for q in questions
    )
    assert all(by[i][q] == "pending" for i in by for q in manual), "hand questions: pending"
    assert by["gh01"]["pending"] == " ".join(manual)
    assert by["al02"]["q3"] == "1.33"
    assert by["zz_unlisted"]["total"] == "0" and by["zz_unlisted"]["q1"] == "0"
    canvas = list(csv.DictReader(made["canvas"].open()))
    assert list(canvas[0])[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[0]["SIS User ID"] == "gh01"
    # one page per written question, with every student's answer
    (page,) = made["pages"]
    html_text = page.read_text()
    assert html_text.count("<section") == 3 and "Grace Hopper (gh01)" in html_text
    assert "(no answer)" in html_text  # the blank notebook
    sheet = folder / "hand" / "hand.csv"
    filled = sheet.read_text().replace(
        f"ada,{first},{manual[0]},,", f"ada,{first},{manual[0]},2.5,clear"
    )
    hand = tmp_path / "hand.csv"
    hand.write_text(filled)
    assignments.report(folder, mine, folder, roster, hand)
    book = {b["id"]: b for b in csv.DictReader((folder / "gradebook.csv").open())}
    assert book["al02"][manual[0]] == "2.5" and book["al02"]["pending"] == ""
    assert book["gh01"][manual[0]] == "pending"
    assert "2.5,clear" in sheet.read_text(), "a second run keeps the scores entered"


def test_fresh_pip_environment_grades_with_the_zip_alone(built, tmp_path, monkeypatch):
    """The zip's own requirements, pip-installed into a new venv (as Gradescope's setup
    does, without conda), grade the solutions to full marks and the blank to 0; divlib
    comes from the zip (it is not installed there).

    PyTorch's CPU index, which the zip names for Gradescope, is out of reach here: its
    line is dropped and torch comes from this machine's pip configuration. The venv is
    kept in _build/assignments/zipenv-<hash of the requirements> and rebuilt only when
    they change (a cold build took 7 min 50 s on a loaded 2-core machine).
    """
    root, made = built
    name = NAMES[0]
    with zipfile.ZipFile(made[name]["zip"]) as zf:
        env = yaml.safe_load(zf.read("environment.yml"))
        names = zf.namelist()
    assert "files/divlib/__init__.py" in names
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = {re.split(r"[=\[]", r)[0].lower(): r for r in pip if not r.startswith("-")}
    lock = assignments._lock()
    for pkg in ("numpy", "scipy", "torch", "pot", "otter-grader"):
        assert pkg in pins and pins[pkg].endswith("==" + lock[pkg]), (pkg, pins.get(pkg))
    assert f"--extra-index-url {assignments.TORCH_CPU_INDEX}" in pip
    assert all("==" in r for r in pip if not r.startswith("-")), "every requirement pinned"
    reqs = [r for r in pip if "download.pytorch.org" not in r]
    key = hashlib.sha256("\n".join(reqs).encode()).hexdigest()[:12]
    venv = ROOT / "_build" / "assignments" / f"zipenv-{key}"
    python = venv / "bin" / "python"
    if not (venv / "ok").exists():
        shutil.rmtree(venv, ignore_errors=True)
        (tmp_path / "req.txt").write_text("\n".join(reqs) + "\n")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--no-compile",
                "-r",
                str(tmp_path / "req.txt"),
            ],
            check=True,
        )
        (venv / "ok").write_text(f"{time.perf_counter() - t0:.0f} s\n")
    probe = subprocess.run(
        [str(python), "-c", "import divlib"], cwd=tmp_path, capture_output=True, check=False
    )
    assert probe.returncode != 0, "divlib must come from the zip, not from the venv"
    monkeypatch.setattr(assignments, "BUILD", root)
    folder = tmp_path / "subs"
    folder.mkdir()
    # its own fixtures (the same files the graded batch writes), so it also runs alone
    assignments.fixtures(name, root / name, root / name / "fixtures")
    for kind in ("full", "blank"):
        shutil.copy(root / name / "fixtures" / f"{kind}.ipynb", folder / f"{kind}.ipynb")
    rows = assignments.grade(
        folder,
        folder / "grades.csv",
        jobs=2,
        cell_timeout=CELL_TIMEOUT,
        progress=False,
        python=str(python),
    )
    auto = [q for q in json.loads((root / name / "questions.json").read_text()) if not q["manual"]]
    got = {(r["student"], r["question"]): r for r in rows}
    for q in auto:
        assert float(got[("full", q["name"])]["score"]) == q["points"], got[("full", q["name"])]
        assert float(got[("blank", q["name"])]["score"]) == 0


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
    exec(compile(src, "setup", "exec"), ns)
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    raw = url.replace("github.com", "raw.githubusercontent.com")
    assert fetched == [f"{raw}/main/assignments/student/{name}.ipynb"]
    assert (tmp_path / "tests" / "q1.py").exists()
    exec("import numpy as np\ndef entropy(p):\n    return 0.0\n", ns)
    result = ns["grader"].check("q1", ns)
    assert not result.passed_all
    right = (
        "def entropy(p):\n    p = np.asarray(p, dtype=float)\n"
        "    if p.min() < 0 or abs(p.sum() - 1) > 1e-9:\n"
        "        raise ValueError('p is not a distribution')\n"
        "    return float(-(p[p > 0] * np.log(p[p > 0])).sum())\n"
    )
    exec(right, ns)
    assert ns["grader"].check("q1", ns).passed_all


def test_setup_cells_agree_but_for_the_notebook_name(built):
    """Every assignment's setup cell is the same code (one fix reaches all four)."""
    _, made = built
    cells = {
        name: _setup_cell(nbformat.read(made[name]["student"], as_version=4)).replace(
            f"{name}.ipynb", "NAME.ipynb"
        )
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
    rows = assignments.grade(
        folder, folder / "grades.csv", jobs=1, cell_timeout=60, notebook_timeout=10, progress=False
    )
    auto = [r for r in rows if r["reason"] != "graded by hand" and r["score"] != ""]
    assert auto and all(r["score"] == 0 for r in auto)
    assert all("longer than the 10 s limit (also on a second try)" in r["reason"] for r in auto)


def test_notebook_limit_scales_with_the_questions():
    one = [{"name": "q1", "manual": False}]
    six = one * 6 + [{"name": "q7", "manual": True}]
    assert assignments.notebook_limit(six) - assignments.notebook_limit(one) == (
        5 * assignments.NOTEBOOK_TIMEOUT_PER_QUESTION
    )
    assert assignments.notebook_limit(six, 42) == 42


def test_grader_check_from_another_working_directory(built, tmp_path, monkeypatch):
    """A kernel started outside the notebook's folder: the setup cell finds the notebook
    where Jupyter says it is (JPY_SESSION_NAME), or stops with what to do."""
    from IPython.core.inputtransformer2 import TransformerManager

    _, made = built
    name = NAMES[0]
    folder = tmp_path / "course" / "week1"
    folder.mkdir(parents=True)
    student = folder / f"{name}.ipynb"
    shutil.copy(made[name]["student"], student)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    src = TransformerManager().transform_cell(_setup_cell(nbformat.read(student, 4)))
    src = src.replace("get_ipython().run_line_magic", "(lambda *a: None)")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(FileNotFoundError, match=r"os\.chdir"):
        exec(compile(src, "setup", "exec"), {})
    monkeypatch.setenv("JPY_SESSION_NAME", str(student))
    ns = {}
    exec(compile(src, "setup", "exec"), ns)
    exec("import numpy as np\ndef entropy(p):\n    return 0.0\n", ns)
    assert not ns["grader"].check("q1", ns).passed_all
