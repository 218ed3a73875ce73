"""Command line: `contract-checker run | validate | test | explain | schema | state | diff`, one exit
code each.

This module builds the parser from the command modules in `checker.commands` and calls the one
named. Parsing imports only light modules (each command imports its own heavy modules when it
runs), so `--version`, `--help` and a usage error answer at once. Whatever goes wrong inside a
command ends in one line on stderr and `ExitCode.INTERNAL_ERROR` (70), never a traceback and
never exit 1, which schedulers read as "findings".
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Protocol, cast

from checker import __version__
from checker.commands import diff, explain, run, schema, state, test, validate
from checker.common.installation import EngineNotLoadable
from checker.common.terminal import guarded_streams, terminal_safe
from checker.findings.exit_codes import ExitCode


class Command(Protocol):
    """What a module of `checker.commands` provides."""

    def add_parser(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        """Add the command's parser, with its options and help, to `subparsers`."""

    def main(self, args: argparse.Namespace) -> ExitCode:
        """Do the command's work with the parsed options; the exit code."""


# By name, in the order `contract-checker --help` lists them.
COMMANDS: dict[str, Command] = {
    "run": run,
    "validate": validate,
    "test": test,
    "schema": schema,
    "state": state,
    "explain": explain,
    "diff": diff,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="contract-checker",
        description="Check partnership agreements (YAML rule files) against activity facts.",
        epilog="example:\n  contract-checker run --rules rules/ --facts fixtures/demo/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"contract-checker {__version__}")
    # Each command's parser is a _Parser too (argparse makes them of the parent's class); the
    # commands need only know it is an ArgumentParser.
    subparsers = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )
    for command in COMMANDS.values():
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # A closed or broken standard output or error (`>&-`, `2>&-`, `| head`) drops what is
    # written to it and changes nothing else: the exit code is the command's own.
    with guarded_streams():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    level = getattr(args, "log_level", None) or (
        "info"
        if getattr(args, "verbose", False)
        else "error"
        if getattr(args, "quiet", False)
        else "warning"
    )
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(COMMANDS[args.command].main(args))
    except EngineNotLoadable as error:
        sys.stderr.write(f"contract-checker: {error} exit code {int(ExitCode.INTERNAL_ERROR)}\n")
        return int(ExitCode.INTERNAL_ERROR)
    except Exception as error:  # the one place that turns any failure into an exit code
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        where = " (--log-level debug shows where)" if hasattr(args, "log_level") else ""
        named = terminal_safe(f"{type(error).__name__}: {error}")
        sys.stderr.write(
            f"contract-checker: internal error ({named}): this is a bug, please report it{where};"
            f" exit code {int(ExitCode.INTERNAL_ERROR)}\n"
        )
        return int(ExitCode.INTERNAL_ERROR)
