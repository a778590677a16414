"""Suggested observations: the fewest activities covering every outstanding observable criterion.

Exactness is checked against tests/brute.py, which tries every subset of the activities the job
offers and never calls survey/evidence_plan.py.
"""

from __future__ import annotations

import json

import pytest
from brute import best_observations, lightest_cover, observable_needed
from helpers import small_qualification
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.content import (
    Activity,
    Context,
    Criterion,
    Evidence,
    Outcome,
    Unit,
    load_qualification,
)
from survey.evidence_plan import as_record, as_rows, minimum_cover, suggest_activities

pytestmark = pytest.mark.filterwarnings("ignore:.*TypedDict is deprecated:DeprecationWarning")

ANSWER = st.sampled_from(["yes", "sometimes", "no"])

# a call-centre job: phones and problems, no customers in person, no feedback work
CALL_CENTRE = {
    "incoming-calls": "yes",
    "problems": "sometimes",
    "face-to-face": "no",
    "customer-premises": "no",
    "self-service": "no",
    "risk-assessment": "no",
    "feedback": "no",
}


def ids(plan) -> list[str]:
    return sorted(a.id for a in plan.activities)


# ---- the real catalogue ------------------------------------------------------------------------


def test_call_centre_learner_gets_three_observations_and_the_gaps_with_reasons(q):
    plan = suggest_activities(q, ["F1", "F2", "A11", "B1", "C1", "D2"], CALL_CENTRE)
    assert [a.sentence for a in plan.activities] == [
        "Observe incoming calls: F1 1.1, 1.3, 2.2; F2 1.1, 1.5; A11; B1 1.1, 1.3–1.6 — "
        "10 criteria in 3 units, and 1 unit as a whole",
        "Observe handling a customer's problem or complaint: F1 1.3; F2 1.1–1.3; B1 1.4–1.6; C1 — "
        "7 criteria in 3 units, and 1 unit as a whole",
        "Observe a team briefing or meeting about customers: F1 1.2–1.3; B1 1.8 — "
        "3 criteria in 2 units",
    ]
    calls = plan.activities[0]
    assert (calls.context, calls.answer, calls.confirmed, calls.method) == (
        "incoming-calls",
        "yes",
        False,
        "observation",
    )
    assert calls.units == ("F1", "F2", "A11", "B1")
    assert [u.sentence for u in plan.uncovered] == [
        "F2 1.4: the job lacks face-to-face work, visits to customers or risk assessment",
        "B1 1.2: the job lacks face-to-face work or visits to customers; "
        "simulation is not allowed for B1",
        "B1 1.7: the job lacks face-to-face work or self-service technology; "
        "simulation is not allowed for B1",
        "D2: the job lacks gathering customer feedback",
    ]
    assert {u.reason for u in plan.uncovered} == {"context-no"}
    assert [d.sentence for d in plan.discussions] == [
        "Professional discussion for F1: 2.1, 2.3, 3.1–3.15 — 17 knowledge criteria",
        "Professional discussion for F2: 2.1–2.10 — 10 knowledge criteria",
        "Professional discussion for B1: 2.1–2.8 — 8 knowledge criteria",
    ]
    # every outstanding observable statement is either observed or listed with its reason
    observed = {s for a in plan.activities for s in a.statements}
    gaps = {s for u in plan.uncovered for s in u.statements}
    assert observed == set(plan.observed)
    assert observed | gaps == set(observable_needed(q, plan.units, ()))
    assert not observed & gaps


def test_equal_covers_prefer_the_first_in_content(q):
    job = {"face-to-face": "yes", "incoming-calls": "yes"}
    assert ids(suggest_activities(q, ["F1"], job)) == ["face-to-face", "team-briefing"]


def test_equal_covers_prefer_what_the_workplace_confirmed(q):
    job = {"face-to-face": "yes", "incoming-calls": "yes"}
    plan = suggest_activities(q, ["F1"], job, workplace={"incoming-calls": "sometimes"})
    assert ids(plan) == ["incoming-calls", "team-briefing"]
    assert next(a for a in plan.activities if a.id == "incoming-calls").confirmed


def test_equal_covers_prefer_a_routine_context_to_an_occasional_one(q):
    job = {"face-to-face": "sometimes", "incoming-calls": "yes"}
    assert ids(suggest_activities(q, ["F1"], job)) == ["incoming-calls", "team-briefing"]


def test_fewer_activities_beat_a_confirmed_one(q):
    # face-to-face alone covers F2 1.1, 1.4 and 1.5; calls (confirmed) cannot show 1.4
    job = {
        "face-to-face": "yes",
        "incoming-calls": "yes",
        "problems": "no",
        "risk-assessment": "no",
    }
    plan = suggest_activities(q, ["F2"], job, workplace={"incoming-calls": "yes"})
    assert [a.id for a in plan.activities] == ["face-to-face"]
    assert [u.statements for u in plan.uncovered] == [("F2:1.2", "F2:1.3")]


def test_criteria_already_met_need_no_observation(q):
    job = {"face-to-face": "yes"}
    plan = suggest_activities(q, ["F1"], job, met=["F1:1.2", "F1:3.1"])
    assert ids(plan) == ["face-to-face"]
    assert plan.already_met == ("F1:1.2",)
    assert plan.discussions[0].sentence == (
        "Professional discussion for F1: 2.1, 2.3, 3.2–3.15 — 16 knowledge criteria"
    )
    # everything observable met: nothing to observe, nothing missing
    done = [c.id for c in q.unit("F1").criteria if c.kind == "performance"]
    plan = suggest_activities(q, ["F1"], job, met=done)
    assert (plan.activities, plan.uncovered, plan.observed) == ((), (), ())


def test_the_workplace_overrides_the_learner_both_ways(q):
    plan = suggest_activities(
        q, ["A11"], {"incoming-calls": "yes"}, workplace={"incoming-calls": "no"}
    )
    assert plan.activities == ()
    assert [(u.reason, u.sentence) for u in plan.uncovered] == [
        ("context-no", "A11: the job lacks answering calls")
    ]
    plan = suggest_activities(
        q, ["A11"], {"incoming-calls": "no"}, workplace={"incoming-calls": "yes"}
    )
    assert [(a.id, a.confirmed) for a in plan.activities] == [("incoming-calls", True)]


def test_an_unanswered_context_opens_nothing_and_says_to_ask(q):
    plan = suggest_activities(q, ["A11", "A14"], {})
    assert [(u.unit, u.reason, u.contexts) for u in plan.uncovered] == [
        ("A11", "context-unknown", ("incoming-calls",)),
        ("A14", "unmapped", ()),
    ]
    assert plan.uncovered[0].sentence == (
        "A11: not yet known whether the job includes answering calls: "
        "ask the learner or the workplace"
    )
    assert plan.uncovered[1].sentence == "A14: no workplace activity is mapped to this unit yet"


def test_a_unit_that_allows_simulation_says_so(content_copy):
    b1 = content_copy / "units" / "B1.toml"
    b1.write_text(b1.read_text().replace("simulation_allowed = false", "simulation_allowed = true"))
    q = load_qualification(content_copy)
    plan = suggest_activities(q, ["B1"], CALL_CENTRE)
    assert [u.sentence for u in plan.uncovered] == [
        "B1 1.2: the job lacks face-to-face work or visits to customers; "
        "simulation is allowed for B1",
        "B1 1.7: the job lacks face-to-face work or self-service technology; "
        "simulation is allowed for B1",
    ]


def test_units_come_in_the_qualifications_order_and_unknown_units_are_refused(q):
    plan = suggest_activities(q, ["B1", "F1", "B1"], {})
    assert plan.units == ("F1", "B1")
    with pytest.raises(ValueError, match="unknown unit 'Z9'"):
        suggest_activities(q, ["F1", "Z9"], {})


def test_a_unit_can_have_its_knowledge_asked_as_questions(content_copy):
    path = content_copy / "activities.toml"
    path.write_text(
        path.read_text().replace(
            'method = "professional discussion"',
            'method = "professional discussion"\nunits = { F2 = "questioning" }',
        )
    )
    q = load_qualification(content_copy)
    plan = suggest_activities(q, ["F1", "F2"], {})
    assert [(d.unit, d.method) for d in plan.discussions] == [
        ("F1", "professional discussion"),
        ("F2", "questioning"),
    ]
    assert plan.discussions[1].sentence == "Questioning for F2: 2.1–2.10 — 10 knowledge criteria"


@pytest.mark.parametrize(
    "job",
    [
        CALL_CENTRE,
        {
            c: "yes"
            for c in ("face-to-face", "incoming-calls", "problems", "handovers", "promoting")
        },
        {c: "sometimes" for c in ("writing", "outgoing-calls", "online-services", "colleagues")},
        {},
    ],
    ids=["call-centre", "shop-floor", "back-office", "unanswered"],
)
@pytest.mark.parametrize(
    "units",
    [
        ("F1", "F2", "B1"),
        ("F1", "F2", "A11", "A12", "B1", "B8", "C1", "D4"),
        ("F1", "F2", "A1", "A3", "A10", "B2", "B6", "C4", "D5", "D12"),
    ],
    ids=["with-criteria", "phone-plan", "general-units"],
)
def test_real_catalogue_suggestions_match_brute_force(q, job, units):
    workplace = {"handovers": "yes", "problems": "no"}
    for met in ((), ("F1:1.1", "B1:1.4", "A11:unit")):
        plan = suggest_activities(q, units, job, workplace, met)
        best, gaps = best_observations(q, units, job, workplace, met)
        assert ids(plan) == sorted(best)
        assert {s for u in plan.uncovered for s in u.statements} == gaps


# ---- random instances against brute force -------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn):
    """A small qualification with activities, a learner's units, job answers and what is met."""
    units, observable = [], []
    for i in range(draw(st.integers(1, 5))):
        number = f"U{i}"
        outcomes = []
        if draw(st.booleans()):
            for o in range(1, draw(st.integers(1, 2)) + 1):
                criteria = tuple(
                    Criterion(
                        number,
                        o,
                        f"{o}.{k}",
                        f"Do {o}.{k}",
                        f"I can do {o}.{k}",
                        draw(st.sampled_from(["performance", "performance", "knowledge"])),
                    )
                    for k in range(1, draw(st.integers(1, 4)) + 1)
                )
                outcomes.append(Outcome(o, f"Outcome {o}", criteria))
        evidence = Evidence(simulation_allowed=draw(st.sampled_from([None, True, False])))
        unit = Unit(
            number,
            f"X/{i}",
            f"Unit {i}",
            5,
            2,
            "A",
            f"I can do unit {i}",
            tuple(outcomes),
            evidence,
        )
        units.append(unit)
        if unit.awaiting_criteria:
            observable.append(unit.unit_statement_id)
        else:
            observable += [c.id for c in unit.criteria if c.kind == "performance"]
    contexts = tuple(
        Context(f"c{k}", f"context {k}", f"Do you {k}?", ()) for k in range(draw(st.integers(0, 4)))
    )
    activities = (
        tuple(
            Activity(
                f"a{k}",
                f"activity {k}",
                draw(st.sampled_from([""] + [c.id for c in contexts])),
                tuple(
                    draw(st.lists(st.sampled_from(observable), min_size=1, max_size=6, unique=True))
                ),
            )
            for k in range(draw(st.integers(0, 11)))
        )
        if observable
        else ()
    )
    q = small_qualification(units, contexts, activities)
    context_ids = [c.id for c in contexts] + ["unknown-context"]
    answers = draw(st.dictionaries(st.sampled_from(context_ids), ANSWER | st.just("maybe")))
    workplace = draw(st.dictionaries(st.sampled_from(context_ids), ANSWER))
    confirmed = draw(st.lists(st.sampled_from([u.number for u in units]), min_size=1, unique=True))
    statements = [s.id for u in units for s in u.statements()]
    met = draw(st.lists(st.sampled_from(statements), unique=True))
    return q, confirmed, answers, workplace, met


@settings(max_examples=300, deadline=None)
@given(instances())
def test_random_suggestions_are_the_best_cover_found_by_trying_every_subset(case):
    q, units, answers, workplace, met = case
    plan = suggest_activities(q, units, answers, workplace, met)
    best, gaps = best_observations(q, units, answers, workplace, met)
    assert ids(plan) == sorted(best)
    assert {s for u in plan.uncovered for s in u.statements} == gaps
    needed = observable_needed(q, units, met)
    for a in plan.activities:
        activity = q.activity(a.id)
        assert a.statements == tuple(s for s in needed if s in activity.evidences)
        assert a.statements, "an activity that shows nothing outstanding is never suggested"
    knowledge = {
        c.id
        for u in q.units
        if u.number in units
        for c in u.criteria
        if c.kind == "knowledge" and c.id not in met
    }
    assert {s for d in plan.discussions for s in d.statements} == knowledge


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_minimum_cover_is_as_light_as_trying_every_subset(data):
    n = data.draw(st.integers(1, 10))
    elements = data.draw(st.integers(1, 12))
    masks = data.draw(st.lists(st.integers(0, (1 << elements) - 1), min_size=n, max_size=n))
    weights = data.draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    universe = 0
    for m in masks:
        universe |= m
    picked = minimum_cover(masks, weights, universe)
    covered = 0
    for i in picked:
        covered |= masks[i]
    assert covered == universe
    assert list(picked) == sorted(set(picked))
    assert sum(weights[i] for i in picked) == lightest_cover(masks, weights, universe)


def test_minimum_cover_refuses_an_element_no_set_holds():
    with pytest.raises(ValueError, match="in no set"):
        minimum_cover([0b01], [1], 0b11)
    assert minimum_cover([0b01], [1], 0) == ()


# ---- the export ----------------------------------------------------------------------------------


def test_suggestions_as_plain_data_and_rows(q):
    plan = suggest_activities(
        q, ["F2", "A11", "B1"], CALL_CENTRE, workplace={"problems": "no"}, met=["F2:2.1"]
    )
    record = json.loads(json.dumps(as_record(plan)))
    assert record["units"] == ["F2", "A11", "B1"]
    assert [a["id"] for a in record["activities"]] == [a.id for a in plan.activities]
    assert record["activities"][0]["statements"] == list(plan.activities[0].statements)
    assert record["activities"][0]["method"] == "observation"
    assert record["discussions"][0]["statements"][0] == "F2:2.2"
    assert record["uncovered"][0] == {
        "unit": "F2",
        "statements": ["F2:1.2", "F2:1.3"],
        "reason": "context-no",
        "contexts": ["problems"],
        "simulation_allowed": None,
        "sentence": "F2 1.2–1.3: the job lacks handling problems and complaints",
    }
    rows = as_rows(plan)
    assert {tuple(r) for r in rows} == {("section", "item", "value", "detail")}
    by_item = {}
    for r in rows:
        by_item.setdefault(r["item"], []).append(r["value"])
    assert by_item["A11:unit"] == ["observation"]
    assert by_item["F2:2.2"] == ["professional discussion"]
    assert by_item["B1:1.2"] == ["context-no"]
    assert "F2:2.1" not in by_item  # already met
