"""Finds and loads scenario files: strict YAML, the models, facts checked like fact-file lines, and
the agreement and clause ids checked against the rule files, every problem positioned."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from checker.common.diagnostics import Diagnostic, InputError
from checker.common.suggest import did_you_mean
from checker.dates.timeutil import horizon_end
from checker.facts.model import Fact
from checker.facts.reading import fact_from_record
from checker.findings.model import FindingKind
from checker.rulebook.agreement import Agreement
from checker.rulebook.finding_codes import (
    TERM,
    CodeProblem,
    check_clause_finding_kind,
    check_code,
    check_finding_kind,
)
from checker.rulebook.loading import SCENARIO_SUFFIXES
from checker.rulebook.validation_errors import diagnostics_from_validation
from checker.rulebook.yaml_source import Location, SourceDocument, load_yaml
from checker.scenarios.model import CODE_PATTERN, Expectation, Scenario, ScenarioFile

# Findings about the agreement's own term (expiry, non-renewal notice) carry this clause id.
TERM_CLAUSE = "term"


def is_scenario_file(name: str) -> bool:
    return name.endswith(SCENARIO_SUFFIXES)


def scenario_file_for(rule_file: str) -> str:
    """Where the scenarios of `rule_file` live: `rules/x.yaml` -> `rules/x.test.yaml`."""
    stem, _suffix = os.path.splitext(rule_file)
    return f"{stem}.test.yaml"


@dataclass(frozen=True, slots=True)
class Expected:
    """An expectation and the line of the scenario file it is written on."""

    expectation: Expectation
    line: int


@dataclass(frozen=True, slots=True)
class ScenarioCase:
    """One scenario ready to run: its agreement, facts (sorted by time, then id) and expectations."""

    path: str
    line: int
    name: str
    agreement: Agreement
    as_of: int
    horizon_days: int
    facts: tuple[Fact, ...]
    expect: tuple[Expected, ...]
    expect_not: tuple[Expected, ...]
    only: bool

    @property
    def label(self) -> str:
        return f"{self.path}::{self.name}"

    @property
    def horizon_end(self) -> int:
        return horizon_end(self.as_of, self.horizon_days)

    def named_clauses(self) -> set[str]:
        """Clause ids that an `expect` or `expect_not` entry names: the clauses it exercises."""
        return {
            expected.expectation.clause
            for expected in (*self.expect, *self.expect_not)
            if expected.expectation.clause is not None
        }


@dataclass(frozen=True, slots=True)
class ScenarioSuite:
    """The scenarios of one file, all for one agreement."""

    path: str
    agreement: Agreement
    cases: tuple[ScenarioCase, ...]


def load_scenario_file(
    path: str, agreements: Mapping[str, Agreement], rule_files_complete: bool = True
) -> ScenarioSuite | None:
    """The scenarios in `path`, checked against `agreements` (id -> agreement).

    Raises InputError with every problem in the file: the checks of facts, names and clause ids
    run on the file's data even when its shape is wrong elsewhere, so one run reports them all.
    When `rule_files_complete` is False (some rule file did not load) an unknown agreement id is
    not reported, and None is returned: its rule file may be the one that failed, and that
    failure is reported already.
    """
    document = load_yaml(path)
    problems: list[Diagnostic] = []
    content: ScenarioFile | None = None
    try:
        content = ScenarioFile.model_validate(document.data)
    except ValidationError as error:
        problems.extend(diagnostics_from_validation(document, error, ScenarioFile))

    data: dict[str, Any] = document.data if isinstance(document.data, dict) else {}
    named = data.get("agreement")
    agreement = agreements.get(named) if isinstance(named, str) else None
    later: list[Diagnostic] = []
    if isinstance(named, str) and agreement is None and rule_files_complete:
        later.append(_unknown_agreement(document, named, sorted(agreements)))
    facts_of: dict[int, list[Fact]] = {}
    scenarios = data.get("scenarios")
    for index, scenario in enumerate(scenarios if isinstance(scenarios, list) else []):
        if not isinstance(scenario, dict):
            continue  # the model reports it
        name = scenario.get("name")
        label = f"'{name}'" if isinstance(name, str) else f"number {index + 1}"
        facts_of[index] = _facts(document, scenario.get("facts"), index, label, later)
        if agreement is not None:
            later.extend(_unknown_clauses(document, scenario, index, agreement))
        later.extend(_code_problems(document, scenario, index, agreement))
    later.extend(_repeated_names(document, scenarios))
    # A value the model already rejected is not reported twice.
    taken = {(problem.line, problem.column) for problem in problems}
    problems.extend(problem for problem in later if (problem.line, problem.column) not in taken)
    if problems:
        raise InputError(sorted(problems))
    assert content is not None  # no problems: the model validated
    if agreement is None:
        return None  # its rule file did not load; that problem is reported already
    cases = tuple(
        _case(document, agreement, scenario, index, facts_of[index])
        for index, scenario in enumerate(content.scenarios)
    )
    return ScenarioSuite(path, agreement, cases)


def _case(
    document: SourceDocument,
    agreement: Agreement,
    scenario: Scenario,
    index: int,
    facts: list[Fact],
) -> ScenarioCase:
    at = ("scenarios", index)
    return ScenarioCase(
        path=document.path,
        line=document.position_of(at).line,
        name=scenario.name,
        agreement=agreement,
        as_of=scenario.as_of_instant,
        horizon_days=scenario.horizon,
        facts=tuple(sorted(facts, key=lambda fact: (fact.at, fact.id))),
        expect=_placed(document, scenario.expect, (*at, "expect")),
        expect_not=_placed(document, scenario.expect_not, (*at, "expect_not")),
        only=scenario.only,
    )


def _facts(
    document: SourceDocument,
    records: object,
    index: int,
    label: str,
    problems: list[Diagnostic],
) -> list[Fact]:
    """The scenario's facts, each checked as a fact file's line is; ids must be unique."""
    facts: list[Fact] = []
    first_line_of: dict[str, int] = {}
    for number, record in enumerate(records if isinstance(records, list) else []):
        if not isinstance(record, dict):
            continue  # the model reports it
        where = ("scenarios", index, "facts", number)
        position = document.value_position_of(where)
        try:
            fact = fact_from_record(record, document.path, position.line)
        except ValueError as error:
            problems.append(
                document.diagnostic(
                    position,
                    f"fact {number + 1} of scenario {label} is not valid: {error}",
                    "write it like a line of a fact file: id, type, at (e.g. 2026-03-02 or"
                    " 2026-03-02T10:00:00Z), partner, then any other fields",
                )
            )
            continue
        if fact.id in first_line_of:
            problems.append(
                document.diagnostic(
                    document.value_position_of((*where, "id")),
                    f"fact id '{fact.id}' is used twice in scenario {label} (first on line"
                    f" {first_line_of[fact.id]})",
                    "give every fact of a scenario its own id",
                )
            )
            continue
        first_line_of[fact.id] = position.line
        facts.append(fact)
    return facts


def _repeated_names(document: SourceDocument, scenarios: object) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    first_line_of: dict[str, int] = {}
    for index, scenario in enumerate(scenarios if isinstance(scenarios, list) else []):
        name = scenario.get("name") if isinstance(scenario, dict) else None
        if not isinstance(name, str):
            continue
        position = document.value_position_of(("scenarios", index, "name"))
        if name in first_line_of:
            problems.append(
                document.diagnostic(
                    position,
                    f"scenario name '{name}' is used twice (first on line {first_line_of[name]})",
                    "give every scenario of a file its own name: the report names them",
                )
            )
        else:
            first_line_of[name] = position.line
    return problems


def _unknown_agreement(document: SourceDocument, name: str, known: list[str]) -> Diagnostic:
    suggestion = did_you_mean(name, known)
    if suggestion is None:
        listed = ", ".join(known) if known else "none"
        suggestion = f"the rule files loaded define these agreements: {listed}"
    return document.diagnostic(
        document.value_position_of(("agreement",)),
        f"no rule file defines agreement '{name}'",
        suggestion,
    )


def _unknown_clauses(
    document: SourceDocument, scenario: dict[str, Any], index: int, agreement: Agreement
) -> list[Diagnostic]:
    known = [clause.id for clause in agreement.all_clauses]
    problems: list[Diagnostic] = []
    for field in ("expect", "expect_not"):
        entries = scenario.get(field)
        for number, entry in enumerate(entries if isinstance(entries, list) else []):
            clause = entry.get("clause") if isinstance(entry, dict) else None
            if not isinstance(clause, str) or clause in known or clause == TERM_CLAUSE:
                continue
            listed = ", ".join([*known, TERM_CLAUSE])
            problems.append(
                document.diagnostic(
                    document.value_position_of(("scenarios", index, field, number, "clause")),
                    f"agreement {agreement.agreement} has no clause '{clause}'",
                    did_you_mean(clause, [*known, TERM_CLAUSE])
                    or f"its clauses are: {listed} ('term' is the agreement's own term)",
                )
            )
    return problems


_FINDING_KINDS = frozenset(kind.value for kind in FindingKind)
# What a wrong code in each list would do, to finish its message.
_CONSEQUENCES = {
    "expect": "so this 'expect' entry could never pass",
    "expect_not": "so this 'expect_not' entry could never fail",
}


def _code_problems(
    document: SourceDocument, scenario: dict[str, Any], index: int, agreement: Agreement | None
) -> list[Diagnostic]:
    """An error for each expectation whose code no finding has, or that the clause it names
    never reports, and for each whose finding kind does not fit its code."""
    clauses = agreement.all_clauses if agreement else []
    kind_of = {clause.id: str(getattr(clause, "kind")) for clause in clauses}  # noqa: B009
    kind_of[TERM_CLAUSE] = TERM
    problems: list[Diagnostic] = []
    for field, consequence in _CONSEQUENCES.items():
        entries = scenario.get(field)
        for number, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict):
                continue  # the model reports it
            code, kind, clause = entry.get("code"), entry.get("kind"), entry.get("clause")
            clause_kind = kind_of.get(clause) if isinstance(clause, str) else None
            known_kind = (
                FindingKind(kind) if isinstance(kind, str) and kind in _FINDING_KINDS else None
            )
            found: list[CodeProblem | None] = []
            if code is None and known_kind is not None and clause_kind is not None:
                found.append(
                    check_clause_finding_kind(known_kind, str(clause), clause_kind, consequence)
                )
            elif isinstance(code, str) and re.fullmatch(CODE_PATTERN, code):
                found.append(check_code(code, consequence, clause, clause_kind))
                if known_kind is not None:
                    found.append(check_finding_kind(code, known_kind, consequence))
            at = ("scenarios", index, field, number)
            problems.extend(
                document.diagnostic(
                    document.value_position_of((*at, problem.field)),
                    problem.message,
                    problem.help,
                )
                for problem in found
                if problem is not None
            )
    return problems


def _placed(
    document: SourceDocument, expectations: Sequence[Expectation], at: Location
) -> tuple[Expected, ...]:
    return tuple(
        Expected(expectation, document.value_position_of((*at, number)).line)
        for number, expectation in enumerate(expectations)
    )
