"""The addresses from before a centre served several qualifications (/check/B1, /qr/B1.svg,
/units/B1): they name no qualification, so they mean the default one (03455 as shipped). A
printed QR code, a bookmark or a page open on a phone keeps working: a GET is sent on to the
address naming the qualification, and a POST (answers sent from a page open since) is handled
as it always was, since a redirect would lose the answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ..qualifications import default_code
from . import learner

bp = Blueprint("legacy", __name__)


def _moved(endpoint: str, **values: Any) -> ResponseReturnValue:
    return redirect(url_for(endpoint, code=default_code(), **values), 301)


@bp.route("/check/<number>", methods=["GET", "POST"])
def unit_check(number: str) -> ResponseReturnValue:
    if request.method == "POST":
        return learner.unit_check(default_code(), number)
    return _moved("learner.unit_check", number=number)


@bp.post("/check/<number>/save")
def check_save_one(number: str) -> ResponseReturnValue:
    return learner.check_save_one(default_code(), number)


@bp.get("/check/<number>/results/<int:check_id>")
def check_result(number: str, check_id: int) -> ResponseReturnValue:
    return _moved("learner.check_result", number=number, check_id=check_id)


@bp.get("/units/<number>")
def unit(number: str) -> ResponseReturnValue:
    return _moved("public.unit", number=number)


@bp.get("/qr/<number>.svg")
def unit_svg(number: str) -> ResponseReturnValue:
    return _moved("qr.unit_svg", number=number)


@bp.get("/qr/units")
def sheet() -> ResponseReturnValue:
    return _moved("qr.sheet")
