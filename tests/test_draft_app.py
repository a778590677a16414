"""The app serving a draft qualification (imported from CASE, rules still to come) plans nothing."""

from __future__ import annotations

import pytest
from helpers import add_learner, csrf, foreign_package, learner_client, staff_client, write_folder
from helpers import html_of as html

from survey import create_app
from survey.case import from_case
from survey.db import connect
from survey.qualifications import served
from survey.store import learners

NO_RULES = "the rules of combination of CARE2 have not been entered"


@pytest.fixture
def draft_app(tmp_path):
    files = from_case(foreign_package(), code="CARE2").files
    folder = write_folder(tmp_path / "care", files)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(tmp_path / "test.db"),
            "CONTENT": str(folder),
        }
    )


def test_public_pages_show_units_whose_facts_are_still_to_come(draft_app):
    client = draft_app.test_client()
    index = html(client.get("/"))
    assert "HSC1" in index and "Promote communication in care settings" in index
    assert "0 credits" not in index and "Level 0" not in index
    unit = client.get("/q/CARE2/units/HSC1")
    assert unit.status_code == 200
    page = html(unit)
    assert "I can identify different reasons why people communicate" in page
    assert "0 credits" not in page and "Level 0" not in page and "credits to be entered" in page


def test_a_learner_answers_and_their_result_says_no_plan_yet(draft_app):
    db = connect(draft_app.config["DATABASE"])
    try:
        learner_id, token = learners.create_learner(db, "Robin Carer", actor="test")
    finally:
        db.conn.close()
    client = learner_client(draft_app, token)
    first = client.get("/assessment", follow_redirects=True)
    assert first.status_code == 200
    db = connect(draft_app.config["DATABASE"])
    try:
        q = served(draft_app)
        learners.save_ratings(db, learner_id, {s.id: 2 for s in q.statements()}, "t")
        learners.submit(db, learner_id, "t")
    finally:
        db.conn.close()
    result = client.get("/result")
    assert result.status_code == 200
    assert NO_RULES in html(result)


def test_the_plan_page_explains_and_refuses_to_confirm(draft_app):
    client, assessor = staff_client(draft_app, "assessor")
    db = connect(draft_app.config["DATABASE"])
    try:
        learner_id, _ = add_learner(db, "Sam Carer", assessor)
    finally:
        db.conn.close()
    page = client.get(f"/staff/learners/{learner_id}/plan")
    assert page.status_code == 200 and NO_RULES in html(page)
    response = client.post(
        f"/staff/learners/{learner_id}/plan",
        data={"csrf_token": csrf(page), "units": ["HSC2"], "action": "confirm"},
    )
    assert response.status_code == 400 and NO_RULES in html(response)
    db = connect(draft_app.config["DATABASE"])
    try:
        row = db.execute("SELECT confirmed_at FROM plans WHERE learner_id = ?", [learner_id])
        assert [r[0] for r in row.fetchall()] in ([], [None])
    finally:
        db.conn.close()
    report = client.get(f"/staff/learners/{learner_id}")
    assert report.status_code == 200
