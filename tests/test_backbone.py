"""The backbone: toc, paired notebooks, pinned environment, nbval as a real regression test."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402  (scripts/notebooks.py)

sys.path.pop(0)


def _requirement_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)", line)
        assert m, f"{path.name}: '{line}' is not pinned with =="
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-"):
                continue
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(==|=)\s*([^\s=]+)", item)
            if m:
                pins[m.group(1).lower().replace("_", "-")] = m.group(3)
            else:
                pins[item.lower()] = None
    return pins


# -- environment ------------------------------------------------------------------


def test_requirements_are_all_pinned_and_locked():
    req = _requirement_pins(ROOT / "requirements.txt")
    lock = _requirement_pins(ROOT / "constraints.txt")
    for name, version in req.items():
        assert lock.get(name) == version, (
            f"requirements.txt pins {name}=={version} but constraints.txt has "
            f"{lock.get(name)}: run `make lock`"
        )
    assert req["jupyter-book"].startswith("1."), "Jupyter Book must stay on 1.x"
    assert "+" not in req["torch"], "pin torch without a local tag (+cpu) so any index serves it"


def test_environment_yml_matches_requirements():
    req = _requirement_pins(ROOT / "requirements.txt")
    env = _environment_pins()
    assert env.get("python", "").startswith("3.11")
    for name, version in env.items():
        if name in ("python", "pip"):
            continue
        assert name in req, f"environment.yml lists {name}, which requirements.txt does not pin"
        assert version == req[name], (
            f"environment.yml has {name}={version}, requirements.txt has {req[name]}"
        )
    runtime = ["numpy", "scipy", "matplotlib", "torch", "tqdm", "ipykernel"]
    missing = [n for n in runtime if n not in env]
    assert not missing, f"environment.yml lacks the runtime packages {missing}"
    text = (ROOT / "environment.yml").read_text()
    assert "whl/cpu" in text, "Binder must install the CPU-only torch wheel"


def test_test_extra_lists_the_test_only_packages():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = {re.split(r"[<>=! ]", d)[0].lower() for d in meta["optional-dependencies"]["test"]}
    assert {"pytest", "hypothesis", "nbval"} <= extra
    runtime = {re.split(r"[<>=! ]", d)[0].lower() for d in meta["dependencies"]}
    # POT is divlib's exact OT solver (a runtime dependency); torch stays optional.
    assert "pot" in runtime and "torch" not in runtime


def test_divlib_import_does_not_import_torch_or_pot():
    code = "import sys, divlib; print('torch' in sys.modules, 'ot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- table of contents and paired notebooks ---------------------------------------


def test_every_toc_entry_exists():
    for entry in notebooks.toc_files():
        path = ROOT / entry
        candidates = (
            [path] if path.suffix else [path.with_suffix(".md"), path.with_suffix(".ipynb")]
        )
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"


def test_every_chapter_file_is_in_the_toc():
    listed = set()
    for entry in notebooks.toc_files():
        p = ROOT / entry
        listed.add(p if p.suffix else p.with_suffix(".md"))
    for md in sorted((ROOT / "book").glob("*.md")):
        paired = md.with_suffix(".ipynb")
        if md in notebooks.paired_sources():
            assert paired in listed, f"{paired.relative_to(ROOT)} is not in _toc.yml"
        else:
            assert md in listed, f"{md.relative_to(ROOT)} is not in _toc.yml"
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        assert nb in listed, f"{nb.relative_to(ROOT)} is not in _toc.yml"
        assert nb.with_suffix(".md").exists(), f"{nb.name} has no paired .md source"


def test_toc_notebooks_are_paired_and_executed():
    nbs = notebooks.toc_notebooks()
    assert nbs, "no notebook in _toc.yml"
    for nb in nbs:
        md = nb.with_suffix(".md")
        assert md in notebooks.paired_sources(), f"{nb.name} has no jupytext .md source"
        assert notebooks.drift(md) is None, notebooks.drift(md)
        assert notebooks.missing_outputs(nb) == [], f"{nb.name} has unexecuted cells: make sync"


def test_drift_is_detected(tmp_path, monkeypatch):
    """The pairing check fails when the .md is edited and the .ipynb is not."""
    book = tmp_path / "book"
    book.mkdir()
    for suffix in (".md", ".ipynb"):
        shutil.copy(ROOT / "book" / f"entropy{suffix}", book / f"entropy{suffix}")
    monkeypatch.setattr(notebooks, "ROOT", tmp_path)
    monkeypatch.setattr(notebooks, "BOOK", book)
    md = book / "entropy.md"
    assert notebooks.drift(md) is None
    md.write_text(
        md.read_text().replace("coin = np.array([0.5, 0.5])", "coin = np.array([0.4, 0.6])")
    )
    assert "differ at cell" in notebooks.drift(md)


def test_chapters_install_divlib_from_the_configured_repository():
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    for md in notebooks.paired_sources():
        text = md.read_text()
        urls = re.findall(r"git\+(https://\S+?)[\"']", text)
        assert urls, f"{md.name} lacks the Colab install cell"
        assert set(urls) == {url}, f"{md.name} installs from {urls}, _config.yml says {url}"


# -- nbval is a real regression test ------------------------------------------------


def _run_nbval(nb: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "nbval_sanitize.cfg"),
            str(nb),
        ],
        capture_output=True,
        text=True,
        cwd=nb.parent,
    )


def test_nbval_fails_when_a_stored_number_changes(tmp_path):
    src = ROOT / "book" / "entropy.ipynb"
    nb = nbformat.read(src, as_version=4)
    target = "H(uniform) = 1.609438"
    hits = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "stream" and target in o.get("text", "")
    ]
    assert hits, f"the stored outputs of {src.name} no longer print {target!r}"
    hits[0]["text"] = hits[0]["text"].replace(target, "H(uniform) = 1.609439")
    tampered = tmp_path / "entropy.ipynb"
    nbformat.write(nb, tampered)
    result = _run_nbval(tampered)
    assert result.returncode != 0, "nbval passed a notebook whose stored output was changed"
    assert "1.609439" in result.stdout


# -- site configuration -----------------------------------------------------------------


def test_config_builds_only_toc_files_and_serves_mathjax_locally():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["only_build_toc_files"] is True
    assert ".venv" in cfg["exclude_patterns"] and "_build" in cfg["exclude_patterns"]
    assert not cfg["sphinx"]["config"]["mathjax_path"].startswith("http")
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import offline_mathjax
    finally:
        sys.path.pop(0)
    assert (offline_mathjax.mathjax_source() / "tex-mml-chtml.js").stat().st_size > 100_000
