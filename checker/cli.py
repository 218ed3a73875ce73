"""Command line: `contract-checker run | validate | test | explain | schema | state`, one exit code
each."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from checker import __version__
from checker.alerts.command import RunAlerts
from checker.alerts.command import prepare as prepare_alerts
from checker.alerts.config import check_notifications
from checker.diagnostics import InputError
from checker.exitcodes import FAIL_ON_CHOICES, ExitCode, exit_code
from checker.explain import explain_agreement
from checker.fact_input import load_mapping
from checker.kind_docs import UnknownKind, render_kind
from checker.progress import Progress
from checker.report import FORMATTERS, write_atomically
from checker.report.history import runs_table
from checker.report.targets import ReportTarget, parse_target, target_problems, write_targets
from checker.rulebook import load_rulebook
from checker.run import RuleFilesInvalid, run
from checker.scenarios import run_scenario_tests
from checker.schema_registry import SCHEMA_DIRECTORY, SCHEMA_FILES
from checker.state import StateError, StateStore, recent_runs
from checker.timeutil import epoch_of_date, parse_instant
from checker.validate import count, validate_paths

MAX_PRINTED_FACT_ERRORS = 100
LOG_LEVELS = ("debug", "info", "warning", "error")

RUN_EXAMPLE = """\
example:
  contract-checker run --rules rules/ --facts fixtures/demo/ --as-of 2026-11-22
  contract-checker run --facts exports/*.jsonl --format json --output findings.json
  cat facts.jsonl | contract-checker run --facts - --horizon 60 --fail-on trigger
  contract-checker run --facts exports/ --waivers legal/waivers-2026.yaml
  contract-checker run --facts exports/ --state /var/lib/contract-checker/state.sqlite
  contract-checker run --facts exports/ --report html:out/report.html \\
      --report ics:out/deadlines.ics --report junit:out/junit.xml

reports: --format/--output writes one report (default: a table on standard output);
each --report FORMAT:PATH writes one more, to a file. Formats: table, json, jsonl, csv,
markdown, html (a page for people), ics (deadlines for calendars), junit (CI dashboards).
Files are written atomically (readers see the old file or the whole new one), and are
checked before the run starts.

waivers: approved exceptions (agreement, clause, optional subject and code, reason,
approved_by, expires) are read from a waivers.yaml in each --rules directory, unless
--waivers or --no-waivers is given. Waived findings are listed apart and do not count
towards the exit code; error findings are never waived; expired and unused waivers are
reported (and warned about on stderr).

state: with --state, the run is recorded in that SQLite file and each finding is shown as
new, open (since its first night), resolved or stale (not reported tonight, but tonight
cannot tell: its agreement failed to evaluate, an input it rested on is missing, or its
clause was removed). Rerunning the latest night is safe; an earlier night is refused.
'contract-checker state --state FILE' lists the recorded runs.

alerts: with --notify FILE (and --state), each receiver of the notifications file gets one
digest in Slack, Teams or a JSON webhook: new breaches and rights triggered, deadlines at
their reminder lead times, findings resolved, and every few days the count still open.
Messages go through an outbox in the state file: retried, never sent twice, never lost.
--dry-run prints what would be sent. Example: notifications.example.yaml.
  contract-checker run --facts exports/ --state state.sqlite --notify notifications.yaml

exit codes: 0 nothing to report, 1 findings at/above --fail-on, 2 usage (or a report
            file could not be written), 3 invalid rule or waivers files,
            4 unreadable or invalid fact lines,
            5 an alert could not be delivered, or waits for the next run (findings and
              reports are written first),
            6 --state file in use by another run, written by a newer version, already
              past this night, or not updated (nothing is changed in it)"""

VALIDATE_EXAMPLE = """\
example:
  contract-checker validate rules/
  contract-checker validate rules/globex-reseller.yaml
  contract-checker validate --strict --fact-types exports/fact-types.yaml rules/
  contract-checker validate rules/ --notifications notifications.yaml

Errors (the file cannot be used as written) and warnings (it can, but check it: an
unknown fact type or field, a date partly outside the agreement's term) are listed
with file:line:column and a help line; warnings fail the run only with --strict.

exit codes: 0 no errors (warnings allowed unless --strict), 3 problems found (all are listed)"""

TEST_EXAMPLE = """\
example:
  contract-checker test                  # every rules/*.test.yaml
  contract-checker test rules/globex-reseller.test.yaml
  contract-checker test rules/ --strict-coverage

A scenario file rules/<name>.test.yaml holds examples for rules/<name>.yaml: facts, the
day to check them on, and the findings that must (expect) and must not (expect_not) appear.

exit codes: 0 every scenario passed, 1 a scenario failed (or, with --strict-coverage,
            a clause or agreement has no scenario), 3 invalid rule or scenario files"""

EXPLAIN_EXAMPLE = """\
example:
  contract-checker explain rules/umbrella-codev.yaml
  contract-checker explain rules/vandelay-consulting.yaml --as-of 2026-11-22 --horizon 60
  contract-checker explain --kind milestones

Each date is marked past (before the as-of date), upcoming (within the horizon) or later.
Dates that depend on an event (a default notice, an incident) are given as rules, e.g.
"cure ends 30 days after the default notice date".

exit codes: 0 explained, 2 usage (or an unknown --kind), 3 invalid rule file"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(ExitCode.USAGE)


def _as_of(text: str) -> int:
    try:
        return parse_instant(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"invalid --as-of '{text}': {error}") from None


def _horizon(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"--horizon must be a whole number of days, got '{text}'")
    return int(text)


def _report_target(text: str) -> ReportTarget:
    try:
        return parse_target(text, FORMATTERS)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _report_targets(args: argparse.Namespace) -> list[ReportTarget]:
    """The --format/--output report first, then each --report, in the order given."""
    return [ReportTarget(args.format, args.output), *args.report]


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="contract-checker",
        description="Check partnership agreements (YAML rule files) against activity facts.",
        epilog="example:\n  contract-checker run --rules rules/ --facts fixtures/demo/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"contract-checker {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_parser = commands.add_parser(
        "run",
        help="evaluate agreements against facts and report findings",
        description="Evaluate every agreement against the facts and report breaches, "
        "triggered rights, upcoming deadlines and errors.",
        epilog=RUN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run_parser.add_argument(
        "--rules",
        nargs="+",
        default=["rules/"],
        metavar="PATH",
        help="rule files or directories (default: rules/)",
    )
    run_parser.add_argument(
        "--facts",
        nargs="+",
        required=True,
        metavar="PATH",
        help="JSONL/CSV fact files or directories; - reads stdin",
    )
    run_parser.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="WHEN",
        help="evaluate as of this date or instant (default: today 00:00 UTC)",
    )
    run_parser.add_argument(
        "--horizon",
        type=_horizon,
        default=30,
        metavar="DAYS",
        help="report deadlines due within this many days (default: 30)",
    )
    run_parser.add_argument(
        "--format",
        choices=sorted(FORMATTERS),
        default="table",
        help="output format (default: table)",
    )
    run_parser.add_argument(
        "--output", metavar="FILE", help="write findings here (default: stdout)"
    )
    run_parser.add_argument(
        "--report",
        action="append",
        default=[],
        type=_report_target,
        metavar="FORMAT:PATH",
        help="also write a report in this format to this file; repeatable, e.g. "
        "--report html:out/report.html --report ics:out/deadlines.ics",
    )
    run_parser.add_argument(
        "--mapping",
        metavar="FILE",
        help="YAML mapping of export columns and values onto fact fields",
    )
    run_parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="breach",
        help="least urgent finding kind that makes the exit code 1 "
        "(default: breach; errors always count)",
    )
    run_parser.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="worker processes evaluating agreements (default: one per available core)",
    )
    waiver_options = run_parser.add_mutually_exclusive_group()
    waiver_options.add_argument(
        "--waivers",
        action="extend",
        nargs="+",
        default=None,
        metavar="FILE",
        help="waivers file(s); may be repeated (default: waivers.yaml in each --rules directory, "
        "if there is one)",
    )
    waiver_options.add_argument(
        "--no-waivers",
        action="store_const",
        const=[],
        dest="waivers",
        help="apply no waivers: report every finding",
    )
    run_parser.add_argument(
        "--state",
        metavar="FILE",
        default=None,
        help="remember runs and findings across nights in this SQLite file (created if missing): "
        "findings are reported as new, open, resolved or stale",
    )
    run_parser.add_argument(
        "--notify",
        metavar="FILE",
        default=None,
        help="send each receiver of this notifications file (Slack, Teams, JSON webhook) a digest "
        "of what is new, coming up and resolved; needs --state",
    )
    run_parser.add_argument(
        "--dry-run",
        action="store_true",
        help="with --notify: print on stderr what would be sent; send nothing, record nothing",
    )
    run_parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each phase's duration and memory"
    )
    run_parser.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=None,
        help="how much to log to stderr (default: warning; info with -v)",
    )
    run_parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show facts read and agreements evaluated on stderr "
        "(default: only when stderr is a terminal)",
    )

    validate_parser = commands.add_parser(
        "validate",
        help="check rule files and report every problem with file:line:col",
        description="Load every rule file, report every problem in every file, and check each "
        "agreement compiles within the engine's limits.",
        epilog=VALIDATE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate_parser.add_argument(
        "--strict",
        action="store_true",
        help="count warnings as failures too (exit code 3)",
    )
    validate_parser.add_argument(
        "--fact-types",
        metavar="FILE",
        help="catalogue of known fact types and their fields "
        "(default: fact-types.yaml in the rules directory)",
    )
    validate_parser.add_argument(
        "--notifications",
        metavar="FILE",
        help="check this notifications file (run --notify) too, and the agreements, clauses "
        "and owners it names",
    )
    validate_parser.add_argument(
        "paths",
        nargs="*",
        default=["rules/"],
        metavar="PATH",
        help="rule files or directories (default: rules/)",
    )

    test_parser = commands.add_parser(
        "test",
        help="run the scenarios written next to the rule files (*.test.yaml)",
        description="Run every scenario in the scenario files (rules/<name>.test.yaml): evaluate "
        "its facts as of its date and check the findings it expects and forbids. Reports a diff "
        "for each failing scenario and the clauses no scenario exercises.",
        epilog=TEST_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    test_parser.add_argument(
        "paths",
        nargs="*",
        default=["rules/"],
        metavar="PATH",
        help="scenario files, rule files or directories (default: rules/)",
    )
    test_parser.add_argument(
        "--strict-coverage",
        action="store_true",
        help="fail when a clause or an agreement has no scenario",
    )

    schema_parser = commands.add_parser(
        "schema",
        help="write the JSON Schemas of rule, scenario, waivers and fact-type files",
        description="Write the JSON Schema (draft 2020-12) of a kind of file authors write, "
        "generated from the models: every field, with descriptions and examples. Without "
        "--file-type, the schema of rule files.",
        epilog=SCHEMA_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema_parser.add_argument(
        "--file-type",
        choices=list(SCHEMA_FILES),
        default=None,
        help="which kind of file (default: agreement, i.e. rule files)",
    )
    schema_parser.add_argument(
        "--output", metavar="FILE", help="write the schema here (default: stdout)"
    )
    schema_parser.add_argument(
        "--all",
        action="store_true",
        help="write every schema, each to its own file in --output-dir",
    )
    schema_parser.add_argument(
        "--output-dir",
        metavar="DIR",
        default=None,
        help=f"with --all: the directory to write them to (default: {SCHEMA_DIRECTORY}/)",
    )

    state_parser = commands.add_parser(
        "state",
        help="list the runs recorded in a --state file and its findings by status",
        description="List the most recent runs recorded in a state file (as-of night, outcome, "
        "exit code, wall time, facts read, findings by kind and by status) and how many "
        "findings are new, open, resolved and stale now. Reads without waiting for a run.",
        epilog="example:\n  contract-checker state --state /var/lib/contract-checker/state.sqlite"
        "\n\nexit codes: 0 listed, 2 usage, 6 no state file there, or not one this version reads",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    state_parser.add_argument(
        "--state", metavar="FILE", required=True, help="the file given to 'run --state'"
    )
    state_parser.add_argument(
        "--runs",
        type=_positive,
        default=20,
        metavar="N",
        help="how many recent runs to list (default: 20)",
    )

    explain_parser = commands.add_parser(
        "explain",
        help="show an agreement's clauses in plain English with every date they imply",
        description="Print an agreement for checking against the contract text: its term, its "
        "business-day calendar, and each clause in plain English with the dates it implies "
        "(windows, due dates, cure periods, period ends, amendments). With --kind, print a "
        "clause kind's documentation and example instead.",
        epilog=EXPLAIN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    explain_parser.add_argument(
        "paths", nargs="*", metavar="RULE_FILE", help="the rule file(s) to explain"
    )
    explain_parser.add_argument(
        "--kind", metavar="KIND", help="print a clause kind's documentation, e.g. milestones"
    )
    explain_parser.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="WHEN",
        help="mark dates relative to this date (default: today)",
    )
    explain_parser.add_argument(
        "--horizon",
        type=_horizon,
        default=30,
        metavar="DAYS",
        help="dates up to this many days after --as-of are upcoming (default: 30)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = getattr(args, "log_level", None) or (
        "info" if getattr(args, "verbose", False) else "warning"
    )
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "explain":
        return int(_explain(args))
    if args.command == "validate":
        return int(_validate(args.paths, args.fact_types, args.strict, args.notifications))
    if args.command == "test":
        return int(run_scenario_tests(args.paths, args.strict_coverage))
    if args.command == "schema":
        return int(_schema(args))
    if args.command == "state":
        return int(_state(args))
    return int(_run(args))


def _explain(args: argparse.Namespace) -> ExitCode:
    if (args.kind is None) == (not args.paths):
        print(
            "contract-checker explain: give either a rule file or --kind KIND, e.g."
            " 'contract-checker explain rules/globex-reseller.yaml'",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if args.kind is not None:
        try:
            text = render_kind(args.kind)
        except UnknownKind as error:
            print(f"contract-checker explain: {error}", file=sys.stderr)
            return ExitCode.USAGE
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return ExitCode.OK
    rulebook = load_rulebook(args.paths)
    for diagnostic in rulebook.diagnostics:
        print(diagnostic.render(), file=sys.stderr)
    if rulebook.errors:
        print(
            f"{len(rulebook.errors)} problem(s) in rule files; nothing explained.", file=sys.stderr
        )
        return ExitCode.INVALID_RULES
    as_of = args.as_of
    if as_of is None:
        as_of = epoch_of_date(datetime.now(tz=UTC).date())
    problems: list[str] = []
    for number, agreement in enumerate(rulebook.agreements):
        source = rulebook.sources[agreement.agreement]
        explained = explain_agreement(agreement, source, as_of, args.horizon)
        sys.stdout.write(("\n" if number else "") + explained.text)
        problems.extend(f"{source}: error: {problem}" for problem in explained.problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    return ExitCode.INVALID_RULES if problems else ExitCode.OK


def _validate(
    paths: list[str], fact_types: str | None, strict: bool, notifications: str | None = None
) -> ExitCode:
    report = validate_paths(paths, fact_types)
    if notifications is not None:
        report.diagnostics.extend(check_notifications(notifications, report.rulebook.agreements))
    for diagnostic in report.diagnostics:
        print(diagnostic.render(), file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f"{count(errors, 'error')}, {count(warnings, 'warning')}"
    if errors:
        print(f"FAILED: {counts}.", file=sys.stderr)
        return ExitCode.INVALID_RULES
    if warnings and strict:
        print(f"FAILED: {counts} (--strict counts warnings as failures).", file=sys.stderr)
        return ExitCode.INVALID_RULES
    summary = f"OK: {report.checked()}"
    print(f"{summary}; {count(warnings, 'warning')}." if warnings else f"{summary}.")
    return ExitCode.OK


def _run(args: argparse.Namespace) -> ExitCode:
    as_of = args.as_of
    if as_of is None:
        as_of = epoch_of_date(datetime.now(tz=UTC).date())
    unwritable = target_problems(_report_targets(args))
    if unwritable:
        for problem in unwritable:
            print(f"contract-checker run: {problem}", file=sys.stderr)
        return ExitCode.USAGE
    alerts = prepare_alerts(args.notify, args.dry_run, args.state, as_of)
    if isinstance(alerts, ExitCode):
        return alerts
    if args.state is None:
        return _run_and_report(args, as_of, None)
    try:
        # Locked before anything is read: a second run on the same file stops at once.
        store = StateStore.open(args.state)
    except StateError as refused:
        print(refused.render(), file=sys.stderr)
        return ExitCode.STATE_REFUSED
    with store:
        try:
            store.begin_run(as_of, args.horizon)
        except StateError as refused:
            print(refused.render(), file=sys.stderr)
            return ExitCode.STATE_REFUSED
        code = _run_and_report(args, as_of, store, alerts)
        store.finish_run(code)
        return code


def _run_and_report(
    args: argparse.Namespace,
    as_of: int,
    store: StateStore | None,
    alerts: RunAlerts | None = None,
) -> ExitCode:
    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
        result = run(
            args.rules,
            args.facts,
            as_of,
            args.horizon,
            mapping,
            args.workers,
            args.waivers,
            Progress.for_stream(sys.stderr, args.progress),
        )
    except RuleFilesInvalid as invalid:
        for diagnostic in invalid.rulebook.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        print(
            f"{len(invalid.rulebook.errors)} problem(s) in rule or waivers files; "
            "nothing evaluated.",
            file=sys.stderr,
        )
        return ExitCode.INVALID_RULES
    except InputError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        return ExitCode.INVALID_FACTS
    not_recorded: StateError | None = None
    with result:
        if store is not None:
            try:
                result.history = store.record(result)
            except StateError as error:  # the findings are still reported, without history
                not_recorded = error
                print(error.render(), file=sys.stderr)
        if alerts is not None:
            alerts.mark(result)
        not_written = write_targets(result, _report_targets(args), FORMATTERS, sys.stdout)
        for problem in not_written:
            print(f"contract-checker run: {problem}", file=sys.stderr)
        for warning in result.rule_warnings:
            print(warning.render(), file=sys.stderr)
        for warning in result.waivers.warnings():
            print(warning.render(), file=sys.stderr)
        for diagnostic in result.fact_errors[:MAX_PRINTED_FACT_ERRORS]:
            print(f"{diagnostic.location}: rejected: {diagnostic.message}", file=sys.stderr)
        hidden = len(result.fact_errors) - MAX_PRINTED_FACT_ERRORS
        if hidden > 0:
            print(
                f"... and {hidden} more rejected lines (all are listed in --format json)",
                file=sys.stderr,
            )
        delivery_failed = (
            alerts.send(result, store) if alerts is not None and store is not None else False
        )
        if not_recorded is not None:
            return ExitCode.STATE_REFUSED
        if not_written:
            return ExitCode.USAGE
        return exit_code(
            result.summary.findings_by_kind, len(result.fact_errors), args.fail_on, delivery_failed
        )


def _state(args: argparse.Namespace) -> ExitCode:
    try:
        runs, totals = recent_runs(args.state, args.runs)
    except StateError as error:
        print(error.render(), file=sys.stderr)
        return ExitCode.STATE_REFUSED
    sys.stdout.write(runs_table(args.state, runs, totals))
    return ExitCode.OK


SCHEMA_EXAMPLE = f"""\
examples:
  contract-checker schema --output {SCHEMA_FILES["agreement"].path}
  contract-checker schema --file-type waivers --output {SCHEMA_FILES["waivers"].path}
  contract-checker schema --all --output-dir {SCHEMA_DIRECTORY}/

file types and the files they describe:
{chr(10).join(f"  {schema.file_type:<13} {schema.describes}" for schema in SCHEMA_FILES.values())}

Files that start with a line naming their schema, e.g. in rules/
  # yaml-language-server: $schema=../{SCHEMA_FILES["agreement"].path}
  # yaml-language-server: $schema=../{SCHEMA_FILES["scenarios"].path}
get suggestions and checks as you type in editors with YAML support (VS Code: Red Hat YAML).

exit codes: 0 written, 2 usage, or an output file cannot be written"""


def _schema(args: argparse.Namespace) -> ExitCode:
    if args.all and (args.file_type is not None or args.output is not None):
        return _schema_usage(
            "--all writes every schema, each to its own file: give the directory with "
            f"--output-dir, e.g. 'contract-checker schema --all --output-dir {SCHEMA_DIRECTORY}/'"
        )
    if args.output_dir is not None and not args.all:
        return _schema_usage(
            "--output-dir goes with --all; for one schema give the file with --output, e.g. "
            f"'contract-checker schema --file-type waivers --output {SCHEMA_FILES['waivers'].path}'"
        )
    if args.all:
        directory = SCHEMA_DIRECTORY if args.output_dir is None else args.output_dir
        for schema in SCHEMA_FILES.values():
            written = _write_schema(schema.render(), os.path.join(directory, schema.file_name))
            if written is not ExitCode.OK:
                return written
        return ExitCode.OK
    schema = SCHEMA_FILES["agreement" if args.file_type is None else args.file_type]
    return _write_schema(schema.render(), args.output)


def _schema_usage(problem: str) -> ExitCode:
    print(f"contract-checker schema: {problem}", file=sys.stderr)
    return ExitCode.USAGE


def _write_schema(text: str, output: str | None) -> ExitCode:
    if output is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        write_atomically(output, text)
    except OSError as error:
        print(f"cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return ExitCode.USAGE
    return ExitCode.OK
