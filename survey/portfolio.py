"""The portfolio's introductory section, from a learner's record. Pure Python.

The seed lists what it holds: "your personal and contact details; your centre contact details;
the name and scheme code of your qualification; your OCR candidate number; names and contact
details of staff involved in assessing and verifying your qualification; names and contact
details of witnesses." The staff are the learner's assessor and the internal verifiers who have
sampled their work (until one has, the centre's internal verifiers); the witnesses are the
expert witnesses named in their assessment plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .centre import Centre
from .content import Qualification
from .dates import calendar_day


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # "Assessor", "Internal verifier", or a witness's job title and relationship
    contact: str


@dataclass(frozen=True)
class Introduction:
    learner: tuple[tuple[str, str], ...]  # (what, value), in the order a page shows them
    centre: tuple[tuple[str, str], ...]
    qualification: str
    scheme_code: str
    awarding_body: str
    candidate_number: str
    staff: tuple[Person, ...]
    witnesses: tuple[Person, ...]

    def as_record(self) -> dict[str, Any]:
        return {
            "learner": dict(self.learner),
            "centre": dict(self.centre),
            "qualification": self.qualification,
            "scheme_code": self.scheme_code,
            "awarding_body": self.awarding_body,
            "candidate_number": self.candidate_number,
            "staff": [p.__dict__ for p in self.staff],
            "witnesses": [p.__dict__ for p in self.witnesses],
        }

    def as_rows(self) -> list[list[str]]:
        """(section, item, value) rows for a spreadsheet."""
        rows = [["your details", what, value] for what, value in self.learner]
        rows += [["your centre", what, value] for what, value in self.centre]
        rows += [
            ["qualification", "name", self.qualification],
            ["qualification", "scheme code", self.scheme_code],
            ["qualification", "OCR candidate number", self.candidate_number or "not yet given"],
        ]
        rows += [["assessing and verifying", p.role, f"{p.name}, {p.contact}"] for p in self.staff]
        rows += [["witnesses", p.role, f"{p.name}, {p.contact}"] for p in self.witnesses]
        return rows


def job_words(learner: Mapping[str, Any]) -> str:
    """The learner's job as they or their assessor wrote it."""
    return str(learner.get("job_role_other") or learner.get("job_role") or "")


def introduction(
    q: Qualification,
    learner: Mapping[str, Any],
    centre: Centre,
    assessor: Mapping[str, Any] | None,
    samples: Sequence[Mapping[str, Any]],
    verifiers: Sequence[Mapping[str, Any]],
    plan_rows: Sequence[Mapping[str, Any]],
) -> Introduction:
    """The introductory section. `assessor` and `verifiers` are staff rows (name, email);
    `samples` carry verifier_name and verifier_email; `plan_rows` are the assessment plan's."""
    details = (
        ("Name", str(learner.get("name") or "")),
        ("Job", job_words(learner)),
        ("Email", str(learner.get("email") or "")),
        ("Telephone", str(learner.get("phone") or "")),
        ("Address", str(learner.get("address") or "")),
        ("Employer", str(learner.get("employer") or "")),
        ("Workplace", str(learner.get("workplace") or "")),
        ("Programme starts", calendar_day(learner.get("start_on"))),
        ("Planned end", calendar_day(learner.get("planned_end_on"))),
    )
    centre_details = (
        ("Centre", centre.name),
        ("Centre number", centre.number),
        ("Address", centre.address),
        ("Telephone", centre.phone),
        ("Email", centre.email),
        ("Contact", centre.contact),
    )
    staff = []
    if assessor:
        staff.append(Person(str(assessor["name"]), "Assessor", str(assessor.get("email") or "")))
    seen: dict[str, Person] = {}
    for s in samples:
        name = str(s.get("verifier_name") or "")
        if name and name not in seen:
            seen[name] = Person(name, "Internal verifier", str(s.get("verifier_email") or ""))
    if not seen:  # nobody has sampled this learner yet: the centre's internal verifiers
        for v in verifiers:
            if not v.get("disabled_at"):
                seen[str(v["name"])] = Person(
                    str(v["name"]), "Internal verifier", str(v.get("email") or "")
                )
    staff += seen.values()
    witnesses: dict[str, Person] = {}
    for r in plan_rows:
        if r.get("observer") == "witness" and r.get("witness_name"):
            name = str(r["witness_name"])
            witnesses.setdefault(
                name.casefold(),
                Person(
                    name, str(r.get("witness_role") or "Witness"), str(r.get("witness_contact"))
                ),
            )
    return Introduction(
        details,
        centre_details,
        q.title,
        q.code,
        q.awarding_body,
        str(learner.get("candidate_number") or ""),
        tuple(staff),
        tuple(witnesses.values()),
    )
