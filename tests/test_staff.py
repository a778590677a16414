"""The assessor's workspace over HTTP: access, learners, gap report, plan, assessment plan,
learning contract, cohort and audit trail (signing in: test_auth.py)."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import url_for
from helpers import (
    FAST_HASH,
    ROW,
    SETUP,
    VALID,
    add_learner,
    by_id,
    csrf,
    dom,
    dump,
    fields,
    following,
    html_of,
    learner_client,
    links,
    make_staff,
    post,
    ready_for_contract,
    row_with,
    sign_in,
    staff_client,
)
from helpers import plan_row as planned_row

from survey.content import load_qualification
from survey.db import connect, migrate
from survey.planner import suggest_plans
from survey.profile import learner_profile
from survey.qualifications import served
from survey.rules import check_optional
from survey.store import accounts, audit, learners, plans, tokens

CONTENT = Path(__file__).resolve().parent.parent / "content" / "03455"
NO_GROUP_D = ["A3", "A4", "B2", "D1"]  # enough credits, but nothing from Group D


# ---- helpers ------------------------------------------------------------------------------

html = html_of  # a response's body as text


def excel_csv(response) -> list[list[str]]:
    """A CSV download's rows, after checking it is what Excel opens correctly: UTF-8 with a
    byte-order mark."""
    assert response.content_type == "text/csv; charset=utf-8"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), data[:20]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def confirm(db, learner_id: int, staff: dict, units: list[str] = VALID) -> None:
    q = load_qualification(CONTENT)
    plans.confirm_unit_plan(
        db, learner_id, units, staff["id"], f"staff:{staff['id']}", rules_for(q)
    )


def add_row(db, learner_id: int, staff: dict, **changes) -> int:
    return plans.add_plan_row(db, learner_id, planned_row(**changes), staff["id"], "test")


def staff_rules(app, method: str) -> list:
    skip = ("/staff/login", "/staff/logout", "/staff/setup", "/staff/reset")
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if r.rule.startswith("/staff") and method in r.methods and not r.rule.startswith(skip)
        ),
        key=lambda r: r.rule,
    )


def build(app, rule, **ids) -> str:
    # the Content pages', and the qualification an address names
    ids = {"draft_id": 1, "number": "A11", "version": 1, "code": "03455", "fmt": "json", **ids}
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: ids.get(a, 1) for a in rule.arguments})


def plan_row(db, learner_id: int) -> dict | None:
    return next(db.query("SELECT * FROM plans WHERE learner_id = ?", [learner_id]), None)


def learner_confirmed_at(db, learner_id: int) -> str | None:
    return learners.learner(db, learner_id)["plan_confirmed_at"]


def rules_for(q):  # type: ignore[no-untyped-def]
    """The rules check a confirm runs inside its transaction."""
    return functools.partial(check_optional, q)


# ---- access -------------------------------------------------------------------------------


@pytest.fixture
def world(app, db):
    """Two assessors, each with a learner that has a confirmed plan, a plan row and a contract."""
    a = make_staff(db, "assessor", "Alex Assessor")
    b = make_staff(db, "assessor", "Bea Other")
    mine, mine_token = add_learner(db, "Mia Mine", a)
    theirs, theirs_token = add_learner(db, "Theo Theirs", b)
    rows = {}
    for learner_id, staff in ((mine, a), (theirs, b)):
        learners.save_ratings(db, learner_id, {"F1:1.1": 2}, f"learner:{learner_id}")
        confirm(db, learner_id, staff)
        rows[learner_id] = add_row(db, learner_id, staff)
        content = {"qualification": "x", "units": [], "assessment_plan": []}
        plans.issue_contract(db, learner_id, content, staff["id"], "test")
    return {
        "a": a,
        "b": b,
        "mine": mine,
        "theirs": theirs,
        "mine_token": mine_token,
        "theirs_token": theirs_token,
        "rows": rows,
    }


def test_every_staff_page_refuses_anonymous_visitors(app, client, world):
    rules = staff_rules(app, "GET")
    assert len(rules) >= 12
    for rule in rules:
        path = build(app, rule, learner_id=world["mine"])
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location == url_login(path), path


def url_login(path: str) -> str:
    from urllib.parse import quote

    return "/staff/login?next=" + quote(path, safe="/")


def test_a_learner_with_a_personal_link_is_still_anonymous_to_staff_pages(app, world):
    learner = learner_client(app, world["mine_token"])
    assert learner.get("/assessment/job").status_code == 200
    for rule in staff_rules(app, "GET"):
        path = build(app, rule, learner_id=world["mine"])
        response = learner.get(path)
        assert response.status_code == 302 and response.location.startswith("/staff/login"), path


def test_a_learner_cannot_post_to_staff_routes(app, db, world):
    learner = learner_client(app, world["mine_token"])
    token = csrf(learner.get("/forget"))
    before = dump(db)
    for rule in staff_rules(app, "POST"):
        path = build(app, rule, learner_id=world["mine"], row_id=1, staff_id=world["a"]["id"])
        response = learner.post(path, data={"csrf_token": token, "name": "X", "action": "issue"})
        assert response.status_code == 302 and response.location.startswith("/staff/login"), path
    assert dump(db) == before


def test_an_assessor_cannot_open_another_assessors_learner(app, db, world):
    client = app.test_client()
    assert sign_in(client, world["a"]["email"]).status_code == 302
    assert client.get(f"/staff/learners/{world['mine']}").status_code == 200
    token = csrf(client.get("/staff/learners"))
    before = dump(db)
    checked = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "learner_id" not in rule.arguments:
            continue
        path = build(app, rule, learner_id=world["theirs"], row_id=world["rows"][world["theirs"]])
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(
                    path,
                    data={
                        "csrf_token": token,
                        "action": "confirm",
                        "units": VALID,
                        "name": "Someone",
                        "assessor": str(world["a"]["id"]),
                        "a-F1:1.1": "0",
                    },
                )
            # for other roles only (admins, verifiers): refused before the learner is looked up
            others_only = ("staff.assign", "staff.erase_learner", "sampling.change_sample")
            expected = 403 if rule.endpoint in others_only else 404
            assert response.status_code == expected, (method, path, response.status_code)
            checked.append((method, rule.endpoint))
    assert dump(db) == before
    endpoints = {e for _, e in checked}
    assert {
        "staff.learner",
        "staff.plan",
        "staff.plan_check",
        "staff.assessment_plan",
        "staff.plan_row",
        "staff.contract",
        "staff.learner_audit",
        "staff.report_csv",
        "staff.save_ratings",
        "staff.reissue",
        "staff.confirm_reissue",
        "staff.archive",
        "staff.confirm_archive",
        "staff.assign",
        "record.learner_record",
        "record.checklist",
        "record.introduction_page",
        "sampling.learner_sampling",
    } <= endpoints
    learners = html_of(client.get("/staff/learners"))
    assert "Mia Mine" in learners and "Theo Theirs" not in learners


@pytest.mark.parametrize("role", ["admin", "verifier"])
def test_admins_and_verifiers_see_every_learner(app, world, role):
    client, _ = staff_client(app, role)
    page = html_of(client.get("/staff/learners"))
    assert "Mia Mine" in page and "Theo Theirs" in page
    assert "Alex Assessor" in page and "Bea Other" in page  # the assessor column
    for learner_id in (world["mine"], world["theirs"]):
        for tail in ("", "/plan", "/assessment-plan", "/contract", "/audit", "/report.csv"):
            path = f"/staff/learners/{learner_id}{tail}"
            assert client.get(path).status_code == 200, path


# a plausible body for every state-changing POST route under /staff
PAYLOADS = {
    "staff.add_learner": [{"name": "New Person"}],
    "staff.import_learners": [{"rows": "Ann,1,\nBob,2,"}],
    "staff.reissue": [{}],
    "staff.archive": [{}],
    "staff.assign": [{"assessor": "{b}"}],
    "staff.erase_learner": [{"confirm": "Mia Mine"}],
    "staff.save_ratings": [{"a-F1:1.1": "0", "a-F1:1.2": "3"}],
    "staff.plan": [
        {"action": "check", "units": NO_GROUP_D},
        {"action": "confirm", "units": VALID},
        {"action": "use-0"},
    ],
    "staff.assessment_plan": [
        {**ROW, "criteria": "F1:1.1", "evidence": "observation"},
    ],
    "staff.plan_row": [{**ROW, "status": "cancelled", "feedback": "Shop closed"}],
    "staff.reissue_many": [{"learner": "{mine}"}],
    "record.learner_record": [{"name": "Mia Renamed", "email": "mia@example.org"}],
    "record.checklist": [{"tick-level": "1", "on-level": "2027-01-11", "notes-level": "Fine"}],
    "record.centre_page": [{"name": "Sneaky Centre", "review_frequency": "Never"}],
    "auth.reset_link": [{}],
    "staff.contract": [{"action": "issue"}, {"action": "sign", "name": "Vera Verifier"}],
    "staff.users": [
        {
            "name": "Sneaky",
            "email": "sneaky@centre.example",
            "role": "admin",
            "password": "twelve chars or more",
            "confirm": "twelve chars or more",
        }
    ],
    "staff.disable_user": [{}],
    "staff.finish_erasure": [{}],
    "staff.ledger_evidence": [{"ev-F1:1.1": "A certificate"}],
    "staff.ledger_funding": [{"profile": "adult-skills-2025-08"}],
    "staff.ledger_decision": [{"decision": "no-reduction", "reason": "A different setting"}],
    "staff.take_suggestion": [{"suggestion": "discussion-F1"}],
    "staff_workplace.contacts": [
        {"action": "invite", "name": "Pat Manager", "job_title": "Manager"},
        {"action": "revoke", "contact": "1"},
    ],
    "staff_workplace.testimonies": [{"testimony": "1", "decision": "accepted"}],
    "staff.plan_observation": [{"criteria": "F1:1.1"}, {"criteria": "F1:1.1 F1:1.3"}],
    "content.import_unit": [{"text": "Unit A11\nLO1 Answer calls\n1.1 Answer calls politely"}],
    "content.draft": [{"action": "publish", "revision": "1", "number": "A11"}],
    "content.discard": [{}],
    "content.restore": [{"current": "2"}],
    "staff.move_qualification": [{"qualification": "03455", "reason": "Level 3 role"}],
    "catalogue.new": [{"code": "NEW1", "title": "New", "level": "2", "action": "publish"}],
    "catalogue.edit": [{"title": "Changed", "level": "2", "action": "publish"}],
}
READ_ONLY_POSTS = {"staff.plan_check"}  # re-runs the rules on a draft; saves nothing
# what a verifier may change: their own sampling records and their own password
VERIFIERS_OWN = {"sampling.learner_sampling", "sampling.change_sample", "auth.account"}


def test_a_verifier_is_refused_every_state_changing_post(app, db, world):
    client, _ = staff_client(app, "verifier")
    token = csrf(client.get("/staff/learners"))
    rules = staff_rules(app, "POST")
    endpoints = {r.endpoint for r in rules}
    assert endpoints - READ_ONLY_POSTS - VERIFIERS_OWN == set(PAYLOADS), (
        "a new POST route needs a payload here"
    )
    before = dump(db)
    refused = []
    ids = {
        "learner_id": world["mine"],
        "row_id": world["rows"][world["mine"]],
        "staff_id": world["a"]["id"],
    }
    for rule in rules:
        if rule.endpoint in VERIFIERS_OWN:
            continue
        path = build(app, rule, **ids)
        for payload in PAYLOADS.get(rule.endpoint, [{"units": VALID}]):
            data = {
                k: (v.format(b=world["b"]["id"], mine=world["mine"]) if isinstance(v, str) else v)
                for k, v in payload.items()
            }
            response = client.post(path, data={"csrf_token": token, **data})
            if rule.endpoint in READ_ONLY_POSTS:
                assert response.status_code == 200, path
            else:
                assert response.status_code == 403, (path, payload, response.status_code)
                assert "Not for this account" in html_of(response)
                refused.append(path)
    assert len(refused) >= 14
    assert dump(db) == before


def test_a_verifier_sees_no_controls_that_change_things(app, world):
    client, _ = staff_client(app, "verifier")
    learner = html_of(client.get(f"/staff/learners/{world['mine']}"))
    assert "Save my ratings" not in learner and "Reissue personal link" not in learner
    assert "Add a learner" not in html_of(client.get("/staff/learners"))
    assert "Confirm this plan" not in html_of(client.get(f"/staff/learners/{world['mine']}/plan"))
    assert "Sign as assessor" not in html_of(
        client.get(f"/staff/learners/{world['mine']}/contract")
    )


@pytest.mark.parametrize(
    "role, path, status",
    [
        ("admin", "/staff/users", 200),
        ("assessor", "/staff/users", 403),
        ("verifier", "/staff/users", 403),
        ("admin", "/staff/audit", 200),
        ("verifier", "/staff/audit", 200),
        ("assessor", "/staff/audit", 403),
        ("assessor", "/staff/cohort", 200),
        ("verifier", "/staff/cohort", 200),
        ("assessor", "/staff/", 302),
    ],
)
def test_staff_and_audit_pages_are_for_their_roles(app, role, path, status):
    client, _ = staff_client(app, role)
    assert client.get(path).status_code == status


def test_only_an_admin_creates_staff_accounts(app, db):
    admin, _ = staff_client(app, "admin")
    assessor, _ = staff_client(app, "assessor")
    body = {**SETUP, "email": "new@centre.example", "role": "verifier"}
    assert post(assessor, "/staff/users", body).status_code == 403
    assert accounts.staff_by_email(db, "new@centre.example") is None
    response = post(admin, "/staff/users", body, page="/staff/users")
    assert response.status_code == 303 and response.location == "/staff/users"
    created = accounts.staff_by_email(db, "new@centre.example")
    assert created["role"] == "verifier" and created["password_hash"].startswith("scrypt:")
    again = post(admin, "/staff/users", {**body, "email": "NEW@centre.example"}, "/staff/users")
    assert again.status_code == 400
    assert "There is already an account with that email." in html_of(again)
    newcomer = app.test_client()
    assert sign_in(newcomer, "new@centre.example", SETUP["password"]).status_code == 302


def test_the_same_account_created_twice_at_once_is_one_account_and_a_message(app, db):
    """Two admins (or one double tap) create the same account: both pass the "is there
    already one?" look-up while the password hashes, and the second insert met the UNIQUE
    constraint as a 500."""
    admins = [staff_client(app, "admin")[0] for _ in range(2)]
    tokens = [csrf(a.get("/staff/users")) for a in admins]
    body = {**SETUP, "email": "twice@centre.example", "role": "assessor"}
    start = threading.Barrier(2)
    responses: list = [None, None]

    def create(i: int) -> None:
        start.wait()
        responses[i] = admins[i].post("/staff/users", data={"csrf_token": tokens[i], **body})

    threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in responses) == [303, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "There is already an account with that email." in html_of(refused)
    rows = db.execute("SELECT count(*) FROM staff WHERE email = 'twice@centre.example'")
    assert rows.fetchone()[0] == 1


def test_creating_an_account_that_exists_raises_a_typed_error(db):
    make_staff(db, "admin", name="First")
    email = db.execute("SELECT email FROM staff").fetchone()[0]
    with pytest.raises(accounts.StaffExists):
        accounts.create_staff(db, email.upper(), "Second", "assessor", FAST_HASH, "test")
    assert db.execute("SELECT count(*) FROM staff").fetchone()[0] == 1


# ---- learners -----------------------------------------------------------------------------


def card_links(response) -> list[str]:
    """The personal link on each learner's card, as a path."""
    return [a.removeprefix("http://localhost") for a in links(response, "http://localhost/l/")]


def card_link(response) -> str:
    return card_links(response)[0]


def test_adding_a_learner_shows_their_link_code_and_qr_card(app, db):
    client, me = staff_client(app, "assessor")
    response = post(
        client,
        "/staff/learners",
        {"name": "  Sam Learner ", "candidate_number": "C123", "job_role": "Receptionist"},
    )
    assert response.status_code == 200
    body = html_of(response)
    link = card_link(response)
    token = link.removeprefix("/l/")
    assert tokens.pretty_token(token) in body
    assert 'src="data:image/svg+xml;base64,' in body
    row = db.execute("SELECT * FROM learners").fetchone()
    learner = learners.learner(db, row[0])
    assert learner["name"] == "Sam Learner" and learner["candidate_number"] == "C123"
    assert learner["assessor_id"] == me["id"]
    assert learner["token_hash"] == tokens.hash_token(token)
    phone = app.test_client()
    assert phone.get(link).location == "/assessment"
    assert phone.get("/assessment/job").status_code == 200
    assert "Sam Learner" in html_of(client.get("/staff/learners"))


def test_an_assessor_cannot_add_a_learner_for_someone_else(app, db):
    client, me = staff_client(app, "assessor")
    other = make_staff(db, "assessor")
    post(client, "/staff/learners", {"name": "Sam", "assessor": str(other["id"])})
    assert db.execute("SELECT assessor_id FROM learners").fetchone()[0] == me["id"]


def test_an_admin_chooses_the_assessor_of_a_new_learner(app, db):
    client, _ = staff_client(app, "admin")
    other = make_staff(db, "assessor")
    response = post(client, "/staff/learners", {"name": "Sam", "assessor": str(other["id"])})
    assert response.status_code == 200
    assert db.execute("SELECT assessor_id FROM learners").fetchone()[0] == other["id"]


def test_a_learner_needs_a_name(app, db):
    client, _ = staff_client(app, "assessor")
    response = post(client, "/staff/learners", {"name": "  "})
    assert response.status_code == 400 and "Enter the learner&#39;s name." in html_of(response)
    assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 0


def test_csv_paste_adds_the_good_lines_and_says_what_was_skipped(app, db):
    client, me = staff_client(app, "assessor")
    text = (
        "Name, Candidate number, Job role\n"  # a heading line
        "\n"  # a blank line
        ", 999, Cashier\n"  # no name
        "Ann One,1,Cashier\nBob Two,2,\nCal Three\n"
    )
    response = post(client, "/staff/learners/import", {"rows": text})
    assert response.status_code == 200
    body = html_of(response)
    assert "Line 3: no name, so it was skipped." in body
    assert len(dom(body).find_all("li", class_="learner-card")) == 3
    rows = db.execute("SELECT name, candidate_number, assessor_id FROM learners ORDER BY id")
    assert [tuple(r) for r in rows.fetchall()] == [
        ("Ann One", "1", me["id"]),
        ("Bob Two", "2", me["id"]),
        ("Cal Three", "", me["id"]),
    ]
    # the skipped line stored nothing (compare fields: a random token hash may contain "999")
    stored = db.execute("SELECT name, candidate_number, job_role FROM learners").fetchall()
    assert all("999" not in row for row in stored)


@pytest.mark.parametrize(
    "text, message",
    [
        ("A" * 121 + ",1,", "Line 1: too long, so it was skipped."),
        ("Ann,1,\n," + "x" * 5, "Line 2: no name, so it was skipped."),
        ("Ann," + "9" * 41 + ",", "Line 1: too long, so it was skipped."),
    ],
)
def test_csv_paste_skips_bad_lines(app, db, text, message):
    client, _ = staff_client(app, "assessor")
    response = post(client, "/staff/learners/import", {"rows": text})
    assert response.status_code == 200 and message in html_of(response)


def paste(lines: int, start: int = 0) -> str:
    return "".join(f"Learner {i:04d},C{i},Cashier\n" for i in range(start, start + lines))


def request_key(page) -> str:
    """The hidden key a learners form carries, so the same form sent twice adds once."""
    found = fields(page, "request_key")
    assert len(found) == 2 and len(set(found)) == 2, found  # one per form, each its own
    return found[0]


def test_a_500_line_paste_is_one_transaction_and_every_card_works(app, db, monkeypatch):
    client, me = staff_client(app, "assessor")
    transactions = []
    real = learners.immediate

    @contextmanager
    def counted(conn):  # type: ignore[no-untyped-def]
        transactions.append(conn)
        with real(conn) as inner:
            yield inner

    token = csrf(client.get("/staff/learners"))
    monkeypatch.setattr(learners, "immediate", counted)
    response = client.post("/staff/learners/import", data={"csrf_token": token, "rows": paste(500)})
    monkeypatch.setattr(learners, "immediate", real)
    assert response.status_code == 200
    assert len(transactions) == 1  # every learner, role, assessor and audit entry in one
    made = card_links(response)
    assert len(made) == 500 and len(set(made)) == 500
    assert html_of(response).count('src="data:image/svg+xml;base64,') == 500
    rows = db.execute("SELECT name, candidate_number, job_role_other, assessor_id FROM learners")
    assert sorted(tuple(r) for r in rows.fetchall()) == [
        (f"Learner {i:04d}", f"C{i}", "Cashier", me["id"]) for i in range(500)
    ]
    for link in (made[0], made[250], made[-1]):
        assert app.test_client().get(link).location == "/assessment"


def test_a_paste_that_fails_part_way_adds_nobody_and_can_be_sent_again(app, db, monkeypatch):
    """Each learner used to be its own transaction: a failure at line 300 left 299 learners
    whose links nobody ever saw."""
    client, _ = staff_client(app, "assessor")
    page = client.get("/staff/learners")
    data = {"csrf_token": csrf(page), "request_key": request_key(page), "rows": paste(500)}
    real_token = tokens.new_token
    made = {"n": 0}

    def fails_at_300() -> str:
        made["n"] += 1
        if made["n"] == 300:
            raise OSError("the disk is full")
        return real_token()

    monkeypatch.setattr(learners, "new_token", fails_at_300)
    app.logger.disabled = True
    response = client.post("/staff/learners/import", data=data)
    app.logger.disabled = False
    assert response.status_code == 500
    assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == 1  # the staff account
    monkeypatch.setattr(learners, "new_token", real_token)
    again = client.post("/staff/learners/import", data=data)  # the same form, sent again
    assert again.status_code == 200 and html_of(again).count('class="learner-card"') == 500
    assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 500


@pytest.mark.parametrize(
    "path, fields",
    [
        ("/staff/learners", {"name": "Dee Double", "candidate_number": "D1"}),
        ("/staff/learners/import", {"rows": "Dee Double,D1,\nEd Double,E2,\n"}),
    ],
    ids=["add-learner", "paste"],
)
def test_the_same_form_sent_twice_adds_once_and_the_last_cards_work(app, db, path, fields):
    """A refresh of the page of new links (or a double tap) must not add the learners again
    nor change the links just handed out; it says so, and offers new links on purpose."""
    client, _ = staff_client(app, "assessor")
    page = client.get("/staff/learners")
    data = {"csrf_token": csrf(page), "request_key": request_key(page), **fields}
    first = client.post(path, data=data)
    second = client.post(path, data=data)  # the browser's "resend the form?" after a refresh
    assert first.status_code == second.status_code == 200
    names = [r[0] for r in db.execute("SELECT name FROM learners ORDER BY id").fetchall()]
    assert names == (["Dee Double"] if "name" in fields else ["Dee Double", "Ed Double"])
    again = html(second)
    assert "This same form was sent before" in again and "no link was changed" in again
    assert 'class="learner-card"' not in again
    links = re.findall(r'<a href="http://localhost(/l/[a-z0-9]+)">', html(first))
    assert len(links) == len(names)
    for link in links:  # the links shown first still work: nothing was reissued
        assert app.test_client().get(link).location == "/assessment"
    assert [e["action"] for e in audit.all_entries(db)].count("link-reissued") == 0
    # lost or never seen (a double tap shows only the second answer): new links, on purpose
    form = again.split('action="/staff/learners/reissue"', 1)[1].split("</form>", 1)[0]
    ids = re.findall(r'name="learner" value="(\d+)"', form)
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', form).group(1)
    relink = {"csrf_token": csrf(second), "request_key": key, "learner": ids}
    made = client.post("/staff/learners/reissue", data=relink)
    assert made.status_code == 200 and made.data.count(b'class="learner-card"') == len(names)
    for link in links:
        assert app.test_client().get(link).status_code == 404
    new_links = re.findall(r'<a href="http://localhost(/l/[a-z0-9]+)">', html(made))
    # and a refresh of that page makes no newer links either
    assert "no link was changed" in html(client.post("/staff/learners/reissue", data=relink))
    for link in new_links:
        assert app.test_client().get(link).location == "/assessment"
    # a new form (a new key) adds a new learner, even with the same name
    fresh = client.get("/staff/learners")
    client.post(path, data={**data, "csrf_token": csrf(fresh), "request_key": request_key(fresh)})
    assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 2 * len(names)


def test_a_double_tap_at_the_same_moment_adds_one_learner(app, db):
    client, _ = staff_client(app, "assessor")
    page = client.get("/staff/learners")
    data = {"csrf_token": csrf(page), "request_key": request_key(page), "name": "Tap Tap"}
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)  # the same browser
    start = threading.Barrier(2)
    statuses: list[int] = []

    def tap(c) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        statuses.append(c.post("/staff/learners", data=data).status_code)

    threads = [threading.Thread(target=tap, args=(c,)) for c in (client, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200, 200]
    assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 1


def test_another_staff_member_cannot_replay_a_form_key_to_get_fresh_links(app, db):
    client, _ = staff_client(app, "assessor")
    page = client.get("/staff/learners")
    key = request_key(page)
    client.post(
        "/staff/learners", data={"csrf_token": csrf(page), "request_key": key, "name": "Mo"}
    )
    thief, _ = staff_client(app, "assessor")
    token = csrf(thief.get("/staff/learners"))
    response = thief.post(
        "/staff/learners", data={"csrf_token": token, "request_key": key, "name": "Mo"}
    )
    assert "added a moment ago" not in html_of(response)
    rows = db.execute("SELECT name, assessor_id FROM learners ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["Mo", "Mo"] and rows[0][1] != rows[1][1]


def test_reissue_asks_first_then_stops_the_old_link_and_a_refresh_changes_nothing(app, db):
    client, me = staff_client(app, "assessor")
    learner_id, old = add_learner(db, "Sam Learner", me)
    phone = learner_client(app, old)
    gap_report = html(client.get(f"/staff/learners/{learner_id}"))
    assert f'href="/staff/learners/{learner_id}/reissue"' in gap_report  # a link, not a POST
    ask = client.get(f"/staff/learners/{learner_id}/reissue")
    assert ask.status_code == 200
    assert "stop working, on every phone that uses them" in html(ask)
    assert app.test_client().get(f"/l/{old}").location == "/assessment"  # asking changed nothing
    key = re.search(r'name="request_key" type="hidden" value="([^"]+)"', html(ask)).group(1)
    data = {"csrf_token": csrf(ask), "request_key": key}
    response = client.post(f"/staff/learners/{learner_id}/reissue", data=data)
    assert response.status_code == 200
    assert "The old link no longer works." in html_of(response)
    new = card_link(response)
    assert app.test_client().get(f"/l/{old}").status_code == 404
    assert phone.get("/assessment/job").status_code == 302  # the old device is signed out
    assert app.test_client().get(new).location == "/assessment"
    # the page of the new link refreshed: the same form again makes no newer link
    again = client.post(f"/staff/learners/{learner_id}/reissue", data=data)
    assert again.status_code == 200 and "no link was changed" in html(again)
    assert app.test_client().get(new).location == "/assessment"
    actions = [e["action"] for e in audit.entries(db, learner_id)]
    assert actions.count("link-reissued") == 1


def test_archive_asks_first(app, db):
    client, me = staff_client(app, "assessor")
    learner_id, token = add_learner(db, "Ava Archive", me)
    ask = client.get(f"/staff/learners/{learner_id}/archive")
    assert ask.status_code == 200 and "Archive Ava Archive?" in html(ask)
    assert "Everything about them is kept" in html(ask)
    assert learners.learner(db, learner_id)["archived_at"] is None
    data = {"csrf_token": csrf(ask), **button_value(ask, f"/staff/learners/{learner_id}/archive")}
    assert client.post(f"/staff/learners/{learner_id}/archive", data=data).status_code == 303
    assert learners.learner(db, learner_id)["archived_at"] is not None
    assert "Bring Ava Archive back" in html(client.get(f"/staff/learners/{learner_id}/archive"))


def button_value(page, action: str) -> dict[str, str]:
    """The name and value the page's button for this form action sends, if it has one."""
    form = dom(page).find("form", action=action)
    button = next((b for b in form.find_all("button") if b.get("name") and b.get("value")), None)
    return {button["name"]: button["value"]} if button else {}


def test_a_double_tapped_archive_or_restore_does_it_once(app, db):
    """The button toggled whatever the state was by the time each tap arrived: a double tap
    archived the learner and put them straight back."""
    client, me = staff_client(app, "assessor")
    learner_id, _ = add_learner(db, "Dot Double", me)
    action = f"/staff/learners/{learner_id}/archive"
    for expected in ("archived", "unarchived"):
        page = client.get(f"/staff/learners/{learner_id}/archive")  # the page that asks first
        data = {"csrf_token": csrf(page), **button_value(page, action)}
        for _ in range(2):
            assert client.post(action, data=data).status_code == 303
        archived = learners.learner(db, learner_id)["archived_at"] is not None
        assert archived is (expected == "archived")
        actions = [e["action"] for e in audit.entries(db, learner_id)]
        assert actions.count(expected) == 1


def test_a_double_tapped_disable_or_enable_does_it_once(app, db):
    admin, _ = staff_client(app, "admin")
    other = make_staff(db, "assessor")
    action = f"/staff/users/{other['id']}/disable"
    for disabled in (True, False):
        page = admin.get("/staff/users")
        data = {"csrf_token": csrf(page), **button_value(page, action)}
        for _ in range(2):
            assert admin.post(action, data=data).status_code == 303
        assert (accounts.staff_member(db, other["id"])["disabled_at"] is not None) is disabled


def test_archiving_hides_the_learner_and_stops_their_link(app, db):
    client, me = staff_client(app, "assessor")
    learner_id, token = add_learner(db, "Sam Archived", me)
    add_learner(db, "Kim Current", me)
    phone = learner_client(app, token)
    response = post(client, f"/staff/learners/{learner_id}/archive")
    assert response.status_code == 303 and response.location == f"/staff/learners/{learner_id}"
    assert "Sam Archived is archived." in html_of(client.get(response.location))
    current = html_of(client.get("/staff/learners"))
    assert "Sam Archived" not in current and "Kim Current" in current
    assert "Sam Archived" in html_of(client.get("/staff/learners?archived=1"))
    assert app.test_client().get(f"/l/{token}").status_code == 404
    assert phone.get("/assessment/job").status_code == 302  # the phone forgets them
    code = app.test_client()
    page = code.get("/code")
    refused = code.post("/code", data={"csrf_token": csrf(page), "code": token})
    assert refused.status_code == 400
    # restoring brings them back, link and all
    post(client, f"/staff/learners/{learner_id}/archive")
    assert "Sam Archived" in html_of(client.get("/staff/learners"))
    assert app.test_client().get(f"/l/{token}").status_code == 302


def test_an_admin_reassigns_a_learner_to_another_assessor(app, db):
    admin, _ = staff_client(app, "admin")
    first, one = staff_client(app, "assessor")
    second, two = staff_client(app, "assessor")
    learner_id, _ = add_learner(db, "Sam Moving", one)
    assert second.get(f"/staff/learners/{learner_id}").status_code == 404
    response = post(admin, f"/staff/learners/{learner_id}/assessor", {"assessor": str(two["id"])})
    assert response.status_code == 303
    assert learners.learner(db, learner_id)["assessor_id"] == two["id"]
    assert second.get(f"/staff/learners/{learner_id}").status_code == 200
    assert "Sam Moving" in html_of(second.get("/staff/learners"))
    assert first.get(f"/staff/learners/{learner_id}").status_code == 404
    entry = audit.entries(db, learner_id)[-1]
    assert (entry["action"], entry["before"], entry["after"]) == (
        "assessor-assigned",
        str(one["id"]),
        str(two["id"]),
    )


@pytest.mark.parametrize("choice", ["9999", "abc", "{verifier}"])
def test_reassigning_to_someone_not_an_assessor_is_refused(app, db, choice):
    admin, _ = staff_client(app, "admin")
    one = make_staff(db, "assessor")
    verifier = make_staff(db, "verifier")
    learner_id, _ = add_learner(db, "Sam", one)
    value = choice.format(verifier=verifier["id"])
    response = post(admin, f"/staff/learners/{learner_id}/assessor", {"assessor": value})
    assert response.status_code == 400
    assert learners.learner(db, learner_id)["assessor_id"] == one["id"]


# ---- gap report ---------------------------------------------------------------------------


@pytest.fixture
def rated(app, db):
    """An assessor's client and a learner who has answered some statements."""
    client, me = staff_client(app, "assessor")
    learner_id, token = add_learner(db, "Sam Learner", me)
    return client, me, learner_id, token


@pytest.mark.parametrize(
    "statement_id, rating", [("F1:1.1", 2), ("F1:3.2", 0), ("F1:1.3", 3), ("F1:1.2", None)]
)
def test_each_assessor_select_offers_its_scale_with_the_saved_rating_chosen(
    db, rated, q, statement_id, rating
):
    client, me, learner_id, _ = rated
    learners.save_ratings(db, learner_id, {"F1:1.1": 3, "F1:3.2": 1, "F1:1.3": 0}, "test")
    for other, value in [("F1:1.1", 0), ("F1:3.2", 3), ("F1:1.3", 1)]:  # the others differ
        learners.save_assessor_rating(db, learner_id, other, value, me["id"], "test")
    if rating is not None:
        learners.save_assessor_rating(db, learner_id, statement_id, rating, me["id"], "test")
    body = html_of(client.get(f"/staff/learners/{learner_id}"))
    select = dom(body).find("select", name=f"a-{statement_id}", id=f"a-{statement_id}")
    options = select.find_all("option")
    labels = q.scales.labels(q.statement(statement_id).kind)
    assert [(o["value"], o.text) for o in options] == [("", "—")] + [
        (str(i), label) for i, label in enumerate(labels)
    ]
    chosen = [o["value"] for o in options if "selected" in o.attrs]
    assert chosen == ["" if rating is None else str(rating)]


def test_pages_with_many_forms_repeat_no_element_id(rated):
    client, _, learner_id, _ = rated
    for path in (f"/staff/learners/{learner_id}", "/staff/learners"):
        ids = [e["id"] for e in dom(client.get(path)).iter() if "id" in e.attrs]
        assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1]


def test_a_verifier_sees_the_assessors_words_and_no_select(app, db):
    verifier, _ = staff_client(app, "verifier")
    assessor = make_staff(db, "assessor")
    learner_id, _ = add_learner(db, "Sam Learner", assessor)
    learners.save_ratings(db, learner_id, {"F1:1.1": 3}, "test")
    learners.save_assessor_rating(db, learner_id, "F1:1.1", 1, assessor["id"], "test")
    body = html_of(verifier.get(f"/staff/learners/{learner_id}"))
    criteria = by_id(body, "criteria")
    assert criteria.find_all("select") == []
    row = row_with(criteria, "I can recognise typical customers")
    assert row.find_all("td")[-1].text == "With help"


def glance_row(body: str, unit: str):
    """The unit's row of the at-a-glance table."""
    glance = following(body, "glance", "table")
    return next(tr for tr in glance.find_all("tr") if tr.find("a", href=f"#unit-{unit}"))


@pytest.mark.parametrize(
    "rating, band",
    [(0, "Starting out"), (1, "Getting there"), (2, "Confident"), (3, "Ready to show")],
)
def test_gap_report_says_each_band_in_words(db, rated, rating, band):
    client, _, learner_id, _ = rated
    values = {f"F1:1.{i}": rating for i in (1, 2, 3)}
    learners.save_ratings(db, learner_id, values, f"learner:{learner_id}")
    body = html_of(client.get(f"/staff/learners/{learner_id}"))
    cells = [
        (td.children[0].strip(), td.find("span", class_="small").text)
        for td in glance_row(body, "F1").find_all("td", class_="cell")
        if td.find("span", class_="small")
    ]
    assert cells[0] == (band, "3/3")  # LO 1: the three answered criteria
    assert cells[1] == ("Not answered yet", "0/3")  # LO 2: nothing yet
    assert len(cells) == 3  # F1 has three learning outcomes
    assert "Not answered yet" in glance_row(body, "F2").text
    assert all(f'<th scope="col">LO {i}</th>' in body for i in (1, 2, 3))


def test_gap_report_shows_the_learners_words_for_each_rating(db, rated):
    client, _, learner_id, _ = rated
    learners.save_ratings(
        db,
        learner_id,
        {"F1:1.1": 0, "F1:1.2": 1, "F1:1.3": 2, "F1:2.2": 3, "F1:3.1": 3, "F1:3.2": 1},
        "test",
    )
    body = html_of(client.get(f"/staff/learners/{learner_id}"))
    criteria = by_id(body, "criteria")
    for text, label in [
        ("I can recognise typical customers", "Not yet"),
        ("I can discuss customer expectations", "With help"),
        ("I can follow procedures through which", "On my own"),
        ("I can greet customers politely", "Could show evidence now"),
        ("I can identify the differences between an internal", "Could explain with examples"),
        ("I can list my organisation's services or products", "A little"),
    ]:
        row = row_with(criteria, text)
        assert label in [td.text for td in row.find_all("td")], (text, label)


@pytest.mark.parametrize(
    "ratings, contexts, flag",
    [
        ({"B1:unit": 2}, {}, "Simulation not allowed: evidence must come from real work"),
        ({"B1:1.1": 3}, {}, "Simulation not allowed: evidence must come from real work"),
        (
            {"A10:unit": 2},
            {"face-to-face": "no"},
            "No evidence opportunity: the job has no face-to-face work",
        ),
        (
            {"F1:1.1": 0, "F1:1.2": 0, "F1:1.3": 1},
            {},
            "Low readiness: mostly rated \u201cnot yet\u201d",
        ),
    ],
    ids=["B1-summary", "B1-criterion", "no-opportunity", "low-readiness"],
)
def test_gap_report_flags_units_that_are_hard_to_finish(db, rated, ratings, contexts, flag):
    client, _, learner_id, _ = rated
    learners.save_ratings(db, learner_id, ratings, "test")
    learners.save_contexts(db, learner_id, contexts, "test")
    body = html_of(client.get(f"/staff/learners/{learner_id}"))
    unit = next(iter(ratings)).split(":")[0]
    assert flag in glance_row(body, unit).text
    assert f'<p class="flag">{flag}</p>' in body


@pytest.mark.parametrize(
    "ratings, contexts, absent",
    [
        ({"A10:unit": 2}, {"face-to-face": "sometimes"}, "No evidence opportunity"),
        ({"A10:unit": 2}, {}, "No evidence opportunity"),
        ({"F1:1.1": 1, "F1:1.2": 1}, {}, "Low readiness"),
        ({"A10:unit": 2}, {}, "Simulation not allowed"),
    ],
)
def test_gap_report_does_not_flag_units_without_reason(db, rated, ratings, contexts, absent):
    client, _, learner_id, _ = rated
    learners.save_ratings(db, learner_id, ratings, "test")
    learners.save_contexts(db, learner_id, contexts, "test")
    assert absent not in html_of(client.get(f"/staff/learners/{learner_id}"))


def test_saving_assessor_ratings_stores_them_and_flags_disagreement(db, rated):
    client, me, learner_id, _ = rated
    learners.save_ratings(db, learner_id, {"F1:1.1": 3, "F1:1.2": 2}, "test")
    page = f"/staff/learners/{learner_id}"
    assert "Disagree" not in html_of(client.get(page))
    response = post(
        client,
        f"{page}/ratings",
        {"a-F1:1.1": "0", "a-F1:1.2": "2", "a-F2:1.1": "", "a-F1:1.3": "1"},
        page=page,
    )
    assert response.status_code == 303 and response.location == f"{page}#criteria"
    assert learners.assessor_ratings(db, learner_id) == {"F1:1.1": 0, "F1:1.2": 2, "F1:1.3": 1}
    body = html_of(client.get(page))
    assert "Saved 3 ratings." in body
    row = row_with(dom(body), "I can recognise typical customers")
    assert "Disagree" in row.text
    assert body.count('<strong class="flag">Disagree</strong>') == 1
    assert "1 disagreement" in body
    staff_id = db.execute("SELECT DISTINCT staff_id FROM assessor_ratings").fetchall()
    assert staff_id == [(me["id"],)]
    # clearing a rating removes it
    post(client, f"{page}/ratings", {"a-F1:1.1": ""}, page=page)
    assert learners.assessor_ratings(db, learner_id) == {"F1:1.2": 2, "F1:1.3": 1}


@pytest.mark.parametrize(
    "learner, assessor, disagree",
    [
        (3, 0, True),
        (3, 1, True),
        (2, 1, True),
        (1, 2, True),
        (0, 2, True),
        (3, 2, False),
        (0, 1, False),
        (2, 2, False),
    ],
)
def test_disagreement_is_either_side_of_on_my_own_or_two_apart(
    db, rated, learner, assessor, disagree
):
    client, me, learner_id, _ = rated
    learners.save_ratings(db, learner_id, {"F1:1.1": learner}, "test")
    learners.save_assessor_rating(db, learner_id, "F1:1.1", assessor, me["id"], "test")
    body = html_of(client.get(f"/staff/learners/{learner_id}"))
    assert ('<strong class="flag">Disagree</strong>' in body) is disagree


@pytest.mark.parametrize(
    "field, value",
    [
        ("a-F1:1.1", "4"),
        ("a-F1:1.1", "-1"),
        ("a-F1:1.1", "two"),
        ("a-F1:1.1", "1.5"),
        ("a-F9:9.9", "1"),
        ("a-<script>", "1"),
    ],
)
def test_invalid_assessor_ratings_are_refused_and_not_stored(db, rated, field, value):
    client, _, learner_id, _ = rated
    page = f"/staff/learners/{learner_id}"
    response = post(client, f"{page}/ratings", {field: value, "a-F1:1.2": "2"}, page=page)
    assert response.status_code == 303
    assert learners.assessor_ratings(db, learner_id) == {"F1:1.2": 2}
    body = html_of(client.get(page))
    assert "1 rating(s) were not valid and were not saved." in body
    assert "Saved 1 rating." in body


def test_gap_report_csv_has_a_header_and_neutralises_formulas(app, db):
    client, me = staff_client(app, "assessor")
    learner_id, _ = add_learner(db, '=HYPERLINK("http://evil.example","x")', me)
    learners.save_ratings(db, learner_id, {"F1:1.1": 3, "B1:unit": 1}, "test")
    learners.save_assessor_rating(db, learner_id, "F1:1.1", 0, me["id"], "test")
    response = client.get(f"/staff/learners/{learner_id}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="gap-report-{learner_id}.csv"'
    rows = excel_csv(response)
    assert rows[0][:7] == [
        "learner",
        "unit",
        "unit title",
        "statement id",
        "statement",
        "answered under",
        "learner's initial rating",
    ]
    assert rows[0][-5:] == [
        "disagree",
        "workplace says",
        "workplace notes",
        "learner and workplace differ: what to do",
        "hard to finish",
    ]
    body = rows[1:]
    assert all(r[0].startswith("'=HYPERLINK") for r in body)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    first = next(r for r in body if r[3] == "F1:1.1")
    assert first[4] == "I can recognise typical customers and their expectations"
    assert first[5:14] == ["", "3", "Could show evidence now", "", "", "", "0", "Not yet", "yes"]
    b1 = next(r for r in body if r[3] == "B1:unit")
    assert "Simulation not allowed" in b1[-1]


# ---- plan ---------------------------------------------------------------------------------


@pytest.fixture
def planning(app, db):
    client, me = staff_client(app, "assessor")
    learner_id, token = add_learner(db, "Sam Planner", me)
    learners.save_contexts(
        db, learner_id, {"incoming-calls": "yes", "problems": "yes", "face-to-face": "no"}, "test"
    )
    learners.save_ratings(db, learner_id, {"A11:unit": 3, "C3:unit": 2, "F1:1.1": 2}, "test")
    learners.set_interest(db, learner_id, "A11", True, "test")
    return client, me, learner_id, token


def plan_post(client, learner_id: int, data: dict):
    page = f"/staff/learners/{learner_id}/plan"
    return post(client, page, data, page=page)


def best_units(db, learner_id: int, q) -> list[str]:
    row = learners.learner(db, learner_id)
    had = learners.answers(db, learner_id)
    profile = learner_profile(q, row, had.ratings, had.contexts, had.interests)
    return [u.number for u in suggest_plans(q, profile).plans[0].optional]


def test_plan_page_shows_the_suggestion_and_alternatives_with_reasons(db, planning, q):
    client, _, learner_id, _ = planning
    response = client.get(f"/staff/learners/{learner_id}/plan")
    assert response.status_code == 200
    body = html_of(response)
    assert "Best suggestion" in body and "Alternative 1" in body and "Alternative 2" in body
    reasons = [span.text for span in dom(body).find_all("span", class_="reason")]
    assert len(reasons) >= 8 and all(reasons)
    assert "A11" in body.split("Alternative 1")[0]  # the interest and the calls job
    # the working plan starts as the best suggestion, and is not saved until the assessor acts
    for number in best_units(db, learner_id, q):
        assert f'value="{number}" id="u-{number}" checked' in body
    assert "Meets every rule of combination." in body
    assert plans.unit_plan(db, learner_id) is None


def test_check_saves_the_working_plan_and_names_the_missing_group(db, planning):
    client, _, learner_id, _ = planning
    response = plan_post(client, learner_id, {"action": "check", "units": NO_GROUP_D})
    assert response.status_code == 303 and response.location == f"/staff/learners/{learner_id}/plan"
    saved = plans.unit_plan(db, learner_id)
    assert saved["units"] == NO_GROUP_D and saved["confirmed_at"] is None
    body = html_of(client.get(response.location))
    assert "Group D (Handling problems) has no unit yet" in body
    assert "Meets every rule of combination." not in body


@pytest.mark.parametrize(
    "units, message",
    [
        (NO_GROUP_D, "Group D (Handling problems) has no unit yet"),
        (["A3", "B2", "C3"], "Group E (Development and improvement) has no unit yet"),
        (["A1", "B1", "C1", "D5"], "6 more optional credits are needed at Level 2"),
        ([], "Group B (Impression and image) has no unit yet"),
    ],
)
def test_confirming_an_invalid_plan_is_refused(db, planning, units, message):
    client, _, learner_id, _ = planning
    response = plan_post(client, learner_id, {"action": "confirm", "units": units})
    assert response.status_code == 400
    body = html_of(response)
    assert "The plan cannot be confirmed until it meets every rule." in body
    assert message in body
    assert learner_confirmed_at(db, learner_id) is None
    assert plan_row(db, learner_id) is None  # a refused confirm saves nothing


def test_confirming_a_valid_plan_locks_the_learners_answers(app, db, planning):
    client, me, learner_id, token = planning
    phone = learner_client(app, token)
    page_token = csrf(phone.get("/assessment/F1-1"))
    saved = phone.post(
        "/assessment/save",
        data={"csrf_token": page_token, "name": "r-F1-1.2", "value": "1"},
    )
    assert saved.status_code == 200  # before confirming, answers can change
    response = plan_post(client, learner_id, {"action": "confirm", "units": VALID})
    assert response.status_code == 303
    plan = plan_row(db, learner_id)
    assert plan["confirmed_at"] and plan["confirmed_by"] == me["id"]
    assert learner_confirmed_at(db, learner_id) == plan["confirmed_at"]
    assert "Plan confirmed. The learner&#39;s answers are now read-only." in html_of(
        client.get(response.location)
    )
    refused = phone.post(
        "/assessment/save",
        data={"csrf_token": page_token, "name": "r-F1-1.2", "value": "3"},
    )
    assert refused.status_code == 409
    assert "Your assessor has confirmed your plan" in refused.json["error"]
    assert learners.ratings(db, learner_id)["F1:1.2"] == 1
    assert "plan confirmed" in html_of(client.get("/staff/learners/" + str(learner_id)))


def test_a_plan_changed_by_another_assessor_mid_confirm_is_never_confirmed_broken(
    app, db, planning, monkeypatch
):
    """Assessor A confirms a valid plan while assessor B saves one that breaks the rules: B's
    save lands after each transaction of A's request. Whatever ends up saved, a plan marked
    confirmed meets every rule (the confirm checks the rules in the transaction that writes)."""
    from survey.rules import check_plan

    client, _, learner_id, _ = planning
    other = make_staff(db, "admin")
    real = plans.immediate
    state = {"inside": False, "done": 0}

    @contextmanager
    def then_b_saves(conn):  # type: ignore[no-untyped-def]
        with real(conn) as inner:
            yield inner
        if state["inside"] or state["done"]:
            return
        state["inside"] = True
        try:
            b = connect(app.config["DATABASE"])
            plans.save_unit_plan(b, learner_id, NO_GROUP_D, other["id"], f"staff:{other['id']}")
            b.conn.close()
            state["done"] += 1
        finally:
            state["inside"] = False

    page = f"/staff/learners/{learner_id}/plan"
    token = csrf(client.get(page))
    monkeypatch.setattr(plans, "immediate", then_b_saves)
    client.post(page, data={"csrf_token": token, "action": "confirm", "units": VALID})
    monkeypatch.setattr(plans, "immediate", real)
    assert state["done"] == 1  # B's save did land in the middle
    saved = plan_row(db, learner_id)
    units = json.loads(saved["units"])
    q = served(app)
    if saved["confirmed_at"] or learner_confirmed_at(db, learner_id):
        assert check_plan(q, [u.number for u in q.mandatory_units] + units) == [], units
        assert saved["confirmed_at"] == learner_confirmed_at(db, learner_id)
    else:
        assert units == NO_GROUP_D  # B's draft replaced A's confirmed plan, unconfirmed


def test_confirm_through_the_store_refuses_a_plan_that_breaks_the_rules(app, db, planning):
    _, me, learner_id, _ = planning
    q = served(app)
    with pytest.raises(plans.UnitPlanBreaksRules) as refused:
        plans.confirm_unit_plan(db, learner_id, NO_GROUP_D, me["id"], "test", rules=rules_for(q))
    assert "Group D (Handling problems) has no unit yet" in " ".join(
        p.message for p in refused.value.problems
    )
    assert plan_row(db, learner_id) is None and learner_confirmed_at(db, learner_id) is None


def test_changing_a_unit_after_confirming_clears_the_confirmation(db, planning):
    client, _, learner_id, _ = planning
    plan_post(client, learner_id, {"action": "confirm", "units": VALID})
    assert learner_confirmed_at(db, learner_id)
    # saving the same units again keeps the confirmation
    plan_post(client, learner_id, {"action": "check", "units": VALID})
    assert learner_confirmed_at(db, learner_id)
    plan_post(client, learner_id, {"action": "check", "units": ["A3", "B2", "C4", "D1"]})
    assert learner_confirmed_at(db, learner_id) is None
    assert plan_row(db, learner_id)["confirmed_at"] is None
    assert plans.unit_plan(db, learner_id)["units"] == ["A3", "B2", "C4", "D1"]
    assert "Confirmed on" not in html_of(client.get(f"/staff/learners/{learner_id}/plan"))


@pytest.mark.parametrize(
    "units, valid, credits, problem",
    [
        (VALID, True, 30, None),
        (NO_GROUP_D, False, 29, "Group D (Handling problems) has no unit yet"),
        ([], False, 8, "20 more optional credits are needed"),
        (["A1", "B1", "C1", "D5"], False, 28, "6 more optional credits are needed at Level 2"),
        (["A3", "B2", "C2", "D2"], False, 27, "1 more credit is needed in total"),
        (["ZZ9"], False, 8, "ZZ9 is not a unit of this qualification"),
    ],
)
def test_plan_check_answers_in_json_without_saving(db, planning, units, valid, credits, problem):
    client, _, learner_id, _ = planning
    page = f"/staff/learners/{learner_id}/plan"
    token = csrf(client.get(page))
    response = client.post(f"{page}/check", data={"csrf_token": token, "units": units})
    assert response.status_code == 200 and response.is_json
    answer = response.json
    assert set(answer) >= {"valid", "problems", "credits"}
    assert answer["valid"] is valid and answer["credits"] == credits
    if problem:
        assert any(problem in p for p in answer["problems"]), answer["problems"]
    else:
        assert answer["problems"] == []
    assert plans.unit_plan(db, learner_id) is None


def test_use_0_adopts_the_best_suggestion(db, planning, q):
    client, _, learner_id, _ = planning
    response = plan_post(client, learner_id, {"action": "use-0"})
    assert response.status_code == 303
    assert plans.unit_plan(db, learner_id)["units"] == best_units(db, learner_id, q)
    assert learner_confirmed_at(db, learner_id) is None  # adopting is not confirming


@pytest.mark.parametrize(
    "data",
    [
        {"action": "check", "units": ["ZZ9"]},
        {"action": "check", "units": ["A3", "B2", "C3", "D1", "Q7"]},
        {"action": "confirm", "units": ["F1", "A3", "B2", "C3", "D1"]},  # F1 is not optional
        {"action": "use-99"},
        {"action": "use-x"},
    ],
)
def test_unknown_units_or_suggestions_are_400(db, planning, data):
    client, _, learner_id, _ = planning
    response = plan_post(client, learner_id, data)
    assert response.status_code == 400
    assert plans.unit_plan(db, learner_id) is None


# ---- assessment plan rows -----------------------------------------------------------------


@pytest.fixture
def confirmed(app, db):
    client, me = staff_client(app, "assessor")
    learner_id, token = add_learner(db, "Sam Confirmed", me)
    confirm(db, learner_id, me, ["A3", "B1", "C3", "D1"])
    return client, me, learner_id, token


def row_post(client, learner_id: int, data: dict):
    page = f"/staff/learners/{learner_id}/assessment-plan"
    return post(client, page, data, page=page)


def test_adding_an_activity_lists_it_with_its_criteria_across_units_and_the_coverage(db, confirmed):
    client, me, learner_id, _ = confirmed
    data = {**ROW, "criteria": ["F1:1.1", "F1:2.1", "F2:1.1", "A3:unit"]}
    response = row_post(client, learner_id, data)
    assert response.status_code == 303
    assert response.location == f"/staff/learners/{learner_id}/assessment-plan#rows"
    (row,) = plans.assessment_plan_rows(db, learner_id)
    assert row["planned_on"] == "2027-03-16" and row["status"] == "planned"
    assert row["criteria"] == ["F1:1.1", "F1:2.1", "F2:1.1", "A3:unit"]
    assert row["units"] == ["F1", "F2", "A3"]  # worked out from the criteria
    assert row["evidence"] == ["observation", "witness"] and row["created_by"] == me["id"]
    body = html(client.get(f"/staff/learners/{learner_id}/assessment-plan"))
    assert "Added to the assessment plan." in body
    rows_table = body.split('id="rows"')[1]
    for text in ("16 March 2027", "morning shift", "Front desk", ROW["activity"]):
        assert text in rows_table, text
    assert "F1 1.1, 2.1; F2 1.1; A3 as a whole" in rows_table
    coverage = body.split('id="coverage"')[1].split("</table>")[0]
    f1 = re.search(r'<th scope="row">F1 .*?</tr>', coverage, re.S).group(0)
    cells = re.findall(r'<td class="cover-(\w+)( empty)?">(.*?)</td>', f1, re.S)
    assert [(state, re.sub("<[^>]+>", "", text)) for state, _, text in cells] == [
        ("done", "—"),
        ("planned", "2 of 21: 1.1, 2.1"),
        ("none", "19 of 21: 1.2–1.3, 2.2–2.3, 3.1–3.15"),
    ]
    a3 = re.search(r"<tr>\s*<th scope=\"row\">A3 .*?</tr>", coverage, re.S).group(0)
    assert "the unit as a whole" in a3 and 'class="cover-planned"' in a3
    # every confirmed unit is in the coverage, the ones with no activity as "none yet"
    units = re.findall(r'<th scope="row">(\w+) ', coverage)
    assert units == ["F1", "F2", "A3", "B1", "C3", "D1"]


def test_a_double_tapped_activity_is_added_once(db, confirmed):
    client, _, learner_id, _ = confirmed
    path = f"/staff/learners/{learner_id}/assessment-plan"
    page = client.get(path)
    keys = fields(page, "request_key")
    assert len(keys) == 1
    data = {"csrf_token": csrf(page), "request_key": keys[0], **ROW}
    for _ in range(2):
        assert client.post(path, data=data).status_code == 303
    assert len(plans.assessment_plan_rows(db, learner_id)) == 1
    again = client.get(path)  # a new form: a new key, another row
    data = {
        **data,
        "request_key": fields(again, "request_key")[0],
    }
    assert client.post(path, data=data).status_code == 303
    assert len(plans.assessment_plan_rows(db, learner_id)) == 2


def test_only_the_confirmed_units_criteria_can_be_chosen(db, confirmed, q):
    client, _, learner_id, _ = confirmed
    body = html(client.get(f"/staff/learners/{learner_id}/assessment-plan"))
    offered = re.findall(r'name="criteria" type="checkbox" value="([^"]+)"', body)
    expected = [c.id for n in ("F1", "F2") for c in q.unit(n).criteria]
    expected += ["A3:unit"] + [c.id for c in q.unit("B1").criteria] + ["C3:unit", "D1:unit"]
    assert offered == expected
    for criteria in (["A10:unit"], ["F1:1.1", "A10:unit"], ["F1:9.9"]):
        response = row_post(client, learner_id, {**ROW, "criteria": criteria})
        assert response.status_code == 400, criteria
    assert plans.assessment_plan_rows(db, learner_id) == []


def test_an_activity_for_a_learner_without_confirmed_units_covers_the_mandatory_ones(db, rated):
    client, _, learner_id, _ = rated
    body = html(client.get(f"/staff/learners/{learner_id}/assessment-plan"))
    assert "only the mandatory units are covered here" in body
    assert row_post(client, learner_id, {**ROW, "criteria": ["B1:1.1"]}).status_code == 400
    assert row_post(client, learner_id, ROW).status_code == 303


@pytest.mark.parametrize("criteria", [["B1:1.1"], ["F1:1.1", "B1:1.1"]])
def test_simulation_is_refused_for_b1(db, confirmed, criteria):
    client, _, learner_id, _ = confirmed
    data = {**ROW, "criteria": criteria, "evidence": ["observation", "simulation"]}
    response = row_post(client, learner_id, data)
    assert response.status_code == 400
    assert "Simulation is not allowed for B1: evidence must come from real work." in html_of(
        response
    )
    assert plans.assessment_plan_rows(db, learner_id) == []


def test_simulation_is_allowed_where_the_unit_allows_it(db, confirmed):
    client, _, learner_id, _ = confirmed
    data = {**ROW, "criteria": ["F1:1.1"], "evidence": ["simulation"]}
    assert row_post(client, learner_id, data).status_code == 303
    assert plans.assessment_plan_rows(db, learner_id)[0]["evidence"] == ["simulation"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"planned_on": ""}, "Give the date."),
        ({"planned_on": "next Tuesday"}, "Enter a date, e.g. 14/03/2027."),
        ({"observed_where": "  "}, "Say where."),
        ({"activity": ""}, "Say what they will do."),
        ({"criteria": []}, "Pick the criteria this activity will evidence."),
        ({"evidence": []}, "Pick at least one kind."),
        ({"review_on": "2027-03-01"}, "The review comes on or after the day of the activity."),
        ({"observer": "witness"}, "Give the expert witness&#39;s name."),
        ({"observer": "witness", "witness_name": "Pat Supervisor"}, "Give a telephone number"),
        ({"observer": "the boss"}, "Not a valid choice."),
    ],
)
def test_an_activity_with_a_missing_or_wrong_field_is_400_with_a_message(
    db, confirmed, change, message
):
    client, _, learner_id, _ = confirmed
    response = row_post(client, learner_id, {**ROW, **change})
    assert response.status_code == 400 and message in html(response)
    assert plans.assessment_plan_rows(db, learner_id) == []


def test_an_empty_activity_names_every_missing_field(db, confirmed):
    client, _, learner_id, _ = confirmed
    response = row_post(client, learner_id, {"observed_where": "   "})
    body = html(response)
    assert response.status_code == 400
    for message in (
        "Give the date.",
        "Say where.",
        "Say what they will do.",
        "Pick the criteria this activity will evidence.",
        "Pick at least one kind.",
    ):
        assert message in body


def test_an_expert_witness_is_kept_with_their_details(db, confirmed):
    client, _, learner_id, _ = confirmed
    witness = {
        "observer": "witness",
        "witness_name": "Pat Supervisor",
        "witness_role": "Shift supervisor, the learner's line manager",
        "witness_contact": "01234 567890",
    }
    assert row_post(client, learner_id, {**ROW, **witness}).status_code == 303
    (row,) = plans.assessment_plan_rows(db, learner_id)
    assert {k: row[k] for k in witness} == witness
    body = html(client.get(f"/staff/learners/{learner_id}/assessment-plan"))
    assert "Pat Supervisor" in body and "expert witness" in body
    # an assessor's activity keeps no witness, whatever the form sent
    row_post(client, learner_id, {**ROW, "witness_name": "Stray Name"})
    assert plans.assessment_plan_rows(db, learner_id)[1]["witness_name"] == ""


def edit_post(client, learner_id: int, row_id: int, data: dict):
    page = f"/staff/learners/{learner_id}/assessment-plan/{row_id}"
    form = client.get(page)
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', html(form)).group(1)
    return client.post(page, data={"csrf_token": csrf(form), "version": version, **data})


def test_an_activity_is_completed_with_outcome_and_feedback_and_the_coverage_follows(db, confirmed):
    client, me, learner_id, _ = confirmed
    row_id = add_row(db, learner_id, me)
    page = client.get(f"/staff/learners/{learner_id}/assessment-plan/{row_id}")
    assert page.status_code == 200
    body = html(page)
    assert 'value="2027-03-16"' in body and "Greeting visitors" in body
    assert re.search(r'checked[^>]*value="F1:1.1"|value="F1:1.1"[^>]*checked', body)
    done = {
        **ROW,
        "status": "done",
        "completed_on": "2027-03-16",
        "outcome": "met",
        "feedback": "You greeted every visitor and checked what they needed.",
    }
    response = edit_post(client, learner_id, row_id, done)
    assert response.status_code == 303, html(response)
    row = plans.plan_row(db, learner_id, row_id)
    assert (row["status"], row["outcome"], row["completed_on"]) == ("done", "met", "2027-03-16")
    assert row["feedback"] == done["feedback"] and row["updated_by"] == me["id"]
    plan = html(client.get(f"/staff/learners/{learner_id}/assessment-plan"))
    assert "16 March 2027: competent" in plan and done["feedback"] in plan
    coverage = plan.split('id="coverage"')[1].split("</table>")[0]
    f1 = re.search(r'<th scope="row">F1 .*?</tr>', coverage, re.S).group(0)
    assert re.search(r'class="cover-done"><strong>2</strong> of 21: 1.1, 2.1', f1)
    entry = audit.entries(db, learner_id)[-1]
    assert entry["action"] == "assessment-plan-row-changed"
    assert json.loads(entry["before"])["status"] == "planned"
    assert json.loads(entry["after"])["outcome"] == "met"
    words = html(client.get(f"/staff/learners/{learner_id}/audit"))
    assert "status: planned \u2192 done; outcome: none \u2192 competent" in words


@pytest.mark.parametrize(
    "change, message",
    [
        ({"status": "done", "completed_on": "2027-03-16", "feedback": "x"}, "Say what the outcome"),
        ({"status": "done", "completed_on": "2027-03-16", "outcome": "met"}, "Write the feedback"),
        ({"status": "done", "outcome": "met", "feedback": "x"}, "Say when it was done."),
        (
            {"status": "done", "completed_on": "2027-03-01", "outcome": "met", "feedback": "x"},
            "It cannot be done before the day it was planned for.",
        ),
        ({"status": "cancelled"}, "Say why it was cancelled."),
        ({"status": "deleted"}, "Not a valid choice."),
    ],
)
def test_a_done_or_cancelled_activity_needs_what_became_of_it(db, confirmed, change, message):
    client, me, learner_id, _ = confirmed
    row_id = add_row(db, learner_id, me)
    before = plans.plan_row(db, learner_id, row_id)
    response = edit_post(client, learner_id, row_id, {**ROW, **change})
    assert response.status_code == 400 and message in html(response)
    assert plans.plan_row(db, learner_id, row_id) == before


def test_nothing_is_deleted_a_cancelled_activity_stays_with_its_reason(db, confirmed, app):
    client, me, learner_id, _ = confirmed
    keep = add_row(db, learner_id, me, activity="Answering the phone")
    gone = add_row(db, learner_id, me, activity="Handling a complaint")
    change = {**ROW, "activity": "Handling a complaint", "status": "cancelled"}
    change["feedback"] = "The complaints desk closed"
    assert edit_post(client, learner_id, gone, change).status_code == 303
    assert [r["id"] for r in plans.assessment_plan_rows(db, learner_id)] == [keep, gone]
    body = html(client.get(f"/staff/learners/{learner_id}/assessment-plan"))
    cancelled = re.search(r'<tr class="status-cancelled">.*?</tr>', body, re.S).group(0)
    assert "Handling a complaint" in cancelled and "The complaints desk closed" in cancelled
    assert not any("delete" in r.rule or "remove" in r.rule for r in app.url_map.iter_rules())
    # a cancelled activity is no longer "planned" in the coverage
    coverage = body.split('id="coverage"')[1].split("</table>")[0]
    assert "<strong>2</strong> of 21: 1.1, 2.1" in coverage  # the other activity still counts


def test_an_activity_changed_by_someone_else_meanwhile_is_not_overwritten_blindly(db, confirmed):
    client, me, learner_id, _ = confirmed
    row_id = add_row(db, learner_id, me)
    page = f"/staff/learners/{learner_id}/assessment-plan/{row_id}"
    form = client.get(page)  # the first tab
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', html(form)).group(1)
    other, _ = staff_client(app_of(client), "admin", "Ada Admin")
    assert (
        edit_post(other, learner_id, row_id, {**ROW, "observed_where": "Back office"}).status_code
        == 303
    )
    mine = {**ROW, "observed_where": "Reception desk", "version": version}
    response = client.post(page, data={"csrf_token": csrf(form), **mine})
    assert response.status_code == 409
    body = html(response)
    assert "Ada Admin changed this activity while you were editing it" in body
    assert "Back office" in body and 'value="Reception desk"' in body  # nothing lost
    assert plans.plan_row(db, learner_id, row_id)["observed_where"] == "Back office"
    fresh = re.search(r'name="version" type="hidden" value="([^"]*)"', body).group(1)
    again = client.post(page, data={"csrf_token": csrf(form), **mine, "version": fresh})
    assert again.status_code == 303
    assert plans.plan_row(db, learner_id, row_id)["observed_where"] == "Reception desk"


def app_of(client):  # type: ignore[no-untyped-def]
    return client.application


def test_another_learners_activity_is_not_there(db, confirmed):
    client, me, learner_id, _ = confirmed
    other_id, _ = add_learner(db, "Kim Other", me)
    theirs = add_row(db, other_id, me)
    before = plans.plan_row(db, other_id, theirs)
    page = f"/staff/learners/{learner_id}/assessment-plan/{theirs}"
    assert client.get(page).status_code == 404
    token = csrf(client.get("/staff/learners"))
    data = {"csrf_token": token, **ROW, "status": "cancelled", "feedback": "x"}
    assert client.post(page, data=data).status_code == 404
    assert client.get(f"/staff/learners/{learner_id}/assessment-plan/99999").status_code == 404
    assert plans.plan_row(db, other_id, theirs) == before


def test_rows_kept_before_dates_and_criteria_move_forward(tmp_path):
    """A database of the earlier version: its rows keep their words, get a date where the
    words were one, and are planned."""
    from survey.migrations import migrations

    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m009_learner_record")
    db.execute("INSERT INTO learners (name, token_hash, created_at) VALUES ('Old', 'h', 'x')")
    for when in ("2027-02-01", "Tuesday morning"):
        db.execute(
            "INSERT INTO assessment_plan_rows (learner_id, units, observed_when, observed_where, "
            "activity, evidence, created_at, updated_at) VALUES (1, '[\"F1\"]', ?, 'Desk', "
            "'Calls', '[\"observation\"]', 'x', 'x')",
            [when],
        )
    db.conn.close()
    migrate(path)
    db = connect(path)
    try:
        dated, words = plans.assessment_plan_rows(db, 1)
    finally:
        db.conn.close()
    assert (dated["planned_on"], dated["observed_when"]) == ("2027-02-01", "")
    assert (words["planned_on"], words["observed_when"]) == (None, "Tuesday morning")
    assert dated["status"] == words["status"] == "planned" and words["criteria"] == []


# ---- the learner's record and the initial-assessment conversation ----------------------------


def record_post(client, learner_id: int, data: dict):
    page = f"/staff/learners/{learner_id}/record"
    return post(client, page, data, page=page)


def test_the_learners_record_is_edited_and_every_change_audited(app, db, confirmed):
    client, me, learner_id, _ = confirmed
    data = {
        "name": "Sam Confirmed",
        "candidate_number": "4321",
        "job_role": "Barista",
        "email": "sam@example.org",
        "phone": "07700 900123",
        "address": "1 High Street\nNorthtown",
        "employer": "Bean There Ltd",
        "workplace": "Station Road branch",
        "start_on": "2027-01-11",
        "planned_end_on": "2027-09-30",
    }
    response = record_post(client, learner_id, data)
    assert response.status_code == 303
    row = learners.learner(db, learner_id)
    assert {k: row[k] for k in data if k != "job_role"} == {
        k: v for k, v in data.items() if k != "job_role"
    }
    assert (row["job_role"], row["job_role_other"]) == ("other", "Barista")
    page = html(client.get(f"/staff/learners/{learner_id}/record"))
    assert 'value="sam@example.org"' in page and 'value="2027-01-11"' in page
    assert "Barista at Bean There Ltd" in page  # the head of every page about them
    changes = {
        e["subject"]: e for e in audit.entries(db, learner_id) if e["action"] == "record-changed"
    }
    assert set(changes) == set(data) - {"name", "job_role"}
    assert (
        changes["email"]["actor"] == f"staff:{me['id']}"
        and changes["email"]["after"] == data["email"]
    )
    words = html(client.get(f"/staff/learners/{learner_id}/audit"))
    assert "Changed the start date: none \u2192 \u201c11 January 2027\u201d" in words
    assert me["name"] in words and f"staff:{me['id']}" not in words
    # the same form again changes nothing, and says so
    assert record_post(client, learner_id, data).status_code == 303
    assert len([e for e in audit.entries(db, learner_id) if e["action"] == "record-changed"]) == 8


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": ""}, "Enter the learner&#39;s name."),
        ({"email": "not an email"}, "Enter an email address like name@example.org."),
        ({"start_on": "2027-13-40"}, "Enter a date, e.g. 14/03/2027."),
        ({"start_on": "2027-05-01", "planned_end_on": "2027-04-01"}, "The planned end comes after"),
        ({"phone": "9" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_a_wrong_record_is_refused_and_changes_nothing(db, confirmed, change, message):
    client, _, learner_id, _ = confirmed
    before = learners.learner(db, learner_id)
    response = record_post(client, learner_id, {"name": "Sam Confirmed", **change})
    assert response.status_code == 400 and message in html(response)
    assert learners.learner(db, learner_id) == before


def checklist_post(client, learner_id: int, data: dict):
    page = f"/staff/learners/{learner_id}/record"
    return post(client, f"/staff/learners/{learner_id}/checklist", data, page=page)


def every_point(on: str = "2027-01-11") -> dict:
    from survey.initial_assessment import ITEM_IDS

    data = {}
    for item in ITEM_IDS:
        data |= {f"tick-{item}": "1", f"on-{item}": on, f"notes-{item}": f"Talked about {item}"}
    return data


def test_the_conversation_is_ticked_with_dates_and_notes_and_unlocks_the_contract(db, confirmed):
    client, me, learner_id, _ = confirmed
    learners.update_record(
        db, learner_id, {"start_on": "2027-01-11", "planned_end_on": "2027-09-30"}, "test"
    )
    page = html(client.get(f"/staff/learners/{learner_id}/record"))
    for words in (
        "Is taking the right level of qualification",
        "Understands which mandatory units they have to take",
        "Has chosen the optional units they want to take",
        "Understands what they need to know or learn to gain the qualification",
        "Understands what they have to do to collect evidence",
        "Has agreed an assessment plan",
        "Has agreed and signed a learning contract",
    ):
        assert words in page, words
    # the plan point cannot be ticked before there is an activity in the plan
    response = checklist_post(client, learner_id, every_point())
    assert response.status_code == 400
    assert "Add at least one activity to the assessment plan first." in html(response)
    kept = plans.checklist(db, learner_id)
    assert set(kept) == {"level", "mandatory", "optional", "learning", "evidence"}  # kept
    assert kept["level"]["notes"] == "Talked about level" and kept["level"]["on"] == "2027-01-11"
    assert kept["level"]["by"] == me["name"]
    contract = html(client.get(f"/staff/learners/{learner_id}/contract"))
    assert "has agreed an assessment plan" in contract and "Prepare the contract" not in contract
    add_row(db, learner_id, me)
    assert checklist_post(client, learner_id, every_point()).status_code == 303
    contract = html(client.get(f"/staff/learners/{learner_id}/contract"))
    assert "Prepare the contract" in contract
    entry = next(e for e in audit.entries(db, learner_id) if e["subject"] == "plan")
    assert json.loads(entry["after"]) == {
        "ticked": True,
        "on": "2027-01-11",
        "notes": "Talked about plan",
    }
    words = html(client.get(f"/staff/learners/{learner_id}/audit"))
    assert (
        "Initial assessment: ticked \u201cHas agreed an assessment plan\u201d, talked through "
        "on 11 January 2027. Note: Talked about plan"
    ) in words


@pytest.mark.parametrize(
    "change, message",
    [
        ({"notes-level": ""}, "Write a note of what you talked through."),
        ({"on-level": ""}, "Give the day you talked it through."),
        ({"on-level": "yesterday"}, "Enter the day it was talked through"),
        ({"notes-level": "x" * 2001}, "Keep the note under 2000 characters."),
    ],
)
def test_a_point_needs_its_day_and_note(db, confirmed, change, message):
    client, _, learner_id, _ = confirmed
    data = {"tick-level": "1", "on-level": "2027-01-11", "notes-level": "Level 2 fits", **change}
    response = checklist_post(client, learner_id, data)
    assert response.status_code == 400 and message in html(response)
    assert "level" not in plans.checklist(db, learner_id)


def test_the_optional_units_point_waits_for_confirmed_units(db, rated):
    client, _, learner_id, _ = rated
    data = {"tick-optional": "1", "on-optional": "2027-01-11", "notes-optional": "A3, B2"}
    response = checklist_post(client, learner_id, data)
    assert response.status_code == 400
    assert "Confirm the learner&#39;s units on the Units page first." in html(response)


def test_unticking_a_point_is_kept_and_audited(db, confirmed):
    client, me, learner_id, _ = confirmed
    add_row(db, learner_id, me)
    checklist_post(client, learner_id, every_point())
    data = every_point()
    del data["tick-learning"]
    assert checklist_post(client, learner_id, data).status_code == 303
    assert plans.checklist(db, learner_id)["learning"]["ticked"] is False
    assert plans.checklist(db, learner_id)["learning"]["notes"] == "Talked about learning"
    words = html(client.get(f"/staff/learners/{learner_id}/audit"))
    assert "unticked \u201cUnderstands what they need to know or learn" in words


# ---- learning contract --------------------------------------------------------------------


def contract_post(client, learner_id: int, data: dict):
    page = f"/staff/learners/{learner_id}/contract"
    return post(client, page, data, page=page)


def test_the_contract_waits_for_confirmed_units_the_conversation_and_the_dates(db, rated):
    client, me, learner_id, _ = rated
    page = f"/staff/learners/{learner_id}/contract"
    body = html(client.get(page))
    assert "Confirm the learner&#39;s units first" in body
    assert "Finish the initial-assessment conversation" in body
    assert "Enter the programme&#39;s start and planned end dates" in body
    plans.save_unit_plan(db, learner_id, VALID, me["id"], "test")  # a draft is not enough
    assert contract_post(client, learner_id, {"action": "issue"}).status_code == 303
    assert "Confirm the learner&#39;s units first" in html(client.get(page))
    assert plans.contracts(db, learner_id) == []
    confirm(db, learner_id, me)
    ready_for_contract(db, learner_id, me["id"])
    assert contract_post(client, learner_id, {"action": "issue"}).status_code == 303
    assert len(plans.contracts(db, learner_id)) == 1


def sign_as_learner(phone, name: str):
    token = csrf(phone.get("/forget"))  # the contract page has no form once signed
    return phone.post("/contract", data={"csrf_token": token, "name": name})


def test_the_contract_says_units_responsibilities_reviews_dates_and_how_to_appeal(db, confirmed):
    client, me, learner_id, _ = confirmed
    ready_for_contract(db, learner_id, me["id"])
    assert contract_post(client, learner_id, {"action": "issue"}).status_code == 303
    (v1,) = plans.contracts(db, learner_id)
    content = v1["content"]
    assert [u["number"] for u in content["units"]] == ["F1", "F2", "A3", "B1", "C3", "D1"]
    assert content["programme"] == {"start": "2027-01-11", "planned_end": "2027-09-30"}
    assert content["reviews"] == "Every 4 to 6 weeks, and after each assessment"
    assert (
        "Observe you carrying out your job over a period of time"
        in content["responsibilities"]["assessor"]
    )
    assert (
        "Make sure that all the work you hand in is your own"
        in content["responsibilities"]["learner"]
    )
    assert content["appeals"].startswith("If you disagree with an assessment decision")
    assert "assessment_plan" not in content  # the plan lives beside the contract
    body = html(client.get(f"/staff/learners/{learner_id}/contract"))
    for words in (
        "from 11 January 2027 to 30 September 2027 (planned)",
        "Reviews of progress:",
        "Your assessor will:",
        "How to appeal against an assessment decision:",
    ):
        assert words in body, words


def test_contract_is_signed_by_both_as_themselves_and_survives_the_plan_moving_on(
    app, db, confirmed
):
    client, me, learner_id, token = confirmed
    ready_for_contract(db, learner_id, me["id"])
    page = f"/staff/learners/{learner_id}/contract"
    assert contract_post(client, learner_id, {"action": "issue"}).status_code == 303
    assert "Sign as assessor" in html(client.get(page))
    # the typed name must be the signer's own name on record
    response = contract_post(client, learner_id, {"action": "sign", "name": "Alex Assessor"})
    assert response.status_code == 400
    assert f"Type your name as it is on record: {me['name']}." in html(response)
    assert plans.current_contract(db, learner_id)["assessor_signed_at"] is None
    spaced = "  " + me["name"].upper().replace(" ", "   ") + " "  # case and spaces aside
    assert contract_post(client, learner_id, {"action": "sign", "name": spaced}).status_code == 303
    signed = plans.current_contract(db, learner_id)
    assert signed["assessor_name"] == me["name"].upper() and signed["assessor_id"] == me["id"]
    assert "Sign as assessor" not in html(client.get(page))
    # the learner signs on their own phone, with their own name
    phone = learner_client(app, token)
    assert sign_as_learner(phone, "Someone Else").status_code == 400
    assert "Type your name as it is on record: Sam Confirmed." in html(
        sign_as_learner(phone, "Someone Else")
    )
    response = sign_as_learner(phone, "sam confirmed")
    assert response.status_code == 303 and response.location == "/contract"
    assert "you have signed your learning contract" in html_of(phone.get("/contract"))
    v1 = plans.current_contract(db, learner_id)
    assert v1["learner_name"] == "sam confirmed" and v1["learner_signed_at"]
    # adding and completing activities does not make the signed contract out of date
    row_post(client, learner_id, {**ROW, "activity": "Dealing with a complaint"})
    (first, _) = plans.assessment_plan_rows(db, learner_id)
    done = {**ROW, "status": "done", "completed_on": "2027-03-16", "outcome": "met"}
    assert (
        edit_post(client, learner_id, first["id"], {**done, "feedback": "Well done"}).status_code
        == 303
    )
    body = html(client.get(page))
    assert "changed since version 1" not in body and "Prepare a new version" not in body
    assert [c["version"] for c in plans.contracts(db, learner_id)] == [1]
    assert "You signed your learning contract" in html(phone.get("/result"))
    record = html(client.get(f"/staff/learners/{learner_id}/record"))
    assert "Signed by both on" in record  # the conversation's last point


def test_a_member_of_staff_who_is_not_the_learners_assessor_cannot_sign(app, db, confirmed):
    client, me, learner_id, _ = confirmed
    ready_for_contract(db, learner_id, me["id"])
    contract_post(client, learner_id, {"action": "issue"})
    admin, ada = staff_client(app, "admin", "Ada Admin")
    body = html(admin.get(f"/staff/learners/{learner_id}/contract"))
    assert "Sign as assessor" not in body and "Only Sam's assessor signs as assessor" in body
    response = contract_post(admin, learner_id, {"action": "sign", "name": "Ada Admin"})
    assert response.status_code == 400
    assert "Only the learner&#39;s own assessor signs as assessor" in html(response)
    assert plans.current_contract(db, learner_id)["assessor_signed_at"] is None


def test_preparing_again_without_changes_makes_no_new_version(db, confirmed):
    client, me, learner_id, _ = confirmed
    ready_for_contract(db, learner_id, me["id"])
    contract_post(client, learner_id, {"action": "issue"})
    contract_post(client, learner_id, {"action": "issue"})
    assert [c["version"] for c in plans.contracts(db, learner_id)] == [1]


def test_changing_the_units_or_dates_after_signing_needs_a_new_version(app, db, confirmed):
    client, me, learner_id, token = confirmed
    ready_for_contract(db, learner_id, me["id"])
    contract_post(client, learner_id, {"action": "issue"})
    contract_post(client, learner_id, {"action": "sign", "name": me["name"]})
    plan_post(client, learner_id, {"action": "confirm", "units": VALID})
    body = html(client.get(f"/staff/learners/{learner_id}/contract"))
    assert "The units changed since version 1" in body
    contract_post(client, learner_id, {"action": "issue"})
    v2 = plans.current_contract(db, learner_id)
    assert v2["version"] == 2 and [u["number"] for u in v2["content"]["units"]][2:] == VALID
    learners.update_record(db, learner_id, {"planned_end_on": "2027-12-31"}, "test")
    assert "The dates changed since version 2" in html(
        client.get(f"/staff/learners/{learner_id}/contract")
    )
    phone = learner_client(app, token)
    sign_as_learner(phone, "Sam Confirmed")
    assert plans.current_contract(db, learner_id)["learner_signed_at"] is None
    contract_post(client, learner_id, {"action": "sign", "name": me["name"]})
    assert plans.current_contract(db, learner_id)["assessor_signed_at"] is None


def test_new_centre_wording_is_offered_but_a_signed_version_stands(app, db, confirmed):
    client, me, learner_id, token = confirmed
    ready_for_contract(db, learner_id, me["id"])
    contract_post(client, learner_id, {"action": "issue"})
    contract_post(client, learner_id, {"action": "sign", "name": me["name"]})
    sign_as_learner(learner_client(app, token), "Sam Confirmed")
    from survey.store import centre

    centre.save_centre(db, {"appeals": "Write to the centre manager."}, "test")
    body = html(client.get(f"/staff/learners/{learner_id}/contract"))
    assert "The centre's wording (how to appeal) has changed since version 1" in body
    assert "This version stands as signed" in body and "Prepare a new version" in body
    assert "You signed your learning contract" in html(learner_client(app, token).get("/result"))
    contract_post(client, learner_id, {"action": "issue"})
    assert plans.current_contract(db, learner_id)["content"]["appeals"] == (
        "Write to the centre manager."
    )


def test_a_learner_without_a_contract_cannot_sign(app, db, rated):
    _, _, learner_id, token = rated
    phone = learner_client(app, token)
    assert "has not prepared your learning contract yet" in html_of(phone.get("/contract"))
    token_value = csrf(phone.get("/forget"))
    response = phone.post("/contract", data={"csrf_token": token_value, "name": "Sam"})
    assert response.status_code == 404


def test_a_learner_must_type_a_name_to_sign(app, db, confirmed):
    client, me, learner_id, token = confirmed
    ready_for_contract(db, learner_id, me["id"])
    contract_post(client, learner_id, {"action": "issue"})
    phone = learner_client(app, token)
    response = sign_as_learner(phone, "  ")
    assert response.status_code == 400 and "Type your name to sign." in html_of(response)
    assert plans.current_contract(db, learner_id)["learner_signed_at"] is None


@pytest.mark.parametrize(
    "issued, name, statuses",
    [(True, "", {400}), (True, "   ", {400}), (False, "Alex Assessor", {400, 404})],
    ids=["blank-name", "spaces-only", "no-contract-yet"],
)
def test_a_refused_assessor_signature_is_a_400_and_signs_nothing(
    db, confirmed, issued, name, statuses
):
    client, me, learner_id, _ = confirmed
    if issued:
        ready_for_contract(db, learner_id, me["id"])
        contract_post(client, learner_id, {"action": "issue"})
    response = contract_post(client, learner_id, {"action": "sign", "name": name})
    if issued:
        assert "Type your name to sign." in html_of(response)
        assert plans.current_contract(db, learner_id)["assessor_signed_at"] is None
    else:
        assert plans.contracts(db, learner_id) == []
    assert response.status_code in statuses


# ---- cohort -------------------------------------------------------------------------------


@pytest.fixture
def cohort(app, db):
    client, me = staff_client(app, "assessor")
    other = make_staff(db, "assessor")
    ann, _ = add_learner(db, "Ann One", me)
    bob, _ = add_learner(db, "=Bob Formula", me)
    db.execute("UPDATE learners SET candidate_number = '+441234' WHERE id = ?", [bob])
    zed, _ = add_learner(db, "Zed Elsewhere", other)
    learners.save_ratings(db, ann, {"F1:1.1": 0, "F1:1.2": 1, "F2:1.1": 3, "A11:unit": 2}, "t")
    learners.save_ratings(db, bob, {"F1:1.1": 1, "F1:1.2": 3, "F2:1.1": 0}, "t")
    learners.save_ratings(db, zed, {"F1:1.3": 0, "F2:1.2": 0}, "t")
    return client, me, {"ann": ann, "bob": bob, "zed": zed}


def test_heat_map_lists_only_the_assessors_own_learners(cohort):
    client, _, ids = cohort
    response = client.get("/staff/cohort")
    assert response.status_code == 200
    body = html_of(response)
    heat = following(body, "heat", "table")
    assert "Ann One" in heat.text and "=Bob Formula" in heat.text and "Zed Elsewhere" not in body
    names = [th.text for th in heat.find_all("th", scope="col") if th.find("a")]
    assert names == ["=Bob Formula", "Ann One"]  # by name

    def heat_of(statement_id: str) -> list[str]:
        row = next(
            tr
            for tr in heat.find_all("tr")
            if tr.find("th", scope="row") is not None
            and tr.find("th", scope="row").text == statement_id
        )
        return [c.removeprefix("heat-") for td in row.find_all("td") for c in td.classes]

    assert heat_of("F1:1.1") == ["1", "0"]
    assert heat_of("A11:unit") == ["none", "2"]


def test_commonest_gaps_count_the_learners_rating_not_yet_or_with_help(cohort):
    client, _, _ = cohort
    body = html_of(client.get("/staff/cohort"))
    items = [li.text for li in following(body, "gaps", "ol").find_all("li")]
    assert "(F1:1.1) · 2 of 2 learners: not yet or with help" in items[0]
    assert "I can recognise typical customers" in items[0]
    assert any("(F1:1.2) · 1 of 2 learners" in i for i in items)
    assert any("(F2:1.1) · 1 of 2 learners" in i for i in items)
    assert not any("F1:1.3" in i or "F2:1.2" in i or "A11:unit" in i for i in items)


def test_cohort_csv_has_a_row_per_learner_and_a_column_per_statement(cohort, q):
    client, _, ids = cohort
    response = client.get("/staff/cohort.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="cohort-03455.csv"' in response.headers["Content-Disposition"]
    rows = excel_csv(response)
    header = rows[0]
    assert header[:2] == ["learner", "candidate number"]
    # each column says its statement in words, not only its id
    f1 = "F1:1.1 I can recognise typical customers and their expectations"
    a11 = "A11:unit I can deal with incoming telephone calls from customers"
    assert f1 in header and a11 in header and not any(h.startswith("B1:1.1") for h in header)
    assert len(header) == 2 + sum(len(u.statements()) for u in q.mandatory_units) + len(
        q.optional_units
    )
    column = {h.split(" ", 1)[0]: h for h in header[2:]}
    body = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert sorted(body) == ["'=Bob Formula", "Ann One"]
    assert body["'=Bob Formula"]["candidate number"] == "'+441234"
    assert body["Ann One"][f1] == "0" and body["Ann One"][a11] == "2"
    assert body["'=Bob Formula"][column["F1:1.2"]] == "3" and body["'=Bob Formula"][a11] == ""


def test_the_cohort_shows_the_initial_or_the_latest_self_check_ratings(cohort):
    client, _, ids = cohort
    with database_of(client) as db:
        check = learners.open_check(db, ids["ann"], "F1")
        learners.save_check_ratings(db, check, {"F1:1.1": 3}, "t")
        learners.finish_check(db, check, "t")
        unfinished = learners.open_check(db, ids["bob"], "F1")  # not finished: does not count
        learners.save_check_ratings(db, unfinished, {"F1:1.1": 3}, "t")

    def f1_row(body: str) -> list[str]:
        heat = body.split('id="heat"')[1]
        row = re.search(r'<th scope="row" title="[^"]*">F1:1.1</th>(.*?)</tr>', heat, re.S)[1]
        return re.findall(r'<td class="heat-(\w+)">', row)

    initial = html(client.get("/staff/cohort"))
    assert f1_row(initial) == ["1", "0"]  # =Bob Formula, Ann One
    latest = html(client.get("/staff/cohort?view=latest"))
    chosen = dom(latest).find("a", aria_current="page")
    assert chosen.text == "Their latest self-checks"  # the cohort's view, named as a tab
    assert f1_row(latest) == ["1", "3"]
    gaps = latest.split('id="gaps"')[1].split("</ol>")[0]
    assert "(F1:1.1) · 1 of 2 learners" in gaps
    rows = excel_csv(client.get("/staff/cohort.csv?view=latest"))
    column = next(h for h in rows[0] if h.startswith("F1:1.1 "))
    assert {r[0]: dict(zip(rows[0], r))[column] for r in rows[1:]} == {
        "'=Bob Formula": "1",
        "Ann One": "3",
    }


@contextmanager
def database_of(client):
    db = connect(client.application.config["DATABASE"])
    try:
        yield db
    finally:
        db.conn.close()


def test_cohort_cannot_be_widened_to_another_assessors_learner(cohort):
    client, _, ids = cohort
    response = client.get(f"/staff/cohort.csv?learner={ids['zed']}")
    assert "Zed" not in html_of(response)
    assert len(list(csv.reader(io.StringIO(html_of(response))))) == 1
    only_ann = client.get(f"/staff/cohort.csv?learner={ids['ann']}")
    assert [r[0] for r in csv.reader(io.StringIO(html_of(only_ann)))][1:] == ["Ann One"]
    assert "Zed Elsewhere" not in html_of(client.get(f"/staff/cohort?learner={ids['zed']}"))


# ---- audit trail --------------------------------------------------------------------------


def test_every_change_is_in_the_audit_trail_with_who_did_it(app, db, confirmed):
    client, me, learner_id, token = confirmed
    staff_actor, learner_actor = f"staff:{me['id']}", f"learner:{learner_id}"
    phone = learner_client(app, token)
    # the plan was confirmed by the fixture through the store; now through the pages
    plan_post(client, learner_id, {"action": "check", "units": VALID})
    plan_post(client, learner_id, {"action": "confirm", "units": VALID})
    page = f"/staff/learners/{learner_id}"
    post(client, f"{page}/ratings", {"a-F1:1.1": "2"}, page=page)
    row_post(client, learner_id, ROW)
    ready_for_contract(db, learner_id, me["id"], staff_actor)
    contract_post(client, learner_id, {"action": "issue"})
    contract_post(client, learner_id, {"action": "sign", "name": me["name"]})
    sign_as_learner(phone, "Sam Confirmed")

    entries = audit.entries(db, learner_id)
    by_action = {e["action"]: e for e in entries}
    expected = {
        "assessor-rating": staff_actor,
        "plan-changed": staff_actor,
        "plan-confirmed": staff_actor,
        "assessment-plan-row-added": staff_actor,
        "checklist": staff_actor,
        "record-changed": staff_actor,
        "contract-issued": staff_actor,
        "contract-signed-by-assessor": staff_actor,
        "contract-signed-by-learner": learner_actor,
    }
    for action, actor in expected.items():
        assert by_action[action]["actor"] == actor, action
    assert by_action["assessor-rating"]["subject"] == "F1:1.1"
    assert by_action["assessor-rating"]["after"] == "2"
    assert by_action["plan-changed"]["after"] == " ".join(VALID)
    assert by_action["contract-signed-by-learner"]["after"] == "Sam Confirmed"
    assert all(e["at"] for e in entries)

    # staff read it in words: names, not "staff:2"; plan rows as sentences
    body = html(client.get(f"{page}/audit"))
    rows = re.findall(r"<tr><td[^>]*>[^<]*</td><td>([^<]*)</td><td>(.*?)</td></tr>", body, re.S)
    said = {what: who for who, what in rows}
    assessor, learner = f"{me['name']} (assessor)", "Sam Confirmed (learner)"
    for what, who in (
        (
            "Assessor&#39;s rating of “I can recognise typical customers and their expectations”: "
            "On my own",
            assessor,
        ),
        ("Confirmed the units: A3, B2, C3 and D1", assessor),
        (
            "Added to the assessment plan: 16 March 2027 (morning shift), Front desk: Greeting "
            "visitors. Observed by the assessor. Evidence: observation, witness testimony. "
            "Criteria: F1 1.1, 2.1; F2 1.1.",
            assessor,
        ),
        ("Prepared the learning contract, version 1", assessor),
        (f"Signed the learning contract, version 1, as the assessor: “{me['name']}”", assessor),
        ("Signed the learning contract, version 1, as the learner: “Sam Confirmed”", learner),
    ):
        assert said.get(what) == who, (what, sorted(said))
    assert staff_actor not in body and learner_actor not in body
    assert "assessment-plan-row-added" not in body


def test_a_learners_own_ratings_are_audited_as_theirs(app, db, rated):
    client, _, learner_id, token = rated
    phone = learner_client(app, token)
    page_token = csrf(phone.get("/assessment/F1-1"))
    phone.post(
        "/assessment/save", data={"csrf_token": page_token, "name": "r-F1-1.1", "value": "3"}
    )
    entry = audit.entries(db, learner_id)[-1]
    assert (entry["actor"], entry["action"], entry["subject"], entry["after"]) == (
        f"learner:{learner_id}",
        "rating",
        "F1:1.1",
        "3",
    )
    body = html(client.get(f"/staff/learners/{learner_id}/audit"))
    name = learners.learner(db, learner_id)["name"]
    assert f"{name} (learner)" in body and f"learner:{learner_id}" not in body
    assert "Rated “I can recognise typical customers and their expectations”" in body


def test_no_route_edits_or_deletes_the_audit_trail(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule
    assert any("audit" in r.rule for r in app.url_map.iter_rules())


def test_the_centre_audit_trail_lists_every_learner(app, db, world):
    client, _ = staff_client(app, "verifier")
    body = html(client.get("/staff/audit"))
    assert "Mia Mine" in body and "Theo Theirs" in body and "Confirmed the units" in body


def test_a_learner_sees_their_own_record_and_nobody_elses(app, db):
    me = make_staff(db, "assessor")
    ann, ann_token = add_learner(db, "Ann Own", me)
    bob, _ = add_learner(db, "Bob Else", me)
    learners.save_ratings(db, ann, {"F1:1.1": 2}, f"learner:{ann}")
    learners.save_ratings(db, bob, {"F2:2.7": 1}, f"learner:{bob}")
    learners.save_assessor_rating(db, ann, "F1:1.2", 3, me["id"], f"staff:{me['id']}")
    admin = make_staff(db, "admin", "Ada Admin")
    learners.update_record(db, ann, {"email": "ann@example.org"}, f"staff:{admin['id']}")
    phone = learner_client(app, ann_token)
    response = phone.get("/my-record")
    assert response.status_code == 200
    body = html_of(response)
    assert "Added as a learner" in body
    assert "Rated “I can recognise typical customers and their expectations”: On my own" in body
    assert "Assessor&#39;s rating of “I can discuss customer expectations" in body
    # who changed what, by name
    entries = re.findall(
        r'<span class="small muted">[^<]* · ([^<]+)</span>\s*<span class="entry">([^<]+)</span>',
        body,
    )
    by = {what: who for who, what in entries}
    assert (
        by["Rated “I can recognise typical customers and their expectations”: On my own"] == "you"
    )
    rated = next(what for what in by if what.startswith("Assessor&#39;s rating of"))
    assert rated.endswith("customer service language”: Could show evidence now")
    assert by[rated] == f"{me['name']} (your assessor)"
    assert by["Changed your email address: none → “ann@example.org”"] == "Ada Admin (centre admin)"
    assert "Ann Own" in body and "ann@example.org" in body  # their details
    bob_statement = served(app).statement("F2:2.7").text
    assert "Bob Else" not in body and bob_statement not in body
    assert app.test_client().get("/my-record").status_code == 302  # nobody known: asks for a code


def test_a_refused_confirm_leaves_the_confirmed_plan_alone(db, confirmed):
    client, _, learner_id, token = confirmed
    before = plans.unit_plan(db, learner_id)
    page = client.get(f"/staff/learners/{learner_id}/plan")
    response = client.post(
        f"/staff/learners/{learner_id}/plan",
        data={"csrf_token": csrf(page), "units": ["A11"], "action": "confirm"},
    )
    assert response.status_code == 400
    assert plans.unit_plan(db, learner_id) == before
    assert learners.learner(db, learner_id)["plan_confirmed_at"]


@pytest.mark.parametrize("action", ["use--1", "use-99", "use-x"])
def test_a_tampered_suggestion_index_is_refused(db, confirmed, action):
    client, _, learner_id, _ = confirmed
    before = plans.unit_plan(db, learner_id)
    page = client.get(f"/staff/learners/{learner_id}/plan")
    response = client.post(
        f"/staff/learners/{learner_id}/plan", data={"csrf_token": csrf(page), "action": action}
    )
    assert response.status_code == 400
    assert plans.unit_plan(db, learner_id) == before


def test_a_staff_session_ends_after_a_working_day(app, db):
    client, me = staff_client(app, "assessor")
    assert client.get("/staff/learners").status_code == 200
    db.execute("UPDATE staff_sessions SET created_at = '2000-01-01T00:00:00+00:00'")
    response = client.get("/staff/learners")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
