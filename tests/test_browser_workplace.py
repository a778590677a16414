"""The workplace's voice in real Chromium: the assessor (1280 px) invites a line manager; the
manager opens the link on their own phone (360 px), corrects one job answer, rates the claims,
writes a testimony and signs the contract; the gap report then shows three columns with the
disagreements flagged, and one flagged criterion goes into the assessment plan in one step.
axe-core runs over every page the manager sees; screenshots land in screenshots/.
"""

from __future__ import annotations

import re

import pytest
from conftest import shot
from helpers import (
    LAPTOP,
    PHONE,
    VALID,
    assert_accessible,
    axe_path,
    browser_context,
    confirm_in_store,
    ready_for_contract,
    sign_in_staff,
    too_small,
)
from playwright.sync_api import expect

from survey.store import learners
from survey.store import workplace as store

pytestmark = pytest.mark.browser

# what Sam said: a call-centre job, sure of most of F1
SAM_JOB = {"incoming-calls": "yes", "face-to-face": "sometimes", "writing": "no"}
SAM_RATINGS = {"F1:1.1": 3, "F1:1.2": 1, "F1:1.3": 2, "F1:2.2": 2, "F2:1.1": 2, "F2:1.2": 0}
DESCRIPTION = (
    "On Tuesday a customer rang about a missing refund. Sam listened, checked the account while "
    "the customer waited, explained the delay and called back the same afternoon once the "
    "refund had gone through."
)


@pytest.fixture(scope="module")
def world(server):
    """An assessor with one learner who has answered and whose units are confirmed."""
    assessor = server.add_staff("assessor", "Asha Assessor", "asha@centre.example")
    learner_id, _ = server.add_learner("Sam Learner")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, assessor["id"], "test")
        learners.set_job_role(db, learner_id, "Call Centre Operators", "", "test")
        learners.save_contexts(db, learner_id, SAM_JOB, "test")
        learners.save_ratings(db, learner_id, SAM_RATINGS, "test")
        learners.submit(db, learner_id, "test")
        confirm_in_store(db, learner_id, VALID, assessor["id"], f"staff:{assessor['id']}")
        ready_for_contract(db, learner_id, assessor["id"])  # the dates and the conversation
    return {"learner": learner_id, "assessor": assessor}


def checked(page, name: str) -> str:
    return page.locator(f"input[name='{name}']:checked").get_attribute("value") or ""


def test_a_line_manager_confirms_rates_testifies_and_signs_from_their_phone(server, browser, world):
    axe_path()
    learner_id = world["learner"]
    laptop = browser_context(browser, LAPTOP, bypass_csp=True)
    phone = browser_context(browser, PHONE, bypass_csp=True)
    try:
        # ---- the assessor invites Sam's line manager, and prepares the contract
        staff = laptop.new_page()
        sign_in_staff(staff, server, "asha@centre.example")
        staff.goto(server + f"/staff/learners/{learner_id}/contract")
        staff.get_by_role("button", name="Prepare the contract").click()
        staff.goto(server + f"/staff/learners/{learner_id}/workplace")
        staff.get_by_label("Their name").fill("Pat Manager")
        staff.get_by_label("Their job title").fill("Contact Centre Manager")
        staff.get_by_label("Their relationship to the learner").select_option("line-manager")
        staff.get_by_label("Email (optional)").fill("pat@callco.example")
        staff.get_by_role("button", name="Invite and show their link").click()
        card = staff.locator(".learner-card")
        expect(card).to_contain_text("Pat Manager")
        link = card.locator(".link a").get_attribute("href")
        assert link and re.search(r"/w/[a-z0-9]{26}$", link)
        assert staff.get_by_role("link", name="Email it to them").count() == 1
        assert_accessible(staff, "the workplace contact's card")
        shot(staff, "workplace-card-1280")

        # ---- the manager opens the link on their phone
        manager = phone.new_page()
        manager.goto(link)
        expect(manager.locator("h1")).to_have_text("Hello Pat")
        expect(manager.locator("main")).to_contain_text("Sam Learner is starting")
        assert_accessible(manager, "the manager's start page")
        assert too_small(manager) == []
        shot(manager, "workplace-home-360")
        manager.get_by_role("link", name="Start with Sam’s job").click()

        # the job: Sam said yes to incoming calls; the manager corrects it to "sometimes"
        expect(manager.locator("h1")).to_have_text("Sam’s job")
        question = manager.locator("fieldset", has_text="Does Sam’s job involve answering calls?")
        expect(question).to_contain_text("Sam said: Yes")
        question.get_by_text("Sometimes", exact=True).click()
        expect(manager.locator("#save-status")).to_have_text("Saved")
        for label, answer in (("face-to-face work", "Yes"), ("written and email work", "No")):
            fieldset = manager.locator("fieldset", has_text=f"Does Sam’s job involve {label}?")
            fieldset.get_by_text(answer, exact=True).click()
        # every answer's words fit beside its radio ("Sometimes" is never cut short)
        cut = manager.eval_on_selector_all(
            ".option, .option span",
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length",
        )
        assert cut == 0
        assert_accessible(manager, "the job page")
        assert too_small(manager) == []
        shot(manager, "workplace-job-360")
        manager.get_by_role("button", name="Save and continue").click()

        # the claims, unit by unit: not yet seen what Sam is sure of; seen what Sam doubts
        expect(manager.locator("h1")).to_contain_text("F1")
        ratings = {
            "F1:1.1": "Not yet",
            "F1:1.2": "I have seen this",
            "F1:1.3": "I have seen this",
            "F1:2.2": "Not had the chance to see",
        }
        for statement, answer in ratings.items():
            field = "w-" + statement.replace(":", "-")
            manager.locator(f"label:has(input[name='{field}'][value])", has_text=answer).click()
        manager.get_by_label("Your note (optional)").first.fill("Not on the phones alone yet")
        manager.get_by_label("Your note (optional)").nth(1).click()  # the note saves on leaving
        expect(manager.locator("#save-status")).to_have_text("Saved")
        assert_accessible(manager, "a claims page")
        assert too_small(manager) == []
        shot(manager, "workplace-claims-360")
        manager.get_by_role("button", name="Save and continue").click()
        expect(manager.locator("h1")).to_contain_text("F2")
        manager.locator("label:has(input[name='w-F2-1.1'])", has_text="Partly").click()
        manager.get_by_role("button", name="Save and continue").click()
        expect(manager.locator("h1")).to_have_text("Other units in the plan")
        assert_accessible(manager, "the units rated as a whole")
        manager.get_by_role("button", name="Save and continue").click()
        expect(manager.locator("h1")).to_have_text("Check and send")
        assert_accessible(manager, "check and send")
        shot(manager, "workplace-review-360")
        manager.get_by_role("button", name="Send my answers to the assessor").click()
        expect(manager.locator(".flash")).to_contain_text("your answers have gone to the assessor")

        # a witness testimony
        manager.get_by_role("link", name="Write a testimony").click()
        manager.get_by_role("link", name="Write a testimony").click()
        expect(manager.locator("h1")).to_have_text("Witness testimony for Sam Learner")
        assert_accessible(manager, "the testimony form")
        manager.get_by_label("Date of the activity").fill("2026-01-06")
        manager.get_by_label("Time of the activity").fill("14:15")
        manager.get_by_label("Where it happened").fill("Call centre, second floor")
        manager.get_by_label("What Sam did").fill(DESCRIPTION)
        assert manager.get_by_label("Your job title").input_value() == "Contact Centre Manager"
        assert manager.get_by_label("Your contact details").input_value() == "pat@callco.example"
        manager.get_by_label("Type your full name to sign").fill("Pat Manager")
        assert too_small(manager) == []
        shot(manager, "workplace-testimony-360")
        manager.get_by_role("button", name="Sign and send").click()
        expect(manager.locator("h1")).to_have_text("Your witness testimony (WT1)")
        expect(manager.locator(".testimony")).to_contain_text(DESCRIPTION)
        assert_accessible(manager, "a signed testimony")
        shot(manager, "workplace-testimony-signed-360")

        # the employer signs the learning contract
        manager.goto(server + "/workplace")
        manager.get_by_role("link", name="Read and sign it").click()
        manager.get_by_label("Type your full name to sign").fill("Pat Manager")
        manager.get_by_role("button", name="Sign for the employer").click()
        expect(manager.locator(".signatures")).to_contain_text(
            "Signed “Pat Manager” (Contact Centre Manager, line manager) on"
        )
        assert_accessible(manager, "the signed contract")
        shot(manager, "workplace-contract-360")

        # ---- the gap report: three views, the disagreements flagged
        staff.goto(server + f"/staff/learners/{learner_id}")
        columns = staff.locator("table.criteria-table").first.locator("thead th")
        expect(columns).to_have_text(
            ["Statement", "Learner at first", "Latest self-check", "Workplace", "Assessor"]
        )
        first = staff.locator("tr", has_text="I can recognise typical customers")
        expect(first).to_contain_text("Plan an observation")
        expect(first).to_contain_text("Not on the phones alone yet")
        doubted = staff.locator("tr", has_text="I can discuss customer expectations")
        expect(doubted).to_contain_text("Confidence, not competence: talk it through")
        calls = staff.locator("table.job-table tr", has_text="telephone calls from customers")
        expect(calls).to_contain_text("Differs")
        expect(calls).to_contain_text("Sometimes · Pat Manager (line manager)")
        assert_accessible(staff, "the three-column gap report")
        shot(staff, "gap-report-three-views-1280")
        # ---- one step: a flagged criterion goes into the assessment plan as an observation
        to_observe = staff.locator("#observe li", has_text="F1 1.1")
        expect(to_observe).to_have_count(1)
        to_observe.get_by_role("button", name="Add to the assessment plan").click()
        expect(staff.locator("#rows-heading")).to_have_text("Activities")  # the plan's page
        expect(staff.locator(".flash")).to_contain_text("Added to the assessment plan: ")
        planned = staff.locator(
            "table.plan-rows tbody tr", has_text="To arrange with the workplace"
        )
        expect(planned).to_have_count(1)
        expect(planned).to_contain_text("F1 1.1")
        expect(planned).to_contain_text("Observation")
        assert_accessible(staff, "the assessment plan with the observation")
        shot(staff, "assessment-plan-observation-1280")
        staff.goto(server + f"/staff/learners/{learner_id}")
        expect(staff.locator("#observe li", has_text="F1 1.1")).to_contain_text(
            "in the assessment plan"
        )
        staff.goto(server + f"/staff/learners/{learner_id}/testimonies")
        expect(staff.locator("article")).to_contain_text("WT1: Pat Manager")
        shot(staff, "testimonies-1280")
        staff.goto(server + f"/staff/learners/{learner_id}/workplace")
        expect(staff.locator("table")).to_contain_text("Sent")
        shot(staff, "workplace-contacts-1280")
        staff.goto(server + "/staff/cohort?view=workplace")
        shot(staff, "cohort-workplace-1280")
    finally:
        phone.close()
        laptop.close()
    with server.db() as db:
        (contact,) = store.contacts(db, learner_id)
        had = store.answers(db, contact["id"])
        signed = db.execute("SELECT employer_name FROM contracts").fetchone()[0]
    assert had.contexts == {"incoming-calls": "sometimes", "face-to-face": "yes", "writing": "no"}
    assert had.ratings == {
        "F1:1.1": "not-yet",
        "F1:1.2": "seen",
        "F1:1.3": "seen",
        "F1:2.2": "no-chance",
        "F2:1.1": "partly",
    }
    assert had.notes == {"F1:1.1": "Not on the phones alone yet"}
    assert contact["sent_at"] and signed == "Pat Manager"
