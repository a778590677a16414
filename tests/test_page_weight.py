"""Byte budgets: everything a learner page needs fits the first network round trip."""

from __future__ import annotations

import gzip

import pytest
from helpers import dom

BUDGET = 14_600  # bytes, gzipped: HTML + CSS + JS + icon, about ten TCP segments
PAGES = [
    "/welcome",
    "/assessment/job",
    "/assessment/F1-1",
    "/assessment/F1-3",
    "/assessment/group-B",
    "/assessment/interests",
    "/assessment/review",
    "/result",
    "/check/B1",
    "/check/B1/results/1",
    "/code",
    "/contract",
    "/my-record",
]


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def learner_client(app, submitted_learner):
    client = app.test_client()
    assert client.get(f"/l/{submitted_learner[1]}").status_code == 302
    return client


def weight(client, path: str) -> tuple[int, list[str]]:
    """Bytes on the wire for a page and all it loads, each fetched as a phone's browser would."""
    response = client.get(path, headers=GZIP)
    assert response.status_code == 200, path
    assert response.headers["Content-Encoding"] == "gzip", path
    total = len(response.data)
    html = gzip.decompress(response.data)
    addresses = [
        e.get("href") or e.get("src") or ""
        for e in dom(html).iter()
        if {"href", "src"} & set(e.attrs)
    ]
    for asset in [a for a in addresses if a.startswith("/static/")]:
        with client.get(asset, headers=GZIP) as r:
            assert r.status_code == 200, asset
            total += len(r.data)
    third_party = [a for a in addresses if a.startswith(("http://", "https://"))]
    return total, [t for t in third_party if "/l/" not in t]


@pytest.mark.parametrize("path", PAGES)
def test_a_learner_page_fits_the_first_round_trip(learner_client, path):
    total, third_party = weight(learner_client, path)
    assert total <= BUDGET, f"{path}: {total} bytes as sent"
    assert third_party == []  # no fonts, no CDN, no trackers
