"""The audit trail in words: who did it, and what they did, as a person reads it. Pure Python.

The audit table keeps each change as data (actor `staff:2`, action `assessment-plan-row-added`,
before and after as kept). Pages never show that: staff read "Asha Assessor (assessor)" and
"Added to the assessment plan: 14 March 2027, Front desk: …"; the learner reads "Asha Assessor
(your assessor)" and "you". The exports keep the data as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .content import Qualification
from .dates import calendar_day
from .export import answered_statement
from .initial_assessment import item as checklist_item
from .plans import row_changes, row_sentence
from .sampling import DECISION_WORDS, parts_words
from .workplace import SHORT_WORDS

ROLE_WORDS = {"admin": "centre admin", "assessor": "assessor", "verifier": "internal verifier"}
SYSTEM_ACTORS = {
    "cli": "the command line",
    "setup-link": "the setup link",
    "reset-link": "a password reset link",
    "retention": "the retention schedule",
}
RECORD_WORDS = {
    "name": "name",
    "candidate_number": "OCR candidate number",
    "email": "email address",
    "phone": "telephone number",
    "address": "address",
    "employer": "employer",
    "workplace": "workplace",
    "start_on": "start date",
    "planned_end_on": "planned end date",
}
CENTRE_WORDS = {
    "name": "name",
    "number": "centre number",
    "address": "address",
    "phone": "telephone number",
    "email": "email address",
    "contact": "contact",
    "review_frequency": "review frequency",
    "assessor_responsibilities": "assessor's responsibilities",
    "learner_responsibilities": "learner's responsibilities",
    "appeals": "appeals procedure",
}
SIMPLE = {
    "learner-added": "Added as a learner",
    "submitted": "Sent the answers",
    "reopened": "Opened the answers again for changes",
    "link-reissued": "Made a new personal link; the old one stopped working",
    "archived": "Archived",
    "unarchived": "Brought back from the archive",
    "setup-link-made": "Made a new setup link for the first admin; the earlier one stopped",
}


CONTENT_WORDS = {
    "unit-published": "Published",
    "unit-restored": "Restored an earlier version of",
    "qualification-imported": "Imported",
    "qualification-added": "Added",
    "qualification-changed": "Changed",
}


def _staff_id(actor: str) -> int | None:
    kind, _, number = actor.partition(":")
    return int(number) if kind == "staff" and number.isdigit() else None


def who(
    actor: str,
    people: Mapping[int, Mapping[str, Any]],
    learner_name: str = "",
    learner: Mapping[str, Any] | None = None,
) -> str:
    """The person behind an audit entry's actor, named.

    For a learner reading their own record (`learner` given): "you", "Asha Assessor (your
    assessor)"; for staff: "Asha Assessor (assessor)", "Sam Learner (learner)".
    """
    staff_id = _staff_id(actor)
    if staff_id is not None:
        person = people.get(staff_id)
        if person is None:
            return "a former member of staff"
        if learner is not None and learner.get("assessor_id") == staff_id:
            return f"{person['name']} (your assessor)"
        return f"{person['name']} ({ROLE_WORDS.get(person['role'], person['role'])})"
    if actor.startswith("learner:"):
        if learner is not None:
            return "you"
        return f"{learner_name} (learner)" if learner_name else "the learner"
    if actor.startswith("workplace:"):  # a contact with a workplace link
        return "your workplace" if learner is not None else "the learner's workplace"
    return SYSTEM_ACTORS.get(actor, "the centre")


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _quote(text: object) -> str:
    return f"\u201c{text}\u201d"


def describe(
    q: Qualification,
    entry: Mapping[str, Any],
    people: Mapping[int, Mapping[str, Any]],
    you: bool = False,
) -> str:
    """An audit entry in plain words, without who did it (the page says that beside it).

    `you`: the learner is reading their own record ("your units"); else staff ("the units").
    """
    action, subject = entry["action"], entry["subject"] or ""
    before, after = entry["before"], entry["after"]
    your = "your" if you else "the"
    statement = answered_statement(q, subject) if subject else None

    def label(value: Any) -> str:
        if value is None or statement is None or not str(value).isdigit():
            return "no rating" if value is None else str(value)
        labels = q.scales.labels(statement.kind)
        return labels[int(value)] if int(value) < len(labels) else str(value)

    def change(a: Any, b: Any) -> str:
        return f"{label(a)} \u2192 {label(b)}" if a is not None else label(b)

    def person(value: Any) -> str:
        if value is None or not str(value).isdigit():
            return "nobody"
        found = people.get(int(value))
        return str(found["name"]) if found else "a former member of staff"

    if action in ("rating", "self-check-rating", "assessor-rating"):
        text = _quote(statement.text) if statement else subject
        what = {
            "rating": "Rated",
            "self-check-rating": "Self-check: rated",
            "assessor-rating": "Assessor's rating of",
        }[action]
        return f"{what} {text}: {change(before, after)}"
    if action == "job-context":
        context = q.context(subject)
        return f"{context.question if context else subject} {after}"
    if action == "job-role":
        return f"Job: {after or 'not given'}"
    if action == "interest":
        unit = q.unit(subject)
        title = f"{subject} {unit.title}" if unit else subject
        return f"{'Interested in' if after == 'yes' else 'No longer interested in'} {title}"
    if action in ("plan-changed", "plan-confirmed"):
        units = _and(after.split()) if after else "no optional units"
        verb = "Confirmed" if action == "plan-confirmed" else "Changed the planned units"
        return f"{verb} {your} units: {units}" if action == "plan-confirmed" else f"{verb}: {units}"
    if action == "assessment-plan-row-added":
        return f"Added to {your} assessment plan: {row_sentence(q, _json(after))}"
    if action == "assessment-plan-row-changed":
        old = _json(before)
        what = _quote(old.get("activity", ""))
        return f"Changed the plan's {what}: {row_changes(q, old, _json(after))}"
    if action == "assessment-plan-row-removed":
        return f"Removed from {your} assessment plan: {row_sentence(q, _json(before))}"
    if action == "contract-issued":
        return f"Prepared {your} learning contract, {subject}"
    if action.startswith("contract-signed-by-"):
        side = action.rsplit("-", 1)[1]
        return f"Signed {your} learning contract, {subject}, as the {side}: {_quote(after)}"
    if action == "record-changed":
        words = RECORD_WORDS.get(subject, subject.replace("_", " "))
        a, b = (
            (_quote(calendar_day(v) if subject.endswith("_on") else v) if v else "none")
            for v in (before, after)
        )
        return f"Changed {your} {words}: {a} \u2192 {b}"
    if action == "checklist":
        point = checklist_item(subject)
        old, new = _json(before), _json(after)
        said = point.words if point else subject
        if new.get("ticked") and not old.get("ticked"):
            text = f"Initial assessment: ticked {_quote(said)}"
        elif old.get("ticked") and not new.get("ticked"):
            text = f"Initial assessment: unticked {_quote(said)}"
        else:
            text = f"Initial assessment: changed the note on {_quote(said)}"
        if new.get("on"):
            text += f", talked through on {calendar_day(new['on'])}"
        if new.get("notes"):
            text += f". Note: {new['notes']}"
        return text
    if action in ("sampled", "sample-changed"):
        s = _json(after)
        verb = "Sampled" if action == "sampled" else "Changed the sample of"
        decision = DECISION_WORDS.get(s.get("decision", ""), s.get("decision", ""))
        return f"{verb} {parts_words(s.get('parts', []))}. {decision}. {s.get('comment', '')}"
    if action == "assessor-assigned":
        return f"Assessor: {person(before)} \u2192 {person(after)}"
    if action == "self-check-finished":
        return f"Finished a self-check of {subject}"
    if action == "learner-erased":
        return f"Erased {subject} and everything about them"
    if action == "staff-added":
        return f"Added the staff account {subject} ({ROLE_WORDS.get(after or '', after)})"
    if action in ("staff-disabled", "staff-enabled"):
        return (
            f"{'Disabled' if action == 'staff-disabled' else 'Enabled'} {person(subject)}'s account"
        )
    if action == "centre-changed":
        words = CENTRE_WORDS.get(subject, subject.replace("_", " "))
        return f"Changed the centre's {words}: {_quote(after)}"
    if action in WORKPLACE_WORDS:
        return _workplace_entry(q, action, subject, after, your)
    if action in CONTENT_WORDS:  # the content library: subject "03455 B1", after "version 2: note"
        return f"{CONTENT_WORDS[action]} {subject} as {after}"
    if action == "enrolled":
        return f"Enrolled on {after}"
    if action == "qualification-moved":
        return f"Moved from {before} to {after}. Why: {subject}"
    if action == "prior-learning-evidence":
        text = _quote(statement.text) if statement else subject
        return f"Prior learning for {text}: {_quote(after) if after else 'evidence taken away'}"
    if action == "prior-learning-funding":
        figures = _json(after)
        told = [f"{k.replace('_', ' ')} {v}" for k, v in figures.items() if v not in (None, "")]
        return f"Prior-learning funding: {', '.join(told) or 'none'}"
    if action in ("prior-learning-accepted", "prior-learning-no-reduction"):
        verb = (
            "Accepted the prior-learning ledger"
            if action.endswith("accepted")
            else ("Recorded no reduction for prior learning")
        )
        return f"{verb} ({subject}){f': {after}' if after else ''}"
    if action == "password-changed":
        return f"{person(subject)} changed their password"
    if action == "password-reset-link":
        return f"Made a one-time password reset link for {person(subject)}"
    if action == "password-reset":
        return f"{person(subject)} chose a new password through a reset link"
    return SIMPLE.get(action, action.replace("-", " ").capitalize())


WORKPLACE_WORDS = {  # "{your}": "your" for the learner reading their own record, else "the"
    "workplace-contact-invited": "Someone from {your} workplace was asked for their view",
    "workplace-link-reissued": "{Your} workplace contact was given a new link",
    "workplace-link-revoked": "{Your} workplace contact's link was withdrawn",
    "workplace-contact-erased": "{Your} workplace contact's details were erased (retention)",
    "workplace-sent": "{Your} workplace sent its view of the job and what the learner can do",
    "testimony-started": "{Your} workplace started a witness testimony",
    "testimony-signed": "A witness testimony was signed",
    "testimony-reviewed": "The assessor reviewed a witness testimony",
    "workplace-context": "{Your} workplace answered",
    "workplace-rating": "{Your} workplace rated",
    "workplace-note": "{Your} workplace wrote a note on",
}


def _workplace_entry(q: Qualification, action: str, subject: str, after: Any, your: str) -> str:
    words = WORKPLACE_WORDS[action].format(your=your, Your=your.capitalize())
    if action == "workplace-context":
        context = q.context(subject)
        return f"{words}: {context.question if context else subject} {after}"
    if action in ("workplace-rating", "workplace-note"):
        statement = q.statement(subject)
        text = statement.text if statement else subject
        value = SHORT_WORDS.get(str(after), str(after)) if action == "workplace-rating" else after
        return f"{words} \u201c{text}\u201d: {value}"
    if action == "testimony-signed":
        return f"{words} by {after}"
    return words


def _and(items: list[str]) -> str:
    """ "A3, B2 and C3"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
