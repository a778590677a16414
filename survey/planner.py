"""Suggest optional-unit plans: exact, always valid, best first, with a reason for every unit.

How it works. Every unit the learner may take gets an integer cost (see `unit_cost`); a plan's
cost is the sum over its optional units. The rules of combination are compiled into capped
counters (credits per credits-rule, units per group for the group being decided), so a plan's
validity depends only on a small state. A backward dynamic programme over the units, in group
order, gives for every reachable state the exact cheapest way to finish a valid plan. A
best-first search guided by that exact cost-to-go then yields complete plans in order of cost;
we keep the irredundant ones (no optional unit can be dropped and the plan still be valid) until
we have the best plan and the requested alternatives. Nothing is greedy: the result is the true
optimum, and the alternatives are the true next best.

Units whose job context was answered "no" cannot be evidenced at work, so they are used only
when no valid plan avoids them; then the suggestion says which rule forced them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .content import JobRole, Qualification, Unit
from .profile import Profile
from .rules import check_plan, levels_phrase, rules_missing
from .scoring import confident_count, evidence_opportunity

INFINITY = float("inf")
# The exact search keeps every reachable state of the rules' counters: the real catalogue needs
# about 3,000. Rules that count credits from many groups separately multiply them (four "30
# credits from this group" rules: hundreds of millions). Past this many states, about 0.3 s and
# 70 MB on a busy 2-core machine, the search stops and says why; `content check` counts them
# (stopping at the same limit) and refuses such content.
STATE_BUDGET = 200_000
SEARCH_BUDGET = 200_000  # partial plans the best-first listing may take from its heap
TOO_COMPLEX = (
    "No plan is suggested: the rules of combination allow too many combinations of units to "
    "weigh in time. The assessor chooses the units; the rules are still checked."
)


class TooManyStates(Exception):
    """The exact search would need more than STATE_BUDGET states."""


@dataclass(frozen=True)
class PlannedUnit:
    number: str
    title: str
    group: str
    credits: int
    level: int
    mandatory: bool
    opportunity: str
    readiness: float | None
    interested: bool
    reason: str


@dataclass(frozen=True)
class Plan:
    units: tuple[PlannedUnit, ...]
    cost: int
    total_credits: int
    optional_credits: int
    level_credits: Mapping[int, int]
    over_minimum: int

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(u.number for u in self.units)

    @property
    def optional(self) -> tuple[PlannedUnit, ...]:
        return tuple(u for u in self.units if not u.mandatory)


@dataclass(frozen=True)
class Suggestion:
    plans: tuple[Plan, ...]
    problems: tuple[str, ...] = ()
    level_notes: tuple[str, ...] = ()
    needs_unevidenced: bool = False

    @property
    def best(self) -> Plan | None:
        return self.plans[0] if self.plans else None


# ---- costs ---------------------------------------------------------------------------------


def unit_cost(
    q: Qualification, profile: Profile, number: str, opportunity: Mapping[str, str] | None = None
) -> int:
    """The cost of putting one optional unit in a plan; lower is better and never below 1."""
    unit = q.unit(number)
    if unit is None:
        raise KeyError(number)
    w = q.weights
    opportunity = opportunity or evidence_opportunity(q, profile.contexts)
    opp = opportunity[number]
    cost = 0
    if opp == "no":
        cost += w.no_evidence
    elif opp in ("sometimes", "unknown"):
        cost += w.some_evidence
    if number not in profile.interests:
        cost += w.not_interested
    value = profile.readiness.get(number)
    if value is None:
        cost += w.readiness_gap * w.unknown_readiness
    else:
        gap = round((3 - max(0.0, min(3.0, float(value)))) * 10)
        cost += w.readiness_gap * gap
    cost += w.credit * unit.credits + w.unit
    return max(cost, 1)


# ---- the rules, compiled -------------------------------------------------------------------


@dataclass
class _Compiled:
    """The rules as capped counters over a fixed order of candidate units."""

    forced: tuple[Unit, ...]
    candidates: tuple[Unit, ...]
    caps: tuple[int, ...]  # one per credits rule
    adds: tuple[tuple[int, ...], ...]  # per candidate: credits added to each counter
    start: tuple[int, ...]  # counters after the forced units
    group_rules: dict[str, tuple[int, ...]]  # group -> minimum units, one per units_each_group rule
    forced_in_group: dict[str, int]
    impossible_groups: tuple[str, ...]  # groups that cannot meet their minimum at all


def _compile(q: Qualification, forced: Iterable[Unit], candidates: Iterable[Unit]) -> _Compiled:
    order = {g.id: i for i, g in enumerate(q.groups)}
    forced = tuple(forced)
    cands = tuple(sorted(candidates, key=lambda u: (order[u.group], u.number)))
    credit_rules = [r for r in q.rules if r.kind == "credits"]
    each_rules = [r for r in q.rules if r.kind == "units_each_group"]

    def add(u: Unit) -> tuple[int, ...]:
        return tuple(
            u.credits if u.group in r.groups and (not r.levels or u.level in r.levels) else 0
            for r in credit_rules
        )

    caps = tuple(r.min for r in credit_rules)
    start = [0] * len(caps)
    for u in forced:
        start = [min(c, s + a) for s, a, c in zip(start, add(u), caps)]
    group_rules = {g.id: tuple(r.min for r in each_rules if g.id in r.groups) for g in q.groups}
    forced_in_group = {g.id: sum(1 for u in forced if u.group == g.id) for g in q.groups}
    in_cands = {u.group for u in cands}
    impossible = tuple(
        gid
        for gid, mins in group_rules.items()
        if mins and gid not in in_cands and any(forced_in_group[gid] < m for m in mins)
    )
    return _Compiled(
        forced,
        cands,
        caps,
        tuple(add(u) for u in cands),
        tuple(start),
        group_rules,
        forced_in_group,
        impossible,
    )


class _Search:
    """Exact cost-to-go over (unit index, credits still needed, units taken in this group).

    A state is one int: the credits still needed per counter and the units taken in the group
    being decided, in mixed radix. Ints hash and compare fast, and this loop is the hot path.
    """

    def __init__(self, c: _Compiled, costs: Mapping[str, int], solve: bool = True) -> None:
        self.c = c
        self.costs = [costs[u.number] for u in c.candidates]
        self.n = len(c.candidates)
        groups = [u.group for u in c.candidates]
        # credits still needed per counter; counters that move together over the candidates
        # (total and optional credits, say) collapse into one holding the larger need
        needs: dict[tuple[int, ...], int] = {}
        for k, cap in enumerate(c.caps):
            column = tuple(adds[k] for adds in c.adds)
            needs[column] = max(needs.get(column, 0), cap - c.start[k])
        kept = [(column, need) for column, need in needs.items() if need > 0]
        self.radices = tuple(need + 1 for _, need in kept)
        self.adds = [tuple(column[i] for column, _ in kept) for i in range(self.n)]
        self.last_of_group = [i == self.n - 1 or groups[i + 1] != groups[i] for i in range(self.n)]
        self.first_of_group = [i == 0 or groups[i - 1] != groups[i] for i in range(self.n)]
        # the units-per-group counters of each unit's group, as codes 0..size-1
        self.group_tables = [self._group_table(c, g) for g in groups]
        self.width = max((len(t[0]) for t in self.group_tables), default=1)
        self.start = self._encode(tuple(need for _, need in kept)) * self.width
        self.states = 0
        self._forward()
        if solve:
            self._backward()

    @staticmethod
    def _group_table(c: _Compiled, group: str) -> tuple[list[int], list[bool], int]:
        """(code after one more unit, minimum met, starting code) for one group's counters."""
        caps = c.group_rules[group]
        sizes = [m + 1 for m in caps]
        codes = list(itertools.product(*(range(s) for s in sizes)))

        def encode(values: tuple[int, ...]) -> int:
            code = 0
            for v, size in zip(values, sizes):
                code = code * size + v
            return code

        more = [encode(tuple(min(m, t + 1) for t, m in zip(v, caps))) for v in codes]
        met = [all(t >= m for t, m in zip(v, caps)) for v in codes]
        start = encode(tuple(min(m, c.forced_in_group[group]) for m in caps))
        return more, met, start

    def _encode(self, needs: tuple[int, ...]) -> int:
        code = 0
        for n, r in zip(needs, self.radices):
            code = code * r + n
        return code

    def _forward(self) -> None:
        """The reachable states of each layer and both moves from each, computed once.

        -1 marks a move that breaks a group's minimum. TooManyStates past STATE_BUDGET.
        """
        self.moves: list[dict[int, tuple[int, int]]] = []
        width = self.width
        # each counter's place in the mixed-radix code; a unit changes only the counters it
        # adds to, so taking it subtracts min(digit, add) * place for just those
        places = []
        place = 1
        for radix in reversed(self.radices):
            places.append(place)
            place *= radix
        places.reverse()
        layer = {self.start}
        for i in range(self.n):
            terms = [(p, r, a) for p, r, a in zip(places, self.radices, self.adds[i]) if a]
            more, met, group_start = self.group_tables[i]
            first, last = self.first_of_group[i], self.last_of_group[i]
            moves: dict[int, tuple[int, int]] = {}
            for s in layer:
                need, taken = divmod(s, width)
                if first:
                    taken = group_start
                after = need
                for p, r, a in terms:
                    digit = need // p % r
                    after -= (digit if digit < a else a) * p
                taken_more = more[taken]
                if last:
                    moves[s] = (
                        need * width if met[taken] else -1,
                        after * width if met[taken_more] else -1,
                    )
                else:
                    moves[s] = (need * width + taken, after * width + taken_more)
            self.moves.append(moves)
            self.states += len(moves)
            if self.states > STATE_BUDGET:
                raise TooManyStates(self.states)
            layer = {t for pair in moves.values() for t in pair if t >= 0}
        self.last_layer = layer

    def _backward(self) -> None:
        """The exact cheapest way to finish from every reachable state.

        The finish is state 0, where nothing more is needed.
        """
        h_next: dict[int, float] = {s: (0 if s == 0 else INFINITY) for s in self.last_layer}
        h_next[-1] = INFINITY
        hs = [h_next]
        for i in range(self.n - 1, -1, -1):
            cost_i = self.costs[i]
            h_here: dict[int, float] = {-1: INFINITY}
            for s, (skip, take) in self.moves[i].items():
                best = h_next[skip]
                via = cost_i + h_next[take]
                h_here[s] = via if via < best else best
            hs.append(h_here)
            h_next = h_here
        hs.reverse()
        self.h = hs

    @property
    def feasible(self) -> bool:
        return not self.c.impossible_groups and self.h[0][self.start] < INFINITY

    def plans_in_order(self) -> Iterable[tuple[int, tuple[int, ...]]]:
        """Every valid plan (cost, candidate indices), cheapest first, found lazily."""
        if not self.feasible:
            return
        tie = itertools.count()
        heap: list = [(self.h[0][self.start], next(tie), 0, 0, self.start, None)]
        for _ in range(SEARCH_BUDGET):  # then stop: the plans found so far are still exact
            if not heap:
                return
            _, _, i, g, state, chosen = heapq.heappop(heap)
            if i == self.n:
                picked = []
                while chosen is not None:
                    picked.append(chosen[0])
                    chosen = chosen[1]
                yield g, tuple(reversed(picked))
                continue
            skip, take = self.moves[i][state]
            for t, taken in ((take, True), (skip, False)):
                rest = self.h[i + 1][t]
                if rest == INFINITY:
                    continue
                g2 = g + self.costs[i] if taken else g
                heapq.heappush(
                    heap, (g2 + rest, next(tie), i + 1, g2, t, (i, chosen) if taken else chosen)
                )

    def irredundant(self, picked: tuple[int, ...]) -> bool:
        """No picked unit can be dropped with the plan still meeting every rule."""
        c = self.c
        raw = list(c.start)  # uncapped credits per counter
        for i in picked:
            raw = [r + a for r, a in zip(raw, c.adds[i])]
        per_group: dict[str, int] = {}
        for i in picked:
            g = c.candidates[i].group
            per_group[g] = per_group.get(g, 0) + 1
        for i in picked:
            g = c.candidates[i].group
            credits_ok = all(r - a >= cap for r, a, cap in zip(raw, c.adds[i], c.caps))
            group_ok = all(c.forced_in_group[g] + per_group[g] - 1 >= m for m in c.group_rules[g])
            if credits_ok and group_ok:
                return False
        return True


def _best_plans(
    q: Qualification, c: _Compiled, costs: Mapping[str, int], count: int
) -> list[tuple[int, tuple[Unit, ...]]]:
    search = _Search(c, costs)
    found: list[tuple[int, tuple[Unit, ...]]] = []
    for cost, picked in search.plans_in_order():
        if search.irredundant(picked):
            found.append((cost, tuple(c.candidates[i] for i in picked)))
            if len(found) >= count:
                break
    return found


def reachable_states(q: Qualification) -> int:
    """How many states the exact search needs for this content at most, up to STATE_BUDGET + 1.

    Every optional unit a candidate: a learner's own search (fewer units) needs no more.
    Only the forward pass runs, and it stops at the budget, so this is quick either way.
    """
    c = _compile(q, q.mandatory_units, q.optional_units)
    try:
        return _Search(c, {u.number: 1 for u in c.candidates}, solve=False).states
    except TooManyStates:
        return STATE_BUDGET + 1


# ---- the suggestion ------------------------------------------------------------------------


def suggest_plans(q: Qualification, profile: Profile, alternatives: int = 3) -> Suggestion:
    """The best valid plan and up to `alternatives` next-best distinct ones, with reasons.

    Remembered for the last few hundred profiles: a learner reloading their result, or an
    assessor going back and forth over a plan, asks the same question again. A qualification
    whose rules are still to be entered gets no plan, and the problem says why.
    """
    missing = rules_missing(q)
    if missing:
        return Suggestion((), (missing,), (), False)
    return _suggest(q, profile, alternatives)


@lru_cache(maxsize=512)
def _suggest(q: Qualification, profile: Profile, alternatives: int) -> Suggestion:
    opportunity = evidence_opportunity(q, profile.contexts)
    forced = q.mandatory_units
    allowed = [u for u in q.optional_units if u.number not in profile.exclusions]
    open_units = [u for u in allowed if opportunity[u.number] != "no"]
    costs = {u.number: unit_cost(q, profile, u.number, opportunity) for u in allowed}
    want = 1 + max(0, alternatives)
    problems: list[str] = []
    needs_unevidenced = False

    try:
        found = _best_plans(q, _compile(q, forced, open_units), costs, want)
        if not found:
            problems = _explain(q, profile, opportunity, allowed, open_units)
            found = _best_plans(q, _compile(q, forced, allowed), costs, want)
            needs_unevidenced = bool(found)
            if not found:
                problems = _explain(q, profile, opportunity, allowed, allowed)
    except TooManyStates:  # a clear message, not a page that never comes
        found, problems, needs_unevidenced = [], [TOO_COMPLEX], False
    plans = tuple(_plan(q, profile, opportunity, forced, chosen, cost) for cost, chosen in found)
    for (
        p
    ) in plans:  # belt and braces: the search is exact, but a suggestion must never break a rule
        assert not check_plan(q, p.numbers), p.numbers
    return Suggestion(
        plans, tuple(problems), tuple(level_notes(q, profile, opportunity)), needs_unevidenced
    )


def _plan(
    q: Qualification,
    profile: Profile,
    opportunity: Mapping[str, str],
    forced: tuple[Unit, ...],
    chosen: tuple[Unit, ...],
    cost: int,
) -> Plan:
    units = [_planned(q, profile, opportunity, u, True) for u in forced]
    units += [_planned(q, profile, opportunity, u, False) for u in chosen]
    total = sum(u.credits for u in units)
    optional = sum(u.credits for u in chosen)
    by_level: dict[int, int] = {}
    for u in chosen:
        by_level[u.level] = by_level.get(u.level, 0) + u.credits
    total_rules = [
        r.min
        for r in q.rules
        if r.kind == "credits" and not r.levels and set(r.groups) == {g.id for g in q.groups}
    ]
    minimum = max(total_rules, default=total)
    return Plan(
        tuple(units), cost, total, optional, dict(sorted(by_level.items())), max(0, total - minimum)
    )


def _planned(
    q: Qualification, profile: Profile, opportunity: Mapping[str, str], u: Unit, mandatory: bool
) -> PlannedUnit:
    value = profile.readiness.get(u.number)
    interested = u.number in profile.interests
    return PlannedUnit(
        number=u.number,
        title=u.title,
        group=u.group,
        credits=u.credits,
        level=u.level,
        mandatory=mandatory,
        opportunity=opportunity[u.number],
        readiness=value,
        interested=interested,
        reason=unit_reason(q, profile, opportunity, u, mandatory),
    )


def unit_reason(
    q: Qualification,
    profile: Profile,
    opportunity: Mapping[str, str],
    u: Unit,
    mandatory: bool = False,
) -> str:
    """Why a unit is in the plan, in a learner's words."""
    parts: list[str] = []
    if mandatory:
        parts.append("everyone takes this unit")
    else:
        parts.append(_job_reason(q, profile, opportunity[u.number], u))
        if u.number in profile.interests:
            parts.append("you said it interests you")
    statements = u_found.statements() if (u_found := q.unit(u.number)) else ()
    if profile.ratings and any(s.id in profile.ratings for s in statements):
        confident, total = confident_count(q, u.number, profile.ratings)
        rated = [s for s in statements if s.id in profile.ratings]
        if total == 1 and rated:
            label = q.scales.labels(rated[0].kind)[profile.ratings[rated[0].id]]
            parts.append(f"you rated it \u201c{label}\u201d")
        elif confident == total:
            parts.append("you are already confident in all of it")
        elif confident:
            parts.append(f"you are already confident in {confident} of {total}")
        else:
            parts.append("new ground for you: a chance to learn")
    else:
        value = profile.readiness.get(u.number)
        if value is not None:
            if value >= 2:
                parts.append("you are already confident in it")
            elif value >= 1:
                parts.append("you have made a start")
            else:
                parts.append("new ground for you: a chance to learn")
    if not mandatory:
        group = q.group(u.group)
        parts.append(f"covers {group.label if group else 'Group ' + u.group}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _job_reason(q: Qualification, profile: Profile, opp: str, u: Unit) -> str:
    """How the job fits a unit, naming the workplace where its answers decided it."""
    contexts = q.contexts_for(u.number)
    opened = [c for c in contexts if profile.contexts.get(c.id) in ("yes", "sometimes")]
    labels = [c.label for c in opened]
    # the workplace's word, when every answer that decides this is the workplace's
    deciding = opened if opp in ("yes", "sometimes") else contexts
    who = profile.workplace_by or "your workplace"
    by_workplace = bool(deciding) and all(c.id in profile.workplace for c in deciding)
    if opp == "general":
        return "fits any customer service job"
    if opp == "yes":
        if by_workplace:
            return f"fits your job: {who} confirms your job involves " + _and(labels)
        return "fits your job (" + ", ".join(labels) + ")"
    if opp == "sometimes":
        if by_workplace:
            return f"{who} says your job sometimes involves " + _and(labels)
        return "your job sometimes involves " + " and ".join(labels)
    needed = " or ".join(c.label for c in contexts)
    if opp == "unknown":
        return f"needs {needed}: check your job offers it"
    if by_workplace:
        return f"needs {needed}, which {who} says your job does not have"
    return f"needs {needed}, which your job does not have"


# ---- explanations --------------------------------------------------------------------------


def _explain(
    q: Qualification,
    profile: Profile,
    opportunity: Mapping[str, str],
    allowed: list[Unit],
    usable: list[Unit],
) -> list[str]:
    """Which rules the usable units cannot meet, and what would unlock them."""
    messages: list[str] = []
    usable_numbers = {u.number for u in usable}
    forced = q.mandatory_units
    job_limited = len(usable) < len(allowed)
    for rule in q.rules:
        if rule.kind == "units_each_group":
            for gid in rule.groups:
                have = sum(1 for u in forced if u.group == gid) + sum(
                    1 for u in usable if u.group == gid
                )
                if have >= rule.min:
                    continue
                group = q.group(gid)
                label = group.label if group else f"Group {gid}"
                messages.append(
                    _group_message(q, profile, opportunity, label, gid, usable_numbers, job_limited)
                )
        elif rule.kind == "credits":
            matching = [
                u
                for u in list(forced) + usable
                if u.group in rule.groups and (not rule.levels or u.level in rule.levels)
            ]
            most = sum(u.credits for u in matching)
            if most >= rule.min:
                continue
            scope = f" at {levels_phrase(rule.levels)}" if rule.levels else ""
            where = "open to this job" if job_limited else "left"
            messages.append(
                f"The units {where} give at most {most} credits{scope} where "
                f"{rule.min} are needed ({rule.wording or rule.id})."
            )
    if not messages:
        where = "open to this job" if job_limited else "left"
        messages.append(
            f"No combination of the units {where} meets every rule of combination at once."
        )
    return messages


def _group_message(
    q: Qualification,
    profile: Profile,
    opportunity: Mapping[str, str],
    label: str,
    gid: str,
    usable: set[str],
    job_limited: bool,
) -> str:
    units = [u for u in q.units_in(gid) if u.number not in usable]
    unlock = []
    excluded = [u.number for u in units if u.number in profile.exclusions]
    if excluded:
        unlock.append(f"{_and(excluded)} {'was' if len(excluded) == 1 else 'were'} excluded")
    needs: dict[str, list[str]] = {}
    for u in units:
        if u.number not in profile.exclusions and opportunity[u.number] == "no":
            wanted = " or ".join(c.label for c in q.contexts_for(u.number))
            needs.setdefault(wanted, []).append(u.number)
    for wanted, numbers in needs.items():
        unlock.append(f"{_and(numbers)} {'needs' if len(numbers) == 1 else 'need'} {wanted}")
    lead = (
        f"Your job has no unit in {label} it can evidence"
        if job_limited
        else (f"{label} has no unit left to choose")
    )
    if unlock:
        return f"{lead}: " + "; ".join(unlock) + "."
    return f"{lead}."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _level_signals(
    q: Qualification, profile: Profile, opportunity: Mapping[str, str]
) -> tuple[JobRole | None, list[Unit], list[Unit]]:
    """What points to another level: the job role when it is on a higher level's list, and the
    units above the qualification's level that fit the job and are rated "on my own" or better
    (with all the units above its level)."""
    role = q.role(profile.job_role) if profile.job_role else None
    higher = [u for u in q.optional_units if u.level > q.level]
    strong = [
        u
        for u in higher
        if opportunity[u.number] in ("general", "yes", "sometimes")
        and (profile.readiness.get(u.number) or 0) >= 2
    ]
    return (role if role is not None and role.level > q.level else None), strong, higher


def level_notes(q: Qualification, profile: Profile, opportunity: Mapping[str, str]) -> list[str]:
    """Cues for the assessor that the learner may be on the wrong level."""
    notes: list[str] = []
    role, strong, higher = _level_signals(q, profile, opportunity)
    if role is not None:
        notes.append(
            f"\u201c{role.title}\u201d is on the Level {role.level} list of job roles: "
            f"check the learner is taking the right level of qualification."
        )
    if higher and len(strong) * 2 > len(higher):
        notes.append(
            f"{len(strong)} of {len(higher)} units above Level {q.level} fit this job and are "
            f"rated \u201con my own\u201d or better: a higher-level qualification may suit "
            f"the learner better."
        )
    return notes


def levels_pointed(q: Qualification, profile: Profile) -> tuple[int, ...]:
    """The levels other than the qualification's that the level cues point to: the job role's
    level, and every higher level when the learner is strong on the units above it."""
    if not q.level:
        return ()
    role, strong, higher = _level_signals(q, profile, evidence_opportunity(q, profile.contexts))
    levels = {role.level} if role is not None else set()
    if higher and len(strong) * 2 > len(higher):
        levels |= set(range(q.level + 1, 9))
    return tuple(sorted(levels))
