"""The admin's Content pages: a unit specification imported in the browser, checked beside its
source, corrected, published through the content library with a version and an audit entry,
restored; `flask content publish`; and learners' answers keeping their meaning across versions."""

from __future__ import annotations

import html
import io
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import (
    SECOND,
    a11_with_criteria,
    csrf,
    database,
    learner_client,
    staff_client,
    write_folder,
)
from unit_texts import pdf_image_only, pdf_table, pipe_table, seed_unit
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder, encode_multipart, run_wsgi_app

from survey import create_app
from survey.content import ContentError
from survey.drafts import apply_edits, form_field, problems, unit_file
from survey.forms import rating_field_name
from survey.qualifications import served
from survey.store import learners


class FormFields(HTMLParser):
    """The fields a browser would send from the first form with a revision on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and not a.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.data[name] = a.get("value") or "y"
            elif a.get("type") != "file":
                self.data[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def fields(response) -> dict[str, str]:
    parser = FormFields()
    parser.feed(response.get_data(as_text=True))
    # a browser drops the line break that starts a textarea's text
    return {k: v.removeprefix("\r\n").removeprefix("\n") for k, v in parser.data.items()}


def errors_by_field(response) -> dict[str, str]:
    """Each message shown beside a field: {field name: message}."""
    page = response.get_data(as_text=True)
    found = re.findall(
        r'<p class="error" id="([^"]+)-error"><span class="sr">Error: </span>([^<]*)</p>', page
    )
    return {name: html.unescape(message) for name, message in found}


@pytest.fixture
def admin(app):
    client, staff = staff_client(app, "admin", "Ada Admin")
    return client


def import_file(client, data: bytes, name: str):
    page = client.get("/staff/content/q/03455")
    return client.post(
        "/staff/content/q/03455/import",
        data={"csrf_token": csrf(page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def import_text(client, text: str, **extra):
    page = client.get("/staff/content/q/03455")
    return client.post(
        "/staff/content/q/03455/import", data={"csrf_token": csrf(page), "text": text, **extra}
    )


def rows(app, sql: str) -> list[tuple]:
    with database(app) as db:
        return [tuple(r) for r in db.execute(sql).fetchall()]


def library_files(app) -> list[str]:
    centre = Path(app.config["CENTRE_CONTENT"])
    return sorted(
        p.relative_to(centre).as_posix()
        for p in centre.rglob("*")
        if p.is_file() and p.name != ".lock"  # the lock publishers and readers take
    )


@pytest.fixture
def a11_pdf(app) -> bytes:
    return pdf_table([a11_with_criteria(served(app))])


@pytest.fixture
def a11_draft(app, admin, a11_pdf):
    """(the draft's address, its page) once the admin has imported A11 from a PDF."""
    response = import_file(admin, a11_pdf, "A11 handbook.pdf")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = admin.get(response.location)
    assert page.status_code == 200
    return response.location, page


# ---- importing -------------------------------------------------------------------------------


def test_only_admins_open_the_content_pages(app, admin):
    assert admin.get("/staff/content/q/03455").status_code == 200
    for role in ("assessor", "verifier"):
        client, _ = staff_client(app, role, f"Sam {role.title()}")
        assert client.get("/staff/content/q/03455").status_code == 403, role
        assert "Content</a>" not in client.get("/staff/learners").get_data(as_text=True)
    assert "Content</a>" in admin.get("/staff/learners").get_data(as_text=True)


def test_a_pdf_becomes_a_draft_showing_the_lines_and_pages_behind_every_part(app, a11_draft):
    address, page = a11_draft
    body = page.get_data(as_text=True)
    assert "Check the draft: A11 Deal with incoming telephone calls from customers" in body
    assert "A11 handbook.pdf" in body and "(PDF, 1 page)" in body
    sent = fields(page)
    assert sent["number"] == "A11"
    assert [sent[f"outcomes-{i}-title"] for i in range(2)] == [
        "Be able to answer incoming calls",
        "Be able to deal with the call",
    ]
    assert [
        (sent[f"outcomes-{o}-criteria-{c}-number"], sent[f"outcomes-{o}-criteria-{c}-text"])
        for o, c in ((0, 0), (0, 1), (1, 0), (1, 1))
    ] == [
        ("1.1", "Answer calls promptly and politely"),
        ("1.2", "Identify the caller and the reason for the call"),
        ("2.1", "Give accurate information to the caller"),
        ("2.2", "Pass the call on when it needs someone else"),
    ]
    assert sent["outcomes-0-criteria-1-kind"] == "knowledge"
    # each source line says what it became; each part links to its lines, with the page
    lines = dict(re.findall(r'<tr id="line-(\d+)"[^>]*><td>\d+</td><td>([^<]*)</td>', body))
    assert "1.1" in lines.values() and "LO 2" in lines.values() and "Unit" in lines.values()
    line_of_11 = next(n for n, role in lines.items() if role == "1.1")
    assert (
        f'href="#line-{line_of_11}" data-lines="{line_of_11}">from line {line_of_11} (page 1)'
        in body
    )
    assert "The loader finds nothing wrong" in body
    assert "A11 is rated as a whole now" in body
    # kept server-side: come back later and it is all there
    assert rows(app, "SELECT source_name, source_kind, pages FROM content_imports") == [
        ("A11 handbook.pdf", "pdf", 1)
    ]


def test_several_units_in_one_text_become_one_draft_each(app, admin):
    text = pipe_table(seed_unit("F1")) + "\n\n" + pipe_table(seed_unit("B1"))
    response = import_text(admin, text)
    assert response.status_code == 303 and response.location.endswith(
        "/staff/content/q/03455#drafts"
    )
    listing = admin.get("/staff/content/q/03455").get_data(as_text=True)
    assert "Read 2 units from pasted text: F1, B1" in listing
    drafts = rows(app, "SELECT name, json_extract(draft, '$.number') FROM unit_drafts ORDER BY id")
    assert drafts == [("F1", "F1"), ("B1", "B1")]
    # the same form sent twice (a double tap) reads it once
    page = admin.get("/staff/content/q/03455")
    data = {"csrf_token": csrf(page), "text": text, "request_key": "k" * 24}
    assert admin.post("/staff/content/q/03455/import", data=data).status_code == 303
    assert admin.post("/staff/content/q/03455/import", data=data).status_code == 303
    assert len(rows(app, "SELECT id FROM unit_drafts")) == 4


BAD_UPLOADS = [
    (b"", "", "Choose a file or paste the text of a unit specification."),  # nothing chosen
    (b"", "empty.txt", "Empty.txt is empty."),
    (b"   \n\n", "blank.txt", "Blank.txt is empty."),
    (None, "scan.pdf", "This PDF has no text layer; paste the text instead."),
    (
        b"Minutes of the team meeting\nWe agreed to order more paper.",
        "notes.txt",
        "No learning outcomes or assessment criteria found: is this a unit specification?",
    ),
    (
        b"{\\rtf1 hello}",
        "spec.rtf",
        "Spec.rtf is a rich text file: save it as .docx, or paste the text.",
    ),
]


@pytest.mark.parametrize("data, name, message", BAD_UPLOADS)
def test_a_bad_upload_gets_one_line_and_changes_nothing(app, admin, data, name, message):
    before = library_files(app)
    page = admin.get("/staff/content/q/03455")
    upload = (io.BytesIO(pdf_image_only() if data is None else data), name)
    response = admin.post(
        "/staff/content/q/03455/import",
        data={"csrf_token": csrf(page), "file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert list(errors_by_field(response).values()) == [message]
    assert rows(app, "SELECT count(*) FROM content_imports") == [(0,)]
    assert library_files(app) == before


def test_an_upload_over_50_mb_is_refused_before_a_byte_of_it_is_read(app):
    class Untouchable(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer):  # type: ignore[no-untyped-def]
            raise AssertionError("the body was read")

    environ = EnvironBuilder(path="/staff/content/q/03455/import", method="POST").get_environ()
    environ.update(
        {
            "CONTENT_LENGTH": str(60 * 1024 * 1024),
            "CONTENT_TYPE": "multipart/form-data; boundary=x",
            "wsgi.input": Untouchable(),
        }
    )
    body, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    said = b"".join(body).decode()
    assert "That is 60.0 MB: up to 51 MB can be sent here. Nothing was read or kept." in said
    assert rows(app, "SELECT count(*) FROM content_imports") == [(0,)]


def test_a_file_of_a_few_megabytes_is_taken_on_this_page_only(app, admin, a11_pdf):
    padded = a11_pdf + b"\n%" + b"x" * (3 * 1024 * 1024)  # a PDF with a large comment after it
    token = csrf(admin.get("/staff/content/q/03455"))
    # the body encoded here: the test client's own encoding leaves a temporary file open
    boundary, body = encode_multipart(
        {"csrf_token": token, "file": FileStorage(io.BytesIO(padded), "big.pdf")}
    )
    response = admin.post(
        "/staff/content/q/03455/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    # everywhere else the limit stays 256 KB
    page = admin.get("/staff/learners")
    response = admin.post(
        "/staff/learners/import", data={"csrf_token": csrf(page), "rows": "A, 1, x\n" * 40000}
    )
    assert response.status_code == 413


# ---- checking and publishing -----------------------------------------------------------------


def publish(client, address: str, page, **changes):
    data = {**fields(page), "csrf_token": csrf(page), "action": "publish", **changes}
    return client.post(address, data=data)


def test_a_corrected_draft_is_published_with_who_when_note_and_an_audit_entry(
    app, admin, a11_draft
):
    address, page = a11_draft
    response = publish(
        admin,
        address,
        page,
        **{
            "outcomes-0-criteria-0-text": "Answer calls promptly, politely and in the house style",
            "note": "A11 from the OCR handbook",
        },
    )
    assert response.status_code == 303 and response.location == "/staff/content/q/03455/units/A11"
    unit = served(app).unit("A11")
    assert [(c.number, c.text) for c in unit.criteria][:1] == [
        ("1.1", "Answer calls promptly, politely and in the house style")
    ]
    # the statement the reader made followed the corrected words
    assert (
        unit.criteria[0].statement == "I can answer calls promptly, politely and in the house style"
    )
    library = app.extensions["library"]
    first, second = library.versions("03455", "A11")
    assert first.absent and first.when is None
    assert (second.number, second.note) == (2, "A11 from the OCR handbook")
    assert re.fullmatch(r"Ada Admin \(admin\d+@centre\.example\)", second.who), second.who
    assert second.statements == ("A11:1.1", "A11:1.2", "A11:2.1", "A11:2.2")
    assert rows(
        app, "SELECT action, subject, before, after FROM audit WHERE action LIKE 'unit%'"
    ) == [("unit-published", "03455 A11", "version 1", "version 2: A11 from the OCR handbook")]
    assert rows(app, "SELECT published_unit, published_version FROM unit_drafts") == [("A11", 2)]
    history = admin.get(response.location).get_data(as_text=True)
    assert "Published A11 as version 2" in history and "A11 from the OCR handbook" in history
    # published drafts leave the list of drafts to check
    assert "Drafts to check" in (
        listing := admin.get("/staff/content/q/03455").get_data(as_text=True)
    )
    assert "No drafts waiting" in listing


def test_every_problem_the_loader_finds_is_shown_beside_its_field_and_nothing_is_published(
    app, admin, a11_draft
):
    address, page = a11_draft
    before = library_files(app)
    response = publish(
        admin,
        address,
        page,
        **{
            "outcomes-0-criteria-0-text": "",
            "outcomes-0-criteria-1-number": "2.9",
            "outcomes-1-title": "  ",
        },
    )
    assert response.status_code == 400
    assert "Not published: nothing was changed." in response.get_data(as_text=True)
    assert errors_by_field(response) == {
        "outcomes-0-criteria-0-text": "Is empty.",
        "outcomes-0-criteria-1-number": "Criterion '2.9' does not belong to outcome 1.",
        "outcomes-1-title": "Is empty.",
    }
    # the edits are still on the page, and nothing was kept or published
    assert fields(response)["outcomes-0-criteria-1-number"] == "2.9"
    assert library_files(app) == before
    assert rows(app, "SELECT revision, published_at FROM unit_drafts") == [(1, None)]


def test_a_unit_not_in_the_qualification_is_refused_beside_the_unit(app, admin):
    response = import_text(
        admin, "Unit 999 Something else\nLO1 Do it\n1.1 Do it well\n1.2 Do it fast"
    )
    page = admin.get(response.location)
    assert errors_by_field(page) == {"number": "Choose the unit of 03455 this draft describes."}
    response = publish(admin, response.location, page)
    assert response.status_code == 400 and library_files(app) == []


def test_a_double_tapped_publish_or_a_second_tab_publishes_once(app, admin, a11_draft):
    address, page = a11_draft
    first = publish(admin, address, page)
    second = publish(admin, address, page)  # the same page, sent again
    assert first.status_code == second.status_code == 303
    assert "nothing more was published" in admin.get(second.location).get_data(as_text=True)
    assert [v.number for v in app.extensions["library"].versions("03455", "A11")] == [1, 2]
    assert len(rows(app, "SELECT id FROM audit WHERE action = 'unit-published'")) == 1


def test_an_older_tab_never_saves_over_a_newer_save(app, admin, a11_draft):
    address, page = a11_draft
    tab_a = {**fields(page), "csrf_token": csrf(page), "action": "save"}
    tab_b = dict(tab_a)
    tab_a["outcomes-0-title"] = "Answer calls (tab A)"
    tab_b["outcomes-0-title"] = "Answer calls (tab B)"
    assert admin.post(address, data=tab_a).status_code == 303
    refused = admin.post(address, data=tab_b)
    assert refused.status_code == 409
    assert "saved in another tab" in refused.get_data(as_text=True)
    assert fields(refused)["outcomes-0-title"] == "Answer calls (tab B)"  # their edits, kept
    assert fields(refused)["revision"] == "2"  # saving again now goes through
    (saved,) = rows(
        app, "SELECT json_extract(draft, '$.outcomes[0].title'), revision FROM unit_drafts"
    )
    assert saved == ("Answer calls (tab A)", 2)


def test_criteria_can_be_left_out_and_missed_ones_added(app, admin, a11_draft):
    address, page = a11_draft
    response = publish(
        admin,
        address,
        page,
        **{
            "outcomes-1-criteria-1-omit": "y",  # 2.2 left out
            "outcomes-1-criteria-2-number": "2.3",  # the empty row under outcome 2
            "outcomes-1-criteria-2-text": "Close the call courteously",
            "outcomes-1-criteria-2-kind": "performance",
        },
    )
    assert response.status_code == 303, errors_by_field(response)
    unit = served(app).unit("A11")
    assert [c.number for c in unit.criteria] == ["1.1", "1.2", "2.1", "2.3"]
    assert unit.criteria[-1].statement == "I can close the call courteously"


def test_a_cut_short_criterion_is_published_marked_uncertain(app, admin):
    text = "Unit A11\nLO1 Answer calls\n1.1 Answer calls promptly and\n1.2 Take a message"
    response = import_text(admin, text)
    page = admin.get(response.location)
    body = page.get_data(as_text=True)
    assert "May be cut short" in body and fields(page)["outcomes-0-criteria-0-uncertain"] == "y"
    assert publish(admin, response.location, page).status_code == 303
    criterion = served(app).unit("A11").criteria[0]
    assert (criterion.uncertain, criterion.text, criterion.seed_text) == (
        True,
        "Answer calls promptly and …",
        "Answer calls promptly and",
    )


def test_discarding_a_draft_deletes_it_and_its_source(app, admin, a11_draft):
    address, page = a11_draft
    response = admin.post(address + "/discard", data={"csrf_token": csrf(page)})
    assert response.status_code == 303
    assert rows(app, "SELECT count(*) FROM unit_drafts") == [(0,)]
    assert rows(app, "SELECT count(*) FROM content_imports") == [(0,)]
    assert admin.get(address).status_code == 404


# ---- versions --------------------------------------------------------------------------------


def test_an_earlier_version_is_restored_after_confirming_and_audited(app, admin, a11_draft):
    address, page = a11_draft
    assert publish(admin, address, page).status_code == 303
    confirm = admin.get("/staff/content/q/03455/units/A11/restore/1")
    body = confirm.get_data(as_text=True)
    assert "Restore version 1 of A11?" in body and "rated as a whole" in body
    stale = {"csrf_token": csrf(confirm), "current": "1"}  # shown before version 2 existed
    assert admin.post("/staff/content/q/03455/units/A11/restore/1", data=stale).status_code == 303
    assert len(app.extensions["library"].versions("03455", "A11")) == 2  # nothing restored
    data = {"csrf_token": csrf(confirm), "current": "2", "note": "back while we check it"}
    response = admin.post("/staff/content/q/03455/units/A11/restore/1", data=data)
    assert response.status_code == 303
    assert "is current again, as version 3" in admin.get(response.location).get_data(as_text=True)
    assert served(app).unit("A11").awaiting_criteria
    third = app.extensions["library"].versions("03455", "A11")[-1]
    assert (third.number, third.restored_from, third.note) == (3, 1, "back while we check it")
    assert rows(app, "SELECT action, after FROM audit WHERE action = 'unit-restored'") == [
        ("unit-restored", "version 3: back while we check it")
    ]
    # the current version has nothing to restore
    assert admin.get("/staff/content/q/03455/units/A11/restore/3").status_code == 404


def test_restoring_a_shipped_unit_to_no_file_is_refused_with_one_line(app, admin):
    text = (Path(app.config["CONTENT"]) / "units" / "B1.toml").read_text()
    lib = app.extensions["library"]
    lib.publish_unit("03455", text.replace("Make a good first impression", "Greet well"), "t")
    page = admin.get("/staff/content/q/03455/units/B1/restore/1")
    assert page.status_code == 200  # version 1 is the shipped file: it can be restored
    response = admin.post(
        "/staff/content/q/03455/units/B1/restore/1", data={"csrf_token": csrf(page), "current": "2"}
    )
    assert response.status_code == 303 and served(app).unit("B1").criteria[0].text.startswith(
        "Make"
    )


# ---- the command line -------------------------------------------------------------------------


def test_content_publish_does_what_the_button_does(app, runner, tmp_path):
    draft = tmp_path / "A11.toml"
    made = runner.invoke(
        args=["content", "import", "-", "--output", str(tmp_path)],
        input=pdf_table([a11_with_criteria(served(app))]),
    )
    assert made.exit_code == 0, made.output
    assert draft.exists()
    result = runner.invoke(args=["content", "publish", str(draft), "--note", "from the PDF"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Published 03455 A11 as version 2"
    version = app.extensions["library"].versions("03455", "A11")[-1]
    assert version.note == "from the PDF" and version.who.endswith("(command line)")
    assert rows(app, "SELECT actor, action, after FROM audit") == [
        ("cli", "unit-published", "version 2: from the PDF")
    ]
    assert [c.number for c in served(app).unit("A11").criteria] == ["1.1", "1.2", "2.1", "2.2"]
    # `content check` checks the qualification as served: the centre's unit included
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0 and "content is valid" in check.output
    criteria = re.search(r"^\s+criteria\s+(\d+)$", check.output, re.M)
    assert criteria and int(criteria[1]) == len(served(app).unit("A11").criteria) + 21 + 15 + 16


def test_content_publish_refuses_a_bad_draft_with_one_line_and_changes_nothing(
    app, runner, tmp_path
):
    draft = tmp_path / "A11.toml"
    draft.write_text(
        'number = "A11"\n\n[[outcomes]]\nnumber = 1\ntitle = "Answer"\n\n'
        '[[outcomes.criteria]]\nnumber = "2.1"\ntext = "Answer"\nkind = "performance"\n'
    )
    before = library_files(app)
    result = runner.invoke(args=["content", "publish", str(draft)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: A11.toml: outcomes[0].criteria[0].number: criterion '2.1' does not belong to "
        "outcome 1"
    ]
    assert library_files(app) == before and rows(app, "SELECT count(*) FROM audit") == [(0,)]


# ---- the draft as data (pure) -----------------------------------------------------------------


def test_loader_paths_map_to_the_form_fields_they_came_from():
    draft = {
        "number": "A11",
        "source": "",
        "outcomes": [
            {
                "number": 1,
                "title": "T",
                "learner_title": "",
                "lines": [],
                "criteria": [
                    {**crit, "number": n, "omit": n == "1.1"}
                    for n in ("1.1", "1.2", "1.3")
                    for crit in [
                        {
                            "text": "x",
                            "statement": "",
                            "kind": "performance",
                            "help": "",
                            "uncertain": False,
                            "found": "",
                            "lines": [],
                        }
                    ]
                ],
            }
        ],
    }
    data, places = unit_file(draft)
    assert [c["number"] for c in data["outcomes"][0]["criteria"]] == ["1.2", "1.3"]
    assert form_field("outcomes[0].criteria[1].text", places) == "outcomes-0-criteria-2-text"
    assert form_field("outcomes[0].criteria", places) == "outcomes-0-criteria"
    assert form_field("number", places) == "number"
    assert form_field("guidance[0].criteria[0]", places) == ""


def test_problems_collects_each_part_the_loader_refuses_not_just_the_first():
    data = {
        "number": "A11",
        "outcomes": [
            {"number": 1, "title": "T", "criteria": [{"text": ""}, {"text": "ok"}, {"text": ""}]},
            {"number": 2, "title": "", "criteria": [{"text": "ok"}]},
        ],
    }

    def check(d):  # type: ignore[no-untyped-def]
        for i, o in enumerate(d["outcomes"]):
            if not o["title"]:
                raise ContentError("draft", f"outcomes[{i}].title", "is empty")
            for j, c in enumerate(o["criteria"]):
                if not c["text"]:
                    raise ContentError("draft", f"outcomes[{i}].criteria[{j}].text", "is empty")

    found = [e.field for e in problems(data, check, "draft")]
    assert found == [
        "outcomes[0].criteria[0].text",
        "outcomes[0].criteria[2].text",
        "outcomes[1].title",
    ]


def test_a_statement_follows_its_criterion_unless_a_person_wrote_it():
    stored = {
        "number": "A11",
        "outcomes": [
            {
                "number": 1,
                "title": "T",
                "learner_title": "",
                "lines": [4],
                "criteria": [
                    {
                        "number": "1.1",
                        "text": "Greet their customers",
                        "statement": "I can greet my customers",
                        "kind": "performance",
                        "help": "",
                        "uncertain": False,
                        "found": "",
                        "lines": [5],
                        "omit": False,
                    },
                    {
                        "number": "1.2",
                        "text": "Smile",
                        "statement": "I smile at people",
                        "kind": "performance",
                        "help": "",
                        "uncertain": False,
                        "found": "",
                        "lines": [6],
                        "omit": False,
                    },
                ],
            }
        ],
    }
    posted = {
        "number": "A11",
        "outcomes": [
            {
                "number": 1,
                "title": "T",
                "learner_title": "",
                "criteria": [
                    {
                        "number": "1.1",
                        "text": "Greet their customers warmly",
                        "statement": "I can greet my customers",
                        "kind": "performance",
                    },
                    {
                        "number": "1.2",
                        "text": "Smile often",
                        "statement": "I smile at people",
                        "kind": "performance",
                    },
                    {"number": "", "text": "", "statement": ""},  # the empty row
                ],
            },
            {"number": None, "title": "", "criteria": [{}]},  # the empty outcome
        ],
    }
    edited = apply_edits(stored, posted)
    assert [c["statement"] for c in edited["outcomes"][0]["criteria"]] == [
        "I can greet my customers warmly",
        "I smile at people",
    ]
    assert len(edited["outcomes"]) == 1 and edited["outcomes"][0]["criteria"][0]["lines"] == [5]


# ---- learners' answers across versions --------------------------------------------------------


def test_a_learner_mid_assessment_loses_nothing_when_a_unit_gets_criteria(app, admin, a11_draft):
    """Answers before, publication, pages after: A11 goes from one statement to criteria."""
    with database(app) as db:
        learner_id, token = learners.create_learner(db, "Sam Learner")
        learners.save_ratings(db, learner_id, {"A11:unit": 1, "F1:1.1": 2}, "t")
        learners.submit(db, learner_id, "t")
        check = learners.open_check(db, learner_id, "A11")
        learners.save_check_ratings(db, check, {"A11:unit": 2}, "t")
        learners.finish_check(db, check, "t")
    phone = learner_client(app, token)
    old_page = phone.get("/q/03455/check/A11")  # a check page open before the publication
    assert "I can deal with incoming telephone calls from customers" in old_page.text
    address, page = a11_draft
    assert publish(admin, address, page).status_code == 303

    # the old page's answer, sent by the script, is kept on the open check
    saved = phone.post(
        "/q/03455/check/A11/save",
        data={"csrf_token": csrf(old_page), "name": rating_field_name("A11:unit"), "value": "3"},
    )
    assert saved.status_code == 200 and saved.json["ok"]
    # the old page sent as a form: kept too, and the learner is shown the criteria
    resent = phone.post(
        "/q/03455/check/A11",
        data={"csrf_token": csrf(old_page), rating_field_name("A11:unit"): "3"},
    )
    assert resent.status_code == 409
    assert "The questions for this unit changed while your page was open" in resent.text
    now = phone.get("/q/03455/check/A11").text
    assert "I can answer calls promptly and politely" in now
    assert "I can deal with incoming telephone calls from customers" not in now
    # answering the criteria finishes the check; the result shows the earlier answer as it was
    page = phone.get("/q/03455/check/A11")
    done = phone.post(
        "/q/03455/check/A11",
        data={
            "csrf_token": csrf(page),
            **{rating_field_name(f"A11:{n}"): "2" for n in ("1.1", "1.2", "2.1", "2.2")},
        },
    )
    assert done.status_code == 303, done.text
    result = phone.get(done.location).text
    said = "Before this unit's list of statements was added, you rated it as a whole"
    assert f"{said}: Could show evidence now" in html.unescape(result)
    with database(app) as db:
        kept = learners.check_ratings(db, int(done.location.rsplit("/", 1)[1]))
    assert kept["A11:unit"] == 3 and kept["A11:1.1"] == 2
    # the learner's record and export still word the answer as it was given
    assert "I can deal with incoming telephone calls from customers" in phone.get("/my-record").text
    assert (
        "I can deal with incoming telephone calls from customers" in phone.get("/my-data.csv").text
    )


def test_the_gap_report_says_which_version_a_learner_answered(app, admin, a11_draft):
    with database(app) as db:
        learner_id, _ = learners.create_learner(db, "Sam Learner")
        learners.save_ratings(db, learner_id, {"A11:unit": 1}, "t")
        other_id, _ = learners.create_learner(db, "Kim Later")
    address, page = a11_draft
    assert publish(admin, address, page, note="A11 criteria").status_code == 303
    time.sleep(1.01)  # ratings are timed to the second
    with database(app) as db:
        learners.save_ratings(db, other_id, {"A11:unit": 2}, "t")
    report = admin.get(f"/staff/learners/{learner_id}").text
    assert "Answered under version 1 (rated as a whole); version 2 is current" in report
    assert "I can answer calls promptly and politely" in report  # the new criteria
    assert "I can deal with incoming telephone calls from customers" in report  # the answer
    later = admin.get(f"/staff/learners/{other_id}").text
    assert "Answered under version 2, the current version." in later
    csv_rows = admin.get(f"/staff/learners/{learner_id}/report.csv").text.splitlines()
    a11 = [r for r in csv_rows if ",A11," in r]
    assert any("A11:unit" in r and ",version 1," in r for r in a11), a11


def test_a_dropped_criterion_stays_on_the_gap_report_as_rated(app, admin):
    lib = app.extensions["library"]
    a11 = a11_with_criteria(served(app))
    draft = {
        "number": "A11",
        "outcomes": [
            {
                "number": o.number,
                "title": o.title,
                "criteria": [
                    {"number": c.number, "text": c.text, "kind": c.kind} for c in o.criteria
                ],
            }
            for o in a11.outcomes
        ],
    }
    lib.publish_unit("03455", draft, "t")
    with database(app) as db:
        learner_id, _ = learners.create_learner(db, "Sam Learner")
        learners.save_assessor_ratings(db, learner_id, {"A11:2.2": 3}, 1, "t")
    del draft["outcomes"][1]["criteria"][1]  # 2.2 dropped by the next version
    lib.publish_unit("03455", draft, "t")
    assert served(app).statement("A11:2.2") is None
    report = admin.get(f"/staff/learners/{learner_id}").text
    row = report[report.index("I can pass the call on when it needs someone else") :][:400]
    assert "earlier version: no longer asked" in row and "Could show evidence now" in row
    assert 'name="a-A11:2.2"' not in report  # not rated again: it is no longer asked


def test_a_learner_on_a_page_whose_unit_changed_goes_on_with_answers_kept(tmp_path):
    folder = write_folder(tmp_path / "TL3-2027", SECOND)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "CONTENT": str(folder),
            "DATABASE": str(tmp_path / "db"),
            "CENTRE_CONTENT": str(tmp_path / "centre"),
        }
    )
    with database(app) as db:
        learner_id, token = learners.create_learner(db, "Sam Learner")
    phone = learner_client(app, token)
    old_page = phone.get("/assessment/302")  # 302 (mandatory) is rated as a whole
    assert old_page.status_code == 200
    app.extensions["library"].publish_unit(
        "TL3-2027",
        'number = "302"\n\n[[outcomes]]\nnumber = 1\ntitle = "Be able to plan work"\n\n'
        '[[outcomes.criteria]]\nnumber = "1.1"\ntext = "Plan the week"\nkind = "performance"\n',
        "t",
    )
    response = phone.post(
        "/assessment/302", data={"csrf_token": csrf(old_page), rating_field_name("302:unit"): "2"}
    )
    assert response.status_code == 303 and response.location == "/assessment/302-1"
    page = phone.get(response.location).text
    assert "The questions for this unit changed while your page was open" in page
    assert "I can plan the week" in page
    with database(app) as db:
        assert learners.answers(db, learner_id).ratings == {"302:unit": 2}
    assert phone.get("/assessment/nothing-like-it").status_code == 404
    # the earlier answer stays on the starting point, as it was worded
    with database(app) as db:
        learners.save_ratings(db, learner_id, {"302:1.1": 1}, "t")
        learners.submit(db, learner_id, "t")
    result = phone.get("/result").text
    assert "You answered before this unit" in result and "I can plan and allocate work" in result
