"""How every request and page is served: the plumbing the factory registers.

Sessions renewed once a day; bodies sent in chunks held to the size limit; whole numbers in
URLs kept within SQLite's; security headers with the stylesheet allowed by its hash; and the
helpers every template has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, request, url_for
from flask import Response as FlaskResponse
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from .dates import calendar_day, day, day_and_time
from .forms import (
    ActionForm,
    assessor_field_name,
    note_field_name,
    rating_field_name,
    workplace_field_name,
)
from .plans import EVIDENCE_WORDS, OUTCOMES, STATUS_WORDS, criteria_words
from .qualifications import current_qualification

F = TypeVar("F", bound=Callable[..., Any])


class DailySessions(SecureCookieSessionInterface):
    """Signed-cookie sessions whose long-lived cookie is renewed once a day, not every response.

    The learner's cookie lasts PERMANENT_SESSION_LIFETIME from its last renewal; signing and
    sending it again on every response cost time and bytes and told nothing new. A response
    that a shared cache may keep (static files, QR codes) never carries it: the cache would
    hand the learner's cookie to whoever asks for the same address next.
    """

    def save_session(self, app: Flask, session: Any, response: FlaskResponse) -> None:
        shared = bool(response.cache_control.public or response.cache_control.s_maxage)
        if session.permanent and session.get("day") != today() and not shared:
            session["day"] = today()  # renewed (and re-dated) on a private response
        if shared and session.modified:
            # a real change to the session must still reach the browser: only privately
            response.cache_control.public = False
            response.cache_control.s_maxage = None
            response.cache_control.private = True
        super().save_session(app, session, response)


def today() -> int:
    return date.today().toordinal()


MB = 1024 * 1024


def body_limit(limit: int) -> Callable[[F], F]:
    """A view that takes bodies up to `limit` bytes instead of MAX_CONTENT_LENGTH (an upload)."""

    def mark(view: F) -> F:
        view.body_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def register_body_limit(app: Flask) -> None:
    """MAX_CONTENT_LENGTH, or a view's own body_limit, for every body: one whose Content-Length
    is over it is refused before a byte of it is read, and one sent in chunks (no length to
    refuse) is read only up to it."""

    @app.before_request
    def read_streamed_body() -> None:
        view = app.view_functions.get(request.endpoint or "")
        own = getattr(view, "body_limit", None)
        if own is not None:
            request.max_content_length = own
            request.max_form_memory_size = own  # a pasted text is one form field
            if request.content_length is not None and request.content_length > own:
                raise RequestEntityTooLarge(
                    f"That is {request.content_length / MB:.1f} MB: up to {own // MB} MB can be "
                    "sent here. Nothing was read or kept."
                )
        # werkzeug stops reading a streamed body at the limit and parses what it has, so a
        # longer one would be cut short and saved: read it first (the form is then parsed
        # from this copy) and refuse it whole if anything is left beyond the limit
        limit = request.max_content_length
        if (
            limit is not None
            and request.method in ("POST", "PUT", "PATCH", "DELETE")
            and request.content_length is None
            and request.environ.get("wsgi.input_terminated")
        ):
            data = request.get_data(cache=True)
            if len(data) >= limit and request.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge()


class BoundedInt(IntegerConverter):
    """Whole numbers in URLs stay within SQLite's integers: a bigger one is simply not found."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def owner_key(purpose: str, owner_id: int) -> str:
    """An opaque key naming to a page's script whose unsent answers it keeps on the phone.

    Each kind of answerer has its own `purpose`, so a learner's and a workplace contact's kept
    answers never mix on a shared phone; the key tells nothing without the app's secret.
    """
    secret = str(current_app.secret_key).encode()
    message = f"{purpose}:{owner_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def json_error(message: str, status: int, drop: bool = False) -> tuple[Response, int]:
    """A refused background save; `drop`: the answer itself is wrong, never send it again."""
    body: dict[str, Any] = {"ok": False, "error": message}
    if drop:
        body["drop"] = True
    return jsonify(body), status


def other_owners(claimed: str | None, key: str) -> tuple[Response, int] | None:
    """A background save sent with another owner's key (`learner`, as app.js names it): 409,
    and kept on the phone for its owner; None when it is this page's owner's, or unnamed."""
    if claimed is None or hmac.compare_digest(claimed.encode(), key.encode()):
        return None
    return json_error(
        "These answers were given by someone else on this phone, so they were not saved for "
        "you. They stay on the phone for that person.",
        409,
    )


def public_url(path: str) -> str:
    """The address to give out (a QR code, a learner's card): PUBLIC_URL if set, else the
    request's host."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return base + path


def csv_download(body: str, filename: str) -> FlaskResponse:
    """A CSV file to download, as Excel opens it: UTF-8 with a byte-order mark (without one,
    Excel reads the file as the PC's own code page and "Zoë" comes out as "ZoÃ«")."""
    response = FlaskResponse("\ufeff" + body, mimetype="text/csv")  # "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InlineStyle:
    """static/style.css, written into each page's head instead of fetched.

    On a slow connection a stylesheet is another round trip before anything shows (about
    0.15 s of a phone's first page in Lighthouse's slow 4G). The policy allows exactly this
    text by its hash, so no other inline style can run.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp = 0
        self.text = ""
        self.source = ""

    def current(self) -> InlineStyle:
        stamp = self.path.stat().st_mtime_ns
        if stamp != self.stamp:  # read once, and again only if the file changes
            text = self.path.read_text()
            if "</" in text:  # it must not be able to close its <style> element
                raise ValueError(f"{self.path} must not contain '</'")
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            self.text, self.source, self.stamp = text, f"'sha256-{digest}'", stamp
        return self


def register_security_headers(app: Flask) -> None:
    style = InlineStyle(Path(app.static_folder or "") / "style.css").current()
    app.extensions["inline_style"] = style

    def policy(source: str) -> str:
        return (
            f"default-src 'self'; script-src 'self'; style-src 'self' {source}; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        )

    fixed = policy(style.source)  # the stylesheet is read again only in debug mode

    @app.after_request
    def headers(response: Response) -> Response:
        current = policy(style.current().source) if app.debug else fixed
        response.headers.setdefault("Content-Security-Policy", current)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # personal links carry a token: never send the address to another site; our own
        # pages do send it, as a form posted over HTTPS must say where it came from
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def register_template_helpers(app: Flask) -> None:
    # one entry per file the templates name: the address itself is built each time, since
    # the mount point (SCRIPT_NAME) comes with the request and may take any value
    digests: dict[str, str] = {}

    def static_url(filename: str) -> str:
        """A cache-busted static URL: the file's content hash is part of the address."""
        if filename not in digests or app.debug:
            path = Path(app.static_folder or "") / filename
            digests[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return url_for("static", filename=filename, v=digests[filename])

    style: InlineStyle = app.extensions["inline_style"]

    # our own stylesheet (no user text), allowed by its hash in the Content-Security-Policy
    def inline_style() -> Markup:
        text = style.current().text if app.debug else style.text
        return Markup(text)  # noqa: S704  # nosec B704: static/style.css, never user text

    icon = (Path(app.static_folder or "") / "icon.svg").read_bytes()
    zone = app.extensions["time_zone"]
    app.jinja_env.globals.update(
        static_url=static_url,
        inline_style=inline_style,
        # the icon travels in the page too: one request fewer (img-src allows data:)
        icon_url="data:image/svg+xml;base64," + base64.b64encode(icon).decode(),
        signout_form=ActionForm,
        qualification=current_qualification,
        evidence_words=EVIDENCE_WORDS,
        status_words=STATUS_WORDS,
        outcome_words={k: v.split(":")[0].lower() for k, v in OUTCOMES},
        criteria_words=criteria_words,
        # fields are named by the forms' own codec, on the page as in the view
        rating_field_name=rating_field_name,
        assessor_field_name=assessor_field_name,
        workplace_field_name=workplace_field_name,
        note_field_name=note_field_name,
    )
    app.jinja_env.filters.update(
        b64=lambda text: base64.b64encode(text.encode()).decode(),
        day=lambda stamp: day(stamp, zone),
        day_and_time=lambda stamp: day_and_time(stamp, zone),
        calendar_day=calendar_day,  # a date ("2027-03-14"), never moved into a time zone
        # "Sam" from "Sam Learner": how a page greets the learner and says whose record it is
        first_name=lambda name: (str(name).split() or [""])[0],
    )
