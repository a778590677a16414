"""Data access: every SQL statement about learners and their answers lives here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from .db import empty_log, immediate

Row = dict[str, Any]


def _query(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> Iterator[Row]:
    """Rows as dicts, straight from the connection.

    sqlite-utils' query() wraps every SELECT in a SAVEPOINT; these statements are all reads,
    so that costs two extra statements each for nothing.
    """
    cursor = db.conn.execute(sql, tuple(params))
    keys = [d[0] for d in cursor.description]
    return (dict(zip(keys, row, strict=True)) for row in cursor)


def _pairs(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> dict[Any, Any]:
    """A two-column query as a dict of first column to second."""
    return dict(db.conn.execute(sql, tuple(params)).fetchall())


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---- personal links -----------------------------------------------------------------------


def new_token() -> str:
    """A personal code: 130 random bits as 26 letters and digits (base32, lower case)."""
    return base64.b32encode(secrets.token_bytes(17)).decode().rstrip("=").lower()[:26]


def normalise_token(text: str) -> str:
    """A code as typed, scanned or pasted: ignore spaces, dashes and case; from a whole
    personal link (".../l/<code>/?..."), the code in it."""
    _, link, code = text.rpartition("/l/")
    if link:
        text = code.split("?")[0].split("#")[0]
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
    added = add_learners(db, [NewLearner(name, candidate_number, job_role)], actor)
    row, token = added.learners[0]
    return row["id"], token


@dataclass(frozen=True)
class NewLearner:
    """One learner to add, as a form or a pasted line gives them."""

    name: str
    candidate_number: str = ""
    job_role: str = ""
    job_role_other: str = ""
    assessor_id: int | None = None


@dataclass(frozen=True)
class Added:
    """The learners an add made (or, sent again, made before), each with a new personal token."""

    learners: list[tuple[Row, str]]
    again: bool  # the same form was sent before: these are its learners, with new links


REQUEST_MEMORY = timedelta(days=1)  # how long the same form sent again is recognised


def add_learners(
    db: sqlite_utils.Database,
    new: Sequence[NewLearner],
    actor: str,
    staff: Row | None = None,
    request_key: str = "",
) -> Added:
    """Add learners in one transaction: all of them or, if anything fails, none.

    `request_key` is the one-time key of the form that sent them. Sent again by the same staff
    member (a double tap, a retry after a lost answer) nobody is added twice: the learners the
    form added before get new personal links instead, since only the last page shown has
    links anyone saw (tokens are stored only as hashes, so the old ones cannot be shown again).
    """
    stamp = now()
    remember = bool(request_key and staff)
    with immediate(db):
        done = _request_learners(db, request_key, staff) if remember else []
        if done:
            again = [(row, _new_link(db, row["id"], actor)) for row in done if can_see(staff, row)]
            return Added(again, again=True)
        made = []
        for position, one in enumerate(new):
            learner_id, token = _insert_learner(db, one, actor, stamp)
            made.append((learner_id, token))
            if remember:
                db.execute(
                    "INSERT INTO add_learner_requests (request_key, staff_id, position, "
                    "learner_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    [request_key, staff["id"], position, learner_id, stamp],
                )
        rows = _learners_by_id(db, [learner_id for learner_id, _ in made])
    return Added([(rows[learner_id], token) for learner_id, token in made], again=False)


def _insert_learner(
    db: sqlite_utils.Database, new: NewLearner, actor: str, stamp: str
) -> tuple[int, str]:
    token = new_token()
    values = {
        "name": new.name,
        "candidate_number": new.candidate_number,
        "job_role": new.job_role,
        "job_role_other": new.job_role_other,
        "token_hash": hash_token(token),
        "created_at": stamp,
    }
    if new.assessor_id is not None:  # (a column an older database may not have yet)
        values["assessor_id"] = new.assessor_id
    cursor = db.execute(
        f"INSERT INTO learners ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",  # noqa: S608  # nosec B608: column names are the literal keys above
        list(values.values()),
    )
    learner_id = cursor.lastrowid
    assert learner_id is not None
    _audit(db, actor, learner_id, "learner-added", "", None, new.name, stamp)
    if new.job_role:
        role = _role_text(new.job_role, new.job_role_other)
        _audit(db, actor, learner_id, "job-role", "", "", role, stamp)
    if new.assessor_id is not None:
        _audit(db, actor, learner_id, "assessor-assigned", "", None, str(new.assessor_id), stamp)
    return learner_id, token


def _request_learners(db: sqlite_utils.Database, request_key: str, staff: Row) -> list[Row]:
    """The learners a form with this key, sent by this staff member, added before."""
    db.execute(
        "DELETE FROM add_learner_requests WHERE created_at < ?",
        [(datetime.now(UTC) - REQUEST_MEMORY).isoformat(timespec="seconds")],
    )
    return list(
        _query(
            db,
            "SELECT learners.* FROM add_learner_requests JOIN learners "
            "ON learners.id = add_learner_requests.learner_id "
            "WHERE request_key = ? AND staff_id = ? ORDER BY position",
            [request_key, staff["id"]],
        )
    )


def _learners_by_id(db: sqlite_utils.Database, ids: list[int]) -> dict[int, Row]:
    return {
        r["id"]: r
        for r in _query(
            db,
            "SELECT * FROM learners WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    }


def _new_link(db: sqlite_utils.Database, learner_id: int, actor: str) -> str:
    token = new_token()
    db.execute("UPDATE learners SET token_hash = ? WHERE id = ?", [hash_token(token), learner_id])
    _audit(db, actor, learner_id, "link-reissued", "", None, None)
    return token


def reissue_token(db: sqlite_utils.Database, learner_id: int, actor: str) -> str:
    """A new personal link; the old one, and every device it signed in, stop working."""
    with immediate(db):
        return _new_link(db, learner_id, actor)


def learner(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    rows = list(_query(db, "SELECT * FROM learners WHERE id = ?", [learner_id]))
    return rows[0] if rows else None


def learner_by_token(db: sqlite_utils.Database, token: str) -> Row | None:
    rows = list(_query(db, "SELECT * FROM learners WHERE token_hash = ?", [hash_token(token)]))
    return rows[0] if rows else None


def set_resume_page(db: sqlite_utils.Database, learner_id: int, key: str) -> None:
    db.execute("UPDATE learners SET resume_page = ? WHERE id = ?", [key, learner_id])


class AnswersClosed(Exception):
    """The learner's answers are read-only: sent (`submitted`) or the plan `confirmed`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def closed_reason(row: Row) -> str | None:
    """Why a learner's answers can no longer change, or None while they can."""
    if row["plan_confirmed_at"]:
        return "confirmed"
    if row["submitted_at"]:
        return "submitted"
    return None


def _open_for_answers(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    """The learner, read inside an answer's own write transaction; AnswersClosed if locked.

    Read here, not before: the assessor may confirm the plan (or the learner send their
    answers from another tab) between a request's first look and its write.
    """
    row = learner(db, learner_id)
    if row is not None and (reason := closed_reason(row)):
        raise AnswersClosed(reason)
    return row


def set_job_role(
    db: sqlite_utils.Database, learner_id: int, role: str, other: str, actor: str
) -> bool:
    with immediate(db):
        before = _open_for_answers(db, learner_id)
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


def _resume_at(db: sqlite_utils.Database, learner_id: int, resume: str) -> None:
    # in the answer's own transaction: one commit, one fsync, per saved answer
    if resume:
        db.execute(
            "UPDATE learners SET resume_page = ? WHERE id = ? AND resume_page != ?",
            [resume, learner_id, resume],
        )


UPSERT_RATING = (
    "INSERT INTO ratings (learner_id, statement_id, rating, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (learner_id, statement_id) "
    "DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at"
)
UPSERT_CONTEXT = (
    "INSERT INTO context_answers (learner_id, context_id, answer, updated_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (learner_id, context_id) "
    "DO UPDATE SET answer = excluded.answer, updated_at = excluded.updated_at"
)
UPSERT_CHECK_RATING = (
    "INSERT INTO check_ratings (check_id, statement_id, rating, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (check_id, statement_id) "
    "DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at"
)


def _keep_changes(
    db: sqlite_utils.Database,
    upsert: str,
    owner: int,
    before: Mapping[str, object],
    values: Mapping[str, object],
    learner_id: int,
    action: str,
    actor: str,
) -> int:
    """Write only the answers that changed, each with its audit entry; inside a transaction."""
    changed = 0
    stamp = now()
    for key, value in values.items():
        if before.get(key) == value:
            continue  # the same answer twice is one answer
        db.execute(upsert, [owner, key, value, stamp])
        _audit(db, actor, learner_id, action, key, _text(before.get(key)), _text(value), stamp)
        changed += 1
    return changed


def save_ratings(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, int],
    actor: str,
    resume: str = "",
) -> int:
    """Keep each rating; returns how many changed. AnswersClosed if they are read-only."""
    with immediate(db):
        _open_for_answers(db, learner_id)
        before = _pairs(
            db,
            "SELECT statement_id, rating FROM ratings WHERE learner_id = ? "
            "AND statement_id IN (SELECT value FROM json_each(?))",
            [learner_id, json.dumps(list(values))],
        )
        changed = _keep_changes(
            db, UPSERT_RATING, learner_id, before, values, learner_id, "rating", actor
        )
        _resume_at(db, learner_id, resume)
    return changed


def save_contexts(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, str],
    actor: str,
    resume: str = "",
) -> int:
    """Keep each job-context answer; returns how many changed. AnswersClosed if read-only."""
    with immediate(db):
        _open_for_answers(db, learner_id)
        before = context_answers(db, learner_id)
        changed = _keep_changes(
            db, UPSERT_CONTEXT, learner_id, before, values, learner_id, "job-context", actor
        )
        _resume_at(db, learner_id, resume)
    return changed


def set_interest(
    db: sqlite_utils.Database, learner_id: int, unit: str, wanted: bool, actor: str
) -> bool:
    with immediate(db):
        _open_for_answers(db, learner_id)
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
    return _pairs(db, "SELECT statement_id, rating FROM ratings WHERE learner_id = ?", [learner_id])


def context_answers(db: sqlite_utils.Database, learner_id: int) -> dict[str, str]:
    return _pairs(
        db, "SELECT context_id, answer FROM context_answers WHERE learner_id = ?", [learner_id]
    )


def interests(db: sqlite_utils.Database, learner_id: int) -> set[str]:
    return {
        r["unit"]
        for r in _query(db, "SELECT unit FROM interests WHERE learner_id = ?", [learner_id])
    }


def starting_point_data(db: sqlite_utils.Database, learner_id: int) -> dict[str, Any]:
    """Everything the learner's starting point page shows: answers, plan, contract."""
    return {
        "ratings": ratings(db, learner_id),
        "contexts": context_answers(db, learner_id),
        "interests": interests(db, learner_id),
        "plan": plan(db, learner_id),
        "plan_rows": plan_rows(db, learner_id),
        "contract": current_contract(db, learner_id),
    }


# ---- unit self-checks ---------------------------------------------------------------------


def open_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row:
    """The learner's unfinished check of a unit, started now if there is none."""
    with immediate(db):
        rows = list(
            _query(
                db,
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
    return next(iter(_query(db, "SELECT * FROM self_checks WHERE id = ?", [check_id])))


def unfinished_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row | None:
    rows = list(
        _query(
            db,
            "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? "
            "AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            [learner_id, unit],
        )
    )
    return rows[0] if rows else None


def check(db: sqlite_utils.Database, check_id: int) -> Row | None:
    rows = list(_query(db, "SELECT * FROM self_checks WHERE id = ?", [check_id]))
    return rows[0] if rows else None


def save_check_ratings(
    db: sqlite_utils.Database, check_row: Row, values: Mapping[str, int], actor: str
) -> int:
    with immediate(db):
        before = check_ratings(db, check_row["id"])
        return _keep_changes(
            db,
            UPSERT_CHECK_RATING,
            check_row["id"],
            before,
            values,
            check_row["learner_id"],
            "self-check-rating",
            actor,
        )


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
    return _pairs(
        db, "SELECT statement_id, rating FROM check_ratings WHERE check_id = ?", [check_id]
    )


def finished_checks(db: sqlite_utils.Database, learner_id: int, unit: str) -> list[Row]:
    return list(
        _query(
            db,
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
    return list(_query(db, "SELECT * FROM audit WHERE learner_id = ? ORDER BY id", [learner_id]))


# ---- staff accounts, sessions, setup links, failed sign-ins ---------------------------------


def staff_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM staff").fetchone()[0]


class StaffExists(Exception):
    """There is already an account with that email (emails are unique, whatever their case)."""


def create_staff(
    db: sqlite_utils.Database, email: str, name: str, role: str, password_hash: str, actor: str
) -> int:
    """Add a staff account; StaffExists if the email has one, even one made a moment ago."""
    with immediate(db):
        # looked up inside the write transaction: two requests at once cannot both pass
        if staff_by_email(db, email) is not None:
            raise StaffExists(email.strip())
        cursor = db.execute(
            "INSERT INTO staff (email, name, role, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [email.strip(), name.strip(), role, password_hash, now()],
        )
        staff_id = cursor.lastrowid
        _audit(db, actor, None, "staff-added", email.strip(), None, role)
    assert staff_id is not None
    return staff_id


def staff_by_email(db: sqlite_utils.Database, email: str) -> Row | None:
    rows = list(_query(db, "SELECT * FROM staff WHERE email = ?", [email.strip()]))
    return rows[0] if rows else None


def staff_member(db: sqlite_utils.Database, staff_id: int) -> Row | None:
    rows = list(_query(db, "SELECT * FROM staff WHERE id = ?", [staff_id]))
    return rows[0] if rows else None


def all_staff(db: sqlite_utils.Database) -> list[Row]:
    return list(_query(db, "SELECT * FROM staff ORDER BY role, name"))


def set_staff_disabled(
    db: sqlite_utils.Database, staff_id: int, disabled: bool, actor: str
) -> bool:
    """Disable or enable an account; False if it already was (a double tap acts once)."""
    with immediate(db):
        row = staff_member(db, staff_id)
        if row is None or (row["disabled_at"] is not None) == disabled:
            return False
        db.execute(
            "UPDATE staff SET disabled_at = ? WHERE id = ?", [now() if disabled else None, staff_id]
        )
        if disabled:
            db.execute(
                "UPDATE staff_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL",
                [now(), staff_id],
            )
        _audit(
            db,
            actor,
            None,
            "staff-disabled" if disabled else "staff-enabled",
            str(staff_id),
            None,
            None,
        )
    return True


def start_staff_session(db: sqlite_utils.Database, staff_id: int) -> str:
    token = secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO staff_sessions (token_hash, staff_id, created_at) VALUES (?, ?, ?)",
        [hashlib.sha256(token.encode()).hexdigest(), staff_id, now()],
    )
    return token


STAFF_SESSION_HOURS = 12  # a working day: then sign in again


def staff_for_session(db: sqlite_utils.Database, token: str) -> Row | None:
    since = (datetime.now(UTC) - timedelta(hours=STAFF_SESSION_HOURS)).isoformat(timespec="seconds")
    rows = list(
        _query(
            db,
            "SELECT staff.* FROM staff_sessions JOIN staff ON staff.id = staff_sessions.staff_id "
            "WHERE token_hash = ? AND ended_at IS NULL AND staff.disabled_at IS NULL "
            "AND staff_sessions.created_at > ?",
            [hashlib.sha256(token.encode()).hexdigest(), since],
        )
    )
    return rows[0] if rows else None


def end_staff_session(db: sqlite_utils.Database, token: str) -> None:
    db.execute(
        "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        [now(), hashlib.sha256(token.encode()).hexdigest()],
    )


def create_setup_link(db: sqlite_utils.Database, hours: int = 24) -> str | None:
    """A one-time link that creates the first admin; None while an earlier one still works.

    Every worker, and every `flask` command, starts the app: a link already printed must keep
    working for its whole life, not be replaced by the next start.
    """
    token = secrets.token_urlsafe(32)
    stamp = datetime.now(UTC)
    with immediate(db):
        if _open_setup_links(db, stamp):
            return None
        db.execute(
            "INSERT INTO setup_links (token_hash, purpose, created_at, expires_at) "
            "VALUES (?, 'first-admin', ?, ?)",
            [
                hashlib.sha256(token.encode()).hexdigest(),
                stamp.isoformat(timespec="seconds"),
                (stamp + timedelta(hours=hours)).isoformat(timespec="seconds"),
            ],
        )
    return token


def _open_setup_links(db: sqlite_utils.Database, at: datetime) -> list[Row]:
    return list(
        _query(
            db,
            "SELECT created_at, expires_at FROM setup_links WHERE used_at IS NULL "
            "AND expires_at > ? ORDER BY created_at DESC",
            [at.isoformat(timespec="seconds")],
        )
    )


def open_setup_link(db: sqlite_utils.Database) -> Row | None:
    """When the setup link that still works was made and until when it works, if there is one."""
    found = _open_setup_links(db, datetime.now(UTC))
    return found[0] if found else None


def setup_link_valid(db: sqlite_utils.Database, token: str) -> bool:
    rows = list(
        _query(
            db,
            "SELECT * FROM setup_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            [hashlib.sha256(token.encode()).hexdigest(), now()],
        )
    )
    return bool(rows)


def use_setup_link(
    db: sqlite_utils.Database, token: str, email: str, name: str, password_hash: str
) -> int | None:
    """Create the first admin through a setup link, once; None if the link is spent."""
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    with immediate(db):
        cursor = db.execute(
            "UPDATE setup_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
            "AND expires_at > ?",
            [now(), token_hash, now()],
        )
        if cursor.rowcount != 1:
            return None
        cursor = db.execute(
            "INSERT INTO staff (email, name, role, password_hash, created_at) "
            "VALUES (?, ?, 'admin', ?, ?)",
            [email.strip(), name.strip(), password_hash, now()],
        )
        staff_id = cursor.lastrowid
        _audit(db, "setup-link", None, "staff-added", email.strip(), None, "admin")
    return staff_id


def begin_sign_in(
    db: sqlite_utils.Database,
    email: str,
    address: str,
    minutes: int,
    wait_for: Callable[[list[str], list[str]], int],
) -> int:
    """Count a sign-in try as failed before its password is checked; or say how long to wait.

    In one BEGIN IMMEDIATE: the earlier failures of this email from this address, and of this
    address, go to `wait_for` (the policy); if it says wait, nothing is written. Otherwise the
    try is written as a failure, to be cleared if the password is right. Returns the wait.
    """
    since = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
    email = email.strip()
    with immediate(db):
        from_here = [
            (r[0], r[1])
            for r in db.execute(
                "SELECT at, email = ? FROM sign_in_failures WHERE address = ? AND at > ? "
                "ORDER BY at",
                [email, address, since],
            )
        ]
        wait = wait_for([at for at, same in from_here if same], [at for at, _ in from_here])
        if not wait:
            db.execute(
                "INSERT INTO sign_in_failures (email, address, at) VALUES (?, ?, ?)",
                [email, address, datetime.now(UTC).isoformat()],
            )
    return wait


def clear_sign_in_failures(db: sqlite_utils.Database, email: str, address: str) -> None:
    """After a right password: this account's failures from this address no longer count."""
    db.execute(
        "DELETE FROM sign_in_failures WHERE email = ? AND address = ?", [email.strip(), address]
    )


# ---- the assessor's side: learners, ratings, plans, assessment plans, contracts --------------


def learners_for(db: sqlite_utils.Database, staff: Row, archived: bool = False) -> list[Row]:
    """The learners a staff member may see: an assessor their own, others everyone."""
    mine = staff["id"] if staff["role"] == "assessor" else None
    return list(
        _query(
            db,
            "SELECT learners.*, staff.name AS assessor_name FROM learners "
            "LEFT JOIN staff ON staff.id = learners.assessor_id "
            "WHERE (learners.archived_at IS NOT NULL) = ? "
            "AND (? IS NULL OR learners.assessor_id = ?) ORDER BY learners.name",
            [int(archived), mine, mine],
        )
    )


def learners_with_answers(db: sqlite_utils.Database, staff: Row, archived: bool) -> list[Row]:
    """learners_for(), each with their job answers ("contexts") and rated statement ids."""
    rows = learners_for(db, staff, archived)
    ids = json.dumps([r["id"] for r in rows])
    contexts: dict[int, dict[str, str]] = {r["id"]: {} for r in rows}
    rated: dict[int, set[str]] = {r["id"]: set() for r in rows}
    for learner_id, context_id, answer in db.conn.execute(
        "SELECT learner_id, context_id, answer FROM context_answers "
        "WHERE learner_id IN (SELECT value FROM json_each(?))",
        [ids],
    ):
        contexts[learner_id][context_id] = answer
    for learner_id, statement_id in db.conn.execute(
        "SELECT learner_id, statement_id FROM ratings "
        "WHERE learner_id IN (SELECT value FROM json_each(?))",
        [ids],
    ):
        rated[learner_id].add(statement_id)
    return [{**r, "contexts": contexts[r["id"]], "rated": rated[r["id"]]} for r in rows]


def can_see(staff: Row, learner_row: Row) -> bool:
    return staff["role"] != "assessor" or learner_row["assessor_id"] == staff["id"]


def assign_assessor(
    db: sqlite_utils.Database, learner_id: int, assessor_id: int | None, actor: str
) -> None:
    with immediate(db):
        before = learner(db, learner_id)
        db.execute("UPDATE learners SET assessor_id = ? WHERE id = ?", [assessor_id, learner_id])
        _audit(
            db,
            actor,
            learner_id,
            "assessor-assigned",
            "",
            _text(before["assessor_id"] if before else None),
            _text(assessor_id),
        )


def set_archived(db: sqlite_utils.Database, learner_id: int, archived: bool, actor: str) -> bool:
    """Archive or restore a learner; False if they already were (a double tap acts once)."""
    with immediate(db):
        row = learner(db, learner_id)
        if row is None or (row["archived_at"] is not None) == archived:
            return False
        db.execute(
            "UPDATE learners SET archived_at = ? WHERE id = ?",
            [now() if archived else None, learner_id],
        )
        _audit(db, actor, learner_id, "archived" if archived else "unarchived", "", None, None)
    return True


def assessor_ratings(db: sqlite_utils.Database, learner_id: int) -> dict[str, int]:
    return _pairs(
        db,
        "SELECT statement_id, rating FROM assessor_ratings WHERE learner_id = ?",
        [learner_id],
    )


def save_assessor_rating(
    db: sqlite_utils.Database,
    learner_id: int,
    statement_id: str,
    rating: int | None,
    staff_id: int,
    actor: str,
) -> bool:
    with immediate(db):
        before = assessor_ratings(db, learner_id).get(statement_id)
        if before == rating:
            return False
        if rating is None:
            db.execute(
                "DELETE FROM assessor_ratings WHERE learner_id = ? AND statement_id = ?",
                [learner_id, statement_id],
            )
        else:
            db.execute(
                "INSERT INTO assessor_ratings (learner_id, statement_id, rating, staff_id, "
                "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (learner_id, statement_id) "
                "DO UPDATE SET rating = excluded.rating, staff_id = excluded.staff_id, "
                "updated_at = excluded.updated_at",
                [learner_id, statement_id, rating, staff_id, now()],
            )
        _audit(db, actor, learner_id, "assessor-rating", statement_id, _text(before), _text(rating))
    return True


def plan(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    rows = list(_query(db, "SELECT * FROM plans WHERE learner_id = ?", [learner_id]))
    if not rows:
        return None
    row = dict(rows[0])
    row["units"] = json.loads(row["units"])
    return row


def save_plan(
    db: sqlite_utils.Database, learner_id: int, units: list[str], staff_id: int, actor: str
) -> bool:
    """Keep the assessor's working plan; a change after confirmation needs confirming again."""
    with immediate(db):
        return _write_plan(db, learner_id, units, staff_id, actor)


def _write_plan(
    db: sqlite_utils.Database, learner_id: int, units: list[str], staff_id: int, actor: str
) -> bool:
    before = plan(db, learner_id)
    if before and before["units"] == units:
        return False
    db.execute(
        "INSERT INTO plans (learner_id, units, updated_at, updated_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (learner_id) DO UPDATE SET units = excluded.units, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
        "confirmed_at = NULL, confirmed_by = NULL",
        [learner_id, json.dumps(units), now(), staff_id],
    )
    if before and before["confirmed_at"]:
        db.execute("UPDATE learners SET plan_confirmed_at = NULL WHERE id = ?", [learner_id])
    _audit(
        db,
        actor,
        learner_id,
        "plan-changed",
        "",
        " ".join(before["units"]) if before else None,
        " ".join(units),
    )
    return True


class PlanBreaksRules(Exception):
    """A plan cannot be confirmed: `problems` are the rules it does not meet."""

    def __init__(self, problems: Sequence[Any]) -> None:
        super().__init__(f"{len(problems)} rule(s) not met")
        self.problems = list(problems)


def confirm_plan(
    db: sqlite_utils.Database,
    learner_id: int,
    units: list[str],
    staff_id: int,
    actor: str,
    rules: Callable[[list[str]], Sequence[Any]],
) -> None:
    """Save `units` as the plan and confirm it, in one transaction, if `rules` finds no problem.

    The rules are checked on the plan as written inside the transaction, so another
    assessor's save can land before or after this, never between the check and the confirm.
    PlanBreaksRules (and nothing written) when the plan does not meet them.
    """
    stamp = now()
    with immediate(db):
        _write_plan(db, learner_id, units, staff_id, actor)
        row = plan(db, learner_id)
        assert row is not None
        problems = rules(row["units"])
        if problems:
            raise PlanBreaksRules(problems)  # rolls the transaction back
        db.execute(
            "UPDATE plans SET confirmed_at = ?, confirmed_by = ? WHERE learner_id = ?",
            [stamp, staff_id, learner_id],
        )
        db.execute(
            "UPDATE learners SET plan_confirmed_at = ?, submitted_at = "
            "coalesce(submitted_at, ?) WHERE id = ?",
            [stamp, stamp, learner_id],
        )
        _audit(db, actor, learner_id, "plan-confirmed", "", None, " ".join(row["units"]))


def plan_rows(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    rows = []
    for r in _query(
        db, "SELECT * FROM assessment_plan_rows WHERE learner_id = ? ORDER BY id", [learner_id]
    ):
        r = dict(r)
        r["units"] = json.loads(r["units"])
        r["evidence"] = json.loads(r["evidence"])
        rows.append(r)
    return rows


def add_plan_row(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, Any],
    staff_id: int,
    actor: str,
    request_key: str | None = None,
) -> int | None:
    """Add a row to the assessment plan; None if the same form (`request_key`) added it already."""
    stamp = now()
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO assessment_plan_rows (learner_id, units, observed_when, observed_where, "
            "activity, evidence, created_by, created_at, updated_at, request_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                learner_id,
                json.dumps(values["units"]),
                values["observed_when"],
                values["observed_where"],
                values["activity"],
                json.dumps(values["evidence"]),
                staff_id,
                stamp,
                stamp,
                request_key or None,
            ],
        )
        if cursor.rowcount == 0:
            return None  # sent twice: the first one added it
        row_id = cursor.lastrowid
        _audit(
            db,
            actor,
            learner_id,
            "assessment-plan-row-added",
            str(row_id),
            None,
            json.dumps(dict(values), ensure_ascii=False),
        )
    assert row_id is not None
    return row_id


def delete_plan_row(db: sqlite_utils.Database, learner_id: int, row_id: int, actor: str) -> bool:
    with immediate(db):
        rows = list(
            _query(
                db,
                "SELECT * FROM assessment_plan_rows WHERE id = ? AND learner_id = ?",
                [row_id, learner_id],
            )
        )
        if not rows:
            return False
        db.execute("DELETE FROM assessment_plan_rows WHERE id = ?", [row_id])
        _audit(
            db,
            actor,
            learner_id,
            "assessment-plan-row-removed",
            str(row_id),
            json.dumps(rows[0], ensure_ascii=False),
            None,
        )
    return True


def contracts(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    rows = []
    for r in _query(
        db, "SELECT * FROM contracts WHERE learner_id = ? ORDER BY version", [learner_id]
    ):
        r = dict(r)
        r["content"] = json.loads(r["content"])
        rows.append(r)
    return rows


def current_contract(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    found = contracts(db, learner_id)
    return found[-1] if found else None


def issue_contract(
    db: sqlite_utils.Database,
    learner_id: int,
    content: Mapping[str, Any],
    staff_id: int,
    actor: str,
) -> Row:
    """A new version of the learning contract, unless the latest already says the same."""
    with immediate(db):
        latest = current_contract(db, learner_id)
        if latest and latest["content"] == json.loads(json.dumps(content)):
            return latest
        version = (latest["version"] + 1) if latest else 1
        db.execute(
            "INSERT INTO contracts (learner_id, version, content, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [learner_id, version, json.dumps(content, ensure_ascii=False), now(), staff_id],
        )
        _audit(db, actor, learner_id, "contract-issued", f"version {version}", None, None)
    return current_contract(db, learner_id)  # type: ignore[return-value]


def sign_contract(
    db: sqlite_utils.Database,
    contract_id: int,
    who: str,
    name: str,
    actor: str,
    staff_id: int | None = None,
) -> bool:
    """Sign as the learner or the assessor, once; a signed side cannot be signed again."""
    column = "learner" if who == "learner" else "assessor"
    with immediate(db):
        rows = list(_query(db, "SELECT * FROM contracts WHERE id = ?", [contract_id]))
        if not rows or rows[0][f"{column}_signed_at"]:
            return False
        if column == "learner":
            db.execute(
                "UPDATE contracts SET learner_name = ?, learner_signed_at = ? WHERE id = ?",
                [name, now(), contract_id],
            )
        else:
            db.execute(
                "UPDATE contracts SET assessor_name = ?, assessor_signed_at = ?, "
                "assessor_id = ? WHERE id = ?",
                [name, now(), staff_id, contract_id],
            )
        _audit(
            db,
            actor,
            rows[0]["learner_id"],
            f"contract-signed-by-{column}",
            f"version {rows[0]['version']}",
            None,
            name,
        )
    return True


def cohort_ratings(db: sqlite_utils.Database, learner_ids: list[int]) -> dict[int, dict[str, int]]:
    """Every rating of these learners, by learner."""
    result: dict[int, dict[str, int]] = {i: {} for i in learner_ids}
    for r in _query(
        db,
        "SELECT learner_id, statement_id, rating FROM ratings "
        "WHERE learner_id IN (SELECT value FROM json_each(?))",
        [json.dumps(learner_ids)],
    ):
        result[r["learner_id"]][r["statement_id"]] = r["rating"]
    return result


def all_audit(db: sqlite_utils.Database, limit: int = 500, offset: int = 0) -> list[Row]:
    return list(
        _query(
            db,
            "SELECT audit.*, learners.name AS learner_name FROM audit "
            "LEFT JOIN learners ON learners.id = audit.learner_id ORDER BY audit.id DESC "
            "LIMIT ? OFFSET ?",
            [limit, offset],
        )
    )


# ---- data protection: export, erasure, retention --------------------------------------------


def learner_record(db: sqlite_utils.Database, learner_id: int) -> dict[str, Any] | None:
    """Everything kept about one learner, as plain data."""
    row = learner(db, learner_id)
    if row is None:
        return None
    checks = []
    for c in _query(db, "SELECT * FROM self_checks WHERE learner_id = ? ORDER BY id", [learner_id]):
        c = dict(c)
        c["ratings"] = check_ratings(db, c["id"])
        checks.append(c)
    details = {k: v for k, v in row.items() if k != "token_hash"}  # the link is a secret
    return {
        "learner": details,
        "job_contexts": context_answers(db, learner_id),
        "ratings": ratings(db, learner_id),
        "interests": sorted(interests(db, learner_id)),
        "self_checks": checks,
        "assessor_ratings": assessor_ratings(db, learner_id),
        "plan": plan(db, learner_id),
        "assessment_plan": plan_rows(db, learner_id),
        "contracts": contracts(db, learner_id),
        "audit": audit_entries(db, learner_id),
    }


ERASURE_ON_DISK = "erasure_unfinished_since"  # settings key while the log may hold erased data


def erase_learner(db: sqlite_utils.Database, learner_id: int, actor: str) -> bool:
    """Remove a learner and everything about them; one anonymised audit entry remains.

    Their rows are gone when this returns; `finish_erasure` then clears the copies the
    write-ahead log still holds. Until it succeeds, the settings say since when.
    """
    with immediate(db):
        if learner(db, learner_id) is None:
            return False
        db.execute("DELETE FROM audit WHERE learner_id = ?", [learner_id])
        # answers, checks, ratings, plans and contracts go with the learner (ON DELETE CASCADE)
        db.execute("DELETE FROM learners WHERE id = ?", [learner_id])
        _audit(db, actor, None, "learner-erased", f"learner #{learner_id}", None, None)
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
        _query(
            db,
            "SELECT id, name, archived_at FROM learners WHERE archived_at IS NOT NULL "
            "AND archived_at < ? ORDER BY archived_at",
            [cutoff],
        )
    )
