"""The rules of combination: check a plan against the qualification's rules, which are data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .content import Qualification, Rule, Unit


@dataclass(frozen=True)
class Problem:
    """One unmet rule, with a message a learner or assessor understands."""

    rule: str
    message: str
    group: str | None = None
    shortfall: int = 0
    units: tuple[str, ...] = ()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def levels_phrase(levels: tuple[int, ...]) -> str:
    return "Level " + " or ".join(str(x) for x in levels)


def rule_counts(rule: Rule, units: Iterable[Unit]) -> int:
    """How many credits a plan's units bring towards a credits rule."""
    return sum(
        u.credits
        for u in units
        if u.group in rule.groups and (not rule.levels or u.level in rule.levels)
    )


def rules_missing(q: Qualification) -> str | None:
    """Why no plan can be checked or suggested yet; None once the rules are entered."""
    if q.rules:
        return None
    return (
        f"No plan can be suggested or checked yet: the rules of combination of {q.code} "
        "have not been entered."
    )


def check_optional(q: Qualification, optional: Iterable[str]) -> list[Problem]:
    """Every unmet rule of a plan given by its optional units (the mandatory ones are in)."""
    return check_plan(q, [u.number for u in q.mandatory_units] + list(optional))


def check_plan(q: Qualification, units: Iterable[str]) -> list[Problem]:
    """Every unmet rule of a plan (the whole plan, mandatory units included); [] means valid."""
    numbers = list(units)
    problems: list[Problem] = []
    missing = rules_missing(q)
    if missing:
        # without rules no plan is valid: a plan must not be confirmed against nothing
        problems.append(Problem("no-rules", missing))
    counts = Counter(numbers)
    for number, n in counts.items():
        if n > 1:
            problems.append(Problem("duplicate", f"{number} is listed {n} times", units=(number,)))
    unknown = [n for n in counts if q.unit(n) is None]
    for number in unknown:
        problems.append(
            Problem(
                "unknown-unit", f"{number} is not a unit of this qualification", units=(number,)
            )
        )
    plan = [u for n in counts if (u := q.unit(n)) is not None]
    for rule in q.rules:
        problems.extend(_check_rule(q, rule, plan))
    return problems


def _check_rule(q: Qualification, rule: Rule, plan: list[Unit]) -> list[Problem]:
    in_plan = {u.number for u in plan}
    if rule.kind == "all_units":
        missing = tuple(u for g in rule.groups for u in q.units_in(g) if u.number not in in_plan)
        return [
            Problem(
                rule.id,
                f"{u.number} is mandatory and is not in the plan",
                group=u.group,
                units=(u.number,),
            )
            for u in missing
        ]
    if rule.kind == "credits":
        have = rule_counts(rule, plan)
        if have >= rule.min:
            return []
        short = rule.min - have
        return [Problem(rule.id, _credits_message(q, rule, short), shortfall=short)]
    if rule.kind == "units_each_group":
        problems = []
        for gid in rule.groups:
            have = sum(1 for u in plan if u.group == gid)
            if have < rule.min:
                group = q.group(gid)
                label = group.label if group else f"Group {gid}"
                if have == 0:
                    message = f"{label} has no unit yet"
                else:
                    message = f"{label} needs {_plural(rule.min - have, 'more unit')}"
                problems.append(Problem(rule.id, message, group=gid, shortfall=rule.min - have))
        return problems
    return []


def _credits_message(q: Qualification, rule: Rule, short: int) -> str:
    optional = {g.id for g in q.optional_groups}
    every = {g.id for g in q.groups}
    if set(rule.groups) == every:
        scope = "in total"
    elif set(rule.groups) == optional:
        scope = "optional"
    elif len(rule.groups) == 1:
        group = q.group(rule.groups[0])
        scope = f"from {group.label if group else 'Group ' + rule.groups[0]}"
    else:
        scope = "from Groups " + ", ".join(rule.groups)
    more = _plural(short, "more credit")
    if scope == "optional":
        text = f"{short} more optional {'credit is' if short == 1 else 'credits are'} needed"
    else:
        text = f"{more} {'is' if short == 1 else 'are'} needed {scope}"
    if rule.levels:
        text += f" at {levels_phrase(rule.levels)}"
    return text


def is_valid(q: Qualification, units: Iterable[str]) -> bool:
    return not check_plan(q, units)


def _groups_phrase(q: Qualification, groups: tuple[str, ...]) -> str:
    if len(groups) == 1:
        group = q.group(groups[0])
        return group.label if group else f"Group {groups[0]}"
    return "Groups " + ", ".join(groups[:-1]) + " and " + groups[-1]


def describe_rule(q: Qualification, rule: Rule) -> str:
    """A rule in plain words, for people choosing units."""
    every = tuple(g.id for g in q.groups)
    if rule.kind == "all_units":
        return f"Every unit in {_groups_phrase(q, rule.groups)}"
    if rule.kind == "units_each_group":
        count = "one unit" if rule.min == 1 else f"{rule.min} units"
        return f"At least {count} from each of {_groups_phrase(q, rule.groups)}"
    where = "in total" if rule.groups == every else f"from {_groups_phrase(q, rule.groups)}"
    if rule.levels:
        return f"At least {rule.min} of the credits {where} from {levels_phrase(rule.levels)} units"
    return f"At least {rule.min} credits {where}"


def plan_credits(q: Qualification, optional: Iterable[str]) -> int:
    """Credits of a unit plan: the mandatory units and these optional ones."""
    numbers = [u.number for u in q.mandatory_units] + list(optional)
    return sum(u.credits for n in numbers if (u := q.unit(n)) is not None)
