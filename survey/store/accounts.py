"""Staff accounts, their sessions, the first admin's setup link and failed sign-ins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlite_utils

from ..db import immediate
from . import audit
from .sql import Row, now, query
from .tokens import hash_secret, new_secret


def staff_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM staff").fetchone()[0]


def admin_count(db: sqlite_utils.Database) -> int:
    """Admin accounts, enabled or not: while there are none, a setup link may make the first."""
    return db.execute("SELECT count(*) FROM staff WHERE role = 'admin'").fetchone()[0]


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
        audit.record(db, actor, None, "staff-added", email.strip(), None, role)
    assert staff_id is not None
    return staff_id


def staff_by_email(db: sqlite_utils.Database, email: str) -> Row | None:
    rows = list(query(db, "SELECT * FROM staff WHERE email = ?", [email.strip()]))
    return rows[0] if rows else None


def staff_member(db: sqlite_utils.Database, staff_id: int) -> Row | None:
    rows = list(query(db, "SELECT * FROM staff WHERE id = ?", [staff_id]))
    return rows[0] if rows else None


def all_staff(db: sqlite_utils.Database) -> list[Row]:
    return list(query(db, "SELECT * FROM staff ORDER BY role, name"))


def staff_names(db: sqlite_utils.Database) -> dict[int, Row]:
    """Every account's name, role and email by id: how pages name the people in a record."""
    return {
        r["id"]: r
        for r in query(db, "SELECT id, name, role, email, disabled_at FROM staff ORDER BY name")
    }


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
        audit.record(
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
    token = new_secret()
    db.execute(
        "INSERT INTO staff_sessions (token_hash, staff_id, created_at) VALUES (?, ?, ?)",
        [hash_secret(token), staff_id, now()],
    )
    return token


STAFF_SESSION_HOURS = 12  # a working day: then sign in again


def staff_for_session(db: sqlite_utils.Database, token: str) -> Row | None:
    since = (datetime.now(UTC) - timedelta(hours=STAFF_SESSION_HOURS)).isoformat(timespec="seconds")
    rows = list(
        query(
            db,
            "SELECT staff.* FROM staff_sessions JOIN staff ON staff.id = staff_sessions.staff_id "
            "WHERE token_hash = ? AND ended_at IS NULL AND staff.disabled_at IS NULL "
            "AND staff_sessions.created_at > ?",
            [hash_secret(token), since],
        )
    )
    return rows[0] if rows else None


def end_staff_session(db: sqlite_utils.Database, token: str) -> None:
    db.execute(
        "UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        [now(), hash_secret(token)],
    )


def create_setup_link(db: sqlite_utils.Database, hours: int = 24) -> str | None:
    """A one-time link that creates the first admin; None while an earlier one still works.

    Every worker, and every `flask` command, starts the app: a link already printed must keep
    working for its whole life, not be replaced by the next start.
    """
    token = new_secret()
    stamp = datetime.now(UTC)
    with immediate(db):
        if _open_setup_links(db, stamp):
            return None
        db.execute(
            "INSERT INTO setup_links (token_hash, purpose, created_at, expires_at) "
            "VALUES (?, 'first-admin', ?, ?)",
            [
                hash_secret(token),
                stamp.isoformat(timespec="seconds"),
                (stamp + timedelta(hours=hours)).isoformat(timespec="seconds"),
            ],
        )
    return token


def _open_setup_links(db: sqlite_utils.Database, at: datetime) -> list[Row]:
    return list(
        query(
            db,
            "SELECT created_at, expires_at FROM setup_links WHERE used_at IS NULL "
            "AND expires_at > ? ORDER BY created_at DESC",
            [at.isoformat(timespec="seconds")],
        )
    )


def replace_setup_link(db: sqlite_utils.Database, hours: int = 24) -> tuple[str, Row | None]:
    """A new first-admin link, asked for on purpose (`flask users setup-link`): any earlier one
    stops working. Returns the new token and the earlier link that stopped, if there was one."""
    token = new_secret()
    stamp = datetime.now(UTC)
    at = stamp.isoformat(timespec="seconds")
    with immediate(db):
        earlier = _open_setup_links(db, stamp)
        db.execute(
            "UPDATE setup_links SET expires_at = ? WHERE used_at IS NULL AND expires_at > ?",
            [at, at],
        )
        db.execute(
            "INSERT INTO setup_links (token_hash, purpose, created_at, expires_at) "
            "VALUES (?, 'first-admin', ?, ?)",
            [
                hash_secret(token),
                at,
                (stamp + timedelta(hours=hours)).isoformat(timespec="seconds"),
            ],
        )
        audit.record(db, "cli", None, "setup-link-made", "", None, None)
    return token, (earlier[0] if earlier else None)


def open_setup_link(db: sqlite_utils.Database) -> Row | None:
    """When the setup link that still works was made and until when it works, if there is one."""
    found = _open_setup_links(db, datetime.now(UTC))
    return found[0] if found else None


def setup_link_valid(db: sqlite_utils.Database, token: str) -> bool:
    rows = list(
        query(
            db,
            "SELECT * FROM setup_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            [hash_secret(token), now()],
        )
    )
    return bool(rows)


def use_setup_link(
    db: sqlite_utils.Database, token: str, email: str, name: str, password_hash: str
) -> int | None:
    """Create the first admin through a setup link, once; None if the link is spent or an
    admin exists by now; StaffExists if the email has an account already (the link still
    works)."""
    token_hash = hash_secret(token)
    with immediate(db):
        if admin_count(db):
            return None
        if staff_by_email(db, email) is not None:
            raise StaffExists(email.strip())
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
        audit.record(db, "setup-link", None, "staff-added", email.strip(), None, "admin")
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


# ---- passwords: changed by their owner, or reset through a one-time link ---------------------

RESET_HOURS = 24  # a reset link works for a day


def change_password(
    db: sqlite_utils.Database, staff_id: int, password_hash: str, keep_session: str, actor: str
) -> None:
    """A new password; every other session of the account ends (a copied cookie too)."""
    with immediate(db):
        db.execute("UPDATE staff SET password_hash = ? WHERE id = ?", [password_hash, staff_id])
        db.execute(
            "UPDATE staff_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL "
            "AND token_hash != ?",
            [now(), staff_id, hash_secret(keep_session)],
        )
        audit.record(db, actor, None, "password-changed", str(staff_id), None, None)


def create_password_reset(
    db: sqlite_utils.Database, staff_id: int, actor: str, hours: int = RESET_HOURS
) -> tuple[str, int]:
    """A one-time link for the account to choose a new password (only its hash is kept); any
    earlier reset link of the account stops working. Returns the token and how many stopped."""
    token = new_secret()
    stamp = datetime.now(UTC)
    at = stamp.isoformat(timespec="seconds")
    with immediate(db):
        stopped = db.execute(
            "UPDATE password_resets SET expires_at = ? WHERE staff_id = ? AND used_at IS NULL "
            "AND expires_at > ?",
            [at, staff_id, at],
        ).rowcount
        db.execute(
            "INSERT INTO password_resets (token_hash, staff_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            [
                hash_secret(token),
                staff_id,
                at,
                (stamp + timedelta(hours=hours)).isoformat(timespec="seconds"),
            ],
        )
        audit.record(db, actor, None, "password-reset-link", str(staff_id), None, None)
    return token, stopped


def staff_for_reset(db: sqlite_utils.Database, token: str) -> Row | None:
    """The account a reset link that still works is for."""
    rows = list(
        query(
            db,
            "SELECT staff.* FROM password_resets JOIN staff ON staff.id = password_resets.staff_id "
            "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            [hash_secret(token), now()],
        )
    )
    return rows[0] if rows else None


def use_password_reset(db: sqlite_utils.Database, token: str, password_hash: str) -> Row | None:
    """Set the account's new password through a reset link, once; every session of the account
    ends. The account, or None if the link is used or expired."""
    token_hash = hash_secret(token)
    stamp = now()
    with immediate(db):
        found = list(
            query(
                db,
                "SELECT staff_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL "
                "AND expires_at > ?",
                [token_hash, stamp],
            )
        )
        if not found:
            return None
        staff_id = found[0]["staff_id"]
        db.execute(
            "UPDATE password_resets SET used_at = ? WHERE token_hash = ?", [stamp, token_hash]
        )
        db.execute("UPDATE staff SET password_hash = ? WHERE id = ?", [password_hash, staff_id])
        db.execute(
            "UPDATE staff_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL",
            [stamp, staff_id],
        )
        audit.record(db, "reset-link", None, "password-reset", str(staff_id), None, None)
        return staff_member(db, staff_id)
