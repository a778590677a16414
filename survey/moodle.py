"""A qualification as the competency framework CSV Moodle's tool_lpimportcsv reads; pure Python.

Moodle reads the 14 columns by position (framework_importer.php, read_mapping_data), builds the
tree by "Parent id number" (top-level competencies have none), truncates id numbers and short
names to 100 characters, and keeps scale values as one comma-separated list.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from .content import Qualification, Unit
from .scoring import CONFIDENT

# the header row of Moodle's own example (admin/tool/lpimportcsv/tests/fixtures/example.csv)
HEADER = (
    "Parent id number",
    "Id number",
    "Shortname",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross referenced competency id numbers",
    "Exported id (optional)",
    "Is framework",
    "Taxonomy",
)
FORMAT_HTML = "1"
LIMIT = 100  # Moodle shortens id numbers and short names to 100 characters
# a unit, and a learning outcome, is met when all it holds is met: Moodle then recommends it
# for the assessor to review (core_competency\competency::OUTCOME_RECOMMEND = 3)
RULE_ALL = "core_competency\\competency_rule_all"
OUTCOME_NONE, OUTCOME_RECOMMEND = "0", "3"
# one taxonomy term per level of the tree: units, learning outcomes, criteria
TAXONOMIES = "competency,outcome,indicator"


class MoodleError(ValueError):
    """The qualification cannot be written for Moodle; the message says why."""


def to_moodle_csv(q: Qualification) -> str:
    """The framework CSV: the qualification as the framework row, then units, outcomes, criteria."""
    rows = [list(HEADER), _framework_row(q)]
    idnumbers: set[str] = set()
    for unit in q.units:
        rows += _unit_rows(q, unit, idnumbers)
    for position, row in enumerate(rows[2:], 1):
        row[11] = str(position)  # the exported id: Moodle maps rule configs through it
    return "".join(_csv_line(row) for row in rows)


def scale_values(labels: Iterable[str]) -> str:
    labels = list(labels)
    for label in labels:
        if "," in label:
            raise MoodleError(
                f"the rating label {label!r} holds a comma, which Moodle's scales cannot: "
                "change the label in qualification.toml"
            )
    return ",".join(labels)


def scale_configuration(labels: Iterable[str]) -> str:
    """Moodle's scale configuration: the default value, and the proficient ones.

    "On my own" (the first confident rating) is the default value when a competency is met;
    it and every rating above it count as proficient. Moodle puts its own scale id first.
    """
    config: list[dict[str, object]] = [{"scaleid": ""}]
    for rating, _label in enumerate(labels):
        config.append(
            {
                "id": rating + 1,
                "scaledefault": int(rating == CONFIDENT),
                "proficient": int(rating >= CONFIDENT),
            }
        )
    return json.dumps(config, separators=(",", ":"))


def _framework_row(q: Qualification) -> list[str]:
    description = f"<p>{_html(q.title)}</p>"
    if q.source:
        description += f"<p>Source: {_html(q.source)}</p>"
    return [
        "",
        _short(q.code),
        _short(q.short_title),
        description,
        FORMAT_HTML,
        scale_values(q.scales.performance),
        scale_configuration(q.scales.performance),
        "",
        "",
        "",
        "",
        "",
        "1",
        TAXONOMIES,
    ]


def _row(
    parent: str,
    idnumber: str,
    name: str,
    description: str,
    has_children: bool,
    scale: tuple[str, ...] = (),
) -> list[str]:
    """A competency; `scale` only where it differs from the framework's."""
    return [
        parent,
        idnumber,
        _short(name),
        description,
        FORMAT_HTML,
        scale_values(scale) if scale else "",
        scale_configuration(scale) if scale else "",
        RULE_ALL if has_children else "",
        OUTCOME_RECOMMEND if has_children else OUTCOME_NONE,
        "null",
        "",
        "",
        "",
        "",
    ]


def _unit_rows(q: Qualification, unit: Unit, idnumbers: set[str]) -> list[list[str]]:
    def unique(idnumber: str) -> str:
        idnumber = _short(idnumber)
        if idnumber in idnumbers:
            raise MoodleError(f"two competencies would share the id number {idnumber!r}")
        idnumbers.add(idnumber)
        return idnumber

    unit_id = unique(unit.number)
    rows = [
        _row(
            "",
            unit_id,
            f"{unit.number} {unit.title}",
            _paragraphs(unit.title, unit.statement),
            bool(unit.outcomes),
        )
    ]
    for o in unit.outcomes:
        outcome_id = unique(f"{unit.number}-LO{o.number}")
        rows.append(
            _row(
                unit_id,
                outcome_id,
                f"{unit.number} LO{o.number} {o.title}",
                _paragraphs(o.title),
                True,
            )
        )
        for c in o.criteria:
            rows.append(
                _row(
                    outcome_id,
                    unique(f"{unit.number}-{c.number}"),
                    f"{unit.number} {c.number} {c.text}",
                    _paragraphs(c.text, c.statement),
                    False,
                    # knowledge statements are rated on their own scale
                    q.scales.knowledge if c.kind == "knowledge" else (),
                )
            )
    return rows


def _short(text: str) -> str:
    """At most Moodle's 100 characters, cut at a word with an ellipsis rather than mid-word."""
    text = " ".join(text.split())
    if len(text) <= LIMIT:
        return text
    cut = text[: LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _html(text: str) -> str:
    return html.escape(text, quote=True).replace("\\", "&#92;")


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{_html(t)}</p>" for t in texts if t)


def _csv_line(row: list[str]) -> str:
    """One line as PHP's fputcsv writes it (Moodle's exporter): quoted when it needs to be."""
    cells = []
    for cell in row:
        if any(ch in cell for ch in ',"\\\n\r\t '):
            cell = '"' + cell.replace('"', '""') + '"'
        cells.append(cell)
    return ",".join(cells) + "\n"
