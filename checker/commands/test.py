"""`contract-checker test`: run the scenarios written next to the rule files (*.test.yaml)."""

from __future__ import annotations

import argparse

from checker.findings.exit_codes import ExitCode

TEST_EXAMPLE = """\
example:
  contract-checker test                  # every rules/*.test.yaml
  contract-checker test rules/globex-reseller.test.yaml
  contract-checker test rules/ --strict-coverage

A scenario file rules/<name>.test.yaml holds examples for rules/<name>.yaml: facts, the
day to check them on, and the findings that must (expect) and must not (expect_not) appear.

exit codes: 0 every scenario passed, 1 a scenario failed (or, with --strict-coverage,
            a clause or agreement has no scenario), 3 invalid rule or scenario files"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the scenarios written next to the rule files (*.test.yaml)",
        description="Run every scenario in the scenario files (rules/<name>.test.yaml): evaluate "
        "its facts as of its date and check the findings it expects and forbids. Reports a diff "
        "for each failing scenario and the clauses no scenario exercises.",
        epilog=TEST_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["rules/"],
        metavar="PATH",
        help="scenario files, rule files or directories (default: rules/)",
    )
    parser.add_argument(
        "--strict-coverage",
        action="store_true",
        help="fail when a clause or an agreement has no scenario",
    )


def main(args: argparse.Namespace) -> ExitCode:
    from checker.scenarios import run_scenario_tests

    return run_scenario_tests(args.paths, args.strict_coverage)
