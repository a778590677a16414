"""A unit draft as a person checks it in the browser, and as it is published; pure Python.

The reader (importer/) turns a specification into DraftUnits; here a DraftUnit becomes plain
data kept between visits (the source lines behind every part included), a person's edits are
merged into it, and it becomes the unit file the library publishes, with a way back from each
problem the loader finds (`outcomes[0].criteria[2].text`) to the field the person typed it in.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from .content import ContentError, first_person
from .importer import DraftUnit, Source, to_first_person

# the TOML's `note` on a criterion whose words look cut short (README, "The content format")
CUT_SHORT_NOTE = "The text looks cut off in the specification: check it."
ELLIPSIS = "…"
PROBLEMS_SHOWN = 20  # the loader is asked again at most this often to find the next problem

Draft = dict[str, Any]


# ---- from the reader ---------------------------------------------------------------------------


def source_data(source: Source) -> dict[str, Any]:
    """A source as kept with its drafts: its name, kind, pages and (page, text) of each line."""
    return {
        "name": source.name,
        "kind": source.kind,
        "pages": source.pages,
        "lines": [[line.page, line.text] for line in source.lines],
    }


def draft_data(unit: DraftUnit) -> Draft:
    """A draft unit as plain data, with the source lines each part was read from."""
    cited = ", ".join(x for x in ("Unit specification", unit.title) if x)
    if unit.accreditation:
        cited += f" ({unit.accreditation})"
    return {
        "number": unit.number or "",
        "title": unit.title,
        "accreditation": unit.accreditation or "",
        "source": cited,
        "lines": list(unit.lines),
        "outcomes": [
            {
                "number": o.number,
                "title": o.title,
                "learner_title": o.learner_title,
                "lines": list(o.lines),
                "criteria": [
                    {
                        "number": c.number,
                        "text": c.text,
                        "statement": c.statement,
                        "kind": c.kind,
                        "help": "",
                        "uncertain": c.truncated,
                        "found": c.text,  # the words as read, kept as seed_text if uncertain
                        "lines": list(c.lines),
                        "omit": False,
                    }
                    for c in o.criteria
                ],
            }
            for o in unit.outcomes
        ],
        "unplaced": [[at, text] for at, text in zip(unit.unplaced_lines, unit.unplaced)],
    }


def criteria_count(draft: Draft) -> int:
    return sum(1 for o in draft["outcomes"] for c in o["criteria"] if not c["omit"])


def cut_short_count(draft: Draft) -> int:
    return sum(1 for o in draft["outcomes"] for c in o["criteria"] if c["uncertain"])


# ---- what each source line became -------------------------------------------------------------


def line_roles(draft: Draft) -> dict[int, str]:
    """Source line number -> what the draft made of it: "Unit", "LO 2", "2.3", "not placed"."""
    roles: dict[int, str] = {}
    for at in draft["lines"]:
        roles[at] = "Unit"
    for o in draft["outcomes"]:
        for at in o["lines"]:
            roles[at] = f"LO {o['number']}"
        for c in o["criteria"]:
            for at in c["lines"]:
                roles[at] = c["number"] + (" (left out)" if c["omit"] else "")
    for at, _ in draft["unplaced"]:
        roles.setdefault(at, "not placed")
    return roles


def line_span(draft: Draft, total: int, around: int = 3) -> tuple[int, int]:
    """The first and last source lines of this draft's unit, with a few lines either side."""
    used = list(line_roles(draft))
    if not used:
        return 1, total
    return max(1, min(used) - around), min(total, max(used) + around)


# ---- a person's edits -------------------------------------------------------------------------


def _clean(value: object) -> str:
    """Text as typed: runs of white space (line breaks from a paste) made one space."""
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _restated(old_text: str, old_statement: str, text: str) -> str | None:
    """The "I can" statement for edited criterion text, when the old statement was made from
    the old text by rule (so it was never typed by a person); None otherwise."""
    for rule in (lambda t: first_person(to_first_person(t)), first_person):
        if old_statement == rule(old_text):
            return rule(text)
    return None


def _blank(values: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return not any(_clean(values.get(k)) for k in keys)


def apply_edits(draft: Draft, posted: Mapping[str, Any]) -> Draft:
    """The draft with a person's edits (the draft form's data): rows they filled in are added,
    blank new rows ignored; the source lines behind every part are kept.

    An "I can" statement left as the rule made it follows its criterion's new words.
    """
    new = copy.deepcopy(draft)
    new["number"] = _clean(posted.get("number"))
    kept_outcomes = draft["outcomes"]
    outcomes = []
    for i, po in enumerate(posted.get("outcomes") or []):
        so = kept_outcomes[i] if i < len(kept_outcomes) else None
        criteria = []
        for j, pc in enumerate(po.get("criteria") or []):
            sc = so["criteria"][j] if so is not None and j < len(so["criteria"]) else None
            if sc is None and _blank(pc, ("number", "text", "statement")):
                continue  # the empty row offered for a criterion the reader missed
            text, statement = _clean(pc.get("text")), _clean(pc.get("statement"))
            if sc is not None and statement == sc["statement"] and text != sc["text"]:
                statement = _restated(sc["text"], sc["statement"], text) or statement
            if sc is None and not statement and text:
                statement = first_person(text)
            criteria.append(
                {
                    "number": _clean(pc.get("number")),
                    "text": text,
                    "statement": statement,
                    "kind": pc.get("kind") or "",
                    "help": _clean(pc.get("help")),
                    "uncertain": bool(pc.get("uncertain")),
                    "found": sc["found"] if sc else "",
                    "lines": sc["lines"] if sc else [],
                    "omit": bool(pc.get("omit")),
                }
            )
        if so is None and not criteria and _blank(po, ("number", "title")):
            continue  # the empty outcome offered for one the reader missed
        outcomes.append(
            {
                "number": po.get("number"),
                "title": _clean(po.get("title")),
                "learner_title": _clean(po.get("learner_title")),
                "lines": so["lines"] if so else [],
                "criteria": criteria,
            }
        )
    new["outcomes"] = outcomes
    return new


# ---- as published -----------------------------------------------------------------------------


def _marked(text: str) -> str:
    """Text that may be cut short ends in an ellipsis, as the content format asks."""
    return text if not text or text.endswith(ELLIPSIS) else f"{text} {ELLIPSIS}"


def unit_file(draft: Draft) -> tuple[dict[str, Any], dict[str, str]]:
    """The unit file to publish (as data), and where each of its parts came from on the form:
    {"outcomes[0].criteria[1]": "outcomes-0-criteria-2", ...} (left-out criteria are not in
    the file, so the numbering differs)."""
    places = {"number": "number", "outcomes": "outcomes"}
    outcomes: list[dict[str, Any]] = []
    for fi, o in enumerate(draft["outcomes"]):
        di = len(outcomes)
        places[f"outcomes[{di}]"] = f"outcomes-{fi}"
        entry: dict[str, Any] = {"title": o["title"]}
        if o["number"] is not None:
            entry = {"number": o["number"], **entry}
        if o["learner_title"]:
            entry["learner_title"] = o["learner_title"]
        criteria: list[dict[str, Any]] = []
        for fj, c in enumerate(o["criteria"]):
            if c["omit"]:
                continue
            places[f"outcomes[{di}].criteria[{len(criteria)}]"] = f"outcomes-{fi}-criteria-{fj}"
            one: dict[str, Any] = {"number": c["number"], "text": c["text"]}
            if c["statement"]:
                one["statement"] = c["statement"]
            if c["kind"]:
                one["kind"] = c["kind"]
            if c["help"]:
                one["help"] = c["help"]
            if c["uncertain"]:
                one["text"] = _marked(c["text"])
                one["statement"] = _marked(c["statement"])
                one["seed_text"] = c["found"] or c["text"]
                one["uncertain"] = True
                one["note"] = CUT_SHORT_NOTE
            criteria.append(one)
        entry["criteria"] = criteria
        outcomes.append(entry)
    data: dict[str, Any] = {"number": draft["number"]}
    if draft.get("source"):
        data["source"] = draft["source"]
    data["outcomes"] = outcomes
    return data, places


_PATH = re.compile(r"^(outcomes\[\d+\](?:\.criteria\[\d+\])?)(.*)$")


def form_field(field: str, places: Mapping[str, str]) -> str:
    """The form field (or block of fields) a loader's field path names; "" for the whole form.

    "outcomes[0].criteria[1].text" -> "outcomes-0-criteria-2-text"; "outcomes[0].criteria"
    (none left) -> "outcomes-0-criteria"; "number" -> "number".
    """
    found = _PATH.match(field)
    if found is None:
        return places.get(field, "")
    head, rest = found.groups()
    if head not in places:
        return ""
    return places[head] + rest.replace(".", "-").replace("[", "-").replace("]", "")


def problems(
    data: Mapping[str, Any], check: Callable[[Mapping[str, Any]], object], name: str
) -> list[ContentError]:
    """Every problem the loader finds in a unit file, not just the first.

    `check` loads the qualification with the unit (ContentError on the first problem; the
    draft's own problems name `name` as their file). After a problem in one criterion or
    outcome, that part is set aside and the rest checked again, so each problem can be shown
    beside its field at once. A problem in another file found only after setting parts aside
    may be caused by that, so it is not reported.
    """
    work: dict[str, Any] = copy.deepcopy(dict(data))
    # where each part now stands in the original data (parts set aside are gone)
    where = [(i, list(range(len(o.get("criteria") or [])))) for i, o in enumerate(data["outcomes"])]
    found: list[ContentError] = []
    for _ in range(PROBLEMS_SHOWN):
        try:
            check(work)
            return found
        except ContentError as e:
            ours = e.file == name
            if found and not ours:
                return found
            path = _PATH.match(e.field) if ours else None
            field = e.field
            if path is not None:
                numbers = [int(n) for n in re.findall(r"\[(\d+)\]", path.group(1))]
                i = numbers[0]
                original = f"outcomes[{where[i][0]}]"
                if len(numbers) > 1:
                    original += f".criteria[{where[i][1][numbers[1]]}]"
                field = original + path.group(2)
            found.append(ContentError(e.file, field, e.problem))
            if path is None or not _set_aside(work, where, path.group(1)):
                return found
    return found


def _set_aside(data: dict[str, Any], where: list[tuple[int, list[int]]], part: str) -> bool:
    """Take the criterion (or outcome) a problem is in out of the data; False if nothing to
    check would remain."""
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", part)]
    i = numbers[0]
    outcome = data["outcomes"][i]
    if len(numbers) > 1 and len(outcome["criteria"]) > 1:
        del outcome["criteria"][numbers[1]]
        del where[i][1][numbers[1]]
        return True
    del data["outcomes"][i]
    del where[i]
    return bool(data["outcomes"])
