"""Lecture slides: one reveal.js deck per chapter, built from what the chapter marks.

A chapter marks its slides in its MyST source (``CONTRIBUTING.md``, "Slides"):

- a ``prf`` block (definition, theorem, ...) with the option ``:class: slide``;
- a code cell tagged ``slide`` (its code and its output) or ``slide-output`` (its output
  only: a figure with its caption, or a printed check);
- a markdown cell tagged ``slide`` (the whole cell).

Each deck is a title slide, the chapter's learning objectives (``book/course.yml``), one
slide per marked item in chapter order, and a closing slide that sends the reader to the
chapter's exercises and quiz. The items come from the executed notebook
(``book/<chapter>.ipynb``), so figures and printed checks are the outputs nbval proves.
Everything is served from the site: reveal.js 5.2 from the pinned ``sphinx-revealjs``
wheel and MathJax 3 from ``django-static-mathjax`` (the site's own copy), no CDN.

    python scripts/slides.py                    # every deck into _build/html/slides
    python scripts/slides.py --chapter kl       # one deck, prints its slide count
    python scripts/slides.py --chapter kl --check   # and check it in Chromium

Decks are laid out for 1280 x 720; ``--check`` (and ``tests/browser/test_course_ui.py``)
shows every slide and fails on raw TeX, a MathJax error or content that overflows.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
OUT = ROOT / "_build" / "html" / "slides"
WIDTH, HEIGHT = 1280, 720
#: a deck's size, title, objectives and closing slides included (issue 21)
MIN_SLIDES, MAX_SLIDES = 8, 15
PRF_KINDS = {
    "definition": "Definition",
    "theorem": "Theorem",
    "lemma": "Lemma",
    "proposition": "Proposition",
    "corollary": "Corollary",
    "example": "Example",
    "remark": "Remark",
    "property": "Property",
    "conjecture": "Conjecture",
    "algorithm": "Algorithm",
    "axiom": "Axiom",
    "criterion": "Criterion",
    "observation": "Observation",
    "assumption": "Assumption",
    "proof": "Proof",
}
ADMONITIONS = {"note", "tip", "important", "warning", "admonition", "seealso", "attention"}


# -- what the chapters say: titles, labels, references -------------------------------


def _module(name: str, folder: Path):
    """Module ``name`` from ``folder/name.py``, imported once, without touching sys.path."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def site_module(name: str):
    """One of the site's Sphinx helpers in ``book/_ext`` (``offline_mathjax``,
    ``site_fixes``, ``course``)."""
    return _module(name, BOOK / "_ext")


def script_module(name: str):
    """A script beside this one (``browser_check``)."""
    return _module(name, ROOT / "scripts")


def course():
    """The site's course plan helpers (``book/_ext/course.py``): ``course.yml``, read once,
    and each chapter's title as the site shows it."""
    return site_module("course")


def chapters() -> list[str]:
    return list(course().load_plan()["requires"])


def chapter_title(name: str) -> str:
    return course().chapter_stats(name)["title"]


@dataclass
class Labels:
    """Where a label points (page, anchor) and what to call it, across the book."""

    targets: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    _pages: dict = field(default_factory=dict)

    @classmethod
    def collect(cls) -> Labels:
        out = cls()
        for md in sorted(BOOK.glob("*.md")):
            text = md.read_text()
            for m in re.finditer(r"^\(([\w.-]+)\)=\s*\n(#+) (.+)$", text, flags=re.M):
                anchor = "" if m.group(2) == "#" else m.group(1)
                out.targets[m.group(1)] = (md.stem, anchor, m.group(3).strip())
            for m in re.finditer(
                r"^`{3,}\{prf:(\w+)\}[ \t]*(.*)\n((?::[\w-]+:.*\n)*)", text, flags=re.M
            ):
                lab = re.search(r"^:label:\s*(\S+)", m.group(3), flags=re.M)
                if lab:
                    kind = PRF_KINDS.get(m.group(1), m.group(1).title())
                    title = f"{kind} ({m.group(2).strip()})" if m.group(2).strip() else kind
                    out.targets[lab.group(1)] = (md.stem, lab.group(1), title)
            for m in re.finditer(r"^`{3,}\{math\}\n:label:\s*(\S+)", text, flags=re.M):
                out.targets[m.group(1)] = (md.stem, f"equation-{m.group(1)}", "equation")
            for m in re.finditer(r"^\(([\w.-]+)\)=\s*\n\$\$", text, flags=re.M):
                out.targets[m.group(1)] = (md.stem, f"equation-{m.group(1)}", "equation")
        return out

    def _built(self, label: str) -> str:
        """The built site's page holding ``label`` (the decks are built after the site),
        or "" where the site is not built."""
        page = self.targets.get(label, ("",))[0]
        built = BOOK.parent / "_build" / "html" / "book" / f"{page}.html"
        if not page or not built.is_file():
            return ""
        if built not in self._pages:
            self._pages[built] = built.read_text(encoding="utf-8")
        return self._pages[built]

    def equation_number(self, label: str) -> str:
        """``"(3.1)"``, the number the site gives equation ``label``, or ``"(equation)"``."""
        m = re.search(
            rf'id="equation-{re.escape(label)}">\s*<span class="eqno">(\([^)<]+\))',
            self._built(label),
        )
        return m.group(1) if m else "(equation)"

    def caption(self, label: str, kind: str) -> str:
        """``"Theorem 3.2"``, what the site calls the block ``label``, or ``kind``."""
        m = re.search(
            rf'id="{re.escape(label)}">\s*<p class="admonition-title">'
            r'<span class="caption-number">([^<]+?)\s*</span>',
            self._built(label),
        )
        return m.group(1) if m else kind

    def link(self, label: str, text: str | None = None) -> str:
        page, anchor, title = self.targets.get(label, ("", "", label))
        kind = title.split(" (")[0]
        if kind in PRF_KINDS.values():  # "Theorem (x)" -> "Theorem 3.2 (x)", as the site
            title = self.caption(label, kind) + title[len(kind) :]
        # titles may hold inline math: escape the text, keep $...$ as MathJax's \(...\)
        parts = re.split(r"\$([^$]+)\$", text or title)
        shown = "".join(
            f'<span class="math">\\({html.escape(x)}\\)</span>' if k % 2 else html.escape(x)
            for k, x in enumerate(parts)
        )
        if not page:
            return shown
        href = f"../book/{page}.html" + (f"#{anchor}" if anchor else "")
        return f'<a href="{href}">{shown}</a>'


def bib_labels() -> dict[str, str]:
    """``key -> "Author et al. (Year)"`` from ``book/references.bib``; names are read by
    the site's bibliography style (``site_fixes._last``: accents decoded, "van Erven")."""
    from pybtex.database import parse_file

    _last = site_module("site_fixes")._last

    out = {}
    for key, entry in parse_file(str(BOOK / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_last(p) for p in people]
        who = (
            names[0]
            if len(names) == 1
            else f"{names[0]} and {names[1]}"
            if len(names) == 2
            else f"{names[0]} et al."
            if names
            else key
        )
        out[key] = f"{who} ({entry.fields.get('year', 'n.d.')})"
    return out


# -- MyST markdown to HTML, for a slide --------------------------------------------------


class MystToHtml:
    """Render the MyST a chapter uses on its slides: markdown, ``$`` math, ``{math}``
    blocks, roles (cite, ref, eq, prf:ref, numref, doc) and directives (prf blocks,
    admonitions); anything else is refused by name, so a deck never shows raw markup."""

    def __init__(self, labels: Labels, bib: dict[str, str]):
        self.labels, self.bib = labels, bib
        md = MarkdownIt("commonmark").enable("table")
        md.use(dollarmath_plugin, double_inline=True).use(amsmath_plugin)
        md.use(myst_role_plugin).use(myst_block_plugin)
        md.add_render_rule("math_inline", self._math_inline)
        md.add_render_rule("math_inline_double", self._math_display)
        md.add_render_rule("math_block", self._math_block)
        md.add_render_rule("math_block_label", self._math_block)
        md.add_render_rule("amsmath", self._math_block)
        md.add_render_rule("myst_role", lambda _r, *a: self._role(*a))
        md.add_render_rule("myst_target", lambda *a: "")
        md.add_render_rule("myst_line_comment", lambda *a: "")
        md.add_render_rule("myst_block_break", lambda *a: "")
        md.add_render_rule("fence", lambda _r, *a: self._fence(*a))
        self.md = md

    def __call__(self, text: str) -> str:
        return self.md.render(text)

    @staticmethod
    def _math_inline(self_, tokens, idx, options, env):
        return f'<span class="math">\\({html.escape(tokens[idx].content)}\\)</span>'

    @staticmethod
    def _math_display(self_, tokens, idx, options, env):
        return f'<span class="math display">\\[{html.escape(tokens[idx].content.strip())}\\]</span>'

    @staticmethod
    def _math_block(self_, tokens, idx, options, env):
        return f'<div class="math">\\[{html.escape(tokens[idx].content.strip())}\\]</div>\n'

    def _role(self, tokens, idx, options, env):
        name, content = tokens[idx].meta["name"], tokens[idx].content
        m = re.fullmatch(r"(.*?)\s*<([^>]+)>", content, flags=re.S)
        text, target = (m.group(1), m.group(2)) if m else (None, content)
        if name == "cite" or name.startswith("cite:"):
            return html.escape(
                "; ".join(self.bib.get(k.strip(), k.strip()) for k in target.split(","))
            )
        if name == "eq":
            return self.labels.link(target, text or self.labels.equation_number(target))
        if name in ("ref", "prf:ref", "numref", "doc"):
            return self.labels.link(target.lstrip("/").split("/")[-1], text)
        if name in ("math",):
            return f'<span class="math">\\({html.escape(content)}\\)</span>'
        if name in ("code", "samp"):
            return f"<code>{html.escape(content)}</code>"
        raise ValueError(f"the slides do not render the role {{{name}}}; add it to MystToHtml")

    def _fence(self, tokens, idx, options, env):
        tok = tokens[idx]
        info = tok.info.strip()
        m = re.fullmatch(r"\{([\w:-]+)\}\s*(.*)", info)
        if not m:
            lang = html.escape(info.split()[0]) if info else ""
            return f'<pre><code class="{lang}">{html.escape(tok.content)}</code></pre>\n'
        name, arg = m.group(1), m.group(2)
        options, body = directive_options(tok.content)
        if name == "math":
            return f'<div class="math">\\[{html.escape(body.strip())}\\]</div>\n'
        if name.startswith("prf:"):
            kind = PRF_KINDS.get(name[4:], name[4:].title())
            if "label" in options:
                kind = self.labels.caption(options["label"], kind)
            title = f"{kind} ({self.inline(arg)})" if arg else kind
            return (
                f'<div class="block {name[4:]}"><p class="block-title">{title}</p>'
                f"{self(body)}</div>\n"
            )
        if name in ADMONITIONS:
            title = self.inline(arg) if arg else name.title()
            return f'<div class="block note"><p class="block-title">{title}</p>{self(body)}</div>\n'
        raise ValueError(f"the slides do not render the directive {{{name}}}")

    def inline(self, text: str) -> str:
        return self.md.renderInline(text)

    def render_tokens(self, tokens) -> str:
        return self.md.renderer.render(tokens, self.md.options, {})


def directive_options(content: str) -> tuple[dict[str, str], str]:
    """Split a directive's ``:key: value`` lines from its body."""
    lines = content.split("\n")
    options = {}
    while lines and (m := re.fullmatch(r":([\w-]+):\s*(.*)", lines[0])):
        options[m.group(1)] = m.group(2)
        lines.pop(0)
    return options, "\n".join(lines).strip("\n")


# -- the marked items of a chapter -------------------------------------------------------


@dataclass
class Slide:
    title: str
    body: str  # HTML
    kind: str  # "title", "objectives", "block", "code", "output", "text", "closing"
    source: str = ""  # where it comes from, for messages: "cell 12"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _heading_text(line: str) -> str:
    return re.sub(r"^#+\s*", "", line).strip()


def _outputs_html(cell, chapter: str, fig_dir: Path, counter: list[int], render) -> str:
    parts = []
    mystnb = cell.get("metadata", {}).get("mystnb", {})
    caption = (mystnb.get("figure") or {}).get("caption", "")
    alt = (mystnb.get("image") or {}).get("alt", "") or re.sub(r"\s+", " ", caption).strip()
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(f'<pre class="output">{html.escape(out["text"].rstrip())}</pre>')
        elif out.get("output_type") in ("display_data", "execute_result"):
            data = out.get("data", {})
            if "image/png" in data:
                counter[0] += 1
                name = f"{chapter}-fig{counter[0]}.png"
                (fig_dir / name).write_bytes(base64.b64decode(data["image/png"]))
                parts.append(
                    f'<figure><img src="{chapter}/{name}" alt="{html.escape(alt, quote=True)}">'
                    + (
                        f"<figcaption>{render.inline(caption.strip())}</figcaption>"
                        if caption
                        else ""
                    )
                    + "</figure>"
                )
            elif "text/plain" in data and "text/html" not in data:
                text = data["text/plain"]
                if not re.match(r"<(Figure|matplotlib)", text):
                    parts.append(f'<pre class="output">{html.escape(text.rstrip())}</pre>')
    return "\n".join(parts)


def marked_slides(chapter: str, render: MystToHtml, fig_dir: Path) -> list[Slide]:
    nb = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    heading, slides, counter = chapter_title(chapter), [], [0]
    for i, cell in enumerate(nb.cells):
        tags = _tags(cell)
        src = cell.source
        if cell.cell_type == "markdown":
            if "slide" in tags:
                lines = src.strip().split("\n")
                title = heading
                if lines and lines[0].startswith("#"):
                    title = _heading_text(lines.pop(0))
                slides.append(
                    Slide(render.inline(title), render("\n".join(lines)), "text", f"cell {i}")
                )
            tokens = render.md.parse(src)
            for k, tok in enumerate(tokens):
                if tok.type == "heading_open" and tok.tag in ("h1", "h2", "h3"):
                    heading = tokens[k + 1].content
                if tok.type == "fence" and tok.info.strip().startswith("{prf:"):
                    options, _ = directive_options(tok.content)
                    if "slide" in options.get("class", "").split():
                        block = render.render_tokens([tok])
                        m = re.search(r'<p class="block-title">(.*?)</p>', block, flags=re.S)
                        title = m.group(1) if m else render.inline(heading)
                        body = re.sub(
                            r'<p class="block-title">.*?</p>', "", block, count=1, flags=re.S
                        )
                        slides.append(Slide(title, body, "block", f"cell {i}"))
        elif cell.cell_type == "code" and ({"slide", "slide-output"} & set(tags)):
            out = _outputs_html(cell, chapter, fig_dir, counter, render)
            body = out
            if "slide" in tags:
                code = html.escape(src.strip())
                body = f'<pre class="code"><code>{code}</code></pre>\n{out}'
            kind = "code" if "slide" in tags else "output"
            slides.append(Slide(render.inline(heading), body, kind, f"cell {i}"))
    return slides


def deck_slides(chapter: str, render: MystToHtml, fig_dir: Path) -> list[Slide]:
    plan = course().load_plan()
    title = chapter_title(chapter)
    import divlib

    first = Slide(
        render.inline(title),
        f'<p class="subtitle">Divergences, an open course · version {divlib.__version__}</p>'
        f'<p class="subtitle"><a href="../book/{chapter}.html">Read the chapter</a></p>',
        "title",
    )
    objectives = plan.get("objectives", {}).get(chapter, [])
    goals = Slide(
        "After this chapter you can",
        "<ul>" + "".join(f"<li>{render.inline(o)}</li>" for o in objectives) + "</ul>",
        "objectives",
    )
    n_ex = len(re.findall(r"^`{3,}\{exercise\}", (BOOK / f"{chapter}.md").read_text(), flags=re.M))
    closing = Slide(
        "Practise",
        f"<ul><li>{n_ex} exercises with hidden solutions, and a self-check quiz: "
        f'<a href="../book/{chapter}.html#self-check-quiz">the chapter\'s last sections</a></li>'
        "<li>Every number on these slides is printed by the chapter's code; run it on "
        "Binder, Colab or your laptop.</li></ul>",
        "closing",
    )
    return [first, goals, *marked_slides(chapter, render, fig_dir), closing]


# -- the deck ----------------------------------------------------------------------------

CSS = """
.reveal { font-size: 30px; }
.reveal .slides section { text-align: left; height: 100%; box-sizing: border-box; }
.reveal h2 { font-size: 1.45em; text-transform: none; margin-bottom: 0.5em; }
.reveal h1 { font-size: 2.0em; text-transform: none; }
.reveal p, .reveal li { line-height: 1.35; }
.reveal ul { display: block; margin-left: 1em; }
.reveal .subtitle { font-size: 0.8em; color: #3b3b3b; }
.reveal .block { border-left: 6px solid #2a6db0; background: #f2f6fb; padding: 0.4em 0.8em; }
.reveal .block.theorem, .reveal .block.proposition, .reveal .block.lemma,
.reveal .block.corollary { border-left-color: #7a3fb0; background: #f6f2fb; }
.reveal .block-title { font-weight: 700; margin: 0 0 0.3em; }
.reveal pre { width: 100%; box-sizing: border-box; box-shadow: none; margin: 0.3em 0;
  font-size: 0.62em; }
.reveal pre code { max-height: none; padding: 0.4em 0.6em; background: #f4f4f4; color: #1f1f1f; }
.reveal pre.output { background: #fbfbf4; padding: 0.4em 0.6em; white-space: pre-wrap;
  font-size: 0.58em; color: #1f1f1f; }
.reveal figure { margin: 0; text-align: center; }
.reveal figure img { max-height: 480px; max-width: 100%; margin: 0 auto; display: block; }
.reveal figcaption { font-size: 0.6em; color: #3b3b3b; text-align: left; margin-top: 0.3em; }
.reveal a { color: #1a5c99; }
.reveal .math { font-size: 100%; }
.reveal div.math { margin: 0.4em 0; overflow: hidden; }
.reveal .footer-note { position: absolute; bottom: 0; right: 0; font-size: 0.45em; color: #555; }
"""


def deck_html(chapter: str, slides: list[Slide]) -> str:
    sections = []
    for s in slides:
        if s.kind == "title":
            sections.append(f'<section data-kind="title"><h1>{s.title}</h1>{s.body}</section>')
        else:
            sections.append(
                f'<section data-kind="{s.kind}" data-source="{html.escape(s.source)}">'
                f"<h2>{s.title}</h2>{s.body}</section>"
            )
    title = re.sub(r"<[^>]+>", "", slides[0].title)
    config = {
        "width": WIDTH,
        "height": HEIGHT,
        "margin": 0.04,
        "center": False,
        "hash": True,
        "slideNumber": "c/t",
        "transition": "none",
    }
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}: slides</title>
<link rel="stylesheet" href="_assets/reveal/reset.css">
<link rel="stylesheet" href="_assets/reveal/reveal.css">
<link rel="stylesheet" href="_assets/reveal/theme/white.css">
<style>{CSS}</style>
<script>
window.MathJax = {{
  tex: {{ inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]] }},
  options: {{ ignoreHtmlClass: "reveal", processHtmlClass: "math" }},
  startup: {{ typeset: true }}
}};
</script>
<script defer src="_assets/mathjax/tex-mml-chtml.js"></script>
</head>
<body>
<div class="reveal"><div class="slides">
{chr(10).join(sections)}
</div></div>
<script src="_assets/reveal/reveal.js"></script>
<script>
Reveal.initialize({json.dumps(config)});
window.deckReady = new Promise(function (resolve) {{
  function done() {{ document.fonts.ready.then(function () {{ Reveal.layout(); resolve(true); }}); }}
  function wait() {{
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {{
      MathJax.startup.promise.then(done);
    }} else {{ setTimeout(wait, 50); }}
  }}
  Reveal.on("ready", wait);
}});
</script>
</body>
</html>
"""


def copy_assets(out: Path) -> None:
    """reveal.js (from the sphinx-revealjs wheel) and the site's MathJax, once."""
    assets = out / "_assets"
    spec = importlib.util.find_spec("sphinx_revealjs")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("sphinx-revealjs is not installed (it is pinned: `make venv`)")
    dist = Path(list(spec.submodule_search_locations)[0]) / "_static" / "revealjs" / "dist"
    reveal = assets / "reveal"
    if not (reveal / "reveal.js").is_file():
        reveal.mkdir(parents=True, exist_ok=True)
        for name in ("reveal.js", "reveal.css", "reset.css"):
            shutil.copy2(dist / name, reveal / name)
        shutil.copytree(dist / "theme", reveal / "theme", dirs_exist_ok=True)
        shutil.copy2(dist.parent / "LICENSE", reveal / "LICENSE")
    site_module("offline_mathjax").copy_mathjax(assets / "mathjax")


def build(names: list[str], out: Path = OUT) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    render = MystToHtml(Labels.collect(), bib_labels())
    counts = {}
    for name in names:
        fig_dir = out / name
        shutil.rmtree(fig_dir, ignore_errors=True)
        fig_dir.mkdir(parents=True)
        slides = deck_slides(name, render, fig_dir)
        (out / f"{name}.html").write_text(deck_html(name, slides), encoding="utf-8")
        counts[name] = len(slides)
    (out / "index.html").write_text(index_html(names, counts), encoding="utf-8")
    return counts


def index_html(names: list[str], counts: dict[str, int]) -> str:
    rows = "".join(
        f'<li><a href="{n}.html">{html.escape(chapter_title(n))}</a> ({counts[n]} slides)</li>'
        for n in names
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>Divergences: lecture slides'
        "</title></head><body><main><h1>Divergences: lecture slides</h1><p>One deck per "
        "chapter; arrow keys or space to move, <kbd>Esc</kbd> for an overview, "
        '<kbd>F</kbd> for full screen. <a href="../index.html">Back to the course</a>.</p>'
        f"<ul>{rows}</ul></main></body></html>"
    )


# -- checking a deck in a browser --------------------------------------------------------

CHECK_JS = """
async () => {
  await window.deckReady;
  await document.fonts.ready;  // a slide measured in a fallback font is wider
  Reveal.layout();
  const out = [];
  const slides = Reveal.getSlides();
  for (let i = 0; i < slides.length; i++) {
    Reveal.slide(i);
    await new Promise(r => setTimeout(r, 30));
    const s = slides[i];
    const text = s.innerText;
    const raw = [];
    for (const node of s.querySelectorAll('p, li, h1, h2, figcaption, div.block, td')) {
      const clone = node.cloneNode(true);
      clone.querySelectorAll('mjx-container, code, pre').forEach(x => x.remove());
      const t = clone.textContent;
      // a dollar, a backslash before any character (TeX, an accent), or a MyST role
      const m = t.match(/\\$|\\\\\\S|\\{(cite|ref|eq|prf:|numref|doc)/);
      if (m) raw.push(t.slice(Math.max(0, m.index - 20), m.index + 30));
    }
    const over = [];
    const box = document.querySelector('.reveal .slides').getBoundingClientRect();
    const scale = Reveal.getScale();
    let right = 0, bottom = 0;
    for (const el of s.querySelectorAll('*')) {
      // a formula is measured by its mjx-math box, its true width: the glyph pieces of
      // stretchy delimiters (big bars) inside it may sit outside it, invisible
      if (el.parentElement && el.parentElement.closest('mjx-math')) continue;
      if (el.closest('mjx-assistive-mml')) continue;  // a clipped copy for screen readers
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      right = Math.max(right, (r.right - box.left) / scale);
      bottom = Math.max(bottom, (r.bottom - box.top) / scale);
      if (el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0 &&
          !['visible', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX))
        over.push(el.tagName + ' scrolls sideways');
    }
    const imgs = [...s.querySelectorAll('img')].filter(im => !im.complete || im.naturalWidth === 0);
    out.push({
      index: i,
      source: s.dataset.source || s.dataset.kind,
      right: Math.round(right),
      bottom: Math.round(bottom),
      raw: raw,
      merror: s.querySelectorAll('mjx-merror').length,
      overflow: over,
      broken_images: imgs.length,
    });
  }
  return {slides: out, total: slides.length, width: Reveal.getConfig().width,
          height: Reveal.getConfig().height};
}
"""


def slide_problems(report: dict) -> list[str]:
    """What a reader would see wrong on the deck: raw TeX, overflow, broken images."""
    problems = []
    h, w = report["height"], report["width"]
    if not MIN_SLIDES <= report["total"] <= MAX_SLIDES:
        problems.append(f"{report['total']} slides; a deck has {MIN_SLIDES} to {MAX_SLIDES}")
    for s in report["slides"]:
        where = f"slide {s['index'] + 1} ({s['source']})"
        if s["bottom"] > h:
            problems.append(f"{where} overflows: its content ends at {s['bottom']} px > {h} px")
        if s["right"] > w:
            problems.append(f"{where} is too wide: its content ends at {s['right']} px > {w} px")
        if s["raw"]:
            problems.append(f"{where} shows raw markup: {s['raw'][:2]}")
        if s["merror"]:
            problems.append(f"{where} has {s['merror']} MathJax errors")
        if s["overflow"]:
            problems.append(f"{where}: {s['overflow'][:2]}")
        if s["broken_images"]:
            problems.append(f"{where} has {s['broken_images']} broken images")
    return problems


def check_deck(browser, base: str, name: str) -> dict:
    """Open deck ``name`` at 1280 x 720 from ``base`` (offline: any other host is
    refused) and measure every slide."""
    offline_page = script_module("browser_check").offline_page
    ctx, page = offline_page(browser, base, viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page.goto(f"{base}/slides/{name}.html", wait_until="load")
        report = page.evaluate(CHECK_JS)
    finally:
        ctx.close()
    report["errors"], report["failed"] = page.js_errors, page.failed_requests
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="check the decks in Chromium")
    ap.add_argument("--quiet", action="store_true", help="print one summary line")
    args = ap.parse_args(argv)
    names = args.chapter or chapters()
    unknown = sorted(set(names) - set(chapters()))
    if unknown:
        ap.error(f"unknown chapters {unknown}; choose from {chapters()}")
    counts = build(names, args.out)
    if args.quiet:
        print(f"slides: {len(counts)} decks, {sum(counts.values())} slides in {args.out}")
    else:
        for name, n in counts.items():
            print(f"{name}: {n} slides -> {args.out / (name + '.html')}")
    if not args.check:
        return 0
    from playwright.sync_api import sync_playwright

    browser_check = script_module("browser_check")

    exe = browser_check.find_chromium()
    if exe is None:
        print("no Chromium here: apt-get install chromium")
        return 2
    bad = 0
    with browser_check.serve(args.out.parent) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=browser_check.CHROMIUM_ARGS)
        for name in names:
            report = check_deck(browser, base, name)
            problems = slide_problems(report) + [f"JS error: {e}" for e in report["errors"]]
            problems += [f"failed request: {u}" for u in report["failed"]]
            print(f"{name}: {report['total']} slides, " + ("OK" if not problems else "PROBLEMS"))
            for line in problems:
                print("   ", line)
            bad += bool(problems)
        browser.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
