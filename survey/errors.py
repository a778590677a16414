"""One error page for every HTTP error; nothing internal ever reaches the page."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from .content import Unit, UnitNotFound
from .qualifications import default_code

HEADINGS = {
    400: "That did not work",
    401: "Open your link again",
    403: "Not for this account",
    404: "Page not found",
    405: "Not possible here",
    413: "Too much at once",
    429: "Please wait",
    500: "Sorry, something went wrong",
}
# plain words for the statuses a visitor is likely to meet
EXPLANATIONS = {
    400: "Something in that request was not right. Go back, check your answer and try again.",
    401: "This page needs your personal link. Open it again from the message it came in.",
    403: "You do not have access to this page.",
    404: "There is no page at this address. Check the link, or start from the home page.",
    405: "That action is not possible on this page.",
    413: "That was too much to send at once. Nothing was saved from it.",
    429: "Too many tries. Wait a few minutes and try again.",
    500: "Something went wrong on our side. Your earlier answers are safe. Please try again.",
}


class LinkNotFound(NotFound):
    """A personal link or code that does not work: the page offers to enter the code."""


# what a learner is told when a unit address names no unit (other pages keep the 404's words)
UNIT_NOT_FOUND = {
    "learner": "There is no unit with that number. These are the units you can check:",
    "qr": "There is no unit with that number.",
}
# where each unit in the list of units then links to
UNIT_PAGES = {"learner": "learner.unit_check"}


def render_unit_not_found(error: UnitNotFound) -> ResponseReturnValue:
    """404 for an address naming no unit, with the units there are, linked as that area does."""
    area = request.blueprint or ""
    return render_error(
        NotFound(UNIT_NOT_FOUND.get(area)),
        units=error.units,
        unit_page=UNIT_PAGES.get(area, "public.unit"),
        unit_code=(request.view_args or {}).get("code") or default_code(),
    )


def render_error(
    error: HTTPException,
    units: tuple[Unit, ...] = (),
    unit_page: str = "public.unit",
    unit_code: str = "",
) -> ResponseReturnValue:
    code = error.code or 500
    message = EXPLANATIONS.get(code, error.description or "")
    if error.description and error.description != type(error).description:
        message = error.description  # a view's own words for this case
    if code == 400 and error.description and "CSRF" in error.description:
        message = (
            "This page was open too long or came from somewhere else, so nothing was saved. "
            "Go back, reload the page and try again."
        )
    if request.accept_mimetypes.best == "application/json":
        # the background saver asks for JSON: give it words it can show
        body = {"ok": False, "error": message}
        if isinstance(error, CSRFError):
            # an old page, or answers kept on the phone since before the session changed: the
            # current token lets the script send them again (the learner key still decides
            # whose they are); only our own pages can read this answer
            body["csrf_token"] = generate_csrf()
        return jsonify(body), code
    return (
        render_template(
            "errors/error.html",
            code=code,
            name=HEADINGS.get(code, error.name),
            message=message,
            units=units,
            unit_page=unit_page,
            unit_code=unit_code,
            offer_code=isinstance(error, LinkNotFound),
        ),
        code,
    )


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(UnitNotFound, render_unit_not_found)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error")
        return render_error(InternalServerError())
