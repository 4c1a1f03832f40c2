"""The chapters' self-check quizzes (divlib.quiz, divlib/quizzes/*.toml).

Every chapter ends with a quiz of 4-6 questions; every numeric answer is recomputed
here from its question's ``check`` expression (divlib, numpy, scipy), so a quiz cannot
teach a wrong number; the rendered HTML is parsed to check that a reader sees every
question and that the answers the browser checks against are the file's. The answers
are exercised in a real browser by tests/browser/test_course_ui.py.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import scipy
import yaml

import divlib
from divlib import _teaching

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(yaml.safe_load((BOOK / "course.yml").read_text())["requires"])


def test_every_chapter_has_a_quiz_and_every_quiz_a_chapter():
    assert divlib.quiz_names() == CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_quiz_mixes_multiple_choice_and_numeric(chapter):
    qs = divlib.quiz(chapter).questions
    kinds = [q["kind"] for q in qs]
    assert 4 <= len(qs) <= 6
    assert kinds.count("choice") >= 2, f"{chapter}: at least 2 multiple-choice questions"
    assert kinds.count("numeric") >= 1, f"{chapter}: at least 1 numeric question"
    prompts = [q["prompt"] for q in qs]
    assert len(set(prompts)) == len(prompts), f"{chapter}: a question is repeated"


def _numeric(chapter):
    return [
        pytest.param(chapter, i, q, id=f"{chapter}-q{i + 1}")
        for i, q in enumerate(divlib.quiz(chapter).questions)
        if q["kind"] == "numeric"
    ]


NUMERIC = [p for c in divlib.quiz_names() for p in _numeric(c)]


@pytest.mark.parametrize(("chapter", "i", "q"), NUMERIC)
def test_numeric_answer_is_what_its_check_computes(chapter, i, q):
    """The stated answer is within half its tolerance of an independent computation, so
    the right value typed to the precision the question asks for is accepted."""
    env = {"divlib": divlib, "np": np, "scipy": scipy, "math": math}
    __import__("scipy.stats"), __import__("scipy.special"), __import__("scipy.integrate")
    got = float(np.asarray(eval(q["check"], env)))  # our own files
    assert math.isfinite(got)
    assert abs(got - q["answer"]) <= q["tolerance"] / 2, (
        f"{chapter} question {i + 1}: check gives {got!r}, answer is {q['answer']!r} "
        f"+- {q['tolerance']}"
    )
    # a check that only restates the answer is no check
    assert not re.fullmatch(r"[-+0-9.e ()/*]+", q["check"]), q["check"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_ends_with_its_quiz(chapter):
    """The last section is the quiz, displayed by one code cell whose input the site
    hides; in Jupyter and Colab the reader runs it."""
    text = (BOOK / f"{chapter}.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)
    assert sections[-1].startswith("Self-check quiz"), f"{chapter}: last section is not the quiz"
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", sections[-1], flags=re.S)
    assert len(cells) == 1, cells
    assert re.search(r":tags: \[[^\]]*remove-input", cells[0])
    assert f'divlib.quiz("{chapter}")' in cells[0]
    n = len(divlib.quiz(chapter).questions)
    words = {4: "Four", 5: "Five", 6: "Six"}
    assert f"{words[n]} questions" in sections[-1], f"{chapter}: the intro says how many"


class _Parse(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.radios, self.texts, self.labels_for, self.ids = [], [], [], [], []
        self.data, self._in_data, self.buttons, self.status = None, False, 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "form":
            self.forms.append(a.get("data-kind"))
        if tag == "input" and a.get("type") == "radio":
            self.radios.append(a["name"])
        if tag == "input" and a.get("type") == "text":
            self.texts.append(a["id"])
        if tag == "label" and "for" in a:
            self.labels_for.append(a["for"])
        if tag == "button":
            self.buttons += 1
        if a.get("role") == "status" and a.get("aria-live") == "polite":
            self.status += 1
        self._in_data = tag == "script" and a.get("class") == "divquiz-data"

    def handle_data(self, data):
        if self._in_data:
            self.data = json.loads(data)
            self._in_data = False


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_rendered_quiz_asks_every_question_and_checks_the_files_answers(chapter):
    qz = divlib.quiz(chapter)
    page = qz._repr_html_()
    assert page == divlib.quiz(chapter)._repr_html_(), "the output must be deterministic"
    p = _Parse()
    p.feed(page)
    qs = qz.questions
    assert p.forms == [q["kind"] for q in qs]
    assert p.buttons == p.status == len(qs)
    assert len(p.ids) == len(set(p.ids)), "ids must be unique"
    assert sorted(p.texts) == sorted(p.labels_for), "every answer box has a label"
    n_choices = sum(len(q["choices"]) for q in qs if q["kind"] == "choice")
    assert len(p.radios) == n_choices
    for q, d in zip(qs, p.data, strict=True):
        if q["kind"] == "choice":
            assert [c["correct"] for c in d["choices"]] == [c["correct"] for c in q["choices"]]
            assert [c["why"] for c in d["choices"]] == [c["why"] for c in q["choices"]]
        else:
            assert (d["answer"], d["tolerance"], d["why"]) == (
                q["answer"],
                q["tolerance"],
                q["why"],
            )
    for q in qs:  # the reader sees every prompt and choice (escaped, never raw markup)
        assert _teaching._inline(q["prompt"]) in page
    assert "Self-check quiz" in repr(qz) and chapter in repr(qz)


def test_inline_markup_escapes_html_and_renders_code_and_emphasis():
    got = _teaching._inline("Is `kl(p, q)` < *forward*? a*b and 2 * 3 <b>")
    assert got == ("Is <code>kl(p, q)</code> &lt; <em>forward</em>? a*b and 2 * 3 &lt;b&gt;")


def test_script_in_the_data_cannot_close_the_data_block(tmp_path, monkeypatch):
    monkeypatch.setattr(_teaching, "QUIZ_DIR", tmp_path)
    (tmp_path / "x.toml").write_text(_GOOD.replace("WHY", "see </script><b>"))
    page = divlib.quiz("x")._repr_html_()
    blob = page.split('class="divquiz-data">')[1].split("</script>")[0]
    assert "see <\\/script>" in blob and json.loads(blob)


_GOOD = """
[[questions]]
kind = "choice"
prompt = "Which?"
choices = [
  { text = "a", correct = true, why = "WHY" },
  { text = "b", why = "no" },
  { text = "c", why = "no" },
]
[[questions]]
kind = "numeric"
prompt = "How much?"
answer = 0.5
tolerance = 0.01
check = "divlib.entropy(np.array([0.5, 0.5])) / math.log(2) / 2"
why = "half"
mistakes = [{ value = 1.0, why = "that is H in bits" }]
"""
_GOOD = _GOOD + _GOOD.replace("Which?", "Which 2?").replace("How much?", "How much 2?")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda s: s.replace("correct = true, ", ""), "exactly one choice with correct"),
        (lambda s: s.replace('why = "no" },\n  { text = "c", ', ""), "3 to 5 choices"),
        (lambda s: s.replace(', why = "no"', "", 1), "choice 2, why"),
        (lambda s: s.replace('"Which?"', '"Is $x$ big?"'), "contains TeX"),
        (lambda s: s.replace("tolerance = 0.01", "tolerance = 0", 1), "tolerance > 0"),
        (lambda s: s.replace("value = 1.0", "value = 0.51", 1), "within 2 tolerances"),
        (lambda s: s.replace('kind = "numeric"', 'kind = "essay"', 1), "kind 'essay'"),
        (lambda s: s.replace("answer = 0.5", 'answer = "0.5"', 1), "finite number"),
        (lambda s: s.replace("answer = 0.5", "answer = nan", 1), "finite number"),
        (lambda s: s.replace('check = "divlib', 'chekc = "divlib', 1), "unknown keys"),
        (lambda s: "[[questions]]" + s.split("[[questions]]")[1], r"has 1 \[\[questions\]\]"),
    ],
)
def test_a_broken_quiz_file_is_refused_with_its_rule(tmp_path, monkeypatch, edit, match):
    monkeypatch.setattr(_teaching, "QUIZ_DIR", tmp_path)
    (tmp_path / "x.toml").write_text(_GOOD)
    assert len(divlib.quiz("x").questions) == 4  # the unbroken file loads
    (tmp_path / "x.toml").write_text(edit(_GOOD))
    with pytest.raises(ValueError, match=match) as err:
        divlib.quiz("x")
    assert str(err.value).startswith("x.toml: "), "the message names the file"


def test_unknown_chapter_lists_the_quizzes():
    with pytest.raises(ValueError, match=r"chapter must be one of .*'entropy'"):
        divlib.quiz("entropies")
