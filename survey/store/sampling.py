"""Internal verifiers' samples of learners: kept, changed only by the verifier who made them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from ..db import immediate
from . import audit
from .sql import Row, now, query


def _sample(row: Row) -> Row:
    return {**row, "parts": json.loads(row["parts"])}


def samples_of(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    """Every sample of a learner, oldest first, with the verifier's name."""
    return [
        _sample(r)
        for r in query(
            db,
            "SELECT samples.*, staff.name AS verifier_name, staff.email AS verifier_email "
            "FROM samples JOIN staff ON staff.id = samples.verifier_id "
            "WHERE learner_id = ? ORDER BY samples.id",
            [learner_id],
        )
    ]


def _text(parts: Sequence[str], comment: str, decision: str) -> str:
    return json.dumps(
        {"parts": list(parts), "comment": comment, "decision": decision}, ensure_ascii=False
    )


def add_sample(
    db: sqlite_utils.Database,
    learner_id: int,
    verifier_id: int,
    parts: Sequence[str],
    comment: str,
    decision: str,
    actor: str,
    request_key: str | None = None,
) -> int | None:
    """Record a sample; None if the same form (`request_key`) recorded it already."""
    stamp = now()
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO samples (learner_id, verifier_id, parts, comment, decision, created_at, "
            "updated_at, request_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                learner_id,
                verifier_id,
                json.dumps(list(parts)),
                comment,
                decision,
                stamp,
                stamp,
                request_key or None,
            ],
        )
        if cursor.rowcount == 0:
            return None
        sample_id = cursor.lastrowid
        audit.record(
            db,
            actor,
            learner_id,
            "sampled",
            str(sample_id),
            None,
            _text(parts, comment, decision),
            stamp,
        )
    return sample_id


def update_sample(
    db: sqlite_utils.Database,
    learner_id: int,
    sample_id: int,
    verifier_id: int,
    parts: Sequence[str],
    comment: str,
    decision: str,
    actor: str,
) -> bool:
    """Change a sample; False when it is not this verifier's sample of this learner."""
    with immediate(db):
        found = list(
            query(
                db,
                "SELECT * FROM samples WHERE id = ? AND learner_id = ? AND verifier_id = ?",
                [sample_id, learner_id, verifier_id],
            )
        )
        if not found:
            return False
        before = _sample(found[0])
        if (before["parts"], before["comment"], before["decision"]) == (
            list(parts),
            comment,
            decision,
        ):
            return True
        stamp = now()
        db.execute(
            "UPDATE samples SET parts = ?, comment = ?, decision = ?, updated_at = ? WHERE id = ?",
            [json.dumps(list(parts)), comment, decision, stamp, sample_id],
        )
        audit.record(
            db,
            actor,
            learner_id,
            "sample-changed",
            str(sample_id),
            _text(before["parts"], before["comment"], before["decision"]),
            _text(parts, comment, decision),
            stamp,
        )
    return True


@dataclass(frozen=True)
class SamplingData:
    """What the sampling report needs, read together."""

    learners: list[Row]  # current learners: id, name, assessor_name, units (confirmed) or None
    samples: list[Row]  # every sample, oldest first, with learner_id, parts, decision


def sampling_data(db: sqlite_utils.Database) -> SamplingData:
    learners = []
    for r in query(
        db,
        "SELECT learners.id, learners.name, learners.qualification, "
        "coalesce(staff.name, '') AS assessor_name, "
        "CASE WHEN plans.confirmed_at IS NOT NULL THEN plans.units END AS units FROM learners "
        "LEFT JOIN staff ON staff.id = learners.assessor_id LEFT JOIN plans ON "
        "plans.learner_id = learners.id WHERE learners.archived_at IS NULL ORDER BY learners.name",
    ):
        learners.append({**r, "units": json.loads(r["units"]) if r["units"] else None})
    samples = [
        _sample(r)
        for r in query(
            db,
            "SELECT id, learner_id, verifier_id, parts, decision, created_at FROM samples "
            "ORDER BY id",
        )
    ]
    return SamplingData(learners, samples)
