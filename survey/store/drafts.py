"""Unit drafts read from specifications in the browser, kept until published or discarded.

A draft's content is JSON (drafts.py says its shape); its `revision` goes up with every save,
so an edit made in a tab opened before another tab's save is noticed, never written over it.
Publishing runs inside the transaction that marks the draft published, so a second tab or a
double-tapped Publish finds it published and publishes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlite_utils

from ..db import immediate
from . import audit
from .sql import Row, now, query

T = TypeVar("T")


class DraftChanged(Exception):
    """The draft was saved (or published) since the page that sent this was shown."""

    def __init__(self, current: Row) -> None:
        super().__init__(f"draft {current['id']} is at revision {current['revision']}")
        self.current = current


def add_import(
    db: sqlite_utils.Database,
    qualification: str,
    source: dict[str, Any],
    drafts: Sequence[tuple[str, dict[str, Any]]],
    staff_id: int,
    request_key: str = "",
) -> tuple[list[int], bool]:
    """Keep a source and the drafts read from it (name, draft) in one transaction: their ids,
    and whether the same form had made them before (then nothing new is made)."""
    stamp = now()
    with immediate(db):
        if request_key:
            made = _drafts_of_request(db, staff_id, request_key)
            if made:
                return made, True
        cursor = db.execute(
            "INSERT INTO content_imports (qualification, source_name, source_kind, pages, lines, "
            "staff_id, request_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                qualification,
                source["name"],
                source["kind"],
                source["pages"],
                json.dumps(source["lines"], ensure_ascii=False),
                staff_id,
                request_key or None,
                stamp,
            ],
        )
        import_id = cursor.lastrowid
        ids = []
        for position, (name, draft) in enumerate(drafts):
            cursor = db.execute(
                "INSERT INTO unit_drafts (import_id, position, name, draft, created_at, "
                "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [import_id, position, name, _json(draft), stamp, stamp, staff_id],
            )
            ids.append(int(cursor.lastrowid or 0))
    return ids, False


def _drafts_of_request(db: sqlite_utils.Database, staff_id: int, request_key: str) -> list[int]:
    return [
        r["id"]
        for r in query(
            db,
            "SELECT unit_drafts.id FROM unit_drafts JOIN content_imports "
            "ON content_imports.id = unit_drafts.import_id "
            "WHERE content_imports.staff_id = ? AND content_imports.request_key = ? "
            "ORDER BY unit_drafts.position",
            [staff_id, request_key],
        )
    ]


def _json(draft: dict[str, Any]) -> str:
    return json.dumps(draft, ensure_ascii=False)


_DRAFT = (
    "SELECT unit_drafts.*, content_imports.qualification, content_imports.source_name, "
    "content_imports.source_kind, content_imports.pages, {lines} AS lines, "
    "content_imports.created_at AS imported_at, staff.name AS imported_by "
    "FROM unit_drafts JOIN content_imports ON content_imports.id = unit_drafts.import_id "
    "LEFT JOIN staff ON staff.id = content_imports.staff_id "
)


def _row(row: Row) -> Row:
    row["draft"] = json.loads(row["draft"])
    if row["lines"] is not None:
        row["lines"] = json.loads(row["lines"])
    return row


def draft(db: sqlite_utils.Database, draft_id: int) -> Row | None:
    """One draft with its source's lines, or None."""
    rows = list(
        query(
            db,
            _DRAFT.format(lines="content_imports.lines") + "WHERE unit_drafts.id = ?",
            [draft_id],
        )
    )
    return _row(rows[0]) if rows else None


def open_drafts(db: sqlite_utils.Database, qualification: str) -> list[Row]:
    """The drafts of a qualification not yet published, newest first (without the source)."""
    return [
        _row(r)
        for r in query(
            db,
            _DRAFT.format(lines="NULL")
            + "WHERE content_imports.qualification = ? AND unit_drafts.published_at IS NULL "
            "ORDER BY unit_drafts.import_id DESC, unit_drafts.position",
            [qualification],
        )
    ]


def _current(db: sqlite_utils.Database, draft_id: int, revision: int) -> Row | None:
    """Inside a transaction: the draft, if it is still at the revision the page showed;
    DraftChanged if it has moved on (or was published); None if it is gone."""
    found = draft(db, draft_id)
    if found is not None and (found["revision"] != revision or found["published_at"]):
        raise DraftChanged(found)
    return found


def save_draft(
    db: sqlite_utils.Database,
    draft_id: int,
    revision: int,
    content: dict[str, Any],
    staff_id: int,
) -> int | None:
    """Keep a person's edits: the new revision, None if the draft is gone, DraftChanged if it
    was saved or published since `revision`."""
    with immediate(db):
        if _current(db, draft_id, revision) is None:
            return None
        db.execute(
            "UPDATE unit_drafts SET draft = ?, revision = revision + 1, updated_at = ?, "
            "updated_by = ? WHERE id = ?",
            [_json(content), now(), staff_id, draft_id],
        )
    return revision + 1


def publish_draft(
    db: sqlite_utils.Database,
    draft_id: int,
    revision: int,
    content: dict[str, Any],
    staff_id: int,
    actor: str,
    publish: Callable[[], Any],
) -> Any:
    """Keep the edits, publish (`publish()` returns the library's new Version) and mark the
    draft published, with an audit entry: one transaction, so a second Publish of the same
    draft waits for this one and then finds it published (DraftChanged). Nothing is kept if
    `publish` raises; None if the draft is gone."""
    with immediate(db):
        if _current(db, draft_id, revision) is None:
            return None
        version = publish()
        db.execute(
            "UPDATE unit_drafts SET draft = ?, revision = revision + 1, updated_at = ?, "
            "updated_by = ?, published_at = ?, published_by = ?, published_unit = ?, "
            "published_version = ? WHERE id = ?",
            [
                _json(content),
                now(),
                staff_id,
                now(),
                staff_id,
                version.unit,
                version.number,
                draft_id,
            ],
        )
        _audit(db, actor, "unit-published", version)
    return version


def record_publication(
    db: sqlite_utils.Database, actor: str, action: str, act: Callable[[], T]
) -> T:
    """Publish or restore outside a draft with an audit entry for each version made (`act()`
    returns them, a tuple of the library's Versions), in one transaction: another publication
    through the app or the command line waits for it."""
    with immediate(db):
        versions = act()
        for version in versions:  # type: ignore[attr-defined]
            _audit(db, actor, action, version)
    return versions


def _audit(db: sqlite_utils.Database, actor: str, action: str, version: Any) -> None:
    note = f": {version.note}" if version.note else ""
    audit.record(
        db,
        actor,
        None,
        action,
        f"{version.code} {version.unit or version.file}",
        f"version {version.number - 1}" if version.number > 1 else None,
        f"version {version.number}{note}",
    )


def discard_draft(db: sqlite_utils.Database, draft_id: int) -> bool:
    """Delete a draft not yet published (its source too, once no draft of it is left)."""
    with immediate(db):
        found = list(
            query(
                db,
                "SELECT import_id FROM unit_drafts WHERE id = ? AND published_at IS NULL",
                [draft_id],
            )
        )
        if not found:
            return False
        db.execute("DELETE FROM unit_drafts WHERE id = ?", [draft_id])
        db.execute(
            "DELETE FROM content_imports WHERE id = ? AND NOT EXISTS "
            "(SELECT 1 FROM unit_drafts WHERE import_id = ?)",
            [found[0]["import_id"], found[0]["import_id"]],
        )
    return True
