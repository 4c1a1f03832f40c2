"""The whole book as one PDF, offline: Chromium prints a one-page build of the site.

1. ``jupyter-book build --builder singlehtml`` renders every page of ``_toc.yml`` into one
   HTML page from the stored outputs (no execution), with the site's CSS, our print rules
   (book/_ext/site_static/divergences.css) and the MathJax copy inside the site.
2. Debian's Chromium (driven by Playwright; nothing is downloaded) opens it over
   127.0.0.1, waits for MathJax, adds a table of contents whose entries link to the
   chapters, and prints A4 with PDF bookmarks (``outline``) and page numbers.

Chapters, sections, figures, equations, theorems and exercises carry the site's
per-chapter numbers (``numbered: true`` in ``_toc.yml``). Solutions are omitted from
the PDF (they stay one click away on the site), and so is the code of hidden cells.
Chromium printing was chosen over LaTeX: it needs nothing beyond the browser test's
Chromium, while Debian's TeX Live for Jupyter Book's LaTeX route (texlive-xetex,
texlive-latex-extra, latexmk, fonts) is 91 packages, 248 MB to download and 719 MB
installed.

Usage::

    python scripts/pdf_book.py [--out _build/html/divergences.pdf] [--build-dir DIR]

Writes the PDF and, beside it, ``<name>.json`` (pages, chapters, printed figures) that
tests/test_pdf.py checks the PDF against. Exit 2 without Chromium.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_check import CHROMIUM_ARGS, find_chromium, serve
from notebooks import ROOT, stored_outputs_config

DEFAULT_OUT = ROOT / "_build" / "html" / "divergences.pdf"

# Before printing: a table of contents linking every chapter (h1) and its sections (h2),
# and the list of what is printed, for the PDF test.
PREPARE = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const main = document.querySelector("main article") || document.querySelector("main");
  const hidden = (el) => el.closest(".solution.dropdown, details.hide, .d-print-none");
  const chapters = [];
  const toc = document.createElement("nav");
  toc.className = "div-print-toc";
  toc.innerHTML = "<h2>Contents</h2>";
  const list = document.createElement("ol");
  // The one-page build marks each document with <span id="document-NAME">, followed by
  // its section: one chapter each; their next-level headings are the sections.
  for (const mark of document.querySelectorAll("span[id^='document-']")) {
    const sec = mark.nextElementSibling;
    if (!sec || sec.tagName !== "SECTION" || hidden(sec)) continue;
    const h = sec.querySelector(":scope > h1, :scope > h2, :scope > h3");
    if (!h) continue;
    const entry = (el, id) => {
      const a = document.createElement("a");
      a.href = "#" + id;
      a.textContent = el.textContent.replace(/#$/, "").trim();
      const li = document.createElement("li");
      li.append(a);
      return li;
    };
    const li = entry(h, sec.id);
    chapters.push(li.textContent);
    sec.classList.add("div-print-chapter");
    const sub = document.createElement("ol");
    const level = Number(h.tagName[1]) + 1;
    for (const s2 of sec.querySelectorAll(`:scope > section`)) {
      const h2 = s2.querySelector(`:scope > h${level}`);
      if (h2 && s2.id && !hidden(s2)) sub.append(entry(h2, s2.id));
    }
    if (sub.children.length) li.append(sub);
    list.append(li);
  }
  toc.append(list);
  const first = document.querySelector("span[id^='document-']");
  if (first) first.before(toc);
  const style = document.createElement("style");
  style.textContent = `
    .div-print-toc { break-after: page; }
    .div-print-toc ol { list-style: none; padding-left: 1.2em; }
    .div-print-toc > ol > li { margin-top: 0.4em; font-weight: 600; }
    .div-print-toc > ol > li ol { font-weight: 400; font-size: 0.9em; }
    section.div-print-chapter { break-before: page; }
    .skip-link, #pst-back-to-top, .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary,
    .bd-header-article, .search-button-field, .bd-footer, .bd-footer-content,
    .prev-next-area, .headerlink, .div-scroll-hint { display: none !important; }
    .bd-main, .bd-content, .bd-article-container { max-width: none !important; }
    img { break-inside: avoid; }
    figure { break-inside: avoid; }`;
  document.head.append(style);
  const figures = Array.from(main.querySelectorAll("img")).filter((i) => !hidden(i)).length;
  return {chapters, figures};
}
"""


def build_single(build_dir: Path) -> Path:
    """The one-page html build of the book (stored outputs, no execution)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(jb),
        "build",
        str(ROOT),
        "--builder",
        "singlehtml",
        "--path-output",
        str(build_dir),
        "--config",
        str(stored_outputs_config()),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit("pdf: the one-page build failed")
    return build_dir / "_build" / "singlehtml"


def print_pdf(html: Path, out: Path) -> dict:
    from playwright.sync_api import sync_playwright

    # singlehtml writes the root document (book/intro.html) with links relative to the
    # build's top folder: read it from there.
    root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    page = "_book_print.html"
    shutil.copyfile(html / f"{root}.html", html / page)
    with serve(html) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1000, "height": 1200})
            pg.route(lambda url: not url.startswith(base), lambda route: route.abort())
            pg.emulate_media(media="print")
            pg.goto(f"{base}/{page}", wait_until="load", timeout=300_000)
            info = pg.evaluate(PREPARE)
            pg.wait_for_timeout(500)
            out.parent.mkdir(parents=True, exist_ok=True)
            pg.pdf(
                path=str(out),
                format="A4",
                margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    '<div style="font-size:8px;width:100%;text-align:center">'
                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                ),
                outline=True,
                tagged=True,
            )
        finally:
            browser.close()
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--build-dir", type=Path, default=ROOT / "_build" / "pdf")
    ap.add_argument("--html", type=Path, help="an existing singlehtml folder (skip the build)")
    args = ap.parse_args(argv)
    if find_chromium() is None:
        print("pdf SKIPPED: no Chromium here (apt-get install chromium)")
        return 2
    t0 = time.monotonic()
    html = args.html or build_single(args.build_dir)
    t1 = time.monotonic()
    info = print_pdf(html, args.out)
    t2 = time.monotonic()
    from pypdf import PdfReader

    info["pages"] = len(PdfReader(str(args.out)).pages)
    info["seconds"] = {"build": round(t1 - t0, 1), "print": round(t2 - t1, 1)}
    args.out.with_suffix(".json").write_text(json.dumps(info, indent=1))
    print(
        f"pdf: {args.out} ({info['pages']} pages, {len(info['chapters'])} chapters, "
        f"{info['figures']} figures; build {t1 - t0:.0f} s, print {t2 - t1:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
