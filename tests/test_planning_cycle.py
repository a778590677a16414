"""The assessor's planning cycle over HTTP and the command line: passwords and links, the centre,
the portfolio's introduction, self-checks on the gap report, ratings saved as they are given,
and internal verifier sampling (the rest of the cycle: test_staff.py; in a browser:
test_browser_cycle.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import (
    ROW,
    VALID,
    add_learner,
    confirm_in_store,
    csrf,
    dom,
    html_of,
    make_staff,
    post,
    post_form,
    sign_in,
    staff_client,
    words,
)

from survey.store import accounts, audit, learners, sampling

NEW = "a brand new password 42"


def excel_rows(response) -> list[list[str]]:
    """A CSV download as Excel reads it: UTF-8 with a byte-order mark, then the rows."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def two_laptops(app, db, role: str = "assessor"):
    """The same account signed in on two laptops: (staff row, laptop 1, laptop 2)."""
    staff = make_staff(db, role, "Asha Assessor")
    first, second = app.test_client(), app.test_client()
    for laptop in (first, second):
        assert sign_in(laptop, staff["email"]).status_code == 302
    return staff, first, second


# ---- passwords -----------------------------------------------------------------------------


def test_staff_change_their_own_password_and_their_other_sessions_end(app, db):
    staff, here, elsewhere = two_laptops(app, db, "verifier")
    response = post_form(
        here,
        "/staff/account",
        {"current": "correct horse battery staple", "password": NEW, "confirm": NEW},
    )
    assert response.status_code == 303 and response.location == "/staff/account"
    assert "Your password is changed" in html_of(here.get("/staff/account"))
    assert here.get("/staff/learners").status_code == 200  # this session goes on
    assert elsewhere.get("/staff/learners").status_code == 302  # the other one ended
    fresh = app.test_client()
    assert sign_in(fresh, staff["email"]).status_code == 401  # the old password is gone
    assert sign_in(fresh, staff["email"], NEW).status_code == 302
    (entry,) = [e for e in audit.all_entries(db) if e["action"] == "password-changed"]
    assert entry["actor"] == f"staff:{staff['id']}"
    assert "Asha Assessor changed their password" in html_of(
        staff_client(app, "admin")[0].get("/staff/audit")
    )


@pytest.mark.parametrize(
    "form, message",
    [
        ({"current": "not it", "password": NEW, "confirm": NEW}, "That is not your current"),
        (
            {"current": "correct horse battery staple", "password": NEW, "confirm": NEW + "x"},
            "The two passwords are not the same.",
        ),
        (
            {"current": "correct horse battery staple", "password": "short", "confirm": "short"},
            "Use 12 to",
        ),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(app, db, form, message):
    staff, here, elsewhere = two_laptops(app, db)
    before = accounts.staff_member(db, staff["id"])["password_hash"]
    response = post_form(here, "/staff/account", form)
    assert response.status_code == 400 and message in html_of(response)
    assert accounts.staff_member(db, staff["id"])["password_hash"] == before
    assert elsewhere.get("/staff/learners").status_code == 200


def test_an_admin_gives_a_one_time_password_link_and_the_earlier_one_stops(app, db):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    staff, laptop, _ = two_laptops(app, db)
    path = f"/staff/users/{staff['id']}/reset-link"
    first = post(admin, path, page="/staff/users")
    assert first.status_code == 200
    link = dom(html_of(first)).find("p", class_="link").find("a")["href"]
    assert "/staff/reset/" in link and "it is shown only once" in html_of(first)
    second = post(admin, path, page="/staff/users")
    assert "The earlier link made for them no longer works." in html_of(second)
    again = dom(html_of(second)).find("p", class_="link").find("a")["href"]
    old, new = (url.split("localhost", 1)[1] for url in (link, again))
    visitor = app.test_client()
    assert visitor.get(old).status_code == 404
    page = visitor.get(new)
    assert page.status_code == 200 and "Asha Assessor" in html_of(page)
    # only hashes are kept
    kept = [r[0] for r in db.execute("SELECT token_hash FROM password_resets").fetchall()]
    assert len(kept) == 2 and not {old.rsplit("/", 1)[1], new.rsplit("/", 1)[1]} & set(kept)
    # the new password, once: every session of the account ends
    response = post_form(visitor, new, {"password": NEW, "confirm": NEW})
    assert response.status_code == 303 and response.location == "/staff/login"
    assert laptop.get("/staff/learners").status_code == 302
    assert sign_in(app.test_client(), staff["email"], NEW).status_code == 302
    assert visitor.get(new).status_code == 404  # used


def test_only_an_admin_makes_a_password_link(app, db):
    target = make_staff(db, "assessor")
    for role in ("assessor", "verifier"):
        client, _ = staff_client(app, role)
        response = post(client, f"/staff/users/{target['id']}/reset-link")
        assert response.status_code == 403, role
    assert db.execute("SELECT count(*) FROM password_resets").fetchone()[0] == 0


def test_the_command_line_resets_a_password_and_says_when_the_link_is_not_public(app, db, runner):
    staff = make_staff(db, "assessor", "Asha Assessor")
    result = runner.invoke(args=["users", "reset-password", staff["email"]])
    assert result.exit_code == 0, result.output
    link = next(line.strip() for line in result.stdout.splitlines() if "/staff/reset/" in line)
    assert link.startswith("http://localhost:5000/staff/reset/")
    assert "FLASK_PUBLIC_URL is not set" in result.stderr
    app.config["PUBLIC_URL"] = "https://assess.example.org"
    again = runner.invoke(args=["users", "reset-password", staff["email"].upper()])
    assert again.exit_code == 0, again.output
    assert "https://assess.example.org/staff/reset/" in again.stdout
    assert "The earlier reset link for this account no longer works." in again.stdout
    assert "not set" not in again.stderr
    client = app.test_client()
    assert client.get(link.split("5000", 1)[1]).status_code == 404  # the first one stopped
    unknown = runner.invoke(args=["users", "reset-password", "nobody@centre.example"])
    assert unknown.exit_code == 1 and "there is no account for" in unknown.output


def test_the_command_line_replaces_a_lost_setup_link_while_there_is_no_admin(app, db, runner):
    first = accounts.create_setup_link(db)
    result = runner.invoke(args=["users", "setup-link"])
    assert result.exit_code == 0, result.output
    assert "no longer works" in result.stdout and "FLASK_PUBLIC_URL is not set" in result.stderr
    link = next(line.strip() for line in result.stdout.splitlines() if "/staff/setup/" in line)
    client = app.test_client()
    assert client.get(f"/staff/setup/{first}").status_code == 404
    assert client.get(link.split("5000", 1)[1]).status_code == 200
    make_staff(db, "admin")
    refused = runner.invoke(args=["users", "setup-link"])
    assert refused.exit_code == 1 and "users reset-password" in refused.output
    assert client.get(link.split("5000", 1)[1]).status_code == 404


def test_learners_added_on_the_command_line_get_their_assessor(app, db, runner):
    asha = make_staff(db, "assessor", "Asha Assessor")
    result = runner.invoke(args=["learners", "add", "Sam Learner", "--assessor", asha["email"]])
    assert result.exit_code == 0, result.output
    assert f"assessor: Asha Assessor ({asha['email']})" in result.stdout
    assert "FLASK_PUBLIC_URL is not set" in result.stderr
    (row,) = db.execute("SELECT name, assessor_id FROM learners").fetchall()
    assert tuple(row) == ("Sam Learner", asha["id"])
    verifier = make_staff(db, "verifier")
    for email in (verifier["email"], "nobody@centre.example"):
        refused = runner.invoke(args=["learners", "add", "Kim", "--assessor", email])
        assert refused.exit_code == 1 and "is not the email of an assessor" in refused.output
    assert db.execute("SELECT count(*) FROM learners").fetchone()[0] == 1


# ---- the centre and the portfolio's introduction -------------------------------------------

CENTRE = {
    "name": "Northgate Training",
    "number": "12345",
    "address": "1 High Street\nNorthgate NG1 1AA",
    "phone": "0115 000 0000",
    "email": "office@northgate.example",
    "contact": "Pat Quality (quality nominee)",
    "review_frequency": "Every 4 weeks",
    "assessor_responsibilities": "Observe you at work\nGive feedback the same day",
    "learner_responsibilities": "Collect your evidence",
    "appeals": "Write to the centre manager within 10 working days.",
}


def test_the_centre_details_are_saved_by_an_admin_and_refused_to_anyone_else(app, db):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    response = post_form(admin, "/staff/centre", CENTRE)
    assert response.status_code == 303
    page = html_of(admin.get("/staff/centre"))
    assert "Northgate Training" in page and "office@northgate.example" in page
    refused = post_form(admin, "/staff/centre", {**CENTRE, "appeals": "  "})
    assert refused.status_code == 400 and "Say how to appeal." in html_of(refused)
    assessor, _ = staff_client(app)
    assert assessor.get("/staff/centre").status_code == 403
    said = {e["subject"] for e in audit.all_entries(db) if e["action"] == "centre-changed"}
    assert {"name", "number", "appeals"} <= said


def test_the_introduction_has_the_learner_centre_qualification_staff_and_witnesses(app, db):
    admin, _ = staff_client(app, "admin", "Ada Admin")
    post_form(admin, "/staff/centre", CENTRE)
    client, me = staff_client(app, "assessor", "Asha Assessor")
    make_staff(db, "verifier", "Vera Verifier")
    learner_id, _ = add_learner(db, "Sam Learner", me)
    confirm_in_store(db, learner_id, VALID, me["id"], "test")
    base = f"/staff/learners/{learner_id}"
    record = {
        "name": "Sam Learner",
        "candidate_number": "C0042",
        "job_role": "Receptionist",
        "email": "sam@example.org",
        "phone": "07700 900123",
        "address": "2 Low Road",
        "employer": "Grand Hotel",
        "workplace": "Grand Hotel, front desk",
        "start_on": "2027-01-11",
        "planned_end_on": "2027-09-30",
    }
    assert post_form(client, f"{base}/record", record).status_code == 303
    witness = {**ROW, "observer": "witness", "witness_name": "Wendy Witness"}
    witness |= {"witness_role": "Front-desk supervisor", "witness_contact": "wendy@hotel.example"}
    assert post_form(client, f"{base}/assessment-plan", witness).status_code == 303
    page = words(html_of(client.get(f"{base}/introduction")))
    for expected in (
        "Sam Learner",
        "sam@example.org",
        "07700 900123",
        "Grand Hotel, front desk",
        "11 January 2027",
        "30 September 2027",
        "OCR Level 2 NVQ Certificate in Customer Service",
        "03455",
        "C0042",
        "Northgate Training",
        "12345",
        "office@northgate.example",
        "Asha Assessor",
        "Vera Verifier",
        "Internal verifier",
        "Wendy Witness",
        "Front-desk supervisor",
        "wendy@hotel.example",
    ):
        assert expected in page, expected
    # the same in the learner's data export, first
    exported = json.loads(client.get(f"{base}/export.json").get_data())
    intro = exported["introduction"]
    assert intro["candidate_number"] == "C0042" and intro["centre"]["Centre"] == CENTRE["name"]
    assert [w["name"] for w in intro["witnesses"]] == ["Wendy Witness"]
    rows = excel_rows(client.get(f"{base}/export.csv"))
    assert rows[1][0].startswith("introduction: ")


# ---- the gap report: self-checks, and ratings saved as they are given -------------------------


def test_the_gap_report_shows_the_latest_self_check_beside_the_initial_and_the_change(app, db):
    client, me = staff_client(app)
    learner_id, _ = add_learner(db, "Sam Learner", me)
    learners.save_ratings(db, learner_id, {"F1:1.1": 0, "F1:1.2": 3, "F1:2.1": 1}, "test")
    learners.submit(db, learner_id, "test")
    check = learners.open_check(db, learner_id, "F1")
    learners.save_check_ratings(db, check, {"F1:1.1": 2, "F1:1.2": 1}, f"learner:{learner_id}")
    learners.finish_check(db, check, f"learner:{learner_id}")
    page = html_of(client.get(f"/staff/learners/{learner_id}"))
    tree = dom(page)
    heads = [th.text for th in tree.find("table", class_="criteria-table").find_all("th")][:5]
    assert heads == ["Statement", "Learner at first", "Latest self-check", "Workplace", "Assessor"]
    said = words(page)
    assert "1 up, 1 down since the initial assessment (mean 1.5 → 1.5)" in said
    cells = {
        tr.find_all("td")[0].text.split(" Disagree")[0].strip(): [
            td.text for td in tr.find_all("td")
        ]
        for tr in tree.find("table", class_="criteria-table").find("tbody").find_all("tr")
    }
    first = cells["I can recognise typical customers and their expectations"]
    assert first[1] == "Not yet" and first[2].startswith("On my own up")
    rows = excel_rows(client.get(f"/staff/learners/{learner_id}/report.csv"))
    header = rows[0]
    assert header[6:9] == [
        "learner's initial rating",
        "learner said at first",
        "latest self-check rating",
    ]
    row = next(r for r in rows if r[3] == "F1:1.1")
    assert row[6] == "0" and row[8] == "2"


def test_an_assessor_rating_is_saved_as_it_is_chosen(app, db):
    client, me = staff_client(app)
    learner_id, _ = add_learner(db, "Sam Learner", me)
    page = f"/staff/learners/{learner_id}"
    token = csrf(client.get(page))
    response = client.post(
        f"{page}/ratings",
        data={"csrf_token": token, "a-F1:1.1": "2"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json() == {"ok": True, "changed": 1}
    assert learners.assessor_ratings(db, learner_id) == {"F1:1.1": 2}
    refused = client.post(
        f"{page}/ratings",
        data={"csrf_token": token, "a-F1:1.2": "7"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400 and refused.get_json()["ok"] is False
    assert learners.assessor_ratings(db, learner_id) == {"F1:1.1": 2}
    no_token = client.post(
        f"{page}/ratings", data={"a-F1:1.2": "1"}, headers={"Accept": "application/json"}
    )
    assert no_token.status_code == 400
    # the form says so, and says it to the script that saves each rating
    form = dom(html_of(client.get(page))).find("form", action=f"{page}/ratings")
    assert form.get("data-rating-autosave") is not None


# ---- internal verifier sampling ------------------------------------------------------------


def test_a_verifier_samples_a_learner_and_the_report_counts_by_assessor_and_unit(app, db):
    asha_client, asha = staff_client(app, "assessor", "Asha Assessor")
    _, bo = staff_client(app, "assessor", "Bo Assessor")
    sam, _ = add_learner(db, "Sam Learner", asha)
    kim, _ = add_learner(db, "Kim Learner", asha)
    lee, _ = add_learner(db, "Lee Learner", bo)
    confirm_in_store(db, sam, VALID, asha["id"], "test")
    verifier, vera = staff_client(app, "verifier", "Vera Verifier")
    page = f"/staff/learners/{sam}/sampling"
    form = {"parts": ["record", "F1", "B2"], "decision": "action"}
    form["comment"] = "Evidence for F1 1.1 is thin: add a witness testimony."
    response = post_form(verifier, page, form)
    assert response.status_code == 303 and response.location == page
    (kept,) = sampling.samples_of(db, sam)
    assert kept["verifier_id"] == vera["id"] and kept["parts"] == ["record", "F1", "B2"]
    # the assessor reads it; only a verifier records one
    body = words(html_of(asha_client.get(page)))
    assert "Evidence for F1 1.1 is thin" in body and "Vera Verifier" in body
    assert post_form(asha_client, page, form).status_code == 403
    assert len(sampling.samples_of(db, sam)) == 1
    # a sample needs what was sampled and a comment
    refused = post_form(verifier, page, {"decision": "agreed", "comment": " "})
    assert refused.status_code == 400
    assert "Tick what you sampled." in html_of(refused)
    assert "Write your comment." in html_of(refused)
    # the report, by assessor and by unit
    report = verifier.get("/staff/sampling")
    assert report.status_code == 200
    tree = dom(html_of(report))
    assessors = {
        tr.find("th").text: [td.text for td in tr.find_all("td")]
        for tr in tree.find(id="by-assessor").parent.find("tbody").find_all("tr")
    }
    assert assessors["Asha Assessor"][:2] == ["2", "1 (50%)"]
    assert assessors["Asha Assessor"][4] == "Kim Learner"  # not sampled yet
    assert (
        assessors["Bo Assessor"][:2] == ["1", "0 (0%)"]
        and "Lee Learner" in assessors["Bo Assessor"][4]
    )
    units = {
        tr.find("th").text.split()[0]: [td.text for td in tr.find_all("td")]
        for tr in tree.find(id="by-unit").parent.find("tbody").find_all("tr")
    }
    assert units["F1"][:2] == ["3", "1 (33%)"] and units["B2"][:2] == ["1", "1 (100%)"]
    assert units["F2"][:2] == ["3", "0 (0%)"]
    rows = excel_rows(verifier.get("/staff/sampling.csv"))
    assert any("Asha Assessor" in r for r in rows)
    # assessors do not see the report; nobody reaches a sample of another's learner
    assert asha_client.get("/staff/sampling").status_code == 403
    assert asha_client.get(f"/staff/learners/{lee}/sampling").status_code == 404
    assert kim  # (Kim is Asha's, not sampled)
