"""One turn of the assessor's planning cycle in real Chromium, at laptop width (the learner signs
on a phone): the learner's record, the initial-assessment conversation with notes, activities
mapped to criteria across two units, the contract signed by both, an activity done with
feedback (the contract still signed), and an internal verifier's sample. axe-core checks every
page on the way; the record, the plan with its coverage and the sampling report are saved as
screenshots to look at."""

from __future__ import annotations

import pytest
from conftest import shot
from helpers import (
    LAPTOP,
    PHONE,
    VALID,
    assert_accessible,
    browser_context,
    confirm_in_store,
    sign_in_staff,
)

from survey.store import learners, plans, sampling

pytestmark = pytest.mark.browser

FIRST_POINTS = ("level", "mandatory", "optional", "learning", "evidence")


def laptop(browser, server, email: str):
    context = browser_context(browser, LAPTOP, bypass_csp=True, locale="en-GB")  # (axe-core)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    sign_in_staff(page, server, email)
    return context, page


def say(page) -> str:
    """The flashed message at the top of the page."""
    return page.locator(".flash, [role=status]").first.inner_text()


def add_activity(page, base: str, criteria: list[str], **fields: str) -> None:
    page.goto(base + "/assessment-plan")
    page.get_by_label("Date", exact=True).fill(fields["date"])
    page.get_by_label("Where", exact=True).fill(fields["where"])
    page.get_by_label("What the learner will be doing").fill(fields["activity"])
    for criterion in criteria:  # each unit's criteria are folded away until opened
        box = page.locator(f'input[name="criteria"][value="{criterion}"]')
        if not box.is_visible():
            page.locator("details.unit-criteria", has=box).locator("summary").click()
        box.check()
    for method in fields["evidence"].split(","):
        page.get_by_label(method, exact=True).check()
    if fields.get("witness"):
        page.get_by_label("An expert witness").check()
        page.get_by_label("Expert witness's name").fill(fields["witness"])
        page.get_by_label("Their job title, and how they know the learner").fill(fields["role"])
        page.get_by_label("Their telephone or email").fill(fields["contact"])
    page.get_by_role("button", name="Add to the plan").click()
    page.wait_for_url("**/assessment-plan#rows")


def test_one_turn_of_the_planning_cycle(browser, server):
    asha = server.add_staff("assessor", "Asha Assessor", "asha.cycle@centre.example")
    server.add_staff("verifier", "Vera Verifier", "vera.cycle@centre.example")
    learner_id, token = server.add_learner("Sam Learner")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, asha["id"], "test")
        confirm_in_store(db, learner_id, VALID, asha["id"], f"staff:{asha['id']}")
    base = server + f"/staff/learners/{learner_id}"
    context, page = laptop(browser, server, asha["email"])

    # 1. the learner's record
    page.goto(base + "/record")
    page.get_by_label("OCR candidate number").fill("C0042")
    page.get_by_label("Job role").fill("Receptionist")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Telephone").fill("07700 900123")
    page.get_by_label("Employer").fill("Grand Hotel")
    page.get_by_label("Workplace").fill("Grand Hotel, front desk, 1 Quay Street")
    page.get_by_label("Programme start date").fill("2027-01-11")
    page.get_by_label("Planned end date").fill("2027-09-30")
    page.get_by_role("button", name="Save the details").click()
    page.wait_for_load_state()
    assert "The learner's record is saved." in page.content()
    assert_accessible(page, "the learner's record")

    # 2. the initial-assessment conversation, point by point with notes
    for point in FIRST_POINTS:
        page.locator(f"#tick-{point}").check()
        page.locator(f"#on-{point}").fill("2027-01-11")
        page.locator(f"#notes-{point}").fill(f"Talked through {point} with Sam at the hotel.")
    page.get_by_role("button", name="Save the conversation").click()
    page.wait_for_load_state()
    assert "The initial-assessment conversation is saved." in page.content()
    assert page.locator("#tick-level").is_checked()

    # 3. activities that evidence criteria across two units, one watched by an expert witness
    add_activity(
        page,
        base,
        ["F1:1.1", "F1:2.1", "F2:1.1", "F2:1.2"],
        date="2027-02-16",
        where="Front desk",
        activity="Greeting guests and handling their first questions",
        evidence="Observation,Questioning",
    )
    add_activity(
        page,
        base,
        ["F1:1.2", "F2:2.1"],
        date="2027-03-02",
        where="Conference suite",
        activity="Looking after delegates at a conference",
        evidence="Witness testimony",
        witness="Wendy Witness",
        role="Front-desk supervisor, Sam's line manager",
        contact="wendy@hotel.example",
    )
    coverage = page.locator("table.coverage")
    f1 = coverage.locator("tr", has=page.locator("th", has_text="F1")).inner_text()
    f2 = coverage.locator("tr", has=page.locator("th", has_text="F2")).inner_text()
    assert "3 of" in f1 and "1.1–1.2, 2.1" in f1, f1
    assert "3 of" in f2 and "1.1–1.2, 2.1" in f2, f2
    assert_accessible(page, "the assessment plan")
    # the plan's point of the conversation can be ticked now
    page.goto(base + "/record")
    page.locator("#tick-plan").check()
    page.locator("#notes-plan").fill("Two activities agreed: the front desk and a conference.")
    page.get_by_role("button", name="Save the conversation").click()
    page.wait_for_load_state()
    assert "The learning contract can be prepared." in page.content()
    page.goto(base + "/record")  # from the top
    shot(page, "staff-learner-record")

    # 4. the contract: prepared, signed by the assessor here and by the learner on their phone
    page.goto(base + "/contract")
    page.get_by_role("button", name="Prepare the contract").click()
    page.wait_for_load_state()
    page.get_by_label("Type your full name to sign").fill("Asha Assessor")
    page.get_by_role("button", name="Sign as assessor").click()
    page.wait_for_load_state()
    assert "Signed." in page.content()
    assert_accessible(page, "the contract, signed by the assessor")
    shot(page, "staff-contract")
    phone_context = browser_context(browser, PHONE, bypass_csp=True, locale="en-GB")
    phone = phone_context.new_page()
    phone.goto(server + f"/l/{token}")
    phone.goto(server + "/contract")
    assert "Greeting guests" in phone.content()  # the activities coming up
    phone.get_by_label("Type your full name to sign").fill("Sam Learner")
    phone.get_by_role("button", name="Sign my learning contract").click()
    phone.wait_for_load_state()
    assert_accessible(phone, "the learner's contract, signed")
    shot(phone, "learner-contract-360")
    phone_context.close()
    with server.db() as db:
        signed = plans.current_contract(db, learner_id)
    assert signed["learner_signed_at"] and signed["assessor_signed_at"]

    # 5. the first activity done, with feedback: the coverage moves, the contract stays signed
    page.goto(base + "/assessment-plan")
    page.get_by_role("link", name="Change Greeting guests").click()
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Done on").fill("2027-02-16")
    page.get_by_label("Competent: the criteria were shown").check()
    page.get_by_label("Feedback given to the learner, or why it was cancelled").fill(
        "Warm greeting every time; next, show how you check a booking."
    )
    shot(page, "staff-plan-activity-change")
    page.get_by_role("button", name="Save the activity").click()
    page.wait_for_url("**/assessment-plan**")
    done = page.locator("table.coverage tr", has=page.locator("th", has_text="F1"))
    assert "2 of" in done.locator("td.cover-done").inner_text()
    assert "Warm greeting every time" in page.content()
    page.goto(base + "/assessment-plan")  # from the top: coverage, then the activities
    shot(page, "staff-assessment-plan")
    page.goto(base + "/contract")
    body = page.content()
    assert "changed since version" not in body and "Prepare a new version" not in body
    with server.db() as db:
        assert [c["version"] for c in plans.contracts(db, learner_id)] == [1]
        assert plans.current_contract(db, learner_id)["learner_signed_at"]
    page.goto(base + "/record")
    assert "Signed by both on" in page.content()
    page.goto(base + "/introduction")  # the portfolio's first pages, with the witness
    assert "Wendy Witness" in page.content() and "C0042" in page.content()
    assert_accessible(page, "the portfolio introduction")
    shot(page, "staff-portfolio-introduction")
    assert page.errors == []
    context.close()

    # 6. the internal verifier samples the learner, and reads the report
    context, page = laptop(browser, server, "vera.cycle@centre.example")
    page.goto(base + "/sampling")
    page.get_by_label("The learner's record: initial assessment, plan and contract").check()
    page.locator('input[name="parts"][value="F1"]').check()
    page.get_by_label("Agreed, with actions for the assessor").check()
    page.get_by_label("Comment").fill("Sound plan. Add a witness testimony for F1 1.2 too.")
    page.get_by_role("button", name="Record the sample").click()
    page.wait_for_load_state()
    assert "Your sample is recorded." in page.content()
    assert_accessible(page, "the learner's samples")
    shot(page, "staff-learner-sampling")
    with server.db() as db:
        (sample,) = sampling.samples_of(db, learner_id)
    assert sample["parts"] == ["record", "F1"] and sample["decision"] == "action"
    # the report, with more of the centre's learners: Asha's others, and Bo's
    bo = server.add_staff("assessor", "Bo Assessor", "bo.cycle@centre.example")
    with server.db() as db:
        for name, who in (("Kim Learner", asha), ("Lee Learner", asha), ("Max Learner", bo)):
            other, _ = learners.create_learner(db, name)
            learners.assign_assessor(db, other, who["id"], "test")
        vera_id = sample["verifier_id"]
        sampling.add_sample(db, other, vera_id, ["record"], "Fine", "agreed", "test")
    page.goto(server + "/staff/sampling")
    rows = page.locator("#by-assessor ~ div tbody tr")
    assert rows.nth(0).inner_text().split("\t")[:3] == ["Asha Assessor", "3", "1 (33%)"]
    assert "Kim Learner, Lee Learner" in rows.nth(0).inner_text()
    assert "1 with actions" in rows.nth(0).inner_text()
    assert rows.nth(1).inner_text().split("\t")[:4] == ["Bo Assessor", "1", "1 (100%)", "1 agreed"]
    assert_accessible(page, "the sampling report")
    shot(page, "staff-sampling-report")
    assert page.errors == []
    context.close()


def test_an_assessor_rating_is_saved_as_it_is_chosen_on_the_gap_report(browser, server):
    """A 10,000-pixel page with one Save button at the foot lost work: each rating is saved
    as it is chosen, and the page says so."""
    asha = server.add_staff("assessor", "Ash Rater", "ash.rater@centre.example")
    learner_id, _ = server.add_learner("Ria Rated")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, asha["id"], "test")
    context, page = laptop(browser, server, asha["email"])
    page.goto(server + f"/staff/learners/{learner_id}")
    page.locator('select[name="a-F2:1.3"]').select_option("2")
    page.wait_for_function(
        "document.getElementById('rating-status').textContent === 'Saved'", timeout=5000
    )
    page.locator('select[name="a-F1:1.1"]').select_option("1")
    page.wait_for_function(
        "document.getElementById('rating-status').textContent === 'Saved'", timeout=5000
    )
    with server.db() as db:
        assert learners.assessor_ratings(db, learner_id) == {"F2:1.3": 2, "F1:1.1": 1}
    shot(page, "staff-gap-report")
    page.reload()  # nothing unsaved: the page leaves without asking
    assert page.locator('select[name="a-F2:1.3"]').input_value() == "2"
    assert page.errors == []
    context.close()


def test_leaving_the_gap_report_with_a_rating_not_saved_asks_first(browser, server):
    """Offline, a chosen rating cannot be saved: the page says so, and leaving it asks first."""
    asha = server.add_staff("assessor", "Al Offline", "al.offline@centre.example")
    learner_id, _ = server.add_learner("Oli Offline")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, asha["id"], "test")
    context, page = laptop(browser, server, asha["email"])
    page.goto(server + f"/staff/learners/{learner_id}")
    context.set_offline(True)
    page.locator('select[name="a-F1:1.1"]').select_option("3")
    page.wait_for_function(
        "document.getElementById('rating-status').textContent.startsWith('No connection')",
        timeout=5000,
    )
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"] and not page.is_closed()
    with server.db() as db:
        assert learners.assessor_ratings(db, learner_id) == {}
    context.set_offline(False)
    page.get_by_role("button", name="Save my ratings").click()  # the form sends them all
    page.wait_for_load_state()
    with server.db() as db:
        assert learners.assessor_ratings(db, learner_id) == {"F1:1.1": 3}
    context.close()
