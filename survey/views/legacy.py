"""The addresses from before a centre served several qualifications (/check/B1, /qr/B1.svg,
/units/B1): they name no qualification, so they mean the default one (03455 as shipped). A
printed QR code, a bookmark or a page open on a phone keeps working: each is sent on to the
address naming the qualification, a GET for good (301), and a POST (answers sent from a page
open since) with 308, which has the browser send the same answers to the new address."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ..qualifications import default_code

bp = Blueprint("legacy", __name__)


def _moved(endpoint: str, **values: Any) -> ResponseReturnValue:
    status = 308 if request.method == "POST" else 301
    return redirect(url_for(endpoint, code=default_code(), **values), status)


@bp.route("/check/<number>", methods=["GET", "POST"])
def unit_check(number: str) -> ResponseReturnValue:
    return _moved("learner.unit_check", number=number)


@bp.post("/check/<number>/save")
def check_save_one(number: str) -> ResponseReturnValue:
    return _moved("learner.check_save_one", number=number)


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
