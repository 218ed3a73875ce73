"""Check every file an author writes in a rules folder, without evaluating anything.

`contract-checker validate` loads the rule files (schema and semantic checks, the fact-type
catalogue), compiles each agreement to check it fits the engine's limits, and loads the waivers
and scenario files that sit beside them, so that one run lists every problem in all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.dates.timeutil import epoch_of_date
from checker.engine import host as engine
from checker.evaluation.evaluate import compile_agreement
from checker.rulebook.loading import Rulebook, load_rulebook
from checker.rulebook.waivers import load_waivers, waiver_files
from checker.scenarios.command import find_targets
from checker.scenarios.loader import load_scenario_file


@dataclass(slots=True)
class ValidationReport:
    """What was checked and every problem found, errors and warnings together."""

    rulebook: Rulebook
    diagnostics: list[Diagnostic] = field(default_factory=list)
    waivers: int = 0
    scenario_files: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.WARNING]

    @property
    def notes(self) -> list[str]:
        return self.rulebook.notes

    def checked(self) -> str:
        """`5 agreements, 14 clauses, 3 waivers, 5 scenario files`: what the run looked at."""
        agreements = self.rulebook.agreements
        parts = [
            count(len(agreements), "agreement"),
            count(sum(len(a.clauses) for a in agreements), "clause"),
        ]
        if self.waivers:
            parts.append(count(self.waivers, "waiver"))
        if self.scenario_files:
            parts.append(count(self.scenario_files, "scenario file"))
        return ", ".join(parts)


def validate_paths(paths: Sequence[str], fact_types: str | None = None) -> ValidationReport:
    """Load and check the rule files, waivers and scenario files under `paths`."""
    rulebook = load_rulebook(paths, fact_types)
    report = ValidationReport(rulebook, list(rulebook.diagnostics))
    report.diagnostics.extend(_compile_problems(rulebook))
    loaded_agreements = None if rulebook.errors else rulebook.agreements
    waivers = load_waivers(waiver_files(paths, None), loaded_agreements)
    report.waivers = len(waivers.waivers)
    report.diagnostics.extend(waivers.diagnostics)
    by_id = {agreement.agreement: agreement for agreement in rulebook.agreements}
    for path in find_targets(paths).scenario_files:
        report.scenario_files += 1
        try:
            load_scenario_file(path, by_id, rule_files_complete=not rulebook.errors)
        except InputError as error:
            report.diagnostics.extend(error.diagnostics)
    return report


def _compile_problems(rulebook: Rulebook) -> list[Diagnostic]:
    """Each agreement compiled as of its effective date with no facts: catches clauses that
    cannot compile and rule-side engine limits (limits that depend on facts are checked on every
    run)."""
    problems: list[Diagnostic] = []
    for agreement in rulebook.agreements:
        start = epoch_of_date(agreement.effective)
        compiled = compile_agreement(agreement, [], start, start)
        source = rulebook.sources[agreement.agreement]
        reasons = [f.message for f in compiled.errors] + engine.check_limits(compiled.program)
        problems.extend(Diagnostic(source, 0, 0, reason) for reason in reasons)
    return problems


def count(number: int, noun: str) -> str:
    """`1 agreement`, `2 agreements`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
