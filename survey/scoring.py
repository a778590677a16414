"""Scores from a learner's answers: readiness per unit and evidence opportunity per unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .content import ANSWERS, Qualification

RATINGS = (0, 1, 2, 3)
CONFIDENT = 2  # "on my own" (or "could explain") and above: the learner is confident
# an answer that opens a unit, best first; "unknown" means the question was not answered
OPPORTUNITY_ORDER = ("yes", "sometimes", "unknown", "no")
# readiness bands in words: (lowest mean rating, name); the wording encourages, never grades
BANDS = (
    (2.5, "ready", "Ready to show"),
    (1.5, "confident", "Confident"),
    (0.5, "developing", "Getting there"),
    (0.0, "starting", "Starting out"),
)


def readiness(q: Qualification, ratings: Mapping[str, int]) -> dict[str, float | None]:
    """Mean rating (0–3) per unit over its answered statements; None when nothing is answered."""
    sums: dict[str, list[int]] = {}
    for statement_id, rating in ratings.items():
        statement = q.statement(statement_id)
        if statement is None or rating not in RATINGS:
            continue
        sums.setdefault(statement.unit, []).append(rating)
    return {
        u.number: (sum(sums[u.number]) / len(sums[u.number]) if u.number in sums else None)
        for u in q.units
    }


def confident_count(q: Qualification, unit: str, ratings: Mapping[str, int]) -> tuple[int, int]:
    """(statements rated "on my own" or better, statements in the unit)."""
    found = q.unit(unit)
    statements = found.statements() if found else ()
    confident = sum(1 for s in statements if ratings.get(s.id, -1) >= CONFIDENT)
    return confident, len(statements)


def evidence_opportunity(q: Qualification, answers: Mapping[str, str]) -> dict[str, str]:
    """Per unit: "general" (any job), or the best answer among the contexts that open it."""
    result: dict[str, str] = {}
    for u in q.units:
        contexts = q.contexts_for(u.number)
        if not contexts:
            result[u.number] = "general"
            continue
        given = [answers.get(c.id, "unknown") for c in contexts]
        given = [a if a in ANSWERS else "unknown" for a in given]
        result[u.number] = min(given, key=OPPORTUNITY_ORDER.index)
    return result


@dataclass(frozen=True)
class Band:
    key: str
    label: str


def band(value: float | None) -> Band:
    """A readiness band in words for a mean rating; unknown when nothing is answered."""
    if value is None:
        return Band("unknown", "Not answered yet")
    for low, key, label in BANDS:
        if value >= low:
            return Band(key, label)
    return Band("starting", "Starting out")
