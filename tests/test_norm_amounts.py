"""An amount due each period as a percentage of a measure's value for that period ("the licensee
pays EUR 2.50 per 1,000 calls each month, within 30 days after the month ends"), and amounts
with no source to read them from refused by validation. Expectations are worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.helpers import agreement_between, evaluate, fact, summary

CALLS = {
    "id": "3.m",
    "title": "Calls per month (the fee's basis)",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "api.usage"},
    "sum": "calls",
    "per": "month",
    "reported": False,
}
FEE = {
    "id": "3",
    "title": "Monthly licence fee",
    "kind": "obligation",
    "by": "partner",
    "to": "us",
    "when": {"each": "month"},
    "do": {"fact": "fee.paid"},
    "period_field": "month",
    "within": "30d",
    # EUR 2.50 per 1,000 calls: 0.25 % of the month's calls.
    "amount": {"sum": "amount_eur", "at_least": {"percent": 0.25, "of": "3.m"}},
}


def _subject(*clauses: dict[str, Any]) -> Any:
    return agreement_between(
        "northwind",
        "globex",
        *clauses,
        effective="2026-03-01",
        expires="2026-12-31",
    )


def _usage(fact_id: str, at: str, calls: object) -> Any:
    return fact(fact_id, "api.usage", at, calls=calls)


def _paid(fact_id: str, at: str, month: str, amount: float) -> Any:
    return fact(fact_id, "fee.paid", at, month=month, amount_eur=amount)


def test_the_fee_each_month_is_the_percentage_of_that_months_measure() -> None:
    facts = [
        # April: 8,000 + 4,000 calls = 12,000: 30.00 due by the end of 05-30 (30 days after 04-30);
        # 20 paid: short by 10.
        _usage("u1", "2026-04-10T10:00:00Z", 8000),
        _usage("u2", "2026-04-11T10:00:00Z", 4000),
        _paid("p1", "2026-05-20T10:00:00Z", "2026-04", 20),
        # May: 10,000 calls: 25.00, paid in full on the last day it is due (06-30).
        _usage("u3", "2026-05-31T23:59:59Z", 10000),
        _paid("p2", "2026-06-30T23:00:00Z", "2026-05", 25),
        # March and June: no calls, nothing owed: no instance, no breach.
    ]
    found = evaluate(_subject(CALLS, FEE), facts, "2026-07-15")
    assert summary(found) == [("obligation.breached", "breach", "2026-04", "2026-05-30")]
    (april,) = found
    assert april.message == (
        "globex had to pay fee.paid for 2026-04: at least 30 (0.25 % of 12,000, clause 3.m for"
        " 2026-04) by 2026-05-30; 20 paid by then, shortfall 10"
    )


def test_the_next_fee_is_a_deadline_once_the_month_has_ended() -> None:
    facts = [_usage("u1", "2026-06-03T10:00:00Z", 4000)]
    # As of 07-05 June has ended with 4,000 calls: 10.00 due by the end of 07-30.
    assert summary(evaluate(_subject(CALLS, FEE), facts, "2026-07-05")) == [
        ("obligation.due", "deadline", "2026-06", "2026-07-30")
    ]


def test_a_month_the_measure_cannot_tell_owes_an_unknown_amount_never_a_breach() -> None:
    facts = [
        _usage("u1", "2026-04-10T10:00:00Z", 8000),
        _usage("u2", "2026-04-11T10:00:00Z", "n/a"),  # April's calls cannot be added up
    ]
    measure = {**CALLS, "unreadable": "skip_period"}
    # The unreadable report is an error of its own (the measure says it is not reported, but a
    # fact it cannot read is); April's fee, due by the end of 05-30, is unknown; March, May and
    # June had no calls: nothing owed.
    assert summary(evaluate(_subject(measure, FEE), facts, "2026-07-15")) == [
        ("measure.undecided", "error", "u2", "2026-04-11"),
        ("obligation.unknown", "unknown", "2026-04", "2026-05-30"),
    ]


@pytest.mark.parametrize(
    ("when", "at_least", "says"),
    [
        ({"each": "month"}, {"field": "amount_due"}, "has none"),
        ("start", {"percent": 20, "of": "net_revenue"}, "has none"),
        ("2026-06-30", {"field": "amount_due"}, "has none"),
        # `on: after` reads the fact the trigger's `after` found, and this trigger has no after.
        ({"fact": "invoice.sent"}, {"field": "amount", "on": "after"}, "this trigger has none"),
    ],
)
def test_an_amount_with_nothing_to_read_it_from_is_refused(
    when: object, at_least: object, says: str
) -> None:
    clause = {**FEE, "when": when, "amount": {"sum": "amount_eur", "at_least": at_least}}
    if when != {"each": "month"}:
        clause.pop("period_field")
    with pytest.raises(ValidationError, match=says):
        _subject(clause)


@pytest.mark.parametrize(
    ("of", "says"),
    [("9.9", "'9.9', which is not a norm of this agreement"), ("4", "'4', which is no measure")],
)
def test_a_percentage_of_no_measure_of_the_agreement_is_refused(of: str, says: str) -> None:
    fee = {**FEE, "amount": {"sum": "amount_eur", "at_least": {"percent": 1, "of": of}}}
    other = {**FEE, "id": "4", "amount": None}
    with pytest.raises(ValidationError, match=says):
        _subject(CALLS, other, fee)
