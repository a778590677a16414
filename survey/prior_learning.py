"""A learner's prior-learning ledger and suggested evidence, from what is kept about them.

The ledger (ledger.py) and the suggestion (evidence_plan.py) are pure calculations; this module
feeds them a learner's record: the confirmed units, the assessor's ratings with the evidence
named, the funding profile and the centre's figures, and the assessor's decision. Only what the
assessor confirmed counts (`ledger.confirmed_met`). Pure Python: no Flask, no database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import evidence_plan, ledger
from .content import FundingProfile, Qualification
from .evidence_plan import Discussion, EvidencePlan, SuggestedActivity
from .ledger import COULD_SHOW_EVIDENCE, CentreInputs, Ledger, LedgerError
from .plans import PlanRow
from .workplace import workplace_job

DECISIONS = ("accepted", "no-reduction")
EVIDENCE_MAX = 500  # characters of the evidence named for one criterion
REASON_MAX = 2000  # characters of a reason


def plan_units(q: Qualification, plan: Mapping[str, Any] | None) -> list[str]:
    """The units of a confirmed plan (mandatory and optional); none before confirmation."""
    if not plan or not plan.get("confirmed_at"):
        return []
    return [u.number for u in q.mandatory_units] + list(plan["units"])


def rated_statements(
    q: Qualification, units: Iterable[str], assessor_ratings: Mapping[str, int]
) -> list[str]:
    """Statements of the units the assessor rated "could show evidence now", in order: the ones
    whose evidence the assessor names for them to count."""
    return [
        s.id
        for u in q.units_named(units)
        for s in u.statements()
        if assessor_ratings.get(s.id) == COULD_SHOW_EVIDENCE
    ]


def funding_choice(
    q: Qualification, funding: Mapping[str, Any] | None
) -> tuple[FundingProfile | None, CentreInputs]:
    """The funding profile chosen for the learner (one the qualification names) and the
    centre's figures."""
    if not funding:
        return None, CentreInputs()
    return q.funding_profile(funding["profile"] or ""), CentreInputs(
        agreed_price=funding["agreed_price"],
        planned_months=funding["planned_months"],
        off_the_job_hours=funding["off_the_job_hours"],
    )


@dataclass(frozen=True)
class LearnerLedger:
    ledger: Ledger  # the figures from everything the assessor confirmed
    profile: FundingProfile | None
    missing: str  # why the profile's figures cannot be worked out yet ("" when they can)
    met: dict[str, str]  # statement id -> evidence: what counts


def learner_ledger(
    q: Qualification,
    units: Sequence[str],
    assessor_ratings: Mapping[str, int],
    evidence: Mapping[str, str],
    funding: Mapping[str, Any] | None,
) -> LearnerLedger:
    """The ledger for the learner's confirmed units, with the chosen funding profile when the
    centre has entered what it needs."""
    met = ledger.confirmed_met(q, assessor_ratings, evidence)
    profile, inputs = funding_choice(q, funding)
    try:
        figures = ledger.build_ledger(q, units, met, profile, inputs)
        missing = ""
    except LedgerError as e:
        figures = ledger.build_ledger(q, units, met, None, inputs)
        # only an apprenticeship asks for the centre's figures
        missing = f"The apprenticeship figures need the {FIELD_WORDS[e.field]}: enter it below."
    return LearnerLedger(figures, profile, missing, met)


FIELD_WORDS = {
    "agreed_price": "agreed price",
    "planned_months": "planned duration",
    "off_the_job_hours": "off-the-job hours",
}


def decided_figures(
    q: Qualification,
    units: Sequence[str],
    current: LearnerLedger,
    decision: str,
    unit_reasons: Mapping[str, str],
) -> Ledger:
    """The figures that follow from the assessor's decision: prior learning in a unit given a
    reason (or, for "no-reduction", in every unit) does not reduce the content."""
    if decision == "no-reduction":
        kept: dict[str, str] = {}
    else:
        kept = {s: e for s, e in current.met.items() if s.partition(":")[0] not in unit_reasons}
    try:
        return ledger.build_ledger(q, units, kept, current.profile, current.ledger.inputs)
    except LedgerError:
        return ledger.build_ledger(q, units, kept, None, current.ledger.inputs)


def units_with_prior_learning(figures: Ledger) -> list[str]:
    return [u.number for u in figures.units if u.met]


# ---- suggested evidence ---------------------------------------------------------------------


def suggestions(
    q: Qualification,
    units: Sequence[str],
    contexts: Mapping[str, str],
    met: Mapping[str, str],
    workplace: Mapping[str, str] | None = None,
) -> EvidencePlan:
    """The fewest observations for the learner's confirmed units (`workplace`: the job contexts
    the workplace confirmed, when it has)."""
    return evidence_plan.suggest_activities(q, units, contexts, workplace, met)


Suggestion = SuggestedActivity | Discussion
METHOD_EVIDENCE = {"observation": "observation", "professional discussion": "discussion"}


def by_unit(q: Qualification, statements: Sequence[str]) -> list[tuple[str, str, str]]:
    """(unit, its title, its criteria in words) for the statements a suggestion evidences."""
    parts: dict[str, list[str]] = {}
    for s in statements:
        parts.setdefault(s.partition(":")[0], []).append(s)
    result = []
    for number, ids in parts.items():
        unit = q.unit(number)
        title = unit.title if unit else ""
        words = (
            "the unit as a whole"
            if ids[0].endswith(":unit")
            else evidence_plan.listing(q, ids)[0].removeprefix(number + " ")
        )
        result.append((number, title, words))
    return result


def suggestion_id(item: Suggestion) -> str:
    """A suggestion's name in a form: the activity's id, or "discussion-<unit>"."""
    return item.id if isinstance(item, SuggestedActivity) else f"discussion-{item.unit}"


def find_suggestion(plan: EvidencePlan, wanted: str) -> Suggestion | None:
    items: list[Suggestion] = [*plan.activities, *plan.discussions]
    return next((i for i in items if suggestion_id(i) == wanted), None)


def suggestion_key(item: Suggestion) -> str:
    """The plan row's one-time key: the same suggestion taken twice (a double tap, a second
    tab) adds one row; once its criteria change it is a new suggestion."""
    text = suggestion_id(item) + "|" + " ".join(item.statements)
    return "suggested-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def plan_row(item: Suggestion) -> PlanRow:
    """The assessment plan row a suggestion becomes: an ordinary row with the criteria it
    evidences mapped (the date, place and observer are agreed later on the row)."""
    return PlanRow(
        planned_on="",
        observed_when="To be agreed",
        observed_where="At work" if isinstance(item, SuggestedActivity) else "To be agreed",
        activity=item.sentence,
        evidence=(METHOD_EVIDENCE.get(item.method, item.method),),
        criteria=tuple(item.statements),
    )


# ---- the learner's record -------------------------------------------------------------------


def _from_record(
    q: Qualification, record: Mapping[str, Any]
) -> tuple[list[str], Mapping[str, Any], LearnerLedger, EvidencePlan]:
    units = plan_units(q, record.get("plan"))
    kept = record.get("prior_learning") or {}
    current = learner_ledger(
        q,
        units,
        record.get("assessor_ratings") or {},
        kept.get("evidence") or {},
        kept.get("funding"),
    )
    contacts = record.get("workplace_contacts") or []
    confirmed = workplace_job(contacts, {c["id"]: c["job_contexts"] for c in contacts}).answers
    plan = suggestions(q, units, record.get("job_contexts") or {}, current.met, confirmed)
    return units, kept, current, plan


def record_parts(q: Qualification, record: Mapping[str, Any]) -> dict[str, Any]:
    """The ledger and the suggestion as they stand, for a learner's data export: every figure
    with the criteria and evidence behind it, and every decision taken."""
    units, kept, current, plan = _from_record(q, record)
    return {
        "prior_learning_ledger": {
            "units": units,
            "figures": ledger.as_record(current.ledger),
            "funding_needs": current.missing,
            "decisions": kept.get("decisions") or [],
            "statement": NOT_ADVICE,
        },
        "suggested_evidence": evidence_plan.as_record(plan),
    }


def record_rows(q: Qualification, record: Mapping[str, Any]) -> list[list[object]]:
    """The same as CSV rows: section, item, value, detail, when."""
    units, kept, current, plan = _from_record(q, record)
    rows: list[list[object]] = [
        [r["section"], r["item"], r["value"], r["detail"], ""]
        for r in ledger.as_rows(current.ledger)
    ]
    for d in kept.get("decisions") or []:
        detail = "; ".join(
            filter(None, [d["reason"], *(f"{u}: {r}" for u, r in d["unit_reasons"].items())])
        )
        rows.append(
            [
                "prior-learning decision",
                d["decision"],
                f"figures {d['version']}",
                detail,
                d["decided_at"],
            ]
        )
    rows += [
        [r["section"], r["item"], r["value"], r["detail"], ""] for r in evidence_plan.as_rows(plan)
    ]
    return rows


NOT_ADVICE = (
    "These figures are a calculation for the provider's own decision, not advice: check them "
    "against the funding rules that apply."
)
