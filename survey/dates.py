"""Times as people read them: in the centre's time zone, with the month written out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def local(stamp: str | None, zone: ZoneInfo) -> datetime | None:
    """A stored time (ISO 8601, UTC when it names no zone) in the centre's time zone."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def day(stamp: str | None, zone: ZoneInfo) -> str:
    """ "30 November 2026"."""
    moment = local(stamp, zone)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}" if moment else ""


def day_and_time(stamp: str | None, zone: ZoneInfo) -> str:
    """ "30 November 2026 at 14:05"."""
    moment = local(stamp, zone)
    return f"{day(stamp, zone)} at {moment:%H:%M}" if moment else ""


def calendar_day(value: str | None) -> str:
    """A calendar date as kept ("2027-03-14") as people write it: "14 March 2027".

    A date is a day on the calendar, not a moment: it is never moved into a time zone, so it
    reads the same wherever the centre is.
    """
    if not value:
        return ""
    try:
        found = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{found.day} {MONTHS[found.month - 1]} {found.year}"


def today_in(zone: ZoneInfo) -> date:
    """Today's date where the centre is."""
    return datetime.now(zone).date()
