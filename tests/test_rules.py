"""check_plan: every unmet rule of combination, in words a learner understands."""

from __future__ import annotations

import pytest

from survey.rules import check_plan

VALID = ["F1", "F2", "A3", "B2", "C3", "D2"]  # 8 + 5 + 5 + 6 + 5 = 29 credits, 21 at Level 2


def messages(q, units):
    return [p.message for p in check_plan(q, units)]


def test_a_valid_plan_has_no_problems(q):
    assert check_plan(q, VALID) == []


def test_plan_without_group_d_is_rejected(q):
    problems = check_plan(q, ["F1", "F2", "A3", "B2", "D2", "D3"])
    assert [(p.rule, p.group, p.message) for p in problems] == [
        ("each-optional-group", "D", "Group D (Handling problems) has no unit yet"),
    ]


def test_level_2_shortfall_is_counted(q):
    # A1, B1, C1 are Level 1; D8 is Level 3: only 0 optional credits at Level 2
    problems = check_plan(q, ["F1", "F2", "A1", "B1", "C1", "D8"])
    assert [(p.rule, p.shortfall, p.message) for p in problems] == [
        ("optional-level-2", 11, "11 more optional credits are needed at Level 2"),
    ]


def test_three_more_level_2_credits(q):
    # Level 2 optional credits: B6 (4) + D2 (5) = 9 → 2 short; use C2 (L1) and A1 (L1)
    problems = check_plan(q, ["F1", "F2", "A1", "B6", "C2", "D2", "A2"])
    assert messages(q, ["F1", "F2", "A1", "B6", "C2", "D2", "A2"]) == [
        "2 more optional credits are needed at Level 2"
    ]
    assert problems[0].shortfall == 2


def test_too_few_credits_overall(q):
    # 8 + A1 5 + B6 4 + C2 4 + D2 5 = 26
    assert messages(q, ["F1", "F2", "A1", "B6", "C2", "D2"]) == [
        "2 more credits are needed in total",
        "2 more optional credits are needed",
        "2 more optional credits are needed at Level 2",
    ]


def test_missing_mandatory_unit(q):
    problems = check_plan(q, ["F1", "A3", "B2", "C3", "D2", "A4"])
    assert [(p.rule, p.units, p.message) for p in problems][0] == (
        "mandatory",
        ("F2",),
        "F2 is mandatory and is not in the plan",
    )


def test_duplicates_and_unknown_units(q):
    assert messages(q, VALID + ["C6", "C6", "X9"]) == [
        "C6 is listed 2 times",
        "X9 is not a unit of this qualification",
    ]


def test_empty_plan_names_every_rule(q):
    rules = [p.rule for p in check_plan(q, [])]
    assert rules == [
        "total-credits",
        "mandatory",
        "mandatory",
        "optional-credits",
        "each-optional-group",
        "each-optional-group",
        "each-optional-group",
        "each-optional-group",
        "optional-level-2",
    ]


@pytest.mark.parametrize("order", [VALID, list(reversed(VALID))])
def test_order_does_not_matter(q, order):
    assert check_plan(q, order) == []
