"""A learner's whole journey in real headless Chromium at a phone's width (360 px).

Each test taps what a learner would tap, checks what a learner would notice, then checks the
database: the answers given, each kept once.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from conftest import PHONE, shot
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PROGRESS = re.compile(r"^Page (\d+) of (\d+)$")
PERFORMANCE = ["Not yet", "With help", "On my own", "Could show evidence now"]
KNOWLEDGE = ["Not yet", "A little", "Could explain", "Could explain with examples"]
ROLE = "Customer Service Agents"
CONTEXTS = {  # the job page: face to face "no" closes A10, writing "no" closes A13
    "face-to-face": "no",
    "incoming-calls": "yes",
    "problems": "yes",
    "colleagues": "sometimes",
    "writing": "no",
}


@contextmanager
def database(server):
    from survey.db import connect

    db = connect(server.app.config["DATABASE"])
    try:
        yield db
    finally:
        db.conn.close()


def db_ratings(server, learner_id: int) -> dict[str, int]:
    from survey.store import learners

    with database(server) as db:
        return learners.ratings(db, learner_id)


def db_learner(server, learner_id: int) -> dict:
    from survey.store import learners

    with database(server) as db:
        row = learners.learner(db, learner_id)
    assert row is not None
    return row


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def progress(page) -> tuple[int, int]:
    text = page.locator("#progress-label").inner_text().strip()
    found = PROGRESS.match(text)
    assert found, f"progress text {text!r}"
    return int(found[1]), int(found[2])


def statement_id(input_name: str) -> str:
    """The statement id behind a radio group's name ("r-F1-1.1" -> "F1:1.1")."""
    return input_name[2:].replace("-", ":", 1)


def group(page, name: str):
    """One question's fieldset (its id is the field name, which may hold a dot)."""
    return page.locator(f"fieldset[id='{name}']")


def tap(page, name: str, label: str) -> None:
    """Tap the visible words of one answer, as a thumb would."""
    group(page, name).locator("label.option span").get_by_text(label, exact=True).click()


def tap_rating(page, name: str, rating: int) -> None:
    """Tap the words of the answer worth `rating` (0-3), whatever the statement's scale."""
    spans = group(page, name).locator("label.option span")
    spans.get_by_text(spans.nth(rating).inner_text(), exact=True).click()


def expect_saved(page, timeout: int = 10_000) -> None:
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=timeout)


def phone_context(browser, **options):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, **options
    )
    context.set_default_timeout(10_000)
    return context


def answer_every_statement(page, choose) -> dict[str, int]:
    """Tap one answer for each statement on a rating page; returns {statement id: rating}."""
    given = {}
    fieldsets = page.locator("form[data-autosave] fieldset.choice")
    for i in range(fieldsets.count()):
        fieldset = fieldsets.nth(i)
        name = fieldset.get_attribute("id")
        labels = fieldset.locator("label.option span").all_inner_texts()
        assert labels in (PERFORMANCE, KNOWLEDGE), labels
        rating = choose(i)
        fieldset.locator("label.option span").get_by_text(labels[rating], exact=True).click()
        expect(fieldset.locator(f"input[value='{rating}']")).to_be_checked()
        given[statement_id(name)] = rating
    return given


# ---- 1. the whole journey ----------------------------------------------------------------


def test_a_learner_answers_everything_on_a_phone_and_sees_their_starting_point(page, server):
    learner_id, token = server.add_learner("Jo Journey")
    page.goto(server + f"/l/{token}")
    page.wait_for_url("**/welcome")  # a new learner is told what this is first
    expect(page.locator("h1")).to_have_text("Welcome, Jo")
    page.get_by_role("link", name="Start the questions").click()
    page.wait_for_url("**/assessment/job")
    number, total = progress(page)
    assert number == 1
    assert page.locator("h1").inner_text() == "About your job"

    page.get_by_label("Which of these is closest to your job?").select_option(ROLE)
    for context_id, answer in CONTEXTS.items():
        group(page, f"c-{context_id}").get_by_text(answer.capitalize(), exact=True).click()
        expect(group(page, f"c-{context_id}").locator(f"input[value='{answer}']")).to_be_checked()
    expect_saved(page)
    assert no_sideways_scroll(page)
    shot(page, "learner-job")
    page.get_by_role("button", name="Save and continue").click()

    visited = ["job"]
    given: dict[str, int] = {}
    while "/assessment/review" not in page.url:
        page.wait_for_load_state()
        key = page.url.rsplit("/", 1)[-1]
        assert key not in visited, f"{key} shown twice"
        visited.append(key)
        assert progress(page) == (len(visited), total), key
        assert no_sideways_scroll(page), key
        if key.startswith("F1-"):
            given |= answer_every_statement(page, lambda i: 3 if i % 2 else 2)
        elif key.startswith("F2-"):
            given |= answer_every_statement(page, lambda i: i % 2)
        elif key.startswith("group-"):
            body = page.locator("main").inner_text()
            # units the job cannot show are not asked about
            assert "face to face" not in body.lower(), key
            assert "in writing or electronically" not in body, key
            given |= answer_every_statement(page, lambda i: (i + 1) % 4)
        elif key == "interests":
            page.get_by_text("B1 Do your job in a customer-friendly way", exact=True).click()
            expect(page.get_by_label("B1 Do your job in a customer-friendly way")).to_be_checked()
        else:
            pytest.fail(f"unexpected page {key}")
        expect_saved(page)
        if key == "F1-1":
            shot(page, "learner-f1")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/assessment/[^/]+$"))
        if page.url.endswith("/" + key):
            pytest.fail(f"Save and continue stayed on {key}")

    visited.append("review")
    assert progress(page) == (total, total)
    assert total == len(visited)  # the count holds only the pages this learner sees
    assert [k for k in visited if k.startswith("group-")] == [
        "group-B",
        "group-C",
        "group-D",
        "group-E",
    ]
    assert visited[-2:] == ["interests", "review"]
    expect(page.locator("h1")).to_have_text("Check your answers")
    # every statement answered; of the job questions only the five tapped
    expect(page.locator(".status.todo")).to_have_count(1)
    expect(page.locator(".status.todo")).to_contain_text("5 of 16 questions answered")
    expect(page.get_by_text("B1 Do your job in a customer-friendly way")).to_be_visible()
    assert no_sideways_scroll(page)
    shot(page, "learner-review")

    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/result")
    expect(page.locator("h1")).to_have_text("Your starting point")
    suggested = page.locator("section[aria-labelledby=units]")
    expect(suggested.get_by_role("heading", name="Your suggested units")).to_be_visible()
    expect(page.get_by_role("heading", name="Your strengths")).to_be_visible()
    strengths = page.locator("section[aria-labelledby=strengths]").inner_text()
    assert "F1" in strengths and "F2" not in strengths
    # F2 was answered "not yet" and "with help" by turns: those statements are listed
    f2 = suggested.locator("li.result", has_text="Follow the rules to deliver")
    expect(f2.locator(".work-on li").first).to_contain_text("(Not yet)")
    expect(suggested).to_contain_text(
        "This is a suggestion. Your assessor will talk it through with you and confirm"
    )
    units = suggested.locator("li.result")
    assert units.count() >= 6  # F1, F2 and one unit from each optional group at least
    reasons = units.locator(".reason").all_inner_texts()
    assert len(reasons) == units.count() - 2 and all(r.strip() for r in reasons)
    assert "A10" not in units.locator(".num").all_inner_texts()
    assert "A13" not in units.locator(".num").all_inner_texts()
    assert no_sideways_scroll(page)
    shot(page, "learner-result")
    assert page.errors == []  # no CSP violations, no script errors on any page

    assert db_ratings(server, learner_id) == given
    from survey.store import learners

    with database(server) as db:
        assert learners.context_answers(db, learner_id) == CONTEXTS
        assert learners.interests(db, learner_id) == {"B1"}
        row = learners.learner(db, learner_id)
    assert row["job_role"] == ROLE
    assert row["submitted_at"]


# ---- 2. autosave and resuming ------------------------------------------------------------


def test_a_tapped_answer_is_kept_without_pressing_save_and_resumes_on_another_device(
    page, server, browser
):
    learner_id, token = server.add_learner("Ali Autosave")
    page.goto(server + f"/l/{token}")
    page.wait_for_url("**/welcome")
    page.goto(server + "/assessment/F1-2")
    tap(page, "r-F1-2.2", "With help")
    expect_saved(page)
    assert page.errors == []
    context = page.context
    page.close()  # gone without pressing "Save and continue"

    again = context.new_page()
    again.goto(server + "/assessment/F1-2")
    expect(group(again, "r-F1-2.2").locator("input[value='1']")).to_be_checked()
    assert db_ratings(server, learner_id) == {"F1:2.2": 1}
    assert db_learner(server, learner_id)["resume_page"] == "F1-2"

    other = phone_context(browser)
    try:
        phone = other.new_page()
        phone.goto(server + f"/l/{token}")
        phone.wait_for_url("**/assessment/F1-2")  # where the learner left off
        expect(group(phone, "r-F1-2.2").locator("input[value='1']")).to_be_checked()
        expect(group(phone, "r-F1-2.1").locator("input:checked")).to_have_count(0)
    finally:
        other.close()


# ---- 3. a dropped connection -------------------------------------------------------------


def test_answers_tapped_offline_are_kept_and_sent_once_when_back_online(page, server):
    learner_id, token = server.add_learner("Ola Offline")
    page.goto(server + f"/l/{token}")
    page.wait_for_url("**/welcome")
    page.goto(server + "/assessment/F1-1")
    page.context.set_offline(True)
    tap(page, "r-F1-1.1", "On my own")
    tap(page, "r-F1-1.2", "Not yet")
    status = page.locator("#save-status")
    expect(status).to_contain_text("No connection")
    expect(status).to_contain_text("kept on this phone")
    assert db_ratings(server, learner_id) == {}

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect_saved(page)
    assert page.evaluate("localStorage.getItem('starting-point-unsent')") == "[]"
    assert db_ratings(server, learner_id) == {"F1:1.1": 2, "F1:1.2": 0}
    with database(server) as db:
        rows = list(
            db.query(
                "SELECT statement_id, COUNT(*) AS n FROM ratings WHERE learner_id = ? "
                "GROUP BY statement_id ORDER BY statement_id",
                [learner_id],
            )
        )
        audit = list(
            db.query(
                "SELECT subject, COUNT(*) AS n FROM audit WHERE learner_id = ? "
                "AND action = 'rating' GROUP BY subject ORDER BY subject",
                [learner_id],
            )
        )
    assert [(r["statement_id"], r["n"]) for r in rows] == [("F1:1.1", 1), ("F1:1.2", 1)]
    assert [(r["subject"], r["n"]) for r in audit] == [("F1:1.1", 1), ("F1:1.2", 1)]
    # the browser's own "failed to fetch" console line is expected while offline; nothing else
    assert [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


# ---- 4. no JavaScript --------------------------------------------------------------------


def test_without_javascript_save_and_continue_and_back_keep_the_answers(browser, server):
    learner_id, token = server.add_learner("Nia NoScript")
    context = phone_context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + f"/l/{token}")
        page.wait_for_url("**/welcome")
        page.get_by_role("link", name="Start the questions").click()
        page.wait_for_url("**/assessment/job")
        page.get_by_label("Which of these is closest to your job?").select_option(ROLE)
        group(page, "c-face-to-face").get_by_text("No", exact=True).click()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url("**/assessment/F1-1")
        assert progress(page)[0] == 2

        tap(page, "r-F1-1.1", "Could show evidence now")
        tap(page, "r-F1-1.3", "With help")
        expect(page.locator("#save-status")).to_have_text("")  # nothing saves in the background
        assert db_ratings(server, learner_id) == {}
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url("**/assessment/F1-2")
        assert progress(page)[0] == 3
        assert db_ratings(server, learner_id) == {"F1:1.1": 3, "F1:1.3": 1}

        page.get_by_role("button", name="Back").click()
        page.wait_for_url("**/assessment/F1-1")
        expect(group(page, "r-F1-1.1").locator("input[value='3']")).to_be_checked()
        expect(group(page, "r-F1-1.3").locator("input[value='1']")).to_be_checked()
        expect(group(page, "r-F1-1.2").locator("input:checked")).to_have_count(0)

        page.get_by_role("button", name="Back").click()
        page.wait_for_url("**/assessment/job")
        expect(page.get_by_label("Which of these is closest to your job?")).to_have_value(ROLE)
        expect(group(page, "c-face-to-face").locator("input[value='no']")).to_be_checked()
        assert no_sideways_scroll(page)
    finally:
        context.close()
    row = db_learner(server, learner_id)
    assert row["job_role"] == ROLE
    assert row["resume_page"] == "job"


# ---- 5. two tabs -------------------------------------------------------------------------


def test_the_last_answer_wins_across_two_tabs(page, server):
    learner_id, token = server.add_learner("Tam Tabs")
    page.goto(server + f"/l/{token}")
    page.wait_for_url("**/welcome")
    tab_a = page
    tab_b = page.context.new_page()
    tab_a.goto(server + "/assessment/F1-1")
    tab_b.goto(server + "/assessment/F1-1")

    tap(tab_a, "r-F1-1.1", "With help")
    expect_saved(tab_a)
    tap(tab_b, "r-F1-1.1", "Could show evidence now")
    expect_saved(tab_b)

    tab_a.reload()
    expect(group(tab_a, "r-F1-1.1").locator("input[value='3']")).to_be_checked()
    expect(group(tab_a, "r-F1-1.1").locator("input:checked")).to_have_count(1)
    assert db_ratings(server, learner_id) == {"F1:1.1": 3}
    with database(server) as db:
        rows = db.execute(
            "SELECT COUNT(*) FROM ratings WHERE learner_id = ?", [learner_id]
        ).fetchone()[0]
    assert rows == 1
    assert page.errors == []


# ---- 6. unit self-check from a QR code ---------------------------------------------------


def test_a_unit_self_check_from_its_qr_code_asks_for_the_code_then_shows_progress(browser, server):
    from survey.store import learners, tokens

    learner_id, token = server.add_learner("Kit Check")
    context = phone_context(browser)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(server + "/q/03455/check/B1")
        page.wait_for_url(re.compile(r"/code\?next=(/|%2F)q(/|%2F)03455(/|%2F)check(/|%2F)B1$"))
        expect(page.locator("h1")).to_have_text("Enter your personal code")
        page.get_by_label("Your personal code").fill(tokens.pretty_token(token).upper())
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/q/03455/check/B1")
        expect(page.locator("h1")).to_contain_text("Do your job in a customer-friendly way")

        first = {"B1:1.1": 0, "B1:1.2": 1, "B1:2.1": 0}  # 2.1 is a knowledge statement
        names = [f"r-{s.replace(':', '-')}" for s in first]
        for name, rating in zip(names, first.values()):
            tap_rating(page, name, rating)
        expect_saved(page)
        assert no_sideways_scroll(page)
        shot(page, "learner-check")
        page.get_by_role("button", name="Save and see my progress").click()
        page.wait_for_url(re.compile(r"/q/03455/check/B1/results/\d+$"))
        expect(page.locator("h1")).to_have_text("Your progress in B1")
        expect(page.get_by_text("This is your first check of this unit")).to_be_visible()

        page.get_by_role("link", name="Check again").click()
        page.wait_for_url("**/q/03455/check/B1")
        expect(page.locator("form input:checked")).to_have_count(0)  # a fresh check
        expect(page.locator(".lead")).to_contain_text("Your last check was on")
        for name in names:
            tap_rating(page, name, 2)
        expect_saved(page)
        page.get_by_role("button", name="Save and see my progress").click()
        page.wait_for_url(re.compile(r"/q/03455/check/B1/results/\d+$"))
        summary = page.locator("main p", has_text="Compared with your check on")
        expect(summary).to_contain_text("3 up, 0 the same, 0 down")
        expect(summary.locator("strong")).to_have_text("3")
        expect(page.locator(".progress-rows .change-up")).to_have_count(3)
        assert no_sideways_scroll(page)
        shot(page, "learner-check-result")
        assert errors == []
    finally:
        context.close()

    with database(server) as db:
        checks = learners.finished_checks(db, learner_id, "B1")
        assert len(checks) == 2
        assert learners.check_ratings(db, checks[0]["id"]) == {
            "B1:1.1": 0,
            "B1:1.2": 1,
            "B1:2.1": 0,
        }
        assert learners.check_ratings(db, checks[1]["id"]) == {
            "B1:1.1": 2,
            "B1:1.2": 2,
            "B1:2.1": 2,
        }
        assert learners.unfinished_check(db, learner_id, "B1") is None
        assert learners.ratings(db, learner_id) == {}  # a check does not change the assessment


# ---- 7. an unknown unit ------------------------------------------------------------------


def test_an_unknown_unit_check_is_a_friendly_not_found_page_listing_the_real_units(page, server):
    response = page.goto(server + "/q/03455/check/ZZ9")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("There is no unit with that number")
    expect(page.locator("h1")).to_have_text("Page not found")
    links = page.locator(".units a")
    expect(links).to_have_count(49)
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "/q/03455/check/F1" in hrefs and "/q/03455/check/B1" in hrefs
    assert all(h.startswith("/q/03455/check/") for h in hrefs)
    assert no_sideways_scroll(page)
    # the only console line is Chromium noting the page's own 404 status
    assert [e for e in page.errors if "status of 404" not in e] == []
    shot(page, "learner-check-404")
    page.get_by_role("link", name="B1 Do your job in a customer-friendly way").click()
    page.wait_for_url(re.compile(r"/code\?next="))


# ---- 8. a slow connection and "Check again" ----------------------------------------------


def test_check_again_starts_empty_even_when_the_last_check_was_sent_before_saved(page, server):
    """Taps still queued for the background save must not spill into the next check.

    A phone on a slow connection (400 ms each way) sends the taps one by one; the learner
    presses "Save and see my progress" without waiting for "Saved", as learners do.
    """
    learner_id, token = server.add_learner("Sid Slow")
    page.goto(server + f"/l/{token}")
    page.wait_for_url("**/welcome")
    page.goto(server + "/q/03455/check/B1")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    for name in ("r-B1-1.1", "r-B1-1.2", "r-B1-1.4"):
        tap(page, name, "With help")
    page.get_by_role("button", name="Save and see my progress").click()
    page.wait_for_url(re.compile(r"/q/03455/check/B1/results/\d+$"))
    page.get_by_role("link", name="Check again").click()
    page.wait_for_url("**/q/03455/check/B1")
    for _ in range(100):  # until nothing is queued on the phone (wait_for_function needs eval)
        if page.evaluate("localStorage.getItem('starting-point-unsent')") in (None, "[]"):
            break
        page.wait_for_timeout(100)

    from survey.store import learners

    with database(server) as db:
        finished = learners.finished_checks(db, learner_id, "B1")
        sent = [learners.check_ratings(db, c["id"]) for c in finished]
        leftover = learners.unfinished_check(db, learner_id, "B1")
        leftover_ratings = learners.check_ratings(db, leftover["id"]) if leftover else {}
    assert sent == [{"B1:1.1": 1, "B1:1.2": 1, "B1:1.4": 1}]
    assert leftover_ratings == {}, "the new check already holds the last check's answers"
    expect(page.locator("form input:checked")).to_have_count(0)


# ---- 9. answers kept on the phone: across a new session, and on a shared phone --------------


def open_page(page, server, token: str, key: str = "F1-1") -> None:
    """The learner opens their link, then one page of their assessment."""
    page.goto(server + f"/l/{token}")
    page.wait_for_url("**/welcome")  # a new learner is told what this is first
    page.goto(server + f"/assessment/{key}")


def queued(page) -> list[dict]:
    import json

    return json.loads(page.evaluate("localStorage.getItem('starting-point-unsent') || '[]'"))


def tap_offline(page, server, token: str) -> None:
    """Open the learner's page, lose the connection, tap two answers: kept on the phone."""
    open_page(page, server, token)
    page.context.set_offline(True)
    tap(page, "r-F1-1.1", "On my own")
    tap(page, "r-F1-1.2", "Not yet")
    expect(page.locator("#save-status")).to_contain_text("kept on this phone")


@pytest.mark.parametrize("how", ["link", "code"])
def test_answers_kept_offline_are_saved_when_the_learner_comes_back_by_link_or_code(
    browser, server, how
):
    """Opening the link (or entering the code) starts a new session with a new CSRF secret: the
    kept answers were refused as 'came from somewhere else' and thrown away."""
    from survey.store import tokens

    learner_id, token = server.add_learner("Kay Kept")
    context = phone_context(browser)
    try:
        page = context.new_page()
        tap_offline(page, server, token)
        page.close()  # closed without "Save and continue"
        context.set_offline(False)
        again = context.new_page()
        if how == "link":
            again.goto(server + f"/l/{token}")
        else:
            again.goto(server + "/forget")
            again.get_by_role("button", name="Forget me on this device").click()
            again.get_by_label("Your personal code").fill(tokens.pretty_token(token))
            again.get_by_role("button", name="Continue").click()
        # nothing reached the server, so they are welcomed again: whichever page they land
        # on sends what the phone kept
        again.wait_for_url(re.compile(r"/(welcome|assessment/.*)$"))
        for _ in range(100):
            if not queued(again):
                break
            again.wait_for_timeout(100)
        assert queued(again) == []
        assert db_ratings(server, learner_id) == {"F1:1.1": 2, "F1:1.2": 0}
    finally:
        context.close()


def test_a_page_left_open_while_the_link_was_opened_again_still_saves(page, server):
    learner_id, token = server.add_learner("Ola Open")
    open_page(page, server, token)
    other_tab = page.context.new_page()
    other_tab.goto(server + f"/l/{token}")  # a new session: the first tab's token is stale
    other_tab.wait_for_url(re.compile(r"/(welcome|assessment/.*)$"))
    other_tab.close()
    tap(page, "r-F1-1.3", "With help")
    expect_saved(page)  # refused once for the stale token, sent again with the current one
    assert db_ratings(server, learner_id) == {"F1:1.3": 1}
    assert queued(page) == []


def test_on_a_shared_phone_one_learners_kept_answers_never_become_anothers(browser, server):
    """P taps offline and closes the tab; Q opens Q's own link on the same phone. Q must not see
    P's answers chosen, and Q's "Save and continue" must not save them into Q's record."""
    from survey.store import audit

    p_id, p_token = server.add_learner("Pat First")
    q_id, q_token = server.add_learner("Quinn Second")
    context = phone_context(browser)
    try:
        page = context.new_page()
        tap_offline(page, server, p_token)
        page.close()
        context.set_offline(False)
        phone = context.new_page()
        open_page(phone, server, q_token)
        phone.wait_for_timeout(500)  # time for the script to restore or send anything it would
        expect(phone.locator("form input:checked")).to_have_count(0)
        expect(phone.locator("#save-status")).not_to_contain_text("Saved")
        phone.get_by_role("button", name="Save and continue").click()
        phone.wait_for_url("**/assessment/F1-2")
        assert db_ratings(server, q_id) == {}
        assert db_ratings(server, p_id) == {}
        with database(server) as db:
            q_audit = [e["action"] for e in audit.entries(db, q_id)]
        assert "rating" not in q_audit
        kept = queued(phone)
        assert len(kept) == 2 and len({item["who"] for item in kept}) == 1  # still P's, unsent
        # "Not you?" on Q's phone, and P comes back: P's answers reach P
        phone.goto(server + "/forget")
        phone.get_by_role("button", name="Forget me on this device").click()
        phone.goto(server + f"/l/{p_token}")
        phone.wait_for_url("**/welcome")
        expect_saved(phone)  # the first page P sees sends what the phone kept for P
        assert db_ratings(server, p_id) == {"F1:1.1": 2, "F1:1.2": 0}
        assert db_ratings(server, q_id) == {}
        assert queued(phone) == []
    finally:
        context.close()


def test_answers_from_another_learners_tab_are_refused_and_kept_for_them(browser, server):
    """P's page is still open in one tab, its answers unsent, when Q opens Q's link in another:
    the answers go with P's key, the server refuses them for Q, and they stay on the phone."""
    p_id, p_token = server.add_learner("Pia Tab")
    q_id, q_token = server.add_learner("Quin Tab")
    context = phone_context(browser)
    try:
        p_tab = context.new_page()
        open_page(p_tab, server, p_token)
        cdp = context.new_cdp_session(p_tab)  # only this tab loses its connection
        cdp.send("Network.enable")
        offline = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        cdp.send("Network.emulateNetworkConditions", {"offline": True, **offline})
        tap(p_tab, "r-F1-1.1", "On my own")
        tap(p_tab, "r-F1-1.2", "Not yet")
        expect(p_tab.locator("#save-status")).to_contain_text("kept on this phone")
        q_tab = context.new_page()
        q_tab.goto(server + f"/l/{q_token}")  # the session is Q's from now on
        q_tab.wait_for_url("**/welcome")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **offline})
        p_tab.evaluate("window.dispatchEvent(new Event('online'))")
        expect(p_tab.locator("#save-status")).to_contain_text("someone else on this phone")
        assert db_ratings(server, q_id) == {} and db_ratings(server, p_id) == {}
        assert len(queued(p_tab)) == 2
    finally:
        context.close()
