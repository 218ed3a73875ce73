"""The text report of a scenario run: a line per scenario, a readable diff per failure, and a
summary with the clauses and agreements no scenario exercises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tabulate import tabulate

from checker.dates.timeutil import SECONDS_PER_DAY, iso_of_epoch
from checker.findings.model import Finding
from checker.scenarios.model import Expectation
from checker.scenarios.runner import ScenarioOutcome

RULE_WIDTH = 78


@dataclass(frozen=True, slots=True)
class UntestedClauses:
    """Clauses of one agreement that no `expect` or `expect_not` entry names."""

    agreement: str
    source: str  # the rule file
    clauses: tuple[tuple[str, str], ...]  # (id, title)


@dataclass(frozen=True, slots=True)
class Coverage:
    untested: tuple[UntestedClauses, ...]
    without_scenarios: tuple[tuple[str, str, str], ...]  # (agreement, rule file, scenario file)

    @property
    def complete(self) -> bool:
        return not self.untested and not self.without_scenarios


def status_line(outcome: ScenarioOutcome) -> str:
    return f"{'PASS' if outcome.passed else 'FAIL'}  {outcome.case.label}"


def failure_details(outcome: ScenarioOutcome) -> str:
    """Why a scenario failed: each unmet expectation, then every finding the agreement had."""
    case = outcome.case
    title = f" FAIL {case.label} "
    lines = [title.center(RULE_WIDTH, "_")]
    lines.append(
        f"agreement {case.agreement.agreement}, as of {_instant(case.as_of)},"
        f" deadlines within {case.horizon_days} days (scenario at {case.path}:{case.line})"
    )
    if outcome.facts_after_as_of:
        lines.append(
            f"note: {outcome.facts_after_as_of} fact(s) dated after the as-of were ignored,"
            " as a run ignores them"
        )
    for item in outcome.missing:
        lines.append("")
        lines.append(f"expected but not found (line {item.line}): {item.expectation.describe()}")
        lines.extend(_nearest(item.expectation, outcome.findings))
    for forbidden in outcome.forbidden:
        lines.append("")
        lines.append(
            f"found but must not appear (expect_not, line {forbidden.expected.line}):"
            f" {forbidden.expected.expectation.describe()}"
        )
        lines.extend(f"    matched by: {_one_line(finding)}" for finding in forbidden.findings)
    if outcome.extra:
        clauses = ", ".join(sorted({finding.clause for finding in outcome.extra}))
        lines.append("")
        lines.append(
            f"found but not expected (the scenario says 'only: true' for clause {clauses}):"
        )
        lines.extend(f"    {_one_line(finding)}" for finding in outcome.extra)
    if outcome.unexpected_errors:
        lines.append("")
        lines.append(
            "could not be evaluated (an error finding that no 'expect' entry names fails the"
            " scenario):"
        )
        lines.extend(f"    {_one_line(finding)}" for finding in outcome.unexpected_errors)
    lines.append("")
    lines.append(_actual_findings(outcome))
    return "\n".join(lines)


def summary(
    outcomes: Sequence[ScenarioOutcome], files: int, coverage: Coverage, strict: bool
) -> str:
    passed = sum(1 for outcome in outcomes if outcome.passed)
    failed = len(outcomes) - passed
    scenarios = _count(len(outcomes), "scenario")
    lines = [f"{passed} passed, {failed} failed ({scenarios} in {_count(files, 'file')})"]
    if coverage.untested:
        lines.append("")
        lines.append("Clauses no scenario exercises (no 'expect' or 'expect_not' names them):")
        for gap in coverage.untested:
            listed = "; ".join(f"{clause_id} {title}" for clause_id, title in gap.clauses)
            lines.append(f"  {gap.agreement} ({gap.source}): {listed}")
    if coverage.without_scenarios:
        lines.append("")
        lines.append("Agreements with no scenario file:")
        for agreement, source, scenario_file in coverage.without_scenarios:
            lines.append(f"  {agreement} ({source}): write its scenarios in {scenario_file}")
    if coverage.complete:
        lines.append("Every clause is exercised by at least one scenario.")
    elif strict:
        lines.append("")
        lines.append("--strict-coverage: untested clauses and agreements count as failures.")
    return "\n".join(lines)


def _nearest(expectation: Expectation, findings: Sequence[Finding]) -> list[str]:
    """The actual finding closest to a missing expectation, and how it differs."""
    candidates = [
        finding
        for finding in findings
        if expectation.clause is None or finding.clause == expectation.clause
    ]
    if not candidates:
        where = f"clause {expectation.clause}" if expectation.clause else "the agreement"
        return [f"    {where} has no findings at all in this scenario"]
    best = min(candidates, key=lambda finding: len(expectation.differences(finding)))
    where = f"for clause {expectation.clause}" if expectation.clause else "overall"
    return [
        f"    nearest {where}: {_one_line(best)}",
        f"    differs: {'; '.join(expectation.differences(best))}",
    ]


def _one_line(finding: Finding) -> str:
    return (
        f"clause {finding.clause} {finding.kind.value} {finding.code} subject {finding.subject}"
        f" on {finding.date.isoformat()}: {finding.message}"
    )


def _actual_findings(outcome: ScenarioOutcome) -> str:
    agreement = outcome.case.agreement.agreement
    if not outcome.findings:
        return f"actual findings of {agreement}: none"
    rows = [
        [f.clause, f.kind.value, f.code, f.subject, f.date.isoformat(), f.message]
        for f in outcome.findings
    ]
    table = tabulate(
        rows,
        headers=["clause", "kind", "code", "subject", "date", "message"],
        tablefmt="simple",
        disable_numparse=True,
    )
    indented = "\n".join(f"    {line}" for line in table.splitlines())
    return f"actual findings of {agreement} ({len(rows)}):\n{indented}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _instant(instant: int) -> str:
    """A day when the instant is midnight UTC, else the full instant."""
    text = iso_of_epoch(instant)
    return text[:10] if instant % SECONDS_PER_DAY == 0 else text
