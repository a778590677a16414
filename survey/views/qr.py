"""QR codes for units: one SVG per unit and a printable sheet of them all."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from flask.typing import ResponseReturnValue

from ..qr import qr_svg
from ..qualifications import current_qualification
from ..web import public_url

bp = Blueprint("qr", __name__)


@bp.get("/qr/<number>.svg")
def unit_svg(number: str) -> Response:
    unit = current_qualification().find_unit(number)
    svg = qr_svg(public_url(url_for("learner.unit_check", number=unit.number)))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/qr/units")
def sheet() -> ResponseReturnValue:
    q = current_qualification()
    links = {u.number: public_url(url_for("learner.unit_check", number=u.number)) for u in q.units}
    return render_template("qr/sheet.html", q=q, links=links)
