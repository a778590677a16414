"""Settings: defaults, FLASK_* environment variables, a test's dict; the instance's secret key."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask

from . import db
from .db import StartupError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    app.config.from_mapping(
        DATABASE=str(instance / "starting-point.db"),
        CONTENT=str(PROJECT_ROOT / "content" / "03455"),
        # what the centre publishes: units checked in the browser, qualifications it adds
        CENTRE_CONTENT=str(instance / "content"),
        PUBLIC_URL="",
        WTF_CSRF_TIME_LIMIT=None,  # a page left open all afternoon must still save
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,  # static URLs carry a content hash
        MAX_CONTENT_LENGTH=256 * 1024,
        PERMANENT_SESSION_LIFETIME=400 * 24 * 3600,  # a learner's phone keeps knowing them
        SESSION_REFRESH_EACH_REQUEST=False,  # DailySessions renews the cookie once a day
        RETENTION_MONTHS=36,  # months after archiving before `flask retention` erases a learner
        WORKPLACE_LINK_DAYS=90,  # days a workplace contact's link works once made or reissued
        # months after a workplace contact's link stops working before `flask retention` erases
        # their details
        WORKPLACE_RETENTION_MONTHS=12,
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


def instance_path() -> str:
    """The instance folder: FLASK_INSTANCE_PATH, else instance/ beside the code."""
    return os.environ.get("FLASK_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")


def time_zone(name: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise StartupError(
            f"TIME_ZONE {name!r} is not a time zone: use a name like Europe/London"
        ) from None


SECRET_KEY_MIN_LENGTH = 32  # characters; the generated key has 64 (256 bits)


def instance_secret(instance: Path) -> str:
    """The secret key kept in the instance folder (mode 0600), made on first run."""
    path = instance / "secret_key"
    try:
        instance.mkdir(mode=db.PRIVATE_FOLDER, parents=True, exist_ok=True)
        db.make_private(instance, db.PRIVATE_FOLDER)
    except OSError as e:
        raise StartupError(
            f"cannot make the instance folder {instance}: {e.strerror or e}"
        ) from None
    try:
        if not path.exists():
            _write_new_secret(path)
        db.make_private(path)
        key = path.read_text().strip()
    except OSError as e:
        raise StartupError(f"cannot write the secret key {path}: {e.strerror or e}") from None
    if len(key) < SECRET_KEY_MIN_LENGTH:
        # an empty key would sign every session and CSRF token with nothing
        raise StartupError(
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
