"""Staff sign-in and sign-out, passwords (changed, or reset by a one-time link), and the
first admin's setup link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from ..auth import (
    FAILURE_WINDOW_MINUTES,
    hash_password,
    password_matches,
    sign_in,
    signed_in_staff,
    staff_actor,
    staff_required,
    try_wait,
)
from ..db import get_db
from ..forms import ActionForm, ChangePasswordForm, LoginForm, ResetPasswordForm, SetupForm
from ..store import accounts
from ..web import public_url

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
    if accounts.admin_count(db) or not accounts.setup_link_valid(db, token):
        abort(
            404,
            "This setup link has been used or has expired. Ask whoever runs the server "
            "for a new one: flask --app app users setup-link prints one while there is no admin.",
        )
    form = SetupForm()
    if form.validate_on_submit():
        try:
            staff_id = accounts.use_setup_link(
                db,
                token,
                form.email.data or "",
                form.name.data or "",
                hash_password(form.password.data or ""),
            )
        except accounts.StaffExists:
            form.email.errors.append("There is already an account with that email.")
            return render_template("auth/setup.html", form=form, token=token), 400
        if staff_id is None:
            abort(404, "This setup link has just been used.")
        admin = accounts.staff_member(db, staff_id)
        assert admin is not None  # made a moment ago, in the same transaction as the link used
        sign_in(admin)
        flash("Your admin account is ready.")
        return redirect(url_for("staff.learners"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/setup.html", form=form, token=token), status


# ---- passwords ---------------------------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@staff_required()
def account() -> ResponseReturnValue:
    """The signed-in member of staff changes their own password (every role, verifiers too:
    it is their own account, not a learner's record)."""
    me = signed_in_staff()
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        if password_matches(me, form.current.data or ""):
            token = session.get("staff_session")
            accounts.change_password(
                get_db(),
                me["id"],
                hash_password(form.password.data or ""),
                token if isinstance(token, str) else "",
                staff_actor(),
            )
            flash("Your password is changed. Anywhere else you were signed in is signed out.")
            return redirect(url_for(".account"), 303)
        form.current.errors.append("That is not your current password.")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/account.html", form=form), status


@bp.post("/users/<int:staff_id>/reset-link")
@staff_required("admin")
def reset_link(staff_id: int) -> ResponseReturnValue:
    """An admin makes a one-time link for an account to choose a new password."""
    if not ActionForm().validate_on_submit():
        abort(400)
    db = get_db()
    target = accounts.staff_member(db, staff_id)
    if target is None:
        abort(404, "No such account.")
    if target["disabled_at"]:
        flash(f"{target['name']}'s account is disabled: enable it first.")
        return redirect(url_for("staff.users"), 303)
    token, stopped = accounts.create_password_reset(db, staff_id, staff_actor())
    return render_template(
        "auth/reset_link.html",
        target=target,
        link=public_url(url_for(".reset_password", token=token)),
        stopped=stopped,
        hours=accounts.RESET_HOURS,
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password through a one-time link; every session of the account ends."""
    db = get_db()
    target = accounts.staff_for_reset(db, token)
    if target is None:
        abort(
            404,
            "This password link has been used or has expired. Ask a centre admin for a new "
            "one (or, on the server: flask --app app users reset-password EMAIL).",
        )
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if accounts.use_password_reset(db, token, hash_password(form.password.data or "")) is None:
            abort(404, "This password link has just been used.")
        session.pop("staff_session", None)
        flash("Your new password is set. Sign in with it.")
        return redirect(url_for(".login"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form, target=target), status
