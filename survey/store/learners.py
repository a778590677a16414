"""Learners and their answers: personal links, job, ratings, interests, self-checks."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from ..db import immediate
from . import audit
from .sql import Row, now, pairs, query
from .tokens import hash_token, new_token


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
    qualification: str = ""  # the code of the qualification they are enrolled on ("": default)


@dataclass(frozen=True)
class Added:
    """The learners a form made (or, sent again, made before), each with a new personal token.

    Sent again, `again` is true and the tokens are "": the links were shown when the form was
    first sent, and only their hashes are kept, so they cannot be shown again; no new ones are
    made unless asked for (a refresh of the page must not stop the links just handed out).
    """

    learners: list[tuple[Row, str]]
    again: bool


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
    member (a refresh, a double tap, a retry after a lost answer) nobody is added twice and no
    link changes: the learners the form added before come back without tokens (Added.again).
    """
    stamp = now()
    sender = staff if request_key else None  # who sent the form, if it can be sent again
    with immediate(db):
        done = _request_learners(db, request_key, sender) if sender else []
        if sender and done:
            return Added([(row, "") for row in done if can_see(sender, row)], again=True)
        made = []
        for position, one in enumerate(new):
            learner_id, token = _insert_learner(db, one, actor, stamp)
            made.append((learner_id, token))
            if sender:
                db.execute(
                    "INSERT INTO add_learner_requests (request_key, staff_id, position, "
                    "learner_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    [request_key, sender["id"], position, learner_id, stamp],
                )
        rows = _learners_by_id(db, [learner_id for learner_id, _ in made])
    return Added([(rows[learner_id], token) for learner_id, token in made], again=False)


def _insert_learner(
    db: sqlite_utils.Database, new: NewLearner, actor: str, stamp: str
) -> tuple[int, str]:
    token = new_token()
    values: dict[str, object] = {
        "name": new.name,
        "candidate_number": new.candidate_number,
        "job_role": new.job_role,
        "job_role_other": new.job_role_other,
        "token_hash": hash_token(token),
        "created_at": stamp,
    }
    if new.assessor_id is not None:  # (a column an older database may not have yet)
        values["assessor_id"] = new.assessor_id
    if new.qualification:  # otherwise the column's default
        values["qualification"] = new.qualification
    cursor = db.execute(
        f"INSERT INTO learners ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",  # noqa: S608  # nosec B608: column names are the literal keys above
        list(values.values()),
    )
    learner_id = cursor.lastrowid
    assert learner_id is not None
    audit.record(db, actor, learner_id, "learner-added", "", None, new.name, stamp)
    if new.qualification:
        audit.record(db, actor, learner_id, "enrolled", "", None, new.qualification, stamp)
    if new.job_role:
        role = _role_text(new.job_role, new.job_role_other)
        audit.record(db, actor, learner_id, "job-role", "", "", role, stamp)
    if new.assessor_id is not None:
        audit.record(
            db, actor, learner_id, "assessor-assigned", "", None, str(new.assessor_id), stamp
        )
    return learner_id, token


def _request_learners(db: sqlite_utils.Database, request_key: str, staff: Row) -> list[Row]:
    """The learners a form with this key, sent by this staff member, added before."""
    db.execute(
        "DELETE FROM add_learner_requests WHERE created_at < ?",
        [(datetime.now(UTC) - REQUEST_MEMORY).isoformat(timespec="seconds")],
    )
    return list(
        query(
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
        for r in query(
            db,
            "SELECT * FROM learners WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    }


def _new_link(db: sqlite_utils.Database, learner_id: int, actor: str) -> str:
    token = new_token()
    db.execute("UPDATE learners SET token_hash = ? WHERE id = ?", [hash_token(token), learner_id])
    audit.record(db, actor, learner_id, "link-reissued", "", None, None)
    return token


def reissue_token(db: sqlite_utils.Database, learner_id: int, actor: str) -> str:
    """A new personal link; the old one, and every device it signed in, stop working."""
    with immediate(db):
        return _new_link(db, learner_id, actor)


def reissue_links(
    db: sqlite_utils.Database,
    learner_ids: Sequence[int],
    actor: str,
    staff: Row,
    request_key: str,
) -> Added:
    """New personal links for these learners (the old ones stop working), in one transaction.

    `request_key` is the one-time key of the form that asked: sent again (a refresh of the
    page showing the new links) no link changes, and the learners come back without tokens
    (Added.again), as with add_learners.
    """
    stamp = now()
    with immediate(db):
        db.execute(
            "DELETE FROM link_requests WHERE created_at < ?",
            [(datetime.now(UTC) - REQUEST_MEMORY).isoformat(timespec="seconds")],
        )
        done = list(
            query(
                db,
                "SELECT learners.* FROM link_requests JOIN learners ON learners.id = "
                "link_requests.learner_id WHERE request_key = ? AND staff_id = ? "
                "ORDER BY learners.name",
                [request_key, staff["id"]],
            )
        )
        if done:
            return Added([(row, "") for row in done if can_see(staff, row)], again=True)
        rows = _learners_by_id(db, list(learner_ids))
        made = []
        for learner_id in learner_ids:
            row = rows.get(learner_id)
            if row is None or not can_see(staff, row):
                continue
            made.append((row, _new_link(db, learner_id, actor)))
            db.execute(
                "INSERT INTO link_requests (request_key, staff_id, learner_id, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [request_key, staff["id"], learner_id, stamp],
            )
    return Added(made, again=False)


def learner(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    rows = list(query(db, "SELECT * FROM learners WHERE id = ?", [learner_id]))
    return rows[0] if rows else None


def learner_by_token(db: sqlite_utils.Database, token: str) -> Row | None:
    rows = list(query(db, "SELECT * FROM learners WHERE token_hash = ?", [hash_token(token)]))
    return rows[0] if rows else None


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


def submit(db: sqlite_utils.Database, learner_id: int, actor: str) -> None:
    with immediate(db):
        db.execute(
            "UPDATE learners SET submitted_at = ? WHERE id = ? AND submitted_at IS NULL",
            [now(), learner_id],
        )
        audit.record(db, actor, learner_id, "submitted", "", None, None)


def reopen(db: sqlite_utils.Database, learner_id: int, actor: str) -> bool:
    """Let the learner change answers again, unless the assessor has confirmed the plan."""
    with immediate(db):
        row = learner(db, learner_id)
        if row is None or row["plan_confirmed_at"] or not row["submitted_at"]:
            return False
        db.execute("UPDATE learners SET submitted_at = NULL WHERE id = ?", [learner_id])
        audit.record(db, actor, learner_id, "reopened", "", None, None)
    return True


# ---- answers: read in one statement, written in one transaction ---------------------------


@dataclass(frozen=True)
class Answers:
    """A learner's answers, as one page needs them: read together, in one statement."""

    contexts: dict[str, str]  # job question id -> yes, sometimes or no
    ratings: dict[str, int]  # statement id -> 0-3
    interests: frozenset[str]  # unit numbers
    assessor: dict[str, int]  # the assessor's ratings (read only when asked for)
    answered_at: dict[str, str] = field(default_factory=dict)  # statement id -> when rated


# one statement, so every part comes from the same moment of the database
_ANSWERS = (
    "SELECT 'c', context_id, answer, NULL FROM context_answers WHERE learner_id = :id "
    "UNION ALL SELECT 'r', statement_id, rating, updated_at FROM ratings WHERE learner_id = :id "
    "UNION ALL SELECT 'i', unit, NULL, NULL FROM interests WHERE learner_id = :id"
)
_ASSESSOR = (
    " UNION ALL SELECT 'a', statement_id, rating, NULL FROM assessor_ratings WHERE learner_id = :id"
)


def answers(db: sqlite_utils.Database, learner_id: int, assessor: bool = False) -> Answers:
    """Everything the learner has answered (and, if asked, the assessor's ratings)."""
    parts: dict[str, dict[str, Any]] = {"c": {}, "r": {}, "i": {}, "a": {}}
    times: dict[str, str] = {}
    sql = _ANSWERS + _ASSESSOR if assessor else _ANSWERS
    for kind, key, value, at in db.conn.execute(sql, {"id": learner_id}):
        parts[kind][key] = value
        if kind == "r":
            times[key] = at
    return Answers(parts["c"], parts["r"], frozenset(parts["i"]), parts["a"], times)


# the saved answers to the questions a change is about, and no others
_BEFORE = (
    "SELECT 'c', context_id, answer FROM context_answers WHERE learner_id = :id "
    "AND context_id IN (SELECT value FROM json_each(:c)) "
    "UNION ALL SELECT 'r', statement_id, rating FROM ratings WHERE learner_id = :id "
    "AND statement_id IN (SELECT value FROM json_each(:r)) "
    "UNION ALL SELECT 'i', unit, NULL FROM interests WHERE learner_id = :id "
    "AND unit IN (SELECT value FROM json_each(:i))"
)


def _answers_before(db: sqlite_utils.Database, learner_id: int, changes: Changes) -> Answers:
    parts: dict[str, dict[str, Any]] = {"c": {}, "r": {}, "i": {}}
    keys = {
        "id": learner_id,
        "c": json.dumps(list(changes.contexts)),
        "r": json.dumps(list(changes.ratings)),
        "i": json.dumps(list(changes.interests)),
    }
    for kind, key, value in db.conn.execute(_BEFORE, keys):
        parts[kind][key] = value
    return Answers(parts["c"], parts["r"], frozenset(parts["i"]), {})


@dataclass(frozen=True)
class Changes:
    """Answers to keep, as one page or one tap gives them; each is written only if it changed."""

    job_role: tuple[str, str] | None = None  # (role, the learner's own words for "other")
    contexts: Mapping[str, str] = field(default_factory=dict)
    ratings: Mapping[str, int] = field(default_factory=dict)
    interests: Mapping[str, bool] = field(default_factory=dict)  # unit -> wanted or not
    resume: str = ""  # the page to come back to, if it moves


def keep_answers(db: sqlite_utils.Database, learner_id: int, changes: Changes, actor: str) -> int:
    """Keep a page's (or a tap's) answers and where to resume, in one transaction.

    Returns how many answers changed; AnswersClosed (and nothing written) if they are
    read-only by now.
    """
    stamp = now()
    with immediate(db):
        row = _open_for_answers(db, learner_id)
        if row is None:
            return 0
        changed = 0
        if changes.job_role is not None and changes.job_role != (
            row["job_role"],
            row["job_role_other"],
        ):
            db.execute(
                "UPDATE learners SET job_role = ?, job_role_other = ? WHERE id = ?",
                [*changes.job_role, learner_id],
            )
            before = _role_text(row["job_role"], row["job_role_other"])
            after = _role_text(*changes.job_role)
            audit.record(db, actor, learner_id, "job-role", "", before, after, stamp)
            changed += 1
        if changes.contexts or changes.ratings or changes.interests:
            had = _answers_before(db, learner_id, changes)
            changed += _keep_changes(
                db, UPSERT_CONTEXT, had.contexts, changes.contexts, learner_id, "job-context", actor
            )
            changed += _keep_changes(
                db, UPSERT_RATING, had.ratings, changes.ratings, learner_id, "rating", actor
            )
            changed += _keep_interests(db, learner_id, had.interests, changes.interests, actor)
        if changes.resume and changes.resume != row["resume_page"]:
            db.execute(
                "UPDATE learners SET resume_page = ? WHERE id = ?", [changes.resume, learner_id]
            )
    return changed


def _role_text(role: str, other: str) -> str:
    return f"{role}: {other}" if other else role


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
    before: Mapping[str, object],
    values: Mapping[str, object],
    learner_id: int,
    action: str,
    actor: str,
    owner: int | None = None,
) -> int:
    """Write only the answers that changed, each with its audit entry; inside a transaction.

    `owner` is the row the answers belong to: the learner, or one of their self-checks.
    """
    changed = 0
    stamp = now()
    for key, value in values.items():
        if before.get(key) == value:
            continue  # the same answer twice is one answer
        db.execute(upsert, [learner_id if owner is None else owner, key, value, stamp])
        audit.record(
            db,
            actor,
            learner_id,
            action,
            key,
            audit.text(before.get(key)),
            audit.text(value),
            stamp,
        )
        changed += 1
    return changed


def _keep_interests(
    db: sqlite_utils.Database,
    learner_id: int,
    had: frozenset[str],
    wanted: Mapping[str, bool],
    actor: str,
) -> int:
    changed = 0
    for unit, want in wanted.items():
        if (unit in had) == want:
            continue
        if want:
            db.execute("INSERT INTO interests (learner_id, unit) VALUES (?, ?)", [learner_id, unit])
        else:
            db.execute(
                "DELETE FROM interests WHERE learner_id = ? AND unit = ?", [learner_id, unit]
            )
        audit.record(
            db, actor, learner_id, "interest", unit, audit.text(not want), audit.text(want)
        )
        changed += 1
    return changed


# the same, one kind of answer at a time (the CLI, imports and tests write answers this way)


def set_job_role(
    db: sqlite_utils.Database, learner_id: int, role: str, other: str, actor: str
) -> bool:
    return bool(keep_answers(db, learner_id, Changes(job_role=(role, other)), actor))


def save_ratings(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, int],
    actor: str,
    resume: str = "",
) -> int:
    """Keep each rating; returns how many changed. AnswersClosed if they are read-only."""
    return keep_answers(db, learner_id, Changes(ratings=values, resume=resume), actor)


def save_contexts(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, str],
    actor: str,
    resume: str = "",
) -> int:
    """Keep each job-context answer; returns how many changed. AnswersClosed if read-only."""
    return keep_answers(db, learner_id, Changes(contexts=values, resume=resume), actor)


def set_interest(
    db: sqlite_utils.Database, learner_id: int, unit: str, wanted: bool, actor: str
) -> bool:
    return bool(keep_answers(db, learner_id, Changes(interests={unit: wanted}), actor))


def ratings(db: sqlite_utils.Database, learner_id: int) -> dict[str, int]:
    return answers(db, learner_id).ratings


def context_answers(db: sqlite_utils.Database, learner_id: int) -> dict[str, str]:
    """Only the job answers: all a page needs to know which pages the learner has."""
    return pairs(
        db, "SELECT context_id, answer FROM context_answers WHERE learner_id = ?", [learner_id]
    )


def interests(db: sqlite_utils.Database, learner_id: int) -> frozenset[str]:
    return answers(db, learner_id).interests


# ---- unit self-checks: a learner rates a unit's statements again, as often as they like -----


class CheckFinished(Exception):
    """A rating was given on a page shown before the unit's last check was finished."""


def _unfinished(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row | None:
    rows = list(
        query(
            db,
            "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? "
            "AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            [learner_id, unit],
        )
    )
    return rows[0] if rows else None


def _open_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row:
    """Inside a transaction: the unfinished check of a unit, started now if there is none."""
    found = _unfinished(db, learner_id, unit)
    if found is not None:
        return found
    started = now()
    cursor = db.execute(
        "INSERT INTO self_checks (learner_id, unit, started_at) VALUES (?, ?, ?)",
        [learner_id, unit, started],
    )
    return {
        "id": cursor.lastrowid,
        "learner_id": learner_id,
        "unit": unit,
        "started_at": started,
        "finished_at": None,
    }


def _save_on_check(
    db: sqlite_utils.Database, check_row: Row, values: Mapping[str, int], actor: str
) -> int:
    return _keep_changes(
        db,
        UPSERT_CHECK_RATING,
        check_ratings(db, check_row["id"]),
        values,
        check_row["learner_id"],
        "self-check-rating",
        actor,
        owner=check_row["id"],
    )


def _finish(db: sqlite_utils.Database, check_row: Row, actor: str) -> None:
    db.execute(
        "UPDATE self_checks SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        [now(), check_row["id"]],
    )
    audit.record(
        db, actor, check_row["learner_id"], "self-check-finished", check_row["unit"], None, None
    )


def keep_check_ratings(
    db: sqlite_utils.Database,
    learner_id: int,
    unit: str,
    values: Mapping[str, int],
    actor: str,
    finish: bool = False,
    shown: str = "",
) -> Row:
    """Keep ratings on the learner's open check of a unit (started if there is none) and, if
    asked, finish it: one transaction. Returns the check.

    `shown` is when the page was shown: CheckFinished if a check of the unit was finished
    since, so a save kept on the phone from then does not start a new check by itself.
    """
    with immediate(db):
        if shown:
            last = db.execute(
                "SELECT max(finished_at) FROM self_checks WHERE learner_id = ? AND unit = ?",
                [learner_id, unit],
            ).fetchone()[0]
            if last and shown < last:
                raise CheckFinished(unit)
        check_row = _open_check(db, learner_id, unit)
        _save_on_check(db, check_row, values, actor)
        if finish:
            _finish(db, check_row, actor)
    return check_row


# the same in steps (fixtures and tests build a learner's history this way)


def open_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row:
    """The learner's unfinished check of a unit, started now if there is none."""
    with immediate(db):
        return _open_check(db, learner_id, unit)


def save_check_ratings(
    db: sqlite_utils.Database, check_row: Row, values: Mapping[str, int], actor: str
) -> int:
    with immediate(db):
        return _save_on_check(db, check_row, values, actor)


def finish_check(db: sqlite_utils.Database, check_row: Row, actor: str) -> None:
    with immediate(db):
        _finish(db, check_row, actor)


def unit_checks(db: sqlite_utils.Database, learner_id: int, unit: str) -> list[Row]:
    """Every check of a unit the learner started, oldest first."""
    return list(
        query(
            db,
            "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? ORDER BY id",
            [learner_id, unit],
        )
    )


def unfinished_check(db: sqlite_utils.Database, learner_id: int, unit: str) -> Row | None:
    return _unfinished(db, learner_id, unit)


def check(db: sqlite_utils.Database, check_id: int) -> Row | None:
    rows = list(query(db, "SELECT * FROM self_checks WHERE id = ?", [check_id]))
    return rows[0] if rows else None


def check_ratings(db: sqlite_utils.Database, check_id: int) -> dict[str, int]:
    return pairs(
        db, "SELECT statement_id, rating FROM check_ratings WHERE check_id = ?", [check_id]
    )


def ratings_of_checks(
    db: sqlite_utils.Database, check_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """The ratings given on each of these checks, in one statement."""
    found: dict[int, dict[str, int]] = {i: {} for i in check_ids}
    for check_id, statement_id, rating in db.conn.execute(
        "SELECT check_id, statement_id, rating FROM check_ratings "
        "WHERE check_id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(check_ids))],
    ):
        found[check_id][statement_id] = rating
    return found


def finished_checks(db: sqlite_utils.Database, learner_id: int, unit: str) -> list[Row]:
    return list(
        query(
            db,
            "SELECT * FROM self_checks WHERE learner_id = ? AND unit = ? "
            "AND finished_at IS NOT NULL ORDER BY id",
            [learner_id, unit],
        )
    )


def latest_self_checks(db: sqlite_utils.Database, learner_id: int) -> dict[str, tuple[int, str]]:
    """Each statement's rating in the learner's latest finished self-check that rated it, with
    when that check was finished: statement id -> (rating, finished_at). One statement."""
    return {
        statement_id: (rating, finished_at)
        for statement_id, rating, finished_at in db.conn.execute(
            "SELECT statement_id, rating, finished_at FROM (SELECT check_ratings.statement_id, "
            "check_ratings.rating, self_checks.finished_at, row_number() OVER (PARTITION BY "
            "check_ratings.statement_id ORDER BY self_checks.finished_at DESC, self_checks.id "
            "DESC) AS n FROM check_ratings JOIN self_checks ON self_checks.id = "
            "check_ratings.check_id WHERE self_checks.learner_id = ? AND self_checks.finished_at "
            "IS NOT NULL) WHERE n = 1",
            [learner_id],
        )
    }


# the learner's record: what staff enter about them (the portfolio's introductory section)
RECORD_FIELDS = (
    "name",
    "candidate_number",
    "email",
    "phone",
    "address",
    "employer",
    "workplace",
    "start_on",
    "planned_end_on",
)


def update_record(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, str | None],
    actor: str,
    job: tuple[str, str] | None = None,
) -> list[str]:
    """Change the learner's record (RECORD_FIELDS, and the job as (role, own words)) in one
    transaction, auditing each field that changed; returns the fields that changed."""
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not part of a learner's record: {sorted(unknown)}")
    stamp = now()
    changed = []
    with immediate(db):
        row = learner(db, learner_id)
        if row is None:
            return []
        for name, value in values.items():
            if (row[name] or "") == (value or ""):
                continue
            db.execute(
                f"UPDATE learners SET {name} = ? WHERE id = ?",  # noqa: S608  # nosec B608: a name from RECORD_FIELDS
                [value, learner_id],
            )
            audit.record(db, actor, learner_id, "record-changed", name, row[name], value, stamp)
            changed.append(name)
        if job is not None and job != (row["job_role"], row["job_role_other"]):
            db.execute(
                "UPDATE learners SET job_role = ?, job_role_other = ? WHERE id = ?",
                [*job, learner_id],
            )
            before = _role_text(row["job_role"], row["job_role_other"])
            audit.record(db, actor, learner_id, "job-role", "", before, _role_text(*job), stamp)
            changed.append("job_role")
    return changed


def learners_for(
    db: sqlite_utils.Database, staff: Row, archived: bool = False, qualification: str = ""
) -> list[Row]:
    """The learners a staff member may see: an assessor their own, others everyone; only those
    on one qualification when its code is given."""
    mine = staff["id"] if staff["role"] == "assessor" else None
    return list(
        query(
            db,
            "SELECT learners.*, staff.name AS assessor_name FROM learners "
            "LEFT JOIN staff ON staff.id = learners.assessor_id "
            "WHERE (learners.archived_at IS NOT NULL) = ? "
            "AND (? IS NULL OR learners.assessor_id = ?) "
            "AND (? = '' OR learners.qualification = ?) ORDER BY learners.name",
            [int(archived), mine, mine, qualification, qualification],
        )
    )


def learners_with_answers(
    db: sqlite_utils.Database, staff: Row, archived: bool, qualification: str = ""
) -> list[Row]:
    """learners_for(), each with their job answers ("contexts") and rated statement ids."""
    rows = learners_for(db, staff, archived, qualification)
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
        audit.record(
            db,
            actor,
            learner_id,
            "assessor-assigned",
            "",
            audit.text(before["assessor_id"] if before else None),
            audit.text(assessor_id),
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
        audit.record(
            db, actor, learner_id, "archived" if archived else "unarchived", "", None, None
        )
    return True


def assessor_ratings(db: sqlite_utils.Database, learner_id: int) -> dict[str, int]:
    return answers(db, learner_id, assessor=True).assessor


def save_assessor_ratings(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, int | None],
    staff_id: int,
    actor: str,
) -> int:
    """Keep the assessor's ratings (None takes one away) in one transaction; how many changed."""
    changed = 0
    with immediate(db):
        had = answers(db, learner_id, assessor=True).assessor
        for statement_id, rating in values.items():
            before = had.get(statement_id)
            if before == rating:
                continue
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
            audit.record(
                db,
                actor,
                learner_id,
                "assessor-rating",
                statement_id,
                audit.text(before),
                audit.text(rating),
            )
            changed += 1
    return changed


def save_assessor_rating(
    db: sqlite_utils.Database,
    learner_id: int,
    statement_id: str,
    rating: int | None,
    staff_id: int,
    actor: str,
) -> bool:
    return bool(save_assessor_ratings(db, learner_id, {statement_id: rating}, staff_id, actor))


def cohort_ratings(
    db: sqlite_utils.Database,
    learner_ids: list[int],
    assessor: bool = False,
    latest: bool = False,
) -> dict[int, dict[str, int]]:
    """Every rating of these learners, by learner: their own as given in the initial
    assessment, or (`assessor`) the assessor's, or (`latest`) the learner's own with each
    statement's rating in their latest finished self-check where there is one."""
    result: dict[int, dict[str, int]] = {i: {} for i in learner_ids}
    table = "assessor_ratings" if assessor else "ratings"
    ids = json.dumps(learner_ids)
    for r in query(
        db,
        f"SELECT learner_id, statement_id, rating FROM {table} "  # noqa: S608  # nosec B608: one of two table names above
        "WHERE learner_id IN (SELECT value FROM json_each(?))",
        [ids],
    ):
        result[r["learner_id"]][r["statement_id"]] = r["rating"]
    if latest:
        for learner_id, statement_id, rating in db.conn.execute(
            "SELECT learner_id, statement_id, rating FROM (SELECT self_checks.learner_id, "
            "check_ratings.statement_id, check_ratings.rating, row_number() OVER (PARTITION BY "
            "self_checks.learner_id, check_ratings.statement_id ORDER BY self_checks.finished_at "
            "DESC, self_checks.id DESC) AS n FROM check_ratings JOIN self_checks ON "
            "self_checks.id = check_ratings.check_id WHERE self_checks.learner_id IN "
            "(SELECT value FROM json_each(?)) AND self_checks.finished_at IS NOT NULL) WHERE n = 1",
            [ids],
        ):
            result[learner_id][statement_id] = rating
    return result


class MoveRefused(Exception):
    """A move to another qualification that cannot be made now, in words for the assessor."""


def move_qualification(
    db: sqlite_utils.Database, learner_id: int, code: str, reason: str, actor: str
) -> Row:
    """Enrol a learner on another qualification, with the reason in the audit trail.

    Only before their unit plan is confirmed: read and written in one transaction, so a
    confirmation landing first refuses the move (MoveRefused). Their answers stay in their
    record; a working plan of the old qualification's units is dropped, and an assessment
    already sent is opened again, since the new qualification asks its own questions.
    """
    with immediate(db):
        row = learner(db, learner_id)
        if row is None:
            raise MoveRefused("There is no such learner.")
        if row["plan_confirmed_at"]:
            raise MoveRefused(
                "Their plan is confirmed, so they can no longer be moved to another qualification."
            )
        if row["qualification"] == code:
            raise MoveRefused(f"They are already enrolled on {code}.")
        db.execute(
            "UPDATE learners SET qualification = ?, submitted_at = NULL, resume_page = '' "
            "WHERE id = ?",
            [code, learner_id],
        )
        db.execute("DELETE FROM plans WHERE learner_id = ? AND confirmed_at IS NULL", [learner_id])
        audit.record(
            db, actor, learner_id, "qualification-moved", reason, row["qualification"], code
        )
        moved = learner(db, learner_id)
    assert moved is not None
    return moved
