"""What a learner reads: plain words, the same words as the staff see, times where they live."""

from __future__ import annotations

import pytest
from helpers import (
    ROW,
    VALID,
    answer,
    assessor_confirms,
    assessor_plans,
    assessor_prepares_contract,
    database,
    every_statement,
    headings,
    headings_in_order,
    learner_and_assessor,
    learner_client,
    words,
)

from survey.store import learners


@pytest.fixture
def sent(app):
    """A learner who answered and sent their answers, with an assessor of their own."""
    learner_id, learner, assessor = learner_and_assessor(app)
    answer(app, learner_id, every_statement(app))
    return learner_id, learner, assessor


def test_the_learners_contract_uses_the_staff_words_and_headings_in_order(sent):
    learner_id, learner, assessor = sent
    assessor_confirms(assessor, learner_id, VALID)
    assessor_plans(assessor, learner_id, ROW)
    assessor_prepares_contract(assessor, learner_id)
    staff_copy = words(assessor.get(f"/staff/learners/{learner_id}/contract").get_data(True))
    page = learner.get("/contract").get_data(as_text=True)
    mine = words(page)
    contract = mine.split("Your learning contract", 2)[2].split("Coming up")[0]
    for part in (
        "F1 Communicate using customer service language (4 credits)",
        "from 11 January 2027 to 30 September 2027 (planned)",
        "Your assessor will: Help you plan and organise your workload and evidence",
        "How to appeal against an assessment decision:",
    ):
        assert part in contract and part in staff_copy, part
    assert (
        "16 March 2027, morning shift: Greeting visitors at Front desk, watched by your assessor"
        in mine
    )
    assert "2027-" not in mine and "observation" not in mine
    assert headings_in_order(page), headings(page)


# ---- times and dates -----------------------------------------------------------------------

LATE = "2026-06-30T23:30:00+00:00"  # half past midnight on 1 July in London (summer time)


def finished_check_at(app, learner_id: int, when: str) -> int:
    with database(app) as db:
        check = learners.open_check(db, learner_id, "B1")
        learners.save_check_ratings(db, check, {"B1:1.1": 2}, "test")
        learners.finish_check(db, check, "test")
        db.execute("UPDATE self_checks SET finished_at = ? WHERE id = ?", [when, check["id"]])
        db.execute("UPDATE audit SET at = ? WHERE learner_id = ?", [when, learner_id])
    return check["id"]


def test_learner_pages_show_times_in_the_centres_time_zone_and_dates_in_words(sent):
    learner_id, learner, _ = sent
    check_id = finished_check_at(learner.application, learner_id, LATE)
    result = words(learner.get(f"/q/03455/check/B1/results/{check_id}").get_data(as_text=True))
    assert "checked 1 July 2026" in result
    assert "2026-06-30" not in result and "2026-07-01" not in result
    again = words(learner.get("/q/03455/check/B1").get_data(as_text=True))
    assert "Your last check was on 1 July 2026." in again
    record = words(learner.get("/my-record").get_data(as_text=True))
    assert "1 July 2026 at 00:30" in record
    assert "23:30" not in record


@pytest.fixture
def new_york(tmp_path):
    from survey import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE": str(tmp_path / "ny.db"),
            "TIME_ZONE": "America/New_York",
        }
    )


def test_the_time_zone_is_a_setting(new_york):
    with database(new_york) as db:
        learner_id, token = learners.create_learner(db, "Nina York")
    learner = learner_client(new_york, token)
    check_id = finished_check_at(new_york, learner_id, LATE)
    result = words(learner.get(f"/q/03455/check/B1/results/{check_id}").get_data(as_text=True))
    assert "checked 30 June 2026" in result
    record = words(learner.get("/my-record").get_data(as_text=True))
    assert "30 June 2026 at 19:30" in record


def test_the_contract_signatures_are_dated_in_words(sent):
    learner_id, learner, assessor = sent
    assessor_confirms(assessor, learner_id, VALID)
    assessor_prepares_contract(assessor, learner_id, sign_as="Asha Assessor")
    with database(learner.application) as db:
        db.execute(
            "UPDATE contracts SET assessor_signed_at = ? WHERE learner_id = ?", [LATE, learner_id]
        )
    text = words(learner.get("/contract").get_data(as_text=True))
    assert "Signed “Asha Assessor” on 1 July 2026 at 00:30" in text


def test_an_unknown_time_zone_stops_the_app_with_one_line(tmp_path):
    from survey import create_app
    from survey.db import StartupError

    with pytest.raises(StartupError, match="TIME_ZONE 'Mars/Olympus' is not a time zone"):
        create_app(
            {
                "SECRET_KEY": "t",
                "DATABASE": str(tmp_path / "x.db"),
                "TIME_ZONE": "Mars/Olympus",
                "TESTING": True,
            }
        )


# ---- plain words -------------------------------------------------------------------------------


@pytest.fixture
def reader(app):
    """A learner part way through, who has just opened the pages a learner reads."""
    with database(app) as db:
        learner_id, token = learners.create_learner(db, "Rae Reader")
        learners.save_ratings(db, learner_id, {"F1:1.1": 2}, "test")
    return learner_client(app, token)


READ_BY_LEARNERS = [
    "/",
    "/q/03455/units/A1",
    "/q/03455/units/B1",
    "/q/03455/check/A1",
    "/q/03455/check/B1",
    "/assessment/group-B",
]


@pytest.mark.parametrize("path", READ_BY_LEARNERS)
def test_learner_pages_say_what_will_happen_not_criteria_to_come(reader, path):
    text = words(reader.get(path).get_data(as_text=True)).lower()
    assert "criteria" not in text and "criterion" not in text


def test_a_unit_awaiting_its_details_says_what_will_happen(reader):
    assert "your centre will add the details" in words(reader.get("/").get_data(True))
    check = words(reader.get("/q/03455/check/A1").get_data(as_text=True))
    assert "For now you check this unit as a whole." in check
    assert "Your centre will add its detailed statements later" in check


@pytest.mark.parametrize("path", ["/q/03455/units/B1", "/q/03455/check/B1"])
def test_a_source_cut_short_is_explained_once_for_the_unit(reader, path, q):
    page = reader.get(path).get_data(as_text=True)
    text = words(page)
    note = "Some statements end in “…” because the words were cut off in our copy of this unit."
    assert text.count(note) == 1
    assert text.index(note) < text.index("I can")
    cut = [c for c in q.unit("B1").criteria if c.uncertain]
    assert len(cut) == 7
    for c in cut:
        assert c.statement.endswith("…") and c.statement in text
    assert "source document" not in text


@pytest.mark.parametrize("path", ["/q/03455/units/B1", "/q/03455/check/B1"])
def test_outcome_titles_speak_to_the_learner(reader, path):
    page = reader.get(path).get_data(as_text=True)
    titles = [t for level, t in headings(page) if t.startswith("Learning outcome")]
    assert titles == [
        "Learning outcome 1: Do your job in a customer-friendly way",
        "Learning outcome 2: Know how to do your job in a customer-friendly way",
    ]


def test_the_learners_own_record_is_in_plain_words(sent):
    learner_id, learner, assessor = sent
    assessor_confirms(assessor, learner_id, VALID)
    result = words(learner.get("/result").get_data(as_text=True))
    assert "record of changes" not in result
    assert "Everything we keep about you" in result
    page = learner.get("/my-record").get_data(as_text=True)
    assert headings(page)[0] == (1, "Everything we keep about you")
    text = words(page)
    assert "Asha Assessor (your assessor) Confirmed your units: A3, B2, C3 and D1" in text
    assert "Asha Assessor (your assessor) Changed the planned units: A3, B2, C3 and D1" in text
    assert "staff:" not in text and "learner:" not in text
