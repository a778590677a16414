"""A unit specification from a PDF to a learner's phone, in real Chromium, across processes.

An admin (1280 px) imports A11 from a PDF made here with fpdf2, corrects one criterion beside
its source and publishes it; the learner's next self-check of A11 (360 px) asks its criteria;
the gap report shows them and which version the learner answered; and gunicorn's two worker
processes, started before the publication, both serve it without a restart.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import SHOTS, shot
from helpers import (
    LAPTOP,
    PHONE,
    a11_with_criteria,
    assert_accessible,
    browser_context,
    live_server,
    need,
    sign_in_staff,
)
from unit_texts import pdf_table

from benchmarks.load import HOST, Server
from survey import create_app
from survey.qualifications import served
from survey.store import learners

pytestmark = pytest.mark.browser

SECRET = "browser-content-secret"
FIXED = "Give accurate and up-to-date information to the caller"  # the admin's correction
AS_READ = "Give accurate information to the caller"


@pytest.fixture
def folders(tmp_path):
    return {
        "DATABASE": str(tmp_path / "instance" / "db.sqlite"),
        "CENTRE_CONTENT": str(tmp_path / "instance" / "content"),
    }


@pytest.fixture
def workers(tmp_path, folders):
    """gunicorn with two sync worker processes on the same database and centre content,
    logging the process id that served each request."""
    if not (shutil.which("gunicorn") and importlib.util.find_spec("gunicorn")):
        need("gunicorn", "pip install gunicorn")
    env = dict(os.environ)
    env.update(
        FLASK_DATABASE=folders["DATABASE"],
        FLASK_CENTRE_CONTENT=folders["CENTRE_CONTENT"],
        FLASK_SECRET_KEY=SECRET,
        FLASK_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("FLASK_PUBLIC_URL", None)
    access = tmp_path / "access.log"
    server = Server(
        env,
        tmp_path / "gunicorn.log",
        workers=2,
        threads=1,
        args=("--access-logfile", str(access), "--access-logformat", "%(p)s %(U)s %(s)s"),
    )
    server.start()
    server.access = access  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def opened(browser, viewport: dict) -> Iterator:  # type: ignore[no-untyped-def]
    """A page in a browser context of its own (axe-core may be injected), closed after."""
    context = browser_context(browser, viewport, bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def probe(port: int, path: str, times: int = 24) -> list[str]:
    """`path` fetched `times` times, six at once on new connections, as the workers take them."""
    bodies: list[str] = []

    def fetch() -> None:
        for _ in range(times // 6):
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            try:
                conn.request("GET", path, headers={"Connection": "close"})
                bodies.append(conn.getresponse().read().decode())
            finally:
                conn.close()

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return bodies


def pids_serving(access: Path, path: str, since: int) -> set[str]:
    """The worker processes that answered `path`, from line `since` of the access log."""
    lines = access.read_text().splitlines()[since:]
    return {line.split()[0] for line in lines if line.split()[1:2] == [path]}


def test_a_unit_imported_from_a_pdf_reaches_the_learner_and_every_worker(
    browser, tmp_path, folders, workers
):
    app = create_app({"SECRET_KEY": SECRET, "NO_SETUP_LINK": True, **folders})
    q = served(app)
    pdf = pdf_table([a11_with_criteria(q)])
    with live_server(app) as server:
        server.add_staff("admin", "Ada Admin", "ada@centre.example")
        learner_id, token = server.add_learner("Sam Learner")
        with server.db() as db:  # answered before the publication: A11 as a whole
            learners.save_ratings(db, learner_id, {"A11:unit": 1, "F1:1.1": 2}, "test")
        other = f"http://{HOST}:{workers.port}"

        # both worker processes loaded A11 as it was, rated as a whole
        since = len(workers.access.read_text().splitlines())
        before = probe(workers.port, "/q/03455/units/A11")
        assert all("I can deal with incoming telephone calls" in b for b in before)
        assert all(AS_READ.lower() not in b.lower() for b in before)
        assert len(pids_serving(workers.access, "/q/03455/units/A11", since)) == 2

        with opened(browser, LAPTOP) as page:
            sign_in_staff(page, server, "ada@centre.example")
            page.get_by_role("link", name="Content", exact=True).click()
            page.wait_for_url("**/staff/content")  # the qualifications
            page.get_by_role("link", name="Units and criteria").first.click()
            page.wait_for_url("**/staff/content/q/03455")
            assert_accessible(page, "the content page")
            page.set_input_files(
                "input[name=file]",
                files=[{"name": "A11 handbook.pdf", "mimeType": "application/pdf", "buffer": pdf}],
            )
            page.get_by_role("button", name="Read it").click()
            page.wait_for_url("**/staff/content/q/03455/drafts/*")
            assert page.locator("h1").inner_text() == (
                "Check the draft: A11 Deal with incoming telephone calls from customers"
            )
            assert page.get_by_text("The loader finds nothing wrong").is_visible()
            # the source beside the draft: each line says what it became, with its page
            assert page.locator(".source .page-start").first.inner_text() == "Page 1"
            text = page.locator("#outcomes-1-criteria-0-text")
            assert text.input_value() == AS_READ
            source_line = page.locator("#outcomes-1-criteria-0 a.from").get_attribute("href")
            # editing a criterion lights up the lines it was read from (the optional script)
            text.fill(FIXED)
            row = page.locator(f"tr{source_line}")
            assert "lit" in (row.get_attribute("class") or "")
            assert AS_READ in row.inner_text()
            assert_accessible(page, "the checking page")
            shot(page, "content-draft-1280")
            # the screen as the README shows it: the outcome being corrected beside its lines
            page.locator("#outcomes-1").evaluate(
                "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60)"
            )
            page.screenshot(path=str(SHOTS / "content-checking-page-1280.png"))
            page.get_by_label("A note for the version history").fill("A11 from the OCR handbook")
            page.get_by_role("button", name="Publish").click()
            page.wait_for_url("**/staff/content/q/03455/units/A11")
            assert page.get_by_text("Published A11 as version 2").is_visible()
            assert "A11 from the OCR handbook" in page.locator("table").inner_text()
            assert_accessible(page, "the unit's versions")
            shot(page, "content-versions-1280")
            page.locator(".crumbs").get_by_role("link", name="03455").click()
            units = page.locator("#units + table").inner_text()
            a11 = next(line for line in units.splitlines() if line.startswith("A11 "))
            assert re.fullmatch(r"A11 .*\t\w+\t4 published by the centre\tversion 2 · Ada .*", a11)
            shot(page, "content-units-1280")

        # the learner's next self-check, on the other server's workers, asks the criteria
        with opened(browser, PHONE) as page:
            page.goto(f"{other}/l/{token}")
            page.goto(f"{other}/q/03455/check/A11")
            statements = page.locator("fieldset.choice legend").all_inner_texts()
            assert statements == [
                "I can answer calls promptly and politely",
                "I can identify the caller and the reason for the call",
                "I can give accurate and up-to-date information to the caller",
                "I can pass the call on when it needs someone else",
            ]
            assert_accessible(page, "the self-check of the published unit")
            shot(page, "content-self-check-360")
            for option in page.locator("fieldset.choice").all():
                option.locator("label.option").nth(2).click()
            page.get_by_role("button", name="Save and see my progress").click()
            page.wait_for_url("**/q/03455/check/A11/results/*")
            assert "you rated it as a whole" not in page.content()  # (a check before it did not)
            shot(page, "content-check-result-360")

        # the gap report shows the criteria and which version the learner answered
        with opened(browser, LAPTOP) as page:
            sign_in_staff(page, server, "ada@centre.example")
            page.goto(f"{other}/staff/learners/{learner_id}")
            unit = page.locator("#unit-A11 + p.small")
            assert unit.inner_text().startswith(
                "Answered under version 1 (rated as a whole); version 2 is current, published"
            )
            report = page.locator("#criteria").inner_text()
            assert "I can give accurate and up-to-date information to the caller" in report
            assert (
                "I can deal with incoming telephone calls from customers" in report
            )  # as answered
            assert_accessible(page, "the gap report after the publication")
            shot(page, "content-gap-report-1280")
            page.locator("#unit-A11").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "content-gap-report-a11-1280.png"))

    # every worker process serves the publication, none restarted
    since = len(workers.access.read_text().splitlines())
    after = probe(workers.port, "/q/03455/units/A11")
    assert all(FIXED.lower()[1:] in b.lower() for b in after)
    assert len(pids_serving(workers.access, "/q/03455/units/A11", since)) == 2
    assert (
        "Booting worker" in workers.log_text() and workers.log_text().count("Booting worker") == 2
    )
