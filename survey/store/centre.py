"""The centre's details and contract wording, kept in `settings` as `centre.<field>` rows."""

from __future__ import annotations

from collections.abc import Mapping

import sqlite_utils

from ..centre import Centre
from ..db import immediate
from . import audit
from .sql import now, pairs

PREFIX = "centre."


def centre(db: sqlite_utils.Database) -> Centre:
    """The centre as saved (what was never saved keeps its default)."""
    saved = pairs(
        db,
        "SELECT substr(key, ?), value FROM settings WHERE key LIKE ?",
        [len(PREFIX) + 1, "centre.%"],
    )
    return Centre.from_settings(saved)


def save_centre(db: sqlite_utils.Database, values: Mapping[str, str], actor: str) -> int:
    """Keep the centre's fields that changed, each audited; returns how many changed."""
    known = Centre().as_dict()
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"not part of the centre's details: {sorted(unknown)}")
    stamp = now()
    changed = 0
    with immediate(db):
        had = centre(db).as_dict()
        for name, value in values.items():
            if had[name] == value:
                continue
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [PREFIX + name, value],
            )
            audit.record(db, actor, None, "centre-changed", name, had[name], value, stamp)
            changed += 1
    return changed
