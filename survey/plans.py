"""Plans and contracts in words: the kinds of evidence, and what a learning contract says.

Pure Python: the staff and the learner pages both read a contract through this module, so
both say the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
