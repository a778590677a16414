"""The qualification as data: every unit against the seed, and every kind of broken file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.content import ContentError, criterion_kind, export, first_person, load_qualification

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
GUIDE = SEEDS / "000_82f13f822231d159.txt"


def seed_unit_table() -> list[dict]:
    """The unit tables of the student guide, parsed straight from the seed text."""
    if not GUIDE.exists():
        return []  # test_the_seed_table_has_49_units says why
    rows, group = [], None
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#+ GROUP ([A-E]) ", line)
        if heading:
            group = heading.group(1)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if group and len(cells) == 5 and re.fullmatch(r"[A-F]\d+", cells[0]):
            rows.append(
                {
                    "number": cells[0],
                    "accreditation": cells[1],
                    "title": cells[2],
                    "credits": int(cells[3]),
                    "level": int(cells[4]),
                    "group": group,
                }
            )
    return rows


@pytest.mark.skipif(not GUIDE.exists(), reason=f"the seed is not at {GUIDE}")
def test_the_seed_table_has_49_units():
    assert len(seed_unit_table()) == 49


@pytest.mark.parametrize("row", seed_unit_table(), ids=lambda r: r["number"])
def test_every_unit_matches_the_seed_table(q, row):
    unit = q.unit(row["number"])
    assert unit is not None
    assert {
        "number": unit.number,
        "accreditation": unit.accreditation,
        "title": unit.title,
        "credits": unit.credits,
        "level": unit.level,
        "group": unit.group,
    } == row


@pytest.mark.skipif(not GUIDE.exists(), reason=f"the seed is not at {GUIDE}")
def test_catalogue_has_exactly_the_seed_units_in_order(q):
    assert [u.number for u in q.units] == [r["number"] for r in seed_unit_table()]


@pytest.mark.skipif(not GUIDE.exists(), reason=f"the seed is not at {GUIDE}")
def test_rules_of_combination_are_the_seed_rules(q):
    rules = {r.id: (r.kind, r.groups, r.min, r.levels) for r in q.rules}
    assert rules == {
        "total-credits": ("credits", ("A", "B", "C", "D", "E"), 28, ()),
        "mandatory": ("all_units", ("A",), 0, ()),
        "optional-credits": ("credits", ("B", "C", "D", "E"), 20, ()),
        "each-optional-group": ("units_each_group", ("B", "C", "D", "E"), 1, ()),
        "optional-level-2": ("credits", ("B", "C", "D", "E"), 11, (2,)),
    }
    text = GUIDE.read_text(encoding="utf-8")
    for r in q.rules:
        # the seed's own words are kept beside each rule
        assert r.wording in text, r.id


def test_groups_and_mandatory_units(q):
    assert [(g.id, g.title, g.mandatory) for g in q.groups] == [
        ("A", "Mandatory units", True),
        ("B", "Impression and image", False),
        ("C", "Delivery", False),
        ("D", "Handling problems", False),
        ("E", "Development and improvement", False),
    ]
    assert [u.number for u in q.mandatory_units] == ["F1", "F2"]
    assert sum(u.credits for u in q.mandatory_units) == 8


def test_only_f1_f2_and_b1_have_criteria_and_others_await_them(q):
    assert [u.number for u in q.units if not u.awaiting_criteria] == ["F1", "F2", "B1"]
    a1 = q.unit("A1")
    assert a1.statement == "I can maintain a positive and customer-friendly attitude"
    assert [s.id for s in a1.statements()] == ["A1:unit"]


@pytest.mark.parametrize(
    "unit, outcomes",
    [
        ("F1", [(1, 3), (2, 3), (3, 15)]),
        ("F2", [(1, 5), (2, 10)]),
        ("B1", [(1, 8), (2, 8)]),
    ],
)
def test_outcome_and_criterion_counts(q, unit, outcomes):
    assert [(o.number, len(o.criteria)) for o in q.unit(unit).outcomes] == outcomes


@pytest.mark.parametrize(
    "cid, kind",
    [
        ("F1:1.1", "performance"),
        ("F1:2.1", "knowledge"),  # "Outline …"
        ("F1:2.2", "performance"),
        ("F1:2.3", "knowledge"),  # "List …"
        ("F1:3.1", "knowledge"),
        ("F2:1.3", "performance"),
        ("F2:2.10", "knowledge"),
        ("B1:1.5", "performance"),
        ("B1:2.6", "knowledge"),
    ],
)
def test_criteria_are_marked_knowledge_or_performance(q, cid, kind):
    assert q.statement(cid).kind == kind


def test_every_criterion_kind_agrees_with_the_rule(q):
    for u in q.units:
        for o in u.outcomes:
            for c in o.criteria:
                assert c.kind == criterion_kind(c.text, o.title), c.id


def test_every_statement_is_first_person(q):
    for s in q.statements():
        assert s.text.startswith("I can "), s.id
        assert " their organisation" not in s.text, s.id


def test_b1_completes_only_what_the_seed_makes_certain(q):
    b1 = q.unit("B1")
    c11 = next(c for c in b1.criteria if c.number == "1.1")
    assert (c11.text, c11.seed_text, c11.uncertain) == (
        "Make a good first impression",
        "Make a good first",
        False,
    )
    uncertain = [c.number for c in b1.criteria if c.uncertain]
    assert uncertain == ["1.3", "1.7", "2.2", "2.3", "2.4", "2.7", "2.8"]
    for c in b1.criteria:
        if c.uncertain:
            assert c.text.endswith("…") and c.statement.endswith("…")
            assert c.text.startswith(c.seed_text)
            assert c.note


def test_b1_evidence_requirements(q):
    evidence = q.unit("B1").evidence
    assert evidence.simulation_allowed is False
    items = [i for s in evidence.situations for i in s.items]
    assert "during a busy time in your job" in items
    assert "during a quiet time in your job" in items
    assert "difficult to deal with" in items


def test_guidance_notes_become_help_under_statements(q):
    assert any(
        "Internal customers work for your organisation" in h for h in q.statement("F1:3.1").help
    )
    assert any("Data Protection Act" in h for h in q.statement("F2:1.5").help)


def test_job_roles_from_the_seed(q):
    levels = {r.title: r.level for r in q.roles}
    assert len([t for t, lv in levels.items() if lv == 2]) == 20
    assert len([t for t, lv in levels.items() if lv == 3]) == 8
    assert levels["Call Centre Operators"] == 2
    assert levels["Customer Service Team Leader"] == 3


def test_contexts_open_real_units(q):
    assert len(q.contexts) == 16
    assert q.context("incoming-calls").units == ("A11",)
    assert q.context("risk-assessment").units == ("C6",)
    for c in q.contexts:
        assert all(q.unit(n) and not any(m.number == n for m in q.mandatory_units) for n in c.units)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Greet customers politely and positively",
            "I can greet customers politely and positively",
        ),
        ("Describe my role.", "I can describe my role"),
    ],
)
def test_first_person(text, expected):
    assert first_person(text) == expected


def test_export_shape(q):
    data = export(q)
    assert set(data) == {
        "code",
        "title",
        "awarding_body",
        "level",
        "source",
        "rules",
        "groups",
        "units",
        "job_roles",
        "contexts",
        "scales",
        "weights",
    }
    assert len(data["units"]) == 49
    f1 = data["units"][0]
    assert f1["number"] == "F1" and f1["outcomes"][0]["criteria"][0] == {
        "id": "F1:1.1",
        "number": "1.1",
        "text": "Recognise typical customers and their expectations",
        "statement": "I can recognise typical customers and their expectations",
        "kind": "performance",
        "help": [q.unit("F1").guidance[0].text],
        "uncertain": False,
        "seed_text": "",
        "note": "",
    }
    assert data["contexts"][0]["units"] == ["A10"]
    assert [g["units"] for g in data["groups"]][0] == ["F1", "F2"]


# ---- broken files: each stops loading with the file and the field ----------------------------

BROKEN = [
    pytest.param(
        "qualification.toml",
        'title = "Communicate effectively with customers"\ncredits = 5',
        'title = "Communicate effectively with customers"\ncredits = 0',
        "units[4].credits",
        "between 1 and 100",
        id="credits-zero",
    ),
    pytest.param(
        "qualification.toml",
        'title = "Follow the rules to deliver customer service"\ncredits = 4',
        'title = "Follow the rules to deliver customer service"\ncredits = 5',
        "groups[0].credits",
        "units add up to 9",
        id="mandatory-credited-wrongly",
    ),
    pytest.param(
        "qualification.toml",
        'number = "A2"',
        'number = "A1"',
        "units[3].number",
        "duplicate unit number 'A1'",
        id="duplicate-unit",
    ),
    pytest.param(
        "qualification.toml",
        'groups = ["B", "C", "D", "E"]\nmin = 1',
        'groups = ["B", "C", "X", "E"]\nmin = 1',
        "rules[3].groups[2]",
        "unknown group 'X'",
        id="rule-unknown-group",
    ),
    pytest.param(
        "qualification.toml",
        'kind = "units_each_group"',
        'kind = "most_units"',
        "rules[3].kind",
        "unknown kind",
        id="rule-unknown-kind",
    ),
    pytest.param(
        "qualification.toml",
        'group = "C"\nstatement = "I can do my job',
        'group = "Q"\nstatement = "I can do my job',
        "units[18].group",
        "unknown group 'Q'",
        id="unit-unknown-group",
    ),
    pytest.param(
        "units/F1.toml",
        'text = "Greet customers politely and positively"',
        'text = "  "',
        "outcomes[1].criteria[1].text",
        "is empty",
        id="criterion-without-text",
    ),
    pytest.param(
        "units/F1.toml",
        'number = "2.3"',
        'number = "2.2"',
        "outcomes[1].criteria[2].number",
        "duplicate criterion '2.2'",
        id="duplicate-criterion",
    ),
    pytest.param(
        "units/F2.toml",
        'kind = "performance"',
        'kind = "doing"',
        "outcomes[0].criteria[0].kind",
        "knowledge or performance",
        id="bad-kind",
    ),
    pytest.param(
        "units/B1.toml",
        'number = "B1"',
        'number = "Z9"',
        "number",
        "unknown unit 'Z9'",
        id="unit-file-unknown-unit",
    ),
    pytest.param(
        "contexts.toml",
        'units = ["A11"]',
        'units = ["A99"]',
        "contexts[1].units[0]",
        "unknown unit 'A99'",
        id="context-unknown-unit",
    ),
    pytest.param(
        "roles.toml",
        '"Courier",',
        '"Courier",\n  "Courier",',
        "roles[0].titles",
        "duplicate job role 'Courier'",
        id="duplicate-role",
    ),
    pytest.param(
        "qualification.toml",
        "[weights]",
        "[weights]\nluck = 3",
        "weights.luck",
        "unknown weight",
        id="unknown-weight",
    ),
    pytest.param(
        "qualification.toml",
        'code = "03455"',
        'code = "03455',
        "",
        "not valid TOML",
        id="not-toml",
    ),
]


@pytest.mark.parametrize("file, old, new, field, problem", BROKEN)
def test_broken_content_names_the_file_and_the_field(content_copy, file, old, new, field, problem):
    path = content_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text, "the test's anchor text must exist"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_qualification(content_copy)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("missing", ["qualification.toml", "roles.toml", "contexts.toml"])
def test_missing_content_file_is_named(content_copy, missing):
    (content_copy / missing).unlink()
    with pytest.raises(ContentError, match=f"{missing}: file not found"):
        load_qualification(content_copy)


def test_missing_content_folder(tmp_path):
    with pytest.raises(ContentError, match="content folder not found"):
        load_qualification(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "file, nested",
    [
        ("qualification.toml", "deep = " + "[" * 5000 + "]" * 5000),
        ("units/F1.toml", "deep = " + "{ a = " * 3000 + "1" + " }" * 3000),
        ("contexts.toml", "deep = " + "[" * 100_000),
    ],
    ids=["arrays", "inline-tables", "unclosed"],
)
def test_deeply_nested_toml_is_one_line_naming_the_file(content_copy, file, nested):
    """tomllib recurses once per level: thousands of levels were a 3,000-line traceback."""
    path = content_copy / file
    path.write_text(nested + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_qualification(content_copy)
    assert caught.value.file == str(path)
    assert "nested too deeply" in str(caught.value) or "not valid TOML" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "bad", ["b1", "x1", "Q-1", "S/1", "B 1", "B1:2", "B1.", "É1", "ABCDEFGHIJK"]
)
def test_a_unit_number_the_app_cannot_serve_is_refused(content_copy, q, bad):
    """A unit number becomes a web address (/check/B1), a form field (r-B1-1.1) and a page
    key (B1-1): lower case, dashes, slashes, colons or spaces gave dead pages and refused
    saves. One rule, applied by the loader, so `content check` refuses them too."""
    path = content_copy / "qualification.toml"
    path.write_text(path.read_text().replace('number = "B1"', f'number = "{bad}"'))
    index = [u.number for u in q.units].index("B1")
    with pytest.raises(ContentError) as caught:
        load_qualification(content_copy)
    assert (caught.value.file, caught.value.field) == (str(path), f"units[{index}].number")
    assert "capital letters and digits" in caught.value.problem  # the rule, in words


@pytest.mark.parametrize(
    "file, old, new, field",
    [
        ("qualification.toml", 'id = "B"', 'id = "B/2"', "groups[1].id"),
        ("qualification.toml", 'id = "B"', 'id = "B C"', "groups[1].id"),
        ("contexts.toml", 'id = "face-to-face"', 'id = "face to face"', "contexts[0].id"),
        ("contexts.toml", 'id = "face-to-face"', 'id = "face\'to"', "contexts[0].id"),
    ],
)
def test_group_and_context_ids_follow_the_same_kind_of_rule(content_copy, file, old, new, field):
    """A group id is part of a page address (/assessment/group-B); a context id names a field."""
    path = content_copy / file
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError) as caught:
        load_qualification(content_copy)
    assert (caught.value.file, caught.value.field) == (str(path), field)


def test_digits_only_unit_numbers_are_fine(content_copy):
    """Some awarding bodies number units 201, 301: capital letters are not required."""
    path = content_copy / "qualification.toml"
    text = path.read_text().replace('number = "A11"', 'number = "301"')
    path.write_text(text)
    contexts = content_copy / "contexts.toml"
    contexts.write_text(contexts.read_text().replace('"A11"', '"301"'))
    assert load_qualification(content_copy).unit("301") is not None
