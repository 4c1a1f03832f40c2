"""Check the release metadata: one version everywhere, a valid CITATION.cff.

- ``CITATION.cff`` is valid against the Citation File Format 1.2.0 schema
  (``scripts/schemas/``);
- its ``version`` is ``divlib.__version__``, and so is the newest section of
  ``CHANGELOG.md``, whose date is the citation's ``date-released``;
- the changelog's newest section has a "Content corrections" (errata) part.

Exit status 0 when all hold, 1 otherwise, with one line per problem. Run by ``make check``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "scripts" / "schemas" / "citation-file-format-1.2.0.json"
SECTION = re.compile(r"^## (\S+)(?: \((\d{4}-\d{2}-\d{2})\))?$", re.MULTILINE)


def problems(root: Path = ROOT) -> list[str]:
    out = []
    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    # YAML reads an unquoted date as a date; the schema wants the ISO string.
    cff = json.loads(json.dumps(cff, default=str))
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    for error in sorted(validator.iter_errors(cff), key=str):
        where = "/".join(map(str, error.absolute_path)) or "(top level)"
        out.append(f"CITATION.cff {where}: {error.message}")
    init = (root / "divlib" / "__init__.py").read_text()
    version = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE).group(1)
    if str(cff.get("version")) != version:
        out.append(
            f"CITATION.cff has version {cff.get('version')!r} but divlib.__version__ is "
            f"{version!r}: set both to the release's version"
        )
    changelog = (root / "CHANGELOG.md").read_text()
    sections = SECTION.findall(changelog)
    if not sections:
        return [*out, "CHANGELOG.md has no '## <version> (<date>)' section"]
    newest, date = sections[0]
    if newest != version:
        out.append(f"CHANGELOG.md's newest section is {newest!r}, divlib is {version!r}")
    if date != str(cff.get("date-released")):
        out.append(
            f"CHANGELOG.md dates {newest} {date or '(no date)'}, CITATION.cff "
            f"{cff.get('date-released')}: make them the same day"
        )
    body = changelog.split(f"## {newest}", 1)[1].split("\n## ", 1)[0]
    if "### Content corrections" not in body:
        out.append(f"CHANGELOG.md {newest} has no '### Content corrections (errata)' part")
    return out


def main() -> int:
    found = problems()
    print("\n".join(found) or "release metadata: CITATION.cff valid, one version everywhere")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
