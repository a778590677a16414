"""The rules on posted data, tested on the forms themselves (no HTTP); and one rule for the web
and the command line: both accept exactly the same emails, passwords, names and job roles."""

from __future__ import annotations

import pytest
from helpers import database, post_form, staff_client
from werkzeug.datastructures import MultiDict

from survey.forms import (
    OTHER_ROLE,
    AnswerRefused,
    LearnerFields,
    StaffFields,
    assessor_field_name,
    context_field_name,
    context_of_field,
    job_form,
    job_role_fields,
    rating_field_name,
    read_learner_lines,
    read_one_answer,
    statement_of_assessor_field,
    statement_of_field,
)
from survey.profile import ProfileError, read_profile
from survey.qualifications import served
from survey.scoring import RATINGS

# ---- the field-name codec -----------------------------------------------------------------


@pytest.mark.parametrize("statement_id", ["F1:1.2", "B1:1.10", "A11:unit", "301:2.2a"])
def test_a_rating_field_name_reads_back_as_its_statement(statement_id):
    assert statement_of_field(rating_field_name(statement_id)) == statement_id
    assert statement_of_assessor_field(assessor_field_name(statement_id)) == statement_id
    assert rating_field_name("F1:1.2") == "r-F1-1.2"


def test_a_context_field_name_reads_back_and_other_names_are_not_fields():
    assert context_of_field(context_field_name("face-to-face")) == "face-to-face"
    assert statement_of_field("c-writing") is None and context_of_field("r-F1-1.1") is None


# ---- one answer, as the background saver posts it -------------------------------------------


@pytest.mark.parametrize(
    "name, value, kept",
    [
        ("r-F1-1.1", "0", ("rating", "F1:1.1", 0)),
        ("r-A11-unit", "3", ("rating", "A11:unit", 3)),
        ("c-writing", "sometimes", ("context", "writing", "sometimes")),
        ("job_role", "Courier", ("job_role", "", "Courier")),
        ("job_role", OTHER_ROLE, ("job_role", "", OTHER_ROLE)),
        ("job_role", "", ("job_role", "", "")),
        ("job_role_other", "  Barista ", ("job_role_other", "", "Barista")),
        ("interests", "A11:1", ("interest", "A11", True)),
        ("interests", "A11:0", ("interest", "A11", False)),
    ],
)
def test_one_answer_is_read_into_what_is_kept(q, name, value, kept):
    answer = read_one_answer(q, name, value)
    assert (answer.kind, answer.item, answer.value) == kept


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("r-F1-1.1", "4", "A rating must be one of the four choices."),
        ("r-F1-1.1", " 2", "A rating must be one of the four choices."),
        ("r-ZZ-1.1", "2", "That statement is not part of this assessment."),
        ("c-writing", "often", "Choose yes, sometimes or no."),
        ("c-nope", "yes", "That question is not part of this assessment."),
        ("job_role", "Astronaut", "Choose a job from the list, or Something else."),
        ("job_role_other", "x" * 101, "Keep your job title under 100 characters."),
        ("interests", "ZZ9:1", "That unit is not part of this qualification."),
        ("interests", "A11:yes", "That unit is not part of this qualification."),
        ("learner_id", "2", "That answer could not be saved: unknown field."),
    ],
)
def test_a_wrong_answer_is_refused_with_a_reason(q, name, value, message):
    with pytest.raises(AnswerRefused, match=message):
        read_one_answer(q, name, value)


def test_a_tapped_job_keeps_or_drops_the_learners_own_words(q):
    listed = read_one_answer(q, "job_role", "Courier")
    assert listed.job(OTHER_ROLE, "Barista") == ("Courier", "")
    other = read_one_answer(q, "job_role", OTHER_ROLE)
    assert other.job(OTHER_ROLE, "Barista") == (OTHER_ROLE, "Barista")
    words = read_one_answer(q, "job_role_other", "Chef")
    assert words.job("Courier", "") == (OTHER_ROLE, "Chef")
    assert read_one_answer(q, "job_role_other", "").job("Courier", "") == ("Courier", "")


def test_the_job_page_shows_the_saved_job_and_answers(app, q):
    with app.test_request_context():
        form = job_form(q, {"writing": "no"}, (OTHER_ROLE, "Barista"))
        assert form.job_role.data == OTHER_ROLE and form.job_role_other.data == "Barista"
        assert form[context_field_name("writing")].data == "no"
        assert [c.value for c in form.job_role.choices][:2] == ["", q.roles[0].title]


def test_the_job_page_posted_keeps_own_words_only_for_something_else(app, q):
    data = {"job_role": "Courier", "job_role_other": "Barista"}
    with app.test_request_context(method="POST", data=data):
        form = job_form(q, {})
        form.validate()
        assert form.role_fields() == ("Courier", "")
    data = {"job_role": OTHER_ROLE, "job_role_other": " Barista "}
    with app.test_request_context(method="POST", data=data):
        form = job_form(q, {})
        form.validate()
        assert form.role_fields() == (OTHER_ROLE, "Barista")
    with app.test_request_context(method="POST", data={"job_role": "Astronaut"}):
        form = job_form(q, {})
        form.validate()
        assert form.role_fields() is None  # the saved job stands


# ---- learners as staff add them ---------------------------------------------------------------


def test_a_job_staff_write_is_kept_as_a_listed_role_or_their_words(q):
    assert job_role_fields(q, " Call Centre Operators ") == ("Call Centre Operators", "")
    assert job_role_fields(q, "Cashier") == (OTHER_ROLE, "Cashier")
    assert job_role_fields(q, "  ") == ("", "")


def test_a_learner_line_is_kept_stripped_with_its_job_placed(q):
    line = LearnerFields(
        MultiDict({"name": " Noor Khan ", "candidate_number": " C1 ", "job_role": "Barista"})
    )
    assert line.validate()
    assert line.learner(q) == {
        "name": "Noor Khan",
        "candidate_number": "C1",
        "job_role": OTHER_ROLE,
        "job_role_other": "Barista",
        "qualification": q.code,
    }


def test_pasted_lines_are_checked_as_the_form_checks_one_learner():
    text = "Name,Candidate,Job\nAnn,1,Cook\n\n,2,Cook\n" + "B" * 121 + "\nCy,,\n"
    lines, problems = read_learner_lines(text)
    assert [line.name.data for line, _ in lines] == ["Ann", "Cy"]
    assert problems == [
        "Line 4: no name, so it was skipped.",
        "Line 5: too long, so it was skipped.",
    ]


# ---- the web and the command line accept exactly the same ----------------------------------

EMAILS = ["x@y.org", " x@y.org ", "a@@b.org", "a@b", "no at sign", "a b@c.org", "@y.org"]
EMAILS += ["e" * 245 + "@centre.org", "e" * 246 + "@centre.org"]
PASSWORDS = ["a" * 11, "a" * 12, "a" * 200, "a" * 201]


def _web_accepts_account(admin, email: str, password: str) -> bool:
    data = {"name": "Pat", "email": email, "password": password, "confirm": password}
    response = post_form(admin, "/staff/users", {**data, "role": "assessor"})
    return response.status_code == 303


def _cli_accepts_account(app, email: str, password: str) -> bool:
    args = ["users", "create", "--role", "assessor", "--email", email, "--name", "Pat"]
    result = app.test_cli_runner().invoke(args=[*args, "--password-stdin"], input=password)
    return result.exit_code == 0


@pytest.mark.parametrize("email", EMAILS)
def test_the_web_and_the_cli_accept_the_same_emails(app, email):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    web = _web_accepts_account(admin, email, "a long enough password")
    with database(app) as db:
        db.execute("DELETE FROM staff WHERE role = 'assessor'")
    assert _cli_accepts_account(app, email, "a long enough password") == web
    form = StaffFields(MultiDict({"name": "Pat", "email": email, "role": "assessor"}))
    form.validate()
    assert (not form.email.errors) == web


@pytest.mark.parametrize("password", PASSWORDS, ids=lambda p: f"{len(p)} characters")
def test_the_web_and_the_cli_accept_the_same_passwords(app, password):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    web = _web_accepts_account(admin, "pat@centre.org", password)
    with database(app) as db:
        db.execute("DELETE FROM staff WHERE role = 'assessor'")
    assert _cli_accepts_account(app, "pat@centre.org", password) == web
    assert web == (12 <= len(password) <= 200)


LEARNERS = [
    ("N" * 120, "", ""),
    ("N" * 121, "", ""),
    ("   ", "", ""),
    ("Ann", "C" * 40, ""),
    ("Ann", "C" * 41, ""),
    ("Ann", "", "J" * 100),
    ("Ann", "", "J" * 101),
    ("Ann", "", "Call Centre Operators"),
]


@pytest.mark.parametrize(
    "name, candidate, role", LEARNERS, ids=[f"{len(n)}-{len(c)}-{len(r)}" for n, c, r in LEARNERS]
)
def test_the_web_the_paste_and_the_cli_accept_the_same_learners(app, name, candidate, role):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    data = {"name": name, "candidate_number": candidate, "job_role": role}
    web = post_form(admin, "/staff/learners", data).status_code == 200
    args = ["learners", "add", name, "--candidate-number", candidate, "--job-role", role]
    cli = app.test_cli_runner().invoke(args=args).exit_code == 0
    pasted, _ = read_learner_lines(f'"{name}","{candidate}","{role}"')
    assert cli == web == bool(pasted)
    with database(app) as db:
        kept = db.execute("SELECT job_role, job_role_other FROM learners").fetchall()
    assert len(kept) == 2 * web
    if web and role:
        assert {tuple(r) for r in kept} == {job_role_fields(served(app), role)}


@pytest.mark.parametrize("rating", [-1, *RATINGS, 4])
def test_a_rating_is_valid_for_the_cli_exactly_when_it_is_for_the_pages(q, rating):
    try:
        read_profile(q, {"ratings": {"F1:1.1": rating}})
        cli = True
    except ProfileError:
        cli = False
    try:
        read_one_answer(q, rating_field_name("F1:1.1"), str(rating))
        web = True
    except AnswerRefused:
        web = False
    assert cli == web == (rating in (0, 1, 2, 3))
