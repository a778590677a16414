"""A learner's data as JSON or CSV, for the learner and for the centre; pure Python."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .content import Qualification
from .gaps import to_csv


def record_json(record: Mapping[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True)


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
            rows.append([f"self-check {check['id']} ({check['unit']})", statement_id, rating,
                         _statement(q, statement_id), check["finished_at"] or "unfinished"])
    for statement_id, rating in sorted(record["assessor_ratings"].items()):
        rows.append(["assessor rating", statement_id, rating, _statement(q, statement_id), ""])
    if record["plan"]:
        plan = record["plan"]
        rows.append(["plan", "units", " ".join(plan["units"]), "confirmed" if
                     plan["confirmed_at"] else "draft", plan["confirmed_at"] or
                     plan["updated_at"]])
    for row in record["assessment_plan"]:
        rows.append(["assessment plan", " ".join(row["units"]), row["activity"],
                     f"{row['observed_where']}; {row['observed_when']}; "
                     + ", ".join(row["evidence"]), row["created_at"]])
    for c in record["contracts"]:
        rows.append([f"contract version {c['version']}", "learner signature",
                     c["learner_name"] or "", "", c["learner_signed_at"] or ""])
        rows.append([f"contract version {c['version']}", "assessor signature",
                     c["assessor_name"] or "", "", c["assessor_signed_at"] or ""])
    for e in record["audit"]:
        rows.append(["audit", e["action"], e["after"] if e["after"] is not None else "",
                     f"{e['actor']} {e['subject']} (before: {e['before']})".strip(), e["at"]])
    return to_csv(["section", "item", "value", "detail", "when"], rows)


def _statement(q: Qualification, statement_id: str) -> str:
    s = q.statement(statement_id)
    return s.text if s else ""


def _unit(q: Qualification, number: str) -> str:
    u = q.unit(number)
    return u.title if u else ""
