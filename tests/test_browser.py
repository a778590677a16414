"""Real headless Chromium at a phone's width: the pages look and work as a learner expects."""

from __future__ import annotations

import pytest
from conftest import shot

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_page_on_a_phone_lists_the_groups_without_sideways_scrolling(page, server):
    page.goto(server + "/")
    assert page.locator("h1").inner_text().startswith("OCR Level 2 NVQ Certificate")
    headings = page.locator("h2").all_inner_texts()
    assert [h.split(":")[0] for h in headings if h.startswith("Group")] == [
        "Group A",
        "Group B",
        "Group C",
        "Group D",
        "Group E",
    ]
    assert page.locator(".unit").count() == 49
    assert no_sideways_scroll(page)
    assert page.errors == []  # no CSP violations, no script errors
    shot(page, "home")


def test_tapping_a_unit_opens_its_statements(page, server):
    page.goto(server + "/")
    page.get_by_role("link", name="Do your job in a customer-friendly way").click()
    page.wait_for_url("**/q/03455/units/B1")
    assert page.get_by_text("I can make a good first impression").is_visible()
    assert page.locator(".uncertain").count() == 1  # one note for the unit, not one a statement
    assert no_sideways_scroll(page)
    assert page.errors == []
    shot(page, "unit-b1")


def test_links_and_buttons_are_big_enough_to_tap(page, server):
    page.goto(server + "/")
    heights = page.eval_on_selector_all(".unit", "els => els.map(e => e.offsetHeight)")
    assert min(heights) >= 44
