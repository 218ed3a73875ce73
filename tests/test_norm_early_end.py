"""An agreement ended early by a right that arises from breaches of an amended clause, and what
the end cuts (found by a new user: the right was reported exercised but the agreement ran on,
and a quarter cut by the end was judged and at risk after it). Worked out by hand."""

from __future__ import annotations

from typing import Any

from tests.helpers import agreement, evaluate, fact, summary

MINIMUM = {
    "id": "1",
    "title": "Quarterly minimum purchase",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "order.placed"},
    "sum": "amount",
    "per": "quarter",
    "at_least": 40000,
    "amended": [{"effective": "2026-07-01", "at_least": 60000}],
}
TERMINATION = {
    "id": "2",
    "title": "Termination after two shortfalls in a row",
    "kind": "right",
    "holder": "us",
    "arises": {"breach_of": "1", "in_a_row": 2},
    "open_for": "60d",
    "exercised_by": {"fact": "notice.sent", "by": "us", "where": {"topic": "termination"}},
    "effect": {"ends": "agreement", "after": "30d"},
}


def _subject() -> Any:
    return agreement(
        MINIMUM,
        TERMINATION,
        parties={"us": "zenith", "partner": "orbit"},
        partner=None,
        effective="2026-01-01",
        expires="2027-12-31",
    )


def _order(fact_id: str, at: str, amount: int) -> Any:
    return fact(fact_id, "order.placed", at, "orbit", amount=amount)


def test_a_right_from_breaches_of_an_amended_clause_ends_the_agreement() -> None:
    facts = [
        _order("o1", "2026-02-10T10:00:00Z", 50000),  # Q1: 50,000 of 40,000, met
        _order("o2", "2026-05-10T10:00:00Z", 30000),  # Q2: short of 40,000
        _order("o3", "2026-08-10T10:00:00Z", 50000),  # Q3: short of the amended 60,000
        # Two shortfalls in a row: the right arises at the end of Q3 (09-30); our notice on
        # 10-10 ends the agreement 30 days later, with 11-09.
        fact("n1", "notice.sent", "2026-10-10T09:00:00Z", None, topic="termination"),
        _order("o4", "2026-10-20T10:00:00Z", 1000),  # Q4 runs to the end: 1,000 by 11-09
    ]
    found = summary(evaluate(_subject(), facts, "2026-12-20"))
    assert found == [
        ("measure.breached", "breach", "2026-Q2", "2026-06-30"),
        ("measure.breached", "breach", "2026-Q3", "2026-09-30"),
        ("right.arisen", "trigger", "1:2026-Q3", "2026-09-30"),
        # Q4 closes with the agreement on 11-09: 1,000 of 60,000, a breach dated then (not on
        # 12-31, after the end), and nothing at risk after the end.
        ("measure.breached", "breach", "2026-Q4", "2026-11-09"),
        ("right.ended_agreement", "trigger", "n1", "2026-11-09"),
    ]
