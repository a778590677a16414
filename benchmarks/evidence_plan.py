"""Time the suggested observations on 03455 with every unit given criteria; print a table.

Usage: python benchmarks/evidence_plan.py [--repeat N]
Goal: under 50 ms for one suggestion, with every one of the 49 units given 10 criteria
(synthetic: 7 performance, 3 knowledge) and 16 activities, one per job context.
A stress case maps each activity to 150 of the 343 performance criteria at random: many
covers of the same size, so the tie-breaks make the search look at more of them.
Each case is also checked once, untimed, to have no cover with one activity fewer.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.content import (  # noqa: E402
    Activity,
    Criterion,
    Outcome,
    Qualification,
    Unit,
    load_qualification,
)
from survey.evidence_plan import EvidencePlan, suggest_activities  # noqa: E402

GOAL_MS = 50.0
PERFORMANCE, KNOWLEDGE = 7, 3


def with_criteria(real: Qualification, seed: int = 1) -> Qualification:
    """03455's catalogue with 10 criteria a unit and 16 activities, one per job context.

    Each activity shows 5 of the 7 performance criteria of every unit its context opens, and 3
    of some 6 other units (the general units and F1, F2 and B1 among them).
    """
    rng = random.Random(seed)
    units = []
    for u in real.units:
        doing = tuple(
            Criterion(u.number, 1, f"1.{k}", f"Do {k}", f"I can do {k}", "performance")
            for k in range(1, PERFORMANCE + 1)
        )
        knowing = tuple(
            Criterion(u.number, 2, f"2.{k}", f"Describe {k}", f"I can describe {k}", "knowledge")
            for k in range(1, KNOWLEDGE + 1)
        )
        units.append(
            Unit(
                u.number,
                u.accreditation,
                u.title,
                u.credits,
                u.level,
                u.group,
                u.statement,
                (Outcome(1, "Do", doing), Outcome(2, "Know", knowing)),
                u.evidence,
            )
        )
    numbers = [u.number for u in units]
    activities = []
    for c in real.contexts:
        shown = []
        for n in c.units:
            shown += rng.sample([f"{n}:1.{k}" for k in range(1, PERFORMANCE + 1)], 5)
        for n in rng.sample([x for x in numbers if x not in c.units], 6):
            shown += rng.sample([f"{n}:1.{k}" for k in range(1, PERFORMANCE + 1)], 3)
        activities.append(Activity(c.id, c.label, c.id, tuple(shown)))
    return remade(real, tuple(units), tuple(activities), "synthetic")


def dense(q: Qualification, shown: int, seed: int = 5) -> Qualification:
    """The same units, with 16 activities each showing `shown` performance criteria at random."""
    rng = random.Random(seed)
    doing = [c.id for u in q.units for c in u.criteria if c.kind == "performance"]
    activities = tuple(
        Activity(f"a{k}", f"activity {k}", "", tuple(rng.sample(doing, shown))) for k in range(16)
    )
    return remade(q, q.units, activities, "synthetic, dense")


def remade(q: Qualification, units, activities, source: str) -> Qualification:
    """`q` with other units and activities, built anew (a Qualification indexes itself)."""
    return Qualification(
        code=q.code,
        title=q.title,
        short_title=q.short_title,
        awarding_body=q.awarding_body,
        level=q.level,
        source=source,
        groups=q.groups,
        units=units,
        rules=q.rules,
        roles=q.roles,
        contexts=q.contexts,
        weights=q.weights,
        scales=q.scales,
        activities=activities,
    )


def no_smaller_cover(q: Qualification, plan: EvidencePlan, answers: dict[str, str]) -> bool:
    """No set of one activity fewer shows all the suggestion shows (found by trying them all)."""
    needed = set(plan.observed)
    offered = [
        set(a.evidences) & needed
        for a in q.activities
        if not a.context or answers.get(a.context) in ("yes", "sometimes")
    ]
    size = len(plan.activities) - 1
    return size < 0 or not any(
        set().union(*combo) >= needed for combo in itertools.combinations(offered, size)
    )


def time_it(q: Qualification, units, answers, workplace, met, repeat: int):
    times, plan = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        plan = suggest_activities(q, units, answers, workplace, met)
        times.append(time.perf_counter() - start)
    assert plan is not None
    job = dict(answers) | dict(workplace)
    assert no_smaller_cover(q, plan, job), "a smaller cover exists"
    return statistics.median(times), min(times), plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    real = load_qualification(ROOT / "content" / "03455")
    q = with_criteria(real)
    rng = random.Random(3)
    every = [u.number for u in q.units]
    yes = {c.id: "yes" for c in q.contexts}
    mixed = {c.id: rng.choice(("yes", "sometimes", "no")) for c in q.contexts}
    some_met = rng.sample([c.id for u in q.units for c in u.criteria], 120)
    plan_units = ["F1", "F2", "A11", "A12", "B1", "B8", "C1", "D4"]
    cases = [
        (
            "03455 as shipped: F1, F2, B1, A11, C1, D2; call centre",
            real,
            ["F1", "F2", "A11", "B1", "C1", "D2"],
            {"incoming-calls": "yes", "problems": "yes"},
            {},
            [],
        ),
        (
            "every unit given criteria: a plan of 8 units, every context yes",
            q,
            plan_units,
            yes,
            {},
            [],
        ),
        ("every unit given criteria: all 49 units, every context yes", q, every, yes, {}, []),
        (
            "every unit given criteria: all 49 units, mixed answers, workplace, 120 met",
            q,
            every,
            mixed,
            {c: "yes" for c in rng.sample(list(mixed), 4)},
            some_met,
        ),
        (
            "stress: all 49 units, each activity shows 150 of 343 criteria at random",
            dense(q, 150),
            every,
            {},
            {},
            [],
        ),
    ]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"one suggestion, median of {args.repeat} runs\n"
    )
    print(
        "| case | units | criteria to observe | activities | median ms | best ms | goal ms | met |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, qual, units, answers, workplace, met in cases:
        median, best, plan = time_it(qual, units, answers, workplace, met, args.repeat)
        observe = len(plan.observed) + sum(len(u.statements) for u in plan.uncovered)
        print(
            f"| {name} | {len(plan.units)} | {observe} | {len(plan.activities)} | "
            f"{median * 1000:.2f} | {best * 1000:.2f} | {GOAL_MS:.0f} | "
            f"{'yes' if median * 1000 < GOAL_MS else 'NO'} |"
        )


if __name__ == "__main__":
    main()
