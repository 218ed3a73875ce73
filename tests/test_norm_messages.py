"""Messages give figures a reader can check: a value that broke its bound never reads as equal
to it (found by a new user: "99.5, under the minimum of 99.5"). Worked out by hand."""

from __future__ import annotations

from tests.helpers import agreement_between, evaluate, fact

UPTIME = {
    "id": "2",
    "title": "Monthly availability of at least 99.5 %",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "availability.daily"},
    "average": "percent",
    "per": "month",
    "at_least": 99.5,
}


def test_an_average_just_under_its_minimum_shows_the_digits_that_make_it_short() -> None:
    subject = agreement_between(
        "hooli",
        "piedpiper",
        UPTIME,
        effective="2026-12-01",
        expires="2027-12-31",
    )
    # Two readings, 99.49 and 99.50: an average of 99.495, short by 0.005.
    facts = [
        fact("a1", "availability.daily", "2026-12-01T06:00:00Z", "piedpiper", percent=99.49),
        fact("a2", "availability.daily", "2026-12-02T06:00:00Z", "piedpiper", percent=99.5),
    ]
    (finding,) = evaluate(subject, facts, "2027-01-05")
    assert finding.code == "measure.breached"
    assert finding.message == (
        "average of percent of availability.daily for 2026-12 is 99.495, under the minimum of"
        " 99.5: shortfall 0.005"
    )


def test_a_right_is_named_by_its_clause_title_and_how_it_is_exercised() -> None:
    credit = {
        "id": "3",
        "title": "Service credit",
        "kind": "right",
        "holder": "us",
        "arises": {"breach_of": "2"},
        "open_for": "30d",
        "exercised_by": {"fact": "credit.claimed"},
    }
    subject = agreement_between(
        "hooli",
        "piedpiper",
        UPTIME,
        credit,
        effective="2026-12-01",
        expires="2027-12-31",
    )
    facts = [fact("a1", "availability.daily", "2026-12-01T06:00:00Z", "piedpiper", percent=99.0)]
    # December's average 99.0 breaches clause 2 on the month's last day, 2026-12-31 (a period's
    # breach is dated on its last day); the right is open from that day for 30 days: to the end
    # of 2027-01-30.
    (right,) = [f for f in evaluate(subject, facts, "2027-01-05") if f.code == "right.arisen"]
    assert right.message == (
        "hooli's right 'Service credit' (exercised by credit.claimed):"
        " open from 2026-12-31 until 2027-01-30"
    )
