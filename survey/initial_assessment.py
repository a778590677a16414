"""The initial-assessment conversation: the seed's checklist, ticked with the learner.

The seed: "Your assessor will spend time with you at the start of your programme making sure that
you: are taking the right level of qualification; understand which mandatory units you have to
take; have chosen the optional units you want to take; understand what you need to know or learn
to gain the qualification; understand what you have to do to collect evidence to show that you
are competent; agree an assessment plan; agree and sign a learning contract."

Each point is ticked by the assessor with the date it was talked through and a note of what was
said. The last one is not ticked by hand: it is done when both have signed the current learning
contract, and the contract can only be prepared once every other point is ticked. Pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Item:
    id: str
    words: str  # the seed's words, about the learner
    help: str  # what the assessor checks


ITEMS = (
    Item(
        "level",
        "Is taking the right level of qualification",
        "Their job and what they already do fit this level (a Level 3 job is a cue to check).",
    ),
    Item(
        "mandatory",
        "Understands which mandatory units they have to take",
        "They know the mandatory units and what each asks of them.",
    ),
    Item(
        "optional",
        "Has chosen the optional units they want to take",
        "Their optional units are confirmed on the Units page.",
    ),
    Item(
        "learning",
        "Understands what they need to know or learn to gain the qualification",
        "You went through their gaps: the statements rated not yet or with help.",
    ),
    Item(
        "evidence",
        "Understands what they have to do to collect evidence to show that they are competent",
        "Observation, witness testimony, products of work, questioning and discussion.",
    ),
    Item(
        "plan",
        "Has agreed an assessment plan",
        "At least one activity is on the assessment plan.",
    ),
)
CONTRACT = Item(
    "contract",
    "Has agreed and signed a learning contract",
    "Done when the learner and the assessor have both signed the current learning contract.",
)
ITEM_IDS = tuple(i.id for i in ITEMS)
NOTE_MAX = 2000  # characters of the assessor's note on one point


def item(item_id: str) -> Item | None:
    return next((i for i in (*ITEMS, CONTRACT) if i.id == item_id), None)


def cannot_tick(item_id: str, units_confirmed: bool, plan_rows: int) -> str | None:
    """Why a point cannot be ticked yet, where the record itself says it is not so."""
    if item_id == "optional" and not units_confirmed:
        return "Confirm the learner's units on the Units page first."
    if item_id == "plan" and not plan_rows:
        return "Add at least one activity to the assessment plan first."
    return None


@dataclass(frozen=True)
class Point:
    item: Item
    ticked: bool
    on: str  # the day it was talked through (YYYY-MM-DD), "" if never
    notes: str
    by: str  # who ticked it (a name), "" if never
    automatic: bool = False  # done by the record itself (the signed contract)


@dataclass(frozen=True)
class Conversation:
    points: tuple[Point, ...]
    missing: tuple[Item, ...]  # points still to tick before a contract can be prepared

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def ticked(self) -> int:
        return sum(p.ticked for p in self.points)


def conversation(
    saved: Mapping[str, Mapping[str, Any]], contract_signed_on: str | None = None
) -> Conversation:
    """The checklist as it stands: `saved` is item id -> the row kept for it (ticked, on,
    notes, by); `contract_signed_on` the day the current contract was signed by both, if it
    has been."""
    points = []
    for i in ITEMS:
        row = saved.get(i.id) or {}
        points.append(
            Point(
                i,
                bool(row.get("ticked")),
                str(row.get("on") or ""),
                str(row.get("notes") or ""),
                str(row.get("by") or ""),
            )
        )
    points.append(
        Point(CONTRACT, bool(contract_signed_on), contract_signed_on or "", "", "", automatic=True)
    )
    missing = tuple(p.item for p in points if not p.automatic and not p.ticked)
    return Conversation(tuple(points), missing)
