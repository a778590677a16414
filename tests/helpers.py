"""Helpers the tests share."""

from __future__ import annotations

from collections.abc import Iterable

from survey.content import Activity, Context, Group, Qualification, Scales, Unit, Weights


def small_qualification(
    units: Iterable[Unit],
    contexts: Iterable[Context] = (),
    activities: Iterable[Activity] = (),
    hours_per_credit: int = 10,
) -> Qualification:
    """A qualification of the given units, all in one mandatory group, with no rules."""
    return Qualification(
        code="T",
        title="Test",
        short_title="Test",
        awarding_body="",
        level=2,
        source="",
        groups=(Group("A", "All", mandatory=True),),
        units=tuple(units),
        rules=(),
        roles=(),
        contexts=tuple(contexts),
        weights=Weights(),
        scales=Scales(("0", "1", "2", "3"), ("0", "1", "2", "3")),
        activities=tuple(activities),
        hours_per_credit=hours_per_credit,
    )
