"""Offer the MyST-markdown source of a chapter next to its .ipynb in the download menu.

Chapters are built from the executed ``book/<name>.ipynb``; their human-readable source
is the jupytext-paired ``book/<name>.md``. sphinx-book-theme's download menu lists only
the page's own source, so this extension copies the paired ``.md`` into ``_sources``
and adds a ``.md`` entry to the menu.
"""

from __future__ import annotations

import shutil
from pathlib import Path


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
