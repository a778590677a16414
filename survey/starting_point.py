"""A learner's starting point and self-check progress, in words; pure Python, no Flask."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .content import Qualification, Statement, Unit
from .planner import Profile, Suggestion, suggest_plans
from .scoring import Band, band, readiness


@dataclass(frozen=True)
class RatedStatement:
    statement: Statement
    rating: int | None
    label: str


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    band: Band
    readiness: float | None
    answered: int
    total: int
    to_work_on: tuple[RatedStatement, ...]


@dataclass(frozen=True)
class StartingPoint:
    strengths: tuple[UnitResult, ...]
    work_on: tuple[UnitResult, ...]
    suggestion: Suggestion
    profile: Profile


def _label(q: Qualification, statement: Statement, rating: int | None) -> str:
    if rating is None:
        return "Not answered"
    return q.scales.labels(statement.kind)[rating]


def starting_point(
    q: Qualification,
    job_role: str,
    ratings: Mapping[str, int],
    contexts: Mapping[str, str],
    interests: set[str] | frozenset[str],
) -> StartingPoint:
    """Strengths first, then what to work on, per unit; and the suggested plan."""
    values = readiness(q, ratings)
    mandatory_units = {u.number for u in q.mandatory_units}
    results = []
    for unit in q.units:
        # mandatory units are asked criterion by criterion, optional ones by one statement
        mandatory = unit.number in mandatory_units
        asked = unit.statements() if mandatory else (unit.summary_statement,)
        statements = [s for s in asked if s.id in ratings]
        if not statements and not mandatory:
            continue
        weak = tuple(
            RatedStatement(s, ratings[s.id], _label(q, s, ratings[s.id]))
            for s in statements
            if ratings[s.id] <= 1
        )
        results.append(
            UnitResult(
                unit,
                band(values[unit.number]),
                values[unit.number],
                len(statements),
                len(asked),
                weak,
            )
        )
    strong = [r for r in results if r.band.key in ("ready", "confident")]
    strong.sort(key=lambda r: -(r.readiness or 0))
    rest = [r for r in results if r.band.key not in ("ready", "confident")]
    profile = Profile(
        job_role=job_role,
        contexts=dict(contexts),
        readiness=values,
        interests=frozenset(interests),
        ratings=dict(ratings),
    )
    return StartingPoint(tuple(strong), tuple(rest), suggest_plans(q, profile), profile)


@dataclass(frozen=True)
class ProgressRow:
    statement: Statement
    now: int | None
    now_label: str
    before: int | None
    before_label: str
    change: str  # up, down, same, new, unanswered


@dataclass(frozen=True)
class CheckProgress:
    rows: tuple[ProgressRow, ...]
    compared_with: str  # "check", "initial", "none"
    previous_date: str | None
    up: int
    down: int
    same: int
    unit_rating_before: RatedStatement | None


def check_progress(
    q: Qualification,
    unit: Unit,
    now: Mapping[str, int],
    previous: Mapping[str, int] | None,
    initial: Mapping[str, int],
    previous_date: str | None,
) -> CheckProgress:
    """Compare a finished self-check with the previous one, or with the initial assessment."""
    if previous is not None:
        before, compared = previous, "check"
    else:
        before = {s.id: initial[s.id] for s in unit.statements() if s.id in initial}
        compared = "initial" if before else "none"
    rows = []
    for s in unit.statements():
        n, b = now.get(s.id), before.get(s.id)
        if n is None:
            change = "unanswered"
        elif b is None:
            change = "new"
        else:
            change = "up" if n > b else "down" if n < b else "same"
        rows.append(ProgressRow(s, n, _label(q, s, n), b, _label(q, s, b), change))
    summary = unit.summary_statement
    unit_before = None
    if previous is None and not unit.awaiting_criteria and summary.id in initial:
        rating = initial[summary.id]
        unit_before = RatedStatement(summary, rating, _label(q, summary, rating))
    return CheckProgress(
        tuple(rows),
        compared,
        previous_date,
        sum(r.change == "up" for r in rows),
        sum(r.change == "down" for r in rows),
        sum(r.change == "same" for r in rows),
        unit_before,
    )
