"""The gap report and the cohort view as plain data (survey/gaps.py), without HTTP; the staff
pages' tests (test_staff.py) show the same on the page."""

from __future__ import annotations

import csv
import io

import pytest

from survey.gaps import (
    cohort_csv,
    cohort_statements,
    commonest_gaps,
    disagree,
    gap_report,
    gap_report_csv,
    safe_cell,
)


@pytest.mark.parametrize(
    "learner, assessor, apart",
    [
        (None, 2, False),
        (2, None, False),
        (2, 3, False),  # both "on my own" or better
        (0, 1, False),  # both below it
        (1, 2, True),  # either side of "on my own"
        (3, 1, True),
        (0, 2, True),
    ],
)
def test_two_ratings_disagree_either_side_of_on_my_own(learner, assessor, apart):
    assert disagree(learner, assessor) is apart


def test_a_gap_report_shows_mandatory_units_and_optional_units_rated_or_planned(q):
    report = gap_report(q, {"A11:unit": 3}, {"C3:unit": 1}, {}, ["D1"])
    shown = [g.unit.number for g in report]
    mandatory = [u.number for u in q.mandatory_units]
    assert shown[: len(mandatory)] == mandatory
    assert {"A11", "C3", "D1"} <= set(shown) and "A12" not in shown
    d1 = next(g for g in report if g.unit.number == "D1")
    assert d1.in_plan and d1.readiness is None


def test_a_gap_report_row_holds_both_ratings_in_words_and_counts_disagreements(q):
    report = gap_report(q, {"F1:1.1": 3, "F1:1.2": 2}, {"F1:1.1": 1, "F1:1.2": 2}, {})
    f1 = next(g for g in report if g.unit.number == "F1")
    first, second = f1.rows[:2]
    labels = q.scales.labels(first.statement.kind)
    assert (first.learner_label, first.assessor_label) == (labels[3], labels[1])
    assert first.disagree and not second.disagree and f1.disagreements == 1
    assert f1.cells[0].answered == 2 and f1.cells[0].total == len(q.unit("F1").outcomes[0].criteria)


def test_a_unit_the_job_cannot_evidence_is_flagged_with_the_reason(q):
    unit = next(u for u in q.optional_units if q.contexts_for(u.number))
    closed = {c.id: "no" for c in q.contexts_for(unit.number)}
    (gap,) = [
        g for g in gap_report(q, {unit.summary_statement.id: 2}, {}, closed) if g.unit == unit
    ]
    assert gap.opportunity == "no"
    assert any(h.startswith("No evidence opportunity: the job has no ") for h in gap.hard)


def test_the_commonest_gaps_are_the_statements_most_learners_rate_low(q):
    by_learner = {1: {"F1:1.1": 0, "F1:1.2": 3}, 2: {"F1:1.1": 1, "F1:1.2": 1}, 3: {"F1:1.1": 3}}
    gaps = commonest_gaps(q, by_learner)
    assert [(g.statement.id, g.low, g.answered) for g in gaps] == [
        ("F1:1.1", 2, 3),
        ("F1:1.2", 1, 2),
    ]


def test_the_cohort_has_every_mandatory_criterion_then_one_statement_per_optional_unit(q):
    statements = cohort_statements(q)
    mandatory = [s for u in q.mandatory_units for s in u.statements()]
    assert list(statements[: len(mandatory)]) == mandatory
    assert len(statements) == len(mandatory) + len(q.optional_units)


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_that_starts_like_a_formula_is_defused(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Ann") == "Ann" and safe_cell(None) == ""


def test_the_csv_exports_have_one_row_per_statement_or_learner(q):
    report = gap_report(q, {"F1:1.1": 0}, {}, {})
    rows = list(csv.reader(io.StringIO(gap_report_csv(q, "=Ann", report))))
    assert rows[0][:4] == ["learner", "unit", "unit title", "statement id"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["learner"], first["statement id"], first["learner's initial rating"]) == (
        "'=Ann",
        "F1:1.1",
        "0",
    )
    cohort = list(
        csv.reader(io.StringIO(cohort_csv(q, [{"id": 7, "name": "Bo"}], {7: {"F1:1.1": 2}})))
    )
    # each column named in words, the statement after its id
    assert cohort[0][:3] == [
        "learner",
        "candidate number",
        "F1:1.1 I can recognise typical customers and their expectations",
    ]
    assert cohort[1][:3] == ["Bo", "", "2"]
