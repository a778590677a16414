"""The suggester's behaviour a learner or assessor would notice (exactness: test_planner_exact)."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import staff_client

from survey import create_app, planner
from survey.content import load_qualification
from survey.db import connect
from survey.planner import suggest_plans, unit_cost
from survey.profile import Profile
from survey.rules import check_plan
from survey.scoring import band, evidence_opportunity, readiness
from survey.store import learners

PHONE_JOB = {"incoming-calls": "yes", "outgoing-calls": "yes", "face-to-face": "no"}


def test_empty_profile_gets_a_valid_best_plan_and_three_alternatives(q):
    s = suggest_plans(q, Profile())
    assert len(s.plans) == 4
    assert all(check_plan(q, p.numbers) == [] for p in s.plans)
    assert len({frozenset(p.numbers) for p in s.plans}) == 4
    assert [p.cost for p in s.plans] == sorted(p.cost for p in s.plans)
    assert s.problems == () and not s.needs_unevidenced


def test_plan_reports_credits_and_what_each_unit_fills(q):
    best = suggest_plans(q, Profile(contexts=PHONE_JOB)).best
    assert best.total_credits == sum(u.credits for u in best.units)
    assert best.total_credits >= 28
    assert sum(best.level_credits.values()) == best.optional_credits
    assert best.level_credits.get(2, 0) >= 11
    assert {u.group for u in best.optional} == {"B", "C", "D", "E"}
    assert [u.number for u in best.units if u.mandatory] == ["F1", "F2"]


def test_interest_and_evidence_steer_the_plan(q):
    best = suggest_plans(q, Profile(contexts=PHONE_JOB, interests=frozenset({"A12"}))).best
    assert "A12" in best.numbers
    reason = next(u.reason for u in best.units if u.number == "A12")
    assert reason == (
        "Fits your job (calling customers); you said it interests you; "
        "covers Group B (Impression and image)"
    )


def test_suggestions_are_remembered_per_profile_and_never_mixed_up(q):
    wants_a12 = Profile(contexts=PHONE_JOB, interests=frozenset({"A12"}))
    first = suggest_plans(q, wants_a12)
    again = suggest_plans(q, Profile(contexts=dict(PHONE_JOB), interests=frozenset({"A12"})))
    assert again is first  # the same answers: worked out once
    other = suggest_plans(q, dataclasses.replace(wants_a12, interests=frozenset({"A11"})))
    assert other is not first and other.plans != first.plans
    assert suggest_plans(q, wants_a12, alternatives=0).plans == first.plans[:1]


def test_units_the_job_lacks_are_never_suggested_when_avoidable(q):
    s = suggest_plans(q, Profile(contexts=PHONE_JOB, interests=frozenset({"A10"})))
    for p in s.plans:
        assert "A10" not in p.numbers  # face to face: "no", even though it interests them


def test_when_the_job_lacks_a_whole_group_the_suggestion_says_what_would_unlock_it(q):
    exclusions = frozenset({"C4", "C6"})
    s = suggest_plans(q, Profile(contexts={"problems": "no"}, exclusions=exclusions))
    assert s.needs_unevidenced
    assert s.problems == (
        "Your job has no unit in Group D (Handling problems) it can evidence: C4 and C6 were "
        "excluded; C1, C2, C3, C5 and C7 need handling problems and complaints.",
    )
    # a plan is still offered, valid, and its group D unit is flagged in its reason
    best = s.best
    assert check_plan(q, best.numbers) == []
    d_unit = next(u for u in best.optional if u.group == "D")
    assert "which your job does not have" in d_unit.reason


def test_no_plan_at_all_names_the_rule(q):
    s = suggest_plans(q, Profile(exclusions=frozenset(u.number for u in q.units_in("D"))))
    assert s.plans == () and s.best is None
    assert s.problems[0].startswith("Group D (Handling problems) has no unit left to choose")


def test_level_2_credits_rule_explained_when_unreachable(q):
    level2 = frozenset(u.number for u in q.optional_units if u.level == 2)
    s = suggest_plans(q, Profile(exclusions=level2))
    assert s.plans == ()
    assert s.problems == (
        "The units left give at most 0 credits at Level 2 where 11 are needed "
        "(of which a minimum 11 credits must be achieved at Level 2).",
    )


def test_readiness_and_confidence_appear_in_reasons(q):
    ratings = {s.id: 3 for s in q.unit("B1").statements()}
    ratings["B1:1.1"] = 1
    profile = Profile.from_ratings(q, ratings, interests=frozenset({"B1"}))
    best = suggest_plans(q, profile).best
    b1 = next(u for u in best.units if u.number == "B1")
    assert "you are already confident in 15 of 16" in b1.reason


@pytest.mark.parametrize(
    "role, expected",
    [("Customer Service Team Leader", 1), ("Call Centre Operators", 0), ("Astronaut", 0)],
)
def test_level_3_role_is_a_cue_for_the_assessor(q, role, expected):
    notes = suggest_plans(q, Profile(job_role=role)).level_notes
    assert len(notes) == expected


def test_strong_level_3_readiness_is_a_cue_too(q):
    high = {u.number: 3.0 for u in q.optional_units if u.level == 3}
    every_context = {c.id: "yes" for c in q.contexts}
    notes = suggest_plans(q, Profile(contexts=every_context, readiness=high)).level_notes
    assert notes and "16 of 16 units above Level 2" in notes[0]
    # without the job contexts, most Level 3 units cannot be shown at work: no cue
    assert suggest_plans(q, Profile(readiness=high)).level_notes == ()


def test_unit_cost_orders_preferences(q):
    base = Profile(contexts={"incoming-calls": "sometimes", "outgoing-calls": "no"})
    assert unit_cost(q, base, "A12") > unit_cost(q, base, "A11") > unit_cost(q, base, "A3")
    liked = dataclasses.replace(base, interests=frozenset({"A3"}))
    assert unit_cost(q, liked, "A3") < unit_cost(q, base, "A3")
    ready = dataclasses.replace(base, readiness={"A3": 3.0})
    unready = dataclasses.replace(base, readiness={"A3": 0.0})
    assert unit_cost(q, ready, "A3") < unit_cost(q, base, "A3") < unit_cost(q, unready, "A3")


def test_readiness_is_unknown_not_zero_without_answers(q):
    values = readiness(q, {"F1:1.1": 3, "F1:1.2": 1, "nonsense": 2, "F2:1.1": 9})
    assert values["F1"] == 2.0
    assert values["F2"] is None and values["A1"] is None


def test_evidence_opportunity_takes_the_best_answer(q):
    opp = evidence_opportunity(q, {"incoming-calls": "no", "problems": "sometimes"})
    assert opp["A11"] == "no"
    assert opp["C3"] == "sometimes"
    assert opp["A12"] == "unknown"
    assert opp["A1"] == "general"


@pytest.mark.parametrize(
    "value, key",
    [(None, "unknown"), (0, "starting"), (1.0, "developing"), (2, "confident"), (3, "ready")],
)
def test_readiness_bands(value, key):
    assert band(value).key == key


# ---- rules too complex to weigh -------------------------------------------------------------

CROWDED = "".join(
    f'\n[[rules]]\nid = "{g}-30"\nkind = "credits"\ngroups = ["{g}"]\nmin = 30\n' for g in "BCDE"
)


@pytest.fixture
def crowded(content_copy):
    """Content `content check` used to accept: at least 30 credits from each optional group.

    Each rule is one more counter for the exact search: 31 x 31 x 31 x 31 x ... states, a
    plan page that ran for over a minute and took gigabytes."""
    path = content_copy / "qualification.toml"
    path.write_text(path.read_text() + CROWDED)
    return content_copy


def test_rules_too_complex_to_weigh_give_a_clear_message_not_a_stall(crowded):
    q = load_qualification(crowded)
    s = suggest_plans(q, Profile(contexts=PHONE_JOB))
    assert s.plans == ()
    assert s.problems == (planner.TOO_COMPLEX,)


def test_the_state_budget_is_what_stops_the_search(q, monkeypatch):
    """The real catalogue needs a few thousand states: under a smaller budget it would stop."""
    assert 1000 < planner.reachable_states(q) < planner.STATE_BUDGET
    monkeypatch.setattr(planner, "STATE_BUDGET", 1000)
    planner._suggest.cache_clear()
    try:
        s = suggest_plans(q, Profile(contexts={"writing": "yes"}))
        assert s.plans == () and s.problems == (planner.TOO_COMPLEX,)
        assert planner.reachable_states(q) == planner.STATE_BUDGET + 1  # counted up to the limit
    finally:
        planner._suggest.cache_clear()


def test_the_plan_and_result_pages_say_so_instead_of_timing_out(crowded, tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE": str(tmp_path / "db"), "CONTENT": crowded}
    )
    db = connect(app.config["DATABASE"])
    learner_id, token = learners.create_learner(db, "Sam Learner")
    learners.submit(db, learner_id, "test")
    db.conn.close()
    staff, _ = staff_client(app, "admin", "Ann Admin")
    plan = staff.get(f"/staff/learners/{learner_id}/plan")
    assert plan.status_code == 200 and planner.TOO_COMPLEX in plan.get_data(as_text=True)
    phone = app.test_client()
    phone.get(f"/l/{token}")
    result = phone.get("/result")
    assert result.status_code == 200 and planner.TOO_COMPLEX in result.get_data(as_text=True)
