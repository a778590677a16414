"""What a learner reads: plain words, the same words as the staff see, times where they live."""

from __future__ import annotations

import pytest
from helpers import (
    assessor_confirms,
    assessor_plans,
    assessor_prepares_contract,
    database,
    headings,
    headings_in_order,
    learner_client,
    staff_client,
    words,
)

from survey import store

VALID = ["A3", "B2", "C3", "D1"]
ROW = {
    "units": ["F1", "B2"],
    "observed_when": "Tuesday morning",
    "observed_where": "Front desk",
    "activity": "Greeting visitors",
    "evidence": ["observation", "witness"],
}


@pytest.fixture
def sent(app):
    """A learner who answered and sent their answers, with an assessor of their own."""
    assessor, staff = staff_client(app)
    with database(app) as db:
        learner_id, token = store.create_learner(db, "Sam Learner")
        store.assign_assessor(db, learner_id, staff["id"], "test")
        q = app.extensions["qualification"]
        store.save_ratings(db, learner_id, {s.id: 2 for s in q.statements()}, "test")
        store.submit(db, learner_id, "test")
    return learner_id, learner_client(app, token), assessor


def test_the_learners_contract_uses_the_staff_words_and_headings_in_order(sent):
    learner_id, learner, assessor = sent
    assessor_confirms(assessor, learner_id, VALID)
    assessor_plans(assessor, learner_id, ROW)
    assessor_prepares_contract(assessor, learner_id)
    staff_copy = words(assessor.get(f"/staff/learners/{learner_id}/contract").get_data(True))
    page = learner.get("/contract").get_data(as_text=True)
    mine = words(page)
    assert "Greeting visitors, Front desk, Tuesday morning (Observation, Witness testimony)" in mine
    assert "(Observation, Witness testimony)" in staff_copy
    assert "observation, witness" not in mine
    assert headings_in_order(page), headings(page)
