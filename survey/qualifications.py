"""Which qualification a request is about: the one accessor views, templates and commands use.

The app serves its qualification from a content library (library.py): the shipped folder that
FLASK_CONTENT names, with whatever the centre has published over it under CENTRE_CONTENT
(instance/content). One Library object lives as long as the app (app.extensions["library"]);
each request asks it once for the qualification as published now (one stat of its GENERATION
file) and keeps that answer for the rest of the request, so a publication by any worker
process is served from every worker's next request, and never half-way through a page.

Today every learner is on the one qualification FLASK_CONTENT names. Nothing outside this
module knows that: a page about a learner asks for `qualification_for(learner)`, any other page
for `current_qualification()`, so serving several qualifications (each learner enrolled on one)
changes this module, not its callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g

from .content import (
    QUALIFICATION_CODE,
    QUALIFICATION_CODE_RULE,
    ContentError,
    Qualification,
    Reader,
    parse_toml,
)
from .library import Library, Version


def init_app(app: Flask) -> None:
    """Open the library and load the qualification; a broken file stops the app, naming the
    file and the field."""
    folder = Path(app.config["CONTENT"]).resolve()
    code = folder_code(folder)
    library = Library(folder.parent, Path(app.config["CENTRE_CONTENT"]), folders={code: folder})
    library.load(code)
    app.extensions["library"] = library
    app.extensions["qualification_code"] = code


def folder_code(folder: Path) -> str:
    """The code a qualification folder's qualification.toml gives; ContentError if none."""
    main = folder / "qualification.toml"
    if not folder.is_dir():
        raise ContentError(folder, "", "content folder not found")
    try:
        text = main.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(main, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ContentError(main, "", f"cannot be read ({e})") from None
    return Reader(main, parse_toml(text, main)).identifier(
        "code", QUALIFICATION_CODE, QUALIFICATION_CODE_RULE
    )


def library() -> Library:
    """The app's content library (for the content pages and commands that publish)."""
    return current_app.extensions["library"]


def current_code() -> str:
    """The code of the qualification this installation serves."""
    return current_app.extensions["qualification_code"]


def current_qualification() -> Qualification:
    """The qualification of a page that is about no one learner (the home page, a unit).

    Asked of the library once a request (or command), then kept: every part of a page sees
    the same version.
    """
    if "qualification" not in g:
        g.qualification = served(current_app)
    return g.qualification


def qualification_for(learner: Mapping[str, Any]) -> Qualification:
    """The qualification this learner is enrolled on."""
    return current_qualification()


def served(app: Flask) -> Qualification:
    """The qualification an app serves now, outside a request (tests, benchmarks, scripts)."""
    return app.extensions["library"].current(app.extensions["qualification_code"])


def versions_answered(
    learner: Mapping[str, Any], answered_at: Mapping[str, str]
) -> dict[str, tuple[Version | None, Version]]:
    """For each unit the centre has published a version of, among `answered_at` (unit -> when
    the learner last answered one of its statements): the version current when they answered
    (None: before any version was kept) and the version current now."""
    lib, code = library(), current_code()
    found = {}
    for unit, when in answered_at.items():
        history = lib.versions(code, unit)
        if history:
            found[unit] = (
                lib.version_answered(code, unit, datetime.fromisoformat(when)),
                history[-1],
            )
    return found


def units_answered(statement_times: Iterable[tuple[str, str]]) -> dict[str, str]:
    """unit -> the latest time among (statement id, time) pairs of its statements."""
    latest: dict[str, str] = {}
    for statement_id, when in statement_times:
        unit = statement_id.partition(":")[0]
        if when > latest.get(unit, ""):
            latest[unit] = when
    return latest
