"""Non-solicitation: lookback boundaries in whole days, calendar months, amendments, term bounds
and who counts as the partner's employee; engine against the oracle."""

import random
from typing import Any

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, summary
from tests.oracle.non_solicitation import oracle_non_solicitation

CLAUSE: dict[str, Any] = {
    "id": "11.4",
    "title": "Non-solicitation of staff",
    "kind": "non_solicitation",
    "hire": {"fact": "employee.hired", "unless": {"source": "public-job-board"}},
    "employment": {"fact": "employment.ended"},
    "person_field": "person",
    "lookback": "12 months",
    "amended": [{"effective": "2026-07-01", "lookback": "6 months"}],
}


def left(fact_id: str, at: str, person: str, partner: str = "globex", **more: Any) -> Fact:
    return fact(fact_id, "employment.ended", at, partner, person=person, **more)


def hired(fact_id: str, at: str, person: str, **more: Any) -> Fact:
    return fact(fact_id, "employee.hired", at, "us", person=person, **more)


def test_lookback_counts_whole_days() -> None:
    # "Within 12 months after they left" (docs/norms.md): a departure on 2025-03-01 restricts
    # hires through the end of 2025-03-01 + 12 months = 2026-03-01, whatever the time of day.
    facts = [
        left("e-ann", "2025-03-01T10:00:00Z", "ann"),
        hired("h-ann", "2026-03-01T10:00:00Z", "ann"),  # exactly 12 months: breach
        left("e-bob", "2025-03-01T09:59:59Z", "bob"),
        # 12 months and 1 s, but on the last day 2025-03-01 + 12 months = 2026-03-01, which
        # counts in full: breach (allowed when the kind compared instants)
        hired("h-bob", "2026-03-01T10:00:00Z", "bob"),
        left("e-eve", "2025-03-01T23:59:59Z", "eve"),
        hired("h-eve", "2026-03-02T00:00:00Z", "eve"),  # the day after the last day: allowed
        left("e-cy", "2026-03-02T10:00:00Z", "cy"),
        hired("h-cy", "2026-03-02T10:00:00Z", "cy"),  # left the same instant (e-cy < h-cy): breach
        hired("h-dee", "2026-03-03T10:00:00Z", "dee"),
        left("e-dee", "2026-03-03T10:00:01Z", "dee"),  # left after the hire: not this clause
    ]
    findings = evaluate(agreement(CLAUSE), facts, "2026-06-01")
    assert summary(findings) == [
        ("non_solicitation.recent_employee_hired", "breach", "h-ann", "2026-03-01"),
        ("non_solicitation.recent_employee_hired", "breach", "h-bob", "2026-03-01"),
        ("non_solicitation.recent_employee_hired", "breach", "h-cy", "2026-03-02"),
    ]
    assert "hires ann" in findings[0].message
    assert "e-ann" in findings[0].message
    assert "within 12 months (through 2026-03-01)" in findings[0].message


def test_months_count_forward_from_the_departure() -> None:
    # 6 months from 2026-07-01. Left 2026-02-28: restricted through 2026-02-28 + 6 months =
    # 2026-08-28, so a hire on 2026-08-31 is allowed (counting back from the hire instead,
    # 2026-08-31 - 6 months = 2026-02-28, made it a breach). Left 2026-03-01: through 2026-09-01.
    facts = [
        left("e1", "2026-02-28T12:00:00Z", "ann"),
        hired("h1", "2026-08-31T12:00:00Z", "ann"),
        left("e2", "2026-03-01T12:00:00Z", "bob"),
        hired("h2", "2026-08-31T12:00:00Z", "bob"),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("non_solicitation.recent_employee_hired", "breach", "h2", "2026-08-31"),
    ]


def test_only_the_partners_staff_and_solicited_hires_count() -> None:
    facts = [
        left("e1", "2026-01-01", "ann", partner="initech"),
        hired("h1", "2026-02-01", "ann"),
        left("e2", "2026-01-01", "bob"),
        hired("h2", "2026-02-01", "bob", source="public-job-board"),
        hired("h3", "2026-02-01", "cy"),
    ]
    assert evaluate(agreement(CLAUSE), facts, "2026-06-01") == []


def test_employment_carve_outs_exempt_a_departure_not_the_person() -> None:
    clause = {
        **CLAUSE,
        "employment": {
            "fact": "employment.ended",
            "where": {"reason": ["resigned", "dismissed", "contract-end"]},
            "unless": [{"reason": "dismissed"}, {"unit": "lab"}],
        },
    }
    facts = [
        left("e1", "2026-01-01", "ann", reason="dismissed"),  # carved out
        hired("h1", "2026-02-01", "ann"),
        left("e2", "2026-01-01", "bob", reason="resigned", unit="lab"),  # carved out
        hired("h2", "2026-02-01", "bob"),
        left("e3", "2026-01-01", "cy", reason="dismissed"),  # carved out, but also...
        left("e4", "2026-01-05", "cy", reason="contract-end"),  # ...left again: counts
        hired("h3", "2026-02-01", "cy"),
        left("e5", "2026-01-01", "dee", reason="retired"),  # not an employment end it lists
        hired("h4", "2026-02-01", "dee"),
        left("e6", "2026-01-01", "eve", reason="resigned"),
        hired("h5", "2026-02-01", "eve"),
    ]
    findings = evaluate(agreement(clause), facts, "2026-06-01")
    assert summary(findings) == [
        ("non_solicitation.recent_employee_hired", "breach", "h3", "2026-02-01"),
        ("non_solicitation.recent_employee_hired", "breach", "h5", "2026-02-01"),
    ]
    assert "(employment.ended e4)" in findings[0].message


def test_an_employment_carve_out_may_test_several_fields_together() -> None:
    # Was refused ("each 'unless' entry must test one field"): a departure is exempt only when
    # it meets every test of one entry, as for any pattern's carve-outs.
    clause = {
        **CLAUSE,
        "employment": {
            "fact": "employment.ended",
            "unless": {"reason": "dismissed", "unit": "lab"},
        },
    }
    facts = [
        left("e1", "2026-01-01", "ann", reason="dismissed", unit="lab"),  # carved out
        hired("h1", "2026-02-01", "ann"),
        left("e2", "2026-01-01", "bob", reason="dismissed", unit="sales"),  # one test only
        hired("h2", "2026-02-01", "bob"),
    ]
    assert summary(evaluate(agreement(clause), facts, "2026-06-01")) == [
        ("non_solicitation.recent_employee_hired", "breach", "h2", "2026-02-01"),
    ]


def test_a_hire_and_a_departure_without_a_person_do_not_match() -> None:
    facts = [
        fact("e1", "employment.ended", "2026-01-01", "globex"),
        fact("h1", "employee.hired", "2026-02-01", "us"),
    ]
    assert evaluate(agreement(CLAUSE), facts, "2026-06-01") == []


def test_amendment_shortens_the_lookback_from_its_date_in_utc() -> None:
    facts = [
        left("e1", "2026-01-15", "ann"),
        hired("h1", "2026-06-30T23:59:59Z", "ann"),  # 12 months applies
        left("e2", "2026-01-15", "bob"),
        # 2026-07-01T00:30+01:00 is 2026-06-30T23:30Z: still 12 months.
        hired("h2", "2026-07-01T00:30:00+01:00", "bob"),
        left("e3", "2026-01-15", "cy"),
        # 6 months: restricted through 2026-01-15 + 6 months = 2026-07-15, the day before.
        hired("h3", "2026-07-16T00:00:00Z", "cy"),
        left("e4", "2026-01-16", "dee"),
        hired("h4", "2026-07-16T00:00:00Z", "dee"),  # 2026-01-16 + 6 months: the last day
    ]
    findings = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert summary(findings) == [
        ("non_solicitation.recent_employee_hired", "breach", "h1", "2026-06-30"),
        ("non_solicitation.recent_employee_hired", "breach", "h2", "2026-06-30"),
        ("non_solicitation.recent_employee_hired", "breach", "h4", "2026-07-16"),
    ]
    # Each message names the lookback in force on the hire's date.
    assert "within 12 months (through 2027-01-15)" in findings[0].message
    assert "within 6 months (through 2026-07-16)" in findings[2].message


def test_a_lookback_in_business_days_follows_the_calendar() -> None:
    # Left Monday 2026-03-02; 10 German business days after it (3-6, 9-13, 16 March) end with
    # Monday 2026-03-16: a hire that day is a breach, one on 2026-03-17 is not.
    clause = {**CLAUSE, "lookback": "10 business days", "amended": []}
    facts = [
        left("e1", "2026-03-02T10:00:00Z", "ann"),
        hired("h1", "2026-03-16T18:00:00Z", "ann"),
        left("e2", "2026-03-02T10:00:00Z", "bob"),
        hired("h2", "2026-03-17T00:00:00Z", "bob"),
    ]
    subject = agreement(clause, calendar={"country": "DE"})
    assert summary(evaluate(subject, facts, "2026-06-01")) == [
        ("non_solicitation.recent_employee_hired", "breach", "h1", "2026-03-16"),
    ]


def test_hires_outside_the_term_are_not_breaches() -> None:
    facts = [
        left("e1", "2024-06-01", "ann"),
        hired("early", "2024-12-31T23:59:59Z", "ann"),
        left("e2", "2024-06-01", "bob"),
        hired("first", "2025-01-01T00:00:00Z", "bob"),
        left("e3", "2027-06-01", "cy"),
        hired("late", "2028-01-01T00:00:00Z", "cy"),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2028-02-01")) == [
        ("non_solicitation.recent_employee_hired", "breach", "first", "2025-01-01"),
    ]


# --- engine against the independent oracle ---------------------------------------------------

TERM = {"effective": "2025-01-01", "expires": "2025-12-31"}
INSTANTS = [
    "2024-12-31T23:59:59Z",
    "2025-01-01T00:00:00Z",
    "2025-03-31T12:00:00Z",
    "2025-04-30T12:00:00Z",
    "2025-04-30T12:00:01Z",
    "2025-05-31T12:00:00Z",
    "2025-06-30T23:59:59Z",
    "2025-07-01T00:00:00Z",
    "2025-07-01T01:00:00+02:00",
    "2025-07-31T12:00:00Z",
    "2025-08-31T12:00:00Z",
    "2025-12-31T23:59:59Z",
    "2026-01-01T00:00:00Z",
]


def random_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    clause: dict[str, Any] = {
        "id": "11.4",
        "title": "Ns",
        "kind": "non_solicitation",
        "hire": {"fact": "employee.hired", "unless": {"source": "board"}},
        "lookback": rng.choice(["1 month", "30d", "720h"]),
        "amended": [{"effective": "2025-07-01", "lookback": rng.choice(["1 month", "2 months"])}],
    }
    facts = []
    for number in range(rng.randint(4, 16)):
        hire = rng.random() < 0.5
        facts.append(
            fact(
                f"f{number}",
                "employee.hired" if hire else "employment.ended",
                rng.choice(INSTANTS),
                rng.choice(
                    ["us", "globex", "initech"] if hire else ["globex", "globex", "initech"]
                ),
                person=rng.choice(["ann", "ann", "bob", 7, "7", None]),
                source=rng.choice(["referral", "referral", "board"]),
            )
        )
    return clause, facts


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(30):
        clause, facts = random_case(random.Random(seed))
        engine, expected = engine_and_oracle(
            agreement(clause, **TERM), clause, facts, "2026-02-01", 30, oracle_non_solicitation
        )
        assert engine == expected, f"seed {seed}"
