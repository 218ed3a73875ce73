"""`contract-checker test`: find scenario files and the rule files they test, run every scenario,
print the report, and decide the exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.findings.exit_codes import ExitCode
from checker.rulebook.agreement import Agreement
from checker.rulebook.loading import Rulebook, load_rulebook, rule_files
from checker.scenarios.loader import (
    ScenarioSuite,
    is_scenario_file,
    load_scenario_file,
    scenario_file_for,
)
from checker.scenarios.report import (
    Coverage,
    UntestedClauses,
    failure_details,
    status_line,
    summary,
)
from checker.scenarios.runner import run_case


@dataclass(slots=True)
class Targets:
    """What the command-line paths name: scenario files, rule files, and problems with them."""

    scenario_files: list[str] = field(default_factory=list)
    rule_files: list[str] = field(default_factory=list)  # to load (normalised, sorted, unique)
    owed_scenarios: set[str] = field(default_factory=set)  # rule files whose agreements need them
    problems: list[Diagnostic] = field(default_factory=list)


def find_targets(paths: Sequence[str]) -> Targets:
    """Directories give every scenario and rule file inside them; a scenario file is tested
    against the rule files of its own folder; a rule file brings its `<name>.test.yaml`."""
    targets = Targets()
    scenario_files: set[str] = set()
    rule_sources: list[str] = []  # files and folders whose rule files are loaded
    owed_sources: list[str] = []  # files and folders whose agreements should have scenarios
    for given in paths:
        path = os.path.normpath(given)
        if os.path.isdir(path):
            scenario_files.update(_scenario_files_in(path))
            rule_sources.append(path)
            owed_sources.append(path)
        elif os.path.isfile(path) and is_scenario_file(os.path.basename(path)):
            scenario_files.add(path)
            rule_sources.append(os.path.dirname(path) or os.curdir)
        elif os.path.isfile(path):
            rule_sources.append(path)
            owed_sources.append(path)
            if os.path.isfile(scenario_file_for(path)):
                scenario_files.add(scenario_file_for(path))
        else:
            targets.problems.append(Diagnostic(given, 0, 0, "no such file or directory"))
    if rule_sources:
        found, problems = rule_files(rule_sources)
        targets.rule_files = sorted({os.path.normpath(name) for name in found})
        targets.problems.extend(problems)
    if owed_sources:
        owed, _problems = rule_files(owed_sources)  # problems are reported by the first call
        targets.owed_scenarios = {os.path.normpath(name) for name in owed}
    targets.scenario_files = sorted(scenario_files)
    if not targets.scenario_files and not targets.problems:
        targets.problems.append(
            Diagnostic(
                ", ".join(paths),
                0,
                0,
                "no scenario files (*.test.yaml) found here",
                help="write scenarios for rules/<name>.yaml in rules/<name>.test.yaml",
            )
        )
    return targets


def run_scenario_tests(
    paths: Sequence[str],
    strict_coverage: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> ExitCode:
    """Run every scenario under `paths` and print the report.

    Exit codes: 0 every scenario passed, 1 a scenario failed (or, with `strict_coverage`, a
    clause or agreement is untested), 3 a rule or scenario file is invalid (nothing is run).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    targets = find_targets(paths)
    rulebook = load_rulebook(targets.rule_files) if targets.rule_files else Rulebook()
    problems = [*targets.problems, *rulebook.diagnostics]
    suites = _load_suites(targets.scenario_files, rulebook, problems)
    for problem in sorted(problems):
        print(problem.render(), file=err)
    errors = sum(1 for problem in problems if problem.level is Level.ERROR)
    if errors:
        print(f"{errors} problem(s) in rule or scenario files; no scenario was run.", file=err)
        return ExitCode.INVALID_RULES

    outcomes = [run_case(case, rulebook.fact_parties) for suite in suites for case in suite.cases]
    for outcome in outcomes:
        print(status_line(outcome), file=out)
    for outcome in outcomes:
        if not outcome.passed:
            print(f"\n{failure_details(outcome)}", file=out)
    coverage = measure_coverage(_owing(rulebook, targets, suites), rulebook.sources, suites)
    print(f"\n{summary(outcomes, len(suites), coverage, strict_coverage)}", file=out)
    failed = any(not outcome.passed for outcome in outcomes)
    if failed or (strict_coverage and not coverage.complete):
        return ExitCode.FINDINGS
    return ExitCode.OK


def measure_coverage(
    agreements: Iterable[Agreement], sources: dict[str, str], suites: Sequence[ScenarioSuite]
) -> Coverage:
    """Which clauses of `agreements` no scenario names, and which agreements have no scenarios."""
    exercised: dict[str, set[str]] = {}
    for suite in suites:
        named = exercised.setdefault(suite.agreement.agreement, set())
        for case in suite.cases:
            named.update(case.named_clauses())
    untested: list[UntestedClauses] = []
    without: list[tuple[str, str, str]] = []
    for agreement in sorted(agreements, key=lambda a: a.agreement):
        source = sources.get(agreement.agreement, "")
        if agreement.agreement not in exercised:
            without.append((agreement.agreement, source, scenario_file_for(source)))
            continue
        gaps = tuple(
            (clause.id, clause.title)
            for clause in agreement.all_clauses
            if clause.id not in exercised[agreement.agreement]
        )
        if gaps:
            untested.append(UntestedClauses(agreement.agreement, source, gaps))
    return Coverage(tuple(untested), tuple(without))


def _load_suites(
    files: Sequence[str], rulebook: Rulebook, problems: list[Diagnostic]
) -> list[ScenarioSuite]:
    agreements = {agreement.agreement: agreement for agreement in rulebook.agreements}
    suites: list[ScenarioSuite] = []
    for path in files:
        try:
            suite = load_scenario_file(path, agreements, rule_files_complete=not rulebook.errors)
        except InputError as error:
            problems.extend(error.diagnostics)
            continue
        if suite is not None:
            suites.append(suite)
    return suites


def _owing(
    rulebook: Rulebook, targets: Targets, suites: Sequence[ScenarioSuite]
) -> list[Agreement]:
    """The agreements the report covers: those of the rule files named (directly or by a folder),
    and those a scenario file tests."""
    tested = {suite.agreement.agreement for suite in suites}
    return [
        agreement
        for agreement in rulebook.agreements
        if agreement.agreement in tested
        or os.path.normpath(rulebook.sources[agreement.agreement]) in targets.owed_scenarios
    ]


def _scenario_files_in(directory: str) -> list[str]:
    found: list[str] = []
    for root, _folders, names in os.walk(directory):
        found.extend(os.path.join(root, name) for name in names if is_scenario_file(name))
    return found


__all__ = ["find_targets", "measure_coverage", "run_scenario_tests"]
