"""The flask commands: content check, export, import, and plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import database

from survey.rules import check_plan

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_content_check_prints_a_summary(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "03455 OCR Level 2 NVQ Certificate in Customer Service: content is valid"
    counts = dict(line.rsplit(None, 1) for line in lines[1:])
    counts = {k.strip(): int(v) for k, v in counts.items()}
    assert counts["units"] == 49
    assert counts["criteria"] == 3 + 3 + 15 + 5 + 10 + 8 + 8
    assert counts["statements"] == counts["criteria"] + 46


def test_content_check_of_deeply_nested_toml_is_one_line(runner, content_copy):
    path = content_copy / "roles.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n" + path.read_text())
    result = runner.invoke(args=["content", "check", "--path", str(content_copy)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {path}: not valid TOML (nested too deeply)"
    ]


def test_content_check_counts_the_planners_states(runner):
    result = runner.invoke(args=["content", "check"])
    from survey.planner import STATE_BUDGET

    counts = dict(line.rsplit(None, 1) for line in result.output.splitlines()[1:])
    counts = {k.strip(): int(v.replace(",", "")) for k, v in counts.items()}
    assert 1000 < counts["planner states"] < STATE_BUDGET


def test_content_check_refuses_rules_the_planner_cannot_weigh(runner, content_copy):
    from survey.planner import STATE_BUDGET

    path = content_copy / "qualification.toml"
    path.write_text(
        path.read_text()
        + "".join(
            f'\n[[rules]]\nid = "{g}-30"\nkind = "credits"\ngroups = ["{g}"]\nmin = 30\n'
            for g in "BCDE"
        )
    )
    result = runner.invoke(args=["content", "check", "--path", str(content_copy)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {path}: rules: the planner would have to weigh more than {STATE_BUDGET:,} "
        "combinations of units, its limit: lower the minimums, or combine rules that count "
        "credits from the same groups"
    ]


def test_content_check_fails_with_file_and_field(runner, content_copy):
    (content_copy / "contexts.toml").write_text('[[contexts]]\nid = "x"\n')
    result = runner.invoke(args=["content", "check", "--path", str(content_copy)])
    assert result.exit_code == 1
    assert f"{content_copy / 'contexts.toml'}: contexts[0].units: is missing" in result.output


def test_content_export_is_the_whole_qualification_as_json(runner, q):
    result = runner.invoke(args=["content", "export"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [u["number"] for u in data["units"]] == [u.number for u in q.units]
    b1 = next(u for u in data["units"] if u["number"] == "B1")
    assert b1["evidence"]["simulation_allowed"] is False
    assert len(b1["outcomes"]) == 2
    calls = next(c for c in data["contexts"] if c["id"] == "incoming-calls")
    assert calls["units"] == ["A11"] and calls["answers"] == ["yes", "sometimes", "no"]


def write(tmp_path, data) -> str:
    path = tmp_path / "profile.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_plan_prints_valid_plans_as_json(runner, tmp_path, q):
    profile = {
        "job_role": "Call Centre Operators",
        "contexts": {"incoming-calls": "yes", "outgoing-calls": "yes", "face-to-face": "no"},
        "ratings": {"F1:1.1": 3, "A11:unit": 3},
        "interests": ["A11", "A12"],
        "exclusions": ["C6"],
    }
    result = runner.invoke(args=["plan", write(tmp_path, profile), "--alternatives", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["plans"]) == 3
    for plan in data["plans"]:
        numbers = [u["number"] for u in plan["units"]]
        assert check_plan(q, numbers) == []
        assert "C6" not in numbers and "A10" not in numbers
    best = [u["number"] for u in data["plans"][0]["units"]]
    assert "A11" in best
    a11 = next(u for u in data["plans"][0]["units"] if u["number"] == "A11")
    assert "answering calls" in a11["reason"] and "interests you" in a11["reason"]
    assert data["problems"] == [] and data["level_notes"] == []


def test_plan_notes_a_level_3_role(runner, tmp_path):
    result = runner.invoke(args=["plan", write(tmp_path, {"job_role": "Department Manager"})])
    assert "Level 3 list of job roles" in json.loads(result.output)["level_notes"][0]


@pytest.mark.parametrize(
    "data, message",
    [
        ("{not json", "is not valid JSON"),
        ([], "the profile must be a JSON object"),
        ({"interests": ["X9"]}, "unknown unit 'X9' in interests"),
        ({"contexts": {"telepathy": "yes"}}, "unknown context 'telepathy'"),
        ({"contexts": {"writing": "often"}}, "must be yes, sometimes or no"),
        ({"ratings": {"F1:1.1": 7}}, "rating for 'F1:1.1' must be 0, 1, 2 or 3, not 7"),
        ({"ratings": {"F1:9.9": 1}}, "unknown statement 'F1:9.9'"),
        ({"readiness": {"A1": -1}}, "readiness for 'A1' must be from 0 to 3"),
        ({"favourite": 1}, "unknown field 'favourite'"),
        ("[" * 100_000 + "]" * 100_000, "is nested too deeply"),
        ('{"contexts": ' + "[" * 50_000, "is nested too deeply"),
    ],
)
def test_plan_rejects_bad_profiles_with_one_line(runner, tmp_path, data, message):
    result = runner.invoke(
        args=["plan", write(tmp_path, data if isinstance(data, str) else json.dumps(data))]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_plan_missing_file(runner, tmp_path):
    result = runner.invoke(args=["plan", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_plan_says_why_when_no_plan_exists(runner, tmp_path, q):
    exclusions = [u.number for u in q.units_in("D")]
    result = runner.invoke(args=["plan", write(tmp_path, {"exclusions": exclusions})])
    data = json.loads(result.output)
    assert data["plans"] == []
    assert data["problems"][0].startswith("Group D (Handling problems) has no unit left")


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds folder not found beside the project")
def test_content_import_of_the_b1_seed_writes_a_draft(runner, tmp_path):
    out = tmp_path / "drafts"
    result = runner.invoke(
        args=["content", "import", str(SEEDS / "004_3a1f26c67624c461.txt"), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "B1.toml").exists()
    assert "B1: 2 outcomes, 16 criteria" in result.output


def test_content_import_rejects_an_unrelated_file(runner, tmp_path):
    path = tmp_path / "recipe.txt"
    path.write_text("Beat two eggs with sugar. Fold in the flour and bake for 20 minutes.\n")
    result = runner.invoke(args=["content", "import", str(path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and len(result.output.strip().splitlines()) == 1


CREATE_BOSS = "users create --role admin --email boss@centre.example --password-stdin".split()


def test_users_create_reads_the_password_from_stdin(app, runner):
    from survey.db import connect
    from survey.store import accounts

    result = runner.invoke(
        args=CREATE_BOSS,
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    db = connect(app.config["DATABASE"])
    row = accounts.staff_by_email(db, "boss@centre.example")
    db.conn.close()
    assert row["role"] == "admin" and row["password_hash"].startswith("scrypt:")
    assert "a long enough password" not in row["password_hash"]
    again = runner.invoke(
        args=CREATE_BOSS,
        input="a long enough password\n",
    )
    assert again.exit_code == 1 and "already an account" in again.output


@pytest.mark.parametrize(
    "args, password, message",
    [
        (["--role", "admin", "--email", "x@y.org"], "short\n", "at least 12 characters"),
        (["--role", "admin", "--email", "not an email"], "long enough pass\n", "not an email"),
        (["--role", "boss", "--email", "x@y.org"], "long enough pass\n", "Invalid value"),
    ],
)
def test_users_create_refuses_bad_input(runner, args, password, message):
    result = runner.invoke(args=["users", "create", *args, "--password-stdin"], input=password)
    assert result.exit_code != 0 and message in result.output


# ---- competency data out and in ----------------------------------------------------------------


def test_content_export_json_is_still_the_default(runner):
    default = runner.invoke(args=["content", "export"])
    explicit = runner.invoke(args=["content", "export", "--format", "json"])
    assert default.exit_code == 0 and default.output == explicit.output
    assert json.loads(default.output)["code"] == "03455"


def test_content_export_case_uses_the_base_url_and_the_contents_date(runner, app):
    result = runner.invoke(args=["content", "export", "--format", "case"])
    package = json.loads(result.output)
    assert package["CFDocument"]["uri"].startswith("http://localhost:5000/ims/case/v1p1/")
    assert package["CFDocument"]["lastChangeDateTime"] == "2026-11-22T06:06:14Z"
    app.config["PUBLIC_URL"] = "https://assess.example.org/"
    again = runner.invoke(args=["content", "export", "--format", "case"])
    assert json.loads(again.output)["CFItems"][0]["uri"].startswith(
        "https://assess.example.org/ims/case/v1p1/CFItems/"
    )
    dated = runner.invoke(
        args=[
            "content",
            "export",
            "--format",
            "case",
            "--base-url",
            "https://x.example",
            "--changed",
            "2027-02-03",
        ]
    )
    assert json.loads(dated.output)["CFDocument"]["lastChangeDateTime"] == "2027-02-03T00:00:00Z"


def test_content_export_moodle_prints_the_framework_csv(runner):
    result = runner.invoke(args=["content", "export", "--format", "moodle"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith('"Parent id number","Id number",Shortname')
    assert lines[1].startswith(",03455,")


def test_content_export_rejects_an_unknown_format(runner):
    result = runner.invoke(args=["content", "export", "--format", "xml"])
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output


def test_import_case_writes_a_folder_that_loads_and_exports_the_same(runner, tmp_path):
    exported = runner.invoke(args=["content", "export", "--format", "case"]).output
    package = tmp_path / "03455.json"
    package.write_text(exported, encoding="utf-8")
    out = tmp_path / "copy"
    result = runner.invoke(args=["content", "import-case", str(package), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote 6 files to {out}" in result.output
    from survey.case import package_json, to_case
    from survey.content import load_qualification

    assert package_json(to_case(load_qualification(out), "http://localhost:5000")) == exported
    again = runner.invoke(args=["content", "import-case", str(package), "--output", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_import_case_is_published_into_the_centres_content_by_default(runner, app, tmp_path):
    package = tmp_path / "03455.json"
    package.write_text(runner.invoke(args=["content", "export", "--format", "case"]).output)
    result = runner.invoke(args=["content", "import-case", str(package), "--code", "03455-B"])
    assert result.exit_code == 0, result.output
    target = Path(app.config["CENTRE_CONTENT"]) / "03455-B"
    assert f"published 6 files to {target}" in result.output
    assert (target / "qualification.toml").read_text().count('code = "03455-B"') == 1
    check = runner.invoke(args=["content", "check", "--path", str(target)])
    assert (
        "03455-B OCR Level 2 NVQ Certificate in Customer Service: content is valid" in check.output
    )
    # through the library: each file is version 1, with who and the package it came from
    library = app.extensions["library"]
    (version,) = library.file_versions("03455-B", "qualification.toml")
    assert version.number == 1 and version.who.endswith("(command line)")
    assert version.note == "imported from 03455.json"
    with database(app) as db:
        audit = db.execute("SELECT actor, action, subject FROM audit ORDER BY id").fetchall()
    assert ("cli", "qualification-imported", "03455-B qualification.toml") in audit
    # a qualification of that code exists now (so does the shipped one): refused, unchanged
    before = sorted(p.relative_to(target) for p in target.rglob("*"))
    for code in ("03455-B", "03455"):
        again = runner.invoke(args=["content", "import-case", str(package), "--code", code])
        assert again.exit_code == 1, again.output
        assert f"there is already a qualification {code}" in again.output
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before


def test_import_case_of_a_foreign_package_lists_what_to_enter(runner, tmp_path):
    from helpers import foreign_package

    package = tmp_path / "care.json"
    package.write_text(json.dumps(foreign_package()))
    refused = runner.invoke(args=["content", "import-case", str(package)])
    assert refused.exit_code == 1 and "give one, e.g. --code" in refused.output
    out = tmp_path / "care"
    result = runner.invoke(
        args=["content", "import-case", str(package), "--code", "CARE2", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "to do: Not a Starting Point package" in result.output
    check = runner.invoke(args=["content", "check", "--path", str(out)])
    assert "no rules of combination yet" in check.output


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1, 2", "not valid JSON"),
        ('{"CFItems": []}', "the package: 'CFDocument' is a required property"),
    ],
)
def test_import_case_refuses_a_bad_package_with_one_line_and_writes_nothing(
    runner, tmp_path, text, message
):
    package = tmp_path / "bad.json"
    package.write_text(text)
    out = tmp_path / "never"
    result = runner.invoke(args=["content", "import-case", str(package), "--output", str(out)])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]


def test_import_case_of_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["content", "import-case", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and "cannot read" in result.output
