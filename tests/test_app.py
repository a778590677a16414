"""The app skeleton: pages, errors, headers, the secret key and the database."""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path

import pytest

from survey import create_app
from survey.config import instance_secret
from survey.content import ContentError
from survey.db import connect, immediate, migrate
from survey.migrations import migrations
from survey.web import InlineStyle

STATIC = Path(__file__).resolve().parent.parent / "static"


class Texts(HTMLParser):
    """The text of each element of interest, to compare whole structures."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.h2: list[str] = []
        self.units: list[str] = []
        self._in_num = False

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self._in_num = tag == "span" and ("class", "num") in attrs

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        self._in_num = False

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "h2" and data.strip():
            self.h2.append(data.strip())
        if self._in_num and data.strip():
            self.units.append(data.strip())


def test_home_page_lists_every_group_and_unit(client, q):
    response = client.get("/")
    assert response.status_code == 200
    parsed = Texts()
    parsed.feed(response.get_data(as_text=True))
    assert [h for h in parsed.h2 if h.startswith("Group")] == [
        "Group A: Mandatory units",
        "Group B: Impression and image",
        "Group C: Delivery",
        "Group D: Handling problems",
        "Group E: Development and improvement",
    ]
    assert parsed.units == [u.number for u in q.units]
    body = response.get_data(as_text=True)
    assert [
        li.strip()
        for li in body.split('<ul class="rules">')[1]
        .split("</ul>")[0]
        .replace("</li>", "")
        .split("<li>")
        if li.strip()
    ] == [
        "At least 28 credits in total",
        "Every unit in Group A (Mandatory units)",
        "At least 20 credits from Groups B, C, D and E",
        "At least one unit from each of Groups B, C, D and E",
        "At least 11 of the credits from Groups B, C, D and E from Level 2 units",
    ]


def test_unit_page_shows_criteria_as_statements(client):
    response = client.get("/q/03455/units/B1")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "I can make a good first impression" in body
    assert "Simulation is not allowed" in body
    # seven statements are cut short in the source: one note says so, each ends in "…"
    assert body.count("were cut off in our copy of this unit") == 1
    assert body.count("…</span>") == 7


def test_unit_page_for_a_unit_awaiting_criteria(client):
    body = client.get("/q/03455/units/a11").get_data(as_text=True)
    assert "I can deal with incoming telephone calls from customers" in body
    assert "Your centre will add the detailed list of what it asks later" in body
    assert "answering calls" in body


def test_unknown_unit_is_a_friendly_404_listing_the_real_units(client, q):
    response = client.get("/q/03455/units/X9")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "There is no page at this address" in body
    for u in q.units:
        assert f'href="/q/03455/units/{u.number}"' in body


def test_every_error_uses_the_one_error_page(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "That action is not possible" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_no_internals(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM table")

    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "SELECT" not in body and "Traceback" not in body
    assert "Your earlier answers are safe" in body


@pytest.mark.parametrize("path", ["/", "/q/03455/units/F1", "/nowhere"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    # same-origin: our own pages send a Referer (HTTPS form posts need it), other sites get
    # none, so a personal link never leaks
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_and_only_the_hashed_stylesheet(client):
    response = client.get("/q/03455/units/F1")
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "style=" not in body
    # the stylesheet travels in the page (no render-blocking request), allowed by its hash
    css = (STATIC / "style.css").read_text()
    assert body.count("<style>") == 1 and f"<style>{css}</style>" in body
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in response.headers["Content-Security-Policy"]
    # and so does the icon: the page needs no other request to show
    assert 'rel="icon" href="data:image/svg+xml;base64,' in body
    assert 'rel="stylesheet"' not in body


def test_an_edited_stylesheet_is_read_again_with_its_new_hash(tmp_path):
    sheet = tmp_path / "style.css"
    sheet.write_text("p { color: red; }")
    style = InlineStyle(sheet).current()
    red = style.source
    assert style.text == "p { color: red; }"
    digest = base64.b64encode(hashlib.sha256(b"p { color: red; }").digest()).decode()
    assert red == f"'sha256-{digest}'"
    sheet.write_text("p { color: blue; }")
    os.utime(sheet, ns=(1, 1))
    assert style.current().text == "p { color: blue; }" and style.source != red
    # a stylesheet that could close its own <style> element is refused
    sheet.write_text("p { color: red; } </style><script>x()</script>")
    os.utime(sheet, ns=(2, 2))
    with pytest.raises(ValueError, match="must not contain"):
        style.current()


def test_static_files_are_cache_busted_and_long_lived(app, client):
    with app.test_request_context():
        href = app.jinja_env.globals["static_url"]("app.js")
    assert href.startswith("/static/app.js?v=")
    with client.get(href) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_static_addresses_follow_the_mount_point_and_remember_only_one_entry_a_file(app, client):
    """SCRIPT_NAME comes from the server or a proxy's X-Forwarded-Prefix: a cache keyed by it
    grew by one entry per distinct header value, without limit."""
    static_url = app.jinja_env.globals["static_url"]
    for i in range(300):
        prefix = f"/mount{i}"
        body = client.get("/q/03455/qr/units", environ_overrides={"SCRIPT_NAME": prefix}).get_data(
            True
        )
        assert f'src="{prefix}/static/app.js?v=' in body
    cached = [
        cell.cell_contents
        for cell in static_url.__closure__ or ()
        if isinstance(cell.cell_contents, dict)
    ]
    assert cached and all(len(entries) <= 3 for entries in cached)


def test_secret_key_is_generated_once_with_mode_0600(tmp_path):
    config = {"DATABASE": str(tmp_path / "db.sqlite")}
    os.environ["FLASK_INSTANCE_PATH"] = str(tmp_path / "instance")
    try:
        first = create_app(config).config["SECRET_KEY"]
        second = create_app(config).config["SECRET_KEY"]
    finally:
        del os.environ["FLASK_INSTANCE_PATH"]
    key_file = tmp_path / "instance" / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def start(tmp_path, limit_file_size: bool = False, **env: str) -> subprocess.CompletedProcess:
    """`flask content check` in a fresh process on an instance folder in tmp_path."""

    def no_room() -> None:  # every write past 0 bytes fails, as on a full disk
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    variables = dict(
        os.environ,
        FLASK_INSTANCE_PATH=str(tmp_path / "instance"),
        FLASK_DATABASE=str(tmp_path / "db.sqlite"),
        **env,
    )
    variables.pop("FLASK_SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "content", "check"],
        capture_output=True,
        text=True,
        env=variables,
        cwd=Path(__file__).resolve().parent.parent,
        preexec_fn=no_room if limit_file_size else None,
    )


def test_a_full_disk_at_first_start_leaves_no_empty_key_and_says_so_in_one_line(tmp_path):
    full = start(tmp_path, limit_file_size=True)
    assert full.returncode == 1
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1, full.stderr
    key_file = tmp_path / "instance" / "secret_key"
    assert lines[0].startswith(
        f"Starting Point cannot start: cannot write the secret key {key_file}"
    )
    assert not key_file.exists()  # no empty key left behind for the next start to use
    assert [p.name for p in (tmp_path / "instance").iterdir()] == []  # nor a half-written one
    # once there is room again, the app starts with a real key
    again = start(tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(key_file.read_text().strip()) == 64


@pytest.mark.parametrize("content", ["", "\n", "short"])
def test_an_empty_or_short_secret_key_stops_the_app_with_one_line(tmp_path, content):
    (tmp_path / "instance").mkdir()
    key_file = tmp_path / "instance" / "secret_key"
    key_file.write_text(content)
    result = start(tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Starting Point cannot start: the secret key {key_file} is empty or too short: "
        "delete it and start again to make a new one (everyone must sign in again)"
    ]


def test_an_instance_folder_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "instance").write_text("a file where the folder should be")
    result = start(tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Starting Point cannot start: "), lines
    assert f"cannot make the instance folder {tmp_path / 'instance'}" in lines[0]


def test_workers_starting_at_once_share_one_secret_key(tmp_path):
    instance = tmp_path / "instance"
    keys: list[str] = []

    def start_one() -> None:
        keys.append(instance_secret(instance))

    threads = [threading.Thread(target=start_one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and keys[0] == (instance / "secret_key").read_text().strip()
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]


def test_config_comes_from_flask_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_PUBLIC_URL", "https://assess.example.org")
    app = create_app({"SECRET_KEY": "x", "DATABASE": str(tmp_path / "db.sqlite")})
    assert app.config["PUBLIC_URL"] == "https://assess.example.org"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_database_is_created_with_wal_and_migrations(app):
    db = connect(app.config["DATABASE"])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    applied = [m.name for m in migrations.applied(db)]
    assert applied == [m.name for m in migrations._migrations]
    assert db["settings"].get("installed_at")["value"]
    db.conn.close()


def test_the_write_ahead_log_stays_between_requests(app, client):
    """One idle connection per process: closing a request's connection does not checkpoint."""
    wal = app.config["DATABASE"] + "-wal"
    assert client.get("/l/no-such-link").status_code == 404  # a request that reads the database
    pid, keeper = app.extensions["db_keeper"]
    assert pid == os.getpid() and os.path.exists(wal)
    assert keeper.execute("SELECT count(*) FROM learners").fetchone() == (0,)
    # a worker forked from this process must not use the inherited connection
    app.extensions["db_keeper"] = (-1, keeper)
    client.get("/l/no-such-link")
    pid, second = app.extensions["db_keeper"]
    assert pid == os.getpid() and second is not keeper


def test_writers_queue_and_the_next_starts_as_soon_as_the_lock_is_free(app):
    """SQLite's own busy wait naps up to 100 ms between tries; queued writers do not."""
    second = connect(app.config["DATABASE"])
    holding, times = threading.Event(), {}

    def hold() -> None:
        first = connect(app.config["DATABASE"])
        with immediate(first):
            holding.set()
            time.sleep(0.35)
            times["releasing"] = time.monotonic()
        times["released"] = time.monotonic()
        first.conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    with immediate(second):
        times["started"] = time.monotonic()
    holder.join()
    second.conn.close()
    # with SQLite's nap schedule alone the second writer would start about 80 ms late (it may
    # start before the first thread, once the lock is let go, gets to note the time)
    assert times["releasing"] <= times["started"] < times["released"] + 0.04


def test_migrating_twice_changes_nothing(tmp_path):
    path = tmp_path / "db.sqlite"
    applied = migrate(path)
    assert applied[:3] == ["m001_settings", "m002_learners", "m003_staff"]
    assert applied == [m.name for m in migrations._migrations]
    with closing(sqlite3.connect(path)) as conn:
        before = conn.execute("SELECT value FROM settings").fetchall()
    assert migrate(path) == []
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT value FROM settings").fetchall() == before


def test_broken_content_stops_the_app_with_file_and_field(content_copy, tmp_path):
    f1 = content_copy / "units" / "F1.toml"
    f1.write_text(
        f1.read_text().replace('text = "Greet customers politely and positively"', 'text = ""')
    )
    with pytest.raises(ContentError, match=r"F1\.toml: outcomes\[1\]\.criteria\[1\]\.text"):
        create_app(
            {
                "SECRET_KEY": "x",
                "CONTENT": str(content_copy),
                "DATABASE": str(tmp_path / "db.sqlite"),
            }
        )


def test_flask_command_with_broken_content_prints_one_line(content_copy, tmp_path):
    f1 = content_copy / "units" / "F1.toml"
    f1.write_text(f1.read_text().replace('kind = "performance"', 'kind = "doing"', 1))
    env = dict(
        os.environ, FLASK_CONTENT=str(content_copy), FLASK_INSTANCE_PATH=str(tmp_path / "instance")
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "content", "check"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Starting Point cannot start: {f1}: outcomes[0].criteria[0].kind: "
        "must be knowledge or performance, not 'doing'"
    )


def test_the_app_serves_what_the_centre_publishes_from_its_next_request(app, client):
    """Another process (here another Library on the same folders) publishes A11's criteria:
    the app, started before, serves them on its next request, without a restart."""
    from survey.library import Library

    before = client.get("/q/03455/units/A11").text
    assert "Your centre will add the detailed list" in before
    other = Library(Path(app.config["CONTENT"]).parent, Path(app.config["CENTRE_CONTENT"]))
    other.publish_unit(
        "03455",
        'number = "A11"\n\n[[outcomes]]\nnumber = 1\ntitle = "Be able to answer calls"\n\n'
        '[[outcomes.criteria]]\nnumber = "1.1"\ntext = "Answer calls promptly"\n'
        'kind = "performance"\n',
        "Ada Admin",
    )
    page = client.get("/q/03455/units/A11").text
    assert "I can answer calls promptly" in page
    assert "Your centre will add the detailed list" not in page


def test_a_qualification_folder_named_otherwise_than_its_code_is_served(content_copy, tmp_path):
    assert content_copy.name != "03455"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "CONTENT": str(content_copy),
            "DATABASE": str(tmp_path / "db.sqlite"),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )
    assert app.test_client().get("/q/03455/units/B1").status_code == 200
    assert app.extensions["library"].qualifications()[0].code == "03455"
