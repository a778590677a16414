"""Internal verifier sampling: a learner's samples, and the sampling report.

Verifiers read every learner and change nothing but their own sampling records; assessors read
the samples of their own learners (the verifier's comments are for them); admins read all.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from ..auth import signed_in_staff, staff_actor, staff_learner, staff_required
from ..content import Qualification
from ..db import get_db
from ..forms import SampleForm, sample_form
from ..gaps import to_csv
from ..qualifications import codes, qualification, qualification_for
from ..sampling import DECISION_WORDS, learner_units, parts_words, report, report_rows
from ..store import plans, sampling
from ..store.sql import Row
from ..web import csv_download

bp = Blueprint("sampling", __name__, url_prefix="/staff")


def _units(row: Row) -> list[str]:
    saved = plans.unit_plan(get_db(), row["id"])
    confirmed = saved["units"] if saved and saved["confirmed_at"] else None
    return learner_units(qualification_for(row), confirmed)


def _page(
    row: Row,
    form: SampleForm,
    units: list[str],
    status: int = 200,
    refused: dict[int, SampleForm] | None = None,
) -> ResponseReturnValue:
    """The learner's samples; the verifier's own each with a form to change it (`refused`:
    a change that was refused, shown as it was sent, with why)."""
    q = qualification_for(row)
    me = signed_in_staff()
    samples = sampling.samples_of(get_db(), row["id"])
    edits = {s["id"]: sample_form(q, units, s) for s in samples if s["verifier_id"] == me["id"]}
    edits |= {k: v for k, v in (refused or {}).items() if k in edits}
    return render_template(
        "staff/sampling.html",
        learner=row,
        samples=samples,
        form=form,
        edits=edits,
        parts_words=parts_words,
        decision_words=DECISION_WORDS,
    ), status


@bp.route("/learners/<int:learner_id>/sampling", methods=["GET", "POST"])
@staff_required()
def learner_sampling(learner_id: int) -> ResponseReturnValue:
    row = staff_learner(learner_id)
    units = _units(row)
    form = sample_form(qualification_for(row), units)
    if request.method == "GET":
        return _page(row, form, units)
    if signed_in_staff()["role"] != "verifier":
        abort(403)  # only an internal verifier samples
    if not form.validate_on_submit():
        return _page(row, form, units, 400)
    sampling.add_sample(
        get_db(),
        learner_id,
        signed_in_staff()["id"],
        form.parts.data or [],
        form.comment.data or "",
        form.decision.data or "",
        staff_actor(),
        form.request_key.data,
    )
    flash("Your sample is recorded.")
    return redirect(url_for(".learner_sampling", learner_id=learner_id), 303)


@bp.post("/learners/<int:learner_id>/sampling/<int:sample_id>")
@staff_required("verifier")
def change_sample(learner_id: int, sample_id: int) -> ResponseReturnValue:
    """A verifier changes their own sample; anyone else's is not there (404)."""
    row = staff_learner(learner_id)
    mine = [
        s
        for s in sampling.samples_of(get_db(), learner_id)
        if s["id"] == sample_id and s["verifier_id"] == signed_in_staff()["id"]
    ]
    if not mine:
        raise NotFound("There is no sample of yours with that number.")
    units = _units(row)
    form = sample_form(qualification_for(row), units)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        fresh = sample_form(qualification_for(row), units)
        return _page(row, fresh, units, 400, {sample_id: form})
    changed = sampling.update_sample(
        get_db(),
        learner_id,
        sample_id,
        signed_in_staff()["id"],
        form.parts.data or [],
        form.comment.data or "",
        form.decision.data or "",
        staff_actor(),
    )
    if not changed:
        raise NotFound("There is no sample of yours with that number.")
    flash("Your sample is changed.")
    return redirect(url_for(".learner_sampling", learner_id=learner_id), 303)


def _served() -> list[Qualification]:
    """Every qualification served, the default first."""
    return [qualification(code) for code in codes()]


@bp.get("/sampling")
@staff_required("admin", "verifier")
def sampling_report() -> ResponseReturnValue:
    """How much has been sampled, and what was decided, by assessor and by unit."""
    data = sampling.sampling_data(get_db())
    return render_template(
        "staff/sampling_report.html",
        report=report(_served(), data.learners, data.samples),
    )


@bp.get("/sampling.csv")
@staff_required("admin", "verifier")
def sampling_csv() -> ResponseReturnValue:
    data = sampling.sampling_data(get_db())
    header, rows = report_rows(report(_served(), data.learners, data.samples))
    return csv_download(to_csv(header, rows), "sampling.csv")
