""" "K breaches in a row" and "K in any N" count each bound party's own periods: with several
partners, one partner's shortfall does not continue another's run. Expectations are worked out
by hand from the quarters below."""

from __future__ import annotations

from typing import Any

from tests.helpers import agreement, evaluate, fact, summary

MINIMUM = {
    "id": "7.1",
    "title": "Minimum purchase per partner",
    "kind": "measure",
    "by": "partners",
    "of": {"fact": "purchase.order"},
    "sum": "amount",
    "per": "quarter",
    "at_least": 100,
}
IN_A_ROW = {
    "id": "8.1",
    "title": "Right after two shortfalls in a row",
    "kind": "right",
    "holder": "us",
    "arises": {"breach_of": "7.1", "in_a_row": 2},
    "open_for": "10d",
}
TWO_IN_THREE = {
    "id": "8.2",
    "title": "Right after two shortfalls in any three quarters",
    "kind": "right",
    "holder": "us",
    "arises": {"breach_of": "7.1", "count": 2, "in_last": 3},
    "open_for": "10d",
}


def _orders(amounts: dict[str, list[int]]) -> list[Any]:
    """One order per partner and quarter (Q1 to Q3 of 2026), mid-quarter."""
    months = ["02", "05", "08"]
    return [
        fact(
            f"{partner}-q{n + 1}",
            "purchase.order",
            f"2026-{months[n]}-15T10:00:00Z",
            partner,
            amount=amount,
        )
        for partner, quarters in amounts.items()
        for n, amount in enumerate(quarters)
    ]


def _rights(amounts: dict[str, list[int]]) -> list[tuple[str, str, str]]:
    subject = agreement(
        MINIMUM,
        IN_A_ROW,
        TWO_IN_THREE,
        parties={"us": "northwind", "partners": ["alpha", "beta"]},
        partner=None,
        effective="2026-01-01",
        expires="2027-12-31",
    )
    found = evaluate(subject, _orders(amounts), "2026-10-05")
    return [
        (f.clause, subject_, day)
        for f, (code, _, subject_, day) in zip(found, summary(found), strict=True)
        if code == "right.arisen"
    ]


def test_shortfalls_of_two_partners_in_turn_make_no_run() -> None:
    # alpha short in Q1, beta in Q2, alpha in Q3: nobody has two in a row; alpha has two in
    # three quarters (Q1 and Q3), beta one.
    assert _rights({"alpha": [50, 150, 50], "beta": [150, 50, 150]}) == [
        ("8.2", "7.1:2026-Q3/alpha", "2026-09-30")
    ]


def test_one_partners_run_gives_the_right_on_its_second_shortfall() -> None:
    # alpha short in Q1 and Q2: both rights on Q2's last day; beta's Q3 shortfall is its first.
    assert _rights({"alpha": [50, 50, 150], "beta": [150, 150, 50]}) == [
        ("8.1", "7.1:2026-Q2/alpha", "2026-06-30"),
        ("8.2", "7.1:2026-Q2/alpha", "2026-06-30"),
    ]
