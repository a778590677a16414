"""What the test files share: a live server and axe-core for the browser tests, measuring
what a thumb taps, HTTP visitors (CSRF tokens, signing in through the real form, staff and
learner clients, posting), a database dump, the SQL a request runs, an HTML parser to read
pages with, what an assessor does through the real pages, and a second qualification, unlike
03455, to prove nothing is 03455-only."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from survey.content import (
    Activity,
    Context,
    Criterion,
    Group,
    Outcome,
    Qualification,
    Scales,
    Unit,
    Weights,
    load_qualification,
)
from survey.qualifications import served

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 640}
LAPTOP = {"width": 1280, "height": 800}

PASSWORD = "correct horse battery staple"
# werkzeug's scrypt with small work factors: sign-in still goes through the real form
FAST_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def need(thing: str, how: str) -> None:
    """Skip a test whose tool is missing, with the reason; in CI, fail instead."""
    if in_ci():
        pytest.fail(f"CI must run this test: {thing} is missing ({how})")
    pytest.skip(f"{thing} is not installed ({how})")


# ---- the app on loopback ---------------------------------------------------------------------


class LiveServer:
    """The app served on loopback in a thread, for the browser tests."""

    def __init__(self, app, url: str) -> None:
        self.app = app
        self.url = url

    def __add__(self, path: str) -> str:
        return self.url + path

    @contextmanager
    def db(self) -> Iterator:
        from survey.db import connect

        db = connect(self.app.config["DATABASE"])
        try:
            yield db
        finally:
            db.conn.close()

    def add_learner(self, name: str = "Sam Learner") -> tuple[int, str]:
        from survey.store import learners

        with self.db() as db:
            return learners.create_learner(db, name)

    def add_staff(self, role: str, name: str, email: str) -> dict:
        from survey.store import accounts

        with self.db() as db:
            return accounts.staff_member(
                db, accounts.create_staff(db, email, name, role, FAST_HASH, "test")
            )


@contextmanager
def serving(app, ssl_context=None) -> Iterator:
    """Serve a WSGI app on loopback in a thread (TLS with an ssl_context); yields the server."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        thread.join()


@contextmanager
def live_server(app) -> Iterator[LiveServer]:
    with serving(app) as httpd:
        yield LiveServer(app, f"http://127.0.0.1:{httpd.server_port}")


def browser_context(browser, viewport: dict, **options):
    """A context as a phone (or, at laptop width, a laptop) opens pages."""
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, device_scale_factor=1, is_mobile=phone, has_touch=phone, **options
    )
    context.set_default_timeout(10_000)
    return context


def sign_in_staff(page, server: LiveServer, email: str) -> None:
    page.goto(server + "/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/learners")


# ---- axe-core --------------------------------------------------------------------------------

AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 level AA, and the levels and versions below it
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# and axe's best practices for a page's structure (headings in order, one main landmark, ...)
AXE_RULES = [
    "heading-order",
    "page-has-heading-one",
    "landmark-one-main",
    "region",
    "landmark-unique",
    "empty-heading",
    "duplicate-id",
    "list",
]


def axe_path() -> Path:
    if not AXE.exists():
        need("axe-core", "npm ci --prefix tests")
    return AXE


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now.

    The page's context must be made with bypass_csp=True: the policy allows no script but our
    own, and axe is injected.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    result = page.evaluate(
        "([tags, rules]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "rules: Object.fromEntries(rules.map(r => [r, {enabled: true}])), "
        "resultTypes: ['violations']})",
        [AXE_TAGS, AXE_RULES],
    )
    return [
        {
            "rule": v["id"],
            "help": v["help"],
            "where": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def assert_accessible(page, what: str = "") -> None:
    """Open page → run axe → no violations, each named with where it was found."""
    found = axe_violations(page)
    assert found == [], f"{what or page.url}: " + json.dumps(found, indent=1)


# ---- measuring what a thumb taps -------------------------------------------------------------

# every control on the page; a radio or checkbox is tapped through its label
CONTROLS_JS = """
() => {
  const seen = new Set();
  const out = [];
  const pick = el => {
    if (!el || seen.has(el)) return;
    seen.add(el);
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') return;
    if (r.right <= 0 || r.bottom + window.scrollY <= 0) return;  // parked off screen
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    out.push({tag: el.tagName.toLowerCase(), text: text.slice(0, 40),
              x: r.left, y: r.top + window.scrollY, width: r.width, height: r.height});
  };
  document.querySelectorAll('a[href], button, select, textarea, summary, ' +
      'input:not([type=hidden]):not([type=radio]):not([type=checkbox])').forEach(pick);
  document.querySelectorAll('input[type=radio], input[type=checkbox]').forEach(
      el => pick(el.closest('label') || el));
  return out;
}
"""


def controls(page) -> list[dict]:
    """Every visible control with its box in page coordinates."""
    return page.evaluate(CONTROLS_JS)


def too_small(page, least: float = 44) -> list[tuple[str, str, int, int]]:
    """(tag, words, width, height) of every control smaller than least x least px."""
    return [
        (c["tag"], c["text"], round(c["width"]), round(c["height"]))
        for c in controls(page)
        if c["width"] < least or c["height"] < least
    ]


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def box(page, selector: str) -> dict:
    """An element's box in page coordinates (fixed elements: where they are on screen now)."""
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect(); return {x: r.left, y: r.top + "
        "window.scrollY, width: r.width, height: r.height}; }",
    )


# ---- HTTP visitors ---------------------------------------------------------------------------


def html_of(page) -> str:
    """A response's body (or the text itself) as text."""
    if isinstance(page, bytes):
        return page.decode()
    return page if isinstance(page, str) else page.get_data(as_text=True)


def csrf(page) -> str:
    """The CSRF token of the first form on a page (a response, or its HTML)."""
    field = dom(html_of(page)).find("input", name="csrf_token")
    where = getattr(getattr(page, "request", None), "path", "the page")
    assert field is not None, f"no CSRF token on {where}"
    return field["value"]


@contextmanager
def database(app) -> Iterator:
    """A connection of the test's own to the app's database, closed after."""
    from survey.db import connect

    db = connect(app.config["DATABASE"] if hasattr(app, "config") else app)
    try:
        yield db
    finally:
        db.conn.close()


def with_db(app, fn):
    """fn(db) on a connection of its own, closed afterwards; what fn returns."""
    with database(app) as db:
        return fn(db)


def dump(db) -> dict[str, list[str]]:
    """Every row of every table (a connection, or a database file), to show nothing changed."""
    if isinstance(db, str | Path):
        with closing(sqlite3.connect(str(db))) as conn:
            return dump(conn)
    conn = getattr(db, "conn", db)
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {t: sorted(map(repr, conn.execute(f"SELECT * FROM [{t}]"))) for t in tables}


def learner_client(app, token: str):
    """A phone that opened the learner's personal link."""
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 302
    client.application = app
    return client


_staff_numbers = itertools.count(1)


def make_staff(db, role: str = "assessor", name: str | None = None, password_hash: str = FAST_HASH):
    """A staff account of this role (named "Assessor 3" unless a name is given), as a dict."""
    from survey.store import accounts

    n = next(_staff_numbers)
    name = name or f"{role.title()} {n}"
    email = f"{role}{n}@centre.example"
    return accounts.staff_member(
        db, accounts.create_staff(db, email, name, role, password_hash, "test")
    )


# a new account's form, filled in right (the setup link's; add a role for the users page)
SETUP = {
    "name": "Ada Admin",
    "email": "ada@centre.example",
    "password": "twelve chars or more",
    "confirm": "twelve chars or more",
}


def sign_in(client, email: str, password: str = PASSWORD, next_: str | None = None):
    """Sign in through the real form (its CSRF token and all); the form's answer."""
    path = "/staff/login" + (f"?next={next_}" if next_ else "")
    token = csrf(client.get(path))
    return client.post(path, data={"csrf_token": token, "email": email, "password": password})


def staff_client(app, role: str = "assessor", name: str | None = None):
    """A laptop signed in through the real form as a new staff account; (client, staff row)."""
    with database(app) as db:
        staff = make_staff(db, role, name)
    client = app.test_client()
    response = sign_in(client, staff["email"])
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, staff


def post(client, path: str, data: dict | None = None, page: str = "/staff/learners"):
    """POST to `path` with the session's CSRF token, read from `page` as a browser would."""
    token = csrf(client.get(page))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def post_form(client, page: str, data: dict | None = None, to: str | None = None):
    """POST a page's own form: to `to` (or `page`) with the CSRF token of `page`."""
    return post(client, to or page, data, page)


# ---- the SQL a request runs ---------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class TracedSql:
    """Every statement the app's database connections run (sqlite3's trace callback)."""

    def __init__(self, monkeypatch) -> None:
        import survey.db

        self.statements: list[str] = []
        real = survey.db.connect

        def traced(path):  # type: ignore[no-untyped-def]
            db = real(path)
            db.conn.set_trace_callback(self.statements.append)
            return db

        monkeypatch.setattr(survey.db, "connect", traced)

    def of(self, request) -> tuple[object, list[str]]:
        """(what `request()` returns, the statements it ran; connection pragmas left out)."""
        self.statements.clear()
        result = request()
        return result, [s for s in self.statements if not s.startswith("PRAGMA")]


def transactions(statements: list[str]) -> int:
    """Transactions committed: BEGIN ... COMMIT, and each write made outside one."""
    count, inside = 0, False
    for statement in statements:
        word = statement.split(None, 1)[0].upper()
        if word == "BEGIN":
            inside = True
        elif word in ("COMMIT", "END"):
            inside, count = False, count + 1
        elif word == "ROLLBACK":
            inside = False
        elif word in WRITES and not inside:
            count += 1  # autocommit: a transaction of its own
    return count


def reading(statements: list[str], table: str) -> list[str]:
    """The SELECTs among the statements that read `table`."""
    return [
        s
        for s in statements
        if s.lstrip().upper().startswith("SELECT") and re.search(rf"\b(FROM|JOIN) {table}\b", s)
    ]


# ---- reading HTML ----------------------------------------------------------------------------

VOID = set("area base br col embed hr img input link meta param source track wbr".split())


class Element:
    """An HTML element as the parser read it: tag, attributes, children (elements and text)."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None = None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs: str):
        """Every element below this one with the tag, class and attribute values given."""
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (class_ is None or class_ in e.classes)
            and all(e.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str):
        found = self.find_all(tag, class_, **attrs)
        return found[0] if found else None

    @property
    def text(self) -> str:
        """The words in the element, as a person reads them (blocks apart, spaces collapsed)."""
        parts: list[str] = []

        def walk(e: Element) -> None:
            if e.tag in ("script", "style"):
                return
            if e.tag in BLOCKS:
                parts.append(" ")
            for child in e.children:
                parts.append(child) if isinstance(child, str) else walk(child)
            if e.tag in BLOCKS:
                parts.append(" ")

        walk(self)
        return " ".join("".join(parts).split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = self.root

    def handle_starttag(self, tag: str, attrs) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        element: Element | None = self.open
        while element is not None and element.tag != tag:
            element = element.parent
        if element is not None and element.parent is not None:  # else a stray end tag
            self.open = element.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)


def dom(html) -> Element:
    """A page (a response, or HTML) parsed into elements, to read as a browser would."""
    tree = _Tree()
    tree.feed(html_of(html))
    tree.close()
    return tree.root


def by_id(page, element_id: str) -> Element:
    """The element with this id (a page, or an element already parsed)."""
    found = (page if isinstance(page, Element) else dom(page)).find(id=element_id)
    assert found is not None, f"no element with id {element_id!r}"
    return found


def following(page, element_id: str, tag: str) -> Element:
    """The first `tag` element after the one with this id (a heading's table, say)."""
    seen = False
    for element in dom(page).iter():
        if seen and element.tag == tag:
            return element
        seen = seen or element.get("id") == element_id
    raise AssertionError(f"no <{tag}> after #{element_id}")


def row_with(element: Element, words: str) -> Element:
    """The first table row whose words contain `words`."""
    found = next((tr for tr in element.find_all("tr") if words in tr.text), None)
    assert found is not None, f"no row says {words!r}"
    return found


def links(page, prefix: str = "") -> list[str]:
    """Every link's address on the page, in order (only those starting with `prefix`)."""
    return [a["href"] for a in dom(page).find_all("a") if a.get("href", "").startswith(prefix)]


def fields(page, name: str) -> list[str]:
    """The values of every input named `name` on the page, in order."""
    return [e.get("value", "") for e in dom(page).find_all("input", name=name)]


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.found.append((int(tag[1]), ""))
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._open is not None:
            level, _ = self.found[-1]
            self.found[-1] = (level, " ".join("".join(self._open).split()))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def headings(html: str) -> list[tuple[int, str]]:
    """(level, words) of every heading, in page order."""
    parser = _Headings()
    parser.feed(html)
    return parser.found


def headings_in_order(html: str) -> bool:
    """One h1 first, and no heading more than one level below the one before it."""
    levels = [level for level, _ in headings(html)]
    return bool(levels) and levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))


# elements that start on a line of their own: their words never run into the next ones
BLOCKS = set(
    "address article aside br dd div dl dt fieldset figure footer form h1 h2 h3 h4 h5 h6 "
    "header legend li main nav ol p section table td th tr ul title button label option".split()
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def words(html: str) -> str:
    """The text a person reads on the page, spaces collapsed."""
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


# ---- what an assessor does, through the real staff pages ---------------------------------------

VALID = ["A3", "B2", "C3", "D1"]  # optional units that meet every rule of combination
ROW = {  # an activity of an assessment plan, as the plan page's form sends it
    "planned_on": "2027-03-16",
    "observed_when": "morning shift",
    "observed_where": "Front desk",
    "activity": "Greeting visitors",
    "criteria": ["F1:1.1", "F1:2.1", "F2:1.1"],  # across two units
    "evidence": ["observation", "witness"],
    "observer": "assessor",
}
START, PLANNED_END = "2027-01-11", "2027-09-30"  # a programme's dates


def plan_row(**changes: object):  # type: ignore[no-untyped-def]
    """ROW (with changes) as the store keeps it."""
    from survey.plans import PlanRow

    values = {**ROW, **changes}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return PlanRow(**values)


def ready_for_contract(db, learner_id: int, staff_id: int, actor: str = "test") -> None:
    """What a learning contract needs besides confirmed units, straight through the store: the
    programme's dates, an activity in the assessment plan, and every point of the
    initial-assessment conversation ticked with a date and a note."""
    from survey.initial_assessment import ITEM_IDS
    from survey.store import learners, plans

    learners.update_record(
        db, learner_id, {"start_on": START, "planned_end_on": PLANNED_END}, actor
    )
    if not plans.assessment_plan_rows(db, learner_id):
        plans.add_plan_row(db, learner_id, plan_row(), staff_id, actor)
    points = {i: (True, START, "Talked it through with the learner") for i in ITEM_IDS}
    plans.save_checklist(db, learner_id, points, staff_id, actor)


def learner_and_assessor(app, name: str = "Sam Learner", **contexts: str):
    """A learner with an assessor of their own: (learner id, their phone, the assessor's laptop).

    Keyword arguments are job answers ("incoming_calls": "yes" answers incoming-calls)."""
    from survey.store import learners

    assessor, staff = staff_client(app, name="Asha Assessor")
    with database(app) as db:
        learner_id, token = learners.create_learner(db, name)
        learners.assign_assessor(db, learner_id, staff["id"], "test")
        if contexts:
            learners.set_job_role(db, learner_id, "Customer Service Agents", "", "test")
            answers = {k.replace("_", "-"): v for k, v in contexts.items()}
            learners.save_contexts(db, learner_id, answers, "test")
    return learner_id, learner_client(app, token), assessor


def add_learner(db, name: str, assessor: dict | None = None) -> tuple[int, str]:
    """A learner (with this assessor, if any): (id, personal token)."""
    from survey.store import learners

    learner_id, token = learners.create_learner(db, name, actor="test")
    if assessor:
        learners.assign_assessor(db, learner_id, assessor["id"], "test")
    return learner_id, token


def answer(app, learner_id: int, ratings: dict[str, int], send: bool = True) -> None:
    """The learner's ratings, kept (and their answers sent) as the pages would."""
    from survey.store import learners

    with database(app) as db:
        learners.save_ratings(db, learner_id, ratings, "test")
        if send:
            learners.submit(db, learner_id, "test")


def every_statement(app, rating: int = 2) -> dict[str, int]:
    return {s.id: rating for s in served(app).statements()}


def confirm_in_store(db, learner_id: int, units: list[str], staff_id: int, actor: str) -> None:
    """Save and confirm a plan straight through the store, with 03455's rules checked."""
    from functools import partial

    from survey.rules import check_optional
    from survey.store import plans

    q = load_qualification(ROOT / "content" / "03455")
    plans.confirm_unit_plan(db, learner_id, units, staff_id, actor, partial(check_optional, q))


def assessor_confirms(client, learner_id: int, units: list[str]):
    page = f"/staff/learners/{learner_id}/plan"
    response = post_form(client, page, {"action": "confirm", "units": units})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def assessor_plans(client, learner_id: int, row: dict):
    response = post_form(client, f"/staff/learners/{learner_id}/assessment-plan", row)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def assessor_prepares_contract(client, learner_id: int, sign_as: str = ""):
    """The assessor prepares the contract (the record made ready for it first, through the
    store) and, if `sign_as` is given, signs it with that name."""
    from survey.store import learners

    with database(client.application) as db:
        row = learners.learner(db, learner_id)
        ready_for_contract(db, learner_id, row["assessor_id"])
    page = f"/staff/learners/{learner_id}/contract"
    assert post_form(client, page, {"action": "issue"}).status_code == 303
    if sign_as:
        response = post_form(client, page, {"action": "sign", "name": sign_as})
        assert response.status_code == 303, response.get_data(as_text=True)


# ---- a unit given criteria by the centre -----------------------------------------------------


def a11_with_criteria(q: Qualification) -> Unit:
    """A11 (rated as a whole in 03455) with criteria, as its specification would give them."""

    def c(number: str, text: str, kind: str = "performance") -> Criterion:
        return Criterion(
            "A11", int(number[0]), number, text, f"I can {text[0].lower()}{text[1:]}", kind
        )

    return replace(
        q.unit("A11"),
        outcomes=(
            Outcome(
                1,
                "Be able to answer incoming calls",
                (
                    c("1.1", "Answer calls promptly and politely"),
                    c("1.2", "Identify the caller and the reason for the call", "knowledge"),
                ),
            ),
            Outcome(
                2,
                "Be able to deal with the call",
                (
                    c("2.1", "Give accurate information to the caller"),
                    c("2.2", "Pass the call on when it needs someone else"),
                ),
            ),
        ),
    )


# ---- a second qualification --------------------------------------------------------------

# A made-up Level 3 team leading certificate: other group ids and counts, a unit number that is
# all digits, no level rule, a minimum from one group, roles at two levels, text with quotes,
# a backslash and accents, a knowledge-only outcome, and a unit still awaiting its criteria.
SECOND = {
    "qualification.toml": """
code = "TL3-2027"
title = "Level 3 Certificate in Team Leading (\\"Lead\\" route)"
awarding_body = "Example Awards"
level = 3
last_changed = 2027-03-01T10:30:00+01:00

[weights]
credit = 5

[[groups]]
id = "M"
title = "Core"
mandatory = true
credits = 9

[[groups]]
id = "P"
title = "People"

[[groups]]
id = "W"
title = "Work flow"

[[rules]]
id = "total"
kind = "credits"
groups = ["M", "P", "W"]
min = 18
wording = "At least 18 credits in all"

[[rules]]
id = "core"
kind = "all_units"
groups = ["M"]

[[rules]]
id = "one-each"
kind = "units_each_group"
groups = ["P", "W"]
min = 1

[[rules]]
id = "people-credits"
kind = "credits"
groups = ["P"]
min = 4
note = "A centre rule, not the awarding body's."

[[units]]
number = "301"
accreditation = "T/100/0001"
title = "Lead and motivate a team"
credits = 5
level = 3
group = "M"

[[units]]
number = "302"
accreditation = "T/100/0002"
title = "Plan and allocate work"
credits = 4
level = 3
group = "M"

[[units]]
number = "P1"
accreditation = "T/100/0003"
title = "Support a colleague's development"
credits = 4
level = 2
group = "P"

[[units]]
number = "P2"
accreditation = "T/100/0004"
title = "Handle conflict in a team"
credits = 6
level = 3
group = "P"

[[units]]
number = "W1"
accreditation = "T/100/0005"
title = "Run a stand-up briefing"
credits = 3
level = 3
group = "W"

[scales]
performance = ["Not yet", "With support", "Independently", "Could coach others"]
knowledge = ["Not yet", "Partly", "Could explain", "Could teach it"]
""",
    "units/301.toml": """
number = "301"
source = "Example Awards unit 301"
aim = "Leading a team day to day."

[evidence]
simulation_allowed = false
notes = ["Evidence comes from the learner's own team."]

[[evidence.situations]]
heading = "Show this with"
items = ["a new team member", "an experienced team member"]

[[guidance]]
term = "Motivation"
text = "What makes people want to do a good job: recognition, \\\\ fairness, café breaks."
criteria = ["1.1"]

[[outcomes]]
number = 1
title = "Know how to motivate a team"

[[outcomes.criteria]]
number = "1.1"
text = "Explain what motivates \\"their\\" team"
statement = "I can explain what motivates my team"
kind = "knowledge"
help = "Think of one person at a time."

[[outcomes.criteria]]
number = "1.2"
text = "Describe two ways to recognise good work"
statement = "I can describe two ways to recognise good work"
kind = "knowledge"

[[outcomes]]
number = 2
title = "Be able to lead a team"

[[outcomes.criteria]]
number = "2.1"
text = "Agree goals with the team"
statement = "I can agree goals with the team"
kind = "performance"

[[outcomes.criteria]]
number = "2.2a"
text = "Give feedback that is specific and …"
seed_text = "Give feedback that is specific and"
uncertain = true
note = "Cut short in the source."
statement = "I can give feedback that is specific and …"
kind = "performance"
""",
    "units/P2.toml": """
number = "P2"

[[outcomes]]
number = 1
title = "Be able to handle conflict"

[[outcomes.criteria]]
number = "1.1"
text = "Spot conflict early"
statement = "I can spot conflict early"
kind = "performance"
""",
    "roles.toml": """
[[roles]]
level = 3
titles = ["Team Leader", "Shift Supervisor"]

[[roles]]
level = 4
titles = ["Operations Manager"]
""",
    "contexts.toml": """
[[contexts]]
id = "leads-people"
label = "leading people"
question = "Do you lead other people at work?"
help = "Even for part of a shift."
units = ["P1", "P2"]
""",
}


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    """Write a content folder from {relative path: text}."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def second_qualification(folder: Path) -> Qualification:
    return load_qualification(write_folder(folder, SECOND))


# every field a loaded qualification carries, for comparing two of them
QUALIFICATION_FIELDS = (
    "code",
    "title",
    "short_title",
    "awarding_body",
    "level",
    "source",
    "groups",
    "units",
    "rules",
    "roles",
    "contexts",
    "weights",
    "scales",
    "last_changed",
)


def same_qualification(a: Qualification, b: Qualification) -> dict[str, tuple[object, object]]:
    """The fields in which two qualifications differ ({} when they are the same)."""
    return {
        name: (getattr(a, name), getattr(b, name))
        for name in QUALIFICATION_FIELDS
        if getattr(a, name) != getattr(b, name)
    }


# ---- a CASE package from another publisher ----------------------------------------------------


def uid(n: int) -> str:
    return str(uuid.UUID(int=n))


def link(n: int, title: str = "x") -> dict:
    return {"title": title, "identifier": uid(n), "uri": f"https://case.example/{uid(n)}"}


def foreign_package() -> dict:
    """A CASE 1.0-style framework from another publisher: no extension, no rules, no credits."""
    when = "2017-10-31T18:50:05+00:00"
    items, associations = [], []

    def item(n, parent, seq, code, text, item_type=""):
        entry = {
            "identifier": uid(n),
            "uri": f"https://case.example/items/{n}",
            "CFDocumentURI": link(1),  # CASE 1.0 packages carry it; 1.1 does not know it
            "fullStatement": text,
            "lastChangeDateTime": when,
        }
        if code:
            entry["humanCodingScheme"] = code
        if item_type:
            entry["CFItemType"] = item_type
        items.append(entry)
        associations.append(
            {
                "identifier": uid(1000 + n),
                "associationType": "isChildOf",
                "sequenceNumber": seq,
                "uri": f"https://case.example/associations/{n}",
                "originNodeURI": link(n),
                "destinationNodeURI": link(parent),
                "lastChangeDateTime": when,
            }
        )

    # listed out of order: sequenceNumber decides
    item(20, 1, 2, "HSC-2", "Support individuals to eat and drink")
    item(10, 1, 1, "HSC-1", "Promote communication in care settings")
    item(11, 10, 1, "1", "Understand why communication is important")
    item(12, 11, 2, "1.2", "Explain how communication affects relationships", "Standard")
    item(13, 11, 1, "1.1", "Identify different reasons why people communicate", "Standard")
    item(14, 10, 2, "2", "Be able to meet communication needs")
    item(15, 14, 1, "2.1", "Find out an individual's communication needs", "Performance")
    item(21, 20, 1, "", "Describe the individual's dietary needs")  # criteria right under a unit
    item(22, 20, 2, "", "Support the individual to eat in their preferred way")
    item(30, 1, 3, "HSC-3", "Maintain a safe environment")  # awaiting criteria
    associations.append(
        {
            "identifier": uid(5000),
            "associationType": "exactMatchOf",
            "uri": "https://case.example/associations/x",
            "originNodeURI": link(13),
            "destinationNodeURI": link(9999),
            "lastChangeDateTime": when,
        }
    )
    return {
        "CFDocument": {
            "identifier": uid(1),
            "uri": "https://case.example/docs/1",
            "CFPackageURI": link(1),
            "creator": "Example Care Board",
            "title": "Level 2 Diploma in Care",
            "lastChangeDateTime": when,
        },
        "CFItems": items,
        "CFAssociations": associations,
        "CFRubrics": [
            {"identifier": uid(7), "uri": "https://case.example/r/7", "lastChangeDateTime": when}
        ],
    }


def small_qualification(
    units: Iterable[Unit],
    contexts: Iterable[Context] = (),
    activities: Iterable[Activity] = (),
    hours_per_credit: int = 10,
) -> Qualification:
    """A qualification of the given units, all in one mandatory group, with no rules."""
    return Qualification(
        code="T",
        title="Test",
        short_title="Test",
        awarding_body="",
        level=2,
        source="",
        groups=(Group("A", "All", mandatory=True),),
        units=tuple(units),
        rules=(),
        roles=(),
        contexts=tuple(contexts),
        weights=Weights(),
        scales=Scales(("0", "1", "2", "3"), ("0", "1", "2", "3")),
        activities=tuple(activities),
        hours_per_credit=hours_per_credit,
    )
