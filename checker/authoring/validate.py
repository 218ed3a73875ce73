"""Check every file an author writes in a rules folder, without evaluating anything.

`contract-checker validate` loads the rule files (schema and semantic checks, the fact-type
catalogue), compiles each agreement to check it fits the engine's limits, and loads the waivers
and scenario files that sit beside them, so that one run lists every problem in all of them.

A file named on its own is checked as the kind of file it is (`checker.authoring.file_kinds`:
by name, editor modeline or top-level keys): `validate rules/waivers.yaml` checks the waivers,
against the agreements of the rule files beside it (loaded for that, their own problems left to
`validate rules/`); a scenario file likewise; a fact-type catalogue, a notifications file or a
fact mapping (`run --mapping`) on its own terms. A pre-commit hook can so hand `validate` exactly
the files a commit changes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.authoring.file_kinds import FileKind, file_kind
from checker.common.diagnostics import Diagnostic, InputError, Level
from checker.dates.timeutil import epoch_of_date
from checker.engine import host as engine
from checker.evaluation.evaluate import compile_agreement
from checker.facts.mapping import load_mapping
from checker.rulebook.fact_catalog import load_fact_catalogue
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
    fact_type_files: int = 0  # catalogues named on their own
    notifications_files: int = 0
    mapping_files: int = 0
    rule_files_checked: bool = True  # False when only files of other kinds were named
    # Notes of this run beside the rulebook's (what was not checked, and why).
    extra_notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.WARNING]

    @property
    def notes(self) -> list[str]:
        return [*self.rulebook.notes, *self.extra_notes]

    def checked(self) -> str:
        """`5 agreements, 14 clauses, 3 waivers, 5 scenario files`: what the run looked at."""
        agreements = self.rulebook.agreements
        parts = []
        if self.rule_files_checked:
            parts.append(count(len(agreements), "agreement"))
            parts.append(count(sum(len(a.all_clauses) for a in agreements), "clause"))
        if self.waivers:
            parts.append(count(self.waivers, "waiver"))
        if self.scenario_files:
            parts.append(count(self.scenario_files, "scenario file"))
        if self.fact_type_files:
            parts.append(count(self.fact_type_files, "fact-type catalogue"))
        if self.notifications_files:
            parts.append(count(self.notifications_files, "notifications file"))
        if self.mapping_files:
            parts.append(count(self.mapping_files, "fact mapping"))
        return ", ".join(parts) or "nothing to check"


def validate_paths(paths: Sequence[str], fact_types: str | None = None) -> ValidationReport:
    """Load and check the rule files, waivers and scenario files under `paths`, and each file
    named in `paths` as the kind of file it is (see the module docstring)."""
    named = _NamedFiles.of(paths)
    if named.rule_sources or not named.others:
        rulebook = load_rulebook(named.rule_sources, fact_types)
        report = ValidationReport(rulebook, list(rulebook.diagnostics))
        report.diagnostics.extend(_compile_problems(rulebook))
    else:
        report = ValidationReport(Rulebook(), rule_files_checked=False)
    beside = _RulesBeside(named, report.rulebook)
    in_folders = waiver_files(named.rule_sources, None)  # checked together, as a run reads them
    alone = [p for p in _unique(named.of_kind(FileKind.WAIVERS)) if not _among(p, in_folders)]
    batches = [(in_folders, report.rulebook)]
    batches += [([path], beside.rulebook_for(path, report)) for path in alone]
    for files, rules in batches:
        if not files:
            continue
        # Names are not checked against rule files with errors: the failing one may have them.
        waivers = load_waivers(files, None if rules.errors else rules.agreements)
        report.waivers += len(waivers.waivers)
        report.diagnostics.extend(waivers.diagnostics)
    scenario_files = find_targets(named.rule_sources).scenario_files if named.rule_sources else []
    scenario_files += named.of_kind(FileKind.SCENARIOS)
    for path in _unique(scenario_files):
        report.scenario_files += 1
        rules = beside.rulebook_for(path, report)
        by_id = {agreement.agreement: agreement for agreement in rules.agreements}
        try:
            load_scenario_file(path, by_id, rule_files_complete=not rules.errors)
        except InputError as error:
            report.diagnostics.extend(error.diagnostics)
    report.diagnostics.extend(_catalogue_problems(named, report))
    _check_notifications(named, report)
    for path in _unique(named.of_kind(FileKind.MAPPING)):
        report.mapping_files += 1
        try:
            load_mapping(path)
        except InputError as error:
            report.diagnostics.extend(error.diagnostics)
    return report


@dataclass(slots=True)
class _NamedFiles:
    """The paths given, sorted by kind: folders and rule files are loaded as a rulebook."""

    rule_sources: list[str] = field(default_factory=list)  # folders, rule files, missing paths
    has_folder: bool = False
    others: dict[FileKind, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Sequence[str]) -> _NamedFiles:
        named = cls()
        for path in paths:
            kind = file_kind(path) if os.path.isfile(path) else FileKind.RULES
            named.has_folder = named.has_folder or os.path.isdir(path)
            if kind is FileKind.RULES:
                named.rule_sources.append(path)
            else:
                named.others.setdefault(kind, []).append(path)
        return named

    def of_kind(self, kind: FileKind) -> list[str]:
        return list(self.others.get(kind, []))


class _RulesBeside:
    """The rule files a waivers or scenario file is checked against: the rulebook when it has
    the file's folder, else the rule files in the file's folder, loaded for that alone (their
    problems are not this file's: `validate FOLDER` lists them, and a note says so)."""

    def __init__(self, named: _NamedFiles, rulebook: Rulebook) -> None:
        self._folders = {
            _folder(path): rulebook for path in named.rule_sources if os.path.isdir(path)
        }
        self._loaded_here = set(self._folders)

    def rulebook_for(self, path: str, report: ValidationReport) -> Rulebook:
        folder = os.path.dirname(os.path.normpath(path)) or os.curdir
        key = _folder(folder)
        if key not in self._folders:
            self._folders[key] = load_rulebook([folder])
        rulebook = self._folders[key]
        if rulebook.errors and key not in self._loaded_here:
            report.extra_notes.append(
                f"{path} was checked against the rule files in {folder} that load; some have "
                f"errors ('contract-checker validate {folder}' lists them)"
            )
        return rulebook


def _catalogue_problems(named: _NamedFiles, report: ValidationReport) -> list[Diagnostic]:
    """Problems in each fact-type catalogue named on its own, unless the rulebook read it."""
    read = report.rulebook.catalogue
    problems: list[Diagnostic] = []
    for path in _unique(named.of_kind(FileKind.FACT_TYPES)):
        report.fact_type_files += 1
        if read is not None and _folder(read) == _folder(path):
            continue  # loaded with the rule files: its problems are listed already
        try:
            load_fact_catalogue(path)
        except InputError as error:
            problems.extend(error.diagnostics)
    return problems


def _check_notifications(named: _NamedFiles, report: ValidationReport) -> None:
    """Problems in each notifications file named; the agreements, clauses and owners it names
    are checked against the rule files only when a rules folder was given (a commit's changed
    rule files alone are not all the agreements)."""
    paths = _unique(named.of_kind(FileKind.NOTIFICATIONS))
    if not paths:
        return
    # Imported here: validating rule files alone never loads the alerts (or Slack's client).
    from checker.alerts.rule_references import check_notifications  # noqa: PLC0415

    complete = named.has_folder and not report.rulebook.errors
    for path in paths:
        report.notifications_files += 1
        agreements = report.rulebook.agreements if complete else None
        report.diagnostics.extend(check_notifications(path, agreements))
        if not complete:
            report.extra_notes.append(
                f"the agreements, clauses and owners {path} names were not checked against "
                "rule files: name the rules folder too (validate rules/ " + path + ")"
            )


def _among(path: str, paths: Sequence[str]) -> bool:
    return _folder(path) in {_folder(other) for other in paths}


def _unique(paths: Sequence[str]) -> list[str]:
    """`paths` once each (by normalised path), in order."""
    seen: dict[str, str] = {}
    for path in paths:
        seen.setdefault(os.path.normpath(path), path)
    return list(seen.values())


def _folder(path: str) -> str:
    """A file or folder compared as a place: normalised and absolute."""
    return os.path.normcase(os.path.abspath(path))


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
