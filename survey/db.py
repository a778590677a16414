"""The database: one SQLite connection per request, pragmas for safety, schema migrations."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import sys
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import sqlite_utils
from flask import Flask, current_app, g

from .migrations import migrations

BUSY_TIMEOUT_MS = 5000


PRIVATE_FILE = 0o600  # the database, its log, backups, lock files: only the app's own user
PRIVATE_FOLDER = 0o700


def make_private(path: str | Path, mode: int = PRIVATE_FILE) -> None:
    """Take away other users' access to a file or folder left open by an older version."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, mode)
    except (FileNotFoundError, PermissionError):
        pass  # not there yet, or not ours to change


def create_private(path: str | Path) -> None:
    """Create an empty file only its owner can read, unless it exists.

    SQLite creates a database with the umask's mode (often 0644) and gives the -wal and -shm
    files the database's mode, so the database is made first, with 0600.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass


def private_open(path: str | Path) -> IO[str]:
    """A lock file opened for appending, created 0600."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE), "a")


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the database with the pragmas every connection needs."""
    create_private(path)
    # autocommit mode: we open transactions ourselves with BEGIN IMMEDIATE
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    # erased personal data is overwritten with zeros, not left in free pages
    conn.execute("PRAGMA secure_delete = ON")
    db = sqlite_utils.Database(conn)
    db.writers_lock = f"{path}-writers.lock"  # type: ignore[attr-defined]
    return db


def get_db() -> sqlite_utils.Database:
    """The request's connection, opened on first use and closed at teardown."""
    if "db" not in g:
        _keep_wal(current_app._get_current_object())  # type: ignore[attr-defined]
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def _keep_wal(app: Flask) -> None:
    """Hold one idle connection for the life of this process.

    When the last connection to a WAL database closes, SQLite checkpoints the log and deletes
    it, with an fsync: with a connection per request that happened after nearly every save
    (about 0.4 ms each). An idle connection holds no lock and no transaction; checkpoints
    still happen as the log grows (wal_autocheckpoint) or when asked for (erasure).
    """
    pid = os.getpid()  # never use a connection inherited across fork
    held = app.extensions.get("db_keeper")
    if held is not None and held[0] == pid:
        return
    conn = sqlite3.connect(app.config["DATABASE"], check_same_thread=False)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the log and its index
    app.extensions["db_keeper"] = (pid, conn)
    weakref.finalize(app, conn.close)


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A read-then-write transaction: BEGIN IMMEDIATE takes the write lock up front.

    Writers first queue on a file lock. SQLite's own busy wait polls, sleeping 1, 2, 5, 10 ...
    up to 100 ms between tries, so under many saves at once the lock sat free while writers
    slept; the kernel wakes the next writer as soon as the lock is let go. (Anything else
    writing to the file still meets BEGIN IMMEDIATE and the busy timeout.)
    """
    with _queue(getattr(db, "writers_lock", None)):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")


@contextmanager
def _queue(path: str | None) -> Iterator[None]:
    if path is None:
        yield
        return
    # a file of its own each time: flock excludes open files, so threads must not share one
    with private_open(path) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def empty_log(db: sqlite_utils.Database, seconds: float) -> bool:
    """Copy the write-ahead log into the database file and empty it; False if not done in time.

    Erased rows are zeroed in the database file (secure_delete) but older copies of their
    pages stay in the -wal file until the log is emptied, which SQLite cannot do while another
    connection (a backup, a report, an sqlite3 shell) is reading an older snapshot.
    """
    deadline = time.monotonic() + seconds
    try:
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            db.execute(f"PRAGMA busy_timeout = {int(remaining * 1000)}")  # waits for readers
            busy, log, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy == 0 and log <= 0:  # 0: emptied; -1: not in WAL mode, nothing to empty
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


class StartupError(Exception):
    """The app cannot start (the database cannot be used, a setting is wrong); the message
    says why and what to do."""


def migrate(path: str | Path) -> list[str]:
    """Apply pending migrations, or say plainly why the database cannot be used."""
    try:
        return _migrate(Path(path))
    except sqlite3.DatabaseError as e:
        text = str(e).lower()
        if "readonly" in text or "read-only" in text:
            why = "it is read-only: give the app's user write access to it and its folder"
        elif "disk is full" in text or "full" in text:
            why = "the disk is full: free some space (nothing has been written or lost)"
        elif "unable to open" in text:
            why = "it cannot be opened: check the path and the folder's permissions"
        elif "not a database" in text or "malformed" in text:
            why = "the file is not a sound SQLite database: restore a backup"
        else:
            why = str(e)
        raise StartupError(f"cannot use the database {path}: {why}") from None
    except OSError as e:
        raise StartupError(f"cannot use the database {path}: {e.strerror or e}") from None


def _migrate(path: Path) -> list[str]:
    """Apply pending migrations; a file lock keeps several starting workers from racing."""
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    with private_open(path.with_name(path.name + ".lock")) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for suffix in ("", "-wal", "-shm", "-writers.lock", ".lock"):
            make_private(f"{path}{suffix}")
        db = connect(path)
        try:
            known = {m.name for m in migrations._migrations}
            newer = [m.name for m in migrations.applied(db) if m.name not in known]
            if newer:
                raise StartupError(
                    f"the database {path} was made by a newer version of Starting Point "
                    f"(it has {', '.join(newer)}): run that version, or restore a backup"
                )
            pending = [m.name for m in migrations.pending(db)]
            migrations.apply(db)
            return pending
        finally:
            db.conn.close()
            fcntl.flock(lock, fcntl.LOCK_UN)


def init_app(app: Flask) -> None:
    existed = Path(app.config["DATABASE"]).exists()
    applied = migrate(app.config["DATABASE"])
    if existed and applied and not app.testing:
        # an older database, brought up to date: say so, so nobody is surprised
        print(
            f"Upgraded the database {app.config['DATABASE']}: {', '.join(applied)}",
            file=sys.stderr,
            flush=True,
        )
    app.teardown_appcontext(close_db)


class RestoreError(Exception):
    pass


def backup(source: str | Path, target: str | Path) -> int:
    """A consistent copy of a live database in one step; returns the pages copied.

    One step, not many: in WAL mode it does not block writers, and a stepped copy restarts
    whenever another connection commits, so on a busy database it might never finish.
    """
    src = connect(source)
    create_private(target)
    dst = sqlite3.connect(str(target))
    copied = 0

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total

    try:
        src.conn.backup(dst, pages=-1, progress=progress)
    finally:
        dst.close()
        src.conn.close()
    return copied


def restore(backup_path: str | Path, target: str | Path) -> None:
    """Put a backup back, after checking it is a sound database of this app."""
    try:
        check = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        finally:
            check.close()
    except sqlite3.DatabaseError as e:
        raise RestoreError(f"{backup_path} is not a readable database ({e})") from None
    if ok != "ok":
        raise RestoreError(f"{backup_path} fails SQLite's integrity check: {ok}")
    if "learners" not in tables or "_sqlite_migrations" not in tables:
        raise RestoreError(f"{backup_path} is not a Starting Point database")
    src = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    dst = connect(target)
    try:
        src.backup(dst.conn)
    finally:
        src.close()
        dst.conn.close()
