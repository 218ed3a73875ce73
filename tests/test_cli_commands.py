"""The command line's structure: one module per command, and parsing that imports nothing heavy.

The names the parser offers (report formats, schema file types) live in light modules apart from
the code they name; these tests keep the two in step, and check in a fresh interpreter which
modules building and using the parser load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import checker.authoring.schema_registry
from checker.authoring.schema_names import SCHEMA_FILE_TYPES, schema_path
from checker.cli import COMMANDS, build_parser, main
from checker.findings.exit_codes import ExitCode
from checker.report.formatters import FORMATTERS
from checker.report.names import REPORT_FORMATS, ReportTarget, parse_target

PROJECT = Path(__file__).resolve().parent.parent

# Everything `import checker.cli` and building the parser may load of the project.
PARSE_TIME_MODULES = {
    "checker",
    "checker.cli",
    "checker.commands",
    "checker.commands.arguments",
    "checker.commands.diff",
    "checker.commands.explain",
    "checker.commands.run",
    "checker.commands.schema",
    "checker.commands.state",
    "checker.commands.test",
    "checker.commands.validate",
    "checker.findings.exit_codes",
    "checker.findings.model",
    "checker.facts.model",
    "checker.report.names",
    "checker.authoring.schema_names",
    "checker.common.suggest",
    "checker.common.terminal",
    "checker.common.installation",
    "checker.dates.timeutil",
    # The packages of those modules: each `__init__` is a docstring and imports nothing.
    "checker.authoring",
    "checker.common",
    "checker.dates",
    "checker.facts",
    "checker.findings",
    "checker.report",
}

# Printed by a fresh interpreter after it ran the Python given before it: the project's modules
# loaded, and the top-level packages loaded that are neither the standard library nor the project.
LOADED_MODULES = """
import json, sys
project = sorted(name for name in sys.modules if name.split(".")[0] == "checker")
others = sorted(
    {
        top
        for top in (name.split(".")[0] for name in sys.modules)
        if top not in sys.stdlib_module_names and top != "checker" and not top.startswith("_")
        and top not in {"sitecustomize", "usercustomize"}
    }
)
print(json.dumps({"project": project, "others": others}))
"""


def _loaded_after(code: str) -> dict[str, list[str]]:
    completed = subprocess.run(
        [sys.executable, "-c", code + LOADED_MODULES],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, list[str]] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


def test_the_report_format_names_are_the_formatters() -> None:
    assert list(REPORT_FORMATS) == list(FORMATTERS)
    assert list(REPORT_FORMATS) == [
        "table",
        "json",
        "jsonl",
        "csv",
        "markdown",
        "html",
        "ics",
        "junit",
    ]


def test_the_schema_names_are_the_schemas_built() -> None:
    assert list(SCHEMA_FILE_TYPES) == [
        "agreement",
        "scenarios",
        "waivers",
        "fact-types",
        "notifications",
    ]
    assert list(checker.authoring.schema_registry.SCHEMA_FILES) == list(SCHEMA_FILE_TYPES)
    # A builder without a name would never be written: every builder is named.
    assert set(checker.authoring.schema_registry._BUILDERS) == set(SCHEMA_FILE_TYPES)
    waivers = checker.authoring.schema_registry.SCHEMA_FILES["waivers"]
    assert waivers.describes == "the waivers file: rules/waivers.yaml"
    assert waivers.path == schema_path("waivers") == "schema/waivers.schema.json"
    assert waivers.file_name == "waivers.schema.json"


def test_a_report_target_is_read_without_the_formatters() -> None:
    assert parse_target("html:out/report.html", REPORT_FORMATS) == ReportTarget(
        "html", "out/report.html"
    )
    with pytest.raises(ValueError, match="unknown format 'pdf'; the formats are csv, html, ics"):
        parse_target("pdf:out/report.pdf", REPORT_FORMATS)


def test_the_commands_in_help_order() -> None:
    assert list(COMMANDS) == ["run", "validate", "test", "schema", "state", "explain", "diff"]
    for name, command in COMMANDS.items():
        assert command.__name__ == f"checker.commands.{name}"


def test_each_command_parses_its_own_options() -> None:
    parser = build_parser()
    run = parser.parse_args(
        ["run", "--facts", "f.jsonl", "--report", "ics:d.ics", "--horizon", "7"]
    )
    assert (run.command, run.facts, run.horizon) == ("run", ["f.jsonl"], 7)
    assert run.report == [ReportTarget("ics", "d.ics")]
    state = parser.parse_args(["state", "--state", "s.sqlite", "--runs", "3"])
    assert (state.command, state.state, state.runs) == ("state", "s.sqlite", 3)
    schema = parser.parse_args(["schema", "--file-type", "fact-types"])
    assert (schema.command, schema.file_type, schema.all) == ("schema", "fact-types", False)


def test_parsing_imports_no_heavy_module() -> None:
    loaded = _loaded_after(
        "from checker.cli import build_parser\n"
        "build_parser().parse_args(['run', '--facts', 'x.jsonl', '--as-of', '2026-11-22', "
        "'--format', 'json', '--report', 'html:out/report.html'])\n"
    )
    assert set(loaded["project"]) == PARSE_TIME_MODULES
    assert loaded["others"] == []


def test_validate_imports_neither_reports_nor_alerts() -> None:
    loaded = _loaded_after(
        "import contextlib, io\n"
        "from checker.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    assert main(['validate', 'rules/']) == 0\n"
    )
    project = set(loaded["project"])
    assert "checker.authoring.validate" in project
    # The report package's names (light) are loaded to parse the command line; no formatter is.
    assert {name for name in project if name.startswith("checker.report")} == {
        "checker.report",
        "checker.report.names",
    }
    assert not {name for name in project if name.startswith(("checker.alerts", "checker.state"))}
    assert "checker.evaluation.run" not in project
    assert {"slack_sdk", "icalendar"} & set(loaded["others"]) == set()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["run", "--facts", "x.jsonl", "--horizon", "²"],
            "argument --horizon: --horizon must be a whole number of days, got '²'",
        ),
        (
            ["state", "--state", "s.sqlite", "--runs", "²"],
            "argument --runs: expected a whole number of at least 1, got '²'",
        ),
    ],
)
def test_a_superscript_digit_is_not_a_number(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(arguments)
    assert raised.value.code == ExitCode.USAGE
    assert capsys.readouterr().err.endswith(f"error: {message}\n")
