"""The learner's workplace: contacts and their links, their answers, witness testimonies.

A contact's personal link works like a learner's: a long random token of which only the hash
is kept. It can be revoked or reissued, and stops working when it expires or the learner is
archived. Everything a contact answers is written with an audit entry, only when it changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from ..db import immediate
from ..testimonies import FIELD_NAMES
from . import audit
from .sql import Row, now, query
from .tokens import hash_token, new_token


def actor(contact: Mapping[str, Any]) -> str:
    return f"workplace:{contact['id']}"


# ---- contacts and their links ----------------------------------------------------------------


@dataclass(frozen=True)
class NewContact:
    """A workplace contact as the assessor invites them."""

    name: str
    job_title: str
    relationship: str  # line-manager, supervisor, colleague
    role: str = "workplace"  # workplace, or witness (testimonies only)
    email: str = ""
    phone: str = ""


def _expiry(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


# a contact as every page reads them: with the learner's name and whether they are archived
_CONTACT = (
    "SELECT workplace_contacts.*, learners.name AS learner_name, "
    "learners.archived_at AS learner_archived_at, learners.job_role AS learner_job_role, "
    "learners.job_role_other AS learner_job_role_other, "
    "learners.qualification AS learner_qualification FROM workplace_contacts "
    "JOIN learners ON learners.id = workplace_contacts.learner_id "
)


def contact(db: sqlite_utils.Database, contact_id: int) -> Row | None:
    rows = list(query(db, _CONTACT + "WHERE workplace_contacts.id = ?", [contact_id]))
    return rows[0] if rows else None


def contact_by_token(db: sqlite_utils.Database, token: str) -> Row | None:
    rows = list(
        query(db, _CONTACT + "WHERE workplace_contacts.token_hash = ?", [hash_token(token)])
    )
    return rows[0] if rows else None


def contacts(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    """A learner's workplace contacts, in the order they were invited."""
    return list(
        query(db, "SELECT * FROM workplace_contacts WHERE learner_id = ? ORDER BY id", [learner_id])
    )


def invite(
    db: sqlite_utils.Database,
    learner_id: int,
    new: NewContact,
    staff_id: int | None,
    who: str,
    days: int,
    request_key: str = "",
) -> tuple[Row, str, bool]:
    """Invite a contact: (their row, their new personal token, whether the same form had
    invited them already). Sent twice (a double tap), the contact is invited once and gets a
    new link: only the last page shown has a link anyone saw."""
    stamp = now()
    with immediate(db):
        if request_key:
            found = list(
                query(
                    db,
                    "SELECT id FROM workplace_contacts WHERE learner_id = ? AND created_by IS ? "
                    "AND request_key = ?",
                    [learner_id, staff_id, request_key],
                )
            )
            if found:
                token = _new_link(db, learner_id, found[0]["id"], who, days)
                row = contact(db, found[0]["id"])
                assert row is not None
                return row, token, True
        token = new_token()
        cursor = db.execute(
            "INSERT INTO workplace_contacts (learner_id, name, job_title, relationship, role, "
            "email, phone, token_hash, created_at, created_by, request_key, link_issued_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                learner_id,
                new.name,
                new.job_title,
                new.relationship,
                new.role,
                new.email,
                new.phone,
                hash_token(token),
                stamp,
                staff_id,
                request_key or None,
                stamp,
                _expiry(days),
            ],
        )
        contact_id = cursor.lastrowid
        assert contact_id is not None
        # the audit names the contact by number: their details have a retention of their own
        audit.record(
            db,
            who,
            learner_id,
            "workplace-contact-invited",
            f"contact #{contact_id}",
            None,
            f"{new.relationship} ({new.role})",
            stamp,
        )
        row = contact(db, contact_id)
    assert row is not None
    return row, token, False


def _new_link(
    db: sqlite_utils.Database, learner_id: int, contact_id: int, who: str, days: int
) -> str:
    token = new_token()
    stamp = now()
    db.execute(
        "UPDATE workplace_contacts SET token_hash = ?, link_issued_at = ?, expires_at = ?, "
        "revoked_at = NULL WHERE id = ?",
        [hash_token(token), stamp, _expiry(days), contact_id],
    )
    audit.record(
        db, who, learner_id, "workplace-link-reissued", f"contact #{contact_id}", None, None
    )
    return token


def _of_learner(db: sqlite_utils.Database, learner_id: int, contact_id: int) -> Row | None:
    """A contact of this learner, read inside a transaction; None for anyone else's."""
    found = contact(db, contact_id)
    if found is None or found["learner_id"] != learner_id:
        return None
    return found


def reissue(
    db: sqlite_utils.Database, learner_id: int, contact_id: int, who: str, days: int
) -> tuple[Row, str] | None:
    """A new link for a contact of this learner (the old link, and every device it opened,
    stop working), valid for `days` again; None if there is no such contact of theirs."""
    with immediate(db):
        found = _of_learner(db, learner_id, contact_id)
        if found is None or found["erased_at"]:
            return None
        token = _new_link(db, learner_id, contact_id, who, days)
        row = contact(db, contact_id)
    assert row is not None
    return row, token


def revoke(db: sqlite_utils.Database, learner_id: int, contact_id: int, who: str) -> bool | None:
    """Stop a contact's link; False if it was stopped already, None if there is no such
    contact of this learner's."""
    with immediate(db):
        found = _of_learner(db, learner_id, contact_id)
        if found is None:
            return None
        if found["revoked_at"] or found["erased_at"]:
            return False
        db.execute("UPDATE workplace_contacts SET revoked_at = ? WHERE id = ?", [now(), contact_id])
        audit.record(
            db, who, learner_id, "workplace-link-revoked", f"contact #{contact_id}", None, None
        )
    return True


# ---- what a contact answers --------------------------------------------------------------------


@dataclass(frozen=True)
class ContactAnswers:
    """One contact's answers: job questions, and ratings of claims with their notes."""

    contexts: dict[str, str] = field(default_factory=dict)
    ratings: dict[str, str] = field(default_factory=dict)  # statement id -> scale value
    notes: dict[str, str] = field(default_factory=dict)


_ANSWERS = (
    "SELECT 'c', context_id, answer FROM workplace_context_answers WHERE contact_id = :id "
    "UNION ALL SELECT 'r', statement_id, rating FROM workplace_ratings WHERE contact_id = :id "
    "AND rating IS NOT NULL "
    "UNION ALL SELECT 'n', statement_id, note FROM workplace_ratings WHERE contact_id = :id "
    "AND note != ''"
)


def answers(db: sqlite_utils.Database, contact_id: int) -> ContactAnswers:
    """Everything one contact has answered, in one statement."""
    parts: dict[str, dict[str, str]] = {"c": {}, "r": {}, "n": {}}
    for kind, key, value in db.conn.execute(_ANSWERS, {"id": contact_id}):
        parts[kind][key] = value
    return ContactAnswers(parts["c"], parts["r"], parts["n"])


class ContactClosed(Exception):
    """A contact's answers cannot change: `sent` already, or the link is `gone`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _open_contact(db: sqlite_utils.Database, contact_id: int, usable: Callable[[Row], bool]) -> Row:
    """The contact, read inside the write's transaction; ContactClosed if they cannot answer.

    `usable(row)` says whether their link still works (the rule lives in survey/workplace.py).
    """
    row = contact(db, contact_id)
    if row is None or not usable(row):
        raise ContactClosed("gone")
    return row


# how each kind of answer is kept: (part of ContactAnswers, audit action, upsert)
_KEEP = (
    (
        "contexts",
        "workplace-context",
        "INSERT INTO workplace_context_answers (contact_id, context_id, answer, updated_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (contact_id, context_id) DO UPDATE "
        "SET answer = excluded.answer, updated_at = excluded.updated_at",
    ),
    (
        "ratings",
        "workplace-rating",
        "INSERT INTO workplace_ratings (contact_id, statement_id, rating, updated_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (contact_id, statement_id) DO UPDATE "
        "SET rating = excluded.rating, updated_at = excluded.updated_at",
    ),
    (
        "notes",
        "workplace-note",
        "INSERT INTO workplace_ratings (contact_id, statement_id, note, updated_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (contact_id, statement_id) DO UPDATE "
        "SET note = excluded.note, updated_at = excluded.updated_at",
    ),
)


def keep_answers(
    db: sqlite_utils.Database,
    contact_id: int,
    values: ContactAnswers,
    usable: Callable[[Row], bool],
) -> int:
    """Keep a page's (or a tap's) answers in one transaction; how many changed.

    The same answer twice is one answer (no note and an empty note are the same). ContactClosed
    (and nothing written) once the contact has sent their answers or their link has stopped
    working.
    """
    stamp = now()
    changed = 0
    with immediate(db):
        row = _open_contact(db, contact_id, usable)
        if row["sent_at"]:
            raise ContactClosed("sent")
        who, learner_id = actor(row), row["learner_id"]
        had = answers(db, contact_id)
        for part, action, upsert in _KEEP:
            kept: dict[str, str] = getattr(had, part)
            for key, value in getattr(values, part).items():
                before = kept.get(key)
                if (before or "") == (value or ""):
                    continue
                db.execute(upsert, [contact_id, key, value, stamp])
                audit.record(db, who, learner_id, action, key, before, value)
                changed += 1
    return changed


def send(db: sqlite_utils.Database, contact_id: int, usable: Callable[[Row], bool]) -> bool:
    """The contact sends their answers: read-only from now on. False if sent already."""
    with immediate(db):
        row = _open_contact(db, contact_id, usable)
        if row["sent_at"]:
            return False
        db.execute("UPDATE workplace_contacts SET sent_at = ? WHERE id = ?", [now(), contact_id])
        audit.record(db, actor(row), row["learner_id"], "workplace-sent", "", None, None)
    return True


@dataclass(frozen=True)
class Workplace:
    """What a learner's workplace contacts have said, as the staff pages and the planner read
    it: the contacts, and per contact their job answers and (rating, note) per claim."""

    contacts: list[Row]
    contexts: dict[int, dict[str, str]]
    ratings: dict[int, dict[str, tuple[str | None, str]]]


def workplace(db: sqlite_utils.Database, learner_id: int) -> Workplace:
    """Every contact of a learner with their answers: two statements."""
    people = contacts(db, learner_id)
    contexts: dict[int, dict[str, str]] = {c["id"]: {} for c in people}
    ratings: dict[int, dict[str, tuple[str | None, str]]] = {c["id"]: {} for c in people}
    ids = json.dumps([c["id"] for c in people])
    for kind, contact_id, key, value, note in db.conn.execute(
        "SELECT 'c', contact_id, context_id, answer, '' FROM workplace_context_answers "
        "WHERE contact_id IN (SELECT value FROM json_each(:ids)) "
        "UNION ALL SELECT 'r', contact_id, statement_id, rating, note FROM workplace_ratings "
        "WHERE contact_id IN (SELECT value FROM json_each(:ids))",
        {"ids": ids},
    ):
        if kind == "c":
            contexts.setdefault(contact_id, {})[key] = value
        else:
            ratings.setdefault(contact_id, {})[key] = (value, note)
    return Workplace(people, contexts, ratings)


def job_answers(db: sqlite_utils.Database, learner_id: int) -> Workplace:
    """Only the contacts' answers about the job, with who gave them (what the planner needs):
    one statement."""
    people: dict[int, Row] = {}
    contexts: dict[int, dict[str, str]] = {}
    for contact_id, relationship, role, context_id, answer in db.conn.execute(
        "SELECT c.id, c.relationship, c.role, a.context_id, a.answer "
        "FROM workplace_context_answers a JOIN workplace_contacts c ON c.id = a.contact_id "
        "WHERE c.learner_id = ?",
        [learner_id],
    ):
        people.setdefault(
            contact_id, {"id": contact_id, "relationship": relationship, "role": role}
        )
        contexts.setdefault(contact_id, {})[context_id] = answer
    return Workplace(list(people.values()), contexts, {})


def cohort_ratings(db: sqlite_utils.Database, learner_ids: Sequence[int]) -> list[Row]:
    """Every workplace rating of these learners, with who gave it (for the cohort view)."""
    return list(
        query(
            db,
            "SELECT c.learner_id, c.id, c.relationship, c.role, r.statement_id, r.rating "
            "FROM workplace_ratings r JOIN workplace_contacts c ON c.id = r.contact_id "
            "WHERE c.learner_id IN (SELECT value FROM json_each(?)) AND r.rating IS NOT NULL",
            [json.dumps(list(learner_ids))],
        )
    )


# ---- witness testimonies -------------------------------------------------------------------------

TESTIMONY_FIELDS = FIELD_NAMES  # the columns a witness writes: survey/testimonies.py


class TestimonyNotFound(Exception):
    """No such testimony of this contact's (or learner's)."""


class TestimonySigned(Exception):
    """A signed testimony is read-only."""

    def __init__(self, testimony_id: int) -> None:
        super().__init__(testimony_id)
        self.testimony_id = testimony_id


def testimonies_of_contact(db: sqlite_utils.Database, contact_id: int) -> list[Row]:
    return list(
        query(db, "SELECT * FROM testimonies WHERE contact_id = ? ORDER BY id", [contact_id])
    )


def keep_testimony(
    db: sqlite_utils.Database,
    contact_id: int,
    testimony_id: int | None,
    values: Mapping[str, str],
    usable: Callable[[Row], bool],
    signature: tuple[str, str] | None = None,
    request_key: str = "",
) -> int:
    """Save a contact's testimony (a new one when `testimony_id` is None) and, given
    `signature` (typed name, date of writing), sign it: one transaction. Returns its id.

    The same new form sent twice makes one testimony. TestimonyNotFound for another's,
    TestimonySigned once it is signed, ContactClosed if the link no longer works.
    """
    stamp = now()
    with immediate(db):
        row = _open_contact(db, contact_id, usable)
        who, learner_id = actor(row), row["learner_id"]
        if testimony_id is None and request_key:
            found = list(
                query(
                    db,
                    "SELECT id FROM testimonies WHERE contact_id = ? AND request_key = ?",
                    [contact_id, request_key],
                )
            )
            testimony_id = found[0]["id"] if found else None
        if testimony_id is None:
            cursor = db.execute(
                "INSERT INTO testimonies (learner_id, contact_id, learner_name, created_at, "
                "updated_at, request_key) VALUES (?, ?, ?, ?, ?, ?)",
                [learner_id, contact_id, row["learner_name"], stamp, stamp, request_key or None],
            )
            testimony_id = cursor.lastrowid
            assert testimony_id is not None
            audit.record(
                db, who, learner_id, "testimony-started", f"testimony #{testimony_id}", None, None
            )
        else:
            found = list(
                query(
                    db,
                    "SELECT signed_at FROM testimonies WHERE id = ? AND contact_id = ?",
                    [testimony_id, contact_id],
                )
            )
            if not found:
                raise TestimonyNotFound(testimony_id)
            if found[0]["signed_at"]:
                raise TestimonySigned(testimony_id)
        kept = {k: values[k] for k in TESTIMONY_FIELDS if k in values}
        if kept:
            sets = ", ".join(f"{k} = ?" for k in kept)
            db.execute(
                f"UPDATE testimonies SET {sets}, updated_at = ? WHERE id = ?",  # noqa: S608  # nosec B608: column names from TESTIMONY_FIELDS
                [*kept.values(), stamp, testimony_id],
            )
        if signature is not None:
            name, written_on = signature
            db.execute(
                "UPDATE testimonies SET signature = ?, signed_at = ?, written_on = ? WHERE id = ?",
                [name, stamp, written_on, testimony_id],
            )
            audit.record(
                db, who, learner_id, "testimony-signed", f"testimony #{testimony_id}", None, name
            )
    return testimony_id


def testimonies(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    """A learner's testimonies, each with the criteria the assessor linked to it."""
    rows = [
        dict(r)
        for r in query(
            db,
            "SELECT t.*, (SELECT json_group_array(statement_id) FROM testimony_criteria "
            "WHERE testimony_id = t.id) AS criteria_json "
            "FROM testimonies t WHERE t.learner_id = ? ORDER BY t.id",
            [learner_id],
        )
    ]
    for r in rows:
        r["criteria"] = sorted(json.loads(r.pop("criteria_json") or "[]"))
    return rows


def review_testimony(
    db: sqlite_utils.Database,
    learner_id: int,
    testimony_id: int,
    criteria: Sequence[str],
    decision: str | None,
    note: str,
    staff_id: int,
    who: str,
) -> bool:
    """The assessor links a signed testimony of this learner to the criteria it evidences and
    records their decision and a note of questioning the witness; False if nothing changed.
    TestimonyNotFound for another learner's or an unsigned one."""
    with immediate(db):
        found = list(
            query(
                db,
                "SELECT * FROM testimonies WHERE id = ? AND learner_id = ? "
                "AND signed_at IS NOT NULL",
                [testimony_id, learner_id],
            )
        )
        if not found:
            raise TestimonyNotFound(testimony_id)
        row = found[0]
        had = sorted(
            r[0]
            for r in db.execute(
                "SELECT statement_id FROM testimony_criteria WHERE testimony_id = ?",
                [testimony_id],
            )
        )
        wanted = sorted(set(criteria))
        if had == wanted and row["decision"] == decision and row["questioning_note"] == note:
            return False
        db.execute("DELETE FROM testimony_criteria WHERE testimony_id = ?", [testimony_id])
        for statement_id in wanted:
            db.execute(
                "INSERT INTO testimony_criteria (testimony_id, statement_id) VALUES (?, ?)",
                [testimony_id, statement_id],
            )
        db.execute(
            "UPDATE testimonies SET decision = ?, questioning_note = ?, decided_by = ?, "
            "decided_at = ? WHERE id = ?",
            [decision, note, staff_id, now(), testimony_id],
        )
        audit.record(
            db,
            who,
            learner_id,
            "testimony-reviewed",
            f"testimony #{testimony_id}",
            json.dumps({"decision": row["decision"], "criteria": had}),
            json.dumps({"decision": decision, "criteria": wanted, "note": note}),
        )
    return True


# ---- the contact's personal data: in the learner's record, and its own retention ---------------


# a link's hash is a secret; the rest comes from the learner's own row
_NOT_EXPORTED = (
    "token_hash",
    "request_key",
    "learner_name",
    "learner_archived_at",
    "learner_job_role",
    "learner_job_role_other",
    "learner_qualification",
)


def record(db: sqlite_utils.Database, learner_id: int) -> dict[str, Any]:
    """The workplace part of a learner's record, as plain data (no link hashes)."""
    kept = workplace(db, learner_id)
    people = []
    for c in kept.contacts:
        details = {k: v for k, v in c.items() if k not in _NOT_EXPORTED}
        details["job_contexts"] = kept.contexts.get(c["id"], {})
        details["ratings"] = {
            k: {"rating": v, "note": n} for k, (v, n) in kept.ratings.get(c["id"], {}).items()
        }
        people.append(details)
    written = [
        {k: v for k, v in t.items() if k != "request_key"} for t in testimonies(db, learner_id)
    ]
    return {"workplace_contacts": people, "testimonies": written}
