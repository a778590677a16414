"""CASE 1.1 out and in: the export against 1EdTech's schema, round trips, others' packages."""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections import Counter
from datetime import datetime

import jsonschema
import pytest
from helpers import foreign_package, link, same_qualification, uid, write_folder

from survey.case import (
    EXTENSION,
    NAMESPACE,
    SCHEMA,
    CaseError,
    from_case,
    package_json,
    read_package,
    to_case,
)
from survey.content import load_qualification
from survey.planner import suggest_plans
from survey.profile import Profile

BASE = "https://assess.centre.example"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def strict_validator():
    """1EdTech's schema as published, every format asserted (date-time by RFC 3339 here)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()  # its own copy: adding date-time changes no other
    checker.checks("date-time")(lambda v: not isinstance(v, str) or bool(RFC3339.fullmatch(v)))
    return jsonschema.Draft201909Validator(schema, format_checker=checker)


def test_the_vendored_schema_is_1edtechs_cfpackage_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == (
        "https://purl.imsglobal.org/spec/case/v1p1/schema/json/case_v1p1_cfpackage-jsonschema1.json"
    )
    assert (SCHEMA.parent / "NOTICE.md").exists()
    jsonschema.Draft201909Validator.check_schema(schema)


def test_the_export_is_valid_against_the_case_1_1_schema(any_q):
    package = to_case(any_q, BASE)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in strict_validator().iter_errors(package)
    ]
    assert errors == []


def test_the_strict_validator_does_catch_a_broken_export(q):
    package = to_case(q, BASE)
    del package["CFItems"][3]["uri"]
    package["CFAssociations"][0]["associationType"] = "isFriendOf"
    package["CFDocument"]["lastChangeDateTime"] = "yesterday"
    assert len(list(strict_validator().iter_errors(package))) == 3


def test_export_then_import_then_export_gives_the_same_bytes(any_q, tmp_path):
    first = package_json(to_case(any_q, BASE))
    imported = from_case(read_package(first))
    assert imported.notes == ()
    again = load_qualification(write_folder(tmp_path / "imported", imported.files))
    assert package_json(to_case(again, BASE)) == first


def test_an_imported_export_is_the_same_qualification(any_q, tmp_path):
    imported = from_case(read_package(package_json(to_case(any_q, BASE))))
    assert same_qualification(any_q, imported.qualification) == {}
    loaded = load_qualification(write_folder(tmp_path / "imported", imported.files))
    assert same_qualification(any_q, loaded) == {}


def test_identifiers_are_derived_from_code_and_place_and_uris_from_the_base_url(q):
    one, other = to_case(q, BASE), to_case(q, "http://localhost:5000/")
    f1 = one["CFItems"][0]
    assert f1["humanCodingScheme"] == "F1"
    assert f1["identifier"] == str(uuid.uuid5(NAMESPACE, "03455/unit/F1"))
    assert f1["uri"] == f"{BASE}/ims/case/v1p1/CFItems/{f1['identifier']}"
    assert other["CFItems"][0]["uri"].startswith("http://localhost:5000/ims/case/v1p1/CFItems/")
    assert [i["identifier"] for i in one["CFItems"]] == [i["identifier"] for i in other["CFItems"]]
    assert one["CFDocument"]["uri"] == f"{BASE}/ims/case/v1p1/CFDocuments/" + str(
        uuid.uuid5(NAMESPACE, "03455/document")
    )


def test_every_date_is_the_contents_own(q):
    text = package_json(to_case(q, BASE))
    dates = set(re.findall(r'"lastChangeDateTime": "([^"]+)"', text))
    assert dates == {"2026-11-22T06:06:14Z"}
    later = datetime.fromisoformat("2027-01-02T03:04:05+00:00")
    assert '"2027-01-02T03:04:05Z"' in package_json(to_case(q, BASE, changed=later))


def test_content_without_a_date_is_not_exported_with_the_clock(q, content_copy):
    path = content_copy / "qualification.toml"
    path.write_text(re.sub(r"\nlast_changed = .*\n", "\n", path.read_text()), encoding="utf-8")
    undated = load_qualification(content_copy)
    with pytest.raises(CaseError, match="03455 has no last_changed date"):
        to_case(undated, BASE)


# ---- what the package says: property checks over both qualifications --------------------------


def tree(package):
    items = {i["identifier"]: i for i in package["CFItems"]}
    parents = {}
    for a in package["CFAssociations"]:
        assert a["associationType"] == "isChildOf"
        parents.setdefault(a["originNodeURI"]["identifier"], []).append(a)
    return items, parents


def test_every_item_has_one_parent_that_exists_and_siblings_are_numbered_in_order(any_q):
    package = to_case(any_q, BASE)
    items, parents = tree(package)
    doc = package["CFDocument"]["identifier"]
    assert set(parents) == set(items)
    siblings: dict[str, list[int]] = {}
    for links in parents.values():
        assert len(links) == 1
        parent = links[0]["destinationNodeURI"]["identifier"]
        assert parent == doc or parent in items
        siblings.setdefault(parent, []).append(links[0]["sequenceNumber"])
    for numbers in siblings.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    identifiers = [x["identifier"] for k in ("CFItems", "CFAssociations") for x in package[k]]
    assert len(set(identifiers)) == len(identifiers)


def test_every_criterion_appears_once_with_its_statement_and_kind(any_q):
    package = to_case(any_q, BASE)
    items, parents = tree(package)

    def unit_of(identifier):
        while items[identifier]["CFItemType"] != "Unit":
            identifier = parents[identifier][0]["destinationNodeURI"]["identifier"]
        return items[identifier]["humanCodingScheme"]

    criteria = [i for i in package["CFItems"] if i["CFItemType"].endswith("criterion")]
    seen = Counter((unit_of(i["identifier"]), i["humanCodingScheme"]) for i in criteria)
    expected = {(u.number, c.number) for u in any_q.units for c in u.criteria}
    assert set(seen) == expected and set(seen.values()) == {1}
    by_place = {(unit_of(i["identifier"]), i["humanCodingScheme"]): i for i in criteria}
    for u in any_q.units:
        for c in u.criteria:
            item = by_place[(u.number, c.number)]
            assert item["fullStatement"] == c.text and item["alternativeLabel"] == c.statement
            assert item["CFItemType"] == f"{c.kind.capitalize()} criterion"


def test_human_coding_schemes_are_unique_within_a_unit(any_q):
    package = to_case(any_q, BASE)
    items, parents = tree(package)
    for unit in (i for i in package["CFItems"] if i["CFItemType"] == "Unit"):
        codes = []
        stack = [unit["identifier"]]
        while stack:
            node = stack.pop()
            kids = [
                c
                for c, links in parents.items()
                if links[0]["destinationNodeURI"]["identifier"] == node
            ]
            codes += [items[k]["humanCodingScheme"] for k in kids]
            stack += kids
        assert len(codes) == len(set(codes)), unit["humanCodingScheme"]
    units = [i["humanCodingScheme"] for i in package["CFItems"] if i["CFItemType"] == "Unit"]
    assert units == [u.number for u in any_q.units]


def test_units_carry_their_statement_and_catalogue_facts(q):
    package = to_case(q, BASE)
    b1 = next(i for i in package["CFItems"] if i["humanCodingScheme"] == "B1")
    assert b1["alternativeLabel"] == q.unit("B1").statement
    facts = b1["extensions"][EXTENSION]
    unit = q.unit("B1")
    assert (facts["accreditation"], facts["credits"], facts["level"], facts["group"]) == (
        "A/601/1205",
        unit.credits,
        unit.level,
        unit.group,
    )
    assert facts["evidence"]["simulation_allowed"] is False


def test_the_rating_scales_are_rubrics_with_their_levels(any_q):
    package = to_case(any_q, BASE)
    rubrics = {r["CFRubricCriteria"][0]["category"]: r for r in package["CFRubrics"]}
    for kind in ("performance", "knowledge"):
        levels = rubrics[kind]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
        assert [(lv["quality"], lv["score"]) for lv in levels] == list(
            zip(any_q.scales.labels(kind), range(4))
        )
        assert package["extensions"][EXTENSION]["scales"][kind] == rubrics[kind]["identifier"]


def test_the_extension_carries_what_case_has_no_place_for(any_q):
    ext = to_case(any_q, BASE)["extensions"][EXTENSION]
    assert ext["format"] == 1 and ext["code"] == any_q.code
    assert [r["id"] for r in ext["rules"]] == [r.id for r in any_q.rules]
    assert [g["id"] for g in ext["groups"]] == [g.id for g in any_q.groups]
    assert sum(len(r["titles"]) for r in ext["roles"]) == len(any_q.roles)
    assert [c["units"] for c in ext["contexts"]] == [list(c.units) for c in any_q.contexts]
    assert ext["weights"] == any_q.weights.__dict__


# ---- packages from elsewhere ------------------------------------------------------------------


def test_a_package_from_elsewhere_becomes_a_draft_to_complete(tmp_path):
    imported = from_case(read_package(json.dumps(foreign_package())), code="DIP2-CARE")
    q = load_qualification(write_folder(tmp_path / "care", imported.files))
    assert q.code == "DIP2-CARE" and q.draft and q.awarding_body == "Example Care Board"
    assert q.last_changed.isoformat() == "2017-10-31T18:50:05+00:00"
    assert [(u.number, u.group, u.credits, u.level) for u in q.units] == [
        ("HSC1", "U", 0, 0),
        ("HSC2", "U", 0, 0),
        ("HSC3", "U", 0, 0),
    ]
    hsc1 = q.unit("HSC1")
    assert [(o.number, [c.number for c in o.criteria]) for o in hsc1.outcomes] == [
        (1, ["1.1", "1.2"]),
        (2, ["2.1"]),
    ]
    first = hsc1.outcomes[0].criteria[0]
    assert first.statement == "I can identify different reasons why people communicate"
    assert first.kind == "knowledge"  # "Standard" says nothing: the verb decides
    assert hsc1.outcomes[1].criteria[0].kind == "performance"
    hsc2 = q.unit("HSC2")
    assert [o.title for o in hsc2.outcomes] == ["Support individuals to eat and drink"]
    assert [c.number for c in hsc2.criteria] == ["1.1", "1.2"]
    assert hsc2.criteria[1].statement.startswith("I can support the individual to eat")
    assert q.unit("HSC3").awaiting_criteria
    assert q.scales.performance[0] == "Not yet" and len(q.scales.knowledge) == 4
    notes = " ".join(imported.notes)
    assert "no rules of combination" in notes and "Unit HSC2" in notes and "rubrics" in notes
    plan = suggest_plans(q, Profile())
    assert plan.plans == () and "have not been entered" in plan.problems[0]


def test_unusable_unit_codes_are_replaced_by_positions():
    package = foreign_package()
    package["CFItems"][0]["humanCodingScheme"] = "Unit 2/b"
    imported = from_case(package, code="C1")
    assert [u.number for u in imported.qualification.units] == ["U1", "U2", "U3"]
    assert any("numbered by position" in n for n in imported.notes)


def ours(q):
    return to_case(q, BASE)


BAD = [
    pytest.param(lambda p: "{not json", "not valid JSON: Expecting property name", id="not-json"),
    pytest.param(
        lambda p: {}, "the package: 'CFDocument' is a required property", id="no-document"
    ),
    pytest.param(
        lambda p: p["CFItems"][4].pop("fullStatement") and p,
        "CFItems[4]: 'fullStatement' is a required property",
        id="item-without-text",
    ),
    pytest.param(
        lambda p: p["CFItems"][2].update(identifier="F1-1") or p,
        "CFItems[2].identifier: 'F1-1' is not a 'uuid'",
        id="not-a-uuid",
    ),
    pytest.param(
        lambda p: p["CFDocument"].update(lastChangeDateTime="2026-11-22 06:06") or p,
        "CFDocument.lastChangeDateTime: '2026-11-22 06:06' is not a 'date-time'",
        id="bad-date",
    ),
    pytest.param(
        lambda p: p["CFItems"].clear() or p["CFAssociations"].clear() or p,
        "CFItems: the package has no items",
        id="no-items",
    ),
    pytest.param(
        lambda p: p["CFItems"].append(dict(p["CFItems"][0])) or p,
        "CFItems[108].identifier: 15e4698c-f725-5cfa-a8c6-b321381a3363 is used twice",
        id="duplicate-item",
    ),
    pytest.param(
        lambda p: p["CFAssociations"][5]["destinationNodeURI"].update(identifier=uid(42)) or p,
        f"CFAssociations[5].destinationNodeURI: {uid(42)} is neither the CFDocument nor an item",
        id="unknown-parent",
    ),
    pytest.param(
        lambda p: (
            p["CFAssociations"].append(
                dict(
                    p["CFAssociations"][3],
                    identifier=uid(43),
                    destinationNodeURI=p["CFAssociations"][9]["originNodeURI"],
                )
            )
            or p
        ),
        "is a child of two items",
        id="two-parents",
    ),
    pytest.param(
        lambda p: p["CFAssociations"].pop(40) and p,
        "is not under the CFDocument",
        id="orphan",
    ),
    pytest.param(
        lambda p: p["extensions"][EXTENSION].update(format=7) or p,
        "extensions.starting_point: not a version 1 Starting Point extension",
        id="other-extension-version",
    ),
    pytest.param(
        lambda p: p["CFItems"][0]["extensions"][EXTENSION].update(credits="four") or p,
        "units[0].credits: must be a whole number, not 'four'",
        id="tampered-credits",
    ),
    pytest.param(
        lambda p: p["extensions"][EXTENSION]["rules"][0].update(groups=["Z"]) or p,
        "rules[0].groups[0]: unknown group 'Z'",
        id="rule-unknown-group",
    ),
    pytest.param(
        lambda p: p["CFItems"][2].update(CFItemType="Skill") or p,
        "CFItems[2].CFItemType: must be 'Knowledge criterion' or 'Performance criterion'",
        id="unknown-item-type",
    ),
]


@pytest.mark.parametrize("spoil, message", BAD)
def test_a_bad_package_is_refused_with_one_line_naming_the_problem(q, spoil, message):
    spoilt = spoil(copy.deepcopy(ours(q)))
    text = spoilt if isinstance(spoilt, str) else json.dumps(spoilt)
    with pytest.raises(CaseError) as caught:
        from_case(read_package(text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda p: p, "does not say the qualification's code"),
        (
            lambda p: (
                p["CFAssociations"].append(
                    dict(
                        p["CFAssociations"][0],
                        identifier=uid(77),
                        originNodeURI=link(99),
                        destinationNodeURI=link(15),
                    )
                )
                or p["CFItems"].append(dict(p["CFItems"][4], identifier=uid(99), uri="x"))
                or p
            ),
            "is nested deeper than unit, learning outcome and criterion",
        ),
        (
            lambda p: (
                p["CFAssociations"][:]
                and [a for a in p["CFAssociations"] if a["identifier"] == uid(1015)][0].update(
                    destinationNodeURI=link(10)
                )
                or p
            ),
            "is a learning outcome without criteria",
        ),
    ],
)
def test_a_package_from_elsewhere_is_refused_when_it_cannot_fit(spoil, message):
    package = spoil(foreign_package())
    code = None if "code" in message else "C1"
    with pytest.raises(CaseError, match=message):
        from_case(read_package(json.dumps(package)), code=code)


@pytest.mark.parametrize("code", ["has space", "../up", "x" * 41])
def test_an_unsafe_code_is_refused(code):
    with pytest.raises(CaseError, match="must be 1 to 40 letters"):
        from_case(foreign_package(), code=code)
