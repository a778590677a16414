"""Staff sign-in and sign-out, and the first admin's setup link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ..auth import FAILURE_WINDOW_MINUTES, hash_password, password_matches, sign_in, try_wait
from ..db import get_db
from ..forms import ActionForm, LoginForm, SetupForm
from ..store import accounts

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _safe_next(target: str | None) -> str:
    # printable only: a line break in an address would break the redirect header
    if target and target.isprintable() and target.startswith("/staff") and "\\" not in target:
        return target
    return url_for("staff.learners")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_db()
        email = (form.email.data or "").strip()
        address = request.remote_addr or ""  # the proxy's idea of it only if trusted (https.py)
        # the try is counted as failed before its password is checked, in the same transaction
        # as the look at earlier failures: tries at once cannot all slip through together
        wait = accounts.begin_sign_in(db, email, address, FAILURE_WINDOW_MINUTES, try_wait)
        if wait:
            minutes = (wait + 59) // 60
            message = (
                f"Too many failed tries. Wait {wait} seconds and try again."
                if wait < 60
                else f"Too many failed tries. Sign-in is paused for {minutes} minutes."
            )
            form.email.errors.append(message)
            return render_template("auth/login.html", form=form), 429
        staff = accounts.staff_by_email(db, email)
        password = form.password.data or ""
        if staff and password_matches(staff, password) and not staff["disabled_at"]:
            accounts.clear_sign_in_failures(db, email, address)
            sign_in(staff)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    token = session.get("staff_session")
    if isinstance(token, str):
        accounts.end_staff_session(get_db(), token)  # a copied cookie stops working too
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("auth.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> ResponseReturnValue:
    db = get_db()
    if accounts.staff_count(db) or not accounts.setup_link_valid(db, token):
        abort(
            404,
            "This setup link has been used or has expired. Ask whoever runs the server "
            "for a new one: it is printed when the app starts with no staff accounts.",
        )
    form = SetupForm()
    if form.validate_on_submit():
        staff_id = accounts.use_setup_link(
            db,
            token,
            form.email.data or "",
            form.name.data or "",
            hash_password(form.password.data or ""),
        )
        if staff_id is None:
            abort(404, "This setup link has just been used.")
        admin = accounts.staff_member(db, staff_id)
        assert admin is not None  # made a moment ago, in the same transaction as the link used
        sign_in(admin)
        flash("Your admin account is ready.")
        return redirect(url_for("staff.learners"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/setup.html", form=form, token=token), status
