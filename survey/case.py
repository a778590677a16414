"""Competency data as CASE 1.1 (1EdTech): a qualification out as a CFPackage, and a CFPackage
in as a new qualification; pure Python.

The package carries the framework in CASE's own terms (the CFDocument, CFItems linked by isChildOf
CFAssociations, CFRubrics for the rating scales) and everything CASE has no place for in an
`extensions` object under the key EXTENSION, shaped like the TOML files (README, "Competency data
out and in"). Identifiers are UUIDs derived from the qualification's code and each item's place,
and every date is the content's own, so the same content always exports the same bytes, and a
package exported here imports back to the same qualification.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from .content import (
    DEFAULT_SCALES,
    QUALIFICATION_CODE,
    QUALIFICATION_CODE_RULE,
    UNIT_NUMBER,
    ContentError,
    Criterion,
    Qualification,
    Reader,
    Unit,
    criterion_kind,
    first_person,
    qualification_from_data,
)
from .content_files import iso_moment, own_help, qualification_files
from .importer import to_first_person

SCHEMA = Path(__file__).parent / "schemas" / "case_v1p1_cfpackage-jsonschema1.json"
EXTENSION = "starting_point"  # our key in CASE's `extensions` objects
FORMAT = 1  # the version of the extension's shape
# identifiers are uuid5(NAMESPACE, "<code>/<place>"): stable, and the same on every installation
NAMESPACE = uuid.UUID("e36d0af6-1424-4b5c-a404-2032538096e0")
API = "/ims/case/v1p1"  # CASE's REST paths, under the base URL
ITEM_TYPES = {
    "unit": ("Unit", "A unit of the qualification, with its own credits and level."),
    "outcome": ("Learning outcome", "A learning outcome of a unit."),
    "knowledge": ("Knowledge criterion", "An assessment criterion about knowing or explaining."),
    "performance": ("Performance criterion", "An assessment criterion about doing."),
}
# the four-point scales of the app's design, for packages that do not carry ours
FOREIGN_GROUP = {"id": "U", "title": "Units"}
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)")


class CaseError(ValueError):
    """A package that cannot be made, read or imported; the message is one line saying why."""


# ---- out: a qualification as a CFPackage ---------------------------------------------------


def to_case(q: Qualification, base_url: str, changed: datetime | None = None) -> dict[str, Any]:
    """The qualification as a CASE 1.1 CFPackage (plain data, ready for json.dumps).

    URIs start with `base_url`. Every lastChangeDateTime is `changed`, else the content's own
    last_changed: never the clock, so exporting again gives the same package.
    """
    moment = changed or q.last_changed
    if moment is None:
        raise CaseError(
            f"{q.code} has no last_changed date: add one to its qualification.toml "
            "(e.g. last_changed = 2025-06-01T09:00:00Z) or give the date to the export"
        )
    if moment.tzinfo is None:
        raise CaseError("the export's date needs a time zone, e.g. 2025-06-01T09:00:00Z")
    return _Export(q, base_url.rstrip("/"), iso_moment(moment)).package()


def package_json(package: dict[str, Any]) -> str:
    """A package as the JSON text we write: the same package always gives the same bytes."""
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


class _Export:
    def __init__(self, q: Qualification, base: str, moment: str) -> None:
        self.q = q
        self.base = base
        self.moment = moment
        self.items: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []

    def id(self, place: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.q.code}/{place}"))

    def uri(self, kind: str, identifier: str) -> str:
        return f"{self.base}{API}/{kind}/{identifier}"

    def link(self, kind: str, identifier: str, title: str) -> dict[str, str]:
        return {"title": title, "identifier": identifier, "uri": self.uri(kind, identifier)}

    def package(self) -> dict[str, Any]:
        q = self.q
        doc_id = self.id("document")
        document = {
            "identifier": doc_id,
            "uri": self.uri("CFDocuments", doc_id),
            "frameworkType": "Qualification",
            "caseVersion": "1.1",
            "creator": q.awarding_body,
            "title": q.title,
            "lastChangeDateTime": self.moment,
        }
        if q.source:
            document["notes"] = q.source
        parent = self.link("CFDocuments", doc_id, q.title)
        for position, unit in enumerate(q.units, 1):
            self._unit(unit, parent, position)
        rubrics = {kind: self._rubric(kind) for kind in ("performance", "knowledge")}
        return {
            "CFDocument": document,
            "CFItems": self.items,
            "CFAssociations": self.associations,
            "CFDefinitions": {"CFItemTypes": [self._item_type(k) for k in ITEM_TYPES]},
            "CFRubrics": list(rubrics.values()),
            "extensions": {EXTENSION: self._extension(rubrics)},
        }

    def _item(
        self, place: str, kind: str, code: str, text: str, label: str, notes: str, extra: dict
    ) -> dict[str, str]:
        """Add one CFItem; return the link to it."""
        identifier = self.id(place)
        item: dict[str, Any] = {
            "identifier": identifier,
            "uri": self.uri("CFItems", identifier),
            "humanCodingScheme": code,
            "fullStatement": text,
        }
        if label:
            item["alternativeLabel"] = label
        title = ITEM_TYPES[kind][0]
        item["CFItemType"] = title
        item["CFItemTypeURI"] = self.link("CFItemTypes", self.id(f"item-type/{kind}"), title)
        if notes:
            item["notes"] = notes
        item["lastChangeDateTime"] = self.moment
        if extra:
            item["extensions"] = {EXTENSION: extra}
        self.items.append(item)
        return self.link("CFItems", identifier, text)

    def _child_of(self, place: str, child: dict[str, str], parent: dict, position: int) -> None:
        identifier = self.id(f"association/{place}")
        self.associations.append(
            {
                "identifier": identifier,
                "associationType": "isChildOf",
                "sequenceNumber": position,
                "uri": self.uri("CFAssociations", identifier),
                # copies: a caller changing one link must not change another
                "originNodeURI": dict(child),
                "destinationNodeURI": dict(parent),
                "lastChangeDateTime": self.moment,
            }
        )

    def _unit(self, u: Unit, parent: dict[str, str], position: int) -> None:
        place = f"unit/{u.number}"
        extra = _kept(
            {
                "accreditation": u.accreditation,
                "credits": u.credits or None,
                "level": u.level or None,
                "group": u.group,
                "aim": u.aim,
                "evidence": _kept(
                    {
                        "simulation_allowed": u.evidence.simulation_allowed,
                        "notes": list(u.evidence.notes),
                        "situations": [
                            {"heading": s.heading, "items": list(s.items)}
                            for s in u.evidence.situations
                        ],
                    }
                ),
                "guidance": [
                    {"term": g.term, "text": g.text, "criteria": list(g.criteria)}
                    for g in u.guidance
                ],
            }
        )
        link = self._item(place, "unit", u.number, u.title, u.statement, u.source, extra)
        self._child_of(place, link, parent, position)
        for o_position, o in enumerate(u.outcomes, 1):
            o_place = f"{place}/outcome/{o.number}"
            o_link = self._item(o_place, "outcome", str(o.number), o.title, o.learner_title, "", {})
            self._child_of(o_place, o_link, link, o_position)
            for c_position, c in enumerate(o.criteria, 1):
                self._criterion(u, c, o_link, c_position)

    def _criterion(self, u: Unit, c: Criterion, parent: dict[str, str], position: int) -> None:
        place = f"unit/{u.number}/criterion/{c.number}"
        extra = _kept(
            {"help": own_help(u, c), "seed_text": c.seed_text, "uncertain": c.uncertain or None}
        )
        link = self._item(place, c.kind, c.number, c.text, c.statement, c.note, extra)
        self._child_of(place, link, parent, position)

    def _item_type(self, kind: str) -> dict[str, Any]:
        identifier = self.id(f"item-type/{kind}")
        title, description = ITEM_TYPES[kind]
        return {
            "identifier": identifier,
            "uri": self.uri("CFItemTypes", identifier),
            "title": title,
            "description": description,
            "hierarchyCode": str(list(ITEM_TYPES).index(kind) + 1),
            "typeCode": kind,
            "lastChangeDateTime": self.moment,
        }

    def _rubric(self, kind: str) -> dict[str, Any]:
        place = f"rubric/{kind}"
        identifier = self.id(place)
        criterion_id = self.id(f"{place}/criterion")
        if kind == "performance":
            applies = "each unit's statement and every performance criterion"
        else:
            applies = "every knowledge criterion"
        levels = [
            {
                "identifier": (level_id := self.id(f"{place}/level/{score}")),
                "uri": self.uri("CFRubricCriterionLevels", level_id),
                "quality": label,
                "score": score,
                "position": score + 1,
                "rubricCriterionId": criterion_id,
                "lastChangeDateTime": self.moment,
            }
            for score, label in enumerate(self.q.scales.labels(kind))
        ]
        return {
            "identifier": identifier,
            "uri": self.uri("CFRubrics", identifier),
            "title": f"{kind.capitalize()} rating scale",
            "description": f'How a learner rates an "I can" statement: {applies}.',
            "lastChangeDateTime": self.moment,
            "CFRubricCriteria": [
                {
                    "identifier": criterion_id,
                    "uri": self.uri("CFRubricCriteria", criterion_id),
                    "category": kind,
                    "description": f"The learner's own rating of {applies}, from 0 to 3.",
                    "position": 1,
                    "rubricId": identifier,
                    "lastChangeDateTime": self.moment,
                    "CFRubricCriterionLevels": levels,
                }
            ],
        }

    def _extension(self, rubrics: dict[str, dict[str, Any]]) -> dict[str, Any]:
        q = self.q
        roles: list[dict[str, Any]] = []
        for role in q.roles:
            if roles and roles[-1]["level"] == role.level:
                roles[-1]["titles"].append(role.title)
            else:
                roles.append({"level": role.level, "titles": [role.title]})
        return _kept(
            {
                "format": FORMAT,
                "code": q.code,
                "short_title": q.short_title if q.short_title != q.title else "",
                "level": q.level or None,
                "scales": {kind: rubric["identifier"] for kind, rubric in rubrics.items()},
                "weights": dict(q.weights.__dict__),
                "groups": [
                    _kept(
                        {
                            "id": g.id,
                            "title": g.title,
                            "mandatory": g.mandatory or None,
                            "credits": g.credits,
                            "wording": g.wording,
                        }
                    )
                    for g in q.groups
                ],
                "rules": [
                    _kept(
                        {
                            "id": r.id,
                            "kind": r.kind,
                            "groups": list(r.groups),
                            "levels": list(r.levels),
                            "min": r.min or None,
                            "wording": r.wording,
                            "note": r.note,
                        }
                    )
                    for r in q.rules
                ],
                "roles": roles,
                "contexts": [
                    _kept(
                        {
                            "id": c.id,
                            "label": c.label,
                            "question": c.question,
                            "help": c.help,
                            "units": list(c.units),
                        }
                    )
                    for c in q.contexts
                ],
            }
        )


def _kept(values: dict[str, Any]) -> dict[str, Any]:
    """The values that say something: no None, empty text, empty list or empty object."""
    return {k: v for k, v in values.items() if v is not None and v != "" and v != [] and v != {}}


# ---- in: a CFPackage as a new qualification -------------------------------------------------


@dataclass(frozen=True)
class CaseImport:
    qualification: Qualification
    files: dict[str, str]  # path within the new content folder -> text
    notes: tuple[str, ...]  # what a person still has to do, or check


def read_package(text: str) -> dict[str, Any]:
    """Parse and check a package's JSON text; CaseError names the first thing wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CaseError(f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    check_package(data)
    return data


def check_package(data: Any) -> None:
    """Check a package against 1EdTech's CASE 1.1 CFPackage schema; CaseError names the problem.

    Properties the schema does not know are let through (CASE 1.0 packages carry a few, such as
    CFDocumentURI on items): nothing here reads them.
    """
    errors = [e for e in _validator().iter_errors(data) if e.validator != "additionalProperties"]
    if errors:
        first = min(errors, key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path])
        raise CaseError(f"{_where(first.absolute_path)}: {first.message}")


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker(formats=("uuid", "date"))

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.fullmatch(value):
            return False
        datetime.fromisoformat(value.upper())  # a real day and time, or ValueError
        return True

    return jsonschema.Draft201909Validator(schema, format_checker=checker)


def _where(path: Iterable[object]) -> str:
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return text or "the package"


def from_case(data: dict[str, Any], code: str | None = None, name: str = "") -> CaseImport:
    """Turn a checked CFPackage (see read_package) into a new qualification and its files.

    A package exported here carries everything in its extension and comes back whole. One from
    elsewhere has no rules of combination, groups, credits or levels: it becomes a draft with
    its units in one group, to be completed before plans can be suggested, and `notes` say so.
    `code` is required then (CASE has no place for it) and may rename our own packages too.
    `name` (the file's name) labels messages.
    """
    check_package(data)
    return _Import(data, code, name or "the package").result()


class _Import:
    def __init__(self, data: dict[str, Any], code: str | None, name: str) -> None:
        self.data = data
        self.name = name
        self.doc = data["CFDocument"]
        ext = data.get("extensions", {}).get(EXTENSION)
        if ext is not None and (not isinstance(ext, dict) or ext.get("format") != FORMAT):
            raise CaseError(
                f"extensions.{EXTENSION}: not a version {FORMAT} Starting Point extension"
            )
        self.ours = ext is not None
        self.ext: dict[str, Any] = ext or {}
        code = code or self.ext.get("code")
        if not code:
            raise CaseError(
                "the package does not say the qualification's code (it was not exported by "
                "Starting Point): give one, e.g. --code 603-1234-5"
            )
        # the code names a folder and goes into every identifier
        if not isinstance(code, str) or not QUALIFICATION_CODE.fullmatch(code):
            raise CaseError(f"the code {code!r} {QUALIFICATION_CODE_RULE}")
        self.code = code
        self.notes: list[str] = []
        self.items = self._items()
        self.children = self._tree()

    # -- the tree of items --

    def _items(self) -> dict[str, tuple[int, dict[str, Any]]]:
        items: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, item in enumerate(self.data.get("CFItems", [])):
            if item["identifier"] in items:
                raise CaseError(f"CFItems[{i}].identifier: {item['identifier']} is used twice")
            items[item["identifier"]] = (i, item)
        if not items:
            raise CaseError("CFItems: the package has no items, so no units to import")
        return items

    def _tree(self) -> dict[str, list[str]]:
        """Each node's children in order, from the isChildOf associations."""
        root = self.doc["identifier"]
        parent_of: dict[str, str] = {}
        ordered: dict[str, list[tuple[tuple[int, int], str]]] = {}
        for j, a in enumerate(self.data.get("CFAssociations", [])):
            if a["associationType"] != "isChildOf":
                continue
            child = a["originNodeURI"]["identifier"]
            parent = a["destinationNodeURI"]["identifier"]
            if child not in self.items:
                raise CaseError(
                    f"CFAssociations[{j}].originNodeURI: no item {child} in the package"
                )
            if parent != root and parent not in self.items:
                raise CaseError(
                    f"CFAssociations[{j}].destinationNodeURI: {parent} is neither the "
                    "CFDocument nor an item of the package"
                )
            if child in parent_of:
                raise CaseError(
                    f"CFAssociations[{j}]: {self._label(child)} is a child of two items; "
                    "a unit, outcome or criterion has one place"
                )
            parent_of[child] = parent
            ordered.setdefault(parent, []).append(((a.get("sequenceNumber", 1 << 30), j), child))
        children = {p: [c for _, c in sorted(kids)] for p, kids in ordered.items()}
        reached: set[str] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            for child in children.get(node, []):
                reached.add(child)
                stack.append(child)
        for identifier, (i, _item) in self.items.items():
            if identifier not in reached:
                raise CaseError(
                    f"CFItems[{i}]: {self._label(identifier)} is not under the CFDocument "
                    "(no chain of isChildOf associations leads from it to the document)"
                )
        return children

    def _label(self, identifier: str) -> str:
        item = self.items[identifier][1]
        code = item.get("humanCodingScheme", "")
        text = " ".join(item["fullStatement"].split())
        text = text if len(text) <= 60 else text[:59] + "…"
        return f'"{code} {text}"' if code else f'"{text}"'

    def _field(self, identifier: str, key: str) -> str:
        return f"CFItems[{self.items[identifier][0]}].{key}"

    def _text(self, identifier: str, key: str) -> str:
        value = self.items[identifier][1].get(key, "")
        if not value.strip():
            raise CaseError(f"{self._field(identifier, key)}: is empty")
        return value.strip()

    def _extra(self, identifier: str) -> dict[str, Any]:
        """Our extension on an item (only read from our own packages)."""
        extra = self.items[identifier][1].get("extensions", {}).get(EXTENSION, {})
        if not isinstance(extra, dict):
            raise CaseError(f"{self._field(identifier, f'extensions.{EXTENSION}')}: not an object")
        return extra if self.ours else {}

    # -- the qualification --

    def result(self) -> CaseImport:
        units = self.children.get(self.doc["identifier"], [])
        numbers = self._codes(units, self._unit_number, lambda n: f"U{n}", "unit")
        catalogue, unit_files = [], []
        for identifier, number in zip(units, numbers):
            catalogue.append(self._catalogue_entry(identifier, number))
            if self.children.get(identifier):
                unit_files.append(self._unit_file(identifier, number))
        main = self._main(catalogue)
        label = f"{self.name} (as %s)"
        roles = {"roles": self.ext.get("roles", [])}
        contexts = {"contexts": self.ext.get("contexts", [])}
        try:
            q = qualification_from_data(
                Reader(label % "qualification.toml", main),
                [Reader(label % f"units/{d['number']}.toml", d) for d in unit_files],
                Reader(label % "roles.toml", roles),
                Reader(label % "contexts.toml", contexts),
            )
        except ContentError as e:
            raise CaseError(str(e)) from None
        if not self.ours:
            self.notes[:0] = [
                "Not a Starting Point package: it has no rules of combination, groups, credits, "
                "levels or accreditation numbers. Enter them before plans can be suggested.",
                f"All {len(q.units)} units are in one group ({FOREIGN_GROUP['id']}) for now.",
                'The "I can" statements were made from the items\' text: check each one.',
            ]
            if self.data.get("CFRubrics"):
                self.notes.append(
                    "The package's rubrics were not used: the units are rated on the app's "
                    "four-point scales."
                )
        origin = f"Imported from the CASE package {self.doc['uri']}."
        return CaseImport(q, qualification_files(q, origin), tuple(self.notes))

    def _main(self, catalogue: list[dict[str, Any]]) -> dict[str, Any]:
        doc, ext = self.doc, self.ext
        main: dict[str, Any] = {
            "code": self.code,
            "title": doc["title"],
            "awarding_body": doc["creator"],
            "source": doc.get("notes") or ("" if self.ours else f"CASE framework {doc['uri']}"),
            "last_changed": datetime.fromisoformat(doc["lastChangeDateTime"].upper()),
            "units": catalogue,
        }
        if not self.ours:
            main["groups"] = [FOREIGN_GROUP]
            main["scales"] = DEFAULT_SCALES
            return main
        for key in ("short_title", "level", "weights", "groups", "rules"):
            if key in ext:
                main[key] = ext[key]
        main["scales"] = {kind: self._scale(kind) for kind in ("performance", "knowledge")}
        return main

    def _scale(self, kind: str) -> list[str]:
        scales = self.ext.get("scales")
        wanted = scales.get(kind) if isinstance(scales, dict) else None
        for rubric in self.data.get("CFRubrics", []):
            if rubric["identifier"] == wanted:
                criteria = rubric.get("CFRubricCriteria", [])
                levels = criteria[0].get("CFRubricCriterionLevels", []) if criteria else []
                ordered = sorted(levels, key=lambda level: level.get("position", 0))
                return [level.get("quality", "") for level in ordered]
        raise CaseError(f"extensions.{EXTENSION}.scales.{kind}: names no CFRubric of the package")

    def _catalogue_entry(self, identifier: str, number: str) -> dict[str, Any]:
        item = self.items[identifier][1]
        title = self._text(identifier, "fullStatement")
        extra = self._extra(identifier)
        entry: dict[str, Any] = {"number": number, "title": title}
        for key in ("accreditation", "credits", "level", "group"):
            if key in extra:
                entry[key] = extra[key]
        if not self.ours:
            entry["group"] = FOREIGN_GROUP["id"]
        label = item.get("alternativeLabel", "") if self.ours else ""
        entry["statement"] = label or first_person(to_first_person(title))
        return entry

    def _unit_file(self, identifier: str, number: str) -> dict[str, Any]:
        item = self.items[identifier][1]
        extra = self._extra(identifier)
        data: dict[str, Any] = {"number": number, "source": item.get("notes", "")}
        for key in ("aim", "evidence", "guidance"):
            if key in extra:
                data[key] = extra[key]
        outcomes = self.children[identifier]
        leaves = [o for o in outcomes if not self.children.get(o)]
        if leaves and len(leaves) == len(outcomes) and not self.ours:
            # criteria straight under the unit: one learning outcome, the unit itself
            self.notes.append(
                f"Unit {number}: its items are not grouped into learning outcomes, so they are "
                "criteria of one outcome titled as the unit."
            )
            title = self._text(identifier, "fullStatement")
            data["outcomes"] = [
                {"number": 1, "title": title, "criteria": self._criteria(1, outcomes, title)}
            ]
            return data
        if leaves:
            raise CaseError(
                f"{self._field(leaves[0], 'fullStatement')}: {self._label(leaves[0])} is a "
                "learning outcome without criteria (units hold learning outcomes, which hold "
                "criteria)"
            )
        numbers = self._codes(outcomes, _outcome_number, lambda n: n, "learning outcome")
        data["outcomes"] = []
        for o, o_number in zip(outcomes, numbers):
            title = self._text(o, "fullStatement")
            data["outcomes"].append(
                {
                    "number": o_number,
                    "title": title,
                    # the outcome's words spoken to the learner, where the source speaks of them
                    "learner_title": str(self.items[o][1].get("alternativeLabel", "")).strip(),
                    "criteria": self._criteria(o_number, self.children[o], title),
                }
            )
        return data

    def _criteria(
        self, outcome: int, criteria: list[str], outcome_title: str
    ) -> list[dict[str, Any]]:
        for c in criteria:
            if self.children.get(c):
                deeper = self.children[c][0]
                raise CaseError(
                    f"{self._field(deeper, 'fullStatement')}: {self._label(deeper)} is nested "
                    "deeper than unit, learning outcome and criterion"
                )
        numbers = self._codes(
            criteria,
            lambda hcs: _criterion_number(outcome, hcs),
            lambda n: f"{outcome}.{n}",
            "criterion",
        )
        out = []
        for c, number in zip(criteria, numbers):
            item = self.items[c][1]
            text = self._text(c, "fullStatement")
            extra = self._extra(c)
            entry: dict[str, Any] = {
                "number": number,
                "text": text,
                "statement": (item.get("alternativeLabel") if self.ours else "")
                or first_person(to_first_person(text)),
                "kind": self._kind(c, text, outcome_title),
                "note": item.get("notes", ""),
            }
            entry.update({k: extra[k] for k in ("help", "seed_text", "uncertain") if k in extra})
            out.append(entry)
        return out

    def _kind(self, identifier: str, text: str, outcome_title: str) -> str:
        item_type = self.items[identifier][1].get("CFItemType", "").strip().lower()
        for kind in ("knowledge", "performance"):
            if item_type.startswith(kind):
                return kind
        if self.ours:
            raise CaseError(
                f"{self._field(identifier, 'CFItemType')}: must be "
                f"{ITEM_TYPES['knowledge'][0]!r} or {ITEM_TYPES['performance'][0]!r}"
            )
        return criterion_kind(text, outcome_title)

    # -- numbers: our own codes as they are; others' where they all fit, else by position --

    def _codes(self, siblings: list[str], fits: Any, by_position: Any, what: str) -> list[Any]:
        found = [fits(self._hcs(s)) for s in siblings]
        if self.ours:
            for s, value in zip(siblings, found):
                if value is None:
                    raise CaseError(f"{self._field(s, 'humanCodingScheme')}: not a {what} number")
            return found
        if None in found or len(set(found)) < len(found):
            if what == "unit":
                self.notes.append(
                    "Units are numbered by position (U1, U2 …): the package's codes for them are "
                    "missing, repeated or not usable in addresses."
                )
            return [by_position(position) for position in range(1, len(siblings) + 1)]
        return found

    def _hcs(self, identifier: str) -> str:
        return self.items[identifier][1].get("humanCodingScheme", "").strip()

    def _unit_number(self, hcs: str) -> str | None:
        if self.ours:
            return hcs or None
        # a unit number goes into addresses and field names: "HSC-1" is kept as "HSC1"
        number = re.sub(r"[-._]", "", hcs.upper())
        return number if UNIT_NUMBER.fullmatch(number) else None


def _outcome_number(hcs: str) -> int | None:
    return int(hcs) if hcs.isdigit() and 1 <= int(hcs) <= 99 else None


def _criterion_number(outcome: int, hcs: str) -> str | None:
    prefix = f"{outcome}."
    return hcs if hcs.startswith(prefix) and len(hcs) > len(prefix) else None
