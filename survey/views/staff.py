"""The assessor's workspace: learners, gap reports, plans, assessment plans, contracts, cohort."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
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

from .. import prior_learning
from ..auth import hash_password, signed_in_staff, staff_actor, staff_learner, staff_required
from ..content import Qualification
from ..coverage import coverage, from_plan_rows, from_testimonies
from ..db import get_db
from ..evidence_plan import listing
from ..export import record_csv, record_json
from ..forms import (
    PASTE_MAX,
    ActionForm,
    AssessorRatingsForm,
    LearnerCsvForm,
    LearnerFields,
    LearnerForm,
    LedgerDecisionForm,
    LedgerEvidenceForm,
    LedgerFundingForm,
    LinkRequestForm,
    MoveForm,
    ObservationForm,
    PlanForm,
    PlanRowEditForm,
    PlanRowForm,
    SignForm,
    StaffForm,
    ledger_funding_form,
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
from ..ledger import as_record as ledger_record
from ..ledger import hours_text
from ..library import Version
from ..planner import Suggestion, levels_pointed, suggest_plans
from ..plans import (
    PlanRow,
    cannot_prepare,
    contract_state,
    plan_units,
    row_problems,
    row_sentence,
    units_of,
)
from ..profile import Profile, learner_profile
from ..qr import qr_svg
from ..qualifications import (
    codes,
    listings,
    qualification,
    qualification_for,
    units_answered,
    versions_answered,
)
from ..rules import check_optional, plan_credits
from ..store import accounts, audit, centre, learners, plans, records, tokens, workplace
from ..store import prior_learning as prior_learning_store
from ..store.sql import Row
from ..testimonies import coverage as testimony_coverage
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


def _qualification_choices() -> list[tuple[str, str]]:
    return [(x.code, f"{x.code} {x.title}") for x in listings()]


def _learner_form() -> LearnerForm:
    form = LearnerForm()
    form.assessor.choices = _assessor_choices()
    form.qualification.choices = _qualification_choices()
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


def _chosen_code() -> str:
    """The qualification a list is narrowed to (?qualification=CODE); "" for all of them."""
    code = request.args.get("qualification", "")
    return code if code in codes() else ""


def _learners_page(archived: bool, form: LearnerForm, csv_form: LearnerCsvForm) -> str:
    shown = _chosen_code()
    rows = learners.learners_with_answers(get_db(), _me(), archived, shown)
    return render_template(
        "staff/learners.html",
        learners=rows,
        qualifications=listings(),
        shown=shown,
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


def _new_learner(fields: LearnerFields, code: str, assessor_id: int | None) -> learners.NewLearner:
    # enrolled on the qualification chosen (its job roles place the job)
    return learners.NewLearner(**fields.learner(qualification(code)), assessor_id=assessor_id)


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
    valid = form.validate_on_submit()
    code = form.chosen_qualification(codes())
    if not valid or code is None:
        return _learners_page_with_errors(form, LearnerCsvForm())
    new = _new_learner(form, code, _assessor_for_new(form.assessor.data))
    return _cards_for([new], [], form.request_key.data or "")


@bp.post("/learners/import")
@staff_required("admin", "assessor", write=True)
def import_learners() -> ResponseReturnValue:
    form = LearnerCsvForm()
    if not form.validate_on_submit():
        return _learners_page_with_errors(_learner_form(), form)
    lines, problems = read_learner_lines(form.rows.data or "", codes())
    if len(lines) > PASTE_MAX:
        problems = [f"Add at most {PASTE_MAX} learners at a time."]
        lines = []
    assessor = _me()["id"] if _me()["role"] == "assessor" else None
    new = [_new_learner(line, code, assessor) for line, code in lines]
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


def _move_choices(row: Row, q: Qualification, profile: Profile) -> list[tuple[str, str]]:
    """The qualifications the level check points to (another level's, loaded here), while the
    learner's plan is not confirmed: those an assessor may move them to."""
    if row["plan_confirmed_at"]:
        return []
    levels = levels_pointed(q, profile)
    if not levels:
        return []
    found = []
    for x in listings():
        other = qualification(x.code)
        if other.code != q.code and other.level in levels:
            found.append((other.code, f"{other.code} {other.title} (Level {other.level})"))
    return found


def _unit_plan_page(
    row: Row,
    suggestion: Suggestion,
    saved: Row | None,
    working: list[str],
    status: int = 200,
    move: MoveForm | None = None,
    profile: Profile | None = None,
) -> ResponseReturnValue:
    q = qualification_for(row)
    if move is None:
        move = MoveForm()
        move.qualification.choices = _move_choices(row, q, profile) if profile else []
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
        move=move,
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
            return _unit_plan_page(row, suggestion, saved, saved["units"], profile=profile)
        best = suggestion.best
        working = [u.number for u in best.optional] if best else []
        return _unit_plan_page(row, suggestion, saved, working, profile=profile)
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


@bp.post("/learners/<int:learner_id>/qualification")
@staff_required("admin", "assessor", write=True)
def move_qualification(learner_id: int) -> ResponseReturnValue:
    """Move the learner to the qualification the level check points to, with the reason."""
    row = _learner_or_404(learner_id)
    q, db = qualification_for(row), get_db()
    had = learners.answers(db, learner_id)
    profile = learner_profile(q, row, had.ratings, had.contexts, had.interests)
    form = MoveForm()
    form.qualification.choices = _move_choices(row, q, profile)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        if not form.qualification.choices:
            flash(
                "Their plan is confirmed, so they stay on this qualification."
                if row["plan_confirmed_at"]
                else "The level check points to no other qualification loaded here."
            )
            return redirect(url_for(".plan", learner_id=learner_id), 303)
        saved = plans.unit_plan(db, learner_id)
        suggestion = suggest_plans(q, profile)
        working = saved["units"] if saved else []
        return _unit_plan_page(row, suggestion, saved, working, 400, move=form, profile=profile)
    code = form.qualification.data or ""
    try:
        learners.move_qualification(db, learner_id, code, form.reason.data or "", _actor())
    except learners.MoveRefused as refused:
        flash(str(refused))
        return redirect(url_for(".plan", learner_id=learner_id), 303)
    flash(
        f"{row['name']} is now enrolled on {code}. Their answers are kept in their record; "
        "they answer the new qualification's questions from their link."
    )
    return redirect(url_for(".learner", learner_id=learner_id), 303)


# ---- assessment plan and learning contract -------------------------------------------------------


def _plan_page(
    row: Row, saved: Row | None, form: PlanRowForm, status: int = 200
) -> ResponseReturnValue:
    """The assessment plan: its coverage of the learner's units, its rows, and a new row."""
    q, db = qualification_for(row), get_db()
    rows = plans.assessment_plan_rows(db, row["id"])
    units = plan_units(q, saved)
    # accepted, signed witness testimonies count as evidence done
    linked = testimony_coverage(workplace.testimonies(db, row["id"]))
    return render_template(
        "staff/assessment_plan.html",
        confirmed=bool(saved and saved["confirmed_at"]),
        learner=row,
        form=form,
        rows=[(r, PlanRow.from_row(r)) for r in rows],
        coverage=coverage(q, units, [*from_plan_rows(rows), *from_testimonies(linked)]),
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


# ---- prior-learning ledger and suggested evidence -----------------------------------------------


@dataclass(frozen=True)
class _PriorLearningPage:
    """What the ledger and suggestion pages show, read once."""

    row: Row
    q: Qualification
    units: list[str]
    had: learners.Answers
    kept: prior_learning_store.PriorLearning
    current: prior_learning.LearnerLedger
    workplace: Mapping[str, str]  # the job as the workplace confirmed it, where it answered


def _prior_learning(learner_id: int) -> _PriorLearningPage:
    row = _learner_or_404(learner_id)
    q, db = qualification_for(row), get_db()
    units = prior_learning.plan_units(q, plans.unit_plan(db, learner_id))
    had = learners.answers(db, learner_id, assessor=True)
    kept = prior_learning_store.prior_learning(db, learner_id)
    current = prior_learning.learner_ledger(q, units, had.assessor, kept.evidence, kept.funding)
    job = workplace.job_answers(db, learner_id)
    confirmed = workplace_job(job.contacts, job.contexts).answers
    return _PriorLearningPage(row, q, units, had, kept, current, confirmed)


def _ledger_page(
    p: _PriorLearningPage,
    funding_form: LedgerFundingForm | None = None,
    decision_form: LedgerDecisionForm | None = None,
    problems: Mapping[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    figures = p.current.ledger
    decision = p.kept.decision
    decided_on = decision if decision and decision["decision"] == "accepted" else None
    return render_template(
        "staff/ledger.html",
        learner=p.row,
        q=p.q,
        units=p.units,
        ledger=figures,
        current=p.current,
        funding=figures.funding,
        rated=prior_learning.rated_statements(p.q, p.units, p.had.assessor),
        evidence=p.kept.evidence,
        problems=problems or {},
        with_prior_learning=prior_learning.units_with_prior_learning(figures),
        decisions=list(reversed(p.kept.decisions)),
        stale=bool(decision and decision["version"] != figures.version),
        not_reduced=decided_on["unit_reasons"] if decided_on else {},
        funding_form=funding_form or ledger_funding_form(p.q, p.kept.funding),
        decision_form=decision_form or LedgerDecisionForm(data={"version": figures.version}),
        action=ActionForm(),
        hours_text=hours_text,
        listing=lambda ids: listing(p.q, ids)[0],
        not_advice=prior_learning.NOT_ADVICE,
    ), status


@bp.get("/learners/<int:learner_id>/ledger")
@staff_required()
def ledger(learner_id: int) -> ResponseReturnValue:
    return _ledger_page(_prior_learning(learner_id))


@bp.post("/learners/<int:learner_id>/ledger/evidence")
@staff_required("admin", "assessor", write=True)
def ledger_evidence(learner_id: int) -> ResponseReturnValue:
    p = _prior_learning(learner_id)
    form = LedgerEvidenceForm()
    _check_form(form)
    values, problems, refused = form.evidence(
        prior_learning.rated_statements(p.q, p.units, p.had.assessor)
    )
    if problems:
        flash("Nothing was saved: see the message beside the evidence.")
        return _ledger_page(p, problems=problems, status=400)
    changed = prior_learning_store.save_evidence(
        get_db(), learner_id, values, _me()["id"], _actor()
    )
    if refused:
        flash(
            f"{len(refused)} criterion or criteria are no longer rated \u201ccould show evidence "
            "now\u201d in the confirmed units, so their evidence was not saved."
        )
    flash(f"Saved the evidence for {changed} criteri{'on' if changed == 1 else 'a'}.")
    return redirect(url_for(".ledger", learner_id=learner_id) + "#evidence", 303)


@bp.post("/learners/<int:learner_id>/ledger/funding")
@staff_required("admin", "assessor", write=True)
def ledger_funding(learner_id: int) -> ResponseReturnValue:
    p = _prior_learning(learner_id)
    form = ledger_funding_form(p.q, p.kept.funding)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _ledger_page(p, funding_form=form, status=400)
    prior_learning_store.save_funding(get_db(), learner_id, form.values(), _me()["id"], _actor())
    flash("Funding saved: the figures below use it.")
    return redirect(url_for(".ledger", learner_id=learner_id) + "#funding", 303)


@bp.post("/learners/<int:learner_id>/ledger/decision")
@staff_required("admin", "assessor", write=True)
def ledger_decision(learner_id: int) -> ResponseReturnValue:
    p = _prior_learning(learner_id)
    form = LedgerDecisionForm()
    reasons, problems = form.unit_reasons(
        prior_learning.units_with_prior_learning(p.current.ledger)
    )
    if not form.validate_on_submit() or problems:
        if form.csrf_token.errors:
            abort(400)
        return _ledger_page(p, decision_form=form, problems=problems, status=400)
    if not p.units:
        flash("Confirm the learner's units first: the ledger covers the confirmed units.")
        return redirect(url_for(".ledger", learner_id=learner_id), 303)
    if form.version.data != p.current.ledger.version:
        flash(
            "The figures changed since this page was opened (in another tab, or by someone "
            "else): nothing was recorded. Look at them again below, then decide."
        )
        return redirect(url_for(".ledger", learner_id=learner_id) + "#decide", 303)
    decision = form.decision.data or ""
    reason = (form.reason.data or "").strip() if decision == "no-reduction" else ""
    kept_reasons = reasons if decision == "accepted" else {}
    figures = prior_learning.decided_figures(p.q, p.units, p.current, decision, kept_reasons)
    prior_learning_store.record_decision(
        get_db(),
        learner_id,
        decision,
        reason,
        kept_reasons,
        p.current.ledger.version,
        ledger_record(figures),
        _me()["id"],
        _actor(),
    )
    flash(
        "Ledger accepted."
        if decision == "accepted"
        else "Recorded: no reduction for prior learning."
    )
    return redirect(url_for(".ledger", learner_id=learner_id) + "#decisions", 303)


@bp.get("/learners/<int:learner_id>/suggestions")
@staff_required()
def suggestions(learner_id: int) -> ResponseReturnValue:
    p = _prior_learning(learner_id)
    plan = prior_learning.suggestions(p.q, p.units, p.had.contexts, p.current.met, p.workplace)
    rows = plans.assessment_plan_rows(get_db(), learner_id)
    taken = {r["request_key"] for r in rows if r["request_key"]}
    return render_template(
        "staff/suggestions.html",
        learner=p.row,
        q=p.q,
        units=p.units,
        plan=plan,
        taken=taken,
        key=prior_learning.suggestion_key,
        name=prior_learning.suggestion_id,
        by_unit=partial(prior_learning.by_unit, p.q),
        action=ActionForm(),
    )


@bp.post("/learners/<int:learner_id>/suggestions/take")
@staff_required("admin", "assessor", write=True)
def take_suggestion(learner_id: int) -> ResponseReturnValue:
    p = _prior_learning(learner_id)
    _check_form(ActionForm())
    plan = prior_learning.suggestions(p.q, p.units, p.had.contexts, p.current.met, p.workplace)
    item = prior_learning.find_suggestion(plan, request.form.get("suggestion", ""))
    back = url_for(".suggestions", learner_id=learner_id)
    if item is None:
        flash("That suggestion is no longer there (the ratings or the plan changed): look again.")
        return redirect(back, 303)
    key = prior_learning.suggestion_key(item)
    activity = prior_learning.plan_row(item)
    problems = row_problems(p.q, activity, p.units)  # the checks every row goes through
    if problems:
        flash(f"That suggestion cannot go into the plan: {' '.join(problems.values())}")
        return redirect(back, 303)
    # already taken, by this or another member of staff: the same row once
    rows = plans.assessment_plan_rows(get_db(), learner_id)
    added = None
    if not any(r["request_key"] == key for r in rows):
        added = plans.add_plan_row(get_db(), learner_id, activity, _me()["id"], _actor(), key)
    if added is None:
        flash("That suggestion is already in the assessment plan.")
    else:
        flash(f"Added to the assessment plan: {item.sentence}")
    return redirect(back + "#" + prior_learning.suggestion_id(item), 303)


# ---- audit trail ---------------------------------------------------------------------------------


def _in_words(entries: list[Row], learner: Row | None = None) -> list[dict[str, Any]]:
    """Audit entries as staff read them: when, who (by name), which learner, what happened."""
    people = accounts.staff_names(get_db())

    def q_of(e: Row) -> Qualification:  # the qualification the entry's learner is on
        return qualification_for(learner or {"qualification": e.get("learner_qualification")})

    return [
        {
            "at": e["at"],
            "who": who(e["actor"], people, learner["name"] if learner else e["learner_name"]),
            "learner": e.get("learner_name") or "",
            "learner_id": e["learner_id"],
            "what": describe(q_of(e), e, people),
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


def _cohort_qualification() -> Qualification:
    """The qualification a cohort view is about (?qualification=CODE, else the default): a
    cohort is the learners on one qualification, whose statements they answer."""
    return qualification(_chosen_code() or codes()[0])


@bp.get("/cohort")
@staff_required()
def cohort() -> ResponseReturnValue:
    q = _cohort_qualification()
    everyone = learners.learners_for(get_db(), _me(), qualification=q.code)
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
        qualifications=listings(),
    )


@bp.get("/cohort.csv")
@staff_required()
def cohort_export() -> Response:
    q = _cohort_qualification()
    rows = _cohort_learners(learners.learners_for(get_db(), _me(), qualification=q.code))
    view = _cohort_view()
    by_learner = _cohort_ratings(view, [r["id"] for r in rows])
    name = f"cohort-{q.code}.csv" if view == "learner" else f"cohort-{q.code}-{view}.csv"
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
    record = _record(learner_id)
    body = record_json(qualification_for(record["learner"]), record)
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
