"""The audit trail: who changed what, when, from what to what; one row per change."""

from __future__ import annotations

import sqlite_utils

from .sql import Row, now, query


def text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def record(
    db: sqlite_utils.Database,
    actor: str,
    learner_id: int | None,
    action: str,
    subject: str,
    before: str | None,
    after: str | None,
    at: str | None = None,
) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, learner_id, action, subject, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at or now(), actor, learner_id, action, subject, before, after],
    )


def entries(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    return list(query(db, "SELECT * FROM audit WHERE learner_id = ? ORDER BY id", [learner_id]))


def all_entries(db: sqlite_utils.Database, limit: int = 500, offset: int = 0) -> list[Row]:
    return list(
        query(
            db,
            "SELECT audit.*, learners.name AS learner_name, learners.qualification AS "
            "learner_qualification FROM audit "
            "LEFT JOIN learners ON learners.id = audit.learner_id ORDER BY audit.id DESC "
            "LIMIT ? OFFSET ?",
            [limit, offset],
        )
    )
