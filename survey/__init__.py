"""Starting Point: initial assessment for work-based vocational qualifications."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from . import auth, cli, compress, db, errors, https, qualifications, web
from .config import PROJECT_ROOT, configure, instance_path
from .logs import hide_tokens

csrf = CSRFProtect()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The application factory: configure, load content, open the database, register parts."""
    app = Flask(
        __name__,
        instance_path=instance_path(),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, test_config)  # defaults, FLASK_* settings, the secret key (config.py)
    qualifications.init_app(app)  # the content; a broken file stops the app here
    db.init_app(app)  # migrations, and a connection per request
    register_requests(app)
    register_blueprints(app)
    errors.register(app)  # one error page for every status
    register_responses(app)
    register_templates(app)
    cli.register(app)
    if not app.testing and not app.config.get("NO_SETUP_LINK"):
        auth.announce_setup_link(app)
    return app


def register_requests(app: Flask) -> None:
    """What every request goes through before its view."""
    app.session_interface = web.DailySessions()
    web.register_body_limit(app)  # before CSRFProtect, which reads the form
    csrf.init_app(app)
    https.init_app(app)  # trusted proxy headers; where a POST over HTTPS came from
    app.url_map.converters["int"] = web.BoundedInt
    # the development server logs each request line: never with a personal link's token
    hide_tokens(logging.getLogger("werkzeug"))


def register_blueprints(app: Flask) -> None:
    from .views import auth as staff_sign_in
    from .views import (
        catalogue,
        content,
        learner,
        legacy,
        public,
        qr,
        record,
        sampling,
        staff,
        staff_workplace,
        workplace,
    )

    blueprints = (
        public.bp,
        learner.bp,
        workplace.bp,
        qr.bp,
        legacy.bp,
        staff_sign_in.bp,
        staff.bp,
        staff_workplace.bp,
        record.bp,
        sampling.bp,
        content.bp,
        catalogue.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_responses(app: Flask) -> None:
    """What every response goes out with."""
    web.register_security_headers(app)
    compress.init_app(app)  # gzip for browsers that take it


def register_templates(app: Flask) -> None:
    web.register_template_helpers(app)
    auth.init_app(app)  # `me`: the signed-in staff member
