"""Renegotiation: fixed and anniversary windows, and a right after poor performance, by hand."""

import random
from datetime import date, timedelta
from typing import Any

from checker.dates.timeutil import (
    SECONDS_PER_DAY,
    end_of_date,
    epoch_of_date,
    iso_of_epoch,
    period_of,
)
from checker.facts.model import Fact
from tests.helpers import Summary, agreement, engine_and_oracle, evaluate, fact, summary
from tests.oracle.renegotiation import oracle_renegotiation

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
# A fixed window is a right arising on its first day: its subject is that day (it was
# "2026-01-01..2026-03-31" before fixed windows became norms).
SUBJECT = "2026-01-01"


def nps(fact_id: str, at: str, value: Any, partner: str = "globex", metric: str = "nps") -> Fact:
    return fact(fact_id, "kpi.reported", at, partner, metric=metric, value=value)


def test_fixed_window_opens_at_midnight_and_closes_at_the_end_of_its_last_day() -> None:
    subject = agreement(FIXED)
    # Horizon 2025-12-01 + 30d = 12-31T00:00Z: the opening (01-01T00:00Z) is beyond it.
    assert evaluate(subject, [], "2025-12-01") == []
    # Horizon 12-02 + 30d = 2026-01-01T00:00Z reaches the opening: announced (by the kind).
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
    # After 03-31T23:59:59Z the window has lapsed: still reported, dated when it arose, as lapsed
    # (it was no longer reported before fixed windows became norms). The term ends 2027-12-31.
    lapsed = evaluate(subject, [], "2026-04-01")
    assert summary(lapsed) == [("renegotiation.window_open", "trigger", SUBJECT, "2026-01-01")]
    # The kind names no fact that exercises a window: its use is not checked, so not "unexercised".
    assert lapsed[0].message == (
        "renegotiation window: arose on 2026-01-01, closed on 2026-03-31 (whether it was used is"
        " not checked: no fact exercises it)"
    )
    assert summary(evaluate(subject, [], "2029-12-20")) == summary(lapsed)


def test_a_fixed_window_keeps_the_kinds_words() -> None:
    # The right's findings take the kind's codes (Wording.codes) and its words for what the
    # right is (the Wording.right hook), not "northwind's right".
    (found,) = evaluate(agreement(FIXED), [], "2026-01-10")
    assert found.code == "renegotiation.window_open"
    assert found.message == "renegotiation window: open from 2026-01-01 until 2026-03-31"


def test_fixed_window_opening_before_the_term_is_not_reported() -> None:
    # The term starts 2025-01-01; a right arises within its norm's time (the term), so a window
    # from 2024-12-15 to 2025-01-31 is not reported (it was, from 2024-12-15, before fixed
    # windows became norms).
    early = dict(FIXED, windows=[{"opens": "2024-12-15", "closes": "2025-01-31"}])
    assert evaluate(agreement(early), [], "2025-01-10") == []


def test_anniversary_windows_each_year_within_the_term() -> None:
    # Effective 2025-01-01, expires 2027-12-31. Anniversary 2027-01-01: opens 120 days before,
    # 2026-09-03 (Dec 31, Nov 30, Oct 31, Sep 30 days back = 122 to Sep 1, so 120 is Sep 3);
    # closes at the end of 60 days before, 2026-11-02 (31 + 30 = 61 back to Nov 1).
    subject = agreement(ANNIVERSARY)
    first = ("renegotiation.window_open", "trigger", "2026-01-01", "2025-09-03")
    second = ("renegotiation.window_open", "trigger", "2027-01-01", "2026-09-03")
    # Horizon 2025-10-05 + 30d = 11-04 covers the first window's close (2025-11-02).
    assert summary(evaluate(subject, [], "2025-10-05")) == [
        first,
        ("renegotiation.window_closes", "deadline", "2026-01-01", "2025-11-02"),
    ]
    # A window that has closed is still reported, as lapsed (it was not, before anniversary
    # windows became norms).
    lapsed = evaluate(subject, [], "2026-09-02")
    assert summary(lapsed) == [
        first,
        ("renegotiation.window_opens", "deadline", "2027-01-01", "2026-09-03"),
    ]
    assert lapsed[0].message == (
        "renegotiation window before the anniversary on 2026-01-01: arose on 2025-09-03, closed on"
        " 2025-11-02 (whether it was used is not checked: no fact exercises it)"
    )
    assert summary(evaluate(subject, [], "2026-09-03")) == [first, second]
    assert len(evaluate(subject, [], "2026-11-02T23:59:59Z")) == 3
    assert summary(evaluate(subject, [], "2026-11-03")) == [first, second]
    # The window before 2028-01-01 (the day after the term ends) still opens within the term.
    third = ("renegotiation.window_open", "trigger", "2028-01-01", "2027-09-03")
    assert summary(evaluate(subject, [], "2027-09-10")) == [first, second, third]
    # The window before 2029-01-01 (2028-09-03) lies after the term.
    assert summary(evaluate(subject, [], "2028-09-10")) == [first, second, third]


def test_an_anniversary_window_opening_at_the_horizons_end_is_announced() -> None:
    # The window before 2027-01-01 opens at 2026-09-03T00:00Z: a 30-day horizon from
    # 2026-08-04T00:00Z ends at that very instant; a second earlier it does not reach it.
    subject = agreement(ANNIVERSARY)
    opens = ("renegotiation.window_opens", "deadline", "2027-01-01", "2026-09-03")
    assert opens in summary(evaluate(subject, [], "2026-08-04"))
    assert opens not in summary(evaluate(subject, [], "2026-08-03T23:59:59Z"))


def test_an_anniversary_on_29_february_falls_on_28_february_in_other_years() -> None:
    leap = dict(ANNIVERSARY, anniversary_window={"opens_before": "0d", "closes_before": "0d"})
    subject = agreement(leap, effective="2028-02-29", expires="2032-12-31")
    found = summary(evaluate(subject, [], "2032-03-01"))
    assert [subject for _, _, subject, _ in found] == [
        "2029-02-28",
        "2030-02-28",
        "2031-02-28",
        "2032-02-29",
    ]
    assert ("renegotiation.window_open", "trigger", "2029-02-28", "2029-02-28") in found


def test_an_amended_anniversary_window_applies_to_the_windows_opening_from_its_day() -> None:
    # Effective 2025-01-01; from 2026-09-10 the window is 90 to 30 days before the anniversary.
    # The window before 2027-01-01 opened on 2026-09-03 under the old terms, which apply until
    # the end of 09-09: it closes then. The amended terms' window for that anniversary opens
    # 2026-10-03 (90 days before) and closes 2026-12-02; being of the same anniversary, it is
    # reported under that one subject, the earlier window's finding first (one per code).
    amended = dict(
        ANNIVERSARY,
        amended=[
            {
                "effective": "2026-09-10",
                "anniversary_window": {"opens_before": "90d", "closes_before": "30d"},
            }
        ],
    )
    subject = agreement(amended)
    assert ("renegotiation.window_closes", "deadline", "2027-01-01", "2026-09-09") in summary(
        evaluate(subject, [], "2026-09-05")
    )
    assert summary(evaluate(subject, [], "2026-11-10")) == [
        ("renegotiation.window_open", "trigger", "2026-01-01", "2025-09-03"),
        ("renegotiation.window_open", "trigger", "2027-01-01", "2026-09-03"),
        ("renegotiation.window_closes", "deadline", "2027-01-01", "2026-12-02"),
    ]
    # The window before 2028-01-01 follows the amended terms: 2027-10-03 to 2027-12-02.
    assert ("renegotiation.window_opens", "deadline", "2028-01-01", "2027-10-03") in summary(
        evaluate(subject, [], "2027-09-10")
    )


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
    # The run completes as 2026-Q2 ends (the right is dated 06-30, its last day: it was
    # 07-01, the day after, before the performance right became a norm); it is named after
    # the measure (the clause's first norm) and the quarter, and closes at the end of
    # 2026-06-30 + 60d = 2026-08-29.
    right = ("renegotiation.performance_right", "trigger", "9.5:2026-Q2", "2026-06-30")
    found = evaluate(subject, facts, "2026-07-01")
    assert summary(found) == [right]
    assert found[0].message == (
        "right to request renegotiation after 3 quarters in a row with value below 30 (2025-Q4,"
        " 2026-Q1, 2026-Q2): open from 2026-06-30 until 2026-08-29"
    )
    assert [e.fact_id for e in found[0].evidence] == ["r2b"]
    assert summary(evaluate(subject, facts, "2026-08-10")) == [
        right,
        ("renegotiation.performance_right_lapses", "deadline", "9.5:2026-Q2", "2026-08-29"),
    ]
    # Lapsed, it is still reported (it was not, before).
    assert summary(evaluate(subject, facts, "2026-08-30")) == [right]
    # With Q3 reported as poor, the first run completes with 2025-Q3 instead.
    with_q3 = [*facts, nps("q3", "2025-08-10", 29)]
    assert summary(evaluate(subject, with_q3, "2025-10-05")) == [
        ("renegotiation.performance_right", "trigger", "9.5:2025-Q3", "2025-09-30"),
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
    # It is reported from the day it came, before its quarter ends (it was reported only once
    # the quarter had ended, before the performance right became a norm).
    assert summary(evaluate(agreement(PERFORMANCE), facts, "2025-08-11")) == summary(findings)


def test_an_unreadable_report_superseded_by_a_later_one_leaves_the_period_judged() -> None:
    facts = [
        nps("q1", "2025-02-10", 20),
        nps("q2", "2025-05-10", 20),
        nps("q3a", "2025-08-10", "n/a"),  # an error, but the quarter's last report is q3b
        nps("q3b", "2025-09-30T23:59:59Z", 10),
    ]
    assert summary(evaluate(agreement(PERFORMANCE), facts, "2025-10-05")) == [
        ("renegotiation.unreadable_measure", "error", "q3a", "2025-08-10"),
        ("renegotiation.performance_right", "trigger", "9.5:2025-Q3", "2025-09-30"),
    ]


# --- random cases against the oracle --------------------------------------------------------


def _random_renegotiation_case(
    seed: int,
) -> tuple[dict[str, Any], dict[str, Any], list[Fact], int, int]:
    """Windows, anniversary windows and poor-performance runs with every date near a boundary."""
    rng = random.Random(seed)
    effective = date(2026, 1, 1) + timedelta(days=rng.choice([0, 0, -1, 30, 59, 45]))
    expires = effective + timedelta(days=rng.choice([364, 365, 500, 730]) + rng.randint(-3, 3))
    start, end = epoch_of_date(effective), epoch_of_date(expires + timedelta(days=1))
    unit = rng.choice(["month", "quarter"])
    clause: dict[str, Any] = {"id": "9", "title": "Review", "kind": "renegotiation"}
    anchors: list[int] = [start, end]

    def day_near(day: date, days: int) -> date:
        return day + timedelta(days=rng.randint(-days, days))

    if rng.random() < 0.6:
        clause["windows"] = []
        for _ in range(rng.randint(1, 2)):
            opens = day_near(rng.choice([effective, expires, effective + timedelta(days=200)]), 5)
            closes = opens + timedelta(days=rng.randint(0, 40))
            clause["windows"].append({"opens": opens.isoformat(), "closes": closes.isoformat()})
            anchors.extend([epoch_of_date(opens), end_of_date(closes)])
    if rng.random() < 0.5:
        closes_before = rng.randint(0, 60)
        clause["anniversary_window"] = {
            "opens_before": rng.choice([f"{closes_before + rng.randint(0, 90)}d", "6 months"]),
            "closes_before": f"{closes_before}d",
        }
        for years in (1, 2):
            anniversary = effective.replace(year=effective.year + years)
            anchors.append(epoch_of_date(anniversary - timedelta(days=closes_before)))
            anchors.append(epoch_of_date(anniversary - timedelta(days=closes_before + 60)))
    if ("windows" not in clause and "anniversary_window" not in clause) or rng.random() < 0.6:
        clause["performance"] = {
            "measure": {"fact": "kpi.reported", "where": {"metric": "nps"}},
            "field": "value",
            "below": 30,
            "periods": rng.choice([1, 1, 2, 3]),
            "period": unit,
            "request_within": rng.choice([f"{rng.randint(0, 45)}d", "1 month"]),
        }
    if rng.random() < 0.3:
        amendment: dict[str, Any] = {
            "effective": day_near(effective + timedelta(days=150), 40).isoformat()
        }
        if "performance" in clause:
            amendment["performance"] = dict(
                clause["performance"], below=rng.choice([20, 50]), periods=rng.randint(1, 2)
            )
        if "anniversary_window" in clause:
            amendment["anniversary_window"] = {"opens_before": "90d", "closes_before": "30d"}
        if "windows" in clause:
            opens = day_near(effective + timedelta(days=160), 20)
            amendment["windows"] = [{"opens": opens.isoformat(), "closes": opens.isoformat()}]
        clause["amended"] = [amendment]
    facts: list[Fact] = []
    period = period_of(effective, unit)
    while period.start <= expires:
        anchors.append(epoch_of_date(period.end + timedelta(days=1)))
        for _ in range(rng.choice([0, 1, 1, 2])):
            day = rng.choice([period.start, period.end, period.start + timedelta(days=10)])
            moment = epoch_of_date(day) + rng.choice([0, 1, 43_200, 86_399, 86_400, -1])
            value: Any = rng.choice([10, 20, 29.5, 10, 20, 30, 45, 80, "n/a", True, 5, 15])
            partner = "globex" if rng.random() < 0.9 else "initech"
            metric = "nps" if rng.random() < 0.9 else "csat"
            number = len(facts)
            facts.append(
                fact(
                    f"k{number:02d}",
                    "kpi.reported",
                    iso_of_epoch(moment),
                    partner,
                    metric=metric,
                    value=value,
                )
            )
        period = period_of(period.end + timedelta(days=1), unit)
    as_of = rng.choice(anchors) + rng.randint(-20, 3) * SECONDS_PER_DAY
    as_of += rng.choice([0, 0, -1, 1, 43_200])
    dates = {"effective": effective.isoformat(), "expires": expires.isoformat()}
    return clause, dates, facts, as_of, rng.choice([0, 1, 10, 30, 45])


def _engine_and_oracle(seed: int) -> tuple[set[Summary], set[Summary]]:
    clause, dates, facts, as_of, horizon_days = _random_renegotiation_case(seed)
    return engine_and_oracle(
        agreement(clause, **dates),
        clause,
        facts,
        iso_of_epoch(as_of),
        horizon_days,
        oracle_renegotiation,
    )


def test_engine_agrees_with_the_oracle_on_random_cases() -> None:
    for seed in range(100):
        got, expected = _engine_and_oracle(seed)
        assert got == expected, f"seed {seed}"
