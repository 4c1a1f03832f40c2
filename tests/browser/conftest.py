"""pytest-playwright fixtures for the built site: the system Chromium, the site served
on 127.0.0.1, and one test per page of ``_toc.yml``.

The site is ``_build/html`` unless ``DIVERGENCES_SITE`` names another folder. Run with
``python scripts/browser_check.py --pytest`` (what ``make test-browser`` does), or
``pytest -n 2 tests/browser``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import browser_check  # noqa: E402

sys.path.pop(0)

SITE = Path(os.environ.get("DIVERGENCES_SITE", ROOT / "_build" / "html"))


def pytest_collection_modifyitems(config, items):
    if browser_check.find_chromium() is None:
        skip = pytest.mark.skip(reason="no Chromium here (apt-get install chromium)")
        for item in items:
            item.add_marker(skip)


def pytest_generate_tests(metafunc):
    if "site_page" in metafunc.fixturenames:
        pages = [p for p in browser_check.site_pages(SITE)]
        only = os.environ.get("DIVERGENCES_PAGES")
        if only:
            pages = [p for p in pages if any(o in p for o in only.split(","))]
        metafunc.parametrize("site_page", pages)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": browser_check.find_chromium(),
        "args": browser_check.CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: run make book first")
    with browser_check.serve(SITE) as base:
        yield base


@pytest.fixture()
def phone(browser, site_url):
    """A page at phone width (390 px, device scale 2), offline but for the site."""
    ctx, pg = browser_check.offline_page(
        browser,
        site_url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield pg
    ctx.close()
