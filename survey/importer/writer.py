"""A draft as a unit file in the content format (TOML), with comments for the person checking it."""

from __future__ import annotations

import re

from ..content_files import toml_string
from .reader import DraftUnit
from .source import Source

ELLIPSIS = " …"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _comment(value: str) -> str:
    """Text safe inside a TOML comment."""
    return _CONTROL.sub(" ", value.replace("\n", " ").replace("\r", " ").replace("\t", " "))


def to_toml(unit: DraftUnit, source: Source | None = None) -> str:
    """A draft unit file in the format of content/<q>/units/*.toml, for a person to check.

    Each outcome and criterion is preceded by a comment naming the source lines it was read
    from (and their pages, given the source).
    """

    def where(lines: tuple[int, ...]) -> str:
        said = _where(lines)
        pages = sorted({source.line(n).page for n in lines} - {0}) if source else []
        if pages:
            said += f" (page {pages[0]})" if len(pages) == 1 else f" (pages {_span(pages)})"
        return said

    name = f"Unit {unit.number}" if unit.number else "Unit (number not found)"
    if unit.accreditation:
        name += f" ({unit.accreditation})"
    name += f", {unit.title or 'title not found'}"
    out = [
        f"# DRAFT made by the importer: {_comment(name)}.",
        "# Check every outcome and criterion against the specification before using this file.",
        '# Criteria with `uncertain = true` look cut off: their text ends in " …" and `seed_text`',
        "# keeps the words as found; complete them only where the specification makes it certain.",
    ]
    if not unit.number:
        out.append("# The unit number was not found: set it to its number in qualification.toml.")
    out.append(f"number = {toml_string(unit.number or '')}")
    cited = ", ".join(x for x in ("Unit specification", unit.title) if x)
    if unit.accreditation:
        cited += f" ({unit.accreditation})"
    out.append(f"source = {toml_string(cited)}")
    for outcome in unit.outcomes:
        out += ["", f"# {where(outcome.lines)}"] if outcome.lines else [""]
        out += ["[[outcomes]]", f"number = {outcome.number}"]
        if not outcome.title:
            out.append("# The title of this outcome was not found: fill it in.")
        out.append(f"title = {toml_string(outcome.title)}")
        if outcome.learner_title:
            out.append(f"learner_title = {toml_string(outcome.learner_title)}")
        for c in outcome.criteria:
            out += ["", f"# {where(c.lines)}"] if c.lines else [""]
            out += ["[[outcomes.criteria]]", f"number = {toml_string(c.number)}"]
            if c.truncated:
                out += [
                    f"text = {toml_string(c.text + ELLIPSIS)}",
                    f"seed_text = {toml_string(c.text)}",
                    "uncertain = true",
                    'note = "The text looks cut off in the specification as pasted: check it."',
                    f"statement = {toml_string(c.statement + ELLIPSIS)}",
                ]
            else:
                out += [f"text = {toml_string(c.text)}", f"statement = {toml_string(c.statement)}"]
            out.append(f"kind = {toml_string(c.kind)}")
    if unit.unplaced:
        out += [
            "",
            "# ---- Lines the importer could not place (knowledge column, headings, notes).",
            "# Check whether any of them belong above.",
        ]
        at = unit.unplaced_lines or (0,) * len(unit.unplaced)
        out += [
            f"#   {_comment(line)}" + (f"  (line {n})" if n else "")
            for line, n in zip(unit.unplaced, at, strict=True)
        ]
    return "\n".join(out) + "\n"


def _where(lines: tuple[int, ...]) -> str:
    """ "line 12" or "lines 12-14, 16": where in the source a part of the draft was read."""
    return ("lines " if len(lines) > 1 else "line ") + _span(list(lines))


def _span(numbers: list[int]) -> str:
    """ "12-14, 16" for 12, 13, 14, 16."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans)
