"""`contract-checker run`: evaluate every agreement against the facts, write the reports, and
with `--state` and `--notify` remember the night and tell chat."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from checker.commands import arguments
from checker.common.terminal import terminal_safe
from checker.dates.timeutil import epoch_of_date
from checker.findings.exit_codes import FAIL_ON_CHOICES, ExitCode, exit_code
from checker.report.names import REPORT_FORMATS, ReportTarget, parse_target

if TYPE_CHECKING:
    from checker.commands.notify import RunAlerts
    from checker.common.diagnostics import Diagnostic
    from checker.state import StateStore

MAX_PRINTED_FACT_ERRORS = 100
# Standard input among the fact paths, and the ways it can be read: as checker.facts.inputs
# names them (not imported here, so that parsing stays light; a test keeps them in step).
STDIN = "-"
STDIN_FORMATS = ("jsonl", "csv")

RUN_EXAMPLE = """\
example:
  contract-checker run --rules rules/ --facts fixtures/demo/ --as-of 2026-11-22
  contract-checker run --facts exports/*.jsonl --format json --output findings.json
  cat facts.jsonl | contract-checker run --facts - --horizon 60 --fail-on trigger
  crm-export --csv | contract-checker run --facts - --facts-format csv --quiet
  contract-checker run --facts exports/ --format csv --csv-bom --output findings.csv
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
cannot tell: its agreement failed to evaluate, it is unknown tonight for missing data, an
input it rested on is missing, or its clause was removed). Rerunning the latest night is
safe; an earlier night is refused.
'contract-checker state --state FILE' lists the recorded runs.

alerts: with --notify FILE (and --state), each receiver of the notifications file gets one
digest in Slack, Teams or a JSON webhook: new breaches and rights triggered, deadlines at
their reminder lead times, findings resolved, and every few days the count of open findings.
Messages go through an outbox in the state file: retried, never lost; a run killed while a
message is on its way sends it again on the next run (the generic webhook's delivery id
header lets a receiver drop the copy).
--dry-run prints what would be sent. Example: notifications.example.yaml.
  contract-checker run --facts exports/ --state state.sqlite --notify notifications.yaml

exit codes: 0 nothing to report, 1 findings at/above --fail-on, 2 usage (or a report
            file could not be written), 3 invalid rule or waivers files,
            4 unreadable or invalid fact lines,
            5 an alert could not be delivered, or waits for the next run (findings and
              reports are written first),
            6 --state file in use by another run, written by a newer version, already
              past this night, damaged or not writable (nothing is evaluated, nothing
              changed in it); or it could not be updated (the findings are still written,
              without statuses),
            70 internal error (a bug): one line on stderr, never a traceback"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="evaluate agreements against facts and report findings",
        description="Evaluate every agreement against the facts and report breaches, "
        "triggered rights, upcoming deadlines and errors.",
        epilog=RUN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--rules",
        nargs="+",
        default=["rules/"],
        metavar="PATH",
        help="rule files or directories (default: rules/)",
    )
    parser.add_argument(
        "--facts",
        nargs="+",
        required=True,
        metavar="PATH",
        help="JSONL/CSV fact files or directories; - reads stdin (JSON lines, or CSV with "
        "--facts-format csv)",
    )
    parser.add_argument(
        "--facts-format",
        choices=STDIN_FORMATS,
        default=None,
        help="how to read standard input (--facts -): jsonl (the default) or csv, with its "
        "header line; files are read by their suffix",
    )
    parser.add_argument(
        "--as-of",
        type=arguments.as_of,
        default=None,
        metavar="WHEN",
        help="evaluate as of this date or instant (default: today 00:00 UTC)",
    )
    parser.add_argument(
        "--known-as-of",
        type=_known_as_of,
        default=None,
        metavar="WHEN",
        help="replay what was known then: fact lines whose recorded_at is after this date "
        "(00:00 UTC) or instant are ignored, as if not yet exported (default: every line)",
    )
    parser.add_argument(
        "--complete-through",
        type=arguments.complete_through,
        action="append",
        default=[],
        metavar="FEED=WHEN",
        help="a feed's data is complete through this date or instant (repeatable; overrides "
        "feeds.yaml beside the exports; default: its latest fact). Past it, what rests on missing "
        "facts is unknown",
    )
    arguments.add_horizon(parser, "report deadlines due within this many days")
    parser.add_argument(
        "--format",
        choices=sorted(REPORT_FORMATS),
        default="table",
        help="output format (default: table)",
    )
    parser.add_argument("--output", metavar="FILE", help="write findings here (default: stdout)")
    parser.add_argument(
        "--csv-bom",
        action="store_true",
        help="start the csv report with a UTF-8 byte-order mark, so that Excel on Windows reads "
        "accented names right",
    )
    parser.add_argument(
        "--report",
        action="append",
        default=[],
        type=_report_target,
        metavar="FORMAT:PATH",
        help="also write a report in this format to this file; repeatable, e.g. "
        "--report html:out/report.html --report ics:out/deadlines.ics",
    )
    arguments.add_evaluation_options(parser)
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="breach",
        help="least urgent finding kind that makes the exit code 1, in the order breach, "
        "trigger, unknown, deadline (default: breach; errors always count; unknown findings, "
        "whose data is missing, only from 'unknown')",
    )
    waiver_options = parser.add_mutually_exclusive_group()
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
    parser.add_argument(
        "--state",
        metavar="FILE",
        default=None,
        help="remember runs and findings across nights in this SQLite file (created if missing): "
        "findings are reported as new, open, resolved or stale",
    )
    parser.add_argument(
        "--notify",
        metavar="FILE",
        default=None,
        help="send each receiver of this notifications file (Slack, Teams, JSON webhook) a digest "
        "of what is new, coming up and resolved; needs --state",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="with --notify: print on stderr what would be sent; send nothing, record nothing",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only errors on stderr: no warnings (rule files, waivers, snoozes), no "
        "progress, no alert tallies unless a delivery failed; logs at 'error' unless --log-level",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each phase's duration and memory"
    )
    parser.add_argument(
        "--log-level",
        choices=arguments.LOG_LEVELS,
        default=None,
        help="how much to log to stderr (default: warning; info with -v)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show facts read and agreements evaluated on stderr "
        "(default: only when stderr is a terminal)",
    )


def _known_as_of(text: str) -> int:
    try:
        return arguments.as_of(text)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(str(error).replace("--as-of", "--known-as-of")) from None


def _report_target(text: str) -> ReportTarget:
    try:
        return parse_target(text, REPORT_FORMATS)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _report_targets(args: argparse.Namespace) -> list[ReportTarget]:
    """The --format/--output report first, then each --report, in the order given."""
    return [ReportTarget(args.format, args.output), *args.report]


def main(args: argparse.Namespace) -> ExitCode:
    from checker.commands.notify import prepare as prepare_alerts
    from checker.report.targets import target_problems
    from checker.state import StateError, StateStore

    targets = _report_targets(args)
    problem = _usage_problem(args, targets)
    if problem is not None:
        _say(problem)
        return ExitCode.USAGE
    if args.facts_format is not None:
        from checker.facts.inputs import stdin_path

        args.facts = [stdin_path(args.facts_format) if p == STDIN else p for p in args.facts]
    as_of = args.as_of
    if as_of is None:
        as_of = epoch_of_date(datetime.now(tz=UTC).date())
    unwritable = target_problems(targets)
    if unwritable:
        for problem in unwritable:
            _say(problem)
        return ExitCode.USAGE
    alerts = prepare_alerts(args.notify, args.dry_run, args.state, as_of)
    if isinstance(alerts, ExitCode):
        return alerts
    if args.state is None:
        return _run_and_report(args, targets, as_of, None)
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
        code = _run_and_report(args, targets, as_of, store, alerts)
        store.finish_run(code)
        return code


def _say(problem: str) -> None:
    """A problem with the command line or a report's output, on stderr."""
    print(terminal_safe(f"contract-checker run: {problem}"), file=sys.stderr)


def _usage_problem(args: argparse.Namespace, targets: list[ReportTarget]) -> str | None:
    """Options that do not go together, in words; None when they do."""
    if args.facts_format is not None and STDIN not in args.facts:
        return (
            "--facts-format says how to read standard input, and no --facts is '-': files are "
            "read by their suffix (.csv, else JSON lines), e.g. 'cat export.csv | "
            "contract-checker run --facts - --facts-format csv'"
        )
    if args.csv_bom and all(target.format != "csv" for target in targets):
        return (
            "--csv-bom goes with a csv report: add --format csv or --report csv:PATH, e.g. "
            "'--report csv:out/findings.csv --csv-bom'"
        )
    if args.quiet and args.verbose:
        return "--quiet and --verbose ask for opposite things: give one of them"
    return None


def _looks_like_csv_on_stdin(args: argparse.Namespace, fact_errors: list[Diagnostic]) -> bool:
    """Standard input was read as JSON lines and its first line was not JSON: likely CSV."""
    return STDIN in args.facts and any(
        d.location == "<stdin>:1" and d.message.startswith("not JSON") for d in fact_errors
    )


def _run_and_report(
    args: argparse.Namespace,
    targets: list[ReportTarget],
    as_of: int,
    store: StateStore | None,
    alerts: RunAlerts | None = None,
) -> ExitCode:
    from checker.common.diagnostics import InputError
    from checker.common.progress import Progress
    from checker.evaluation.run import RuleFilesInvalid, run
    from checker.facts.mapping import load_mapping
    from checker.report.csv_format import as_csv_with_bom
    from checker.report.formatters import FORMATTERS
    from checker.report.summary import data_warnings, summary_dict
    from checker.report.targets import write_targets
    from checker.state import StateError

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
            Progress.for_stream(sys.stderr, False if args.quiet else args.progress),
            dict(args.complete_through),
            args.known_as_of,
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
        formatters = {**FORMATTERS, "csv": as_csv_with_bom} if args.csv_bom else FORMATTERS
        not_written = write_targets(result, targets, formatters, sys.stdout)
        for problem in not_written:
            _say(problem)
        warnings = [] if args.quiet else [*result.rule_warnings, *result.waivers.warnings()]
        for warning in warnings:
            print(warning.render(), file=sys.stderr)
        table_shown = any(t.format == "table" and t.path is None for t in targets)
        if not args.quiet and not table_shown:
            # A missing feed, a clause that read nothing: in a scheduler's log too.
            for line in data_warnings(summary_dict(result.summary)):
                print(terminal_safe(line), file=sys.stderr)
        for diagnostic in result.fact_errors[:MAX_PRINTED_FACT_ERRORS]:
            print(
                terminal_safe(f"{diagnostic.location}: rejected: {diagnostic.message}"),
                file=sys.stderr,
            )
        if _looks_like_csv_on_stdin(args, result.fact_errors):
            print(
                "help: standard input is read as JSON lines; if it is CSV, add --facts-format csv",
                file=sys.stderr,
            )
        hidden = len(result.fact_errors) - MAX_PRINTED_FACT_ERRORS
        if hidden > 0:
            print(
                f"... and {hidden} more rejected lines (all are listed in --format json)",
                file=sys.stderr,
            )
        delivery_failed = (
            alerts.send(result, store, quiet=args.quiet)
            if alerts is not None and store is not None
            else False
        )
        if not_recorded is not None:
            return ExitCode.STATE_REFUSED
        if not_written:
            return ExitCode.USAGE
        return exit_code(
            result.summary.findings_by_kind, len(result.fact_errors), args.fail_on, delivery_failed
        )
