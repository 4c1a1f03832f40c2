"""scripts/check_release.py: it accepts the repository's metadata and catches each drift."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import check_release  # noqa: E402
import release  # noqa: E402


@pytest.fixture
def repo(tmp_path):
    for name in ("CITATION.cff", "CHANGELOG.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "divlib").mkdir()
    shutil.copy(ROOT / "divlib" / "__init__.py", tmp_path / "divlib" / "__init__.py")
    return tmp_path


def test_the_repository_metadata_is_consistent():
    assert check_release.problems() == []


def test_an_invalid_citation_is_refused(repo):
    cff = repo / "CITATION.cff"
    cff.write_text(cff.read_text().replace("authors:", "writers:"))
    found = check_release.problems(repo)
    assert any("authors" in p for p in found), found


def test_a_version_drift_is_refused(repo):
    init = repo / "divlib" / "__init__.py"
    init.write_text(init.read_text().replace("__version__ = ", '__version__ = "9.9.9"  # ', 1))
    found = check_release.problems(repo)
    assert any("9.9.9" in p and "CITATION.cff" in p for p in found), found
    assert any("CHANGELOG.md" in p for p in found), found


def test_a_changelog_without_errata_is_refused(repo):
    log = repo / "CHANGELOG.md"
    log.write_text(log.read_text().replace("### Content corrections", "### Other", 1))
    assert any("Content corrections" in p for p in check_release.problems(repo))


def test_the_citation_block_reads_the_cff():
    cff = release.citation()
    assert cff["version"] in release.citation_text(cff)
    bib = release.citation_bibtex(cff)
    assert bib.startswith("@software{") and f"version = {{{cff['version']}}}" in bib
    assert release.divlib_version() == __import__("divlib").__version__
