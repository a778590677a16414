"""From a confirmed plan to a plan that uses the starting point, in real Chromium at 1280 px.

The assessor confirms the units, rates three statements "could show evidence now" on the gap
report, names their evidence on the ledger, enters an apprenticeship's figures (a missing one
refused beside its field), accepts the ledger with a reason on one unit, takes two suggested
observations into the assessment plan, and finds them there. axe-core over each new page,
the ledger as printed, and screenshots of the ledger and the suggestions.
"""

from __future__ import annotations

import pytest
from conftest import shot
from helpers import LAPTOP, VALID, assert_accessible, browser_context, sign_in_staff
from playwright.sync_api import expect

from survey.store import learners, plans, prior_learning

pytestmark = pytest.mark.browser

EVIDENCE = {
    "F1:1.1": "Unit certificate, NVQ Level 2 in Hospitality (2023)",
    "F2:1.1": "Employer's induction record, signed by the line manager",
    "A3:unit": "Unit certificate from a previous customer service NVQ",
}
REASON = "The certificate is from a hotel reception; the contact centre's customers differ"


@pytest.fixture
def laptop(browser):
    context = browser_context(browser, LAPTOP, bypass_csp=True)  # axe-core is injected
    page = context.new_page()
    yield page
    context.close()


def test_confirmed_plan_to_accepted_ledger_to_two_observations_in_the_plan(laptop, server):
    page = laptop
    assessor = server.add_staff("assessor", "Asha Assessor", "asha.ledger@centre.example")
    learner_id, _ = server.add_learner("Lena Ledger")
    with server.db() as db:
        learners.assign_assessor(db, learner_id, assessor["id"], "t")
        learners.set_job_role(db, learner_id, "Customer Service Agents", "", "t")
        learners.save_contexts(
            db, learner_id, {"incoming-calls": "yes", "problems": "yes", "face-to-face": "no"}, "t"
        )
        learners.submit(db, learner_id, "t")
    sign_in_staff(page, server, "asha.ledger@centre.example")
    base = server + f"/staff/learners/{learner_id}"

    # the units, confirmed through the Units page
    page.goto(base + "/plan")
    for box in page.locator("input[name=units]").all():
        box.set_checked(box.get_attribute("value") in VALID)
    page.get_by_role("button", name="Confirm this plan").click()
    expect(page.locator(".flash")).to_contain_text("Plan confirmed")

    # three statements rated "could show evidence now" on the gap report
    page.goto(base)
    for statement in EVIDENCE:
        page.select_option(f'select[name="a-{statement}"]', "3")
    # each is saved as it is chosen
    page.wait_for_function(
        "document.getElementById('rating-status').textContent === 'Saved'", timeout=5000
    )
    with server.db() as db:
        rated = learners.answers(db, learner_id, assessor=True).assessor
    assert {s: rated.get(s) for s in EVIDENCE} == {s: 3 for s in EVIDENCE}

    # the ledger: nothing counts until the evidence is named
    page.get_by_role("link", name="Prior learning").click()
    expect(page.locator("#proportion summary")).to_have_text(
        "Proportion still to deliver: no adjustment"
    )
    assert_accessible(page, "the ledger before any evidence")
    for statement, evidence in EVIDENCE.items():
        page.locator(f'input[name="ev-{statement}"]').fill(evidence)
    page.get_by_role("button", name="Save the evidence").click()
    expect(page.locator(".flash")).to_contain_text("Saved the evidence for 3 criteria")
    # 300 hours; 40/21 + 40/15 + 50 = 54.6 covered; 81% still to deliver
    expect(page.locator("#proportion summary")).to_have_text("Proportion still to deliver: 81%")

    # an apprenticeship: the price forgotten is asked for beside its field, nothing lost
    page.get_by_label("Funding profile").select_option("apprenticeship-2025-08")
    page.get_by_label("Planned duration (months)").fill("12")
    page.get_by_label("Off-the-job training hours").fill("300")
    page.get_by_role("button", name="Save the funding").click()
    expect(page.locator("#agreed_price-error")).to_contain_text("Enter the agreed price")
    expect(page.get_by_label("Off-the-job training hours")).to_have_value("300")
    assert_accessible(page, "the ledger with a message beside a field")
    page.get_by_label("Agreed price (£)").fill("£3,000")
    page.get_by_role("button", name="Save the funding").click()
    expect(page.locator("#funding")).to_contain_text(
        "Prior learning recognised: yes — 54 of 300 off-the-job hours removed"
    )

    # every figure opens to what is behind it
    f1 = page.locator("#unit-F1 td").first
    f1.locator("summary").click()
    expect(f1).to_contain_text("Evidence: " + EVIDENCE["F1:1.1"])

    # accepted, with a reason why A3's prior learning does not reduce it
    page.get_by_label("A3: why its prior learning does not reduce it").fill(REASON)
    page.get_by_label("Accept these figures").check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.locator(".flash")).to_contain_text("Ledger accepted.")
    expect(page.locator("#decision-now")).to_contain_text(
        "98% still to deliver, with A3 not reduced"
    )
    expect(page.locator("#unit-A3 th")).to_contain_text("not reduced: your decision")
    expect(page.locator("#decisions tbody tr").first).to_contain_text(f"A3 not reduced: {REASON}")
    with server.db() as db:
        (decision,) = prior_learning.prior_learning(db, learner_id).decisions
    assert decision["unit_reasons"] == {"A3": REASON}
    assert decision["figures"]["percent_to_deliver"] == 98  # A3 no longer counts
    page.locator("#unit-A3 td").first.locator("summary").click()
    page.locator("#proportion summary").click()
    assert_accessible(page, "the ledger accepted")
    shot(page, "ledger-1280")

    # printed (or saved as PDF): every figure open with what is behind it, no forms
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".ledger details:not([open]), details.figure:not([open])").count() == 0
    expect(page.locator("#unit-F2")).to_contain_text("Evidence: " + EVIDENCE["F2:1.1"])
    for hidden in ("#decide", "#evidence", "#funding form", ".tabs"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#decisions")).to_be_visible()
    shot(page, "ledger-print-1280")
    page.emulate_media(media="screen")

    # suggestions: two observations taken into the plan, one tap each
    page.get_by_role("link", name="Suggested evidence").first.click()
    expect(page.locator("#incoming-calls")).to_contain_text("language: 1.3, 2.2")
    assert_accessible(page, "the suggestions")
    shot(page, "suggestions-1280")
    taken = ["Observe incoming calls: F1 1.3, 2.2", "Observe handling a customer's problem"]
    for activity in ("incoming-calls", "problems"):
        card = page.locator(f"#{activity}")
        card.get_by_role("button", name="Take into the plan").click()
        expect(page.locator(".flash")).to_contain_text("Added to the assessment plan")
        expect(page.locator(f"#{activity}")).to_contain_text("In the assessment plan.")
    shot(page, "suggestions-taken-1280")

    # the assessment plan shows them as ordinary rows, and its coverage shows what they add
    page.get_by_role("link", name="Assessment plan", exact=True).click()
    f1 = page.locator("table.coverage tbody tr").filter(has_text="F1 Communicate")
    expect(f1.locator("td.cover-planned")).to_contain_text("1.3, 2.2")
    shot(page, "assessment-plan-suggestions-1280")
    rows = page.locator("table.plan-rows tbody tr")
    expect(rows).to_have_count(2)
    for sentence, row in zip(taken, rows.all()):
        expect(row).to_contain_text(sentence)
        expect(row).to_contain_text("To be agreed")
    with server.db() as db:
        kept = plans.assessment_plan_rows(db, learner_id)
    assert [r["activity"][: len(t)] for r, t in zip(kept, taken)] == taken
    assert [r["evidence"] for r in kept] == [["observation"], ["observation"]]
    assert all(r["criteria"] for r in kept)  # their criteria mapped
