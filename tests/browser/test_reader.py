"""What a reader does with the site, not only what it shows: on a phone, open the
navigation and follow a chapter link, open the page contents; on a desktop, hide the
sidebar; search and read the results as typeset text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import browser_check

sys.path.pop(0)

CHAPTER = "book/kl.html"


def _visible(pg, selector):
    return pg.locator(selector).filter(visible=True).first


def test_phone_navigation_reaches_a_chapter(phone, site_url):
    phone.goto(f"{site_url}/book/intro.html", wait_until="load")
    _visible(phone, ".primary-toggle").click()
    dialog = phone.locator("#pst-primary-sidebar-modal")
    expect(dialog).to_be_visible()
    link = dialog.locator(f"a[href$='{CHAPTER.split('/')[-1]}']").first
    expect(link).to_be_visible()
    link.click()
    phone.wait_for_url(re.compile(re.escape(CHAPTER) + "$"))
    assert phone.js_errors == []


def test_phone_page_contents_open(phone, site_url):
    phone.goto(f"{site_url}/{CHAPTER}", wait_until="load")
    _visible(phone, ".secondary-toggle").click()
    dialog = phone.locator("#pst-secondary-sidebar-modal")
    expect(dialog).to_be_visible()
    first = dialog.locator("nav a").first
    expect(first).to_be_visible()
    first.click()
    assert "#" in phone.url
    assert phone.js_errors == []


def test_desktop_toggle_hides_the_sidebar(page, site_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.route(lambda url: not url.startswith(site_url), lambda route: route.abort())
    page.goto(f"{site_url}/{CHAPTER}", wait_until="load")
    sidebar = page.locator("#pst-primary-sidebar")
    expect(sidebar).to_be_visible()
    _visible(page, ".primary-toggle").click()
    expect(sidebar).to_be_hidden()
    _visible(page, ".primary-toggle").click()
    expect(sidebar).to_be_visible()


def test_search_finds_a_word_and_typesets_its_results(phone, site_url):
    phone.goto(f"{site_url}/search.html?q=divergences", wait_until="load")
    phone.wait_for_selector("#search-results ul.search li", timeout=20000)
    expect(phone.locator("#search-results > p").first).to_contain_text(
        "Search finished", timeout=30000
    )
    phone.wait_for_timeout(1000)
    text = phone.locator("#search-results").inner_text()
    assert "\\(" not in text and "\\alpha" not in text, text[:500]
    box = phone.locator(".bd-search input").first
    if box.count() and box.is_visible():  # the magnifier must not cover the query
        icon = phone.locator(".bd-search i, .bd-search svg").first
        pad = box.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")
        ib, bb = icon.bounding_box(), box.bounding_box()
        assert ib["x"] + ib["width"] <= bb["x"] + pad + 1


def test_hovered_links_keep_their_contrast(page, site_url):
    """A link under the pointer takes the theme's hover colour: in the navigation, the
    page contents and the previous/next links it must still read at 4.5:1 (axe audits
    the page with nothing hovered)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.route(lambda url: not url.startswith(site_url), lambda route: route.abort())
    page.goto(f"{site_url}/{CHAPTER}", wait_until="load")
    low = []
    for selector in ("nav.bd-links a", "nav.page-toc a.nav-link", ".prev-next-area a"):
        link = page.locator(selector).filter(visible=True).first
        link.scroll_into_view_if_needed()
        link.hover()
        page.wait_for_timeout(400)  # the theme's colour transition
        # the text the reader sees: the link itself, or its title inside it
        target = link.locator("p.prev-next-title") if "prev-next" in selector else link
        ratio = target.evaluate(browser_check.CONTRAST)
        if ratio < 4.5:
            low.append(f"{selector}: {ratio:.1f}:1")
    assert low == [], low
