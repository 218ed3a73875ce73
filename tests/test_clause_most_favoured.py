"""Most favoured: other partners' prices against our price in force then, per product; amendments,
term bounds and unreadable prices; engine against the oracle."""

import random
from typing import Any

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, instant_near, summary
from tests.oracle.most_favoured import oracle_most_favoured

CLAUSE: dict[str, Any] = {
    "id": "6.1",
    "title": "Most favoured customer pricing",
    "kind": "most_favoured",
    "price": {"fact": "price.agreed", "field": "unit_price"},
    "match_on": ["product"],
    "amended": [{"effective": "2026-07-01", "match_on": ["product", "currency"]}],
}


def price(
    fact_id: str, at: str, partner: str, value: Any, product: str = "suite", **more: Any
) -> Fact:
    return fact(fact_id, "price.agreed", at, partner, product=product, unit_price=value, **more)


def test_lower_price_elsewhere_breaches_equal_price_does_not() -> None:
    facts = [
        price("own1", "2026-02-01T00:00:00Z", "globex", 100),
        price("same", "2026-02-02", "initech", 100),
        price("lower", "2026-02-03", "initech", 99.5),
        price("other-product", "2026-02-04", "initech", 10, product="addon"),
        price("before-own", "2026-01-31T23:59:59Z", "initech", 50),
        price("at-own", "2026-02-01T00:00:00Z", "acme", 99),
    ]
    findings = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert summary(findings) == [
        ("most_favoured.lower_price_elsewhere", "breach", "at-own", "2026-02-01"),
        ("most_favoured.lower_price_elsewhere", "breach", "lower", "2026-02-03"),
    ]
    assert findings[1].message == (
        "price.agreed lower gives initech unit_price 99.5 (product suite) on 2026-02-03,"
        " below the 100 agreed with globex in own1"
    )
    assert [e.fact_id for e in findings[1].evidence] == ["own1", "lower"]


def test_our_later_price_cut_is_the_new_reference() -> None:
    facts = [
        price("own1", "2026-02-01", "globex", 100),
        price("own2", "2026-03-01T00:00:00Z", "globex", 80),
        price("x1", "2026-02-28T23:59:59Z", "initech", 90),
        price("x2", "2026-03-01T00:00:00Z", "initech", 90),
        price("x3", "2026-03-02", "initech", 79),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("most_favoured.lower_price_elsewhere", "breach", "x1", "2026-02-28"),
        ("most_favoured.lower_price_elsewhere", "breach", "x3", "2026-03-02"),
    ]


def test_amendment_adds_currency_to_the_match_from_its_date_in_utc() -> None:
    facts = [
        price("own-eur", "2026-05-01", "globex", 100, currency="EUR"),
        price("usd1", "2026-06-30T23:59:59Z", "initech", 90, currency="USD"),
        # 2026-07-01T01:30+02:00 is 2026-06-30T23:30Z: currency not compared yet.
        price("usd2", "2026-07-01T01:30:00+02:00", "initech", 90, currency="USD"),
        price("usd3", "2026-07-01T00:00:00Z", "initech", 90, currency="USD"),
        price("eur", "2026-07-02", "initech", 90, currency="EUR"),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("most_favoured.lower_price_elsewhere", "breach", "usd1", "2026-06-30"),
        ("most_favoured.lower_price_elsewhere", "breach", "usd2", "2026-06-30"),
        ("most_favoured.lower_price_elsewhere", "breach", "eur", "2026-07-02"),
    ]


def test_prices_outside_the_term_are_not_breaches_but_our_earlier_price_holds() -> None:
    facts = [
        price("own0", "2024-12-01", "globex", 100),  # agreed before the term, still in force
        price("early", "2024-12-31T23:59:59Z", "initech", 50),
        price("first", "2025-01-01T00:00:00Z", "initech", 50),
        price("late", "2028-01-01T00:00:00Z", "initech", 50),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2028-02-01")) == [
        ("most_favoured.lower_price_elsewhere", "breach", "first", "2025-01-01"),
    ]


def test_unreadable_prices_are_errors() -> None:
    facts = [
        price("own1", "2026-02-01", "globex", 100),
        price("x1", "2026-02-02", "initech", "call us"),
        price("own2", "2026-02-03", "globex", None),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("most_favoured.unreadable_price", "error", "x1", "2026-02-02"),
        ("most_favoured.unreadable_price", "error", "own2", "2026-02-03"),
    ]


def test_our_unreadable_price_is_passed_over_and_a_carved_out_one_is_not_read() -> None:
    clause = {**CLAUSE, "price": {**CLAUSE["price"], "unless": {"list": True}}}
    facts = [
        price("own1", "2026-02-01", "globex", 100),
        price("own2", "2026-02-10", "globex", "tbd"),  # unreadable: own1's 100 stays in force
        price("x1", "2026-02-11", "initech", 95),
        price("listed", "2026-02-12", "initech", "on request", list=True),  # carved out
        price("own3", "2026-02-20", "globex", 90, list=True),  # carved out: not our price
        price("x2", "2026-02-21", "initech", 95),
    ]
    findings = evaluate(agreement(clause), facts, "2026-11-22")
    assert summary(findings) == [
        ("most_favoured.unreadable_price", "error", "own2", "2026-02-10"),
        ("most_favoured.lower_price_elsewhere", "breach", "x1", "2026-02-11"),
        ("most_favoured.lower_price_elsewhere", "breach", "x2", "2026-02-21"),
    ]
    assert [e.fact_id for e in findings[2].evidence] == ["own1", "x2"]


def test_a_price_under_an_alias_of_the_partner_is_the_partner_s_own() -> None:
    parties = {"us": "northwind", "partner": {"id": "globex", "aliases": ["globex-ag"]}}
    facts = [
        price("own1", "2026-02-01", "globex", 100),
        price("own2", "2026-03-01", "globex-ag", 80),  # the partner's new price, not another's
        price("x1", "2026-03-02", "initech", 85),
    ]
    subject = agreement(CLAUSE, parties=parties, partner=None)
    assert summary(evaluate(subject, facts, "2026-11-22")) == []


# --- engine against the independent oracle ---------------------------------------------------

TERM = {"effective": "2025-01-01", "expires": "2025-12-31"}
BOUNDARIES = [
    "2024-12-31T23:59:59Z",
    "2025-01-01T00:00:00Z",
    "2025-03-01T00:00:00Z",
    "2025-06-30T23:59:59Z",
    "2025-07-01T00:00:00Z",
    "2025-07-01T01:00:00+02:00",
    "2025-12-31T23:59:59Z",
    "2026-01-01T00:00:00Z",
]


def random_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    clause: dict[str, Any] = {
        "id": "6.1",
        "title": "Mfn",
        "kind": "most_favoured",
        "price": {"fact": "price.agreed", "field": "unit_price", "unless": {"list": True}},
        "amended": [
            {
                "effective": "2025-07-01",
                "match_on": rng.choice([["product"], ["product", "currency"]]),
            }
        ],
    }
    facts = [
        fact(
            f"f{number}",
            "price.agreed",
            instant_near(rng, BOUNDARIES, boundary_chance=0.6, hour=12),
            rng.choice(["globex", "globex", "initech", "acme", None]),
            product=rng.choice(["a", "b"]),
            currency=rng.choice(["EUR", "USD"]),
            unit_price=rng.choice([90, 99, 100, 100.0, 101, "x"]),
            list=rng.choice([False, False, True]),
        )
        for number in range(rng.randint(0, 14))
    ]
    return clause, facts


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(30):
        clause, facts = random_case(random.Random(seed))
        engine, expected = engine_and_oracle(
            agreement(clause, **TERM), clause, facts, "2026-02-01", 30, oracle_most_favoured
        )
        assert engine == expected, f"seed {seed}"
