"""Serve MathJax 3 from the site itself, so math renders without network access.

The MathJax files come from the ``django-static-mathjax`` wheel (a pinned
package from PyPI that ships MathJax 3.2.2 as static files; Django is not
needed). At build time we copy only what the ``tex-mml-chtml`` component
loads (the component, the CHTML fonts and the TeX extensions, about 2 MB)
into a private static folder and point ``mathjax_path`` at it. Keeping the
folder out of ``_static`` matters: Jupyter Book injects a ``<script>`` for
every ``.js`` file found in ``_static``.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

MATHJAX_PATH = "mathjax/tex-mml-chtml.js"
#: Files and folders of MathJax's ``es5`` build that ``tex-mml-chtml`` needs.
NEEDED = ["tex-mml-chtml.js", "output/chtml/fonts", "input/tex/extensions"]


def mathjax_source() -> Path:
    """Folder of MathJax's es5 build inside the installed package."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "MathJax is not installed: `pip install django-static-mathjax` "
            "(it is pinned in requirements.txt; `make book` installs it)."
        )
    src = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    if not (src / "tex-mml-chtml.js").is_file():
        raise RuntimeError(f"MathJax's tex-mml-chtml.js was not found under {src}.")
    return src


def copy_mathjax(dest: Path) -> None:
    """Copy what ``tex-mml-chtml`` needs into ``dest``, once (the site, the slides)."""
    if (dest / "tex-mml-chtml.js").is_file():
        return
    src = mathjax_source()
    for rel in NEEDED:
        s, d = src / rel, dest / rel
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy2(s, d)


def _copy_mathjax(app) -> None:
    static = Path(app.doctreedir).parent / "_mathjax_static"
    copy_mathjax(static / "mathjax")
    if str(static) not in app.config.html_static_path:
        app.config.html_static_path.append(str(static))


def _set_path(app, config) -> None:
    config.mathjax_path = MATHJAX_PATH


def setup(app):
    app.connect("config-inited", _set_path)
    app.connect("builder-inited", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
