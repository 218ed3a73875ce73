"""An agreement ended early by a right that arises from breaches of an amended clause, and what
the end cuts (found by a new user: the right was reported exercised but the agreement ran on,
and a quarter cut by the end was judged and at risk after it). Worked out by hand."""

from __future__ import annotations

from typing import Any

from tests.helpers import agreement_between, evaluate, fact, summary

MINIMUM = {
    "id": "1",
    "title": "Quarterly minimum purchase",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "order.placed"},
    "sum": "amount",
    "per": "quarter",
    "at_least": 40000,
    "amended": [{"effective": "2026-07-01", "at_least": 60000}],
}
TERMINATION = {
    "id": "2",
    "title": "Termination after two shortfalls in a row",
    "kind": "right",
    "holder": "us",
    "arises": {"breach_of": "1", "in_a_row": 2},
    "open_for": "60d",
    "exercised_by": {"fact": "notice.sent", "by": "us", "where": {"topic": "termination"}},
    "effect": {"ends": "agreement", "after": "30d"},
}


def _subject(*clauses: dict[str, Any]) -> Any:
    """Zenith's agreement with Orbit, 2026-2027: `clauses`, by default the minimum and the
    right to terminate after two shortfalls."""
    return agreement_between(
        "zenith",
        "orbit",
        *(clauses or (MINIMUM, TERMINATION)),
        effective="2026-01-01",
        expires="2027-12-31",
    )


def _order(fact_id: str, at: str, amount: int) -> Any:
    return fact(fact_id, "order.placed", at, "orbit", amount=amount)


def test_a_right_from_breaches_of_an_amended_clause_ends_the_agreement() -> None:
    facts = [
        _order("o1", "2026-02-10T10:00:00Z", 50000),  # Q1: 50,000 of 40,000, met
        _order("o2", "2026-05-10T10:00:00Z", 30000),  # Q2: short of 40,000
        _order("o3", "2026-08-10T10:00:00Z", 50000),  # Q3: short of the amended 60,000
        # Two shortfalls in a row: the right arises at the end of Q3 (09-30); our notice on
        # 10-10 ends the agreement 30 days later, with 11-09.
        fact("n1", "notice.sent", "2026-10-10T09:00:00Z", None, topic="termination"),
        _order("o4", "2026-10-20T10:00:00Z", 1000),  # Q4 runs to the end: 1,000 by 11-09
    ]
    found = summary(evaluate(_subject(), facts, "2026-12-20"))
    assert found == [
        ("measure.breached", "breach", "2026-Q2", "2026-06-30"),
        ("measure.breached", "breach", "2026-Q3", "2026-09-30"),
        ("right.arisen", "trigger", "1:2026-Q3", "2026-09-30"),
        # Q4 closes with the agreement on 11-09: 1,000 of 60,000, a breach dated then (not on
        # 12-31, after the end), and nothing at risk after the end.
        ("measure.breached", "breach", "2026-Q4", "2026-11-09"),
        ("right.ended_agreement", "trigger", "n1", "2026-11-09"),
    ]


def test_a_right_ending_the_agreement_is_exercised_on_the_day_another_right_ends_it() -> None:
    # 3 is a right to end the agreement a month after notice; 4 ends right 3 (through the day of
    # its exercise) and starts clause 1 from the next day. The working-out of the term left out
    # clause 1 (named only by 4's effect), failed, and the termination was silently lost.
    conversion = {
        "id": "4",
        "title": "Conversion",
        "kind": "right",
        "holder": "partner",
        "arises": "start",
        "exercised_by": {"fact": "notice.sent", "by": "partner", "where": {"topic": "convert"}},
        "effect": {"ends": ["3"], "starts": ["1"]},
        "reported": False,
    }
    termination = {
        "id": "3",
        "title": "Termination on notice",
        "kind": "right",
        "holder": "partner",
        "arises": "start",
        "exercised_by": {"fact": "notice.sent", "by": "partner", "where": {"topic": "end"}},
        "effect": {"ends": "agreement", "after": "1 months"},
    }
    subject = _subject(MINIMUM, termination, conversion)
    facts = [
        fact("n1", "notice.sent", "2026-04-16T00:00:00Z", "orbit", topic="convert"),
        # Right 3 still applies through 04-16: this notice ends the agreement a month later,
        # with 05-16, a deadline within 10 days of 05-10.
        fact("n2", "notice.sent", "2026-04-16T23:59:59Z", "orbit", topic="end"),
    ]
    # Also: right 3 arose at the start and ended with 04-16 (by right 4); clause 1's Q2, cut by
    # the end on 05-16, is at risk (nothing ordered) with that last day.
    assert summary(evaluate(subject, facts, "2026-05-10", horizon_days=10)) == [
        ("right.arisen", "trigger", "start", "2026-01-01"),
        ("right.ended", "trigger", "ended", "2026-04-16"),
        ("measure.at_risk", "deadline", "2026-Q2", "2026-05-16"),
        ("right.ends_agreement", "deadline", "n2", "2026-05-16"),
    ]


def test_a_suspension_after_a_measure_ended_leaves_its_cut_period_judged() -> None:
    # The half-year minimum applies until 01-31, so H1 is cut there and judged then (10 of
    # 40,000: a breach dated 01-31). A suspension exercised on 04-01 starts after the measure
    # ended: it suspends nothing of it (it used to make H1 "not judged", found by the oracle).
    minimum = {**MINIMUM, "per": "half-year", "until": "2026-01-31", "amended": []}
    pause = {
        "id": "3",
        "title": "Pause",
        "kind": "right",
        "holder": "partner",
        "arises": "start",
        "exercised_by": {"fact": "notice.sent", "by": "partner", "where": {"topic": "pause"}},
        "effect": {"suspends": ["1"], "for": "30d"},
        "reported": False,
    }
    subject = _subject(minimum, pause)
    facts = [
        _order("o1", "2026-01-10T10:00:00Z", 10),
        fact("n1", "notice.sent", "2026-04-01T09:00:00Z", "orbit", topic="pause"),
    ]
    assert [
        item for item in summary(evaluate(subject, facts, "2026-08-01")) if item[1] == "breach"
    ] == [("measure.breached", "breach", "2026-H1", "2026-01-31")]
