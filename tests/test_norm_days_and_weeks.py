"""Periods of a day and of an ISO week (Monday to Sunday), besides months, quarters, half-years
and years: "at most 10,000 API calls per calendar day", "a status report each week by the
following Tuesday". Expectations are worked out by hand from the dates below."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from checker.dates.timeutil import period_named, period_of
from tests.helpers import agreement, evaluate, fact, summary

PARTIES = {"us": "northwind", "partner": "globex"}
DAILY_CAP = {
    "id": "2",
    "title": "At most 10,000 API calls per calendar day",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "api.usage"},
    "sum": "calls",
    "per": "day",
    "at_most": 10000,
}
WEEKLY_REPORT = {
    "id": "5",
    "title": "A status report for each week within 2 days after it ends",
    "kind": "obligation",
    "by": "partner",
    "when": {"each": "week"},
    "do": {"fact": "status.report"},
    "period_field": "week",
    "within": "2d",
}


def _subject(*clauses: dict[str, Any]) -> Any:
    return agreement(
        *clauses, parties=PARTIES, partner=None, effective="2026-03-01", expires="2026-12-31"
    )


@pytest.mark.parametrize(
    ("day", "unit", "label", "first", "last"),
    [
        (date(2026, 3, 15), "day", "2026-03-15", date(2026, 3, 15), date(2026, 3, 15)),
        # 2026-03-15 is a Sunday: the last day of ISO week 11, which began on Monday 03-09.
        (date(2026, 3, 15), "week", "2026-W11", date(2026, 3, 9), date(2026, 3, 15)),
        # 2027-01-01 is a Friday of ISO week 53 of 2026 (28 Dec 2026 to 3 Jan 2027).
        (date(2027, 1, 1), "week", "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
    ],
)
def test_day_and_week_periods_and_their_labels(
    day: date, unit: str, label: str, first: date, last: date
) -> None:
    period = period_of(day, unit)
    assert (period.label, period.start, period.end) == (label, first, last)
    assert period_named(label) == period


@pytest.mark.parametrize("label", ["2026-02-30", "2025-W53", "2026-W54", "2026-W00"])
def test_labels_of_no_day_or_week_name_no_period(label: str) -> None:
    assert period_named(label) is None  # 2025 has 52 ISO weeks


def test_a_daily_cap_counts_calendar_days_and_is_dated_at_the_crossing_call() -> None:
    facts = [
        # 03-10: 9,000 at 23:00 and 2,000 at 01:00 on 03-11: two days, neither over.
        fact("u1", "api.usage", "2026-03-10T23:00:00Z", calls=9000),
        fact("u2", "api.usage", "2026-03-11T01:00:00Z", calls=2000),
        # 03-12: exactly 10,000 is allowed.
        fact("u3", "api.usage", "2026-03-12T08:00:00Z", calls=6000),
        fact("u4", "api.usage", "2026-03-12T09:00:00Z", calls=4000),
        # 03-13: 10,001, crossed by u6 at 15:00: the breach is dated 03-13.
        fact("u5", "api.usage", "2026-03-13T08:00:00Z", calls=10000),
        fact("u6", "api.usage", "2026-03-13T15:00:00Z", calls=1),
    ]
    found = summary(evaluate(_subject(DAILY_CAP), facts, "2026-03-20"))
    assert found == [("measure.breached", "breach", "2026-03-13", "2026-03-13")]


def test_a_weekly_report_is_due_two_days_after_each_sunday() -> None:
    facts = [
        # Week 11 (03-09 to 03-15) reported on Tuesday 03-17, the last day: in time.
        fact("s1", "status.report", "2026-03-17T20:00:00Z", week="2026-W11"),
        # Week 12 (03-16 to 03-22) reported on Wednesday 03-25: late, the breach dated 03-24.
        fact("s2", "status.report", "2026-03-25T08:00:00Z", week="2026-W12"),
    ]
    # Week 10 (03-02 to 03-08): the term began on Sunday 03-01 (of week 9, which ends that day
    # and is due 03-03), so weeks 9 and 10 are due too and were never reported. Week 13 ends
    # Sunday 03-29 and is due 03-31: the last day of a 4-day horizon from 03-27.
    found = summary(evaluate(_subject(WEEKLY_REPORT), facts, "2026-03-27", horizon_days=4))
    assert found == [
        ("obligation.breached", "breach", "2026-W09", "2026-03-03"),
        ("obligation.breached", "breach", "2026-W10", "2026-03-10"),
        ("obligation.breached", "breach", "2026-W12", "2026-03-24"),
        ("obligation.due", "deadline", "2026-W13", "2026-03-31"),
    ]
