"""The release on the site: the version in every page's footer and a "How to cite" block.

The version has one source, ``divlib.__version__`` (read from ``divlib/__init__.py``
without importing divlib); ``CITATION.cff`` and ``CHANGELOG.md`` repeat it and
``scripts/check_release.py`` (in ``make check``) fails when they disagree. The
``{how-to-cite}`` directive renders the citation from ``CITATION.cff``, as plain text and
as BibTeX, so the intro cannot drift from the file GitHub and Zenodo read.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
CITATION = ROOT / "CITATION.cff"


def divlib_version() -> str:
    text = (ROOT / "divlib" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE).group(1)


def citation() -> dict:
    return yaml.safe_load(CITATION.read_text())


def _authors(cff: dict) -> list[str]:
    names = []
    for a in cff["authors"]:
        names.append(a.get("name") or f"{a['given-names']} {a['family-names']}")
    return names


def citation_text(cff: dict) -> str:
    year = str(cff["date-released"])[:4]
    return (
        f"{' and '.join(_authors(cff))} ({year}). {cff['title']}. "
        f"Version {cff['version']}. {cff['repository-code']}"
    )


def citation_bibtex(cff: dict) -> str:
    year = str(cff["date-released"])[:4]
    authors = " and ".join("{" + a + "}" for a in _authors(cff))
    return "\n".join(
        [
            f"@software{{divergences{year},",
            f"  author  = {{{authors}}},",
            "  title   = {" + textwrap.fill(cff["title"], 72, subsequent_indent=" " * 13) + "},",
            f"  version = {{{cff['version']}}},",
            f"  year    = {{{year}}},",
            f"  url     = {{{cff['repository-code']}}},",
            "}",
        ]
    )


class HowToCite(SphinxDirective):
    """The citation of ``CITATION.cff`` as a sentence and as a BibTeX entry."""

    def run(self):
        self.env.note_dependency(str(CITATION))
        cff = citation()
        text = nodes.paragraph(text=citation_text(cff))
        bib = nodes.literal_block(citation_bibtex(cff), citation_bibtex(cff), language="bibtex")
        return [text, bib]


def _footer(app, config):
    version = divlib_version()
    config.version = config.release = version
    options = dict(config.html_theme_options or {})
    repo = options.get("repository_url") or citation()["repository-code"]
    options["extra_footer"] = (
        f'<p>Divergences {version} · <a href="{repo}/blob/main/CHANGELOG.md">changelog '
        f'and errata</a> · <a href="{repo}/blob/main/CITATION.cff">how to cite</a></p>'
    )
    config.html_theme_options = options


def setup(app):
    app.add_directive("how-to-cite", HowToCite)
    app.connect("config-inited", _footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
