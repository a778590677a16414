"""What a learner's screen shows at 320 and 360 px, measured in real Chromium.

Status messages sit in a bar that never covers an input or a button; every control is at least
44 x 44 px; choosing an answer moves nothing; read-only pages cannot be changed by a tap; and
"Save and continue" without a connection keeps the answers instead of showing an error page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import shot
from helpers import (
    PHONE,
    SMALL_PHONE,
    VALID,
    box,
    browser_context,
    confirm_in_store,
    controls,
    overlap,
    too_small,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from survey.qualifications import served
from survey.store import learners
from survey.views import learner as learner_views
from survey.views import workplace as workplace_views

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = [SMALL_PHONE, PHONE]
WIDTH_IDS = ["320px", "360px"]


def status_messages() -> list[str]:
    """Every message the status bar can show: the script's words (any string in it, to be
    safe) and the server's."""
    script = (ROOT / "static" / "app.js").read_text()
    found = [json.loads(f'"{m}"') for m in re.findall(r'"((?:[^"\\]|\\.)*)"', script)]
    for path in ("survey/views/learner.py", "survey/views/workplace.py", "survey/web.py"):
        source = (ROOT / path).read_text()
        found += re.findall(r'\bjson_error\(\s*"([^"]+)"', source)
    found += [learner_views.LOCKED, learner_views.SUBMITTED]
    found += [workplace_views.SENT, *workplace_views.GONE.values()]
    return found


def longest_message() -> str:
    return max(status_messages(), key=len)


@pytest.fixture(params=WIDTHS, ids=WIDTH_IDS)
def phone(request, browser):
    context = browser_context(browser, request.param)
    page = context.new_page()
    page.width = request.param["width"]
    yield page
    context.close()


def enter(page, server, name: str) -> tuple[int, str]:
    learner_id, token = server.add_learner(name)
    page.goto(server + f"/l/{token}")
    page.wait_for_load_state()
    return learner_id, token


def answer_all(server, learner_id: int, send: bool = True) -> None:
    q = served(server.app)
    with server.db() as db:
        learners.save_ratings(
            db, learner_id, {s.id: i % 4 for i, s in enumerate(q.statements())}, "t"
        )
        learners.set_job_role(db, learner_id, "Customer Service Agents", "", "t")
        if send:
            learners.submit(db, learner_id, "t")


def confirm(server, learner_id: int) -> None:
    staff = server.add_staff("assessor", "Asha Assessor", f"asha{learner_id}@centre.example")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, staff["id"], "t")
        confirm_in_store(db, learner_id, VALID, staff["id"], f"staff:{staff['id']}")


def ratings(server, learner_id: int) -> dict[str, int]:
    with server.db() as db:
        return learners.ratings(db, learner_id)


# ---- the status bar --------------------------------------------------------------------------


def test_the_longest_status_message_wraps_in_a_bar_that_covers_no_input_or_button(phone, server):
    learner_id, _ = enter(phone, server, "Stella Status")
    phone.goto(server + "/assessment/F1-1")
    # the answers are sent from another tab; a tap here is then refused, in words
    answer_all(server, learner_id)
    phone.locator("fieldset.choice label.option").first.click()
    status = phone.locator("#save-status")
    expect(status).to_contain_text("You have already sent your answers")

    phone.eval_on_selector(
        "#save-status", "(el, text) => { el.textContent = text; }", longest_message()
    )
    for scroll in ("0", "document.documentElement.scrollHeight"):
        phone.evaluate(f"window.scrollTo(0, {scroll})")
        bar = box(phone, "#save-status")
        assert bar["height"] > 0
        assert bar["x"] >= 0 and bar["x"] + bar["width"] <= phone.width
        covered = [c for c in controls(phone) if overlap(bar, c)]
        assert covered == [], covered
    # the words wrap inside the bar: nothing spills out of it
    spill = phone.eval_on_selector(
        "#save-status",
        "el => [el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight]",
    )
    assert spill == [0, 0]
    phone.locator("#save-status").scroll_into_view_if_needed()
    shot(phone, f"status-longest-{phone.width}")


# ---- choosing an answer ----------------------------------------------------------------------


def option_boxes(page) -> list[dict]:
    return page.eval_on_selector_all(
        "label.option",
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return [Math.round(r.left), Math.round(r.top + window.scrollY), "
        "Math.round(r.width), Math.round(r.height)]; })",
    )


def test_choosing_an_answer_changes_no_options_size_or_place(phone, server):
    enter(phone, server, "Olu Options")
    phone.goto(server + "/q/03455/check/B1")  # both rating scales, the longest labels
    before = option_boxes(phone)
    for fieldset in phone.locator("fieldset.choice").all():
        fieldset.locator("label.option").last.click()
    expect(phone.locator("input:checked")).to_have_count(phone.locator("fieldset.choice").count())
    assert option_boxes(phone) == before


# ---- tap sizes -------------------------------------------------------------------------------

LEARNER_PAGES = [
    ("new", "/"),
    ("new", "/q/03455/units/B1"),
    ("new", "/code"),
    ("new", "/l/no-such-link"),
    ("new", "/welcome"),
    ("new", "/assessment/job"),
    ("new", "/assessment/F1-1"),
    ("new", "/assessment/interests"),
    ("new", "/assessment/review"),
    ("new", "/q/03455/check/B1"),
    ("new", "/forget"),
    ("new", "/contract"),
    ("sent", "/result"),
    ("sent", "/assessment/F1-1"),
    ("sent", "/my-record"),
    ("confirmed", "/result"),
    ("confirmed", "/assessment/review"),
]


@pytest.mark.parametrize("who, path", LEARNER_PAGES, ids=[f"{w} {p}" for w, p in LEARNER_PAGES])
def test_every_control_on_a_learner_page_is_at_least_44_px(phone, server, who, path):
    learner_id, _ = enter(phone, server, "Tai Tapper")
    if who in ("sent", "confirmed"):
        answer_all(server, learner_id)
    if who == "confirmed":
        confirm(server, learner_id)
    phone.goto(server + path)
    small = too_small(phone)
    assert small == [], small


# ---- read-only pages -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["sent", "confirmed"])
def test_after_sending_a_tap_cannot_change_the_answers_on_screen(phone, server, stage):
    learner_id, _ = enter(phone, server, f"Rhea {stage.title()}")
    answer_all(server, learner_id)
    if stage == "confirmed":
        confirm(server, learner_id)
    before = ratings(server, learner_id)
    phone.goto(server + "/assessment/F1-1")
    banner = phone.locator(".read-only")
    expect(banner).to_be_visible()
    if stage == "sent":
        expect(banner).to_contain_text("You have sent your answers")
        expect(banner.get_by_role("button", name="Change my answers")).to_be_visible()
    else:
        expect(banner).to_contain_text("Your assessor has confirmed your plan")
        expect(banner.get_by_role("button", name="Change my answers")).to_have_count(0)
    expect(phone.get_by_role("button", name="Save and continue")).to_have_count(0)
    checked = phone.eval_on_selector_all("input:checked", "els => els.map(e => e.id)")
    assert len(checked) == 3  # the three statements of F1-1, as answered
    for option in phone.locator("label.option").all():
        option.click(force=True)
    assert phone.eval_on_selector_all("input:checked", "els => els.map(e => e.id)") == checked
    small = too_small(phone)
    assert small == [], small
    phone.get_by_role("link", name="Next page").click()
    phone.wait_for_url("**/assessment/F1-2")
    expect(phone.locator(".read-only")).to_be_visible()
    assert ratings(server, learner_id) == before
    shot(phone, f"read-only-{stage}-{phone.width}")


# ---- Save and continue with no connection ------------------------------------------------------


def test_save_and_continue_offline_keeps_the_answers_and_goes_on_when_back(page, server):
    learner_id, _ = enter(page, server, "Ola Offline")
    page.goto(server + "/assessment/F1-1")
    page.context.set_offline(True)
    for fieldset in page.locator("fieldset.choice").all():
        fieldset.locator("label.option").nth(2).click()
    page.get_by_role("button", name="Save and continue").click()
    status = page.locator("#save-status")
    expect(status).to_contain_text("kept on this phone")
    assert page.url.endswith("/assessment/F1-1")  # not the browser's error page
    expect(page.locator("h1")).to_be_visible()
    kept = json.loads(page.evaluate("localStorage.getItem('starting-point-unsent')"))
    assert sorted(k["name"] for k in kept) == ["r-F1-1.1", "r-F1-1.2", "r-F1-1.3"]
    assert ratings(server, learner_id) == {}

    page.context.set_offline(False)
    try:
        page.evaluate("window.dispatchEvent(new Event('online'))")
    except PlaywrightError:
        pass  # Chromium said "online" by itself and the page is already carrying on
    page.wait_for_url("**/assessment/F1-2")
    expect(page.locator("h1")).to_be_visible()
    assert ratings(server, learner_id) == {"F1:1.1": 2, "F1:1.2": 2, "F1:1.3": 2}


# ---- the first minute, and the starting point as the assessor acts -----------------------------


def test_the_welcome_fits_the_first_screen_and_starts_the_questions(phone, server):
    enter(phone, server, "Wren Welcome")
    phone.wait_for_url("**/welcome")
    expect(phone.locator("h1")).to_have_text("Welcome, Wren")
    expect(phone.locator("header")).to_contain_text("Wren")
    start = phone.get_by_role("link", name="Start the questions")
    assert box(phone, ".actions .button")["y"] + 44 <= phone.viewport_size["height"] * 1.2
    shot(phone, f"welcome-{phone.width}")
    start.click()
    phone.wait_for_url("**/assessment/job")


def test_the_starting_point_shows_the_confirmed_units_once_the_assessor_confirms(browser, server):
    from helpers import LAPTOP, sign_in_staff

    learner_id, token = server.add_learner("Cal Confirmed")
    staff = server.add_staff("assessor", "Asha Assessor", "asha.confirms@centre.example")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, staff["id"], "t")
        learners.save_contexts(db, learner_id, {"incoming-calls": "yes", "face-to-face": "no"}, "t")
    answer_all(server, learner_id)
    phone = browser_context(browser, PHONE).new_page()
    laptop = browser_context(browser, LAPTOP).new_page()
    try:
        phone.goto(server + f"/l/{token}")
        phone.wait_for_url("**/result")
        units = phone.locator("section[aria-labelledby=units]")
        expect(units.locator("h2")).to_have_text("Your suggested units")
        suggested = units.locator("li.result .num").all_inner_texts()
        expect(phone.locator(".step.now")).to_contain_text("confirms your units")
        shot(phone, "result-suggested-360")

        # the assessor takes the second suggestion on the laptop and confirms it
        sign_in_staff(laptop, server, "asha.confirms@centre.example")
        laptop.goto(server + f"/staff/learners/{learner_id}/plan")
        laptop.get_by_role("button", name="Use this plan").nth(1).click()
        laptop.get_by_role("button", name="Confirm this plan").click()
        expect(laptop.locator(".flash")).to_contain_text("Plan confirmed")
        chosen = laptop.eval_on_selector_all(
            "input[name=units]:checked", "els => els.map(e => e.value)"
        )

        phone.reload()
        expect(units.locator("h2")).to_have_text("Your units")
        expect(units).to_contain_text("Your assessor confirmed these units on")
        confirmed = units.locator("li.result .num").all_inner_texts()
        assert confirmed == ["F1", "F2", *chosen] != suggested
        expect(phone.locator(".step.now")).to_contain_text("Your assessor is preparing it")
        expect(phone.get_by_role("button", name="Change my answers")).to_have_count(0)
        small = too_small(phone)
        assert small == [], small
        shot(phone, "result-confirmed-360")
    finally:
        phone.context.close()
        laptop.context.close()
