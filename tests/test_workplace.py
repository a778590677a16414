"""The workplace's voice: links for a learner's workplace contacts, their view of the job and the
claims, witness testimonies, the employer's signature, and how the assessor reads it all.

Pure rules first (survey/workplace.py, survey/testimonies.py, the planner's reasons), then the
pages as a line manager and an assessor use them, with the database checked afterwards.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from helpers import (
    ROW,
    START,
    VALID,
    TracedSql,
    answer,
    assessor_confirms,
    assessor_prepares_contract,
    csrf,
    database,
    dom,
    learner_and_assessor,
    post_form,
    reading,
    staff_client,
    transactions,
    words,
)

from survey.gaps import gap_report
from survey.planner import suggest_plans
from survey.profile import ProfileError, learner_profile, read_profile
from survey.store import learners, plans, records, tokens
from survey.store import workplace as store
from survey.testimonies import coverage, missing_fields, numbered, reads_like_a_list
from survey.workplace import (
    NO_CHANCE,
    NOT_YET,
    OBSERVE,
    OBSERVE_WHEN,
    OBSERVE_WHERE,
    PARTLY,
    SEEN,
    TALK,
    WorkplaceRating,
    claims_pages,
    cohort_numbers,
    job_comparison,
    link_state,
    proposed_observations,
    ratings_by_statement,
    workplace_flag,
    workplace_job,
)

LINE_MANAGER = {
    "name": "Pat Manager",
    "job_title": "Operations Manager",
    "relationship": "line-manager",
    "role": "workplace",
    "email": "pat@shop.example",
    "phone": "01234 567890",
}
NARRATIVE = (
    "On Tuesday morning a customer came to the front desk upset that her parcel had not "
    "arrived. Sam listened without interrupting, apologised, and looked the parcel up on the "
    "system while she waited. Sam rang the depot, found it had been sent to the wrong branch, "
    "and arranged for it to be brought over that afternoon. The customer thanked Sam and left "
    "smiling."
)
TESTIMONY = {
    "activity_date": "2026-01-06",
    "activity_time": "10:30",
    "venue": "Front desk, Leeds branch",
    "description": NARRATIVE,
    "relationship": "Line manager: I work the same shifts",
    "job_title": "Operations Manager",
    "contact_details": "01234 567890",
}


def contact(rows, **kw):  # type: ignore[no-untyped-def]
    return {"id": len(rows) + 1, "role": "workplace", "name": "X", **kw}


# ---- pure: what a contact is asked -----------------------------------------------------------


def test_claims_are_the_mandatory_and_plan_units_performance_criteria_only(q):
    pages = claims_pages(q, ["B1", "A11", "C3"])
    assert [p.key for p in pages] == ["F1", "F2", "B1", "units"]
    asked = {s.id for p in pages for s in p.statements}
    assert asked >= {"F1:1.1", "F1:2.2", "F2:1.5", "B1:1.8", "A11:unit", "C3:unit"}
    # what the learner knows is for the assessor to check, never "seen" at work
    kinds = {q.statement(s).kind for s in asked}
    assert kinds == {"performance"}
    assert "F1:3.1" not in asked and "F1:2.1" not in asked
    # F1's third outcome is all knowledge: no heading for it
    assert [h for h, _ in pages[0].sections] == [o.title for o in q.unit("F1").outcomes[:2]]


def test_without_a_plan_only_the_mandatory_units_are_asked(q):
    assert [p.key for p in claims_pages(q, [])] == ["F1", "F2"]


def test_the_most_senior_contact_answers_for_the_job_and_witnesses_do_not():
    people = [
        {"id": 1, "relationship": "colleague", "role": "workplace"},
        {"id": 2, "relationship": "line-manager", "role": "workplace"},
        {"id": 3, "relationship": "supervisor", "role": "witness"},
    ]
    contexts = {
        1: {"incoming-calls": "yes", "writing": "no"},
        2: {"incoming-calls": "no"},
        3: {"writing": "yes", "face-to-face": "yes"},
    }
    job = workplace_job(people, contexts)
    assert dict(job.answers) == {"incoming-calls": "no", "writing": "no"}
    assert dict(job.given_by) == {"incoming-calls": "line-manager", "writing": "colleague"}
    assert job.over({"incoming-calls": "yes", "problems": "yes"}) == {
        "incoming-calls": "no",
        "problems": "yes",
        "writing": "no",
    }


@pytest.mark.parametrize(
    "learner, workplace, flag",
    [
        (2, [NOT_YET], OBSERVE),
        (3, [NO_CHANCE], OBSERVE),
        (3, [SEEN, NOT_YET], OBSERVE),
        (2, [PARTLY], ""),
        (2, [SEEN], ""),
        (1, [SEEN], TALK),
        (0, [SEEN], TALK),
        (1, [NOT_YET], ""),
        (None, [SEEN], ""),
        (3, [], ""),
        (3, [None], ""),
    ],
)
def test_a_claim_is_flagged_with_what_to_do(learner, workplace, flag):
    assert workplace_flag(learner, workplace) == flag


def test_ratings_by_statement_name_each_contact_and_skip_empty_ones():
    people = [
        {"id": 1, "name": "Ann", "relationship": "supervisor", "role": "workplace"},
        {"id": 2, "name": "", "relationship": "line-manager", "role": "workplace"},
        {"id": 3, "name": "Wit", "relationship": "colleague", "role": "witness"},
    ]
    ratings = {
        1: {"F1:1.1": (SEEN, "every day"), "F1:1.2": (None, "")},
        2: {"F1:1.1": (NOT_YET, "")},
        3: {"F1:1.1": (SEEN, "")},
    }
    found = ratings_by_statement(people, ratings)
    assert found == {
        "F1:1.1": (
            WorkplaceRating("Line manager (details erased)", NOT_YET, "Not yet", ""),
            WorkplaceRating("Ann (supervisor)", SEEN, "Seen", "every day"),
        )
    }


def test_the_job_comparison_lists_what_the_workplace_answered(q):
    people = [{"id": 7, "name": "Pat", "relationship": "line-manager", "role": "workplace"}]
    rows = job_comparison(
        q, {"incoming-calls": "yes"}, people, {7: {"incoming-calls": "no", "writing": "yes"}}
    )
    assert [(r.label, r.learner, r.workplace, r.differs) for r in rows] == [
        ("answering calls", "yes", (("Pat (line manager)", "no"),), True),
        ("written and email work", "", (("Pat (line manager)", "yes"),), True),
    ]


def test_the_cohort_takes_the_most_senior_rating_as_a_number():
    rows = [
        {"learner_id": 1, "id": 1, "relationship": "colleague", "role": "workplace",
         "statement_id": "F1:1.1", "rating": SEEN},
        {"learner_id": 1, "id": 2, "relationship": "line-manager", "role": "workplace",
         "statement_id": "F1:1.1", "rating": PARTLY},
        {"learner_id": 1, "id": 2, "relationship": "line-manager", "role": "workplace",
         "statement_id": "F1:1.2", "rating": NO_CHANCE},
        {"learner_id": 2, "id": 3, "relationship": "supervisor", "role": "workplace",
         "statement_id": "F1:1.1", "rating": NOT_YET},
    ]  # fmt: skip
    assert cohort_numbers(rows) == {1: {"F1:1.1": 1}, 2: {"F1:1.1": 0}}


def test_a_link_works_until_it_is_revoked_expires_or_is_erased():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    base = {"expires_at": "2026-03-02T00:00:00+00:00"}
    assert link_state(base, now) == "works"
    assert link_state({**base, "revoked_at": "2026-02-01"}, now) == "revoked"
    assert link_state({**base, "learner_archived_at": "2026-02-01"}, now) == "revoked"
    assert link_state({**base, "erased_at": "2026-02-01"}, now) == "erased"
    assert link_state(base, now + timedelta(days=1)) == "expired"


# ---- pure: flagged claims into the assessment plan, testimonies into its coverage --------------


def test_flagged_claims_become_the_fewest_observations(q):
    rows = proposed_observations(
        q, ["F1:1.1", "F2:1.5", "A11:unit", "F1:1.2", "A14:unit"], {"incoming-calls": "yes"}
    )
    assert [(r.units, r.criteria, r.evidence) for r in rows] == [
        (("F1", "F2", "A11"), ("F1:1.1", "F2:1.5", "A11:unit"), ("observation",)),
        (("F1",), ("F1:1.2",), ("observation",)),
        (("A14",), ("A14:unit",), ("observation",)),
    ]
    assert rows[0].activity.startswith("Observe incoming calls: F1 1.1; F2 1.5; A11")
    assert rows[1].activity.startswith("Observe a team briefing or meeting about customers")
    # no activity is mapped to A14 yet: an observation at work all the same
    assert rows[2].activity == "Observe at work: A14"


def test_no_flagged_claims_propose_nothing(q):
    assert proposed_observations(q, [], {}) == ()
    assert proposed_observations(q, ["ZZ:1.1"], {}) == ()


def test_a_workplace_no_closes_the_activity_for_its_observation(q):
    opened = proposed_observations(q, ["F1:1.1"], {"incoming-calls": "yes"})
    assert [r.activity for r in opened] == [
        "Observe incoming calls: F1 1.1 — 1 criterion in 1 unit"
    ]
    closed = proposed_observations(
        q, ["F1:1.1"], {"incoming-calls": "yes"}, workplace={"incoming-calls": "no"}
    )
    assert [r.activity for r in closed] == ["Observe at work: F1 1.1"]


def test_coverage_counts_only_accepted_signed_testimonies():
    written = [
        {"id": 1, "signed_at": "2026-01-02", "decision": "accepted", "criteria": ["F1:1.1"]},
        {"id": 2, "signed_at": "2026-01-01", "decision": "accepted",
         "criteria": ["F1:1.1", "B1:1.2"]},
        {"id": 3, "signed_at": "2026-01-03", "decision": "not-accepted", "criteria": ["F1:1.3"]},
        {"id": 4, "signed_at": None, "decision": None, "criteria": ["F1:1.4"]},
    ]  # fmt: skip
    assert numbered(written) == {2: "WT1", 1: "WT2", 3: "WT3"}
    assert coverage(written) == {"F1:1.1": ("WT2", "WT1"), "B1:1.2": ("WT1",)}


# ---- pure: what a testimony must say, and whether it reads like a list ---------------------------


def test_a_description_of_what_happened_is_not_a_list(q):
    assert reads_like_a_list(NARRATIVE, q.statements()) == ()


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "- Good with customers\n- Polite\n- Answers the phone\n- Team player",
            "set out as a list",
        ),
        ("1. Greets customers\n2. Listens well\n3. Solves problems", "set out as a list"),
        ("Good listener\nFriendly manner\nKnows the products\nCalm under pressure", "a list"),
        ("Sam meets 1.1 and 1.2 and also F2 1.5 in my view.", "names criteria by their numbers"),
        (
            "Sam can recognise typical customers and their expectations. Sam can follow "
            "procedures through which myself and colleagues deliver effective customer service.",
            "repeats the qualification's criteria",
        ),
    ],
)
def test_a_list_of_skills_or_criteria_is_noticed(q, text, reason):
    found = reads_like_a_list(text, q.statements())
    assert any(reason in r for r in found), found


def test_every_field_the_seed_asks_for_is_required_to_sign():
    assert missing_fields(TESTIMONY) == ()
    assert missing_fields({**TESTIMONY, "venue": " ", "contact_details": ""}) == (
        "venue",
        "contact_details",
    )


# ---- pure: the planner weighs the workplace's view ---------------------------------------------


def test_the_plan_says_the_manager_confirms_the_job(q):
    learner = {"job_role": "", "job_role_other": ""}
    profile = learner_profile(
        q, learner, {}, {"incoming-calls": "sometimes"}, {"A11"}, {"incoming-calls": "yes"},
        "your manager",
    )  # fmt: skip
    assert profile.contexts["incoming-calls"] == "yes"
    best = suggest_plans(q, profile).best
    a11 = next(u for u in best.optional if u.number == "A11")
    assert "your manager confirms your job involves answering calls" in a11.reason


def test_a_workplace_no_is_treated_as_the_learners_no(q):
    learner = {"job_role": "", "job_role_other": ""}
    alone = learner_profile(q, learner, {}, {"incoming-calls": "yes"}, {"A11"})
    assert "A11" in suggest_plans(q, alone).best.numbers
    corrected = learner_profile(
        q, learner, {}, {"incoming-calls": "yes"}, {"A11"}, {"incoming-calls": "no"},
        "your supervisor",
    )  # fmt: skip
    suggestion = suggest_plans(q, corrected)
    assert all("A11" not in p.numbers for p in suggestion.plans)
    # and a workplace "yes" opens what the learner's "no" closed
    opened = learner_profile(
        q, learner, {}, {"incoming-calls": "no"}, {"A11"}, {"incoming-calls": "yes"}, "your manager"
    )
    assert "A11" in suggest_plans(q, opened).best.numbers


def test_a_json_profile_can_carry_the_workplaces_answers(q):
    profile = read_profile(
        q, {"contexts": {"incoming-calls": "no"}, "workplace": {"incoming-calls": "yes"}}
    )
    assert profile.contexts == {"incoming-calls": "yes"}
    assert profile.workplace == {"incoming-calls": "yes"}
    with pytest.raises(ProfileError, match="in workplace must be yes, sometimes or no"):
        read_profile(q, {"workplace": {"incoming-calls": "often"}})


def test_the_gap_report_has_three_views_and_flags_what_to_do(q):
    workplace = {
        "F1:1.1": (WorkplaceRating("Pat (line manager)", NOT_YET, "Not yet", "not seen yet"),),
        "F1:1.2": (WorkplaceRating("Pat (line manager)", SEEN, "Seen", ""),),
    }
    report = gap_report(
        q, {"F1:1.1": 3, "F1:1.2": 1, "F1:1.3": 2}, {"F1:1.3": 2}, {}, [], workplace
    )
    f1 = report[0]
    rows = {r.statement.id: r for r in f1.rows}
    assert rows["F1:1.1"].action_words == "Plan an observation"
    assert rows["F1:1.2"].action_words == "Confidence, not competence: talk it through"
    assert rows["F1:1.3"].action == "" and rows["F1:1.3"].workplace == ()
    assert f1.flagged == 2


# ---- the assessor invites a line manager -------------------------------------------------------


@pytest.fixture
def sam(app):
    """A learner who answered and sent, with a confirmed plan: (id, phone, assessor)."""
    learner_id, phone, assessor = learner_and_assessor(
        app, incoming_calls="yes", face_to_face="sometimes"
    )
    answer(app, learner_id, {"F1:1.1": 3, "F1:1.2": 1, "F1:1.3": 2, "F2:1.1": 2, "A3:unit": 2})
    assessor_confirms(assessor, learner_id, VALID)
    return learner_id, phone, assessor


def invite(assessor, learner_id: int, **fields):  # type: ignore[no-untyped-def]
    """Invite through the real page: (the new link's token, the page shown)."""
    page = f"/staff/learners/{learner_id}/workplace"
    response = post_form(assessor, page, {**LINE_MANAGER, **fields})
    assert response.status_code == 200, response.get_data(as_text=True)
    found = re.findall(r"/w/([a-z0-9]{26})", response.get_data(as_text=True))
    assert found, "no link on the card"
    return found[0], response


def open_link(app, token: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.get(f"/w/{token}")
    assert response.status_code == 302 and response.location == "/workplace"
    return client


@pytest.fixture
def pat(app, sam):
    """Sam's line manager, invited, on their own phone: (phone, contact row, token)."""
    learner_id, _, assessor = sam
    token, _ = invite(assessor, learner_id)
    with database(app) as db:
        row = store.contact_by_token(db, token)
    return open_link(app, token), row, token


def html(response) -> str:
    return response.get_data(as_text=True)


def wpost(client, path: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    """POST as a workplace contact's phone, with its session's CSRF token."""
    token = csrf(client.get("/code"))  # any page of the session
    return client.post(path, data={"csrf_token": token, **(data or {})})


def other_learner(app, name: str = "Theo Theirs"):  # type: ignore[no-untyped-def]
    """Another assessor's learner: (id, that assessor's laptop)."""
    other, staff = staff_client(app, "assessor", "Bo Other")
    with database(app) as db:
        learner_id, _ = learners.create_learner(db, name)
        learners.assign_assessor(db, learner_id, staff["id"], "test")
        learners.submit(db, learner_id, "test")
    return learner_id, other


def test_inviting_makes_a_card_and_keeps_only_the_links_hash(app, sam):
    learner_id, _, assessor = sam
    token, response = invite(assessor, learner_id)
    body = html(response)
    assert "A personal link for Pat Manager (line manager)" in body
    assert 'href="mailto:pat%40shop.example?subject=' in body and "sms:01234%20567890" in body
    assert "<img" in body and "data:image/svg+xml;base64," in body
    with database(app) as db:
        rows = db.execute("SELECT * FROM workplace_contacts").fetchall()
        row = store.contact_by_token(db, token)
        entry = db.execute(
            "SELECT actor, subject, after FROM audit WHERE action = 'workplace-contact-invited'"
        ).fetchone()
    assert len(rows) == 1
    assert row["token_hash"] == tokens.hash_token(token) and row["name"] == "Pat Manager"
    assert row["relationship"] == "line-manager" and row["email"] == "pat@shop.example"
    # 90 days by default
    expires = datetime.fromisoformat(row["expires_at"]) - datetime.fromisoformat(row["created_at"])
    assert expires == timedelta(days=90)
    # the audit names the contact by number: their name has a retention of its own
    assert entry[1] == f"contact #{row['id']}" and "Pat" not in (entry[2] or "")
    with closing(sqlite3.connect(app.config["DATABASE"])) as raw:
        dump = "\n".join(raw.iterdump())
    assert token not in dump


def test_the_link_lifetime_is_a_setting(app, sam):
    learner_id, _, assessor = sam
    app.config["WORKPLACE_LINK_DAYS"] = 14
    token, response = invite(assessor, learner_id)
    with database(app) as db:
        row = store.contact_by_token(db, token)
    made = datetime.fromisoformat(row["created_at"])
    assert datetime.fromisoformat(row["expires_at"]) - made == timedelta(days=14)


def test_the_same_invite_sent_twice_invites_once_with_a_new_link(app, sam):
    learner_id, _, assessor = sam
    page = f"/staff/learners/{learner_id}/workplace"
    token = csrf(assessor.get(page))
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', html(assessor.get(page)))[
        1
    ]
    data = {"csrf_token": token, "request_key": key, **LINE_MANAGER}
    first = re.findall(r"/w/([a-z0-9]{26})", html(assessor.post(page, data=data)))[0]
    again = assessor.post(page, data=data)
    second = re.findall(r"/w/([a-z0-9]{26})", html(again))[0]
    assert "were not invited again" in html(again) or "not invited again" in html(again)
    assert first != second
    with database(app) as db:
        assert db.execute("SELECT count(*) FROM workplace_contacts").fetchone()[0] == 1
    assert app.test_client().get(f"/w/{first}").status_code == 404
    open_link(app, second)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "", "Enter their name."),
        ("job_title", "", "Enter their job title."),
        ("email", "not an email", "Enter an email address"),
        ("phone", "call me<script>", "Use digits"),
        ("relationship", "boss", "Not a valid choice"),
        ("role", "owner", "Not a valid choice"),
    ],
)
def test_a_bad_invite_is_refused_with_a_message_and_invites_nobody(app, sam, field, value, message):
    learner_id, _, assessor = sam
    page = f"/staff/learners/{learner_id}/workplace"
    response = post_form(assessor, page, {**LINE_MANAGER, field: value})
    assert response.status_code == 400
    assert message in html(response)
    with database(app) as db:
        assert db.execute("SELECT count(*) FROM workplace_contacts").fetchone()[0] == 0


# ---- what the contact sees ----------------------------------------------------------------------


def test_the_contact_sees_only_what_they_are_asked(app, sam, pat):
    learner_id, _, _ = sam
    phone, _, _ = pat
    with database(app) as db:
        db.execute("UPDATE learners SET candidate_number = 'CAND-4242' WHERE id = ?", [learner_id])
    seen = ""
    for path in ("/workplace", "/workplace/job", "/workplace/claims/F1", "/workplace/claims/F2",
                 "/workplace/claims/units", "/workplace/review", "/workplace/testimonies",
                 "/workplace/testimonies/new", "/workplace/contract"):  # fmt: skip
        response = phone.get(path)
        assert response.status_code == 200, path
        seen += words(html(response))
    assert "Hello Pat" in seen and "Sam Learner" in seen
    # the claims: F1's performance criteria with what Sam said
    assert "I can recognise typical customers and their expectations" in seen
    assert "Sam says: Could show evidence now" in seen
    # not the learner's other answers, contact details, audit or interests
    assert "CAND-4242" not in seen
    assert "I can describe" not in seen  # knowledge criteria are not asked
    assert "Units that interest you" not in seen and "audit" not in seen.lower()


def test_the_contact_confirms_or_corrects_the_job_and_it_is_kept_once(app, sam, pat):
    learner_id, _, _ = sam
    phone, row, _ = pat
    page = html(phone.get("/workplace/job"))
    assert "Does Sam’s job involve answering calls?" in page
    assert "Sam said: Yes" in words(page) and "Sam said: Sometimes" in words(page)
    data = {"c-incoming-calls": "no", "c-face-to-face": "sometimes"}
    response = wpost(phone, "/workplace/job", data)
    assert response.status_code == 303 and response.location == "/workplace/claims/F1"
    wpost(phone, "/workplace/job", data)  # the same answers again
    with database(app) as db:
        assert store.answers(db, row["id"]).contexts == {
            "incoming-calls": "no",
            "face-to-face": "sometimes",
        }
        entries = db.execute(
            "SELECT actor, subject, before, after FROM audit WHERE action = 'workplace-context'"
        ).fetchall()
    actor = f"workplace:{row['id']}"
    assert sorted(entries) == [
        (actor, "face-to-face", None, "sometimes"),
        (actor, "incoming-calls", None, "no"),
    ]
    # the learner's own answers are untouched
    with database(app) as db:
        assert learners.context_answers(db, learner_id)["incoming-calls"] == "yes"


def test_the_contact_rates_claims_with_notes_and_each_valid_answer_is_kept(app, sam, pat):
    phone, row, _ = pat
    data = {
        "w-F1-1.1": "not-yet",
        "n-F1-1.1": "Not on the tills yet",
        "w-F1-1.2": "seen",
        "w-F1-1.3": "sometimes-maybe",  # not on the scale: refused, the rest kept
        "n-F1-1.3": "x" * 501,
    }
    response = wpost(phone, "/workplace/claims/F1", data)
    assert response.status_code == 400
    body = html(response)
    assert "Choose one of the answers shown." in body and "Keep the note under 500" in body
    with database(app) as db:
        had = store.answers(db, row["id"])
    assert had.ratings == {"F1:1.1": "not-yet", "F1:1.2": "seen"}
    assert had.notes == {"F1:1.1": "Not on the tills yet"}
    response = wpost(phone, "/workplace/claims/F1", {"w-F1-1.3": "no-chance"})
    assert response.status_code == 303 and response.location == "/workplace/claims/F2"
    response = wpost(phone, "/workplace/claims/F2", {"go": "back"})
    assert response.location == "/workplace/claims/F1"


def test_a_page_that_is_not_theirs_is_not_found(pat):
    phone, _, _ = pat
    assert phone.get("/workplace/claims/B1").status_code == 404  # B1 is not in Sam's plan
    assert phone.get("/workplace/claims/ZZ9").status_code == 404


def save(phone, name: str, value: str, owner: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf(phone.get("/code"))
    data = {"csrf_token": token, "name": name, "value": value}
    if owner is not None:
        data["learner"] = owner
    return phone.post("/workplace/save", data=data, headers={"Accept": "application/json"})


def test_each_tap_is_saved_in_the_background(app, pat):
    phone, row, _ = pat
    page = html(phone.get("/workplace/claims/F1"))
    owner = re.search(r'data-learner="([0-9a-f]{24})"', page)[1]
    assert save(phone, "w-F1-1.1", "partly", owner).get_json() == {"ok": True}
    assert save(phone, "n-F1-1.1", "  on busy days  ", owner).get_json() == {"ok": True}
    assert save(phone, "c-writing", "yes", owner).get_json() == {"ok": True}
    with database(app) as db:
        had = store.answers(db, row["id"])
    assert had.ratings == {"F1:1.1": "partly"} and had.notes == {"F1:1.1": "on busy days"}
    assert had.contexts == {"writing": "yes"}


@pytest.mark.parametrize(
    "name, value",
    [
        ("w-F1-3.1", "seen"),  # a knowledge criterion: not asked
        ("w-B1-1.1", "seen"),  # not in the plan
        ("w-F1-1.1", "3"),  # the learner's scale, not the contact's
        ("n-F1-1.1", "x" * 501),
        ("c-telepathy", "yes"),
        ("c-writing", "often"),
        ("r-F1-1.1", "2"),  # a learner's field
    ],
)
def test_a_tampered_tap_is_refused_and_dropped(app, pat, name, value):
    phone, row, _ = pat
    response = save(phone, name, value)
    assert response.status_code == 400 and response.get_json()["drop"] is True
    with database(app) as db:
        assert store.answers(db, row["id"]) == store.ContactAnswers()


def test_a_tap_kept_on_a_shared_phone_for_someone_else_is_not_saved_for_them(app, pat):
    phone, row, _ = pat
    response = save(phone, "w-F1-1.1", "seen", owner="0" * 24)
    assert response.status_code == 409 and "someone else" in response.get_json()["error"]
    assert "drop" not in response.get_json()
    with database(app) as db:
        assert store.answers(db, row["id"]).ratings == {}


def test_the_contacts_owner_key_is_never_the_learners(app, sam, pat):
    _, learner_phone, _ = sam
    contact_page = html(pat[0].get("/workplace/claims/F1"))
    learner_page = html(learner_phone.get("/welcome"))
    mine = re.search(r'data-learner="([0-9a-f]{24})"', contact_page)[1]
    theirs = re.search(r'data-learner="([0-9a-f]{24})"', learner_page)[1]
    assert mine != theirs


def test_sent_answers_are_read_only(app, pat):
    phone, row, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "seen"})
    response = wpost(phone, "/workplace/send")
    assert response.status_code == 303 and response.location == "/workplace"
    assert "Thank you: your answers have gone to the assessor." in html(phone.get("/workplace"))
    response = wpost(phone, "/workplace/send")
    assert "You had already sent your answers." in html(phone.get("/workplace"))
    page = html(phone.get("/workplace/claims/F1"))
    assert '<fieldset class="answers" disabled>' in page and "data-autosave" not in page
    response = wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet"})
    assert response.status_code == 303 and response.location == "/workplace/review"
    response = save(phone, "w-F1-1.1", "not-yet")
    assert response.status_code == 409 and response.get_json()["drop"] is True
    with database(app) as db:
        assert store.answers(db, row["id"]).ratings == {"F1:1.1": "seen"}
        sent = db.execute("SELECT count(*) FROM audit WHERE action = 'workplace-sent'").fetchone()
    assert sent[0] == 1


# ---- links that stop working --------------------------------------------------------------------


def test_a_revoked_link_stops_the_link_and_the_device(app, sam, pat):
    learner_id, _, assessor = sam
    phone, row, token = pat
    page = f"/staff/learners/{learner_id}/workplace"
    response = post_form(assessor, page, {"action": "revoke", "contact": str(row["id"])})
    assert response.status_code == 303
    assert phone.get("/workplace").status_code == 401
    assert "withdrawn" in html(phone.get("/workplace/job"))
    assert app.test_client().get(f"/w/{token}").status_code == 404
    assert save(phone, "w-F1-1.1", "seen").status_code == 401
    response = post_form(assessor, page, {"action": "revoke", "contact": str(row["id"])})
    assert "That link had already stopped working." in html(assessor.get(page))


def test_a_reissued_link_replaces_the_old_one_and_works_again(app, sam, pat):
    learner_id, _, assessor = sam
    phone, row, token = pat
    page = f"/staff/learners/{learner_id}/workplace"
    response = post_form(assessor, page, {"action": "reissue", "contact": str(row["id"])})
    assert response.status_code == 200
    new = re.findall(r"/w/([a-z0-9]{26})", html(response))[0]
    assert new != token
    assert app.test_client().get(f"/w/{token}").status_code == 404
    assert phone.get("/workplace").status_code == 401  # the old device is signed out
    assert open_link(app, new).get("/workplace").status_code == 200


def test_an_expired_link_stops(app, pat):
    phone, row, token = pat
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    with database(app) as db:
        db.execute("UPDATE workplace_contacts SET expires_at = ? WHERE id = ?", [past, row["id"]])
    response = phone.get("/workplace")
    assert response.status_code == 401 and "expired" in html(response)
    assert app.test_client().get(f"/w/{token}").status_code == 404


def test_an_archived_learners_contacts_stop_too(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, token = pat
    post_form(
        assessor, f"/staff/learners/{learner_id}", {}, to=f"/staff/learners/{learner_id}/archive"
    )
    assert phone.get("/workplace").status_code == 401
    assert app.test_client().get(f"/w/{token}").status_code == 404


def test_another_learners_contact_cannot_be_revoked_through_this_learner(app, sam):
    learner_id, _, assessor = sam
    other_id, other_assessor = other_learner(app)
    _, response = invite(other_assessor, other_id, name="Otto Other")
    with database(app) as db:
        theirs = db.execute("SELECT id FROM workplace_contacts").fetchone()[0]
    page = f"/staff/learners/{learner_id}/workplace"
    for action in ("revoke", "reissue"):
        response = post_form(assessor, page, {"action": action, "contact": str(theirs)})
        assert response.status_code == 404
    with database(app) as db:
        assert db.execute("SELECT revoked_at FROM workplace_contacts").fetchone()[0] is None
    # and the other assessor's learner is not there at all
    assert assessor.get(f"/staff/learners/{other_id}/workplace").status_code == 404


def test_forget_me_signs_the_contact_out_of_a_shared_phone(pat):
    phone, _, _ = pat
    response = wpost(phone, "/workplace/forget", {})
    assert response.status_code == 302
    assert phone.get("/workplace").status_code == 401


def test_a_learners_link_and_a_contacts_link_take_turns_on_one_phone(app, sam, pat):
    """One person a device: opening the contact's link forgets the learner, and back."""
    _, learner_phone, _ = sam
    _, _, token = pat
    assert learner_phone.get("/welcome").status_code == 200
    assert learner_phone.get(f"/w/{token}").status_code == 302
    assert learner_phone.get("/workplace").status_code == 200
    assert learner_phone.get("/welcome").status_code == 302  # asks who this is


# ---- witness testimonies -------------------------------------------------------------------------


def test_a_testimony_is_saved_as_a_draft_then_signed_and_read_only(app, sam, pat):
    learner_id, _, _ = sam
    phone, row, _ = pat
    page = html(phone.get("/workplace/testimonies/new"))
    assert "Describe what the learner did, in your own words" in page
    assert 'value="Line manager"' in page and 'value="Operations Manager"' in page
    response = wpost(phone, "/workplace/testimonies/new", {"action": "save", "venue": "Front desk"})
    assert response.status_code == 303
    testimony_id = int(response.location.rsplit("/", 1)[1])
    url = f"/workplace/testimonies/{testimony_id}"
    # signing needs every field the seed asks for
    response = wpost(phone, url, {"action": "sign", "venue": "Front desk"})
    assert response.status_code == 400
    assert html(response).count("Fill this in before you sign.") == 6
    assert "Type your name to sign." in html(response)
    response = wpost(phone, url, {**TESTIMONY, "action": "sign", "signature": "Pat Manager"})
    assert response.status_code == 303 and response.location == url
    signed = words(html(phone.get(url)))
    assert "Your witness testimony (WT1)" in signed and "6 January 2026, 10:30" in signed
    assert "“Pat Manager” on" in signed
    with database(app) as db:
        kept = store.testimonies(db, learner_id)[0]
    assert kept["learner_name"] == "Sam Learner" and kept["description"] == NARRATIVE
    assert kept["signature"] == "Pat Manager" and kept["signed_at"] and kept["written_on"]
    # signed: nothing changes it
    response = wpost(phone, url, {**TESTIMONY, "action": "save", "venue": "Elsewhere"})
    assert response.status_code == 303
    with database(app) as db:
        assert store.testimonies(db, learner_id)[0]["venue"] == TESTIMONY["venue"]
        actions = [
            r[0] for r in db.execute("SELECT action FROM audit WHERE subject LIKE 'testimony%'")
        ]
    assert actions == ["testimony-started", "testimony-signed"]


def test_a_testimony_signed_twice_by_a_double_tap_is_one_testimony(app, sam, pat):
    learner_id, _, _ = sam
    phone, _, _ = pat
    page = html(phone.get("/workplace/testimonies/new"))
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', page)[1]
    data = {**TESTIMONY, "signature": "Pat Manager", "action": "sign", "request_key": key}
    first = wpost(phone, "/workplace/testimonies/new", data)
    again = wpost(phone, "/workplace/testimonies/new", data)
    assert first.status_code == again.status_code == 303
    assert again.location == first.location
    with database(app) as db:
        assert len(store.testimonies(db, learner_id)) == 1


def test_a_list_of_skills_gets_a_gentle_warning_before_it_is_sent(app, sam, pat):
    learner_id, _, _ = sam
    phone, _, _ = pat
    listed = {
        **TESTIMONY,
        "description": "- Polite\n- Good on the phone\n- Knows the products\n- Team player",
        "signature": "Pat Manager",
        "action": "sign",
    }
    response = wpost(phone, "/workplace/testimonies/new", listed)
    assert response.status_code == 200
    page = html(response)
    assert "This reads like a list rather than a description" in page
    assert "it is set out as a list" in page and "Send it as it is" in page
    with database(app) as db:
        (kept,) = store.testimonies(db, learner_id)
    assert kept["signed_at"] is None and kept["description"] == listed["description"]
    # sent as it is, when the witness says so
    url = f"/workplace/testimonies/{kept['id']}"
    response = wpost(phone, url, {**listed, "action": "sign-as-it-is"})
    assert response.status_code == 303
    with database(app) as db:
        assert store.testimonies(db, learner_id)[0]["signed_at"]


@pytest.mark.parametrize(
    "date, message",
    [("2999-01-01", "must have happened already"), ("31/02/2026", "Enter the date like")],
)
def test_a_testimony_date_must_be_a_real_day_that_has_passed(pat, date, message):
    phone, _, _ = pat
    data = {**TESTIMONY, "activity_date": date, "signature": "Pat", "action": "sign"}
    response = wpost(phone, "/workplace/testimonies/new", data)
    assert response.status_code == 400 and message in html(response)


def test_a_date_written_the_british_way_is_kept_as_a_date(app, sam, pat):
    learner_id, _, _ = sam
    phone, _, _ = pat
    data = {**TESTIMONY, "activity_date": "6/1/2026", "signature": "Pat", "action": "sign"}
    assert wpost(phone, "/workplace/testimonies/new", data).status_code == 303
    with database(app) as db:
        assert store.testimonies(db, learner_id)[0]["activity_date"] == "2026-01-06"


def test_another_contacts_testimony_is_not_there(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    other, _ = invite(assessor, learner_id, name="Cara Colleague", relationship="colleague")
    other_phone = open_link(app, other)
    response = wpost(other_phone, "/workplace/testimonies/new", {"action": "save", "venue": "Till"})
    testimony_id = int(response.location.rsplit("/", 1)[1])
    assert phone.get(f"/workplace/testimonies/{testimony_id}").status_code == 404
    response = wpost(phone, f"/workplace/testimonies/{testimony_id}", {"action": "save",
                     "venue": "Changed"})  # fmt: skip
    assert response.status_code == 404
    with database(app) as db:
        assert store.testimonies(db, learner_id)[0]["venue"] == "Till"


def test_a_witness_only_writes_testimonies(app, sam):
    learner_id, _, assessor = sam
    token, _ = invite(assessor, learner_id, name="Wyn Witness", role="witness")
    phone = open_link(app, token)
    home = words(html(phone.get("/workplace")))
    assert "asked you for a witness testimony" in home and "Sam’s job" not in home
    for path in (
        "/workplace/job",
        "/workplace/claims/F1",
        "/workplace/review",
        "/workplace/contract",
    ):
        assert phone.get(path).status_code == 404, path
    assert phone.get("/workplace/testimonies/new").status_code == 200


def sign_testimony(app, phone) -> int:  # type: ignore[no-untyped-def]
    data = {**TESTIMONY, "signature": "Pat Manager", "action": "sign"}
    response = wpost(phone, "/workplace/testimonies/new", data)
    assert response.status_code == 303
    return int(response.location.rsplit("/", 1)[1])


def test_the_assessor_links_a_testimony_to_criteria_and_accepts_it(app, sam, pat):
    learner_id, learner_phone, assessor = sam
    testimony_id = sign_testimony(app, pat[0])
    page = f"/staff/learners/{learner_id}/testimonies"
    body = words(html(assessor.get(page)))
    assert "WT1: Pat Manager, 6 January 2026" in body and NARRATIVE in body
    data = {
        "testimony": str(testimony_id),
        "criteria": ["F1:1.1", "F1:1.3", "A3:unit"],
        "decision": "accepted",
        "questioning_note": "Rang Pat on 8 January: confirmed the details.",
    }
    response = post_form(assessor, page, data)
    assert response.status_code == 303 and response.location.endswith(f"#t{testimony_id}")
    with database(app) as db:
        kept = store.testimonies(db, learner_id)
    assert kept[0]["criteria"] == ["A3:unit", "F1:1.1", "F1:1.3"]
    assert kept[0]["decision"] == "accepted"
    assert coverage(kept) == {"A3:unit": ("WT1",), "F1:1.1": ("WT1",), "F1:1.3": ("WT1",)}
    body = words(html(assessor.get(page)))
    assert "Evidences: F1 1.1, 1.3; A3 · Decision: Accepted" in body
    assert "Rang Pat on 8 January" in body
    # in the learner's own record too
    record = words(html(learner_phone.get("/my-record")))
    assert "Witness testimonies" in record and NARRATIVE in record


def coverage_cell(response, unit: str, state: str) -> str:  # type: ignore[no-untyped-def]
    """The assessment plan's coverage table: the cell of one unit and state, in words."""
    for tr in dom(response).find("table", class_="coverage").find("tbody").find_all("tr"):
        if tr.find("th").text.split()[0] == unit:
            return " ".join(tr.find("td", class_=f"cover-{state}").text.split())
    raise AssertionError(f"{unit} is not in the coverage")


def test_an_accepted_testimony_linked_to_a_criterion_counts_as_done_in_the_plan(app, sam, pat):
    learner_id, _, assessor = sam
    testimony_id = sign_testimony(app, pat[0])
    plan = f"/staff/learners/{learner_id}/assessment-plan"
    assert coverage_cell(assessor.get(plan), "F1", "done") == "—"
    review = {"testimony": str(testimony_id), "criteria": ["F1:1.1"], "questioning_note": ""}
    page = f"/staff/learners/{learner_id}/testimonies"
    # linked but not accepted yet: not evidence
    assert post_form(assessor, page, {**review, "decision": ""}).status_code == 303
    assert coverage_cell(assessor.get(plan), "F1", "done") == "—"
    assert post_form(assessor, page, {**review, "decision": "accepted"}).status_code == 303
    response = assessor.get(plan)
    assert coverage_cell(response, "F1", "done") == "1 of 21: 1.1"
    assert "1.1" not in coverage_cell(response, "F1", "none")


@pytest.mark.parametrize(
    "data",
    [
        {"criteria": ["ZZ:1.1"]},  # not a criterion of the learner's units
        {"decision": "maybe"},
        {"questioning_note": "x" * 2001},
    ],
)
def test_a_bad_review_is_refused_and_changes_nothing(app, sam, pat, data):
    learner_id, _, assessor = sam
    testimony_id = sign_testimony(app, pat[0])
    page = f"/staff/learners/{learner_id}/testimonies"
    response = post_form(assessor, page, {"testimony": str(testimony_id), **data})
    assert response.status_code == 400
    with database(app) as db:
        assert store.testimonies(db, learner_id)[0]["decision"] is None


def test_an_unsigned_or_another_learners_testimony_cannot_be_reviewed(app, sam, pat):
    learner_id, _, assessor = sam
    response = wpost(pat[0], "/workplace/testimonies/new", {"action": "save", "venue": "Desk"})
    draft = int(response.location.rsplit("/", 1)[1])
    page = f"/staff/learners/{learner_id}/testimonies"
    response = post_form(assessor, page, {"testimony": str(draft), "decision": "accepted"})
    assert response.status_code == 404
    other_id, other_assessor = other_learner(app)
    token, _ = invite(other_assessor, other_id, name="Otto Other")
    theirs = sign_testimony(app, open_link(app, token))
    response = post_form(assessor, page, {"testimony": str(theirs), "decision": "accepted"})
    assert response.status_code == 404
    with database(app) as db:
        assert store.testimonies(db, other_id)[0]["decision"] is None


def test_a_verifier_reads_testimonies_but_cannot_review_them(app, sam, pat):
    learner_id, _, _ = sam
    testimony_id = sign_testimony(app, pat[0])
    verifier, _ = staff_client(app, "verifier", "Vic Verifier")
    page = f"/staff/learners/{learner_id}/testimonies"
    body = html(verifier.get(page))
    assert "WT1" in body and "Link criteria and record your decision" not in body
    response = post_form(verifier, page, {"testimony": str(testimony_id), "decision": "accepted"})
    assert response.status_code == 403


# ---- the employer signs --------------------------------------------------------------------------


def test_the_employer_signs_the_contract_and_everyone_sees_who_and_when(app, sam, pat):
    learner_id, learner_phone, assessor = sam
    phone, row, _ = pat
    assert "not prepared the learning contract yet" in words(html(phone.get("/workplace/contract")))
    assessor_prepares_contract(assessor, learner_id, sign_as="Asha Assessor")
    response = wpost(phone, "/workplace/contract", {"name": "Pat Manager"})
    assert response.status_code == 303
    signed = "Employer Signed “Pat Manager” (Operations Manager, line manager) on"
    for client, path in (
        (phone, "/workplace/contract"),
        (assessor, f"/staff/learners/{learner_id}/contract"),
        (learner_phone, "/contract"),
    ):
        assert signed in words(html(client.get(path))), path
    response = wpost(phone, "/workplace/contract", {"name": "Someone Else"})
    assert "The employer has already signed this version." in html(phone.get("/workplace"))
    with database(app) as db:
        contract = db.execute(
            "SELECT employer_name, employer_contact_id, assessor_name FROM contracts"
        ).fetchone()
        entry = db.execute(
            "SELECT actor, after FROM audit WHERE action = 'contract-signed-by-employer'"
        ).fetchall()
    assert tuple(contract) == ("Pat Manager", row["id"], "Asha Assessor")
    assert entry == [(f"workplace:{row['id']}", "Pat Manager")]


def test_a_contract_the_plan_has_moved_on_from_cannot_be_signed(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    assessor_prepares_contract(assessor, learner_id)
    # a new activity leaves the contract as it is (the plan lives beside it) ...
    post_form(assessor, f"/staff/learners/{learner_id}/assessment-plan", ROW)
    assert "The assessor is updating this contract" not in html(phone.get("/workplace/contract"))
    # ... a new planned end date does not
    record = {"name": "Sam Learner", "start_on": START, "planned_end_on": "2027-12-31"}
    post_form(assessor, f"/staff/learners/{learner_id}/record", record)
    assert "The assessor is updating this contract" in html(phone.get("/workplace/contract"))
    response = wpost(phone, "/workplace/contract", {"name": "Pat Manager"})
    assert response.status_code == 303
    with database(app) as db:
        assert db.execute("SELECT employer_signed_at FROM contracts").fetchone()[0] is None


# ---- what the assessor sees ----------------------------------------------------------------------


def test_the_gap_report_shows_three_views_with_the_disagreements_flagged(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    wpost(phone, "/workplace/job", {"c-incoming-calls": "no"})
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet", "n-F1-1.1": "Not yet on tills",
              "w-F1-1.2": "seen", "w-F1-1.3": "seen"})  # fmt: skip
    page = html(assessor.get(f"/staff/learners/{learner_id}"))
    assert re.search(r"<th scope=\"col\">Learner at first</th><th scope=\"col\">Latest self-check"
                     r"</th><th scope=\"col\">Workplace</th><th scope=\"col\">Assessor</th>",
                     page)  # fmt: skip
    text = words(page)
    assert "Do you answer telephone calls from customers? Differs Yes No · Pat Manager" in text
    row = re.search(r"I can recognise typical customers.*?</tr>", page, re.S)[0]
    assert "Plan an observation" in row and "Not yet" in row and "Not yet on tills" in row
    row = re.search(r"I can discuss customer expectations.*?</tr>", page, re.S)[0]
    assert "Confidence, not competence: talk it through" in row
    assert "2 to follow up with the workplace" in text
    response = assessor.get(f"/staff/learners/{learner_id}/report.csv")
    rows = list(csv.DictReader(io.StringIO(html(response))))
    first = next(r for r in rows if r["statement id"] == "F1:1.1")
    assert first["workplace says"] == "Pat Manager (line manager): Not yet"
    assert first["workplace notes"] == "Pat Manager (line manager): Not yet on tills"
    assert first["learner and workplace differ: what to do"] == "Plan an observation"


def observe_forms(page: str) -> list[dict[str, str]]:
    """The gap report's one-tap "Add to the assessment plan" forms: their hidden fields."""
    found = re.findall(r'<form method="post" action="[^"]*/observations"[^>]*>(.*?)</form>', page)
    inputs = [re.findall(r"<input [^>]*>", f) for f in found]
    return [
        {re.search(r'name="([a-z_]+)"', i)[1]: re.search(r'value="([^"]*)"', i)[1] for i in fields}
        for fields in inputs
    ]


def plan_rows(app, learner_id: int) -> list[dict]:
    with database(app) as db:
        return plans.assessment_plan_rows(db, learner_id)


def test_a_flagged_claim_goes_into_the_assessment_plan_in_one_tap(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    # the learner says they can (F1 1.1 confidently, 1.3 on their own); the manager has not seen
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet", "w-F1-1.3": "no-chance",
              "w-F1-1.2": "seen"})  # fmt: skip
    page = html(assessor.get(f"/staff/learners/{learner_id}"))
    assert "To observe: what the workplace has not seen" in page
    forms = observe_forms(page)
    assert [f["criteria"] for f in forms] == ["F1:1.1 F1:1.3"]
    base = f"/staff/learners/{learner_id}"
    response = assessor.post(f"{base}/observations", data=forms[0])
    assert response.status_code == 303
    assert response.location == f"{base}/assessment-plan"
    [row] = plan_rows(app, learner_id)
    assert row["units"] == ["F1"] and row["evidence"] == ["observation"]
    assert "F1 1.1, 1.3" in row["activity"] or "F1 1.1; F1 1.3" in row["activity"], row
    assert (row["observed_when"], row["observed_where"]) == (OBSERVE_WHEN, OBSERVE_WHERE)
    shown = words(html(assessor.get(f"{base}/assessment-plan")))
    assert f"Added to the assessment plan: {row['activity']}" in shown
    assert f"No date yet {OBSERVE_WHEN} {row['activity']} {OBSERVE_WHERE} F1 1.1, 1.3" in shown
    assert row["criteria"] == ["F1:1.1", "F1:1.3"] and row["planned_on"] is None
    # the same tap again (a double tap, a resent form): still one row
    again = assessor.post(f"{base}/observations", data=forms[0])
    assert again.status_code == 303 and len(plan_rows(app, learner_id)) == 1
    assert "That observation was added already." in html(assessor.get(f"{base}/assessment-plan"))
    # the gap report now says it is planned, and offers no second button
    page = html(assessor.get(base))
    assert observe_forms(page) == []
    assert "in the assessment plan" in re.search(r'id="observe".*?</section>', page, re.S)[0]
    with database(app) as db:
        entries = db.execute(
            "SELECT action FROM audit WHERE learner_id = ? AND action LIKE 'assessment-plan%'",
            [learner_id],
        ).fetchall()
    assert [e[0] for e in entries] == ["assessment-plan-row-added"]


def test_each_flagged_observation_is_its_own_row(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet"})
    wpost(phone, "/workplace/claims/F2", {"w-F2-1.1": "no-chance"})
    forms = observe_forms(html(assessor.get(f"/staff/learners/{learner_id}")))
    flagged = " ".join(f["criteria"] for f in forms).split()
    assert sorted(flagged) == ["F1:1.1", "F2:1.1"]
    assert len({f["request_key"] for f in forms}) == len(forms)  # one key each
    for form in forms:
        response = assessor.post(f"/staff/learners/{learner_id}/observations", data=form)
        assert response.status_code == 303
    rows = plan_rows(app, learner_id)
    assert len(rows) == len(forms)
    assert sorted(c for r in rows for c in re.findall(r"F[12] 1\.1", r["activity"])) == [
        "F1 1.1",
        "F2 1.1",
    ]


@pytest.mark.parametrize(
    "criteria",
    ["F1:1.2", "ZZ:1.1", "F1:1.1 F1:1.1x", "<script>"],
    ids=["seen by the workplace", "no such criterion", "half tampered", "not an id"],
)
def test_only_criteria_still_flagged_go_into_the_plan(app, sam, pat, criteria):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet", "w-F1-1.2": "seen"})
    [form] = observe_forms(html(assessor.get(f"/staff/learners/{learner_id}")))
    response = assessor.post(
        f"/staff/learners/{learner_id}/observations", data={**form, "criteria": criteria}
    )
    rows = plan_rows(app, learner_id)
    if criteria.startswith("F1:1.1 "):  # the flagged one kept, the tampered one left out
        assert response.status_code == 303
        assert [r["units"] for r in rows] == [["F1"]] and "1.1x" not in rows[0]["activity"]
        return
    assert response.status_code in (303, 400)
    assert rows == []
    if response.status_code == 303:
        assert response.location.endswith(f"/staff/learners/{learner_id}#observe")
        assert "no longer flagged" in html(assessor.get(f"/staff/learners/{learner_id}"))


def test_a_claim_the_workplace_has_since_seen_is_not_planned(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet"})
    [form] = observe_forms(html(assessor.get(f"/staff/learners/{learner_id}")))
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "seen"})  # on another tab, meanwhile
    response = assessor.post(f"/staff/learners/{learner_id}/observations", data=form)
    assert response.status_code == 303 and plan_rows(app, learner_id) == []


def test_a_verifier_sees_what_to_observe_but_cannot_plan_it(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "not-yet"})
    [form] = observe_forms(html(assessor.get(f"/staff/learners/{learner_id}")))
    verifier, _ = staff_client(app, "verifier", "Vic Verifier")
    page = html(verifier.get(f"/staff/learners/{learner_id}"))
    assert "To observe: what the workplace has not seen" in page and observe_forms(page) == []
    token = csrf(verifier.get(f"/staff/learners/{learner_id}"))
    response = verifier.post(
        f"/staff/learners/{learner_id}/observations", data={**form, "csrf_token": token}
    )
    assert response.status_code == 403 and plan_rows(app, learner_id) == []


def test_the_suggested_plan_says_the_manager_confirms_the_job(app):
    learner_id, _, assessor = learner_and_assessor(app, incoming_calls="sometimes")
    answer(app, learner_id, {"A11:unit": 2})
    token, _ = invite(assessor, learner_id)
    phone = open_link(app, token)
    wpost(phone, "/workplace/job", {"c-incoming-calls": "yes"})
    text = words(html(assessor.get(f"/staff/learners/{learner_id}/plan")))
    assert "your manager confirms your job involves answering calls" in text


def test_the_learners_starting_point_says_their_manager_confirms_it(app):
    learner_id, learner_phone, assessor = learner_and_assessor(app, incoming_calls="sometimes")
    with database(app) as db:
        learners.set_interest(db, learner_id, "A11", True, "test")
    answer(app, learner_id, {"A11:unit": 2})
    token, _ = invite(assessor, learner_id)
    wpost(open_link(app, token), "/workplace/job", {"c-incoming-calls": "yes"})
    text = words(html(learner_phone.get("/result")))
    assert "Fits your job: your manager confirms your job involves answering calls" in text


def test_a_job_the_workplace_says_lacks_a_context_is_hard_to_evidence(app):
    learner_id, _, assessor = learner_and_assessor(app, incoming_calls="yes")
    answer(app, learner_id, {"A11:unit": 3})
    token, _ = invite(assessor, learner_id)
    pat = (open_link(app, token),)
    page = f"/staff/learners/{learner_id}"
    assert "No evidence opportunity: the job has no answering calls" not in html(assessor.get(page))
    wpost(pat[0], "/workplace/job", {"c-incoming-calls": "no"})
    assert "No evidence opportunity: the job has no answering calls" in html(assessor.get(page))


def test_the_cohort_shows_any_of_the_three_ratings(app, sam, pat):
    learner_id, _, assessor = sam
    wpost(pat[0], "/workplace/claims/F1", {"w-F1-1.1": "partly"})
    with database(app) as db:
        learners.save_assessor_rating(db, learner_id, "F1:1.1", 0, 1, "test")
    cells = {}
    for view in ("learner", "workplace", "assessor"):
        page = html(assessor.get(f"/staff/cohort?view={view}"))
        row = re.search(r'<th scope="row" title="[^"]*">F1:1.1</th>(.*?)</tr>', page, re.S)[1]
        cells[view] = re.findall(r'<td class="heat-(\w+)">', row)
        assert f'view={view}" aria-current="page"' in page
    assert cells == {"learner": ["3"], "workplace": ["1"], "assessor": ["0"]}
    assert "not yet or partly" in html(assessor.get("/staff/cohort?view=workplace"))
    response = assessor.get("/staff/cohort.csv?view=workplace")
    assert 'filename="cohort-03455-workplace.csv"' in response.headers["Content-Disposition"]
    assert assessor.get("/staff/cohort?view=nonsense").status_code == 200


def test_the_workplace_page_shows_each_contacts_progress(app, sam, pat):
    learner_id, _, assessor = sam
    phone, _, _ = pat
    wpost(phone, "/workplace/job", {"c-incoming-calls": "no"})
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "seen"})
    text = words(html(assessor.get(f"/staff/learners/{learner_id}/workplace")))
    assert "Pat Manager (line manager) Operations Manager pat@shop.example" in text
    assert "Job: 1 of 16" in text and "Claims: 1 of" in text and "Not sent yet" in text
    assert "Works until" in text


# ---- their data: in the learner's record, erased with them, a retention of their own -----------


def test_the_contacts_data_is_in_the_learners_export(app, sam, pat):
    learner_id, learner_phone, assessor = sam
    phone, row, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "seen", "n-F1-1.1": "Every shift"})
    sign_testimony(app, phone)
    data = assessor.get(f"/staff/learners/{learner_id}/export.json").get_json()
    (person,) = data["workplace_contacts"]
    assert person["name"] == "Pat Manager" and person["email"] == "pat@shop.example"
    assert person["ratings"] == {"F1:1.1": {"rating": "seen", "note": "Every shift"}}
    assert "token_hash" not in person and "request_key" not in person
    assert data["testimonies"][0]["description"] == NARRATIVE
    cells = [c for r in csv.reader(io.StringIO(html(learner_phone.get("/my-data.csv")))) for c in r]
    assert "Pat Manager" in cells and NARRATIVE in cells


def test_the_contact_is_erased_with_the_learner(app, sam, pat):
    learner_id, _, _ = sam
    phone, _, token = pat
    sign_testimony(app, phone)
    admin, _ = staff_client(app, "admin", "Ada Admin")
    page = f"/staff/learners/{learner_id}"
    response = post_form(admin, page, {"confirm": "Sam Learner"}, to=f"{page}/erase")
    assert response.status_code == 303
    with database(app) as db:
        for table in ("workplace_contacts", "workplace_context_answers", "workplace_ratings",
                      "testimonies", "testimony_criteria"):  # fmt: skip
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    stored = b""
    for suffix in ("", "-wal"):
        try:
            with open(app.config["DATABASE"] + suffix, "rb") as f:
                stored += f.read()
        except FileNotFoundError:
            pass
    assert b"Pat Manager" not in stored and b"parcel" not in stored
    assert phone.get("/workplace").status_code == 401


def _end_link(app, contact_id: int, days_ago: int) -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    with database(app) as db:
        db.execute("UPDATE workplace_contacts SET expires_at = ? WHERE id = ?", [when, contact_id])


def test_retention_erases_a_contacts_details_after_their_link_stopped(app, runner, sam, pat):
    learner_id, _, assessor = sam
    phone, row, _ = pat
    wpost(phone, "/workplace/claims/F1", {"w-F1-1.1": "seen"})
    sign_testimony(app, phone)
    wpost(phone, "/workplace/testimonies/new", {"action": "save", "venue": "Draft desk"})
    recent, _ = invite(assessor, learner_id, name="Rita Recent")
    _end_link(app, row["id"], days_ago=400)  # more than 12 months ago
    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0
    assert f"would erase the details of workplace contact #{row['id']}" in dry.output
    with database(app) as db:
        assert store.contact(db, row["id"])["name"] == "Pat Manager"
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "1 workplace contact(s) whose link stopped more than 12 months ago" in result.output
    with database(app) as db:
        erased = store.contact(db, row["id"])
        kept = store.testimonies(db, learner_id)
        rita = db.execute(
            "SELECT name FROM workplace_contacts WHERE id != ?", [row["id"]]
        ).fetchone()
        ratings = store.answers(db, row["id"]).ratings
    assert (erased["name"], erased["job_title"], erased["email"], erased["phone"]) == (
        "",
        "",
        "",
        "",
    )
    assert erased["erased_at"]
    assert rita[0] == "Rita Recent"
    # what they signed stays with the learner's record; their unsigned draft does not
    assert [t["venue"] for t in kept] == [TESTIMONY["venue"]]
    assert ratings == {"F1:1.1": "seen"}  # their view stays, under their relationship
    text = words(html(assessor.get(f"/staff/learners/{learner_id}/workplace")))
    assert "Line manager (details erased)" in text and "Pat Manager" not in text.split("Rita")[0]


def test_the_contacts_retention_is_a_setting(app, runner, pat):
    _, row, _ = pat
    _end_link(app, row["id"], days_ago=100)
    assert "0 workplace contact(s)" in runner.invoke(args=["retention"]).output
    app.config["WORKPLACE_RETENTION_MONTHS"] = 3
    assert "1 workplace contact(s)" in runner.invoke(args=["retention"]).output


# ---- one read and one write a request ----------------------------------------------------------

CONTACT_PAGES = [
    "/workplace",
    "/workplace/job",
    "/workplace/claims/F1",
    "/workplace/claims/units",
    "/workplace/review",
    "/workplace/testimonies",
    "/workplace/testimonies/new",
    "/workplace/contract",
]
WORKPLACE_TABLES = ("workplace_contacts", "workplace_context_answers", "workplace_ratings",
                    "testimonies", "learners", "plans", "contracts", "ratings")  # fmt: skip


@pytest.mark.parametrize("path", CONTACT_PAGES)
def test_a_contact_page_reads_each_table_once_and_writes_nothing(app, monkeypatch, pat, path):
    phone, _, _ = pat
    sql = TracedSql(monkeypatch)
    response, statements = sql.of(lambda: phone.get(path))
    assert response.status_code == 200
    assert transactions(statements) == 0
    for table in WORKPLACE_TABLES:
        assert len(reading(statements, table)) <= 1, (table, statements)


CONTACT_POSTS = [
    ("/workplace/job", {"c-incoming-calls": "no"}, 303),
    ("/workplace/claims/F1", {"w-F1-1.1": "seen", "n-F1-1.1": "ok"}, 303),
    ("/workplace/save", {"name": "w-F1-1.2", "value": "partly"}, 200),
    ("/workplace/testimonies/new", {**TESTIMONY, "signature": "Pat", "action": "sign"}, 303),
    ("/workplace/send", {}, 303),
]


@pytest.mark.parametrize("path, data, status", CONTACT_POSTS, ids=[p[0] for p in CONTACT_POSTS])
def test_every_contact_post_commits_once(app, monkeypatch, pat, path, data, status):
    phone, _, _ = pat
    sql = TracedSql(monkeypatch)
    token = csrf(phone.get("/code"))
    response, statements = sql.of(lambda: phone.post(path, data={"csrf_token": token, **data}))
    assert response.status_code == status, html(response)
    assert transactions(statements) == 1, statements


@pytest.mark.parametrize("page", ["/workplace", "/testimonies", ""])
def test_the_assessors_workplace_pages_read_each_table_once(app, monkeypatch, sam, pat, page):
    learner_id, _, assessor = sam
    sign_testimony(app, pat[0])
    sql = TracedSql(monkeypatch)
    response, statements = sql.of(lambda: assessor.get(f"/staff/learners/{learner_id}{page}"))
    assert response.status_code == 200
    assert transactions(statements) == 0
    for table in WORKPLACE_TABLES + ("testimony_criteria", "assessor_ratings"):
        assert len(reading(statements, table)) <= 1, (table, statements)


def test_observations_to_plan_read_each_table_once_and_a_tap_commits_once(
    app, monkeypatch, sam, pat
):
    learner_id, _, assessor = sam
    wpost(pat[0], "/workplace/claims/F1", {"w-F1-1.1": "not-yet"})
    sql = TracedSql(monkeypatch)
    response, statements = sql.of(lambda: assessor.get(f"/staff/learners/{learner_id}"))
    assert transactions(statements) == 0
    for table in WORKPLACE_TABLES + ("assessment_plan_rows", "assessor_ratings"):
        assert len(reading(statements, table)) <= 1, (table, statements)
    [form] = observe_forms(html(response))
    path = f"/staff/learners/{learner_id}/observations"
    response, statements = sql.of(lambda: assessor.post(path, data=form))
    assert response.status_code == 303
    assert transactions(statements) == 1, statements


def test_records_module_reads_the_whole_workplace_record(app, sam, pat):
    learner_id, _, _ = sam
    with database(app) as db:
        record = records.learner_record(db, learner_id)
    assert [c["name"] for c in record["workplace_contacts"]] == ["Pat Manager"]
    assert record["testimonies"] == []


def test_a_workplace_link_never_reaches_a_log():
    from survey.logs import redact

    line = '127.0.0.1 - - "GET /w/abcdefghijklmnopqrstuvwxyz HTTP/1.1" 302 -'
    assert redact(line) == '127.0.0.1 - - "GET /w/[hidden] HTTP/1.1" 302 -'


def test_an_owner_key_that_is_not_ascii_is_refused_not_a_500(app, sam, pat):
    """hmac.compare_digest raises TypeError on a str that is not ASCII: the learner's and the
    contact's background saves both compared the posted key that way (found by fuzzing)."""
    _, learner_phone, _ = sam
    response = save(pat[0], "w-F1-1.1", "seen", owner="\x80é")
    assert response.status_code == 409
    token = csrf(learner_phone.get("/code"))
    response = learner_phone.post(
        "/assessment/save",
        data={"csrf_token": token, "name": "r-F1-1.1", "value": "2", "learner": "\x80é"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
