"""A qualification written back as the TOML files load_qualification reads; pure Python."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from .content import Criterion, Qualification, Unit, Weights


def toml_string(value: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def iso_moment(moment: datetime) -> str:
    """A date and time as ISO 8601 with its offset, UTC written as Z (valid TOML and RFC 3339)."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _pairs(pairs: Iterable[tuple[str, object]]) -> list[str]:
    """key = value lines, leaving out empty text, empty lists and None."""
    lines = []
    for key, value in pairs:
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        elif isinstance(value, datetime):
            lines.append(f"{key} = {iso_moment(value)}")
        elif isinstance(value, tuple) and all(isinstance(v, int) for v in value):
            lines.append(f"{key} = [" + ", ".join(str(v) for v in value) + "]")
        elif isinstance(value, tuple):
            lines.append(f"{key} = {_strings(value)}")
        else:
            lines.append(f"{key} = {toml_string(str(value))}")
    return lines


def _table(header: str, pairs: Iterable[tuple[str, object]]) -> list[str]:
    """A [table] or [[array of tables]] entry, after a blank line."""
    return ["", header, *_pairs(pairs)]


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_document(data: Mapping[str, Any]) -> str:
    """Data shaped as tomllib reads it (a unit file edited as data, say) written as TOML."""
    lines: list[str] = []
    _document_table(lines, data, ())
    return "\n".join(lines).lstrip("\n") + "\n"


def _document_table(lines: list[str], data: Mapping[str, Any], path: tuple[str, ...]) -> None:
    # a table's own values first, then its tables and arrays of tables, as TOML requires
    below = []
    for key, value in data.items():
        if isinstance(value, Mapping) or _tables(value):
            below.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in below:
        name = ".".join(_toml_key(k) for k in (*path, key))
        for table in value if _tables(value) else [value]:
            lines += ["", f"[[{name}]]" if _tables(value) else f"[{name}]"]
            _document_table(lines, table, (*path, key))


def _tables(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ("-" if value < 0 else "") + "inf" if math.isinf(value) else repr(value).lower()
    if isinstance(value, datetime):
        return iso_moment(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"{type(value).__name__} cannot be written as TOML")


def unit_file_name(number: str) -> str:
    return "units/" + re.sub(r"[^A-Za-z0-9._-]", "_", number) + ".toml"


def qualification_files(q: Qualification, origin: str = "") -> dict[str, str]:
    """Every file of a qualification folder, by path within it: loading them gives `q` back.

    `origin` says where the content came from, as a comment at the top of qualification.toml.
    """
    files = {
        "qualification.toml": _qualification_toml(q, origin),
        "roles.toml": _roles_toml(q),
        "contexts.toml": _contexts_toml(q),
    }
    for unit in q.units:
        if unit.outcomes:
            name = unit_file_name(unit.number)
            if name in files:
                raise ValueError(f"units {unit.number!r} and another unit share the file {name}")
            files[name] = _unit_toml(unit)
    return files


def _qualification_toml(q: Qualification, origin: str) -> str:
    out = [f"# {q.title} ({q.code})."]
    if origin:
        out.append(f"# {origin}")
    out += _pairs(
        [
            ("code", q.code),
            ("title", q.title),
            ("short_title", q.short_title if q.short_title != q.title else ""),
            ("awarding_body", q.awarding_body),
            ("level", q.level or None),
            ("source", q.source),
            ("last_changed", q.last_changed),
        ]
    )
    if q.weights != Weights():
        out += ["", "[weights]"] + _pairs((k, v) for k, v in q.weights.__dict__.items())
    for g in q.groups:
        out += _table(
            "[[groups]]",
            [
                ("id", g.id),
                ("title", g.title),
                ("mandatory", True if g.mandatory else None),
                ("credits", g.credits),
                ("wording", g.wording),
            ],
        )
    if q.draft:
        out += [
            "",
            "# No rules of combination yet, so no plan is suggested or checked. Enter them as",
            "# [[rules]] blocks (kind all_units, credits or units_each_group; see the README,",
            "# The content format); give every unit its accreditation number, credits and level.",
        ]
    for r in q.rules:
        out += _table(
            "[[rules]]",
            [
                ("id", r.id),
                ("kind", r.kind),
                ("groups", r.groups),
                ("levels", r.levels),
                ("min", r.min or None),
                ("wording", r.wording),
                ("note", r.note),
            ],
        )
    for u in q.units:
        out += _table(
            "[[units]]",
            [
                ("number", u.number),
                ("accreditation", u.accreditation),
                ("title", u.title),
                ("credits", u.credits or None),
                ("level", u.level or None),
                ("group", u.group),
                ("statement", u.statement),
            ],
        )
    out += [
        "",
        "[scales]",
        f"performance = {_strings(q.scales.performance)}",
        f"knowledge = {_strings(q.scales.knowledge)}",
    ]
    return "\n".join(out) + "\n"


def own_help(unit: Unit, c: Criterion) -> str:
    """The criterion's own help: the loader puts it before the help its unit's guidance adds."""
    from_guidance = sum(1 for g in unit.guidance if c.number in g.criteria)
    return c.help[0] if len(c.help) > from_guidance else ""


def _unit_toml(unit: Unit) -> str:
    out = _pairs([("number", unit.number), ("source", unit.source), ("aim", unit.aim)])
    ev = unit.evidence
    if ev.simulation_allowed is not None or ev.notes or ev.situations:
        out += _table(
            "[evidence]", [("simulation_allowed", ev.simulation_allowed), ("notes", ev.notes)]
        )
        for s in ev.situations:
            out += _table("[[evidence.situations]]", [("heading", s.heading), ("items", s.items)])
    for g in unit.guidance:
        out += _table(
            "[[guidance]]", [("term", g.term), ("text", g.text), ("criteria", g.criteria)]
        )
    for o in unit.outcomes:
        out += ["", "[[outcomes]]", f"number = {o.number}", f"title = {toml_string(o.title)}"]
        if o.learner_title:
            out.append(f"learner_title = {toml_string(o.learner_title)}")
        for c in o.criteria:
            out += _table(
                "[[outcomes.criteria]]",
                [
                    ("number", c.number),
                    ("text", c.text),
                    ("seed_text", c.seed_text),
                    ("uncertain", True if c.uncertain else None),
                    ("note", c.note),
                    ("statement", c.statement),
                    ("kind", c.kind),
                    ("help", own_help(unit, c)),
                ],
            )
    return "\n".join(out) + "\n"


def _roles_toml(q: Qualification) -> str:
    out = [f"# Job roles of {q.code}, by level. A role above the qualification's level is a cue to"]
    out.append("# check the learner is on the right level.")
    if not q.roles:
        out.append("# None yet: add [[roles]] blocks, each with a level and a list of titles.")
    blocks: list[tuple[int, list[str]]] = []
    for role in q.roles:
        if blocks and blocks[-1][0] == role.level:
            blocks[-1][1].append(role.title)
        else:
            blocks.append((role.level, [role.title]))
    for level, titles in blocks:
        out += ["", "[[roles]]", f"level = {level}", f"titles = {_strings(titles)}"]
    return "\n".join(out) + "\n"


def _contexts_toml(q: Qualification) -> str:
    out = [f"# Questions about the learner's job for {q.code}; each opens the units it names."]
    out.append("# A unit named by no context can be evidenced in any job.")
    if not q.contexts:
        out.append("# None yet: add [[contexts]] blocks (id, label, question, units, help).")
    for c in q.contexts:
        out += _table(
            "[[contexts]]",
            [
                ("id", c.id),
                ("label", c.label),
                ("question", c.question),
                ("help", c.help),
                ("units", c.units),
            ],
        )
    return "\n".join(out) + "\n"
