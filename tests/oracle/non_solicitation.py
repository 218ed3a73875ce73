"""Oracle of the `non_solicitation` kind: a hire breaches when the same person left the partner
within the lookback before it (any such departure, not only the latest)."""

from __future__ import annotations

from typing import Any

from checker.dates.timeutil import parse_duration
from checker.facts.model import Fact
from tests.oracle.common import Found, in_term, matches, same, terms_at


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
        cutoff = parse_duration(str(terms["lookback"])).before(hire.at)
        employment = terms.get("employment", {"fact": "employment.ended"})
        if any(
            left.partner == agreement["partner"]
            and matches(employment, left)
            and same(left.get(person_field), person)
            and cutoff <= left.at <= hire.at
            for left in facts
        ):
            found.add(
                ("non_solicitation.recent_employee_hired", "breach", hire.id, hire.day.isoformat())
            )
    return found
