"""Gzip for pages, exports and static files, when the browser accepts it and it is worth it."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import stat
import zlib
from collections.abc import Callable
from io import BytesIO
from typing import Any

from flask import Flask, Response, request, send_file
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/csv",
        "text/plain",
    }
)
MIN_SIZE = 500  # smaller bodies gain a few bytes at best, after gzip's own 20
# measured on a 16 KB learner page: level 5 is 7% smaller than level 1 and within 2% of 9;
# it takes about 0.1 ms (level 1: 0.05, 6: 0.11, 9: 0.13) against about 3 ms to render the page
LEVEL = 5
STATIC_LEVEL = 9  # each static file is compressed once per version, so the best level is free
NOT_COMPRESSED = frozenset({204, 206, 304})


def init_app(app: Flask) -> None:
    """Gzip responses after each request, and serve static text files gzipped from memory."""
    app.after_request(compress_response)
    if app.has_static_folder:
        app.view_functions["static"] = static_view(app)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip: an explicit gzip beats `*`, q=0 means no."""
    explicit: float | None = None
    wildcard: float | None = None
    for item in accept_encoding.split(","):
        coding, *params = item.split(";")
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):  # x-gzip is the same coding by another name
            explicit = max(explicit or 0.0, quality(params))
        elif coding == "*":
            wildcard = quality(params)
    if explicit is not None:
        return explicit > 0
    return bool(wildcard)


def quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0  # a garbled weight is not a yes
    return 1.0


def wants_gzip() -> bool:
    return accepts_gzip(request.headers.get("Accept-Encoding", ""))


def from_another_site() -> bool:
    """A request another site started (a link, a form, a script).

    Pages carry the session's CSRF token and some echo what was asked for (a search); gzipped,
    their length could let a hostile page guess the token a request at a time (BREACH). Only
    our own pages, bookmarks and typed addresses get compressed pages.
    """
    return request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site"


def compress_response(response: Response) -> Response:
    """Gzip a finished response in place, so headers other hooks set before or after stay."""
    if (
        response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or response.status_code < 200
        or response.status_code in NOT_COMPRESSED
        or response.direct_passthrough
        or response.is_streamed
        or response.cache_control.no_transform
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:  # also a HEAD answered without a body
        return response
    # the same address answers gzipped or not, so a shared cache must keep both apart
    response.vary.add("Accept-Encoding")
    if not wants_gzip() or from_another_site():
        return response
    compressed = gzip_page(body)
    response.set_data(compressed)
    response.content_length = len(compressed)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        # the gzipped bytes are another representation: their validator must differ
        response.set_etag(f"{etag}-gzip", bool(weak))
        response.make_conditional(request)
    return response


# Every page starts with the same head and its inline stylesheet (about 14 KB). Its compressed
# form and the compressor's state after it are kept, so each page compresses only its own part.
HEAD_END = b"</style>"
_heads: dict[bytes, tuple[bytes, Any]] = {}


def gzip_page(body: bytes) -> bytes:
    """gzip.compress(body), reusing the compressed shared head when the page starts with it."""
    end = body.find(HEAD_END, 0, 65536)
    if end < 0:
        return gzip.compress(body, LEVEL, mtime=0)
    head = body[: end + len(HEAD_END)]
    kept = _heads.get(head)
    if kept is None:
        # a gzip stream (wbits 31) flushed to a byte boundary after the head: a copy of the
        # compressor carries on from there, window and checksum included
        start = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)
        kept = (start.compress(head) + start.flush(zlib.Z_SYNC_FLUSH), start)
        if len(_heads) >= 8:  # a new stylesheet after a deploy: forget the old heads
            _heads.clear()
        _heads[head] = kept
    packed, state = kept
    rest = state.copy()
    return packed + rest.compress(body[len(head) :]) + rest.flush()


def static_view(app: Flask) -> Callable[[str], Response]:
    """Flask's static view, but text files go out gzipped, each compressed once per version."""
    cache: dict[str, tuple[int, int, bytes, str]] = {}  # path: mtime, size, gzipped, etag

    def static(filename: str) -> Response:
        path = safe_join(str(app.static_folder), filename)
        try:
            info = os.stat(path) if path else None
        except (OSError, ValueError):  # ValueError: a NUL byte, which no file name holds
            info = None
        if path is None or info is None or not stat.S_ISREG(info.st_mode):
            raise NotFound()
        mimetype, encoding = mimetypes.guess_type(path)
        if mimetype not in COMPRESSIBLE or encoding is not None or info.st_size < MIN_SIZE:
            return app.send_static_file(filename)
        if "Range" in request.headers or not wants_gzip():
            response = app.send_static_file(filename)  # ranges are served from the plain file
        else:
            entry = cache.get(path)
            if entry is None or entry[:2] != (info.st_mtime_ns, info.st_size):
                with open(path, "rb") as f:
                    data = f.read()
                compressed = gzip.compress(data, STATIC_LEVEL, mtime=0)
                etag = hashlib.sha256(data).hexdigest()[:20] + "-gzip"
                entry = (info.st_mtime_ns, info.st_size, compressed, etag)
                cache[path] = entry  # keyed by path, so an edited file replaces its old bytes
            response = send_file(
                BytesIO(entry[2]),
                mimetype=mimetype,
                conditional=False,
                etag=entry[3],
                last_modified=info.st_mtime,
                max_age=app.get_send_file_max_age(filename),
            )
            response.headers["Content-Encoding"] = "gzip"
            response.make_conditional(request)
        response.vary.add("Accept-Encoding")
        return response

    return static
