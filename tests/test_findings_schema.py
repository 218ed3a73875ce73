"""The output contract: schema/findings.schema.json describes the json and jsonl reports.

The demo is run through the real command line and every output is validated with jsonschema;
the kinds the demo does not produce (an error finding) and the optional parts (history with
--state, snoozes with --notify, rejected fact lines) are validated too. Every object of the
schema is closed, so a field the reports gain without the schema fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from checker.cli import main
from checker.commands.schema import render_schema
from checker.findings.model import FindingKind
from checker.report.findings_schema import FINDINGS_SCHEMA_VERSION, build_findings_schema
from checker.report.json_formats import as_json, as_jsonl
from tests.report_runs import demo_run, hostile_facts, with_error, with_history

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "findings.schema.json"
DEMO = ["--rules", "rules/", "--facts", "fixtures/demo/", "--as-of", "2026-11-22", "--workers", "1"]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def demo_json() -> str:
    return _cli("run", *DEMO, "--format", "json")


def _cli(*arguments: str, cwd: Path = ROOT) -> str:
    """stdout of `contract-checker ARGUMENTS` in a subprocess (exit 0 or 1: findings)."""
    completed = subprocess.run(
        [sys.executable, "-m", "checker", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode in (0, 1), completed.stderr
    return completed.stdout


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == render_schema("findings")
    assert render_schema("findings").endswith("}\n")


def test_schema_names_its_version() -> None:
    schema = build_findings_schema()
    assert f"/{FINDINGS_SCHEMA_VERSION}/" in schema["$id"]
    assert FINDINGS_SCHEMA_VERSION in schema["title"]
    assert schema["$defs"]["report"]["properties"]["schema_version"] == {
        "const": FINDINGS_SCHEMA_VERSION,
        "description": "The version of this output contract",
    }
    assert schema["$defs"]["finding"]["properties"]["kind"]["enum"] == [
        "breach",
        "trigger",
        "deadline",
        "error",
        "unknown",
    ]


def test_demo_json_report_follows_the_schema(
    validator: Draft202012Validator, demo_json: str
) -> None:
    document = json.loads(demo_json)
    assert _errors(validator, document) == []
    assert document["schema_version"] == FINDINGS_SCHEMA_VERSION
    kinds = {finding["kind"] for finding in document["findings"]}
    assert {"breach", "trigger", "deadline", "unknown"} <= kinds  # error: see below
    assert document["waivers"]["waived"]  # waived findings, with their waiver
    assert document["waivers"]["expired"]


def test_demo_jsonl_report_follows_the_schema(
    validator: Draft202012Validator, demo_json: str
) -> None:
    lines = _cli("run", *DEMO, "--format", "jsonl").splitlines()
    document = json.loads(demo_json)
    # One line per finding, the waived ones included.
    assert len(lines) == len(document["findings"]) + len(document["waivers"]["waived"]) > 40
    for line in lines:
        assert _errors(validator, json.loads(line)) == [], line
    statuses = {(json.loads(line)["waiver"] or {}).get("status") for line in lines}
    assert statuses == {None, "waived", "expired"}


def test_demo_with_state_and_notify_follows_the_schema(
    validator: Draft202012Validator, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    options = ["--state", str(state), "--notify", "notifications.example.yaml", "--dry-run"]
    document = json.loads(_cli("run", *DEMO, *options, "--format", "json"))
    assert _errors(validator, document) == []
    reported = len(document["findings"]) + len(document["waivers"]["waived"])
    assert document["history"]["counts"]["new"] == reported
    assert any(finding["snooze"] is not None for finding in document["findings"])
    for line in _cli("run", *DEMO, *options, "--format", "jsonl").splitlines():
        record = json.loads(line)
        assert "snooze" in record
        assert _errors(validator, record) == []


def test_error_findings_history_and_rejected_lines_follow_the_schema(
    validator: Draft202012Validator, tmp_path: Path
) -> None:
    with with_history(with_error(demo_run(hostile_facts(tmp_path / "facts")))) as result:
        document = json.loads(as_json(result))
        lines = [json.loads(line) for line in as_jsonl(result)]
    assert _errors(validator, document) == []
    assert FindingKind.ERROR.value in {finding["kind"] for finding in document["findings"]}
    assert document["fact_errors"]
    assert document["history"]["resolved"]
    assert document["history"]["stale"][0]["stale_reason"]
    for record in lines:
        assert _errors(validator, record) == []
    assert {record["kind"] for record in lines} == {kind.value for kind in FindingKind}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["findings"][0].update(kind="warning"), "findings/0/kind"),
        (lambda d: d["findings"][0].update(extra=1), "findings/0"),
        (lambda d: d["findings"][0].pop("fingerprint"), "findings/0"),
        (lambda d: d.update(schema_version="2.0"), "schema_version"),
        (lambda d: d["summary"]["findings"].pop("unknown"), "summary/findings"),
    ],
)
def test_schema_rejects_what_the_reports_never_write(
    validator: Draft202012Validator, demo_json: str, change: Any, where: str
) -> None:
    document = json.loads(demo_json)
    change(document)
    errors = _errors(validator, document)
    assert errors
    assert any(error.startswith(f"{where}:") for error in errors), errors


def test_cli_writes_the_findings_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--findings"]) == 0
    assert capsys.readouterr().out == SCHEMA.read_text(encoding="utf-8")
    target = tmp_path / "findings.schema.json"
    assert main(["schema", "--file-type", "findings", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8")
