"""The book's PDF (``make pdf``: scripts/pdf_book.py) has every chapter, no raw TeX and
every printed figure. Skipped when no PDF has been built (``make pdf`` writes it to
``_build/html/divergences.pdf``, where the site's download menu links it)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PDF = Path(os.environ.get("DIVERGENCES_PDF", ROOT / "_build" / "html" / "divergences.pdf"))

pytestmark = pytest.mark.skipif(not PDF.is_file(), reason=f"no PDF at {PDF} (make pdf)")


@pytest.fixture(scope="module")
def pdf():
    from pypdf import PdfReader

    reader = PdfReader(str(PDF))
    text, prose = [], []
    for page in reader.pages:
        parts = []

        def keep(t, cm, tm, font, size, parts=parts):
            # Code is printed in a monospaced font; a `$` in code is code, not raw TeX.
            name = str((font or {}).get("/BaseFont", ""))
            if "Mono" not in name and "Courier" not in name:
                parts.append(t)

        text.append(page.extract_text(visitor_text=keep) or "")
        prose.append("".join(parts))
    manifest = json.loads(PDF.with_suffix(".json").read_text())
    return reader, text, prose, manifest


def _chapter_titles() -> list[str]:
    """The first heading of every chapter source listed in _toc.yml's numbered parts."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    titles = []
    for part in toc["parts"]:
        if not part.get("numbered"):
            continue
        for ch in part["chapters"]:
            md = ROOT / Path(ch["file"]).with_suffix(".md")
            head = re.search(r"^# (.+)$", md.read_text(encoding="utf-8"), re.M)
            titles.append(head.group(1).strip())
    return titles


def _squash(s: str) -> str:
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", s)).lower()


def test_page_count(pdf):
    reader, _, _, manifest = pdf
    assert len(reader.pages) == manifest["pages"]
    assert 150 <= len(reader.pages) <= 1500, len(reader.pages)


def test_every_chapter_title_is_in_the_text(pdf):
    _, text, _, manifest = pdf
    whole = _squash(" ".join(text))
    titles = _chapter_titles()
    assert titles, "no numbered chapter in _toc.yml"
    missing = [t for t in titles if _squash(re.sub(r"\$[^$]*\$", "", t)) not in whole]
    assert missing == [], missing
    assert len(manifest["chapters"]) >= len(titles)


def test_no_raw_tex_in_the_text(pdf):
    _, _, prose, _ = pdf
    bad = []
    for i, page in enumerate(prose, 1):
        for m in re.finditer(r"\\(frac|mathrm|sum|int|left|right|mathbb|alpha)\b|\$", page):
            bad.append(f"page {i}: {page[max(0, m.start() - 40) : m.end() + 40]!r}")
    assert bad == [], "\n".join(bad[:20])


def test_every_printed_figure_is_in_the_pdf(pdf):
    reader, _, _, manifest = pdf
    images = sum(len(page.images) for page in reader.pages)
    assert images >= manifest["figures"] > 40, (images, manifest["figures"])


def test_clickable_contents_and_bookmarks(pdf):
    reader, _, _, manifest = pdf

    def count(items):
        return sum(count(i) if isinstance(i, list) else 1 for i in items)

    assert count(reader.outline) >= len(manifest["chapters"]), count(reader.outline)
    links = sum(
        1
        for page in reader.pages[:6]
        for a in (page.get("/Annots") or [])
        if a.get_object().get("/Subtype") == "/Link"
    )
    assert links >= len(manifest["chapters"]), links
