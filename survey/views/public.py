"""Pages anyone may read: each qualification, its groups and units."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from ..qualifications import current_qualification, listings, qualification
from ..rules import describe_rule

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The default qualification, and the others the centre delivers."""
    return _qualification_page(current_qualification().code)


@bp.get("/q/<code>/")
def qualification_page(code: str) -> ResponseReturnValue:
    return _qualification_page(code)


def _qualification_page(code: str) -> ResponseReturnValue:
    q = qualification(code)
    others = [x for x in listings() if x.code != q.code]
    return render_template("public/index.html", q=q, others=others, describe_rule=describe_rule)


@bp.get("/q/<code>/units/<number>")
def unit(code: str, number: str) -> ResponseReturnValue:
    q = qualification(code)
    found = q.find_unit(number)  # none: a 404 listing the units (errors.py)
    return render_template(
        "public/unit.html",
        q=q,
        unit=found,
        group=q.group(found.group),
        contexts=q.contexts_for(found.number),
    )
