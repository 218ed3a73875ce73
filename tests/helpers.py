"""Small builders shared by tests: facts, agreements and one-call evaluation."""

from __future__ import annotations

from typing import Any

from checker.agreement import Agreement
from checker.evaluate import evaluate_agreement
from checker.facts import Fact
from checker.findings import Finding
from checker.timeutil import SECONDS_PER_DAY, parse_instant


def fact(
    fact_id: str, fact_type: str, at: str, partner: str | None = "globex", **attrs: Any
) -> Fact:
    return Fact(fact_id, fact_type, parse_instant(at), partner, attrs, f"test.jsonl:{fact_id}")


def agreement(*clauses: dict[str, Any], **overrides: Any) -> Agreement:
    data: dict[str, Any] = {
        "agreement": "globex-test",
        "title": "Test agreement with Globex",
        "partner": "globex",
        "effective": "2025-01-01",
        "expires": "2027-12-31",
        "owner": "legal",
        "clauses": list(clauses),
    }
    data.update(overrides)
    return Agreement.model_validate(data)


def evaluate(
    subject: Agreement, facts: list[Fact], as_of: str, horizon_days: int = 30
) -> list[Finding]:
    """Findings of `subject` on `as_of`, sorted, with the term findings left out."""
    instant = parse_instant(as_of)
    ordered = sorted(facts, key=lambda f: (f.at, f.id))
    result = evaluate_agreement(subject, ordered, instant, instant + horizon_days * SECONDS_PER_DAY)
    return sorted((f for f in result.findings if f.clause != "term"), key=lambda f: f.sort_key())


def summary(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    """(code, kind, subject, date) of each finding: what hand-worked expectations compare with."""
    return [(f.code, f.kind.value, f.subject, f.date.isoformat()) for f in findings]
