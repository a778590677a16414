"""The learner's journey over HTTP: entry, saving, tampering, starting point, self-check, QR."""

from __future__ import annotations

import http.client
import io
import re
import threading

import pytest
from helpers import confirm_in_store, csrf, dom, post, post_form, words
from werkzeug.serving import make_server

from survey.db import connect
from survey.store import accounts, audit, learners, records, sql, tokens


@pytest.fixture
def learner(db):
    return learners.create_learner(db, "Sam Learner")


def enter(client, token):
    return client.get(f"/l/{token}")


def post_page(client, key, data):
    return post_form(client, f"/assessment/{key}", data)


def save_one(client, name, value, page="F1-1"):
    # the token from a page that always has a form (a read-only page has none)
    data = {"name": name, "value": value, "page": page}
    return post(client, "/assessment/save", data, page="/forget")


# ---- entry --------------------------------------------------------------------------------


def test_personal_link_remembers_the_learner_and_starts_the_assessment(client, learner):
    _, token = learner
    response = enter(client, token)
    assert response.status_code == 302 and response.location == "/assessment"
    assert client.get("/assessment").location == "/welcome"  # nothing answered yet
    page = client.get("/assessment/job")
    assert page.status_code == 200
    assert "About your job" in page.get_data(as_text=True)


def test_session_cookie_is_long_lived_httponly_and_lax(client, learner):
    response = enter(client, learner[1])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_the_long_lived_cookie_is_renewed_once_a_day(client, learner, monkeypatch):
    from survey import web

    first = enter(client, learner[1])
    assert "Expires=" in first.headers["Set-Cookie"]
    client.get("/assessment/F1-1")  # the first form keeps its CSRF secret in the session
    # later the same day: nothing new to say, so no cookie is signed and sent again
    assert "Set-Cookie" not in client.get("/assessment/F1-1").headers
    # the next day the cookie is renewed, so a phone in use never reaches its expiry
    monkeypatch.setattr(web, "today", lambda: web.date.today().toordinal() + 1)
    renewed = client.get("/assessment/F1-1")
    assert renewed.status_code == 200 and "Expires=" in renewed.headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/assessment/F1-2").headers
    assert client.get("/assessment/F1-2").status_code == 200  # still known


def test_a_response_a_shared_cache_may_keep_never_carries_the_learners_cookie(
    app, client, learner, monkeypatch
):
    """A cache between the phone and the app (a proxy, a CDN) would hand a public response,
    cookie and all, to the next person asking for the same address."""
    from survey import web

    enter(client, learner[1])
    client.get("/assessment/F1-1")
    with app.test_request_context():
        script = app.jinja_env.globals["static_url"]("app.js")
    monkeypatch.setattr(web, "today", lambda: web.date.today().toordinal() + 1)
    public = [script, "/static/style.css", "/static/icon.svg", "/q/03455/qr/B1.svg"]
    for path in public:
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert response.cache_control.public, path
            assert "Set-Cookie" not in response.headers, path
    # the learner's own pages still renew the cookie, privately
    renewed = client.get("/assessment/F1-1")
    assert "Expires=" in renewed.headers["Set-Cookie"]
    assert not renewed.cache_control.public


def test_a_real_session_change_on_a_public_response_makes_it_private(app, client, learner):
    @app.get("/test-only/public-and-remembers")
    def public_and_remembers():  # type: ignore[no-untyped-def]
        from flask import session

        session["seen"] = True
        response = app.response_class("hello")
        response.cache_control.public = True
        response.cache_control.max_age = 60
        return response

    response = client.get("/test-only/public-and-remembers")
    assert "Set-Cookie" in response.headers  # the change is kept ...
    assert not response.cache_control.public and response.cache_control.private  # ... privately


def test_only_the_token_hash_is_stored(db, learner):
    learner_id, token = learner
    row = learners.learner(db, learner_id)
    assert row["token_hash"] == tokens.hash_token(token) and token not in str(row)
    assert len(token) == 26  # 130 random bits


def test_a_wrong_link_is_a_clear_404(client):
    response = client.get("/l/not-a-real-token")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_without_a_link_the_learner_is_asked_for_their_code(client):
    response = client.get("/assessment/job")
    assert response.status_code == 302
    assert response.location == "/code?next=/assessment/job"


def test_reissued_link_stops_the_old_link_and_signs_out_devices(client, db, learner):
    learner_id, token = learner
    enter(client, token)
    assert client.get("/assessment/job").status_code == 200
    new = learners.reissue_token(db, learner_id, "test")
    assert client.get("/assessment/job").status_code == 302  # this device forgot them
    assert client.get(f"/l/{token}").status_code == 404
    assert enter(client, new).status_code == 302
    assert client.get("/assessment/job").status_code == 200


def test_code_page_accepts_the_code_as_typed_and_continues(client, learner):
    _, token = learner
    page = client.get("/code?next=/q/03455/check/B1")
    typed = " " + tokens.pretty_token(token).upper() + " "
    response = client.post(
        "/code?next=/q/03455/check/B1", data={"csrf_token": csrf(page), "code": typed}
    )
    assert response.status_code == 302 and response.location == "/q/03455/check/B1"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/q/03455/units/F1"]
)
def test_code_page_never_redirects_elsewhere(client, learner, target):
    page = client.get("/code")
    response = client.post(
        f"/code?next={target}", data={"csrf_token": csrf(page), "code": learner[1]}
    )
    assert response.location == "/assessment"


def test_wrong_code_is_refused_with_a_message(client):
    page = client.get("/code")
    response = client.post("/code", data={"csrf_token": csrf(page), "code": "abcd-efgh"})
    assert response.status_code == 400
    assert "That code was not recognised" in response.get_data(as_text=True)


def test_forget_this_device(client, learner):
    enter(client, learner[1])
    page = client.get("/forget")
    assert "Sam Learner" in page.get_data(as_text=True)
    client.post("/forget", data={"csrf_token": csrf(page)})
    assert client.get("/assessment/job").status_code == 302


# ---- the pages ----------------------------------------------------------------------------


def progress(response) -> str:
    said = words(response.get_data(as_text=True))
    return re.search(r"Page \d+ of \d+", said).group(0)


def test_progress_counts_only_the_pages_this_learner_sees(client, learner, q):
    enter(client, learner[1])
    # before the job page: 1 job + 5 outcome pages + 4 groups + interests + review
    assert progress(client.get("/assessment/job")) == "Page 1 of 12"
    closed = {c.id: "no" for c in q.contexts}
    post_page(client, "job", {f"c-{k}": v for k, v in closed.items()})
    # every context "no": groups still have units any job can evidence, so still 4 group pages
    assert progress(client.get("/assessment/F1-1")) == "Page 2 of 12"
    group_b = client.get("/assessment/group-B").get_data(as_text=True)
    assert "I can deal with customers face to face" not in group_b
    assert "I can maintain a positive and customer-friendly attitude" in group_b


def test_a_page_post_saves_and_moves_on(client, db, learner):
    learner_id, token = learner
    enter(client, token)
    response = post_page(client, "F1-1", {"r-F1-1.1": "3", "r-F1-1.2": "1"})
    assert response.status_code == 303 and response.location == "/assessment/F1-2"
    assert learners.ratings(db, learner_id) == {"F1:1.1": 3, "F1:1.2": 1}
    assert learners.learner(db, learner_id)["resume_page"] == "F1-2"
    # reopening the link continues where they stopped
    assert client.get("/assessment").location == "/assessment/F1-2"


def test_back_button_saves_and_goes_back(client, db, learner):
    enter(client, learner[1])
    response = post_page(client, "F1-2", {"r-F1-2.2": "2", "go": "back"})
    assert response.location == "/assessment/F1-1"
    assert learners.ratings(db, learner[0]) == {"F1:2.2": 2}


def test_saved_answers_are_shown_again(client, learner):
    enter(client, learner[1])
    post_page(client, "F1-1", {"r-F1-1.1": "2"})
    assert "checked" in dom(client.get("/assessment/F1-1")).find("input", id="r-F1-1.1-2").attrs


def test_knowledge_statements_use_the_knowledge_scale(client, learner):
    enter(client, learner[1])
    body = client.get("/assessment/F1-3").get_data(as_text=True)
    assert "Could explain with examples" in body and "Could show evidence now" not in body
    body = client.get("/assessment/F1-1").get_data(as_text=True)
    assert "Could show evidence now" in body


def test_help_text_and_fieldsets(client, learner):
    enter(client, learner[1])
    body = client.get("/assessment/F1-3").get_data(as_text=True)
    assert body.count("<fieldset") == 15 and body.count("<legend>") == 15
    assert "Internal customers work for your organisation" in body


def test_job_page_saves_role_and_contexts(client, db, learner):
    learner_id, token = learner
    enter(client, token)
    post_page(
        client,
        "job",
        {
            "job_role": "other",
            "job_role_other": "Receptionist",
            "c-incoming-calls": "yes",
            "c-writing": "sometimes",
        },
    )
    row = learners.learner(db, learner_id)
    assert (row["job_role"], row["job_role_other"]) == ("other", "Receptionist")
    assert learners.context_answers(db, learner_id) == {
        "incoming-calls": "yes",
        "writing": "sometimes",
    }


def test_interests_page_keeps_exactly_the_ticked_units(client, db, learner):
    enter(client, learner[1])
    post_page(client, "interests", {"interests": ["A11", "C3"]})
    assert learners.interests(db, learner[0]) == {"A11", "C3"}
    post_page(client, "interests", {"interests": ["C3"]})
    assert learners.interests(db, learner[0]) == {"C3"}


# ---- saving one answer in the background ---------------------------------------------------


def test_background_save_is_idempotent(client, db, learner):
    enter(client, learner[1])
    for _ in range(3):
        response = save_one(client, "r-F1-1.1", "2")
        assert response.status_code == 200 and response.json == {"ok": True}
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 2}
    ratings = [e for e in audit.entries(db, learner[0]) if e["action"] == "rating"]
    assert len(ratings) == 1
    assert learners.learner(db, learner[0])["resume_page"] == "F1-1"


def test_background_save_of_contexts_role_and_interests(client, db, learner):
    enter(client, learner[1])
    assert save_one(client, "c-problems", "sometimes", page="job").status_code == 200
    assert save_one(client, "job_role", "Courier", page="job").status_code == 200
    assert save_one(client, "interests", "A5:1", page="interests").status_code == 200
    assert learners.context_answers(db, learner[0]) == {"problems": "sometimes"}
    assert learners.learner(db, learner[0])["job_role"] == "Courier"
    assert learners.interests(db, learner[0]) == {"A5"}
    save_one(client, "interests", "A5:0", page="interests")
    assert learners.interests(db, learner[0]) == set()


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("r-F1-1.1", "7", "A rating must be one of the four choices."),
        ("r-F1-1.1", "-1", "A rating must be one of the four choices."),
        ("r-F9-9.9", "1", "That statement is not part of this assessment."),
        ("c-telepathy", "yes", "That question is not part of this assessment."),
        ("c-writing", "often", "Choose yes, sometimes or no."),
        ("job_role", "Astronaut", "Choose a job from the list, or Something else."),
        ("interests", "ZZ1:1", "That unit is not part of this qualification."),
        ("learner_id", "2", "That answer could not be saved: unknown field."),
    ],
)
def test_tampered_values_are_refused_and_change_nothing(client, db, learner, name, value, message):
    enter(client, learner[1])
    save_one(client, "r-F1-1.1", "2")
    before = (learners.ratings(db, learner[0]), learners.context_answers(db, learner[0]))
    response = save_one(client, name, value)
    assert response.status_code == 400
    # "drop": the answer itself is wrong, so a phone keeping it to send again may let it go
    assert response.json == {"ok": False, "error": message, "drop": True}
    assert (learners.ratings(db, learner[0]), learners.context_answers(db, learner[0])) == before


def learner_key(page) -> str:
    """The opaque key a learner's page carries, naming whose answers its script keeps."""
    keys = [e["data-learner"] for e in dom(page).iter() if "data-learner" in e.attrs]
    assert len(keys) == 1, keys
    return keys[0]


def test_every_answering_page_says_whose_it_is_without_naming_them(app, client, db, learner):
    learner_id, token = learner
    enter(client, token)
    keys = {learner_key(client.get(path)) for path in ("/assessment/job", "/assessment/F1-1")}
    keys.add(learner_key(client.get("/q/03455/check/B1")))
    assert len(keys) == 1
    key = keys.pop()
    assert len(key) >= 16 and re.fullmatch(r"[0-9a-f]+", key)
    row = learners.learner(db, learner_id)
    for secret in (str(learner_id), row["name"], token, row["token_hash"][:16]):
        assert secret not in key
    # the same learner after a new link: the same key (their unsent answers are still theirs)
    new_token = learners.reissue_token(db, learner_id, "test")
    again = app.test_client()
    enter(again, new_token)
    assert learner_key(again.get("/assessment/F1-1")) == key
    # another learner: another key
    _, other_token = learners.create_learner(db, "Other Person")
    other = app.test_client()
    enter(other, other_token)
    assert learner_key(other.get("/assessment/F1-1")) != key


def test_an_answer_sent_for_another_learner_is_never_saved_as_this_one(app, client, db, learner):
    """A shared phone: P's answers, kept on it, must never be sent in Q's name."""
    p_id, p_token = learner
    enter(client, p_token)
    p_key = learner_key(client.get("/assessment/F1-1"))
    q_id, q_token = learners.create_learner(db, "Quinn Next")
    enter(client, q_token)  # Q takes the phone
    page = client.get("/assessment/F1-1")
    q_key = learner_key(page)
    data = {"csrf_token": csrf(page), "name": "r-F1-1.1", "value": "3", "page": "F1-1"}
    response = client.post(
        "/assessment/save", data={**data, "learner": p_key}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 409 and response.json["ok"] is False
    assert not response.json.get("drop")  # P's answer: kept on the phone for P
    assert learners.ratings(db, q_id) == {} and learners.ratings(db, p_id) == {}
    check = client.post(
        "/q/03455/check/B1/save",
        data={**data, "name": "r-B1-1.1", "learner": p_key},
        headers={"Accept": "application/json"},
    )
    assert check.status_code == 409 and not check.json.get("drop")
    assert learners.unfinished_check(db, q_id, "B1") is None
    ok = client.post("/assessment/save", data={**data, "learner": q_key})
    assert ok.status_code == 200 and learners.ratings(db, q_id) == {"F1:1.1": 3}


def test_a_stale_token_is_refused_with_a_fresh_one_that_works(app, client, db, learner):
    """Opening the link again starts a new session: a page still open (or answers queued on
    the phone) hold the old token. The refusal hands the script the current one to retry with;
    the learner key still decides whose answer it is."""
    learner_id, token = learner
    enter(client, token)
    old_page = client.get("/assessment/F1-1")
    key = learner_key(old_page)
    enter(client, token)  # the link again: the old page's token is no longer good
    data = {"csrf_token": csrf(old_page), "name": "r-F1-1.1", "value": "2", "page": "F1-1"}
    refused = client.post(
        "/assessment/save", data={**data, "learner": key}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400 and not refused.json.get("drop")
    fresh = refused.json["csrf_token"]
    assert fresh and fresh != data["csrf_token"]
    assert learners.ratings(db, learner_id) == {}
    again = client.post(
        "/assessment/save",
        data={**data, "csrf_token": fresh, "learner": key},
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 200 and learners.ratings(db, learner_id) == {"F1:1.1": 2}


@pytest.mark.parametrize(
    "case, status, drop",
    [
        ("signed out", 401, False),  # the phone forgot them: keep it until they come back
        ("locked", 409, True),  # the answers can no longer change
        ("bad value", 400, True),
        ("finished check", 409, True),
    ],
)
def test_a_refusal_says_whether_the_answer_itself_is_wrong(client, db, learner, case, status, drop):
    learner_id, token = learner
    enter(client, token)
    page = client.get("/q/03455/check/B1" if case == "finished check" else "/assessment/F1-1")
    data = {"csrf_token": csrf(page), "name": "r-F1-1.1", "value": "2", "page": "F1-1"}
    path = "/assessment/save"
    if case == "signed out":
        client.post("/forget", data={"csrf_token": data["csrf_token"]})
        data["csrf_token"] = csrf(client.get("/code"))
    elif case == "locked":
        db.execute(
            "UPDATE learners SET plan_confirmed_at = ? WHERE id = ?", [sql.now(), learner_id]
        )
    elif case == "bad value":
        data["value"] = "9"
    else:
        shown = next(e["data-page"] for e in dom(page).iter() if "data-page" in e.attrs)
        check = learners.open_check(db, learner_id, "B1")
        learners.save_check_ratings(db, check, {"B1:1.1": 1}, "t")
        learners.finish_check(db, check, "t")
        db.execute("UPDATE self_checks SET finished_at = ?", ["9999"])  # after it was shown
        path, data = "/q/03455/check/B1/save", {**data, "name": "r-B1-1.2", "page": shown}
    response = client.post(path, data=data, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert bool(response.json.get("drop")) is drop


def test_tampered_page_post_keeps_the_good_answers_and_names_the_bad_one(client, db, learner):
    enter(client, learner[1])
    response = post_page(client, "F1-1", {"r-F1-1.1": "3", "r-F1-1.2": "7"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the answers shown." in body
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 3}


def test_a_refused_page_shows_what_was_posted_and_marks_the_bad_one(client, db, learner):
    enter(client, learner[1])
    response = post_page(client, "F1-1", {"r-F1-1.1": "3", "r-F1-1.2": "7"})
    body = response.get_data(as_text=True)
    # the good answer is shown chosen; the tampered one has no choice ticked and its message
    assert '<input checked id="r-F1-1.1-3" name="r-F1-1.1"' in body
    assert 'checked id="r-F1-1.2-' not in body
    bad = body.split('id="r-F1-1.2"')[0].rsplit("<fieldset", 1)[1]
    assert "has-error" in bad
    good = body.split('id="r-F1-1.1"')[0].rsplit("<fieldset", 1)[1]
    assert "has-error" not in good
    assert body.count('class="error"') == 1


def test_job_page_with_a_tampered_answer_keeps_the_rest(client, db, learner):
    learner_id, token = learner
    enter(client, token)
    post_page(client, "job", {"c-writing": "yes"})
    response = post_page(
        client,
        "job",
        {"job_role": "Courier", "c-incoming-calls": "yes", "c-writing": "often"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the answers shown." in body
    # the valid answers are saved; the refused one keeps the answer saved before
    assert learners.context_answers(db, learner_id) == {"incoming-calls": "yes", "writing": "yes"}
    assert learners.learner(db, learner_id)["job_role"] == "Courier"
    assert '<input checked id="c-incoming-calls-0" name="c-incoming-calls"' in body


def test_blank_answers_leave_saved_ones_alone(client, db, learner):
    enter(client, learner[1])
    post_page(client, "F1-1", {"r-F1-1.1": "2"})
    response = post_page(client, "F1-1", {"r-F1-1.1": "  ", "r-F1-1.2": "1"})
    assert response.status_code == 303
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 2, "F1:1.2": 1}


def test_the_result_follows_changed_answers(client, db, learner, q):
    """The suggested plan is remembered per set of answers, never per learner."""
    enter(client, learner[1])
    answer_everything(client, q)
    post_page(client, "interests", {"interests": ["A11"]})
    submit(client)
    first = client.get("/result").get_data(as_text=True)
    reopen = client.post("/assessment/reopen", data={"csrf_token": csrf(client.get("/result"))})
    assert reopen.status_code == 303
    post_page(client, "job", {"c-outgoing-calls": "yes"})
    post_page(client, "interests", {"interests": ["A12"]})
    submit(client)
    second = client.get("/result").get_data(as_text=True)

    def picked(page: str) -> list[str]:
        """The units whose reason is that the learner said it interests them."""
        return [
            li.find("span", class_="num").text
            for li in dom(page).find_all("li")
            if li.find("span", class_="num") and "you said it interests you" in li.text
        ]

    assert picked(first) == ["A11"]
    assert picked(second) == ["A12"]
    assert client.get("/result").get_data(as_text=True) == second


def test_missing_csrf_token_is_refused_and_changes_nothing(client, db, learner):
    enter(client, learner[1])
    response = client.post("/assessment/F1-1", data={"r-F1-1.1": "3"})
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    response = client.post(
        "/assessment/save",
        data={"name": "r-F1-1.1", "value": "3"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and response.json["ok"] is False
    assert "reload the page" in response.json["error"]
    assert learners.ratings(db, learner[0]) == {}


def test_a_huge_body_is_refused(client, db, learner):
    enter(client, learner[1])
    response = client.post("/assessment/save", data={"name": "r-F1-1.1", "value": "x" * 400_000})
    assert response.status_code == 413
    assert learners.ratings(db, learner[0]) == {}


def chunked_post(port: int, path: str, body: bytes, cookie: str) -> int:
    """POST a body in chunks (no Content-Length), as a streaming client may; the status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.putheader("Cookie", cookie)
        conn.endheaders()
        for start in range(0, len(body), 16384):
            chunk = body[start : start + 16384]
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return 413  # the server answered and closed before reading the rest
    finally:
        conn.close()


def test_a_chunked_body_over_the_limit_is_refused_not_cut_and_saved(app, db, learner):
    """Without a Content-Length the server cannot refuse up front; the app must not parse the
    first 256 KB of a longer body as if it were all of it."""
    client = app.test_client()
    enter(client, learner[1])
    token = csrf(client.get("/assessment/F1-1"))
    cookie = f"session={client.get_cookie('session').value}"
    answers = f"csrf_token={token}&r-F1-1.1=3&r-F1-1.2=2&padding=".encode()
    small = answers + b"x" * 1000
    big = answers + b"x" * (400 * 1024)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        assert chunked_post(httpd.server_port, "/assessment/F1-1", big, cookie) == 413
        assert learners.ratings(db, learner[0]) == {}
        assert chunked_post(httpd.server_port, "/assessment/F1-1", small, cookie) == 303
        assert learners.ratings(db, learner[0]) == {"F1:1.1": 3, "F1:1.2": 2}
    finally:
        httpd.shutdown()
        thread.join()
    # the same through the test client's WSGI environ (a server that ends the stream itself)
    learners.save_ratings(db, learner[0], {"F1:1.1": 0, "F1:1.2": 0}, "test")
    for body, status in ((big, 413), (small, 303)):
        response = client.post(
            "/assessment/F1-1",
            input_stream=io.BytesIO(body),
            content_type="application/x-www-form-urlencoded",
            environ_overrides={"wsgi.input_terminated": True},
        )
        assert response.status_code == status
        expected = {"F1:1.1": 0, "F1:1.2": 0} if status == 413 else {"F1:1.1": 3, "F1:1.2": 2}
        assert learners.ratings(db, learner[0]) == expected


def test_another_learners_answers_are_never_touched(client, db, learner):
    other_id, _ = learners.create_learner(db, "Other Person")
    learners.save_ratings(db, other_id, {"F1:1.1": 0}, "test")
    enter(client, learner[1])
    save_one(client, "r-F1-1.1", "3")
    assert learners.ratings(db, other_id) == {"F1:1.1": 0}
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 3}


def test_unknown_page_is_a_404(client, learner):
    enter(client, learner[1])
    response = client.get("/assessment/F9-9")
    assert response.status_code == 404
    assert "This page is not part of your assessment." in response.get_data(as_text=True)


# ---- submit, result, locking ----------------------------------------------------------------


def submit(client):
    page = client.get("/assessment/review")
    return client.post("/assessment/submit", data={"csrf_token": csrf(page)})


def answer_everything(client, q, rating="2"):
    post_page(
        client,
        "job",
        {"job_role": "Call Centre Operators", "c-incoming-calls": "yes", "c-face-to-face": "no"},
    )
    for unit in q.mandatory_units:
        for o in unit.outcomes:
            post_page(
                client,
                f"{unit.number}-{o.number}",
                {
                    f"r-{s.id.replace(':', '-')}": rating
                    for s in unit.statements()
                    if s.id.startswith(f"{unit.number}:{o.number}.")
                },
            )


def test_review_lists_unanswered_statements(client, learner):
    enter(client, learner[1])
    post_page(client, "F1-1", {"r-F1-1.1": "3"})
    body = client.get("/assessment/review").get_data(as_text=True)
    assert "1 of 3 answered" in body
    assert "still have no answer" in body


def test_submit_shows_the_starting_point(client, db, learner, q):
    enter(client, learner[1])
    answer_everything(client, q)
    post_page(client, "F1-1", {"r-F1-1.1": "0", "r-F1-1.2": "1"})
    post_page(client, "F1-3", {f"r-F1-3.{i}": "0" for i in range(1, 16)})
    post_page(client, "interests", {"interests": ["A11"]})
    response = submit(client)
    assert response.status_code == 303 and response.location == "/result"
    assert learners.learner(db, learner[0])["submitted_at"]
    body = client.get("/result").get_data(as_text=True)
    assert "Your starting point" in body
    # the learner's units and what to work on in them first, then their strengths
    assert body.index("Your suggested units") < body.index("Your strengths")
    assert "Recognise typical customers" in body or "recognise typical customers" in body
    assert "(Not yet)" in body and "(With help)" in body
    assert "This is a suggestion. Your assessor will talk it through" in body
    assert "A11" in body and "answering calls" in body
    # F2 (all "on my own") is a strength, F1 with gaps is not
    strengths = body.split("Your strengths")[1].split("What happens next")[0]
    assert "F2" in strengths and "F1" not in strengths


def test_result_before_submitting_goes_back_to_the_questions(client, learner):
    enter(client, learner[1])
    response = client.get("/result")
    assert response.status_code == 302 and response.location == "/assessment"


def test_after_submitting_pages_refuse_changes_until_reopened(client, db, learner, q):
    enter(client, learner[1])
    post_page(client, "F1-1", {"r-F1-1.1": "1"})
    submit(client)
    response = post_page(client, "F1-1", {"r-F1-1.1": "3"})
    assert response.status_code == 303 and response.location == "/result"
    assert save_one(client, "r-F1-1.1", "3").status_code == 409
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 1}
    result = client.get("/result")
    client.post("/assessment/reopen", data={"csrf_token": csrf(result)})
    assert learners.learner(db, learner[0])["submitted_at"] is None
    post_page(client, "F1-1", {"r-F1-1.1": "3"})
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 3}


def test_confirmed_plan_makes_answers_read_only(client, db, learner):
    enter(client, learner[1])
    post_page(client, "F1-1", {"r-F1-1.1": "1"})
    submit(client)
    staff = accounts.create_staff(db, "asha@centre.example", "Asha", "assessor", "x", "test")
    confirm_in_store(db, learner[0], ["A3", "B2", "C3", "D1"], staff, f"staff:{staff}")
    result = client.get("/result").get_data(as_text=True)
    assert "Your assessor confirmed these units on" in result
    assert "Change my answers" not in result
    response = save_one(client, "r-F1-1.1", "3")
    assert response.status_code == 409 and "confirmed your plan" in response.json["error"]
    response = client.post("/assessment/reopen", data={"csrf_token": csrf(client.get("/forget"))})
    assert response.location == "/result"
    assert learners.learner(db, learner[0])["submitted_at"]
    assert learners.ratings(db, learner[0]) == {"F1:1.1": 1}


LATE_ANSWERS = [
    ("/assessment/save", {"name": "r-F1-1.1", "value": "3", "page": "F1-1"}),
    ("/assessment/save", {"name": "c-writing", "value": "yes", "page": "job"}),
    ("/assessment/save", {"name": "job_role", "value": "Call Centre Operators"}),
    ("/assessment/save", {"name": "job_role_other", "value": "Barista"}),
    ("/assessment/save", {"name": "interests", "value": "A11:1"}),
    ("/assessment/F1-1", {"r-F1-1.1": "3"}),
    ("/assessment/job", {"job_role": "other", "job_role_other": "Barista", "c-writing": "yes"}),
    ("/assessment/interests", {"interests": "B1"}),
]


@pytest.mark.parametrize("path, data", LATE_ANSWERS)
@pytest.mark.parametrize("lock", ["confirmed", "submitted"])
def test_an_answer_arriving_as_the_answers_are_locked_is_refused(
    app, client, db, learner, monkeypatch, path, data, lock
):
    """The request reads the learner (not locked yet); the assessor confirms the plan, or the
    learner sends their answers in another tab; then the request writes. The lock must be
    checked inside the write's own transaction."""
    enter(client, learner[1])
    learners.save_contexts(db, learner[0], {"incoming-calls": "yes"}, "test")  # opens A11
    page = "interests" if "interests" in str(data) else "F1-1"
    token = csrf(client.get(f"/assessment/{page}"))
    before = records.learner_record(db, learner[0])
    real = learners.learner
    calls = {"n": 0}

    def read_then_lock(conn, learner_id):  # type: ignore[no-untyped-def]
        row = real(conn, learner_id)
        calls["n"] += 1
        if calls["n"] == 1:  # the request's first look at the learner: lock just after it
            other = connect(app.config["DATABASE"])
            try:
                if lock == "confirmed":  # as the assessor's confirm does
                    other.execute(
                        "UPDATE learners SET plan_confirmed_at = ?, submitted_at = ? WHERE id = ?",
                        [sql.now(), sql.now(), learner_id],
                    )
                else:
                    learners.submit(other, learner_id, "tab-2")
            finally:
                other.conn.close()
        return row

    monkeypatch.setattr(learners, "learner", read_then_lock)
    response = client.post(
        path, data={"csrf_token": token, **data}, headers={"Accept": "application/json"}
    )
    monkeypatch.setattr(learners, "learner", real)
    assert calls["n"] >= 1
    after = records.learner_record(db, learner[0])
    for part in ("job_contexts", "ratings", "interests"):
        assert after[part] == before[part], part
    assert (after["learner"]["job_role"], after["learner"]["job_role_other"]) == ("", "")
    late = [e for e in after["audit"] if e["action"] in ("rating", "job-context", "interest")]
    assert late == [e for e in before["audit"] if e["action"] in ("rating", "job-context")]
    if path == "/assessment/save":
        assert response.status_code == 409
        assert ("confirmed your plan" if lock == "confirmed" else "already sent") in (
            response.json["error"]
        )
    else:
        assert response.status_code == 303 and response.location == "/result"


def test_every_change_is_in_the_audit_trail(client, db, learner):
    enter(client, learner[1])
    post_page(client, "F1-1", {"r-F1-1.1": "1"})
    post_page(client, "F1-1", {"r-F1-1.1": "2"})
    entries = [
        (e["actor"], e["action"], e["subject"], e["before"], e["after"])
        for e in audit.entries(db, learner[0])
    ]
    actor = f"learner:{learner[0]}"
    assert entries == [
        ("system", "learner-added", "", None, "Sam Learner"),
        (actor, "rating", "F1:1.1", None, "1"),
        (actor, "rating", "F1:1.1", "1", "2"),
    ]


# ---- unit self-check -------------------------------------------------------------------------


def check_post(client, unit, data):
    page = client.get(f"/q/03455/check/{unit}")
    return client.post(f"/q/03455/check/{unit}", data={"csrf_token": csrf(page), **data})


def test_unit_check_without_a_known_learner_asks_for_the_code(client):
    response = client.get("/q/03455/check/B1")
    assert response.status_code == 302 and response.location == "/code?next=/q/03455/check/B1"


def test_unknown_unit_check_lists_the_real_units(client, q):
    response = client.get("/q/03455/check/ZZ9")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert all(f'href="/q/03455/check/{u.number}"' in body for u in q.units)


def test_unit_check_shows_every_criterion(client, learner, q):
    enter(client, learner[1])
    body = (
        client.get("/q/03455/check/b1").get_data(as_text=True)
        if False
        else client.get("/q/03455/check/B1").get_data(as_text=True)
    )
    assert body.count("<fieldset") == len(q.unit("B1").criteria) == 16
    assert "Learning outcome 2: Know how to do your job" in body
    awaiting = client.get("/q/03455/check/A11").get_data(as_text=True)
    assert "For now you check this unit as a whole" in awaiting
    assert awaiting.count("<fieldset") == 1


def test_unit_check_lowercase_redirects(client, learner):
    enter(client, learner[1])
    assert client.get("/q/03455/check/b1").location == "/q/03455/check/B1"


@pytest.mark.parametrize(
    "path", ["/q/03455/units/b1", "/q/03455/qr/b1.svg", "/q/03455/check/b1", "/q/03455/check/B1"]
)
def test_every_address_naming_a_unit_finds_it_in_any_case(client, learner, path):
    enter(client, learner[1])
    assert client.get(path).status_code in (200, 302)


@pytest.mark.parametrize("number", ["B1", "b1"])
def test_a_self_check_tap_finds_its_unit_in_any_case(client, db, learner, number):
    """POST /check/b1/save was a 404 while GET /check/b1 found B1: one lookup serves both."""
    enter(client, learner[1])
    token = csrf(client.get("/forget"))
    response = client.post(
        f"/q/03455/check/{number}/save",
        data={"csrf_token": token, "name": "r-B1-1.1", "value": "3"},
    )
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    (check,) = learners.unit_checks(db, learner[0], "B1")
    assert learners.check_ratings(db, check["id"]) == {"B1:1.1": 3}


@pytest.mark.parametrize(
    "path", ["/q/03455/units/ZZ9", "/q/03455/check/ZZ9", "/q/03455/qr/ZZ9.svg"]
)
def test_an_address_naming_no_unit_is_a_404_listing_the_units(client, q, path):
    response = client.get(path)
    assert response.status_code == 404
    listed = "/q/03455/check/" if path.startswith("/q/03455/check/") else "/q/03455/units/"
    assert all(f'href="{listed}{u.number}"' in response.get_data(as_text=True) for u in q.units)


def test_repeated_checks_show_progress(client, db, learner):
    enter(client, learner[1])
    first = check_post(client, "B1", {"r-B1-1.1": "1", "r-B1-1.2": "2"})
    assert first.status_code == 303
    body = client.get(first.location).get_data(as_text=True)
    assert "This is your first check of this unit." in body
    second = check_post(client, "B1", {"r-B1-1.1": "3", "r-B1-1.2": "2", "r-B1-1.3": "1"})
    body = client.get(second.location).get_data(as_text=True)
    assert "<strong>1</strong> up, 1 the same, 0 down" in body
    checks = learners.finished_checks(db, learner[0], "B1")
    assert len(checks) == 2 and all(c["finished_at"] for c in checks)


def test_check_compares_with_the_initial_assessment(client, learner):
    enter(client, learner[1])
    post_page(client, "F2-1", {"r-F2-1.1": "0", "r-F2-1.2": "3"})
    response = check_post(client, "F2", {"r-F2-1.1": "2", "r-F2-1.2": "1"})
    body = client.get(response.location).get_data(as_text=True)
    assert (
        "Compared with your initial assessment: <strong>1</strong> up, 0 the same, 1 down" in body
    )


def test_check_with_nothing_answered_asks_for_an_answer(client, db, learner):
    enter(client, learner[1])
    response = check_post(client, "B1", {})
    assert response.status_code == 400
    assert "Answer at least one statement" in response.get_data(as_text=True)
    assert learners.finished_checks(db, learner[0], "B1") == []


def test_another_learners_check_result_is_not_there(client, db, learner):
    other_id, other_token = learners.create_learner(db, "Other")
    other = client.application.test_client()
    enter(other, other_token)
    location = check_post(other, "B1", {"r-B1-1.1": "2"}).location
    enter(client, learner[1])
    assert client.get(location).status_code == 404


def test_check_background_save(client, db, learner):
    enter(client, learner[1])
    page = client.get("/q/03455/check/B1")
    response = client.post(
        "/q/03455/check/B1/save", data={"csrf_token": csrf(page), "name": "r-B1-1.1", "value": "2"}
    )
    assert response.json == {"ok": True}
    check_row = learners.unfinished_check(db, learner[0], "B1")
    assert learners.check_ratings(db, check_row["id"]) == {"B1:1.1": 2}
    wrong = client.post(
        "/q/03455/check/B1/save", data={"csrf_token": csrf(page), "name": "r-F1-1.1", "value": "2"}
    )
    assert wrong.status_code == 400
    assert "not part of this unit" in wrong.json["error"]
    # the saved answer shows when the page is opened again
    assert "checked" in dom(client.get("/q/03455/check/B1")).find("input", id="r-B1-1.1-2").attrs


# ---- QR codes -------------------------------------------------------------------------------


def test_unit_qr_code_is_an_svg_of_the_check_address(app, client):
    app.config["PUBLIC_URL"] = "https://assess.example.org"
    response = client.get("/q/03455/qr/B1.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") and b"<path" in response.data
    sheet = client.get("/q/03455/qr/units").get_data(as_text=True)
    assert "https://assess.example.org/q/03455/check/B1" in sheet
    assert sheet.count('class="qr-card"') == 49


@pytest.mark.parametrize(
    "data", ["https://assess.example.org/q/03455/check/B1", "http://localhost:5000/l/" + "a" * 26]
)
def test_a_qr_code_draws_exactly_the_modules_of_the_code(data):
    """The SVG path (a rectangle per run of dark modules) redrawn as a grid is the code."""
    import qrcode

    from survey.qr import BORDER, MASK_PATTERN, qr_svg

    svg = qr_svg(data).decode()
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER, mask_pattern=MASK_PATTERN
    )
    code.add_data(data)
    matrix = code.get_matrix()
    size = len(matrix)
    assert f'viewBox="0 0 {size} {size}"' in svg
    drawn = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for i in range(int(width)):
            assert not drawn[int(y)][int(x) + i]  # no module drawn twice
            drawn[int(y)][int(x) + i] = True
    assert drawn == matrix
    assert all(not any(row) for row in drawn[:BORDER] + drawn[-BORDER:])  # the quiet zone


def test_qr_falls_back_to_the_request_host(client):
    sheet = client.get("/q/03455/qr/units", base_url="http://centre.local:8000").get_data(
        as_text=True
    )
    assert "http://centre.local:8000/q/03455/check/F1" in sheet


def test_qr_for_unknown_unit_is_404(client):
    assert client.get("/q/03455/qr/ZZ.svg").status_code == 404


# ---- the command ------------------------------------------------------------------------------


def test_learners_add_prints_a_working_link(app, runner, client, db):
    result = runner.invoke(args=["learners", "add", "Jo Bloggs", "--job-role", "Courier"])
    assert result.exit_code == 0, result.output
    link = re.search(r"link: (\S+)", result.output).group(1)
    assert link.startswith("http://localhost:5000/l/")
    token = link.rsplit("/", 1)[1]
    row = learners.learner_by_token(db, token)
    assert (row["name"], row["job_role"]) == ("Jo Bloggs", "Courier")
    assert enter(client, token).status_code == 302


def test_learners_add_with_another_job_title(runner, db):
    runner.invoke(args=["learners", "add", "Al", "--job-role", "Receptionist"])
    row = next(iter(db.query("SELECT * FROM learners")))
    assert (row["job_role"], row["job_role_other"]) == ("other", "Receptionist")


def test_learners_add_rejects_an_empty_name(runner):
    result = runner.invoke(args=["learners", "add", "  "])
    assert result.exit_code == 1 and "the name must be" in result.output


def test_change_my_answers_goes_back_to_the_page_it_was_chosen_on(client, db, learner):
    enter(client, learner[1])
    post_page(client, "F1-2", {"r-F1-2.2": "1"})
    submit(client)
    page = client.get("/assessment/F1-2")
    assert 'action="/assessment/reopen?page=F1-2"' in page.get_data(as_text=True)
    response = client.post("/assessment/reopen?page=F1-2", data={"csrf_token": csrf(page)})
    assert response.status_code == 303 and response.location == "/assessment/F1-2"
    assert learners.learner(db, learner[0])["submitted_at"] is None
    # a page that is not theirs goes to the review instead
    submit(client)
    response = client.post("/assessment/reopen?page=//evil", data={"csrf_token": csrf(page)})
    assert response.location == "/assessment/review"
