"""The planner is exact: its plans are the cheapest valid irredundant plans, checked by brute force.

A plan is irredundant when dropping any one optional unit breaks a rule. The reference answers
come from tests/brute.py, which reads the rules straight from their definitions and never calls
survey/rules.py or survey/planner.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from brute import brute_force_plans, cheapest_plans, is_irredundant, is_valid
from helpers import SECOND
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from survey.content import (
    WEIGHT_NAMES,
    Context,
    Group,
    JobRole,
    Qualification,
    Rule,
    Scales,
    Unit,
    Weights,
    load_qualification,
)
from survey.planner import suggest_plans, unit_cost
from survey.profile import Profile
from survey.rules import Problem, check_plan

# hypothesis imports libcst to print a failing example, and libcst warns on import: without this
# a failure shows as a pytest INTERNALERROR under filterwarnings = error
pytestmark = pytest.mark.filterwarnings("ignore:.*TypedDict is deprecated:DeprecationWarning")

CONTENT = Path(__file__).resolve().parents[1] / "content" / "03455"
SCALES = Scales(
    performance=("Not yet", "With help", "On my own", "Could show evidence now"),
    knowledge=("Not yet", "A little", "Could explain", "Could explain with examples"),
)
ROLES = (JobRole("Customer Service Agent", 2), JobRole("Customer Service Team Leader", 3))
READINESS = [None] + [x / 2 for x in range(7)]  # None, 0, 0.5, ... 3


def optional_costs(q: Qualification, profile: Profile) -> dict[str, int]:
    return {u.number: unit_cost(q, profile, u.number) for u in q.optional_units}


def closed_units(q: Qualification, profile: Profile) -> frozenset[str]:
    """Units every context of which the job answered "no": they cannot be evidenced at work."""
    closed = set()
    for u in q.optional_units:
        naming = [c for c in q.contexts if u.number in c.units]
        if naming and all(profile.contexts.get(c.id) == "no" for c in naming):
            closed.add(u.number)
    return frozenset(closed)


def two_phase(q: Qualification, profile: Profile, search) -> list:
    """The contract: units the job cannot evidence are used only when no valid plan avoids
    them, so rank the plans without them; only if there are none, rank every plan."""
    avoiding = search(profile.exclusions | closed_units(q, profile))
    return avoiding if avoiding else search(profile.exclusions)


def assert_suggestion_is_exact(
    q: Qualification,
    profile: Profile,
    alternatives: int,
    reference: list[tuple[int, frozenset[str]]],
    everything: bool = False,
) -> None:
    """`reference` holds the 1 + alternatives cheapest valid irredundant plans, or all of them."""
    suggestion = suggest_plans(q, profile, alternatives)
    plans = suggestion.plans
    costs = optional_costs(q, profile)
    mandatory = {u.number for u in q.mandatory_units}
    wanted = reference[: 1 + alternatives]
    got = [(p.cost, sorted(p.numbers)) for p in plans]
    context = f"planner gave {got}, reference cheapest {[(c, sorted(s)) for c, s in wanted]}"

    if not reference:
        assert plans == (), context
        assert suggestion.problems, "no valid plan exists, so the suggestion must say why"
        assert all(isinstance(m, str) and m.strip() for m in suggestion.problems)
        return

    assert len(plans) == len(wanted), context
    assert [p.cost for p in plans] == [c for c, _ in wanted], context
    seen: set[frozenset[str]] = set()
    for p in plans:
        numbers = frozenset(p.numbers)
        assert len(numbers) == len(p.numbers), f"duplicate unit in {p.numbers}"
        assert check_plan(q, p.numbers) == [], f"{sorted(numbers)} breaks a rule"
        assert is_valid(q, numbers), f"{sorted(numbers)} breaks a rule (reference check)"
        assert mandatory <= numbers, f"{sorted(numbers)} lacks a mandatory unit"
        assert not numbers & profile.exclusions, f"{sorted(numbers)} has an excluded unit"
        for n in numbers - mandatory:
            assert check_plan(q, numbers - {n}), f"{sorted(numbers)} still valid without {n}"
        assert is_irredundant(q, numbers), f"{sorted(numbers)} is redundant (reference check)"
        assert p.cost == sum(costs[n] for n in numbers - mandatory), context
        assert p.total_credits == sum(q.unit(n).credits for n in numbers), sorted(numbers)
        if everything:
            assert (p.cost, numbers) in reference, f"{sorted(numbers)} not among {context}"
        assert numbers not in seen, f"{sorted(numbers)} suggested twice"
        seen.add(numbers)


# ---- random small catalogues -----------------------------------------------------------------


class Case:
    """One drawn example; a plain class so hypothesis prints it with the short repr below."""

    def __init__(self, q: Qualification, profile: Profile, alternatives: int) -> None:
        self.q, self.profile, self.alternatives = q, profile, alternatives

    def __repr__(self) -> str:
        """Short enough to read in a falsifying example."""
        q, p = self.q, self.profile
        units = " ".join(f"{u.number}({u.group},{u.credits}cr,L{u.level})" for u in q.units)
        rules = "; ".join(
            f"{r.kind} {''.join(r.groups)} min={r.min}" + (f" L{r.levels}" if r.levels else "")
            for r in q.rules
        )
        contexts = " ".join(f"{c.id}={list(c.units)}" for c in q.contexts)
        return (
            f"Case(units: {units} | rules: {rules} | contexts: {contexts} | weights: {q.weights}"
            f" | answers={dict(p.contexts)} readiness={dict(p.readiness)}"
            f" interests={sorted(p.interests)} exclusions={sorted(p.exclusions)}"
            f" job_role={p.job_role!r} | alternatives={self.alternatives})"
        )


def _drawn_unit(draw: st.DrawFn, number: str, group: str, most: int, levels: list[int]) -> Unit:
    """A unit of drawn credits (1 to `most`) and level (one of `levels`)."""
    return Unit(
        number=number,
        accreditation=f"X/{number}",
        title=f"Unit {number}",
        credits=draw(st.integers(1, most)),
        level=draw(st.sampled_from(levels)),
        group=group,
        statement=f"I can do {number}",
    )


def _drawn_contexts(draw: st.DrawFn, numbers: list[str], most: int) -> tuple[Context, ...]:
    """Up to `most` job questions, each opening up to three of the units."""
    return tuple(
        Context(
            id=f"ctx{i}",
            label=f"context {i}",
            question=f"Do you do {i}?",
            units=tuple(draw(st.lists(st.sampled_from(numbers), max_size=3, unique=True))),
        )
        for i in range(draw(st.integers(0, most)))
    )


@st.composite
def small_cases(draw: st.DrawFn) -> Case:
    """A catalogue small enough to search all 2^n plans, a learner, and how many alternatives."""
    n_groups = draw(st.integers(2, 4))
    optional_ids = "BCDE"[:n_groups]
    n_optional = draw(st.integers(6, 12))
    # every optional group gets a unit; the rest go anywhere, in any order
    homes = list(optional_ids) + draw(
        st.lists(
            st.sampled_from(optional_ids),
            min_size=n_optional - n_groups,
            max_size=n_optional - n_groups,
        )
    )
    homes = draw(st.permutations(homes))
    n_mandatory = draw(st.integers(1, 2))

    def unit(number: str, group: str) -> Unit:
        return _drawn_unit(draw, number, group, 10, [1, 2, 2, 3])

    mandatory = [unit(f"M{i + 1}", "A") for i in range(n_mandatory)]
    optional = [unit(f"U{i + 1}", g) for i, g in enumerate(homes)]
    units = mandatory + optional
    groups = (Group("A", "Mandatory units", mandatory=True),) + tuple(
        Group(g, f"Optional {g}") for g in optional_ids
    )
    everything = ("A",) + tuple(optional_ids)
    base = sum(u.credits for u in mandatory)
    rules = [
        Rule("total-credits", "credits", everything, min=base + draw(st.integers(0, 25))),
        Rule("mandatory", "all_units", ("A",)),
        Rule("optional-credits", "credits", tuple(optional_ids), min=draw(st.integers(1, 25))),
        Rule(
            "each-optional-group",
            "units_each_group",
            tuple(optional_ids),
            min=draw(st.sampled_from([1, 1, 1, 2])),
        ),
        Rule(
            "optional-level-2",
            "credits",
            tuple(optional_ids),
            levels=(2,),
            min=draw(st.integers(1, 8) | st.integers(1, 20)),
        ),  # sometimes out of reach
    ]
    numbers = [u.number for u in units]
    contexts = _drawn_contexts(draw, numbers, 4)
    weights = Weights(**{name: draw(st.integers(0, 3)) for name in WEIGHT_NAMES})
    q = Qualification(
        code="T1",
        title="Test qualification",
        short_title="Test",
        awarding_body="Test",
        level=2,
        source="hypothesis",
        groups=groups,
        units=tuple(units),
        rules=tuple(draw(st.permutations(rules))),
        roles=ROLES,
        contexts=contexts,
        weights=weights,
        scales=SCALES,
    )
    return Case(q, _profile(draw, q), draw(st.integers(0, 4)))


def _profile(draw: st.DrawFn, q: Qualification) -> Profile:
    """A learner for `q`: job answers, readiness, interests and exclusions drawn at random."""
    answers = {}
    for c in q.contexts:
        answer = draw(st.sampled_from([None, "yes", "sometimes", "no"]))
        if answer:
            answers[c.id] = answer
    numbers = [u.number for u in q.units]
    optional_numbers = [u.number for u in q.optional_units]
    readiness = {}
    for n in numbers:
        if draw(st.booleans()):
            readiness[n] = draw(st.sampled_from(READINESS))
    return Profile(
        job_role=draw(st.sampled_from([""] + [r.title for r in q.roles])),
        contexts=answers,
        readiness=readiness,
        interests=frozenset(draw(st.sets(st.sampled_from(optional_numbers)))),
        exclusions=frozenset(draw(st.sets(st.sampled_from(optional_numbers), max_size=4))),
    )


@st.composite
def second_shape_cases(draw: st.DrawFn) -> Case:
    """A qualification shaped unlike 03455, as tests/helpers.py SECOND is: a mandatory group
    named M, two or three optional groups, a minimum of credits from one of them, no level
    rule, and perhaps two units from each optional group."""
    optional_ids = ("P", "W", "X")[: draw(st.integers(2, 3))]
    homes = list(optional_ids) + draw(st.lists(st.sampled_from(optional_ids), max_size=9))
    homes = draw(st.permutations(homes))

    def unit(number: str, group: str) -> Unit:
        return _drawn_unit(draw, number, group, 8, [2, 3, 3, 4])

    mandatory = [unit(f"3{i:02d}", "M") for i in range(draw(st.integers(1, 3)))]
    optional = [unit(f"{g}{i + 1}", g) for i, g in enumerate(homes)]
    groups = (Group("M", "Mandatory", mandatory=True),) + tuple(
        Group(g, f"Optional {g}") for g in optional_ids
    )
    base = sum(u.credits for u in mandatory)
    rules = [
        Rule("total", "credits", ("M", *optional_ids), min=base + draw(st.integers(0, 20))),
        Rule("mandatory", "all_units", ("M",)),
        Rule("each", "units_each_group", optional_ids, min=draw(st.sampled_from([1, 1, 2]))),
        Rule("from-p", "credits", ("P",), min=draw(st.integers(1, 12))),
    ]
    contexts = _drawn_contexts(draw, [u.number for u in mandatory + optional], 3)
    q = Qualification(
        code="TL3-T",
        title="Team leading test qualification",
        short_title="Team leading",
        awarding_body="Test",
        level=3,
        source="hypothesis",
        groups=groups,
        units=tuple(mandatory + optional),
        rules=tuple(draw(st.permutations(rules))),
        roles=(JobRole("Team Leader", 3), JobRole("Operations Manager", 4)),
        contexts=contexts,
        weights=Weights(**{name: draw(st.integers(0, 3)) for name in WEIGHT_NAMES}),
        scales=SCALES,
    )
    return Case(q, _profile(draw, q), draw(st.integers(0, 4)))


def any_cases() -> st.SearchStrategy[Case]:
    """03455's shape or the second qualification's: the exactness holds for both."""
    return st.one_of(small_cases(), second_shape_cases())


@settings(max_examples=300, deadline=None)
@given(any_cases())
def test_plans_are_the_cheapest_valid_irredundant_plans_found_by_brute_force(case):
    q, profile, alternatives = case.q, case.profile, case.alternatives
    costs = optional_costs(q, profile)
    reference = two_phase(q, profile, lambda out: brute_force_plans(q, costs, out))
    assert_suggestion_is_exact(q, profile, alternatives, reference, everything=True)


@settings(max_examples=100, deadline=None)
@given(any_cases())
def test_every_optional_unit_costs_at_least_one(case):
    q, profile = case.q, case.profile
    for u in q.optional_units:
        assert unit_cost(q, profile, u.number) >= 1, u.number


@settings(max_examples=150, deadline=None)
@given(any_cases(), st.data())
def test_check_plan_accepts_exactly_the_plans_that_meet_every_rule(case, data):
    q = case.q
    numbers = [u.number for u in q.units]
    plan = data.draw(st.lists(st.sampled_from(numbers), unique=True))
    problems = check_plan(q, plan)
    assert all(isinstance(p, Problem) and p.message for p in problems)
    assert (problems == []) == is_valid(q, plan), (plan, problems)


@settings(max_examples=50, deadline=None)
@given(any_cases(), st.data())
def test_check_plan_rejects_unknown_and_repeated_units(case, data):
    q = case.q
    costs = {u.number: 1 for u in q.optional_units}
    plans = brute_force_plans(q, costs)
    assume(plans)
    plan = sorted(plans[0][1])
    assert check_plan(q, plan) == []
    assert check_plan(q, plan + ["NOPE"]), "an unknown unit number must be a problem"
    assert check_plan(q, plan + [data.draw(st.sampled_from(plan))]), "a repeat must be a problem"


@settings(max_examples=200, deadline=None)
@given(any_cases(), st.lists(st.integers(0, 6), min_size=12, max_size=12), st.integers(1, 6))
def test_reference_search_agrees_with_brute_force(case, cost_list, limit):
    """cheapest_plans (used on the real catalogue) is itself checked against all 2^n subsets."""
    q, profile = case.q, case.profile
    costs = {u.number: c for u, c in zip(q.optional_units, cost_list)}
    everything = brute_force_plans(q, costs, profile.exclusions)
    cheapest = cheapest_plans(q, costs, limit, profile.exclusions)
    assert [c for c, _ in cheapest] == [c for c, _ in everything[:limit]]
    assert set(cheapest) <= set(everything)


# ---- the real catalogue ----------------------------------------------------------------------

ALL_OPTIONAL = load_qualification(CONTENT).optional_units
SECOND_Q = load_qualification(Path("TL3-2027"), files=SECOND)  # read from its texts alone
LEVEL_3_PICKS = frozenset({"A13", "A14", "B9", "B10", "C5", "C6", "D8", "D9"})
FEW_LEFT = frozenset({"A1", "A3", "A11", "B2", "B6", "B8", "C2", "C4", "D1", "D2", "D13"})

REAL_PROFILES = {
    "empty profile": Profile(),
    "phone centre": Profile(
        job_role="Call Centre Operators",
        contexts={"incoming-calls": "yes", "outgoing-calls": "yes", "face-to-face": "no"},
        readiness={"A11": 3.0, "A12": 2.5, "A3": 1.0, "B6": None, "F1": 2.0},
        interests=frozenset({"A12", "D4"}),
    ),
    "no problems at work": Profile(contexts={"problems": "no", "risk-assessment": "sometimes"}),
    "many exclusions": Profile(
        contexts={"problems": "yes"},
        exclusions=frozenset(u.number for u in ALL_OPTIONAL if u.number not in FEW_LEFT),
        interests=frozenset({"D13", "C4"}),
    ),
    "rated learner": Profile(
        contexts={
            "face-to-face": "yes",
            "writing": "sometimes",
            "problems": "yes",
            "colleagues": "no",
            "online-services": "sometimes",
            "feedback": "yes",
        },
        readiness={u.number: (i * 5 % 7) / 2 for i, u in enumerate(ALL_OPTIONAL) if i % 4},
        interests=frozenset({"A10", "B2", "C3", "D4", "D12"}),
    ),
    "interested in level 3": Profile(
        job_role="Customer Service Team Leader",
        contexts={"partners": "yes", "risk-assessment": "yes", "colleagues": "sometimes"},
        readiness={n: 2.5 for n in LEVEL_3_PICKS} | {"B1": 0.0, "D1": 1.5},
        interests=LEVEL_3_PICKS,
    ),
}


@pytest.mark.parametrize("alternatives", [0, 3, 5])
@pytest.mark.parametrize("name", REAL_PROFILES)
def test_real_catalogue_plans_are_the_cheapest_found_by_exact_search(q, name, alternatives):
    profile = REAL_PROFILES[name]
    costs = optional_costs(q, profile)
    reference = two_phase(q, profile, lambda out: cheapest_plans(q, costs, 1 + alternatives, out))
    assert_suggestion_is_exact(q, profile, alternatives, reference)


def test_real_catalogue_with_few_units_left_matches_brute_force(q):
    profile = REAL_PROFILES["many exclusions"]
    costs = optional_costs(q, profile)
    reference = two_phase(q, profile, lambda out: brute_force_plans(q, costs, out))
    assert reference, "the units left still make a valid plan"
    assert_suggestion_is_exact(q, profile, 4, reference, everything=True)


@pytest.mark.parametrize("name", REAL_PROFILES)
def test_real_catalogue_every_optional_unit_costs_at_least_one(q, name):
    profile = REAL_PROFILES[name]
    assert all(c >= 1 for c in optional_costs(q, profile).values())


# ---- the second qualification (tests/helpers.py SECOND), exactly as it loads -----------------


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_second_qualification_plans_are_the_cheapest_found_by_brute_force(data):
    q = SECOND_Q
    profile = _profile(data.draw, q)
    alternatives = data.draw(st.integers(0, 4))
    costs = optional_costs(q, profile)
    reference = two_phase(q, profile, lambda out: brute_force_plans(q, costs, out))
    assert_suggestion_is_exact(q, profile, alternatives, reference, everything=True)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_second_qualification_check_plan_accepts_exactly_the_valid_plans(data):
    q = SECOND_Q
    plan = data.draw(st.lists(st.sampled_from([u.number for u in q.units]), unique=True))
    assert (check_plan(q, plan) == []) == is_valid(q, plan), plan


# ---- plain behaviour -------------------------------------------------------------------------


def test_best_plan_for_empty_profile_is_valid(q):
    best = suggest_plans(q, Profile()).plans[0]
    assert check_plan(q, best.numbers) == []
    assert {"F1", "F2"} <= set(best.numbers)


@pytest.mark.parametrize("group", ["B", "C", "D", "E"])
def test_units_the_job_cannot_evidence_are_left_out_when_a_plan_avoids_them(q, group):
    shut = {c.id for c in q.contexts if any(q.unit(n).group == group for n in c.units)}
    closed = {n for c in q.contexts if c.id in shut for n in c.units}
    profile = Profile(contexts={cid: "no" for cid in shut})
    # plans avoiding the closed units exist: excluding them still leaves a valid plan
    assert suggest_plans(q, Profile(exclusions=frozenset(closed))).plans
    suggestion = suggest_plans(q, profile, alternatives=3)
    assert len(suggestion.plans) == 4
    for plan in suggestion.plans:
        assert not closed & set(plan.numbers), plan.numbers


def test_excluded_units_never_appear(q):
    first = suggest_plans(q, Profile(), alternatives=3)
    used = {n for p in first.plans for n in p.numbers} - {u.number for u in q.mandatory_units}
    again = suggest_plans(q, Profile(exclusions=frozenset(used)), alternatives=3)
    assert again.plans
    for plan in again.plans:
        assert not used & set(plan.numbers), plan.numbers


def test_no_plan_when_every_group_d_unit_is_excluded_and_the_problem_names_group_d(q):
    profile = Profile(exclusions=frozenset(u.number for u in q.units_in("D")))
    suggestion = suggest_plans(q, profile)
    assert suggestion.plans == ()
    assert any("Group D" in message for message in suggestion.problems), suggestion.problems


def test_no_alternative_uses_a_unit_the_job_cannot_evidence_while_one_plan_avoids_them(q):
    # only A1 B2 C4 C1 D1 left: one plan uses C4, the other C1, which the job cannot evidence;
    # a unit the job lacks is never suggested while a valid plan avoids it, so just one plan
    keep = {"A1", "B2", "C4", "C1", "D1"}
    profile = Profile(
        contexts={"problems": "no"},
        exclusions=frozenset(u.number for u in q.optional_units if u.number not in keep),
    )
    suggestion = suggest_plans(q, profile, alternatives=3)
    assert [sorted(set(p.numbers) - {"F1", "F2"}) for p in suggestion.plans] == [
        ["A1", "B2", "C4", "D1"],
    ]
    assert not suggestion.needs_unevidenced
    # without C4 the only valid plan needs C1: it is offered, and the suggestion says why
    forced = Profile(contexts={"problems": "no"}, exclusions=profile.exclusions | {"C4"})
    suggestion = suggest_plans(q, forced, alternatives=3)
    assert [sorted(set(p.numbers) - {"F1", "F2"}) for p in suggestion.plans] == [
        ["A1", "B2", "C1", "D1"],
    ]
    assert suggestion.needs_unevidenced
    assert any("C1" in m and "Group D" in m for m in suggestion.problems), suggestion.problems
