"""Check the built site in a real browser, as a reader sees it.

Serves ``_build/html`` on 127.0.0.1, opens every page of ``_toc.yml`` in the system
Chromium (Debian's ``chromium`` package, driven by Playwright; Playwright never downloads
a browser here) once, at a phone width (390 px), then widens the window to a desktop
width (1280 px) as a reader turning a tablet or widening a window does, waits for MathJax
and for the page to settle, and reports per page and width:

- raw TeX left in the text (a ``$`` or a ``\\command`` outside code and typeset math);
- MathJax errors (``mjx-merror``);
- uncaught JavaScript errors and failed requests (the site must work offline);
- inline formulas that are wider than their box and cannot be scrolled;
- images without alt text;
- formulas that are Tab stops, and links in theorem or exercise boxes below 4.5:1 contrast;
- exercise solutions that are visible before a click, or stay hidden after one.

- (issue 20) the page never scrolls sideways, scrolled from top to bottom;
- display formulas wider than their column scroll and show a visible hint;
- figure text legibility at 1280 px: the smallest text of each figure, as shown, is at
  least ``MIN_TEXT_PX`` CSS px (see ``figure_table``);
- axe-core (``axe-playwright-python``): WCAG 2.0/2.1 A and AA rules, zero violations,
  except the rules listed with their reason in ``AXE_EXCEPTIONS``;
- on a chapter page, its self-check quiz answered right and wrong (``check_quiz``).

It also checks that the search page finds a known word. The pytest-playwright suite
``tests/browser/`` runs these checks page by page in parallel (pytest-xdist) and adds
what a phone reader does: open the navigation, follow a chapter link, open the page
contents. Usage::

    python scripts/browser_check.py [--html DIR] [--json OUT] [PAGE ...]   # one process
    python scripts/browser_check.py --pytest [--html DIR]                   # the suite

Exit status 0 when every page passes, 1 otherwise, 2 when no Chromium is installed.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import ROOT, toc_files, toc_notebooks

WIDTHS = {"desktop": 1280, "phone": 390}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SEARCH_WORD = "entropy"
#: The heaviest page, with everything it loads, must stay under this (issue 12).
MAX_PAGE_BYTES = 3 * 1024 * 1024

#: axe-core rule sets: WCAG 2.0 and 2.1, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Typeset formulas are audited as containers (focus, scroll, label), not glyph by glyph:
#: MathJax draws each glyph as an element and axe's colour-contrast rule took more than a
#: minute per chapter on them; glyphs take the text colour, which is audited around them.
AXE_CONTEXT = {"include": [["body"]], "exclude": [["mjx-math"], ["mjx-assistive-mml"]]}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
#: The one place where an axe rule is waived, with the reason. Empty: no exception.
AXE_EXCEPTIONS: dict[str, str] = {}

# -- figure text legibility ---------------------------------------------------------------

#: The smallest figure text a reader is shown at 1280 px, in CSS px. The rule: the
#: smallest font the figure was drawn with (matplotlib's default 10 pt unless the cell's
#: code asks for a smaller ``fontsize=``/``labelsize=``) x the PNG's dpi / 72 x rendered
#: width / natural width >= MIN_TEXT_PX.
MIN_TEXT_PX = 9.0
DEFAULT_PT = 10.0
NAMED = {"xx-small": 0.579, "x-small": 0.694, "small": 0.833, "medium": 1.0}
SIZE_ARG = re.compile(r"\b(?:fontsize|labelsize)\s*=\s*(?:([0-9.]+)|[\"']((?:x+-)?small)[\"'])")


def smallest_pt(source: str) -> float:
    sizes = [DEFAULT_PT]
    for num, word in SIZE_ARG.findall(source):
        sizes.append(float(num) if num else DEFAULT_PT * NAMED[word])
    return min(sizes)


def figure_table(notebooks) -> dict[str, dict]:
    """``{"<sha256>.png": {chapter, figure, dpi, pt}}`` over the executed notebooks."""
    from PIL import Image

    table = {}
    for nb_path in notebooks:
        nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
        count = 0
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            name = ((cell.get("metadata", {}).get("mystnb") or {}).get("figure") or {}).get("name")
            for out in cell.get("outputs", []):
                data = out.get("data", {}).get("image/png")
                if not data:
                    continue
                count += 1
                raw = base64.b64decode("".join(data) if isinstance(data, list) else data)
                with Image.open(io.BytesIO(raw)) as im:
                    dpi = float((im.info.get("dpi") or (72.0, 72.0))[0])
                table[hashlib.sha256(raw).hexdigest() + ".png"] = {
                    "chapter": Path(nb_path).stem,
                    "figure": name or f"image {count}",
                    "dpi": round(dpi, 1),
                    "pt": smallest_pt(source),
                }
    return table


def text_px(info: dict, rendered_width: float, natural_width: float) -> float:
    """CSS px of the figure's smallest text as shown."""
    return info["pt"] * info["dpi"] / 72.0 * rendered_width / natural_width


#: The WCAG contrast ratio of an element's text colour against the first opaque background
#: behind it (white if none): ``pg.locator(...).evaluate(CONTRAST)``.
CONTRAST = r"""
(el) => {
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = [255, 255, 255];
  for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
  }
  const l1 = lum(rgb(getComputedStyle(el).color)), l2 = lum(bg);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}
"""

# Runs in the page once MathJax has finished: collects every problem a reader would see.
PAGE_PROBE = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const out = {rawTex: [], mathErrors: 0, clipped: [], noAlt: [], formulas: 0,
               displayFormulas: 0, figures: 0, exercises: 0, solutions: 0};
  // Raw TeX: text outside code, scripts and typeset math that still looks like TeX.
  const skip = "pre, code, script, style, mjx-container, .MathJax, .highlight, " +
               "textarea, .cell_output .output, .output_text, nav, .bd-search, title, " +
               "kbd, .cell_output pre";
  const walker = document.createTreeWalker(document.querySelector("main") || document.body,
                                           NodeFilter.SHOW_TEXT);
  const texLike = /(\$[^\s$][^$]*\$?)|(\\[a-zA-Z]{2,})|(\\[,;!{}|])/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip)) continue;
    const m = n.textContent.match(texLike);
    if (m) out.rawTex.push(n.textContent.trim().slice(0, 120));
  }
  out.mathErrors = document.querySelectorAll("mjx-merror").length;
  // Inline formulas whose content is wider than their box, with no way to scroll.
  const inline = document.querySelectorAll("mjx-container:not([display='true'])");
  out.formulas = inline.length;
  out.displayFormulas = document.querySelectorAll("mjx-container[display='true']").length;
  for (const c of inline) {
    // Compare boxes, not scrollWidth: MathJax's assistive MathML widens scrollWidth.
    const r = c.getBoundingClientRect();
    for (let el = c.parentElement; el && el !== document.body; el = el.parentElement) {
      const st = getComputedStyle(el);
      const clips = ["hidden", "clip"].includes(st.overflowX) && st.display !== "inline";
      const box = el.getBoundingClientRect();
      if (clips && (r.right > box.right + 1 || r.left < box.left - 1)) {
        out.clipped.push((c.getAttribute("aria-label") || c.textContent).slice(0, 80));
        break;
      }
      if (["auto", "scroll"].includes(st.overflowX)) break;
    }
  }
  for (const img of document.querySelectorAll("main img")) {
    const alt = img.getAttribute("alt");
    if (!alt || !alt.trim()) out.noAlt.push(img.getAttribute("src"));
  }
  out.figures = document.querySelectorAll("main img").length;
  // Formulas must not each be a Tab stop (keyboard users tabbed through hundreds); a
  // formula that scrolls must be one (WCAG 2.1.1).
  out.tabStops = Array.from(document.querySelectorAll("mjx-container"))
    .filter((c) => c.tabIndex >= 0 && c.scrollWidth <= c.clientWidth + 1).length;  // scrollers may
  // Links in theorem, definition, exercise and solution boxes: WCAG AA contrast (4.5:1).
  const contrast = __CONTRAST__;
  out.lowContrast = [];
  for (const a of document.querySelectorAll("main div.proof a, main div.admonition a")) {
    if (!a.textContent.trim()) continue;
    const ratio = contrast(a);
    if (ratio < 4.5) out.lowContrast.push(`${a.textContent.trim().slice(0, 40)} (${ratio.toFixed(1)}:1)`);
  }
  out.exercises = document.querySelectorAll("main .exercise").length;
  out.solutions = document.querySelectorAll("main .solution").length;
  return out;
}
""".replace("__CONTRAST__", CONTRAST.strip())

# Issue 20: scroll the page from top to bottom as a reader does (``scroll``: the first
# width only); back at the top, report sideways scroll,
# display formulas wider than their column without a visible scroll cue, and what each
# figure image is rendered at.
LAYOUT_PROBE = r"""
async (scroll) => {
  const out = {sideways: [], wideFormulas: [], images: []};
  const step = Math.max(200, innerHeight - 100);
  for (let y = 0; scroll && y < document.documentElement.scrollHeight; y += step) {
    scrollTo(0, y);
    await new Promise((r) => setTimeout(r, 20));
  }
  scrollTo(0, 0);
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) {
    // Name the outermost elements that stick out to the right.
    const seen = new Set();
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > doc.clientWidth + 1 && !seen.has(el.parentElement)) {
        let inScroller = false;
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) { inScroller = true; break; }
        }
        seen.add(el);
        if (!inScroller && out.sideways.length < 5)
          out.sideways.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} right=${Math.round(r.right)}`);
      }
    }
    out.sideways.unshift(`page is ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
  }
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const shown = (el) => el && el.getBoundingClientRect().height > 0 &&
                        getComputedStyle(el).visibility !== "hidden";
  for (const c of document.querySelectorAll("main mjx-container[display='true']")) {
    const math = c.querySelector("mjx-math") || c;
    const box = c.closest("div.math") || c.parentElement;
    if (getComputedStyle(c).visibility === "hidden") continue;  // in a closed solution
    const need = math.getBoundingClientRect().width;
    if (need <= box.clientWidth + 1) continue;
    const label = (c.getAttribute("aria-label") || c.textContent).slice(0, 60);
    const scroller = [c, box].find((el) => scrolls(el) && el.scrollWidth > el.clientWidth + 1);
    if (!scroller) { out.wideFormulas.push(`display formula clipped, no scroll: ${label}`); continue; }
    let hint = scroller.nextElementSibling;
    if (!(hint && hint.classList.contains("div-scroll-hint") && shown(hint)))
      out.wideFormulas.push(`display formula scrolls with no visible hint: ${label}`);
  }
  // axe's scrollable-region-focusable, for formulas: axe runs on the page with the
  // formulas' glyphs taken out (STRIP_MATH), so their scroll boxes are checked here.
  for (const el of document.querySelectorAll("main mjx-container, main div.math, main span.math")) {
    if (scrolls(el) && el.scrollWidth > el.clientWidth && el.tabIndex < 0 && shown(el))
      out.wideFormulas.push(`formula scrolls but is no Tab stop: ${(el.getAttribute("aria-label") || el.textContent).slice(0, 60)}`);
  }
  // The same rule for every other box that scrolls at this width (code, outputs, tables):
  // axe runs at one width only (its other rules do not depend on the width), so this is
  // what checks, at a phone's width, that a keyboard user can scroll what scrolls.
  const focusable = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";
  for (const el of document.querySelectorAll("main *")) {
    if (el.closest("mjx-container")) continue;
    if (!(scrolls(el) && el.scrollWidth > el.clientWidth + 1 && shown(el))) continue;
    if (el.tabIndex >= 0 || el.querySelector(focusable)) continue;
    out.wideFormulas.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} scrolls but is no Tab stop: ${el.textContent.trim().slice(0, 60)}`);
  }
  for (const img of document.querySelectorAll("main img")) {
    if (!img.complete || !img.naturalWidth) continue;
    if (!img.closest(".cell_output")) continue;  // figures drawn by code, not icons or logos
    out.images.push({src: img.getAttribute("src"), width: img.getBoundingClientRect().width,
                     natural: img.naturalWidth, id: (img.closest("figure") || {}).id || ""});
  }
  return out;
}
"""

# After a resize: the theme's transitions end (the sidebar slides in), then the site's
# script refits the formulas 150 ms after the article last changed size (lookAgain in
# divergences.js) and the theme resets the Tab stops of scroll boxes 300 ms after the
# last resize event (pydata-sphinx-theme's debounced updateTabStops): 600 ms covers both
# on a busy machine. Finite animations only: a spinner would never end.
SETTLE = r"""
async () => {
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  await frame(); await frame();
  const finite = document.getAnimations().filter(
    (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(finite.map((a) => a.finished.catch(() => null)));
  await new Promise((r) => setTimeout(r, 600));
  await frame();
  return finite.length;
}
"""

# Each solution must be hidden, then (with click = true) shown after a click on its title.
SOLUTION_PROBE = r"""
async (click) => {
  const bad = [];
  const sols = Array.from(document.querySelectorAll("main .solution"));
  const visible = (el) => el.getBoundingClientRect().height > 0 &&
                          getComputedStyle(el).visibility !== "hidden";
  for (const [i, s] of sols.entries()) {
    const body = s.querySelector(".admonition-title ~ *, details > :not(summary)");
    if (body && visible(body)) { bad.push(`solution ${i + 1} is visible before a click`); continue; }
    if (!click) continue;
    const title = s.querySelector(".admonition-title, summary, button.toggle-button");
    if (!title) { bad.push(`solution ${i + 1} has nothing to click`); continue; }
    title.click();
    await new Promise((r) => setTimeout(r, 150));
    const after = s.querySelector(".admonition-title ~ *, details > :not(summary)");
    if (after && !visible(after)) bad.push(`solution ${i + 1} stays hidden after a click`);
  }
  return bad;
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def offline_page(browser, base: str, *, block: tuple[str, ...] = (), **context):
    """A new browser context and page that reach only ``base`` (every other request is
    refused, as for a reader without network) and also refuse URLs containing any of
    ``block``. ``page.js_errors`` and ``page.failed_requests`` collect what went wrong.
    ``context`` goes to ``browser.new_context`` (viewport, is_mobile, ...). Returns
    ``(context, page)``; the caller closes the context."""
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.js_errors, page.failed_requests = [], []
    page.on("pageerror", lambda e: page.js_errors.append(str(e)))
    page.on("requestfailed", lambda r: page.failed_requests.append(r.url))
    page.route(
        lambda url: not url.startswith(base) or any(b in url for b in block),
        lambda route: route.abort(),
    )
    return ctx, page


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on an ephemeral port of 127.0.0.1; yield the base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    socketserver.TCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def site_pages(html: Path) -> list[str]:
    """The html pages of every ``_toc.yml`` entry, relative to ``html``."""
    return [str(Path(e).with_suffix(".html")) for e in toc_files()]


@functools.lru_cache(maxsize=1)
def _figures() -> dict:
    return figure_table(toc_notebooks())


def figure_text(images: list[dict], table: dict | None = None) -> list[dict]:
    """Per figure: its chapter, name, scale and smallest text in CSS px."""
    table = _figures() if table is None else table
    out = []
    for im in images:
        info = table.get(im["src"].rsplit("/", 1)[-1])
        if not im["natural"]:
            continue
        if info is None:  # not from a stored notebook output: matplotlib's defaults
            info = {
                "chapter": "",
                "figure": im["src"].rsplit("/", 1)[-1],
                "pt": DEFAULT_PT,
                "dpi": im.get("dpi") or 100.0,
            }
        out.append(
            {
                "chapter": info["chapter"],
                "figure": im["id"] or info["figure"],
                "scale": round(im["width"] / im["natural"], 3),
                "px": round(text_px(info, im["width"], im["natural"]), 2),
                "pt": info["pt"],
                "dpi": info["dpi"],
            }
        )
    return out


#: Empties every typeset formula's glyph tree, keeping the container and its attributes.
STRIP_MATH = (
    "() => { for (const c of document.querySelectorAll('mjx-container')) c.replaceChildren(); }"
)

#: Highlighted code repeats one palette: a chapter's code cells are thousands of token
#: spans, and axe's colour-contrast rule (four fifths of its time) computed each. Every
#: token class keeps its first span on the page, so every colour pair is still audited;
#: the other spans become plain text in their block, audited in the block's own colour.
STRIP_CODE = """
() => {
  const seen = new Set();
  for (const pre of document.querySelectorAll('main div.highlight pre')) {
    for (const span of Array.from(pre.children)) {
      // only the block's own token spans: a span inside a link (divlib's reference links)
      // sets the colour the reader sees, and stays
      if (span.tagName !== 'SPAN' || span.children.length) continue;
      const key = span.className;
      if (!seen.has(key)) { seen.add(key); continue; }
      span.replaceWith(document.createTextNode(span.textContent));
    }
    pre.normalize();
  }
  return seen.size;
}
"""


def run_axe(pg) -> list[dict]:
    """axe-core's WCAG 2.x A/AA violations on the open page, minus ``AXE_EXCEPTIONS``."""
    from axe_playwright_python.sync_playwright import Axe

    res = Axe().run(pg, context=AXE_CONTEXT, options=AXE_OPTIONS)
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v.get("help"),
            "nodes": [
                " ".join(n.get("target", []))
                if isinstance(n.get("target"), list)
                else str(n.get("target"))
                for n in v.get("nodes", [])
            ][:5],
        }
        for v in res.response.get("violations", [])
        if v["id"] not in AXE_EXCEPTIONS
    ]


def check_page(browser, base: str, page: str, widths=WIDTHS, axe: bool = True) -> dict:
    """Open one page once and check it at each of ``widths`` (``{label: px}``), narrowest
    first, resizing the window between them as a reader turning a phone or widening a
    window does (the site's script refits formulas and scroll hints on resize). Returns
    ``{label: result}``.

    The page loads at the narrowest width: a phone reader's first view. A chapter's
    self-check quiz is answered there, after the probes (``check_quiz``). axe-core audits the page at the widest width, once (its rules but
    scrollable-region-focusable do not depend on the width; LAYOUT_PROBE checks that one
    at every width), then the solutions are opened by a click.
    """
    order = sorted(widths.items(), key=lambda item: item[1])
    chapter = quiz_chapter(page)
    ctx = browser.new_context(viewport={"width": order[0][1], "height": 900}, offline=False)
    pg = ctx.new_page()
    errors, failed, sizes = [], [], {}
    pg.on("requestfinished", lambda r: sizes.__setitem__(r.url, _size(r)))
    pg.on("pageerror", lambda e: errors.append(str(e).splitlines()[0][:200]))
    pg.on("requestfailed", lambda r: failed.append(r.url))
    pg.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # Offline: any request that leaves 127.0.0.1 is a failure a reader without network sees.
    pg.route(
        lambda url: not url.startswith(base) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    out = {}
    try:
        pg.goto(f"{base}/{page}", wait_until="load")
        for i, (label, width) in enumerate(order):
            last = i == len(order) - 1
            if i:
                pg.set_viewport_size({"width": width, "height": 900})
                pg.evaluate(SETTLE)
            result = pg.evaluate(PAGE_PROBE)
            # scrolled from top to bottom at the first width: what a scroll brings in
            # (lazy images, elements a script adds) stays for the next width
            lay = pg.evaluate(LAYOUT_PROBE, i == 0)
            result["sideways"] = lay["sideways"]
            result["wideFormulas"] = lay["wideFormulas"]
            result["figureText"] = figure_text(lay["images"]) if width >= 1280 else []
            result["quiz"] = []
            if chapter and i == 0:
                result["quiz"] = check_quiz(pg, chapter)
                # the pointer leaves the last button it pressed: a hovered link takes the
                # theme's hover colour, which axe would audit instead of the page's own
                pg.mouse.move(0, 0)
            pg.wait_for_timeout(100)
            # Failed requests before axe: axe-core preloads the stylesheets itself and
            # resolves their @import against the page root (a 404 for /basic.css no
            # reader's browser makes).
            failed_before_axe = list(failed)
            result["axe"] = []
            if last and axe:
                # axe audits the page with its solutions closed. The glyphs of typeset
                # formulas (two thirds of a chapter's DOM, and half of axe's time) are
                # taken out first: they are excluded from the audit anyway, and the
                # formulas' scroll boxes were checked by LAYOUT_PROBE above; the formula
                # containers stay and are audited.
                pg.evaluate(STRIP_MATH)
                pg.evaluate(STRIP_CODE)
                result["axe"] = run_axe(pg)
            # solutions: hidden at every width; opened by a click at the last one
            result["solutionProblems"] = (
                pg.evaluate(SOLUTION_PROBE, last) if result["solutions"] else []
            )
            pg.wait_for_timeout(100)
            result["jsErrors"] = list(errors)
            result["failedRequests"] = failed_before_axe + [
                u for u in failed[len(failed_before_axe) :] if not u.endswith("/basic.css")
            ]
            result["bytes"] = sum(sizes.values())
            out[label] = result
    finally:
        ctx.close()
    return out


def quiz_chapter(page: str) -> str | None:
    """The chapter whose self-check quiz ``page`` ends with (``book/kl.html`` -> ``kl``)."""
    import divlib

    stem = Path(page).stem
    return stem if page.startswith("book/") and stem in divlib.quiz_names() else None


def check_quiz(pg, chapter: str) -> list[str]:
    """Answer the chapter's quiz as a reader does, on the open page: a check with no
    answer, a wrong choice, the right one, a wrong number, a listed common mistake and a
    number within the tolerance. Each must show the feedback and the explanation of the
    quiz file (``divlib/quizzes/<chapter>.toml``). Returns the problems."""
    from playwright.sync_api import expect

    import divlib

    questions = divlib.quiz(chapter).questions
    feedback = ".divquiz-feedback"
    try:
        quiz = pg.locator(f"#divquiz-{chapter}")
        expect(quiz).to_have_count(1)
        expect(quiz.locator(".divquiz-nojs")).to_have_count(0)  # the script ran
        forms = quiz.locator("form.divquiz-q")
        expect(forms).to_have_count(len(questions))

        i = next(k for k, q in enumerate(questions) if q["kind"] == "choice")
        form, q = forms.nth(i), questions[i]
        form.locator("button.divquiz-check").click()
        expect(form.locator(feedback)).to_have_text("Pick an answer first.")
        wrong = next(j for j, c in enumerate(q["choices"]) if not c["correct"])
        right = next(j for j, c in enumerate(q["choices"]) if c["correct"])
        form.locator("label").nth(wrong).click()  # a reader taps the text, not the dot
        form.locator("button.divquiz-check").click()
        expect(form.locator(feedback)).to_have_class("divquiz-feedback divquiz-wrong")
        expect(form.locator(feedback)).to_contain_text(q["choices"][wrong]["why"])
        form.locator("label").nth(right).click()
        form.locator("button.divquiz-check").click()
        expect(form.locator(feedback)).to_have_class("divquiz-feedback divquiz-right")
        expect(form.locator(feedback)).to_contain_text("Correct. " + q["choices"][right]["why"])

        k = next(k for k, q in enumerate(questions) if q["kind"] == "numeric")
        form, q = forms.nth(k), questions[k]
        box = form.locator("input[type=text]")
        box.fill(f"{q['answer'] + 10 * q['tolerance'] + 1:.6g}")
        box.press("Enter")
        expect(form.locator(feedback)).to_have_class("divquiz-feedback divquiz-wrong")
        if q["mistakes"]:
            box.fill(f"{q['mistakes'][0]['value']:.10g}")
            form.locator("button.divquiz-check").click()
            expect(form.locator(feedback)).to_contain_text(q["mistakes"][0]["why"])
        box.fill(f"{q['answer'] + 0.4 * q['tolerance']:.10g}")
        form.locator("button.divquiz-check").click()
        expect(form.locator(feedback)).to_have_class("divquiz-feedback divquiz-right")
        expect(form.locator(feedback)).to_contain_text(q["why"])
    except AssertionError as e:
        return [f"quiz of {chapter}: " + " ".join(str(e).split())[:400]]
    return []


def _size(request) -> int:
    try:
        return int(request.response().headers.get("content-length", 0))
    except Exception:
        return 0


def check_search(browser, base: str) -> str | None:
    """None if searching for a known word lists results, else the problem."""
    pg = browser.new_page()
    pg.goto(f"{base}/search.html?q={SEARCH_WORD}", wait_until="load")
    try:
        pg.wait_for_selector("#search-results ul.search li", timeout=15000)
    except Exception:
        return f"search for {SEARCH_WORD!r} listed no result"
    finally:
        pg.close()
    return None


def problems_of(result: dict) -> list[str]:
    out = []
    out += [f"raw TeX: {t!r}" for t in result["rawTex"]]
    if result["mathErrors"]:
        out.append(f"{result['mathErrors']} MathJax errors")
    out += [f"clipped inline formula: {t!r}" for t in result["clipped"]]
    out += [f"image without alt text: {s}" for s in result["noAlt"]]
    if result.get("tabStops"):
        out.append(f"{result['tabStops']} formulas are Tab stops")
    out += [f"link below 4.5:1 contrast in a box: {t}" for t in result.get("lowContrast", [])]
    out += result["solutionProblems"]
    out += result.get("quiz", [])
    out += [f"JavaScript error: {e}" for e in result["jsErrors"]]
    out += [f"failed request: {u}" for u in result["failedRequests"]]
    out += [f"sideways scroll: {t}" for t in result.get("sideways", [])]
    out += result.get("wideFormulas", [])
    out += [
        f"figure text {f['px']:.1f} px < {MIN_TEXT_PX:g} px: {f['figure']} (scale {f['scale']:.2f}, "
        f"{f['pt']:g} pt at dpi {f['dpi']:g})"
        for f in result.get("figureText", [])
        if f["px"] < MIN_TEXT_PX
    ]
    out += [
        f"axe {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
        for v in result.get("axe", [])
    ]
    if result.get("bytes", 0) > MAX_PAGE_BYTES:
        out.append(
            f"page weight {result['bytes'] / 2**20:.1f} MB > {MAX_PAGE_BYTES / 2**20:.0f} MB"
        )
    return out


def run(html: Path, pages: list[str] | None = None, widths=WIDTHS, search: bool = True) -> dict:
    """Check ``pages`` (default: every toc page) of the site in ``html``."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install chromium)")
    pages = pages or site_pages(html)
    report = {"pages": {}, "search": None}
    with serve(html) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for page in pages:
                report["pages"][page] = check_page(browser, base, page, widths)
            if search:
                report["search"] = check_search(browser, base)
        finally:
            browser.close()
    return report


def summarize(report: dict) -> tuple[list[str], list[str]]:
    """(problems, one count line per page)."""
    problems, counts = [], []
    for page, by_width in report["pages"].items():
        d = by_width.get("desktop") or next(iter(by_width.values()))
        counts.append(
            f"{page}: {d['formulas']} inline + {d['displayFormulas']} display formulas, "
            f"{d['figures']} figures, {d['exercises']} exercises, {d['solutions']} solutions, "
            f"{d.get('bytes', 0) / 2**20:.2f} MB"
        )
        for label, res in by_width.items():
            problems += [f"{page} [{label}]: {p}" for p in problems_of(res)]
    if report.get("search"):
        problems.append(report["search"])
    return problems, counts


def run_pytest(html: Path, json_out: Path | None, workers: str, pages: list[str]) -> int:
    """Run tests/browser (pytest-playwright, pytest-xdist); gather the per-page results."""
    import tempfile
    import time

    report = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    env = dict(os.environ, DIVERGENCES_SITE=str(html), DIVERGENCES_BROWSER_REPORT=str(report))
    if pages:
        env["DIVERGENCES_PAGES"] = ",".join(pages)
    start = time.monotonic()
    rc = subprocess.call(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-n",
            workers,
            "--durations=8",
            "--browser",
            "chromium",
            str(ROOT / "tests" / "browser"),
        ],
        env=env,
        cwd=ROOT,
    )
    took = time.monotonic() - start
    rows = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    report.unlink()
    full = {"pages": {}, "seconds": round(took, 1)}
    for r in rows:
        label = next((k for k, w in WIDTHS.items() if w == r["width"]), str(r["width"]))
        full["pages"].setdefault(r["page"], {})[label] = r["result"]
    if json_out:
        json_out.write_text(json.dumps(full, indent=1))
    texts = [
        f["px"] for p in full["pages"].values() for f in p.get("desktop", {}).get("figureText", [])
    ]
    axe = sum(len(res.get("axe", [])) for p in full["pages"].values() for res in p.values())
    print(
        f"browser suite: {len(rows)} page checks in {took:.0f} s; axe violations: {axe}; "
        f"smallest figure text at 1280 px: {min(texts):.1f} CSS px"
        if texts
        else f"browser suite: {len(rows)} page checks in {took:.0f} s; axe violations: {axe}"
    )
    return 0 if rc == 0 else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="*", help="pages relative to the site root (default: all)")
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--json", type=Path, help="write the full report as JSON")
    ap.add_argument(
        "--pytest",
        action="store_true",
        help="run the pytest-playwright suite tests/browser on 2 workers",
    )
    ap.add_argument("--workers", default="2", help="pytest-xdist workers (with --pytest)")
    args = ap.parse_args(argv)
    if find_chromium() is None:
        print("browser check SKIPPED: no Chromium here (apt-get install chromium)")
        return 2
    if args.pytest:
        return run_pytest(args.html, args.json, args.workers, args.pages)
    report = run(args.html, args.pages or None)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    problems, counts = summarize(report)
    print("\n".join(counts))
    if problems:
        print(f"\n{len(problems)} problems:")
        print("\n".join(problems))
        return 1
    print(
        f"browser check OK: {len(counts)} pages at {', '.join(f'{w} px' for w in WIDTHS.values())}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
