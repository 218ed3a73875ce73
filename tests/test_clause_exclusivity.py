"""Exclusivity: scope, carve-outs, amendment effective dates and term bounds, worked by hand."""

from tests.helpers import agreement, evaluate, fact, summary

CLAUSE = {
    "id": "4.1",
    "title": "Exclusive territory",
    "kind": "exclusivity",
    "territory": ["DE", "AT", "CH"],
    "products": ["analytics-suite"],
    "forbids": [
        {"fact": "deal.closed", "where": {"channel": "direct"}, "unless": {"customer": ["bosch"]}},
        {"fact": "reseller.appointed", "unless": {"partner": "globex"}},
    ],
    "amended": [{"effective": "2026-07-01", "territory": ["DE", "AT", "CH", "FR"]}],
}
DEAL = {"product": "analytics-suite", "channel": "direct"}


def test_direct_deal_in_territory_breaches_and_reserved_account_does_not() -> None:
    facts = [
        fact(
            "d1",
            "deal.closed",
            "2026-02-10T10:00:00Z",
            "us",
            territory="DE",
            customer="acme",
            **DEAL,
        ),
        fact(
            "d2",
            "deal.closed",
            "2026-02-11T10:00:00Z",
            "us",
            territory="DE",
            customer="bosch",
            **DEAL,
        ),
        fact(
            "d3",
            "deal.closed",
            "2026-02-12T10:00:00Z",
            "globex",
            territory="DE",
            customer="x",
            channel="partner",
            product="analytics-suite",
        ),
        fact(
            "d4",
            "deal.closed",
            "2026-02-13T10:00:00Z",
            "us",
            territory="DE",
            customer="y",
            channel="direct",
            product="other",
        ),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("exclusivity.forbidden_activity", "breach", "d1", "2026-02-10"),
    ]


def test_amendment_extends_territory_from_its_effective_date() -> None:
    facts = [
        # 2026-06-30T23:30-01:00 is 2026-07-01T00:30Z: already under the amendment.
        fact(
            "fr1", "deal.closed", "2026-06-30T22:59:59Z", "us", territory="FR", customer="a", **DEAL
        ),
        fact(
            "fr2",
            "deal.closed",
            "2026-06-30T23:30:00-01:00",
            "us",
            territory="FR",
            customer="b",
            **DEAL,
        ),
        fact(
            "fr3", "deal.closed", "2026-07-01T00:00:00Z", "us", territory="FR", customer="c", **DEAL
        ),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("exclusivity.forbidden_activity", "breach", "fr2", "2026-07-01"),
        ("exclusivity.forbidden_activity", "breach", "fr3", "2026-07-01"),
    ]


def test_other_reseller_breaches_but_the_partner_itself_does_not() -> None:
    facts = [
        fact(
            "r1",
            "reseller.appointed",
            "2026-03-01",
            "initech",
            territory="AT",
            product="analytics-suite",
        ),
        fact(
            "r2",
            "reseller.appointed",
            "2026-03-02",
            "globex",
            territory="AT",
            product="analytics-suite",
        ),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("exclusivity.forbidden_activity", "breach", "r1", "2026-03-01"),
    ]


def test_activity_outside_the_term_is_not_a_breach() -> None:
    facts = [
        fact(
            "early",
            "deal.closed",
            "2024-12-31T23:59:59Z",
            "us",
            territory="DE",
            customer="a",
            **DEAL,
        ),
        fact(
            "first",
            "deal.closed",
            "2025-01-01T00:00:00Z",
            "us",
            territory="DE",
            customer="a",
            **DEAL,
        ),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("exclusivity.forbidden_activity", "breach", "first", "2025-01-01"),
    ]


def test_message_names_the_fact_and_the_scope() -> None:
    facts = [fact("d1", "deal.closed", "2026-02-10", "us", territory="DE", customer="acme", **DEAL)]
    (finding,) = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert "d1" in finding.message
    assert "DE, AT, CH" in finding.message
    assert finding.evidence[0].source == "test.jsonl:d1"
    assert finding.clause == "4.1"
    assert finding.clause_title == "Exclusive territory"


def test_amendments_accumulate() -> None:
    # 2026-07-01 adds FR; 2027-01-01 widens the products. The second amendment must keep FR.
    clause = dict(
        CLAUSE,
        amended=[
            {"effective": "2026-07-01", "territory": ["DE", "AT", "CH", "FR"]},
            {"effective": "2027-01-01", "products": ["analytics-suite", "insight"]},
        ],
    )
    facts = [
        fact("a", "deal.closed", "2027-02-01", "us", territory="FR", customer="x", **DEAL),
        fact(
            "b",
            "deal.closed",
            "2027-02-02",
            "us",
            territory="FR",
            customer="y",
            channel="direct",
            product="insight",
        ),
    ]
    assert summary(evaluate(agreement(clause), facts, "2027-06-01")) == [
        ("exclusivity.forbidden_activity", "breach", "a", "2027-02-01"),
        ("exclusivity.forbidden_activity", "breach", "b", "2027-02-02"),
    ]
