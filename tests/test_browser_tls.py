"""Sign-in and a learner's answers in real Chromium over plain HTTP, over TLS served by the app,
and over TLS ended by a reverse proxy that forwards with X-Forwarded-* headers.

Over HTTPS every POST must say where it came from: with Referrer-Policy: no-referrer browsers
said nothing, so sign-in showed "The referrer header is missing" and every answer was refused.
"""

from __future__ import annotations

import re

import pytest
from conftest import PHONE
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
DESK = {"width": 1280, "height": 800}


def context_for(browser, site, viewport=PHONE, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=viewport, device_scale_factor=1, ignore_https_errors=True, **options
    )
    context.set_default_timeout(10_000)
    return context


def watched(page):  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def add_staff(site, email: str) -> None:
    from werkzeug.security import generate_password_hash

    from survey.db import connect
    from survey.store import accounts

    db = connect(site.app.config["DATABASE"])
    try:
        hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
        accounts.create_staff(db, email, "Tess Secure", "assessor", hashed, "test")
    finally:
        db.conn.close()


def ratings(site, learner_id: int) -> dict[str, int]:
    from survey.db import connect
    from survey.store import learners

    db = connect(site.app.config["DATABASE"])
    try:
        return learners.ratings(db, learner_id)
    finally:
        db.conn.close()


def test_staff_sign_in_add_a_learner_and_sign_out(browser, site):
    email = f"tess-{site.url.split(':')[0]}-{id(site)}@centre.example"
    add_staff(site, email)
    context = context_for(browser, site, viewport=DESK)
    try:
        page = context.new_page()
        errors = watched(page)
        page.goto(site + "/staff/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/staff/learners")
        expect(page.locator("h1")).to_have_text("Your learners")
        # a form POST from a signed-in page: the new learner's card carries this site's address
        page.get_by_label("Learner's name").fill("Tia Tls")
        page.get_by_role("button", name="Add and show their link").click()
        page.wait_for_url("**/staff/learners")
        link = page.locator(".learner-card .link a").inner_text()
        assert link.startswith(site.url + "/l/"), link  # https behind the proxy too
        page.get_by_role("button", name="Sign out Tess Secure").click()
        page.wait_for_url("**/staff/login")
        expect(page.get_by_text("You have signed out.")).to_be_visible()
        assert errors == []
        if site.url.startswith("https"):
            cookies = context.cookies()
            assert cookies and all(c["secure"] and c["httpOnly"] for c in cookies)
    finally:
        context.close()


def test_a_learners_answers_are_saved_in_the_background_and_by_the_form(browser, site):
    learner_id, token = site.add_learner("Lee Tls")
    context = context_for(browser, site, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        errors = watched(page)
        page.goto(site + f"/l/{token}")
        page.wait_for_url("**/welcome")
        page.goto(site + "/assessment/F1-1")
        # a tap, saved in the background
        page.locator("fieldset[id='r-F1-1.1'] label.option span").nth(2).click()
        expect(page.locator("#save-status")).to_have_text("Saved")
        assert ratings(site, learner_id) == {"F1:1.1": 2}
        # the whole page, by the form's own POST
        page.locator("fieldset[id='r-F1-1.2'] label.option span").nth(1).click()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/assessment/F1-2$"))
        assert ratings(site, learner_id) == {"F1:1.1": 2, "F1:1.2": 1}
        assert errors == []
    finally:
        context.close()
    # and with JavaScript off: only the form
    context = context_for(browser, site, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site + f"/l/{token}")
        page.goto(site + "/assessment/F1-2")
        page.locator("fieldset[id='r-F1-2.1'] label.option span").nth(3).click()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(re.compile(r"/assessment/F1-3$"))
        assert ratings(site, learner_id)["F1:2.1"] == 3
    finally:
        context.close()
