"""The learner's record: their details, the initial-assessment conversation, the portfolio's
introductory section; and the centre's own details, which every record shows."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from ..auth import signed_in_staff, staff_actor, staff_learner, staff_required
from ..dates import today_in
from ..db import get_db
from ..forms import (
    CentreForm,
    ChecklistForm,
    LearnerRecordForm,
    checklist_field,
    learner_record_form,
)
from ..plans import contract_state
from ..portfolio import introduction, job_words
from ..qualifications import qualification_for
from ..store import accounts, centre, learners, plans, sampling
from ..store.sql import Row

bp = Blueprint("record", __name__, url_prefix="/staff")


def _record_page(
    row: Row,
    form: LearnerRecordForm,
    status: int = 200,
    problems: dict[str, str] | None = None,
    posted: dict[str, tuple[bool, str | None, str]] | None = None,
) -> ResponseReturnValue:
    q, db = qualification_for(row), get_db()
    agreed = plans.agreement(db, row["id"])
    talk = contract_state(
        q, agreed.unit_plan, agreed.contracts, agreed.checklist, row, centre.centre(db)
    ).talk
    shown: dict[str, tuple[bool, str | None, str]] = {
        p.item.id: (p.ticked, p.on, p.notes) for p in talk.points
    }
    shown |= posted or {}
    return render_template(
        "staff/record.html",
        learner=row,
        form=form,
        checklist=ChecklistForm(),
        talk=talk,
        shown=shown,
        problems=problems or {},
        field=checklist_field,
        units_confirmed=bool(agreed.unit_plan and agreed.unit_plan["confirmed_at"]),
        live_rows=sum(r["status"] != "cancelled" for r in agreed.assessment_plan_rows),
        today=_today(),
    ), status


def _today() -> str:
    """Today where the centre is: the day a point is talked through, unless it says another."""
    return today_in(current_app.extensions["time_zone"]).isoformat()


@bp.route("/learners/<int:learner_id>/record", methods=["GET", "POST"])
@staff_required()
def learner_record(learner_id: int) -> ResponseReturnValue:
    """The learner's details as the portfolio's introductory section needs them."""
    row = staff_learner(learner_id)
    if request.method == "GET":
        return _record_page(row, learner_record_form(qualification_for(row), row))
    if signed_in_staff()["role"] == "verifier":
        abort(403)
    form = LearnerRecordForm()
    if not form.validate_on_submit():
        return _record_page(row, form, 400)
    values, job = form.record(qualification_for(row))
    changed = learners.update_record(get_db(), learner_id, values, staff_actor(), job)
    flash("The learner's record is saved." if changed else "Nothing had changed.")
    return redirect(url_for(".learner_record", learner_id=learner_id), 303)


@bp.post("/learners/<int:learner_id>/checklist")
@staff_required("admin", "assessor", write=True)
def checklist(learner_id: int) -> ResponseReturnValue:
    """The initial-assessment conversation, point by point: the good points are kept even
    when another is refused, and the page says which and why."""
    row = staff_learner(learner_id)
    form = ChecklistForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    saved = plans.unit_plan(db, learner_id)
    rows = [r for r in plans.assessment_plan_rows(db, learner_id) if r["status"] != "cancelled"]
    values, problems = form.points(bool(saved and saved["confirmed_at"]), len(rows))
    good = {k: v for k, v in values.items() if k not in problems}
    changed = plans.save_checklist(db, learner_id, good, signed_in_staff()["id"], staff_actor())
    if problems:
        flash(f"Saved {changed} point(s); {len(problems)} need another look.")
        page = learner_record_form(qualification_for(row), learners.learner(db, learner_id) or row)
        return _record_page(row, page, 400, problems, values)
    flash("The initial-assessment conversation is saved.")
    return redirect(url_for(".learner_record", learner_id=learner_id) + "#conversation", 303)


@bp.get("/learners/<int:learner_id>/introduction")
@staff_required()
def introduction_page(learner_id: int) -> ResponseReturnValue:
    """The portfolio's introductory section, to print or save as PDF."""
    row = staff_learner(learner_id)
    db = get_db()
    people = accounts.staff_names(db)
    intro = introduction(
        qualification_for(row),
        row,
        centre.centre(db),
        people.get(row["assessor_id"]) if row["assessor_id"] else None,
        sampling.samples_of(db, learner_id),
        [p for p in people.values() if p["role"] == "verifier"],
        plans.assessment_plan_rows(db, learner_id),
    )
    return render_template("staff/introduction.html", learner=row, intro=intro, job=job_words(row))


@bp.route("/centre", methods=["GET", "POST"])
@staff_required("admin")
def centre_page() -> ResponseReturnValue:
    """The centre's details (in every portfolio) and the wording of its learning contracts."""
    db = get_db()
    form = CentreForm(data=centre.centre(db).as_dict() if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            changed = centre.save_centre(db, form.values(), staff_actor())
            flash("The centre's details are saved." if changed else "Nothing had changed.")
            return redirect(url_for(".centre_page"), 303)
        status = 400
    return render_template("staff/centre.html", form=form), status
