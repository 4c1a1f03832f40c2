"""The course's teaching kit in a real browser: every chapter's slide deck opens offline
with every slide readable at 1280 x 720 (no raw TeX, no MathJax error, nothing
overflowing, no broken image), and the chapter pages link their decks. (Each chapter's
quiz is answered right and wrong in the page test, tests/browser/test_pages.py, on the
page load that test makes anyway: ``browser_check.check_quiz``.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import browser_check  # noqa: E402
import slides  # noqa: E402

sys.path.pop(0)


CHAPTERS = list(yaml.safe_load((ROOT / "book" / "course.yml").read_text())["requires"])


def _offline_page(browser, site_url, width=1280, height=900):
    """A page that reaches only the site."""
    return browser_check.offline_page(
        browser, site_url, viewport={"width": width, "height": height}
    )


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_slide_deck_opens_offline_and_every_slide_fits(browser, site_url, chapter):
    report = slides.check_deck(browser, site_url, chapter)
    problems = slides.slide_problems(report)
    problems += [f"JS error: {e}" for e in report["errors"]]
    problems += [f"failed request: {u}" for u in report["failed"]]
    assert problems == [], f"{chapter}'s deck:\n" + "\n".join(problems)


def test_chapter_pages_link_their_decks(browser, site_url):
    ctx, pg = _offline_page(browser, site_url)
    try:
        pg.goto(f"{site_url}/book/kl.html", wait_until="load")
        link = pg.locator(".chapter-opening a", has_text="slides")
        expect(link).to_have_count(1)
        link.click()
        pg.wait_for_url("**/slides/kl.html**")
        pg.wait_for_function("window.deckReady !== undefined")
        assert pg.evaluate("window.deckReady.then(() => Reveal.getTotalSlides())") >= 8
        assert pg.js_errors == []
    finally:
        ctx.close()


def test_the_deck_check_catches_overflow_raw_tex_and_width(browser, tmp_path):
    """The deck check can fail: a deck with too few slides, a slide too tall, one too
    wide and one with raw TeX is reported on each count."""

    out = tmp_path / "slides"
    slides.copy_assets(out)
    deck = [
        slides.Slide("Bad", "", "title"),
        slides.Slide("Tall", "".join(f"<p>line {i}</p>" for i in range(40)), "text", "tall"),
        slides.Slide("Wide", '<div style="width:1600px">wide</div>', "text", "wide"),
        slides.Slide("Raw", "<p>a formula $x^2$ left raw</p>", "text", "raw"),
        slides.Slide("Accent", "<p>Peyr\\'e and Cuturi</p>", "text", "accent"),
        slides.Slide(
            "Formula",
            '<div class="math">\\[' + " + ".join(["x_{123}"] * 60) + "\\]</div>",
            "text",
            "formula",
        ),
        slides.Slide(
            "Bars",
            '<div class="math">\\[\\big\\| x \\big\\| \\Big\\| y \\Big\\|\\]</div>',
            "text",
            "bars",
        ),
    ]
    (out / "bad.html").write_text(slides.deck_html("bad", deck))
    with browser_check.serve(tmp_path) as base:
        problems = "\n".join(slides.slide_problems(slides.check_deck(browser, base, "bad")))
    assert "7 slides; a deck has 8 to 15" in problems
    assert "slide 2 (tall) overflows" in problems
    assert "slide 3 (wide) is too wide" in problems
    assert "slide 4 (raw) shows raw markup" in problems
    assert "slide 5 (accent) shows raw markup" in problems
    assert "slide 6 (formula) is too wide" in problems  # clipped by its box, still caught
    assert "slide 7" not in problems, problems  # stretchy bars are no overflow


def test_the_quiz_check_catches_a_quiz_whose_buttons_do_nothing(browser, site_url):
    """The page test's quiz check can fail: the kl quiz, answered as the page test does,
    passes; replaced by a copy of itself (same markup, no event listeners: a script that
    never ran), it is reported."""
    ctx, pg = _offline_page(browser, site_url, width=390, height=844)
    try:
        pg.goto(f"{site_url}/book/kl.html", wait_until="load")
        assert browser_check.check_quiz(pg, "kl") == []
        pg.reload(wait_until="load")
        pg.evaluate(
            "() => { const q = document.getElementById('divquiz-kl');"
            " q.replaceWith(q.cloneNode(true)); }"
        )
        problems = browser_check.check_quiz(pg, "kl")
        assert len(problems) == 1 and problems[0].startswith("quiz of kl: "), problems
        assert "Pick an answer first." in problems[0], problems
    finally:
        ctx.close()
