"""What a learning contract says and the learner's next steps (survey/plans.py), without HTTP;
the contract pages (test_staff.py, test_result.py) show the same words."""

from __future__ import annotations

from survey.centre import Centre
from survey.plans import contract_state, contract_terms, next_steps

LEARNER = {"name": "Sam Learner", "start_on": "2027-01-11", "planned_end_on": "2027-09-30"}
CONFIRMED = {"units": ["A3"], "confirmed_at": "2026-01-01"}


def test_a_contract_says_nothing_until_the_unit_plan_is_confirmed(q):
    assert contract_terms(q, None, LEARNER, Centre()) is None
    assert contract_terms(q, {"units": ["A3"], "confirmed_at": None}, LEARNER, Centre()) is None


def test_a_contract_covers_the_units_dates_reviews_responsibilities_and_appeals(q):
    centre = Centre(name="Northgate Training", appeals="Write to the centre manager.")
    terms = contract_terms(q, CONFIRMED, LEARNER, centre)
    numbers = [u["number"] for u in terms["units"]]
    assert numbers == [u.number for u in q.mandatory_units] + ["A3"]
    assert terms["qualification"] == f"{q.title} ({q.code})"
    assert terms["programme"] == {"start": "2027-01-11", "planned_end": "2027-09-30"}
    assert terms["appeals"] == "Write to the centre manager."
    assert terms["responsibilities"]["assessor"]  # the seed's list until the centre changes it
    assert "assessment_plan" not in terms  # the plan is a living document beside it


def test_a_signed_contract_stands_until_its_units_or_dates_change(q):
    terms = contract_terms(q, CONFIRMED, LEARNER, Centre())
    signed = {
        "content": terms,
        "learner_signed_at": "2027-01-12",
        "assessor_signed_at": "2027-01-13",
    }
    state = contract_state(q, CONFIRMED, [signed], {}, LEARNER, Centre())
    assert state.changes.current and state.current is signed
    assert state.talk.points[-1].ticked and state.talk.points[-1].on == "2027-01-13"
    later = {**LEARNER, "planned_end_on": "2027-12-31"}
    moved = contract_state(q, CONFIRMED, [signed], {}, later, Centre())
    assert not moved.changes.current and not moved.talk.points[-1].ticked
    reworded = contract_state(q, CONFIRMED, [signed], {}, LEARNER, Centre(appeals="Ask Pat."))
    assert reworded.changes.current and reworded.changes.wording


def test_the_next_steps_follow_the_learners_record():
    before = next_steps(None, None, None, False)
    assert [(s.key, s.state) for s in before] == [
        ("answer", "now"),
        ("units", "later"),
        ("contract", "later"),
        ("work", "later"),
    ]
    ready = {"learner_signed_at": None}
    to_sign = next_steps("t1", "t2", ready, True)
    assert [s.state for s in to_sign] == ["done", "done", "now", "later"]
    assert to_sign[2].link == "contract"
    stale = next_steps("t1", "t2", ready, False)
    assert stale[2].link == "" and "updating" in stale[2].detail
    signed = next_steps("t1", "t2", {"learner_signed_at": "t3"}, True)
    assert [s.state for s in signed] == ["done", "done", "done", "now"]
    assert signed[2].when == "t3"
