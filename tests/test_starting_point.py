"""A learner's starting point and self-check progress (survey/starting_point.py) as plain data,
without HTTP; the result page (test_result.py) shows the same."""

from __future__ import annotations

from survey.profile import Profile
from survey.starting_point import check_progress, starting_point


def test_the_starting_point_suggests_units_with_reasons_until_a_plan_is_confirmed(q):
    ratings = {s.id: 2 for s in q.statements()}
    report = starting_point(q, Profile.from_ratings(q, ratings))
    assert not report.confirmed and report.suggestion is not None
    mandatory = [u.number for u in q.mandatory_units]
    numbers = [r.unit.number for r in report.units]
    assert numbers[: len(mandatory)] == mandatory and len(numbers) > len(mandatory)
    assert all(r.reason for r in report.units[len(mandatory) :])
    confirmed = starting_point(q, Profile.from_ratings(q, ratings), ["A3", "B2", "C3", "D1"])
    assert confirmed.confirmed and confirmed.suggestion is None
    assert [r.unit.number for r in confirmed.units] == [*mandatory, "A3", "B2", "C3", "D1"]
    assert confirmed.total_credits == sum(r.unit.credits for r in confirmed.units)


def test_statements_to_work_on_are_those_rated_not_yet_or_with_help(q):
    ratings = {"F1:1.1": 0, "F1:1.2": 1, "F1:1.3": 3}
    report = starting_point(q, Profile.from_ratings(q, ratings), [])
    f1 = next(r for r in report.units if r.unit.number == "F1")
    assert [w.statement.id for w in f1.to_work_on] == ["F1:1.1", "F1:1.2"]
    assert f1.answered == 3 and f1.total == len(q.unit("F1").statements())
    assert f1 not in report.strengths


def test_a_self_check_is_compared_with_the_last_check_or_else_the_initial_answers(q):
    unit = q.unit("B1")
    first, second = unit.statements()[:2]
    initial = {first.id: 1}
    against_initial = check_progress(q, unit, {first.id: 2}, None, initial, None)
    assert against_initial.compared_with == "initial" and against_initial.up == 1
    rows = {r.statement.id: r.change for r in against_initial.rows}
    assert rows[first.id] == "up" and rows[second.id] == "unanswered"
    again = check_progress(q, unit, {first.id: 1, second.id: 2}, {first.id: 2}, initial, "then")
    assert (again.compared_with, again.down, again.previous_date) == ("check", 1, "then")
    assert {r.statement.id: r.change for r in again.rows}[second.id] == "new"
    nothing = check_progress(q, unit, {}, None, {}, None)
    assert nothing.compared_with == "none"
