"""The admin's list of qualifications: add one in the browser (its catalogue of units, groups
and rules of combination), change an existing one's, and download each in the formats other
systems read (JSON, CASE 1.1, Moodle's competency framework CSV)."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from ..auth import signed_in_staff, staff_actor, staff_required
from ..catalogue import RULE_KIND_NAMES, entered_from, qualification_data, read_entered
from ..content import ContentError, Qualification, Reader, qualification_from_data
from ..content import export as export_content
from ..content_files import toml_document
from ..db import get_db
from ..forms import CATALOGUE_MAX, QualificationForm, qualification_form
from ..library import LibraryError, PublishError
from ..qualifications import codes, library, listings, qualification
from ..rules import describe_rule
from ..store import drafts
from ..web import MB, body_limit, public_url

bp = Blueprint("catalogue", __name__, url_prefix="/staff/content")

EXPORTS = {
    "json": ("application/json", "json", "The app's own view of the qualification"),
    "case": ("application/json", "case.json", "CASE 1.1 package (1EdTech)"),
    "moodle": ("text/csv", "moodle.csv", "Moodle competency framework (CSV)"),
}


def _who() -> str:
    me = signed_in_staff()
    return f"{me['name']} ({me['email']})"


@bp.get("", endpoint="index")
@staff_required("admin")
def index() -> ResponseReturnValue:
    """Every qualification the centre serves, with its pages and downloads."""
    found = []
    for listing in listings():
        q = qualification(listing.code)
        found.append((listing, q))
    return render_template("content/qualifications.html", found=found, exports=EXPORTS)


# ---- adding and changing a qualification's catalogue and rules -------------------------------


def _editor(
    form: QualificationForm,
    q: Qualification | None,
    problems: dict[str, list[str]],
    preview: Qualification | None = None,
    status: int = 200,
    notice: str = "",
) -> ResponseReturnValue:
    shown = preview or q
    return (
        render_template(
            "content/qualification_edit.html",
            form=form,
            q=q,
            problems=problems,
            preview=preview,
            notice=notice,
            described=([describe_rule(shown, r) for r in shown.rules] if shown is not None else []),
            kinds=RULE_KIND_NAMES,
            max_kb=CATALOGUE_MAX // 1000,
        ),
        status,
    )


def _before(code: str) -> dict[str, Any]:
    text = library().files(code).get("qualification.toml", "")
    return tomllib.loads(text) if text else {}


def _check(data: dict[str, Any], code: str, files: dict[str, str]) -> Qualification:
    """The qualification as it would load (ContentError if it would not)."""
    label = f"{code} (as %s)"
    return qualification_from_data(
        Reader(label % "qualification.toml", data),
        [],
        Reader(label % "roles.toml", tomllib.loads(files.get("roles.toml", ""))),
        Reader(label % "contexts.toml", {}),
    )


def _save(form: QualificationForm, editing: Qualification | None) -> ResponseReturnValue:
    """Check what was entered; publish it only if nothing is wrong (else save nothing)."""
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        problems = {k: list(v) for k, v in form.errors.items() if isinstance(v, list)}
        return _editor(form, editing, problems, status=400, notice="Nothing was saved.")
    entered = form.entered()
    data, found = read_entered(entered, codes(), editing.code if editing else None)
    problems = dict(found.by_field)
    if form.units_file.errors:
        problems.setdefault("units_file", []).extend(form.units_file.errors)
    if problems:
        count = sum(len(v) for v in problems.values())
        notice = f"Nothing was saved: {count} thing{'s' if count != 1 else ''} to correct below."
        return _editor(form, editing, problems, status=400, notice=notice)
    code = data["code"]
    moment = datetime.now(UTC).replace(microsecond=0)
    before = _before(code) if editing else {}
    main = qualification_data(data, before, moment)
    files = {"qualification.toml": toml_document(main)}
    if editing is None:  # a new qualification: no job roles or job questions yet
        files |= {"roles.toml": "", "contexts.toml": ""}
    try:  # the loader's own checks too (a unit file naming a unit no longer listed, say)
        if editing is None:
            preview = _check(main, code, files)
        else:
            preview = library().check_file(code, "qualification.toml", files["qualification.toml"])
    except ContentError as e:
        return _editor(form, editing, {"": [str(e)]}, status=400, notice="Nothing was saved.")
    if request.form.get("action") != "publish":
        return _editor(
            form,
            editing,
            {},
            preview=preview,
            notice="Checked: nothing is wrong. Publish it to save it.",
        )
    note = (form.note.data or "").strip() or ("added" if editing is None else "catalogue and rules")
    lib = library()
    action = "qualification-added" if editing is None else "qualification-changed"
    try:
        drafts.record_publication(
            get_db(),
            staff_actor(),
            action,
            lambda: (
                lib.publish_qualification(code, files, _who(), note)
                if editing is None
                else (
                    lib.publish_file(
                        code, "qualification.toml", files["qualification.toml"], _who(), note
                    ),
                )
            ),
        )
    except (PublishError, LibraryError) as e:
        return _editor(form, editing, {"": [str(e)]}, status=400, notice="Nothing was saved.")
    flash(
        f"Published {code}. Learners can be enrolled on it now; import its units' criteria "
        "below, one unit specification at a time."
        if editing is None
        else f"Published the catalogue and rules of {code}."
    )
    return redirect(url_for("content.units", code=code), 303)


@bp.route("/new", methods=["GET", "POST"])
@body_limit(CATALOGUE_MAX + MB)
@staff_required("admin")
def new() -> ResponseReturnValue:
    form = qualification_form()
    if request.method == "POST":
        return _save(form, None)
    return _editor(form, None, {})


@bp.route("/q/<code>/edit", methods=["GET", "POST"])
@body_limit(CATALOGUE_MAX + MB)
@staff_required("admin")
def edit(code: str) -> ResponseReturnValue:
    q = qualification(code)
    form = qualification_form(entered_from(_before(code)))
    if request.method == "POST":
        return _save(form, q)
    return _editor(form, q, {})


# ---- downloads -----------------------------------------------------------------------------------


@bp.get("/q/<code>/export/<fmt>")
@staff_required("admin")
def export(code: str, fmt: str) -> ResponseReturnValue:
    if fmt not in EXPORTS:
        raise NotFound("There is no such export: JSON, CASE or Moodle.")
    from ..case import CaseError, package_json, to_case
    from ..moodle import MoodleError, to_moodle_csv

    q = qualification(code)
    mimetype, suffix, _ = EXPORTS[fmt]
    try:
        if fmt == "case":
            body = package_json(to_case(q, public_url("")))
        elif fmt == "moodle":
            body = to_moodle_csv(q)
        else:
            body = json.dumps(export_content(q), indent=2, ensure_ascii=False) + "\n"
    except (CaseError, MoodleError) as e:
        flash(f"{q.code} cannot be exported as {fmt}: {e}")
        return redirect(url_for(".index"), 303)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{q.code}-{suffix}"'
    return response
