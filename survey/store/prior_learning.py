"""The prior-learning ledger's records: the evidence named for criteria the assessor rated
"could show evidence now", the funding profile and figures the centre entered, and every
decision on the ledger (accepted, or why prior learning does not reduce the content), each
kept with the date and the version of the figures it was taken on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from ..db import immediate
from . import audit
from .sql import Row, now, pairs, query


@dataclass(frozen=True)
class PriorLearning:
    evidence: dict[str, str] = field(default_factory=dict)  # statement id -> evidence named
    funding: Row | None = None  # profile, agreed_price, planned_months, off_the_job_hours
    decisions: list[Row] = field(default_factory=list)  # oldest first

    @property
    def decision(self) -> Row | None:
        return self.decisions[-1] if self.decisions else None


def prior_learning(db: sqlite_utils.Database, learner_id: int) -> PriorLearning:
    evidence = pairs(
        db,
        "SELECT statement_id, evidence FROM prior_learning_evidence WHERE learner_id = ?",
        [learner_id],
    )
    funding = next(
        query(db, "SELECT * FROM prior_learning_funding WHERE learner_id = ?", [learner_id]), None
    )
    decisions = [
        {**d, "unit_reasons": json.loads(d["unit_reasons"]), "figures": json.loads(d["figures"])}
        for d in query(
            db,
            "SELECT d.*, s.name AS staff_name FROM prior_learning_decisions d "
            "LEFT JOIN staff s ON s.id = d.staff_id WHERE d.learner_id = ? ORDER BY d.id",
            [learner_id],
        )
    ]
    return PriorLearning(evidence, funding, decisions)


def save_evidence(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, str],
    staff_id: int,
    actor: str,
) -> int:
    """Keep the evidence named per statement ("" takes it away); how many changed."""
    stamp, changed = now(), 0
    with immediate(db):
        before = pairs(
            db,
            "SELECT statement_id, evidence FROM prior_learning_evidence WHERE learner_id = ?",
            [learner_id],
        )
        for statement_id, text in values.items():
            old = before.get(statement_id)
            if (old or "") == text:
                continue
            if text:
                db.execute(
                    "INSERT INTO prior_learning_evidence (learner_id, statement_id, evidence, "
                    "staff_id, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                    "(learner_id, statement_id) DO UPDATE SET evidence = excluded.evidence, "
                    "staff_id = excluded.staff_id, updated_at = excluded.updated_at",
                    [learner_id, statement_id, text, staff_id, stamp],
                )
            else:
                db.execute(
                    "DELETE FROM prior_learning_evidence WHERE learner_id = ? AND statement_id = ?",
                    [learner_id, statement_id],
                )
            audit.record(db, actor, learner_id, "prior-learning-evidence", statement_id, old, text)
            changed += 1
    return changed


FUNDING_FIELDS = ("profile", "agreed_price", "planned_months", "off_the_job_hours")


def save_funding(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, Any],
    staff_id: int,
    actor: str,
) -> bool:
    """Keep the funding profile and the centre's figures; False if nothing changed."""
    with immediate(db):
        found = next(
            query(db, "SELECT * FROM prior_learning_funding WHERE learner_id = ?", [learner_id]),
            None,
        )
        before = {k: found[k] for k in FUNDING_FIELDS} if found else None
        after = {k: values.get(k) for k in FUNDING_FIELDS}
        after["profile"] = after["profile"] or ""
        if before == after:
            return False
        db.execute(
            "INSERT INTO prior_learning_funding (learner_id, profile, agreed_price, "
            "planned_months, off_the_job_hours, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id) DO UPDATE SET "
            "profile = excluded.profile, agreed_price = excluded.agreed_price, "
            "planned_months = excluded.planned_months, "
            "off_the_job_hours = excluded.off_the_job_hours, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [learner_id, *after.values(), staff_id, now()],
        )
        audit.record(
            db,
            actor,
            learner_id,
            "prior-learning-funding",
            "",
            json.dumps(before) if before else None,
            json.dumps(after),
        )
    return True


def record_decision(
    db: sqlite_utils.Database,
    learner_id: int,
    decision: str,
    reason: str,
    unit_reasons: Mapping[str, str],
    version: str,
    figures: Mapping[str, Any],
    staff_id: int,
    actor: str,
) -> int:
    """Keep the assessor's decision on the ledger, with the version of the figures it was
    taken on and the figures that follow from it; a new decision never replaces an old one."""
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO prior_learning_decisions (learner_id, decision, reason, unit_reasons, "
            "version, figures, staff_id, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                learner_id,
                decision,
                reason,
                json.dumps(dict(unit_reasons), ensure_ascii=False),
                version,
                json.dumps(figures, ensure_ascii=False),
                staff_id,
                now(),
            ],
        )
        audit.record(
            db,
            actor,
            learner_id,
            f"prior-learning-{decision}",
            f"figures {version}",
            None,
            "; ".join(filter(None, [reason, *(f"{u}: {r}" for u, r in unit_reasons.items())])),
        )
    assert cursor.lastrowid is not None
    return cursor.lastrowid
