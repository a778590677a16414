"""A learner's data as JSON or CSV, for the learner and for the centre; pure Python."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .content import Qualification, Statement
from .gaps import to_csv
from .prior_learning import record_parts, record_rows
from .workplace import SHORT_WORDS


def record_json(q: Qualification, record: Mapping[str, Any]) -> str:
    """The record with the prior-learning ledger and the suggested evidence worked out from it."""
    full = {**record, **record_parts(q, record)} if record else {}
    return json.dumps(full, indent=2, ensure_ascii=False, sort_keys=True)


def record_csv(q: Qualification, record: Mapping[str, Any]) -> str:
    """One row per fact: section, item, value, detail, when."""
    rows: list[list[object]] = []
    for key, value in record["learner"].items():
        rows.append(["learner", key, value, "", ""])
    for context_id, answer in sorted(record["job_contexts"].items()):
        context = q.context(context_id)
        rows.append(["job context", context_id, answer, context.question if context else "", ""])
    for statement_id, rating in sorted(record["ratings"].items()):
        rows.append(["rating", statement_id, rating, _statement(q, statement_id), ""])
    for unit in record["interests"]:
        rows.append(["interest", unit, "yes", _unit(q, unit), ""])
    for check in record["self_checks"]:
        for statement_id, rating in sorted(check["ratings"].items()):
            rows.append(
                [
                    f"self-check {check['id']} ({check['unit']})",
                    statement_id,
                    rating,
                    _statement(q, statement_id),
                    check["finished_at"] or "unfinished",
                ]
            )
    for statement_id, rating in sorted(record["assessor_ratings"].items()):
        rows.append(["assessor rating", statement_id, rating, _statement(q, statement_id), ""])
    if record["plan"]:
        plan = record["plan"]
        rows.append(
            [
                "plan",
                "units",
                " ".join(plan["units"]),
                "confirmed" if plan["confirmed_at"] else "draft",
                plan["confirmed_at"] or plan["updated_at"],
            ]
        )
    for row in record["assessment_plan"]:
        rows.append(
            [
                "assessment plan",
                " ".join(row["units"]),
                row["activity"],
                f"{row['observed_where']}; {row['observed_when']}; " + ", ".join(row["evidence"]),
                row["created_at"],
            ]
        )
    for c in record["contracts"]:
        rows.append(
            [
                f"contract version {c['version']}",
                "learner signature",
                c["learner_name"] or "",
                "",
                c["learner_signed_at"] or "",
            ]
        )
        rows.append(
            [
                f"contract version {c['version']}",
                "assessor signature",
                c["assessor_name"] or "",
                "",
                c["assessor_signed_at"] or "",
            ]
        )
    if "prior_learning" in record:
        rows += record_rows(q, record)
    for c in record.get("workplace_contacts", []):
        who = f"workplace contact {c['id']}"
        for key in ("name", "job_title", "relationship", "role", "email", "phone"):
            rows.append([who, key, c[key], "", ""])
        for key in ("created_at", "expires_at", "revoked_at", "erased_at"):
            if c[key]:
                rows.append([who, key, "", "", c[key]])
        for context_id, answer in sorted(c["job_contexts"].items()):
            context = q.context(context_id)
            question = context.question if context else ""
            rows.append([who, f"job context {context_id}", answer, question, ""])
        for statement_id, given in sorted(c["ratings"].items()):
            detail = _statement(q, statement_id) + (
                f" (note: {given['note']})" if given["note"] else ""
            )
            rows.append([who, f"claim {statement_id}", given["rating"] or "", detail, ""])
        if c["sent_at"]:
            rows.append([who, "answers sent", "yes", "", c["sent_at"]])
    for t in record.get("testimonies", []):
        section = f"testimony {t['id']}"
        for key in ("activity_date", "activity_time", "venue", "description", "relationship"):
            rows.append([section, key, t[key], "", ""])
        for key in ("job_title", "contact_details", "written_on"):
            rows.append([section, key, t[key] or "", "", ""])
        rows.append([section, "signature", t["signature"] or "", "", t["signed_at"] or ""])
        rows.append([section, "criteria", " ".join(t["criteria"]), "", ""])
        decision = t["decision"] or ""
        rows.append([section, "decision", decision, t["questioning_note"], t["decided_at"] or ""])
    for e in record["audit"]:
        rows.append(
            [
                "audit",
                e["action"],
                e["after"] if e["after"] is not None else "",
                f"{e['actor']} {e['subject']} (before: {e['before']})".strip(),
                e["at"],
            ]
        )
    return to_csv(["section", "item", "value", "detail", "when"], rows)


def _statement(q: Qualification, statement_id: str) -> str:
    s = answered_statement(q, statement_id)
    return s.text if s else ""


def answered_statement(q: Qualification, statement_id: str) -> Statement | None:
    """A statement as the learner answered it: as worded then, if no longer asked."""
    return q.retired_statement(statement_id) or q.statement(statement_id)


def _unit(q: Qualification, number: str) -> str:
    u = q.unit(number)
    return u.title if u else ""


def describe(q: Qualification, entry: Mapping[str, Any]) -> str:
    """An audit entry in plain words, for the learner's own record."""
    action, subject = entry["action"], entry["subject"] or ""
    before, after = entry["before"], entry["after"]
    statement = answered_statement(q, subject) if subject else None

    def label(value: Any) -> str:
        if value is None or statement is None or not str(value).isdigit():
            return str(value)
        labels = q.scales.labels(statement.kind)
        return labels[int(value)] if int(value) < len(labels) else str(value)

    if action in ("rating", "self-check-rating", "assessor-rating") and statement:
        who = {
            "rating": "Rated",
            "self-check-rating": "Self-check: rated",
            "assessor-rating": "Assessor rated",
        }[action]
        change = f"{label(before)} \u2192 {label(after)}" if before is not None else label(after)
        return f"{who} \u201c{statement.text}\u201d: {change}"
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
        verb = (
            "Your assessor confirmed your units"
            if action == "plan-confirmed"
            else "Your assessor changed your planned units"
        )
        return f"{verb}: {_and(after.split()) if after else 'no optional units'}"
    if action == "assessment-plan-row-added":
        return "A row was added to the assessment plan"
    if action == "assessment-plan-row-removed":
        return "A row was removed from the assessment plan"
    if action in WORKPLACE_WORDS:
        return _workplace_entry(q, action, subject, before, after)
    if action.startswith("contract-signed-by-"):
        return f"Learning contract {subject} signed by the {action.rsplit('-', 1)[1]}: {after}"
    if action == "contract-issued":
        return f"Learning contract {subject} prepared"
    words = {
        "learner-added": "Added as a learner",
        "submitted": "Answers sent",
        "reopened": "Answers opened again for changes",
        "link-reissued": "A new personal link was issued; the old one stopped working",
        "archived": "Archived",
        "unarchived": "Back from the archive",
        "assessor-assigned": "Assessor changed",
        "self-check-finished": f"Self-check of {subject} finished",
    }
    return words.get(action, action.replace("-", " "))


WORKPLACE_WORDS = {
    "workplace-contact-invited": "Someone from your workplace was asked for their view",
    "workplace-link-reissued": "Your workplace contact was given a new link",
    "workplace-link-revoked": "Your workplace contact's link was withdrawn",
    "workplace-contact-erased": "Your workplace contact's details were erased (retention)",
    "workplace-sent": "Your workplace sent its view of your job and what you can do",
    "testimony-started": "Your workplace started a witness testimony",
    "testimony-signed": "A witness testimony was signed",
    "testimony-reviewed": "Your assessor reviewed a witness testimony",
    "workplace-context": "Your workplace answered",
    "workplace-rating": "Your workplace rated",
    "workplace-note": "Your workplace wrote a note on",
}


def _workplace_entry(q: Qualification, action: str, subject: str, before: Any, after: Any) -> str:
    words = WORKPLACE_WORDS[action]
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
