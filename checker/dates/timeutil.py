"""Instants, calendar dates, durations and periods: the one place time arithmetic lives.

Inside the tool an instant is an integer count of seconds since the Unix epoch, UTC. The engine
compares these integers; it never reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from checker.common.suggest import closest

SECONDS_PER_DAY = 86_400


def epoch_of_date(day: date) -> int:
    """Instant of 00:00 UTC on `day`."""
    return (day - date(1970, 1, 1)).days * SECONDS_PER_DAY


def end_of_date(day: date) -> int:
    """Last second of `day` (23:59:59 UTC): the inclusive bound of "on or before `day`"."""
    return epoch_of_date(day) + SECONDS_PER_DAY - 1


def date_of_epoch(instant: int) -> date:
    return date(1970, 1, 1) + timedelta(days=instant // SECONDS_PER_DAY)


def horizon_end(as_of: int, days: int) -> int:
    """The last instant of a horizon of `days` days after `as_of`: the end of its last day, so
    that "within 30 days" of 2026-11-22 reports what falls due on 2026-12-22 as well."""
    return end_of_date(date_of_epoch(as_of) + timedelta(days=days))


def iso_of_epoch(instant: int) -> str:
    return datetime.fromtimestamp(instant, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class NoUtcOffsetError(ValueError):
    """An instant written without a UTC offset: which instant it means cannot be told."""


def parse_instant(text: str) -> int:
    """Parse an ISO-8601 instant with an offset, or a bare date meaning 00:00 UTC.

    Raises ValueError with a reason a person can act on (NoUtcOffsetError for a local time).
    """
    text = text.strip()
    if len(text) == 10:
        return epoch_of_date(date.fromisoformat(text))
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise NoUtcOffsetError(f"'{text}' has no UTC offset (add 'Z' or '+01:00')")
    return int(moment.timestamp())


# What a duration may look like; the JSON Schema of rule files uses the same pattern.
DURATION_PATTERN = (
    r"^\s*(\d+)\s*(h|hours?|d|days?|w|weeks?|m|months?|y|years?"
    r"|bd|business\s+days?|working\s+days?)\s*$"
)
_DURATION = re.compile(DURATION_PATTERN)
DURATION_EXAMPLES = "72h, 30d, 2w, 6 months, 1y or 10 business days"


class BusinessDays(Protocol):
    """A business-day calendar (see checker.dates.calendars): what business-day durations count on."""

    @property
    def label(self) -> str: ...

    def add_business_days(self, day: date, count: int) -> date: ...


def count_business_days(day: date, count: int, is_business_day: Callable[[date], bool]) -> date:
    """The `count`-th day after `day` (before it when negative) for which `is_business_day`
    holds; `day` itself never counts, so 1 business day after a Friday is a Monday at the
    earliest."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining, current = abs(count), day
    while remaining:
        current += step
        if is_business_day(current):
            remaining -= 1
    return current


class _WeekdaysOnly:
    """Monday to Friday, no holidays: for comparing business-day durations without a calendar."""

    label = "weekdays"

    def add_business_days(self, day: date, count: int) -> date:
        return count_business_days(day, count, lambda current: current.weekday() < 5)


WEEKDAYS_ONLY: BusinessDays = _WeekdaysOnly()


class NoCalendarError(ValueError):
    """A business-day duration was applied without the agreement's holiday calendar."""


@dataclass(frozen=True, slots=True)
class Duration:
    """A clause duration: hours (exact, UTC), calendar days/months/years, or business days."""

    amount: int
    unit: str  # "hours" | "days" | "months" | "years" | "business_days"

    def __str__(self) -> str:
        unit = self.unit.replace("_", " ")
        return f"{self.amount} {unit[:-1] if abs(self.amount) == 1 else unit}"

    @property
    def in_business_days(self) -> bool:
        return self.unit == "business_days"

    def after(self, instant: int, calendar: BusinessDays | None = None) -> int:
        """The instant this duration after `instant`; days, months, years and business days keep
        the time of day. Business days need the agreement's calendar."""
        if self.unit == "hours":
            return instant + self.amount * 3600
        start = datetime.fromtimestamp(instant, tz=UTC)
        shifted = self.add_to_date(start.date(), calendar)
        return int(datetime.combine(shifted, start.timetz()).timestamp())

    def before(self, instant: int, calendar: BusinessDays | None = None) -> int:
        """The instant this duration before `instant`."""
        return self.negated().after(instant, calendar)

    def negated(self) -> Duration:
        return Duration(-self.amount, self.unit)

    def add_to_date(self, day: date, calendar: BusinessDays | None = None) -> date:
        """Calendar arithmetic on dates ("30 days after 2026-01-31"); hours round down to days;
        "10 business days after" counts the calendar's business days after `day`."""
        if self.unit == "hours":
            return day + timedelta(days=self.amount // 24)
        if self.unit == "days":
            return day + timedelta(days=self.amount)
        if self.unit == "business_days":
            if calendar is None:
                raise NoCalendarError(
                    f"'{self}' is counted in business days, but the agreement names no holiday "
                    "calendar (add e.g. 'calendar: {country: DE}')"
                )
            return calendar.add_business_days(day, self.amount)
        return add_months(day, self.amount * (12 if self.unit == "years" else 1))


def parse_duration(text: str) -> Duration:
    """`72h`, `30d`, `30 days`, `2w`, `6 months`, `1y`, `10 business days`, `10bd` -> Duration.

    Raises ValueError."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(
            f"'{text}' is not a duration{_unit_suggestion(str(text))}; write a number and a "
            f"unit, e.g. {DURATION_EXAMPLES}"
        )
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "bd" or unit.startswith(("business", "working")):
        return Duration(amount, "business_days")
    if unit.startswith("h"):
        return Duration(amount, "hours")
    if unit.startswith("d"):
        return Duration(amount, "days")
    if unit.startswith("w"):
        return Duration(amount * 7, "days")
    if unit.startswith("m"):
        return Duration(amount, "months")
    return Duration(amount, "years")


def written_duration(value: object) -> object:
    """A duration as rule files write it (`30d`, `72h`, or a number of...) read into a Duration,
    for models' before-validators; anything else is left for the model to refuse."""
    return parse_duration(str(value)) if isinstance(value, str | int) else value


_UNIT_WORDS = ("hours", "days", "weeks", "months", "years", "business days", "working days")


def _unit_suggestion(text: str) -> str:
    """` (did you mean '2 business days'?)` for a number and a misspelt unit, else ``."""
    written = re.match(r"^\s*(\d+)\s*([A-Za-z][A-Za-z ]*?)\s*$", text)
    if written is None:
        return ""
    unit = closest(written.group(2).lower(), _UNIT_WORDS)
    return f" (did you mean '{written.group(1)} {unit}'?)" if unit else ""


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's last day (Jan 31 + 1 -> Feb 28)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period [start, end] of whole days, e.g. 2026-Q1 or 2026-03."""

    start: date
    end: date  # inclusive last day
    label: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


PERIOD_UNITS = ("day", "week", "month", "quarter", "half-year", "year")


def period_of(day: date, unit: str) -> Period:
    """The calendar period of `unit` containing `day`: a day (`2026-03-15`), an ISO week from
    Monday to Sunday (`2026-W11`), a month (`2026-03`), quarter (`2026-Q1`), half-year
    (`2026-H1`) or year (`2026`)."""
    if unit == "day":
        return Period(day, day, day.isoformat())
    if unit == "week":
        year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return Period(start, start + timedelta(days=6), f"{year}-W{week:02d}")
    if unit == "month":
        start = date(day.year, day.month, 1)
        return Period(
            start, add_months(start, 1) - timedelta(days=1), f"{day.year}-{day.month:02d}"
        )
    if unit == "quarter":
        quarter = (day.month - 1) // 3
        start = date(day.year, quarter * 3 + 1, 1)
        return Period(start, add_months(start, 3) - timedelta(days=1), f"{day.year}-Q{quarter + 1}")
    if unit == "half-year":
        half = (day.month - 1) // 6
        start = date(day.year, half * 6 + 1, 1)
        return Period(start, add_months(start, 6) - timedelta(days=1), f"{day.year}-H{half + 1}")
    if unit == "year":
        return Period(date(day.year, 1, 1), date(day.year, 12, 31), str(day.year))
    raise ValueError(f"unknown period unit '{unit}'; use one of {', '.join(PERIOD_UNITS)}")


_PERIOD_LABEL = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$")
_DAY_LABEL = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK_LABEL = re.compile(r"^(\d{4})-W(0[1-9]|[1-4][0-9]|5[0-3])$")


def period_named(label: object) -> Period | None:
    """The period a label names: `2026`, `2026-H1`, `2026-Q2`, `2026-03`, `2026-W11` or
    `2026-03-15`; None for anything else (a week 53 of a year that has none included)."""
    if not isinstance(label, str):
        return None
    if _DAY_LABEL.match(label):
        try:
            return period_of(date.fromisoformat(label), "day")
        except ValueError:
            return None
    week = _WEEK_LABEL.match(label)
    if week is not None:
        try:
            monday = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        except ValueError:
            return None
        return period_of(monday, "week")
    match = _PERIOD_LABEL.match(label)
    if match is None:
        return None
    year = int(match.group(1))
    if match.group(2):
        return period_of(date(year, int(match.group(2)), 1), "month")
    if match.group(3):
        return period_of(date(year, 3 * int(match.group(3)) - 2, 1), "quarter")
    if match.group(4):
        return period_of(date(year, 6 * int(match.group(4)) - 5, 1), "half-year")
    return period_of(date(year, 1, 1), "year")


def periods_between(first_day: date, last_day: date, unit: str) -> list[Period]:
    """Every period of `unit` that overlaps [first_day, last_day], in order."""
    periods: list[Period] = []
    current = period_of(first_day, unit)
    while current.start <= last_day:
        periods.append(current)
        current = period_of(current.end + timedelta(days=1), unit)
    return periods


def anniversaries(anchor: date, first_day: date, last_day: date) -> list[date]:
    """Each yearly anniversary of `anchor` (excluding the anchor itself) in [first_day, last_day]."""
    found: list[date] = []
    years = 1
    while True:
        candidate = add_months(anchor, 12 * years)
        if candidate > last_day:
            return found
        if candidate >= first_day:
            found.append(candidate)
        years += 1
