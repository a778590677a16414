"""Shared fixtures: an app on a temporary instance folder, its client and CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import (
    ARGS,
    CHROMIUM,
    PHONE,
    LiveServer,
    browser_context,
    database,
    live_server,
    need,
    serving,
)

from survey import create_app
from survey.content import Qualification, load_qualification
from survey.qualifications import served

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "03455"
SEEDS = ROOT.parent / "shared" / "seeds"
SHOTS = ROOT / "screenshots"


@pytest.fixture(scope="session")
def q() -> Qualification:
    return load_qualification(CONTENT)


@pytest.fixture(params=["03455", "second"])
def any_q(request, q, tmp_path) -> Qualification:
    """03455, then a second, different qualification (tests/helpers.py): nothing is 03455-only."""
    from helpers import second_qualification

    return q if request.param == "03455" else second_qualification(tmp_path / "second")


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(tmp_path / "test.db"),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """A connection of the test's own to the app's database (to set up, and to look after)."""
    with database(app) as conn:
        yield conn


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def submitted_learner(app) -> tuple[int, str]:
    """A learner who rated every statement, sent the assessment and finished a B1 self-check."""
    from survey.db import connect
    from survey.store import learners

    db = connect(app.config["DATABASE"])
    try:
        learner_id, token = learners.create_learner(db, "Sam Learner")
        q = served(app)
        learners.save_ratings(db, learner_id, {s.id: 2 for s in q.statements()}, "t")
        learners.submit(db, learner_id, "t")
        check = learners.open_check(db, learner_id, "B1")
        learners.save_check_ratings(db, check, {"B1:1.1": 2}, "t")
        learners.finish_check(db, check, "t")
    finally:
        db.conn.close()
    return learner_id, token


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the real content, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    # the funding profiles the qualification names live beside it, shared by qualifications
    shutil.copytree(CONTENT.parent / "funding", tmp_path / "funding")
    return target


# ---- real-browser fixtures (Debian's Chromium through Playwright) --------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": "browser",
            "DATABASE": str(tmp / "db.sqlite"),
            "CENTRE_CONTENT": str(tmp / "centre"),
        }
    )
    with live_server(app) as running:
        yield running


# ---- the app over TLS, directly and behind a TLS-terminating proxy ----------------------------


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, made here (the browser is told to accept it)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def tls_context(folder: Path):  # type: ignore[no-untyped-def]
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed_certificate(folder))
    return context


HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


def forwarding_proxy(backend_port: int):  # type: ignore[no-untyped-def]
    """A reverse proxy as a WSGI app: what nginx or Caddy in front of gunicorn does.

    It passes the Host on and says who asked and how (proxy_set_header Host $host;
    X-Forwarded-For $proxy_add_x_forwarded_for; X-Forwarded-Proto $scheme).
    """
    import http.client

    def proxy(environ, start_response):  # type: ignore[no-untyped-def]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key[5:].lower().replace("_", "-") not in HOP_BY_HOP
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        headers["X-Forwarded-For"] = environ["REMOTE_ADDR"]
        headers["X-Forwarded-Proto"] = environ["wsgi.url_scheme"]
        path = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        if environ.get("QUERY_STRING") and "?" not in path:
            path += "?" + environ["QUERY_STRING"]
        conn = http.client.HTTPConnection("127.0.0.1", backend_port, timeout=30)
        try:
            conn.request(environ["REQUEST_METHOD"], path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
        finally:
            conn.close()
        start_response(f"{answer.status} {answer.reason}", kept)
        return [data]

    return proxy


TRANSPORTS = ["http", "https", "https-behind-proxy"]


@pytest.fixture(scope="module", params=TRANSPORTS)
def site(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The app as a browser reaches it: plain http, TLS served by the app itself, or TLS ended
    by a proxy that forwards plain http with X-Forwarded-* headers (trusted by setting)."""
    tmp = tmp_path_factory.mktemp(request.param)
    config = {"SECRET_KEY": "tls-browser", "DATABASE": str(tmp / "db.sqlite")}
    if request.param == "https-behind-proxy":
        config |= {"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1}
    app = create_app(config)
    if request.param == "http":
        with serving(app) as httpd:
            yield LiveServer(app, f"http://127.0.0.1:{httpd.server_port}")
        return
    context = tls_context(tmp)
    if request.param == "https":
        with serving(app, context) as httpd:
            public = f"https://127.0.0.1:{httpd.server_port}"
            app.config.update(PUBLIC_URL=public, SESSION_COOKIE_SECURE=True)
            yield LiveServer(app, public)
        return
    with serving(app) as backend, serving(forwarding_proxy(backend.server_port), context) as front:
        # no PUBLIC_URL: the app must learn the scheme from the proxy's X-Forwarded-Proto
        app.config.update(SESSION_COOKIE_SECURE=True)
        yield LiveServer(app, f"https://127.0.0.1:{front.server_port}")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        need("Chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser_context(browser, PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


def shot(page, name: str) -> None:
    """A full-page screenshot and the first screenful, to look at as a learner would."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))
