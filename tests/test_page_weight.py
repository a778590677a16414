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


# a workplace contact's pages go to a phone too: the same budget
WORKPLACE_PAGES = [
    "/workplace",
    "/workplace/job",
    "/workplace/claims/F1",
    "/workplace/claims/F2",
    "/workplace/claims/B1",  # the most claims on one page
    "/workplace/claims/units",
    "/workplace/review",
    "/workplace/testimonies",
    "/workplace/testimonies/new",
    "/workplace/contract",
    "/workplace/forget",
]


@pytest.fixture
def contact_client(app, submitted_learner):
    """The learner's line manager, on their phone; the learner's plan has B1 and units still
    rated as a whole."""
    from survey.db import connect
    from survey.store import accounts, plans, workplace

    db = connect(app.config["DATABASE"])
    try:
        learner_id = submitted_learner[0]
        staff_id = accounts.create_staff(db, "a@centre.example", "Asha", "assessor", "x", "t")
        plans.save_unit_plan(db, learner_id, ["A11", "A12", "B1", "C3", "D1"], staff_id, "t")
        new = workplace.NewContact("Pat Manager", "Operations Manager", "line-manager")
        _, token, _ = workplace.invite(db, learner_id, new, None, "test", 90)
    finally:
        db.conn.close()
    client = app.test_client()
    assert client.get(f"/w/{token}").status_code == 302
    return client


@pytest.mark.parametrize("path", WORKPLACE_PAGES)
def test_a_workplace_page_fits_the_first_round_trip(contact_client, path):
    total, third_party = weight(contact_client, path)
    assert total <= BUDGET, f"{path}: {total} bytes as sent"
    assert third_party == []
