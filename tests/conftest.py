"""Shared fixtures: an app on a temporary instance folder, its client and CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from survey import create_app
from survey.content import Qualification, load_qualification

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "03455"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def q() -> Qualification:
    return load_qualification(CONTENT)


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
def content_copy(tmp_path) -> Path:
    """A writable copy of the real content, for tests that break it on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
