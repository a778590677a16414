"""Data access: every SQL statement about learners and their answers lives here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from .db import immediate

Row = dict[str, Any]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---- personal links -----------------------------------------------------------------------


def new_token() -> str:
    """A personal code: 130 random bits as 26 letters and digits (base32, lower case)."""
    return base64.b32encode(secrets.token_bytes(17)).decode().rstrip("=").lower()[:26]


def normalise_token(text: str) -> str:
    """A code as typed or scanned: ignore spaces, dashes and case."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def hash_token(token: str) -> str:
    return hashlib.sha256(normalise_token(token).encode()).hexdigest()


def pretty_token(token: str) -> str:
    """A code in groups of four, easier to copy from a card."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def device_key(learner: Row) -> str:
    """What a device remembers: tied to the current link, so a reissued link signs it out."""
    return learner["token_hash"][:32]


def device_key_matches(learner: Row, key: str) -> bool:
    return hmac.compare_digest(device_key(learner), key)


# ---- learners -----------------------------------------------------------------------------


def create_learner(
    db: sqlite_utils.Database,
    name: str,
    job_role: str = "",
    candidate_number: str = "",
    actor: str = "system",
) -> tuple[int, str]:
    """Add a learner; returns (id, personal token). Only the token's hash is stored."""
    token = new_token()
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO learners (name, candidate_number, job_role, token_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [name, candidate_number, job_role, hash_token(token), now()],
        )
        learner_id = cursor.lastrowid
        _audit(db, actor, learner_id, "learner-added", "", None, name)
    assert learner_id is not None
    return learner_id, token


def reissue_token(db: sqlite_utils.Database, learner_id: int, actor: str) -> str:
    """A new personal link; the old one, and every device it signed in, stop working."""
    token = new_token()
    with immediate(db):
        db.execute(
            "UPDATE learners SET token_hash = ? WHERE id = ?", [hash_token(token), learner_id]
        )
        _audit(db, actor, learner_id, "link-reissued", "", None, None)
    return token


def learner(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    rows = list(db.query("SELECT * FROM learners WHERE id = ?", [learner_id]))
    return rows[0] if rows else None


def learner_by_token(db: sqlite_utils.Database, token: str) -> Row | None:
    rows = list(db.query("SELECT * FROM learners WHERE token_hash = ?", [hash_token(token)]))
    return rows[0] if rows else None


def set_resume_page(db: sqlite_utils.Database, learner_id: int, key: str) -> None:
    db.execute("UPDATE learners SET resume_page = ? WHERE id = ?", [key, learner_id])


def set_job_role(
    db: sqlite_utils.Database, learner_id: int, role: str, other: str, actor: str
) -> bool:
    with immediate(db):
        before = learner(db, learner_id)
        if before is None or (before["job_role"], before["job_role_other"]) == (role, other):
            return False
        db.execute(
            "UPDATE learners SET job_role = ?, job_role_other = ? WHERE id = ?",
            [role, other, learner_id],
        )
        _audit(
            db,
            actor,
            learner_id,
            "job-role",
            "",
            _role_text(before["job_role"], before["job_role_other"]),
            _role_text(role, other),
        )
    return True


def _role_text(role: str, other: str) -> str:
    return f"{role}: {other}" if other else role


def submit(db: sqlite_utils.Database, learner_id: int, actor: str) -> None:
    with immediate(db):
        db.execute(
            "UPDATE learners SET submitted_at = ? WHERE id = ? AND submitted_at IS NULL",
            [now(), learner_id],
        )
        _audit(db, actor, learner_id, "submitted", "", None, None)


def reopen(db: sqlite_utils.Database, learner_id: int, actor: str) -> bool:
    """Let the learner change answers again, unless the assessor has confirmed the plan."""
    with immediate(db):
        row = learner(db, learner_id)
        if row is None or row["plan_confirmed_at"] or not row["submitted_at"]:
            return False
        db.execute("UPDATE learners SET submitted_at = NULL WHERE id = ?", [learner_id])
        _audit(db, actor, learner_id, "reopened", "", None, None)
    return True


# ---- answers ------------------------------------------------------------------------------


def save_ratings(
    db: sqlite_utils.Database, learner_id: int, values: Mapping[str, int], actor: str
) -> int:
    """Keep each rating; the same answer twice is one answer. Returns how many changed."""
    changed = 0
    stamp = now()
    with immediate(db):
        before = {
            r["statement_id"]: r["rating"]
            for r in db.query(
                "SELECT statement_id, rating FROM ratings WHERE learner_id = ?", [learner_id]
            )
        }
        for statement_id, rating in values.items():
            if before.get(statement_id) == rating:
                continue
            db.execute(
                "INSERT INTO ratings (learner_id, statement_id, rating, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (learner_id, statement_id) "
                "DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at",
                [learner_id, statement_id, rating, stamp],
            )
            _audit(
                db,
                actor,
                learner_id,
                "rating",
                statement_id,
                _text(before.get(statement_id)),
                str(rating),
                stamp,
            )
            changed += 1
    return changed


def save_contexts(
    db: sqlite_utils.Database, learner_id: int, values: Mapping[str, str], actor: str
) -> int:
    changed = 0
    stamp = now()
    with immediate(db):
        before = context_answers(db, learner_id)
        for context_id, answer in values.items():
            if before.get(context_id) == answer:
                continue
            db.execute(
                "INSERT INTO context_answers (learner_id, context_id, answer, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (learner_id, context_id) "
                "DO UPDATE SET answer = excluded.answer, updated_at = excluded.updated_at",
                [learner_id, context_id, answer, stamp],
            )
            _audit(
                db,
                actor,
                learner_id,
                "job-context",
                context_id,
                before.get(context_id),
                answer,
                stamp,
            )
            changed += 1
    return changed


def set_interest(
    db: sqlite_utils.Database, learner_id: int, unit: str, wanted: bool, actor: str
) -> bool:
    with immediate(db):
        have = unit in interests(db, learner_id)
        if have == wanted:
            return False
        if wanted:
            db.execute("INSERT INTO interests (learner_id, unit) VALUES (?, ?)", [learner_id, unit])
        else:
            db.execute(
                "DELETE FROM interests WHERE learner_id = ? AND unit = ?", [learner_id, unit]
            )
        _audit(db, actor, learner_id, "interest", unit, _text(have), _text(wanted))
    return True


def set_interests(
    db: sqlite_utils.Database,
    learner_id: int,
    units: Iterable[str],
    among: Iterable[str],
    actor: str,
) -> int:
    """Make the interests among `among` exactly `units` (one page's checkboxes)."""
    wanted = set(units)
    return sum(set_interest(db, learner_id, u, u in wanted, actor) for u in among)


def ratings(db: sqlite_utils.Database, learner_id: int) -> dict[str, int]:
    return {
        r["statement_id"]: r["rating"]
        for r in db.query(
            "SELECT statement_id, rating FROM ratings WHERE learner_id = ?", [learner_id]
        )
    }


def context_answers(db: sqlite_utils.Database, learner_id: int) -> dict[str, str]:
    return {
        r["context_id"]: r["answer"]
        for r in db.query(
            "SELECT context_id, answer FROM context_answers WHERE learner_id = ?", [learner_id]
        )
    }


def interests(db: sqlite_utils.Database, learner_id: int) -> set[str]:
    return {
        r["unit"] for r in db.query("SELECT unit FROM interests WHERE learner_id = ?", [learner_id])
    }


# ---- unit self-checks ---------------------------------------------------------------------


def open_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row:
    """The learner's unfinished check of a unit, started now if there is none."""
    with immediate(db):
        rows = list(
            db.query(
                "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? "
                "AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
                [learner_id, unit],
            )
        )
        if rows:
            return rows[0]
        cursor = db.execute(
            "INSERT INTO self_checks (learner_id, unit, started_at) VALUES (?, ?, ?)",
            [learner_id, unit, now()],
        )
        check_id = cursor.lastrowid
    return next(iter(db.query("SELECT * FROM self_checks WHERE id = ?", [check_id])))


def unfinished_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row | None:
    rows = list(
        db.query(
            "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? "
            "AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            [learner_id, unit],
        )
    )
    return rows[0] if rows else None


def check(db: sqlite_utils.Database, check_id: int) -> Row | None:
    rows = list(db.query("SELECT * FROM self_checks WHERE id = ?", [check_id]))
    return rows[0] if rows else None


def save_check_ratings(
    db: sqlite_utils.Database, check_row: Row, values: Mapping[str, int], actor: str
) -> int:
    changed = 0
    stamp = now()
    with immediate(db):
        before = check_ratings(db, check_row["id"])
        for statement_id, rating in values.items():
            if before.get(statement_id) == rating:
                continue
            db.execute(
                "INSERT INTO check_ratings (check_id, statement_id, rating, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (check_id, statement_id) "
                "DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at",
                [check_row["id"], statement_id, rating, stamp],
            )
            _audit(
                db,
                actor,
                check_row["learner_id"],
                "self-check-rating",
                statement_id,
                _text(before.get(statement_id)),
                str(rating),
                stamp,
            )
            changed += 1
    return changed


def finish_check(db: sqlite_utils.Database, check_row: Row, actor: str) -> None:
    with immediate(db):
        db.execute(
            "UPDATE self_checks SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
            [now(), check_row["id"]],
        )
        _audit(
            db, actor, check_row["learner_id"], "self-check-finished", check_row["unit"], None, None
        )


def check_ratings(db: sqlite_utils.Database, check_id: int) -> dict[str, int]:
    return {
        r["statement_id"]: r["rating"]
        for r in db.query(
            "SELECT statement_id, rating FROM check_ratings WHERE check_id = ?", [check_id]
        )
    }


def finished_checks(db: sqlite_utils.Database, learner_id: int, unit: str) -> list[Row]:
    return list(
        db.query(
            "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? "
            "AND finished_at IS NOT NULL ORDER BY id",
            [learner_id, unit],
        )
    )


# ---- audit --------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _audit(
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


def audit_entries(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    return list(db.query("SELECT * FROM audit WHERE learner_id = ? ORDER BY id", [learner_id]))
