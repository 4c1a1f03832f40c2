"""Wipe the jupyter-cache when divlib's sources change.

jupyter-cache keys a notebook on its code cells only, so a fix in divlib would
leave stale outputs in the book. We hash every file of the package and keep
the hash next to the cache; when it changes, the cache is deleted and the
next build re-executes every chapter.
"""

import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
KEY = ROOT / "_build" / ".divlib-sources.sha256"


def sources_hash() -> str:
    h = hashlib.sha256()
    for f in sorted((ROOT / "divlib").rglob("*.py")):
        h.update(f.relative_to(ROOT).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def main() -> None:
    new = sources_hash()
    old = KEY.read_text().strip() if KEY.exists() else None
    if old != new:
        if CACHE.exists():
            shutil.rmtree(CACHE)
            print("divlib changed since the last build: cleared the notebook cache")
        KEY.parent.mkdir(parents=True, exist_ok=True)
        KEY.write_text(new + "\n")


if __name__ == "__main__":
    main()
