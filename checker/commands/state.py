"""`contract-checker state`: the runs recorded in a `run --state` file, and its findings by
status."""

from __future__ import annotations

import argparse
import sys

from checker.commands import arguments
from checker.findings.exit_codes import ExitCode


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "state",
        help="list the runs recorded in a --state file and its findings by status",
        description="List the most recent runs recorded in a state file (as-of night, outcome, "
        "exit code, wall time, facts read, findings by kind and by status) and how many "
        "findings are new, open, resolved and stale now. Reads without waiting for a run.",
        epilog="example:\n  contract-checker state --state /var/lib/contract-checker/state.sqlite"
        "\n\nexit codes: 0 listed, 2 usage, 6 no state file there, or not one this version reads",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--state", metavar="FILE", required=True, help="the file given to 'run --state'"
    )
    parser.add_argument(
        "--runs",
        type=arguments.positive,
        default=20,
        metavar="N",
        help="how many recent runs to list (default: 20)",
    )


def main(args: argparse.Namespace) -> ExitCode:
    from checker.report.history import runs_table
    from checker.state import StateError, recent_runs

    try:
        runs, totals = recent_runs(args.state, args.runs)
    except StateError as error:
        print(error.render(), file=sys.stderr)
        return ExitCode.STATE_REFUSED
    sys.stdout.write(runs_table(args.state, runs, totals))
    return ExitCode.OK
