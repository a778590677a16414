"""The first minute on a phone, and shared phones: a welcome, whose record this is, plain
help when the answers or the link change."""

from __future__ import annotations

import math

import pytest
from helpers import csrf, database, dom, learner_client, links, post_form, staff_client, words

from survey.journey import minutes_needed, pages, scale_notes
from survey.qualifications import served
from survey.store import learners, tokens


@pytest.fixture
def sam(app):
    with database(app) as db:
        learner_id, token = learners.create_learner(db, "Sam Learner")
    return learner_id, token


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# ---- the welcome -----------------------------------------------------------------------------


def test_a_new_learner_is_welcomed_before_page_1(app, sam):
    _, token = sam
    client = app.test_client()
    assert client.get(f"/l/{token}").location == "/assessment"
    assert client.get("/assessment").location == "/welcome"
    text = words(html(client, "/welcome"))
    assert "Welcome, Sam" in text
    assert "This is not a test. Nobody passes or fails." in text
    minutes = minutes_needed(served(app), pages(served(app), {}))
    assert f"It takes about {minutes} minutes." in text
    assert "Every answer is kept as you go" in text
    assert "come back later with the same link" in text
    assert 'href="/assessment/job"' in html(client, "/welcome")


def test_a_learner_who_has_started_goes_on_where_they_stopped(app, sam):
    learner_id, token = sam
    client = learner_client(app, token)
    post_form(client, "/assessment/F1-1", {"r-F1-1.1": "2", "go": "next"})
    assert client.get("/assessment").location == "/assessment/F1-2"


def test_the_time_it_takes_counts_the_statements_this_learner_will_see(app, sam, q):
    everything = pages(q, {})
    fewer = pages(q, {"face-to-face": "no", "writing": "no", "outgoing-calls": "no"})
    statements = sum(len(p.statements) for p in everything)
    assert sum(len(p.statements) for p in fewer) < statements
    # about 8 seconds a statement, 5 a job question and a minute and a half for the rest;
    # whole minutes, and past 10 minutes to the nearest 5
    minutes = math.ceil((statements * 8 + len(q.contexts) * 5 + 90) / 60)
    assert minutes > 10
    assert minutes_needed(q, everything) == 5 * round(minutes / 5)
    # a job with no contact with customers' writing, visits or calls: fewer units, less time
    learner_id, token = sam
    with database(app) as db:
        learners.save_contexts(db, learner_id, {c.id: "no" for c in q.contexts}, "test")
    client = learner_client(app, token)
    text = words(html(client, "/welcome"))
    few = minutes_needed(q, pages(q, {c.id: "no" for c in q.contexts}))
    assert few < minutes_needed(q, everything)
    assert f"about {few} minutes" in text


# ---- whose record is this? -------------------------------------------------------------------

LEARNER_PAGES = [
    "/welcome",
    "/assessment/job",
    "/assessment/F1-1",
    "/assessment/review",
    "/q/03455/check/B1",
    "/contract",
    "/my-record",
    "/forget",
]


def header(page: str) -> str:
    return words(page.split("<header")[1].split("</header>")[0].split(">", 1)[1])


@pytest.mark.parametrize("path", LEARNER_PAGES)
def test_every_learner_page_names_the_learner_and_offers_not_you(app, sam, path):
    client = learner_client(app, sam[1])
    page = html(client, path)
    assert header(page) == "Starting Point Sam Not you?"
    bar = page.split("<header")[1].split("</header>")[0]
    assert 'href="/forget"' in bar


def test_the_result_and_check_result_name_the_learner_too(app, submitted_learner):
    client = learner_client(app, submitted_learner[1])
    for path in ("/result", "/q/03455/check/B1/results/1"):
        assert header(html(client, path)) == "Starting Point Sam Not you?"


def test_a_unit_check_says_whose_check_it_is_before_the_first_answer(app, sam):
    client = learner_client(app, sam[1])
    page = html(client, "/q/03455/check/B1")
    whose = page.index("This check is for")
    assert whose < page.index("<fieldset")
    assert "This check is for Sam Learner. Not you?" in words(page[whose - 200 : whose + 400])


def test_a_staff_page_names_the_staff_member_not_a_learner(app, sam):
    assessor, _ = staff_client(app)
    page = html(assessor, "/staff/learners")
    assert "Not you?" not in page


# ---- a change of rating scale ----------------------------------------------------------------


def announced(page: str) -> list[tuple[str, str]]:
    """(the note's words, the statement field that follows it) for each scale note."""
    found, note = [], None
    for element in dom(page).iter():
        if element.tag == "p" and "scale-note" in element.classes:
            note = element.text
        elif element.tag == "fieldset" and "choice" in element.classes and note is not None:
            found.append((note, element["id"]))
            note = None
    return found


def test_a_change_of_rating_scale_is_announced_in_words(app, sam, q):
    client = learner_client(app, sam[1])
    # F1-1 is all "doing"; F1-2 goes knowing, doing, knowing
    assert announced(html(client, "/assessment/F1-1")) == []
    notes = announced(html(client, "/assessment/F1-2"))
    know = (
        "The answers change here. This part is about what you know, so the answers are: "
        "Not yet, A little, Could explain, Could explain with examples."
    )
    do = (
        "The answers change here. This part is about what you do, so the answers are: "
        "Not yet, With help, On my own, Could show evidence now."
    )
    assert notes == [(know, "r-F1-2.1"), (do, "r-F1-2.2"), (know, "r-F1-2.3")]
    # the self-check of B1: doing, then knowing from outcome 2
    notes = announced(html(client, "/q/03455/check/B1"))
    assert notes == [(know, "r-B1-2.1")]


def test_scale_notes_mark_each_change_and_the_first_statement_when_it_differs(q):
    statements = q.unit("F1").statements()
    notes = scale_notes(statements, before="performance")
    kinds = [s.kind for s in statements]
    expected = {
        s.id: s.kind
        for i, s in enumerate(statements)
        if s.kind != (kinds[i - 1] if i else "performance")
    }
    assert notes == expected and notes
    assert scale_notes(statements[:1], before=statements[0].kind) == {}


# ---- the review page -------------------------------------------------------------------------


def test_the_review_page_counts_what_has_no_answer_in_each_section_with_links(app, sam, q):
    learner_id, token = sam
    with database(app) as db:
        learners.save_ratings(db, learner_id, {"F1:1.1": 2, "F1:2.1": 1, "F1:2.2": 1}, "test")
        learners.save_contexts(db, learner_id, {"face-to-face": "yes"}, "test")
    client = learner_client(app, token)
    page = html(client, "/assessment/review")
    text = words(page)
    assert "About your job 1 of 16 questions answered. 15 with no answer:" in text
    assert "1 of 3 answered. 2 with no answer:" in text  # F1 outcome 1
    assert "2 of 3 answered. 1 with no answer:" in text  # F1 outcome 2
    anchored = [link.partition("#") for link in links(page, "/assessment/") if "#" in link]
    by_page: dict[str, list[str]] = {}
    for path, _, anchor in anchored:
        by_page.setdefault(path, []).append(anchor)
    assert by_page["/assessment/F1-1"] == ["r-F1-1.2", "r-F1-1.3"]
    assert by_page["/assessment/F1-2"] == ["r-F1-2.3"]
    # every link goes to a question that is on that page
    for path, anchors in by_page.items():
        target = html(client, path)
        for anchor in anchors:
            assert f'id="{anchor}"' in target, (path, anchor)
    missing = sum(
        1
        for p in pages(q, {"face-to-face": "yes"})
        for s in p.statements
        if s.id not in ("F1:1.1", "F1:2.1", "F1:2.2")
    )
    assert sum(1 for p, _, _ in anchored if p != "/assessment/job") == missing
    assert f"{missing} statements still have no answer" in text


def test_the_staff_list_says_how_many_statements_each_learner_has_answered(app, q):
    assessor, staff = staff_client(app)
    with database(app) as db:
        learner_id, _ = learners.create_learner(db, "Ana Answering")
        learners.assign_assessor(db, learner_id, staff["id"], "test")
        learners.save_contexts(db, learner_id, {"face-to-face": "no"}, "test")
        shown = [s.id for p in pages(q, {"face-to-face": "no"}) for s in p.statements]
        learners.save_ratings(db, learner_id, {sid: 2 for sid in shown[:34]}, "test")
        # an answer to a unit this job no longer opens does not count
        learners.save_ratings(db, learner_id, {"A10:unit": 3}, "test")
    row = html(assessor, "/staff/learners").split("Ana Answering")[1].split("</tr>")[0]
    assert f"Answering · answered 34 of {len(shown)}" in words("<td>" + row)


# ---- the personal code and link --------------------------------------------------------------


@pytest.mark.parametrize(
    "pasted",
    [
        "https://assess.example.org/l/{token}",
        "https://assess.example.org/l/{token}/",
        "  http://localhost:5000/l/{token}?from=sms ",
        "assess.example.org/l/{token}",
        "{pretty}",
    ],
)
def test_the_code_box_accepts_a_whole_pasted_link(app, sam, pasted):
    learner_id, token = sam
    client = app.test_client()
    page = client.get("/code?next=/q/03455/check/B1")
    text = pasted.format(token=token, pretty=tokens.pretty_token(token))
    response = client.post(
        "/code?next=/q/03455/check/B1", data={"csrf_token": csrf(page), "code": text}
    )
    assert response.status_code == 302 and response.location == "/q/03455/check/B1"
    assert "Sam" in client.get("/q/03455/check/B1").get_data(as_text=True)


def test_a_link_that_is_not_a_personal_link_is_still_refused(app, sam):
    client = app.test_client()
    page = client.get("/code")
    response = client.post(
        "/code", data={"csrf_token": csrf(page), "code": "https://assess.example.org/l/nope/"}
    )
    assert response.status_code == 400
    assert "That code was not recognised" in response.get_data(as_text=True)


def test_a_personal_link_with_a_trailing_slash_works(app, sam):
    client = app.test_client()
    response = client.get(f"/l/{sam[1]}/")
    assert response.status_code == 302 and response.location == "/assessment"
    assert client.get("/welcome").status_code == 200


def test_the_link_does_not_work_page_offers_to_enter_the_code(app):
    response = app.test_client().get("/l/not-a-real-link")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This link does not work" in page
    assert dom(page).find("a", class_="button", href="/code").text == "Enter my personal code"
