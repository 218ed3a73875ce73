"""Data sharing: the first rule a transfer breaks, conditional categories, monthly caps across
time zones and amendments, term bounds; engine against the oracle."""

import random
from typing import Any

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, instant_near, summary
from tests.oracle.data_sharing import oracle_data_sharing

CLAUSE: dict[str, Any] = {
    "id": "8.2",
    "title": "Data protection and sharing",
    "kind": "data_sharing",
    "allowed_categories": ["usage", "contact", "health"],
    "never_categories": ["biometric"],
    "allowed_recipients": ["globex"],
    "allowed_regions": ["EU"],
    "allowed_purposes": ["support", "research"],
    "conditional": [{"category": "health", "purposes": ["research"], "requires_consent": True}],
    "amended": [{"effective": "2026-07-01", "allowed_regions": ["EU", "UK"]}],
}
OK = {"category": "usage", "recipient": "globex", "region": "EU", "purpose": "support"}


def transfer(fact_id: str, at: str, **changes: Any) -> Fact:
    return fact(fact_id, "data.transfer", at, **{**OK, **changes})


def test_each_transfer_reports_the_most_severe_rule_it_breaks() -> None:
    facts = [
        transfer("ok", "2026-03-01"),
        transfer("bio", "2026-03-02", category="biometric", region="US", purpose="ads"),
        transfer("crm", "2026-03-03", category="crm", recipient="initech"),
        transfer("no-cat", "2026-03-04", category=None),
        transfer("h-support", "2026-03-05", category="health", region="US"),
        transfer("h-no-consent", "2026-03-06", category="health", purpose="research"),
        transfer("h-text", "2026-03-07", category="health", purpose="research", consent="true"),
        transfer("h-ok", "2026-03-08", category="health", purpose="research", consent=True),
        transfer("rcpt", "2026-03-09", recipient="initech", region="US"),
        transfer("us", "2026-03-10", region="US", purpose="ads"),
        transfer("ads", "2026-03-11", purpose="ads"),
        fact("other", "data.transfer", "2026-03-12", "initech", category="biometric"),
    ]
    findings = evaluate(agreement(CLAUSE), facts, "2026-11-22")
    assert summary(findings) == [
        ("data_sharing.never_category", "breach", "bio", "2026-03-02"),
        ("data_sharing.category_not_allowed", "breach", "crm", "2026-03-03"),
        ("data_sharing.category_not_allowed", "breach", "no-cat", "2026-03-04"),
        ("data_sharing.conditional_violation", "breach", "h-support", "2026-03-05"),
        ("data_sharing.conditional_violation", "breach", "h-no-consent", "2026-03-06"),
        ("data_sharing.conditional_violation", "breach", "h-text", "2026-03-07"),
        ("data_sharing.recipient_not_allowed", "breach", "rcpt", "2026-03-09"),
        ("data_sharing.region_not_allowed", "breach", "us", "2026-03-10"),
        ("data_sharing.purpose_not_allowed", "breach", "ads", "2026-03-11"),
    ]
    assert findings[0].severity.value == "critical"
    assert findings[1].severity.value == "high"
    assert "biometric" in findings[0].message
    assert "bio" in findings[0].message
    assert "region US" in findings[7].message
    assert "(EU)" in findings[7].message


def test_amendment_allows_a_region_from_its_effective_date_in_utc() -> None:
    facts = [
        transfer("uk1", "2026-06-30T23:59:59Z", region="UK"),
        # 2026-07-01T00:30+01:00 is 2026-06-30T23:30Z: before the amendment.
        transfer("uk2", "2026-07-01T00:30:00+01:00", region="UK"),
        transfer("uk3", "2026-07-01T00:00:00Z", region="UK"),
    ]
    assert summary(evaluate(agreement(CLAUSE), facts, "2026-11-22")) == [
        ("data_sharing.region_not_allowed", "breach", "uk1", "2026-06-30"),
        ("data_sharing.region_not_allowed", "breach", "uk2", "2026-06-30"),
    ]


CAPPED: dict[str, Any] = {
    "id": "8.3",
    "title": "Transfer volume",
    "kind": "data_sharing",
    "monthly_cap": {"field": "records", "max": 100000},
    "amended": [{"effective": "2026-07-01", "monthly_cap": {"field": "records", "max": 200000}}],
}


def test_monthly_cap_in_utc_months_with_exact_cap_compliant() -> None:
    facts = [
        transfer("m1", "2026-03-01T00:00:00Z", records=60000),
        transfer("m2", "2026-03-31T23:59:59Z", records=40000),  # March: exactly 100000
        transfer("a1", "2026-04-10T12:00:00Z", records=60000),
        # 2026-05-01T01:00+02:00 is 2026-04-30T23:00Z: April, making it 100001.
        transfer("a2", "2026-05-01T01:00:00+02:00", records=40001),
        transfer("y1", "2026-05-01T00:00:00Z", records=100000),  # May: exactly the cap
    ]
    findings = evaluate(agreement(CAPPED), facts, "2026-11-22")
    # Dated at the transfer that took April over the cap (issue 9's one time convention, no
    # longer the 1st): a1 60000, then a2 (2026-04-30T23:00Z) 60000 + 40001 = 100001 > 100000.
    assert summary(findings) == [
        ("data_sharing.monthly_cap_exceeded", "breach", "2026-04", "2026-04-30"),
    ]
    assert findings[0].message == (
        "100001 records transferred in 2026-04 (transfers a1, a2) exceed the monthly cap of 100000"
    )


def test_current_partial_month_counts_and_amended_cap_applies_from_its_month() -> None:
    facts = [
        transfer("j1", "2026-06-02", records=150000),
        transfer("l1", "2026-07-02", records=150000),
        transfer("n1", "2026-11-01", records=150000),
        transfer("n2", "2026-11-20", records=50001),
    ]
    # Each breach is dated at the transfer that crossed the cap: June (cap 100000): j1 alone,
    # 150000 > 100000, on 2026-06-02. July (cap 200000): l1 150000, within. November (cap
    # 200000, the month not over yet): n1 150000, then n2 150000 + 50001 = 200001 > 200000, on
    # 2026-11-20.
    assert summary(evaluate(agreement(CAPPED), facts, "2026-11-22")) == [
        ("data_sharing.monthly_cap_exceeded", "breach", "2026-06", "2026-06-02"),
        ("data_sharing.monthly_cap_exceeded", "breach", "2026-11", "2026-11-20"),
    ]


def test_only_transfers_in_the_term_count_and_a_mid_month_start_is_checked() -> None:
    facts = [
        transfer("before", "2025-01-14T23:59:59Z", records=100000, category="biometric"),
        transfer("first", "2025-01-15T00:00:00Z", records=100000),
        transfer("second", "2025-01-31T10:00:00Z", records=1),
    ]
    subject = agreement(dict(CAPPED, never_categories=["biometric"]), effective="2025-01-15")
    # "before" is outside the term (neither its category nor its volume counts); "first" is
    # exactly the cap (100000, compliant); "second" makes it 100000 + 1 = 100001 > 100000: the
    # breach is dated at "second", 2025-01-31 (it was the term's first day, 2025-01-15).
    assert summary(evaluate(subject, facts, "2026-11-22")) == [
        ("data_sharing.monthly_cap_exceeded", "breach", "2025-01", "2025-01-31"),
    ]


def test_unreadable_volume_is_an_error() -> None:
    facts = [transfer("t1", "2026-03-01", records="many"), transfer("t2", "2026-03-02")]
    assert summary(evaluate(agreement(CAPPED), facts, "2026-11-22")) == [
        ("data_sharing.unreadable_volume", "error", "t1", "2026-03-01"),
        ("data_sharing.unreadable_volume", "error", "t2", "2026-03-02"),
    ]


# --- engine against the independent oracle ---------------------------------------------------

TERM = {"effective": "2025-01-10", "expires": "2025-12-31"}
BOUNDARIES = [
    "2025-01-09T23:59:59Z",
    "2025-01-10T00:00:00Z",
    "2025-01-31T23:59:59Z",
    "2025-02-01T00:30:00+01:00",
    "2025-06-30T23:59:59Z",
    "2025-07-01T00:00:00Z",
    "2025-12-31T23:59:59Z",
    "2026-01-01T00:00:00Z",
]


def maybe_list(rng: random.Random, values: list[str]) -> list[str] | None:
    return rng.sample(values, rng.randint(1, len(values))) if rng.random() < 0.6 else None


def random_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    clause: dict[str, Any] = {"id": "8.2", "title": "Ds", "kind": "data_sharing"}
    lists = {
        "allowed_categories": maybe_list(rng, ["usage", "health", "crm"]),
        "never_categories": maybe_list(rng, ["bio"]),
        "allowed_recipients": maybe_list(rng, ["globex", "initech"]),
        "allowed_regions": maybe_list(rng, ["EU", "US"]),
        "allowed_purposes": maybe_list(rng, ["support", "research"]),
    }
    clause.update({name: values for name, values in lists.items() if values is not None})
    if rng.random() < 0.6:
        rule: dict[str, Any] = {"category": "health", "requires_consent": rng.random() < 0.5}
        if not rule["requires_consent"] or rng.random() < 0.5:
            rule["purposes"] = ["research"]
        clause["conditional"] = [rule]
    if rng.random() < 0.7:
        clause["monthly_cap"] = {"field": "records", "max": rng.choice([10, 15])}
    amendment: dict[str, Any] = {"effective": "2025-07-01", "allowed_regions": ["EU"]}
    if "monthly_cap" in clause:
        amendment["monthly_cap"] = {"field": "records", "max": rng.choice([5, 20])}
    clause["amended"] = [amendment]
    facts = [
        fact(
            f"f{number}",
            rng.choice(["data.transfer", "data.transfer", "data.deleted"]),
            instant_near(rng, BOUNDARIES, months=[1, 2, 6, 7], hour=12),
            rng.choice(["globex", "globex", "initech"]),
            category=rng.choice(["usage", "health", "crm", "bio", None]),
            recipient=rng.choice(["globex", "initech"]),
            region=rng.choice(["EU", "US"]),
            purpose=rng.choice(["support", "research", "ads"]),
            consent=rng.choice([True, False, "true", None]),
            records=rng.choice([1, 4, 5, 6, 10, 10.5, "x"]),
        )
        for number in range(rng.randint(0, 14))
    ]
    return clause, facts


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(30):
        clause, facts = random_case(random.Random(seed))
        engine, expected = engine_and_oracle(
            agreement(clause, **TERM), clause, facts, "2026-02-01", 30, oracle_data_sharing
        )
        assert engine == expected, f"seed {seed}"


def test_an_amendment_mid_month_splits_the_month_between_the_two_caps() -> None:
    clause = dict(
        CAPPED,
        amended=[{"effective": "2026-07-15", "monthly_cap": {"field": "records", "max": 200000}}],
    )
    facts = [
        transfer("m1", "2026-07-02", records=80000),
        transfer("m2", "2026-07-10", records=30000),
        transfer("m3", "2026-07-20", records=150000),
    ]
    findings = evaluate(agreement(clause), facts, "2026-11-22")
    # 1-14 July under the cap of 100000: m1 80000, then m2 80000 + 30000 = 110000 > 100000, on
    # 07-10. From 15 July under 200000: m3 alone, 150000, within. (The kind before it became
    # norms held the whole month, 260000, against the cap in force on the 1st, dated 07-01.)
    assert summary(findings) == [
        ("data_sharing.monthly_cap_exceeded", "breach", "2026-07", "2026-07-10"),
    ]
    assert findings[0].message == (
        "110000 records transferred in 2026-07 (transfers m1, m2) exceed the monthly cap of 100000"
    )
