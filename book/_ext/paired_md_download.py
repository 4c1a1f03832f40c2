"""Offer the MyST-markdown source of a chapter next to its .ipynb in the download menu.

Chapters are built from the executed ``book/<name>.ipynb``; their human-readable source
is the jupytext-paired ``book/<name>.md``. sphinx-book-theme's download menu lists only
the page's own source, so this extension copies the paired ``.md`` into ``_sources``
and adds a ``.md`` entry to the menu.

Pages written in Markdown that offer a notebook download (the assignments link their
``.ipynb`` with ``{download}``) get that notebook in the header menu too: it offered only
the ``.md`` and a print dialog. Every page's menu also links the whole book as a PDF
(``divergences.pdf`` at the site root, written by ``make pdf``: scripts/pdf_book.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx import addnodes

PDF_NAME = "divergences.pdf"


def _menu(context):
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            return group["buttons"]
    return None


def _add_notebook_and_pdf(app, pagename, templatename, context, doctree):
    buttons = _menu(context)
    if buttons is None:
        return
    if context.get("page_source_suffix") != ".ipynb" and doctree is not None:
        for ref in doctree.findall(addnodes.download_reference):
            target = ref.get("filename") or ""
            if target.endswith(".ipynb"):
                buttons.insert(
                    0,
                    {
                        "type": "link",
                        "url": context["pathto"]("_downloads/" + target, 1),
                        "text": ".ipynb",
                        "tooltip": "Download the notebook",
                        "icon": "fas fa-code",
                        "label": "download-notebook-button",
                    },
                )
                break
    # Only a PDF that exists is offered: `make pdf` prints it, then rebuilds the pages.
    if not (Path(app.outdir) / PDF_NAME).is_file():
        return
    buttons.append(
        {
            "type": "link",
            "url": context["pathto"](PDF_NAME, 1),
            "text": "book .pdf",
            "tooltip": "Download the whole book as a PDF",
            "icon": "fas fa-book",
            "label": "download-book-pdf-button",
        }
    )


def _add_md_button(app, pagename, templatename, context, doctree):
    if context.get("page_source_suffix") != ".ipynb":
        return
    md = Path(app.srcdir) / f"{pagename}.md"
    if not md.is_file():
        return
    dest = Path(app.outdir) / "_sources" / f"{pagename}.md"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(md, dest)
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].insert(
                1,
                {
                    "type": "link",
                    "url": f"{context['pathto']('_sources', 1)}/{pagename}.md",
                    "text": ".md",
                    "tooltip": "Download the MyST markdown source",
                    "icon": "fas fa-file-lines",
                    "label": "download-md-button",
                },
            )


def setup(app):
    # After sphinx-book-theme has built the header buttons (priority 501).
    app.connect("html-page-context", _add_md_button, priority=600)
    app.connect("html-page-context", _add_notebook_and_pdf, priority=610)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
