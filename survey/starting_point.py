"""A learner's starting point and self-check progress, in words; pure Python, no Flask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .content import Qualification, Statement, Unit
from .planner import Suggestion, suggest_plans
from .profile import Profile
from .scoring import Band, band


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
    to_work_on: tuple[RatedStatement, ...]  # every statement rated "not yet" or "with help"
    reason: str = ""  # why the planner suggests it (suggested optional units only)
    # answers to statements this unit no longer asks (rated as a whole before it had criteria,
    # or a criterion a later version dropped), as worded when answered
    earlier: tuple[RatedStatement, ...] = ()


@dataclass(frozen=True)
class StartingPoint:
    units: tuple[UnitResult, ...]  # the learner's units: mandatory, then the optional ones
    confirmed: bool  # the assessor's confirmed plan, not a suggestion
    strengths: tuple[UnitResult, ...]  # those of `units` already ready or confident, best first
    suggestion: Suggestion | None  # None once the plan is confirmed
    profile: Profile

    @property
    def total_credits(self) -> int:
        return sum(r.unit.credits for r in self.units)


def _label(q: Qualification, statement: Statement, rating: int | None) -> str:
    if rating is None:
        return "Not answered"
    return q.scales.labels(statement.kind)[rating]


def _unit_result(
    q: Qualification,
    unit: Unit,
    ratings: Mapping[str, int],
    value: float | None,
    mandatory: bool,
    reason: str = "",
) -> UnitResult:
    # mandatory units are asked criterion by criterion, optional ones by one statement
    asked = unit.statements() if mandatory else (unit.summary_statement,)
    answered = [s for s in asked if s.id in ratings]
    weak = tuple(
        RatedStatement(s, ratings[s.id], _label(q, s, ratings[s.id]))
        for s in answered
        if ratings[s.id] <= 1
    )
    return UnitResult(
        unit, band(value), value, len(answered), len(asked), weak, reason, earlier(q, unit, ratings)
    )


def earlier(q: Qualification, unit: Unit, ratings: Mapping[str, int]) -> tuple[RatedStatement, ...]:
    """The learner's answers to statements of this unit that are no longer asked of them."""
    asked = {s.id for s in unit.statements()}
    if unit not in q.mandatory_units:
        asked.add(unit.unit_statement_id)  # optional units are asked as a whole at first
    found = []
    for statement_id in sorted(ratings):
        if statement_id.partition(":")[0] != unit.number or statement_id in asked:
            continue
        retired = q.retired_statement(statement_id)
        if retired is not None:
            rating = ratings[statement_id]
            found.append(RatedStatement(retired, rating, _label(q, retired, rating)))
    return tuple(found)


def starting_point(
    q: Qualification, profile: Profile, confirmed: Sequence[str] | None = None
) -> StartingPoint:
    """The learner's units (confirmed, else suggested) with what to work on in each, and
    their strengths among those units."""
    ratings, values = profile.ratings, profile.readiness
    suggestion = None
    reasons: dict[str, str] = {}
    if confirmed is None:
        suggestion = suggest_plans(q, profile)
        best = suggestion.best
        optional = [u.number for u in best.optional] if best else []
        reasons = {u.number: u.reason for u in best.optional} if best else {}
    else:
        optional = [n for n in confirmed if q.unit(n) is not None]
    units = tuple(
        _unit_result(q, u, ratings, values.get(u.number), True) for u in q.mandatory_units
    ) + tuple(
        _unit_result(q, u, ratings, values.get(u.number), False, reasons.get(u.number, ""))
        for n in optional
        if (u := q.unit(n)) is not None
    )
    strong = sorted(
        (r for r in units if r.band.key in ("ready", "confident")),
        key=lambda r: -(r.readiness or 0),
    )
    return StartingPoint(units, confirmed is not None, tuple(strong), suggestion, profile)


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
    unit_rating_in: str = ""  # where it was given: "this check", "check" (the previous), "initial"


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
    unit_before, unit_before_in = None, ""
    if not unit.awaiting_criteria:
        # the unit rated as a whole: on this check before its criteria came, on the previous
        # check, or at the initial assessment
        for where, given in (("this check", now), ("check", previous), ("initial", initial)):
            if given is not None and summary.id in given:
                rating = given[summary.id]
                unit_before = RatedStatement(summary, rating, _label(q, summary, rating))
                unit_before_in = where
                break
            if where == "check" and given is not None:
                break  # compared with the previous check: it did not rate the unit as a whole
    return CheckProgress(
        tuple(rows),
        compared,
        previous_date,
        sum(r.change == "up" for r in rows),
        sum(r.change == "down" for r in rows),
        sum(r.change == "same" for r in rows),
        unit_before,
        unit_before_in,
    )
