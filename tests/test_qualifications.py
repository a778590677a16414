"""Several qualifications in one centre: 03455 as shipped and a Level 3 team leading certificate
the centre added under its instance folder (tests/helpers.py SECOND), side by side.

Enrolment (the form, the pasted lines, the command line), isolation (a learner on one never sees
the other's statements), addresses naming the qualification (and the old ones sent on), the
learners list and the cohort per qualification, moving a learner to another level, and the
admin adding a qualification in the browser and downloading each one.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import (
    ROW,
    SECOND,
    csrf,
    database,
    learner_client,
    post_form,
    staff_client,
    write_folder,
)
from helpers import html_of as html
from werkzeug.datastructures import MultiDict

from survey import create_app
from survey.journey import pages
from survey.qualifications import served
from survey.store import learners

TL3 = "TL3-2027"
# a statement of each qualification, as a learner would read it
OURS = {"03455": "communicate using customer service language", TL3: "agree goals with the team"}


@pytest.fixture
def app(tmp_path):
    write_folder(tmp_path / "centre" / TL3, SECOND)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(tmp_path / "test.db"),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )


@pytest.fixture
def admin(app):
    client, _ = staff_client(app, "admin", "Ada Admin")
    return client


def enrolled(app, code: str, name: str = "Lee Learner", **extra) -> tuple[int, str]:
    with database(app) as db:
        added = learners.add_learners(
            db, [learners.NewLearner(name, qualification=code, **extra)], "test"
        )
    row, token = added.learners[0]
    return row["id"], token


def column(app, sql: str, args=()) -> list:
    with database(app) as db:
        return [r[0] for r in db.execute(sql, list(args)).fetchall()]


# ---- serving every qualification -------------------------------------------------------------


def test_the_app_serves_every_qualification_in_its_folders_with_03455_the_default(app, client):
    assert served(app).code == "03455"
    assert served(app, TL3).title.startswith("Level 3 Certificate in Team Leading")
    home = html(client.get("/"))
    assert "OCR Level 2 NVQ Certificate in Customer Service" in home
    assert f"/q/{TL3}/" in home  # the other qualification is listed
    page = client.get(f"/q/{TL3}/")
    assert page.status_code == 200 and "Lead and motivate a team" in html(page)
    assert "Communicate using customer service language" not in html(page)
    assert client.get("/q/NOPE/").status_code == 404


def test_a_centre_qualification_that_will_not_load_is_left_out_and_the_app_still_starts(tmp_path):
    write_folder(tmp_path / "centre" / "BROKEN1", {"qualification.toml": 'code = "BROKEN1"'})
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(tmp_path / "t.db"),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/q/BROKEN1/").status_code == 404


# ---- enrolment: the form, the paste and the command line ---------------------------------------


def test_the_add_learner_form_enrols_on_the_qualification_chosen(app, admin):
    page = html(admin.get("/staff/learners"))
    assert f'<option value="{TL3}"' in page
    response = post_form(admin, "/staff/learners", {"name": "Tia Team", "qualification": TL3})
    assert response.status_code == 200
    response = post_form(admin, "/staff/learners", {"name": "Cal Custom"})
    assert response.status_code == 200
    assert column(app, "SELECT name || ':' || qualification FROM learners ORDER BY id") == [
        f"Tia Team:{TL3}",
        "Cal Custom:03455",
    ]
    assert column(app, "SELECT after FROM audit WHERE action = 'enrolled' ORDER BY id") == [
        TL3,
        "03455",
    ]


def test_the_form_refuses_a_qualification_there_is_not_and_adds_nobody(app, admin):
    response = post_form(admin, "/staff/learners", {"name": "Nia None", "qualification": "XX9"})
    assert response.status_code == 400
    page = html(response)
    assert "There is no qualification &#39;XX9&#39; here" in page
    assert 'id="qualification-error"' in page
    assert column(app, "SELECT count(*) FROM learners") == [0]


def test_pasted_lines_name_the_qualification_in_a_fourth_column(app, admin):
    rows = (
        "name,candidate,job,qualification\n"
        f"Ann One,1,Team Leader,{TL3}\n"
        "Bo Two,2,Courier\n"
        "Cy Three,3,Courier,NOPE\n"
        f"Di Four,4,,{TL3.lower()}\n"
    )
    response = post_form(admin, "/staff/learners", {"rows": rows}, to="/staff/learners/import")
    assert response.status_code == 200
    assert "Line 4: There is no qualification &#39;NOPE&#39; here" in html(response)
    kept = column(app, "SELECT name || ':' || qualification || ':' || job_role FROM learners")
    assert sorted(kept) == [
        f"Ann One:{TL3}:Team Leader",  # a role on the Level 3 list of that qualification
        "Bo Two:03455:Courier",
        f"Di Four:{TL3}:",
    ]


def test_flask_learners_add_takes_the_qualification(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["learners", "add", "Eve Five", "--qualification", TL3])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["learners", "add", "Fay Six"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["learners", "add", "Gus Seven", "--qualification", "NOPE"])
    assert refused.exit_code == 1 and "there is no qualification 'NOPE'" in refused.output
    assert sorted(column(app, "SELECT name || ':' || qualification FROM learners")) == [
        f"Eve Five:{TL3}",
        "Fay Six:03455",
    ]


def test_the_migration_puts_every_learner_there_was_on_03455(tmp_path):
    from survey.db import connect
    from survey.migrations import migrations

    path = tmp_path / "before.db"
    db = connect(path)
    migrations.apply(db, stop_before="m007_learner_qualification")
    learner_id, token = learners.create_learner(db, "From Before")
    db.conn.close()
    write_folder(tmp_path / "centre" / TL3, SECOND)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(path),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )
    assert column(app, "SELECT qualification FROM learners WHERE id = ?", [learner_id]) == ["03455"]
    phone = learner_client(app, token)
    assert phone.get("/q/03455/check/B1").status_code == 200
    assert phone.get(f"/q/{TL3}/check/301").status_code == 404


# ---- isolation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["03455", TL3])
def test_a_learner_only_ever_sees_the_statements_of_their_own_qualification(app, code):
    learner_id, token = enrolled(app, code)
    other = TL3 if code == "03455" else "03455"
    phone = learner_client(app, token)
    q = served(app, code)
    with database(app) as db:  # every job question answered yes: every page of theirs shows
        learners.save_contexts(db, learner_id, {c.id: "yes" for c in q.contexts}, "test")
    seen = ""
    for page in pages(q, {c.id: "yes" for c in q.contexts}):
        response = phone.get(f"/assessment/{page.key}")
        assert response.status_code == 200, page.key
        seen += html(response)
    assert OURS[code] in seen
    assert OURS[other] not in seen
    for s in served(app, other).statements():
        if served(app, code).statement(s.id) is None:
            assert s.text not in seen, s.id
    # its self-checks and QR codes are its own; the other's are not there for them
    unit = q.units[0].number
    assert phone.get(f"/q/{code}/check/{unit}").status_code == 200
    other_unit = served(app, other).units[0].number
    refused = phone.get(f"/q/{other}/check/{other_unit}")
    assert refused.status_code == 404 and "not enrolled on" in html(refused)
    response = phone.post(
        f"/q/{other}/check/{other_unit}/save",
        data={"csrf_token": csrf(phone.get(f"/q/{code}/check/{unit}")), "name": "x", "value": "1"},
    )
    assert response.status_code == 404
    assert column(app, "SELECT count(*) FROM self_checks") == [0]


def test_a_learner_on_the_second_qualification_checks_a_unit_and_sees_the_result(app):
    _, token = enrolled(app, TL3)
    phone = learner_client(app, token)
    page = phone.get(f"/q/{TL3}/check/P2")
    assert "spot conflict early" in html(page)
    response = phone.post(f"/q/{TL3}/check/P2", data={"csrf_token": csrf(page), "r-P2-1.1": "2"})
    assert response.status_code == 303
    assert response.location.startswith(f"/q/{TL3}/check/P2/results/")
    result = phone.get(response.location)
    assert result.status_code == 200 and "Handle conflict in a team" in html(result)
    assert column(app, "SELECT statement_id FROM check_ratings") == ["P2:1.1"]


# ---- addresses ---------------------------------------------------------------------------------


def test_every_route_that_names_a_unit_works_with_the_qualification_in_its_address(app, admin):
    _, token = enrolled(app, TL3)
    phone = learner_client(app, token)
    page = phone.get(f"/q/{TL3}/check/301")
    done = phone.post(f"/q/{TL3}/check/301", data={"csrf_token": csrf(page), "r-301-1.1": "1"})
    check_id = done.location.rsplit("/", 1)[1]
    shipped = (app.extensions["library"].unit_text(TL3, "P2") or "").replace("Spot", "See")
    app.extensions["library"].publish_unit(TL3, shipped, "test", "wording")
    visits = {
        "public.unit": (None, f"/q/{TL3}/units/p1"),  # any case: sent on to P1
        "qr.unit_svg": (None, f"/q/{TL3}/qr/W1.svg"),
        "learner.unit_check": (phone, f"/q/{TL3}/check/W1"),
        "learner.check_result": (phone, f"/q/{TL3}/check/301/results/{check_id}"),
        "content.unit": (admin, f"/staff/content/q/{TL3}/units/P2"),
        "content.restore": (admin, f"/staff/content/q/{TL3}/units/P2/restore/1"),
    }
    named = {r.endpoint for r in app.url_map.iter_rules() if "number" in r.arguments}
    assert named - {e for e in named if e.startswith("legacy.")} - {"learner.check_save_one"} == (
        set(visits)
    ), "a new route names a unit: visit it here"
    for endpoint, (who, path) in visits.items():
        response = (who or app.test_client()).get(path, follow_redirects=True)
        assert response.status_code == 200, (endpoint, path)
    saved = phone.post(
        f"/q/{TL3}/check/W1/save",
        data={
            "csrf_token": csrf(phone.get(f"/q/{TL3}/check/W1")),
            "name": "r-W1-unit",
            "value": "2",
        },
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    svg = app.test_client().get(f"/q/{TL3}/qr/units")
    assert f"/q/{TL3}/check/301" in html(svg)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/check/B1", "/q/03455/check/B1"),
        ("/check/B1/results/7", "/q/03455/check/B1/results/7"),
        ("/units/B1", "/q/03455/units/B1"),
        ("/qr/B1.svg", "/q/03455/qr/B1.svg"),
        ("/qr/units", "/q/03455/qr/units"),
    ],
)
def test_the_old_03455_addresses_are_sent_on_to_the_new_ones(client, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response.location == new
    assert client.get(new, follow_redirects=True).status_code == 200


def test_a_self_check_sent_from_a_page_open_since_before_is_sent_on_with_its_answers(app):
    learner_id, token = enrolled(app, "03455")
    phone = learner_client(app, token)
    token_ = csrf(phone.get("/q/03455/check/B1"))
    answers = {"csrf_token": token_, "r-B1-1.1": "2"}
    moved = phone.post("/check/B1", data=answers)
    assert moved.status_code == 308 and moved.location == "/q/03455/check/B1"
    assert column(app, "SELECT count(*) FROM check_ratings") == [0]
    # the browser sends the same answers on (308 keeps the method and the body)
    response = phone.post(moved.location, data=answers)
    assert response.status_code == 303
    assert response.location.startswith("/q/03455/check/B1/results/")
    one = {"csrf_token": token_, "name": "r-B1-1.2", "value": "3"}
    moved = phone.post("/check/B1/save", data=one)
    assert moved.status_code == 308 and moved.location == "/q/03455/check/B1/save"
    saved = phone.post(moved.location, data=one)
    assert saved.status_code == 200 and saved.get_json() == {"ok": True}
    assert sorted(column(app, "SELECT statement_id FROM check_ratings")) == ["B1:1.1", "B1:1.2"]


# ---- staff lists, cohort ------------------------------------------------------------------------


def test_the_learners_list_shows_and_filters_by_qualification(app, admin):
    enrolled(app, TL3, "Tia Team")
    enrolled(app, "03455", "Cal Custom")
    everyone = html(admin.get("/staff/learners"))
    assert "Tia Team" in everyone and "Cal Custom" in everyone and TL3 in everyone
    only = html(admin.get(f"/staff/learners?qualification={TL3}"))
    assert "Tia Team" in only and "Cal Custom" not in only
    unknown = html(admin.get("/staff/learners?qualification=NOPE"))
    assert "Tia Team" in unknown and "Cal Custom" in unknown  # no such filter: everyone


def test_the_cohort_and_its_export_are_per_qualification(app, admin):
    tia, _ = enrolled(app, TL3, "Tia Team")
    cal, _ = enrolled(app, "03455", "Cal Custom")
    with database(app) as db:
        learners.save_ratings(db, tia, {"301:1.1": 1}, "test")
        learners.save_ratings(db, cal, {"F1:1.1": 2}, "test")
    default = html(admin.get("/staff/cohort"))
    assert "Cal Custom" in default and "Tia Team" not in default and "F1:1.1" in default
    theirs = html(admin.get(f"/staff/cohort?qualification={TL3}"))
    assert "Tia Team" in theirs and "Cal Custom" not in theirs
    assert "301:1.1" in theirs and "F1:1.1" not in theirs
    export = admin.get(f"/staff/cohort.csv?qualification={TL3}")
    assert f'filename="cohort-{TL3}.csv"' in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    text = json.dumps(rows)
    assert "Tia Team" in text and "Cal Custom" not in text and "F1:1.1" not in text


# ---- the level check acts ----------------------------------------------------------------------


def _team_leader_on_03455(app):
    assessor, staff = staff_client(app)
    learner_id, token = enrolled(
        app, "03455", "Tom Lead", job_role="Customer Service Team Leader", assessor_id=staff["id"]
    )
    with database(app) as db:
        learners.save_ratings(db, learner_id, {"F1:1.1": 2, "B1:1.1": 3}, "test")
        learners.submit(db, learner_id, "test")
    return learner_id, token, assessor


def test_an_assessor_moves_a_learner_the_level_check_points_to_another_level(app):
    learner_id, token, assessor = _team_leader_on_03455(app)
    page = html(assessor.get(f"/staff/learners/{learner_id}/plan"))
    assert "Level 3 list of job roles" in page
    assert f'<option value="{TL3}">' in page and "Move Tom to another qualification" in page
    to = f"/staff/learners/{learner_id}/qualification"
    refused = post_form(
        assessor, f"/staff/learners/{learner_id}/plan", {"qualification": TL3}, to=to
    )
    assert refused.status_code == 400 and "Say why, for the audit trail." in html(refused)
    assert column(app, "SELECT qualification FROM learners") == ["03455"]
    moved = post_form(
        assessor,
        f"/staff/learners/{learner_id}/plan",
        {"qualification": TL3, "reason": "Leads a team of six: the Level 3 certificate"},
        to=to,
    )
    assert moved.status_code == 303
    with database(app) as db:
        row = learners.learner(db, learner_id)
        assert row["qualification"] == TL3 and row["submitted_at"] is None
        assert learners.ratings(db, learner_id) == {"F1:1.1": 2, "B1:1.1": 3}  # kept
        entry = db.execute(
            "SELECT subject, before, after FROM audit WHERE action = 'qualification-moved'"
        ).fetchall()
    assert [tuple(e) for e in entry] == [
        ("Leads a team of six: the Level 3 certificate", "03455", TL3)
    ]
    # from their link they now answer the team leading questions
    phone = learner_client(app, token)
    welcome = phone.get("/assessment", follow_redirects=True)
    assert welcome.status_code == 200
    gap = html(assessor.get(f"/staff/learners/{learner_id}"))
    assert "Lead and motivate a team" in gap
    trail = html(assessor.get(f"/staff/learners/{learner_id}/audit"))
    assert "Leads a team of six" in trail


def test_no_move_once_the_plan_is_confirmed_or_when_nothing_points_elsewhere(app):
    learner_id, _, assessor = _team_leader_on_03455(app)
    with database(app) as db:
        db.execute(
            "UPDATE learners SET plan_confirmed_at = '2026-01-01' WHERE id = ?", [learner_id]
        )
    page = html(assessor.get(f"/staff/learners/{learner_id}/plan"))
    assert "Move Tom to another qualification" not in page
    data = {"qualification": TL3, "reason": "Tampered"}
    to = f"/staff/learners/{learner_id}/qualification"
    response = post_form(assessor, f"/staff/learners/{learner_id}/plan", data, to=to)
    assert response.status_code == 303
    assert column(app, "SELECT qualification FROM learners") == ["03455"]
    # a Level 2 role and no strong higher units: nothing to move to
    other, _ = enrolled(app, "03455", "Ann Agent", job_role="Courier")
    with database(app) as db:
        me = db.execute("SELECT assessor_id FROM learners WHERE id = ?", [learner_id]).fetchone()
        db.execute("UPDATE learners SET assessor_id = ? WHERE id = ?", [me[0], other])
    response = post_form(
        assessor, f"/staff/learners/{other}/plan", data, to=f"/staff/learners/{other}/qualification"
    )
    assert response.status_code == 303
    assert column(app, "SELECT qualification FROM learners WHERE id = ?", [other]) == ["03455"]


def test_the_store_refuses_a_move_after_a_confirmation_that_landed_first(app):
    learner_id, _, _ = _team_leader_on_03455(app)
    with database(app) as db:
        db.execute(
            "UPDATE learners SET plan_confirmed_at = '2026-01-01' WHERE id = ?", [learner_id]
        )
        with pytest.raises(learners.MoveRefused):
            learners.move_qualification(db, learner_id, TL3, "late", "test")


# ---- the admin adds a qualification in the browser ---------------------------------------------

GOOD = {
    "code": "BA2",
    "title": "Level 2 Certificate in Business Administration",
    "level": "2",
    "awarding_body": "Example Awards",
    "groups": "A, Mandatory, yes\nB, Optional, no\nC, More optional, no",
    "units": (
        "number,accreditation,title,credits,level,group\n"
        "201,B/1,Manage own performance,3,2,A\n"
        "202,B/2,Work with others,2,2,A\n"
        "210,B/3,Handle mail,3,1,B\n"
        "211,B/4,Use a diary system,2,2,B\n"
        "220,B/5,Store information,4,2,C\n"
    ),
    "rules-0-kind": "all_units",
    "rules-0-groups": "A",
    "rules-0-wording": "Learners must achieve all mandatory units in Group A",
    "rules-1-kind": "credits",
    "rules-1-groups": "A, B, C",
    "rules-1-min": "11",
    "rules-1-wording": "A minimum of 11 credits must be achieved",
    "rules-2-kind": "units_each_group",
    "rules-2-groups": "B C",
    "rules-2-min": "1",
}


def test_an_admin_adds_a_qualification_which_learners_can_then_be_enrolled_on(app, admin):
    checked = post_form(admin, "/staff/content/new", {**GOOD, "action": "check"})
    assert checked.status_code == 200
    page = html(checked)
    assert "Checked: nothing is wrong" in page
    assert "Every unit in Group A (Mandatory)" in page
    assert "At least 11 credits in total" in page
    assert "Learners must achieve all mandatory units in Group A" in page  # the seed's words
    assert "BA2" not in app.extensions["library"]
    published = post_form(admin, "/staff/content/new", {**GOOD, "action": "publish"})
    assert published.status_code == 303 and published.location == "/staff/content/q/BA2"
    q = served(app, "BA2")
    assert (q.level, len(q.units), [r.kind for r in q.rules]) == (
        2,
        5,
        ["all_units", "credits", "units_each_group"],
    )
    assert q.rules[0].wording == "Learners must achieve all mandatory units in Group A"
    assert "BA2" in html(admin.get("/staff/content"))
    # a learner can be enrolled on it straight away
    response = post_form(admin, "/staff/learners", {"name": "Bea Admin", "qualification": "BA2"})
    assert response.status_code == 200
    assert column(app, "SELECT qualification FROM learners") == ["BA2"]
    assert column(app, "SELECT action FROM audit WHERE action LIKE 'qualification%'") == [
        "qualification-added",
        "qualification-added",
        "qualification-added",
    ]  # qualification.toml, roles.toml and contexts.toml: a version each


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"units": GOOD["units"] + "210,B/9,Handle mail again,3,1,C\n"},
            "units",
            "210 is in two groups (B on line 4, C here): a unit belongs to one group.",
        ),
        ({"rules-2-groups": "B, Z"}, "rules-2-groups", "Z: not a group of this qualification."),
        (
            {"units": GOOD["units"].replace("Handle mail,3", "Handle mail,0")},
            "units",
            "credits must be a whole number from 1 to 100, not &#39;0&#39;.",
        ),
        (
            {"units": GOOD["units"] + "211,B/8,Use a diary system,2,2,B\n"},
            "units",
            "211 is listed twice (lines 5 and 7).",
        ),
        ({"code": "03455"}, "code", "There is already a qualification 03455"),
        ({"level": "9"}, "level", "a whole number from 1 to 8"),
    ],
)
def test_bad_catalogue_or_rules_give_one_clear_message_beside_the_field_and_save_nothing(
    app, admin, change, field, message
):
    before = column(app, "SELECT count(*) FROM audit")
    for action in ("check", "publish"):
        response = post_form(admin, "/staff/content/new", {**GOOD, **change, "action": action})
        assert response.status_code == 400
        page = html(response)
        assert page.count('class="error"') == 1, page
        assert f'id="{field}-error"' in page and message in page
        assert "Nothing was saved" in page
    assert "BA2" not in app.extensions["library"]
    assert not (app.extensions["library"].instance / "BA2").exists()
    assert column(app, "SELECT count(*) FROM audit") == before


def test_the_rules_of_an_imported_case_package_are_entered_in_the_editor(app, admin, tmp_path):
    from helpers import foreign_package

    package = tmp_path / "care.json"
    package.write_text(json.dumps(foreign_package()))
    result = app.test_cli_runner().invoke(
        args=["content", "import-case", str(package), "--code", "CARE2"]
    )
    assert result.exit_code == 0, result.output
    assert served(app, "CARE2").rules == ()
    editor = admin.get("/staff/content/q/CARE2/edit")
    assert editor.status_code == 200
    fields = html(editor)
    assert "HSC1" in fields  # the catalogue as imported, to complete
    units = "\n".join(
        f"{u.number},C/{i},{u.title},3,2,G" for i, u in enumerate(served(app, "CARE2").units)
    )
    data = {
        "title": "Care certificate",
        "level": "2",
        "groups": "G, All units, no",
        "units": units,
        "rules-0-kind": "credits",
        "rules-0-groups": "G",
        "rules-0-min": "3",
        "action": "publish",
    }
    response = post_form(admin, "/staff/content/q/CARE2/edit", data)
    assert response.status_code == 303, html(response)
    q = served(app, "CARE2")
    assert [(r.kind, r.min) for r in q.rules] == [("credits", 3)]
    assert q.unit("HSC1").criteria  # its unit files, imported from the package, are kept


def test_the_catalogue_editor_changes_a_rule_and_keeps_what_it_does_not_show(app, admin):
    page = html(admin.get(f"/staff/content/q/{TL3}/edit"))
    assert "At least 4 credits from Group P (People)" in page
    form = MultiDict()
    for name, value in {
        "title": served(app, TL3).title,
        "level": "3",
        "groups": "M, Core, yes\nP, People, no\nW, Work flow, no",
        "units": "\n".join(
            f"{u.number},{u.accreditation},{u.title},{u.credits},{u.level},{u.group}"
            for u in served(app, TL3).units
        ),
        "rules-0-kind": "all_units",
        "rules-0-groups": "M",
        "rules-1-kind": "credits",
        "rules-1-groups": "M P W",
        "rules-1-min": "20",
        "action": "publish",
    }.items():
        form[name] = value
    response = post_form(admin, f"/staff/content/q/{TL3}/edit", form.to_dict())
    assert response.status_code == 303
    q = served(app, TL3)
    assert [(r.kind, r.min) for r in q.rules] == [("all_units", 0), ("credits", 20)]
    assert q.weights.credit == 5  # kept from the file
    assert q.unit("301").criteria  # the unit files are untouched
    assert len(app.extensions["library"].file_versions(TL3, "qualification.toml")) == 2


# ---- content per qualification, and its downloads ----------------------------------------------


def test_a_unit_is_imported_for_the_qualification_its_address_names(app, admin):
    text = "Unit W1\nLO1 Run a briefing\n1.1 Plan the briefing\n1.2 Give the briefing"
    response = post_form(
        admin, f"/staff/content/q/{TL3}", {"text": text}, to=f"/staff/content/q/{TL3}/import"
    )
    assert response.status_code == 303
    assert response.location.startswith(f"/staff/content/q/{TL3}/drafts/")
    draft_id = response.location.rsplit("/", 1)[1]
    assert admin.get(response.location).status_code == 200
    assert admin.get(f"/staff/content/q/03455/drafts/{draft_id}").status_code == 404
    assert "Run a briefing" not in html(admin.get("/staff/content/q/03455"))
    assert column(app, "SELECT qualification FROM content_imports") == [TL3]


@pytest.mark.parametrize("code", ["03455", TL3])
def test_each_qualification_downloads_as_json_case_and_moodle(app, admin, code):
    listing = html(admin.get("/staff/content"))
    for fmt in ("json", "case", "moodle"):
        assert f"/staff/content/q/{code}/export/{fmt}" in listing
        response = admin.get(f"/staff/content/q/{code}/export/{fmt}")
        assert response.status_code == 200, fmt
        assert "attachment" in response.headers["Content-Disposition"]
        assert code in response.headers["Content-Disposition"]
        body = response.get_data(as_text=True)
        if fmt == "moodle":
            rows = list(csv.reader(io.StringIO(body)))
            assert len(rows[0]) == 14
            assert served(app, code).units[0].title in body
        else:
            data = json.loads(body)
            assert code in json.dumps(data)
    assert admin.get(f"/staff/content/q/{code}/export/pdf").status_code == 404


def test_staff_other_than_admins_never_reach_the_qualification_pages(app):
    assessor, _ = staff_client(app, "assessor")
    for path in ("/staff/content", "/staff/content/new", f"/staff/content/q/{TL3}/edit"):
        assert assessor.get(path).status_code == 403, path


# ---- the planning cycle for a learner on another qualification --------------------------------


def test_the_planning_cycle_pages_serve_a_learner_on_the_second_qualification(app, admin):
    from survey.plans import plan_units
    from survey.store import plans

    learner_id, _ = enrolled(app, TL3, name="Tia Team")
    q = served(app, TL3)
    unit = plan_units(q, None)[0]  # one of its mandatory units
    statement = q.unit(unit).statements()[0].id
    base = f"/staff/learners/{learner_id}"
    for path in ("/record", "/introduction", "/assessment-plan", "/sampling"):
        response = admin.get(base + path)
        assert response.status_code == 200, path
        assert TL3 in html(response), path
    assert "Level 3 Certificate in Team Leading" in html(admin.get(base + "/introduction"))
    # an activity of its own qualification's criteria is kept; 03455's are refused
    row = {**ROW, "criteria": [statement]}
    response = post_form(admin, base + "/assessment-plan", row)
    assert response.status_code == 303
    refused = post_form(admin, base + "/assessment-plan", {**ROW, "criteria": ["F1:1.1"]})
    assert refused.status_code == 400
    with database(app) as db:
        kept = plans.assessment_plan_rows(db, learner_id)
    assert [r["criteria"] for r in kept] == [[statement]]
    plan = html(admin.get(base + "/assessment-plan"))
    assert f"{unit} " in plan and "F1 " not in plan.split("Coverage of the units")[1]
    # the sampling report counts each learner in their own qualification's units
    enrolled(app, "03455", name="Sam Shop")
    rows = list(csv.reader(io.StringIO(html(admin.get("/staff/sampling.csv")).lstrip("\ufeff"))))
    learners_by_unit = {r[1].split(" ", 2)[0] + " " + r[1].split(" ", 2)[1]: r[2] for r in rows[1:]}
    assert learners_by_unit[f"{TL3} {unit}"] == "1"
    assert learners_by_unit["03455 F1"] == "1"  # Sam only: Tia is not on 03455
