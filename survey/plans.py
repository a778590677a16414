"""Plans and contracts in words: assessment-plan rows, and what a learning contract says.

Pure Python: the staff and the learner pages, the audit trail and the exports all read a plan
row or a contract through this module, so all of them say the same thing in the same words.

An assessment-plan row is one planned activity: a real date, a place, what the learner will be
doing, how it will be evidenced, who observes (the assessor or an expert witness), a review date,
and the criteria it will evidence, across units (the seed: "tasks which you do at work which will
produce evidence for more than one unit"). It is planned, then done (with the outcome and the
feedback) or cancelled (with the reason); it is never deleted.

A learning contract covers the units, the responsibilities of learner and assessor, how often
progress is reviewed, the programme's dates and how to appeal. The assessment plan is a living
document beside it: adding or completing rows never makes a signed contract out of date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .centre import Centre, lines
from .content import Qualification, criteria_ranges
from .dates import calendar_day
from .initial_assessment import Conversation, conversation

# (stored code, the words people read), in the order the assessor picks them
EVIDENCE = (
    ("observation", "Observation"),
    ("witness", "Witness testimony"),
    ("discussion", "Professional discussion"),
    ("questioning", "Questioning"),
    ("products", "Products of work"),
    ("simulation", "Simulation"),
)
EVIDENCE_WORDS = dict(EVIDENCE)
OBSERVERS = (("assessor", "The assessor"), ("witness", "An expert witness"))
STATUSES = (("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled"))
STATUS_WORDS = dict(STATUSES)
OUTCOMES = (
    ("met", "Competent: the criteria were shown"),
    ("not-yet", "Not yet competent: plan it again"),
)
OUTCOME_WORDS = {"met": "competent", "not-yet": "not yet competent"}
TEXT_MAX = {  # characters of each free-text part of a row
    "observed_when": 200,
    "observed_where": 200,
    "activity": 2000,
    "witness_name": 120,
    "witness_role": 200,
    "witness_contact": 200,
    "feedback": 4000,
}


@dataclass(frozen=True)
class PlanRow:
    """One activity of the assessment plan, as it is kept (dates as YYYY-MM-DD)."""

    planned_on: str
    observed_where: str
    activity: str
    evidence: tuple[str, ...]
    criteria: tuple[str, ...]  # statement ids, across units ("F1:1.1", "A11:unit")
    observed_when: str = ""  # the time, in words ("morning shift")
    observer: str = "assessor"
    witness_name: str = ""
    witness_role: str = ""  # their job title and how they know the learner
    witness_contact: str = ""
    review_on: str = ""
    status: str = "planned"
    outcome: str = ""
    feedback: str = ""  # after it was done; or why it was cancelled
    completed_on: str = ""

    @property
    def units(self) -> tuple[str, ...]:
        """The units its criteria belong to, in the order first named."""
        return units_of(self.criteria)

    def values(self) -> dict[str, Any]:
        """The row as plain data, to keep and to audit."""
        found = asdict(self)
        found["evidence"] = list(self.evidence)
        found["criteria"] = list(self.criteria)
        found["units"] = list(self.units)
        return found

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PlanRow:
        """A kept row (or an audited one) as a PlanRow; what it lacks takes the default."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in row.items() if k in known and v is not None}
        for name in ("evidence", "criteria"):
            listed = row.get(name) or ()
            if isinstance(listed, str):  # as a table keeps it (an older audit entry has that)
                listed = json.loads(listed or "[]")
            values[name] = tuple(listed)
        values.setdefault("planned_on", "")
        values.setdefault("observed_where", "")
        values.setdefault("activity", "")
        return cls(**values)


def units_of(statement_ids: Iterable[str]) -> tuple[str, ...]:
    """ "F1:1.1", "F2:1.5", "F1:1.3" -> ("F1", "F2"): a statement id starts with its unit."""
    found: dict[str, None] = {}
    for s in statement_ids:
        found.setdefault(s.split(":", 1)[0], None)
    return tuple(found)


def plan_units(q: Qualification, plan: Mapping[str, Any] | None) -> list[str]:
    """The units an assessment plan may cover: the mandatory ones and the confirmed optional
    ones (only the mandatory ones until the learner's units are confirmed)."""
    confirmed = list(plan["units"]) if plan and plan.get("confirmed_at") else []
    return [u.number for u in q.mandatory_units] + [n for n in confirmed if q.unit(n)]


def row_problems(q: Qualification, row: PlanRow, units: Sequence[str]) -> dict[str, str]:
    """What is wrong with a row, by the field to say it at; {} when it can be kept.

    `units` are the units this learner's plan may cover (plan_units). Every way a row is made
    goes through here: the plan page, and anything that puts activities into the plan.
    """
    problems: dict[str, str] = {}
    if not row.criteria:
        problems["criteria"] = "Pick the criteria this activity will evidence."
    else:
        outside = [u for u in row.units if u not in units]
        # a unit's criteria, or for a unit still awaiting them its unit-level statement
        known = {s.id for n in units if (u := q.unit(n)) for s in u.statements()}
        unknown = [s for s in row.criteria if s not in known and units_of([s])[0] in units]
        if outside:
            problems["criteria"] = (
                f"Not among this learner's confirmed units: {', '.join(outside)}."
            )
        elif unknown:
            problems["criteria"] = f"Not criteria of these units: {', '.join(unknown)}."
    if not row.evidence:
        problems["evidence"] = "Pick at least one kind."
    elif set(row.evidence) - set(EVIDENCE_WORDS):
        problems["evidence"] = "Pick the kinds of evidence from the list."
    elif "simulation" in row.evidence:
        real_work_only = [
            n
            for n in row.units
            if (unit := q.unit(n)) is not None and unit.evidence.simulation_allowed is False
        ]
        if real_work_only:
            problems["evidence"] = (
                f"Simulation is not allowed for {', '.join(real_work_only)}: evidence must "
                "come from real work."
            )
    if row.observer not in dict(OBSERVERS):
        problems["observer"] = "Say who observes."
    elif row.observer == "witness":
        if not row.witness_name:
            problems["witness_name"] = "Give the expert witness's name."
        if not row.witness_contact:
            problems["witness_contact"] = "Give a telephone number or email for the witness."
    if row.review_on and row.planned_on and row.review_on < row.planned_on:
        problems["review_on"] = "The review comes on or after the day of the activity."
    if row.status not in STATUS_WORDS:
        problems["status"] = "Choose planned, done or cancelled."
    elif row.status == "done":
        if row.outcome not in OUTCOME_WORDS:
            problems["outcome"] = "Say what the outcome was."
        if not row.feedback:
            problems["feedback"] = "Write the feedback you gave the learner."
        if not row.completed_on:
            problems["completed_on"] = "Say when it was done."
        elif row.planned_on and row.completed_on < row.planned_on:
            problems["completed_on"] = "It cannot be done before the day it was planned for."
    elif row.status == "cancelled" and not row.feedback:
        problems["feedback"] = "Say why it was cancelled."
    for name, limit in TEXT_MAX.items():
        if len(getattr(row, name)) > limit:
            problems[name] = f"Keep it under {limit} characters."
    return problems


class PlanRowInvalid(ValueError):
    """A row that cannot be kept; `problems` says why, by field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


def checked_row(q: Qualification, row: PlanRow, units: Sequence[str]) -> PlanRow:
    """The row if it can be kept, else PlanRowInvalid (for callers other than the form)."""
    problems = row_problems(q, row, units)
    if problems:
        raise PlanRowInvalid(problems)
    return row


# ---- rows in words ------------------------------------------------------------------------


def criteria_words(q: Qualification, statement_ids: Iterable[str]) -> str:
    """ "F1 1.1, 1.3–1.5; F2 1.5; A11 as a whole", in the order the units come."""
    by_unit: dict[str, list[str]] = {}
    for s in statement_ids:
        unit_number, _, number = s.partition(":")
        by_unit.setdefault(unit_number, []).append(number)
    parts = []
    for number, criteria in by_unit.items():
        unit = q.unit(number)
        if "unit" in criteria:
            parts.append(f"{number} as a whole")
        elif unit is not None and unit.criteria:
            parts.append(f"{number} {criteria_ranges(unit, criteria)}")
        else:
            parts.append(f"{number} {', '.join(criteria)}")
    return "; ".join(parts)


def evidence_words(kinds: Iterable[str]) -> str:
    return ", ".join(EVIDENCE_WORDS.get(k, k) for k in kinds).lower()


def observer_words(row: PlanRow) -> str:
    if row.observer == "witness":
        return f"{row.witness_name} (expert witness)" if row.witness_name else "an expert witness"
    return "the assessor"


def row_sentence(q: Qualification, row: PlanRow | Mapping[str, Any]) -> str:
    """A plan row in one sentence, as the audit trail and the exports say it."""
    r = row if isinstance(row, PlanRow) else PlanRow.from_row(row)
    when = calendar_day(r.planned_on) or "No date yet"
    if r.observed_when:
        when += f" ({r.observed_when})"
    parts = [f"{when}, {r.observed_where}: {r.activity}."]
    parts.append(f"Observed by {observer_words(r)}.")
    if r.evidence:
        parts.append(f"Evidence: {evidence_words(r.evidence)}.")
    if r.criteria:
        parts.append(f"Criteria: {criteria_words(q, r.criteria)}.")
    elif isinstance(row, Mapping) and row.get("units"):  # a row kept before criteria were named
        units = row["units"] if isinstance(row["units"], list) else json.loads(row["units"])
        parts.append(f"Units: {', '.join(units)} (criteria not named yet).")
    if r.review_on:
        parts.append(f"Review on {calendar_day(r.review_on)}.")
    if r.status == "done":
        outcome = OUTCOME_WORDS.get(r.outcome, r.outcome)
        parts.append(f"Done on {calendar_day(r.completed_on)}: {outcome}.")
        if r.feedback:
            parts.append(f"Feedback: {r.feedback}")
    elif r.status == "cancelled":
        parts.append(f"Cancelled: {r.feedback}" if r.feedback else "Cancelled.")
    return " ".join(parts)


_CHANGE_WORDS = {
    "planned_on": "date",
    "observed_when": "time",
    "observed_where": "place",
    "activity": "activity",
    "evidence": "evidence",
    "criteria": "criteria",
    "observer": "observed by",
    "witness_name": "witness",
    "witness_role": "witness's role",
    "witness_contact": "witness's contact details",
    "review_on": "review date",
    "status": "status",
    "outcome": "outcome",
    "feedback": "feedback",
    "completed_on": "done on",
}


def row_changes(q: Qualification, before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """What an edit changed, in words: "status: planned → done; outcome: competent"."""
    old, new = PlanRow.from_row(before), PlanRow.from_row(after)
    said = []
    for name, words in _CHANGE_WORDS.items():
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        said.append(f"{words}: {_value_words(q, name, a, old)} → {_value_words(q, name, b, new)}")
    return "; ".join(said) or "nothing changed"


def _value_words(q: Qualification, name: str, value: Any, row: PlanRow) -> str:
    if value in ("", (), None):
        return "none"
    if name.endswith("_on"):
        return calendar_day(value)
    if name == "evidence":
        return evidence_words(value)
    if name == "criteria":
        return criteria_words(q, value)
    if name == "observer":
        return "expert witness" if value == "witness" else "assessor"
    if name == "status":
        return STATUS_WORDS.get(value, value).lower()
    if name == "outcome":
        return OUTCOME_WORDS.get(value, value)
    return f"“{value}”"


# ---- the learning contract ------------------------------------------------------------------

# parts of a contract that are the agreement itself: a change to any needs a new version,
# signed again. The centre's standard wording is a note, not a reason to sign again.
BINDING = {"qualification": "the qualification", "units": "the units", "programme": "the dates"}
WORDING = {
    "reviews": "how often reviews happen",
    "responsibilities": "the responsibilities",
    "appeals": "how to appeal",
}


def contract_terms(
    q: Qualification,
    plan: Mapping[str, Any] | None,
    learner: Mapping[str, Any],
    centre: Centre,
) -> dict[str, Any] | None:
    """What a contract says: the confirmed units, the programme's dates and the centre's
    wording; None before the units are confirmed."""
    if not plan or not plan["confirmed_at"]:
        return None
    units = [u.number for u in q.mandatory_units] + list(plan["units"])
    return {
        "qualification": f"{q.title} ({q.code})",
        "learner": learner["name"],
        "centre": centre.title,
        "units": [
            {"number": n, "title": u.title, "credits": u.credits} for n in units if (u := q.unit(n))
        ],
        "programme": {
            "start": learner.get("start_on") or "",
            "planned_end": learner.get("planned_end_on") or "",
        },
        "reviews": centre.review_frequency.strip(),
        "responsibilities": {
            "learner": lines(centre.learner_responsibilities),
            "assessor": lines(centre.assessor_responsibilities),
        },
        "appeals": centre.appeals.strip(),
    }


@dataclass(frozen=True)
class ContractChanges:
    """How a contract version differs from what it would say now."""

    binding: tuple[str, ...] = ()  # in words: a new version must be prepared and signed
    wording: tuple[str, ...] = ()  # the centre's wording moved on: a new version may be

    @property
    def current(self) -> bool:
        return not self.binding


def contract_changes(
    content: Mapping[str, Any] | None, terms: Mapping[str, Any] | None
) -> ContractChanges:
    """Compare a version's content with what a contract would say now.

    Only parts both have are compared: a version prepared by an older release (which listed
    the assessment plan's rows and had no dates) stays current until its units change.
    """
    if not content or not terms:
        return ContractChanges()
    kept = _plain(content)
    now = _plain(terms)
    binding = tuple(w for k, w in BINDING.items() if k in kept and k in now and kept[k] != now[k])
    wording = tuple(w for k, w in WORDING.items() if k in kept and k in now and kept[k] != now[k])
    return ContractChanges(binding, wording)


def _plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """Lists and tuples alike, as a contract read back from JSON has them."""

    def plain(v: Any) -> Any:
        if isinstance(v, Mapping):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        return v

    return plain(value)


def cannot_prepare(
    terms: Mapping[str, Any] | None, talk: Conversation, learner: Mapping[str, Any]
) -> list[str]:
    """Why the learning contract cannot be prepared yet, in words; [] when it can."""
    reasons = []
    if terms is None:
        reasons.append("Confirm the learner's units first: a contract covers the confirmed units.")
    if talk.missing:
        reasons.append(
            "Finish the initial-assessment conversation on the learner's record first: "
            + "; ".join(i.words.lower() for i in talk.missing)
            + "."
        )
    if not learner.get("start_on") or not learner.get("planned_end_on"):
        reasons.append(
            "Enter the programme's start and planned end dates on the learner's record first."
        )
    return reasons


def names_match(typed: str, on_record: str) -> bool:
    """A signature's typed name is the name on record, whatever the case and spacing."""
    return " ".join(typed.split()).casefold() == " ".join(on_record.split()).casefold() != ""


def signed_by_both(contract: Mapping[str, Any] | None) -> str | None:
    """The day a contract was signed by the second of the two, if both have signed."""
    if (
        not contract
        or not contract.get("learner_signed_at")
        or not contract.get("assessor_signed_at")
    ):
        return None
    return max(contract["learner_signed_at"], contract["assessor_signed_at"])


@dataclass(frozen=True)
class ContractState:
    """Where a learner's contract stands: what it would say now (`terms`, None before the
    units are confirmed), the latest version, how that differs, and the conversation (its last
    point ticked once both have signed a version that still stands)."""

    terms: dict[str, Any] | None
    current: Mapping[str, Any] | None
    changes: ContractChanges
    talk: Conversation


def contract_state(
    q: Qualification,
    plan: Mapping[str, Any] | None,
    contracts: Sequence[Mapping[str, Any]],
    checklist: Mapping[str, Mapping[str, Any]],
    learner: Mapping[str, Any],
    centre: Centre,
) -> ContractState:
    terms = contract_terms(q, plan, learner, centre)
    current = contracts[-1] if contracts else None
    changes = contract_changes(current["content"] if current else None, terms)
    talk = conversation(checklist, signed_by_both(current) if changes.current else None)
    return ContractState(terms, current, changes, talk)


@dataclass(frozen=True)
class Step:
    """One step of "what happens next", as the learner's own record stands."""

    key: str  # answer, units, contract, work
    state: str  # done, now, later
    words: str
    detail: str = ""
    when: str | None = None  # ISO time it was done, shown in the centre's time zone
    link: str = ""  # "contract" when the learner has something to do there


def next_steps(
    submitted_at: str | None,
    confirmed_at: str | None,
    contract: Mapping[str, Any] | None,
    contract_current: bool,
) -> tuple[Step, ...]:
    """Answering → sent → plan confirmed → contract to sign → contract signed, in steps.

    `contract` is the latest version (or None); `contract_current` says whether it still
    matches the confirmed plan and assessment plan.
    """
    sent, confirmed = bool(submitted_at), bool(confirmed_at)
    answer = Step(
        "answer",
        "done" if sent else "now",
        "You sent your answers" if sent else "Answer the questions and send them",
        when=submitted_at,
    )
    if not sent:
        units = Step(
            "units", "later", "Your assessor talks it through with you and confirms your units"
        )
    else:
        units = Step(
            "units",
            "done" if confirmed else "now",
            "Your assessor confirmed your units"
            if confirmed
            else "Your assessor talks it through with you and confirms your units",
            when=confirmed_at,
        )
    signed = bool(confirmed and contract and contract_current and contract["learner_signed_at"])
    words = "Sign your learning contract"
    if not confirmed:
        contract_step = Step("contract", "later", words)
    elif signed:
        assert contract is not None
        contract_step = Step(
            "contract",
            "done",
            "You signed your learning contract",
            when=contract["learner_signed_at"],
        )
    elif contract is None:
        contract_step = Step("contract", "now", words, "Your assessor is preparing it.")
    elif not contract_current:
        contract_step = Step(
            "contract",
            "now",
            words,
            "Your assessor is updating it. You can sign it once it is ready.",
        )
    else:
        contract_step = Step(
            "contract", "now", words, "It is ready: read it and sign it.", link="contract"
        )
    work = Step(
        "work",
        "now" if signed else "later",
        "Show your skills at work, as your assessment plan says",
        "Your assessor will watch you at work and look at what you do." if signed else "",
    )
    return (answer, units, contract_step, work)
