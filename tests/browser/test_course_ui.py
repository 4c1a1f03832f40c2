"""The course's teaching kit in a real browser: every chapter's quiz answers a question
right and one wrong with the explanation the quiz file gives, and every chapter's slide
deck opens offline with every slide readable at 1280 x 720 (no raw TeX, no MathJax
error, nothing overflowing, no broken image)."""

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

import divlib  # noqa: E402

CHAPTERS = list(yaml.safe_load((ROOT / "book" / "course.yml").read_text())["requires"])


def _offline_page(browser, site_url, width=1280, height=900, math=True):
    """A page that reaches only the site; ``math=False`` also leaves MathJax out (the
    quiz is plain text, and typesetting a chapter is most of its load time; the page
    test checks the math)."""
    return browser_check.offline_page(
        browser,
        site_url,
        block=() if math else ("/mathjax/",),
        viewport={"width": width, "height": height},
    )


def _feedback(form):
    return form.locator(".divquiz-feedback")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_answers_right_and_wrong_with_explanations(browser, site_url, chapter):
    questions = divlib.quiz(chapter).questions
    ctx, pg = _offline_page(browser, site_url, width=390, height=844, math=False)
    try:
        pg.goto(f"{site_url}/book/{chapter}.html", wait_until="load")
        quiz = pg.locator(f"#divquiz-{chapter}")
        expect(quiz).to_have_count(1)
        expect(quiz.locator(".divquiz-nojs")).to_have_count(0)  # the script ran
        forms = quiz.locator("form.divquiz-q")
        expect(forms).to_have_count(len(questions))

        i = next(k for k, q in enumerate(questions) if q["kind"] == "choice")
        form, q = forms.nth(i), questions[i]
        form.locator("button.divquiz-check").click()
        expect(_feedback(form)).to_have_text("Pick an answer first.")
        wrong = next(j for j, c in enumerate(q["choices"]) if not c["correct"])
        right = next(j for j, c in enumerate(q["choices"]) if c["correct"])
        form.locator("label").nth(wrong).click()  # a reader taps the text, not the dot
        form.locator("button.divquiz-check").click()
        expect(_feedback(form)).to_have_class("divquiz-feedback divquiz-wrong")
        expect(_feedback(form)).to_contain_text(q["choices"][wrong]["why"])
        form.locator("label").nth(right).click()
        form.locator("button.divquiz-check").click()
        expect(_feedback(form)).to_have_class("divquiz-feedback divquiz-right")
        expect(_feedback(form)).to_contain_text("Correct. " + q["choices"][right]["why"])

        k = next(k for k, q in enumerate(questions) if q["kind"] == "numeric")
        form, q = forms.nth(k), questions[k]
        box = form.locator("input[type=text]")
        box.fill(f"{q['answer'] + 10 * q['tolerance'] + 1:.6g}")
        box.press("Enter")
        expect(_feedback(form)).to_have_class("divquiz-feedback divquiz-wrong")
        if q["mistakes"]:
            box.fill(f"{q['mistakes'][0]['value']:.10g}")
            form.locator("button.divquiz-check").click()
            expect(_feedback(form)).to_contain_text(q["mistakes"][0]["why"])
        box.fill(f"{q['answer'] + 0.4 * q['tolerance']:.10g}")
        form.locator("button.divquiz-check").click()
        expect(_feedback(form)).to_have_class("divquiz-feedback divquiz-right")
        expect(_feedback(form)).to_contain_text(q["why"])
        assert pg.js_errors == []
    finally:
        ctx.close()


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
