"""Starting Point: initial assessment for work-based vocational qualifications."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from . import cli, compress, db, errors, https
from .content import Qualification, load_qualification
from .dates import day, day_and_time
from .db import StartupError
from .logs import hide_tokens

PROJECT_ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory: configure, load content, open the database, register parts."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("FLASK_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, test_config)
    app.session_interface = DailySessions()
    load_content(app)
    db.init_app(app)
    register_body_limit(app)  # before CSRFProtect, which reads the form
    csrf.init_app(app)
    https.init_app(app)  # trusted proxy headers; where a POST over HTTPS came from
    register_blueprints(app)
    errors.register(app)
    register_security_headers(app)
    compress.init_app(app)
    register_template_helpers(app)
    # the development server logs each request line: never with a personal link's token
    hide_tokens(logging.getLogger("werkzeug"))
    cli.register(app)
    if not app.testing and not app.config.get("NO_SETUP_LINK"):
        from .auth import announce_setup_link

        announce_setup_link(app)
    return app


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    app.config.from_mapping(
        DATABASE=str(instance / "starting-point.db"),
        CONTENT=str(PROJECT_ROOT / "content" / "03455"),
        PUBLIC_URL="",
        WTF_CSRF_TIME_LIMIT=None,  # a page left open all afternoon must still save
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,  # static URLs carry a content hash
        MAX_CONTENT_LENGTH=256 * 1024,
        PERMANENT_SESSION_LIFETIME=400 * 24 * 3600,  # a learner's phone keeps knowing them
        SESSION_REFRESH_EACH_REQUEST=False,  # DailySessions renews the cookie once a day
        RETENTION_MONTHS=36,  # months after archiving before `flask retention` erases a learner
        TIME_ZONE="Europe/London",  # the centre's: times on pages are shown in it
        ERASE_WAIT_SECONDS=10,  # how long an erasure waits for readers to let the log be emptied
        # how many proxies in front set each X-Forwarded-* header; 0: believe none of them
        PROXY_FIX_X_FOR=0,
        PROXY_FIX_X_PROTO=0,
        PROXY_FIX_X_HOST=0,
        PROXY_FIX_X_PREFIX=0,
    )
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    app.config["SESSION_COOKIE_SECURE"] = str(app.config.get("PUBLIC_URL", "")).startswith(
        "https://"
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(instance)
    app.extensions["time_zone"] = time_zone(app.config["TIME_ZONE"])


def time_zone(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise StartupError(
            f"TIME_ZONE {name!r} is not a time zone: use a name like Europe/London"
        ) from None


class DailySessions(SecureCookieSessionInterface):
    """Signed-cookie sessions whose long-lived cookie is renewed once a day, not every response.

    The learner's cookie lasts PERMANENT_SESSION_LIFETIME from its last renewal; signing and
    sending it again on every response cost time and bytes and told nothing new. A response
    that a shared cache may keep (static files, QR codes) never carries it: the cache would
    hand the learner's cookie to whoever asks for the same address next.
    """

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
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


SECRET_KEY_MIN_LENGTH = 32  # characters; the generated key has 64 (256 bits)


def instance_secret(instance: Path) -> str:
    """The secret key kept in the instance folder (mode 0600), made on first run."""
    path = instance / "secret_key"
    try:
        instance.mkdir(mode=db.PRIVATE_FOLDER, parents=True, exist_ok=True)
        db.make_private(instance, db.PRIVATE_FOLDER)
    except OSError as e:
        raise db.StartupError(
            f"cannot make the instance folder {instance}: {e.strerror or e}"
        ) from None
    try:
        if not path.exists():
            _write_new_secret(path)
        db.make_private(path)
        key = path.read_text().strip()
    except OSError as e:
        raise db.StartupError(f"cannot write the secret key {path}: {e.strerror or e}") from None
    if len(key) < SECRET_KEY_MIN_LENGTH:
        # an empty key would sign every session and CSRF token with nothing
        raise db.StartupError(
            f"the secret key {path} is empty or too short: delete it and start again to make "
            "a new one (everyone must sign in again)"
        )
    return key


def _write_new_secret(path: Path) -> None:
    """Write a key whole into a file of its own, then link it into place.

    A full disk then leaves no empty or half key behind; of several workers starting at once,
    the first link wins and every worker reads that key.
    """
    spare = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(spare, path)
        except FileExistsError:
            pass  # another worker's key is in place already: use that one
    finally:
        spare.unlink(missing_ok=True)


def register_body_limit(app: Flask) -> None:
    """MAX_CONTENT_LENGTH for bodies sent in chunks, which have no Content-Length to refuse."""

    @app.before_request
    def read_streamed_body() -> None:
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


def load_content(app: Flask) -> None:
    # a broken content file raises ContentError here, naming the file and the field
    app.extensions["qualification"] = load_qualification(app.config["CONTENT"])


def qualification(app: Flask) -> Qualification:
    return app.extensions["qualification"]


class BoundedInt(IntegerConverter):
    """Whole numbers in URLs stay within SQLite's integers: a bigger one is simply not found."""

    def __init__(self, map, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    from . import auth
    from .views import learner, public, qr, staff

    app.register_blueprint(public.bp)
    app.register_blueprint(learner.bp)
    app.register_blueprint(qr.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)


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
    def headers(response):  # type: ignore[no-untyped-def]
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

    app.jinja_env.globals["static_url"] = static_url
    style: InlineStyle = app.extensions["inline_style"]

    # our own stylesheet (no user text), allowed by its hash in the Content-Security-Policy
    def inline_style() -> Markup:
        text = style.current().text if app.debug else style.text
        return Markup(text)  # noqa: S704  # nosec B704: static/style.css, never user text

    app.jinja_env.globals["inline_style"] = inline_style
    icon = (Path(app.static_folder or "") / "icon.svg").read_bytes()
    # the icon travels in the page too: one request fewer (img-src allows data:)
    app.jinja_env.globals["icon_url"] = (
        "data:image/svg+xml;base64," + base64.b64encode(icon).decode()
    )
    app.jinja_env.filters["b64"] = lambda text: base64.b64encode(text.encode()).decode()
    zone = app.extensions["time_zone"]
    app.jinja_env.filters["day"] = lambda stamp: day(stamp, zone)
    app.jinja_env.filters["day_and_time"] = lambda stamp: day_and_time(stamp, zone)
    # "Sam" from "Sam Learner": how a page greets the learner and says whose record it is
    app.jinja_env.filters["first_name"] = lambda name: (str(name).split() or [""])[0]

    from .forms import ActionForm, assessor_field_name, rating_field_name

    def signout_form() -> ActionForm:
        return ActionForm()

    # fields are named by the forms' own codec, on the page as in the view
    app.jinja_env.globals["rating_field_name"] = rating_field_name
    app.jinja_env.globals["assessor_field_name"] = assessor_field_name

    app.jinja_env.globals["signout_form"] = signout_form
    app.jinja_env.globals["qualification"] = lambda: qualification(app)
    from .plans import EVIDENCE_WORDS

    app.jinja_env.globals["evidence_words"] = EVIDENCE_WORDS
