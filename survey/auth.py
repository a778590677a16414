"""Who is signed in, and the rules of signing in: scrypt password hashes, server-side
sessions, throttled failures, the first admin's setup link. The pages are views/auth.py."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, g, redirect, request, session, url_for
from werkzeug.exceptions import NotFound
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_db
from .forms import ROLES
from .store import accounts, learners
from .store.sql import Row

# Failed sign-ins count against an account and an address together: the person who owns an
# account, signing in from their own address, is never refused because of failures elsewhere.
FAILURE_WINDOW_MINUTES = 15
SLOW_AFTER = 3  # failures (this account, this address) before each new try must wait
LOCK_AFTER = 10  # failures (this account, this address) before it is refused for the window
ADDRESS_CEILING = 30  # failures from one address, whatever the accounts, before it is paused
# a hash to check against when the email is unknown, so timing does not tell who has an account
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def hash_password(password: str) -> str:
    """scrypt (werkzeug's default strong KDF), salted."""
    return generate_password_hash(password, method="scrypt")


def sign_in_wait(failures: list[str], now: datetime | None = None) -> int:
    """Seconds before another sign-in may be tried, from the recent failures (oldest first)."""
    if len(failures) < SLOW_AFTER:
        return 0
    now = now or datetime.now(UTC)
    last = datetime.fromisoformat(failures[-1])
    if len(failures) >= LOCK_AFTER:
        wait = FAILURE_WINDOW_MINUTES * 60
    else:
        wait = 2 ** (len(failures) - SLOW_AFTER + 1)  # 2, 4, 8 … seconds
    remaining = wait - (now - last).total_seconds()
    return max(0, int(remaining + 0.999))


def address_wait(failures: list[str], now: datetime | None = None) -> int:
    """Seconds before an address that failed this often (any accounts) may try again."""
    if len(failures) < ADDRESS_CEILING:
        return 0
    now = now or datetime.now(UTC)
    # paused until the window has let go of enough failures to be under the ceiling again
    oldest_that_counts = datetime.fromisoformat(failures[-ADDRESS_CEILING])
    remaining = FAILURE_WINDOW_MINUTES * 60 - (now - oldest_that_counts).total_seconds()
    return max(0, int(remaining + 0.999))


def try_wait(account_here: list[str], from_here: list[str]) -> int:
    """Seconds before this try may be checked: this account from this address, and the address."""
    now = datetime.now(UTC)
    return max(sign_in_wait(account_here, now), address_wait(from_here, now))


def password_matches(staff: Row | None, password: str) -> bool:
    """Whether the password is this account's; as slow for an unknown email as a known one."""
    return check_password_hash(staff["password_hash"] if staff else _DUMMY_HASH, password)


def sign_in(staff: Row) -> None:
    """Start a staff session: a new one, so no session id is fixed and any learner forgotten."""
    session.clear()
    session.permanent = False
    session["staff_session"] = accounts.start_staff_session(get_db(), staff["id"])


def current_staff() -> Row | None:
    if "staff" in g:
        return g.staff
    token = session.get("staff_session")
    found = accounts.staff_for_session(get_db(), token) if isinstance(token, str) else None
    if token and found is None:
        session.pop("staff_session", None)
    g.staff = found
    return found


def staff_learner(learner_id: int) -> Row:
    """A learner the signed-in staff member may see; anyone else's is simply not there (404)."""
    staff = current_staff()
    row = learners.learner(get_db(), learner_id)
    if staff is None or row is None or not learners.can_see(staff, row):
        raise NotFound("There is no learner of yours with that number.")
    return row


def signed_in_staff() -> Row:
    """The signed-in staff member, on a page staff_required already let through."""
    staff = current_staff()
    assert staff is not None  # staff_required ran first
    return staff


def staff_actor() -> str:
    """Who the audit trail says made a change: the signed-in staff member."""
    return f"staff:{signed_in_staff()['id']}"


def init_app(app: Flask) -> None:
    """Every template knows the signed-in staff member as `me` (None for anyone else)."""

    @app.context_processor
    def signed_in() -> dict[str, Any]:
        return {"me": current_staff()}


def staff_required(*roles: str, write: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """Only signed-in staff (of these roles); `write` views refuse verifiers."""
    allowed = roles or ROLES

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if staff["role"] not in allowed or (write and staff["role"] == "verifier"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def announce_setup_link(app: Any) -> None:
    """On a fresh install with no staff, print a one-time link that creates the first admin."""
    from .db import connect

    db = connect(app.config["DATABASE"])
    try:
        if accounts.staff_count(db):
            return
        token = accounts.create_setup_link(db)
        earlier = accounts.open_setup_link(db) if token is None else None
    finally:
        db.conn.close()
    if earlier is not None:
        # printed by an earlier start (another worker, a `flask` command): it still works
        message = (
            f"No staff accounts yet. A setup link for the first admin was printed at "
            f"{_when(earlier['created_at'])} and is valid until {_when(earlier['expires_at'])}. "
            "If it is lost, print a new one with: flask --app app users setup-link"
        )
    elif token is not None:
        base = (app.config.get("PUBLIC_URL") or "http://localhost:5000").rstrip("/")
        message = (
            f"No staff accounts yet. Create the first admin (link works once, for 24 hours): "
            f"{base}/staff/setup/{token}"
        )
        if not app.config.get("PUBLIC_URL"):
            message += (
                "\nFLASK_PUBLIC_URL is not set, so this link works only on this computer; "
                "set it and print a new link with: flask --app app users setup-link"
            )
    else:
        return
    # stderr, so `content export` and other commands keep their stdout clean
    print(message, file=sys.stderr, flush=True)  # the person starting the server must see it


def _when(stamp: str) -> str:
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")
