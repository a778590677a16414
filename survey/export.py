"""A learner's data as JSON or CSV, for the learner and for the centre; pure Python."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .centre import Centre
from .content import Qualification, Statement
from .gaps import to_csv
from .initial_assessment import conversation
from .plans import STATUS_WORDS, row_sentence
from .portfolio import Introduction, introduction
from .prior_learning import record_parts, record_rows
from .sampling import DECISION_WORDS, parts_words


def introduction_of(q: Qualification, record: Mapping[str, Any]) -> Introduction:
    """The portfolio's introductory section, from a learner's whole record (store.records)."""
    return introduction(
        q,
        record["learner"],
        Centre.from_settings(record.get("centre") or {}),
        record.get("assessor"),
        record.get("samples") or [],
        record.get("verifiers") or [],
        record.get("assessment_plan") or [],
    )


def record_json(q: Qualification, record: Mapping[str, Any]) -> str:
    """Everything kept, as data: the portfolio's introductory section first, then the record
    with the prior-learning ledger and the suggested evidence worked out from it."""
    if not record:
        return json.dumps({}, indent=2, ensure_ascii=False, sort_keys=True)
    whole = {"introduction": introduction_of(q, record).as_record(), **record}
    whole |= record_parts(q, record)
    return json.dumps(whole, indent=2, ensure_ascii=False, sort_keys=True)


def record_csv(q: Qualification, record: Mapping[str, Any]) -> str:
    """One row per fact: section, item, value, detail, when."""
    rows: list[list[object]] = []
    for section, item, value in introduction_of(q, record).as_rows():
        rows.append([f"introduction: {section}", item, value, "", ""])
    for key, value in record["learner"].items():
        rows.append(["learner", key, value, "", ""])
    talk = conversation(record.get("initial_assessment") or {})
    for point in talk.points:
        if point.automatic:
            continue
        rows.append(
            [
                "initial assessment",
                point.item.words,
                "yes" if point.ticked else "not yet",
                point.notes,
                point.on,
            ]
        )
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
                STATUS_WORDS.get(row.get("status") or "planned", ""),
                row_sentence(q, row),
                row.get("planned_on") or row["created_at"],
            ]
        )
    for sample in record.get("samples") or []:
        rows.append(
            [
                "internal verification",
                parts_words(sample["parts"]),
                DECISION_WORDS.get(sample["decision"], sample["decision"]),
                f"{sample.get('verifier_name', '')}: {sample['comment']}",
                sample["created_at"],
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
