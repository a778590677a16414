"""What a learning contract says and the learner's next steps (survey/plans.py), without HTTP;
the contract pages (test_staff.py, test_result.py) show the same words."""

from __future__ import annotations

from survey.plans import contract_terms, next_steps

ROW = {
    "id": 9,
    "units": ["F1"],
    "observed_when": "Monday",
    "observed_where": "Desk",
    "activity": "Calls",
    "evidence": ["observation"],
}


def test_a_contract_says_nothing_until_the_unit_plan_is_confirmed(q):
    assert contract_terms(q, None, []) is None
    assert contract_terms(q, {"units": ["A3"], "confirmed_at": None}, [ROW]) is None


def test_a_contract_covers_the_mandatory_and_confirmed_units_and_the_assessment_plan(q):
    terms = contract_terms(q, {"units": ["A3"], "confirmed_at": "2026-01-01"}, [ROW])
    numbers = [u["number"] for u in terms["units"]]
    assert numbers == [u.number for u in q.mandatory_units] + ["A3"]
    assert terms["qualification"] == f"{q.title} ({q.code})"
    assert terms["assessment_plan"] == [{k: v for k, v in ROW.items() if k != "id"}]


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
