"""Non-compete: scope, own-partner-only, carve-outs, amendment dates and term bounds; vs oracle."""

import random

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, instant_near, summary
from tests.oracle.non_compete import oracle_non_compete

CLAUSE = {
    "id": "7.1",
    "title": "Non-competition",
    "kind": "non_compete",
    "competing_products": ["insight-pro", "datawise"],
    "territory": ["DE", "AT"],
    "activity": [
        {"fact": "deal.closed", "unless": {"customer": "legacy-bank"}},
        {"fact": "subscription.renewed"},
    ],
    "amended": [
        {"effective": "2026-07-01", "competing_products": ["insight-pro", "datawise", "metricly"]}
    ],
}


def test_competing_sale_in_scope_breaches_and_others_do_not() -> None:
    facts = [
        fact(
            "d1", "deal.closed", "2026-02-10", territory="DE", product="insight-pro", customer="a"
        ),
        fact(
            "d2", "deal.closed", "2026-02-11", territory="FR", product="insight-pro", customer="a"
        ),
        fact("d3", "deal.closed", "2026-02-12", territory="AT", product="our-suite", customer="a"),
        fact("d4", "deal.closed", "2026-02-13", "initech", territory="DE", product="datawise"),
        fact(
            "d5",
            "deal.closed",
            "2026-02-14",
            territory="DE",
            product="datawise",
            customer="legacy-bank",
        ),
        fact("s1", "subscription.renewed", "2026-02-15", territory="AT", product="datawise"),
        fact("x1", "lead.created", "2026-02-16", territory="AT", product="datawise"),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("non_compete.competing_activity", "breach", "d1", "2026-02-10"),
        ("non_compete.competing_activity", "breach", "s1", "2026-02-15"),
    ]


def test_amendment_adds_a_product_from_its_effective_date_in_utc() -> None:
    facts = [
        fact("m1", "deal.closed", "2026-06-30T23:59:59Z", territory="DE", product="metricly"),
        # 2026-06-30T20:00-05:00 is 2026-07-01T01:00Z: already amended.
        fact("m2", "deal.closed", "2026-06-30T20:00:00-05:00", territory="DE", product="metricly"),
        fact("m3", "deal.closed", "2026-07-01T00:00:00Z", territory="AT", product="metricly"),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("non_compete.competing_activity", "breach", "m2", "2026-07-01"),
        ("non_compete.competing_activity", "breach", "m3", "2026-07-01"),
    ]


def test_sales_outside_the_term_are_not_breaches() -> None:
    sale = {"territory": "DE", "product": "datawise"}
    facts = [
        fact("early", "deal.closed", "2024-12-31T23:59:59Z", **sale),
        fact("first", "deal.closed", "2025-01-01T00:00:00Z", **sale),
        fact("last", "deal.closed", "2027-12-31T23:59:59Z", **sale),
        fact("after", "deal.closed", "2028-01-01T00:00:00Z", **sale),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2028-03-01")) == [
        ("non_compete.competing_activity", "breach", "first", "2025-01-01"),
        ("non_compete.competing_activity", "breach", "last", "2027-12-31"),
    ]


def test_default_activity_is_deal_closed_and_no_territory_means_anywhere() -> None:
    clause = {"id": "7.2", "title": "Nc", "kind": "non_compete", "competing_products": ["x"]}
    facts = [
        fact("d1", "deal.closed", "2026-02-10", territory="BR", product="x"),
        fact("s1", "subscription.renewed", "2026-02-10", territory="BR", product="x"),
    ]
    findings = evaluate(agreement(clause), facts, "2026-11-22")
    assert summary(findings) == [("non_compete.competing_activity", "breach", "d1", "2026-02-10")]
    assert "d1" in findings[0].message
    assert "product x" in findings[0].message


# --- engine against the independent oracle ---------------------------------------------------

TERM = {"effective": "2025-01-01", "expires": "2025-12-31"}
BOUNDARIES = [
    "2024-12-31T23:59:59Z",
    "2025-01-01T00:00:00Z",
    "2025-06-30T23:59:59Z",
    "2025-07-01T00:00:00Z",
    "2025-06-30T19:00:00-05:00",
    "2025-12-31T23:59:59Z",
    "2026-01-01T00:00:00Z",
]


def random_case(rng: random.Random) -> tuple[dict[str, object], list[Fact]]:
    clause: dict[str, object] = {
        "id": "7.1",
        "title": "Nc",
        "kind": "non_compete",
        "competing_products": rng.sample(["p1", "p2", "p3"], rng.randint(1, 2)),
        "activity": [
            {"fact": "deal.closed", "unless": {"customer": "c1"}},
            {"fact": "sub.renewed"},
        ],
        "amended": [{"effective": "2025-07-01", "competing_products": ["p2", "p3"]}],
    }
    if rng.random() < 0.7:
        clause["territory"] = rng.sample(["DE", "AT", "FR"], rng.randint(1, 2))
    facts = [
        fact(
            f"f{number}",
            rng.choice(["deal.closed", "sub.renewed", "lead.created"]),
            instant_near(rng, BOUNDARIES),
            rng.choice(["globex", "globex", "initech"]),
            product=rng.choice(["p1", "p2", "p3", None]),
            territory=rng.choice(["DE", "AT", "AT", "FR", None]),
            customer=rng.choice(["c1", "c2"]),
        )
        for number in range(rng.randint(4, 16))
    ]
    return clause, facts


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(30):
        clause, facts = random_case(random.Random(seed))
        engine, expected = engine_and_oracle(
            agreement(clause, **TERM), clause, facts, "2026-02-01", 30, oracle_non_compete
        )
        assert engine == expected, f"seed {seed}"
