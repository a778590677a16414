"""Internal verifier sampling: what a sample covers, its decision, and the sampling report.

The seed: an internal verifier "will check the assessment of your portfolio of evidence" and
"will check your assessor is following correct assessment procedures". A sample covers a
learner's record as a whole (initial assessment, plan, contract) and/or some of their units, and
ends in a comment and a decision. The report shows, by assessor and by unit, how much has been
sampled and what was decided. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .content import Qualification

RECORD = "record"  # the part of a sample that is the learner's record as a whole
RECORD_WORDS = "The learner's record: initial assessment, plan and contract"
DECISIONS = (
    ("agreed", "Agreed: the assessment is sound"),
    ("action", "Agreed, with actions for the assessor"),
    ("not-agreed", "Not agreed: the decisions must be looked at again"),
)
DECISION_WORDS = dict(DECISIONS)
SHORT_DECISIONS = {"agreed": "agreed", "action": "with actions", "not-agreed": "not agreed"}
COMMENT_MAX = 4000


def parts_words(parts: Iterable[str]) -> str:
    """ "the learner's record, F1, B1"."""
    return ", ".join("the learner's record" if p == RECORD else p for p in parts)


def part_choices(q: Qualification, units: Sequence[str]) -> list[tuple[str, str]]:
    """What a verifier may sample of a learner: their record as a whole, and each unit."""
    return [(RECORD, RECORD_WORDS)] + [
        (n, f"{n} {u.title}") for n in units if (u := q.unit(n)) is not None
    ]


def learner_units(q: Qualification, plan_units: Sequence[str] | None) -> list[str]:
    """The units a learner is taking: the mandatory ones and their confirmed optional ones."""
    return [u.number for u in q.mandatory_units] + [n for n in plan_units or () if q.unit(n)]


@dataclass(frozen=True)
class Tally:
    """How many of some learners there are, how many were sampled, and what was decided."""

    learners: int
    sampled: int
    decisions: Mapping[str, int]  # decision -> samples with it
    last: str  # when the latest sample was made (ISO), "" if none

    @property
    def percent(self) -> int:
        return round(100 * self.sampled / self.learners) if self.learners else 0

    @property
    def decision_words(self) -> str:
        said = [f"{n} {SHORT_DECISIONS[d]}" for d, n in self.decisions.items() if n]
        return ", ".join(said) or "none yet"


@dataclass(frozen=True)
class LearnerLine:
    id: int
    name: str
    sampled: str  # when last sampled (ISO), "" if never
    decision: str  # the latest sample's decision, "" if never


@dataclass(frozen=True)
class AssessorLine:
    name: str
    tally: Tally
    learners: tuple[LearnerLine, ...]


@dataclass(frozen=True)
class UnitLine:
    number: str
    title: str
    tally: Tally
    code: str = ""  # the qualification's code, when learners are on more than one


@dataclass(frozen=True)
class Report:
    by_assessor: tuple[AssessorLine, ...]
    by_unit: tuple[UnitLine, ...]
    overall: Tally


def _tally(learner_ids: set[int], samples: Sequence[Mapping[str, Any]]) -> Tally:
    decisions = {d: 0 for d, _ in DECISIONS}
    for s in samples:
        decisions[s["decision"]] = decisions.get(s["decision"], 0) + 1
    sampled = {s["learner_id"] for s in samples} & learner_ids
    last = max((s["created_at"] for s in samples), default="")
    return Tally(len(learner_ids), len(sampled), decisions, last)


def report(
    qualifications: Sequence[Qualification],
    learners: Sequence[Mapping[str, Any]],
    samples: Sequence[Mapping[str, Any]],
) -> Report:
    """The sampling report over the centre's current learners.

    `qualifications`: those served, the default first (a learner on a code none of them has is
    on the default). `learners`: id, name, assessor_name ("" for none), qualification (its
    code), units (confirmed optional units, or None). `samples`: learner_id, parts (list),
    decision, created_at; oldest first.
    """
    ids = {int(r["id"]) for r in learners}
    mine = [s for s in samples if s["learner_id"] in ids]
    latest: dict[int, Mapping[str, Any]] = {}
    for s in mine:
        latest[s["learner_id"]] = s
    by_assessor: dict[str, list[Mapping[str, Any]]] = {}
    for r in learners:
        by_assessor.setdefault(r.get("assessor_name") or "", []).append(r)
    assessors = []
    for name in sorted(by_assessor, key=lambda n: (n == "", n.casefold())):
        rows = by_assessor[name]
        theirs = {int(r["id"]) for r in rows}
        lines = tuple(
            LearnerLine(
                int(r["id"]),
                str(r["name"]),
                latest[r["id"]]["created_at"] if r["id"] in latest else "",
                latest[r["id"]]["decision"] if r["id"] in latest else "",
            )
            for r in sorted(rows, key=lambda r: str(r["name"]).casefold())
        )
        tally = _tally(theirs, [s for s in mine if s["learner_id"] in theirs])
        assessors.append(AssessorLine(name or "No assessor yet", tally, lines))
    known = {q.code for q in qualifications}
    default = qualifications[0].code
    on = {
        int(r["id"]): (c if (c := r.get("qualification")) in known else default) for r in learners
    }
    several = len(set(on.values())) > 1
    units = []
    for q in qualifications:
        enrolled = [r for r in learners if on[int(r["id"])] == q.code]
        theirs = {int(r["id"]) for r in enrolled}
        for unit in q.units:
            taking = {int(r["id"]) for r in enrolled if unit.number in learner_units(q, r["units"])}
            about = [s for s in mine if s["learner_id"] in theirs and unit.number in s["parts"]]
            if taking or about:
                code = q.code if several else ""
                units.append(UnitLine(unit.number, unit.title, _tally(taking, about), code))
    return Report(tuple(assessors), tuple(units), _tally(ids, mine))


def report_rows(r: Report) -> tuple[list[str], list[list[object]]]:
    """The report as one table for a spreadsheet: its header and rows, in words."""
    header = [
        "by",
        "assessor or unit",
        "learners",
        "learners sampled",
        "percent sampled",
        "agreed",
        "agreed with actions",
        "not agreed",
        "last sampled",
    ]
    rows: list[list[object]] = []
    for kind, name, t in [("assessor", a.name, a.tally) for a in r.by_assessor] + [
        ("unit", f"{u.code} {u.number} {u.title}".strip(), u.tally) for u in r.by_unit
    ]:
        rows.append(
            [
                kind,
                name,
                t.learners,
                t.sampled,
                t.percent,
                t.decisions.get("agreed", 0),
                t.decisions.get("action", 0),
                t.decisions.get("not-agreed", 0),
                t.last[:10],
            ]
        )
    return header, rows
