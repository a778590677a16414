"""Shared fixtures: an app on a temporary instance folder, its client and CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ARGS, CHROMIUM, PHONE, browser_context, live_server, need

from survey import create_app
from survey.content import Qualification, load_qualification

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
        }
    )
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def submitted_learner(app) -> tuple[int, str]:
    """A learner who rated every statement, sent the assessment and finished a B1 self-check."""
    from survey import store
    from survey.db import connect

    db = connect(app.config["DATABASE"])
    try:
        learner_id, token = store.create_learner(db, "Sam Learner")
        q = app.extensions["qualification"]
        store.save_ratings(db, learner_id, {s.id: 2 for s in q.statements()}, "t")
        store.submit(db, learner_id, "t")
        check = store.open_check(db, learner_id, "B1")
        store.save_check_ratings(db, check, {"B1:1.1": 2}, "t")
        store.finish_check(db, check, "t")
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
    app = create_app({"SECRET_KEY": "browser", "DATABASE": str(tmp / "db.sqlite")})
    with live_server(app) as running:
        yield running


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
