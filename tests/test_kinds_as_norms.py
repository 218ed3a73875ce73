"""A clause kind is shorthand for norms: written as a kind, or as the norms it expands into
(obligation, prohibition, right, measure clauses), a clause gives the same verdicts on the same
facts: the same kind of finding about the same subject on the same date, of the same severity
(the norm clauses written with the severity the kind gives), resting on the same facts. Only the
code and the wording differ (the kind's own, against the norms'); each kind's random cases come
from its own test module.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from checker.clauses import KINDS
from checker.facts.model import Fact
from checker.findings.model import DEADLINE_SEVERITY
from checker.norms.clause_support import NormPart
from checker.norms.compile import NORM_NAMES
from tests import (
    test_clause_caps,
    test_clause_data_sharing,
    test_clause_milestones,
    test_clause_most_favoured,
    test_clause_non_compete,
    test_clause_non_solicitation,
    test_clause_recurring,
    test_clause_renegotiation,
    test_clause_response_time,
    test_clause_termination,
)
from tests.helpers import agreement, evaluate, fact, instant_near

Verdict = tuple[str, str, str, str, tuple[str, ...]]

EXCLUSIVITY_TERM = {"effective": "2025-01-01", "expires": "2025-12-31"}


def exclusivity_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    """An exclusivity whose territory grows mid-term, and activity by the partner, by us and by
    other resellers around the term's and the amendment's boundaries."""
    clause: dict[str, Any] = {
        "id": "4.1",
        "title": "Exclusivity",
        "kind": "exclusivity",
        "territory": rng.sample(["DE", "AT", "CH"], rng.randint(1, 2)),
        "forbids": [
            {"fact": "deal.closed", "where": {"channel": "direct"}, "unless": {"customer": "c1"}},
            {"fact": "reseller.appointed", "unless": {"partner": "globex"}},
        ],
        "amended": [{"effective": "2025-07-01", "territory": ["DE", "AT", "CH", "FR"]}],
    }
    if rng.random() < 0.6:
        clause["products"] = rng.sample(["suite", "lite"], 1)
    boundaries = [
        "2024-12-31T23:59:59Z",
        "2025-01-01T00:00:00Z",
        "2025-06-30T23:59:59Z",
        "2025-07-01T00:00:00Z",
        "2025-12-31T23:59:59Z",
        "2026-01-01T00:00:00Z",
    ]
    facts = [
        fact(
            f"f{number}",
            rng.choice(["deal.closed", "reseller.appointed", "lead.created"]),
            instant_near(rng, boundaries),
            rng.choice(["globex", "northwind", "initech", None]),
            channel=rng.choice(["direct", "partner"]),
            territory=rng.choice(["DE", "AT", "CH", "FR", None]),
            product=rng.choice(["suite", "lite", None]),
            customer=rng.choice(["c1", "c2"]),
        )
        for number in range(rng.randint(4, 16))
    ]
    return clause, facts


def milestones_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    """The milestones kind's random case, all of it: milestones, amendments that move them, and
    the cure path (an obligation's `cure`: its end a deadline, then a right to terminate the day
    after)."""
    while True:
        clause, facts = test_clause_milestones.random_case(rng)
        # Default notices around the first second a milestone is in default, so that cure
        # periods start, end and lapse around the as-of day.
        for number, milestone in enumerate(clause["milestones"]):
            if rng.random() < 0.6:
                due = date.fromisoformat(milestone["due"])
                after = due + timedelta(days=1)
                at = rng.choice([f"{due}T23:59:59Z", f"{after}T00:00:00Z", f"{due}T20:00:00-05:00"])
                facts.append(fact(f"n{number}", "notice.default", at, milestone=milestone["name"]))
        # An amendment can leave no milestone due while its terms apply (each moved across
        # its date): no norm to compare with, so draw again.
        if agreement(clause).clauses[0].norms():
            return clause, facts


RECURRING_TERM = {"effective": "2026-01-15", "expires": "2026-06-15"}  # partial first/last periods


def recurring_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    """The recurring kind's random case, all of it: an obligation per period with its material
    breach, its due delay amended mid-term, periods checked from `checked_from`, deliveries
    early, on time, late, for other periods, by another party, or of another kind; a minimum
    per period (amended too), with unreadable amounts, and the right after a run of shortfalls."""
    clause, _, _, _, _ = test_clause_recurring._random_case(rng.randint(0, 10**6))
    unit = clause["period"]
    if "deliverable" in clause or rng.random() < 0.5:
        clause["deliverable"] = {
            "fact": "payment.received",
            "where": {"kind": "royalty"},
            "period_field": "period",
        }
        clause["due_after_period_end"] = f"{rng.randint(0, 20)}d"
        if rng.random() < 0.5:
            clause["material_breach_after"] = f"{rng.randint(0, 30)}d"
        if rng.random() < 0.5:
            delay = {"due_after_period_end": f"{rng.randint(0, 20)}d"}
            if clause.get("amended"):
                clause["amended"][0].update(delay)
            else:
                effective = rng.choice(["2026-03-01", "2026-03-31", "2026-04-01", "2026-04-17"])
                clause["amended"] = [{"effective": effective, **delay}]
    if rng.random() < 0.3:
        clause["checked_from"] = rng.choice(["2026-02-28", "2026-03-31", "2026-04-01"])
    labels = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-Q1", "2026-Q2"]
    boundaries = [
        "2026-01-31T23:59:59Z",
        "2026-02-15T00:00:00Z",
        "2026-03-31T23:59:59Z",
        "2026-04-10T00:00:00Z",
        "2026-04-20T23:59:59Z",
        "2026-05-05T12:00:00Z",
    ]
    facts = [
        fact(
            f"f{number}",
            "payment.received",
            instant_near(rng, boundaries),
            rng.choice(["globex", "globex", "globex", "initech"]),
            kind=rng.choice(["royalty", "royalty", "fee"]),
            period=rng.choice(labels if unit == "month" else labels[5:]),
        )
        for number in range(rng.randint(2, 12))
    ]
    facts += [
        fact(
            f"d{number}",
            "deal.closed",
            instant_near(rng, boundaries),
            rng.choice(["globex", "globex", "globex", "initech"]),
            amount=rng.choice([10, 40, 60, 100, 150, "n/a"]),
        )
        for number in range(rng.randint(0, 10))
    ]
    return clause, facts


RENEGOTIATION_TERM = {"effective": "2026-01-01", "expires": "2026-12-31"}


def renegotiation_case(rng: random.Random) -> tuple[dict[str, Any], list[Fact]]:
    """The renegotiation kind's random case, all of it: fixed windows (some opening within the
    30 days after the as-of day, 2026-07-15: announced), windows before each anniversary, the
    right after a run of poor periods (reports missing, unreadable, of another partner or
    metric), each amended mid-term. A case whose windows all open under terms not in force then
    has no norm to compare with: drawn again."""
    while True:
        clause, _, facts, _, _ = test_clause_renegotiation._random_renegotiation_case(
            rng.randrange(10**6)
        )
        if agreement(clause, **RENEGOTIATION_TERM).clauses[0].norms():
            return clause, facts


Generator = Callable[[random.Random], tuple[dict[str, Any], list[Fact]]]

# kind -> (random case generator, agreement overrides, as-of)
CONVERTED: dict[str, tuple[Generator, dict[str, str], str]] = {
    "non_compete": (
        test_clause_non_compete.random_case,
        test_clause_non_compete.TERM,
        "2026-02-01",
    ),
    "cap": (test_clause_caps.random_case, test_clause_caps.TERM, "2026-02-01"),
    "milestones": (milestones_case, test_clause_milestones.TERM, "2026-04-02"),
    "most_favoured": (
        test_clause_most_favoured.random_case,
        test_clause_most_favoured.TERM,
        "2026-02-01",
    ),
    "data_sharing": (
        test_clause_data_sharing.random_case,
        test_clause_data_sharing.TERM,
        "2026-02-01",
    ),
    "exclusivity": (exclusivity_case, EXCLUSIVITY_TERM, "2026-02-01"),
    "non_solicitation": (
        test_clause_non_solicitation.random_case,
        test_clause_non_solicitation.TERM,
        "2026-02-01",
    ),
    "recurring": (recurring_case, RECURRING_TERM, "2026-05-20"),
    "renegotiation": (renegotiation_case, RENEGOTIATION_TERM, "2026-07-15"),
    "response_time": (
        test_clause_response_time.random_case,
        test_clause_response_time.TERM,
        test_clause_response_time.AS_OF,
    ),
    "termination": (
        test_clause_termination.random_case,
        test_clause_termination.TERM,
        test_clause_termination.AS_OF,
    ),
}


def _as_norm_clauses(clause: dict[str, Any], overrides: dict[str, str]) -> list[dict[str, Any]]:
    """The norms a kind clause expands into, written as norm clauses of a rule file."""
    subject = agreement(clause, **overrides)
    (kind_clause,) = subject.clauses
    parts: list[NormPart] | None = kind_clause.norms()
    assert parts, f"{clause['kind']} does not expand into norms"
    written = []
    for part in parts:
        norm = part.terms.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        name = next(n for cls, n in NORM_NAMES.items() if isinstance(part.terms, cls))
        # The severities an author gives the norm to keep the kind's: its rule's, or the
        # clause's; its deadlines' as the kind's clause has them.
        severity = part.wording.severity or kind_clause.severity or kind_clause.default_severity
        deadlines = kind_clause.deadline_severity or kind_clause.severity or DEADLINE_SEVERITY
        written.append(
            {
                "id": part.key,
                "title": clause["title"],
                "kind": name,
                "severity": severity.value,
                "deadline_severity": deadlines.value,
                **norm,
            }
        )
    return written


def _verdicts(
    clause: dict[str, Any],
    clauses: list[dict[str, Any]],
    facts: list[Fact],
    as_of: str,
    overrides: dict[str, str],
) -> set[Verdict]:
    subject = agreement(
        *clauses,
        **{"parties": {"us": "northwind", "partner": "globex"}, "partner": None, **overrides},
    )
    return {
        (
            f.kind.value,
            f.subject,
            f.date.isoformat(),
            f.severity.value,
            tuple(e.fact_id for e in f.evidence),
        )
        for f in evaluate(subject, facts, as_of)
    }


@pytest.mark.parametrize("kind", sorted(CONVERTED))
def test_a_kind_and_the_norms_it_expands_into_give_the_same_verdicts(kind: str) -> None:
    assert kind in KINDS
    generate, overrides, as_of = CONVERTED[kind]
    compared = 0
    for seed in range(40):
        clause, facts = generate(random.Random(seed))
        as_kind = _verdicts(clause, [clause], facts, as_of, overrides)
        as_norms = _verdicts(clause, _as_norm_clauses(clause, overrides), facts, as_of, overrides)
        assert as_kind == as_norms, f"{kind}, seed {seed}"
        compared += len(as_kind)
    assert compared > 0, "the random cases gave no finding to compare"


def test_a_clause_whose_norms_cannot_be_made_fails_alone() -> None:
    cap = {
        "id": "5.2",
        "title": "Seats",
        "kind": "cap",
        "measure": {"fact": "usage.reported", "field": "seats", "where": {"seats": 10}},
        "max": 250,
    }
    other = {
        "id": "7.1",
        "title": "Nc",
        "kind": "non_compete",
        "competing_products": ["p1"],
    }
    facts = [
        fact("d1", "deal.closed", "2025-03-01T10:00:00Z", "globex", product="p1"),
        fact("u1", "usage.reported", "2025-03-01T10:00:00Z", "globex", seats=300),
    ]
    found = evaluate(agreement(cap, other, **test_clause_caps.TERM), facts, "2026-02-01")
    assert sorted((f.clause, f.kind.value, f.code, f.subject) for f in found) == [
        ("5.2", "error", "evaluation.failed", "5.2"),
        ("7.1", "breach", "non_compete.competing_activity", "d1"),
    ]
    (error,) = (f for f in found if f.clause == "5.2")
    assert "its norms could not be made: 'seats' is both measured and tested in 'where'" in (
        error.message
    )
