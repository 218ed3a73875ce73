"""`contract-checker explain`: an agreement in plain English with every date its clauses imply,
or a clause kind's documentation (`--kind`)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from checker.commands import arguments
from checker.dates.timeutil import epoch_of_date
from checker.findings.exit_codes import ExitCode

EXPLAIN_EXAMPLE = """\
example:
  contract-checker explain rules/umbrella-codev.yaml
  contract-checker explain rules/vandelay-consulting.yaml --as-of 2026-11-22 --horizon 60
  contract-checker explain --kind milestones

Each date is marked past (before the as-of date), upcoming (within the horizon) or later.
Dates that depend on an event (a default notice, an incident) are given as rules, e.g.
"cure ends 30 days after the default notice date".

exit codes: 0 explained, 2 usage (or an unknown --kind), 3 invalid rule file"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="show an agreement's clauses in plain English with every date they imply",
        description="Print an agreement for checking against the contract text: its term, its "
        "business-day calendar, and each clause in plain English with the dates it implies "
        "(windows, due dates, cure periods, period ends, amendments). With --kind, print a "
        "clause kind's documentation and example instead.",
        epilog=EXPLAIN_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="RULE_FILE", help="the rule file(s) to explain")
    parser.add_argument(
        "--kind", metavar="KIND", help="print a clause kind's documentation, e.g. milestones"
    )
    parser.add_argument(
        "--as-of",
        type=arguments.as_of,
        default=None,
        metavar="WHEN",
        help="mark dates relative to this date (default: today)",
    )
    arguments.add_horizon(parser, "dates up to this many days after --as-of are upcoming")


def main(args: argparse.Namespace) -> ExitCode:
    if (args.kind is None) == (not args.paths):
        print(
            "contract-checker explain: give either a rule file or --kind KIND, e.g."
            " 'contract-checker explain rules/globex-reseller.yaml'",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if args.kind is not None:
        from checker.authoring.kind_docs import UnknownKind
        from checker.authoring.kind_docs_terminal import render_kind

        try:
            text = render_kind(args.kind)
        except UnknownKind as error:
            print(f"contract-checker explain: {error}", file=sys.stderr)
            return ExitCode.USAGE
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return ExitCode.OK
    from checker.authoring.explain import explain_agreement
    from checker.rulebook.loading import load_rulebook

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
