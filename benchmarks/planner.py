"""Time the plan suggester on the real catalogue and on synthetic ones; print a table.

Usage: python benchmarks/planner.py [--repeat N]
Goal: real catalogue under 10 ms for the best plan plus 3 alternatives on one core; a
1,000-unit catalogue under 2 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey import planner  # noqa: E402
from survey.content import (  # noqa: E402
    Context,
    Group,
    Qualification,
    Rule,
    Scales,
    Unit,
    Weights,
    load_qualification,
)
from survey.planner import suggest_plans  # noqa: E402
from survey.profile import Profile  # noqa: E402
from survey.rules import check_plan  # noqa: E402


def synthetic(optional_units: int, groups: int = 8, seed: int = 1) -> Qualification:
    """A catalogue shaped like 03455 but with many more optional units and groups."""
    rng = random.Random(seed)
    group_ids = [chr(ord("B") + i) for i in range(groups)]
    all_groups = (Group("A", "Mandatory", mandatory=True, credits=8),) + tuple(
        Group(g, f"Optional {g}") for g in group_ids
    )
    units = [
        Unit("M1", "X/000/0001", "Mandatory one", 4, 1, "A", "I can one"),
        Unit("M2", "X/000/0002", "Mandatory two", 4, 2, "A", "I can two"),
    ]
    for i in range(optional_units):
        g = group_ids[i % groups]
        units.append(
            Unit(
                f"{g}{i}",
                f"X/{i:03d}/{i:04d}",
                f"Unit {i}",
                rng.randint(3, 10),
                rng.choice((1, 2, 2, 3)),
                g,
                f"I can do unit {i}",
            )
        )
    numbers = [u.number for u in units[2:]]
    contexts = tuple(
        Context(f"c{k}", f"context {k}", f"Question {k}?", tuple(rng.sample(numbers, 3)))
        for k in range(16)
    )
    rules = (
        Rule("total", "credits", ("A", *group_ids), 28),
        Rule("mandatory", "all_units", ("A",)),
        Rule("optional", "credits", tuple(group_ids), 20),
        Rule("each", "units_each_group", tuple(group_ids), 1),
        Rule("level-2", "credits", tuple(group_ids), 11, (2,)),
    )
    return Qualification(
        code="SYN",
        title="Synthetic",
        short_title="Synthetic",
        awarding_body="",
        level=2,
        source="",
        groups=all_groups,
        units=tuple(units),
        rules=rules,
        roles=(),
        contexts=contexts,
        weights=Weights(),
        scales=Scales(("0", "1", "2", "3"), ("0", "1", "2", "3")),
    )


def profile_for(q: Qualification, seed: int = 2) -> Profile:
    rng = random.Random(seed)
    optional = [u.number for u in q.optional_units]
    return Profile(
        contexts={c.id: rng.choice(("yes", "sometimes", "no")) for c in q.contexts},
        readiness={n: rng.choice((None, 0.5, 1.0, 2.0, 2.5, 3.0)) for n in optional},
        interests=frozenset(rng.sample(optional, min(5, len(optional)))),
        exclusions=frozenset(rng.sample(optional, min(2, len(optional)))),
    )


def time_it(q: Qualification, profile: Profile, repeat: int) -> tuple[float, float, int]:
    times = []
    result = None
    for _ in range(repeat):
        planner._suggest.cache_clear()  # time the search itself, never a remembered answer
        start = time.perf_counter()
        result = suggest_plans(q, profile, alternatives=3)
        times.append(time.perf_counter() - start)
    assert result is not None and result.plans
    for plan in result.plans:
        assert check_plan(q, plan.numbers) == []
    return statistics.median(times), min(times), len(result.plans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    real = load_qualification(ROOT / "content" / "03455")
    cases = [
        ("03455, empty profile", real, Profile(), 10.0),
        (
            "03455, phone job",
            real,
            Profile(
                contexts={
                    "incoming-calls": "yes",
                    "outgoing-calls": "yes",
                    "face-to-face": "no",
                    "problems": "sometimes",
                },
                interests=frozenset({"A11", "A12"}),
            ),
            10.0,
        ),
        ("03455, random profile", real, profile_for(real), 10.0),
        ("synthetic 200 units / 8 groups", synthetic(200), None, 2000.0),
        ("synthetic 1,000 units / 8 groups", synthetic(1000), None, 2000.0),
    ]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"best plan + 3 alternatives, median of {args.repeat} runs\n"
    )
    print("| case | optional units | plans | median ms | best ms | goal ms | met |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, q, profile, goal in cases:
        profile = profile or profile_for(q)
        repeat = args.repeat if len(q.units) < 100 else max(3, args.repeat // 5)
        median, best, plans = time_it(q, profile, repeat)
        print(
            f"| {name} | {len(q.optional_units)} | {plans} | {median * 1000:.2f} | "
            f"{best * 1000:.2f} | {goal:.0f} | {'yes' if median * 1000 < goal else 'NO'} |"
        )
    # `content check` counts the states the exact search would need, stopping at its limit
    crowded = dataclasses.replace(
        real,
        rules=real.rules
        + tuple(Rule(f"{g}-30", "credits", (g,), min=30) for g in ("B", "C", "D", "E")),
    )
    print(f"\n| content check: planner states (limit {planner.STATE_BUDGET:,}) | states | ms |")
    print("|---|---:|---:|")
    for name, q in (
        ("03455", real),
        ("synthetic 1,000 units / 8 groups", synthetic(1000)),
        ("03455 + at least 30 credits from each optional group", crowded),
    ):
        start = time.perf_counter()
        states = planner.reachable_states(q)
        ms = (time.perf_counter() - start) * 1000
        shown = f"over {planner.STATE_BUDGET:,}" if states > planner.STATE_BUDGET else f"{states:,}"
        print(f"| {name} | {shown} | {ms:.1f} |")


if __name__ == "__main__":
    main()
