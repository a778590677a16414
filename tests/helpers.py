"""Shared test helpers: a second qualification, unlike 03455, to prove nothing is 03455-only."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from survey.content import (
    Activity,
    Context,
    Group,
    Qualification,
    Scales,
    Unit,
    Weights,
    load_qualification,
)

# A made-up Level 3 team leading certificate: other group ids and counts, a unit number that is
# all digits, no level rule, a minimum from one group, roles at two levels, text with quotes,
# a backslash and accents, a knowledge-only outcome, and a unit still awaiting its criteria.
SECOND = {
    "qualification.toml": """
code = "TL3-2027"
title = "Level 3 Certificate in Team Leading (\\"Lead\\" route)"
awarding_body = "Example Awards"
level = 3
last_changed = 2027-03-01T10:30:00+01:00

[weights]
credit = 5

[[groups]]
id = "M"
title = "Core"
mandatory = true
credits = 9

[[groups]]
id = "P"
title = "People"

[[groups]]
id = "W"
title = "Work flow"

[[rules]]
id = "total"
kind = "credits"
groups = ["M", "P", "W"]
min = 18
wording = "At least 18 credits in all"

[[rules]]
id = "core"
kind = "all_units"
groups = ["M"]

[[rules]]
id = "one-each"
kind = "units_each_group"
groups = ["P", "W"]
min = 1

[[rules]]
id = "people-credits"
kind = "credits"
groups = ["P"]
min = 4
note = "A centre rule, not the awarding body's."

[[units]]
number = "301"
accreditation = "T/100/0001"
title = "Lead and motivate a team"
credits = 5
level = 3
group = "M"

[[units]]
number = "302"
accreditation = "T/100/0002"
title = "Plan and allocate work"
credits = 4
level = 3
group = "M"

[[units]]
number = "P1"
accreditation = "T/100/0003"
title = "Support a colleague's development"
credits = 4
level = 2
group = "P"

[[units]]
number = "P2"
accreditation = "T/100/0004"
title = "Handle conflict in a team"
credits = 6
level = 3
group = "P"

[[units]]
number = "W1"
accreditation = "T/100/0005"
title = "Run a stand-up briefing"
credits = 3
level = 3
group = "W"

[scales]
performance = ["Not yet", "With support", "Independently", "Could coach others"]
knowledge = ["Not yet", "Partly", "Could explain", "Could teach it"]
""",
    "units/301.toml": """
number = "301"
source = "Example Awards unit 301"
aim = "Leading a team day to day."

[evidence]
simulation_allowed = false
notes = ["Evidence comes from the learner's own team."]

[[evidence.situations]]
heading = "Show this with"
items = ["a new team member", "an experienced team member"]

[[guidance]]
term = "Motivation"
text = "What makes people want to do a good job: recognition, \\\\ fairness, café breaks."
criteria = ["1.1"]

[[outcomes]]
number = 1
title = "Know how to motivate a team"

[[outcomes.criteria]]
number = "1.1"
text = "Explain what motivates \\"their\\" team"
statement = "I can explain what motivates my team"
kind = "knowledge"
help = "Think of one person at a time."

[[outcomes.criteria]]
number = "1.2"
text = "Describe two ways to recognise good work"
statement = "I can describe two ways to recognise good work"
kind = "knowledge"

[[outcomes]]
number = 2
title = "Be able to lead a team"

[[outcomes.criteria]]
number = "2.1"
text = "Agree goals with the team"
statement = "I can agree goals with the team"
kind = "performance"

[[outcomes.criteria]]
number = "2.2a"
text = "Give feedback that is specific and …"
seed_text = "Give feedback that is specific and"
uncertain = true
note = "Cut short in the source."
statement = "I can give feedback that is specific and …"
kind = "performance"
""",
    "units/P2.toml": """
number = "P2"

[[outcomes]]
number = 1
title = "Be able to handle conflict"

[[outcomes.criteria]]
number = "1.1"
text = "Spot conflict early"
statement = "I can spot conflict early"
kind = "performance"
""",
    "roles.toml": """
[[roles]]
level = 3
titles = ["Team Leader", "Shift Supervisor"]

[[roles]]
level = 4
titles = ["Operations Manager"]
""",
    "contexts.toml": """
[[contexts]]
id = "leads-people"
label = "leading people"
question = "Do you lead other people at work?"
help = "Even for part of a shift."
units = ["P1", "P2"]
""",
}


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    """Write a content folder from {relative path: text}."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def second_qualification(folder: Path) -> Qualification:
    return load_qualification(write_folder(folder, SECOND))


# every field a loaded qualification carries, for comparing two of them
QUALIFICATION_FIELDS = (
    "code",
    "title",
    "short_title",
    "awarding_body",
    "level",
    "source",
    "groups",
    "units",
    "rules",
    "roles",
    "contexts",
    "weights",
    "scales",
    "last_changed",
)


def same_qualification(a: Qualification, b: Qualification) -> dict[str, tuple[object, object]]:
    """The fields in which two qualifications differ ({} when they are the same)."""
    return {
        name: (getattr(a, name), getattr(b, name))
        for name in QUALIFICATION_FIELDS
        if getattr(a, name) != getattr(b, name)
    }


# ---- a CASE package from another publisher ----------------------------------------------------


def uid(n: int) -> str:
    return str(uuid.UUID(int=n))


def link(n: int, title: str = "x") -> dict:
    return {"title": title, "identifier": uid(n), "uri": f"https://case.example/{uid(n)}"}


def foreign_package() -> dict:
    """A CASE 1.0-style framework from another publisher: no extension, no rules, no credits."""
    when = "2017-10-31T18:50:05+00:00"
    items, associations = [], []

    def item(n, parent, seq, code, text, item_type=""):
        entry = {
            "identifier": uid(n),
            "uri": f"https://case.example/items/{n}",
            "CFDocumentURI": link(1),  # CASE 1.0 packages carry it; 1.1 does not know it
            "fullStatement": text,
            "lastChangeDateTime": when,
        }
        if code:
            entry["humanCodingScheme"] = code
        if item_type:
            entry["CFItemType"] = item_type
        items.append(entry)
        associations.append(
            {
                "identifier": uid(1000 + n),
                "associationType": "isChildOf",
                "sequenceNumber": seq,
                "uri": f"https://case.example/associations/{n}",
                "originNodeURI": link(n),
                "destinationNodeURI": link(parent),
                "lastChangeDateTime": when,
            }
        )

    # listed out of order: sequenceNumber decides
    item(20, 1, 2, "HSC-2", "Support individuals to eat and drink")
    item(10, 1, 1, "HSC-1", "Promote communication in care settings")
    item(11, 10, 1, "1", "Understand why communication is important")
    item(12, 11, 2, "1.2", "Explain how communication affects relationships", "Standard")
    item(13, 11, 1, "1.1", "Identify different reasons why people communicate", "Standard")
    item(14, 10, 2, "2", "Be able to meet communication needs")
    item(15, 14, 1, "2.1", "Find out an individual's communication needs", "Performance")
    item(21, 20, 1, "", "Describe the individual's dietary needs")  # criteria right under a unit
    item(22, 20, 2, "", "Support the individual to eat in their preferred way")
    item(30, 1, 3, "HSC-3", "Maintain a safe environment")  # awaiting criteria
    associations.append(
        {
            "identifier": uid(5000),
            "associationType": "exactMatchOf",
            "uri": "https://case.example/associations/x",
            "originNodeURI": link(13),
            "destinationNodeURI": link(9999),
            "lastChangeDateTime": when,
        }
    )
    return {
        "CFDocument": {
            "identifier": uid(1),
            "uri": "https://case.example/docs/1",
            "CFPackageURI": link(1),
            "creator": "Example Care Board",
            "title": "Level 2 Diploma in Care",
            "lastChangeDateTime": when,
        },
        "CFItems": items,
        "CFAssociations": associations,
        "CFRubrics": [
            {"identifier": uid(7), "uri": "https://case.example/r/7", "lastChangeDateTime": when}
        ],
    }


def small_qualification(
    units: Iterable[Unit],
    contexts: Iterable[Context] = (),
    activities: Iterable[Activity] = (),
    hours_per_credit: int = 10,
) -> Qualification:
    """A qualification of the given units, all in one mandatory group, with no rules."""
    return Qualification(
        code="T",
        title="Test",
        short_title="Test",
        awarding_body="",
        level=2,
        source="",
        groups=(Group("A", "All", mandatory=True),),
        units=tuple(units),
        rules=(),
        roles=(),
        contexts=tuple(contexts),
        weights=Weights(),
        scales=Scales(("0", "1", "2", "3"), ("0", "1", "2", "3")),
        activities=tuple(activities),
        hours_per_credit=hours_per_credit,
    )
