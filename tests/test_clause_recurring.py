"""Recurring: deliverables missed (late or never)/material, minimum totals, shortfall runs, oracle."""

import random
from datetime import date, timedelta
from typing import Any

from checker.facts.model import Fact
from tests.helpers import agreement, engine_and_oracle, evaluate, fact, summary
from tests.oracle.recurring import oracle_recurring

PAYMENTS: dict[str, Any] = {
    "id": "5.1",
    "title": "Quarterly royalty payment",
    "kind": "recurring",
    "period": "quarter",
    "deliverable": {"fact": "payment.received", "period_field": "period"},
    "due_after_period_end": "30d",
    "material_breach_after": "60d",
}
MINIMUM: dict[str, Any] = {
    "id": "5.2",
    "title": "Minimum sales",
    "kind": "recurring",
    "period": "quarter",
    "minimum": {
        "measure": {"fact": "deal.closed", "field": "amount"},
        "at_least": 100000,
        "consecutive_shortfalls": 2,
    },
}
FROM_2026 = {"effective": "2026-01-01"}


def paid(fact_id: str, at: str, period: str) -> Fact:
    return fact(fact_id, "payment.received", at, period=period)


def deal(fact_id: str, at: str, amount: Any) -> Fact:
    return fact(fact_id, "deal.closed", at, amount=amount)


def test_payment_on_time_late_missed_and_material() -> None:
    facts = [
        paid("p1", "2026-04-30T23:59:59Z", "2026-Q1"),  # Q1 due 03-31 + 30d = 04-30: on time
        paid("p2", "2026-07-31T00:00:00Z", "2026-Q2"),  # Q2 due 07-30: one second late
        paid("p9", "2026-05-01", "2026-03"),  # a month label never pays a quarter
    ]
    subject = agreement(PAYMENTS, **FROM_2026)
    # Q2 ends 06-30; + 30 days = due by the end of 07-30. p2 came at 07-31T00:00: late, which is
    # the same breach as a missed payment, recurring.missed dated at the due date 07-30 (it was
    # recurring.late dated 07-31, the payment's day, before the one time convention).
    # Q3 (due 10-30) falls due on the as-of day.
    assert summary(evaluate(subject, facts, "2026-10-30")) == [
        ("recurring.missed", "breach", "2026-Q2", "2026-07-30"),
        ("recurring.due", "deadline", "2026-Q3", "2026-10-30"),
    ]
    assert summary(evaluate(subject, facts, "2026-10-31")) == [
        ("recurring.missed", "breach", "2026-Q2", "2026-07-30"),
        ("recurring.missed", "breach", "2026-Q3", "2026-10-30"),
    ]
    # Material 60 days past due: after the end of 12-29, a deadline until then. Q4 (due
    # 2027-01-30) is past the horizon.
    assert summary(evaluate(subject, facts, "2026-12-29")) == [
        ("recurring.missed", "breach", "2026-Q2", "2026-07-30"),
        ("recurring.missed", "breach", "2026-Q3", "2026-10-30"),
        ("recurring.becomes_material", "deadline", "2026-Q3", "2026-12-29"),
    ]
    assert summary(evaluate(subject, facts, "2026-12-30")) == [
        ("recurring.missed", "breach", "2026-Q2", "2026-07-30"),
        ("recurring.missed", "breach", "2026-Q3", "2026-10-30"),
        ("recurring.material_breach", "trigger", "2026-Q3", "2026-12-29"),
    ]


def test_material_breach_day_at_the_horizon_end_and_a_payment_on_that_day() -> None:
    subject = agreement(PAYMENTS, **FROM_2026)
    # Q3 due 10-30, material after 12-29. On 11-29 a 29-day horizon ends with 12-28: no
    # deadline; a 30-day horizon ends with the whole of 12-29 and holds it.
    assert ("recurring.becomes_material", "deadline", "2026-Q3", "2026-12-29") not in summary(
        evaluate(subject, [], "2026-11-29", horizon_days=29)
    )
    assert ("recurring.becomes_material", "deadline", "2026-Q3", "2026-12-29") in summary(
        evaluate(subject, [], "2026-11-29", horizon_days=30)
    )
    # Paid in the last second of the material-breach day: late, but no material breach.
    on_the_day = [paid("p3", "2026-12-29T23:59:59Z", "2026-Q3")]
    assert [
        s for s in summary(evaluate(subject, on_the_day, "2027-01-05")) if s[2] == "2026-Q3"
    ] == [
        ("recurring.missed", "breach", "2026-Q3", "2026-10-30"),
    ]
    # Paid a second later: the material breach arose, and the payment does not undo it (it
    # disappeared once paid, before); its message says when the payment came.
    next_day = [paid("p3", "2026-12-30T00:00:00Z", "2026-Q3")]
    findings = [f for f in evaluate(subject, next_day, "2027-01-05") if f.subject == "2026-Q3"]
    assert summary(findings) == [
        ("recurring.missed", "breach", "2026-Q3", "2026-10-30"),
        ("recurring.material_breach", "trigger", "2026-Q3", "2026-12-29"),
    ]
    assert "delivered on 2026-12-30T00:00:00Z" in findings[1].message
    # The same finding on the material-breach day itself, before the payment came.
    before = evaluate(subject, next_day, "2026-12-30")
    assert [
        f.fingerprint for f in before if f.subject == "2026-Q3" and f.kind.value == "trigger"
    ] == [findings[1].fingerprint]


def test_checked_from_skips_periods_ending_before_it() -> None:
    # Term from 2025-01-01; facts start in 2026. Without checked_from, 2025's four quarters are
    # missed; with checked_from 2026-03-31, Q1 2026 (ends that day) is the first one checked.
    clause = dict(PAYMENTS, checked_from="2026-03-31")
    facts = [paid("p1", "2026-04-10", "2026-Q1")]
    assert summary(evaluate(agreement(clause), facts, "2026-08-01")) == [
        ("recurring.missed", "breach", "2026-Q2", "2026-07-30"),
    ]
    unchecked = summary(evaluate(agreement(PAYMENTS), facts, "2026-08-01"))
    assert [s[2] for s in unchecked if s[0] == "recurring.missed"] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q2",
    ]


def test_monthly_labels_and_the_last_period_of_the_term() -> None:
    clause = dict(PAYMENTS, period="month", due_after_period_end="10d")
    del clause["material_breach_after"]
    subject = agreement(clause, effective="2027-11-01")  # expires 2027-12-31
    facts = [paid("p1", "2027-12-10", "2027-11")]
    # 2027-12 ends with the term; it is due 2028-01-10, reported after the term has ended.
    assert summary(evaluate(subject, facts, "2028-01-10")) == [
        ("recurring.due", "deadline", "2027-12", "2028-01-10"),
    ]
    assert summary(evaluate(subject, facts, "2028-01-11")) == [
        ("recurring.missed", "breach", "2027-12", "2028-01-10"),
    ]


def test_minimum_shortfalls_in_a_row_open_a_right() -> None:
    facts = [
        deal("d1", "2026-02-10", 60000),
        deal("d2", "2026-04-01T01:00:00+02:00", 50000),  # 03-31T23:00Z: Q1 total 110000
        deal("d3", "2026-05-05", 90000),  # Q2 total 90000: short
        deal("d4", "2026-08-01", 99999.5),
        deal("d5", "2026-10-01T00:30:00+02:00", 0.4),  # 09-30T22:30Z: Q3 total 99999.9: short
    ]
    subject = agreement(MINIMUM, **FROM_2026)
    # Q3 ends at 2026-09-30T23:59:59Z: not yet judged on 09-30, and below the minimum so far.
    assert summary(evaluate(subject, facts, "2026-09-30")) == [
        ("recurring.shortfall", "breach", "2026-Q2", "2026-06-30"),
        ("recurring.minimum_at_risk", "deadline", "2026-Q3", "2026-09-30"),
    ]
    # Second shortfall in a row: a right to terminate arises with it, at the end of Q3 (it
    # opened the next day, 10-01, before the minimum was a norm), open until 09-30 + 90d = 12-29.
    # It is named after the measure the breaches are of: the clause's.
    assert summary(evaluate(subject, facts, "2026-10-01")) == [
        ("recurring.shortfall", "breach", "2026-Q2", "2026-06-30"),
        ("recurring.shortfall", "breach", "2026-Q3", "2026-09-30"),
        ("recurring.shortfall_right", "trigger", "5.2:2026-Q3", "2026-09-30"),
    ]
    assert ("recurring.shortfall_right_lapses", "deadline", "5.2:2026-Q3", "2026-12-29") in summary(
        evaluate(subject, facts, "2026-12-29")
    )
    # Q4 had no deals at all: a shortfall, but a new run of two needs Q1 2027 as well. The
    # right lapsed unused on 12-29 and is still reported (it was not, before).
    assert summary(evaluate(subject, facts, "2027-01-01")) == [
        ("recurring.shortfall", "breach", "2026-Q2", "2026-06-30"),
        ("recurring.shortfall", "breach", "2026-Q3", "2026-09-30"),
        ("recurring.shortfall_right", "trigger", "5.2:2026-Q3", "2026-09-30"),
        ("recurring.shortfall", "breach", "2026-Q4", "2026-12-31"),
    ]


def test_unreadable_amount_is_an_error_and_the_period_is_not_judged() -> None:
    facts = [deal("d3", "2026-05-05", "lots"), deal("d4", "2026-08-01", 10)]
    subject = agreement(MINIMUM, **FROM_2026)
    # The error is known as soon as the fact is (it was reported only once Q2 ended, before).
    assert ("recurring.unreadable_measure", "error", "d3", "2026-05-05") in summary(
        evaluate(subject, facts, "2026-05-06")
    )
    findings = evaluate(subject, facts, "2026-10-01")
    # Q1 (no deals) and Q3 (10) are short; Q2 cannot be told (unknown: neither compliant nor a
    # shortfall), which breaks the run: no right.
    assert summary(findings) == [
        ("recurring.shortfall", "breach", "2026-Q1", "2026-03-31"),
        ("recurring.unreadable_measure", "error", "d3", "2026-05-05"),
        ("recurring.minimum_unknown", "unknown", "2026-Q2", "2026-06-30"),
        ("recurring.shortfall", "breach", "2026-Q3", "2026-09-30"),
    ]
    assert "d3" in findings[1].message
    assert "lots" in findings[1].message
    # Q4 short as well: the run starts again after Q2, so Q3 and Q4 make two in a row.
    assert summary(evaluate(subject, facts, "2027-01-01"))[-2:] == [
        ("recurring.shortfall", "breach", "2026-Q4", "2026-12-31"),
        ("recurring.shortfall_right", "trigger", "5.2:2026-Q4", "2026-12-31"),
    ]


def test_amended_minimum_applies_to_periods_ending_after_it() -> None:
    clause = dict(
        MINIMUM,
        amended=[
            {
                "effective": "2026-07-01",
                "minimum": {
                    "measure": {"fact": "deal.closed", "field": "amount"},
                    "at_least": 90000,
                    "consecutive_shortfalls": 2,
                },
            }
        ],
    )
    facts = [deal("d1", "2026-02-10", 120000), deal("d2", "2026-05-05", 95000)]
    facts.append(deal("d3", "2026-08-01", 95000))
    # Q2 (ends 06-30) still needs 100000; Q3 only 90000.
    assert summary(evaluate(agreement(clause, **FROM_2026), facts, "2026-10-01")) == [
        ("recurring.shortfall", "breach", "2026-Q2", "2026-06-30"),
    ]


def test_a_run_of_shortfalls_counts_across_an_amended_minimum() -> None:
    changed = dict(MINIMUM["minimum"], at_least=90000)
    clause = dict(MINIMUM, amended=[{"effective": "2026-08-15", "minimum": changed}])
    facts = [deal("d1", "2026-02-10", 120000), deal("d2", "2026-05-05", 95000)]
    facts.append(deal("d3", "2026-07-01", 80000))
    # Q2 short of 100000 (the first version); Q3, ending after the amendment, short of 90000
    # with every Q3 deal, those before 08-15 too: two in a row across the versions.
    assert summary(evaluate(agreement(clause, **FROM_2026), facts, "2026-10-01")) == [
        ("recurring.shortfall", "breach", "2026-Q2", "2026-06-30"),
        ("recurring.shortfall", "breach", "2026-Q3", "2026-09-30"),
        ("recurring.shortfall_right", "trigger", "5.2:2026-Q3", "2026-09-30"),
    ]


def test_an_amended_shortfall_right_applies_to_runs_ending_after_it() -> None:
    # From Q3 a single short quarter gives a right, for 30 days. Q1 and Q2 short: a right under
    # the first terms, open its 90 days although the terms change on 07-01. Q3 short: a right
    # under the new terms (a run of one), from the second version's measure.
    changed = dict(MINIMUM["minimum"], consecutive_shortfalls=1, right_for="30d")
    clause = dict(MINIMUM, amended=[{"effective": "2026-07-01", "minimum": changed}])
    facts = [deal("d1", "2026-02-10", 10), deal("d2", "2026-05-05", 10)]
    facts.append(deal("d3", "2026-08-01", 10))
    found = summary(evaluate(agreement(clause, **FROM_2026), facts, "2026-10-01", 90))
    assert [s for s in found if s[0].startswith("recurring.shortfall_right")] == [
        ("recurring.shortfall_right", "trigger", "5.2:2026-Q2", "2026-06-30"),
        ("recurring.shortfall_right", "trigger", "5.2:2026-Q3", "2026-09-30"),
        ("recurring.shortfall_right_lapses", "deadline", "5.2:2026-Q3", "2026-10-30"),
    ]


def test_a_partial_first_period_is_not_measured() -> None:
    # The term starts 01-15: Q1 is cut short, so it is not held to the quarterly minimum.
    subject = agreement(MINIMUM, effective="2026-01-15")
    assert summary(evaluate(subject, [deal("d1", "2026-02-01", "n/a")], "2026-07-01")) == [
        ("recurring.shortfall", "breach", "2026-Q2", "2026-06-30"),
    ]


def _random_case(seed: int) -> tuple[dict[str, Any], dict[str, Any], list[Fact], str, int]:
    rng = random.Random(seed)
    unit = rng.choice(["month", "quarter"])
    base = date(2026, 3, 31)

    def near(days: int) -> date:
        return base + timedelta(days=rng.randint(-days, days))

    clause: dict[str, Any] = {
        "id": "5.1",
        "title": "Recurring",
        "kind": "recurring",
        "period": unit,
    }
    if rng.random() < 0.7:
        clause["deliverable"] = {"fact": "payment.received"}
        clause["due_after_period_end"] = f"{rng.randint(0, 20)}d"
        if rng.random() < 0.5:
            clause["material_breach_after"] = f"{rng.randint(1, 20)}d"
    if "deliverable" not in clause or rng.random() < 0.7:
        clause["minimum"] = {
            "measure": {"fact": "deal.closed", "field": "amount"},
            "at_least": 100,
            "consecutive_shortfalls": rng.randint(1, 3),
            "right_for": f"{rng.randint(1, 40)}d",
        }
        if rng.random() < 0.3:
            changed = dict(clause["minimum"], at_least=50)
            clause["amended"] = [{"effective": near(30).isoformat(), "minimum": changed}]
    labels = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-Q1", "2026-Q2"]
    facts: list[Fact] = []
    for number in range(rng.randint(0, 10)):
        moment = f"{near(75).isoformat()}T{rng.choice(['00:30:00', '23:30:00'])}"
        moment += rng.choice(["Z", "+02:00"])
        partner = "globex" if rng.random() < 0.9 else "initech"
        if rng.random() < 0.5:
            facts.append(
                fact(f"f{number}", "payment.received", moment, partner, period=rng.choice(labels))
            )
        else:
            amount: Any = rng.choice([10, 40, 60, 100, 150, "n/a"])
            facts.append(fact(f"f{number}", "deal.closed", moment, partner, amount=amount))
    dates = {"effective": "2026-01-01", "expires": near(60).isoformat()}
    return clause, dates, facts, near(100).isoformat(), rng.randint(0, 40)


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(100):
        clause, dates, facts, as_of, horizon_days = _random_case(seed)
        got, expected = engine_and_oracle(
            agreement(clause, **dates), clause, facts, as_of, horizon_days, oracle_recurring
        )
        assert got == expected, f"seed {seed}"
