"""Reliability under load: the app under gunicorn (4 workers x 4 threads) on loopback.

200 simulated learners answer a full initial assessment at once, every tap saved on its own
through POST /assessment/save. Then:

1. concurrency: every acknowledged answer is in the database with its value, no request
   failed, one row per learner x statement, one audit entry per acknowledged change;
2. crash: SIGKILL the master and every worker mid-load, restart on the same database: nothing
   acknowledged is lost and the database passes integrity_check;
3. backup: `flask backup` while learners answer, `flask restore` after: every answer
   acknowledged before the backup started is in the restored database.

The numbers (answers/s, p99 latency) are printed: run with `-s` to see them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from benchmarks.load import (
    ROOT,
    Phone,
    Server,
    acked_keys,
    add_learners,
    app_env,
    audit_mismatches,
    integrity,
    missing_acked,
    plan_run,
    run_load,
    table_keys,
    wait_for_acks,
)

pytestmark = pytest.mark.load

LEARNERS = 200
THREADS = 64
CRASH_AT = 0.30  # of the planned answers acknowledged
BACKUP_AT = 0.15
AFTER_BACKUP = 1000  # answers acknowledged after the backup ends before the load stops


def _gunicorn() -> None:
    if shutil.which("gunicorn") and importlib.util.find_spec("gunicorn"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the load tests: pip install gunicorn (requirements-dev.txt)")
    pytest.skip("gunicorn is not installed (pip install gunicorn)")


@pytest.fixture
def fresh(tmp_path, q):
    """A fresh database with 200 learners, and a (not yet started) gunicorn on it."""
    _gunicorn()
    env = app_env(tmp_path)
    learners = add_learners(env["FLASK_DATABASE"], LEARNERS)
    server = Server(env, tmp_path / "gunicorn.log")
    try:
        yield env, learners, server
    finally:
        server.kill()


def report(name: str, run, record_property, **extra) -> dict:
    numbers = {**run.summary(), **extra}
    for key, value in numbers.items():
        record_property(key, value)
    print(
        f"\n[reliability:{name}] {numbers['learners']} learners x "
        f"{numbers['acked_saves']}/{numbers['planned_saves']} answers acknowledged in "
        f"{numbers['seconds']} s: {numbers['answers_per_s']} answers/s, "
        f"p50 {numbers['p50_ms']} ms, p99 {numbers['p99_ms']} ms, max {numbers['max_ms']} ms, "
        f"failed requests {numbers['failures']}" + "".join(f", {k} {v}" for k, v in extra.items())
    )
    return numbers


def log_problems(server: Server) -> list[str]:
    bad = ("Traceback", "database is locked", "WORKER TIMEOUT", "Error handling request")
    return [line for line in server.log_text().splitlines() if any(b in line for b in bad)]


def flask_cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


# ---- 1. concurrency --------------------------------------------------------------------------


def test_200_learners_at_once_lose_nothing_and_duplicate_nothing(fresh, q, record_property):
    env, learners, server = fresh
    database = env["FLASK_DATABASE"]
    server.start()
    run = run_load(plan_run(q, learners, seed=1), server.port, THREADS, time_limit=240)
    server.stop()
    numbers = report("concurrency", run, record_property)

    assert not run.failures, f"{len(run.failures)} failed requests, e.g. {run.failures[:5]}"
    assert not [f for f in run.failures if "database is locked" in f]
    assert run.finished == LEARNERS and run.submitted == LEARNERS
    assert numbers["acked_saves"] == run.planned_saves

    checked, missing, examples = missing_acked(run, database)
    print(f"[reliability:concurrency] answers checked {checked}, lost {missing}")
    assert missing == 0, examples

    # one row per learner x statement (and per learner x job question), none extra
    keys, acked = table_keys(database), acked_keys(run)
    for kind in ("rating", "context"):
        assert len(keys[kind]) == len(set(keys[kind])), f"duplicate {kind} rows"
        assert set(keys[kind]) == acked[kind]

    # one audit entry per acknowledged change, before and after as the learner saw them
    checked, wrong, examples = audit_mismatches(run, database)
    assert wrong == 0, examples
    with sqlite3.connect(database) as conn:
        ratings = conn.execute("SELECT count(*) FROM audit WHERE action = 'rating'").fetchone()[0]
        sent = conn.execute("SELECT count(*) FROM audit WHERE action = 'submitted'").fetchone()[0]
        not_sent = conn.execute(
            "SELECT count(*) FROM learners WHERE submitted_at IS NULL"
        ).fetchone()[0]
    conn.close()
    print(f"[reliability:concurrency] audit: {ratings} rating entries, all as acknowledged")
    assert sent == LEARNERS and not_sent == 0

    assert integrity(database) == "ok"
    assert log_problems(server) == []
    assert server.log_text().count("Booting worker") == 4, "a worker died and was replaced"


# ---- 2. crash --------------------------------------------------------------------------------


def test_sigkill_mid_load_loses_no_acknowledged_answer(fresh, q, record_property):
    env, learners, server = fresh
    database = env["FLASK_DATABASE"]
    server.start()
    run = plan_run(q, learners, seed=2)
    stop = threading.Event()
    crash: dict[str, float] = {}

    def crash_midway(run) -> None:
        if wait_for_acks(run, int(run.planned_saves * CRASH_AT), timeout=120):
            stop.set()  # no new requests; those in flight die with the server
            crash["at"] = time.monotonic()
            crash["acked"] = run.acked_count
            server.kill()
        stop.set()

    run_load(run, server.port, THREADS, time_limit=150, stop=stop, watch=crash_midway)
    assert "at" in crash, "the load ended before the server could be killed"
    lost_in_flight = sum(1 for a in run.attempts for x in a if x.acked is None)
    report("crash", run, record_property, killed_after=crash["acked"], unacked=lost_in_flight)
    # only requests cut off by the kill may have failed
    early = [a for attempts in run.attempts for a in attempts if a.error and a.sent < crash["at"]]
    assert all(a.status is None for a in early), [a.error for a in early[:5]]

    server.start()  # the same database, after a crash
    try:
        assert integrity(database) == "ok"
        checked, missing, examples = missing_acked(run, database)
        print(f"[reliability:crash] answers acknowledged before the kill {checked}, lost {missing}")
        assert missing == 0, examples
        checked, wrong, examples = audit_mismatches(run, database)
        assert wrong == 0, examples
        keys = table_keys(database)
        assert len(keys["rating"]) == len(set(keys["rating"]))

        # the restarted server carries on: learners cut off mid-way save their next answer
        planned = [sum(1 for s in steps if s.kind == "save") for steps in run.steps]
        cut_off = [i for i, n in enumerate(planned) if 0 < len(run.attempts[i]) < n][:20]
        assert cut_off, "no learner was cut off mid-way"
        for i in cut_off:
            phone = Phone(server.port)
            try:
                assert phone.request("GET", f"/l/{learners[i][1]}")[0] == 302
                status, text = phone.request("GET", "/assessment/F1-1")
                assert status == 200
                token = text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
                form = {"csrf_token": token, "name": "r-F1-1.1", "value": "2", "page": "F1-1"}
                status, text = phone.request("POST", "/assessment/save", form)
                assert (status, json.loads(text)) == (200, {"ok": True})
            finally:
                phone.close()
        with sqlite3.connect(database) as conn:
            for i in cut_off:
                row = conn.execute(
                    "SELECT rating FROM ratings WHERE learner_id = ? AND statement_id = 'F1:1.1'",
                    [learners[i][0]],
                ).fetchone()
                assert row == (2,)
        conn.close()
    finally:
        server.stop()
    assert integrity(database) == "ok"
    assert [p for p in log_problems(server) if "database is locked" in p] == []


# ---- 3. backup under load --------------------------------------------------------------------


SAVER = """
import sys, time
from survey.store import learners
from survey.db import connect
db = connect(sys.argv[1])
deadline = time.monotonic() + 40  # bounded: the test kills it much sooner
i = 0
while time.monotonic() < deadline:
    learners.save_ratings(db, int(sys.argv[2]), {"F1:1.1": i % 4}, "learner:load")
    i += 1
    time.sleep(0.002)
"""


def _backup_available(env: dict[str, str]) -> bool:
    out = flask_cli(env, "--help")
    return "backup" in out.stdout and "restore" in out.stdout


def test_backup_under_load_restores_every_answer_acknowledged_before_it(
    fresh, q, record_property, tmp_path
):
    env, learners, server = fresh
    if not _backup_available(env):
        pytest.skip("backup command not available")
    database = env["FLASK_DATABASE"]
    backup = tmp_path / "backup.db"
    server.start()
    run = plan_run(q, learners, seed=3)
    stop = threading.Event()
    seen: dict[str, object] = {}

    def back_up_midway(run) -> None:
        try:
            if not wait_for_acks(run, int(run.planned_saves * BACKUP_AT), timeout=120):
                return
            seen["started"], seen["acked_before"] = time.monotonic(), run.acked_count
            seen["result"] = flask_cli(env, "backup", str(backup), timeout=90)
            seen["ended"], seen["acked_after"] = time.monotonic(), run.acked_count
            wait_for_acks(run, run.acked_count + AFTER_BACKUP, timeout=60)
        finally:
            stop.set()

    run_load(run, server.port, THREADS, time_limit=150, stop=stop, watch=back_up_midway)
    server.stop()
    assert "result" in seen, "the load ended before the backup started"
    result = seen["result"]
    assert result.returncode == 0, result.stdout + result.stderr
    report(
        "backup",
        run,
        record_property,
        backup_seconds=round(seen["ended"] - seen["started"], 2),
        acked_during_backup=seen["acked_after"] - seen["acked_before"],
    )
    assert not run.failures, run.failures[:5]
    assert seen["acked_after"] > seen["acked_before"], "the backup did not run under load"
    assert integrity(backup) == "ok"

    with sqlite3.connect(database) as conn:
        live = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    conn.close()
    restored = flask_cli(env, "restore", str(backup), "--yes", timeout=90)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert integrity(database) == "ok"
    with sqlite3.connect(database) as conn:
        after = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    conn.close()
    assert after < live, "the database was not replaced by the backup"

    checked, missing, examples = missing_acked(run, database, before=seen["started"])
    print(f"[reliability:backup] answers acknowledged before the backup {checked}, lost {missing}")
    assert missing == 0, examples

    # the app runs on the restored database
    server.start()
    try:
        phone = Phone(server.port)
        try:
            assert phone.request("GET", f"/l/{learners[0][1]}")[0] == 302
            assert phone.request("GET", "/assessment/job")[0] == 200
        finally:
            phone.close()
    finally:
        server.stop()
    assert integrity(database) == "ok"


def test_backup_of_a_large_database_finishes_under_steady_saves(fresh, tmp_path):
    """A centre's database after a few years (~80 MB), a save every 2 ms while it backs up."""
    env, learners, _ = fresh
    if not _backup_available(env):
        pytest.skip("backup command not available")
    database = env["FLASK_DATABASE"]
    from survey.db import connect

    db = connect(database)
    db.execute("BEGIN")
    for i in range(80_000):  # old audit entries: about 80 MB
        db.execute(
            "INSERT INTO audit (at, actor, learner_id, action, subject, before, after) "
            "VALUES ('2024-01-01T00:00:00+00:00', 'old', NULL, 'filler', ?, NULL, ?)",
            [str(i), "x" * 1000],
        )
    db.execute("COMMIT")
    db.conn.close()
    # another process saves one answer every ~2 ms (about what 4 busy workers commit)
    writer = subprocess.Popen(
        [sys.executable, "-c", SAVER, database, str(learners[0][0])],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(0.5)
        started = time.monotonic()
        try:
            result = flask_cli(env, "backup", str(tmp_path / "big-backup.db"), timeout=10)
        except subprocess.TimeoutExpired:
            result = None
    finally:
        writer.kill()
        writer.wait(timeout=10)
    seconds = round(time.monotonic() - started, 2)
    print(f"\n[reliability:backup-large] 80 MB under a save every 2 ms: {seconds} s")
    assert result is not None, "the backup did not finish within 10 s under steady saves"
    assert result.returncode == 0, result.stdout + result.stderr
    assert integrity(tmp_path / "big-backup.db") == "ok"


def test_the_load_helpers_compare_like_the_app_stores(tmp_path: Path, q):
    """The checker itself: a missing or wrong answer is reported, a right one is not."""
    from benchmarks.load import Attempt, Run

    env = app_env(tmp_path)
    added = add_learners(env["FLASK_DATABASE"], 1)
    run = Run(learners=added, steps=[[]], attempts=[[]])
    run.attempts[0].append(Attempt(0, "r-F1-1.1", "2", 0.0, acked=1.0))
    assert missing_acked(run, env["FLASK_DATABASE"])[1] == 1
    from survey.db import connect
    from survey.store import learners

    db = connect(env["FLASK_DATABASE"])
    learners.save_ratings(db, added[0][0], {"F1:1.1": 2}, "learner:1")
    db.conn.close()
    assert missing_acked(run, env["FLASK_DATABASE"])[1] == 0
    assert audit_mismatches(run, env["FLASK_DATABASE"])[1] == 0
    run.attempts[0].append(Attempt(0, "r-F1-1.1", "3", 2.0, acked=3.0))
    assert missing_acked(run, env["FLASK_DATABASE"])[1] == 1
    assert audit_mismatches(run, env["FLASK_DATABASE"])[1] == 1
