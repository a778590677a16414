"""The centre: its details, and the standard wording of its learning contracts.

Pure Python. The details go into each learner's portfolio introduction; the wording into each
learning contract. A centre changes both on its Centre page; until it does, the wording below
(the seed's own lists of what an assessor and a learner do) stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

ASSESSOR_DOES = (
    "Help you plan and organise your workload and evidence",
    "Give you feedback and advice after each assessment",
    "Observe you carrying out your job over a period of time",
    "Ask you questions about the work you do",
    "Examine your portfolio of evidence",
    "Judge when you are competent and meet the national standards",
)
LEARNER_DOES = (
    "Collect your evidence and build your portfolio, and keep it safe",
    "Let your supervisor or manager know when you are to be assessed",
    "Make sure that all the work you hand in is your own",
    "Meet your assessor at each review and keep your assessment plan up to date",
)
REVIEWS = "Every 4 to 6 weeks, and after each assessment"
APPEALS = (
    "If you disagree with an assessment decision, talk to your assessor first. If you still "
    "disagree, ask the centre to have the decision looked at by an internal verifier, who will "
    "answer you in writing. If you are still not satisfied, the centre's appeals procedure takes "
    "it further, and then the awarding body."
)


@dataclass(frozen=True)
class Centre:
    """What the centre has entered; every field may still be empty but the contract's wording."""

    name: str = ""
    number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    contact: str = ""  # who to contact at the centre (a name, or a role)
    review_frequency: str = REVIEWS
    assessor_responsibilities: str = "\n".join(ASSESSOR_DOES)
    learner_responsibilities: str = "\n".join(LEARNER_DOES)
    appeals: str = APPEALS

    @classmethod
    def from_settings(cls, saved: Mapping[str, str]) -> Centre:
        """The centre as saved (field name -> text); what was never saved keeps its default."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in saved.items() if k in known})

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def title(self) -> str:
        """ "Northgate Training (centre 12345)", or what there is of it."""
        if self.name and self.number:
            return f"{self.name} (centre {self.number})"
        return self.name or (f"Centre {self.number}" if self.number else "")


DETAILS = ("name", "number", "address", "phone", "email", "contact")
WORDING = ("review_frequency", "assessor_responsibilities", "learner_responsibilities", "appeals")


def lines(text: str) -> list[str]:
    """A list as typed, one item a line, blank lines and stray spaces left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]
