"""A measure's unreadable facts (`unreadable: report`): each fact whose aggregated field is not a
number is an error of its own and the measure goes on without it; by default one such fact
still fails the whole measure. Worked out by hand on a monthly cap of 100 records."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from checker.clauses.measure import MeasureClause
from checker.dates.timeutil import parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from checker.facts.model import Fact
from checker.findings.model import Finding
from checker.norms.parties import FactParties
from checker.rulebook.agreement import Agreement

DAY = 86_400

CAP: dict[str, Any] = {
    "id": "8.3",
    "title": "Records per month",
    "kind": "measure",
    "by": "partner",
    "of": {"fact": "data.transfer"},
    "sum": "records",
    "per": "month",
    "at_most": 100,
}


def _agreement(clause: dict[str, Any]) -> Agreement:
    return Agreement.model_validate(
        {
            "agreement": "unreadable-test",
            "title": "Unreadable measured values",
            "parties": {"us": "northwind", "partner": "acme"},
            "effective": "2026-01-01",
            "expires": "2026-12-31",
            "owner": "legal",
            "clauses": [clause],
        }
    )


def _transfer(fact_id: str, at: str, records: object) -> Fact:
    return Fact(
        fact_id, "data.transfer", parse_instant(at), "acme", {"records": records}, f"t:{fact_id}"
    )


FACTS = [
    _transfer("t-1", "2026-03-02T10:00:00Z", 60),
    _transfer("t-2", "2026-03-05T10:00:00Z", "many"),
    _transfer("t-3", "2026-03-20T10:00:00Z", 50),
    _transfer("t-4", "2026-04-02T10:00:00Z", None),
]


def _found(clause: dict[str, Any]) -> list[Finding]:
    instant = parse_instant("2026-05-10")
    return evaluate_agreement(
        _agreement(clause), FACTS, instant, instant + 30 * DAY, FactParties()
    ).findings


def _summary(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    return sorted((f.code, f.kind.value, f.subject, f.date.isoformat()) for f in findings)


def test_by_default_an_unreadable_value_fails_the_whole_measure() -> None:
    (failed,) = _found(CAP)
    assert (failed.code, failed.kind.value) == ("evaluation.failed", "error")
    assert "records is 'many', not a number" in failed.message


def test_reported_each_unreadable_value_is_an_error_and_the_rest_is_measured() -> None:
    found = _found({**CAP, "unreadable": "report"})
    # March without t-2: 60 (t-1), then 60 + 50 = 110 > 100 at t-3 on 03-20: the breach is
    # dated there. April: t-4 has no value, an error of its own; the sum of no other fact is 0.
    assert _summary(found) == [
        ("measure.breached", "breach", "2026-03", "2026-03-20"),
        ("measure.undecided", "error", "t-2", "2026-03-05"),
        ("measure.undecided", "error", "t-4", "2026-04-02"),
    ]
    breach = next(f for f in found if f.kind.value == "breach")
    assert [e.fact_id for e in breach.evidence] == ["t-1", "t-3"]
    error = next(f for f in found if f.subject == "t-2")
    assert "records is 'many', not a number" in error.message


def test_unreadable_report_needs_a_field_to_read() -> None:
    with pytest.raises(ValidationError, match="'count' reads none"):
        MeasureClause.model_validate({**CAP, "sum": None, "count": True, "unreadable": "report"})
