"""What the assessor agrees with a learner: the unit plan, the assessment plan, the contract.

"Plan" means three things in this app, and each has its own name here:
- the *suggested* plan is the planner's (survey/planner.py): worked out, never stored;
- the *unit plan* is the assessor's choice of optional units (table `plans`): saved as a
  draft, then confirmed, which makes the learner's answers read-only;
- the *assessment plan* is its rows (table `assessment_plan_rows`): when, where and how the
  learner will be observed.
A learning contract is a numbered version of what the unit plan and the assessment plan say,
signed by the learner and the assessor.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from ..db import immediate
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


def assessment_plan_rows(db: sqlite_utils.Database, learner_id: int) -> list[Row]:
    rows = []
    for r in query(
        db, "SELECT * FROM assessment_plan_rows WHERE learner_id = ? ORDER BY id", [learner_id]
    ):
        r = dict(r)
        r["units"] = json.loads(r["units"])
        r["evidence"] = json.loads(r["evidence"])
        rows.append(r)
    return rows


def add_assessment_plan_row(
    db: sqlite_utils.Database,
    learner_id: int,
    values: Mapping[str, Any],
    staff_id: int,
    actor: str,
    request_key: str | None = None,
) -> int | None:
    """Add a row to the assessment plan; None if the same form (`request_key`) added it already."""
    stamp = now()
    with immediate(db):
        cursor = db.execute(
            "INSERT INTO assessment_plan_rows (learner_id, units, observed_when, observed_where, "
            "activity, evidence, created_by, created_at, updated_at, request_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [
                learner_id,
                json.dumps(values["units"]),
                values["observed_when"],
                values["observed_where"],
                values["activity"],
                json.dumps(values["evidence"]),
                staff_id,
                stamp,
                stamp,
                request_key or None,
            ],
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
            json.dumps(dict(values), ensure_ascii=False),
        )
    assert row_id is not None
    return row_id


def delete_assessment_plan_row(
    db: sqlite_utils.Database, learner_id: int, row_id: int, actor: str
) -> bool:
    with immediate(db):
        rows = list(
            query(
                db,
                "SELECT * FROM assessment_plan_rows WHERE id = ? AND learner_id = ?",
                [row_id, learner_id],
            )
        )
        if not rows:
            return False
        db.execute("DELETE FROM assessment_plan_rows WHERE id = ?", [row_id])
        audit.record(
            db,
            actor,
            learner_id,
            "assessment-plan-row-removed",
            str(row_id),
            json.dumps(rows[0], ensure_ascii=False),
            None,
        )
    return True


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
    """What the assessor has agreed with a learner so far, as the learner's pages show it."""

    unit_plan: Row | None
    assessment_plan_rows: list[Row]
    contract: Row | None  # the latest version


def agreement(db: sqlite_utils.Database, learner_id: int) -> Agreement:
    return Agreement(
        unit_plan(db, learner_id),
        assessment_plan_rows(db, learner_id),
        current_contract(db, learner_id),
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


def sign_contract(
    db: sqlite_utils.Database,
    contract_id: int,
    who: str,
    name: str,
    actor: str,
    staff_id: int | None = None,
) -> bool:
    """Sign as the learner or the assessor, once; a signed side cannot be signed again."""
    column = "learner" if who == "learner" else "assessor"
    with immediate(db):
        rows = list(query(db, "SELECT * FROM contracts WHERE id = ?", [contract_id]))
        if not rows or rows[0][f"{column}_signed_at"]:
            return False
        if column == "learner":
            db.execute(
                "UPDATE contracts SET learner_name = ?, learner_signed_at = ? WHERE id = ?",
                [name, now(), contract_id],
            )
        else:
            db.execute(
                "UPDATE contracts SET assessor_name = ?, assessor_signed_at = ?, "
                "assessor_id = ? WHERE id = ?",
                [name, now(), staff_id, contract_id],
            )
        audit.record(
            db,
            actor,
            rows[0]["learner_id"],
            f"contract-signed-by-{column}",
            f"version {rows[0]['version']}",
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
