"""The assessor's gap report and the cohort view, as plain data; pure Python, no Flask."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .content import Outcome, Qualification, Statement, Unit
from .library import Version
from .scoring import Band, band, evidence_opportunity, readiness
from .workplace import FLAG_WORDS, OBSERVE, WorkplaceRating, workplace_flag

LOW_READINESS = 1.0  # below "with help" on average

# A report is a few hundred small values, made afresh for every page view: named tuples are as
# immutable as frozen dataclasses and much cheaper to make, and each band is made only once.
_band = functools.lru_cache(maxsize=256)(band)


class CriterionRow(NamedTuple):
    statement: Statement
    learner: int | None  # the initial assessment's rating
    learner_label: str
    assessor: int | None
    assessor_label: str
    disagree: bool
    learner_band: str  # the band key of the learner's rating, for the page's colour
    latest: int | None = None  # the learner's latest self-check rating of it, if any
    latest_label: str = ""
    latest_on: str = ""  # when that self-check was finished (ISO)
    latest_band: str = "unknown"
    workplace: tuple[WorkplaceRating, ...] = ()  # each workplace contact's view, if given
    action: str = ""  # what to do when the learner and the workplace differ (FLAG_WORDS)
    retired: bool = False  # answered under an earlier version: no longer asked

    @property
    def action_words(self) -> str:
        return FLAG_WORDS.get(self.action, "")


class Change(NamedTuple):
    """How a unit's self-checks moved from the initial assessment."""

    up: int
    down: int
    same: int
    before: float | None  # mean initial rating of the criteria self-checked since
    after: float | None  # their mean latest rating
    last: str  # when the latest self-check of the unit was finished (ISO), "" if never

    @property
    def words(self) -> str:
        """ "3 up, 1 down, 2 the same since the initial assessment (mean 1.2 → 2.0)"."""
        if not (self.up or self.down or self.same):
            return ""
        said = ", ".join(
            f"{n} {w}"
            for n, w in ((self.up, "up"), (self.down, "down"), (self.same, "the same"))
            if n
        )
        if self.before is not None and self.after is not None:
            said += (
                f" since the initial assessment (mean {self.before:.1f} \u2192 {self.after:.1f})"
            )
        return said


class OutcomeCell(NamedTuple):
    outcome: Outcome | None  # None: the unit's single statement
    band: Band
    answered: int
    total: int


class UnitGap(NamedTuple):
    unit: Unit
    band: Band
    readiness: float | None
    cells: tuple[OutcomeCell, ...]
    rows: tuple[CriterionRow, ...]
    hard: tuple[str, ...]
    opportunity: str
    in_plan: bool
    disagreements: int
    change: Change = Change(0, 0, 0, None, None, "")
    flagged: int = 0  # claims the learner and the workplace see differently


def disagree(learner: int | None, assessor: int | None) -> bool:
    """The two ratings disagree when they fall either side of "on my own", or 2+ points apart."""
    if learner is None or assessor is None:
        return False
    return abs(learner - assessor) >= 2 or (learner >= 2) != (assessor >= 2)


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _row(
    q: Qualification,
    s: Statement,
    learner: int | None,
    assessor: int | None,
    latest: tuple[int, str] | None = None,
    workplace: tuple[WorkplaceRating, ...] = (),
) -> CriterionRow:
    labels = q.scales.labels(s.kind)
    row = CriterionRow(
        s,
        learner,
        "—" if learner is None else labels[learner],
        assessor,
        "—" if assessor is None else labels[assessor],
        # the learner's view now (their latest self-check), against the assessor's
        disagree(latest[0] if latest else learner, assessor),
        _band(learner).key,
        workplace=workplace,
        action=workplace_flag(learner, (w.value for w in workplace)),
    )
    if latest is None:
        return row
    return row._replace(
        latest=latest[0],
        latest_label=labels[latest[0]],
        latest_on=latest[1],
        latest_band=_band(latest[0]).key,
    )


def _change(rows: Sequence[CriterionRow]) -> Change:
    pairs = [(r.learner, r.latest) for r in rows if r.latest is not None and r.learner is not None]
    checked = [r for r in rows if r.latest is not None]
    return Change(
        sum(b > a for a, b in pairs),
        sum(b < a for a, b in pairs),
        sum(b == a for a, b in pairs),
        _mean([a for a, _ in pairs]),
        _mean([b for _, b in pairs]),
        max((r.latest_on for r in checked), default=""),
    )


def _cell(outcome: Outcome, ratings: Mapping[str, int]) -> OutcomeCell:
    given = [r for c in outcome.criteria if (r := ratings.get(c.id)) is not None]
    return OutcomeCell(outcome, _band(_mean(given)), len(given), len(outcome.criteria))


def gap_report(
    q: Qualification,
    ratings: Mapping[str, int],
    assessor: Mapping[str, int],
    contexts: Mapping[str, str],
    plan_units: Iterable[str] = (),
    workplace: Mapping[str, tuple[WorkplaceRating, ...]] | None = None,
    latest: Mapping[str, tuple[int, str]] | None = None,
) -> tuple[UnitGap, ...]:
    """Mandatory units, then every optional unit rated or in the plan, with what is hard.

    Three views of each statement: the learner's, the workplace's (`workplace`, statement id
    -> each contact's rating: survey/workplace.py ratings_by_statement) and the assessor's.
    `contexts` are the job's answers, the workplace's where it gave one. `latest` is each
    statement's latest self-check rating and when (store: latest_self_checks): shown beside
    the initial one, with the change per unit.
    """
    latest = latest or {}
    plan = set(plan_units)
    seen = workplace or {}
    mandatory = {u.number for u in q.mandatory_units}
    opportunity = evidence_opportunity(q, contexts)
    values = readiness(q, ratings)
    result = []
    for unit in q.units:
        statements = unit.statements()
        summary = unit.summary_statement
        if not unit.awaiting_criteria and summary.id in ratings:
            statements = (summary, *statements)
        retired = _retired(q, unit, {**assessor, **ratings}, {s.id for s in statements})
        shown = unit.number in mandatory or unit.number in plan or bool(retired)
        if not shown and not any(
            s.id in ratings or s.id in assessor or s.id in latest for s in statements
        ):
            continue
        rows = tuple(
            _row(q, s, ratings.get(s.id), assessor.get(s.id), latest.get(s.id), seen.get(s.id, ()))
            for s in statements
        )
        rows += tuple(
            _row(
                q, s, ratings.get(s.id), assessor.get(s.id), workplace=seen.get(s.id, ())
            )._replace(retired=True)
            for s in retired
        )
        cells: tuple[OutcomeCell, ...]
        if unit.awaiting_criteria:
            cells = (
                OutcomeCell(None, _band(ratings.get(summary.id)), int(summary.id in ratings), 1),
            )
        else:
            cells = tuple(_cell(o, ratings) for o in unit.outcomes)
        hard = []
        value = values[unit.number]
        if value is not None and value < LOW_READINESS:
            hard.append("Low readiness: mostly rated \u201cnot yet\u201d")
        if opportunity[unit.number] == "no":
            needs = " or ".join(c.label for c in q.contexts_for(unit.number))
            hard.append(f"No evidence opportunity: the job has no {needs}")
        if unit.evidence.simulation_allowed is False:
            hard.append("Simulation not allowed: evidence must come from real work")
        result.append(
            UnitGap(
                unit,
                _band(value),
                value,
                cells,
                rows,
                tuple(hard),
                opportunity[unit.number],
                unit.number in plan,
                sum(r.disagree for r in rows),
                _change(rows),
                sum(bool(r.action) for r in rows),
            )
        )
    return tuple(result)


def to_observe(report: Iterable[UnitGap]) -> list[str]:
    """The statements the report flags "Plan an observation", in the report's order."""
    return [r.statement.id for g in report for r in g.rows if r.action == OBSERVE and not r.retired]


def _retired(
    q: Qualification, unit: Unit, ratings: Mapping[str, int], shown: set[str]
) -> list[Statement]:
    """Statements of this unit the learner (or the assessor) rated that an earlier version had
    and the current one has not, as worded when rated."""
    found = []
    for statement_id in sorted(ratings):
        if statement_id.partition(":")[0] == unit.number and statement_id not in shown:
            retired = q.retired_statement(statement_id)
            if retired is not None:
                found.append(retired)
    return found


# ---- the cohort ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    statement: Statement
    low: int  # learners rating it "not yet" or "with help"
    answered: int


def cohort_statements(q: Qualification) -> tuple[Statement, ...]:
    """The statements of the initial assessment, in order: criteria of mandatory units, then
    one statement per optional unit."""
    mandatory = tuple(s for u in q.mandatory_units for s in u.statements())
    return mandatory + tuple(u.summary_statement for u in q.optional_units)


def commonest_gaps(
    q: Qualification, by_learner: Mapping[int, Mapping[str, int]], limit: int = 10
) -> tuple[Gap, ...]:
    """Statements most often rated "not yet" or "with help": candidates for group teaching."""
    gaps = []
    for s in cohort_statements(q):
        given = [r[s.id] for r in by_learner.values() if s.id in r]
        low = sum(1 for v in given if v <= 1)
        if low:
            gaps.append(Gap(s, low, len(given)))
    gaps.sort(key=lambda g: (-g.low, -g.low / g.answered, g.statement.id))
    return tuple(gaps[:limit])


# ---- CSV ------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a quote mark."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def answered_under(versions: Mapping[str, tuple[Version | None, Version]], unit: str) -> str:
    """Which version of a unit the learner answered, in words; "" for a unit never published
    by the centre."""
    if unit not in versions:
        return ""
    answered, current = versions[unit]
    if answered is None:
        return "before any version was kept"
    return f"version {answered.number}" + (" (current)" if answered == current else "")


def gap_report_csv(
    q: Qualification,
    learner_name: str,
    report: Sequence[UnitGap],
    versions: Mapping[str, tuple[Version | None, Version]] | None = None,
) -> str:
    """The gap report as CSV; `versions` as qualifications.versions_answered gives them."""
    rows = []
    for g in report:
        under = answered_under(versions or {}, g.unit.number)
        for r in g.rows:
            rows.append(
                [
                    learner_name,
                    g.unit.number,
                    g.unit.title,
                    r.statement.id,
                    r.statement.text,
                    "an earlier version: no longer asked" if r.retired else under,
                    r.learner if r.learner is not None else "",
                    r.learner_label,
                    r.latest if r.latest is not None else "",
                    r.latest_label,
                    r.latest_on[:10],
                    r.assessor if r.assessor is not None else "",
                    r.assessor_label,
                    "yes" if r.disagree else "",
                    "; ".join(f"{w.who}: {w.label}" for w in r.workplace),
                    "; ".join(f"{w.who}: {w.note}" for w in r.workplace if w.note),
                    r.action_words,
                    "; ".join(g.hard),
                ]
            )
    return to_csv(
        [
            "learner",
            "unit",
            "unit title",
            "statement id",
            "statement",
            "answered under",
            "learner's initial rating",
            "learner said at first",
            "latest self-check rating",
            "learner says now",
            "latest self-check on",
            "assessor rating",
            "assessor says",
            "disagree",
            "workplace says",
            "workplace notes",
            "learner and workplace differ: what to do",
            "hard to finish",
        ],
        rows,
    )


def cohort_csv(
    q: Qualification,
    learners: Sequence[Mapping[str, object]],
    by_learner: Mapping[int, Mapping[str, int]],
) -> str:
    statements = cohort_statements(q)
    # each column named in words: the statement as well as its id, which a spreadsheet sorts by
    header = ["learner", "candidate number"] + [f"{s.id} {s.text}" for s in statements]
    rows = []
    for row in learners:
        given = by_learner.get(int(row["id"]), {})  # type: ignore[call-overload]
        rows.append(
            [row["name"], row.get("candidate_number", "")]
            + [given.get(s.id, "") for s in statements]
        )
    return to_csv(header, rows)
