"""A qualification's catalogue, groups and rules of combination as an admin enters them in the
browser: read from pasted CSV and rule rows, checked with a message for each field, and turned
into the qualification.toml the content loader reads. Pure Python: no Flask, no database.

Every problem is found before anything is written, each tied to the field it is about (a line
of the catalogue, a rule's groups), so the page can show it there; the qualification is kept only
when there is none (the library then loads it once more before writing).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .content import (
    DEFAULT_SCALES,
    GROUP_ID,
    QUALIFICATION_CODE,
    QUALIFICATION_CODE_RULE,
    RULE_KINDS,
    UNIT_NUMBER,
    first_person,
)

UNIT_COLUMNS = ("number", "accreditation", "title", "credits", "level", "group")
GROUP_COLUMNS = ("id", "title", "mandatory")
MAX_UNITS = 500
# what each kind of rule means, as the editor offers it
RULE_KIND_NAMES = {
    "all_units": "Every unit of the groups",
    "credits": "Credits from the groups",
    "units_each_group": "Units from each group",
}


@dataclass
class Problems:
    """Messages by field name ("units", "rules-0-groups", ...), each a sentence."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def count(self) -> int:
        return sum(len(v) for v in self.by_field.values())


@dataclass(frozen=True)
class RuleRow:
    """One rule as entered: kind, groups ("B, C, D"), minimum, levels ("2" or "2, 3"), and the
    awarding body's own words for it."""

    kind: str = ""
    groups: str = ""
    min: str = ""
    levels: str = ""
    wording: str = ""

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in (self.kind, self.groups, self.min, self.levels))


@dataclass(frozen=True)
class Entered:
    """Everything the editor posts."""

    code: str
    title: str
    level: str
    awarding_body: str
    groups: str  # CSV: id, title, mandatory (yes/no)
    units: str  # CSV: number, accreditation number, title, credits, level, group
    rules: Sequence[RuleRow]


def _rows(text: str, first: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV lines with their line numbers; a first line of headings is skipped."""
    found = []
    for number, cells in enumerate(csv.reader(io.StringIO(text.strip())), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in (first, first + "s", "unit", "id", "group"):
            continue
        found.append((number, cells))
    return found


def _whole(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not re.fullmatch(r"\d{1,6}", text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def read_groups(text: str, problems: Problems) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    rows = _rows(text, "id")
    if not rows:
        problems.add("groups", "Enter at least one group, e.g. A, Mandatory units, yes.")
    for line, cells in rows:
        if len(cells) < 2:
            problems.add("groups", f"Line {line}: give the group's letter and its title.")
            continue
        gid, title = cells[0], cells[1]
        mandatory = cells[2].lower() if len(cells) > 2 else ""
        if not GROUP_ID.fullmatch(gid):
            problems.add(
                "groups", f"Line {line}: {gid!r} is not a group id: 1 to 10 letters and digits."
            )
            continue
        if any(g["id"] == gid for g in groups):
            problems.add("groups", f"Line {line}: group {gid} is listed twice.")
            continue
        if mandatory not in ("", "yes", "no", "mandatory", "optional", "true", "false"):
            problems.add(
                "groups", f"Line {line}: say yes (every unit required) or no, not {cells[2]!r}."
            )
            continue
        group: dict[str, Any] = {"id": gid, "title": title}
        if mandatory in ("yes", "mandatory", "true"):
            group["mandatory"] = True
        groups.append(group)
    return groups


def read_units(text: str, group_ids: set[str], problems: Problems) -> list[dict[str, Any]]:
    """The catalogue: a unit in two groups, a duplicate number or accreditation number, a credit
    value of 0 or a group not in the list each give a message naming the line."""
    units: list[dict[str, Any]] = []
    where: dict[str, tuple[int, str]] = {}  # number -> (line, group)
    accreditations: dict[str, int] = {}
    rows = _rows(text, "number")
    if not rows:
        problems.add("units", "Enter at least one unit: " + ", ".join(UNIT_COLUMNS) + ".")
    if len(rows) > MAX_UNITS:
        problems.add("units", f"At most {MAX_UNITS} units: this has {len(rows)}.")
        return []
    for line, cells in rows:
        if len(cells) != len(UNIT_COLUMNS):
            problems.add(
                "units",
                f"Line {line}: {len(cells)} columns; each line needs {len(UNIT_COLUMNS)}: "
                + ", ".join(UNIT_COLUMNS)
                + ".",
            )
            continue
        number, accreditation, title, credits_text, level_text, group = cells
        number = number.upper()
        said = []
        if not UNIT_NUMBER.fullmatch(number):
            said.append(f"{cells[0]!r} is not a unit number: 1 to 10 capital letters and digits")
        elif number in where:
            first, first_group = where[number]
            if first_group != group:
                said.append(
                    f"{number} is in two groups ({first_group} on line {first}, {group} here): "
                    "a unit belongs to one group"
                )
            else:
                said.append(f"{number} is listed twice (lines {first} and {line})")
        if accreditation and accreditation in accreditations:
            said.append(
                f"the accreditation number {accreditation} is also on line "
                f"{accreditations[accreditation]}"
            )
        if not title:
            said.append("the title is missing")
        credits = _whole(credits_text, 1, 100)
        if credits is None:
            said.append(f"credits must be a whole number from 1 to 100, not {credits_text!r}")
        level = _whole(level_text, 1, 8)
        if level is None:
            said.append(f"the level must be a whole number from 1 to 8, not {level_text!r}")
        if group not in group_ids:
            said.append(f"group {group!r} is not one of the groups above")
        if said:
            problems.add("units", f"Line {line}: " + "; ".join(said) + ".")
            where.setdefault(number, (line, group))
            continue
        where[number] = (line, group)
        if accreditation:
            accreditations[accreditation] = line
        units.append(
            {
                "number": number,
                "accreditation": accreditation,
                "title": title,
                "credits": credits,
                "level": level,
                "group": group,
            }
        )
    return units


def _list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]


def read_rules(
    rows: Sequence[RuleRow], group_ids: set[str], problems: Problems
) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if row.blank:
            continue
        name = f"rules-{i}"
        if row.kind not in RULE_KINDS:
            problems.add(f"{name}-kind", "Choose what the rule asks for.")
            continue
        groups = _list(row.groups)
        if not groups:
            problems.add(f"{name}-groups", "Name the groups it counts, e.g. B, C, D.")
        unknown = [g for g in groups if g not in group_ids]
        if unknown:
            problems.add(
                f"{name}-groups",
                f"{', '.join(unknown)}: not {'a group' if len(unknown) == 1 else 'groups'} of "
                "this qualification. Its groups are " + ", ".join(sorted(group_ids)) + ".",
            )
        if len(set(groups)) != len(groups):
            problems.add(f"{name}-groups", "A group is named twice.")
        minimum = None
        if row.kind != "all_units":
            minimum = _whole(row.min, 1, 10000)
            if minimum is None:
                problems.add(
                    f"{name}-min", f"Enter a whole number from 1 to 10000, not {row.min!r}."
                )
        elif row.min.strip():
            problems.add(f"{name}-min", "Every unit of the groups counts: leave this empty.")
        levels = []
        for part in _list(row.levels):
            level = _whole(part, 1, 8)
            if level is None:
                problems.add(f"{name}-levels", f"{part!r} is not a level from 1 to 8.")
            else:
                levels.append(level)
        if levels and row.kind != "credits":
            problems.add(f"{name}-levels", "Only a rule counting credits can name levels.")
        rule: dict[str, Any] = {"id": f"rule-{len(rules) + 1}", "kind": row.kind, "groups": groups}
        if minimum is not None:
            rule["min"] = minimum
        if levels:
            rule["levels"] = levels
        if row.wording.strip():
            rule["wording"] = row.wording.strip()
        rules.append(rule)
    return rules


def read_entered(
    entered: Entered, existing_codes: Sequence[str], editing: str | None = None
) -> tuple[dict[str, Any], Problems]:
    """The qualification.toml data the editor's input gives, and every problem with it.

    `editing` is the code of the qualification being changed (its code cannot change); None for
    a new one, whose code must not be one there is already (in any case).
    """
    problems = Problems()
    code = editing or entered.code.strip()
    if editing is None:
        if not code:
            problems.add("code", "Enter the qualification's code, e.g. 03456.")
        elif not QUALIFICATION_CODE.fullmatch(code) or code in ("funding", "versions"):
            problems.add("code", f"The code {QUALIFICATION_CODE_RULE}.")
        elif code.lower() in {c.lower() for c in existing_codes}:
            problems.add("code", f"There is already a qualification {code}: choose another code.")
    title = entered.title.strip()
    if not title:
        problems.add("title", "Enter the qualification's title.")
    elif len(title) > 200:
        problems.add("title", "Keep the title to 200 characters.")
    level = _whole(entered.level, 1, 8)
    if level is None:
        problems.add("level", "Enter the qualification's level, a whole number from 1 to 8.")
    groups = read_groups(entered.groups, problems)
    group_ids = {g["id"] for g in groups}
    units = read_units(entered.units, group_ids, problems)
    rules = read_rules(entered.rules, group_ids, problems)
    empty = sorted(group_ids - {u["group"] for u in units})
    if units and empty and "units" not in problems.by_field:
        problems.add("groups", f"No unit of the catalogue is in group {', '.join(empty)}.")
    data: dict[str, Any] = {"code": code, "title": title, "level": level or 0}
    if entered.awarding_body.strip():
        data["awarding_body"] = entered.awarding_body.strip()
    data.update(groups=groups, rules=rules, units=units)
    return data, problems


def qualification_data(
    entered: Mapping[str, Any], before: Mapping[str, Any] | None, moment: datetime
) -> dict[str, Any]:
    """qualification.toml's data: what was entered over what the file held before (its weights,
    scales, ledger, source; a unit's own "I can" statement and a group's or rule's wording are
    kept when it is still there), dated `moment`."""
    data = {k: v for k, v in (before or {}).items() if k not in ("groups", "rules", "units")}
    for key in ("code", "title", "level", "awarding_body"):
        if key in entered:
            data[key] = entered[key]
    data["last_changed"] = moment
    data.setdefault("scales", DEFAULT_SCALES)
    old_groups = {g.get("id"): g for g in (before or {}).get("groups", [])}
    data["groups"] = [_kept(old_groups.get(g["id"]), g, ("wording",)) for g in entered["groups"]]
    old_units = {u.get("number"): u for u in (before or {}).get("units", [])}
    units = []
    for u in entered["units"]:
        unit = _kept(old_units.get(u["number"]), u, ("statement",))
        unit.setdefault("statement", first_person(u["title"]))
        units.append(unit)
    if entered["rules"]:
        data["rules"] = list(entered["rules"])
    data["units"] = units
    return data


def _kept(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], keys: tuple[str, ...]
) -> dict[str, Any]:
    kept = dict(new)
    for key in keys:
        if old and key in old and key not in kept:
            kept[key] = old[key]
    return kept


def entered_from(data: Mapping[str, Any]) -> Entered:
    """The editor's fields for a qualification.toml's data (to change it)."""
    groups = io.StringIO()
    out = csv.writer(groups, lineterminator="\n")
    for g in data.get("groups", []):
        out.writerow([g.get("id", ""), g.get("title", ""), "yes" if g.get("mandatory") else "no"])
    units = io.StringIO()
    out = csv.writer(units, lineterminator="\n")
    out.writerow(UNIT_COLUMNS)
    for u in data.get("units", []):
        out.writerow([u.get(k, "") for k in UNIT_COLUMNS])
    rules = [
        RuleRow(
            kind=str(r.get("kind", "")),
            groups=", ".join(r.get("groups", [])),
            min=str(r.get("min", "")),
            levels=", ".join(str(x) for x in r.get("levels", [])),
            wording=str(r.get("wording", "")),
        )
        for r in data.get("rules", [])
    ]
    return Entered(
        code=str(data.get("code", "")),
        title=str(data.get("title", "")),
        level=str(data.get("level", "") or ""),
        awarding_body=str(data.get("awarding_body", "")),
        groups=groups.getvalue(),
        units=units.getvalue(),
        rules=rules,
    )
