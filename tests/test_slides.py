"""The lecture slides' builder (scripts/slides.py): what a chapter marks becomes a slide,
MyST becomes HTML with no raw markup left, every chapter's deck has 8 to 15 slides.
The decks are opened in Chromium by tests/browser/test_course_ui.py."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import slides  # noqa: E402

sys.path.pop(0)


@pytest.fixture(scope="module")
def render():
    return slides.MystToHtml(slides.Labels.collect(), slides.bib_labels())


@pytest.mark.parametrize("chapter", slides.chapters())
def test_every_deck_has_8_to_15_slides_and_no_raw_markup(chapter, render, tmp_path):
    deck = slides.deck_slides(chapter, render, tmp_path)
    assert slides.MIN_SLIDES <= len(deck) <= slides.MAX_SLIDES, (
        f"{chapter}: {len(deck)} slides; mark 6 to 12 items (CONTRIBUTING.md, Slides)"
    )
    kinds = [s.kind for s in deck]
    assert kinds[:2] == ["title", "objectives"] and kinds[-1] == "closing"
    assert {"block", "output", "code", "text"} & set(kinds[2:-1])
    for s in deck:
        html = s.title + s.body
        text = re.sub(
            r"<span class=\"math[^\"]*\">.*?</span>|<div class=\"math\">.*?</div>",
            "",
            html,
            flags=re.S,
        )
        text = re.sub(r"<pre.*?</pre>|<code>.*?</code>", "", text, flags=re.S)
        assert "$" not in text, f"{chapter} {s.source}: raw $ on a slide"
        assert not re.search(r"\{(cite|ref|eq|prf:ref|numref|doc)\}", text), s.source
        assert "```" not in text and ":label:" not in text, s.source
    for img in tmp_path.glob("*.png"):
        assert img.stat().st_size > 1000


def test_marks_become_slides_in_chapter_order(render, tmp_path, monkeypatch):
    """A marked prf block, a code cell tagged slide, one tagged slide-output and a
    markdown cell tagged slide each give one slide; unmarked items give none."""
    nb = nbformat.v4.new_notebook()
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Toy\n\n## First part\n\n```{prf:definition} Thing\n:label: toy-thing\n"
            ":class: slide\n\nA thing is $x^2$ {cite}`kullback1951information`.\n```\n\n"
            "```{prf:theorem} Unmarked\n:label: toy-un\n\nNot on a slide.\n```"
        ),
        nbformat.v4.new_code_cell(
            "print(1)",
            metadata={"tags": ["slide"]},
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")],
        ),
        nbformat.v4.new_markdown_cell("### Pictures"),
        nbformat.v4.new_code_cell(
            "plot()",
            metadata={
                "tags": ["slide-output"],
                "mystnb": {"figure": {"caption": "A $y$ curve."}, "image": {"alt": "A curve."}},
            },
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={"image/png": png, "text/plain": "<Figure>"}
                )
            ],
        ),
        nbformat.v4.new_markdown_cell(
            "## Summary\n\nKL is {ref}`kl`.", metadata={"tags": ["slide"]}
        ),
        nbformat.v4.new_code_cell("print(2)", outputs=[]),
    ]
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(nb, book / "toy.ipynb")
    (book / "toy.md").write_text("# Toy\n")
    monkeypatch.setattr(slides, "BOOK", book)
    monkeypatch.setattr(slides.course(), "BOOK", book)  # titles are read by the course helper
    got = slides.marked_slides("toy", render, tmp_path)
    assert [(s.kind, re.sub("<[^>]+>", "", s.title)) for s in got] == [
        ("block", "Definition (Thing)"),
        ("code", "First part"),
        ("output", "Pictures"),
        ("text", "Summary"),
    ]
    assert r"\(x^2\)" in got[0].body and "Kullback and Leibler (1951)" in got[0].body
    assert "print(1)" in got[1].body and '<pre class="output">1</pre>' in got[1].body
    assert "plot()" not in got[2].body and 'alt="A curve."' in got[2].body
    assert (tmp_path / "toy-fig1.png").is_file() and r"\(y\)" in got[2].body
    assert 'href="../book/kl.html"' in got[3].body


def test_an_unknown_directive_or_role_is_refused_not_shown_raw(render):
    with pytest.raises(ValueError, match="directive {glossary}"):
        render("```{glossary}\nx\n```")
    with pytest.raises(ValueError, match="role {term}"):
        render("a {term}`x` b")


def test_references_resolve_to_the_site(monkeypatch):
    labels = slides.Labels.collect()
    monkeypatch.setattr(labels, "_built", lambda label: "")  # the site not built yet
    render = slides.MystToHtml(labels, slides.bib_labels())
    out = render("{prf:ref}`def-kl-kl`, {eq}`eq-kl-def` and {ref}`the KL <kl>`")
    assert '<a href="../book/kl.html#def-kl-kl">Definition (KL divergence)</a>' in out
    assert '<a href="../book/kl.html#equation-eq-kl-def">(equation)</a>' in out
    assert '<a href="../book/kl.html">the KL</a>' in out
    # once the site is built, the numbers are the site's
    page = (
        '<div class="proof definition admonition" id="def-kl-kl">\n<p class="admonition-title">'
        '<span class="caption-number">Definition 3.2 </span> (KL divergence)</p>'
        '<div class="math" id="equation-eq-kl-def">\n<span class="eqno">(3.1)<a href="#">#</a>'
    )
    monkeypatch.setattr(labels, "_built", lambda label: page)
    out = render("{prf:ref}`def-kl-kl`, {eq}`eq-kl-def`")
    assert ">Definition 3.2 (KL divergence)</a>" in out and ">(3.1)</a>" in out
    block = render("```{prf:definition} KL divergence\n:label: def-kl-kl\n\nx\n```")
    assert '<p class="block-title">Definition 3.2 (KL divergence)</p>' in block


def test_math_in_a_referenced_title_and_accents_in_a_cited_name(render):
    out = render("({prf:ref}`thm-wk-tv-bound`) {cite}`peyre2019computational`")
    assert r'<span class="math">\(W_1\)</span> on bounded sets' in out and "$" not in out
    assert "Peyré and Cuturi (2019)" in out
    # the name particle stays, as in the site's bibliography
    assert render("{cite}`vanerven2014renyi`") == "<p>van Erven and Harremoës (2014)</p>\n"
