"""`contract-checker schema`: write the JSON Schemas of the files authors write (rule, scenario,
waivers, fact-type and notifications files), generated from the models."""

from __future__ import annotations

import argparse
import os
import sys

from checker.authoring.schema_names import SCHEMA_DIRECTORY, SCHEMA_FILE_TYPES, schema_path
from checker.findings.exit_codes import ExitCode

SCHEMA_EXAMPLE = f"""\
examples:
  contract-checker schema --output {schema_path("agreement")}
  contract-checker schema --file-type waivers --output {schema_path("waivers")}
  contract-checker schema --all --output-dir {SCHEMA_DIRECTORY}/

file types and the files they describe:
{chr(10).join(f"  {file_type:<13} {describes}" for file_type, describes in SCHEMA_FILE_TYPES.items())}

Files that start with a line naming their schema, e.g. in rules/
  # yaml-language-server: $schema=../{schema_path("agreement")}
  # yaml-language-server: $schema=../{schema_path("scenarios")}
get suggestions and checks as you type in editors with YAML support (VS Code: Red Hat YAML).

exit codes: 0 written, 2 usage, or an output file cannot be written"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="write the JSON Schemas of the files authors write (rules, scenarios, waivers, ...)",
        description="Write the JSON Schema (draft 2020-12) of a kind of file authors write, "
        "generated from the models: every field, with descriptions and examples. Without "
        "--file-type, the schema of rule files.",
        epilog=SCHEMA_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--file-type",
        choices=list(SCHEMA_FILE_TYPES),
        default=None,
        help="which kind of file (default: agreement, i.e. rule files)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the schema here (default: stdout)")
    parser.add_argument(
        "--all",
        action="store_true",
        help="write every schema, each to its own file in --output-dir",
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        default=None,
        help=f"with --all: the directory to write them to (default: {SCHEMA_DIRECTORY}/)",
    )


def main(args: argparse.Namespace) -> ExitCode:
    from checker.authoring.schema_registry import SCHEMA_FILES

    if args.all and (args.file_type is not None or args.output is not None):
        return _schema_usage(
            "--all writes every schema, each to its own file: give the directory with "
            f"--output-dir, e.g. 'contract-checker schema --all --output-dir {SCHEMA_DIRECTORY}/'"
        )
    if args.output_dir is not None and not args.all:
        return _schema_usage(
            "--output-dir goes with --all; for one schema give the file with --output, e.g. "
            f"'contract-checker schema --file-type waivers --output {schema_path('waivers')}'"
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
    from checker.common.text_output import write_atomically

    if output is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        write_atomically(output, text)
    except OSError as error:
        print(f"cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return ExitCode.USAGE
    return ExitCode.OK
