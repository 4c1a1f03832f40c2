"""Self-check quizzes: the questions that end each chapter of the course.

Each chapter's quiz is a TOML file in ``divlib/quizzes`` (``kl.toml`` for the
``kl`` chapter), shipped with the package so that ``divlib.quiz("kl")`` works in
Jupyter, on Colab (which installs divlib from the course repository) and on the
static site (which shows the output stored in the executed notebook). The output
is one self-contained HTML block: the questions, a small script that checks an
answer in the browser, and the explanation of every wrong choice; no network,
no widget library, no kernel needed once it is displayed.

The file format is documented in ``CONTRIBUTING.md`` and enforced by
:func:`load_quiz` (``tests/test_quizzes.py`` also recomputes every numeric
answer from its ``check`` expression).
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import tomllib

from ._validation import check_choice

QUIZ_DIR = Path(__file__).parent / "quizzes"

_KINDS = ("choice", "numeric")


def quiz_names() -> list[str]:
    """The chapters that have a quiz, sorted (the stems of ``divlib/quizzes/*.toml``)."""
    return sorted(p.stem for p in QUIZ_DIR.glob("*.toml"))


def _fail(path: Path, where: str, rule: str) -> None:
    raise ValueError(f"{path.name}: {where} {rule}")


def _text(value, path: Path, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(path, where, "must be a non-empty string.")
    if "$" in value or "\\(" in value or "\\[" in value:
        _fail(
            path,
            where,
            "contains TeX ($ or \\( ); quizzes are plain text with Unicode math "
            "(KL(p‖q), W₁, σ²) so that they read the same in Jupyter, Colab and the site.",
        )
    return value.strip()


def _number(value, path: Path, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(path, where, f"must be a finite number, got {value!r}.")
    return float(value)


def _allowed_keys(item: dict, allowed: set[str], path: Path, where: str) -> None:
    extra = sorted(set(item) - allowed)
    if extra:
        _fail(path, where, f"has unknown keys {extra}; allowed: {sorted(allowed)}.")


def load_quiz(chapter: str) -> list[dict]:
    """The questions of ``chapter``'s quiz, checked against the file format.

    Raises
    ------
    ValueError
        If ``chapter`` has no quiz, or its file breaks a rule of the format (the
        message names the file, the question and the rule).
    """
    check_choice(chapter, "chapter", quiz_names())
    path = QUIZ_DIR / f"{chapter}.toml"
    with path.open("rb") as f:
        data = tomllib.load(f)
    _allowed_keys(data, {"questions"}, path, "the file")
    questions = data.get("questions")
    if not isinstance(questions, list) or not 4 <= len(questions) <= 6:
        n = len(questions) if isinstance(questions, list) else 0
        _fail(path, "the file", f"has {n} [[questions]]; a chapter's quiz has 4 to 6.")
    out = []
    for i, q in enumerate(questions, start=1):
        where = f"question {i}"
        kind = q.get("kind")
        if kind not in _KINDS:
            _fail(path, where, f"has kind {kind!r}; use one of {_KINDS}.")
        prompt = _text(q.get("prompt"), path, f"{where}'s prompt")
        if kind == "choice":
            _allowed_keys(q, {"kind", "prompt", "choices"}, path, where)
            choices = q.get("choices")
            if not isinstance(choices, list) or not 3 <= len(choices) <= 5:
                _fail(path, where, "needs 3 to 5 choices.")
            parsed = []
            for j, c in enumerate(choices, start=1):
                cw = f"{where}, choice {j},"
                if not isinstance(c, dict):
                    _fail(path, cw, "must be a table { text = ..., why = ... }.")
                _allowed_keys(c, {"text", "correct", "why"}, path, cw)
                correct = c.get("correct", False)
                if not isinstance(correct, bool):
                    _fail(path, cw, "has a `correct` that is not true or false.")
                parsed.append(
                    {
                        "text": _text(c.get("text"), path, f"{cw} text"),
                        "why": _text(
                            c.get("why"), path, f"{cw} why (every choice explains itself)"
                        ),
                        "correct": correct,
                    }
                )
            if sum(c["correct"] for c in parsed) != 1:
                _fail(path, where, "must have exactly one choice with correct = true.")
            out.append({"kind": kind, "prompt": prompt, "choices": parsed})
        else:
            _allowed_keys(
                q,
                {"kind", "prompt", "answer", "tolerance", "check", "why", "mistakes"},
                path,
                where,
            )
            answer = _number(q.get("answer"), path, f"{where}'s answer")
            tol = _number(q.get("tolerance"), path, f"{where}'s tolerance")
            if tol <= 0:
                _fail(path, where, "needs a tolerance > 0 (an absolute error).")
            check = q.get("check")
            if not isinstance(check, str) or not check.strip():
                _fail(path, where, "needs `check`, a Python expression that recomputes the answer.")
            mistakes = []
            for j, m in enumerate(q.get("mistakes", []), start=1):
                mw = f"{where}, mistake {j},"
                if not isinstance(m, dict):
                    _fail(path, mw, "must be a table { value = ..., why = ... }.")
                _allowed_keys(m, {"value", "why"}, path, mw)
                value = _number(m.get("value"), path, f"{mw} value")
                if abs(value - answer) < 2 * tol:
                    _fail(path, mw, "is within 2 tolerances of the answer: it would be ambiguous.")
                mistakes.append({"value": value, "why": _text(m.get("why"), path, f"{mw} why")})
            out.append(
                {
                    "kind": kind,
                    "prompt": prompt,
                    "answer": answer,
                    "tolerance": tol,
                    "check": check.strip(),
                    "why": _text(q.get("why"), path, f"{where}'s why"),
                    "mistakes": mistakes,
                }
            )
    return out


_CODE = re.compile(r"`([^`]+)`")
_EM = re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")


def _inline(text: str) -> str:
    """Escape ``text`` for HTML, then render `code` and *emphasis*."""
    parts = _CODE.split(text)
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            out.append(_EM.sub(r"<em>\1</em>", html.escape(part, quote=False)))
    return "".join(out)


_STYLE = """
.divquiz{border:1px solid #8a8f98;border-radius:6px;padding:0.4rem 1rem 0.8rem;margin:1rem 0}
.divquiz form{margin:0.8rem 0 1.2rem}
.divquiz fieldset{border:0;margin:0;padding:0;min-width:0}
.divquiz legend{font-weight:600;padding:0;margin-bottom:0.4rem;white-space:normal}
.divquiz label{display:block;margin:0.15rem 0;cursor:pointer;line-height:1.5}
.divquiz input[type=radio]{margin-right:0.5rem}
.divquiz input[type=text]{width:9rem;padding:0.2rem 0.4rem;margin-left:0.5rem;font:inherit;
  color:inherit;background:transparent;border:1px solid #8a8f98;border-radius:4px}
.divquiz label.divquiz-num{display:inline}
.divquiz button{margin-top:0.4rem;padding:0.25rem 1rem;font:inherit;cursor:pointer;
  border:1px solid #8a8f98;border-radius:4px;background:transparent;color:inherit}
.divquiz-feedback{margin-top:0.5rem;padding-left:0.7rem;border-left:4px solid transparent}
.divquiz-feedback:empty{display:none}
.divquiz-feedback.divquiz-right{border-left-color:#2e8540}
.divquiz-feedback.divquiz-wrong{border-left-color:#c0392b}
.divquiz-feedback.divquiz-empty{border-left-color:#8a8f98}
.divquiz-nojs{font-style:italic}
.divquiz-feedback summary{cursor:pointer;margin-top:0.3rem}
@media print{.divquiz button,.divquiz-feedback,.divquiz-nojs{display:none}}
"""

# One checker for every quiz on a page: each quiz's own script calls it; it binds a
# quiz once, so a page (or a notebook) that shows the same output twice still works.
_SCRIPT = r"""
(function () {
  function fmt(verdict, why) { return verdict + " " + why; }
  function parseNumber(s) {
    s = String(s).trim().replace(/\u2212/g, "-").replace(",", ".");
    var m = s.match(/^(-?\d+(?:\.\d*)?)\s*\/\s*(\d+(?:\.\d*)?)$/);
    if (m) { return parseFloat(m[1]) / parseFloat(m[2]); }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) { return NaN; }
    return parseFloat(s);
  }
  function show(box, kind, text, more) {
    box.className = "divquiz-feedback divquiz-" + kind;
    box.textContent = text;
    if (more) {
      var d = document.createElement("details"), s = document.createElement("summary");
      s.textContent = "Show the explanation";
      d.appendChild(s);
      d.appendChild(document.createTextNode(more));
      box.appendChild(d);
    }
  }
  function bind(root) {
    if (root.getAttribute("data-divquiz-bound")) { return; }
    root.setAttribute("data-divquiz-bound", "1");
    var data = JSON.parse(root.querySelector("script.divquiz-data").textContent);
    var note = root.querySelector(".divquiz-nojs");
    if (note) { note.parentNode.removeChild(note); }
    var forms = root.querySelectorAll("form.divquiz-q");
    Array.prototype.forEach.call(forms, function (form, i) {
      var q = data[i], box = form.querySelector(".divquiz-feedback");
      function check() {
        if (q.kind === "choice") {
          var picked = form.querySelector("input[type=radio]:checked");
          if (!picked) { show(box, "empty", "Pick an answer first."); return; }
          var c = q.choices[parseInt(picked.value, 10)];
          show(box, c.correct ? "right" : "wrong", fmt(c.correct ? "Correct." : "Not quite.", c.why));
        } else {
          var typed = form.querySelector("input[type=text]").value.trim();
          var x = parseNumber(typed);
          if (isNaN(x)) { show(box, "empty", "Enter a number, such as 0.25 or 2/3."); return; }
          if (Math.abs(x - q.answer) <= q.tolerance * (1 + 1e-9)) {
            show(box, "right", fmt("Correct.", q.why)); return;
          }
          for (var k = 0; k < q.mistakes.length; k++) {
            if (Math.abs(x - q.mistakes[k].value) <= q.tolerance * (1 + 1e-9)) {
              show(box, "wrong", fmt("Not quite.", q.mistakes[k].why)); return;
            }
          }
          show(box, "wrong", "Not quite: " + typed + " is not within " + q.tolerance +
            " of the answer. Try again.", q.why);
        }
      }
      form.querySelector("button.divquiz-check").addEventListener("click", check);
      form.addEventListener("submit", function (e) { e.preventDefault(); check(); });
    });
  }
  function bindAll() {
    Array.prototype.forEach.call(document.querySelectorAll("div.divquiz"), bind);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else { bindAll(); }
})();
"""


@dataclass(frozen=True)
class Quiz:
    """A chapter's self-check quiz; Jupyter displays it as interactive HTML.

    Attributes
    ----------
    chapter : str
        The chapter's name (``"kl"``).
    questions : list of dict
        The questions, checked against the quiz file format.
    """

    chapter: str
    questions: list

    def __repr__(self) -> str:
        kinds = [q["kind"] for q in self.questions]
        return (
            f"Self-check quiz '{self.chapter}': {len(kinds)} questions "
            f"({kinds.count('choice')} multiple choice, {kinds.count('numeric')} numeric); "
            "answer them in Jupyter, Colab or on the course site."
        )

    def _repr_html_(self) -> str:
        c = self.chapter
        parts = [
            f'<div class="divquiz" id="divquiz-{c}">',
            f"<style>{_STYLE.strip()}</style>",
            '<p class="divquiz-nojs">The answers are checked by JavaScript: run this cell '
            "in Jupyter or Colab, or read the quiz on the course site.</p>",
        ]
        data = []
        for i, q in enumerate(self.questions):
            qid = f"divquiz-{c}-{i + 1}"
            head = f"<strong>Question {i + 1}.</strong> {_inline(q['prompt'])}"
            parts.append(f'<form class="divquiz-q" data-kind="{q["kind"]}">')
            if q["kind"] == "choice":
                parts.append(f"<fieldset><legend>{head}</legend>")
                for j, choice in enumerate(q["choices"]):
                    parts.append(
                        f'<label><input type="radio" name="{qid}" value="{j}">'
                        f"{_inline(choice['text'])}</label>"
                    )
                parts.append("</fieldset>")
                data.append(
                    {
                        "kind": "choice",
                        "choices": [
                            {"correct": ch["correct"], "why": ch["why"]} for ch in q["choices"]
                        ],
                    }
                )
            else:
                parts.append(
                    f'<fieldset><legend>{head}</legend><label class="divquiz-num" '
                    f'for="{qid}-x">Your answer</label><input type="text" id="{qid}-x" '
                    'inputmode="decimal" autocomplete="off" spellcheck="false"></fieldset>'
                )
                data.append(
                    {
                        "kind": "numeric",
                        "answer": q["answer"],
                        "tolerance": q["tolerance"],
                        "why": q["why"],
                        "mistakes": q["mistakes"],
                    }
                )
            parts.append(
                '<button type="button" class="divquiz-check">Check</button>'
                '<div class="divquiz-feedback" role="status" aria-live="polite"></div></form>'
            )
        # "</" cannot appear inside a <script>: escape it in the JSON.
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
        parts.append(f'<script type="application/json" class="divquiz-data">{blob}</script>')
        parts.append(f"<script>{_SCRIPT.strip()}</script>")
        parts.append("</div>")
        return "\n".join(parts)


def quiz(chapter: str) -> Quiz:
    r"""The self-check quiz that ends chapter ``chapter`` of the course.

    In Jupyter or Colab the returned object displays as interactive HTML:
    multiple-choice and numeric questions with a **Check** button, instant
    feedback, and an explanation of each wrong answer. Everything runs in the
    browser from the displayed output (no network, no kernel round trip), so the
    quiz also works on the static course site, which shows the stored output.

    Parameters
    ----------
    chapter : str
        The chapter's name, the stem of its source file (``"kl"`` for
        ``book/kl.md``); :func:`quiz_names` lists them.

    Returns
    -------
    Quiz
        Displays as HTML in a notebook; its ``repr`` is a one-line summary.

    Raises
    ------
    ValueError
        If ``chapter`` is not a string naming a chapter with a quiz (the message
        lists them), or its quiz file breaks the format.

    Notes
    -----
    Numeric answers are accepted within an absolute tolerance
    :math:`|x - a| \le \varepsilon` set per question; fractions such as ``2/3`` are
    accepted. A wrong value near a listed common mistake gets that mistake's
    explanation.

    Examples
    --------
    >>> import divlib
    >>> q = divlib.quiz("kl")
    >>> q.chapter, 4 <= len(q.questions) <= 6
    ('kl', True)
    """
    return Quiz(chapter, load_quiz(chapter))
