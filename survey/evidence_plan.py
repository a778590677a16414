"""Suggest the fewest workplace observations that evidence a learner's outstanding criteria.

The seed: the assessor looks for "tasks which you do at work which will produce evidence for more
than one unit". For the learner's confirmed units, every performance criterion not yet met (and,
for a unit still without criteria, its unit-level statement) is to be observed; content's
activities (activities.toml) say which of them each workplace activity can show. An activity can
be observed when the job has its context: the workplace's answer where it gave one, else the
learner's, must be yes or sometimes (an unanswered question opens nothing).

The suggestion is an exact minimum set cover, found by branch and bound (`minimum_cover`), never
greedy. Among the covers with the fewest activities it prefers, in this order: more activities the
workplace has confirmed; more whose context the job has routinely ("yes") rather than only
"sometimes"; more outstanding criteria seen in all (a criterion seen twice is seen at two
occasions); then the activities that come first in content. Each preference is folded into one
integer weight per activity so that sums compare in exactly that order, which makes the answer
deterministic.

Criteria already met need no observation. Criteria no available activity can show are listed with
the reason; knowledge criteria are never observed and go to one professional discussion (or
questioning) per unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .content import ANSWERS, Activity, Qualification, Unit, criteria_ranges

OBSERVATION = "observation"
OPEN_ANSWERS = ("yes", "sometimes")


@dataclass(frozen=True)
class SuggestedActivity:
    """One observation to plan, and the outstanding statements it can evidence."""

    id: str
    title: str
    context: str  # the job context it needs; "" when every job has it
    answer: str  # the job's answer for that context ("yes" or "sometimes"); "" without context
    confirmed: bool  # the workplace confirmed the context
    statements: tuple[str, ...]  # outstanding statement ids, in the qualification's order
    units: tuple[str, ...]
    sentence: str
    method: str = OBSERVATION


@dataclass(frozen=True)
class Uncovered:
    """Outstanding statements of one unit that no observation the job offers can show, and why."""

    unit: str
    statements: tuple[str, ...]
    reason: str  # "unmapped", "context-no" or "context-unknown"
    contexts: tuple[str, ...]  # the contexts whose activities could show them
    simulation_allowed: bool | None
    sentence: str


@dataclass(frozen=True)
class Discussion:
    """A unit's outstanding knowledge criteria, evidenced together by discussion or questions."""

    unit: str
    method: str
    statements: tuple[str, ...]
    sentence: str


@dataclass(frozen=True)
class EvidencePlan:
    units: tuple[str, ...]
    activities: tuple[SuggestedActivity, ...]
    uncovered: tuple[Uncovered, ...]
    discussions: tuple[Discussion, ...]
    observed: tuple[str, ...]  # outstanding statements the suggested activities evidence
    already_met: tuple[str, ...]  # observable statements already met: nothing to plan


def job_answers(answers: Mapping[str, str], workplace: Mapping[str, str] | None) -> dict[str, str]:
    """The job's answer per context: the workplace's where it gave one, else the learner's."""
    job = {cid: a for cid, a in answers.items() if a in ANSWERS}
    job.update({cid: a for cid, a in (workplace or {}).items() if a in ANSWERS})
    return job


def suggest_activities(
    q: Qualification,
    units: Iterable[str],
    answers: Mapping[str, str],
    workplace: Mapping[str, str] | None = None,
    met: Iterable[str] = (),
) -> EvidencePlan:
    """The fewest observations covering every outstanding observable statement the job offers."""
    chosen_units = q.units_named(units)
    met_ids = set(met)
    job = job_answers(answers, workplace)
    confirmed = {cid for cid, a in (workplace or {}).items() if a in OPEN_ANSWERS}

    observable: list[str] = []
    discussions: list[Discussion] = []
    for u in chosen_units:
        if u.awaiting_criteria:
            observable.append(u.unit_statement_id)
            continue
        observable.extend(c.id for c in u.criteria if c.kind == "performance")
        knowledge = [c.number for c in u.criteria if c.kind == "knowledge" and c.id not in met_ids]
        if knowledge:
            discussions.append(_discussion(q, u, knowledge))
    needed = [s for s in observable if s not in met_ids]
    already_met = tuple(s for s in observable if s in met_ids)

    available = [a for a in q.activities if not a.context or job.get(a.context) in OPEN_ANSWERS]
    bit = {s: i for i, s in enumerate(needed)}
    masks = [sum(1 << bit[s] for s in a.evidences if s in bit) for a in available]
    coverable = 0
    for m in masks:
        coverable |= m
    candidates = [i for i, m in enumerate(masks) if m]
    weights = _weights(
        [masks[i] for i in candidates],
        [available[i].context in confirmed for i in candidates],
        [job.get(available[i].context, "yes") == "yes" for i in candidates],
    )
    picked = minimum_cover([masks[i] for i in candidates], weights, coverable)
    suggestions = [
        _suggestion(q, available[candidates[k]], needed, masks[candidates[k]], job, confirmed)
        for k in picked
    ]
    # the richest observation first; content order among equals
    suggestions.sort(key=lambda s: -len(s.statements))
    uncovered = [s for s in needed if not coverable >> bit[s] & 1]
    return EvidencePlan(
        units=tuple(u.number for u in chosen_units),
        activities=tuple(suggestions),
        uncovered=_uncovered(q, uncovered, job),
        discussions=tuple(discussions),
        observed=tuple(s for s in needed if coverable >> bit[s] & 1),
        already_met=already_met,
    )


# ---- the exact set cover ---------------------------------------------------------------------


def minimum_cover(masks: Sequence[int], weights: Sequence[int], universe: int) -> tuple[int, ...]:
    """Indices (ascending) of the lightest sets whose union covers `universe`; exact.

    Branch and bound: take the uncovered element with the fewest sets able to cover it, and try
    each of those sets in turn, lightest first. Two lower bounds on the sets still needed, the
    larger kept: uncovered elements no two of which share a set (each needs its own), and the
    uncovered elements over the most any one set covers. Before searching, an element is dropped
    when covering another one already forces it, and a set is dropped when another covers at
    least the same and is no heavier. Every bit of `universe` must be in some set. Weights must
    be positive; when two covers weigh the same, which one is returned is deterministic but
    unspecified.
    """
    if not universe:
        return ()
    n = len(masks)
    masks = [m & universe for m in masks]
    live = [
        i
        for i in range(n)
        if masks[i] and not any(_dominates(masks, weights, j, i) for j in range(n))
    ]
    # per element, the live sets covering it (as a bit mask over positions in `live`)
    owners: set[int] = set()
    rest = universe
    while rest:
        low = rest & -rest
        rest ^= low
        owners.add(sum(1 << k for k, i in enumerate(live) if masks[i] & low))
    if 0 in owners:
        raise ValueError("an element of the universe is in no set")
    # an element whose owners include another's is covered along with it: keep the others,
    # fewest owners first (a strict subset has fewer owners, so it is already in `kept`)
    kept: list[int] = []
    for o in sorted(owners, key=lambda o: (o.bit_count(), o)):
        if not any(p & ~o == 0 for p in kept):
            kept.append(o)
    cover = [sum(1 << e for e, o in enumerate(kept) if o >> k & 1) for k in range(len(live))]
    weight = [weights[i] for i in live]
    by_weight = [
        sorted((k for k in range(len(live)) if o >> k & 1), key=weight.__getitem__) for o in kept
    ]
    lightest = min(weight)
    everything = (1 << len(kept)) - 1

    best_weight, best = _greedy(cover, weight, everything)
    seen: dict[int, int] = {}

    def bound(uncovered: int) -> int:
        used, apart, rest = 0, 0, uncovered
        while rest:
            low = rest & -rest
            rest ^= low
            o = kept[low.bit_length() - 1]
            if not o & used:
                used |= o
                apart += 1
        most = max((c & uncovered).bit_count() for c in cover)
        return max(apart, -(-uncovered.bit_count() // most)) * lightest

    def visit(uncovered: int, total: int, chosen: tuple[int, ...]) -> None:
        nonlocal best_weight, best
        if not uncovered:
            if total < best_weight:
                best_weight, best = total, chosen
            return
        if seen.get(uncovered, best_weight + 1) <= total or total + bound(uncovered) >= best_weight:
            return
        seen[uncovered] = total
        e = (uncovered & -uncovered).bit_length() - 1
        for k in by_weight[e]:
            visit(uncovered & ~cover[k], total + weight[k], chosen + (k,))

    visit(everything, 0, ())
    return tuple(sorted(live[k] for k in best))


def _dominates(masks: Sequence[int], weights: Sequence[int], j: int, i: int) -> bool:
    """Set j makes set i useless: it covers at least as much and is lighter (or equal and first)."""
    if j == i or masks[i] & ~masks[j]:
        return False
    if weights[j] != weights[i]:
        return weights[j] < weights[i]
    return masks[j] != masks[i] or j < i


def _greedy(cover: list[int], weight: list[int], everything: int) -> tuple[int, tuple[int, ...]]:
    """A first cover to bound the search: most new elements per weight, repeatedly."""
    uncovered, total, chosen = everything, 0, []
    while uncovered:
        k = max(
            range(len(cover)),
            key=lambda k: ((cover[k] & uncovered).bit_count() / weight[k], -k),
        )
        chosen.append(k)
        total += weight[k]
        uncovered &= ~cover[k]
    return total, tuple(chosen)


def _weights(masks: Sequence[int], confirmed: Sequence[bool], routine: Sequence[bool]) -> list[int]:
    """One integer per activity whose sums order covers by the module's preferences.

    Mixed radix, most significant first: one per activity (fewest activities), not confirmed by
    the workplace, context only "sometimes", outstanding statements it does not show, and its
    place in content (a set containing the earliest differing activity weighs less). Each radix
    exceeds the largest sum its digit can reach over every activity, so no digit carries over.
    """
    n = len(masks)
    most = max((m.bit_count() for m in masks), default=0)
    digits = [
        (1, 0 if c else 1, 0 if r else 1, most - m.bit_count(), (1 << n) - (1 << (n - 1 - i)))
        for i, (m, c, r) in enumerate(zip(masks, confirmed, routine))
    ]
    radices = (n + 1, n + 1, n + 1, n * most + 1, n << n | 1)
    result = []
    for ds in digits:
        value = 0
        for d, radix in zip(ds, radices):
            value = value * radix + d
        result.append(value)
    return result


# ---- wording -------------------------------------------------------------------------------------


def listing(q: Qualification, statements: Iterable[str]) -> tuple[str, int, int, int]:
    """("F1 1.1, 2.2; A11", criteria, units with criteria, whole units) for statement ids."""
    by_unit: dict[str, list[str]] = {}
    for s in statements:
        number, _, part = s.partition(":")
        by_unit.setdefault(number, []).append(part)
    parts, criteria, units, whole = [], 0, 0, 0
    for u in q.units:
        numbers = by_unit.get(u.number)
        if not numbers:
            continue
        if "unit" in numbers:
            parts.append(u.number)
            whole += 1
        else:
            parts.append(f"{u.number} {criteria_ranges(u, numbers)}")
            criteria += len(numbers)
            units += 1
    return "; ".join(parts), criteria, units, whole


def _either(words: Sequence[str]) -> str:
    """ "a", "a or b", "a, b or c" """
    return " or ".join(filter(None, (", ".join(words[:-1]), words[-1]))) if words else ""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def count_phrase(criteria: int, units: int, whole: int) -> str:
    """ "11 criteria in 3 units, and 1 unit as a whole" """
    parts = []
    if criteria:
        parts.append(
            f"{_plural(criteria, 'criterion', 'criteria')} in {_plural(units, 'unit', 'units')}"
        )
    if whole:
        parts.append(f"{_plural(whole, 'unit', 'units')} as a whole")
    return ", and ".join(parts)


def _suggestion(
    q: Qualification,
    a: Activity,
    needed: Sequence[str],
    mask: int,
    job: Mapping[str, str],
    confirmed: set[str],
) -> SuggestedActivity:
    statements = tuple(s for i, s in enumerate(needed) if mask >> i & 1)
    text, criteria, units, whole = listing(q, statements)
    return SuggestedActivity(
        id=a.id,
        title=a.title,
        context=a.context,
        answer=job.get(a.context, "") if a.context else "",
        confirmed=a.context in confirmed,
        statements=statements,
        units=tuple(dict.fromkeys(s.partition(":")[0] for s in statements)),
        sentence=f"Observe {a.title}: {text} — {count_phrase(criteria, units, whole)}",
    )


def _discussion(q: Qualification, u: Unit, numbers: Sequence[str]) -> Discussion:
    method = q.method_for_knowledge(u.number)
    return Discussion(
        unit=u.number,
        method=method,
        statements=tuple(f"{u.number}:{n}" for n in numbers),
        sentence=(
            f"{method.capitalize()} for {u.number}: {criteria_ranges(u, numbers)} — "
            f"{_plural(len(numbers), 'knowledge criterion', 'knowledge criteria')}"
        ),
    )


def _uncovered(
    q: Qualification, statements: Sequence[str], job: Mapping[str, str]
) -> tuple[Uncovered, ...]:
    """Group what no available activity shows by unit and reason, each with a sentence."""
    groups: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for s in statements:
        contexts = tuple(
            dict.fromkeys(a.context for a in q.activities if s in a.evidences and a.context)
        )
        if not contexts:
            reason = "unmapped"
        elif any(job.get(c) not in ANSWERS for c in contexts):
            reason = "context-unknown"
            contexts = tuple(c for c in contexts if job.get(c) not in ANSWERS)
        else:
            reason = "context-no"
        groups.setdefault((s.partition(":")[0], reason, contexts), []).append(s)
    result = []
    for (number, reason, contexts), ids in groups.items():
        unit = q.unit(number)
        assert unit is not None
        result.append(
            Uncovered(
                unit=number,
                statements=tuple(ids),
                reason=reason,
                contexts=contexts,
                simulation_allowed=unit.evidence.simulation_allowed,
                sentence=_uncovered_sentence(q, unit, ids, reason, contexts),
            )
        )
    return tuple(result)


def _uncovered_sentence(
    q: Qualification, unit: Unit, ids: Sequence[str], reason: str, contexts: Sequence[str]
) -> str:
    labels = _either([c.label for cid in contexts if (c := q.context(cid))])
    whole = ids[0].endswith(":unit")
    it = "this unit" if whole else ("it" if len(ids) == 1 else "them")
    if reason == "unmapped":
        why = f"no workplace activity is mapped to {it} yet"
    elif reason == "context-unknown":
        why = f"not yet known whether the job includes {labels}: ask the learner or the workplace"
    else:
        why = f"the job lacks {labels}"
    if unit.evidence.simulation_allowed is False:
        why += f"; simulation is not allowed for {unit.number}"
    elif unit.evidence.simulation_allowed:
        why += f"; simulation is allowed for {unit.number}"
    what = listing(q, ids)[0]
    return f"{what}: {why}"


# ---- export ------------------------------------------------------------------------------------


def as_record(plan: EvidencePlan) -> dict[str, Any]:
    """The suggestion as plain data for JSON."""
    return {
        "units": list(plan.units),
        "activities": [
            {
                "id": a.id,
                "title": a.title,
                "method": a.method,
                "context": a.context,
                "answer": a.answer,
                "confirmed_by_workplace": a.confirmed,
                "units": list(a.units),
                "statements": list(a.statements),
                "sentence": a.sentence,
            }
            for a in plan.activities
        ],
        "discussions": [
            {
                "unit": d.unit,
                "method": d.method,
                "statements": list(d.statements),
                "sentence": d.sentence,
            }
            for d in plan.discussions
        ],
        "uncovered": [
            {
                "unit": u.unit,
                "statements": list(u.statements),
                "reason": u.reason,
                "contexts": list(u.contexts),
                "simulation_allowed": u.simulation_allowed,
                "sentence": u.sentence,
            }
            for u in plan.uncovered
        ],
        "observed": list(plan.observed),
        "already_met": list(plan.already_met),
    }


def as_rows(plan: EvidencePlan) -> list[dict[str, Any]]:
    """The suggestion as CSV rows in the learner export's columns (section, item, value, detail):
    one row per statement, saying how it is to be evidenced or why it cannot be observed."""
    rows: list[dict[str, Any]] = []

    def add(section: str, ids: Iterable[str], value: str, detail: str) -> None:
        rows.extend({"section": section, "item": i, "value": value, "detail": detail} for i in ids)

    for a in plan.activities:
        add("suggested evidence", a.statements, a.method, a.sentence)
    for d in plan.discussions:
        add("suggested evidence", d.statements, d.method, d.sentence)
    for u in plan.uncovered:
        add("not observable", u.statements, u.reason, u.sentence)
    return rows
