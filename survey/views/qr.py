"""QR codes for units: one SVG per unit and a printable sheet of them all."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for

from ..content import Qualification
from ..qr import qr_svg

bp = Blueprint("qr", __name__)


def _q() -> Qualification:
    return current_app.extensions["qualification"]


def public_url(path: str) -> str:
    """The address a QR code should carry: PUBLIC_URL if set, else the request's host."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return base + path


@bp.get("/qr/<number>.svg")
def unit_svg(number: str) -> Response:
    unit = _q().find_unit(number)
    svg = qr_svg(public_url(url_for("learner.unit_check", number=unit.number)))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/qr/units")
def sheet():  # type: ignore[no-untyped-def]
    q = _q()
    links = {u.number: public_url(url_for("learner.unit_check", number=u.number)) for u in q.units}
    return render_template("qr/sheet.html", q=q, links=links)
