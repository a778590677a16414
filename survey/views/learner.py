"""The learner's pages: personal link, initial assessment, starting point, unit self-check."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from ..content import Qualification, Statement, Unit, UnitNotFound
from ..db import get_db
from ..errors import LinkNotFound
from ..forms import (
    ActionForm,
    AnswerRefused,
    CodeForm,
    OneAnswer,
    SignForm,
    context_field_name,
    interests_form,
    job_form,
    rating_field_name,
    rating_form,
    read_one_answer,
)
from ..history import describe, who
from ..journey import Page, minutes_needed, open_units, page_index, pages, scale_notes
from ..plans import contract_changes, contract_terms, next_steps
from ..portfolio import job_words
from ..profile import learner_profile
from ..qualifications import qualification, qualification_for
from ..starting_point import check_progress, starting_point
from ..store import accounts, audit, centre, learners, plans, records, tokens, workplace
from ..store.sql import Row, now
from ..web import csv_download, json_error, other_owners, owner_key
from ..workplace import workplace_job

bp = Blueprint("learner", __name__)

SELF_CHECK = re.compile(r"/q/[^/?#]+/check/")  # a self-check of any qualification

LOCKED = (
    "Your assessor has confirmed your plan, so these answers can no longer be changed. "
    "Talk to your assessor if something needs to change."
)
SUBMITTED = (
    "You have already sent your answers. To change them, choose \u201cChange my answers\u201d "
    "on your starting point page."
)


def _actor(learner: Row) -> str:
    return f"learner:{learner['id']}"


# ---- who is this? -----------------------------------------------------------------------


def current_learner() -> Row | None:
    """The learner this device remembers, if their link is still the current one."""
    if "learner" in g:
        return g.learner
    found = None
    learner_id, key = session.get("learner_id"), session.get("learner_key")
    if isinstance(learner_id, int) and isinstance(key, str):
        row = learners.learner(get_db(), learner_id)
        if row and not row["archived_at"] and tokens.device_key_matches(row, key):
            found = row
        else:
            session.pop("learner_id", None)
            session.pop("learner_key", None)
    g.learner = found
    return found


def learner_key(row: Row) -> str:
    """An opaque key naming a learner to the page's script: whose answers it keeps unsent.

    It does not change with a new link (the answers are still theirs) and tells nothing about
    the learner without the app's secret.
    """
    return owner_key("answers kept on a phone", row["id"])


@bp.context_processor
def learner_context() -> dict[str, Any]:
    row = g.get("learner")
    return {"learner_key": learner_key(row) if row else ""}


def _not_theirs(row: Row) -> ResponseReturnValue | None:
    """A background save from a page of another learner: refused, and not theirs to drop."""
    return other_owners(request.form.get("learner"), learner_key(row))


def _remember(row: Row) -> None:
    session.clear()
    session.permanent = True  # a long-lived cookie: the phone keeps knowing the learner
    session["learner_id"] = row["id"]
    session["learner_key"] = tokens.device_key(row)
    g.learner = row


def _safe_next(target: str | None) -> str | None:
    """Only our own learner pages may be a place to continue to after entering a code."""
    if not target:
        return None
    if not target.isprintable() or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if not (target.startswith(("/check/", "/assessment", "/result")) or SELF_CHECK.match(target)):
        return None
    return target


def _need_learner() -> Row:
    row = current_learner()
    if row is None:
        abort(redirect(url_for("learner.code", next=request.full_path.rstrip("?"))))
    return row


@bp.get("/l/<path:token>")  # a path: a link pasted with a "/" on the end still works
def enter(token: str) -> ResponseReturnValue:
    row = learners.learner_by_token(get_db(), token)
    if row is None or row["archived_at"]:
        raise LinkNotFound(
            "This link does not work. It may have been replaced by a newer one: "
            "ask your assessor for your current link, or enter the code from your card."
        )
    _remember(row)
    return redirect(url_for("learner.assessment"))


@bp.route("/code", methods=["GET", "POST"])
def code() -> ResponseReturnValue:
    target = _safe_next(request.values.get("next"))
    form = CodeForm()
    if form.validate_on_submit():
        row = learners.learner_by_token(get_db(), form.code.data or "")
        if row is not None and not row["archived_at"]:
            _remember(row)
            return redirect(target or url_for("learner.assessment"))
        form.code.errors.append("That code was not recognised. Check it and try again.")
    status = 400 if request.method == "POST" else 200
    return render_template("learner/code.html", form=form, next=target), status


@bp.route("/forget", methods=["GET", "POST"])
def forget() -> ResponseReturnValue:
    form = ActionForm()
    if form.validate_on_submit():
        session.clear()
        flash("This device has forgotten you. Use your link or code to come back.")
        return redirect(url_for("learner.code"))
    return render_template("learner/forget.html", form=form, learner=current_learner())


# ---- the initial assessment -------------------------------------------------------------


def _answers(row: Row) -> learners.Answers:
    """The learner's answers: read once a request, in one statement."""
    return learners.answers(get_db(), row["id"])


def _pages(row: Row) -> tuple[Page, ...]:
    """The learner's pages, from their job answers alone."""
    q = qualification_for(row)
    return pages(q, learners.context_answers(get_db(), row["id"]))


CLOSED_MESSAGES = {"confirmed": LOCKED, "submitted": SUBMITTED}


def _locked_message(row: Row) -> str | None:
    reason = learners.closed_reason(row)
    return CLOSED_MESSAGES[reason] if reason else None


@bp.get("/assessment")
def assessment() -> ResponseReturnValue:
    row = _need_learner()
    if row["submitted_at"]:
        return redirect(url_for("learner.result"))
    if not row["resume_page"]:
        return redirect(url_for("learner.welcome"))  # nothing answered yet: say what this is first
    all_pages = _pages(row)
    key = row["resume_page"] if page_index(all_pages, row["resume_page"]) is not None else "job"
    return redirect(url_for("learner.page", key=key))


@bp.get("/welcome")
def welcome() -> ResponseReturnValue:
    row = _need_learner()
    q = qualification_for(row)
    all_pages = _pages(row)
    return render_template(
        "learner/welcome.html",
        learner=row,
        q=q,
        minutes=minutes_needed(q, all_pages),
        first=all_pages[0],
    )


def _form_for(page: Page, had: learners.Answers, row: Row) -> Any:
    q = qualification_for(row)
    if page.kind == "job":
        return job_form(q, had.contexts, (row["job_role"], row["job_role_other"]))
    if page.kind == "interests":
        units = open_units(q, had.contexts)
        chosen = [u.number for u in units if u.number in had.interests]
        return interests_form(units, data={"interests": chosen})
    data = {
        rating_field_name(s.id): str(had.ratings[s.id])
        for s in page.statements
        if s.id in had.ratings
    }
    return rating_form(q, page.statements, data=data)


def _valid(form: Any, name: str) -> bool:
    field = form[name]
    return not field.errors and field.data not in (None, "", "None")


def _page_changes(page: Page, form: Any) -> learners.Changes:
    """Every answer on the page that is valid, even when another one is not."""
    if page.kind == "job":
        contexts = {
            c.id: form[context_field_name(c.id)].data
            for c in form.contexts
            if _valid(form, context_field_name(c.id))
        }
        return learners.Changes(job_role=form.role_fields(), contexts=contexts)
    if page.kind == "interests":
        if form.interests.errors:
            return learners.Changes()
        chosen = set(form.interests.data or [])
        return learners.Changes(interests={u.number: u.number in chosen for u in form.units})
    values = {
        s.id: int(form[rating_field_name(s.id)].data)
        for s in page.statements
        if _valid(form, rating_field_name(s.id))
    }
    return learners.Changes(ratings=values)


@bp.route("/assessment/<key>", methods=["GET", "POST"])
def page(key: str) -> ResponseReturnValue:
    row = _need_learner()
    q = qualification_for(row)
    had = _answers(row)
    all_pages = pages(q, had.contexts)
    index = page_index(all_pages, key)
    if index is None:
        return _page_moved(row, q, all_pages, key)
    current = all_pages[index]
    if current.kind == "review":
        return _review(row, had, all_pages, index)
    form = _form_for(current, had, row)
    status = 200
    if request.method == "POST":
        locked = _locked_message(row)
        if locked:
            flash(locked)
            return redirect(url_for("learner.result"), 303)
        valid = form.validate_on_submit()
        if "csrf_token" not in form.errors:
            changes = _page_changes(current, form)
            target = None
            if valid:
                # the job page can add or remove later pages: recount before moving on
                after = pages(q, {**had.contexts, **changes.contexts})
                here = page_index(after, key) or 0
                step = -1 if request.form.get("go") == "back" else 1
                target = after[max(0, min(len(after) - 1, here + step))]
                changes = replace(changes, resume=target.key)
            try:  # the answers and where to come back to: one transaction
                learners.keep_answers(get_db(), row["id"], changes, _actor(row))
            except learners.AnswersClosed as closed:  # locked since this request read the learner
                flash(CLOSED_MESSAGES[closed.reason])
                return redirect(url_for("learner.result"), 303)
            if target is not None:
                return redirect(url_for("learner.page", key=target.key), 303)
        status = 400
    return (
        render_template(
            "learner/page.html",
            page=current,
            form=form,
            number=index + 1,
            total=len(all_pages),
            previous=all_pages[index - 1] if index else None,
            following=all_pages[index + 1] if index + 1 < len(all_pages) else None,
            notes=_scale_notes(current.statements, all_pages[:index]),
            learner=row,
            locked=_locked_message(row),
            q=q,
        ),
        status,
    )


QUESTIONS_CHANGED = (
    "The questions for this unit changed while your page was open. Your answers were kept: "
    "here are the questions as they are now."
)


def _page_moved(row: Row, q: Qualification, all_pages: tuple[Page, ...], key: str):  # type: ignore[no-untyped-def]
    """A page of a unit whose questions changed since it was shown (its criteria published):
    its answers are kept, and the learner goes on to the unit's questions as they are now."""
    moved = next((p for p in all_pages if p.unit and p.unit == key.split("-")[0]), None)
    if moved is None:
        raise NotFound("This page is not part of your assessment.")
    if request.method == "POST" and ActionForm().validate_on_submit():
        kept = {}
        for name, value in request.form.items():
            try:
                answer = read_one_answer(q, name, value)
            except AnswerRefused:
                continue
            if answer.kind == "rating":
                kept[answer.item] = answer.value
        try:
            learners.keep_answers(get_db(), row["id"], learners.Changes(ratings=kept), _actor(row))
        except learners.AnswersClosed as closed:
            flash(CLOSED_MESSAGES[closed.reason])
            return redirect(url_for("learner.result"), 303)
    flash(QUESTIONS_CHANGED)
    return redirect(url_for("learner.page", key=moved.key), 303)


def _scale_notes(statements: tuple[Statement, ...], before: tuple[Page, ...]) -> dict[str, str]:
    """Field name -> scale kind where the rating scale changes, from the last one seen."""
    seen = [s.kind for p in before for s in p.statements]
    notes = scale_notes(statements, seen[-1] if seen else "performance")
    return {rating_field_name(k): v for k, v in notes.items()}


def _review(
    row: Row, had: learners.Answers, all_pages: tuple[Page, ...], index: int
) -> ResponseReturnValue:
    q = qualification_for(row)
    # per section: (page, answered, [(field name, words)] of each question with no answer)
    job = [(context_field_name(c.id), c.question) for c in q.contexts if c.id not in had.contexts]
    summary = [(all_pages[0], len(q.contexts) - len(job), job)]
    for p in all_pages:
        if p.kind in ("outcome", "group"):
            missing = [
                (rating_field_name(s.id), s.text) for s in p.statements if s.id not in had.ratings
            ]
            summary.append((p, len(p.statements) - len(missing), missing))
    return render_template(
        "learner/review.html",
        page=all_pages[index],
        summary=summary,
        number=index + 1,
        total=len(all_pages),
        previous=all_pages[index - 1],
        form=ActionForm(),
        learner=row,
        locked=_locked_message(row),
        interests=sorted(had.interests),
        steps=next_steps(row["submitted_at"], row["plan_confirmed_at"], None, False),
        q=q,
    )


@bp.post("/assessment/submit")
def submit() -> ResponseReturnValue:
    row = _need_learner()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if row["plan_confirmed_at"]:
        flash(LOCKED)
    elif not row["submitted_at"]:
        learners.submit(get_db(), row["id"], _actor(row))
    return redirect(url_for("learner.result"), 303)


@bp.post("/assessment/reopen")
def reopen() -> ResponseReturnValue:
    row = _need_learner()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if learners.reopen(get_db(), row["id"], _actor(row)):
        # back to the page where they chose to change their answers
        here = request.args.get("page", "")
        if page_index(_pages(row), here) is None:
            here = "review"
        return redirect(url_for("learner.page", key=here), 303)
    flash(LOCKED if row["plan_confirmed_at"] else "Your answers are open to change already.")
    return redirect(url_for("learner.result"), 303)


# ---- saving one answer in the background --------------------------------------------------


@bp.post("/assessment/save")
def save_one() -> ResponseReturnValue:
    """Save one tap; the script calls this in the background. Saving twice is harmless."""
    row = current_learner()
    if row is None:
        return json_error("This device no longer knows you: open your link again.", 401)
    q = qualification_for(row)
    # CSRFProtect has already refused this POST if its token was wrong (a JSON 400 for the
    # script, with the current token to send it again with)
    refused = _not_theirs(row)
    if refused:
        return refused
    locked = _locked_message(row)
    if locked:
        return json_error(locked, 409, drop=True)
    try:
        answer = read_one_answer(q, request.form.get("name", ""), request.form.get("value", ""))
    except AnswerRefused as e:
        return json_error(str(e), 400, drop=True)
    try:
        _save_one(row, answer)
    except learners.AnswersClosed as closed:  # locked since this request read the learner
        return json_error(CLOSED_MESSAGES[closed.reason], 409, drop=True)
    return jsonify({"ok": True})


def _save_one(row: Row, answer: OneAnswer) -> None:
    """Keep one tap, and the page it was made on as the place to resume: one transaction."""
    resume = request.form.get("page", "")
    if resume and page_index(_pages(row), resume) is None:
        resume = ""  # not a page of theirs: keep where they were
    item, value = answer.item, answer.value
    if answer.kind == "rating":
        changes = learners.Changes(ratings={item: value}, resume=resume)
    elif answer.kind == "context":
        changes = learners.Changes(contexts={item: value}, resume=resume)
    elif answer.kind in ("job_role", "job_role_other"):
        job = answer.job(row["job_role"], row["job_role_other"])
        changes = learners.Changes(job_role=job, resume=resume)
    else:
        changes = learners.Changes(interests={item: value}, resume=resume)
    learners.keep_answers(get_db(), row["id"], changes, _actor(row))


# ---- the starting point -----------------------------------------------------------------


@bp.get("/result")
def result() -> ResponseReturnValue:
    row = _need_learner()
    q = qualification_for(row)
    if not row["submitted_at"]:
        flash("Finish your answers and send them to see your starting point.")
        return redirect(url_for("learner.assessment"))
    had = _answers(row)
    db = get_db()
    agreed = plans.agreement(db, row["id"])
    plan, contract = agreed.unit_plan, agreed.contract
    confirmed = plan["units"] if plan and plan["confirmed_at"] else None
    # the job's answers are the workplace's where it gave one: "your manager confirms …"
    kept = workplace.job_answers(get_db(), row["id"])
    job = workplace_job(kept.contacts, kept.contexts)
    profile = learner_profile(q, row, had.ratings, had.contexts, had.interests, job.answers, job.by)
    report = starting_point(q, profile, confirmed)
    terms = contract_terms(q, plan, row, centre.centre(db))
    steps = next_steps(
        row["submitted_at"],
        plan["confirmed_at"] if plan else None,
        contract,
        bool(contract and contract_changes(contract["content"], terms).current),
    )
    return render_template(
        "learner/result.html",
        report=report,
        steps=steps,
        confirmed_at=plan["confirmed_at"] if plan and confirmed is not None else None,
        learner=row,
        form=ActionForm(),
        q=q,
    )


# ---- unit self-check ------------------------------------------------------------------------


def _their_unit(code: str, number: str, row: Row) -> Unit:
    """The unit an address names, if it is of the qualification this learner is enrolled on:
    a unit of another qualification (its QR code, say) is not there for them."""
    if qualification_for(row).code != code:
        raise NotFound(
            f"This unit is part of {qualification(code).title}, which you are not enrolled on. "
            "Ask your assessor which units you can check."
        )
    return qualification(code).find_unit(number)


@bp.route("/q/<code>/check/<number>", methods=["GET", "POST"])
def unit_check(code: str, number: str) -> ResponseReturnValue:
    unit = qualification(code).find_unit(number)
    if unit.number != number:
        return redirect(url_for("learner.unit_check", code=code, number=unit.number))
    row = _need_learner()
    unit = _their_unit(code, number, row)
    q = qualification_for(row)
    checks = learners.unit_checks(get_db(), row["id"], unit.number)
    finished = [c for c in checks if c["finished_at"]]
    unfinished = [c["id"] for c in checks if not c["finished_at"]][-1:]  # the latest, if any
    saved = learners.ratings_of_checks(get_db(), unfinished) if unfinished else {}
    data = {rating_field_name(k): str(v) for r in saved.values() for k, v in r.items()}
    form = rating_form(q, unit.statements(), data=data)
    status, message = 200, ""
    if request.method == "POST":
        valid = form.validate_on_submit()
        values = {
            s.id: int(form[rating_field_name(s.id)].data)
            for s in unit.statements()
            if _valid(form, rating_field_name(s.id))
        }
        earlier = _whole_unit_answer(q, unit) if "csrf_token" not in form.errors else {}
        if earlier and not values:
            # the page was shown before the unit's criteria were published: kept, not finished
            learners.keep_check_ratings(get_db(), row["id"], unit.number, earlier, _actor(row))
            valid, message = False, QUESTIONS_CHANGED
        values |= earlier
        if "csrf_token" not in form.errors and values and not message:
            # kept, and the check finished if the page is complete: one transaction
            check_row = learners.keep_check_ratings(
                get_db(), row["id"], unit.number, values, _actor(row), finish=valid
            )
        if valid and values:
            return redirect(
                url_for(
                    "learner.check_result",
                    code=q.code,
                    number=unit.number,
                    check_id=check_row["id"],
                ),
                303,
            )
        if valid:
            message = "Answer at least one statement to see your progress."
        status = 409 if message == QUESTIONS_CHANGED else 400
    return (
        render_template(
            "learner/check.html",
            unit=unit,
            form=form,
            learner=row,
            history=finished,
            group=q.group(unit.group),
            q=q,
            message=message,
            shown_at=now(),
            notes=_scale_notes(unit.statements(), ()),
        ),
        status,
    )


def _whole_unit_answer(q: Qualification, unit: Unit) -> dict[str, int]:
    """A rating of a unit as a whole posted for a unit that now has criteria, if one was."""
    name = rating_field_name(unit.unit_statement_id)
    if unit.awaiting_criteria or name not in request.form:
        return {}
    try:
        answer = read_one_answer(q, name, request.form[name])
    except AnswerRefused:
        return {}
    return {answer.item: answer.value}


@bp.post("/q/<code>/check/<number>/save")
def check_save_one(code: str, number: str) -> ResponseReturnValue:
    try:
        unit = qualification(code).find_unit(number)
    except (UnitNotFound, NotFound):
        return json_error("There is no unit with that number.", 404, drop=True)
    row = current_learner()
    if row is None:
        return json_error("This device no longer knows you: open your link again.", 401)
    q = qualification_for(row)
    if q.code != code:
        return json_error("That unit is not part of your qualification.", 404, drop=True)
    # CSRFProtect has already refused this POST if its token was wrong (a JSON 400 for the
    # script, with the current token to send it again with)
    refused = _not_theirs(row)
    if refused:
        return refused
    try:
        answer = read_one_answer(q, request.form.get("name", ""), request.form.get("value", ""))
    except AnswerRefused as e:
        return json_error(str(e), 400, drop=True)
    # the unit as a whole, tapped on a page shown before its criteria came: kept on the check
    asked = {s.id for s in unit.statements()} | {unit.unit_statement_id}
    if answer.kind != "rating" or answer.item not in asked:
        return json_error("That statement is not part of this unit.", 400, drop=True)
    # a save queued on the phone from before the last check was finished must not start a
    # new check by itself: the page says when it was shown
    shown = request.form.get("page", "")
    try:
        learners.keep_check_ratings(
            get_db(), row["id"], unit.number, {answer.item: answer.value}, _actor(row), shown=shown
        )
    except learners.CheckFinished:
        return json_error(
            "That check is finished. Open the unit again to check it anew.", 409, drop=True
        )
    return jsonify({"ok": True})


@bp.get("/q/<code>/check/<number>/results/<int:check_id>")
def check_result(code: str, number: str, check_id: int) -> ResponseReturnValue:
    qualification(code).find_unit(number)
    row = _need_learner()
    unit = _their_unit(code, number, row)
    q = qualification_for(row)
    db = get_db()
    checks = learners.unit_checks(db, row["id"], unit.number)
    # another learner's check, another unit's or one not finished is simply not there
    done = [c for c in checks if c["finished_at"] and c["id"] <= check_id]
    if not done or done[-1]["id"] != check_id:
        raise NotFound("There is no such check of yours.")
    check_row, earlier = done[-1], done[:-1]
    given = learners.ratings_of_checks(db, [c["id"] for c in done[-2:]])
    progress = check_progress(
        q,
        unit,
        given[check_id],
        given[earlier[-1]["id"]] if earlier else None,
        _answers(row).ratings,
        earlier[-1]["finished_at"] if earlier else None,
    )
    return render_template(
        "learner/check_result.html",
        unit=unit,
        check=check_row,
        progress=progress,
        learner=row,
        q=q,
    )


# ---- learning contract and own record ------------------------------------------------------


@bp.route("/contract", methods=["GET", "POST"])
def contract() -> ResponseReturnValue:
    row = _need_learner()
    q = qualification_for(row)
    db = get_db()
    agreed = plans.agreement(db, row["id"])
    current = agreed.contract
    terms = contract_terms(q, agreed.unit_plan, row, centre.centre(db))
    # the units or dates may have moved on since this version: the assessor prepares a new one
    stale = bool(current and not contract_changes(current["content"], terms).current)
    form = SignForm()
    status = 200
    if request.method == "POST":
        if current is None:
            abort(404, "There is no learning contract to sign yet.")
        if stale:
            flash(
                "Your assessor is updating your learning contract. You can sign it once "
                "the new version is ready."
            )
            return redirect(url_for("learner.contract"), 303)
        if form.validate_on_submit():
            try:
                signed = plans.sign_contract(
                    db, current["id"], "learner", form.name.data or "", _actor(row)
                )
            except plans.SignatureRefused as e:
                form.name.errors.append(str(e))
            else:
                flash(
                    "Thank you: you have signed your learning contract."
                    if signed
                    else "You have already signed this version."
                )
                return redirect(url_for("learner.contract"), 303)
        status = 400
    upcoming = [r for r in agreed.assessment_plan_rows if r["status"] == "planned"]
    return render_template(
        "learner/contract.html",
        learner=row,
        current=current,
        form=form,
        stale=stale,
        upcoming=upcoming,
        q=q,
    ), status


@bp.get("/my-record")
def record() -> ResponseReturnValue:
    row = _need_learner()
    q = qualification_for(row)
    db = get_db()
    people = accounts.staff_names(db)
    entries = [
        {
            "at": e["at"],
            "who": who(e["actor"], people, learner=row),
            "what": describe(q, e, people, you=True),
        }
        for e in audit.entries(db, row["id"])
    ]
    written = workplace.testimonies(db, row["id"])
    return render_template(
        "learner/record.html",
        learner=row,
        entries=entries,
        job=job_words(row),
        testimonies=[t for t in written if t["signed_at"]],
    )


@bp.get("/my-data.json")
def my_data_json() -> ResponseReturnValue:
    from ..export import record_json

    row = _need_learner()
    record = records.learner_record(get_db(), row["id"]) or {}
    response = current_app.response_class(
        record_json(qualification_for(row), record), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@bp.get("/my-data.csv")
def my_data_csv() -> ResponseReturnValue:
    from ..export import record_csv

    row = _need_learner()
    q = qualification_for(row)
    record = records.learner_record(get_db(), row["id"])
    return csv_download(record_csv(q, record or {}), "my-data.csv")
