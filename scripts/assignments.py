"""Course assignments: generate them with otter-grader, check drift, grade a folder.

Each assignment has one master, ``assignments/masters/<name>.md`` (a MyST notebook in
otter-grader's master format: solutions and every test, hidden ones included). From it::

    python scripts/assignments.py generate [NAME ...]   # student notebooks, pages, autograders
    python scripts/assignments.py check                  # fail if a committed file has drifted
    python scripts/assignments.py grade DIR [--jobs N] [--out grades.csv]
    python scripts/assignments.py fixtures NAME DIR      # test submissions: full, blank, ...

``generate`` writes, for each master,

- ``assignments/student/<name>.ipynb``: the student notebook (committed: Binder and Colab
  open it from the repository), solutions replaced by ``...``, hidden tests removed, the
  public tests stored in its metadata so one downloaded file still has ``grader.check``;
- ``book/assignments/<name>.md``: the site's page (questions and skeletons, no solution,
  no test), with a download link and Binder/Colab launch links built from
  ``repository.url`` in ``_config.yml``;
- ``_build/assignments/<name>/``: ``autograder.zip`` (every test), the solved notebook,
  ``questions.json`` (names, points, manual or not) and fixture submissions. Never
  committed.

``grade`` runs otter's autograder (``otter run``, without Docker) on every ``*.ipynb`` of a
folder, in parallel, each notebook in its own process with a per-cell and a per-notebook
time limit, and writes one CSV row per student and question: ``student, question, score,
max, reason``. The assignment of each submission is read from its setup cell
(``NOTEBOOK = "<name>.ipynb"``), so a folder may mix assignments. A notebook that raises,
loops or is not valid JSON gets 0 for what it breaks, with the reason; the batch goes on.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MASTERS = ROOT / "assignments" / "masters"
STUDENT = ROOT / "assignments" / "student"
PAGES = ROOT / "book" / "assignments"
BUILD = ROOT / "_build" / "assignments"
FIXTURES_SPEC = ROOT / "assignments" / "fixtures.yml"
#: A legitimate cell of our assignments runs in a second or two: a cell that runs longer
#: than this is stopped (and its question scores 0). The notebook limit is a backstop.
CELL_TIMEOUT = 60
FIELDS = ["student", "assignment", "question", "score", "max", "reason"]


def masters() -> list[Path]:
    return sorted(MASTERS.glob("*.md"))


def _config() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "_config.yml").read_text())


# -- generate ----------------------------------------------------------------------------


def _questions(master_nb) -> list[dict]:
    """Name, points and manual flag of every question, from the master's raw cells."""
    import yaml

    out = []
    for cell in master_nb.cells:
        src = cell.source.strip()
        if cell.cell_type == "raw" and src.startswith("# BEGIN QUESTION"):
            cfg = yaml.safe_load(src.split("\n", 1)[1])
            out.append(
                {
                    "name": cfg["name"],
                    "points": cfg.get("points", 1),
                    "manual": bool(cfg.get("manual", False)),
                }
            )
    return out


def _stabilise(nb, stem: str) -> None:
    """Deterministic output: stable cell ids, no jupytext metadata, no outputs."""
    nb.metadata.pop("jupytext", None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{stem}-{i:03d}"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def build(master: Path, out: Path) -> dict[str, Path]:
    """Run otter assign on ``master`` into ``out``; return the paths of what it made."""
    import jupytext
    import nbformat

    name = master.stem
    if out.exists():
        shutil.rmtree(out)
    work = out / "master"
    work.mkdir(parents=True)
    nb = jupytext.read(master)
    graded = _self_contained(nb, work)
    nbformat.write(graded, work / f"{name}.ipynb")
    dist = out / "dist"
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "otter"),
            "assign",
            "--no-run-tests",
            f"{name}.ipynb",
            str(dist),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"otter assign failed on {master.name}:\n{proc.stdout}{proc.stderr}")
    student = nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4)
    _stabilise(student, name)
    student_path = out / f"{name}.ipynb"
    nbformat.write(student, student_path)
    (zip_path,) = (dist / "autograder").glob("*.zip")
    shutil.copy(zip_path, out / "autograder.zip")
    solved = out / "solved.ipynb"
    shutil.copy(dist / "autograder" / f"{name}.ipynb", solved)
    (out / "questions.json").write_text(json.dumps(_questions(nb), indent=1))
    page = out / f"{name}.md"
    page.write_text(page_text(student, name))
    return {
        "student": student_path,
        "page": page,
        "zip": out / "autograder.zip",
        "solved": solved,
        "questions": out / "questions.json",
    }


#: What the hidden tests import, with everything it needs, pinned from the lock.
GRADING_ROOTS = ["otter-grader[grading]", "numpy", "scipy", "torch", "POT"]
#: Gradescope and otter's Docker image pip-install the zip's requirements from PyPI, where
#: torch on Linux is a CUDA build of several GB: take the CPU build from PyTorch's index.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _lock() -> dict[str, str]:
    """name (normalised) -> pinned version, from constraints.txt."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


def grading_requirements() -> list[str]:
    """Every distribution grading imports (transitively), each pinned from the lock.

    The closure is read from the installed metadata of this environment (Linux, this
    Python), so the zip installs exactly what ``make test`` grades with.
    """
    import importlib.metadata as md

    from packaging.requirements import Requirement

    pins = _lock()

    def norm(n: str) -> str:
        return re.sub(r"[-_.]+", "-", n).lower()

    seen: dict[str, str] = {}
    todo = [Requirement(r) for r in GRADING_ROOTS]
    while todo:
        req = todo.pop()
        key = norm(req.name)
        if key in seen and not req.extras:
            continue
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            continue  # an optional dependency this platform does not install
        seen[key] = dist.metadata["Name"]
        for spec in dist.requires or []:
            sub = Requirement(spec)
            env = [{"extra": e} for e in (req.extras or {""})]
            if sub.marker is None or any(sub.marker.evaluate(e) for e in env):
                if norm(sub.name) not in seen or sub.extras:
                    todo.append(sub)
    for tool in ("pip", "setuptools", "wheel"):  # pip freeze leaves them out of the lock
        if tool in seen and tool not in pins:
            pins[tool] = md.version(tool)
    missing = sorted(k for k in seen if k not in pins)
    if missing:
        raise RuntimeError(f"not pinned in constraints.txt: {missing} (run `make lock`)")
    extras = {"otter-grader": "[grading]"}
    return sorted(f"{seen[k]}{extras.get(k, '')}=={pins[k]}" for k in seen)


def _self_contained(nb, work: Path):
    """The master with its ASSIGNMENT CONFIG completed for a zip that grades anywhere.

    ``requirements`` pins what grading imports (from the lock; ``overwrite_requirements``
    so otter adds no unpinned copy of itself) and ``files`` carries divlib's source, which
    otter copies next to the submission, where the kernel imports it.
    """
    import copy

    import yaml

    (
        shutil.copytree(
            ROOT / "divlib", work / "divlib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    )
    reqs = [f"--extra-index-url {TORCH_CPU_INDEX}", *grading_requirements()]
    (work / "requirements.txt").write_text("\n".join(reqs) + "\n")
    out = copy.deepcopy(nb)
    cell = next(c for c in out.cells if c.source.startswith("# ASSIGNMENT CONFIG"))
    cfg = yaml.safe_load(cell.source.split("\n", 1)[1]) or {}
    cfg.update(
        {
            "requirements": "requirements.txt",
            "overwrite_requirements": True,
            "files": ["divlib"],
            # the lock is resolved for this Python: the grading image uses the same
            "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
        }
    )
    cell.source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(cfg, sort_keys=False)
    return out


def _repo() -> tuple[str, str, str, str]:
    cfg = _config()
    url = cfg["repository"]["url"].rstrip("/")
    owner_repo = url.split("github.com/", 1)[1]
    branch = cfg["repository"].get("branch", "main")
    binder = cfg["launch_buttons"]["binderhub_url"].rstrip("/")
    colab = cfg["launch_buttons"]["colab_url"].rstrip("/")
    return owner_repo, branch, binder, colab


def launch_links(name: str) -> dict[str, str]:
    owner_repo, branch, binder, colab = _repo()
    path = f"assignments/student/{name}.ipynb"
    return {
        "binder": f"{binder}/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{path}",
        "colab": f"{colab}/github/{owner_repo}/blob/{branch}/{path}",
    }


def page_text(student_nb, name: str) -> str:
    """The site's page for one assignment, from its student notebook (no solutions)."""
    links = launch_links(name)
    cells = student_nb.cells
    title, _, intro = cells[0].source.partition("\n")
    out = [
        (
            f"<!-- Generated by `make assignments` from assignments/masters/{name}.md: "
            "do not edit. -->"
        ),
        "",
        f"(assignments-{name})=",
        title,
        "",
        "```{admonition} Work on this assignment",
        ":class: tip",
        "",
        (
            f"- **Download** the notebook: {{download}}`{name}.ipynb "
            f"<../../assignments/student/{name}.ipynb>`, and open it in Jupyter;"
        ),
        f"- or open it on **Binder**: <{links['binder']}>;",
        f"- or open it on **Colab**: <{links['colab']}>.",
        "",
        'Run its first cell, then `grader.check("q1")` after each answer. Hand in the',
        "`.ipynb` file. See {ref}`assignments-index` for how grading works.",
        "```",
        "",
        intro.strip(),
        "",
    ]
    for cell in cells[1:]:
        src = cell.source.strip()
        if cell.cell_type == "markdown":
            src = re.sub(r"<!-- (BEGIN|END) QUESTION -->\n*", "", src).strip()
            if src and not src.startswith("---\n\nTo double-check"):
                out += [src, ""]
        elif cell.cell_type == "code":
            if src.startswith(("# Setup:", "grader.check")):
                continue
            out += ["```python", src, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def apply_edits(text_nb, case: dict, where: str):
    """The notebook (nbformat) with the text replacements of one fixture applied.

    ``case`` has ``old``/``new`` or a list ``edits`` of them; each ``old`` must occur
    exactly once in the notebook.
    """
    import nbformat

    nb = nbformat.reads(text_nb, as_version=4)
    edits = case.get("edits") or [{"old": case["old"], "new": case["new"]}]
    for e in edits:
        hits = [c for c in nb.cells if e["old"] in c.source]
        if len(hits) != 1 or hits[0].source.count(e["old"]) != 1:
            raise ValueError(
                f"fixtures.yml: {where}: {e['old'][:50]!r} must occur exactly "
                f"once in the solved notebook (found {len(hits)})"
            )
        hits[0].source = hits[0].source.replace(e["old"], e["new"])
    return nb


def fixtures(name: str, build_dir: Path, dest: Path) -> dict[str, dict]:
    """Write test submissions for ``name`` into ``dest``; return what each should score.

    full (the solutions), blank (the student notebook), corrupt (not JSON), and every
    entry of assignments/fixtures.yml but ``public`` (text replacements in the solved
    notebook, the question they affect, or null for a correct variant, and the score it
    keeps, 0 by default).
    """
    import nbformat
    import yaml

    spec = yaml.safe_load(FIXTURES_SPEC.read_text())[name]
    questions = json.loads((build_dir / "questions.json").read_text())
    auto = {q["name"]: q["points"] for q in questions if not q["manual"]}
    dest.mkdir(parents=True, exist_ok=True)
    solved_text = (build_dir / "solved.ipynb").read_text()
    expected = {}

    def write(stem, text, scores, why=""):
        (dest / f"{stem}.ipynb").write_text(text)
        expected[stem] = {"scores": scores, "reason": why}

    write("full", solved_text, dict(auto))
    write("blank", (build_dir / f"{name}.ipynb").read_text(), {q: 0 for q in auto})
    for kind, case in spec.items():
        if kind == "public":
            continue
        nb = apply_edits(solved_text, case, f"{name}.{kind}")
        scores = dict(auto)
        if case.get("question"):
            scores[case["question"]] = case.get("score", 0)
        write(kind, nbformat.writes(nb), scores, case.get("reason", ""))
    write(
        "corrupt",
        solved_text[: len(solved_text) // 2],
        {q: 0 for q in auto},
        "not a valid notebook",
    )
    return expected


def generate(names: list[str] | None = None) -> list[Path]:
    """Build every (or the named) assignment and refresh the committed files."""
    written = []
    for master in masters():
        if names and master.stem not in names:
            continue
        out = BUILD / master.stem
        made = build(master, out)
        for kind, dest_dir in (("student", STUDENT), ("page", PAGES)):
            dest_dir.mkdir(parents=True, exist_ok=True)
            dest = dest_dir / made[kind].name
            shutil.copy(made[kind], dest)
            written.append(dest)
        fixtures(master.stem, out, out / "fixtures")
        print(
            f"{master.stem}: {made['student'].relative_to(ROOT)}, autograder "
            f"{made['zip'].relative_to(ROOT)}"
        )
    return written


def ensure_built() -> None:
    """Autograders in _build/assignments, rebuilt when a master is newer (no commit files)."""
    for master in masters():
        out = BUILD / master.stem
        zip_path = out / "autograder.zip"
        newest = max(master.stat().st_mtime, FIXTURES_SPEC.stat().st_mtime)
        if zip_path.exists() and zip_path.stat().st_mtime >= newest:
            continue
        build(master, out)
        fixtures(master.stem, out, out / "fixtures")
        print(f"{master.stem}: autograder {zip_path.relative_to(ROOT)}")


def drift() -> list[str]:
    """Committed student notebooks and pages that differ from what generate makes."""
    problems = []
    names = {m.stem for m in masters()}
    with tempfile.TemporaryDirectory() as tmp:
        for master in masters():
            made = build(master, Path(tmp) / master.stem)
            for kind, dest_dir in (("student", STUDENT), ("page", PAGES)):
                committed = dest_dir / made[kind].name
                if not committed.exists():
                    problems.append(
                        f"{committed.relative_to(ROOT)} is missing: run `make assignments`"
                    )
                elif committed.read_bytes() != made[kind].read_bytes():
                    problems.append(
                        f"{committed.relative_to(ROOT)} differs from what "
                        f"{master.relative_to(ROOT)} generates: run "
                        "`make assignments` and commit"
                    )
    for nb in sorted(STUDENT.glob("*.ipynb")):
        if nb.stem not in names:
            problems.append(f"{nb.relative_to(ROOT)} has no master in assignments/masters/")
    return problems


# -- grade -------------------------------------------------------------------------------


def assignment_of(path: Path) -> str | None:
    """The assignment a submission belongs to (its setup cell's NOTEBOOK), or None."""
    text = path.read_text(errors="replace")
    m = re.search(r'NOTEBOOK = \\"(\w+)\.ipynb\\"', text)
    if m:
        return m.group(1)
    # the setup cell was deleted: recognise the assignment by its title
    for master in masters():
        title = next(
            (ln for ln in master.read_text().splitlines() if ln.startswith("# Assignment ")), None
        )
        if title and json.dumps(title)[1:-1] in text:
            return master.stem
    return None


def _question_of_cells(nb) -> list[str | None]:
    """For each cell, the question whose grader.check comes next (None before the first)."""
    labels, current = [None] * len(nb.cells), None
    for i in range(len(nb.cells) - 1, -1, -1):
        m = re.match(r'grader\.check\("(\w+)"\)', nb.cells[i].source.strip())
        if m:
            current = m.group(1)
        labels[i] = current
    first = next(
        (
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and c.source.startswith("## Question")
        ),
        0,
    )
    return [None if i < first else q for i, q in enumerate(labels)]


GRADING_TAG = "divergences-autograder"
#: Added after the submission's own cells: every test case runs under an alarm inside the
#: kernel, so a slow test costs its case (and so its question) only; a question whose
#: tests are interrupted anyway is recorded as failed, so otter's export cell does not run
#: them a second time (which would time out too and lose every question).
_HARNESS = """\
# autograder harness (added at grading time, not part of the submission)
import signal as _signal_ag
import otter.test_files.ok_test as _ok_ag
from otter.execute import Checker as _Checker_ag
from otter.nbmeta_config import NBMetadataConfig as _NBMeta_ag
from otter.test_files import create_test_file as _create_ag
from otter.test_files.abstract_test import TestCaseResult as _Result_ag


def _timed_doctest_ag(name, body, env, _run=_ok_ag.run_doctest, _limit={limit}):
    def alarm(*_):
        # doctest goes on with the next line of the test: stop each of those within 1 s
        _signal_ag.alarm(1)
        raise TimeoutError(f"this test ran longer than the {{_limit}} s limit")

    old = _signal_ag.signal(_signal_ag.SIGALRM, alarm)
    _signal_ag.alarm(_limit)
    try:
        return _run(name, body, env)
    except TimeoutError as err:
        return False, f"TimeoutError: {{err}}"
    finally:
        _signal_ag.alarm(0)
        _signal_ag.signal(_signal_ag.SIGALRM, old)


_ok_ag.run_doctest = _timed_doctest_ag


def _failed_ag(path, why):
    tf = _create_ag(path, _NBMeta_ag())
    tf.test_case_results = [_Result_ag(test_case=c, message=why, passed=False)
                            for c in tf.test_cases]
    _Checker_ag._test_files.append(tf)
"""
_RUN_TESTS = """\
# autograder: the tests of {q} (added at grading time)
try:
    _Checker_ag.check_if_not_already_checked("{path}")
except BaseException as _err_ag:
    _failed_ag("{path}", f"CellTimeoutError: the tests of {q} were stopped ({{_err_ag!r}})")
"""
_CHECK_LINE = re.compile(r"^\s*(grader\.check(_all)?\(.*\)|#.*)?\s*$")


def _test_cases(zip_path: Path) -> dict[str, int]:
    """Question name -> number of test cases, from the autograder zip."""
    import zipfile

    out = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in sorted(zf.namelist()):
            m = re.fullmatch(r"tests/(\w+)\.py", name)
            if m:
                ns: dict = {}
                exec(zf.read(name).decode(), ns)
                out[m.group(1)] = sum(len(s["cases"]) for s in ns["test"]["suites"])
    return out


def prepare_submission(nb, cases: dict[str, int], test_timeout: int):
    """The notebook otter executes: the student's cells, then one cell per question's tests.

    Cells that only call ``grader.check`` are dropped: the autograder runs every test once,
    in its own cell, each case under ``test_timeout`` seconds.
    """
    import nbformat

    for cell, q in zip(nb.cells, _question_of_cells(nb)):
        cell.metadata["autograder_question"] = q  # for the reasons, once the checks are gone
    cells = [
        c
        for c in nb.cells
        if not (
            c.cell_type == "code"
            and "grader.check" in c.source
            and all(_CHECK_LINE.match(ln) for ln in c.source.splitlines())
        )
    ]
    tag = {"tags": [GRADING_TAG]}
    cells.append(nbformat.v4.new_code_cell(_HARNESS.format(limit=int(test_timeout)), metadata=tag))
    for q in cases:
        cells.append(
            nbformat.v4.new_code_cell(
                _RUN_TESTS.format(q=q, path=f"./tests/{q}.py"), metadata={"tags": [GRADING_TAG, q]}
            )
        )
    nb.cells = cells
    return nb


def grade_one(
    zip_path: Path,
    submission: Path,
    out_json: Path,
    cell_timeout: int,
    test_timeout: int | None = None,
) -> None:
    """Grade one notebook with otter (run inside a worker process); write a JSON summary."""
    import nbformat
    import otter.execute
    from traitlets.config import Config

    test_timeout = test_timeout or cell_timeout
    cases = _test_cases(zip_path)

    def timeout_of(cell):
        tags = cell.get("metadata", {}).get("tags", [])
        if GRADING_TAG in tags:
            q = next((t for t in tags if t in cases), None)
            return (cases[q] if q else 1) * test_timeout + 30
        if cell.source.startswith("from otter.execute import Checker"):
            return sum(cases.values()) * test_timeout + 30  # the export cell
        return cell_timeout

    def config():
        c = Config()
        c.ExecutePreprocessor.timeout = cell_timeout
        c.ExecutePreprocessor.timeout_func = timeout_of
        c.ExecutePreprocessor.startup_timeout = 180  # a loaded machine starts kernels slowly
        c.ExecutePreprocessor.interrupt_on_timeout = True
        c.ExecutePreprocessor.error_on_timeout = {
            "ename": "CellTimeoutError",
            "evalue": f"the cell ran longer than the {cell_timeout} s limit and was stopped",
            "traceback": [],
        }
        return c

    otter.execute.Config = config
    import otter.run

    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.read(submission, as_version=4)
        prepared = Path(tmp) / "submission" / submission.name
        prepared.parent.mkdir()
        (Path(tmp) / "out").mkdir()
        nbformat.write(prepare_submission(nb, cases, test_timeout), prepared)
        results = otter.run.main(
            str(prepared), autograder=str(zip_path), output_dir=str(Path(tmp) / "out"), no_logo=True
        )
        raw = json.loads((Path(tmp) / "out" / "results.json").read_text())
    errors: dict[str, list[str]] = {}
    executed = getattr(results, "notebook", None)
    if executed is not None and os.environ.get("AUTOGRADER_KEEP_EXECUTED"):
        nbformat.write(executed, os.environ["AUTOGRADER_KEEP_EXECUTED"])  # for debugging
    if executed is not None:
        for cell in executed.cells:
            q = cell.get("metadata", {}).get("autograder_question")
            src = cell.source.lstrip()
            if src.startswith(("grader.check", "# autograder")):
                continue  # a consequence of an earlier error, not a cause
            for o in cell.get("outputs", []):
                if o.get("output_type") != "error":
                    continue
                if o["ename"] in ("KeyboardInterrupt", "CellTimeoutError"):
                    why = f"a cell ran longer than {cell_timeout} s and was stopped"
                else:
                    why = f"a cell raised {o['ename']}: {o['evalue']}"[:200]
                errors.setdefault(q or "setup", []).append(why)
    summary = {"tests": [], "errors": errors}
    for t in raw.get("tests", []):
        if t.get("score") is None:
            continue
        summary["tests"].append(
            {
                "name": t["name"],
                "score": t["score"],
                "max": t["max_score"],
                "output": t.get("output", ""),
            }
        )
    Path(out_json).write_text(json.dumps(summary))


def _first_failure(output: str) -> str:
    """The most telling line of otter's failure text (an assertion or exception)."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt)(:.*)?$", ln):
            if "NoneType" in ln or "Ellipsis" in ln:
                return f"{ln[:160]} (a function still returns None: not answered?)"
            if ln == "AssertionError":
                continue  # a bare one: look for a more telling line
            return ln[:200]
    return lines[-1][:200] if lines else "a test failed"


#: The per-notebook limit: a base plus this much per autograded question (a submission
#: with more questions may take longer); ``--timeout`` overrides it.
NOTEBOOK_TIMEOUT_BASE = 120
NOTEBOOK_TIMEOUT_PER_QUESTION = 80


def notebook_limit(questions: list[dict], override: int | None = None) -> int:
    if override:
        return int(override)
    auto = sum(1 for q in questions if not q["manual"])
    return NOTEBOOK_TIMEOUT_BASE + NOTEBOOK_TIMEOUT_PER_QUESTION * auto


def _attempt(cmd, out_json: Path, jobs_dir: Path, limit: int) -> str | None:
    """Run one grading process; None on success, else why it failed."""
    out_json.unlink(missing_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # its own process group, so a timeout also ends the kernel it started
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=jobs_dir,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"the notebook ran longer than the {limit} s limit"
    if proc.returncode != 0 or not out_json.exists():
        text = (stderr or stdout).strip()
        if "DeadKernelError" in text or "Kernel died" in text:
            return "the autograder failed: Kernel died (DeadKernelError)"
        tail = (text.splitlines()[-1:] or ["?"])[0].strip()
        return f"the autograder failed: {tail[:200]}"
    return None


def grade_submission(
    path: Path,
    jobs_dir: Path,
    cell_timeout: int,
    notebook_timeout: int | None = None,
    python: str | None = None,
    test_timeout: int | None = None,
) -> list[dict]:
    """Grade one file (in a subprocess, retried once); return its CSV rows. Never raises."""
    path = path.resolve()
    student = path.stem
    name = None
    try:
        import nbformat

        nbformat.read(path, as_version=4)
        name = assignment_of(path)
        problem = None if name else "no assignment setup cell (NOTEBOOK = ...) found"
    except Exception as err:
        first = str(err).split(":", 1)[0].strip().splitlines()[0][:120] if str(err) else ""
        problem = f"not a valid notebook ({type(err).__name__}: {first})"
        name = name or _guess_assignment(path)
    questions = _load_questions(name) if name else []
    if problem is None and not (BUILD / name / "autograder.zip").exists():
        problem = f"no autograder for {name}: run `make assignments`"
    if problem:
        rows = [_row(student, q, 0 if not q["manual"] else "", problem, name) for q in questions]
        return rows or [
            {
                "student": student,
                "assignment": name or "",
                "question": "",
                "score": 0,
                "max": 0,
                "reason": problem,
            }
        ]
    limit = notebook_limit(questions, notebook_timeout)
    out_json = jobs_dir / f"{student}.json"
    cmd = [
        python or sys.executable,
        str(Path(__file__).resolve()),
        "_grade-one",
        str(BUILD / name / "autograder.zip"),
        str(path),
        str(out_json),
        "--cell-timeout",
        str(cell_timeout),
    ]
    if test_timeout:
        cmd += ["--test-timeout", str(test_timeout)]
    # A kernel that dies or a limit hit on a loaded machine is not the student's fault
    # more often than it is: try once more before giving 0.
    first = _attempt(cmd, out_json, jobs_dir, limit)
    note = ""
    if first is not None:
        second = _attempt(cmd, out_json, jobs_dir, limit)
        if second is not None:
            why = (
                f"{second} (also on a second try)"
                if second == first
                else f"{second} (first try: {first})"
            )
            return [_row(student, q, 0 if not q["manual"] else "", why, name) for q in questions]
        note = f"graded on a second try (the first: {first})"
    summary = json.loads(out_json.read_text())
    scores = {t["name"]: t for t in summary["tests"]}
    errors = summary["errors"]
    rows = []
    for q in questions:
        if q["manual"]:
            rows.append(_row(student, q, "", "graded by hand", name))
            continue
        t = scores.get(q["name"])
        score = t["score"] if t else 0
        reason = ""
        if t is None:
            reason = "no result from the autograder"
        elif score < t["max"]:
            found = errors.get(q["name"]) or errors.get("setup")
            reason = "; ".join(found) if found else _first_failure(t["output"])
        if note:
            reason = f"{reason}; {note}" if reason else note
        rows.append(_row(student, q, score, reason, name))
    return rows


def _row(student: str, q: dict, score, reason: str, assignment: str | None = "") -> dict:
    if isinstance(score, float) and score.is_integer():
        score = int(score)
    elif isinstance(score, float):
        score = round(score, 2)
    return {
        "student": student,
        "assignment": assignment or "",
        "question": q["name"],
        "score": score,
        "max": q["points"],
        "reason": reason,
    }


def _load_questions(name: str) -> list[dict]:
    path = BUILD / name / "questions.json"
    return json.loads(path.read_text()) if path.exists() else []


def _guess_assignment(path: Path) -> str | None:
    """For a broken file: the assignment named in it, or the only one there is."""
    m = re.search(r"NOTEBOOK = \\?\"(\w+)\.ipynb", path.read_text(errors="replace"))
    if m:
        return m.group(1)
    names = [m.stem for m in masters()]
    return names[0] if len(names) == 1 else None


def grade(
    folder: Path,
    out: Path,
    jobs: int,
    cell_timeout: int = CELL_TIMEOUT,
    notebook_timeout: int | None = None,
    progress: bool = True,
    python: str | None = None,
    test_timeout: int | None = None,
) -> list[dict]:
    """Grade every notebook in ``folder`` with ``jobs`` workers; write the CSV to ``out``."""
    from tqdm import tqdm

    subs = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if not subs:
        raise SystemExit(f"no .ipynb file in {folder}")
    rows_by = {}
    with tempfile.TemporaryDirectory() as tmp, cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(
                grade_submission, p, Path(tmp), cell_timeout, notebook_timeout, python, test_timeout
            ): p
            for p in subs
        }
        bar = tqdm(
            total=len(subs), desc="grading", unit="nb", disable=not progress, file=sys.stderr
        )
        for fut in cf.as_completed(futures):
            p = futures[fut]
            try:
                rows_by[p] = fut.result()
            except Exception as err:
                rows_by[p] = [
                    {
                        "student": p.stem,
                        "assignment": "",
                        "question": "",
                        "score": 0,
                        "max": 0,
                        "reason": f"grading crashed: {err!r}"[:200],
                    }
                ]
            bar.update(1)
        bar.close()
    rows = [r for p in subs for r in rows_by[p]]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _gradebook_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "grade_gradebook", Path(__file__).resolve().parent / "grade_gradebook.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def report(
    folder: Path,
    rows: list[dict],
    out_dir: Path,
    roster: Path | None = None,
    hand: Path | None = None,
) -> dict[str, Path]:
    """gradebook.csv, canvas.csv and the hand-grading pages next to grades.csv.

    With ``hand``, the scores of that filled-in sheet replace "pending" (and grades.csv is
    rewritten with them).
    """
    import nbformat

    gb = _gradebook_module()
    people = gb.read_roster(roster)
    hand_scores = gb.read_hand(hand)
    rows = gb.merge_hand(rows, hand_scores)
    questions = gb.load_questions(BUILD, {r.get("assignment") for r in rows})
    subs = {}
    for p in sorted(folder.glob("*.ipynb")):
        try:
            nb = nbformat.read(p, as_version=4)
            subs[p.stem] = (assignment_of(p), nb)
        except Exception:
            subs[p.stem] = (_guess_assignment(p), None)
    book = gb.gradebook(rows, questions, people, out_dir / "gradebook.csv")
    gb.canvas(book, out_dir / "canvas.csv")
    pages = gb.hand_pages(subs, questions, out_dir / "hand", people, hand)
    if hand:
        with (out_dir / "grades.csv").open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    unknown = sorted({b["file"] for b in book if people and not b["name"]})
    if unknown:
        print(f"not in the roster (identified by file name): {', '.join(unknown)}")
    return {
        "gradebook": out_dir / "gradebook.csv",
        "canvas": out_dir / "canvas.csv",
        "hand": out_dir / "hand",
        "pages": pages,
    }


# -- command line ------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="student notebooks, pages and autograders")
    g.add_argument("names", nargs="*")
    sub.add_parser("check", help="fail if a committed student notebook or page drifted")
    gr = sub.add_parser("grade", help="grade every .ipynb in a folder into a CSV")
    gr.add_argument("folder", type=Path)
    gr.add_argument("--out", type=Path, default=None, help="default: FOLDER/grades.csv")
    gr.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    gr.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT)
    gr.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="per-notebook limit in seconds (default: "
        f"{NOTEBOOK_TIMEOUT_BASE} + {NOTEBOOK_TIMEOUT_PER_QUESTION} per question)",
    )
    gr.add_argument(
        "--test-timeout",
        type=int,
        default=None,
        help="limit of one test case in seconds (default: the cell limit)",
    )
    gr.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV with columns pattern,id,name (pattern: file name, * and ?)",
    )
    gr.add_argument(
        "--hand",
        type=Path,
        default=None,
        help="a filled-in hand.csv: merge its scores into the gradebook",
    )
    fx = sub.add_parser("fixtures", help="write the test submissions of one assignment")
    fx.add_argument("name")
    fx.add_argument("dest", type=Path)
    one = sub.add_parser("_grade-one")
    one.add_argument("zip", type=Path)
    one.add_argument("submission", type=Path)
    one.add_argument("out_json", type=Path)
    one.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT)
    one.add_argument("--test-timeout", type=int, default=None)
    args = parser.parse_args(argv)

    if args.cmd == "generate":
        generate(args.names or None)
    elif args.cmd == "check":
        problems = drift()
        for p in problems:
            print(p)
        if problems:
            return 1
        print(f"assignments: {len(masters())} student notebooks and pages match their masters")
    elif args.cmd == "grade":
        ensure_built()
        out = args.out or args.folder / "grades.csv"
        rows = grade(
            args.folder,
            out,
            max(1, args.jobs),
            args.cell_timeout,
            args.timeout,
            test_timeout=args.test_timeout,
        )
        students = len({r["student"] for r in rows})
        made = report(args.folder, rows, out.parent, args.roster, args.hand)
        print(
            f"{students} submissions graded: {out}, {made['gradebook']}, "
            f"{made['canvas']}; written answers: {made['hand']}/"
        )
    elif args.cmd == "fixtures":
        fixtures(args.name, BUILD / args.name, args.dest)
        print(f"fixtures in {args.dest}")
    elif args.cmd == "_grade-one":
        grade_one(args.zip, args.submission, args.out_json, args.cell_timeout, args.test_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
