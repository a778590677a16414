"""Gzip: pages, exports and static files go out compressed when the browser accepts it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from pathlib import Path

import pytest
from flask import Response
from helpers import csrf, fields, staff_client, with_db

from survey import compress
from survey.store import learners

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
STATIC = Path(__file__).resolve().parent.parent / "static"


def static_bytes(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def masked(html: bytes) -> bytes:
    """The page with its CSRF token blanked: the token is signed afresh on every request."""
    tokens = fields(html, "csrf_token")
    return html.replace(tokens[0].encode(), b"") if tokens else html


@pytest.fixture
def learner(submitted_learner) -> tuple[int, str]:
    return submitted_learner


@pytest.fixture
def learner_client(app, learner):
    client = app.test_client()
    assert client.get(f"/l/{learner[1]}").status_code == 302
    return client


@pytest.fixture
def admin_client(app):
    return staff_client(app, "admin", "Fay")[0]


@pytest.fixture
def stylesheet(app) -> str:
    """The cache-busted address of the stylesheet (pages carry it inline; the file stays)."""
    with app.test_request_context():
        href = app.jinja_env.globals["static_url"]("style.css")
    assert href.startswith("/static/style.css?v=")
    return href


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


# ---- which requests may be answered with gzip ----------------------------------------------


@pytest.mark.parametrize(
    "header, accepted",
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;Q=0.5", True),
        ("deflate, gzip;q=0.001", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),  # an explicit refusal beats the wildcard
        ("*;q=0, gzip", True),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header, accepted):
    assert compress.accepts_gzip(header) is accepted


# ---- pages -----------------------------------------------------------------------------------


def test_a_learner_page_comes_gzipped_and_unpacks_to_the_same_page(learner_client):
    plain = learner_client.get("/assessment/F1-1")
    packed = learner_client.get("/assessment/F1-1", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    html = gzip.decompress(packed.data)
    assert b'name="csrf_token"' in html
    assert masked(html) == masked(plain.data)
    # caches keep people and encodings apart
    assert {"accept-encoding", "cookie"} <= vary(packed)
    again = learner_client.get("/assessment/F1-2", headers=GZIP)
    assert again.status_code == 200 and b"/assessment/" in gzip.decompress(again.data)


def test_a_page_without_a_token_unpacks_byte_for_byte(client):
    plain = client.get("/q/03455/units/F1")
    packed = client.get("/q/03455/units/F1", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data


def test_pages_sharing_a_head_unpack_exactly_whatever_comes_before_or_after():
    """The shared head (doctype to inline stylesheet) is compressed once and reused."""
    head = b"<!doctype html><head><style>" + static_bytes("style.css") + b"</style>"
    other = b"<!doctype html><head><style>p { color: red; }</style>"
    bodies = [
        head + b"<title>One</title><p>first page</p>" * 40,
        head + b"<title>Two</title>" + os.urandom(3000).hex().encode(),
        other + b"<p>a new stylesheet after a deploy</p>" * 30,
        head + b"",
        b"<p>no stylesheet at all</p>" * 40,
        b"</style>" + b"x" * 600,
    ]
    for body in bodies * 2:
        assert gzip.decompress(compress.gzip_page(body)) == body
    assert len(compress.gzip_page(bodies[0])) < len(static_bytes("style.css")) // 3


@pytest.mark.parametrize("header", [None, "gzip;q=0", "gzip;q=0, *", "identity", "br, deflate"])
def test_without_gzip_in_accept_encoding_the_page_is_sent_plain(learner_client, header):
    headers = {"Accept-Encoding": header} if header else {}
    response = learner_client.get("/assessment/F1-1", headers=headers)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"<!doctype html>")
    assert int(response.headers["Content-Length"]) == len(response.data)
    # the same address answers gzipped for others, so a cache must still tell them apart
    assert {"accept-encoding", "cookie"} <= vary(response)


@pytest.mark.parametrize(
    "site, gzipped",
    [("cross-site", False), ("same-origin", True), ("same-site", True), ("none", True)],
)
def test_pages_another_site_asks_for_are_sent_plain(learner_client, site, gzipped):
    """A page holding the CSRF token is never gzipped for another site's request (BREACH)."""
    response = learner_client.get("/assessment/F1-1", headers={**GZIP, "Sec-Fetch-Site": site})
    assert response.status_code == 200
    assert ("Content-Encoding" in response.headers) is gzipped
    assert "accept-encoding" in vary(response)
    # static files hold no secret: they are gzipped whoever asks
    css = learner_client.get("/static/style.css", headers={**GZIP, "Sec-Fetch-Site": site})
    assert css.headers["Content-Encoding"] == "gzip"


def test_an_error_page_is_gzipped_too(client):
    response = client.get("/nowhere", headers=GZIP)
    assert response.status_code == 404
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<!doctype html>" in gzip.decompress(response.data)


def serve(app, view, path="/test"):
    app.add_url_rule(path, path, view)
    return app.test_client().get(path, headers=GZIP)


@pytest.mark.parametrize(
    "why, view",
    [
        ("too small", lambda: Response("x" * (compress.MIN_SIZE - 1), mimetype="text/plain")),
        ("not text", lambda: Response(b"\x89PNG" + bytes(4000), mimetype="image/png")),
        ("streamed", lambda: Response((b"x" * 1000 for _ in range(3)), mimetype="text/plain")),
        (
            "already encoded",
            lambda: Response(
                b"x" * 4000, mimetype="text/plain", headers={"Content-Encoding": "br"}
            ),
        ),
        (
            "no-transform",
            lambda: Response(
                "x" * 4000, mimetype="text/plain", headers={"Cache-Control": "no-transform"}
            ),
        ),
        ("partial", lambda: Response("x" * 4000, status=206, mimetype="text/plain")),
        (
            "passed through",
            lambda: Response([b"x" * 4000], mimetype="text/plain", direct_passthrough=True),
        ),
    ],
)
def test_responses_that_gzip_would_not_help_or_would_break_go_out_as_they_are(app, why, view):
    expected = view()
    expected_body = b"".join(expected.iter_encoded())
    response = serve(app, view)
    assert response.headers.get("Content-Encoding") == expected.headers.get("Content-Encoding")
    assert response.data == expected_body, why


def test_a_response_at_the_size_threshold_is_gzipped(app):
    response = serve(app, lambda: Response("x" * compress.MIN_SIZE, mimetype="text/plain"))
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == b"x" * compress.MIN_SIZE


def test_a_head_request_gets_the_headers_of_the_gzipped_get(client):
    get = client.get("/q/03455/units/F1", headers=GZIP)
    head = client.head("/q/03455/units/F1", headers=GZIP)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Encoding"] == "gzip"
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_a_strong_etag_is_changed_for_the_gzipped_bytes_and_still_revalidates(app):
    def view():  # type: ignore[no-untyped-def]
        response = Response("a plain text answer " * 100, mimetype="text/plain")
        response.set_etag("v1")
        return response

    app.add_url_rule("/tagged", "tagged", view)
    client = app.test_client()
    assert client.get("/tagged").headers["ETag"] == '"v1"'
    packed = client.get("/tagged", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == '"v1-gzip"'
    again = client.get("/tagged", headers={**GZIP, "If-None-Match": '"v1-gzip"'})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("order", ["as registered", "reversed"])
@pytest.mark.parametrize("path", ["/q/03455/units/F1", "/static/style.css"])
def test_gzipped_responses_keep_the_security_headers_whatever_the_hook_order(app, order, path):
    if order == "reversed":
        app.after_request_funcs[None].reverse()
    with app.test_client().get(path, headers=GZIP) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


# ---- exports and JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/my-data.csv", "/my-data.json"])
def test_a_learners_own_export_unpacks_to_the_same_download(learner_client, path):
    plain = learner_client.get(path)
    packed = learner_client.get(path, headers=GZIP)
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Disposition"] == plain.headers["Content-Disposition"]
    assert packed.mimetype == plain.mimetype
    assert gzip.decompress(packed.data) == plain.data


def test_staff_csv_and_json_exports_still_parse_when_gzipped(admin_client, learner):
    learner_id = learner[0]
    report = admin_client.get(f"/staff/learners/{learner_id}/report.csv", headers=GZIP)
    assert report.status_code == 200 and report.headers["Content-Encoding"] == "gzip"
    rows = list(csv.reader(io.StringIO(gzip.decompress(report.data).decode("utf-8-sig"))))
    assert len(rows) > 10 and any("Sam Learner" in cell for row in rows for cell in row)
    export = admin_client.get(f"/staff/learners/{learner_id}/export.json", headers=GZIP)
    assert export.status_code == 200 and export.headers["Content-Encoding"] == "gzip"
    record = json.loads(gzip.decompress(export.data))
    assert "Sam Learner" in json.dumps(record)


def test_a_small_json_answer_is_sent_plain_and_still_parses(app):
    _, link = with_db(app, lambda db: learners.create_learner(db, "Ash New"))
    client = app.test_client()
    client.get(f"/l/{link}")
    token = csrf(client.get("/assessment/F1-1"))
    response = client.post(
        "/assessment/save",
        data={"csrf_token": token, "name": "r-F1-1.1", "value": "3", "page": "F1-1"},
        headers={**GZIP, "Accept": "application/json"},
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_json() == {"ok": True}


# ---- static files ------------------------------------------------------------------------------


def test_the_stylesheet_is_gzipped_with_a_long_life_and_validators(client, stylesheet):
    with client.get(stylesheet, headers=GZIP) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == static_bytes("style.css")
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert response.mimetype == "text/css"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "accept-encoding" in vary(response)
        assert response.headers["Last-Modified"]
        etag = response.headers["ETag"]
    with client.get("/static/style.css") as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.data == static_bytes("style.css")
        assert "accept-encoding" in vary(plain)
        assert plain.headers["ETag"] != etag  # each encoding has its own validator


def test_the_script_is_gzipped_too(client):
    with client.get("/static/app.js", headers=GZIP) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == static_bytes("app.js")


def test_a_tiny_static_file_is_sent_as_it_is(client):
    assert len(static_bytes("icon.svg")) < compress.MIN_SIZE
    with client.get("/static/icon.svg", headers=GZIP) as response:
        assert "Content-Encoding" not in response.headers
        assert response.data == static_bytes("icon.svg")


@pytest.mark.parametrize(
    "validator",
    [
        lambda r: {"If-None-Match": r.headers["ETag"]},
        lambda r: {"If-Modified-Since": r.headers["Last-Modified"]},
    ],
    ids=["etag", "last-modified"],
)
def test_a_cached_gzipped_stylesheet_revalidates_with_a_304(client, stylesheet, validator):
    with client.get(stylesheet, headers=GZIP) as first:
        condition = validator(first)
    with client.get(stylesheet, headers={**GZIP, **condition}) as again:
        assert again.status_code == 304
        assert again.data == b""
        assert "max-age=31536000" in again.headers["Cache-Control"]
        assert "accept-encoding" in vary(again)


def test_a_range_request_gets_the_plain_bytes(client, stylesheet):
    with client.get(stylesheet, headers={**GZIP, "Range": "bytes=0-99"}) as response:
        assert response.status_code == 206
        assert "Content-Encoding" not in response.headers
        assert response.data == static_bytes("style.css")[:100]
        assert response.headers["Content-Range"].startswith("bytes 0-99/")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../templates/base.html",
        "/static/%2e%2e/templates/base.html",
        "/static/..%2ftemplates/base.html",
        "/static/../../../etc/hostname",
        "/static/nothing-here.css",
    ],
)
@pytest.mark.parametrize("headers", [GZIP, {}], ids=["gzip", "plain"])
def test_static_paths_outside_the_folder_or_missing_are_404(client, path, headers):
    with client.get(path, headers=headers) as response:
        assert response.status_code == 404
        assert b"{% block" not in gzip_or_plain(response)  # no template source leaked


def gzip_or_plain(response) -> bytes:
    if response.headers.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.data)
    return response.data


def test_a_static_file_is_compressed_once_and_again_after_it_changes(app, tmp_path, monkeypatch):
    app.static_folder = str(tmp_path)
    sheet = tmp_path / "edited.css"
    sheet.write_text("body { color: black; }\n" * 40)
    calls: list[int] = []
    real = gzip.compress

    def counting(data, level=9, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(level)
        return real(data, level, **kwargs)

    monkeypatch.setattr(compress.gzip, "compress", counting)
    client = app.test_client()
    first = [client.get("/static/edited.css", headers=GZIP) for _ in range(3)]
    assert calls == [compress.STATIC_LEVEL]
    assert {r.headers["ETag"] for r in first} == {first[0].headers["ETag"]}
    sheet.write_text("body { color: navy; }\n" * 40)
    os.utime(sheet, ns=(sheet.stat().st_atime_ns, sheet.stat().st_mtime_ns + 10**9))
    edited = client.get("/static/edited.css", headers=GZIP)
    assert gzip.decompress(edited.data) == sheet.read_bytes()
    assert edited.headers["ETag"] != first[0].headers["ETag"]
    assert len(calls) == 2


def test_a_static_file_kept_gzipped_is_not_gzipped_twice(app, tmp_path):
    app.static_folder = str(tmp_path)
    sheet = "".join(f".c{i} {{ color: #{i * 7919 % 16**6:06x}; }}\n" for i in range(200)).encode()
    (tmp_path / "kept.css.gz").write_bytes(gzip.compress(sheet))
    assert (tmp_path / "kept.css.gz").stat().st_size >= compress.MIN_SIZE
    with app.test_client().get("/static/kept.css.gz", headers=GZIP) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == sheet
