"""A pattern that needs something later: `before: {fact: ..., within: ...}` ("within 30 days
before a price notice"), and `before: {field: ...}` (a date of the same record). Worked out by
hand."""

from __future__ import annotations

from typing import Any

from tests.helpers import agreement_between, evaluate, fact, summary

# "Acme shall not place orders in the 30 days before Northwind gives notice of a price change"
# (stocking up at the old price).
STOCKING = {
    "id": "7.4",
    "title": "No stocking up before a price change",
    "kind": "prohibition",
    "by": "partner",
    "do": {"fact": "order.placed", "before": {"fact": "price.notice", "within": "30d"}},
}


def _subject(*clauses: dict[str, Any]) -> Any:
    return agreement_between(
        "northwind",
        "acme",
        *clauses,
        effective="2026-01-01",
        expires="2027-12-31",
    )


def _order(fact_id: str, at: str, by: str = "acme") -> Any:
    return fact(fact_id, "order.placed", at, by)


NOTICE = fact("pn-1", "price.notice", "2026-06-30T10:00:00Z", "northwind")
ORDERS = [
    _order("o1", "2026-05-30T23:59:59Z"),  # 31 days before the notice's day: allowed
    _order("o2", "2026-05-31T00:00:00Z"),  # 30 days before: forbidden
    _order("o3", "2026-06-30T09:00:00Z"),  # the same day, before the notice: forbidden
    _order("o4", "2026-06-30T11:00:00Z"),  # after the notice: allowed
    _order("o5", "2026-06-15T09:00:00Z", by="northwind"),  # ours, not the partner's
]


def test_orders_within_30_days_before_the_notice_are_breaches_dated_when_placed() -> None:
    found = evaluate(_subject(STOCKING), [*ORDERS, NOTICE], "2026-07-15")
    assert summary(found) == [
        ("prohibition.breached", "breach", "o2", "2026-05-31"),
        ("prohibition.breached", "breach", "o3", "2026-06-30"),
    ]
    # The later notice is evidence of the breach, after the order.
    assert [e.fact_id for e in found[0].evidence] == ["o2", "pn-1"]


def test_before_the_notice_is_known_nothing_is_forbidden_yet() -> None:
    # A run reads the facts up to its as-of instant: on 06-20, the orders placed by then.
    as_of = "2026-06-20"
    known = [f for f in [*ORDERS, NOTICE] if f.day.isoformat() <= as_of]
    assert [f.id for f in known] == ["o1", "o2", "o5"]
    assert evaluate(_subject(STOCKING), known, as_of) == []


def test_a_date_field_of_the_same_record_can_be_what_comes_later() -> None:
    # "No order for delivery within 10 days before the end of the quarter it is booked in."
    late_booking = {
        **STOCKING,
        "do": {"fact": "order.placed", "before": {"field": "quarter_end", "within": "10d"}},
    }
    facts = [
        fact("q1", "order.placed", "2026-03-21T09:00:00Z", "acme", quarter_end="2026-03-31"),
        fact("q2", "order.placed", "2026-03-20T09:00:00Z", "acme", quarter_end="2026-03-31"),
        fact("q3", "order.placed", "2026-04-02T09:00:00Z", "acme", quarter_end="2026-03-31"),
    ]
    # q1: 03-31 is 10 days after 03-21 (within); q2: 11 days (not); q3: the date is before it.
    assert summary(evaluate(_subject(late_booking), facts, "2026-05-01")) == [
        ("prohibition.breached", "breach", "q1", "2026-03-21")
    ]
