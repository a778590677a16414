"""Byte budgets: everything a learner page needs fits the first network round trip."""

from __future__ import annotations

import gzip
import re

import pytest

from survey import store
from survey.db import connect

BUDGET = 14_600  # bytes, gzipped: HTML + CSS + JS + icon, about ten TCP segments
PAGES = ["/assessment/job", "/assessment/F1-1", "/assessment/F1-3", "/assessment/group-B",
         "/assessment/interests", "/assessment/review", "/result", "/check/B1",
         "/check/B1/results/1", "/code", "/contract", "/my-record"]


@pytest.fixture
def learner_client(app):
    db = connect(app.config["DATABASE"])
    learner_id, token = store.create_learner(db, "Sam Learner")
    q = app.extensions["qualification"]
    store.save_ratings(db, learner_id, {s.id: 2 for s in q.statements()}, "t")
    store.submit(db, learner_id, "t")
    check = store.open_check(db, learner_id, "B1")
    store.save_check_ratings(db, check, {"B1:1.1": 2}, "t")
    store.finish_check(db, check, "t")
    db.conn.close()
    client = app.test_client()
    client.get(f"/l/{token}")
    return client


def weight(client, path: str) -> tuple[int, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.data
    total = len(gzip.compress(html, 9))
    assets = re.findall(rb'(?:href|src)="(/static/[^"?]+)\?v=', html)
    for asset in assets:
        with client.get(asset.decode()) as r:
            total += len(gzip.compress(r.data, 9))
    third_party = re.findall(rb'(?:href|src)="(https?://[^"]+)"', html)
    return total, [t.decode() for t in third_party if b"/l/" not in t]


@pytest.mark.parametrize("path", PAGES)
def test_a_learner_page_fits_the_first_round_trip(learner_client, path):
    total, third_party = weight(learner_client, path)
    assert total <= BUDGET, f"{path}: {total} bytes gzipped"
    assert third_party == []  # no fonts, no CDN, no trackers
