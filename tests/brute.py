"""Reference answers for the planner tests, written without survey/rules.py or survey/planner.py.

Every rule of combination is an "at least" rule, so validity is monotone: adding a unit never
breaks a valid plan. Two consequences the searches below rely on:
- a proper subset of an irredundant valid plan is never valid;
- a proper superset of a valid plan is never irredundant.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from survey.content import Qualification, Rule, Unit

Ranked = list[tuple[int, frozenset[str]]]  # (cost, every unit number of the plan), cheapest first


def counts_for(rule: Rule, u: Unit) -> bool:
    """A unit's credits count towards a credits rule: right group, and right level if any."""
    return u.group in rule.groups and (not rule.levels or u.level in rule.levels)


def rule_met(q: Qualification, rule: Rule, plan: set[str]) -> bool:
    """One rule of combination read straight from its definition in qualification.toml."""
    units = [u for u in q.units if u.number in plan]
    if rule.kind == "all_units":
        return all(u.number in plan for u in q.units if u.group in rule.groups)
    if rule.kind == "credits":
        return sum(u.credits for u in units if counts_for(rule, u)) >= rule.min
    if rule.kind == "units_each_group":
        return all(sum(1 for u in units if u.group == g) >= rule.min for g in rule.groups)
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def is_valid(q: Qualification, plan: Iterable[str]) -> bool:
    numbers = list(plan)
    if len(set(numbers)) != len(numbers) or any(q.unit(n) is None for n in numbers):
        return False
    chosen = set(numbers)
    return all(rule_met(q, r, chosen) for r in q.rules)


def is_irredundant(q: Qualification, plan: Iterable[str]) -> bool:
    """Dropping any one optional unit breaks a rule."""
    chosen = set(plan)
    mandatory = {u.number for u in q.mandatory_units}
    return all(not is_valid(q, chosen - {n}) for n in chosen - mandatory)


# ---- counters: the rules as "counter >= need" over the optional units ------------------------


@dataclass
class _Counters:
    options: list[Unit]  # the optional units a plan may use, in search order
    mandatory: frozenset[str]
    adds: list[tuple[int, ...]]  # per option: what it adds to each counter
    need: tuple[int, ...]  # per counter: what the options must add beyond the mandatory
    group: tuple[str | None, ...]  # per counter: its group when it counts a units_each_group rule
    required: frozenset[int]  # options an all_units rule forces into every plan
    impossible: bool  # an all_units rule needs an excluded unit


def _counters(q: Qualification, options: list[Unit]) -> _Counters:
    mandatory = list(q.mandatory_units)
    tests = []  # one predicate per counter, with its minimum
    group: list[str | None] = []
    required: set[int] = set()
    impossible = False
    allowed = {u.number for u in options} | {u.number for u in mandatory}
    for rule in q.rules:
        if rule.kind == "credits":

            def credits(u: Unit, r: Rule = rule) -> int:
                return u.credits if counts_for(r, u) else 0

            tests.append((credits, rule.min))
            group.append(None)
        elif rule.kind == "units_each_group":
            for g in rule.groups:

                def count(u: Unit, g: str = g) -> int:
                    return 1 if u.group == g else 0

                tests.append((count, rule.min))
                group.append(g)
        elif rule.kind == "all_units":
            for u in q.units:
                if u.group in rule.groups:
                    if u.number not in allowed:
                        impossible = True
                    for i, o in enumerate(options):
                        if o.number == u.number:
                            required.add(i)
        else:
            raise ValueError(f"unknown rule kind {rule.kind!r}")
    need = tuple(m - sum(f(u) for u in mandatory) for f, m in tests)
    adds = [tuple(f(o) for f, _ in tests) for o in options]
    return _Counters(
        options,
        frozenset(u.number for u in mandatory),
        adds,
        need,
        tuple(group),
        frozenset(required),
        impossible,
    )


def brute_force_plans(
    q: Qualification, costs: Mapping[str, int], exclusions: Iterable[str] = ()
) -> Ranked:
    """Every valid irredundant plan over the non-excluded optional units, cheapest first.

    Walks all 2^n subsets, so keep n at about 16 or fewer.
    """
    excluded = set(exclusions)
    options = [u for u in q.optional_units if u.number not in excluded]
    c = _counters(q, options)
    if c.impossible:
        return []
    n, k = len(options), len(c.need)
    req_mask = sum(1 << i for i in c.required)
    values: list[tuple[int, ...]] = [(0,) * k] * (1 << n)
    valid = [False] * (1 << n)
    for mask in range(1 << n):
        if mask:
            low = mask & -mask
            i = low.bit_length() - 1
            prev = values[mask ^ low]
            values[mask] = tuple(a + b for a, b in zip(prev, c.adds[i]))
        valid[mask] = mask & req_mask == req_mask and all(
            v >= m for v, m in zip(values[mask], c.need)
        )
    plans: Ranked = []
    for mask in range(1 << n):
        if not valid[mask]:
            continue
        bits = [i for i in range(n) if mask >> i & 1]
        if any(valid[mask ^ (1 << i)] for i in bits):
            continue
        chosen = [options[i].number for i in bits]
        cost = sum(costs[x] for x in chosen)
        plans.append((cost, c.mandatory | frozenset(chosen)))
    plans.sort(key=lambda p: (p[0], sorted(p[1])))
    return plans


def cheapest_plans(
    q: Qualification, costs: Mapping[str, int], limit: int, exclusions: Iterable[str] = ()
) -> Ranked:
    """The `limit` cheapest valid irredundant plans (ties broken arbitrarily), exactly.

    Depth-first over the options in ascending cost, stopping at the first valid set on each path,
    dropping sets that hold a unit already redundant in any superset, and pruning on a lower
    bound: for every counter of a units_each_group rule, the cheapest units still able to fill
    it; for every counter, whether the remaining units can reach it at all. Needs costs >= 0.
    """
    if limit <= 0:
        return []
    excluded = set(exclusions)
    pool = sorted(
        (u for u in q.optional_units if u.number not in excluded),
        key=lambda u: (costs[u.number], u.number),
    )
    c = _counters(q, pool)
    if c.impossible:
        return []
    forced = sorted(c.required)
    options = [pool[i] for i in range(len(pool)) if i not in c.required]
    cost_of = [costs[u.number] for u in options]
    assert all(x >= 0 for x in cost_of), "cheapest_plans needs non-negative costs"
    adds = [c.adds[i] for i in range(len(pool)) if i not in c.required]
    n, k = len(options), len(c.need)
    # suffix[i][j]: the most counter j can still gain from options i..n-1
    suffix = [[0] * k for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        suffix[i] = [a + b for a, b in zip(suffix[i + 1], adds[i])]
    # units_each_group counters get a cost bound: the cheapest remaining units of their group
    members = {g: [i for i in range(n) if options[i].group == g] for g in c.group if g}

    best: list[tuple[int, int, frozenset[str]]] = []  # max-heap by cost: (-cost, tiebreak, plan)
    tiebreak = 0

    start_values = [0] * k
    start_cost = 0
    for i in forced:
        start_values = [a + b for a, b in zip(start_values, c.adds[i])]
        start_cost += costs[pool[i].number]
    start = [pool[i].number for i in forced]

    def worst() -> float:
        return -best[0][0] if len(best) >= limit else float("inf")

    def bound(i: int, values: list[int]) -> float:
        short_by_group: dict[str, int] = {}
        for j in range(k):
            short = c.need[j] - values[j]
            if short <= 0:
                continue
            if values[j] + suffix[i][j] < c.need[j]:
                return float("inf")
            g = c.group[j]
            if g is not None:
                short_by_group[g] = max(short_by_group.get(g, 0), short)
        # groups are disjoint, so their cheapest fillers add up to a lower bound
        return sum(
            sum([cost_of[x] for x in members[g] if x >= i][:short])
            for g, short in short_by_group.items()
        )

    def irredundant(chosen: list[int], values: list[int]) -> bool:
        for x in chosen:
            if all(v - a >= m for v, a, m in zip(values, adds[x], c.need)):
                return False
        # forced units are never redundant: their all_units rule breaks without them
        return True

    def visit(i: int, chosen: list[int], cost: int, values: list[int]) -> None:
        nonlocal tiebreak
        if all(v >= m for v, m in zip(values, c.need)):
            if irredundant(chosen, values) and cost < worst():
                plan = c.mandatory | frozenset(start) | frozenset(options[x].number for x in chosen)
                tiebreak += 1
                heapq.heappush(best, (-cost, tiebreak, plan))
                if len(best) > limit:
                    heapq.heappop(best)
            return
        if cost + bound(i, values) >= worst():
            return
        # a unit whose every counter already has room to spare is redundant in every superset
        for x in chosen:
            if all(v - a >= m for v, a, m in zip(values, adds[x], c.need) if a):
                return
        for j in range(i, n):
            if cost + cost_of[j] >= worst():
                break  # options are in ascending cost: the rest cost at least as much
            visit(j + 1, chosen + [j], cost + cost_of[j], [a + b for a, b in zip(values, adds[j])])

    visit(0, [], start_cost, start_values)
    return sorted(((-c_, p) for c_, _, p in best), key=lambda p: (p[0], sorted(p[1])))
