"""Coverage of a learner's units: which criteria have evidence done, planned, or none yet.

For each unit the plan may cover, every criterion (for a unit still awaiting its criteria, the
unit as a whole) is *done* when a completed activity showed it, *planned* when an activity still
to come names it, and otherwise has *none yet*. An activity done with the outcome "not yet
competent" is kept as a source, but does not count: the criterion still needs evidence.

The plan's rows come in through `from_plan_rows`; any other evidence (a witness testimony, a
product of work) comes in as more `Evidence` items, so coverage is worked out in one place
whatever the evidence is. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .content import Qualification, Statement, Unit, criteria_ranges
from .dates import calendar_day

DONE, PLANNED, NONE = "done", "planned", "none"
STATE_WORDS = {DONE: "done", PLANNED: "planned", NONE: "none yet"}
NOT_YET = "not-yet"  # evidence that was tried and fell short: it counts for nothing


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence, done or planned, and the statements it shows."""

    statements: tuple[str, ...]
    state: str  # DONE, PLANNED or NOT_YET; anything else is not counted
    label: str  # how a page names it: "14 March 2027: Greeting visitors"
    kind: str = "activity"
    ref: Any = None  # where it came from (a plan row's id)


@dataclass(frozen=True)
class CriterionCover:
    statement: Statement
    state: str  # DONE, PLANNED or NONE
    sources: tuple[Evidence, ...]  # everything that names it, counted or not


@dataclass(frozen=True)
class UnitCover:
    unit: Unit
    criteria: tuple[CriterionCover, ...]

    def numbers(self, state: str) -> tuple[str, ...]:
        return tuple(c.statement.id.split(":", 1)[1] for c in self.criteria if c.state == state)

    def count(self, state: str) -> int:
        return sum(c.state == state for c in self.criteria)

    def words(self, state: str) -> str:
        """The criteria in that state as short text: "1.1, 1.3–1.5", or "the unit as a whole"."""
        numbers = self.numbers(state)
        if not numbers:
            return ""
        if self.unit.awaiting_criteria:
            return "the unit as a whole"
        return criteria_ranges(self.unit, numbers)

    @property
    def sentence(self) -> str:
        """ "F1: 4 of 21 criteria done (1.1, 1.3–1.5); 5 planned (2.1–2.5); 12 none yet (…)"."""
        total = len(self.criteria)
        noun = "criterion" if total == 1 else "criteria"
        if self.unit.awaiting_criteria:
            state = self.criteria[0].state
            return f"{self.unit.number}: the unit as a whole, {STATE_WORDS[state]}"
        parts = []
        for state in (DONE, PLANNED, NONE):
            n = self.count(state)
            if n:
                parts.append(f"{n} {STATE_WORDS[state]} ({self.words(state)})")
        return f"{self.unit.number}, {total} {noun}: " + "; ".join(parts)

    @property
    def complete(self) -> bool:
        """Every criterion has evidence done or planned."""
        return not self.count(NONE)


def from_plan_rows(rows: Iterable[Mapping[str, Any]]) -> list[Evidence]:
    """The assessment plan's rows as evidence: a row done and competent is done, a planned row
    is planned, a row done but not yet competent counts for nothing, a cancelled one is left
    out."""
    found = []
    for r in rows:
        status = r.get("status") or "planned"
        if status == "cancelled":
            continue
        if status == "done":
            state = DONE if r.get("outcome") == "met" else NOT_YET
        else:
            state = PLANNED
        when = calendar_day(r.get("completed_on") if status == "done" else r.get("planned_on"))
        label = f"{when}: {r.get('activity', '')}" if when else str(r.get("activity", ""))
        statements = tuple(r.get("criteria") or ())
        found.append(Evidence(statements, state, label, "activity", r.get("id")))
    return found


def from_testimonies(linked: Mapping[str, Sequence[str]]) -> list[Evidence]:
    """Accepted, signed witness testimonies as evidence done: `linked` is statement id -> the
    testimonies' references (testimonies.coverage), one Evidence per testimony."""
    by_ref: dict[str, list[str]] = {}
    for statement_id, refs in linked.items():
        for ref in refs:
            by_ref.setdefault(ref, []).append(statement_id)
    return [
        Evidence(tuple(ids), DONE, f"Witness testimony {ref}", "testimony", ref)
        for ref, ids in by_ref.items()
    ]


def coverage(
    q: Qualification, units: Sequence[str], evidence: Iterable[Evidence]
) -> tuple[UnitCover, ...]:
    """For each of `units` (in that order), each criterion's state and what names it."""
    named: dict[str, list[Evidence]] = {}
    for e in evidence:
        for s in dict.fromkeys(e.statements):
            named.setdefault(s, []).append(e)
    result = []
    for number in units:
        unit = q.unit(number)
        if unit is None:
            continue
        rows = []
        for statement in unit.statements():
            sources = tuple(named.get(statement.id, ()))
            states = {e.state for e in sources}
            state = DONE if DONE in states else PLANNED if PLANNED in states else NONE
            rows.append(CriterionCover(statement, state, sources))
        result.append(UnitCover(unit, tuple(rows)))
    return tuple(result)


def totals(covers: Iterable[UnitCover]) -> dict[str, int]:
    """Criteria done, planned and with none yet, over every unit."""
    found = {DONE: 0, PLANNED: 0, NONE: 0}
    for c in covers:
        for state in found:
            found[state] += c.count(state)
    return found
