"""`contract-checker validate`: check every file in a rules folder and list every problem with
file:line:col, without evaluating anything."""

from __future__ import annotations

import argparse
import sys

from checker.findings.exit_codes import ExitCode

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


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check rule files and report every problem with file:line:col",
        description="Load every rule file, report every problem in every file, and check each "
        "agreement compiles within the engine's limits.",
        epilog=VALIDATE_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="count warnings as failures too (exit code 3)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only what fails: errors (and warnings with --strict), no notes, no OK line",
    )
    parser.add_argument(
        "--fact-types",
        metavar="FILE",
        help="catalogue of known fact types and their fields "
        "(default: fact-types.yaml in the rules directory)",
    )
    parser.add_argument(
        "--notifications",
        metavar="FILE",
        help="check this notifications file (run --notify) too, and the agreements, clauses "
        "and owners it names",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["rules/"],
        metavar="PATH",
        help="rule files or directories (default: rules/)",
    )


def main(args: argparse.Namespace) -> ExitCode:
    from checker.authoring.validate import count, validate_paths

    report = validate_paths(args.paths, args.fact_types)
    if args.notifications is not None:
        from checker.alerts.rule_references import check_notifications

        report.diagnostics.extend(
            check_notifications(args.notifications, report.rulebook.agreements)
        )
    from checker.common.diagnostics import Level

    for diagnostic in report.diagnostics:
        if args.quiet and diagnostic.level is Level.WARNING and not args.strict:
            continue
        print(diagnostic.render(), file=sys.stderr)
    for note in [] if args.quiet else report.notes:
        print(f"note: {note}", file=sys.stderr)
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f"{count(errors, 'error')}, {count(warnings, 'warning')}"
    if errors:
        print(f"FAILED: {counts}.", file=sys.stderr)
        return ExitCode.INVALID_RULES
    if warnings and args.strict:
        print(f"FAILED: {counts} (--strict counts warnings as failures).", file=sys.stderr)
        return ExitCode.INVALID_RULES
    if args.quiet:
        return ExitCode.OK
    summary = f"OK: {report.checked()}"
    print(f"{summary}; {count(warnings, 'warning')}." if warnings else f"{summary}.")
    return ExitCode.OK
