"""An obligation created by each fulfilment of another ("we pay the milestone fee within 30 days
after each milestone is achieved"): `when: {fulfilment_of: <clause>}`. Expectations are worked
out by hand from the dates below."""

from __future__ import annotations

from typing import Any

from tests.helpers import agreement_between, evaluate, fact, summary

MILESTONES = {
    "id": "6.2",
    "title": "Delivery milestones",
    "kind": "obligation",
    "by": "partner",
    "when": {"fact": "milestone.planned"},
    "do": {"fact": "milestone.achieved", "match_on": ["milestone"]},
    "due": {"field": "due_on"},
}
FEE = {
    "id": "7.1",
    "title": "Milestone fee",
    "kind": "obligation",
    "by": "us",
    "to": "partner",
    "when": {"fulfilment_of": "6.2"},
    "do": {"fact": "payment.sent", "match_on": ["milestone"]},
    "within": "30d",
}


def _subject(*clauses: dict[str, Any]) -> Any:
    return agreement_between(
        "northwind",
        "globex",
        *clauses,
        effective="2026-01-01",
        expires="2026-12-31",
    )


def _planned(name: str, due_on: str) -> Any:
    return fact(
        f"plan-{name}", "milestone.planned", "2026-01-05T09:00:00Z", milestone=name, due_on=due_on
    )


def test_each_fulfilment_on_time_or_late_creates_the_fee() -> None:
    facts = [
        _planned("alpha", "2026-03-31"),
        _planned("beta", "2026-04-30"),
        _planned("gamma", "2026-05-31"),
        # Each instance is named after the fact that planned it (plan-alpha...), each fee after
        # the clause and that instance (6.2:plan-alpha). alpha on time (03-20): the fee is due
        # by the end of 04-19; paid 04-19 23:00, in time.
        fact("a1", "milestone.achieved", "2026-03-20T10:00:00Z", milestone="alpha"),
        fact("p1", "payment.sent", "2026-04-19T23:00:00Z", "northwind", milestone="alpha"),
        # beta late (05-10, due 04-30): still a fulfilment; fee due 06-09, never paid.
        fact("b1", "milestone.achieved", "2026-05-10T10:00:00Z", milestone="beta"),
        # gamma never achieved: no fee.
    ]
    found = summary(evaluate(_subject(MILESTONES, FEE), facts, "2026-07-01"))
    assert found == [
        ("obligation.breached", "breach", "plan-beta", "2026-04-30"),
        ("obligation.breached", "breach", "plan-gamma", "2026-05-31"),
        ("obligation.breached", "breach", "6.2:plan-beta", "2026-06-09"),
    ]


def test_a_fee_falls_due_within_the_horizon_once_the_milestone_is_achieved() -> None:
    facts = [
        _planned("alpha", "2026-03-31"),
        fact("a1", "milestone.achieved", "2026-03-20T10:00:00Z", milestone="alpha"),
    ]
    # As of 03-20 10:00 the fulfilment is known: the fee is due by the end of 04-19.
    assert summary(evaluate(_subject(MILESTONES, FEE), facts, "2026-03-20T10:00:00Z")) == [
        ("obligation.due", "deadline", "6.2:plan-alpha", "2026-04-19"),
    ]
    # A second earlier the milestone is not achieved yet: nothing is owed (a run reads only the
    # facts up to its as-of instant).
    assert summary(evaluate(_subject(MILESTONES, FEE), facts[:1], "2026-03-20T09:59:59Z")) == [
        ("obligation.due", "deadline", "plan-alpha", "2026-03-31"),
    ]


def test_a_report_handed_in_before_its_period_is_a_fulfilment_when_the_period_ends() -> None:
    """The monthly report for 2026-02 comes on 01-25; the February duty arises at the end of
    February, and only then is it fulfilled: the fee for it runs from 02-28, due 03-10."""
    report = {
        "id": "5.1",
        "title": "Monthly report",
        "kind": "obligation",
        "by": "partner",
        "when": {"each": "month"},
        "do": {"fact": "report.sent"},
        "period_field": "month",
        "within": "10d",
    }
    fee = {**FEE, "when": {"fulfilment_of": "5.1"}, "do": {"fact": "payment.sent"}, "within": "10d"}
    facts = [fact("r2", "report.sent", "2026-01-25T10:00:00Z", month="2026-02")]
    found = summary(evaluate(_subject(report, fee), facts, "2026-03-01", horizon_days=15))
    # January's report never came (due 02-10); February's fee runs from 02-28, due 03-10.
    assert found == [
        ("obligation.breached", "breach", "2026-01", "2026-02-10"),
        ("obligation.due", "deadline", "5.1:2026-02", "2026-03-10"),
    ]
    # As of 02-20 the February duty has not arisen yet: no fee.
    early = summary(evaluate(_subject(report, fee), facts, "2026-02-20", horizon_days=5))
    assert not any(subject.startswith("5.1:") for _, _, subject, _ in early)
