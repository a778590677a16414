"""Byte budgets: everything a learner page needs fits the first network round trip.

The pages and the budget are benchmarks/load.py's, which the page-weight benchmark measures too."""

from __future__ import annotations

import gzip

import pytest

from benchmarks.load import BUDGET, GZIP, PAGES, addresses


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
    loaded = addresses(html)
    for asset in [a for a in loaded if a.startswith("/static/")]:
        with client.get(asset, headers=GZIP) as r:
            assert r.status_code == 200, asset
            total += len(r.data)
    third_party = [a for a in loaded if a.startswith(("http://", "https://"))]
    return total, [t for t in third_party if "/l/" not in t]


@pytest.mark.parametrize("path", PAGES)
def test_a_learner_page_fits_the_first_round_trip(learner_client, path):
    total, third_party = weight(learner_client, path)
    assert total <= BUDGET, f"{path}: {total} bytes as sent"
    assert third_party == []  # no fonts, no CDN, no trackers
