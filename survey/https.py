"""Running behind TLS: which proxy headers to believe, and where a POST over HTTPS came from."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

# settings: how many proxies in front of the app set each X-Forwarded-* header (0: believe none)
PROXY_SETTINGS = {
    "x_for": "PROXY_FIX_X_FOR",
    "x_proto": "PROXY_FIX_X_PROTO",
    "x_host": "PROXY_FIX_X_HOST",
    "x_prefix": "PROXY_FIX_X_PREFIX",
}
FORWARDED = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ELSEWHERE = (
    "This form was sent from another site, or from a page that did not say where it came "
    "from, so nothing was saved. Go back, reload the page and try again."
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def init_app(app: Flask) -> None:
    """Trust the configured proxies' headers; check the origin of every POST over HTTPS."""
    counts = {arg: int(app.config.get(name) or 0) for arg, name in PROXY_SETTINGS.items()}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]
    elif not app.testing:
        app.before_request(warn_once_of_untrusted_forwarding(app))
    # Flask-WTF's own HTTPS check wants a Referer on every POST; this one accepts the Origin
    # header browsers send with every POST, and PUBLIC_URL as this site too
    app.config["WTF_CSRF_SSL_STRICT"] = False
    app.before_request(refuse_posts_from_elsewhere)


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an address, with the scheme's default port filled in."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def this_site() -> set[tuple[str, str, int]]:
    """The origins a page of this app is served from: the request's, and PUBLIC_URL's."""
    found = {origin(request.host_url), origin(current_app.config.get("PUBLIC_URL") or "")}
    return {o for o in found if o is not None}


def refuse_posts_from_elsewhere() -> None:
    """Over HTTPS a form must come from this site (its Origin, else its Referer, says so).

    Plain HTTP is left to the CSRF token alone: anyone on the path can change anything there.
    Over HTTPS this also stops a form planted on the plain-HTTP site by someone on the path.
    """
    if request.method not in UNSAFE_METHODS or not request.is_secure:
        return
    sent = request.headers.get("Origin", "")
    if not sent or sent == "null":
        sent = request.referrer or ""
    if origin(sent) not in this_site():
        raise BadRequest(ELSEWHERE)


def warn_once_of_untrusted_forwarding(app: Flask) -> Callable[[], None]:
    """Say once per process that forwarded headers arrive but no proxy is trusted to set them.

    Behind a proxy that is not configured every visitor has the proxy's address (so failed
    sign-ins from anyone count against everyone) and HTTPS looks like plain HTTP.
    """
    warned = False

    def check() -> None:
        nonlocal warned
        if warned or not any(h in request.headers for h in FORWARDED):
            return
        warned = True
        app.logger.warning(
            "requests carry X-Forwarded-* headers but no PROXY_FIX_X_* setting trusts them: "
            "behind a proxy, set FLASK_PROXY_FIX_X_FOR=1 and FLASK_PROXY_FIX_X_PROTO=1"
        )

    return check
