"""The initial assessment as a list of pages, worked out from the learner's job answers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .content import Qualification, Statement, Unit
from .scoring import evidence_opportunity


@dataclass(frozen=True)
class Page:
    key: str
    kind: str  # job, outcome, group, interests, review
    title: str
    intro: str = ""
    statements: tuple[Statement, ...] = ()
    unit: str = ""
    group: str = ""


def open_units(q: Qualification, contexts: Mapping[str, str]) -> tuple[Unit, ...]:
    """Optional units the job can evidence (or may: unanswered questions do not close units)."""
    opportunity = evidence_opportunity(q, contexts)
    return tuple(u for u in q.optional_units if opportunity[u.number] != "no")


def pages(q: Qualification, contexts: Mapping[str, str]) -> tuple[Page, ...]:
    """Every page this learner will see, in order: only these count in the progress bar."""
    return _pages(q, frozenset(contexts.items()))


@lru_cache(maxsize=1024)
def _pages(q: Qualification, answers: frozenset[tuple[str, str]]) -> tuple[Page, ...]:
    # the pages depend only on the job answers, and most learners share a few patterns
    contexts = dict(answers)
    result = [
        Page(
            "job",
            "job",
            "About your job",
            "Tell us about your job, so we can suggest units you can show at work.",
        ),
    ]
    for unit in q.mandatory_units:
        if unit.awaiting_criteria:
            result.append(
                Page(
                    unit.number,
                    "outcome",
                    f"{unit.number} {unit.title}",
                    statements=unit.statements(),
                    unit=unit.number,
                )
            )
            continue
        for outcome in unit.outcomes:
            result.append(
                Page(
                    f"{unit.number}-{outcome.number}",
                    "outcome",
                    f"{unit.number} {unit.title}",
                    f"Learning outcome {outcome.number}: {outcome.heading}",
                    tuple(
                        s
                        for s in unit.statements()
                        if s.id.startswith(f"{unit.number}:{outcome.number}.")
                    ),
                    unit=unit.number,
                )
            )
    available = open_units(q, contexts)
    for group in q.optional_groups:
        units = [u for u in available if u.group == group.id]
        if units:
            result.append(
                Page(
                    f"group-{group.id}",
                    "group",
                    f"Group {group.id}: {group.title}",
                    "Optional units that fit your job. How sure are you about each one?",
                    tuple(u.summary_statement for u in units),
                    group=group.id,
                )
            )
    result.append(
        Page(
            "interests",
            "interests",
            "Which units interest you?",
            "Pick any that you would like to do. Your assessor will help you choose.",
        )
    )
    result.append(Page("review", "review", "Check your answers"))
    return tuple(result)


def page_index(all_pages: tuple[Page, ...], key: str) -> int | None:
    return next((i for i, p in enumerate(all_pages) if p.key == key), None)


# how long the initial assessment takes, for the welcome page: measured roughly on a phone
SECONDS_PER_STATEMENT = 8  # read an "I can" line and tap one of four answers
SECONDS_PER_QUESTION = 5  # a yes / sometimes / no question about the job
SECONDS_OTHER = 90  # the job title, the units that interest you, checking the answers


def minutes_needed(q: Qualification, all_pages: tuple[Page, ...]) -> int:
    """About how many minutes these pages take: whole minutes, past 10 to the nearest 5."""
    statements = sum(len(p.statements) for p in all_pages)
    seconds = statements * SECONDS_PER_STATEMENT + len(q.contexts) * SECONDS_PER_QUESTION
    minutes = math.ceil((seconds + SECONDS_OTHER) / 60)
    return minutes if minutes <= 10 else 5 * round(minutes / 5)


def scale_notes(statements: Iterable[Statement], before: str = "performance") -> dict[str, str]:
    """Statement id -> its scale's kind, for each statement whose rating scale differs from
    the one before it (`before`: the scale the learner last saw)."""
    notes = {}
    for s in statements:
        if s.kind != before:
            notes[s.id] = s.kind
        before = s.kind
    return notes


def answered(
    q: Qualification, contexts: Mapping[str, str], rated: Iterable[str]
) -> tuple[int, int]:
    """(statements answered, statements to answer) among the pages this learner sees."""
    shown = {s.id for p in pages(q, contexts) for s in p.statements}
    return len(shown & set(rated)), len(shown)
