"""Witness testimonies: what one must say, whether it reads like a list, what it evidences.

Pure Python (no Flask, no database). The seed: a written testimony gives the learner's name;
the date, time and venue of the activity; a description of what the learner did; the date of
writing; the witness's relationship to the learner; their signature and job title; their
contact details. "It is not appropriate for witness testimonies to contain a list of the skills
to which it relates": witnesses describe what the learner did, and the assessor judges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .content import Statement

# the fields a witness fills in, in the seed's order, with what each asks for
FIELDS = (
    ("activity_date", "Date of the activity"),
    ("activity_time", "Time of the activity"),
    ("venue", "Where it happened"),
    ("description", "What the learner did"),
    ("relationship", "Your relationship to the learner"),
    ("job_title", "Your job title"),
    ("contact_details", "Your contact details"),
)
FIELD_NAMES = tuple(name for name, _ in FIELDS)
LIMITS = {
    "activity_date": 10,
    "activity_time": 40,
    "venue": 200,
    "description": 5000,
    "relationship": 300,
    "job_title": 100,
    "contact_details": 300,
}

# what the form says, from the seed
GUIDANCE = (
    "Describe what the learner did, in your own words: what happened, what they did and said, "
    "and how the customer responded.",
    "Do not list skills or copy the qualification's criteria: the assessor decides which "
    "criteria your description shows.",
    "Write only what you saw yourself. The learner must not write it for you to sign.",
)

_BULLET = re.compile(
    r"^\s*(?:[-*\u2022\u00b7\u25aa\u2013\u2014>]|\(?\d{1,2}(?:\.\d{1,2})*[.):]|\(?[a-h][.)])\s+"
)
_CRITERION_NUMBER = re.compile(r"(?<![\d.])(?:[A-Z]\d{1,2}[ :]+)?\d{1,2}\.\d{1,2}(?![\d])")
_WORD = re.compile(r"[a-z']+")
_COMMON = set(
    "a an and the of to in on for with by at or as is are be their they them my your i can "
    "how what when where who which that this these those it its from".split()
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _COMMON and len(w) > 2}


def _copies(fragment: str, criteria: Sequence[set[str]]) -> bool:
    """A line or sentence that mostly repeats one criterion's own words."""
    words = _words(fragment)
    if len(words) < 2:
        return False
    for c in criteria:
        if len(c) >= 3 and len(c & words) >= 0.7 * len(c) and len(words) <= 2 * len(c) + 2:
            return True
    return False


def reads_like_a_list(text: str, statements: Iterable[Statement] = ()) -> tuple[str, ...]:
    """Why a description reads like a list of skills or criteria rather than what the learner
    did; empty when it reads as a description."""
    lines = [line for line in text.splitlines() if line.strip()]
    reasons = []
    bullets = sum(1 for line in lines if _BULLET.match(line))
    short = sum(
        1 for line in lines if len(line.split()) <= 8 and not line.rstrip().endswith((".", "!"))
    )
    if bullets >= 3 or (len(lines) >= 3 and max(bullets, short) * 4 >= len(lines) * 3):
        reasons.append("it is set out as a list")
    if len(_CRITERION_NUMBER.findall(text)) >= 2:
        reasons.append("it names criteria by their numbers")
    criteria = [_words(_plain(s.text)) for s in statements]
    fragments = [f for line in lines for f in re.split(r"(?<=[.;!?])\s+|,\s+", line) if f.strip()]
    if criteria and sum(_copies(f, criteria) for f in fragments) >= 2:
        reasons.append("it repeats the qualification's criteria")
    return tuple(reasons)


def _plain(statement: str) -> str:
    """A statement without its "I can": the criterion's own words."""
    return re.sub(r"^\s*I can\s+", "", statement, flags=re.I)


def missing_fields(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The required fields still empty, for signing."""
    return tuple(name for name in FIELD_NAMES if not str(values.get(name) or "").strip())


def reference(position: int) -> str:
    """A testimony's evidence reference in the portfolio, by its place among the learner's
    signed testimonies: "WT1", "WT2" …"""
    return f"WT{position}"


def numbered(testimonies: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Testimony id -> reference, for the signed ones, in the order they were signed."""
    signed = sorted(
        (t for t in testimonies if t.get("signed_at")), key=lambda t: (t["signed_at"], t["id"])
    )
    return {int(t["id"]): reference(i) for i, t in enumerate(signed, start=1)}


def coverage(testimonies: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Statement id -> the references of accepted, signed testimonies linked to it: what the
    assessment plan's coverage counts as evidenced by witness testimony."""
    refs = numbered(testimonies)
    found: dict[str, list[str]] = {}
    for t in testimonies:
        if t.get("decision") != "accepted" or int(t["id"]) not in refs:
            continue
        for statement_id in t.get("criteria", ()):
            found.setdefault(statement_id, []).append(refs[int(t["id"])])
    return {k: tuple(v) for k, v in found.items()}
