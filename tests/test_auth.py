"""Staff sign-in over HTTP: passwords, sessions, throttled failures, signing out; and the
setup link that creates the first admin."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import (
    PASSWORD,
    SETUP,
    add_learner,
    csrf,
    html_of,
    learner_client,
    make_staff,
    post,
    sign_in,
    staff_client,
)

from survey import create_app
from survey.auth import ADDRESS_CEILING, address_wait, hash_password, sign_in_wait
from survey.db import connect, migrate
from survey.store import accounts

CONTENT = Path(__file__).resolve().parent.parent / "content" / "03455"
NO_GROUP_D = ["A3", "A4", "B2", "D1"]  # enough credits, but nothing from Group D


# ---- sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email, password",
    [
        ("{email}", "not the password"),
        ("{email}", PASSWORD.upper()),
        ("{email}", PASSWORD + " "),
        ("nobody@centre.example", PASSWORD),
    ],
    ids=["wrong-password", "wrong-case", "extra-space", "unknown-email"],
)
def test_wrong_credentials_are_refused_with_401_and_a_failure_row(client, db, email, password):
    staff = make_staff(db, "assessor")
    typed = email.format(email=staff["email"])
    response = sign_in(client, typed, password)
    assert response.status_code == 401
    assert "That email and password do not match an account." in html_of(response)
    failures = db.execute("SELECT email, address FROM sign_in_failures").fetchall()
    assert failures == [(typed, "127.0.0.1")]
    assert db.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 0
    assert client.get("/staff/learners").status_code == 302


def test_an_empty_form_is_400_and_not_counted_as_a_failure(client, db):
    staff = make_staff(db, "assessor")
    response = sign_in(client, staff["email"], "")
    assert response.status_code == 400
    assert "Enter your password." in html_of(response)
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0


@pytest.mark.parametrize("role", ["admin", "assessor", "verifier"])
def test_right_password_signs_in_and_goes_to_the_learners(client, db, role):
    staff = make_staff(db, role, name="Pat Example")
    response = sign_in(client, staff["email"])
    assert response.status_code == 302 and response.location == "/staff/learners"
    page = client.get("/staff/learners")
    assert page.status_code == 200 and "Sign out Pat Example" in html_of(page)
    sessions = db.execute("SELECT staff_id, ended_at FROM staff_sessions").fetchall()
    assert sessions == [(staff["id"], None)]


def test_email_is_matched_without_case_or_surrounding_spaces(client, db):
    staff = make_staff(db, "assessor")
    response = sign_in(client, "  " + staff["email"].upper() + " ")
    assert response.status_code == 302 and response.location == "/staff/learners"


def test_the_session_cookie_holds_no_password_and_is_httponly(client, db):
    staff = make_staff(db, "assessor")
    response = sign_in(client, staff["email"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert PASSWORD not in cookie and "Expires=" not in cookie  # ends with the browser


def test_real_scrypt_hash_signs_in(client, db):
    staff_id = accounts.create_staff(
        db, "real@centre.example", "Real Hash", "assessor", hash_password(PASSWORD), "test"
    )
    assert accounts.staff_member(db, staff_id)["password_hash"].startswith("scrypt:")
    assert sign_in(client, "real@centre.example").location == "/staff/learners"


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/staff/cohort", "/staff/cohort"),
        ("/staff/learners?archived=1", "/staff/learners?archived=1"),
        ("https://evil.example/staff", "/staff/learners"),
        ("//evil.example/staff", "/staff/learners"),
        ("/l/sometoken", "/staff/learners"),
        ("", "/staff/learners"),
    ],
)
def test_sign_in_continues_only_to_staff_pages(client, db, target, expected):
    staff = make_staff(db, "assessor")
    path = "/staff/login"
    token = csrf(client.get(path))
    response = client.post(
        path,
        query_string={"next": target} if target else None,
        data={"csrf_token": token, "email": staff["email"], "password": PASSWORD},
    )
    assert response.status_code == 302 and response.location == expected


def test_a_disabled_account_cannot_sign_in(client, db):
    staff = make_staff(db, "assessor")
    accounts.set_staff_disabled(db, staff["id"], True, "test")
    response = sign_in(client, staff["email"])
    assert response.status_code == 401
    assert "That email and password do not match an account." in html_of(response)
    assert client.get("/staff/learners").status_code == 302
    assert db.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 0


def test_disabling_an_account_ends_its_open_sessions(app, db):
    admin, _ = staff_client(app, "admin")
    assessor, staff = staff_client(app, "assessor")
    assert assessor.get("/staff/learners").status_code == 200
    response = post(admin, f"/staff/users/{staff['id']}/disable", page="/staff/users")
    assert response.status_code == 303 and response.location == "/staff/users"
    assert accounts.staff_member(db, staff["id"])["disabled_at"]
    assert assessor.get("/staff/learners").status_code == 302
    # enabling again does not bring the old session back: they sign in anew
    post(admin, f"/staff/users/{staff['id']}/disable", page="/staff/users")
    assert accounts.staff_member(db, staff["id"])["disabled_at"] is None
    assert assessor.get("/staff/learners").status_code == 302
    assert sign_in(assessor, staff["email"]).status_code == 302


def test_an_admin_cannot_disable_their_own_account(app, db):
    admin, me = staff_client(app, "admin")
    response = post(admin, f"/staff/users/{me['id']}/disable", page="/staff/users")
    assert response.status_code == 400
    assert accounts.staff_member(db, me["id"])["disabled_at"] is None


def test_sign_out_ends_the_session_on_the_server(app, db):
    client, staff = staff_client(app, "assessor")
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staff/learners").status_code == 200  # the copy works while signed in
    response = post(client, "/staff/logout")
    assert response.status_code == 302 and response.location == "/staff/login"
    assert "You have signed out." in html_of(client.get("/staff/login"))
    assert client.get("/staff/learners").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("session", copied)
    response = fresh.get("/staff/learners")
    assert response.status_code == 302 and response.location.startswith("/staff/login")
    assert thief.get("/staff/learners").status_code == 302
    ended = db.execute("SELECT ended_at FROM staff_sessions WHERE staff_id = ?", [staff["id"]])
    assert all(row[0] for row in ended.fetchall())


def test_signing_in_as_staff_forgets_a_learner_on_the_same_device(app, db):
    staff = make_staff(db, "assessor")
    _, token = add_learner(db, "Sam", staff)
    device = learner_client(app, token)
    assert device.get("/assessment/job").status_code == 200
    assert sign_in(device, staff["email"]).status_code == 302
    assert device.get("/assessment/job").status_code == 302
    assert device.get("/staff/learners").status_code == 200


def test_sign_out_needs_a_csrf_token(app, db):
    client, _ = staff_client(app, "assessor")
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/learners").status_code == 200


def test_three_failures_make_the_next_try_wait(client, db):
    staff = make_staff(db, "assessor")
    for _ in range(3):
        assert sign_in(client, staff["email"], "wrong password").status_code == 401
    response = sign_in(client, staff["email"])  # even the right password must wait
    assert response.status_code == 429
    assert "Too many failed tries. Wait" in html_of(response) and "seconds" in html_of(response)
    assert client.get("/staff/learners").status_code == 302
    # a refused try is not counted as another failure
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 3


def test_failures_are_shared_by_every_worker(app, client, db, tmp_path):
    staff = make_staff(db, "assessor")
    for _ in range(3):
        assert sign_in(client, staff["email"], "wrong password").status_code == 401
    worker = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": app.config["DATABASE"]})
    response = sign_in(worker.test_client(), staff["email"])
    assert response.status_code == 429 and "Wait" in html_of(response)


def client_from(app, address: str):  # type: ignore[no-untyped-def]
    """A test client whose requests come from this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def record_failures(db, email: str, address: str, count: int, at: datetime | None = None) -> None:
    stamp = (at or datetime.now(UTC)).isoformat()
    for _ in range(count):
        db.execute(
            "INSERT INTO sign_in_failures (email, address, at) VALUES (?, ?, ?)",
            [email, address, stamp],
        )


@pytest.mark.parametrize("failures", [10, 11, 30])
def test_ten_failures_lock_sign_in_even_with_the_right_password(app, db, failures):
    staff = make_staff(db, "assessor")
    record_failures(db, staff["email"], "127.0.0.1", failures)  # by another worker, from here
    worker = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE": app.config["DATABASE"]})
    client = worker.test_client()
    response = sign_in(client, staff["email"])
    assert response.status_code == 429
    assert "Sign-in is paused for 15 minutes." in html_of(response)
    assert client.get("/staff/learners").status_code == 302
    assert db.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 0


@pytest.mark.parametrize("failures", [3, 10, 200])
def test_failures_from_elsewhere_never_refuse_the_right_password(app, db, failures):
    """Anyone anywhere could lock a named person out by failing with their email: failures
    count against the account and address together, so the person's own sign-in still works."""
    staff = make_staff(db, "assessor")
    record_failures(db, staff["email"], "192.0.2.7", failures)
    response = sign_in(app.test_client(), staff["email"])
    assert response.status_code == 302 and response.location == "/staff/learners"
    # the failures from there still hold there
    there = client_from(app, "192.0.2.7")
    assert sign_in(there, staff["email"]).status_code == 429


def test_made_up_emails_from_one_address_pause_only_that_address(app, db):
    """10 failures with made-up emails from one address locked out every member of staff (all
    behind the same proxy address). Now one address has a higher ceiling of its own, and no
    other address is refused anything."""
    staff = make_staff(db, "assessor")
    attacker = client_from(app, "198.51.100.9")
    statuses = [
        sign_in(attacker, f"made-up-{i}@centre.example", "guess").status_code
        for i in range(ADDRESS_CEILING + 5)
    ]
    assert statuses == [401] * ADDRESS_CEILING + [429] * 5
    assert sign_in(attacker, staff["email"]).status_code == 429  # that address is paused
    assert sign_in(app.test_client(), staff["email"]).status_code == 302  # nobody else is
    colleague = client_from(app, "198.51.100.10")
    assert sign_in(colleague, staff["email"]).status_code == 302


def test_forty_parallel_wrong_guesses_get_exactly_the_promised_three_checks(app, db, monkeypatch):
    """Each try is recorded before its password is checked, inside one BEGIN IMMEDIATE with the
    look at earlier failures: 40 guesses at once cannot all slip past a count read before any
    of them was written (they got 6 to 18 checks)."""
    import survey.auth

    staff = make_staff(db, "assessor")
    checks = []
    real = survey.auth.check_password_hash

    def counted(hashed: str, password: str) -> bool:
        checks.append(password)
        return real(hashed, password)

    monkeypatch.setattr(survey.auth, "check_password_hash", counted)
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf(c.get("/staff/login")) for c in clients]
    start = threading.Barrier(40)
    statuses: list[int] = []

    def guess(i: int) -> None:
        data = {"csrf_token": tokens[i], "email": staff["email"], "password": f"guess {i}"}
        start.wait()
        statuses.append(clients[i].post("/staff/login", data=data).status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) == 3
    assert sorted(statuses) == [401] * 3 + [429] * 37
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 3


@pytest.mark.parametrize("trusted", [0, 1])
def test_a_forwarded_address_counts_only_from_a_configured_proxy(tmp_path, trusted):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE": str(tmp_path / "p.db"),
            "PROXY_FIX_X_FOR": trusted,
        }
    )
    db = connect(app.config["DATABASE"])
    staff = make_staff(db, "assessor")
    client = app.test_client()
    token = csrf(client.get("/staff/login"))
    client.post(
        "/staff/login",
        data={"csrf_token": token, "email": staff["email"], "password": "wrong"},
        headers={"X-Forwarded-For": "203.0.113.5"},
    )
    address = db.execute("SELECT address FROM sign_in_failures").fetchone()[0]
    assert address == ("203.0.113.5" if trusted else "127.0.0.1")
    db.conn.close()


def test_failures_older_than_the_window_do_not_count(client, db):
    staff = make_staff(db, "assessor")
    old = (datetime.now(UTC) - timedelta(minutes=16)).isoformat(timespec="seconds")
    for _ in range(12):
        db.execute(
            "INSERT INTO sign_in_failures (email, address, at) VALUES (?, ?, ?)",
            [staff["email"], "127.0.0.1", old],
        )
    assert sign_in(client, staff["email"]).status_code == 302


def test_signing_in_clears_the_failures_of_that_email(client, db):
    staff = make_staff(db, "assessor")
    for _ in range(2):
        sign_in(client, staff["email"], "wrong password")
    assert sign_in(client, staff["email"]).status_code == 302
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0


T = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "count, seconds_later, wait",
    [
        (0, 0, 0),
        (1, 0, 0),
        (2, 0, 0),
        (3, 0, 2),
        (3, 0.5, 2),
        (3, 1, 1),
        (3, 1.5, 1),
        (3, 2, 0),
        (3, 60, 0),
        (4, 0, 4),
        (5, 0, 8),
        (5, 7.9, 1),
        (5, 8, 0),
        (9, 0, 128),
        (9, 128, 0),
        (10, 0, 900),
        (10, 60, 840),
        (10, 899.5, 1),
        (10, 900, 0),
        (25, 0, 900),
    ],
)
def test_sign_in_wait_grows_then_locks(count, seconds_later, wait):
    failures = [(T - timedelta(seconds=count - i)).isoformat() for i in range(count)]
    last = datetime.fromisoformat(failures[-1]) if failures else T
    assert sign_in_wait(failures, last + timedelta(seconds=seconds_later)) == wait


def test_sign_in_wait_counts_from_the_latest_failure():
    failures = [(T - timedelta(minutes=10)).isoformat(), (T - timedelta(minutes=5)).isoformat()]
    failures.append(T.isoformat())
    assert sign_in_wait(failures, T + timedelta(seconds=1)) == 1


@pytest.mark.parametrize(
    "ages, wait",
    [
        ([0] * 29, 0),  # under the ceiling
        ([0] * 30, 900),
        ([600] + [0] * 29, 300),  # the oldest of the 30 leaves the window in 5 minutes
        ([800, 600] + [0] * 29, 300),  # only the newest 30 matter
        ([600] * 30, 300),
        ([900] * 30, 0),
    ],
)
def test_an_address_is_paused_until_it_is_under_the_ceiling_again(ages, wait):
    failures = [(T - timedelta(seconds=age)).isoformat() for age in ages]
    assert address_wait(failures, T) == wait


def test_sign_in_wait_uses_the_clock_when_no_time_is_given():
    long_ago = [(T - timedelta(days=1)).isoformat()] * 12
    assert sign_in_wait(long_ago) == 0
    just_now = [datetime.now(UTC).isoformat()] * 12
    assert 890 <= sign_in_wait(just_now) <= 900


# ---- the setup link -----------------------------------------------------------------------


def use_setup(client, token: str, **changes):
    page = client.get(f"/staff/setup/{token}")
    return client.post(f"/staff/setup/{token}", data={"csrf_token": csrf(page), **SETUP, **changes})


def test_setup_link_creates_the_first_admin_and_signs_them_in(client, db):
    token = accounts.create_setup_link(db)
    assert token
    page = client.get(f"/staff/setup/{token}")
    assert page.status_code == 200 and "Create the first admin account" in html_of(page)
    response = use_setup(client, token)
    assert response.status_code == 302 and response.location == "/staff/learners"
    admin = accounts.staff_by_email(db, SETUP["email"])
    assert (admin["name"], admin["role"]) == ("Ada Admin", "admin")
    assert admin["password_hash"].startswith("scrypt:")
    learners = client.get("/staff/learners")
    assert learners.status_code == 200 and "Your admin account is ready." in html_of(learners)
    assert client.get("/staff/users").status_code == 200
    entry = db.execute("SELECT actor, action FROM audit WHERE action = 'staff-added'").fetchone()
    assert tuple(entry) == ("setup-link", "staff-added")


def test_setup_link_works_once(app, client, db):
    token = accounts.create_setup_link(db)
    assert use_setup(client, token).status_code == 302
    other = app.test_client()
    assert other.get(f"/staff/setup/{token}").status_code == 404
    token_value = csrf(client.get("/staff/learners"))  # the used link shows no form any more
    again = client.post(
        f"/staff/setup/{token}",
        data={"csrf_token": token_value, **SETUP, "email": "second@centre.example"},
    )
    assert again.status_code == 404
    assert accounts.staff_count(db) == 1


def test_an_expired_setup_link_is_404(client, db):
    token = accounts.create_setup_link(db)
    db.execute("UPDATE setup_links SET expires_at = '2000-01-01T00:00:00+00:00'")
    response = client.get(f"/staff/setup/{token}")
    assert response.status_code == 404 and "has been used or has expired" in html_of(response)
    assert accounts.staff_count(db) == 0


def test_setup_link_is_404_once_an_admin_exists(client, db):
    token = accounts.create_setup_link(db)
    make_staff(db, "assessor")  # an assessor made on the command line: still no admin
    assert client.get(f"/staff/setup/{token}").status_code == 200
    make_staff(db, "admin")
    assert client.get(f"/staff/setup/{token}").status_code == 404


@pytest.mark.parametrize("token", ["", "x", "not-a-real-setup-token-at-all-000000000000"])
def test_a_made_up_setup_link_is_404(client, db, token):
    accounts.create_setup_link(db)
    assert client.get(f"/staff/setup/{token}x").status_code == 404


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"password": "short", "confirm": "short"}, "Use 12 to 200 characters."),
        ({"confirm": "something different"}, "The two passwords are not the same."),
        ({"email": "not an email"}, "Enter an email address like name@example.org."),
        ({"name": ""}, "Enter your name."),
    ],
)
def test_a_bad_setup_form_is_400_and_keeps_the_link(client, db, changes, message):
    token = accounts.create_setup_link(db)
    response = use_setup(client, token, **changes)
    assert response.status_code == 400 and message in html_of(response)
    assert accounts.staff_count(db) == 0 and accounts.setup_link_valid(db, token)


def test_a_fresh_install_prints_a_working_setup_link(tmp_path, capsys):
    path = tmp_path / "fresh.db"
    app = create_app({"SECRET_KEY": "x", "DATABASE": str(path)})
    err = capsys.readouterr().err
    assert "/staff/setup/" in err
    token = re.search(r"/staff/setup/(\S+)", err).group(1)
    assert app.test_client().get(f"/staff/setup/{token}").status_code == 200
    assert "FLASK_PUBLIC_URL is not set, so this link works only on this computer" in err
    create_app(
        {"SECRET_KEY": "x", "DATABASE": str(tmp_path / "b.db"), "PUBLIC_URL": "https://a.example"}
    )
    public = capsys.readouterr().err
    assert "https://a.example/staff/setup/" in public and "not set" not in public


@pytest.mark.parametrize("later_seconds", [5, 90, 3600, 23 * 3600])
def test_a_printed_setup_link_keeps_working_when_the_app_starts_again(
    tmp_path, capsys, later_seconds
):
    """A respawned worker, a second worker or any `flask` command starts the app again: the
    link printed first must keep working for its 24 hours, and the later start says so."""
    path = tmp_path / "fresh.db"
    create_app({"SECRET_KEY": "x", "DATABASE": str(path)})
    token = re.search(r"/staff/setup/(\S+)", capsys.readouterr().err).group(1)
    db = connect(path)
    earlier = (datetime.now(UTC) - timedelta(seconds=later_seconds)).isoformat(timespec="seconds")
    db.execute("UPDATE setup_links SET created_at = ?", [earlier])  # as if printed back then
    app = create_app({"SECRET_KEY": "x", "DATABASE": str(path)})
    err = capsys.readouterr().err
    assert "/staff/setup/" not in err  # no second link to compete with the first
    assert "A setup link for the first admin was printed" in err and "valid until" in err
    assert accounts.setup_link_valid(db, token)
    assert app.test_client().get(f"/staff/setup/{token}").status_code == 200
    assert db.execute("SELECT count(*) FROM setup_links").fetchone()[0] == 1
    db.conn.close()


def test_a_new_setup_link_is_printed_once_the_last_one_expired(tmp_path, capsys):
    path = tmp_path / "fresh.db"
    create_app({"SECRET_KEY": "x", "DATABASE": str(path)})
    old = re.search(r"/staff/setup/(\S+)", capsys.readouterr().err).group(1)
    db = connect(path)
    db.execute("UPDATE setup_links SET expires_at = '2000-01-01T00:00:00+00:00'")
    app = create_app({"SECRET_KEY": "x", "DATABASE": str(path)})
    new = re.search(r"/staff/setup/(\S+)", capsys.readouterr().err).group(1)
    assert new != old and app.test_client().get(f"/staff/setup/{new}").status_code == 200
    db.conn.close()


def test_no_setup_link_is_printed_when_staff_exist(tmp_path, capsys):
    path = tmp_path / "staffed.db"
    migrate(path)
    db = connect(path)
    make_staff(db, "admin")
    create_app({"SECRET_KEY": "x", "DATABASE": str(path)})
    err = capsys.readouterr().err
    assert "/staff/setup/" not in err
    assert db.execute("SELECT count(*) FROM setup_links").fetchone()[0] == 0
    db.conn.close()


def test_testing_apps_print_no_setup_link(tmp_path, capsys):
    create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE": str(tmp_path / "t.db")})
    assert "/staff/setup/" not in capsys.readouterr().err
