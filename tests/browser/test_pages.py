"""Every page of the built site at 1280 px and 390 px, as a reader meets it.

One test per page and width runs the checks of ``scripts/browser_check.py``: no raw TeX,
no MathJax or JavaScript error, no failed request (offline), no clipped formula, alt
text, hidden solutions, no sideways scroll while scrolling the page from top to bottom,
display formulas wider than the column scroll with a visible hint, every figure's
smallest text >= 9 CSS px at 1280 px, and axe-core's WCAG 2.1 A/AA rules with zero
violations at 1280 px (exceptions, with reasons: ``browser_check.AXE_EXCEPTIONS``); the
one axe rule that depends on the width, scrollable-region-focusable, is checked at both
widths by the layout probe.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import browser_check  # noqa: E402

sys.path.pop(0)

REPORT = os.environ.get("DIVERGENCES_BROWSER_REPORT")


def test_page(browser, site_url, site_page, width):
    # axe's rules do not depend on the width but for scrollable-region-focusable, which
    # LAYOUT_PROBE checks at every width: axe runs once per page, at 1280 px
    result = browser_check.check_page(browser, site_url, site_page, width, axe=width >= 1280)
    if REPORT:  # one JSON line per page and width, gathered by browser_check --pytest
        with open(REPORT, "a", encoding="utf-8") as f:
            f.write(json.dumps({"page": site_page, "width": width, "result": result}) + "\n")
    problems = browser_check.problems_of(result)
    assert problems == [], f"{site_page} at {width} px:\n" + "\n".join(problems)
