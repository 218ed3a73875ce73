"""Command line: `contract-checker run | validate`, mapping every outcome to one exit code."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from checker import __version__, engine
from checker.diagnostics import InputError
from checker.evaluate import compile_agreement
from checker.exitcodes import FAIL_ON_CHOICES, ExitCode, exit_code
from checker.fact_input import load_mapping
from checker.report import FORMATTERS, write_atomically, write_report
from checker.rulebook import load_rulebook
from checker.run import RuleFilesInvalid, run
from checker.timeutil import epoch_of_date, parse_instant

MAX_PRINTED_FACT_ERRORS = 100

RUN_EXAMPLE = """\
example:
  contract-checker run --rules rules/ --facts fixtures/demo/ --as-of 2026-11-22
  contract-checker run --facts exports/*.jsonl --format json --output findings.json
  cat facts.jsonl | contract-checker run --facts - --horizon 60 --fail-on trigger

exit codes: 0 nothing to report, 1 findings at/above --fail-on, 2 usage,
            3 invalid rule files, 4 unreadable or invalid fact lines"""

VALIDATE_EXAMPLE = """\
example:
  contract-checker validate rules/
  contract-checker validate rules/globex-reseller.yaml

exit codes: 0 all rule files valid, 3 problems found (all are listed)"""


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
    run_parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    validate_parser = commands.add_parser(
        "validate",
        help="check rule files and report every problem with file:line:col",
        description="Load every rule file, report every problem in every file, and check each "
        "agreement compiles within the engine's limits.",
        epilog=VALIDATE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate_parser.add_argument(
        "paths",
        nargs="*",
        default=["rules/"],
        metavar="PATH",
        help="rule files or directories (default: rules/)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "validate":
        return int(_validate(args.paths))
    return int(_run(args))


def _validate(paths: list[str]) -> ExitCode:
    rulebook = load_rulebook(paths)
    for diagnostic in rulebook.diagnostics:
        print(diagnostic.render(), file=sys.stderr)
    problems = len(rulebook.errors)
    for agreement in rulebook.agreements:
        # Compiled as of the effective date with no facts: catches clauses that cannot compile
        # and rule-side engine limits; limits that depend on facts are checked on every run.
        start = epoch_of_date(agreement.effective)
        compiled = compile_agreement(agreement, [], start, start)
        source = rulebook.sources[agreement.agreement]
        reasons = [f.message for f in compiled.errors] + engine.check_limits(compiled.program)
        for reason in reasons:
            print(f"{source}: error: {reason}", file=sys.stderr)
        problems += len(reasons)
    if problems:
        print(f"{problems} problem(s) found.", file=sys.stderr)
        return ExitCode.INVALID_RULES
    clauses = sum(len(a.clauses) for a in rulebook.agreements)
    print(f"OK: {len(rulebook.agreements)} agreements, {clauses} clauses.")
    return ExitCode.OK


def _run(args: argparse.Namespace) -> ExitCode:
    as_of = args.as_of
    if as_of is None:
        as_of = epoch_of_date(datetime.now(tz=UTC).date())
    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
        result = run(args.rules, args.facts, as_of, args.horizon, mapping, args.workers)
    except RuleFilesInvalid as invalid:
        for diagnostic in invalid.rulebook.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        print(
            f"{len(invalid.rulebook.errors)} problem(s) in rule files; nothing evaluated.",
            file=sys.stderr,
        )
        return ExitCode.INVALID_RULES
    except InputError as error:
        for diagnostic in error.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        return ExitCode.INVALID_FACTS
    with result:
        report = FORMATTERS[args.format](result)
        if args.output:
            write_atomically(args.output, report)
        else:
            write_report(report, sys.stdout)
        for diagnostic in result.fact_errors[:MAX_PRINTED_FACT_ERRORS]:
            print(f"{diagnostic.location}: rejected: {diagnostic.message}", file=sys.stderr)
        hidden = len(result.fact_errors) - MAX_PRINTED_FACT_ERRORS
        if hidden > 0:
            print(
                f"... and {hidden} more rejected lines (all are listed in --format json)",
                file=sys.stderr,
            )
        return exit_code(result.summary.findings_by_kind, len(result.fact_errors), args.fail_on)
