"""Plans and contracts in words: the kinds of evidence, and what a learning contract says.

Pure Python: the staff and the learner pages both read a contract through this module, so
both say the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .content import Qualification

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


def contract_terms(
    q: Qualification, plan: Mapping[str, Any] | None, rows: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """What a contract says: the confirmed units and the assessment plan; None before that."""
    if not plan or not plan["confirmed_at"]:
        return None
    units = [u.number for u in q.mandatory_units] + list(plan["units"])
    return {
        "qualification": f"{q.title} ({q.code})",
        "units": [
            {"number": n, "title": u.title, "credits": u.credits} for n in units if (u := q.unit(n))
        ],
        "assessment_plan": [
            {k: r[k] for k in ("units", "observed_when", "observed_where", "activity", "evidence")}
            for r in rows
        ],
    }


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
