"""Moodle's competency framework CSV: the columns and parent links tool_lpimportcsv reads."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import replace

import pytest

from survey.content import Scales
from survey.moodle import HEADER, MoodleError, to_moodle_csv
from survey.scoring import CONFIDENT

# The first line of Moodle's own example, admin/tool/lpimportcsv/tests/fixtures/example.csv
# (moodle/moodle, GPL v3 or later), as it is in that file, byte for byte.
MOODLE_HEADER_LINE = (
    '"Parent id number","Id number",Shortname,Description,"Description format","Scale values",'
    '"Scale configuration","Rule type (optional)","Rule outcome (optional)",'
    '"Rule config (optional)","Cross referenced competency id numbers","Exported id (optional)",'
    '"Is framework",Taxonomy'
)
# A few short rows of the same file, to check that read_like_moodle reads Moodle's own layout:
# the framework row, top-level competencies with no parent, and children naming their parent.
MOODLE_EXAMPLE = (
    MOODLE_HEADER_LINE
    + "\n"
    + ',OECD-CORE,OECD,"<p>The Core Competencies</p>",1,"Not yet competent,Competent",'
    + '"[{""scaleid"":""2""},{""id"":2,""scaledefault"":1,""proficient"":1}]",,,,,,1,'
    + '"competency,competency,competency,competency"\n'
    + ",competencies,Competencies,,1,,,,0,null,,7,,\n"
    + 'competencies,delivery,Delivery-related,"<p>Achieving Results<br></p>",1,,,,0,null,,8,,\n'
    + 'delivery,teamwork,"Teamwork and Team Leadership","<p>Teamwork</p>",1,,,,0,null,,16,,\n'
    + ',levels,Levels,"<p>Each level</p>",1,,,,0,null,,1,,\n'
)


def read_like_moodle(text: str) -> tuple[dict, list[dict]]:
    """What tool_lpimportcsv's framework_importer does with a file: columns by position, the
    framework row by "Is framework", and a tree built from parent id numbers, starting at ''."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) == 14 for r in body), "csv_import_reader wants equal rows"
    names = ("parent", "idnumber", "shortname", "description", "format", "scalevalues",
             "scaleconfiguration", "ruletype", "ruleoutcome", "ruleconfig", "related",
             "exportid", "isframework", "taxonomies")  # fmt: skip
    records = [dict(zip(names, r)) for r in body]
    framework = next(r for r in records if r["isframework"])
    flat = {r["idnumber"][:100]: r for r in records if not r["isframework"]}

    def children(parent: str) -> list[dict]:
        kids = [r for r in flat.values() if r["parent"] == parent]
        for kid in kids:
            kid["children"] = children(kid["idnumber"])
        return kids

    framework["children"] = children("")
    return framework, list(flat.values())


def walk(nodes: list[dict]) -> list[dict]:
    return [n for node in nodes for n in [node, *walk(node["children"])]]


def test_moodles_own_example_reads_as_a_tree():
    framework, flat = read_like_moodle(MOODLE_EXAMPLE)
    assert framework["idnumber"] == "OECD-CORE"
    assert [n["idnumber"] for n in walk(framework["children"])] == [
        "competencies",
        "delivery",
        "teamwork",
        "levels",
    ]


def test_the_header_is_moodles_exactly(any_q):
    text = to_moodle_csv(any_q)
    assert text.split("\n", 1)[0] == MOODLE_HEADER_LINE
    assert next(csv.reader(io.StringIO(MOODLE_HEADER_LINE))) == list(HEADER)


def test_every_unit_outcome_and_criterion_hangs_from_its_parent(any_q):
    framework, flat = read_like_moodle(to_moodle_csv(any_q))
    assert framework["idnumber"] == any_q.code and framework["parent"] == ""
    tree = walk(framework["children"])
    assert len(tree) == len(flat)  # nothing is left out of the tree
    expected = []
    for u in any_q.units:
        expected.append(u.number)
        for o in u.outcomes:
            expected.append(f"{u.number}-LO{o.number}")
            expected += [f"{u.number}-{c.number}" for c in o.criteria]
    assert [n["idnumber"] for n in tree] == expected
    assert [n["parent"] for n in framework["children"]] == [""] * len(any_q.units)
    by_id = {n["idnumber"]: n for n in tree}
    for u in any_q.units:
        for o in u.outcomes:
            assert by_id[f"{u.number}-LO{o.number}"]["parent"] == u.number
            for c in o.criteria:
                assert by_id[f"{u.number}-{c.number}"]["parent"] == f"{u.number}-LO{o.number}"
    assert sorted(int(n["exportid"]) for n in tree) == list(range(1, len(tree) + 1))


def test_the_framework_carries_the_four_point_scale_and_its_configuration(any_q):
    framework, _ = read_like_moodle(to_moodle_csv(any_q))
    assert framework["scalevalues"].split(",") == list(any_q.scales.performance)
    config = json.loads(framework["scaleconfiguration"])
    assert "scaleid" in config[0]  # Moodle puts the id of the scale it finds or makes here
    assert [c["id"] for c in config[1:]] == [1, 2, 3, 4]
    assert [c["proficient"] for c in config[1:]] == [int(r >= CONFIDENT) for r in range(4)]
    assert [c["id"] for c in config[1:] if c["scaledefault"]] == [CONFIDENT + 1]
    assert framework["taxonomies"] == "competency,outcome,indicator"
    assert framework["isframework"] == "1" and framework["format"] == "1"


def test_knowledge_criteria_carry_the_knowledge_scale_and_parents_a_rule(any_q):
    _, flat = read_like_moodle(to_moodle_csv(any_q))
    by_id = {r["idnumber"]: r for r in flat}
    for u in any_q.units:
        unit = by_id[u.number]
        assert (unit["ruletype"], unit["ruleoutcome"]) == (
            ("core_competency\\competency_rule_all", "3") if u.outcomes else ("", "0")
        )
        for c in u.criteria:
            row = by_id[f"{u.number}-{c.number}"]
            assert (row["ruletype"], row["ruleoutcome"], row["ruleconfig"]) == ("", "0", "null")
            if c.kind == "knowledge":
                assert row["scalevalues"].split(",") == list(any_q.scales.knowledge)
                assert json.loads(row["scaleconfiguration"])[CONFIDENT + 1]["scaledefault"] == 1
            else:
                assert row["scalevalues"] == row["scaleconfiguration"] == ""


def test_names_fit_moodles_100_characters_and_descriptions_are_escaped(any_q):
    _, flat = read_like_moodle(to_moodle_csv(any_q))
    assert all(len(r["shortname"]) <= 100 and len(r["idnumber"]) <= 100 for r in flat)
    long = [
        c for u in any_q.units for c in u.criteria if len(f"{u.number} {c.number} {c.text}") > 100
    ]
    assert long or any_q.code != "03455"
    for c in long:
        row = next(r for r in flat if r["idnumber"] == f"{c.unit}-{c.number}")
        assert row["shortname"].endswith("…") and len(row["shortname"]) <= 100
    for r in flat:
        assert r["description"].startswith("<p>") and '"' not in r["description"]


def test_descriptions_give_back_the_exact_text_and_statement(any_q):
    _, flat = read_like_moodle(to_moodle_csv(any_q))
    rows = {r["idnumber"]: r for r in flat}
    for u in any_q.units:
        for c in u.criteria:
            description = rows[f"{u.number}-{c.number}"]["description"]
            assert html.unescape(description) == f"<p>{c.text}</p><p>{c.statement}</p>"


def test_a_label_with_a_comma_cannot_be_a_moodle_scale(q):
    odd = replace(q.scales, knowledge=("Not yet", "A little, maybe", "Could explain", "Yes"))
    broken = replace_scales(q, odd)
    with pytest.raises(MoodleError, match="'A little, maybe' holds a comma"):
        to_moodle_csv(broken)


def replace_scales(q, scales: Scales):
    from survey.content import Qualification

    fields = {f: getattr(q, f) for f in Qualification.__dataclass_fields__ if not f.startswith("_")}
    return Qualification(**dict(fields, scales=scales))
