"""A qualification written back as TOML, and draft qualifications whose rules are still to come."""

from __future__ import annotations

import math
import tomllib
from datetime import date, time
from pathlib import Path

import pytest
from helpers import SECOND, same_qualification, second_qualification, write_folder

from survey.content import ContentError, load_qualification
from survey.content_files import qualification_files, toml_document
from survey.planner import suggest_plans
from survey.profile import Profile
from survey.rules import check_plan


def rewrite(q, folder):
    return load_qualification(write_folder(folder, qualification_files(q)))


def test_03455_written_back_loads_as_the_same_qualification(q, tmp_path):
    assert same_qualification(q, rewrite(q, tmp_path)) == {}


def test_a_second_qualification_written_back_loads_the_same(tmp_path):
    second = second_qualification(tmp_path / "in")
    again = rewrite(second, tmp_path / "out")
    assert same_qualification(second, again) == {}
    # the parts 03455 lacks survive too
    c = again.unit("301").criteria[0]
    assert c.help == ("Think of one person at a time.", again.unit("301").guidance[0].text)
    assert '"their"' in c.text and "\\" in again.unit("301").guidance[0].text
    assert again.rules[3].note == "A centre rule, not the awarding body's."
    assert again.last_changed.isoformat() == "2027-03-01T10:30:00+01:00"
    assert again.weights.credit == 5


SHIPPED = Path(__file__).resolve().parent.parent / "content" / "03455"


@pytest.mark.parametrize(
    "text",
    [
        *[p.read_text(encoding="utf-8") for p in sorted(SHIPPED.rglob("*.toml"))],
        *SECOND.values(),
    ],
)
def test_content_read_as_data_is_written_back_as_the_same_data(text):
    data = tomllib.loads(text)
    assert tomllib.loads(toml_document(data)) == data


def test_every_kind_of_toml_value_is_written_back():
    data = {
        "odd key": 'tab\tquote" backslash\\ é',
        "numbers": [1, -2.5, math.inf, -math.inf, 1e100],
        "when": date(2027, 3, 1),
        "at": time(9, 30),
        "inline": [{"a": 1}, "b"],
        "nested": [[1, 2], ["x"]],
        "empty": [],
        "table": {"deep": {"x": True}, "rows": [{"n": 1, "sub": {"y": False}}, {"n": 2}]},
    }
    assert tomllib.loads(toml_document(data)) == data
    assert math.isnan(tomllib.loads(toml_document({"n": math.nan}))["n"])
    with pytest.raises(TypeError, match="set cannot be written as TOML"):
        toml_document({"bad": {1, 2}})


def test_only_units_with_criteria_get_a_file(q):
    files = qualification_files(q)
    assert sorted(files) == [
        "contexts.toml",
        "qualification.toml",
        "roles.toml",
        "units/B1.toml",
        "units/F1.toml",
        "units/F2.toml",
    ]


# ---- drafts: a qualification whose rules of combination are still to be entered ---------------

DRAFT = {
    "qualification.toml": """
code = "D1"
title = "A draft qualification"

[[groups]]
id = "U"
title = "Units"
credits = 9

[[units]]
number = "U1"
title = "Greet visitors"
group = "U"

[[units]]
number = "U2"
title = "Answer the phone"
group = "U"

[scales]
performance = ["a", "b", "c", "d"]
knowledge = ["a", "b", "c", "d"]
""",
    "roles.toml": "",
    "contexts.toml": "",
}


@pytest.fixture
def draft(tmp_path):
    return load_qualification(write_folder(tmp_path, DRAFT))


def test_a_draft_loads_without_rules_credits_levels_or_accreditation(draft):
    assert draft.draft and draft.rules == ()
    assert [(u.credits, u.level, u.accreditation) for u in draft.units] == [(0, 0, ""), (0, 0, "")]
    assert draft.level == 0 and draft.roles == () and draft.contexts == ()


def test_no_plan_is_suggested_or_valid_for_a_draft(draft):
    expected = (
        "No plan can be suggested or checked yet: the rules of combination of D1 "
        "have not been entered."
    )
    suggestion = suggest_plans(draft, Profile())
    assert suggestion.plans == () and suggestion.problems == (expected,)
    assert [p.message for p in check_plan(draft, ["U1", "U2"])] == [expected]


def test_a_draft_written_back_says_what_is_missing_and_loads_the_same(draft, tmp_path):
    files = qualification_files(draft)
    assert "# No rules of combination yet" in files["qualification.toml"]
    assert "None yet" in files["roles.toml"] and "None yet" in files["contexts.toml"]
    assert same_qualification(draft, rewrite(draft, tmp_path / "again")) == {}


@pytest.mark.parametrize("field", ["credits", "level", "accreditation"])
def test_once_rules_are_entered_every_unit_needs_its_catalogue_facts(tmp_path, field):
    text = SECOND["qualification.toml"]
    lines = text.split("\n")
    units = lines.index("[[units]]")
    first = next(i for i in range(units, len(lines)) if lines[i].startswith(f"{field} ="))
    files = dict(SECOND, **{"qualification.toml": "\n".join(lines[:first] + lines[first + 1 :])})
    with pytest.raises(ContentError, match=rf"units\[0\]\.{field}: is missing"):
        load_qualification(write_folder(tmp_path, files))


def test_once_rules_are_entered_the_qualification_needs_its_level(tmp_path):
    files = dict(
        SECOND,
        **{
            "qualification.toml": SECOND["qualification.toml"].replace(
                "level = 3\nlast_changed", "last_changed"
            )
        },
    )
    with pytest.raises(ContentError, match=r"qualification.toml: level: is missing"):
        load_qualification(write_folder(tmp_path, files))


@pytest.mark.parametrize(
    "value, problem",
    [
        ("2027-03-01T10:30:00", "last_changed: needs a time zone"),
        ('"yesterday"', "last_changed: must be a date and time like 2025-06-01T09:00:00Z"),
    ],
)
def test_last_changed_must_be_a_moment_with_its_zone(tmp_path, value, problem):
    text = SECOND["qualification.toml"].replace("2027-03-01T10:30:00+01:00", value)
    with pytest.raises(ContentError, match=problem):
        load_qualification(write_folder(tmp_path, dict(SECOND, **{"qualification.toml": text})))


def test_a_date_alone_is_midnight_utc(tmp_path):
    text = SECOND["qualification.toml"].replace("2027-03-01T10:30:00+01:00", "2027-03-01")
    q = load_qualification(write_folder(tmp_path, dict(SECOND, **{"qualification.toml": text})))
    assert q.last_changed.isoformat() == "2027-03-01T00:00:00+00:00"
