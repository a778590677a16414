"""The qualification as data: every unit against the seed, and every kind of broken file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.content import (
    ContentError,
    criteria_ranges,
    criterion_kind,
    export,
    first_person,
    load_qualification,
)

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
        "activities",
        "knowledge",
        "ledger",
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
    calls = next(a for a in data["activities"] if a["id"] == "incoming-calls")
    assert calls["context"] == "incoming-calls" and calls["method"] == "observation"
    assert "A11:unit" in calls["evidences"] and "F1:2.2" in calls["evidences"]
    assert data["knowledge"] == {"method": "professional discussion", "units": {}}
    assert data["ledger"]["hours_per_credit"] == 10
    apprenticeship = data["ledger"]["funding"][1]
    assert apprenticeship["applies_from"] == "2025-08-01"
    assert (apprenticeship["min_duration_months"], apprenticeship["min_off_the_job_hours"]) == (
        8,
        187,
    )


# ---- broken files: each stops loading with the file and the field ----------------------------

FIRST_ACTIVITY = (
    'id = "face-to-face"\ntitle = "face-to-face service"\ncontext = "face-to-face"\n'
    'evidences = [\n  "F1:1.1"'
)
PARTNERS = 'id = "partners"\ntitle = "work with a partner organisation"\ncontext = "partners"\n'

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
    # activities.toml: what each workplace activity can evidence by observation
    *[
        pytest.param(
            "activities.toml",
            FIRST_ACTIVITY,
            FIRST_ACTIVITY.replace('"F1:1.1"', new),
            "activities[0].evidences[0]",
            problem,
            id=name,
        )
        for name, new, problem in [
            ("activity-unknown-criterion", '"F1:9.9"', "unknown criterion 'F1:9.9'"),
            ("activity-unknown-unit", '"Z9:unit"', "unknown statement 'Z9:unit'"),
            ("activity-not-a-statement-id", '"F1"', "expected UNIT:CRITERION or UNIT:unit"),
            ("activity-knowledge-observed", '"F1:3.1"', "F1:3.1 is a knowledge criterion"),
        ]
    ],
    pytest.param(
        "activities.toml",
        FIRST_ACTIVITY,
        FIRST_ACTIVITY.replace('"F1:1.1"', '"F1:1.3"'),
        "activities[0].evidences[1]",
        "'F1:1.3' is listed twice",
        id="activity-duplicate-statement",
    ),
    pytest.param(
        "activities.toml",
        'id = "outgoing-calls"',
        'id = "incoming-calls"',
        "activities[2].id",
        "duplicate activity 'incoming-calls'",
        id="activity-duplicate-id",
    ),
    pytest.param(
        "activities.toml",
        'context = "incoming-calls"',
        'context = "carrier-pigeon"',
        "activities[1].context",
        "unknown context 'carrier-pigeon'",
        id="activity-unknown-context",
    ),
    pytest.param(
        "activities.toml",
        PARTNERS + 'evidences = [\n  "F2:1.5",\n  "B9:unit",\n]',
        PARTNERS + "evidences = []",
        "activities[12].evidences",
        "is empty",
        id="activity-evidences-nothing",
    ),
    pytest.param(
        "activities.toml",
        'method = "professional discussion"',
        'method = "essay"',
        "knowledge.method",
        "must be one of professional discussion, questioning, not 'essay'",
        id="knowledge-method",
    ),
    pytest.param(
        "activities.toml",
        'method = "professional discussion"',
        'method = "professional discussion"\nunits = { Z9 = "questioning" }',
        "knowledge.units.Z9",
        "unknown unit 'Z9'",
        id="knowledge-method-unknown-unit",
    ),
    pytest.param(
        "activities.toml",
        'method = "professional discussion"',
        'method = "professional discussion"\nunits = { F2 = "quiz" }',
        "knowledge.units.F2",
        "not 'quiz'",
        id="knowledge-method-of-a-unit",
    ),
    # qualification.toml [ledger]: hours per credit and the funding profiles that apply
    pytest.param(
        "qualification.toml",
        "hours_per_credit = 10",
        "hours_per_credit = 0",
        "ledger.hours_per_credit",
        "between 1 and 1000",
        id="ledger-hours-per-credit",
    ),
    pytest.param(
        "qualification.toml",
        'funding = ["adult-skills-2025-08", "apprenticeship-2025-08"]',
        'funding = ["adult-skills-2025-08", "lottery"]',
        "ledger.funding[1]",
        "unknown funding profile 'lottery'",
        id="ledger-unknown-funding-profile",
    ),
    pytest.param(
        "qualification.toml",
        'funding = ["adult-skills-2025-08", "apprenticeship-2025-08"]',
        'funding = ["adult-skills-2025-08", "adult-skills-2025-08"]',
        "ledger.funding[1]",
        "listed twice",
        id="ledger-funding-profile-twice",
    ),
    pytest.param(
        "qualification.toml",
        "hours_per_credit = 10",
        "hours_per_credit = 10\nhours_per_unit = 50",
        "ledger.hours_per_unit",
        "unknown setting",
        id="ledger-unknown-setting",
    ),
    # ../funding/: the funding profiles qualification.toml names
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        'kind = "apprenticeship"',
        'kind = "grant"',
        "kind",
        "must be one of",
        id="funding-kind",
    ),
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        "applies_from = 2025-08-01",
        'applies_from = "August 2025"',
        "applies_from",
        "must be a date like 2025-08-01",
        id="funding-date-as-text",
    ),
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        "applies_from = 2025-08-01",
        "",
        "applies_from",
        "is missing",
        id="funding-date-missing",
    ),
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        "min_off_the_job_hours = 187",
        "",
        "min_off_the_job_hours",
        "is missing",
        id="funding-limit-missing",
    ),
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        "min_duration_months = 8",
        "min_duration_months = 0",
        "min_duration_months",
        "between 1 and 120",
        id="funding-limit-zero",
    ),
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        "price_reduction_share = 50",
        "price_reduction_share = 0.5",
        "price_reduction_share",
        "must be a whole number",
        id="funding-share-not-whole",
    ),
    pytest.param(
        "../funding/apprenticeship-2025-08.toml",
        "source = ",
        "sauce = ",
        "sauce",
        "unknown setting",
        id="funding-unknown-key",
    ),
    pytest.param(
        "../funding/adult-skills-2025-08.toml",
        'kind = "proportion"',
        'kind = "proportion"\nmin_duration_months = 8',
        "min_duration_months",
        'only used by kind = "apprenticeship"',
        id="funding-limit-on-proportion",
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
    assert Path(caught.value.file).resolve() == path.resolve()
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


# ---- funding profiles: rules as data, shared by the qualifications beside them ----------------


def test_funding_profiles_name_their_source_and_date(q):
    adult, apprenticeship = q.funding
    assert (adult.id, adult.kind) == ("adult-skills-2025-08", "proportion")
    assert "PriorLearnFundAdj" in adult.source
    assert (apprenticeship.id, apprenticeship.kind) == ("apprenticeship-2025-08", "apprenticeship")
    assert str(apprenticeship.applies_from) == "2025-08-01"
    assert "Apprenticeship funding rules" in apprenticeship.source
    limits = (
        apprenticeship.price_reduction_share,
        apprenticeship.min_duration_months,
        apprenticeship.min_off_the_job_hours,
    )
    assert limits == (50, 8, 187)
    assert q.funding_profile("apprenticeship-2025-08") is apprenticeship
    assert q.hours_per_credit == 10


def test_funding_folder_can_be_given(content_copy, tmp_path):
    elsewhere = tmp_path / "rules"
    (content_copy.parent / "funding").rename(elsewhere)
    (elsewhere / "adult-skills-2025-08.toml").unlink()
    with pytest.raises(ContentError, match="unknown funding profile 'adult-skills-2025-08'"):
        load_qualification(content_copy, funding_folder=elsewhere)


def test_a_qualification_on_its_own_uses_the_shipped_funding_profiles(content_copy, tmp_path):
    # a qualification added under the instance folder has no funding folder beside it
    alone = tmp_path / "instance" / "content" / "03455"
    alone.parent.mkdir(parents=True)
    content_copy.rename(alone)
    q = load_qualification(alone)
    assert [p.id for p in q.funding] == ["adult-skills-2025-08", "apprenticeship-2025-08"]


def test_without_ledger_settings_or_activities_a_qualification_still_loads(content_copy):
    main = content_copy / "qualification.toml"
    text = main.read_text(encoding="utf-8")
    start = text.index("[ledger]")
    main.write_text(text[:start] + text[text.index("[[groups]]") :], encoding="utf-8")
    (content_copy / "activities.toml").unlink()
    q = load_qualification(content_copy)
    assert (q.hours_per_credit, q.funding, q.activities) == (10, (), ())
    assert q.method_for_knowledge("F1") == "professional discussion"


# ---- activities: the criteria each workplace activity can evidence ----------------------------


def test_every_job_context_has_an_activity_and_one_activity_needs_none(q):
    by_context = {a.context for a in q.activities}
    assert by_context == {c.id for c in q.contexts} | {""}
    assert [a.id for a in q.activities if not a.context] == ["team-briefing"]


def test_an_activity_evidences_the_units_its_context_opens(q):
    for a in q.activities:
        if a.context:
            shown = {s.partition(":")[0] for s in a.evidences}
            assert set(q.context(a.context).units) <= shown, a.id


def test_a_unit_level_entry_for_a_unit_with_criteria_stands_for_its_performance_criteria(
    content_copy, q
):
    # written while F1 awaited its criteria; F1 has them now, so the entry means all it can show
    path = content_copy / "activities.toml"
    text = path.read_text(encoding="utf-8")
    assert FIRST_ACTIVITY + ', "F1:1.3", "F1:2.2",' in text
    path.write_text(
        text.replace('"F1:1.1", "F1:1.3", "F1:2.2",', '"F1:2.2", "F1:unit",', 1), encoding="utf-8"
    )
    face = load_qualification(content_copy).activity("face-to-face")
    performance = [c.id for c in q.unit("F1").criteria if c.kind == "performance"]
    assert len(performance) > 3 and any(c.kind == "knowledge" for c in q.unit("F1").criteria)
    assert face.evidences[: len(performance)] == (
        "F1:2.2",
        *(c for c in performance if c != "F1:2.2"),
    )
    assert face.evidences[len(performance) :] == q.activity("face-to-face").evidences[3:]
    assert face.whole_units == ("F1",) and q.activity("face-to-face").whole_units == ()


def test_every_performance_criterion_of_f1_f2_and_b1_has_an_activity(q):
    mapped = {s for a in q.activities for s in a.evidences}
    for number in ("F1", "F2", "B1"):
        for c in q.unit(number).criteria:
            assert (c.id in mapped) == (c.kind == "performance"), c.id


@pytest.mark.parametrize(
    "criterion, contexts",
    [
        # the dress code and personal image are seen only by customers who see the learner
        ("B1:1.2", {"face-to-face", "customer-premises"}),
        # the seed's key term ties the security of customers' property to customers present
        ("F2:1.4", {"face-to-face", "customer-premises", "risk-assessment"}),
        # talking with colleagues needs colleagues, not customers
        ("F1:1.2", {"handovers", "colleagues", ""}),
        ("B1:1.8", {"handovers", "colleagues", ""}),
        # limits of authority and referral show when something goes beyond routine
        ("F2:1.2", {"problems"}),
        ("F2:1.3", {"problems"}),
    ],
)
def test_criteria_are_mapped_only_to_activities_that_show_them(q, criterion, contexts):
    assert {a.context for a in q.activities if criterion in a.evidences} == contexts


@pytest.mark.parametrize(
    "unit, numbers, text",
    [
        ("B1", ["1.4", "1.5"], "1.4–1.5"),
        ("B1", ["1.5", "1.3", "1.4", "1.1"], "1.1, 1.3–1.5"),
        # a run stays inside its learning outcome, and follows the unit's order, not the text's
        ("B1", ["1.8", "2.1"], "1.8, 2.1"),
        ("F2", [f"2.{i}" for i in range(1, 11)], "2.1–2.10"),
        ("F1", ["3.9", "3.10", "3.11", "1.1"], "1.1, 3.9–3.11"),
        ("F1", ["9.9"], ""),
    ],
)
def test_criteria_ranges_compress_runs(q, unit, numbers, text):
    assert criteria_ranges(q.unit(unit), numbers) == text


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
    for name in ("contexts.toml", "activities.toml"):
        other = content_copy / name
        other.write_text(other.read_text().replace('"A11', '"301'))
    assert load_qualification(content_copy).unit("301") is not None


def test_a_unit_is_found_by_its_number_in_any_case(q):
    assert q.find_unit("b1") is q.find_unit("B1") is q.unit("B1")
    assert q.unit("b1") is None  # the exact lookup is for numbers the app itself wrote


def test_no_unit_with_that_number_says_which_units_there_are(q):
    from survey.content import UnitNotFound

    with pytest.raises(UnitNotFound) as found:
        q.find_unit("ZZ9")
    assert found.value.number == "ZZ9" and found.value.units == q.units
