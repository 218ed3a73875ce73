"""Cap: exactly at vs over the cap, amendments, term bounds, unreadable values; engine vs oracle."""

import random

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, instant_near, summary
from tests.oracle.caps import oracle_caps

CLAUSE = {
    "id": "5.2",
    "title": "Licensed seats",
    "kind": "cap",
    "measure": {"fact": "usage.reported", "field": "seats", "unless": {"edition": "trial"}},
    "max": 250,
    "amended": [{"effective": "2026-07-01", "max": 300}],
}


def test_exactly_at_the_cap_is_compliant_and_one_over_breaches() -> None:
    facts = [
        fact("u1", "usage.reported", "2026-03-01T10:00:00Z", seats=250),
        fact("u2", "usage.reported", "2026-03-02T10:00:00Z", seats=251),
        fact("u3", "usage.reported", "2026-03-03T10:00:00Z", seats=250.5),
        fact("u4", "usage.reported", "2026-03-04T10:00:00Z", seats=900, edition="trial"),
        fact("u5", "usage.reported", "2026-03-05T10:00:00Z", "initech", seats=900),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("cap.exceeded", "breach", "u2", "2026-03-02"),
        ("cap.exceeded", "breach", "u3", "2026-03-03"),
    ]


def test_amendment_raises_the_cap_from_its_effective_date_in_utc() -> None:
    facts = [
        fact("before", "usage.reported", "2026-06-30T23:59:59Z", seats=280),
        # 2026-07-01T01:00+02:00 is 2026-06-30T23:00Z: still under the old cap of 250.
        fact("offset", "usage.reported", "2026-07-01T01:00:00+02:00", seats=280),
        fact("after", "usage.reported", "2026-07-01T00:00:00Z", seats=280),
        fact("at-new-cap", "usage.reported", "2026-07-02T00:00:00Z", seats=300),
        fact("over-new-cap", "usage.reported", "2026-07-03T00:00:00Z", seats=301),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("cap.exceeded", "breach", "before", "2026-06-30"),
        ("cap.exceeded", "breach", "offset", "2026-06-30"),
        ("cap.exceeded", "breach", "over-new-cap", "2026-07-03"),
    ]


def test_readings_outside_the_term_are_not_breaches() -> None:
    facts = [
        fact("early", "usage.reported", "2024-12-31T23:59:59Z", seats=999),
        fact("first", "usage.reported", "2025-01-01T00:00:00Z", seats=999),
        fact("last", "usage.reported", "2027-12-31T23:59:59Z", seats=999),
        fact("late", "usage.reported", "2028-01-01T00:00:00Z", seats=999),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2028-02-01")) == [
        ("cap.exceeded", "breach", "first", "2025-01-01"),
        ("cap.exceeded", "breach", "last", "2027-12-31"),
    ]


def test_unreadable_values_are_errors_not_compliance() -> None:
    facts = [
        fact("text", "usage.reported", "2026-03-01", seats="lots"),
        fact("missing", "usage.reported", "2026-03-02"),
        fact("flag", "usage.reported", "2026-03-03", seats=True),
    ]
    findings = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert summary(findings) == [
        ("cap.unreadable_measure", "error", "text", "2026-03-01"),
        ("cap.unreadable_measure", "error", "missing", "2026-03-02"),
        ("cap.unreadable_measure", "error", "flag", "2026-03-03"),
    ]
    assert "text" in findings[0].message
    assert "'seats'" in findings[0].message


def test_message_names_the_fact_value_and_cap() -> None:
    facts = [fact("u9", "usage.reported", "2026-03-01", seats=260)]
    (finding,) = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert finding.message == (
        "usage.reported u9 reports seats 260 on 2026-03-01, above the cap of 250"
    )
    assert finding.evidence[0].fact_id == "u9"


# --- engine against the independent oracle ---------------------------------------------------

TERM = {"effective": "2025-01-01", "expires": "2025-12-31"}
BOUNDARIES = [
    "2024-12-31T23:59:59Z",
    "2025-01-01T00:00:00Z",
    "2025-06-30T23:59:59Z",
    "2025-07-01T00:00:00Z",
    "2025-07-01T00:30:00+01:00",
    "2025-12-31T23:59:59Z",
    "2026-01-01T00:00:00Z",
]


def random_case(rng: random.Random) -> tuple[dict[str, object], list[Fact]]:
    clause = {
        "id": "5.2",
        "title": "Seats",
        "kind": "cap",
        "measure": {"fact": "usage.reported", "field": "seats", "where": {"edition": ["pro", 7]}},
        "max": rng.choice([10, 12.5]),
        "amended": [{"effective": "2025-07-01", "max": rng.choice([8, 11, 15])}],
    }
    facts = []
    for number in range(rng.randint(0, 12)):
        seats = rng.choice([9, 10, 11, 12.5, 13, 15, 16, "x", None, True])
        facts.append(
            fact(
                f"f{number}",
                rng.choice(["usage.reported", "usage.reported", "other.fact"]),
                instant_near(rng, BOUNDARIES),
                rng.choice(["globex", "globex", "initech"]),
                seats=seats,
                edition=rng.choice(["pro", "pro", "trial", 7, "7"]),
            )
        )
    return clause, facts


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(30):
        clause, facts = random_case(random.Random(seed))
        engine, expected = engine_and_oracle(
            agreement(clause, **TERM), clause, facts, "2026-02-01", 30, oracle_caps
        )
        assert engine == expected, f"seed {seed}"
