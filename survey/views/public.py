"""Pages anyone may read: the qualification, its groups and units."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from ..qualifications import current_qualification
from ..rules import describe_rule

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    q = current_qualification()
    return render_template("public/index.html", q=q, describe_rule=describe_rule)


@bp.get("/units/<number>")
def unit(number: str) -> ResponseReturnValue:
    q = current_qualification()
    found = q.find_unit(number)  # none: a 404 listing the units (errors.py)
    return render_template(
        "public/unit.html",
        q=q,
        unit=found,
        group=q.group(found.group),
        contexts=q.contexts_for(found.number),
    )
