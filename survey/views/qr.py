"""QR codes for units: one SVG per unit and a printable sheet of them all, per qualification."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from flask.typing import ResponseReturnValue

from ..qr import qr_svg
from ..qualifications import listings, qualification
from ..web import public_url

bp = Blueprint("qr", __name__)


@bp.get("/q/<code>/qr/<number>.svg")
def unit_svg(code: str, number: str) -> Response:
    unit = qualification(code).find_unit(number)
    svg = qr_svg(public_url(url_for("learner.unit_check", code=code, number=unit.number)))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/q/<code>/qr/units")
def sheet(code: str) -> ResponseReturnValue:
    q = qualification(code)
    links = {
        u.number: public_url(url_for("learner.unit_check", code=code, number=u.number))
        for u in q.units
    }
    others = [x for x in listings() if x.code != q.code]
    return render_template("qr/sheet.html", q=q, links=links, others=others)
