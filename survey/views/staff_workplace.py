"""The assessor's side of the workplace: inviting contacts, their links, what they said, and
witness testimonies (linked to criteria, accepted or not, printed for the portfolio)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

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
from werkzeug.exceptions import NotFound

from ..auth import signed_in_staff, staff_actor, staff_learner, staff_required
from ..dates import day
from ..db import get_db
from ..evidence_plan import listing
from ..forms import ActionForm, ContactForm, TestimonyReviewForm
from ..qr import qr_svg
from ..qualifications import qualification_for
from ..store import plans
from ..store import workplace as store
from ..store.sql import Row
from ..testimonies import FIELDS, numbered
from ..web import public_url
from ..workplace import (
    RELATIONSHIP_WORDS,
    ROLE_WORDS,
    claims_pages,
    describe_contact,
    link_state,
)

bp = Blueprint("staff_workplace", __name__, url_prefix="/staff")


def _days() -> int:
    return int(current_app.config["WORKPLACE_LINK_DAYS"])


def _posted_id(name: str) -> int:
    """A whole number posted in a form (which contact, which testimony); 400 if it is not."""
    value = request.form.get(name, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        abort(400, "That form was not complete: reload the page and try again.")
    return int(value)


# ---- contacts and their links ----------------------------------------------------------------


@bp.route("/learners/<int:learner_id>/workplace", methods=["GET", "POST"])
@staff_required()
def contacts(learner_id: int):  # type: ignore[no-untyped-def]
    row = staff_learner(learner_id)
    form = ContactForm()
    status = 200
    if request.method == "POST":
        if signed_in_staff()["role"] == "verifier":
            abort(403)
        action = request.form.get("action", "invite")
        if action == "invite":
            if form.validate_on_submit():
                return _invite(row, form)
            status = 400
        elif action in ("revoke", "reissue"):
            if not ActionForm().validate_on_submit():
                abort(400)
            return _change_link(row, action, _posted_id("contact"))
        else:
            abort(400)
    return _contacts_page(row, form, status)


def _contacts_page(row: Row, form: ContactForm, status: int = 200):  # type: ignore[no-untyped-def]
    q = qualification_for(row)
    db = get_db()
    kept = store.workplace(db, row["id"])
    plan = plans.unit_plan(db, row["id"])
    asked = [s.id for p in claims_pages(q, plan["units"] if plan else ()) for s in p.statements]
    written = store.testimonies(db, row["id"])
    now = datetime.now(UTC)
    people = []
    for c in kept.contacts:
        c = {**c, "learner_archived_at": row["archived_at"]}
        rated = kept.ratings.get(c["id"], {})
        people.append(
            {
                "row": c,
                "who": describe_contact(c),
                "state": link_state(c, now),
                "relationship": RELATIONSHIP_WORDS.get(c["relationship"], ""),
                "role": ROLE_WORDS.get(c["role"], ""),
                "job": len(kept.contexts.get(c["id"], {})),
                "claims": sum(1 for s in asked if rated.get(s, (None, ""))[0]),
                "testimonies": sum(1 for t in written if t["contact_id"] == c["id"]),
                "signed": sum(1 for t in written if t["contact_id"] == c["id"] and t["signed_at"]),
            }
        )
    return render_template(
        "staff/workplace.html",
        learner=row,
        people=people,
        form=form,
        action=ActionForm(),
        jobs=len(q.contexts),
        asked=len(asked),
        days=_days(),
    ), status


def _invite(row: Row, form: ContactForm):  # type: ignore[no-untyped-def]
    new = store.NewContact(
        name=form.name.data or "",
        job_title=form.job_title.data or "",
        relationship=form.relationship.data or "line-manager",
        role=form.role.data or "workplace",
        email=form.email.data or "",
        phone=form.phone.data or "",
    )
    contact, token, again = store.invite(
        get_db(),
        row["id"],
        new,
        signed_in_staff()["id"],
        staff_actor(),
        _days(),
        form.request_key.data or "",
    )
    if again:
        flash(
            f"{contact['name']} was invited a moment ago by this same form, so they were not "
            "invited again. The link below is new: any link shown for them before no longer "
            "works."
        )
    return render_template(
        "staff/workplace_card.html", learner=row, card=_card(row, contact, token)
    )


def _change_link(row: Row, action: str, contact_id: int):  # type: ignore[no-untyped-def]
    db = get_db()
    if action == "revoke":
        done = store.revoke(db, row["id"], contact_id, staff_actor())
        if done is None:
            raise NotFound("There is no workplace contact of this learner's with that number.")
        flash("The link no longer works." if done else "That link had already stopped working.")
        return redirect(url_for(".contacts", learner_id=row["id"]), 303)
    made = store.reissue(db, row["id"], contact_id, staff_actor(), _days())
    if made is None:
        raise NotFound("There is no workplace contact of this learner's with that number.")
    contact, token = made
    flash(f"A new link for {contact['name']} is below. The old link no longer works.")
    return render_template(
        "staff/workplace_card.html", learner=row, card=_card(row, contact, token)
    )


def _card(learner: Row, contact: Row, token: str) -> dict[str, Any]:
    """What the assessor hands a contact: the link, its QR code, and ready-made messages."""
    link = public_url(url_for("workplace.enter", token=token))
    until = day(contact["expires_at"], current_app.extensions["time_zone"])
    first = (str(contact["name"]).split() or [""])[0]
    relationship = RELATIONSHIP_WORDS.get(contact["relationship"], "").lower()
    q = qualification_for(learner)
    subject = f"{learner['name']}'s {q.short_title}"
    body = (
        f"Hello {first},\n\n{learner['name']} is starting the {q.short_title}, and you are "
        f"named as their {relationship}. Please open this personal link on your phone: it "
        f"takes a few minutes, and needs no account or password.\n\n{link}\n\nIt works until "
        f"{until}. It is for you only: please do not pass it on."
    )
    return {
        "contact": contact,
        "who": describe_contact(contact),
        "link": link,
        "until": until,
        "svg": qr_svg(link).decode(),
        "mailto": f"mailto:{quote(contact['email'])}?subject={quote(subject)}&body={quote(body)}"
        if contact["email"]
        else "",
        "sms": f"sms:{quote(contact['phone'])}?body={quote(body)}" if contact["phone"] else "",
    }


# ---- witness testimonies ---------------------------------------------------------------------


@bp.route("/learners/<int:learner_id>/testimonies", methods=["GET", "POST"])
@staff_required()
def testimonies(learner_id: int):  # type: ignore[no-untyped-def]
    row = staff_learner(learner_id)
    q = qualification_for(row)
    db = get_db()
    plan = plans.unit_plan(db, learner_id)
    written = store.testimonies(db, learner_id)
    people = {c["id"]: c for c in store.contacts(db, learner_id)}
    units = [u.number for u in q.mandatory_units] + list(plan["units"] if plan else [])
    for t in written:  # a unit linked before the plan changed stays on the list
        units += [s.partition(":")[0] for s in t["criteria"]]
    chosen = [u for u in q.units if u.number in set(units)]
    form = TestimonyReviewForm()
    form.criteria.choices = [(s.id, s.id) for u in chosen for s in u.statements()]
    if request.method == "POST":
        if signed_in_staff()["role"] == "verifier":
            abort(403)
        if not form.validate_on_submit():
            abort(
                400,
                "Some of that review was not valid, so nothing was saved: reload and try again.",
            )
        testimony_id = int(form.testimony.data or 0)
        try:
            changed = store.review_testimony(
                db,
                learner_id,
                testimony_id,
                form.criteria.data or [],
                form.decision.data or None,
                form.questioning_note.data or "",
                signed_in_staff()["id"],
                staff_actor(),
            )
        except store.TestimonyNotFound:
            raise NotFound(
                "There is no signed testimony of this learner's with that number."
            ) from None
        flash("Review saved." if changed else "Nothing had changed.")
        return redirect(url_for(".testimonies", learner_id=learner_id) + f"#t{testimony_id}", 303)
    return render_template(
        "staff/testimonies.html",
        learner=row,
        written=written,
        refs=numbered(written),
        # the criteria each evidences as the assessment plan names them: "F1 1.1, 1.3; A3"
        evidences={t["id"]: listing(q, t["criteria"])[0] for t in written},
        units=chosen,
        fields=FIELDS,
        action=ActionForm(),
        q=q,
        # who started each unsigned draft
        writers={t["id"]: describe_contact(people.get(t["contact_id"]) or {}) for t in written},
    )
