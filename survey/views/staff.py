"""The assessor's workspace: learners, gap reports, plans, assessment plans, contracts, cohort."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from ..auth import hash_password, signed_in_staff, staff_actor, staff_learner, staff_required
from ..content import Qualification
from ..coverage import coverage, from_plan_rows
from ..db import get_db
from ..export import record_csv, record_json
from ..forms import (
    PASTE_MAX,
    ActionForm,
    AssessorRatingsForm,
    LearnerCsvForm,
    LearnerFields,
    LearnerForm,
    LinkRequestForm,
    ObservationForm,
    PlanForm,
    PlanRowEditForm,
    PlanRowForm,
    SignForm,
    StaffForm,
    new_request_key,
    plan_row_form,
    read_learner_lines,
)
from ..gaps import (
    UnitGap,
    cohort_csv,
    cohort_statements,
    commonest_gaps,
    gap_report,
    gap_report_csv,
    to_observe,
)
from ..history import describe, who
from ..journey import answered
from ..library import Version
from ..planner import Suggestion, suggest_plans
from ..plans import (
    PlanRow,
    cannot_prepare,
    contract_state,
    plan_units,
    row_sentence,
    units_of,
)
from ..profile import learner_profile
from ..qr import qr_svg
from ..qualifications import (
    current_qualification,
    qualification_for,
    units_answered,
    versions_answered,
)
from ..rules import check_optional, plan_credits
from ..store import accounts, audit, centre, learners, plans, records, tokens, workplace
from ..store.sql import Row
from ..web import csv_download, public_url
from ..workplace import (
    JobRow,
    ProposedObservation,
    cohort_numbers,
    job_comparison,
    observation_row,
    proposed_observations,
    ratings_by_statement,
    workplace_job,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")


_me = signed_in_staff
_actor = staff_actor
_learner_or_404 = staff_learner  # anyone else's learner is simply not there (404)


def _check_form(form: Any) -> None:
    if not form.validate_on_submit():
        abort(400)


# ---- learners ------------------------------------------------------------------------------------


def _assessor_choices() -> list[tuple[str, str]]:
    return [("", "Nobody yet")] + [
        (str(s["id"]), f"{s['name']} ({s['role']})")
        for s in accounts.all_staff(get_db())
        if s["role"] in ("assessor", "admin") and not s["disabled_at"]
    ]


def _learner_form() -> LearnerForm:
    form = LearnerForm()
    form.assessor.choices = _assessor_choices()
    if request.method == "GET" and _me()["role"] == "assessor":
        form.assessor.data = str(_me()["id"])
    return form


@bp.get("/")
@staff_required()
def home() -> ResponseReturnValue:
    return redirect(url_for(".learners"))


@bp.get("/learners", endpoint="learners")
@staff_required()
def learners_page() -> ResponseReturnValue:
    archived = request.args.get("archived") == "1"
    return _learners_page(archived, _learner_form(), LearnerCsvForm())


def _learners_page(archived: bool, form: LearnerForm, csv_form: LearnerCsvForm) -> str:
    rows = learners.learners_with_answers(get_db(), _me(), archived)
    return render_template(
        "staff/learners.html",
        learners=rows,
        # "answered 34 of 48": of the statements on the pages each learner's job gives them
        answered={r["id"]: answered(qualification_for(r), r["contexts"], r["rated"]) for r in rows},
        archived=archived,
        form=form,
        csv_form=csv_form,
        **_erasure_notice(),
    )


def _erasure_notice() -> dict[str, Any]:
    """For admins: an erasure still waiting to be cleared from the disk, and a way to finish."""
    if _me()["role"] != "admin":
        return {}
    since = records.erasure_unfinished(get_db())
    return (
        {"erasure_since": since, "not_on_disk": NOT_ON_DISK_YET, "action": ActionForm()}
        if since
        else {}
    )


def _new_learner(fields: LearnerFields, assessor_id: int | None) -> learners.NewLearner:
    # enrolled on the qualification this centre delivers
    q = current_qualification()
    return learners.NewLearner(**fields.learner(q), assessor_id=assessor_id)


def _cards_for(
    new: list[learners.NewLearner], problems: list[str], request_key: str
) -> ResponseReturnValue:
    """Add the learners in one transaction and show their cards. The same form sent again (a
    refresh, a double tap) adds nobody twice and changes no link: it says so, and offers new
    links for them, asked for on purpose."""
    added = learners.add_learners(get_db(), new, _actor(), _me(), request_key)
    return _links_page(added, problems, "added")


def _links_page(added: learners.Added, problems: list[str], how: str) -> ResponseReturnValue:
    """The cards of new personal links or, for a form sent again, the learners it was about."""
    if added.again:
        return render_template(
            "staff/links_again.html",
            learners=[row for row, _ in added.learners],
            how=how,
            form=LinkRequestForm(),
        )
    cards = [_card(row, token) for row, token in added.learners]
    return render_template("staff/cards.html", cards=cards, problems=problems)


def _card(row: Row, token: str) -> dict[str, Any]:
    link = public_url(url_for("learner.enter", token=token))
    return {
        "learner": row,
        "link": link,
        "code": tokens.pretty_token(token),
        "svg": qr_svg(link).decode(),
    }


def _assessor_for_new(form_value: str | None) -> int | None:
    me = _me()
    if me["role"] == "assessor":
        return me["id"]  # an assessor's new learners are their own
    try:
        chosen = int(form_value or 0)
    except ValueError:
        return None
    return chosen if any(str(chosen) == c[0] for c in _assessor_choices()) else None


def _learners_page_with_errors(form: LearnerForm, csv_form: LearnerCsvForm) -> ResponseReturnValue:
    """The learners page again, with the refused form's messages (nothing was added)."""
    return _learners_page(False, form, csv_form), 400


@bp.post("/learners")
@staff_required("admin", "assessor", write=True)
def add_learner() -> ResponseReturnValue:
    form = _learner_form()
    if not form.validate_on_submit():
        return _learners_page_with_errors(form, LearnerCsvForm())
    new = _new_learner(form, _assessor_for_new(form.assessor.data))
    return _cards_for([new], [], form.request_key.data or "")


@bp.post("/learners/import")
@staff_required("admin", "assessor", write=True)
def import_learners() -> ResponseReturnValue:
    form = LearnerCsvForm()
    if not form.validate_on_submit():
        return _learners_page_with_errors(_learner_form(), form)
    lines, problems = read_learner_lines(form.rows.data or "")
    if len(lines) > PASTE_MAX:
        problems = [f"Add at most {PASTE_MAX} learners at a time."]
        lines = []
    assessor = _me()["id"] if _me()["role"] == "assessor" else None
    new = [_new_learner(line, assessor) for line in lines]
    return _cards_for(new, problems, form.request_key.data or "")


@bp.get("/learners/<int:learner_id>/reissue")
@staff_required("admin", "assessor", write=True)
def confirm_reissue(learner_id: int) -> ResponseReturnValue:
    """Ask first: a new link stops the old one, on every phone that uses it."""
    row = _learner_or_404(learner_id)
    return render_template(
        "staff/confirm.html", learner=row, what="reissue", form=LinkRequestForm()
    )


@bp.post("/learners/<int:learner_id>/reissue")
@staff_required("admin", "assessor", write=True)
def reissue(learner_id: int) -> ResponseReturnValue:
    _learner_or_404(learner_id)
    form = LinkRequestForm()
    _check_form(form)
    added = learners.reissue_links(
        get_db(), [learner_id], _actor(), _me(), form.request_key.data or ""
    )
    if not added.again:
        flash("The new link is below. The old link no longer works.")
    return _links_page(added, [], "reissued")


@bp.post("/learners/reissue")
@staff_required("admin", "assessor", write=True)
def reissue_many() -> ResponseReturnValue:
    """New links for several learners at once (those a form sent again was about)."""
    form = LinkRequestForm()
    _check_form(form)
    ids = list(dict.fromkeys(form.learner.data or []))
    if not ids or len(ids) > PASTE_MAX:
        abort(400, "Choose the learners to give new links.")
    for learner_id in ids:
        _learner_or_404(learner_id)  # another assessor's learner is not there: 404
    added = learners.reissue_links(get_db(), ids, _actor(), _me(), form.request_key.data or "")
    if not added.again:
        flash("The new links are below. The old links no longer work.")
    return _links_page(added, [], "reissued")


@bp.get("/learners/<int:learner_id>/archive")
@staff_required("admin", "assessor", write=True)
def confirm_archive(learner_id: int) -> ResponseReturnValue:
    """Ask first: archiving stops the learner's link and takes them off the list."""
    row = _learner_or_404(learner_id)
    what = "restore" if row["archived_at"] else "archive"
    return render_template("staff/confirm.html", learner=row, what=what, form=ActionForm())


@bp.post("/learners/<int:learner_id>/archive")
@staff_required("admin", "assessor", write=True)
def archive(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    _check_form(ActionForm())
    # the button says which way: a double tap (or two people) must not undo it again
    archive = _wanted(request.form.get("to"), ("archived", "current"), not row["archived_at"])
    learners.set_archived(get_db(), learner_id, archive, _actor())
    flash(f"{row['name']} is {'archived' if archive else 'back in the list'}.")
    return redirect(url_for(".learner", learner_id=learner_id), 303)


def _wanted(posted: str | None, choices: tuple[str, str], otherwise: bool) -> bool:
    """The state a two-way button asks for (its first choice: True), else the flip of now."""
    if posted not in choices:
        return otherwise  # a form without the field: the opposite of what was read
    return posted == choices[0]


@bp.post("/learners/<int:learner_id>/assessor")
@staff_required("admin", write=True)
def assign(learner_id: int) -> ResponseReturnValue:
    _learner_or_404(learner_id)
    _check_form(ActionForm())
    choice = request.form.get("assessor", "")
    valid = {c[0] for c in _assessor_choices()}
    if choice not in valid:
        abort(400, "Choose an assessor from the list.")
    learners.assign_assessor(get_db(), learner_id, int(choice) if choice else None, _actor())
    flash("Assessor changed.")
    return redirect(url_for(".learner", learner_id=learner_id), 303)


# ---- gap report ----------------------------------------------------------------------------------


class Report(NamedTuple):
    """A learner's gap report: units, the job as the learner and the workplace answered it,
    and whether anyone at the workplace has been invited."""

    units: tuple[UnitGap, ...]
    jobs: tuple[JobRow, ...]
    contacts: int
    observations: tuple[ProposedObservation, ...]  # for the claims flagged "Plan an observation"
    observe: Callable[[list[str]], tuple[ProposedObservation, ...]]  # the same, for some claims
    versions: dict[str, tuple[Version | None, Version]]  # unit -> (answered, current)


def _report(row: Row) -> Report:
    """The learner's gap report: three views of each claim (the learner's, the workplace's,
    the assessor's), the job's answers (the workplace's where given), the unit plan, and which
    version of each unit the centre has published the learner answered."""
    db = get_db()
    q = qualification_for(row)
    had = learners.answers(db, row["id"], assessor=True)
    saved = plans.unit_plan(db, row["id"])
    kept = workplace.workplace(db, row["id"])
    job = workplace_job(kept.contacts, kept.contexts)
    units = gap_report(
        q,
        had.ratings,
        had.assessor,
        job.over(had.contexts),
        saved["units"] if saved else [],
        workplace=ratings_by_statement(kept.contacts, kept.ratings),
        latest=learners.latest_self_checks(db, row["id"]),
    )
    jobs = job_comparison(q, had.contexts, kept.contacts, kept.contexts)
    observe = partial(proposed_observations, q, answers=had.contexts, workplace=job.answers)
    shown = {g.unit.number for g in units}
    answered = {u: t for u, t in units_answered(had.answered_at.items()).items() if u in shown}
    return Report(
        units,
        jobs,
        len(kept.contacts),
        observe(to_observe(units)),
        observe,
        versions_answered(row, answered),
    )


def _plan_key(values: dict[str, Any]) -> tuple[tuple[str, ...], str]:
    """An assessment plan row's units and activity: an observation proposed again is the same."""
    return tuple(values["units"]), values["activity"]


@bp.get("/learners/<int:learner_id>", endpoint="learner")
@staff_required()
def learner_page(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    report = _report(row)
    me = _me()
    planned = set()
    if report.observations:
        planned = {_plan_key(r) for r in plans.assessment_plan_rows(get_db(), learner_id)}
    return render_template(
        "staff/learner.html",
        learner=row,
        report=report.units,
        jobs=report.jobs,
        contacts=report.contacts,
        versions=report.versions,
        # each with its own one-time key: two observations added are two rows
        observations=[
            (o, _plan_key(observation_row([o])) in planned, new_request_key())
            for o in report.observations
        ],
        action=ActionForm(),
        max_outcomes=max((len(g.cells) for g in report.units), default=1),
        # only an admin is shown the list (and the query behind it)
        assessors=_assessor_choices() if me["role"] == "admin" else [],
    )


@bp.post("/learners/<int:learner_id>/ratings")
@staff_required("admin", "assessor", write=True)
def save_ratings(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    form = AssessorRatingsForm()
    _check_form(form)
    values, refused = form.ratings(qualification_for(row))
    changed = learners.save_assessor_ratings(get_db(), learner_id, values, _me()["id"], _actor())
    if request.accept_mimetypes.best == "application/json":
        # the page's script saves each rating as it is given
        if refused:
            return jsonify({"ok": False, "error": "That rating is not one of the four."}), 400
        return jsonify({"ok": True, "changed": changed})
    if refused:
        flash(f"{len(refused)} rating(s) were not valid and were not saved.")
    flash(f"Saved {changed} rating{'s' if changed != 1 else ''}.")
    return redirect(url_for(".learner", learner_id=learner_id) + "#criteria", 303)


@bp.get("/learners/<int:learner_id>/report.csv")
@staff_required()
def report_csv(learner_id: int) -> Response:
    row = _learner_or_404(learner_id)
    report = _report(row)
    body = gap_report_csv(qualification_for(row), row["name"], report.units, report.versions)
    return _csv_response(body, f"gap-report-{learner_id}.csv")


@bp.post("/learners/<int:learner_id>/observations")
@staff_required("admin", "assessor", write=True)
def plan_observation(learner_id: int) -> ResponseReturnValue:
    """One tap: the claims the workplace has not seen become an observation in the assessment
    plan, its activity naming them; claims no longer flagged are left out."""
    row = _learner_or_404(learner_id)
    form = ObservationForm()
    _check_form(form)
    report = _report(row)
    flagged = {c for o in report.observations for c in o.criteria}
    wanted = [c for c in dict.fromkeys((form.criteria.data or "").split()) if c in flagged]
    if not wanted:
        flash(
            "The workplace's view or the ratings have changed: those criteria are no longer "
            "flagged for an observation, so nothing was added."
        )
        return redirect(url_for(".learner", learner_id=learner_id) + "#observe", 303)
    proposals = report.observe(wanted)
    values = observation_row(proposals)
    activity = PlanRow(
        planned_on="",  # to arrange with the workplace: the assessor dates it when they do
        observed_where=values["observed_where"],
        activity=values["activity"],
        evidence=tuple(values["evidence"]),
        criteria=tuple(dict.fromkeys(c for o in proposals for c in o.criteria)),
        observed_when=values["observed_when"],
    )
    added = plans.add_plan_row(
        get_db(), learner_id, activity, _me()["id"], _actor(), form.request_key.data
    )
    flash(
        f"Added to the assessment plan: {values['activity']}."
        if added is not None
        else "That observation was added already."
    )
    return redirect(url_for(".assessment_plan", learner_id=learner_id), 303)


_csv_response = csv_download  # UTF-8 with a byte-order mark, as Excel reads it


# ---- plan ----------------------------------------------------------------------------------------


def _unit_plan_page(
    row: Row,
    suggestion: Suggestion,
    saved: Row | None,
    working: list[str],
    status: int = 200,
) -> ResponseReturnValue:
    q = qualification_for(row)
    form = PlanForm(data={"units": working})
    form.units.choices = [(u.number, u.number) for u in q.optional_units]
    return render_template(
        "staff/plan.html",
        learner=row,
        suggestion=suggestion,
        working=working,
        problems=check_optional(q, working),
        form=form,
        saved=saved,
        credits=plan_credits(q, working),
        q=q,
    ), status


def _posted_units(q: Qualification) -> tuple[list[str], list[str]]:
    """The optional units posted, in the qualification's order, and any that are not."""
    optional = {u.number for u in q.optional_units}
    chosen = request.form.getlist("units")
    unknown = [n for n in chosen if n not in optional]
    ordered = [u.number for u in q.optional_units if u.number in chosen]
    return ordered, unknown


@bp.route("/learners/<int:learner_id>/plan", methods=["GET", "POST"])
@staff_required()
def plan(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    q, db = qualification_for(row), get_db()
    saved = plans.unit_plan(db, learner_id)
    had = learners.answers(db, learner_id)
    kept = workplace.job_answers(db, learner_id)
    job = workplace_job(kept.contacts, kept.contexts)
    profile = learner_profile(q, row, had.ratings, had.contexts, had.interests, job.answers, job.by)
    suggestion = suggest_plans(q, profile)
    if request.method == "GET":
        if saved:
            return _unit_plan_page(row, suggestion, saved, saved["units"])
        best = suggestion.best
        working = [u.number for u in best.optional] if best else []
        return _unit_plan_page(row, suggestion, saved, working)
    if _me()["role"] == "verifier":
        abort(403)
    _check_form(ActionForm())
    action = request.form.get("action", "check")
    if action.startswith("use-"):
        index = action[4:]
        if not (index.isascii() and index.isdigit()) or int(index) >= len(suggestion.plans):
            abort(400, "That suggestion is no longer there; look again.")
        units = [u.number for u in suggestion.plans[int(index)].optional]
    else:
        units, unknown = _posted_units(q)
        if unknown:
            abort(400, f"Not units of this qualification: {', '.join(unknown)}.")
    if action == "confirm":
        # saved, checked and confirmed in one transaction; refused, it writes nothing, so a
        # refused confirm never undoes a confirmed plan
        try:
            plans.confirm_unit_plan(
                get_db(), learner_id, units, _me()["id"], _actor(), partial(check_optional, q)
            )
        except plans.UnitPlanBreaksRules:
            flash("The plan cannot be confirmed until it meets every rule.")
            return _unit_plan_page(row, suggestion, saved, units, 400)
        flash("Plan confirmed. The learner's answers are now read-only.")
    else:
        plans.save_unit_plan(get_db(), learner_id, units, _me()["id"], _actor())
    return redirect(url_for(".plan", learner_id=learner_id), 303)


@bp.post("/learners/<int:learner_id>/plan/check")
@staff_required()
def plan_check(learner_id: int) -> ResponseReturnValue:
    """Re-run the rules on a plan being edited, without saving it (for the page's script)."""
    q = qualification_for(_learner_or_404(learner_id))
    _check_form(ActionForm())
    units, unknown = _posted_units(q)
    problems = [p.message for p in check_optional(q, units + unknown)]
    credits = plan_credits(q, units)
    return jsonify({"ok": True, "valid": not problems, "problems": problems, "credits": credits})


# ---- assessment plan and learning contract -------------------------------------------------------


def _plan_page(
    row: Row, saved: Row | None, form: PlanRowForm, status: int = 200
) -> ResponseReturnValue:
    """The assessment plan: its coverage of the learner's units, its rows, and a new row."""
    q, db = qualification_for(row), get_db()
    rows = plans.assessment_plan_rows(db, row["id"])
    units = plan_units(q, saved)
    return render_template(
        "staff/assessment_plan.html",
        confirmed=bool(saved and saved["confirmed_at"]),
        learner=row,
        form=form,
        rows=[(r, PlanRow.from_row(r)) for r in rows],
        coverage=coverage(q, units, from_plan_rows(rows)),
        q=q,
    ), status


@bp.route("/learners/<int:learner_id>/assessment-plan", methods=["GET", "POST"])
@staff_required()
def assessment_plan(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    q = qualification_for(row)
    saved = plans.unit_plan(get_db(), learner_id)
    form = plan_row_form(q, plan_units(q, saved))
    if request.method == "GET":
        return _plan_page(row, saved, form)
    if _me()["role"] == "verifier":
        abort(403)
    if not form.validate_on_submit():
        return _plan_page(row, saved, form, 400)
    plans.add_plan_row(
        get_db(), learner_id, form.row(), _me()["id"], _actor(), form.request_key.data
    )
    flash("Added to the assessment plan.")
    return redirect(url_for(".assessment_plan", learner_id=learner_id) + "#rows", 303)


@bp.route("/learners/<int:learner_id>/assessment-plan/<int:row_id>", methods=["GET", "POST"])
@staff_required("admin", "assessor", write=True)
def plan_row(learner_id: int, row_id: int) -> ResponseReturnValue:
    """Change an activity of the plan: its details, or what became of it (done, cancelled)."""
    row = _learner_or_404(learner_id)
    q, db = qualification_for(row), get_db()
    kept = plans.plan_row(db, learner_id, row_id)
    if kept is None:
        raise NotFound("That activity is not in this learner's plan.")
    units = plan_units(q, plans.unit_plan(db, learner_id))
    # units already named by the row stay on offer, even if the unit plan has moved on
    units += [u for u in units_of(kept["criteria"]) if u not in units]
    form = plan_row_form(q, units, kept if request.method == "GET" else None, edit=True)
    assert isinstance(form, PlanRowEditForm)
    changed_by = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                plans.update_plan_row(
                    db, learner_id, row_id, form.row(), _me()["id"], _actor(), form.version.data
                )
            except plans.RowChanged as e:
                kept = e.current  # shown beside the form, which keeps what was typed
                form.version.data = kept["version"]
                changed_by = accounts.staff_names(db).get(kept["updated_by"] or 0)
            else:
                flash("The assessment plan is updated.")
                return redirect(url_for(".assessment_plan", learner_id=learner_id) + "#rows", 303)
    status = 200 if request.method == "GET" else (409 if changed_by is not None else 400)
    return render_template(
        "staff/plan_row.html",
        learner=row,
        form=form,
        kept=kept,
        sentence=row_sentence(q, kept),
        changed_by=changed_by,
        q=q,
    ), status


def _contract_page(row: Row, form: SignForm, status: int = 200) -> ResponseReturnValue:
    q, db = qualification_for(row), get_db()
    agreed = plans.agreement(db, row["id"])
    state = contract_state(
        q, agreed.unit_plan, agreed.contracts, agreed.checklist, row, centre.centre(db)
    )
    terms, current, changes, talk = state.terms, state.current, state.changes, state.talk
    return render_template(
        "staff/contract.html",
        learner=row,
        content=terms,
        current=current,
        history=agreed.contracts,
        form=form,
        action=ActionForm(),
        changes=changes,
        blockers=cannot_prepare(terms, talk, row),
        talk=talk,
        rows=agreed.assessment_plan_rows,
        can_sign=_me()["id"] == row["assessor_id"],
    ), status


@bp.route("/learners/<int:learner_id>/contract", methods=["GET", "POST"])
@staff_required()
def contract(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    form = SignForm()
    if request.method == "GET":
        return _contract_page(row, form)
    if _me()["role"] == "verifier":
        abort(403)
    q, db = qualification_for(row), get_db()
    agreed = plans.agreement(db, learner_id)
    state = contract_state(
        q, agreed.unit_plan, agreed.contracts, agreed.checklist, row, centre.centre(db)
    )
    terms, current = state.terms, state.current
    action = request.form.get("action")
    if action == "issue":
        _check_form(ActionForm())
        blockers = cannot_prepare(terms, state.talk, row)
        for reason in blockers:
            flash(reason)
        if not blockers and terms is not None:
            made = plans.issue_contract(db, learner_id, terms, _me()["id"], _actor())
            flash(f"Version {made['version']} is ready for you and the learner to sign.")
        return redirect(url_for(".contract", learner_id=learner_id), 303)
    if action != "sign":
        abort(400)
    if current is None:
        flash("There is no contract to sign yet: prepare it first.")
        return _contract_page(row, form, 400)
    if not form.validate_on_submit():
        return _contract_page(row, form, 400)
    if _me()["id"] != row["assessor_id"]:
        flash("Only the learner's own assessor signs as assessor, from their own account.")
        return _contract_page(row, form, 400)
    if not state.changes.current:
        flash("The units or dates have changed since this version: prepare a new version first.")
        return redirect(url_for(".contract", learner_id=learner_id), 303)
    try:
        signed = plans.sign_contract(
            db, current["id"], "assessor", form.name.data or "", _actor(), _me()
        )
    except plans.SignatureRefused as e:
        form.name.errors.append(str(e))
        return _contract_page(row, form, 400)
    flash("Signed." if signed else "This version is already signed by the assessor.")
    return redirect(url_for(".contract", learner_id=learner_id), 303)


# ---- audit trail ---------------------------------------------------------------------------------


def _in_words(entries: list[Row], learner: Row | None = None) -> list[dict[str, Any]]:
    """Audit entries as staff read them: when, who (by name), which learner, what happened."""
    q = qualification_for(learner) if learner else current_qualification()
    people = accounts.staff_names(get_db())
    return [
        {
            "at": e["at"],
            "who": who(e["actor"], people, learner["name"] if learner else e["learner_name"]),
            "learner": e.get("learner_name") or "",
            "learner_id": e["learner_id"],
            "what": describe(q, e, people),
        }
        for e in entries
    ]


@bp.get("/learners/<int:learner_id>/audit")
@staff_required()
def learner_audit(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    entries = _in_words(audit.entries(get_db(), learner_id), row)
    return render_template("staff/audit.html", learner=row, entries=entries)


@bp.get("/audit", endpoint="audit")
@staff_required("admin", "verifier")
def audit_page() -> ResponseReturnValue:
    page = min(max(0, request.args.get("page", 0, type=int)), 100_000)
    entries = _in_words(audit.all_entries(get_db(), limit=200, offset=page * 200))
    return render_template("staff/audit.html", learner=None, entries=entries, page=page)


# ---- cohort --------------------------------------------------------------------------------------


PICKER_LIMIT = 300  # names listed in the group picker at once; a search narrows the rest
HEAT_MAP_LIMIT = 60  # learners in one heat map; the CSV export has everyone


def _cohort_learners(everyone: list[Row]) -> list[Row]:
    chosen = set(request.args.getlist("learner", type=int))
    return [r for r in everyone if r["id"] in chosen] if chosen else everyone


# the cohort view shows one of three ratings: (code, what the picker says)
COHORT_VIEWS = (
    ("learner", "The learners' own ratings"),
    ("latest", "Their latest self-checks"),
    ("workplace", "The workplace's view"),
    ("assessor", "The assessor's ratings"),
)


def _cohort_view() -> str:
    view = request.args.get("view", "learner")
    return view if view in dict(COHORT_VIEWS) else "learner"


def _cohort_ratings(view: str, learner_ids: list[int]) -> dict[int, dict[str, int]]:
    """Statement ratings per learner as the chosen view gives them (the workplace's as
    not yet 0, partly 1, seen 2)."""
    db = get_db()
    if view == "workplace":
        found = cohort_numbers(workplace.cohort_ratings(db, learner_ids))
        return {i: found.get(i, {}) for i in learner_ids}
    return learners.cohort_ratings(
        db, learner_ids, assessor=view == "assessor", latest=view == "latest"
    )


@bp.get("/cohort")
@staff_required()
def cohort() -> ResponseReturnValue:
    q = current_qualification()  # the cohort's: a cohort view per qualification later
    everyone = learners.learners_for(get_db(), _me())
    rows = _cohort_learners(everyone)
    # a heat map wider than a group is unreadable: without a choice, show the first group
    capped = len(rows) > HEAT_MAP_LIMIT
    rows = rows[:HEAT_MAP_LIMIT]
    view = _cohort_view()
    by_learner = _cohort_ratings(view, [r["id"] for r in rows])
    find = request.args.get("find", "").strip().lower()
    matches = [r for r in everyone if find in r["name"].lower()] if find else everyone
    return render_template(
        "staff/cohort.html",
        all_learners=everyone,
        picker=matches[:PICKER_LIMIT],
        picker_more=max(0, len(matches) - PICKER_LIMIT),
        chosen={r["id"] for r in rows} if len(rows) < len(everyone) else set(),
        find=request.args.get("find", ""),
        capped=capped,
        learners=rows,
        by_learner=by_learner,
        statements=cohort_statements(q),
        gaps=commonest_gaps(q, by_learner),
        view=view,
        views=COHORT_VIEWS,
        q=q,
    )


@bp.get("/cohort.csv")
@staff_required()
def cohort_export() -> Response:
    rows = _cohort_learners(learners.learners_for(get_db(), _me()))
    view = _cohort_view()
    by_learner = _cohort_ratings(view, [r["id"] for r in rows])
    q = current_qualification()
    name = "cohort.csv" if view == "learner" else f"cohort-{view}.csv"
    return _csv_response(cohort_csv(q, rows, by_learner), name)


# ---- staff accounts ------------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@staff_required("admin")
def users() -> ResponseReturnValue:
    form = StaffForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.create_staff(
                get_db(),
                form.email.data or "",
                form.name.data or "",
                form.role.data or "assessor",
                hash_password(form.password.data or ""),
                _actor(),
            )
        except accounts.StaffExists:
            form.email.errors.append("There is already an account with that email.")
            status = 400
        else:
            flash(f"Account created for {form.name.data}.")
            return redirect(url_for(".users"), 303)
    elif request.method == "POST":
        status = 400
    return render_template(
        "staff/users.html",
        form=form,
        staff=accounts.all_staff(get_db()),
        action=ActionForm(),
    ), status


@bp.post("/users/<int:staff_id>/disable")
@staff_required("admin")
def disable_user(staff_id: int) -> ResponseReturnValue:
    _check_form(ActionForm())
    target = accounts.staff_member(get_db(), staff_id)
    if target is None:
        raise NotFound("No such account.")
    if target["id"] == _me()["id"]:
        abort(400, "You cannot disable your own account.")
    disable = _wanted(request.form.get("to"), ("disabled", "enabled"), not target["disabled_at"])
    accounts.set_staff_disabled(get_db(), staff_id, disable, _actor())
    flash(f"{target['name']} is {'disabled' if disable else 'enabled'}.")
    return redirect(url_for(".users"), 303)


# ---- data protection ---------------------------------------------------------------------------

NOT_ON_DISK_YET = (
    "not yet erased from the disk: another program (a backup, a report, an sqlite3 shell) is "
    "reading the database, so its write-ahead log still holds a copy of their details."
)


def _record(learner_id: int) -> dict[str, Any]:
    _learner_or_404(learner_id)
    record = records.learner_record(get_db(), learner_id)
    assert record is not None
    return record


@bp.get("/learners/<int:learner_id>/export.json")
@staff_required()
def export_learner_json(learner_id: int) -> Response:
    row = _learner_or_404(learner_id)
    body = record_json(qualification_for(row), _record(learner_id))
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="learner-{learner_id}.json"'
    return response


@bp.get("/learners/<int:learner_id>/export.csv")
@staff_required()
def export_learner_csv(learner_id: int) -> Response:
    record = _record(learner_id)
    body = record_csv(qualification_for(record["learner"]), record)
    return _csv_response(body, f"learner-{learner_id}.csv")


@bp.post("/learners/<int:learner_id>/erase")
@staff_required("admin", write=True)
def erase_learner(learner_id: int) -> ResponseReturnValue:
    row = _learner_or_404(learner_id)
    _check_form(ActionForm())
    typed = request.form.get("confirm", "").strip()
    if typed != row["name"].strip():
        flash("To erase, type the learner's name exactly as shown. Nothing was erased.")
        return redirect(url_for(".learner", learner_id=learner_id) + "#erase", 303)
    records.erase_learner(get_db(), learner_id, _actor())
    if records.finish_erasure(get_db(), current_app.config["ERASE_WAIT_SECONDS"]):
        flash("The learner and all their data have been erased.")
    else:
        flash("The learner is erased from every list and record, but not yet from the disk.")
    return redirect(url_for(".learners"), 303)


@bp.post("/erasure")
@staff_required("admin", write=True)
def finish_erasure() -> ResponseReturnValue:
    """Try again to clear erased learners from the disk (the write-ahead log)."""
    _check_form(ActionForm())
    if records.finish_erasure(get_db(), current_app.config["ERASE_WAIT_SECONDS"]):
        flash("The erased learner is now erased from the disk too.")
    else:
        flash("Still " + NOT_ON_DISK_YET + " Close that program, then try again.")
    return redirect(url_for(".learners"), 303)
