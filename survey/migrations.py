"""The schema, as an ordered list of migrations. Never edit a shipped one: add a new one."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

migrations = sqlite_utils.Migrations("starting-point")


@migrations()
def m001_settings(db: sqlite_utils.Database) -> None:
    # centre-wide settings as key/value pairs; the first one records when this install began
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["settings"].insert(
        {"key": "installed_at", "value": datetime.now(UTC).isoformat(timespec="seconds")}
    )
