"""The prior-learning ledger and suggested evidence pages: what the assessor sees, decides and
takes into the plan, and what the learner's record and export then hold.

The learner's plan is F1, F2 and VALID (A3, B2, C3, D1): 4 + 4 + 5 + 5 + 6 + 6 = 30 credits, so
300 notional hours. Met, with evidence named: F1 1.1 (of 21), F2 1.1 (of 15) and A3 as a whole:
40/21 + 40/15 + 50 = 54.57 hours covered; (300 - 54.57) / 300 = 81.8%, rounded down: 81%.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import (
    VALID,
    TracedSql,
    assessor_confirms,
    by_id,
    database,
    dom,
    learner_and_assessor,
    post_form,
    reading,
    staff_client,
    transactions,
    words,
)

from survey.forms import assessor_field_name
from survey.store import plans, prior_learning

MET = {
    "F1:1.1": "NVQ Level 2 unit certificate",
    "F2:1.1": "Employer's training record",
    "A3:unit": "Unit certificate from a previous NVQ",
}
RATED_ONLY = "F1:1.2"  # rated "could show evidence now", evidence never named: does not count
REASON = "Same skill, but in a hotel reception, not a contact centre"


@pytest.fixture
def sam(app):
    """(learner id, phone, assessor) with a confirmed plan and four statements rated as met."""
    learner_id, phone, assessor = learner_and_assessor(
        app, incoming_calls="yes", face_to_face="no", problems="yes"
    )
    assessor_confirms(assessor, learner_id, VALID)
    rate(assessor, learner_id, [*MET, RATED_ONLY])
    return learner_id, phone, assessor


def rate(assessor, learner_id: int, statements: list[str]) -> None:
    page = f"/staff/learners/{learner_id}"
    data = {assessor_field_name(s): "3" for s in statements}
    assert post_form(assessor, page, data, to=f"{page}/ratings").status_code == 303


def url(learner_id: int, part: str = "") -> str:
    return f"/staff/learners/{learner_id}/{part}"


def name_evidence(assessor, learner_id: int, evidence: dict[str, str]):
    data = {f"ev-{sid}": text for sid, text in evidence.items()}
    return post_form(
        assessor, url(learner_id, "ledger"), data, to=url(learner_id, "ledger/evidence")
    )


def decide(assessor, learner_id: int, data: dict[str, str], version: str | None = None):
    page = assessor.get(url(learner_id, "ledger"))
    seen = version or dom(page).find("input", name="version")["value"]
    to = url(learner_id, "ledger/decision")
    return post_form(assessor, url(learner_id, "ledger"), {"version": seen, **data}, to=to)


def save_funding(assessor, learner_id: int, data: dict[str, str]):
    return post_form(
        assessor, url(learner_id, "ledger"), data, to=url(learner_id, "ledger/funding")
    )


def cell(page, unit: str, column: int) -> str:
    """The figure in a unit's row (1: criteria met, 2: hours, 3: covered, 4: to deliver)."""
    row = by_id(page, f"unit-{unit}")
    return row.find_all("td")[column - 1].find("summary").text


def kept(app, learner_id: int) -> prior_learning.PriorLearning:
    with database(app) as db:
        return prior_learning.prior_learning(db, learner_id)


# ---- the ledger ----------------------------------------------------------------------------


def test_before_the_units_are_confirmed_the_ledger_says_to_confirm_them(app):
    learner_id, _, assessor = learner_and_assessor(app, incoming_calls="yes")
    for part in ("ledger", "suggestions"):
        page = assessor.get(url(learner_id, part))
        assert page.status_code == 200
        assert "Confirm the units first" in words(page.get_data(as_text=True))
        assert dom(page).find("table") is None


def test_only_criteria_rated_met_with_their_evidence_named_count(app, sam):
    learner_id, _, assessor = sam
    page = assessor.get(url(learner_id, "ledger"))
    text = words(page.get_data(as_text=True))
    assert "a calculation for the provider's own decision, not advice" in text
    # rated, but no evidence named yet: nothing counts
    assert "Proportion still to deliver: no adjustment" in text
    names = [e["name"] for e in dom(page).find_all("input") if e["name"].startswith("ev-")]
    assert names == ["ev-F1:1.1", "ev-F1:1.2", "ev-F2:1.1", "ev-A3:unit"]

    assert name_evidence(assessor, learner_id, MET).status_code == 303
    page = assessor.get(url(learner_id, "ledger"))
    assert (cell(page, "F1", 1), cell(page, "F1", 2)) == ("1 of 21", "40")
    assert (cell(page, "F1", 3), cell(page, "F1", 4)) == ("1.9", "38.1")
    assert (cell(page, "F2", 1), cell(page, "F2", 3)) == ("1 of 15", "2.7")
    assert (cell(page, "A3", 1), cell(page, "A3", 3), cell(page, "A3", 4)) == (
        "met as a whole",
        "50",
        "0",
    )
    assert cell(page, "B2", 1) == "not yet met (judged whole)"
    # each figure opens to what is behind it: the criterion, its words and the evidence
    behind = by_id(page, "unit-F1").find_all("td")[0].text
    assert "F1 1.1" in behind and "Evidence: NVQ Level 2 unit certificate" in behind
    assert "40 × 1 ÷ 21 criteria = 1.9" in by_id(page, "unit-F1").find_all("td")[2].text
    assert "Proportion still to deliver: 81%" in by_id(page, "proportion").text
    assert "(300 − 54.6) ÷ 300" in by_id(page, "proportion").text
    assert kept(app, learner_id).evidence == MET


def test_evidence_too_long_is_refused_beside_its_field_and_nothing_is_saved(app, sam):
    learner_id, _, assessor = sam
    response = name_evidence(assessor, learner_id, {"F1:1.1": "x" * 501, "F2:1.1": "Record"})
    assert response.status_code == 400
    field = dom(response).find("input", name="ev-F1:1.1")
    assert field["aria-describedby"] == field["id"] + "-error"
    assert "Keep it to 500 characters" in by_id(response, field["id"] + "-error").text
    assert field["value"] == "x" * 501  # what was typed is still there
    assert kept(app, learner_id).evidence == {}


def test_evidence_for_a_statement_not_rated_met_is_refused_with_a_message(app, sam):
    learner_id, _, assessor = sam
    response = name_evidence(assessor, learner_id, {"F1:2.2": "Claimed", "F1:1.1": "Cert"})
    assert response.status_code == 303
    page = assessor.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 criterion or criteria are no longer rated" in words(page)
    assert kept(app, learner_id).evidence == {"F1:1.1": "Cert"}


def test_the_adult_profile_gives_the_proportion_still_to_deliver(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    assert (
        save_funding(assessor, learner_id, {"profile": "adult-skills-2025-08"}).status_code == 303
    )
    funding = by_id(assessor.get(url(learner_id, "ledger")), "funding").text
    assert "Adult skills" in funding and "applies from 1 August 2025" in funding
    assert "Funding adjustment for prior learning: 81% of the aim still to deliver." in funding


def test_an_apprenticeship_needs_the_centres_figures_each_refused_beside_its_field(app, sam):
    learner_id, _, assessor = sam
    data = {"profile": "apprenticeship-2025-08", "agreed_price": "", "planned_months": "twelve"}
    response = save_funding(assessor, learner_id, data)
    assert response.status_code == 400
    page = dom(response)
    assert (
        "Enter the agreed price: the apprenticeship figures need it."
        in by_id(page, "agreed_price-error").text
    )
    assert "whole number of months" in by_id(page, "planned_months-error").text
    assert "Enter the off-the-job training hours" in by_id(page, "off_the_job_hours-error").text
    assert page.find("input", name="planned_months")["value"] == "twelve"
    assert kept(app, learner_id).funding is None


def test_apprenticeship_figures_and_the_limit_they_stop_at(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    figures = {"profile": "apprenticeship-2025-08", "planned_months": "12"}
    response = save_funding(
        assessor, learner_id, {**figures, "agreed_price": "£3,000", "off_the_job_hours": "300"}
    )
    assert response.status_code == 303
    funding = by_id(assessor.get(url(learner_id, "ledger")), "funding").text
    # 54.57 of 300 hours met: 18.19%; 54 of 300 off-the-job hours removed (18%)
    assert "Prior learning recognised: yes — 54 of 300 off-the-job hours removed" in funding
    assert "at least £270 off the agreed £3,000" in funding
    assert "Duration: 12 months, 10 after prior learning" in funding
    assert kept(app, learner_id).funding["agreed_price"] == 3000
    # 200 hours: removing 36 would leave 164, below 187: it stops at 187
    save_funding(
        assessor, learner_id, {**figures, "agreed_price": "3000", "off_the_job_hours": "200"}
    )
    funding = by_id(assessor.get(url(learner_id, "ledger")), "funding").text
    assert "Minimum off-the-job hours reached" in funding and "13 removed and 187 remain" in funding
    assert "Limit reached: off-the-job hours (minimum 187)" in funding


def test_accepted_with_a_reason_on_one_unit_kept_with_the_date_and_the_figures(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    version = dom(assessor.get(url(learner_id, "ledger"))).find("input", name="version")["value"]
    response = decide(assessor, learner_id, {"decision": "accepted", "why-A3": REASON})
    assert response.status_code == 303
    (decision,) = kept(app, learner_id).decisions
    assert decision["decision"] == "accepted" and decision["version"] == version
    assert decision["unit_reasons"] == {"A3": REASON}
    assert decision["decided_at"]
    # A3's prior learning does not reduce it: 4.57 of 300 hours, 98% still to deliver
    assert decision["figures"]["percent_to_deliver"] == 98
    assert [u["hours_covered"] for u in decision["figures"]["units"]][:3] == [1.9, 2.67, 0]
    page = assessor.get(url(learner_id, "ledger"))
    now = by_id(page, "decision-now").text
    assert "Accepted on" in now and "98% still to deliver, with A3 not reduced" in now
    assert "not reduced: your decision" in by_id(page, "unit-A3").find("th").text
    row = by_id(page, "decisions").find("tbody").find("tr").text
    assert f"A3 not reduced: {REASON}" in row and "98% to deliver" in row


def test_no_reduction_needs_its_reason_beside_the_field(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    response = decide(assessor, learner_id, {"decision": "no-reduction", "reason": "  "})
    assert response.status_code == 400
    assert (
        "Say why the prior learning does not reduce the content."
        in by_id(response, "reason-error").text
    )
    assert kept(app, learner_id).decisions == []
    response = decide(assessor, learner_id, {"decision": "no-reduction", "reason": REASON})
    assert response.status_code == 303
    (decision,) = kept(app, learner_id).decisions
    assert (decision["decision"], decision["reason"]) == ("no-reduction", REASON)
    assert decision["figures"]["percent_to_deliver"] is None  # no adjustment


def test_a_decision_on_figures_that_changed_meanwhile_records_nothing(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    old = dom(assessor.get(url(learner_id, "ledger"))).find("input", name="version")["value"]
    name_evidence(assessor, learner_id, {**MET, RATED_ONLY: "Observed last year"})  # a 2nd tab
    response = decide(assessor, learner_id, {"decision": "accepted"}, version=old)
    assert response.status_code == 303
    page = assessor.get(response.headers["Location"]).get_data(as_text=True)
    assert "The figures changed since this page was opened" in words(page)
    assert kept(app, learner_id).decisions == []


def test_a_decision_goes_stale_when_the_figures_change(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    decide(assessor, learner_id, {"decision": "accepted"})
    assert "have changed" not in by_id(assessor.get(url(learner_id, "ledger")), "decision-now").text
    name_evidence(assessor, learner_id, {**MET, RATED_ONLY: "Observed last year"})
    now = by_id(assessor.get(url(learner_id, "ledger")), "decision-now").text
    assert "The figures below have changed since then" in now


def test_a_verifier_reads_the_ledger_but_is_offered_no_form(app, sam):
    learner_id, _, _ = sam
    verifier, _ = staff_client(app, "verifier")
    page = verifier.get(url(learner_id, "ledger"))
    assert page.status_code == 200 and dom(page).find("form", action=None) is None
    assert not [f for f in dom(page).find_all("form") if "/ledger/" in f.get("action", "")]


# ---- suggested evidence ----------------------------------------------------------------------


def take(assessor, learner_id: int, suggestion: str):
    page = url(learner_id, "suggestions")
    return post_form(assessor, page, {"suggestion": suggestion}, to=page + "/take")


def test_suggestions_list_the_fewest_observations_with_their_criteria(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    page = assessor.get(url(learner_id, "suggestions"))
    assert page.status_code == 200
    calls = by_id(page, "incoming-calls").text
    # F1 1.1 and F2 1.1 are met, so not asked for again; A3 is met as a whole
    assert "3 criteria in 2 units, and 1 unit as a whole:" in calls
    assert "F1 Communicate using customer service language: 1.3, 2.2" in calls
    assert "F2 Follow the rules to deliver customer service: 1.5" in calls
    assert "The job has this routinely" in calls
    assert (
        "B2 Deliver reliable customer service: the unit as a whole" in calls
    )  # unit by unit, with its title
    observations = [
        li["id"] for li in dom(page).find("ol", class_="suggested").find_all("li", class_="card")
    ]
    assert observations == ["incoming-calls", "problems", "team-briefing"]
    discussions = by_id(page, "discuss-h").parent.text
    assert (
        "Professional discussion for F1: 2.1, 2.3, 3.1–3.15 — 17 knowledge criteria" in discussions
    )
    uncovered = by_id(page, "uncovered-h").parent.text
    assert "D1: no workplace activity is mapped to this unit yet" in uncovered
    assert "F2 1.4: not yet known whether the job includes" in uncovered


def test_taking_a_suggestion_adds_one_ordinary_row_naming_its_criteria_even_twice(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    for _ in range(2):  # a double tap
        assert take(assessor, learner_id, "incoming-calls").status_code == 303
    with database(app) as db:
        rows = plans.assessment_plan_rows(db, learner_id)
    assert len(rows) == 1
    row = rows[0]
    assert row["units"] == ["F1", "F2", "B2"]
    assert row["activity"].startswith("Observe incoming calls: F1 1.3, 2.2; F2 1.5; B2")
    assert (row["evidence"], row["observed_where"]) == (["observation"], "At work")
    # its criteria mapped, as any row of the plan has them
    assert row["criteria"] == ["F1:1.3", "F1:2.2", "F2:1.5", "B2:unit"]
    page = assessor.get(url(learner_id, "suggestions"))
    assert "In the assessment plan." in by_id(page, "incoming-calls").text
    response = assessor.get(url(learner_id, "assessment-plan"))
    plan = words(response.get_data(as_text=True))
    assert "Observe incoming calls: F1 1.3, 2.2" in plan
    # the plan's coverage shows the gain: those criteria planned
    assert planned_cells(response) == {
        "F1": "2 of 21: 1.3, 2.2",
        "F2": "1 of 15: 1.5",
        "B2": "1: the unit as a whole",
    }


def planned_cells(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The coverage table's "Planned" cell of each unit that has criteria planned."""
    found = {}
    for tr in dom(response).find("table", class_="coverage").find("tbody").find_all("tr"):
        cell = tr.find("td", class_="cover-planned")
        if "empty" not in cell["class"]:
            found[tr.find("th").text.split()[0]] = " ".join(cell.text.split())
    return found


def test_a_discussion_is_taken_as_a_professional_discussion_row(app, sam):
    learner_id, _, assessor = sam
    assert take(assessor, learner_id, "discussion-F1").status_code == 303
    with database(app) as db:
        (row,) = plans.assessment_plan_rows(db, learner_id)
    assert (row["units"], row["evidence"]) == (["F1"], ["discussion"])
    assert row["activity"].startswith("Professional discussion for F1:")
    assert row["criteria"] and all(s.startswith("F1:") for s in row["criteria"])
    planned = planned_cells(assessor.get(url(learner_id, "assessment-plan")))
    assert list(planned) == ["F1"] and planned["F1"].startswith(f"{len(row['criteria'])} of 21:")


@pytest.mark.parametrize("suggestion", ["", "no-such-activity", "writing", "discussion-Z9"])
def test_a_suggestion_that_is_not_there_adds_nothing_and_says_so(app, sam, suggestion):
    learner_id, _, assessor = sam
    response = take(assessor, learner_id, suggestion)
    assert response.status_code == 303
    page = assessor.get(response.headers["Location"]).get_data(as_text=True)
    assert "That suggestion is no longer there" in words(page)
    with database(app) as db:
        assert plans.assessment_plan_rows(db, learner_id) == []


# ---- the learner's record and export ---------------------------------------------------------


def test_the_export_carries_the_ledger_decisions_and_suggestions_with_their_criteria(app, sam):
    learner_id, phone, assessor = sam
    name_evidence(assessor, learner_id, MET)
    decide(assessor, learner_id, {"decision": "accepted", "why-A3": REASON})
    record = json.loads(assessor.get(url(learner_id, "export.json")).get_data(as_text=True))
    ledger = record["prior_learning_ledger"]
    assert ledger["figures"]["percent_to_deliver"] == 81
    f1 = ledger["figures"]["units"][0]
    assert f1["met"] == [
        {"id": "F1:1.1", "number": "1.1", "text": f1["met"][0]["text"], "evidence": MET["F1:1.1"]}
    ]
    assert ledger["decisions"][0]["unit_reasons"] == {"A3": REASON}
    assert "not advice" in ledger["statement"]
    assert record["prior_learning"]["evidence"] == MET
    calls = next(
        a for a in record["suggested_evidence"]["activities"] if a["id"] == "incoming-calls"
    )
    assert "F1:1.3" in calls["statements"]
    rows = list(
        csv.reader(io.StringIO(assessor.get(url(learner_id, "export.csv")).get_data(as_text=True)))
    )
    sections = {r[0].split(" ")[0] for r in rows[1:]}
    assert {"prior-learning", "prior-learning decision", "suggested"} <= sections | {
        r[0] for r in rows[1:]
    }
    assert any(r[1] == "F1:1.1" and MET["F1:1.1"] in r[3] for r in rows)
    assert any(r[1] == "percent still to deliver" and r[2] == "81" for r in rows)
    assert any(r[0] == "prior-learning decision" and REASON in r[3] for r in rows)
    # the learner's own download holds it too
    mine = json.loads(phone.get("/my-data.json").get_data(as_text=True))
    assert mine["prior_learning_ledger"]["figures"]["percent_to_deliver"] == 81


def test_erasing_the_learner_erases_their_ledger(app, sam):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    save_funding(assessor, learner_id, {"profile": "adult-skills-2025-08"})
    decide(assessor, learner_id, {"decision": "accepted"})
    admin, _ = staff_client(app, "admin", "Ada Admin")
    page = url(learner_id).rstrip("/")
    assert post_form(admin, page, {"confirm": "Sam Learner"}, to=page + "/erase").status_code == 303
    with database(app) as db:
        for table in (
            "prior_learning_evidence",
            "prior_learning_funding",
            "prior_learning_decisions",
        ):
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


# ---- one read, one write ---------------------------------------------------------------------

TABLES = (
    "learners",
    "ratings",
    "assessor_ratings",
    "plans",
    "assessment_plan_rows",
    "prior_learning_evidence",
    "prior_learning_funding",
    "prior_learning_decisions",
)


@pytest.mark.parametrize("part", ["ledger", "suggestions"])
def test_each_page_reads_each_table_at_most_once(app, monkeypatch, sam, part):
    learner_id, _, assessor = sam
    name_evidence(assessor, learner_id, MET)
    decide(assessor, learner_id, {"decision": "accepted"})
    sql = TracedSql(monkeypatch)
    response, statements = sql.of(lambda: assessor.get(url(learner_id, part)))
    assert response.status_code == 200
    assert transactions(statements) == 0
    for table in TABLES:
        assert len(reading(statements, table)) <= 1, (table, statements)


def test_each_post_commits_once(app, monkeypatch, sam):
    learner_id, _, assessor = sam
    sql = TracedSql(monkeypatch)
    posts = [
        lambda: name_evidence(assessor, learner_id, MET),
        lambda: save_funding(assessor, learner_id, {"profile": "adult-skills-2025-08"}),
        lambda: decide(assessor, learner_id, {"decision": "accepted"}),
        lambda: take(assessor, learner_id, "incoming-calls"),
    ]
    for act in posts:
        response, statements = sql.of(act)
        assert response.status_code == 303
        assert transactions(statements) == 1, statements


def test_an_apprenticeship_kept_without_a_figure_says_which_one_it_needs(app, sam):
    """(kept by an earlier version of the form, say): the hours are shown, the funding asks."""
    learner_id, _, assessor = sam
    with database(app) as db:
        figures = {"profile": "apprenticeship-2025-08", "planned_months": 12}
        prior_learning.save_funding(db, learner_id, figures, 1, "test")
    page = assessor.get(url(learner_id, "ledger"))
    assert page.status_code == 200
    funding = by_id(page, "funding").text
    assert "The apprenticeship figures need the off-the-job hours: enter it below." in funding
    assert "Proportion still to deliver" in by_id(page, "proportion").text


def test_a_suggestion_taken_by_another_member_of_staff_is_not_added_again(app, sam):
    learner_id, _, assessor = sam
    admin, _ = staff_client(app, "admin", "Ada Admin")
    assert take(assessor, learner_id, "incoming-calls").status_code == 303
    response = take(admin, learner_id, "incoming-calls")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "already in the assessment plan" in words(page)
    with database(app) as db:
        assert len(plans.assessment_plan_rows(db, learner_id)) == 1


def test_the_workplace_confirming_the_job_shapes_the_suggestion(app, sam):
    """The line manager says the job has face-to-face service (the learner said no) and
    confirms incoming calls: face-to-face work is now offered, marked as confirmed."""
    from survey.store import workplace

    learner_id, _, assessor = sam
    with database(app) as db:
        new = workplace.NewContact("Pat Manager", "Team leader", "line-manager")
        contact, _, _ = workplace.invite(db, learner_id, new, None, "test", 90)
        answers = workplace.ContactAnswers(
            contexts={"face-to-face": "yes", "incoming-calls": "yes"}
        )
        workplace.keep_answers(db, contact["id"], answers, lambda row: True)
    page = assessor.get(url(learner_id, "suggestions"))
    face = by_id(page, "face-to-face").text
    assert "The job has this routinely; the workplace confirmed it." in face
    assert "F2 Follow the rules to deliver customer service: 1.1, 1.4–1.5" in face
    record = json.loads(assessor.get(url(learner_id, "export.json")).get_data(as_text=True))
    chosen = {a["id"]: a for a in record["suggested_evidence"]["activities"]}
    assert chosen["face-to-face"]["confirmed_by_workplace"] is True
