"""Oracle of the `non_solicitation` kind: a hire breaches when the same person left the partner
within the lookback before it (any such departure, not only the latest).

Time follows the one convention of docs/norms.md ("within 12 months after they left" keeps its
last day whole; hours are exact). The kind used to compare exact instants (a departure at or
after the hire's instant minus the lookback, keeping the time of day); since it became a
prohibition norm with `after: {fact: <employment>, within: <lookback>}` it counts whole days:
- days, weeks, months, years: the hire's day is at most the departure's day plus the lookback
  (months keep the day of the month, clamped to the month's last day: 31 January + 1 month is
  28 February), so a departure earlier in the day than the hire's time of day still counts;
- hours: the hire is at most the departure's instant plus the hours, to the second.
A departure "comes first" in the facts' order, (at, id), as for every norm's earlier fact: one
at the same instant as the hire counts only when its id sorts before the hire's.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from checker.dates.timeutil import parse_duration
from checker.facts.model import Fact
from tests.oracle.common import Found, in_term, matches, same, terms_at


def _last_day(left: date, amount: int, unit: str) -> date:
    """The last day "within `amount` `unit` after `left`" (whole days)."""
    if unit == "days":
        return left + timedelta(days=amount)
    months = amount * (12 if unit == "years" else 1)
    index = left.year * 12 + left.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(left.day, calendar.monthrange(year, month)[1]))


def _within(left: Fact, hire: Fact, lookback: str) -> bool:
    duration = parse_duration(lookback)
    if (left.at, left.id) >= (hire.at, hire.id):
        return False
    if duration.unit == "hours":
        return hire.at <= left.at + duration.amount * 3600
    return hire.day <= _last_day(left.day, duration.amount, duration.unit)


def oracle_non_solicitation(
    clause: dict[str, Any],
    agreement: dict[str, Any],
    facts: list[Fact],
    as_of_epoch: int,
    horizon_end_epoch: int,
) -> Found:
    found: Found = set()
    for hire in facts:
        if not in_term(hire, agreement):
            continue
        terms = terms_at(clause, hire.at)
        if not matches(terms.get("hire", {"fact": "employee.hired"}), hire):
            continue
        person_field = terms.get("person_field", "person")
        person = hire.get(person_field)
        if person is None:
            continue
        employment = terms.get("employment", {"fact": "employment.ended"})
        if any(
            left.partner == agreement["partner"]
            and matches(employment, left)
            and same(left.get(person_field), person)
            and _within(left, hire, str(terms["lookback"]))
            for left in facts
        ):
            found.add(
                ("non_solicitation.recent_employee_hired", "breach", hire.id, hire.day.isoformat())
            )
    return found
