"""Which qualification a request is about: the one accessor views, templates and commands use.

Today one qualification is loaded at start (FLASK_CONTENT) and every learner is on it. Nothing
outside this module knows that: a page about a learner asks for `qualification_for(learner)`,
any other page for `current_qualification()`, so serving several qualifications (a learner
enrolled on one, content published under the instance folder and reloaded by every worker)
changes this module, not its callers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from .content import Qualification, load_qualification


def init_app(app: Flask) -> None:
    """Load the qualification; a broken file stops the app, naming the file and the field."""
    app.extensions["qualification"] = load_qualification(app.config["CONTENT"])


def current_qualification() -> Qualification:
    """The qualification of a page that is about no one learner (the home page, a unit)."""
    found: Qualification = current_app.extensions["qualification"]
    return found


def qualification_for(learner: Mapping[str, Any]) -> Qualification:
    """The qualification this learner is enrolled on."""
    return current_qualification()
