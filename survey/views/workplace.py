"""A workplace contact's pages: their personal link, the learner's job and claims to confirm,
witness testimonies, and the employer's signature on the learning contract.

A contact has no account: their link (a token of which only the hash is kept) signs this
device in as them, like a learner's. They see only what they are asked about one learner.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
from werkzeug.exceptions import NotFound

from ..content import Qualification
from ..dates import local
from ..db import get_db
from ..forms import (
    ActionForm,
    AnswerRefused,
    SignForm,
    TestimonyForm,
    claims_form,
    context_field_name,
    job_confirm_form,
    note_field_name,
    read_workplace_answer,
    workplace_field_name,
)
from ..plans import contract_changes, contract_terms
from ..qualifications import qualification_for
from ..store import centre, learners, plans, tokens
from ..store import workplace as store
from ..store.sql import Row
from ..testimonies import GUIDANCE, numbered, reads_like_a_list
from ..web import json_error, other_owners, owner_key
from ..workplace import (
    RELATIONSHIP_WORDS,
    ClaimsPage,
    claims_page,
    claims_pages,
    link_state,
)

bp = Blueprint("workplace", __name__)

GONE = {
    "revoked": "This link was withdrawn by the assessor. If you still need it, ask them for a "
    "new one.",
    "expired": "This link has expired. If you still need it, ask the assessor for a new one.",
    "erased": "This link no longer works.",
    "replaced": "This link was replaced by a newer one. Open the newest link the assessor "
    "sent you.",
    "none": "This page is for a learner's workplace contact. Open the link the assessor sent "
    "you; if it no longer works, ask them for a new one.",
}
SENT = "You have sent your answers to the assessor, so they are shown here as they are."


def _now() -> datetime:
    return datetime.now(UTC)


def _works(row: Row) -> bool:
    return link_state(row, _now()) == "works"


# ---- who is this? -----------------------------------------------------------------------------


def current_contact() -> Row | None:
    """The workplace contact this device remembers, while their link still works."""
    if "contact" in g:
        return g.contact
    found, gone = None, "none"
    contact_id, key = session.get("workplace_id"), session.get("workplace_key")
    if isinstance(contact_id, int) and isinstance(key, str):
        row = store.contact(get_db(), contact_id)
        if row is None:  # erased with the learner: nothing left to remember
            session.pop("workplace_id", None)
            session.pop("workplace_key", None)
        elif not tokens.device_key_matches(row, key):
            gone = "replaced"
        else:
            gone = link_state(row, _now())
            found = row if gone == "works" else None
    g.contact, g.contact_gone = found, gone
    return found


def _need_contact() -> Row:
    row = current_contact()
    if row is None:
        abort(401, GONE[g.contact_gone])
    return row


def _need_answering() -> Row:
    """A contact who speaks for the workplace (a witness only writes testimonies)."""
    row = _need_contact()
    if row["role"] != "workplace":
        raise NotFound("You are asked for a witness testimony only.")
    return row


def contact_key(row: Row) -> str:
    """The opaque key naming this contact's answers kept on a shared phone: never a learner's."""
    return owner_key("workplace answers kept on a phone", row["id"])


@bp.context_processor
def contact_context() -> dict[str, Any]:
    row = g.get("contact")
    return {"contact": row, "owner": contact_key(row) if row else ""}


@bp.get("/w/<path:token>")  # a path: a link pasted with a "/" on the end still works
def enter(token: str):  # type: ignore[no-untyped-def]
    row = store.contact_by_token(get_db(), token)
    if row is None or not _works(row):
        raise NotFound(
            "This link does not work. It may have expired, or the assessor may have replaced "
            "or withdrawn it: ask them for a new one."
        )
    session.clear()  # one person a device: a learner remembered here is forgotten
    session.permanent = True
    session["workplace_id"] = row["id"]
    session["workplace_key"] = tokens.device_key(row)
    return redirect(url_for(".home"))


@bp.route("/workplace/forget", methods=["GET", "POST"])
def forget():  # type: ignore[no-untyped-def]
    form = ActionForm()
    if form.validate_on_submit():
        session.clear()
        flash("This device has forgotten you. Open your link again to come back.")
        return redirect(url_for("public.index"))
    return render_template("workplace/forget.html", form=form, contact=current_contact())


# ---- what they are asked -------------------------------------------------------------------


def _q(row: Row) -> Qualification:
    return qualification_for(
        {"id": row["learner_id"], "qualification": row["learner_qualification"]}
    )


def _pages(row: Row, plan: Row | None) -> tuple[ClaimsPage, ...]:
    return claims_pages(_q(row), plan["units"] if plan else ())


def _whose(row: Row) -> str:
    """ "Sam's", as a question about the learner's job reads."""
    first = (str(row["learner_name"]).split() or ["the learner"])[0]
    return first + ("\u2019" if first.endswith("s") else "\u2019s")


@bp.get("/workplace")
def home():  # type: ignore[no-untyped-def]
    row = _need_contact()
    db = get_db()
    agreed = plans.agreement(db, row["learner_id"])
    written = store.testimonies_of_contact(db, row["id"])
    summary: dict[str, Any] = {}
    if row["role"] == "workplace":
        q = _q(row)
        had = store.answers(db, row["id"])
        pages = _pages(row, agreed.unit_plan)
        asked = [s.id for p in pages for s in p.statements]
        summary = {
            "job": (sum(c.id in had.contexts for c in q.contexts), len(q.contexts)),
            "claims": (sum(s in had.ratings for s in asked), len(asked)),
        }
    return render_template(
        "workplace/home.html",
        contact=row,
        summary=summary,
        written=written,
        contract=_contract_state(row, agreed),
    )


def _contract_state(row: Row, agreed: plans.Agreement) -> dict[str, Any]:
    """The contract as the employer's contact sees it: none yet, ready to sign, changing, signed."""
    current = agreed.contract
    if row["role"] != "workplace" or current is None:
        return {"state": "none", "current": current}
    if current["employer_signed_at"]:
        return {"state": "signed", "current": current}
    # the units or the programme's dates moved on since this version (the assessment plan
    # lives beside the contract: its activities never make a version out of date)
    db = get_db()
    learner = learners.learner(db, row["learner_id"])
    terms = contract_terms(_q(row), agreed.unit_plan, learner or {}, centre.centre(db))
    if not contract_changes(current["content"], terms).current:
        return {"state": "changing", "current": current}
    return {"state": "ready", "current": current}


# ---- the learner's job -----------------------------------------------------------------------


def _valid(form: Any, name: str) -> bool:
    field = form[name]
    return not field.errors and field.data not in (None, "", "None")


@bp.route("/workplace/job", methods=["GET", "POST"])
def job():  # type: ignore[no-untyped-def]
    row = _need_answering()
    q, db = _q(row), get_db()
    had = store.answers(db, row["id"])
    learner_answers = learners.answers(db, row["learner_id"])
    form = job_confirm_form(q, _whose(row), had.contexts, learner_answers.contexts)
    pages = _pages(row, plans.unit_plan(db, row["learner_id"]))
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        if "csrf_token" not in form.errors:
            contexts = {
                c.id: form[context_field_name(c.id)].data
                for c in q.contexts
                if _valid(form, context_field_name(c.id))
            }
            if not _keep(row, store.ContactAnswers(contexts=contexts)):
                return redirect(url_for(".review"), 303)
            if valid:
                target = url_for(".claims", unit=pages[0].key) if pages else url_for(".review")
                return redirect(target, 303)
        status = 400
    return render_template(
        "workplace/job.html",
        form=form,
        contact=row,
        # the learner's job as they gave it: the one other answer about their job shown here
        job_title=row["learner_job_role_other"] or row["learner_job_role"],
        locked=bool(row["sent_at"]),
        total=len(pages) + 2,
        next_key=pages[0].key if pages else None,
    ), status


def _keep(row: Row, values: store.ContactAnswers) -> bool:
    """Keep answers; False (and a message) if they are read-only by now."""
    try:
        store.keep_answers(get_db(), row["id"], values, _works)
    except store.ContactClosed as closed:
        if closed.reason == "gone":
            abort(401, GONE["revoked"])
        flash(SENT)
        return False
    return True


# ---- the learner's claims --------------------------------------------------------------------


@bp.route("/workplace/claims/<unit>", methods=["GET", "POST"])
def claims(unit: str):  # type: ignore[no-untyped-def]
    row = _need_answering()
    db = get_db()
    plan = plans.unit_plan(db, row["learner_id"])
    pages = _pages(row, plan)
    index = claims_page(pages, unit)
    if index is None:
        raise NotFound("This page is not one of the things you are asked about.")
    page = pages[index]
    had = store.answers(db, row["id"])
    learner_answers = learners.answers(db, row["learner_id"])
    form = claims_form(page.statements, had.ratings, had.notes)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit() and not form.note_errors
        if "csrf_token" not in form.errors:
            ratings = {
                s.id: form[workplace_field_name(s.id)].data
                for s in page.statements
                if _valid(form, workplace_field_name(s.id))
            }
            notes = {
                s.id: form.notes[s.id]
                for s in page.statements
                if note_field_name(s.id) in request.form and s.id not in form.note_errors
            }
            if not _keep(row, store.ContactAnswers(ratings=ratings, notes=notes)):
                return redirect(url_for(".review"), 303)
            if valid:
                step = -1 if request.form.get("go") == "back" else 1
                if index + step < 0:
                    target = url_for(".job")
                elif index + step >= len(pages):
                    target = url_for(".review")
                else:
                    target = url_for(".claims", unit=pages[index + step].key)
                return redirect(target, 303)
        status = 400
    q = _q(row)
    said = {
        s.id: q.scales.labels(s.kind)[learner_answers.ratings[s.id]]
        for s in page.statements
        if s.id in learner_answers.ratings
    }
    return render_template(
        "workplace/claims.html",
        page=page,
        form=form,
        said=said,
        number=index + 2,  # the job page is page 1
        total=len(pages) + 2,
        contact=row,
        locked=bool(row["sent_at"]),
    ), status


@bp.get("/workplace/review")
def review():  # type: ignore[no-untyped-def]
    row = _need_answering()
    q, db = _q(row), get_db()
    pages = _pages(row, plans.unit_plan(db, row["learner_id"]))
    had = store.answers(db, row["id"])
    summary = [
        (p, sum(s.id in had.ratings for s in p.statements), len(p.statements)) for p in pages
    ]
    return render_template(
        "workplace/review.html",
        contact=row,
        job=(sum(c.id in had.contexts for c in q.contexts), len(q.contexts)),
        summary=summary,
        last=pages[-1].key if pages else None,
        total=len(pages) + 2,
        form=ActionForm(),
    )


@bp.post("/workplace/send")
def send():  # type: ignore[no-untyped-def]
    row = _need_answering()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        sent = store.send(get_db(), row["id"], _works)
    except store.ContactClosed:
        abort(401, GONE["revoked"])
    flash(
        "Thank you: your answers have gone to the assessor."
        if sent
        else "You had already sent your answers."
    )
    return redirect(url_for(".home"), 303)


@bp.post("/workplace/save")
def save_one():  # type: ignore[no-untyped-def]
    """Keep one tap or note; the page's script calls this in the background. Twice is once."""
    row = current_contact()
    if row is None:
        return json_error(GONE[g.contact_gone], 401)
    refused = other_owners(request.form.get("learner"), contact_key(row))
    if refused:
        return refused
    if row["role"] != "workplace":
        return json_error("You are asked for a witness testimony only.", 404, drop=True)
    if row["sent_at"]:
        return json_error(SENT, 409, drop=True)
    pages = _pages(row, plans.unit_plan(get_db(), row["learner_id"]))
    asked = [s.id for p in pages for s in p.statements]
    try:
        answer = read_workplace_answer(
            _q(row), asked, request.form.get("name", ""), request.form.get("value", "")
        )
    except AnswerRefused as e:
        return json_error(str(e), 400, drop=True)
    values = {
        "context": store.ContactAnswers(contexts={answer.item: answer.value}),
        "rating": store.ContactAnswers(ratings={answer.item: answer.value}),
        "note": store.ContactAnswers(notes={answer.item: answer.value}),
    }[answer.kind]
    try:
        store.keep_answers(get_db(), row["id"], values, _works)
    except store.ContactClosed as closed:
        message = SENT if closed.reason == "sent" else GONE["revoked"]
        return json_error(message, 409 if closed.reason == "sent" else 401, drop=True)
    return jsonify({"ok": True})


# ---- witness testimonies -------------------------------------------------------------------


@bp.get("/workplace/testimonies")
def testimonies():  # type: ignore[no-untyped-def]
    row = _need_contact()
    written = store.testimonies_of_contact(get_db(), row["id"])
    return render_template("workplace/testimonies.html", contact=row, written=written)


def _prefilled(row: Row) -> dict[str, str]:
    """What a new testimony starts with: what the assessor knows of the witness."""
    relationship = RELATIONSHIP_WORDS.get(row["relationship"], "")
    reach = " · ".join(v for v in (row["phone"], row["email"]) if v)
    return {"relationship": relationship, "job_title": row["job_title"], "contact_details": reach}


@bp.route("/workplace/testimonies/new", methods=["GET", "POST"])
def testimony_new():  # type: ignore[no-untyped-def]
    row = _need_contact()
    form = TestimonyForm(data=_prefilled(row) if request.method == "GET" else None)
    return _testimony_page(row, None, form)


@bp.route("/workplace/testimonies/<int:testimony_id>", methods=["GET", "POST"])
def testimony(testimony_id: int):  # type: ignore[no-untyped-def]
    row = _need_contact()
    written = {t["id"]: t for t in store.testimonies_of_contact(get_db(), row["id"])}
    if testimony_id not in written:
        raise NotFound("There is no testimony of yours with that number.")
    saved = written[testimony_id]
    if saved["signed_at"]:
        if request.method == "POST":
            flash("This testimony is signed, so it can no longer be changed.")
            return redirect(url_for(".testimony", testimony_id=testimony_id), 303)
        return render_template(
            "workplace/testimony_signed.html",
            contact=row,
            testimony=saved,
            reference=numbered(list(written.values())).get(testimony_id, ""),
        )
    form = TestimonyForm(data=saved if request.method == "GET" else None)
    return _testimony_page(row, testimony_id, form)


def _testimony_page(row: Row, testimony_id: int | None, form: TestimonyForm):  # type: ignore[no-untyped-def]
    """Show, save or sign a testimony; a description that reads like a list is sent only when
    the witness says so, after a gentle warning."""
    warning: tuple[str, ...] = ()
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        signing = action in ("sign", "sign-as-it-is")
        valid = form.validate_on_submit()
        if "csrf_token" in form.errors:
            return _render_testimony(row, testimony_id, form, (), 400)
        ready = valid and signing and form.check_for_signing()
        if ready and action != "sign-as-it-is":
            warning = reads_like_a_list(form.description.data or "", _q(row).statements())
        signature = None
        if ready and not warning:
            signature = (form.signature.data or "", _today_here())
        values = form.values() if valid else _valid_values(form)
        if testimony_id is None and signature is None and not any(values.values()):
            return _render_testimony(row, None, form, warning, 200 if warning else 400)
        try:
            testimony_id = store.keep_testimony(
                get_db(),
                row["id"],
                testimony_id,
                values,
                _works,
                signature=signature,
                request_key=form.request_key.data or "",
            )
        except store.TestimonyNotFound:
            raise NotFound("There is no testimony of yours with that number.") from None
        except store.TestimonySigned as signed:  # (a new one sent again: the first signed it)
            flash("This testimony is signed, so it can no longer be changed.")
            return redirect(url_for(".testimony", testimony_id=signed.testimony_id), 303)
        except store.ContactClosed:
            abort(401, GONE["revoked"])
        if signature is not None:
            flash("Thank you: your testimony is signed and has gone to the assessor.")
            return redirect(url_for(".testimony", testimony_id=testimony_id), 303)
        if valid and not signing:
            flash("Saved. You can come back to it with your link and sign it later.")
            return redirect(url_for(".testimony", testimony_id=testimony_id), 303)
        status = 200 if warning else 400
    return _render_testimony(row, testimony_id, form, warning, status)


def _valid_values(form: TestimonyForm) -> dict[str, str]:
    """The fields that passed their checks: kept even when another one did not."""
    return {k: v for k, v in form.values().items() if not form[k].errors}


def _render_testimony(  # type: ignore[no-untyped-def]
    row: Row, testimony_id: int | None, form: TestimonyForm, warning: tuple[str, ...], status: int
):
    action = (
        url_for(".testimony", testimony_id=testimony_id)
        if testimony_id
        else url_for(".testimony_new")
    )
    return render_template(
        "workplace/testimony.html",
        contact=row,
        form=form,
        action=action,
        warning=warning,
        guidance=GUIDANCE,
        today=_today_here(),
    ), status


def _today_here() -> str:
    """Today's date where the centre is: the date of writing a testimony."""
    moment = local(_now().isoformat(), current_app.extensions["time_zone"])
    assert moment is not None
    return moment.date().isoformat()


# ---- the employer signs the learning contract --------------------------------------------------


@bp.route("/workplace/contract", methods=["GET", "POST"])
def contract():  # type: ignore[no-untyped-def]
    row = _need_answering()
    db = get_db()
    agreed = plans.agreement(db, row["learner_id"])
    state = _contract_state(row, agreed)
    form = SignForm()
    if request.method == "POST":
        current = state["current"]
        if current is None:
            raise NotFound("There is no learning contract to sign yet.")
        if state["state"] == "changing":
            flash("The assessor is updating the contract. You can sign the new version soon.")
            return redirect(url_for(".contract"), 303)
        if form.validate_on_submit():
            relationship = RELATIONSHIP_WORDS.get(row["relationship"], "").lower()
            title = ", ".join(v for v in (row["job_title"], relationship) if v)
            signed = plans.sign_contract_for_employer(
                db,
                current["id"],
                row["learner_id"],
                (form.name.data or "").strip(),
                title,
                row["id"],
                store.actor(row),
            )
            flash(
                "Thank you: you have signed the learning contract for the employer."
                if signed
                else "The employer has already signed this version."
            )
            return redirect(url_for(".contract"), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("workplace/contract.html", contact=row, form=form, **state), status
