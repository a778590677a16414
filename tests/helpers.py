"""What several test files share: a live server, axe-core, and measuring what a thumb taps."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

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
        from survey import store

        with self.db() as db:
            return store.create_learner(db, name)

    def add_staff(self, role: str, name: str, email: str) -> dict:
        from survey import store

        with self.db() as db:
            return store.staff_member(
                db, store.create_staff(db, email, name, role, FAST_HASH, "test")
            )


@contextmanager
def live_server(app) -> Iterator[LiveServer]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{httpd.server_port}")
    finally:
        httpd.shutdown()
        thread.join()


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

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(response) -> str:
    found = CSRF_FIELD.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {response.request.path}"
    return found.group(1)


@contextmanager
def database(app) -> Iterator:
    from survey.db import connect

    db = connect(app.config["DATABASE"])
    try:
        yield db
    finally:
        db.conn.close()


def learner_client(app, token: str):
    """A phone that opened the learner's personal link."""
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 302
    client.application = app
    return client


def staff_client(app, role: str = "assessor", name: str = "Asha Assessor"):
    """A laptop signed in through the real form as a new staff account; (client, staff row)."""
    from survey import store

    email = f"{name.split()[0].lower()}.{role}@centre.example"
    with database(app) as db:
        staff = store.staff_member(db, store.create_staff(db, email, name, role, FAST_HASH, "test"))
    client = app.test_client()
    token = csrf(client.get("/staff/login"))
    response = client.post(
        "/staff/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, staff


def post_form(client, page: str, data: dict | None = None, to: str | None = None):
    """POST to `to` (or `page`) with the CSRF token of `page`, as a browser would."""
    token = csrf(client.get(page))
    return client.post(to or page, data={"csrf_token": token, **(data or {})})


# ---- reading HTML ----------------------------------------------------------------------------


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
ROW = {  # a row of an assessment plan
    "units": ["F1", "B2"],
    "observed_when": "Tuesday morning",
    "observed_where": "Front desk",
    "activity": "Greeting visitors",
    "evidence": ["observation", "witness"],
}


def learner_and_assessor(app, name: str = "Sam Learner", **contexts: str):
    """A learner with an assessor of their own: (learner id, their phone, the assessor's laptop).

    Keyword arguments are job answers ("incoming_calls": "yes" answers incoming-calls)."""
    from survey import store

    assessor, staff = staff_client(app)
    with database(app) as db:
        learner_id, token = store.create_learner(db, name)
        store.assign_assessor(db, learner_id, staff["id"], "test")
        if contexts:
            store.set_job_role(db, learner_id, "Customer Service Agents", "", "test")
            answers = {k.replace("_", "-"): v for k, v in contexts.items()}
            store.save_contexts(db, learner_id, answers, "test")
    return learner_id, learner_client(app, token), assessor


def answer(app, learner_id: int, ratings: dict[str, int], send: bool = True) -> None:
    """The learner's ratings, kept (and their answers sent) as the pages would."""
    from survey import store

    with database(app) as db:
        store.save_ratings(db, learner_id, ratings, "test")
        if send:
            store.submit(db, learner_id, "test")


def every_statement(app, rating: int = 2) -> dict[str, int]:
    return {s.id: rating for s in app.extensions["qualification"].statements()}


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
    page = f"/staff/learners/{learner_id}/contract"
    assert post_form(client, page, {"action": "issue"}).status_code == 303
    if sign_as:
        response = post_form(client, page, {"action": "sign", "name": sign_as})
        assert response.status_code == 303, response.get_data(as_text=True)
