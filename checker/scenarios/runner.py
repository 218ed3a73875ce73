"""Runs one scenario in-process, as a run would evaluate its agreement, and compares the findings
with what the scenario expects."""

from __future__ import annotations

from dataclasses import dataclass

from checker.evaluation.evaluate import NO_CATALOGUE, evaluate_agreement
from checker.findings.model import Finding, FindingKind
from checker.norms.parties import FactParties
from checker.scenarios.loader import Expected, ScenarioCase


@dataclass(frozen=True, slots=True)
class Forbidden:
    """An `expect_not` entry and the findings that matched it."""

    expected: Expected
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """What one scenario produced and every way it differs from what it expects."""

    case: ScenarioCase
    findings: tuple[Finding, ...]  # every finding of the agreement, sorted
    facts_after_as_of: int  # given, but dated after as_of: ignored as in a run
    missing: tuple[Expected, ...]  # `expect` entries no finding matched
    forbidden: tuple[Forbidden, ...]  # `expect_not` entries some finding matched
    extra: tuple[Finding, ...]  # findings of an `only: true` clause no `expect` entry matched
    unexpected_errors: tuple[Finding, ...]  # error findings no `expect` entry matched

    @property
    def passed(self) -> bool:
        return not (self.missing or self.forbidden or self.extra or self.unexpected_errors)


def run_case(case: ScenarioCase, fact_parties: FactParties = NO_CATALOGUE) -> ScenarioOutcome:
    """Evaluate the scenario's agreement on its facts as of its as-of instant, then compare."""
    facts = [fact for fact in case.facts if fact.at <= case.as_of]
    result = evaluate_agreement(case.agreement, facts, case.as_of, case.horizon_end, fact_parties)
    findings = tuple(sorted(result.findings, key=lambda finding: finding.sort_key()))
    return compare(case, findings, len(case.facts) - len(facts))


def compare(
    case: ScenarioCase, findings: tuple[Finding, ...], facts_after_as_of: int = 0
) -> ScenarioOutcome:
    """The outcome of `case` given the `findings` its agreement produced."""
    expected = [item.expectation for item in case.expect]
    missing = tuple(
        item for item in case.expect if not any(item.expectation.matches(f) for f in findings)
    )
    forbidden: list[Forbidden] = []
    for item in case.expect_not:
        matched = tuple(f for f in findings if item.expectation.matches(f))
        if matched:
            forbidden.append(Forbidden(item, matched))

    def anticipated(finding: Finding) -> bool:
        return any(expectation.matches(finding) for expectation in expected)

    restricted = {e.clause for e in expected if e.clause is not None} if case.only else set()
    extra = tuple(f for f in findings if f.clause in restricted and not anticipated(f))
    unexpected_errors = tuple(
        f for f in findings if f.kind is FindingKind.ERROR and not anticipated(f) and f not in extra
    )
    return ScenarioOutcome(
        case=case,
        findings=findings,
        facts_after_as_of=facts_after_as_of,
        missing=missing,
        forbidden=tuple(forbidden),
        extra=extra,
        unexpected_errors=unexpected_errors,
    )
