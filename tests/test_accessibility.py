"""axe-core over every page in real Chromium: learner pages at 360 px, staff pages at 1280 px.

WCAG 2.2 AA rule set, 0 violations. Every page a person can open is in PAGES; a test fails when
a new page is added to the app and not here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import (
    LAPTOP,
    PHONE,
    SECOND,
    VALID,
    assert_accessible,
    axe_path,
    axe_violations,
    browser_context,
    confirm_in_store,
    live_server,
    plan_row,
    ready_for_contract,
    sign_in_staff,
)
from unit_texts import pdf_table, seed_unit

from survey import create_app, ledger
from survey.drafts import draft_data, source_data
from survey.importer import read, source_from_bytes, source_from_text
from survey.qualifications import served
from survey.store import accounts, drafts, learners, plans, prior_learning, sampling, workplace

pytestmark = pytest.mark.browser

# (who opens it, address; {a} {b} {sent} are learners, {check} learner A's finished check)
LEARNER_PAGES = [
    ("anyone", "/"),
    ("anyone", "/q/TL3-2027/"),  # another qualification the centre delivers
    ("anyone", "/q/03455/units/B1"),
    ("anyone", "/q/03455/units/A1"),  # a unit awaiting its criteria
    ("anyone", "/code"),
    ("anyone", "/forget"),
    ("anyone", "/l/not-a-real-link"),  # a link that does not work
    ("anyone", "/q/03455/check/ZZ9"),  # no such unit: the list of units
    ("b", "/welcome"),
    ("b", "/assessment/job"),
    ("b", "/assessment/F1-1"),
    ("b", "/assessment/F1-2"),  # both rating scales on one page
    ("b", "/assessment/F1-3"),
    ("b", "/assessment/group-B"),
    ("b", "/assessment/interests"),
    ("b", "/assessment/review"),
    ("b", "/q/03455/check/B1"),
    ("b", "/q/03455/check/A1"),
    ("b", "/contract"),  # nothing to sign yet
    ("b", "/forget"),
    ("sent", "/result"),  # sent, the plan not yet confirmed
    ("sent", "/assessment/F1-1"),  # read-only after sending
    ("a", "/result"),  # the plan confirmed, a contract to sign
    ("a", "/assessment/F1-1"),  # read-only for good
    ("a", "/assessment/review"),
    ("a", "/q/03455/check/B1/results/{check}"),
    ("a", "/contract"),
    ("a", "/my-record"),
    # a workplace contact's pages, on their phone: "wa" is learner A's line manager, "ws" one
    # who has sent their answers
    ("anyone", "/w/not-a-real-link"),
    ("anyone", "/workplace"),  # no link opened: what to do
    ("wa", "/workplace"),
    ("wa", "/workplace/job"),
    ("wa", "/workplace/claims/F1"),
    ("wa", "/workplace/claims/units"),
    ("wa", "/workplace/review"),
    ("wa", "/workplace/testimonies"),
    ("wa", "/workplace/testimonies/new"),
    ("wa", "/workplace/testimonies/{testimony}"),
    ("wa", "/workplace/testimonies/{signed}"),
    ("wa", "/workplace/contract"),
    ("wa", "/workplace/forget"),
    ("ws", "/workplace"),
    ("ws", "/workplace/claims/F1"),  # read-only once sent
    ("ws", "/workplace/review"),
    ("tl", "/q/TL3-2027/check/P2"),  # a learner on the second qualification
]
STAFF_PAGES = [
    ("anyone", "/staff/login"),
    ("admin", "/staff/learners"),
    ("admin", "/staff/learners?archived=1"),
    ("admin", "/staff/learners/{a}"),
    ("admin", "/staff/learners/{a}/plan"),
    ("admin", "/staff/learners/{b}/plan"),  # a learner still answering
    ("admin", "/staff/learners/{a}/record"),
    ("admin", "/staff/learners/{b}/record"),  # a learner still answering: nothing ticked yet
    ("admin", "/staff/learners/{a}/introduction"),
    ("admin", "/staff/learners/{a}/assessment-plan"),
    ("admin", "/staff/learners/{a}/assessment-plan/{row}"),
    ("admin", "/staff/learners/{a}/contract"),
    ("admin", "/staff/learners/{a}/sampling"),
    ("admin", "/staff/learners/{a}/reissue"),
    ("admin", "/staff/learners/{a}/archive"),
    ("admin", "/staff/learners/{a}/ledger"),  # evidence named, an apprenticeship, a decision
    ("admin", "/staff/learners/{b}/ledger"),  # units not confirmed yet
    ("admin", "/staff/learners/{a}/suggestions"),
    ("verifier", "/staff/learners/{a}/ledger"),
    ("admin", "/staff/learners/{a}/audit"),
    ("admin", "/staff/audit"),
    ("admin", "/staff/cohort"),
    ("admin", "/staff/cohort?view=latest"),
    ("admin", "/staff/cohort?view=workplace"),
    ("admin", "/staff/learners/{a}/workplace"),
    ("admin", "/staff/learners/{a}/testimonies"),
    ("verifier", "/staff/learners/{a}/testimonies"),
    ("admin", "/staff/users"),
    ("admin", "/staff/centre"),
    ("admin", "/staff/account"),
    ("admin", "/q/03455/qr/units"),
    ("anyone", "/staff/reset/{reset}"),  # a password link
    ("verifier", "/staff/learners/{a}"),
    ("verifier", "/staff/learners/{a}/record"),
    ("verifier", "/staff/learners/{a}/plan"),
    ("verifier", "/staff/learners/{a}/sampling"),  # with the form to record a sample
    ("verifier", "/staff/sampling"),
    ("admin", "/staff/content/q/03455"),
    ("admin", "/staff/content/q/03455/drafts/{draft}"),  # read from a PDF: pages, all well
    ("admin", "/staff/content/q/03455/drafts/{bad}"),  # a problem shown beside its field
    ("admin", "/staff/content/q/03455/units/B1"),
    ("admin", "/staff/content/q/03455/units/B1/restore/1"),
    ("admin", "/staff/learners/{lead}/plan"),  # the level check offers a move to Level 3
    ("admin", "/staff/content"),
    ("admin", "/staff/content/new"),
    ("admin", "/staff/content/q/TL3-2027/edit"),
]
# addresses that are not HTML pages, or only send the visitor on
NOT_PAGES = {
    "workplace.enter",  # a working link redirects; a broken one is scanned above
    "static",
    "qr.unit_svg",
    "learner.enter",  # a working link redirects; a broken one is scanned above
    "learner.assessment",
    "learner.my_data_json",
    "learner.my_data_csv",
    "staff.home",
    "staff.report_csv",
    "staff.cohort_export",
    "staff.export_learner_json",
    "staff.export_learner_csv",
    "sampling.sampling_csv",
    "catalogue.export",  # downloads
    # the addresses from before several qualifications: they send the visitor on
    "legacy.unit_check",
    "legacy.check_result",
    "legacy.unit",
    "legacy.unit_svg",
    "legacy.sheet",
}
SCANNED_BELOW = {"auth.setup"}  # only while there are no staff accounts


class Site:
    """A live app with learners at every stage, and a browser context for each visitor."""

    def __init__(self, server, browser) -> None:
        self.server = server
        self.browser = browser
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}
        self.contexts: dict[str, object] = {}
        self.reset = ""

    def build(self) -> None:
        admin = self.server.add_staff("admin", "Ada Admin", "ada@centre.example")
        verifier = self.server.add_staff("verifier", "Vic Verifier", "vic@centre.example")
        q = served(self.server.app)
        # a second qualification the centre added, at Level 3
        self.server.app.extensions["library"].publish_qualification("TL3-2027", SECOND, "test")
        with self.server.db() as db:
            for key, name in (("a", "Alex Able"), ("b", "Blake Baker"), ("sent", "Sol Sent")):
                self.ids[key], self.tokens[key] = learners.create_learner(db, name)
                learners.assign_assessor(db, self.ids[key], admin["id"], "test")
            (lead, _), (tl, self.tokens["tl"]) = learners.add_learners(
                db,
                [
                    learners.NewLearner(
                        "Lee Lead", job_role="Customer Service Team Leader", assessor_id=admin["id"]
                    ),
                    learners.NewLearner("Tia Team", qualification="TL3-2027"),
                ],
                "test",
            ).learners
            self.ids["lead"], self.ids["tl"] = lead["id"], tl["id"]
            every = {s.id: (i % 4) for i, s in enumerate(q.statements())}
            for key in ("a", "sent"):
                learners.set_job_role(db, self.ids[key], "Customer Service Agents", "", "test")
                learners.save_contexts(db, self.ids[key], {"face-to-face": "yes"}, "test")
                learners.save_ratings(db, self.ids[key], every, "test")
                learners.set_interest(db, self.ids[key], "B2", True, "test")
                learners.submit(db, self.ids[key], "test")
            learners.save_ratings(db, self.ids["b"], {"F1:1.1": 2, "F1:1.2": 0}, "test")
            a, actor = self.ids["a"], f"staff:{admin['id']}"
            confirm_in_store(db, a, VALID, admin["id"], actor)
            witness = {"observer": "witness", "witness_name": "Pat Supervisor"}
            witness |= {"witness_role": "Line manager", "witness_contact": "01234 567890"}
            self.ids["row"] = plans.add_plan_row(db, a, plan_row(**witness), admin["id"], actor)
            ready_for_contract(db, a, admin["id"], actor)
            sampling.add_sample(db, a, verifier["id"], ["record", "F1"], "Sound", "agreed", "t")
            self.reset, _ = accounts.create_password_reset(db, verifier["id"], "test")
            # a ledger with prior learning, an apprenticeship's figures and a decision
            met = {"F1:1.1": "Unit certificate", "B2:unit": "Previous NVQ unit"}
            learners.save_assessor_ratings(db, a, {s: 3 for s in met}, admin["id"], actor)
            prior_learning.save_evidence(db, a, met, admin["id"], actor)
            funding = {"profile": "apprenticeship-2025-08", "agreed_price": 3000}
            funding |= {"planned_months": 12, "off_the_job_hours": 200}
            prior_learning.save_funding(db, a, funding, admin["id"], actor)
            figures = ledger.as_record(ledger.build_ledger(q, ["F1", "F2", *VALID], met))
            reasons = {"B2": "A different setting"}
            prior_learning.record_decision(
                db, a, "accepted", "", reasons, figures["version"], figures, admin["id"], actor
            )
            check = learners.open_check(db, a, "B1")
            learners.save_check_ratings(db, check, {"B1:1.1": 2, "B1:2.1": 1}, "test")
            learners.finish_check(db, check, "test")
            self.ids["check"] = check["id"]
            # learner A's workplace: a line manager with a draft and a signed testimony, and a
            # supervisor who has answered and sent
            works = lambda row: True  # noqa: E731
            for key, name, relationship in (
                ("wa", "Pat Manager", "line-manager"),
                ("ws", "Sue Supervisor", "supervisor"),
            ):
                new = workplace.NewContact(name, "Operations Manager", relationship)
                row, self.tokens[key], _ = workplace.invite(db, a, new, admin["id"], actor, 90)
                self.ids[key] = row["id"]
            answers = workplace.ContactAnswers(
                contexts={"face-to-face": "no", "incoming-calls": "yes"},
                ratings={"F1:1.1": "not-yet", "F1:1.2": "seen", "F1:1.3": "no-chance"},
                notes={"F1:1.1": "Not on the front desk yet"},
            )
            for key in ("wa", "ws"):
                workplace.keep_answers(db, self.ids[key], answers, works)
            workplace.send(db, self.ids["ws"], works)
            self.ids["testimony"] = workplace.keep_testimony(
                db, self.ids["wa"], None, {"venue": "Front desk"}, works
            )
            self.ids["signed"] = workplace.keep_testimony(
                db,
                self.ids["wa"],
                None,
                {
                    "activity_date": "2026-01-05",
                    "activity_time": "10:30",
                    "venue": "Front desk",
                    "description": "Sam greeted a customer and found their parcel.",
                    "relationship": "Line manager",
                    "job_title": "Operations Manager",
                    "contact_details": "01234 567890",
                },
                works,
                signature=("Pat Manager", "2026-01-06"),
            )
            # two unit drafts to check (one the loader refuses) and B1 published once
            for key, reading in (
                ("draft", read(source_from_bytes(pdf_table([seed_unit("F1")]), "F1.pdf"), q)),
                ("bad", read(source_from_text("Unit 999 Other\nLO1 Do it\n1.1 Do it well"), q)),
            ):
                (self.ids[key],), _ = drafts.add_import(
                    db,
                    q.code,
                    source_data(reading.source),
                    [(d.name, draft_data(d)) for d in reading.units],
                    admin["id"],
                )
            b1 = (Path(self.server.app.config["CONTENT"]) / "units" / "B1.toml").read_text()
            self.server.app.extensions["library"].publish_unit(q.code, b1, "Ada Admin", "checked")
        # the assessor prepares and signs the contract through the real pages
        staff = self.context("admin")
        page = staff.new_page()
        page.goto(self.server + f"/staff/learners/{a}/contract")
        page.get_by_role("button", name="Prepare the contract").click()
        page.get_by_label("Type your full name to sign").fill("Ada Admin")
        page.get_by_role("button", name="Sign as assessor").click()
        page.wait_for_url(f"**/staff/learners/{a}/contract")
        page.close()

    def context(self, who: str):
        if who not in self.contexts:
            viewport = LAPTOP if who in ("admin", "verifier", "anyone-staff") else PHONE
            context = browser_context(self.browser, viewport, bypass_csp=True)
            page = context.new_page()
            if who in ("admin", "verifier"):
                email = {"admin": "ada@centre.example", "verifier": "vic@centre.example"}[who]
                sign_in_staff(page, self.server, email)
            elif who in ("wa", "ws"):
                page.goto(self.server + f"/w/{self.tokens[who]}")
            elif who in self.tokens:
                page.goto(self.server + f"/l/{self.tokens[who]}")
            page.close()
            self.contexts[who] = context
        return self.contexts[who]

    def url(self, path: str) -> str:
        return self.server + path.format(**self.ids, reset=self.reset)

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def site(server, browser):
    axe_path()
    built = Site(server, browser)
    built.build()
    yield built
    built.close()


def scan(site: Site, who: str, path: str, staff: bool = False) -> tuple[int, list[dict]]:
    """Open one page as `who`: its status, and what axe-core finds wrong on it."""
    context = site.context("anyone-staff" if staff and who == "anyone" else who)
    page = context.new_page()
    try:
        response = page.goto(site.url(path))
        return (response.status if response else 0), axe_violations(page)
    finally:
        page.close()


@pytest.mark.parametrize("who, path", LEARNER_PAGES, ids=[f"{w} {p}" for w, p in LEARNER_PAGES])
def test_every_learner_page_has_no_axe_violations_at_360_px(site, who, path):
    status, violations = scan(site, who, path)
    assert 0 < status < 500, path
    assert violations == [], f"{who} {path}: " + json.dumps(violations, indent=1)


@pytest.mark.parametrize("who, path", STAFF_PAGES, ids=[f"{w} {p}" for w, p in STAFF_PAGES])
def test_every_staff_page_has_no_axe_violations_at_1280_px(site, who, path):
    status, violations = scan(site, who, path, staff=True)
    assert 0 < status < 500, path
    assert violations == [], f"{who} {path}: " + json.dumps(violations, indent=1)


def test_the_personal_link_cards_have_no_axe_violations(site):
    """The page that answers adding a learner (and reissuing or importing: the same cards)."""
    page = site.context("admin").new_page()
    try:
        page.goto(site.server + "/staff/learners")
        page.get_by_label("Learner's name").fill("Cara Card")
        page.get_by_role("button", name="Add and show their link").click()
        page.wait_for_url("**/staff/learners")
        assert page.locator(".learner-card").count() == 1
        assert_accessible(page, "the cards of a new learner")
    finally:
        page.close()


def test_a_form_sent_again_and_a_new_link_have_no_axe_violations(site):
    """The page a refreshed "add" shows (no new links: it says so), the new links made from
    it, and an admin's password link for a member of staff."""
    page = site.context("admin").new_page()
    try:
        page.goto(site.server + "/staff/learners")
        page.get_by_label("Learner's name").fill("Rae Refresh")
        page.get_by_role("button", name="Add and show their link").click()
        page.wait_for_url("**/staff/learners")
        page.reload()  # the browser sends the form again
        assert page.get_by_text("This same form was sent before").count() == 1
        assert_accessible(page, "the page of a form sent again")
        page.get_by_role("button", name="Make new links").click()
        page.wait_for_url("**/staff/learners/reissue")  # (the page it answers with)
        assert page.locator(".learner-card").count() == 1
        page.goto(site.server + "/staff/users")
        page.get_by_role("button", name="Password link for Vic Verifier").click()
        page.wait_for_url("**/reset-link")
        assert page.get_by_text("it is shown only once").count() == 1
        assert_accessible(page, "a password link")
    finally:
        page.close()


def test_a_workplace_contacts_link_card_has_no_axe_violations(site):
    """The page that answers inviting a workplace contact (and reissuing their link)."""
    page = site.context("admin").new_page()
    try:
        page.goto(site.url("/staff/learners/{a}/workplace"))
        page.get_by_label("Their name").fill("Cara Colleague")
        page.get_by_label("Their job title").fill("Team Leader")
        page.get_by_label("Email (optional)").fill("cara@shop.example")
        page.get_by_role("button", name="Invite and show their link").click()
        page.wait_for_selector(".learner-card")
        assert_accessible(page, "a workplace contact's card")
    finally:
        page.close()


def test_the_first_admin_setup_page_has_no_axe_violations(browser, tmp_path):
    axe_path()
    app = create_app(
        {"SECRET_KEY": "setup", "DATABASE": str(tmp_path / "db.sqlite"), "NO_SETUP_LINK": True}
    )
    with live_server(app) as fresh, fresh.db() as db:
        token = accounts.create_setup_link(db)
        context = browser_context(browser, LAPTOP, bypass_csp=True)
        try:
            page = context.new_page()
            page.goto(fresh + f"/staff/setup/{token}")
            assert page.locator("h1").inner_text() == "Create the first admin account"
            assert_accessible(page, "setup")
        finally:
            context.close()


def test_every_page_of_the_app_is_scanned(server):
    """A page added to the app must be added here too."""
    adapter = server.app.url_map.bind("localhost")
    scanned = {
        adapter.match(re.sub(r"\{\w+\}", "1", path).split("?")[0])[0]
        for _, path in LEARNER_PAGES + STAFF_PAGES
    }
    pages = {r.endpoint for r in server.app.url_map.iter_rules() if "GET" in r.methods}
    assert pages - scanned - NOT_PAGES - SCANNED_BELOW == set()
