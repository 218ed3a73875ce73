"""Renegotiation: fixed and anniversary windows, and a right after poor performance, by hand."""

from typing import Any

from checker.facts import Fact
from tests.helpers import agreement, evaluate, fact, summary

FIXED: dict[str, Any] = {
    "id": "9.3",
    "title": "Price review",
    "kind": "renegotiation",
    "windows": [
        {"opens": "2026-01-01", "closes": "2026-03-31"},
        {"opens": "2030-01-01", "closes": "2030-03-31"},  # after the term: never reported
    ],
}
ANNIVERSARY: dict[str, Any] = {
    "id": "9.4",
    "title": "Annual review",
    "kind": "renegotiation",
    "anniversary_window": {"opens_before": "120d", "closes_before": "60d"},
}
PERFORMANCE: dict[str, Any] = {
    "id": "9.5",
    "title": "Service quality review",
    "kind": "renegotiation",
    "performance": {
        "measure": {"fact": "kpi.reported", "where": {"metric": "nps"}},
        "field": "value",
        "below": 30,
        "periods": 3,
        "period": "quarter",
        "request_within": "60d",
    },
}
SUBJECT = "2026-01-01..2026-03-31"


def nps(fact_id: str, at: str, value: Any, partner: str = "globex", metric: str = "nps") -> Fact:
    return fact(fact_id, "kpi.reported", at, partner, metric=metric, value=value)


def test_fixed_window_opens_at_midnight_and_closes_at_the_end_of_its_last_day() -> None:
    subject = agreement(FIXED)
    # Horizon 2025-12-01 + 30d = 12-31T00:00Z: the opening (01-01T00:00Z) is beyond it.
    assert evaluate(subject, [], "2025-12-01") == []
    assert summary(evaluate(subject, [], "2025-12-02")) == [
        ("renegotiation.window_opens", "deadline", SUBJECT, "2026-01-01"),
    ]
    assert summary(evaluate(subject, [], "2026-01-01")) == [
        ("renegotiation.window_open", "trigger", SUBJECT, "2026-01-01"),
    ]
    # Horizon 03-02 + 30d = 04-01T00:00Z covers the close at 03-31T23:59:59Z.
    assert summary(evaluate(subject, [], "2026-03-02")) == [
        ("renegotiation.window_open", "trigger", SUBJECT, "2026-01-01"),
        ("renegotiation.window_closes", "deadline", SUBJECT, "2026-03-31"),
    ]
    assert len(evaluate(subject, [], "2026-03-31T23:59:59Z")) == 2
    assert evaluate(subject, [], "2026-04-01") == []
    assert evaluate(subject, [], "2029-12-20") == []


def test_anniversary_windows_each_year_within_the_term() -> None:
    # Effective 2025-01-01, expires 2027-12-31. Anniversary 2027-01-01: opens 120 days before,
    # 2026-09-03 (Dec 31, Nov 30, Oct 31, Sep 30 days back = 122 to Sep 1, so 120 is Sep 3);
    # closes at the end of 60 days before, 2026-11-02 (31 + 30 = 61 back to Nov 1).
    subject = agreement(ANNIVERSARY)
    # Horizon 2025-10-05 + 30d = 11-04 covers the first window's close (2025-11-02).
    assert summary(evaluate(subject, [], "2025-10-05")) == [
        ("renegotiation.window_open", "trigger", "2026-01-01", "2025-09-03"),
        ("renegotiation.window_closes", "deadline", "2026-01-01", "2025-11-02"),
    ]
    assert summary(evaluate(subject, [], "2026-09-02")) == [
        ("renegotiation.window_opens", "deadline", "2027-01-01", "2026-09-03"),
    ]
    assert summary(evaluate(subject, [], "2026-09-03")) == [
        ("renegotiation.window_open", "trigger", "2027-01-01", "2026-09-03"),
    ]
    assert len(evaluate(subject, [], "2026-11-02T23:59:59Z")) == 2
    assert evaluate(subject, [], "2026-11-03") == []
    # The window before 2028-01-01 (the day after the term ends) still opens within the term.
    assert summary(evaluate(subject, [], "2027-09-10")) == [
        ("renegotiation.window_open", "trigger", "2028-01-01", "2027-09-03"),
    ]
    # The window before 2029-01-01 (2028-09-03) lies after the term.
    assert evaluate(subject, [], "2028-09-10") == []


def test_three_poor_quarters_in_a_row_with_a_missing_quarter_breaking_the_run() -> None:
    facts = [
        nps("q1", "2025-02-10", 20),
        nps("q2", "2025-05-10", 25),
        # 2025-Q3: no report, counts as not poor, and breaks the run.
        nps("q4", "2025-11-10", 10),
        nps("o1", "2025-11-11", 90, metric="csat"),  # another metric
        nps("x1", "2026-02-01", 5, partner="initech"),  # another partner
        nps("r1", "2026-02-10", 15),
        nps("r2a", "2026-04-10", 50),
        nps("r2b", "2026-06-20", 28),  # the last report of 2026-Q2 counts: poor
    ]
    subject = agreement(PERFORMANCE)
    # 2026-Q2 has not ended on 06-30: only 2025-Q4 and 2026-Q1 in a row so far.
    assert evaluate(subject, facts, "2026-06-30T23:59:59Z") == []
    # Right opens 2026-07-01; closes at the end of 2026-06-30 + 60d = 2026-08-29.
    assert summary(evaluate(subject, facts, "2026-07-01")) == [
        ("renegotiation.performance_right", "trigger", "2026-Q2", "2026-07-01"),
    ]
    assert summary(evaluate(subject, facts, "2026-08-10")) == [
        ("renegotiation.performance_right", "trigger", "2026-Q2", "2026-07-01"),
        ("renegotiation.performance_right_lapses", "deadline", "2026-Q2", "2026-08-29"),
    ]
    assert evaluate(subject, facts, "2026-08-30") == []
    # With Q3 reported as poor, the first run completes with 2025-Q3 instead.
    with_q3 = [*facts, nps("q3", "2025-08-10", 29)]
    assert summary(evaluate(subject, with_q3, "2025-10-05")) == [
        ("renegotiation.performance_right", "trigger", "2025-Q3", "2025-10-01"),
    ]
    # A better last report in 2026-Q2 means no second run.
    better = [f for f in facts if f.id != "r2b"]
    assert evaluate(subject, better, "2026-07-01") == []


def test_unreadable_value_is_an_error_and_its_period_is_not_judged() -> None:
    facts = [
        nps("q1", "2025-02-10", 20),
        nps("q2", "2025-05-10", 20),
        nps("q3", "2025-08-10", "n/a"),
    ]
    findings = evaluate(agreement(PERFORMANCE), facts, "2025-10-05")
    assert summary(findings) == [
        ("renegotiation.unreadable_measure", "error", "q3", "2025-08-10"),
    ]
    assert "q3" in findings[0].message
    assert "n/a" in findings[0].message
