"""Which qualification a request is about: the one accessor views, templates and commands use.

The app serves every qualification in its content library (library.py): the shipped folders
beside the one FLASK_CONTENT names (content/<code>/ with a qualification.toml), and those a
centre added under CENTRE_CONTENT (instance/content), each with whatever the centre has
published over it. FLASK_CONTENT's qualification is the default: the one a learner is enrolled
on when nobody says otherwise, and the one the addresses without a code (/check/B1, the old
form) mean. One Library object lives as long as the app (app.extensions["library"]); a request
asks it once for each qualification it needs (one stat of its GENERATION file) and keeps that
answer for the rest of the request, so a publication by any worker process is served from every
worker's next request, and never half-way through a page.

A page about a learner asks for `qualification_for(learner)` (the one they are enrolled on), a
page whose address names a qualification for `qualification(code)`, any other page for
`current_qualification()` (the default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from werkzeug.exceptions import NotFound

from .content import (
    QUALIFICATION_CODE,
    QUALIFICATION_CODE_RULE,
    ContentError,
    Qualification,
    Reader,
    parse_toml,
)
from .library import Library, LibraryError, Listing, Version


def init_app(app: Flask) -> None:
    """Open the library and load the default qualification; a broken file of it stops the app,
    naming the file and the field. Another qualification that cannot be loaded is left out of
    the list served, with its problem logged, and the app starts without it."""
    folder = Path(app.config["CONTENT"]).resolve()
    code = folder_code(folder)
    library = Library(folder.parent, Path(app.config["CENTRE_CONTENT"]), folders={code: folder})
    library.load(code)
    app.extensions["library"] = library
    app.extensions["qualification_code"] = code
    for listing in library.qualifications():
        if listing.code != code:
            try:
                library.load(listing.code)
            except (ContentError, LibraryError) as e:
                app.logger.warning("qualification %s is not served: %s", listing.code, e)


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


def default_code() -> str:
    """The code of the default qualification: FLASK_CONTENT's (03455 as shipped)."""
    return current_app.extensions["qualification_code"]


def codes() -> tuple[str, ...]:
    """The codes of every qualification served, the default first, then by code."""
    return tuple(listing.code for listing in listings())


def listings() -> tuple[Listing, ...]:
    """Every qualification served (one that cannot be read is not), the default first."""
    if "listings" not in g:
        default = default_code()
        found = [x for x in library().qualifications() if not x.problem or x.code == default]
        g.listings = tuple(sorted(found, key=lambda x: (x.code != default, x.code)))
    return g.listings


def qualification(code: str) -> Qualification:
    """The qualification of this code as published now; a 404 when there is none (or it cannot
    be loaded), so an address naming another code is simply not found.

    Asked of the library once a request for each code, then kept: every part of a page sees the
    same version.
    """
    kept: dict[str, Qualification] = g.setdefault("qualifications", {})
    if code not in kept:
        try:
            kept[code] = library().current(code)
        except LibraryError:
            raise NotFound(f"There is no qualification {code!r} here.") from None
        except ContentError as e:
            if code == default_code():
                raise
            current_app.logger.warning("qualification %s is not served: %s", code, e)
            raise NotFound(f"The qualification {code!r} cannot be shown just now.") from None
    return kept[code]


def current_qualification() -> Qualification:
    """The qualification of a page that is about no one learner and names no qualification
    (the home page): the default."""
    return qualification(default_code())


def qualification_for(learner: Mapping[str, Any]) -> Qualification:
    """The qualification this learner is enrolled on. A code no qualification here has (the
    '03455' every learner was given when the column was added, on an installation serving
    another qualification) means the default: the one they were on then."""
    code = learner.get("qualification") or ""
    known = code in g.get("qualifications", {}) or (code and code in library())
    return qualification(code if known else default_code())


def served(app: Flask, code: str | None = None) -> Qualification:
    """A qualification the app serves now (the default unless named), outside a request (tests,
    benchmarks, scripts)."""
    return app.extensions["library"].current(code or app.extensions["qualification_code"])


def versions_answered(
    learner: Mapping[str, Any], answered_at: Mapping[str, str]
) -> dict[str, tuple[Version | None, Version]]:
    """For each unit the centre has published a version of, among `answered_at` (unit -> when
    the learner last answered one of its statements): the version current when they answered
    (None: before any version was kept) and the version current now."""
    lib, code = library(), qualification_for(learner).code
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
