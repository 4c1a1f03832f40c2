"""Check the built site as a reader would get it (run after `jupyter-book build`).

- every page of _toc.yml was rendered, with ``index.html`` at the top;
- math is typeset by the MathJax copy inside the site (no CDN, so it reads offline);
- every chapter notebook has Binder and Colab launch buttons that open its ``.ipynb``,
  and download buttons for the ``.ipynb`` and the ``.md``;
- exercise solutions are collapsed until clicked;
- every link to a lecture deck (``../slides/<chapter>.html``) finds its deck, and every
  chapter page shows its self-check quiz.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import ROOT, toc_files

HTML = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"


def problems() -> list[str]:
    out = []
    if not (HTML / "index.html").is_file():
        return [f"{HTML / 'index.html'} is missing: the build failed"]
    for entry in toc_files():
        page = HTML / Path(entry).with_suffix(".html")
        if not page.is_file():
            out.append(f"{entry} was not rendered ({page} missing)")
            continue
        html = page.read_text()
        if "searchindex.js" in html:
            out.append(f"{page.name}: loads the search index (220 kB; only search.html needs it)")
        scripts = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', html, flags=re.I)
        has_math = 'class="math' in html
        if (has_math and not scripts) or any(
            s.startswith(("http:", "https:", "//")) for s in scripts
        ):
            out.append(f"{page.name}: MathJax is not served locally ({scripts})")
        for s in scripts:
            local = (page.parent / s.split("?")[0]).resolve()
            if not local.is_file():
                out.append(f"{page.name}: {s} does not exist in the site")
        if entry.endswith(".ipynb"):
            name = Path(entry).as_posix()
            for host in ("mybinder.org", "colab.research.google.com"):
                if not re.search(rf'href="https://{re.escape(host)}/[^"]*{re.escape(name)}"', html):
                    out.append(f"{page.name}: no {host} launch button opening {name}")
            for suffix in (".ipynb", ".md"):
                stem = Path(entry).with_suffix(suffix).as_posix()
                if f"_sources/{stem}" not in html or not (HTML / "_sources" / stem).is_file():
                    out.append(f"{page.name}: no {suffix} download")
            n_ex = html.count('class="exercise')
            n_sol = len(re.findall(r'class="[^"]*solution[^"]*dropdown', html))
            if n_ex and n_sol < n_ex:
                out.append(f"{page.name}: {n_ex} exercises but {n_sol} collapsed solutions")
            if 'class="divquiz"' not in html:
                out.append(f"{page.name}: no self-check quiz (divlib.quiz) on the page")
        for deck in re.findall(r'href="((?:\.\./)+slides/[\w.-]+\.html)', html):
            if not (page.parent / deck).resolve().is_file():
                out.append(f"{page.name}: links {deck}, which was not built (scripts/slides.py)")
    out += _reference_problems()
    return out


def _reference_problems() -> list[str]:
    """Every public name has an entry with a "Used in" line, and chapters link their calls."""
    import api_pages

    out = []
    names = api_pages.public_names()
    for fam, (_, _, modules) in api_pages.FAMILIES.items():
        page = HTML / "book" / "api" / f"{fam}.html"
        if not page.is_file():
            out.append(f"{page.name}: the divlib reference page was not rendered")
            continue
        html = page.read_text()
        for name, module in names.items():
            if module in modules and f'id="divlib.{name}"' not in html:
                out.append(f"api/{page.name}: no entry for divlib.{name}")
        n_entries = len(re.findall(r'<dt class="sig sig-object py" id="divlib\.\w+"', html))
        if html.count("divlib-used-in") < n_entries:
            out.append(f"api/{page.name}: an entry has no 'Used in' line")
    for entry in toc_files():
        src = ROOT / Path(entry).with_suffix(".md")
        page = HTML / Path(entry).with_suffix(".html")
        if entry.startswith("book/api") or not src.is_file() or not page.is_file():
            continue
        if (
            re.search(r"\bdivlib\.[a-z_]+\(", src.read_text())
            and "divlib-api-link" not in page.read_text()
        ):
            out.append(f"{page.name}: calls divlib but links none of its calls to the reference")
    return out


if __name__ == "__main__":
    found = problems()
    print(
        "\n".join(found)
        or f"site OK: {len(toc_files())} pages, offline math, launch and download buttons"
    )
    sys.exit(1 if found else 0)
