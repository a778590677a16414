"""Real headless Chromium at a phone's width: the pages look and work as a learner expects."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from survey import create_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
PHONE = {"width": 360, "height": 740}
SHOTS = Path(__file__).resolve().parent.parent / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI must run the browser tests: install Debian's chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    app = create_app({"SECRET_KEY": "browser", "DATABASE": str(tmp / "db.sqlite")})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))  # what the phone shows first


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_page_on_a_phone_lists_the_groups_without_sideways_scrolling(page, server):
    page.goto(server + "/")
    assert page.locator("h1").inner_text().startswith("OCR Level 2 NVQ Certificate")
    headings = page.locator("h2").all_inner_texts()
    assert [h.split(":")[0] for h in headings if h.startswith("Group")] == [
        "Group A", "Group B", "Group C", "Group D", "Group E"]
    assert page.locator(".unit").count() == 49
    assert no_sideways_scroll(page)
    assert page.errors == []  # no CSP violations, no script errors
    shot(page, "home")


def test_tapping_a_unit_opens_its_statements(page, server):
    page.goto(server + "/")
    page.get_by_role("link", name="Do your job in a customer-friendly way").click()
    page.wait_for_url("**/units/B1")
    assert page.get_by_text("I can make a good first impression").is_visible()
    assert page.locator(".uncertain").count() == 7
    assert no_sideways_scroll(page)
    assert page.errors == []
    shot(page, "unit-b1")


def test_links_and_buttons_are_big_enough_to_tap(page, server):
    page.goto(server + "/")
    heights = page.eval_on_selector_all(".unit", "els => els.map(e => e.offsetHeight)")
    assert min(heights) >= 44
