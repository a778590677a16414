"""A learner's record as JSON and CSV, and the audit trail in words (survey/export.py), without
HTTP; the downloads themselves are tested in test_data_protection.py."""

from __future__ import annotations

import csv
import io
import json

import pytest

from survey.export import record_csv, record_json
from survey.history import describe

RECORD = {
    "learner": {"id": 1, "name": "Sam", "candidate_number": "=C1"},
    "job_contexts": {"writing": "yes"},
    "ratings": {"F1:1.1": 2},
    "interests": ["A11"],
    "self_checks": [{"id": 4, "unit": "B1", "finished_at": None, "ratings": {"B1:1.1": 3}}],
    "assessor_ratings": {"F1:1.1": 1},
    "plan": {"units": ["A3", "B2"], "confirmed_at": None, "updated_at": "2026-01-02"},
    "assessment_plan": [],
    "contracts": [],
    "audit": [],
}


def test_the_json_record_is_the_record_with_the_portfolio_introduction_first(q):
    whole = json.loads(record_json(q, RECORD))
    intro = whole.pop("introduction")
    assert {k: v for k, v in whole.items() if k in RECORD} == RECORD
    assert intro["scheme_code"] == "03455" and intro["candidate_number"] == "=C1"
    assert intro["qualification"] == "OCR Level 2 NVQ Certificate in Customer Service"
    assert intro["learner"]["Name"] == "Sam" and intro["staff"] == intro["witnesses"] == []


def test_the_json_record_is_the_record_with_the_ledger_and_suggestions_worked_out(q):
    got = json.loads(record_json(q, RECORD))
    assert {k: v for k, v in got.items() if k in RECORD} == RECORD
    # the plan is not confirmed: a ledger of no units, nothing to suggest
    assert got["prior_learning_ledger"]["units"] == []
    assert got["prior_learning_ledger"]["figures"]["total_hours"] == 0
    assert got["suggested_evidence"]["activities"] == []


def test_a_confirmed_plan_brings_its_ledger_and_suggestions_into_the_record(q):
    record = {
        **RECORD,
        "plan": {**RECORD["plan"], "confirmed_at": "2026-01-03"},
        "assessor_ratings": {"F1:1.1": 3, "F1:1.2": 3},
        "prior_learning": {
            "evidence": {"F1:1.1": "Certificate"},
            "funding": None,
            "decisions": [],
        },
    }
    got = json.loads(record_json(q, record))
    f1 = got["prior_learning_ledger"]["figures"]["units"][0]
    assert (f1["unit"], f1["criteria_met"], f1["met"][0]["evidence"]) == ("F1", 1, "Certificate")
    writing = next(a for a in got["suggested_evidence"]["activities"] if a["id"] == "writing")
    assert "F1:1.1" not in writing["statements"]  # met: no observation needed
    rows = list(csv.reader(io.StringIO(record_csv(q, record))))
    assert [
        "prior-learning ledger " + got["prior_learning_ledger"]["figures"]["version"],
        "F1:1.1",
        "met",
        f"{q.unit('F1').criteria[0].text} — evidence: Certificate",
        "",
    ] in rows


def test_the_csv_record_has_a_row_per_fact_in_words(q):
    rows = list(csv.reader(io.StringIO(record_csv(q, RECORD))))
    assert rows[0] == ["section", "item", "value", "detail", "when"]
    assert ["learner", "candidate_number", "'=C1", "", ""] in rows
    assert ["rating", "F1:1.1", "2", q.statement("F1:1.1").text, ""] in rows
    assert ["self-check 4 (B1)", "B1:1.1", "3", q.statement("B1:1.1").text, "unfinished"] in rows
    assert ["plan", "units", "A3 B2", "draft", "2026-01-02"] in rows


@pytest.mark.parametrize(
    "entry, said",
    [
        (
            {"action": "rating", "subject": "F1:1.1", "before": None, "after": "2"},
            "Rated “{s}”: {l2}",
        ),
        (
            {"action": "assessor-rating", "subject": "F1:1.1", "before": "1", "after": "2"},
            "Assessor's rating of “{s}”: {l1} → {l2}",
        ),
        ({"action": "job-role", "subject": "", "before": "", "after": "Courier"}, "Job: Courier"),
        (
            {"action": "plan-confirmed", "subject": "", "before": None, "after": "A3 B2 C3"},
            "Confirmed your units: A3, B2 and C3",
        ),
        ({"action": "submitted", "subject": "", "before": None, "after": None}, "Sent the answers"),
        (
            {"action": "some-new-thing", "subject": "", "before": None, "after": None},
            "Some new thing",
        ),
        (
            {
                "action": "unit-published",
                "subject": "03455 B1",
                "before": None,
                "after": "version 1",
            },
            "Published 03455 B1 as version 1",
        ),
    ],
)
def test_an_audit_entry_reads_in_plain_words(q, entry, said):
    labels = q.scales.labels(q.statement("F1:1.1").kind)
    expected = said.format(s=q.statement("F1:1.1").text, l1=labels[1], l2=labels[2])
    assert describe(q, entry, {}, you=True) == expected
