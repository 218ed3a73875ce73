"""Small builders shared by tests: facts, agreements and one-call evaluation."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from typing import Any

from checker.dates.timeutil import horizon_end, parse_instant
from checker.evaluation.evaluate import evaluate_agreement
from checker.facts.model import Fact
from checker.findings.model import Finding
from checker.rulebook.agreement import Agreement
from checker.rulebook.fact_catalog import FactCatalogue
from checker.rulebook.semantic.checks import check_agreement_file
from checker.rulebook.yaml_source import load_yaml_text


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
    result = evaluate_agreement(subject, ordered, instant, horizon_end(instant, horizon_days))
    return sorted((f for f in result.findings if f.clause != "term"), key=lambda f: f.sort_key())


def problems(
    text: str, catalogue: FactCatalogue | None, name: str
) -> list[tuple[int, int, str, str]]:
    """(line, column, level, message) of each semantic problem in `text`, read as the rule file
    `name` and checked against `catalogue`, sorted."""
    report = check_agreement_file(load_yaml_text(text, name), catalogue)
    return sorted((d.line, d.column, d.level.value, d.message) for d in report.diagnostics)


def summary(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    """(code, kind, subject, date) of each finding: what hand-worked expectations compare with."""
    return [(f.code, f.kind.value, f.subject, f.date.isoformat()) for f in findings]


Summary = tuple[str, str, str, str]
"""(code, kind, subject, date) of one finding, as `summary` gives it."""

Oracle = Callable[[dict[str, Any], dict[str, Any], list[Fact], int, int], set[Summary]]
"""An independent oracle: (clause, agreement, facts, as-of epoch, horizon-end epoch) -> findings."""


def engine_and_oracle(
    subject: Agreement,
    clause: dict[str, Any],
    facts: list[Fact],
    as_of: str,
    horizon_days: int,
    oracle: Oracle,
) -> tuple[set[Summary], set[Summary]]:
    """(engine findings, oracle findings) of `clause` in `subject` on `as_of`, both as summary sets.

    The oracle sees the agreement as JSON data and the same as-of and horizon-end instants the
    engine is evaluated with.
    """
    instant = parse_instant(as_of)
    expected = oracle(
        clause,
        subject.model_dump(mode="json"),
        facts,
        instant,
        horizon_end(instant, horizon_days),
    )
    got = set(summary(evaluate(subject, facts, as_of, horizon_days=horizon_days)))
    return got, expected


def instant_near(
    rng: random.Random,
    boundaries: Sequence[str],
    *,
    boundary_chance: float = 0.5,
    months: Sequence[int] | None = None,
    hour: int | None = None,
) -> str:
    """A random instant in 2025: one of `boundaries` with `boundary_chance`, else day 1-28 of a
    month (any, or one of `months`) at a whole hour (any, or `hour`), in UTC.

    Draws from `rng` in a fixed order: the chance, then the boundary or month, day and hour.
    """
    if rng.random() < boundary_chance:
        return rng.choice(boundaries)
    month = rng.randint(1, 12) if months is None else rng.choice(months)
    day = rng.randint(1, 28)
    at = rng.randint(0, 23) if hour is None else hour
    return f"2025-{month:02d}-{day:02d}T{at:02d}:00:00Z"


# The files of a rules folder `validate` tests check: Acme's agreement with its exclusive
# territory (clause 4.1), a waivers file and a scenario file, which name the clause `{clause}`.
ACME_RULE_FILE = """\
agreement: acme-2026
title: Agreement with Acme
partner: acme
effective: 2026-01-01
expires: 2026-12-31
owner: legal
clauses:
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    territory: [NL]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
"""

ACME_WAIVERS = """\
waivers:
  - agreement: acme-2026
    clause: "{clause}"
    reason: Approved exception
    approved_by: Legal
    expires: 2026-12-31
"""

ACME_SCENARIOS = """\
agreement: acme-2026
scenarios:
  - name: a direct deal breaks the exclusivity
    as_of: 2026-06-01
    facts:
      - {{id: d1, type: deal.closed, at: 2026-03-02, partner: northwind, territory: NL, channel: direct}}
    expect:
      - {{clause: "{clause}", kind: breach, subject: d1}}
"""


# A rule file many CLI tests start from: Globex's exclusive territory (clause 4.1), to which a test
# may add clauses; and a direct deal in that territory, a breach of it.
GLOBEX_EXCLUSIVITY = """\
agreement: globex-reseller-2025
title: Reseller agreement with Globex
partner: globex
effective: 2025-01-01
expires: 2027-12-31
owner: emea-legal
clauses:
  - id: "4.1"
    title: Exclusive territory
    kind: exclusivity
    territory: [DE, AT, CH]
    forbids:
      - {fact: deal.closed, where: {channel: direct}}
"""


def direct_deal(**more: str) -> str:
    """A JSON line: deal d1 of 2026-02-10, ours, direct in DE (a breach of GLOBEX_EXCLUSIVITY's
    4.1), with `more` fields."""
    fields = {"id": "d1", "type": "deal.closed", "at": "2026-02-10T10:00:00Z", "partner": "us"}
    return json.dumps({**fields, "territory": "DE", "channel": "direct", **more})


def agreement_between(
    us: str, partner: str, *clauses: dict[str, Any], **overrides: Any
) -> Agreement:
    """An agreement that names its parties, as norms need: `us` and one partner (ids as the
    facts name them), with `overrides` such as `effective` and `expires`."""
    return agreement(*clauses, parties={"us": us, "partner": partner}, partner=None, **overrides)
