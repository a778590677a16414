"""Data protection and safe storage: export, erasure, retention, backup, clear start-up errors."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from helpers import csrf, staff_client

from survey import create_app
from survey.db import StartupError, connect, migrate
from survey.migrations import migrations
from survey.store import accounts, learners

NAME = "Zara Quentin-Marsh"


@pytest.fixture
def learner(db):
    learner_id, token = learners.create_learner(db, NAME, candidate_number="CAND-77")
    learners.save_ratings(db, learner_id, {"F1:1.1": 2, "A11:unit": 3}, "learner:1")
    learners.save_contexts(db, learner_id, {"incoming-calls": "yes"}, "learner:1")
    learners.set_interest(db, learner_id, "A11", True, "learner:1")
    return learner_id, token


# ---- export --------------------------------------------------------------------------------------


def test_learner_downloads_their_own_data(app, client, learner):
    client.get(f"/l/{learner[1]}")
    data = json.loads(client.get("/my-data.json").get_data(as_text=True))
    assert data["learner"]["name"] == NAME
    assert data["ratings"] == {"F1:1.1": 2, "A11:unit": 3}
    assert data["job_contexts"] == {"incoming-calls": "yes"}
    assert data["interests"] == ["A11"]
    assert "token_hash" not in data["learner"]
    assert [e["action"] for e in data["audit"]][:2] == ["learner-added", "rating"]
    csv_text = client.get("/my-data.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "\ufeffsection,item,value,detail,when"  # Excel's UTF-8
    assert "rating,F1:1.1,2,I can recognise typical customers and their expectations," in csv_text


def test_my_data_needs_the_learner(client):
    assert client.get("/my-data.json").status_code == 302


def test_staff_export_of_a_learner(app, db, learner):
    client = staff_client(app, "admin")[0]
    response = client.get(f"/staff/learners/{learner[0]}/export.json")
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["learner"]["candidate_number"] == "CAND-77"
    csv_text = client.get(f"/staff/learners/{learner[0]}/export.csv").get_data(as_text=True)
    assert f"learner,name,{NAME}" in csv_text


def test_export_csv_neutralises_formulas(app, db):
    learner_id, _ = learners.create_learner(db, '=HYPERLINK("x")')
    client = staff_client(app, "admin")[0]
    csv_text = client.get(f"/staff/learners/{learner_id}/export.csv").get_data(as_text=True)
    assert "learner,name,\"'=HYPERLINK" in csv_text


# ---- erasure -------------------------------------------------------------------------------------


def file_bytes(path: str) -> bytes:
    data = b""
    for suffix in ("", "-wal"):
        try:
            with open(path + suffix, "rb") as f:
                data += f.read()
        except FileNotFoundError:
            pass
    return data


def test_admin_erases_a_learner_and_nothing_of_them_is_left_in_the_file(app, db, learner):
    learner_id, token = learner
    client = staff_client(app, "admin")[0]
    assert NAME.encode() in file_bytes(app.config["DATABASE"])
    response = client.post(
        f"/staff/learners/{learner_id}/erase",
        data={"csrf_token": csrf(client.get(f"/staff/learners/{learner_id}")), "confirm": NAME},
    )
    assert response.status_code == 303 and response.location == "/staff/learners"
    assert learners.learner(db, learner_id) is None
    for table in ("ratings", "context_answers", "interests", "self_checks"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    entries = list(db.query("SELECT * FROM audit WHERE action = 'learner-erased'"))
    assert [(e["subject"], e["learner_id"]) for e in entries] == [(f"learner #{learner_id}", None)]
    assert (
        db.execute("SELECT count(*) FROM audit WHERE learner_id = ?", [learner_id]).fetchone()[0]
        == 0
    )
    # the name is gone from the file itself, free pages included (secure_delete)
    raw = file_bytes(app.config["DATABASE"])
    assert NAME.encode() not in raw and b"CAND-77" not in raw
    assert app.test_client().get(f"/l/{token}").status_code == 404


NOT_ON_DISK = "not yet erased from the disk"


def test_erasure_while_another_program_reads_the_database_says_so_and_finishes_later(
    app, db, learner
):
    """A backup, a report or an sqlite3 shell holding a read transaction stops SQLite from
    emptying the write-ahead log: the name is still in the -wal file. The admin is told plainly,
    and can finish once that program is done."""
    app.config["ERASE_WAIT_SECONDS"] = 0.3
    learner_id, _ = learner
    client = staff_client(app, "admin")[0]
    reader = sqlite3.connect(app.config["DATABASE"])
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM learners").fetchone()  # a read transaction, held open
    path = f"/staff/learners/{learner_id}"
    response = client.post(
        f"{path}/erase", data={"csrf_token": csrf(client.get(path)), "confirm": NAME}
    )
    assert response.status_code == 303 and response.location == "/staff/learners"
    assert learners.learner(db, learner_id) is None  # gone from every table at once
    page = client.get("/staff/learners").get_data(as_text=True)
    assert NOT_ON_DISK in page and "Finish erasing" in page
    assert NAME.encode() in file_bytes(app.config["DATABASE"])  # what the page says is true
    # still held: finishing is refused with the same plain words
    finish = client.post("/staff/erasure", data={"csrf_token": csrf(client.get("/staff/learners"))})
    assert finish.status_code == 303
    assert NOT_ON_DISK in client.get("/staff/learners").get_data(as_text=True)
    reader.rollback()
    reader.close()
    finish = client.post("/staff/erasure", data={"csrf_token": csrf(client.get("/staff/learners"))})
    assert finish.status_code == 303
    page = client.get("/staff/learners").get_data(as_text=True)
    assert "is now erased from the disk too" in page
    assert NOT_ON_DISK not in page and "Finish erasing" not in page
    assert NAME.encode() not in file_bytes(app.config["DATABASE"])


def test_retention_says_when_an_erasure_is_not_yet_complete_on_disk(app, runner, db):
    app.config["ERASE_WAIT_SECONDS"] = 0.3
    old = archived(db, "Old Archived Person", 40)
    reader = sqlite3.connect(app.config["DATABASE"])
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM learners").fetchone()
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 1
    assert f"erased learner #{old}" in result.output
    assert NOT_ON_DISK in result.output and "run this command again" in result.output
    assert b"Old Archived Person" in file_bytes(app.config["DATABASE"])
    reader.rollback()
    reader.close()
    again = runner.invoke(args=["retention"])
    assert again.exit_code == 0, again.output
    assert "now erased from the disk too" in again.output
    assert b"Old Archived Person" not in file_bytes(app.config["DATABASE"])


def test_erasing_needs_the_name_typed(app, db, learner):
    client = staff_client(app, "admin")[0]
    path = f"/staff/learners/{learner[0]}"
    client.post(f"{path}/erase", data={"csrf_token": csrf(client.get(path)), "confirm": "zara"})
    assert learners.learner(db, learner[0]) is not None


@pytest.mark.parametrize("role", ["assessor", "verifier"])
def test_only_an_admin_can_erase(app, db, learner, role):
    client, staff = staff_client(app, role)
    learners.assign_assessor(db, learner[0], staff["id"], "t")
    token = csrf(client.get("/staff/learners"))
    response = client.post(
        f"/staff/learners/{learner[0]}/erase", data={"csrf_token": token, "confirm": NAME}
    )
    assert response.status_code == 403
    assert learners.learner(db, learner[0]) is not None


# ---- retention -----------------------------------------------------------------------------------


def archived(db, name: str, months_ago: int) -> int:
    learner_id, _ = learners.create_learner(db, name)
    when = (datetime.now(UTC) - timedelta(days=months_ago * 31)).isoformat(timespec="seconds")
    db.execute("UPDATE learners SET archived_at = ? WHERE id = ?", [when, learner_id])
    return learner_id


def test_retention_erases_only_learners_archived_long_ago(app, runner, db):
    old = archived(db, "Old Archived", 40)
    recent = archived(db, "Recently Archived", 10)
    current, _ = learners.create_learner(db, "Still Learning")
    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0 and f"would erase learner #{old}" in dry.output
    assert learners.learner(db, old) is not None
    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "1 learner(s) archived more than 36 months ago erased" in result.output
    assert learners.learner(db, old) is None
    assert learners.learner(db, recent) is not None and learners.learner(db, current) is not None


def test_retention_period_comes_from_config(app, runner, db):
    learner_id = archived(db, "Ten Months", 10)
    app.config["RETENTION_MONTHS"] = 6
    runner.invoke(args=["retention"])
    assert learners.learner(db, learner_id) is None


# ---- backup and restore --------------------------------------------------------------------------


def test_backup_and_restore_round_trip(app, runner, db, learner, tmp_path):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0 and "Backed up" in result.output
    learners.save_ratings(db, learner[0], {"F1:1.2": 1}, "t")  # after the backup
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output
    restored = runner.invoke(args=["restore", str(target), "--yes"])
    assert restored.exit_code == 0, restored.output
    with closing(connect(app.config["DATABASE"]).conn) as conn:
        rows = dict(conn.execute("SELECT statement_id, rating FROM ratings").fetchall())
    assert rows == {"F1:1.1": 2, "A11:unit": 3}


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "not a readable database" in result.output
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE x (y)")
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code == 1 and "not a Starting Point database" in result.output


def test_restore_asks_first(runner, tmp_path, app):
    target = tmp_path / "b.db"
    runner.invoke(args=["backup", str(target)])
    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output


# ---- a clear message at start, never silent loss -------------------------------------------------


def test_a_database_from_an_older_version_is_upgraded_and_keeps_its_data(tmp_path, capsys):
    path = tmp_path / "old.db"
    db = connect(path)
    migrations.apply(db, stop_before="m003_staff")
    learner_id, _ = learners.create_learner(db, "From Before")
    db.conn.close()
    app = create_app({"SECRET_KEY": "x", "DATABASE": str(path), "NO_SETUP_LINK": True})
    assert "Upgraded the database" in capsys.readouterr().err
    db = connect(app.config["DATABASE"])
    assert learners.learner(db, learner_id)["name"] == "From Before"
    assert accounts.staff_count(db) == 0  # the new tables are there
    db.conn.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.db"
    migrate(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('starting-point', 'm999_future', 'later')"
        )
        conn.commit()
    with pytest.raises(StartupError, match="made by a newer version"):
        migrate(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "garbage.db"
    path.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(StartupError, match="not a sound SQLite database: restore a backup"):
        migrate(path)


def test_a_read_only_database_gives_a_clear_message(tmp_path, monkeypatch):
    import survey.db as dbmod

    path = tmp_path / "ro.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE placeholder (x)")  # an existing file, opened read-only below
    real = dbmod.connect

    def read_only(p):
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True, isolation_level=None)
        import sqlite_utils

        return sqlite_utils.Database(conn)

    monkeypatch.setattr(dbmod, "connect", read_only)
    with pytest.raises(StartupError, match="read-only"):
        migrate(path)
    monkeypatch.setattr(dbmod, "connect", real)


def test_a_full_disk_gives_a_clear_message_and_loses_nothing(tmp_path, monkeypatch):
    import survey.db as dbmod

    path = tmp_path / "full.db"
    real = dbmod.connect

    def tiny(p):
        db = real(p)
        db.execute("PRAGMA max_page_count = 2")  # as if the disk filled up at once
        return db

    monkeypatch.setattr(dbmod, "connect", tiny)
    with pytest.raises(StartupError, match="the disk is full"):
        migrate(path)
    monkeypatch.setattr(dbmod, "connect", real)
    assert migrate(path)  # with room again, the migrations apply from the start


def test_app_py_prints_one_line_for_a_database_it_cannot_use(tmp_path):
    import os
    import subprocess
    import sys

    folder = tmp_path / "db-is-a-folder.db"
    folder.mkdir()
    env = dict(os.environ, FLASK_DATABASE=str(folder), FLASK_INSTANCE_PATH=str(tmp_path / "i"))
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "content", "check"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Starting Point cannot start: cannot use the database {folder}")
    )


# ---- nobody else on the machine reads the files ---------------------------------------------


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_instance_folder_database_log_and_backups_are_private(tmp_path, monkeypatch):
    """Learners' names and answers are in these files: other accounts on the server must not
    read them (the instance folder 0700, every file 0600), whatever the umask."""
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(tmp_path / "instance"))
    old_umask = os.umask(0o022)
    try:
        app = create_app({"NO_SETUP_LINK": True})
        db_path = app.config["DATABASE"]
        assert db_path == str(tmp_path / "instance" / "starting-point.db")
        client = app.test_client()
        assert client.get("/l/nobody").status_code == 404  # a request: the log is open
        db = connect(db_path)
        learners.create_learner(db, "Private Person")
        db.conn.close()
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
        assert result.exit_code == 0, result.output
    finally:
        os.umask(old_umask)
    assert mode(tmp_path / "instance") == 0o700
    files = sorted(p.name for p in (tmp_path / "instance").iterdir())
    assert {"starting-point.db", "starting-point.db-wal", "starting-point.db-shm"} <= set(files)
    assert {name: mode(tmp_path / "instance" / name) for name in files} == {
        name: 0o600 for name in files
    }
    assert mode(tmp_path / "copy.db") == 0o600


def test_an_existing_install_is_made_private_at_start(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("FLASK_INSTANCE_PATH", str(instance))
    create_app({"NO_SETUP_LINK": True}).test_client().get("/l/nobody")
    os.chmod(instance, 0o755)  # as an older version left them
    for p in instance.iterdir():
        os.chmod(p, 0o644)
    create_app({"NO_SETUP_LINK": True}).test_client().get("/l/nobody")
    assert mode(instance) == 0o700
    assert {p.name: mode(p) for p in instance.iterdir()} == {
        p.name: 0o600 for p in instance.iterdir()
    }
