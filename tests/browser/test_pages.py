"""Every page of the built site at 390 px and 1280 px, as a reader meets it.

One test per page loads it once at 390 px and checks it there, then widens the window
to 1280 px and checks it again (``browser_check.check_page``): no raw TeX, no MathJax or
JavaScript error, no failed request (offline), no clipped formula, alt text, hidden
solutions, no sideways scroll while scrolling the page from top to bottom, display
formulas wider than the column scroll with a visible hint, every figure's smallest text
>= 9 CSS px at 1280 px, and axe-core's WCAG 2.1 A/AA rules with zero violations at
1280 px (exceptions, with reasons: ``browser_check.AXE_EXCEPTIONS``); the one axe rule
that depends on the width, scrollable-region-focusable, is checked at both widths by
the layout probe. On a chapter page the reader also answers the self-check quiz at
390 px, right and wrong (``browser_check.check_quiz``), before the window widens, so axe
audits the quiz's feedback too.
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


def test_page(browser, site_url, site_page):
    results = browser_check.check_page(browser, site_url, site_page)
    problems = []
    for label, result in results.items():
        width = browser_check.WIDTHS[label]
        if REPORT:  # one JSON line per page and width, gathered by browser_check --pytest
            with open(REPORT, "a", encoding="utf-8") as f:
                f.write(json.dumps({"page": site_page, "width": width, "result": result}) + "\n")
        problems += [f"at {width} px: {p}" for p in browser_check.problems_of(result)]
    assert problems == [], f"{site_page}:\n" + "\n".join(problems)
