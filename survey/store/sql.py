"""What every store module shares: rows as dicts, straight from the connection, and the time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

Row = dict[str, Any]


def query(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> Iterator[Row]:
    """Rows as dicts, straight from the connection.

    sqlite-utils' query() wraps every SELECT in a SAVEPOINT; these statements are all reads,
    so that costs two extra statements each for nothing.
    """
    cursor = db.conn.execute(sql, tuple(params))
    keys = [d[0] for d in cursor.description]
    return (dict(zip(keys, row, strict=True)) for row in cursor)


def pairs(db: sqlite_utils.Database, sql: str, params: Iterable[Any] = ()) -> dict[Any, Any]:
    """A two-column query as a dict of first column to second."""
    return dict(db.conn.execute(sql, tuple(params)).fetchall())


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
