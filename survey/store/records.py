"""A learner's whole record: exported as plain data, erased, or erased when archived long enough."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..db import empty_log, immediate
from . import accounts, audit, centre, learners, plans, prior_learning, sampling, workplace
from .sql import Row, now, query
from .tokens import hash_secret, new_secret


def learner_record(db: sqlite_utils.Database, learner_id: int) -> dict[str, Any] | None:
    """Everything kept about one learner, as plain data."""
    row = learners.learner(db, learner_id)
    if row is None:
        return None
    checks = list(
        query(db, "SELECT * FROM self_checks WHERE learner_id = ? ORDER BY id", [learner_id])
    )
    given = learners.ratings_of_checks(db, [c["id"] for c in checks])
    had = learners.answers(db, learner_id, assessor=True)
    details = {k: v for k, v in row.items() if k != "token_hash"}  # the link is a secret
    people = accounts.staff_names(db)
    assessor = people.get(row["assessor_id"]) if row["assessor_id"] else None
    return {
        "learner": details,
        "job_contexts": had.contexts,
        "ratings": had.ratings,
        "interests": sorted(had.interests),
        "self_checks": [{**c, "ratings": given[c["id"]]} for c in checks],
        "assessor_ratings": had.assessor,
        "initial_assessment": plans.checklist(db, learner_id),
        "plan": plans.unit_plan(db, learner_id),
        "assessment_plan": plans.assessment_plan_rows(db, learner_id),
        "contracts": plans.contracts(db, learner_id),
        "samples": sampling.samples_of(db, learner_id),
        "centre": centre.centre(db).as_dict(),
        "assessor": _contact(assessor) if assessor else None,
        "verifiers": [_contact(p) for p in people.values() if p["role"] == "verifier"],
        "prior_learning": _prior_learning(db, learner_id),
        # the workplace contacts' details and answers, and the testimonies written for them
        **workplace.record(db, learner_id),
        "audit": audit.entries(db, learner_id),
    }


def _contact(staff: Row) -> dict[str, Any]:
    return {k: staff[k] for k in ("name", "email", "role", "disabled_at")}


def _prior_learning(db: sqlite_utils.Database, learner_id: int) -> dict[str, Any]:
    kept = prior_learning.prior_learning(db, learner_id)
    return {"evidence": kept.evidence, "funding": kept.funding, "decisions": kept.decisions}


ERASURE_ON_DISK = "erasure_unfinished_since"  # settings key while the log may hold erased data


def erase_learner(db: sqlite_utils.Database, learner_id: int, actor: str) -> bool:
    """Remove a learner and everything about them; one anonymised audit entry remains.

    Their rows are gone when this returns; `finish_erasure` then clears the copies the
    write-ahead log still holds. Until it succeeds, the settings say since when.
    """
    with immediate(db):
        if learners.learner(db, learner_id) is None:
            return False
        db.execute("DELETE FROM audit WHERE learner_id = ?", [learner_id])
        # answers, checks, ratings, plans, contracts, workplace contacts and what they wrote
        # go with the learner (ON DELETE CASCADE)
        db.execute("DELETE FROM learners WHERE id = ?", [learner_id])
        audit.record(db, actor, None, "learner-erased", f"learner #{learner_id}", None, None)
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            [ERASURE_ON_DISK, now()],
        )
    return True


def finish_erasure(db: sqlite_utils.Database, seconds: float) -> bool:
    """Empty the write-ahead log, so erased learners are in no file; False if not yet possible."""
    if not empty_log(db, seconds):
        return False
    with immediate(db):
        db.execute("DELETE FROM settings WHERE key = ?", [ERASURE_ON_DISK])
    return True


def erasure_unfinished(db: sqlite_utils.Database) -> str | None:
    """Since when an erasure has been waiting to be cleared from the disk, if one is."""
    found = db.execute("SELECT value FROM settings WHERE key = ?", [ERASURE_ON_DISK]).fetchone()
    return found[0] if found else None


def learners_archived_before(db: sqlite_utils.Database, cutoff: str) -> list[Row]:
    return list(
        query(
            db,
            "SELECT id, name, archived_at FROM learners WHERE archived_at IS NOT NULL "
            "AND archived_at < ? ORDER BY archived_at",
            [cutoff],
        )
    )


# ---- a workplace contact's details: a retention of their own ---------------------------------


def contacts_ended_before(db: sqlite_utils.Database, cutoff: str) -> list[Row]:
    """Contacts (details not yet erased) whose link stopped working before `cutoff`."""
    return list(
        query(
            db,
            "SELECT id, learner_id, revoked_at, expires_at, "
            "min(coalesce(revoked_at, expires_at), expires_at) AS ended_at "
            "FROM workplace_contacts WHERE erased_at IS NULL "
            "AND min(coalesce(revoked_at, expires_at), expires_at) < ? ORDER BY id",
            [cutoff],
        )
    )


def erase_contact(db: sqlite_utils.Database, contact_id: int, who: str) -> bool:
    """Erase a contact's personal details (name, job title, email, phone) and their unsigned
    drafts; their answers stay with the learner, under their relationship only. What they
    signed (testimonies, the contract) is the learner's record and goes with it."""
    with immediate(db):
        row = workplace.contact(db, contact_id)
        if row is None or row["erased_at"]:
            return False
        db.execute(
            "UPDATE workplace_contacts SET name = '', job_title = '', email = '', phone = '', "
            "token_hash = ?, erased_at = ?, revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
            [hash_secret(new_secret()), now(), now(), contact_id],
        )
        db.execute(
            "DELETE FROM testimonies WHERE contact_id = ? AND signed_at IS NULL", [contact_id]
        )
        audit.record(
            db,
            who,
            row["learner_id"],
            "workplace-contact-erased",
            f"contact #{contact_id}",
            None,
            None,
        )
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            [ERASURE_ON_DISK, now()],
        )
    return True
