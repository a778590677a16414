"""The learner's workplace: who speaks for it, what it is asked, and how its view is read.

Pure Python (no Flask, no database). A workplace contact (a line manager, supervisor or
colleague) confirms or corrects the learner's answers about their job and rates the learner's
"I can" claims on a scale in their own words; a witness only writes testimonies. The job's
answer counts where the workplace gave one (NVQ evidence comes from the real job), and a claim
the learner and the workplace see differently is flagged with what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from .content import ANSWERS, Qualification, Statement
from .evidence_plan import job_answers, listing, suggest_activities
from .scoring import CONFIDENT

# (stored code, the words on the assessor's form), most senior first: where two contacts
# answer the same job question, the more senior one's answer is the workplace's
RELATIONSHIPS = (
    ("line-manager", "Line manager"),
    ("supervisor", "Supervisor"),
    ("colleague", "Colleague"),
)
RELATIONSHIP_WORDS = dict(RELATIONSHIPS)
# how the learner's own pages speak of them ("your manager confirms …")
SPOKEN = {
    "line-manager": "your manager",
    "supervisor": "your supervisor",
    "colleague": "your colleague",
}

CONTACT_ROLES = (
    ("workplace", "Job, claims, testimonies and the employer’s signature"),
    ("witness", "Writes witness testimonies only"),
)
ROLE_WORDS = dict(CONTACT_ROLES)

# the contact's scale for a claim, in their own words; the staff pages use the short words
SEEN, PARTLY, NOT_YET, NO_CHANCE = "seen", "partly", "not-yet", "no-chance"
SCALE = (
    (SEEN, "I have seen this"),
    (PARTLY, "Partly"),
    (NOT_YET, "Not yet"),
    (NO_CHANCE, "Not had the chance to see"),
)
SCALE_VALUES = tuple(v for v, _ in SCALE)
SHORT_WORDS = {SEEN: "Seen", PARTLY: "Partly", NOT_YET: "Not yet", NO_CHANCE: "Not had the chance"}
# for the cohort heat map, beside the learner's 0-3: "not had the chance" is no rating at all
AS_NUMBER = {NOT_YET: 0, PARTLY: 1, SEEN: 2}

NOTE_MAX = 500  # characters of a note on one claim
LINK_DAYS = 90  # a contact's link works this long after it is made or reissued (a setting)


def link_state(contact: Mapping[str, Any], now: datetime) -> str:
    """ "works", or why the contact's link no longer does: "revoked", "expired", "erased"."""
    if contact.get("erased_at"):
        return "erased"
    if contact.get("revoked_at"):
        return "revoked"
    if contact.get("learner_archived_at"):
        return "revoked"  # an archived learner's links all stop
    expires = datetime.fromisoformat(str(contact["expires_at"]))
    return "works" if now < expires else "expired"


def describe_contact(contact: Mapping[str, Any]) -> str:
    """ "Pat Manager (line manager)", or the relationship alone once their details are erased."""
    relationship = RELATIONSHIP_WORDS.get(str(contact.get("relationship")), "Workplace contact")
    if not contact.get("name"):
        return f"{relationship} (details erased)"
    return f"{contact['name']} ({relationship.lower()})"


# ---- what a contact is asked ------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimsPage:
    """One page of the learner's claims for a contact to rate: one unit, or the units still
    rated as a whole; `sections` are (heading, statements) in the unit's order."""

    key: str  # a unit number, or "units"
    title: str
    sections: tuple[tuple[str, tuple[Statement, ...]], ...]

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for _, group in self.sections for s in group)


WHOLE_UNITS = "units"  # the key of the page of units still rated through one statement


def claims_pages(q: Qualification, plan_units: Iterable[str]) -> tuple[ClaimsPage, ...]:
    """The claims a contact rates: the mandatory units and the units in the plan.

    A unit with criteria: one page of its performance criteria, under their outcomes (what the
    learner knows is checked by the assessor in discussion, never "seen" at work). Units still
    awaiting criteria: one page of their unit statements together.
    """
    mandatory = [u.number for u in q.mandatory_units]
    wanted = set(mandatory) | set(plan_units)
    pages: list[ClaimsPage] = []
    whole: list[Statement] = []
    for unit in q.units:
        if unit.number not in wanted:
            continue
        if unit.awaiting_criteria:
            whole.append(unit.summary_statement)
            continue
        by_id = {s.id: s for s in unit.statements()}
        sections = tuple(
            (o.title, tuple(by_id[c.id] for c in o.criteria if c.kind == "performance"))
            for o in unit.outcomes
        )
        sections = tuple((h, group) for h, group in sections if group)
        if sections:
            pages.append(ClaimsPage(unit.number, f"{unit.number} {unit.title}", sections))
    if whole:
        pages.append(ClaimsPage(WHOLE_UNITS, "Other units in the plan", (("", tuple(whole)),)))
    return tuple(pages)


def claims_page(pages: Sequence[ClaimsPage], key: str) -> int | None:
    return next((i for i, p in enumerate(pages) if p.key == key), None)


# ---- the workplace's view, as the assessor and the planner read it ----------------------------


def _rank(contact: Mapping[str, Any]) -> tuple[int, int]:
    order = [code for code, _ in RELATIONSHIPS]
    relationship = str(contact.get("relationship"))
    return (order.index(relationship) if relationship in order else len(order), -int(contact["id"]))


def answering(contacts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The contacts who speak for the workplace (not witnesses only), most senior first."""
    return sorted((c for c in contacts if c.get("role") == "workplace"), key=_rank)


@dataclass(frozen=True)
class WorkplaceJob:
    """The workplace's answers about the learner's job, and who gave them."""

    answers: Mapping[str, str]  # context id -> yes, sometimes or no
    given_by: Mapping[str, str]  # context id -> the contact's relationship
    by: str  # how the learner's pages speak of whoever answered most: "your manager"

    def over(self, learner: Mapping[str, str]) -> dict[str, str]:
        """The job's answers: the workplace's where it gave one, else the learner's."""
        return job_answers(learner, self.answers)


def workplace_job(
    contacts: Iterable[Mapping[str, Any]], contexts: Mapping[int, Mapping[str, str]]
) -> WorkplaceJob:
    """Per job question, the most senior contact's answer (line manager, then supervisor, then
    colleague; the latest invited among equals)."""
    answers: dict[str, str] = {}
    given_by: dict[str, str] = {}
    for contact in answering(contacts):
        for context_id, answer in contexts.get(int(contact["id"]), {}).items():
            if answer in ANSWERS and context_id not in answers:
                answers[context_id] = answer
                given_by[context_id] = str(contact["relationship"])
    counts: dict[str, int] = {}
    for relationship in given_by.values():
        counts[relationship] = counts.get(relationship, 0) + 1
    most = max(counts, key=lambda r: counts[r]) if counts else ""
    return WorkplaceJob(answers, given_by, SPOKEN.get(most, ""))


class WorkplaceRating(NamedTuple):
    """One contact's view of one claim."""

    who: str  # describe_contact()
    value: str | None  # a SCALE value, or None for a note alone
    label: str
    note: str


def ratings_by_statement(
    contacts: Iterable[Mapping[str, Any]],
    ratings: Mapping[int, Mapping[str, tuple[str | None, str]]],
) -> dict[str, tuple[WorkplaceRating, ...]]:
    """Statement id -> each answering contact's rating and note, most senior first."""
    found: dict[str, list[WorkplaceRating]] = {}
    for contact in answering(contacts):
        who = describe_contact(contact)
        for statement_id, (value, note) in ratings.get(int(contact["id"]), {}).items():
            if value is None and not note:
                continue
            label = SHORT_WORDS.get(value or "", "No rating")
            found.setdefault(statement_id, []).append(WorkplaceRating(who, value, label, note))
    return {k: tuple(v) for k, v in found.items()}


OBSERVE = "observe"
TALK = "talk"
FLAG_WORDS = {
    OBSERVE: "Plan an observation",
    TALK: "Confidence, not competence: talk it through",
}
FLAG_WHY = {
    OBSERVE: "The learner says they can, but the workplace has not seen it yet.",
    TALK: "The workplace has seen it, but the learner is unsure.",
}


def workplace_flag(learner: int | None, workplace: Iterable[str | None]) -> str:
    """What to do when the learner and the workplace see a claim differently, or "".

    The learner says "on my own" or better but the workplace says "not yet" or "not had the
    chance to see": plan an observation. The workplace has seen it but the learner rates it
    "not yet" or "with help": confidence, not competence, so talk it through.
    """
    values = [w for w in workplace if w]
    if learner is None or not values:
        return ""
    if learner >= CONFIDENT and any(w in (NOT_YET, NO_CHANCE) for w in values):
        return OBSERVE
    if learner < CONFIDENT and SEEN in values:
        return TALK
    return ""


class JobRow(NamedTuple):
    """One job question as the learner and the workplace answered it."""

    question: str
    label: str
    learner: str  # yes, sometimes, no, or "" if not answered
    workplace: tuple[tuple[str, str], ...]  # (who, answer)
    differs: bool


def job_comparison(
    q: Qualification,
    learner: Mapping[str, str],
    contacts: Iterable[Mapping[str, Any]],
    contexts: Mapping[int, Mapping[str, str]],
) -> tuple[JobRow, ...]:
    """Every job question the workplace answered, beside the learner's answer."""
    people = answering(contacts)
    rows = []
    for c in q.contexts:
        given = tuple(
            (describe_contact(p), a)
            for p in people
            if (a := contexts.get(int(p["id"]), {}).get(c.id)) in ANSWERS
        )
        if not given:
            continue
        mine = learner.get(c.id, "")
        rows.append(JobRow(c.question, c.label, mine, given, any(a != mine for _, a in given)))
    return tuple(rows)


def cohort_numbers(
    rows: Iterable[Mapping[str, Any]],
) -> dict[int, dict[str, int]]:
    """Learner id -> statement id -> the workplace's rating as a number (not yet 0, partly 1,
    seen 2), from the most senior contact who gave one; rows carry learner_id, id (the
    contact's), relationship, role, statement_id and rating."""
    result: dict[int, dict[str, int]] = {}
    ranked = sorted(
        (r for r in rows if r.get("role") == "workplace" and r.get("rating") in AS_NUMBER),
        key=_rank,
    )
    for r in ranked:
        result.setdefault(int(r["learner_id"]), {}).setdefault(
            str(r["statement_id"]), AS_NUMBER[str(r["rating"])]
        )
    return result


# ---- flagged claims into the assessment plan ------------------------------------------------


@dataclass(frozen=True)
class ProposedObservation:
    """An assessment plan row to propose for claims the workplace has not yet seen."""

    units: tuple[str, ...]
    criteria: tuple[str, ...]  # statement ids
    activity: str
    evidence: tuple[str, ...] = ("observation",)


def proposed_observations(
    q: Qualification,
    flagged: Iterable[str],
    answers: Mapping[str, str],
    workplace: Mapping[str, str] | None = None,
) -> tuple[ProposedObservation, ...]:
    """Rows that observe every flagged claim: the fewest workplace activities that show them
    (survey/evidence_plan.py), then one observation per unit for what no activity shows."""
    wanted = [s for s in dict.fromkeys(flagged) if q.statement(s) is not None]
    if not wanted:
        return ()
    units = list(dict.fromkeys(s.partition(":")[0] for s in wanted))
    chosen = set(wanted)
    observable = [
        s.id for n in units if (u := q.unit(n)) for s in u.statements() if s.kind == "performance"
    ]
    met = [s for s in observable if s not in chosen]
    plan = suggest_activities(q, units, answers, workplace, met)
    rows = [ProposedObservation(a.units, a.statements, a.sentence) for a in plan.activities]
    seen = {s for a in plan.activities for s in a.statements}
    left: dict[str, list[str]] = {}
    for s in wanted:
        if s not in seen:
            left.setdefault(s.partition(":")[0], []).append(s)
    for unit, statements in left.items():
        text = listing(q, statements)[0]
        rows.append(ProposedObservation((unit,), tuple(statements), f"Observe at work: {text}"))
    return tuple(rows)


# an observation added from the gap report is arranged with the workplace afterwards
OBSERVE_WHEN = "To arrange with the workplace"
OBSERVE_WHERE = "At work"


def observation_row(rows: Sequence[ProposedObservation]) -> dict[str, Any]:
    """One assessment plan row observing what `rows` propose (one proposal as a rule; more if
    the workplace's answers moved the criteria between activities since the page was shown),
    its activity naming the criteria; to be arranged with the workplace."""
    return {
        "units": list(dict.fromkeys(u for r in rows for u in r.units)),
        "observed_when": OBSERVE_WHEN,
        "observed_where": OBSERVE_WHERE,
        "activity": "; then ".join(r.activity for r in rows),
        "evidence": ["observation"],
    }
