"""The command line as a user meets it: exit codes, output formats, help, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.findings.exit_codes import ExitCode
from tests.helpers import GLOBEX_EXCLUSIVITY

RULE_FILE = (
    GLOBEX_EXCLUSIVITY
    + """\
  - id: "9.3"
    title: Incident notice
    kind: response_time
    after: {fact: incident.detected}
    expect: {fact: notice.sent}
    match_on: [incident]
    within: 72h
"""
)

BREACH = '{"id": "d1", "type": "deal.closed", "at": "2026-02-10T10:00:00Z", "partner": "us", "territory": "DE", "channel": "direct"}'
OPEN_INCIDENT = '{"id": "i1", "type": "incident.detected", "at": "2026-11-21T10:00:00Z", "partner": "globex", "incident": "X"}'
NOISE = '{"id": "n1", "type": "web.visit", "at": "2026-03-01", "partner": "globex"}'


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(RULE_FILE)
    return tmp_path


def _facts(workspace: Path, *lines: str) -> str:
    path = workspace / "facts.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _run(workspace: Path, facts: str, *extra: str) -> int:
    return main(
        [
            "run",
            "--rules",
            str(workspace / "rules"),
            "--facts",
            facts,
            "--as-of",
            "2026-11-22",
            *extra,
        ]
    )


def test_breach_exits_1_and_prints_table_with_summary(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(workspace, _facts(workspace, BREACH, OPEN_INCIDENT, NOISE))
    out = capsys.readouterr().out
    assert code == ExitCode.FINDINGS
    assert "globex-reseller-2025" in out
    assert "d1" in out
    assert "1 agreements, 2 clauses" in out
    assert "Facts: 3 read, 3 accepted, 0 rejected" in out
    assert "1 read by no clause" in out
    assert "Findings: 1 breach, 0 trigger, 1 deadline, 0 error, 0 unknown." in out


def test_only_a_deadline_exits_0_unless_fail_on_deadline(workspace: Path) -> None:
    facts = _facts(workspace, OPEN_INCIDENT)
    assert _run(workspace, facts) == ExitCode.OK
    assert _run(workspace, facts, "--fail-on", "deadline") == ExitCode.FINDINGS


def test_no_facts_at_all_exits_0(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(workspace, _facts(workspace, NOISE)) == ExitCode.OK
    assert "No findings." in capsys.readouterr().out


def test_bad_fact_lines_are_reported_and_the_run_completes_with_4(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(
        workspace,
        _facts(workspace, BREACH, "{not json", '{"id": "x", "type": "a.b"}'),
        "--format",
        "json",
    )
    captured = capsys.readouterr()
    assert code == ExitCode.INVALID_FACTS
    document = json.loads(captured.out)
    assert [f["subject"] for f in document["findings"]] == ["d1"]
    assert document["summary"]["facts"]["rejected"] == 2
    assert "facts.jsonl:2: rejected:" in captured.err
    assert "facts.jsonl:3: rejected:" in captured.err
    assert "Traceback" not in captured.err


def test_missing_fact_file_exits_4(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(workspace, str(workspace / "nope.jsonl")) == ExitCode.INVALID_FACTS
    assert "nope.jsonl" in capsys.readouterr().err


def test_invalid_rule_file_exits_3_with_position(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "rules" / "broken.yaml").write_text(
        RULE_FILE.replace("territory: [DE", "teritory: [DE").replace(
            "globex-reseller-2025", "other"
        )
    )
    code = _run(workspace, _facts(workspace, BREACH))
    err = capsys.readouterr().err
    assert code == ExitCode.INVALID_RULES
    assert "broken.yaml:11:5" in err
    assert "teritory" in err
    assert "did you mean 'territory'" in err


def test_validate_reports_every_file(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(workspace / "rules")]) == ExitCode.OK
    assert "OK: 1 agreement, 2 clauses." in capsys.readouterr().out
    (workspace / "rules" / "a.yaml").write_text("agreement: a\n")
    (workspace / "rules" / "b.yaml").write_text("agreement: [b\n")
    assert main(["validate", str(workspace / "rules")]) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert "a.yaml:1:1" in err
    assert "b.yaml:" in err


def test_usage_errors_exit_2(workspace: Path) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["run", "--facts", "x", "--as-of", "2026-13-01"])
    assert raised.value.code == ExitCode.USAGE
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])
    assert raised.value.code == ExitCode.USAGE


@pytest.mark.parametrize("command", ["run", "validate"])
def test_every_subcommand_help_has_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main([command, "--help"])
    assert raised.value.code == 0
    assert "example:\n  contract-checker " + command in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("contract-checker 0.")


def test_csv_output_to_file_is_spreadsheet_safe(workspace: Path) -> None:
    evil = BREACH.replace('"d1"', '"=HYPERLINK(1)"')
    output = workspace / "out.csv"
    assert _run(workspace, _facts(workspace, evil), "--format", "csv", "--output", str(output)) == 1
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert rows[0]["subject"] == "'=HYPERLINK(1)"


def test_jsonl_has_one_finding_per_line_with_fingerprint(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(workspace, _facts(workspace, BREACH, OPEN_INCIDENT), "--format", "jsonl")
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["kind"] for r in records] == ["breach", "deadline"]
    assert all(len(r["fingerprint"]) == 20 for r in records)


def test_identical_input_gives_byte_identical_output_whatever_the_order(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(workspace, _facts(workspace, BREACH, OPEN_INCIDENT, NOISE), "--format", "json")
    first = capsys.readouterr().out
    _run(workspace, _facts(workspace, NOISE, OPEN_INCIDENT, BREACH), "--format", "json")
    second = capsys.readouterr().out
    assert first.replace("facts.jsonl:3", "L").replace("facts.jsonl:1", "L") == second.replace(
        "facts.jsonl:1", "L"
    ).replace("facts.jsonl:3", "L")
    _run(workspace, _facts(workspace, BREACH, OPEN_INCIDENT, NOISE), "--format", "json")
    assert capsys.readouterr().out == first
