"""Personal-link tokens never reach the access logs the project sets up: the development server's
and the documented gunicorn command's."""

from __future__ import annotations

import http.client
import logging
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import database, live_server, need

from survey import create_app
from survey.logs import redact
from survey.store import accounts, learners

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def visit(url_base: str, paths: list[str]) -> list[int]:
    host, port = url_base.removeprefix("http://").split(":")
    statuses = []
    for path in paths:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request("GET", path)
            statuses.append(conn.getresponse().status)
        finally:
            conn.close()
    return statuses


@pytest.mark.parametrize(
    "line, hidden",
    [
        ('"GET /l/abcd1234efgh5678ijkl9012mn HTTP/1.1" 302 -', '"GET /l/[hidden] HTTP/1.1" 302 -'),
        ("GET /l/abcd-efgh/ HTTP/1.1", "GET /l/[hidden] HTTP/1.1"),
        ("/l/abcd?x=1 and /l/efgh#top", "/l/[hidden]?x=1 and /l/[hidden]#top"),
        ("GET /learners/l/ HTTP/1.1", "GET /learners/l/ HTTP/1.1"),
        ("GET /staff/learners/4 HTTP/1.1", "GET /staff/learners/4 HTTP/1.1"),
    ],
)
def test_a_token_in_a_log_line_is_hidden(line, hidden):
    assert redact(line) == hidden


def test_the_development_server_log_hides_personal_link_tokens(tmp_path, caplog):
    app = create_app({"SECRET_KEY": "t", "DATABASE": str(tmp_path / "db"), "NO_SETUP_LINK": True})
    with database(app) as db:
        _, token = learners.create_learner(db, "Lou Logged")
    caplog.set_level(logging.INFO, logger="werkzeug")
    with live_server(app) as server:
        statuses = visit(server.url, [f"/l/{token}", f"/l/{token}/", "/l/not-a-link-at-all"])
    assert statuses == [302, 302, 404]
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len([line for line in lines if "GET /l/" in line]) == 3
    assert not [line for line in lines if token in line or "not-a-link" in line]


def documented_gunicorn() -> list[str]:
    """The production command as the README gives it."""
    found = re.findall(r"`(gunicorn [^`]+)`", README)
    assert found, "the README gives no gunicorn command"
    return shlex.split(found[0])


def test_the_documented_gunicorn_command_hides_tokens_in_its_access_log(tmp_path):
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        need("gunicorn", "pip install -r requirements-dev.txt")
    from benchmarks.load import _no_control_socket, free_port

    command = documented_gunicorn()
    assert "--access-logfile" in command  # an access log is part of the documented command
    env = dict(
        os.environ,
        FLASK_DATABASE=str(tmp_path / "instance" / "db"),
        FLASK_INSTANCE_PATH=str(tmp_path / "instance"),
        FLASK_SECRET_KEY="logs-test",
        PYTHONUNBUFFERED="1",
    )
    app = create_app({"DATABASE": env["FLASK_DATABASE"], "SECRET_KEY": "x", "TESTING": True})
    with database(app) as db:
        accounts.create_staff(db, "a@centre.example", "A", "admin", "x", "t")  # no setup link
        _, token = learners.create_learner(db, "Gus Gunicorn")
    port = free_port()
    log = tmp_path / "gunicorn.log"
    args = [sys.executable, "-m", *command, "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            args + list(_no_control_socket()),
            cwd=ROOT,  # as documented: run from the project folder
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                visit(base, ["/"])
                break
            except OSError:
                time.sleep(0.1)
        assert visit(base, [f"/l/{token}", f"/l/{token}/"]) == [302, 302]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    text = log.read_text(errors="replace")
    assert text.count('"GET /l/[hidden] HTTP/1.1" 302') == 2, text
    assert token not in text
