"""The prior-learning ledger: figures worked by hand, every limit, and the evidence behind them."""

from __future__ import annotations

import datetime
import json
from fractions import Fraction
from pathlib import Path

import pytest
from helpers import small_qualification

from survey.content import (
    Criterion,
    FundingProfile,
    Outcome,
    Qualification,
    Unit,
)
from survey.ledger import (
    CentreInputs,
    LedgerError,
    as_record,
    as_rows,
    build_ledger,
    confirmed_met,
    hours_text,
    percent_to_deliver,
)

ADULT = FundingProfile("adult", "Adult", "proportion", "the adult rules", datetime.date(2025, 8, 1))
APPRENTICESHIP = FundingProfile(
    "apprenticeship",
    "Apprenticeship",
    "apprenticeship",
    "the apprenticeship rules",
    datetime.date(2025, 8, 1),
    price_reduction_share=50,
    min_duration_months=8,
    min_off_the_job_hours=187,
)


def unit(number: str, credits: int, criteria: int) -> Unit:
    """A unit with `criteria` performance criteria in one outcome, or none (awaiting) if 0."""
    outcome = Outcome(
        1,
        "Do it",
        tuple(
            Criterion(number, 1, f"1.{k}", f"Do {k}", f"I can do {k}", "performance")
            for k in range(1, criteria + 1)
        ),
    )
    return Unit(
        number,
        f"X/{number}",
        f"Unit {number}",
        credits,
        2,
        "A",
        f"I can {number}",
        (outcome,) if criteria else (),
    )


def qualification(*units: Unit, hours_per_credit: int = 10) -> Qualification:
    return small_qualification(units, hours_per_credit=hours_per_credit)


# U1: 4 credits, 4 criteria; U2: 6 credits, 3 criteria; U3 and U4: 5 credits, no criteria yet
Q = qualification(unit("U1", 4, 4), unit("U2", 6, 3), unit("U3", 5, 0), unit("U4", 5, 0))
UNITS = ["U1", "U2", "U3", "U4"]
# one of U1's four criteria, two of U2's three, and U3 judged whole
MET = {
    "U1:1.2": "observed 3 May",
    "U2:1.1": "witness: J. Smith",
    "U2:1.3": "certificate",
    "U3:unit": "NVQ unit certificate, 2019",
}


def test_per_unit_and_whole_plan_figures_by_hand():
    ledger = build_ledger(Q, UNITS, MET)
    rows = [
        (u.number, u.hours, len(u.met), u.statements, u.hours_covered, u.hours_to_deliver)
        for u in ledger.units
    ]
    assert rows == [
        ("U1", 40, 1, 4, 10, 30),  # 4 x 10 hours; 1/4 of 40 covered
        ("U2", 60, 2, 3, 40, 20),  # 6 x 10 hours; 2/3 of 60 covered
        ("U3", 50, 1, 1, 50, 0),  # judged whole: all of it
        ("U4", 50, 0, 1, 0, 50),  # judged whole: none of it
    ]
    assert (ledger.total_hours, ledger.hours_covered, ledger.hours_to_deliver) == (200, 100, 100)
    assert ledger.percent_to_deliver == 50
    assert ledger.sentence == (
        "100 of 200 hours are already met; 100 hours are to be delivered: 50% of the content."
    )
    assert [u.sentence for u in ledger.units] == [
        "U1: 1 of 4 criteria met (1.2) — 10 of 40 hours covered, 30 to deliver",
        "U2: 2 of 3 criteria met (1.1, 1.3) — 40 of 60 hours covered, 20 to deliver",
        "U3: judged whole: met — 50 of 50 hours covered",
        "U4: judged whole: not yet met — 0 of 50 hours covered",
    ]


def test_every_figure_carries_the_criteria_and_evidence_behind_it():
    ledger = build_ledger(Q, UNITS, MET)
    u2 = ledger.units[1]
    assert [(m.id, m.number, m.text, m.evidence) for m in u2.met] == [
        ("U2:1.1", "1.1", "Do 1", "witness: J. Smith"),
        ("U2:1.3", "1.3", "Do 3", "certificate"),
    ]
    assert u2.outstanding == ("U2:1.2",)
    u3 = ledger.units[2]
    assert (u3.whole, [(m.id, m.number, m.evidence) for m in u3.met]) == (
        True,
        [("U3:unit", "unit", "NVQ unit certificate, 2019")],
    )


def test_hours_per_credit_is_the_qualifications_setting():
    ledger = build_ledger(qualification(unit("U1", 4, 4), hours_per_credit=8), ["U1"], MET)
    assert (ledger.total_hours, ledger.hours_covered, ledger.hours_per_credit) == (32, 8, 8)


def test_what_does_not_count():
    met = {
        "U1:1.1": "   ",  # no evidence named
        "U1:unit": "whole",  # U1 has criteria: a whole-unit judgement does not apply
        "U4:unit": "",  # judged whole without evidence
        "U9:1.1": "another qualification",  # not in this plan
    }
    ledger = build_ledger(Q, ["U1", "U4"], met)
    assert ledger.hours_covered == 0 and ledger.percent_to_deliver is None
    with pytest.raises(ValueError, match="unknown unit 'U9'"):
        build_ledger(Q, ["U1", "U9"], {})


@pytest.mark.parametrize(
    "total, covered, percent",
    [
        (200, Fraction(0), None),  # nothing met: no adjustment, never 100
        (60, Fraction(20), 66),  # 66.67% still to deliver: rounded down, not up
        (10, Fraction(1, 25), 99),  # 99.6% still to deliver: 99, never 100, once anything is met
        (200, Fraction(100), 50),  # exact
        (200, Fraction(200), 0),  # everything met
        (0, Fraction(0), None),  # no units at all
    ],
)
def test_proportion_still_to_deliver_rounds_down(total, covered, percent):
    assert percent_to_deliver(total, covered) == percent


def test_the_smallest_recognition_still_leaves_99_percent():
    # one criterion of 250 in a one-credit unit: 0.04 of 10 hours covered
    tiny = qualification(unit("U1", 1, 250))
    ledger = build_ledger(tiny, ["U1"], {"U1:1.7": "seen"}, ADULT)
    assert ledger.hours_covered == Fraction(1, 25)
    assert ledger.percent_to_deliver == 99
    assert ledger.funding.sentence == (
        "Funding adjustment for prior learning: 99% of the aim still to deliver."
    )


@pytest.mark.parametrize(
    "met, percent, sentence",
    [
        (MET, 50, "Funding adjustment for prior learning: 50% of the aim still to deliver."),
        ({}, None, "No adjustment for prior learning: nothing is recognised as already met."),
        (
            {
                "U1:1.1": "a",
                "U1:1.2": "b",
                "U1:1.3": "c",
                "U1:1.4": "d",
                "U2:1.1": "e",
                "U2:1.2": "f",
                "U2:1.3": "g",
                "U3:unit": "h",
                "U4:unit": "i",
            },
            0,
            "Funding adjustment for prior learning: 0% — every unit is already met, so none of "
            "this aim is left to deliver.",
        ),
    ],
    ids=["half", "nothing", "everything"],
)
def test_adult_profile(met, percent, sentence):
    funding = build_ledger(Q, UNITS, met, ADULT).funding
    assert (funding.profile, funding.percent, funding.sentence) == (ADULT, percent, sentence)


# ---- apprenticeships: hours, price and duration, and the limits -----------------------------


def apprenticeship(price: int, months: int, hours: int, met=MET):
    return build_ledger(Q, UNITS, met, APPRENTICESHIP, CentreInputs(price, months, hours)).funding


def figures(f) -> tuple:
    return (
        f.recognised,
        f.hours_removed,
        f.off_the_job_after,
        f.price_reduction,
        f.price_after,
        f.months_removed,
        f.months_after,
        [(x.name, x.wanted, x.applied) for x in f.limits],
    )


def test_apprenticeship_within_every_limit():
    # half the content met: 800 x 1/2 = 400 hours off; price at least 4000 x 50% x 1/2 = 1000
    # off; 24 months x 1/2 = 12 months off
    f = apprenticeship(4000, 24, 800)
    assert figures(f) == (True, 400, 400, 1000, 3000, 12, 12, [])
    assert f.removed_percent == 50
    assert f.sentences == (
        "Prior learning recognised: yes — 400 of 800 off-the-job hours removed (50%); 400 remain.",
        "Price: at least £1,000 off the agreed £4,000 (50% of 50%), so at most £3,000.",
        "Duration: 24 months, 12 after prior learning (12 removed in proportion to the hours).",
    )


def test_duration_stops_at_eight_months():
    # 12 months x 1/2 = 6 off would leave 6: stops at 8, so 4 removed
    f = apprenticeship(4000, 12, 400)
    assert figures(f) == (True, 200, 200, 1000, 3000, 4, 8, [("duration", 6, 8)])
    assert f.sentences[-1].startswith(
        "Minimum duration reached: removing 6 months would leave 6, below the minimum of 8; "
        "4 removed and 8 remain."
    )


def test_off_the_job_hours_stop_at_187():
    # 300 x 1/2 = 150 off would leave 150: stops at 187, so 113 removed (37.67% of 300); price
    # at least 4000 x 113/300 / 2 = 753.33, rounded up to 754; 12 x 113/300 = 4.52, 4 months off,
    # leaving exactly the minimum 8, which is allowed
    f = apprenticeship(4000, 12, 300)
    assert figures(f) == (True, 113, 187, 754, 3246, 4, 8, [("off-the-job hours", 150, 187)])
    assert f.removed_percent == Fraction(113, 3)
    assert f.sentences[1] == (
        "Price: at least £754 off the agreed £4,000 (50% of 37.7%), so at most £3,246."
    )
    assert "may not be eligible for funding" in f.sentences[-1]


def test_both_limits():
    # 113 of 300 hours as above; 10 months x 113/300 = 3.77, 3 off would leave 7: stops at 8
    f = apprenticeship(4000, 10, 300)
    assert figures(f) == (
        True,
        113,
        187,
        754,
        3246,
        2,
        8,
        [("off-the-job hours", 150, 187), ("duration", 7, 8)],
    )


def test_hours_already_at_the_minimum_means_no_prior_learning_recognised():
    f = apprenticeship(4000, 12, 187)
    assert figures(f) == (False, 0, 187, 0, 4000, 0, 12, [("off-the-job hours", 94, 187)])
    assert f.sentences[0] == (
        "Prior learning recognised: no — no off-the-job hours removed (a minimum stops it)."
    )


def test_hours_and_months_planned_below_the_minimums_are_said_and_nothing_removed():
    f = apprenticeship(4000, 6, 150)
    assert figures(f) == (
        False,
        0,
        150,
        0,
        4000,
        0,
        6,
        [("off-the-job hours", 75, 150), ("duration", 6, 6)],
    )
    assert f.limits[0].sentence == (
        "Minimum off-the-job hours not met before prior learning: 150 hours planned, "
        "the minimum is 187; nothing can be removed."
    )


def test_nothing_met_is_the_no_reduction_path():
    f = apprenticeship(4000, 12, 400, met={})
    assert figures(f) == (False, 0, 400, 0, 4000, 0, 12, [])
    assert f.sentences == (
        "Prior learning recognised: no — no off-the-job hours removed "
        "(nothing is recognised as already met).",
    )


def test_less_than_an_hour_of_prior_learning_removes_nothing():
    tiny = qualification(unit("U1", 1, 250))  # 0.04 of 10 hours met: 0.8 of 200 hours
    f = build_ledger(
        tiny, ["U1"], {"U1:1.1": "seen"}, APPRENTICESHIP, CentreInputs(4000, 12, 200)
    ).funding
    assert figures(f) == (False, 0, 200, 0, 4000, 0, 12, [])
    assert "less than one off-the-job hour" in f.sentences[0]


@pytest.mark.parametrize(
    "inputs, field",
    [
        (CentreInputs(None, 12, 400), "agreed_price"),
        (CentreInputs(4000, None, 400), "planned_months"),
        (CentreInputs(4000, 12, None), "off_the_job_hours"),
        (CentreInputs(-1, 12, 400), "agreed_price"),
        (CentreInputs(4000, 0, 400), "planned_months"),
        (CentreInputs(4000, 12, 0), "off_the_job_hours"),
        (CentreInputs(4000, 12, True), "off_the_job_hours"),
    ],
)
def test_apprenticeship_needs_the_centres_figures(inputs, field):
    with pytest.raises(LedgerError) as caught:
        build_ledger(Q, UNITS, MET, APPRENTICESHIP, inputs)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


# ---- the version of the figures, and the real catalogue ------------------------------------


def test_the_version_names_the_figures():
    inputs = CentreInputs(4000, 12, 400)
    first = build_ledger(Q, UNITS, MET, APPRENTICESHIP, inputs).version
    assert (
        first == build_ledger(Q, list(reversed(UNITS)), dict(MET), APPRENTICESHIP, inputs).version
    )
    changed = [
        build_ledger(Q, UNITS, MET | {"U1:1.2": "observed 4 May"}, APPRENTICESHIP, inputs),
        build_ledger(Q, UNITS, MET, APPRENTICESHIP, CentreInputs(4001, 12, 400)),
        build_ledger(Q, UNITS, MET, ADULT, inputs),
        build_ledger(Q, UNITS[:3], MET, APPRENTICESHIP, inputs),
        build_ledger(
            qualification(*Q.units, hours_per_credit=9), UNITS, MET, APPRENTICESHIP, inputs
        ),
    ]
    versions = {first} | {ledger.version for ledger in changed}
    assert len(versions) == 6
    assert all(len(v) == 16 and int(v, 16) >= 0 for v in versions)


def test_confirmed_met_needs_could_show_evidence_now_and_evidence_named(q):
    ratings = {"F1:1.1": 3, "F1:1.2": 3, "F1:1.3": 2, "A11:unit": 3, "Z9:1.1": 3}
    evidence = {
        "F1:1.1": " observed 3 May ",
        "F1:1.2": " ",
        "F1:1.3": "witness",
        "A11:unit": "previous job",
        "Z9:1.1": "x",
    }
    assert confirmed_met(q, ratings, evidence) == {
        "F1:1.1": "observed 3 May",
        "A11:unit": "previous job",
    }


def test_real_catalogue_ledger(q):
    met = {"F1:1.1": "obs", "F1:2.2": "witness", "F2:1.1": "obs", "A11:unit": "previous job"}
    ledger = build_ledger(
        q, ["F1", "F2", "A11", "B1", "C1"], met, q.funding_profile("adult-skills-2025-08")
    )
    # F1 40 h x 2/21; F2 40 h x 1/15; A11 50 h whole; B1 and C1 nothing: 230 hours in all
    assert ledger.total_hours == 40 + 40 + 50 + 50 + 50
    assert ledger.hours_covered == Fraction(80, 21) + Fraction(8, 3) + 50
    assert ledger.percent_to_deliver == 75  # 173.52 / 230 = 75.44%
    assert ledger.units[0].sentence == (
        "F1: 2 of 21 criteria met (1.1, 2.2) — 3.8 of 40 hours covered, 36.2 to deliver"
    )


@pytest.mark.parametrize(
    "hours, text",
    [
        (0, "0"),
        (40, "40"),
        (Fraction(80, 21), "3.8"),
        (Fraction(1, 20), "0.1"),
        (Fraction(1, 25), "0"),
        (Fraction(29, 2), "14.5"),
        (Fraction(349, 20), "17.5"),
    ],
)
def test_hours_text_rounds_half_up_to_one_decimal(hours, text):
    assert hours_text(hours) == text


# ---- the export ----------------------------------------------------------------------------------


def test_ledger_as_plain_data_and_rows():
    ledger = build_ledger(Q, UNITS, MET, APPRENTICESHIP, CentreInputs(4000, 12, 300))
    record = json.loads(json.dumps(as_record(ledger)))
    assert record["version"] == ledger.version
    assert (record["total_hours"], record["hours_covered"], record["percent_to_deliver"]) == (
        200,
        100,
        50,
    )
    assert record["units"][0]["met"] == [
        {"id": "U1:1.2", "number": "1.2", "text": "Do 2", "evidence": "observed 3 May"}
    ]
    assert record["funding"]["profile"] == "apprenticeship"
    assert record["funding"]["applies_from"] == "2025-08-01"
    assert record["funding"]["hours_removed"] == 113
    assert record["funding"]["removed_percent"] == 37.67
    assert record["funding"]["limits"] == [
        {"name": "off-the-job hours", "minimum": 187, "wanted": 150, "applied": 187}
    ]
    rows = as_rows(ledger)
    assert {tuple(r) for r in rows} == {("section", "item", "value", "detail")}
    assert {r["section"] for r in rows} == {f"prior-learning ledger {ledger.version}"}
    values = {r["item"]: r["value"] for r in rows}
    assert values["U2 criteria met"] == "2/3"
    assert values["U2 hours covered"] == 40
    assert values["U3:unit"] == "met"
    assert values["percent still to deliver"] == 50
    assert values["hours removed"] == 113
    assert values["limit reached"] == "off-the-job hours"
    evidence = next(r for r in rows if r["item"] == "U2:1.1")
    assert evidence["detail"] == "Do 1 — evidence: witness: J. Smith"
    nothing = {r["item"]: r["value"] for r in as_rows(build_ledger(Q, UNITS, {}))}
    assert nothing["percent still to deliver"] == "no adjustment"


def test_the_readme_worked_example_is_what_the_ledger_says(q):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    readme = " ".join(readme.split())  # the README wraps its lines
    met = {
        "F1:1.1": "observed",
        "F1:2.2": "observed",
        "F1:3.1": "questioning",
        "F1:3.8": "questioning",
        "F2:1.1": "witness testimony",
        "F2:1.5": "witness testimony",
        "F2:2.5": "certificate",
        "A11:unit": "a unit certificate from a previous NVQ",
        "B1:1.1": "observed",
        "B1:1.4": "observed",
        "B1:1.5": "observed",
    }
    plan = ["F1", "F2", "A11", "B1", "C3", "D4"]
    adult = build_ledger(q, plan, met, q.funding_profile("adult-skills-2025-08"))
    assert adult.sentence in readme
    assert adult.funding.sentence in readme
    assert f"**{adult.percent_to_deliver}%**" in readme
    apprenticeship = q.funding_profile("apprenticeship-2025-08")
    f = build_ledger(q, plan, met, apprenticeship, CentreInputs(3000, 12, 300)).funding
    assert (f.hours_removed, f.off_the_job_after, f.price_reduction, f.price_after) == (
        77,
        223,
        385,
        2615,
    )
    assert (f.months_removed, f.months_after) == (3, 9)
    for figure in ("77 hours are removed", "£385, to at most £2,615", "3 months, to 9"):
        assert figure in readme
    f = build_ledger(q, plan, met, apprenticeship, CentreInputs(3000, 12, 250)).funding
    assert (f.hours_removed, f.limits[0].wanted) == (63, 186)
    assert "removing 64 would leave 186" in readme and "removes 63" in readme
