"""The prior-learning ledger: what the assessor confirmed as already met, as hours and funding.

Per confirmed unit: criteria met out of criteria, notional hours (credits x the qualification's
hours per credit), the hours already covered in proportion to the criteria met (every criterion
of a unit weighs the same), and the hours still to deliver. A unit still without criteria is
judged whole by the assessor: all its hours or none. For the whole plan: total hours, hours
covered, and the proportion still to be delivered.

Rounding, chosen so that no figure claims more than the evidence supports:
- hours are kept exact (fractions) and only rounded for display, to one decimal;
- the proportion still to be delivered is rounded DOWN to a whole percentage. Whenever anything
  is met it is therefore 99 or less (the learner record takes 0 to 99, and 100 would say nothing
  was recognised); with nothing met there is no adjustment at all; with everything met it is 0;
- off-the-job hours removed and months removed are rounded down (never more training taken out
  than the prior learning covers); the price reduction is rounded UP to the whole pound (the
  rules ask for at least half of the prior-learning percentage).

Funding profiles (content/funding/*.toml) turn the proportion into the figures each funding
stream asks for. Nothing here decides anything: the figures are a calculation for the provider's
own decision, and `version` names exactly which figures a decision accepted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor
from typing import Any

from .content import FundingProfile, Qualification, Unit, criteria_ranges

# bump when a rule or a rounding here changes: the same inputs then give a new version
LEDGER_RULES = 1
COULD_SHOW_EVIDENCE = 3  # the rating "could show evidence now"


class LedgerError(ValueError):
    """A figure the centre entered is missing or impossible; names the field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class CentreInputs:
    """What the centre enters for an apprenticeship."""

    agreed_price: int | None = None  # whole pounds
    planned_months: int | None = None
    off_the_job_hours: int | None = None


@dataclass(frozen=True)
class MetStatement:
    id: str
    number: str  # the criterion's number, or "unit" for a unit judged whole
    text: str
    evidence: str


@dataclass(frozen=True)
class LedgerUnit:
    number: str
    title: str
    credits: int
    hours: int
    whole: bool  # no criteria yet: judged as a whole
    statements: int  # criteria in the unit (1 when judged whole)
    met: tuple[MetStatement, ...]
    outstanding: tuple[str, ...]  # statement ids not yet met
    hours_covered: Fraction
    hours_to_deliver: Fraction
    sentence: str


@dataclass(frozen=True)
class Limit:
    """A minimum the calculation reached: it stops there instead of computing past it."""

    name: str  # "off-the-job hours" or "duration"
    minimum: int
    wanted: int  # where the calculation would have gone
    applied: int  # where it stopped
    sentence: str


@dataclass(frozen=True)
class ProportionFunding:
    profile: FundingProfile
    percent: int | None  # the proportion still to be delivered, 0-99; None: no adjustment
    sentence: str


@dataclass(frozen=True)
class ApprenticeshipFunding:
    profile: FundingProfile
    recognised: bool  # "prior learning recognised": yes only when hours are removed
    off_the_job_hours: int
    hours_removed: int
    off_the_job_after: int
    removed_percent: Fraction  # of the off-the-job hours
    agreed_price: int
    price_reduction: int  # at least this much off the agreed price
    price_after: int  # at most this price
    planned_months: int
    months_removed: int
    months_after: int
    limits: tuple[Limit, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Ledger:
    qualification: str
    hours_per_credit: int
    units: tuple[LedgerUnit, ...]
    total_hours: int
    hours_covered: Fraction
    hours_to_deliver: Fraction
    percent_to_deliver: int | None  # 0-99; None when nothing is met (no adjustment)
    sentence: str
    funding: ProportionFunding | ApprenticeshipFunding | None
    inputs: CentreInputs
    version: str  # names these figures: the same inputs and rules give the same version


def confirmed_met(
    q: Qualification, assessor_ratings: Mapping[str, int], evidence: Mapping[str, str]
) -> dict[str, str]:
    """Statements the assessor confirmed as already met: rated "could show evidence now" with
    the evidence named. A unit-level statement is the assessor's judgement of the whole unit."""
    return {
        sid: evidence[sid].strip()
        for sid, rating in assessor_ratings.items()
        if rating == COULD_SHOW_EVIDENCE
        and q.statement(sid) is not None
        and evidence.get(sid, "").strip()
    }


def build_ledger(
    q: Qualification,
    units: Iterable[str],
    met: Mapping[str, str],
    profile: FundingProfile | None = None,
    inputs: CentreInputs | None = None,
) -> Ledger:
    """The ledger for a learner's confirmed units, given what is met (statement id -> evidence).

    A unit-level statement counts only for a unit still without criteria; met statements of
    other units are not part of this plan and are left out.
    """
    inputs = inputs or CentreInputs()
    rows = tuple(_unit(q, u, met) for u in q.units_named(units))
    total = sum(r.hours for r in rows)
    covered = sum((r.hours_covered for r in rows), Fraction(0))
    to_deliver = total - covered
    percent = percent_to_deliver(total, covered)
    counted = {m.id: m.evidence for r in rows for m in r.met}
    funding: ProportionFunding | ApprenticeshipFunding | None = None
    if profile is not None:
        share = covered / total if total else Fraction(0)
        funding = (
            _apprenticeship(profile, share, inputs)
            if profile.kind == "apprenticeship"
            else _proportion(profile, percent, covered == total and total > 0)
        )
    return Ledger(
        qualification=q.code,
        hours_per_credit=q.hours_per_credit,
        units=rows,
        total_hours=total,
        hours_covered=covered,
        hours_to_deliver=to_deliver,
        percent_to_deliver=percent,
        sentence=_whole_sentence(total, covered, percent),
        funding=funding,
        inputs=inputs,
        version=_version(q, rows, counted, profile, inputs),
    )


def percent_to_deliver(total: int, covered: Fraction) -> int | None:
    """The proportion still to deliver, rounded down to a whole percentage; None if none is met."""
    if not covered or not total:
        return None
    return floor((total - covered) * 100 / total)


# ---- per unit ------------------------------------------------------------------------------------


def _unit(q: Qualification, u: Unit, met: Mapping[str, str]) -> LedgerUnit:
    hours = u.credits * q.hours_per_credit
    ids = (
        [(u.unit_statement_id, "unit", u.statement)]
        if u.awaiting_criteria
        else [(c.id, c.number, c.text) for c in u.criteria]
    )
    done = tuple(
        MetStatement(sid, number, text, met[sid].strip())
        for sid, number, text in ids
        if met.get(sid, "").strip()
    )
    outstanding = tuple(sid for sid, _, _ in ids if not met.get(sid, "").strip())
    covered = Fraction(hours * len(done), len(ids))
    if u.awaiting_criteria:
        judged = "judged whole: met" if done else "judged whole: not yet met"
        sentence = f"{u.number}: {judged} — {hours_text(covered)} of {hours} hours covered"
    else:
        numbers = criteria_ranges(u, [m.number for m in done])
        sentence = (
            f"{u.number}: {len(done)} of {len(ids)} criteria met"
            + (f" ({numbers})" if numbers else "")
            + f" — {hours_text(covered)} of {hours} hours covered, "
            f"{hours_text(hours - covered)} to deliver"
        )
    return LedgerUnit(
        number=u.number,
        title=u.title,
        credits=u.credits,
        hours=hours,
        whole=u.awaiting_criteria,
        statements=len(ids),
        met=done,
        outstanding=outstanding,
        hours_covered=covered,
        hours_to_deliver=hours - covered,
        sentence=sentence,
    )


def _whole_sentence(total: int, covered: Fraction, percent: int | None) -> str:
    if percent is None:
        return f"Nothing is recognised as already met: all {total} hours are to be delivered."
    return (
        f"{hours_text(covered)} of {total} hours are already met; "
        f"{hours_text(total - covered)} hours are to be delivered: {percent}% of the content."
    )


# ---- funding profiles ----------------------------------------------------------------------------


def _proportion(
    profile: FundingProfile, percent: int | None, everything: bool
) -> ProportionFunding:
    if percent is None:
        sentence = "No adjustment for prior learning: nothing is recognised as already met."
    elif everything:
        sentence = (
            "Funding adjustment for prior learning: 0% — every unit is already met, so none of "
            "this aim is left to deliver."
        )
    else:
        sentence = f"Funding adjustment for prior learning: {percent}% of the aim still to deliver."
    return ProportionFunding(profile, percent, sentence)


def _apprenticeship(
    profile: FundingProfile, share: Fraction, inputs: CentreInputs
) -> ApprenticeshipFunding:
    hours = _entered(inputs.off_the_job_hours, "off_the_job_hours", 1)
    months = _entered(inputs.planned_months, "planned_months", 1)
    price = _entered(inputs.agreed_price, "agreed_price", 0)
    limits: list[Limit] = []

    wanted_hours = floor(hours * share)
    removed = _limited(
        limits, "off-the-job hours", hours, wanted_hours, profile.min_off_the_job_hours, "hours"
    )
    removed_share = Fraction(removed, hours)
    wanted_months = floor(months * removed_share)
    months_removed = _limited(
        limits, "duration", months, wanted_months, profile.min_duration_months, "months"
    )
    reduction = ceil(price * removed_share * profile.price_reduction_share / 100)
    removed_percent = removed_share * 100

    sentences = []
    if removed:
        sentences.append(
            f"Prior learning recognised: yes — {removed} of {hours} off-the-job hours removed "
            f"({percent_text(removed_percent)}); {hours - removed} remain."
        )
        sentences.append(
            f"Price: at least £{reduction:,} off the agreed £{price:,} "
            f"({profile.price_reduction_share}% of {percent_text(removed_percent)}), "
            f"so at most £{price - reduction:,}."
        )
        sentences.append(
            f"Duration: {months} months, {months - months_removed} after prior learning "
            f"({months_removed} removed in proportion to the hours)."
        )
    else:
        why = (
            "nothing is recognised as already met"
            if not share
            else "the prior learning comes to less than one off-the-job hour"
            if not wanted_hours
            else "a minimum stops it"
        )
        sentences.append(f"Prior learning recognised: no — no off-the-job hours removed ({why}).")
    sentences.extend(limit.sentence for limit in limits)
    return ApprenticeshipFunding(
        profile=profile,
        recognised=removed > 0,
        off_the_job_hours=hours,
        hours_removed=removed,
        off_the_job_after=hours - removed,
        removed_percent=removed_percent,
        agreed_price=price,
        price_reduction=reduction,
        price_after=price - reduction,
        planned_months=months,
        months_removed=months_removed,
        months_after=months - months_removed,
        limits=tuple(limits),
        sentences=tuple(sentences),
    )


def _entered(value: int | None, field: str, low: int) -> int:
    if value is None:
        raise LedgerError(field, "is needed for an apprenticeship")
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise LedgerError(field, f"must be a whole number of at least {low}, not {value!r}")
    return value


def _limited(
    limits: list[Limit], name: str, planned: int, wanted: int, minimum: int, unit: str
) -> int:
    """How much can be removed from `planned` without going below `minimum`; notes the limit."""
    if planned < minimum:
        limits.append(
            Limit(
                name,
                minimum,
                planned - wanted,
                planned,
                f"Minimum {name} not met before prior learning: {planned} {unit} planned, "
                f"the minimum is {minimum}; nothing can be removed.",
            )
        )
        return 0
    if planned - wanted < minimum:
        limits.append(
            Limit(
                name,
                minimum,
                planned - wanted,
                minimum,
                f"Minimum {name} reached: removing {wanted} {unit} would leave {planned - wanted}, "
                f"below the minimum of {minimum}; {planned - minimum} removed and {minimum} "
                f"remain. An apprenticeship that cannot keep its minimums after prior learning "
                f"may not be eligible for funding: check the funding rules.",
            )
        )
        return planned - minimum
    return wanted


# ---- words, versions and export ------------------------------------------------------------------


def hours_text(hours: Fraction | int) -> str:
    """Hours to one decimal, half up, without a trailing ".0": 14.736... -> "14.7", 40 -> "40"."""
    tenths = floor(Fraction(hours) * 10 + Fraction(1, 2))
    whole, tenth = divmod(tenths, 10)
    return f"{whole}" if not tenth else f"{whole}.{tenth}"


def percent_text(percent: Fraction) -> str:
    return f"{hours_text(percent)}%"


def _version(
    q: Qualification,
    rows: Iterable[LedgerUnit],
    met: Mapping[str, str],
    profile: FundingProfile | None,
    inputs: CentreInputs,
) -> str:
    """A short hash of everything the figures depend on, including the rules' own version."""
    payload = {
        "rules": LEDGER_RULES,
        "qualification": q.code,
        "hours_per_credit": q.hours_per_credit,
        "units": [[r.number, r.credits, r.statements] for r in rows],
        "met": met,
        "profile": None
        if profile is None
        else [
            profile.id,
            profile.kind,
            profile.applies_from.isoformat(),
            profile.price_reduction_share,
            profile.min_duration_months,
            profile.min_off_the_job_hours,
        ],
        "inputs": [inputs.agreed_price, inputs.planned_months, inputs.off_the_job_hours],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _number(hours: Fraction | int) -> float | int:
    """Hours for JSON: whole hours stay whole, others to two decimals."""
    value = Fraction(hours)
    return int(value) if value.denominator == 1 else round(float(value), 2)


def as_record(ledger: Ledger) -> dict[str, Any]:
    """The ledger as plain data for JSON: every figure with the criteria and evidence behind it."""
    funding: dict[str, Any] | None = None
    f = ledger.funding
    if isinstance(f, ProportionFunding):
        funding = {"percent_to_deliver": f.percent, "sentences": [f.sentence]}
    elif isinstance(f, ApprenticeshipFunding):
        funding = {
            "prior_learning_recognised": f.recognised,
            "off_the_job_hours": f.off_the_job_hours,
            "hours_removed": f.hours_removed,
            "off_the_job_after": f.off_the_job_after,
            "removed_percent": _number(f.removed_percent),
            "agreed_price": f.agreed_price,
            "price_reduction_at_least": f.price_reduction,
            "price_at_most": f.price_after,
            "planned_months": f.planned_months,
            "months_removed": f.months_removed,
            "months_after": f.months_after,
            "limits": [
                {"name": x.name, "minimum": x.minimum, "wanted": x.wanted, "applied": x.applied}
                for x in f.limits
            ],
            "sentences": list(f.sentences),
        }
    if f is not None and funding is not None:
        funding = {
            "profile": f.profile.id,
            "title": f.profile.title,
            "source": f.profile.source,
            "applies_from": f.profile.applies_from.isoformat(),
            "kind": f.profile.kind,
            **funding,
        }
    return {
        "version": ledger.version,
        "qualification": ledger.qualification,
        "hours_per_credit": ledger.hours_per_credit,
        "total_hours": ledger.total_hours,
        "hours_covered": _number(ledger.hours_covered),
        "hours_to_deliver": _number(ledger.hours_to_deliver),
        "percent_to_deliver": ledger.percent_to_deliver,
        "sentence": ledger.sentence,
        "inputs": {
            "agreed_price": ledger.inputs.agreed_price,
            "planned_months": ledger.inputs.planned_months,
            "off_the_job_hours": ledger.inputs.off_the_job_hours,
        },
        "units": [
            {
                "unit": u.number,
                "title": u.title,
                "credits": u.credits,
                "hours": u.hours,
                "judged_whole": u.whole,
                "criteria": u.statements,
                "criteria_met": len(u.met),
                "hours_covered": _number(u.hours_covered),
                "hours_to_deliver": _number(u.hours_to_deliver),
                "met": [
                    {"id": m.id, "number": m.number, "text": m.text, "evidence": m.evidence}
                    for m in u.met
                ],
                "outstanding": list(u.outstanding),
                "sentence": u.sentence,
            }
            for u in ledger.units
        ],
        "funding": funding,
    }


def as_rows(ledger: Ledger) -> list[dict[str, Any]]:
    """The ledger as CSV rows, one fact a row, in the learner export's columns (section, item,
    value, detail)."""
    section = f"prior-learning ledger {ledger.version}"
    rows: list[dict[str, Any]] = []

    def row(item: str, value: object, detail: str = "") -> None:
        rows.append({"section": section, "item": item, "value": value, "detail": detail})

    for u in ledger.units:
        row(f"{u.number} criteria met", f"{len(u.met)}/{u.statements}", u.title)
        row(f"{u.number} hours", u.hours, f"{u.credits} credits x {ledger.hours_per_credit}")
        row(f"{u.number} hours covered", _number(u.hours_covered), u.sentence)
        row(f"{u.number} hours to deliver", _number(u.hours_to_deliver))
        for m in u.met:
            row(m.id, "met", f"{m.text} — evidence: {m.evidence}")
    row("total hours", ledger.total_hours)
    row("hours covered", _number(ledger.hours_covered))
    row("hours to deliver", _number(ledger.hours_to_deliver))
    row(
        "percent still to deliver",
        "no adjustment" if ledger.percent_to_deliver is None else ledger.percent_to_deliver,
        ledger.sentence,
    )
    record = as_record(ledger)["funding"]
    if record:
        row("funding profile", record["profile"], f"{record['title']} ({record['source']})")
        for key, value in record.items():
            if key in ("profile", "title", "source", "sentences", "limits"):
                continue
            row(key.replace("_", " "), value)
        for limit in record.get("limits", []):
            row("limit reached", limit["name"], f"minimum {limit['minimum']}")
        for sentence in record["sentences"]:
            row("in words", sentence)
    return rows
