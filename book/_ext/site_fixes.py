"""Fixes, at their cause, of what a reader met on the built site (issue 12).

- Thebe's configuration script was written twice into every page head (sphinx-thebe's
  ``env-before-read-docs`` handler is connected once by Jupyter Book and once more by the
  theme), so every page threw ``Identifier 'THEBE_JS_URL' has already been declared``.
  Identical scripts are now kept once per page.
- Our stylesheet and script (``site_static/``): inline formulas scroll instead of being
  clipped, scroll hints on wide tables and code, link contrast in theorem boxes, legible
  multi-panel figures on phones, solutions stay hidden when printing, and a message
  instead of a hang when "Live code" cannot reach its CDN.
- MathJax formulas are no longer each a Tab stop (``inTabOrder: false``); the MathJax
  menu stays reachable with a right click.
- Printing no longer opens every solution (``togglebutton_open_on_print: false`` in
  ``_config.yml``).
- Font Awesome's 1.4 MB script is not loaded: the theme's stylesheet already draws every
  icon with the Font Awesome webfont.
- Figures are stored as 256-colour PNGs when that is smaller (2.7x lighter).
- Source maps (about 3.4 MB of ``*.map`` files no reader needs) are not shipped.
- Bibliography labels are author-year, like the citations in the text, decoded from
  LaTeX (``Peyré & Cuturi 2019``, not ``PeyreC19``): ``bibtex_default_style: divergences``
  in ``_config.yml`` selects the style registered here.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle

STATIC = Path(__file__).parent / "site_static"


# -- bibliography: author-year labels --------------------------------------------------


def _plain(text: str) -> str:
    """LaTeX (accents, braces) to plain Unicode text."""
    text = codecs.decode(text, "ulatex")
    return re.sub(r"[{}]", "", text).strip()


def _last(person) -> str:
    return _plain(" ".join(person.prelast_names + person.last_names))


class AuthorYearLabelStyle(BaseLabelStyle):
    """``Last 2019``, ``Last & Other 2019``, ``Last et al. 2019``."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        base = [self._label(e) for e in entries]
        count = {b: base.count(b) for b in base}
        seen: dict[str, int] = {}
        for b in base:  # "Song et al. 2021a", "Song et al. 2021b": labels must be unique
            if count[b] == 1:
                yield b
            else:
                seen[b] = seen.get(b, 0) + 1
                yield f"{b}{chr(ord('a') + seen[b] - 1)}"

    @staticmethod
    def _label(entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_last(p) for p in people]
        if not names:
            who = _plain(entry.fields.get("title", entry.key)).split(":")[0][:30]
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} & {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries, sorted by author and year, with author-year labels."""

    default_label_style = "divergences_authoryear"
    default_sorting_style = "divergences_author_year_title"


register_plugin("pybtex.style.labels", "divergences_authoryear", AuthorYearLabelStyle)
register_plugin("pybtex.style.sorting", "divergences_author_year_title", SortingStyle)
register_plugin("pybtex.style.formatting", "divergences", AuthorYearStyle)


# -- page head: one copy of each script --------------------------------------------------

#: The theme's template loads Font Awesome twice: a 1.4 MB script that swaps icons for
#: SVGs ("so that users can add custom icons", which we do not), and the webfont its
#: stylesheet already declares with every glyph used. The script was a third of a
#: page's weight: the pages stop loading it and the file is not shipped.
FONTAWESOME_JS = re.compile(
    r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>'
)
#: Sphinx, the pydata theme and the book theme each write a viewport meta tag.
VIEWPORT = re.compile(r'\s*<meta name="viewport"[^>]*/?>')


#: sphinxcontrib-bibtex marks entries ``role="doc-biblioentry"`` (deprecated in WAI-ARIA
#: 1.2) inside ``role="list"``, which then has no list items: axe's aria-deprecated-role
#: and aria-required-children. Entries are list items.
BIBLIOENTRY = 'role="doc-biblioentry"'


def _fix_page(text: str) -> str:
    text = FONTAWESOME_JS.sub("", text).replace(BIBLIOENTRY, 'role="listitem"')
    seen = []

    def one_viewport(m):
        seen.append(m)
        return m.group(0) if len(seen) == 1 else ""

    return VIEWPORT.sub(one_viewport, text)


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        name = getattr(js, "filename", js) or ""  # sphinx >= 7.2: _JavaScript objects
        attrs = getattr(js, "attributes", {}) or {}
        key = (str(name), tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def _mathjax_on_search_page(app, pagename, templatename, context, doctree):
    """Search results quote titles with TeX (``\\(\\alpha\\)-divergences``): the search
    page loads MathJax too, and divergences.js typesets the results."""
    if pagename != "search" or app.builder.format != "html" or not app.config.mathjax_path:
        return
    import json

    if app.config.mathjax3_config:
        app.builder.add_js_file(
            "", body=f"window.MathJax = {json.dumps(app.config.mathjax3_config)}"
        )
    app.builder.add_js_file(app.config.mathjax_path, defer="defer")


# -- config ---------------------------------------------------------------------------------


def _config(app, config):
    config.html_static_path.append(str(STATIC))
    mj = dict(config.mathjax3_config or {})
    options = dict(mj.get("options", {}))
    menu = dict(options.get("menuOptions", {}))
    settings = dict(menu.get("settings", {}))
    settings["inTabOrder"] = False  # one Tab stop per formula made keyboard use unbearable
    menu["settings"] = settings
    options["menuOptions"] = menu
    mj["options"] = options
    config.mathjax3_config = mj
    theme = dict(config.html_theme_options or {})
    # The pydata header (hidden by the book theme) carried a second ``.primary-toggle``
    # and ``.secondary-toggle`` before the book theme's own buttons; both themes bind
    # their handlers with ``querySelector``, i.e. to the hidden copy, so the hamburger and
    # the "contents" button did nothing (pydata-sphinx-theme issue 2451). With no
    # persistent navbar item the header renders empty and the visible buttons are the
    # first ones. (The search button stays in the sidebar and the article header.)
    theme["navbar_persistent"] = []
    config.html_theme_options = theme
    # An empty default mode (a template variable, not a theme option) logged "Got invalid
    # theme mode" on every page. Light is the mode the accessibility audit checks.
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


def _quantize_png(path: Path) -> None:
    """Rewrite a figure as a 256-colour PNG when that is smaller (plots have few colours;
    this made the figures 2.7x lighter with no visible change)."""
    from PIL import Image

    with Image.open(path) as im:
        im.load()
    dpi = im.info.get("dpi")  # matplotlib's dpi: the browser test reads text size from it
    if im.mode in ("RGBA", "LA") and im.getextrema()[-1][0] < 255:
        q = im.convert("RGBA").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    else:
        q = im.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    tmp = path.with_suffix(".tmp.png")
    q.save(tmp, "PNG", optimize=True, **({"dpi": dpi} if dpi else {}))
    if tmp.stat().st_size < path.stat().st_size:
        tmp.replace(path)
    else:
        tmp.unlink()


_SEARCH_INDEX = re.compile(r'\s*<script src="(?:\.\./)*searchindex\.js"></script>')


def _slim_output(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for png in (Path(app.outdir) / "_images").glob("*.png"):
        _quantize_png(png)
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _fix_page(text)
        if page.name != "search.html":
            # pydata-sphinx-theme loads the whole search index (220 kB) on every page for
            # its search-as-you-type box, which this site does not enable: the search
            # dialog sends the reader to search.html, which loads the index itself.
            new = _SEARCH_INDEX.sub("", new)
        if new != text:
            page.write_text(new, encoding="utf-8")
    static = Path(app.outdir) / "_static"
    for f in static.glob("scripts/fontawesome.js*"):
        f.unlink()
    for m in static.rglob("*.map"):
        m.unlink()
    for f in list(static.rglob("*.js")) + list(static.rglob("*.css")):
        text = f.read_text(encoding="utf-8", errors="surrogateescape")
        new = re.sub(r"\n?(//|/\*)# sourceMappingURL=\S+?(\s*\*/)?\s*$", "\n", text)
        if new != text:
            f.write_text(new, encoding="utf-8", errors="surrogateescape")


_SUP = str.maketrans("0123456789+-=()nip", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵖ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_TEX_IN_TEXT = re.compile(r"\$([^$]{1,40})\$")


def _tex_to_text(tex: str) -> str:
    """``L^2`` -> ``L²``, ``W_{p}`` -> ``Wₚ``-ish: short TeX in a bibliography title as text."""
    tex = re.sub(r"\^\{?([0-9a-z+\-=()]+)\}?", lambda m: m.group(1).translate(_SUP), tex)
    tex = re.sub(r"_\{?([0-9+\-=()]+)\}?", lambda m: m.group(1).translate(_SUB), tex)
    return re.sub(r"\\([a-zA-Z]+)\s*", r"\1", tex).replace("{", "").replace("}", "")


def _bibliography_tex(app, doctree, docname):
    """Titles in the bibliography kept their TeX (``$L^2$`` printed raw, on the site and
    in the PDF): pybtex passes math through as text. Short formulas become plain text."""
    from docutils import nodes

    for cit in doctree.findall(nodes.citation):
        for text in list(cit.findall(nodes.Text)):
            if "$" in text and _TEX_IN_TEXT.search(text):
                new = _TEX_IN_TEXT.sub(lambda m: _tex_to_text(m.group(1)), str(text))
                text.parent.replace(text, nodes.Text(new))


def _singlehtml_visitors(app):
    """sphinx-proof and sphinx-exercise register their node visitors for the ``html``
    builder only, so the one-page build of the book (``singlehtml``, printed to PDF by
    scripts/pdf_book.py) stopped at the first definition. Give singlehtml the same ones."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, visitors in handlers.get("html", {}).items():
        single.setdefault(node, visitors)


def setup(app):
    app.connect("builder-inited", _singlehtml_visitors)
    app.connect("doctree-resolved", _bibliography_tex)
    app.connect("config-inited", _config)
    app.connect("html-page-context", _mathjax_on_search_page)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("build-finished", _slim_output)
    app.add_css_file("divergences.css")
    app.add_js_file("divergences.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
