"""The centre admin's Content pages: the qualification's units and where their criteria come
from, importing a unit specification, checking a draft against its source and publishing it,
and each unit's versions, any of which can be restored."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import NotFound

from ..auth import signed_in_staff, staff_actor, staff_required
from ..content import ContentError, Qualification
from ..db import get_db
from ..drafts import (
    apply_edits,
    criteria_count,
    cut_short_count,
    draft_data,
    form_field,
    line_roles,
    line_span,
    problems,
    source_data,
    unit_file,
)
from ..forms import ActionForm, DraftForm, ImportForm, RestoreForm, draft_form
from ..importer import MAX_BYTES, ImportProblem, Reading, read, source_from_bytes, source_from_text
from ..library import LibraryError, Version
from ..qualifications import default_code, library, qualification
from ..store import drafts
from ..store.sql import Row
from ..web import MB, body_limit

bp = Blueprint("content", __name__, url_prefix="/staff/content")

# an upload may be as large as the reader takes, with room for the form around it
IMPORT_BODY_MAX = MAX_BYTES + MB
DRAFT_BODY_MAX = 2 * MB  # a draft of a hundred criteria, every field filled


_me = signed_in_staff
_actor = staff_actor


# ---- which qualification: every page here names it in its address ------------------------------


@bp.url_value_preprocessor
def _pull_code(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "code" in values:
        g.content_code = values.pop("code")


@bp.url_defaults
def _add_code(endpoint: str, values: dict[str, Any]) -> None:
    """A link from one of these pages to another stays on the same qualification."""
    code = g.get("content_code")
    if (
        code
        and "code" not in values
        and current_app.url_map.is_endpoint_expecting(endpoint, "code")
    ):
        values["code"] = code


def _code() -> str:
    """The code of the qualification the address names (a 404 when it names none)."""
    return _q().code


def _q() -> Qualification:
    """The qualification the address names, as published now."""
    return qualification(g.get("content_code") or default_code())


def _who() -> str:
    """Who published, as the version history names them."""
    return f"{_me()['name']} ({_me()['email']})"


# ---- the qualification's units ---------------------------------------------------------------


def _histories(q: Qualification) -> dict[str, tuple[Version, ...]]:
    lib = library()
    return {u.number: lib.versions(q.code, u.number) for u in q.units}


def _units_page(form: ImportForm, status: int = 200):  # type: ignore[no-untyped-def]
    q = _q()
    return render_template(
        "content/units.html",
        q=q,
        histories=_histories(q),
        drafts=drafts.open_drafts(get_db(), _code()),
        form=form,
        max_mb=MAX_BYTES // MB,
        criteria_count=criteria_count,
    ), status


@bp.get("/q/<code>", endpoint="units")
@staff_required("admin")
def units_page():  # type: ignore[no-untyped-def]
    return _units_page(ImportForm())


# ---- importing ---------------------------------------------------------------------------------


def _read(form: ImportForm) -> Reading:
    """The specification sent (a file, else the pasted text), read into drafts."""
    upload = form.file.data
    q = _q()
    if upload and upload.filename:
        data = upload.stream.read(MAX_BYTES + 1)  # check_size refuses anything longer
        return read(source_from_bytes(data, upload.filename), q)
    return read(source_from_text(form.text.data or ""), q)


@bp.post("/q/<code>/import")
@body_limit(IMPORT_BODY_MAX)
@staff_required("admin")
def import_unit():  # type: ignore[no-untyped-def]
    form = ImportForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _units_page(form, 400)
    try:
        reading = _read(form)
    except ImportProblem as e:
        form.file.errors = [_sentence(str(e))]
        return _units_page(form, 400)
    found = [(d.name, draft_data(d)) for d in reading.units]
    ids, again = drafts.add_import(
        get_db(),
        _code(),
        source_data(reading.source),
        found,
        _me()["id"],
        form.request_key.data or "",
    )
    if again:
        flash("This file was read a moment ago by this same form: its drafts are below.")
    if len(ids) == 1:
        return redirect(url_for(".draft", draft_id=ids[0]), 303)
    names = ", ".join(name for name, _ in found)
    flash(f"Read {len(ids)} units from {reading.source.name}: {names}. Check each draft below.")
    return redirect(url_for(".units") + "#drafts", 303)


# ---- checking and publishing a draft -----------------------------------------------------------


def _draft_or_404(draft_id: int) -> Row:
    row = drafts.draft(get_db(), draft_id)
    if row is None or row["qualification"] != _code():
        raise NotFound("There is no draft with that number: it may have been discarded.")
    return row


def _sentence(text: str) -> str:
    """A message as a sentence: "is empty" -> "Is empty."."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def _name(row: Row) -> str:
    """How messages about a draft name it."""
    return f"draft {row['id']} ({row['source_name']})"


def _loader_problems(q_code: str, content: dict[str, Any], name: str) -> list[ContentError]:
    data, _ = unit_file(content)
    lib = library()
    return problems(data, lambda d: lib.check_unit(q_code, d, name), name)


def _draft_page(  # type: ignore[no-untyped-def]
    row: Row,
    form: DraftForm,
    content: dict[str, Any],
    found: list[ContentError],
    status: int = 200,
    notice: str = "",
):
    """The checking page: the source beside the draft, each problem beside its field."""
    q = _q()
    _, places = unit_file(content)
    by_field: dict[str, list[str]] = {}
    general = []
    for e in found:
        field = form_field(e.field, places) if e.file == _name(row) else ""
        if field == "number":  # the unit is chosen from a list here, not typed into a file
            by_field["number"] = [f"Choose the unit of {q.code} this draft describes."]
        elif field:
            by_field.setdefault(field, []).append(_sentence(e.problem))
        else:
            general.append(str(e))
    # every block of fields holding a problem ("outcomes-1", "outcomes-1-criteria-2"): shown open
    troubled = {
        "-".join(name.split("-")[:i]) for name in by_field for i in range(2, name.count("-") + 2)
    }
    lines = row["lines"]
    first, last = line_span(content, len(lines))
    target = q.unit(content["number"]) if content["number"] else None
    return render_template(
        "content/draft.html",
        row=row,
        form=form,
        draft=content,
        stored=row["draft"],
        problems=by_field,
        troubled=troubled,
        general=general,
        checked=not found,
        notice=notice,
        lines=lines,
        first=first,
        last=last,
        roles=line_roles(content),
        target=target,
        history=library().versions(_code(), target.number) if target else (),
        cut_short=cut_short_count(content),
        discard=ActionForm(),
        pages_of=lambda numbers: sorted({lines[n - 1][0] for n in numbers} - {0}),
        q=q,
    ), status


@bp.route("/q/<code>/drafts/<int:draft_id>", methods=["GET", "POST"])
@body_limit(DRAFT_BODY_MAX)
@staff_required("admin")
def draft(draft_id: int):  # type: ignore[no-untyped-def]
    row = _draft_or_404(draft_id)
    if row["published_at"]:
        return _already_published(row)
    q, code = _q(), _code()
    form = draft_form(q, row["draft"], row["revision"])
    if request.method == "GET":
        content = row["draft"]
        return _draft_page(row, form, content, _loader_problems(code, content, _name(row)))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _draft_page(row, form, row["draft"], [], 400)
    content = apply_edits(row["draft"], form.data)
    revision = int(form.revision.data or 0)
    try:
        if request.form.get("action") == "publish":
            return _publish(row, form, content, revision)
        drafts.save_draft(get_db(), draft_id, revision, content, _me()["id"])
    except drafts.DraftChanged as changed:
        return _changed_meanwhile(changed.current, form, content)
    flash("Saved. Check the draft again below before publishing.")
    return redirect(url_for(".draft", draft_id=draft_id), 303)


def _publish(row: Row, form: DraftForm, content: dict[str, Any], revision: int):  # type: ignore[no-untyped-def]
    """Publish the draft as edited, if the loader finds nothing wrong with it."""
    code, name = _code(), _name(row)
    found = _loader_problems(code, content, name)
    if found:
        return _draft_page(row, form, content, found, 400, "Not published: nothing was changed.")
    data, _ = unit_file(content)
    note = (form.note.data or "").strip()
    lib = library()
    try:
        version = drafts.publish_draft(
            get_db(),
            row["id"],
            revision,
            content,
            _me()["id"],
            _actor(),
            lambda: lib.publish_unit(code, data, _who(), note, name),
        )
    except ContentError as e:  # something else changed the qualification since the check
        return _draft_page(row, form, content, [e], 400, "Not published: nothing was changed.")
    if version is None:
        raise NotFound("There is no draft with that number: it may have been discarded.")
    flash(
        f"Published {version.unit} as version {version.number}. Learners see it from their "
        "next page; answers they gave before are kept."
    )
    return redirect(url_for(".unit", number=version.unit), 303)


def _already_published(row: Row):  # type: ignore[no-untyped-def]
    flash(
        f"This draft was published as {row['published_unit']} version "
        f"{row['published_version']}: nothing more was published."
    )
    return redirect(url_for(".unit", number=row["published_unit"]), 303)


def _changed_meanwhile(current: Row, form: DraftForm, content: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Another tab saved (or published) this draft since this page was shown."""
    if current["published_at"]:
        return _already_published(current)
    form.revision.data = str(current["revision"])
    return _draft_page(
        current,
        form,
        content,
        [],
        409,
        "This draft was saved in another tab or by someone else since you opened it, so your "
        "changes were not saved. They are still below: check them and save again.",
    )


@bp.post("/q/<code>/drafts/<int:draft_id>/discard")
@staff_required("admin")
def discard(draft_id: int):  # type: ignore[no-untyped-def]
    row = _draft_or_404(draft_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if drafts.discard_draft(get_db(), draft_id):
        flash(f"The draft {row['name']} is discarded.")
    else:
        flash("That draft was published, so it is kept.")
    return redirect(url_for(".units") + "#drafts", 303)


# ---- a unit's versions -------------------------------------------------------------------------


@bp.get("/q/<code>/units/<number>", endpoint="unit")
@staff_required("admin")
def unit_page(number: str):  # type: ignore[no-untyped-def]
    unit = _q().find_unit(number)
    if unit.number != number:
        return redirect(url_for(".unit", number=unit.number))
    return render_template(
        "content/unit.html",
        unit=unit,
        history=library().versions(_code(), unit.number),
        q=_q(),
    )


class VersionMoved(Exception):
    """A version was published or restored since the confirm page was shown."""


@bp.route("/q/<code>/units/<number>/restore/<int:version>", methods=["GET", "POST"])
@staff_required("admin")
def restore(number: str, version: int):  # type: ignore[no-untyped-def]
    unit = _q().find_unit(number)
    lib, code = library(), _code()
    history = lib.versions(code, unit.number)
    wanted = next((v for v in history if v.number == version), None)
    if wanted is None or wanted == history[-1]:
        raise NotFound("There is no earlier version of this unit with that number.")
    form = RestoreForm(data={"current": str(history[-1].number)})
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        seen = int(form.current.data or 0)

        def act() -> tuple[Version]:
            if lib.versions(code, unit.number)[-1].number != seen:
                raise VersionMoved()
            note = (form.note.data or "").strip()
            return (lib.restore(code, unit.number, version, _who(), note),)

        try:
            (made,) = drafts.record_publication(get_db(), _actor(), "unit-restored", act)
        except VersionMoved:
            flash(
                "A new version was published since that page was shown, so nothing was "
                "restored: look at the versions again."
            )
        except LibraryError as e:
            flash(f"Not restored: {e}. Nothing was changed.")
        else:
            flash(f"Version {version} of {unit.number} is current again, as version {made.number}.")
        return redirect(url_for(".unit", number=unit.number), 303)
    text = lib.version_text(code, unit.number, version)
    preview, problem = None, ""
    if text is not None:
        try:
            preview = lib.check_unit(code, text).unit(unit.number)
        except ContentError as e:
            problem = str(e)
    return render_template(
        "content/restore.html",
        unit=unit,
        version=wanted,
        current=history[-1],
        preview=preview,
        problem=problem,
        form=form,
        q=_q(),
    )
