"""`contract-checker schema`: write the JSON Schemas of the files authors write (rule, scenario,
waivers, fact-type and notifications files), generated from the models; and of the run's own
input and output contracts: the column mapping (`--mapping`) and the json/jsonl findings
(`--findings`)."""

from __future__ import annotations

import argparse
import os
import sys

from checker.authoring.schema_names import (
    SCHEMA_DIRECTORY,
    SCHEMA_FILE_TYPES,
    schema_file_name,
    schema_path,
)
from checker.findings.exit_codes import ExitCode

# The schemas of what `run` reads and writes besides authored files: file type -> what it
# describes. Written by --all after the authored ones.
RUN_SCHEMA_TYPES: dict[str, str] = {
    "mapping": "the column mapping of run --mapping FILE",
    "findings": "the json and jsonl reports of run (the output contract)",
}
ALL_SCHEMA_TYPES: dict[str, str] = {**SCHEMA_FILE_TYPES, **RUN_SCHEMA_TYPES}

SCHEMA_EXAMPLE = f"""\
examples:
  contract-checker schema --output {schema_path("agreement")}
  contract-checker schema --file-type waivers --output {schema_path("waivers")}
  contract-checker schema --findings --output {schema_path("findings")}
  contract-checker schema --all --output-dir {SCHEMA_DIRECTORY}/

file types and the files they describe:
{chr(10).join(f"  {file_type:<13} {describes}" for file_type, describes in ALL_SCHEMA_TYPES.items())}

Files that start with a line naming their schema, e.g. in rules/
  # yaml-language-server: $schema=../{schema_path("agreement")}
  # yaml-language-server: $schema=../{schema_path("scenarios")}
get suggestions and checks as you type in editors with YAML support (VS Code: Red Hat YAML).

The findings schema is versioned: the json report names its version in "schema_version".

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
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--file-type",
        choices=list(ALL_SCHEMA_TYPES),
        default=None,
        help="which kind of file (default: agreement, i.e. rule files)",
    )
    which.add_argument(
        "--findings",
        action="store_const",
        const="findings",
        dest="file_type",
        help="the schema of run's json and jsonl reports (same as --file-type findings)",
    )
    which.add_argument(
        "--mapping",
        action="store_const",
        const="mapping",
        dest="file_type",
        help="the schema of a run --mapping file (same as --file-type mapping)",
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
        help=f"with --all: the directory to write them to, created if missing "
        f"(default: {SCHEMA_DIRECTORY}/)",
    )


def main(args: argparse.Namespace) -> ExitCode:
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
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as error:
            print(f"cannot create {directory}: {error.strerror or error}", file=sys.stderr)
            return ExitCode.USAGE
        for file_type in ALL_SCHEMA_TYPES:
            path = os.path.join(directory, schema_file_name(file_type))
            written = _write_schema(render_schema(file_type), path)
            if written is not ExitCode.OK:
                return written
        return ExitCode.OK
    return _write_schema(render_schema(args.file_type or "agreement"), args.output)


def render_schema(file_type: str) -> str:
    """The schema of `file_type` (any of ALL_SCHEMA_TYPES) as committed in schema/."""
    from checker.authoring.schema import render_json

    if file_type == "findings":
        from checker.report.findings_schema import build_findings_schema

        return render_json(build_findings_schema())
    if file_type == "mapping":
        from checker.facts.mapping_schema import build_mapping_schema

        return render_json(build_mapping_schema())
    from checker.authoring.schema_registry import SCHEMA_FILES

    return SCHEMA_FILES[file_type].render()


def _schema_usage(problem: str) -> ExitCode:
    print(f"contract-checker schema: {problem}", file=sys.stderr)
    return ExitCode.USAGE


def _write_schema(text: str, output: str | None) -> ExitCode:
    from checker.common.text_output import write_atomically

    if output is None:
        sys.stdout.write(text)
        return ExitCode.OK
    try:
        # Like --output-dir, a folder that is not there yet is made (schema/ in a new repo).
        os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
        write_atomically(output, text)
    except OSError as error:
        print(f"cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return ExitCode.USAGE
    return ExitCode.OK
