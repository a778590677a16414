"""One read and one write per request, counted from the SQL each request runs.

A page asks the store once for what it shows and writes in one transaction: a page that reads
the same table twice, or commits twice, is a bug. Each connection's statements are traced with
sqlite3's trace callback (tests/helpers.py: TracedSql).
"""

from __future__ import annotations

import pytest
from helpers import (
    PLANNED_END,
    ROW,
    START,
    VALID,
    TracedSql,
    assessor_confirms,
    assessor_prepares_contract,
    csrf,
    database,
    every_statement,
    learner_and_assessor,
    reading,
    staff_client,
    transactions,
)

from survey.forms import rating_field_name
from survey.qualifications import served
from survey.store import learners, plans

ANSWER_TABLES = ("ratings", "context_answers", "interests", "self_checks", "check_ratings")
PLAN_TABLES = ("plans", "assessment_plan_rows", "contracts", "assessor_ratings")
PLAN_TABLES += ("initial_assessment", "samples", "settings")


@pytest.fixture
def sql(monkeypatch) -> TracedSql:
    return TracedSql(monkeypatch)


@pytest.fixture
def sam(app):
    """(learner id, their phone, their assessor's laptop): a learner who has started."""
    return learner_and_assessor(app, incoming_calls="yes", face_to_face="sometimes")


def post(sql: TracedSql, client, path: str, data: dict, page: str = "/forget"):
    """POST with the session's CSRF token; (response, the statements the POST ran)."""
    token = csrf(client.get(page))
    return sql.of(lambda: client.post(path, data={"csrf_token": token, **data}))


# ---- the assessor's Units page ------------------------------------------------------------


@pytest.mark.parametrize("saved", [False, True], ids=["no plan saved", "a plan saved"])
def test_the_units_page_is_at_most_seven_statements_reading_each_table_once(app, sql, sam, saved):
    learner_id, _, assessor = sam
    if saved:
        page = f"/staff/learners/{learner_id}/plan"
        post(sql, assessor, page, {"action": "save", "units": VALID}, page)
    response, statements = sql.of(lambda: assessor.get(f"/staff/learners/{learner_id}/plan"))
    assert response.status_code == 200
    assert len(statements) <= 7, statements
    for table in ("learners", "staff_sessions", *ANSWER_TABLES, *PLAN_TABLES):
        assert len(reading(statements, table)) <= 1, (table, statements)


@pytest.mark.parametrize(
    "page",
    [
        "",
        "/record",
        "/introduction",
        "/plan",
        "/assessment-plan",
        "/assessment-plan/1",
        "/contract",
        "/sampling",
        "/report.csv",
        "/audit",
    ],
)
def test_each_page_about_a_learner_reads_each_table_at_most_once(app, sql, sam, page):
    learner_id, _, assessor = sam
    assessor_confirms(assessor, learner_id, VALID)
    assessor_prepares_contract(assessor, learner_id)
    response, statements = sql.of(lambda: assessor.get(f"/staff/learners/{learner_id}{page}"))
    assert response.status_code == 200
    assert transactions(statements) == 0
    for table in ("learners", *ANSWER_TABLES, *PLAN_TABLES, "audit"):
        assert len(reading(statements, table)) <= 1, (table, statements)


# ---- a learner's pages ---------------------------------------------------------------------


LEARNER_PAGES = [
    "/welcome",
    "/assessment",
    "/assessment/job",
    "/assessment/F1-1",
    "/assessment/group-B",
    "/assessment/interests",
    "/assessment/review",
    "/q/03455/check/B1",
    "/contract",
    "/my-record",
]


@pytest.mark.parametrize("path", LEARNER_PAGES)
def test_a_learner_page_reads_the_learners_answers_once(app, sql, sam, path):
    _, phone, _ = sam
    response, statements = sql.of(lambda: phone.get(path))
    assert response.status_code in (200, 302), path
    assert transactions(statements) == 0
    for table in ("learners", *ANSWER_TABLES, *PLAN_TABLES):
        assert len(reading(statements, table)) <= 1, (table, statements)


def test_the_starting_point_and_a_check_result_read_each_table_once(app, sql, sam):
    learner_id, phone, _ = sam
    for _ in range(2):  # a second check is compared with the first
        post(sql, phone, "/q/03455/check/B1", {rating_field_name("B1:1.1"): "2"})
    post(sql, phone, "/assessment/submit", {})
    with database(app) as db:
        latest = learners.unit_checks(db, learner_id, "B1")[-1]["id"]
    for path in ("/result", f"/q/03455/check/B1/results/{latest}"):
        response, statements = sql.of(lambda path=path: phone.get(path))
        assert response.status_code == 200, path
        for table in ("learners", *ANSWER_TABLES, *PLAN_TABLES):
            assert len(reading(statements, table)) <= 1, (path, table, statements)


def _group_b_rating(app) -> dict:
    unit = next(u for u in served(app).optional_units if u.group == "B")
    return {rating_field_name(unit.summary_statement.id): "2"}


# (what the learner does, path, data, the status they get); each writes in one transaction
LEARNER_POSTS = [
    ("job page", "/assessment/job", {"job_role": "Courier", "c-writing": "yes"}, 303),
    (
        "job page, something else",
        "/assessment/job",
        {"job_role": "other", "job_role_other": "Barista", "c-face-to-face": "no"},
        303,
    ),
    ("job page, one wrong answer", "/assessment/job", {"c-writing": "often"}, 400),
    ("an outcome page", "/assessment/F1-1", {"r-F1-1.1": "2", "r-F1-1.2": "3"}, 303),
    ("an outcome page, back", "/assessment/F1-1", {"r-F1-1.1": "1", "go": "back"}, 303),
    ("a group page", "/assessment/group-B", _group_b_rating, 303),
    ("the interests page", "/assessment/interests", {"interests": ["A11", "A12"]}, 303),
    ("a tap: rating", "/assessment/save", {"name": "r-F1-1.3", "value": "2", "page": "F1-1"}, 200),
    ("a tap: job question", "/assessment/save", {"name": "c-writing", "value": "no"}, 200),
    (
        "a tap: job",
        "/assessment/save",
        {"name": "job_role", "value": "Courier", "page": "job"},
        200,
    ),
    ("a tap: own job title", "/assessment/save", {"name": "job_role_other", "value": "Chef"}, 200),
    ("a tap: interest", "/assessment/save", {"name": "interests", "value": "A11:1"}, 200),
    ("send the answers", "/assessment/submit", {}, 303),
    ("a self-check", "/q/03455/check/B1", {"r-B1-1.1": "2", "r-B1-1.2": "3"}, 303),
    ("a self-check tap", "/q/03455/check/B1/save", {"name": "r-B1-1.1", "value": "3"}, 200),
]


@pytest.mark.parametrize(
    "path, data, status", [p[1:] for p in LEARNER_POSTS], ids=[p[0] for p in LEARNER_POSTS]
)
def test_every_learner_page_post_commits_exactly_once(app, sql, sam, path, data, status):
    _, phone, _ = sam
    data = data(app) if callable(data) else data
    response, statements = post(sql, phone, path, data)
    assert response.status_code == status, response.get_data(as_text=True)
    assert transactions(statements) == 1, statements


def test_changing_sent_answers_and_signing_the_contract_commit_once_each(app, sql, sam):
    learner_id, phone, assessor = sam
    post(sql, phone, "/assessment/submit", {})
    response, statements = post(sql, phone, "/assessment/reopen", {})
    assert response.status_code == 303 and transactions(statements) == 1
    assessor_confirms(assessor, learner_id, VALID)
    assessor_prepares_contract(assessor, learner_id)
    response, statements = post(sql, phone, "/contract", {"name": "Sam Learner"}, "/contract")
    assert response.status_code == 303 and transactions(statements) == 1, statements
    with database(app) as db:
        assert db.execute("SELECT learner_name FROM contracts").fetchone()[0] == "Sam Learner"


def test_answers_and_the_page_to_resume_at_are_one_transaction(app, sql, sam):
    learner_id, phone, _ = sam
    response, statements = post(sql, phone, "/assessment/F1-1", {"r-F1-1.1": "3"})
    assert response.location == "/assessment/F1-2"
    assert transactions(statements) == 1
    begin = next(i for i, s in enumerate(statements) if s.startswith("BEGIN"))
    commit = next(i for i, s in enumerate(statements) if s == "COMMIT")
    resume = next(i for i, s in enumerate(statements) if "SET resume_page" in s)
    assert begin < resume < commit
    with database(app) as db:
        row = learners.learner(db, learner_id)
        assert row["resume_page"] == "F1-2"
        assert learners.answers(db, learner_id).ratings == {"F1:1.1": 3}


# ---- the assessor's writes -------------------------------------------------------------------


def test_adding_a_learner_with_a_job_role_and_an_assessor_is_one_transaction(app, sql):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    _, assessor = staff_client(app, "assessor", "Asha Assessor")
    data = {"name": "Noor Khan", "job_role": "Call Centre Operators", "assessor": assessor["id"]}
    response, statements = post(sql, admin, "/staff/learners", data, "/staff/learners")
    assert response.status_code == 200
    assert transactions(statements) == 1, statements
    with database(app) as db:
        row = db.execute("SELECT name, job_role, assessor_id FROM learners").fetchone()
    assert tuple(row) == ("Noor Khan", "Call Centre Operators", assessor["id"])


def test_a_paste_of_many_learners_is_one_transaction(app, sql):
    client, _ = staff_client(app, "assessor")
    rows = "".join(f"Learner {i:02d},C{i},Cashier\n" for i in range(25))
    response, statements = post(
        sql, client, "/staff/learners/import", {"rows": rows}, "/staff/learners"
    )
    assert response.status_code == 200 and response.data.count(b'class="learner-card"') == 25
    assert transactions(statements) == 1
    with database(app) as db:
        assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 25


def test_each_assessor_post_about_a_learner_commits_at_most_once(app, sql, sam):
    learner_id, phone, assessor = sam
    base = f"/staff/learners/{learner_id}"
    ratings = {f"a-{s}": "2" for s in list(every_statement(app))[:30]}
    steps = [
        (f"{base}/ratings", ratings, base),
        (f"{base}/plan", {"action": "save", "units": VALID}, f"{base}/plan"),
        (f"{base}/plan", {"action": "confirm", "units": VALID}, f"{base}/plan"),
        (f"{base}/assessment-plan", ROW, f"{base}/assessment-plan"),
        (f"{base}/checklist", every_point(), f"{base}/record"),
        (
            f"{base}/record",
            {"name": "Sam Learner", "start_on": START, "planned_end_on": PLANNED_END},
            f"{base}/record",
        ),
        (f"{base}/contract", {"action": "issue"}, f"{base}/contract"),
        (f"{base}/contract", {"action": "sign", "name": "Asha Assessor"}, f"{base}/contract"),
        (
            f"{base}/assessment-plan/1",
            {**ROW, "status": "cancelled", "feedback": "Shop shut"},
            f"{base}/assessment-plan/1",
        ),
    ]
    for path, data, page in steps:
        response, statements = post(sql, assessor, path, data, page)
        assert response.status_code == 303, (path, response.get_data(as_text=True))
        assert transactions(statements) == 1, (path, statements)
    with database(app) as db:
        assert len(learners.assessor_ratings(db, learner_id)) == 30
        assert plans.current_contract(db, learner_id)["assessor_signed_at"]


def every_point() -> dict[str, str]:
    """Every point of the initial-assessment conversation, ticked with a day and a note."""
    from survey.initial_assessment import ITEM_IDS

    data = {}
    for item in ITEM_IDS:
        data |= {f"tick-{item}": "1", f"on-{item}": START, f"notes-{item}": "Agreed"}
    return data


# ---- the admin's Content pages -------------------------------------------------------------------

UNIT_TEXT = "Unit A11\nLO1 Answer calls\n1.1 Answer calls politely\n1.2 Take a message"


def test_the_content_pages_read_each_table_once_and_each_action_commits_once(app, sql):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    response, statements = post(
        sql, admin, "/staff/content/q/03455/import", {"text": UNIT_TEXT}, "/staff/content/q/03455"
    )
    assert response.status_code == 303 and transactions(statements) == 1, statements
    draft = response.location
    for path in ("/staff/content/q/03455", draft, "/staff/content/q/03455/units/A11"):
        response, statements = sql.of(lambda path=path: admin.get(path))
        assert response.status_code == 200, path
        assert transactions(statements) == 0, (path, statements)
        for table in ("staff_sessions", "unit_drafts", "content_imports", "learners", "audit"):
            assert len(reading(statements, table)) <= 1, (path, table, statements)
    page = admin.get(draft).get_data(as_text=True)
    form = {
        "revision": "1",
        "number": "A11",
        "outcomes-0-number": "1",
        "outcomes-0-title": "Answer calls",
        "outcomes-0-criteria-0-number": "1.1",
        "outcomes-0-criteria-0-text": "Answer calls politely",
        "outcomes-0-criteria-0-kind": "performance",
    }
    assert "Answer calls politely" in page
    for action in ("save", "publish"):
        response, statements = post(sql, admin, draft, {**form, "action": action}, draft)
        assert response.status_code == 303, response.get_data(as_text=True)
        assert transactions(statements) == 1, (action, statements)
        form["revision"] = "2"
    restore = "/staff/content/q/03455/units/A11/restore/1"
    response, statements = post(sql, admin, restore, {"current": "2"}, restore)
    assert response.status_code == 303 and transactions(statements) == 1, statements
    with database(app) as db:
        audit = db.execute("SELECT action FROM audit WHERE action LIKE 'unit-%'").fetchall()
    assert [a[0] for a in audit] == ["unit-published", "unit-restored"]


# ---- the centre-wide staff pages of the planning cycle --------------------------------------


def test_the_sampling_report_centre_and_password_pages_read_once_and_commit_once(app, sql, sam):
    learner_id, _, assessor = sam
    assessor_confirms(assessor, learner_id, VALID)
    verifier, _ = staff_client(app, "verifier", "Vera Verifier")
    admin, _ = staff_client(app, "admin", "Ada Admin")
    sample = {"parts": ["record", "F1"], "decision": "agreed", "comment": "Sound"}
    page = f"/staff/learners/{learner_id}/sampling"
    centre = {"name": "Northgate", "review_frequency": "Monthly", "appeals": "Ask"}
    centre |= {"assessor_responsibilities": "Observe", "learner_responsibilities": "Collect"}
    new = "a brand new password 42"
    change = {"current": "correct horse battery staple", "password": new, "confirm": new}
    for client, path, data in (
        (verifier, page, sample),
        (admin, "/staff/centre", centre),
        (verifier, "/staff/account", change),
    ):
        response, statements = post(sql, client, path, data, path)
        assert response.status_code == 303, (path, response.get_data(as_text=True))
        assert transactions(statements) == 1, (path, statements)
    for client, path in (
        (verifier, "/staff/sampling"),
        (verifier, "/staff/sampling.csv"),
        (admin, "/staff/centre"),
        (verifier, "/staff/account"),
        (assessor, "/staff/cohort?view=latest"),
    ):
        response, statements = sql.of(lambda client=client, path=path: client.get(path))
        assert response.status_code == 200, path
        assert transactions(statements) == 0, (path, statements)
        for table in ("learners", "samples", "plans", "settings", "self_checks"):
            assert len(reading(statements, table)) <= 1, (path, table, statements)
