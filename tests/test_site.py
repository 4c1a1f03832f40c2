"""The site checks can fail: the source lint and the real-browser check catch raw TeX.

A tiny book with the same configuration as ours is built with one inline formula wrapped
so that its second line starts with ``+ `` (the cause of the raw TeX readers met in five
places); the lint flags the source, and the browser check, run on the built page, reports
raw TeX. The same page with the formula kept on one line passes both.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import browser_check  # noqa: E402
import lint_sources  # noqa: E402

sys.path.pop(0)

WRAPPED = """# A page

The divergence of products splits:
$\\mathrm{KL}(p_1 \\otimes p_2 \\,\\|\\, q_1 \\otimes q_2) = \\mathrm{KL}(p_1 \\,\\|\\, q_1)
+ \\mathrm{KL}(p_2 \\,\\|\\, q_2)$, for any two pairs.
"""
ONE_LINE = WRAPPED.replace("q_1)\n+ ", "q_1) + ")


# -- the source lint -------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["+ ", "- ", "* ", "> ", "1. "])
def test_lint_flags_an_inline_formula_wrapped_onto_a_block_marker(marker):
    text = WRAPPED.replace("\n+ ", f"\n{marker}")
    problems = lint_sources.lint_text(text, "page.md")
    assert len(problems) == 1 and "page.md:5" in problems[0], problems


def test_lint_accepts_the_same_formula_on_one_line_and_display_math():
    assert lint_sources.lint_text(ONE_LINE) == []
    display = "Text\n\n$$\na = b\n+ c\n$$\n\nmore $x$ text\n- a list item\n"
    assert lint_sources.lint_text(display) == []


def test_lint_ignores_code_cells_but_reads_prose_directives():
    code = "```{code-cell} ipython3\nx = '$a'\n+ 1\n```\n"
    assert lint_sources.lint_text(code) == []
    theorem = "```{prf:theorem}\n:label: t\n\nWe have $a\n+ b$.\n```\n"
    assert len(lint_sources.lint_text(theorem)) == 1


def test_every_book_source_passes_the_lint():
    problems = []
    for f in lint_sources.default_files():
        problems += lint_sources.lint_text(f.read_text(encoding="utf-8"), f.name)
    assert problems == []


# -- the browser check on a tiny book built like ours --------------------------------------


def _mini_book(tmp: Path, page: str) -> Path:
    """Build a one-page Jupyter Book with our extensions; return its html folder."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    cfg["execute"]["execute_notebooks"] = "off"
    cfg["only_build_toc_files"] = True
    cfg.pop("bibtex_bibfiles", None)
    cfg["sphinx"]["extra_extensions"] = [
        e for e in cfg["sphinx"].get("extra_extensions", []) if "bibtex" not in e
    ]
    cfg["sphinx"]["local_extensions"] = {
        k: str(ROOT / v) for k, v in cfg["sphinx"]["local_extensions"].items()
    }
    cfg["html"].pop("favicon", None)
    tmp.mkdir(parents=True)
    (tmp / "_config.yml").write_text(yaml.safe_dump(cfg))
    (tmp / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    (tmp / "page.md").write_text(page)
    (tmp / "references.bib").write_text("")
    jb = Path(sys.executable).with_name("jupyter-book")
    out = subprocess.run(
        [str(jb), "build", str(tmp), "--all", "-q"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return tmp / "_build" / "html"


needs_chromium = pytest.mark.skipif(
    browser_check.find_chromium() is None, reason="no Chromium (apt-get install chromium)"
)


@needs_chromium
def test_browser_check_reports_raw_tex_from_a_wrapped_formula(tmp_path):
    html = _mini_book(tmp_path / "wrapped", WRAPPED)
    report = browser_check.run(html, ["page.html"], search=False)
    problems, _ = browser_check.summarize(report)
    assert any("raw TeX" in p for p in problems), problems
    assert any("[phone]" in p for p in problems) and any("[desktop]" in p for p in problems)


@needs_chromium
def test_browser_check_passes_the_fixed_page(tmp_path):
    html = _mini_book(tmp_path / "fixed", ONE_LINE)
    report = browser_check.run(html, ["page.html"], search=False)
    problems, counts = browser_check.summarize(report)
    assert problems == [], problems
    assert "2 inline" in counts[0] or "1 inline" in counts[0], counts


@needs_chromium
def test_browser_check_reports_a_formula_clipped_without_a_scrollbar(tmp_path):
    # The theme's own rule (overflow: hidden on span.math), without our fix, at phone width.
    long = " + ".join(f"\\mathrm{{KL}}(p_{i} \\,\\|\\, q_{i})" for i in range(12))
    page = (
        f"# A page\n\nA long sum ${long}$ ends here.\n\n```{{raw}} html\n"
        "<style>span.math{overflow:hidden !important}</style>\n```\n"
    )
    html = _mini_book(tmp_path / "clip", page)
    report = browser_check.run(html, ["page.html"], widths={"phone": 390}, search=False)
    problems, _ = browser_check.summarize(report)
    assert any("clipped inline formula" in p for p in problems), problems


def teardown_module(module):
    shutil.rmtree(ROOT / "tests" / "__pycache__", ignore_errors=True)
