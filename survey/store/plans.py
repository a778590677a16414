"""What the assessor agrees with a learner: the unit plan, the assessment plan, the contract.

"Plan" means three things in this app, and each has its own name here:
- the *suggested* plan is the planner's (survey/planner.py): worked out, never stored;
- the *unit plan* is the assessor's choice of optional units (table `plans`): saved as a
  draft, then confirmed, which makes the learner's answers read-only;
- the *assessment plan* is its rows (table `assessment_plan_rows`): when, where and how the
  learner will be observed, and the criteria each activity evidences; never deleted;
- the *initial-assessment conversation* (table `initial_assessment`): the seed's checklist,
  which must be complete before a contract is prepared.
A learning contract is a numbered version of what was agreed (units, dates, the centre's
wording), signed by the learner and the assessor; the assessment plan lives beside it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ..db import immediate
from ..plans import PlanRow, names_match
from . import audit
from .sql import Row, now, query


def unit_plan(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    rows = list(query(db, "SELECT * FROM plans WHERE learner_id = ?", [learner_id]))
    if not rows:
        return None
    row = dict(rows[0])
    row["units"] = json.loads(row["units"])
    return row


def save_unit_plan(
    db: sqlite_utils.Database, learner_id: int, units: list[str], staff_id: int, actor: str
) -> bool:
    """Keep the assessor's working plan; a change after confirmation needs confirming again."""
    with immediate(db):
        return _write_unit_plan(db, learner_id, units, staff_id, actor)


def _write_unit_plan(
    db: sqlite_utils.Database, learner_id: int, units: list[str], staff_id: int, actor: str
) -> bool:
    before = unit_plan(db, learner_id)
    if before and before["units"] == units:
        return False
    db.execute(
        "INSERT INTO plans (learner_id, units, updated_at, updated_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (learner_id) DO UPDATE SET units = excluded.units, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
        "confirmed_at = NULL, confirmed_by = NULL",
        [learner_id, json.dumps(units), now(), staff_id],
    )
    if before and before["confirmed_at"]:
        db.execute("UPDATE learners SET plan_confirmed_at = NULL WHERE id = ?", [learner_id])
    audit.record(
        db,
        actor,
        learner_id,
        "plan-changed",
        "",
        " ".join(before["units"]) if before else None,
        " ".join(units),
    )
    return True


class UnitPlanBreaksRules(Exception):
    """A plan cannot be confirmed: `problems` are the rules it does not meet."""

    def __init__(self, problems: Sequence[Any]) -> None:
        super().__init__(f"{len(problems)} rule(s) not met")
        self.problems = list(problems)


def confirm_unit_plan(
    db: sqlite_utils.Database,
    learner_id: int,
    units: list[str],
    staff_id: int,
    actor: str,
    rules: Callable[[list[str]], Sequence[Any]],
) -> None:
    """Save `units` as the plan and confirm it, in one transaction, if `rules` finds no problem.

    The rules are checked on the plan as written inside the transaction, so another
    assessor's save can land before or after this, never between the check and the confirm.
    UnitPlanBreaksRules (and nothing written) when the plan does not meet them.
    """
    stamp = now()
    with immediate(db):
        _write_unit_plan(db, learner_id, units, staff_id, actor)
        row = unit_plan(db, learner_id)
        assert row is not None
        problems = rules(row["units"])
        if problems:
            raise UnitPlanBreaksRules(problems)  # rolls the transaction back
        db.execute(
            "UPDATE plans SET confirmed_at = ?, confirmed_by = ? WHERE learner_id = ?",
            [stamp, staff_id, learner_id],
        )
        db.execute(
            "UPDATE learners SET plan_confirmed_at = ?, submitted_at = "
            "coalesce(submitted_at, ?) WHERE id = ?",
            [stamp, stamp, learner_id],
        )
        audit.record(db, actor, learner_id, "plan-confirmed", "", None, " ".join(row["units"]))


def _plan_row(row: Row) -> Row:
    r = dict(row)
    for name in ("units", "evidence", "criteria"):
        r[name] = json.loads(r[name] or "[]")
    # what a form shows a row as: a change made since (by anyone, in any second) differs
    said = json.dumps(PlanRow.from_row(r).values(), sort_keys=True).encode()
    r["version"] = hashlib.sha256(said).hexdigest()[:16]
    return r


def assessment_plan_rows(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    """Every row of the learner's assessment plan, cancelled ones too, by date (undated last)."""
    return [
        _plan_row(r)
        for r in query(
            db,
            "SELECT * FROM assessment_plan_rows WHERE learner_id = ? "
            "ORDER BY planned_on IS NULL, planned_on, id",
            [learner_id],
        )
    ]


def plan_row(db: sqlite_utils.Database, learner_id: int, row_id: int) -> Row | None:
    """One row of this learner's plan; None for a row of anyone else's."""
    found = query(
        db,
        "SELECT * FROM assessment_plan_rows WHERE id = ? AND learner_id = ?",
        [row_id, learner_id],
    )
    return next((_plan_row(r) for r in found), None)


# the columns a PlanRow's values are kept in, besides the row's own bookkeeping
_ROW_COLUMNS = (
    "planned_on",
    "observed_when",
    "observed_where",
    "activity",
    "evidence",
    "criteria",
    "units",
    "observer",
    "witness_name",
    "witness_role",
    "witness_contact",
    "review_on",
    "status",
    "outcome",
    "feedback",
    "completed_on",
)


def _columns(row: PlanRow) -> list[Any]:
    values = row.values()
    return [
        json.dumps(values[c], ensure_ascii=False)
        if c in ("evidence", "criteria", "units")
        else (values[c] or None if c.endswith("_on") else values[c])
        for c in _ROW_COLUMNS
    ]


def add_plan_row(
    db: sqlite_utils.Database,
    learner_id: int,
    row: PlanRow,
    staff_id: int | None,
    actor: str,
    request_key: str | None = None,
) -> int | None:
    """Add an activity to the learner's assessment plan, with the criteria it will evidence
    across units; None if the same form (`request_key`) added it already.

    The row must have passed plans.row_problems (or plans.checked_row): every way into the
    plan (the plan page, flagged criteria, suggested activities) checks it there first.
    """
    stamp = now()
    names = ", ".join(_ROW_COLUMNS)
    marks = ", ".join("?" * len(_ROW_COLUMNS))
    with immediate(db):
        cursor = db.execute(
            f"INSERT INTO assessment_plan_rows (learner_id, {names}, created_by, created_at, "  # noqa: S608  # nosec B608: column names are the literal _ROW_COLUMNS
            f"updated_at, updated_by, request_key) VALUES (?, {marks}, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [learner_id, *_columns(row), staff_id, stamp, stamp, staff_id, request_key or None],
        )
        if cursor.rowcount == 0:
            return None  # sent twice: the first one added it
        row_id = cursor.lastrowid
        audit.record(
            db,
            actor,
            learner_id,
            "assessment-plan-row-added",
            str(row_id),
            None,
            json.dumps(row.values(), ensure_ascii=False),
            stamp,
        )
    assert row_id is not None
    return row_id


class RowChanged(Exception):
    """The row was changed by someone else since the form was shown; `current` is it now."""

    def __init__(self, current: Row) -> None:
        super().__init__("changed meanwhile")
        self.current = current


def update_plan_row(
    db: sqlite_utils.Database,
    learner_id: int,
    row_id: int,
    row: PlanRow,
    staff_id: int | None,
    actor: str,
    seen: str | None = None,
) -> bool:
    """Change a row of the plan (its status too); nothing is ever deleted, and the audit keeps
    the row as it was. `seen` is the row's version when the form was shown: RowChanged if it
    was changed since. False if there is no such row of this learner's; True if it changed."""
    with immediate(db):
        before = plan_row(db, learner_id, row_id)
        if before is None:
            return False
        if seen is not None and seen != before["version"]:
            raise RowChanged(before)
        old = PlanRow.from_row(before)
        if old == row:
            return True
        stamp = now()
        sets = ", ".join(f"{c} = ?" for c in _ROW_COLUMNS)
        db.execute(
            f"UPDATE assessment_plan_rows SET {sets}, updated_at = ?, updated_by = ? "  # noqa: S608  # nosec B608: column names are the literal _ROW_COLUMNS
            "WHERE id = ?",
            [*_columns(row), stamp, staff_id, row_id],
        )
        audit.record(
            db,
            actor,
            learner_id,
            "assessment-plan-row-changed",
            str(row_id),
            json.dumps(old.values(), ensure_ascii=False),
            json.dumps(row.values(), ensure_ascii=False),
            stamp,
        )
    return True


# ---- the initial-assessment conversation ----------------------------------------------------


def checklist(db: sqlite_utils.Database, learner_id: int) -> dict[str, Row]:
    """The points of the initial-assessment conversation kept so far, by item, with who ticked
    each (a name)."""
    return {
        r["item"]: {
            "ticked": bool(r["ticked"]),
            "on": r["discussed_on"],
            "notes": r["notes"],
            "by": r["by"] or "",
            "updated_at": r["updated_at"],
        }
        for r in query(
            db,
            "SELECT initial_assessment.*, staff.name AS by FROM initial_assessment "
            "LEFT JOIN staff ON staff.id = initial_assessment.staff_id WHERE learner_id = ?",
            [learner_id],
        )
    }


def save_checklist(
    db: sqlite_utils.Database,
    learner_id: int,
    points: Mapping[str, tuple[bool, str | None, str]],
    staff_id: int,
    actor: str,
) -> int:
    """Keep the checklist as posted: item -> (ticked, the day it was talked through, the note).
    Only points that changed are written and audited; returns how many."""
    stamp = now()
    changed = 0
    with immediate(db):
        had = {
            r["item"]: (bool(r["ticked"]), r["discussed_on"], r["notes"])
            for r in query(
                db, "SELECT * FROM initial_assessment WHERE learner_id = ?", [learner_id]
            )
        }
        for item, (ticked, on, notes) in points.items():
            before = had.get(item, (False, None, ""))
            if before == (ticked, on or None, notes):
                continue
            db.execute(
                "INSERT INTO initial_assessment (learner_id, item, ticked, discussed_on, notes, "
                "staff_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id, "
                "item) DO UPDATE SET ticked = excluded.ticked, discussed_on = "
                "excluded.discussed_on, notes = excluded.notes, staff_id = excluded.staff_id, "
                "updated_at = excluded.updated_at",
                [learner_id, item, int(ticked), on or None, notes, staff_id, stamp],
            )
            audit.record(
                db,
                actor,
                learner_id,
                "checklist",
                item,
                _point_text(*before) if item in had else None,
                _point_text(ticked, on, notes),
                stamp,
            )
            changed += 1
    return changed


def _point_text(ticked: bool, on: str | None, notes: str) -> str:
    """A point as the audit keeps it: JSON, so the words can be said again exactly."""
    return json.dumps({"ticked": ticked, "on": on or "", "notes": notes}, ensure_ascii=False)


def contracts(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    """Every version of the learner's learning contract, oldest first."""
    return [_contract(r) for r in query(db, _CONTRACTS + " ORDER BY version", [learner_id])]


def current_contract(db: sqlite_utils.Database, learner_id: int) -> Row | None:
    """The latest version of the learner's learning contract, if there is one."""
    found = query(db, _CONTRACTS + " ORDER BY version DESC LIMIT 1", [learner_id])
    return next((_contract(r) for r in found), None)


_CONTRACTS = "SELECT * FROM contracts WHERE learner_id = ?"


def _contract(row: Row) -> Row:
    return {**row, "content": json.loads(row["content"])}


@dataclass(frozen=True)
class Agreement:
    """What the assessor has agreed with a learner so far, as the contract pages show it."""

    unit_plan: Row | None
    assessment_plan_rows: list[Row]
    contracts: list[Row]  # every version, oldest first
    checklist: dict[str, Row]

    @property
    def contract(self) -> Row | None:
        """The latest version."""
        return self.contracts[-1] if self.contracts else None


def agreement(db: sqlite_utils.Database, learner_id: int) -> Agreement:
    return Agreement(
        unit_plan(db, learner_id),
        assessment_plan_rows(db, learner_id),
        contracts(db, learner_id),
        checklist(db, learner_id),
    )


def issue_contract(
    db: sqlite_utils.Database,
    learner_id: int,
    content: Mapping[str, Any],
    staff_id: int,
    actor: str,
) -> Row:
    """A new version of the learning contract, unless the latest already says the same."""
    with immediate(db):
        latest = current_contract(db, learner_id)
        if latest and latest["content"] == json.loads(json.dumps(content)):
            return latest
        version = (latest["version"] + 1) if latest else 1
        db.execute(
            "INSERT INTO contracts (learner_id, version, content, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            [learner_id, version, json.dumps(content, ensure_ascii=False), now(), staff_id],
        )
        audit.record(db, actor, learner_id, "contract-issued", f"version {version}", None, None)
    return current_contract(db, learner_id)  # type: ignore[return-value]


class SignatureRefused(Exception):
    """A signature that was not taken; the message says why, to the person signing."""


def sign_contract(
    db: sqlite_utils.Database,
    contract_id: int,
    who: str,
    typed: str,
    actor: str,
    staff: Row | None = None,
) -> bool:
    """Sign the latest version as the learner or as the assessor, once.

    Signatures belong to people: the learner signs from their own session; the assessor is the
    signed-in `staff` member and must be the learner's assessor; the typed name must be the
    signer's name on record. False if that side has signed already; SignatureRefused (and
    nothing written) otherwise.
    """
    column = "learner" if who == "learner" else "assessor"
    with immediate(db):
        rows = list(
            query(
                db,
                "SELECT contracts.*, learners.name AS learner_record_name, learners.assessor_id "
                "AS learners_assessor, (SELECT max(version) FROM contracts AS c WHERE "
                "c.learner_id = contracts.learner_id) AS latest FROM contracts JOIN learners ON "
                "learners.id = contracts.learner_id WHERE contracts.id = ?",
                [contract_id],
            )
        )
        if not rows:
            raise SignatureRefused("There is no learning contract to sign.")
        contract = rows[0]
        if contract[f"{column}_signed_at"]:
            return False
        if contract["version"] != contract["latest"]:
            raise SignatureRefused("A newer version has been prepared: sign that one.")
        if column == "learner":
            expected = contract["learner_record_name"]
        else:
            if staff is None or contract["learners_assessor"] != staff["id"]:
                raise SignatureRefused(
                    "Only the learner's own assessor signs as assessor, from their own account."
                )
            expected = staff["name"]
        if not names_match(typed, expected):
            raise SignatureRefused(f"Type your name as it is on record: {expected}.")
        name = " ".join(typed.split())
        if column == "learner":
            db.execute(
                "UPDATE contracts SET learner_name = ?, learner_signed_at = ? WHERE id = ?",
                [name, now(), contract_id],
            )
        else:
            db.execute(
                "UPDATE contracts SET assessor_name = ?, assessor_signed_at = ?, "
                "assessor_id = ? WHERE id = ?",
                [name, now(), staff["id"] if staff else None, contract_id],
            )
        audit.record(
            db,
            actor,
            contract["learner_id"],
            f"contract-signed-by-{column}",
            f"version {contract['version']}",
            None,
            name,
        )
    return True


def sign_contract_for_employer(
    db: sqlite_utils.Database,
    contract_id: int,
    learner_id: int,
    name: str,
    title: str,
    contact_id: int,
    actor: str,
) -> bool:
    """The employer signs a version of this learner's contract through a workplace contact's
    link, once; `title` says in what capacity ("Operations Manager, line manager")."""
    with immediate(db):
        rows = list(
            query(
                db,
                "SELECT * FROM contracts WHERE id = ? AND learner_id = ?",
                [contract_id, learner_id],
            )
        )
        if not rows or rows[0]["employer_signed_at"]:
            return False
        db.execute(
            "UPDATE contracts SET employer_name = ?, employer_title = ?, employer_signed_at = ?, "
            "employer_contact_id = ? WHERE id = ?",
            [name, title, now(), contact_id, contract_id],
        )
        audit.record(
            db,
            actor,
            learner_id,
            "contract-signed-by-employer",
            f"version {rows[0]['version']}",
            None,
            name,
        )
    return True
