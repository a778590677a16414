"""The starting point page tells the learner the truth about their own record, in order."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from helpers import (
    ROW,
    answer,
    assessor_confirms,
    assessor_plans,
    assessor_prepares_contract,
    database,
    every_statement,
    learner_and_assessor,
    learner_client,
    post_form,
    words,
)

from survey.planner import suggest_plans
from survey.profile import Profile
from survey.qualifications import served
from survey.scoring import readiness
from survey.store import learners, plans


class Cards(HTMLParser):
    """The unit cards of a section: number, and the words of the card."""

    def __init__(self, section: str) -> None:
        super().__init__(convert_charrefs=True)
        self.section = section
        self.cards: list[dict] = []
        self._in_section = 0
        self._card = 0
        self._num = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("aria-labelledby") == self.section:
            self._in_section = 1
        elif self._in_section and tag == "section":
            self._in_section += 1
        if self._in_section and tag == "li" and "result" in (attrs.get("class") or "").split():
            self._card = 1
            self.cards.append({"number": "", "text": "", "work_on": []})
        elif self._card and tag == "li":
            self._card += 1
            if "work" in (attrs.get("class") or ""):
                self.cards[-1]["work_on"].append("")
        if self._card and tag == "span" and attrs.get("class") == "num":
            self._num = True

    def handle_endtag(self, tag):
        if self._in_section and tag == "section":
            self._in_section -= 1
        if self._card and tag == "li":
            self._card -= 1
        if tag == "span":
            self._num = False

    def handle_data(self, data):
        if not self._card:
            return
        card = self.cards[-1]
        if self._num:
            card["number"] += data.strip()
        card["text"] += data
        if self._card > 1 and card["work_on"]:
            card["work_on"][-1] += data


def cards(html: str, section: str = "units") -> list[dict]:
    parser = Cards(section)
    parser.feed(html)
    for c in parser.cards:
        c["text"] = " ".join(c["text"].split())
        c["work_on"] = [" ".join(w.split()) for w in c["work_on"]]
    return parser.cards


@pytest.fixture
def world(app):
    """A learner with their assessor; the learner's phone and the assessor's laptop."""
    learner_id, learner, assessor = learner_and_assessor(
        app, incoming_calls="yes", face_to_face="no"
    )
    return app, learner_id, learner, assessor


def page_words(client, path: str) -> str:
    return words(client.get(path).get_data(as_text=True))


# ---- the confirmed units -----------------------------------------------------------------


def test_after_the_assessor_confirms_a_changed_plan_the_learner_sees_the_confirmed_units(world):
    app, learner_id, learner, assessor = world
    q = served(app)
    answer(app, learner_id, every_statement(app))
    suggested = [c["number"] for c in cards(learner.get("/result").get_data(as_text=True))]
    assert suggested[:2] == ["F1", "F2"] and len(suggested) >= 6
    # the assessor takes the suggestion and adds one more unit, then confirms
    extra = next(u.number for u in q.optional_units if u.number not in suggested)
    confirmed = [u.number for u in q.optional_units if u.number in suggested[2:] + [extra]]
    assessor_confirms(assessor, learner_id, confirmed)

    html = learner.get("/result").get_data(as_text=True)
    shown = cards(html)
    assert [c["number"] for c in shown] == ["F1", "F2", *confirmed]
    for card in shown:
        unit = q.unit(card["number"])
        group = q.group(unit.group)
        assert f"{unit.credits} credits" in card["text"]
        assert f"Group {group.id}: {group.title}" in card["text"]
    text = words(html)
    assert "Your assessor confirmed these units" in text
    assert "This is a suggestion" not in text
    total = sum(q.unit(n).credits for n in ["F1", "F2", *confirmed])
    assert f"{total} credits in all" in text
    # the contract the assessor prepares says the same
    assessor_prepares_contract(assessor, learner_id)
    with database(app) as db:
        contract = plans.current_contract(db, learner_id)
    assert [u["number"] for u in contract["content"]["units"]] == [c["number"] for c in shown]


def test_a_plan_changed_after_confirming_is_not_shown_as_confirmed(world):
    app, learner_id, learner, assessor = world
    answer(app, learner_id, every_statement(app))
    assessor_confirms(assessor, learner_id, ["A3", "B2", "C3", "D1"])
    # the assessor starts changing the plan again: a draft until confirmed
    response = post_form(
        assessor,
        f"/staff/learners/{learner_id}/plan",
        {"action": "check", "units": ["A3", "A4", "B2", "C3", "D1"]},
    )
    assert response.status_code == 303
    text = page_words(learner, "/result")
    assert "Your assessor confirmed these units" not in text
    assert "This is a suggestion" in text


# ---- what to work on -------------------------------------------------------------------------


def test_every_statement_to_work_on_is_listed_with_the_learners_own_rating(world):
    app, learner_id, learner, _ = world
    q = served(app)
    ratings = every_statement(app, 3)
    low = {"F1:1.1": 0, "F1:1.2": 1, "F1:2.1": 1, "F1:3.2": 0, "F2:1.3": 1, "F2:2.1": 0}
    ratings.update(low)
    answer(app, learner_id, ratings)
    shown = {c["number"]: c for c in cards(learner.get("/result").get_data(as_text=True))}
    for unit in ("F1", "F2"):
        expected = [
            f"{s.text} ({q.scales.labels(s.kind)[low[s.id]]})"
            for s in q.unit(unit).statements()
            if s.id in low
        ]
        assert shown[unit]["work_on"] == expected
    assert "(A little)" in shown["F1"]["work_on"][2]  # 2.1 is a knowledge statement
    assert shown["F2"]["text"].count("to work on") <= 1


# ---- order: their units first, strengths briefly, only among their units --------------------


def test_the_page_leads_with_the_learners_units_and_counts_strengths_only_among_them(world):
    app, learner_id, learner, _ = world
    q = served(app)
    ratings = every_statement(app, 3)
    for s in q.unit("F1").statements():
        ratings[s.id] = 1  # F1: with help
    answer(app, learner_id, ratings)
    html = learner.get("/result").get_data(as_text=True)
    text = words(html)
    assert text.index("Your suggested units") < text.index("Your strengths")
    mine = [c["number"] for c in cards(html)]
    strengths = text.split("Your strengths")[1].split("What happens next")[0]
    assert f"confident in {len(mine) - 1} of your {len(mine)} units" in strengths
    # units the learner is not taking are not counted, nor their Level 3 units
    for unit in q.units:
        if unit.number not in mine:
            assert f"{unit.number} {unit.title}" not in strengths
    assert "F1" not in strengths


# ---- what happens next -----------------------------------------------------------------------


def steps(client, path: str) -> list[str]:
    """The steps of "What happens next" as 'state: words', in order."""
    html = client.get(path).get_data(as_text=True)
    section = html.split('aria-labelledby="next"')[1].split("</section>")[0]
    items = section.split('<li class="step ')[1:]
    return [words("<li " + i.split("</li>")[0]).split(" ", 1)[0] for i in items]


def now_step(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    section = html.split('aria-labelledby="next"')[1].split("</section>")[0]
    current = section.split('<li class="step now"')[1].split("</li>")[0]
    return words("<li" + current)


def test_what_happens_next_follows_the_real_state_as_the_assessor_acts(world):
    app, learner_id, learner, assessor = world
    answer(app, learner_id, {"F1:1.1": 2}, send=False)
    assert "Answer the questions and send them" in now_step(learner, "/assessment/review")

    answer(app, learner_id, every_statement(app))
    assert "Your assessor talks it through with you" in now_step(learner, "/result")
    assert steps(learner, "/result") == ["Done", "Now", "Later", "Later"]

    assessor_confirms(assessor, learner_id, ["A3", "B2", "C3", "D1"])
    current = now_step(learner, "/result")
    assert "Sign your learning contract" in current
    assert "Your assessor is preparing it" in current
    assert steps(learner, "/result") == ["Done", "Done", "Now", "Later"]

    assessor_plans(assessor, learner_id, ROW)
    assessor_prepares_contract(assessor, learner_id, sign_as="Asha Assessor")
    current = now_step(learner, "/result")
    assert "It is ready: read it and sign it" in current

    page = learner.get("/contract")
    response = post_form(learner, "/contract", {"name": "Sam Learner"})
    assert page.status_code == 200 and response.status_code == 303
    current = now_step(learner, "/result")
    assert "Show your skills at work" in current
    assert steps(learner, "/result") == ["Done", "Done", "Done", "Now"]
    text = page_words(learner, "/result")
    for done in (
        "You sent your answers on",
        "Your assessor confirmed your units on",
        "You signed your learning contract on",
    ):
        assert done in text


def test_another_learners_progress_never_shows(world):
    app, learner_id, learner, assessor = world
    answer(app, learner_id, every_statement(app))
    with database(app) as db:
        other_id, other_token = learners.create_learner(db, "Olive Other")
        learners.save_ratings(db, other_id, every_statement(app, 1), "test")
        learners.submit(db, other_id, "test")
    assessor_confirms(assessor, learner_id, ["A3", "B2", "C3", "D1"])
    other = learner_client(app, other_token)
    text = page_words(other, "/result")
    assert "Your assessor confirmed these units" not in text
    assert "Olive" in text and "Sam" not in text


def test_the_suggested_units_match_the_planner(world):
    app, learner_id, learner, _ = world
    q = served(app)
    ratings = every_statement(app, 2)
    answer(app, learner_id, ratings)
    with database(app) as db:
        contexts = learners.context_answers(db, learner_id)
    profile = Profile(
        job_role="Customer Service Agents",
        contexts=contexts,
        readiness=readiness(q, ratings),
        ratings=ratings,
    )
    best = suggest_plans(q, profile).best
    shown = [c["number"] for c in cards(learner.get("/result").get_data(as_text=True))]
    assert shown == list(best.numbers)
