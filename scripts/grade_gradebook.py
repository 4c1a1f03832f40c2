"""The gradebook of a graded folder, hand-grading pages, and the merge of hand scores.

Used by ``scripts/assignments.py grade`` (``make grade``); every function here takes the
long rows of ``grades.csv`` (one per student and question) and writes plain files:

- ``gradebook.csv``: one row per student and assignment, a column per question, the
  total and the maximum, scores to two decimals, hand-graded questions ``pending`` until
  a score is merged (never 0), LF line endings. Students are identified by a roster
  (``roster.csv`` with columns ``pattern,id,name``: a file-name pattern, ``*`` and ``?``
  allowed, case-insensitive, matched against the submission's file name without
  ``.ipynb``) or else by the file name itself;
- ``canvas.csv``: Canvas's gradebook import format (``Student, ID, SIS User ID, SIS Login
  ID, Section`` and one column per assignment named ``<assignment> (<max>)``); Moodle
  imports ``gradebook.csv`` directly (map ``id`` to "ID number" and ``total`` to the
  grade item);
- ``hand/<assignment>-<question>.html``: every student's answer to one written question
  on one page, and ``hand/hand.csv``: the sheet to fill in (``student,assignment,question,
  score,comment``); ``make grade ... HAND=hand.csv`` merges the filled-in scores.
"""

from __future__ import annotations

import csv
import fnmatch
import html
import json
import re
from pathlib import Path

PENDING = "pending"
#: otter's text in an answer cell the student has not touched
PLACEHOLDER = "_Type your answer here"


def _fmt(x) -> str:
    """Two decimals, without trailing zeros of an integer (2, 1.33, 0.5)."""
    if x in ("", None):
        return ""
    value = round(float(x), 2)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")


def read_roster(path: Path | None) -> list[dict]:
    if not path:
        return []
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    need = {"pattern", "id", "name"}
    if rows and not need <= set(rows[0]):
        raise SystemExit(
            f"{path}: the roster needs the columns pattern,id,name; it has {sorted(rows[0])}"
        )
    return rows


def identify(stem: str, roster: list[dict]) -> tuple[str, str]:
    """(id, name) of the student who handed in the file ``stem``; the stem if unknown."""
    for r in roster:
        if fnmatch.fnmatch(stem.casefold(), r["pattern"].strip().casefold()):
            return r["id"].strip(), r["name"].strip()
    return stem, ""


def read_hand(path: Path | None) -> dict[tuple[str, str, str], str]:
    """(student, assignment, question) -> score, from a filled-in hand.csv."""
    if not path:
        return {}
    out = {}
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            score = (r.get("score") or "").strip()
            if score:
                float(score)  # a typo in the sheet must stop the merge, not become 0
                out[(r["student"].strip(), r["assignment"].strip(), r["question"].strip())] = score
    return out


def merge_hand(rows: list[dict], hand: dict) -> list[dict]:
    """The long rows with hand scores filled in where the sheet has one."""
    out = []
    for r in rows:
        key = (r["student"], r.get("assignment", ""), r["question"])
        if key in hand and r["reason"] == "graded by hand":
            r = {**r, "score": hand[key], "reason": "graded by hand (merged)"}
        out.append(r)
    return out


def gradebook(
    rows: list[dict], questions: dict[str, list[dict]], roster: list[dict], out: Path
) -> list[dict]:
    """Write gradebook.csv (one row per student and assignment); return its rows."""
    names = []
    for qs in questions.values():
        names += [q["name"] for q in qs if q["name"] not in names]
    by = {}
    for r in rows:
        by.setdefault((r["student"], r.get("assignment", "")), []).append(r)
    book = []
    for (student, assignment), rs in sorted(by.items()):
        sid, name = identify(student, roster)
        line = {"id": sid, "name": name, "file": student, "assignment": assignment}
        total = maximum = 0.0
        pending = []
        for q in questions.get(assignment, []):
            r = next((x for x in rs if x["question"] == q["name"]), None)
            maximum += float(q["points"])
            if r is None or r["score"] == "":
                line[q["name"]] = PENDING if q["manual"] else "0"
                if q["manual"]:
                    pending.append(q["name"])
                continue
            line[q["name"]] = _fmt(r["score"])
            total += float(r["score"])
        line.update({"total": _fmt(total), "max": _fmt(maximum), "pending": " ".join(pending)})
        book.append(line)
    fields = ["id", "name", "file", "assignment", *names, "total", "max", "pending"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", restval="")
        w.writeheader()
        w.writerows(book)
    return book


def canvas(book: list[dict], out: Path) -> None:
    """Canvas's import format: one row per student, one column per assignment."""
    assignments = sorted({b["assignment"] for b in book})
    maxima = {b["assignment"]: b["max"] for b in book}
    cols = [f"{a} ({maxima[a]})" for a in assignments]
    students = {}
    for b in book:
        s = students.setdefault(
            b["id"],
            {
                "Student": b["name"] or b["file"],
                "ID": "",
                "SIS User ID": b["id"],
                "SIS Login ID": "",
                "Section": "",
            },
        )
        s[f"{b['assignment']} ({b['max']})"] = b["total"]
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(
            f,
            fieldnames=["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *cols],
            lineterminator="\n",
            restval="",
        )
        w.writeheader()
        w.writerows(students.values())


def written_answers(nb, questions: list[dict]) -> dict[str, str]:
    """Question name -> the Markdown (or code) the student wrote for it."""
    order = [q["name"] for q in questions]
    manual = {q["name"] for q in questions if q["manual"]}
    out: dict[str, list[str]] = {}
    current = None
    for cell in nb.cells:
        src = cell.source
        m = re.search(r"^## Question (\d+)\b", src, flags=re.M)
        if m:
            k = int(m.group(1)) - 1
            current = order[k] if 0 <= k < len(order) and order[k] in manual else None
            continue
        if src.lstrip().startswith("<!-- END QUESTION") or re.match(r"^##? ", src):
            current = None
            continue
        if current and src.strip() and not src.strip().startswith(PLACEHOLDER):
            out.setdefault(current, []).append(src)
    return {q: "\n\n".join(parts).strip() for q, parts in out.items()}


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto;
       line-height: 1.5; padding: 0 1rem; }}
section {{ border-top: 1px solid #888; padding: 0.5rem 0 1rem; }}
.empty {{ color: #a00; }}
pre {{ white-space: pre-wrap; background: #f4f4f4; padding: 0.5rem; }}
</style></head><body>
<h1>{title}</h1>
<p>{n} submissions. Enter each score in <code>hand.csv</code> (column
<code>score</code>, at most {points} points), then run
<code>make grade SUBMISSIONS=... HAND=hand.csv</code>.</p>
{sections}
</body></html>
"""


def hand_pages(
    subs: dict[str, tuple[str, object]],
    questions: dict[str, list[dict]],
    dest: Path,
    roster: list[dict],
    hand: Path | None = None,
) -> list[Path]:
    """One HTML page per written question with every answer, and hand.csv to fill in.

    ``subs`` maps a student (file stem) to (assignment, notebook or None if unreadable).
    An existing hand.csv keeps its scores and comments, and ``hand`` (the sheet given with
    HAND=) adds its own: a second run of ``make grade`` loses nothing.
    """
    import mistune

    dest.mkdir(parents=True, exist_ok=True)
    sheet_path = dest / "hand.csv"
    kept, comments = {}, {}
    for path in (sheet_path, hand):
        if path and Path(path).exists():
            kept.update(read_hand(path))
            with Path(path).open(newline="", encoding="utf-8-sig") as f:
                for r in csv.DictReader(f):
                    if (r.get("comment") or "").strip():
                        key = (r["student"].strip(), r["assignment"].strip(), r["question"].strip())
                        comments[key] = r["comment"]
    written, sheet = [], []
    for assignment, qs in sorted(questions.items()):
        mine = {s: nb for s, (a, nb) in sorted(subs.items()) if a == assignment}
        if not mine:
            continue
        answers = {
            s: (written_answers(nb, qs) if nb is not None else None) for s, nb in mine.items()
        }
        for q in (q for q in qs if q["manual"]):
            sections = []
            for s, ans in answers.items():
                sid, name = identify(s, roster)
                who = html.escape(f"{name} ({sid})" if name else s)
                text = (ans or {}).get(q["name"], "")
                if ans is None:
                    body = '<p class="empty">(not a readable notebook)</p>'
                elif not text:
                    body = '<p class="empty">(no answer)</p>'
                else:
                    body = mistune.html(text)
                sections.append(
                    f'<section id="{html.escape(s)}"><h2>{who}</h2>\n'
                    f"<p><code>{html.escape(s)}</code></p>\n{body}</section>"
                )
                key = (s, assignment, q["name"])
                sheet.append(
                    {
                        "student": s,
                        "assignment": assignment,
                        "question": q["name"],
                        "score": kept.get(key, ""),
                        "comment": comments.get(key, ""),
                    }
                )
            page = dest / f"{assignment}-{q['name']}.html"
            page.write_text(
                _PAGE.format(
                    title=html.escape(f"{assignment}, {q['name']}"),
                    n=len(mine),
                    points=_fmt(q["points"]),
                    sections="\n".join(sections),
                ),
                encoding="utf-8",
            )
            written.append(page)
    with sheet_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(
            f,
            fieldnames=["student", "assignment", "question", "score", "comment"],
            lineterminator="\n",
        )
        w.writeheader()
        w.writerows(sheet)
    return written


def load_questions(build: Path, names) -> dict[str, list[dict]]:
    out = {}
    for n in sorted(n for n in names if n):
        path = build / n / "questions.json"
        if path.exists():
            out[n] = json.loads(path.read_text())
    return out
