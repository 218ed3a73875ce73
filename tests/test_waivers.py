"""Waivers end to end: expiry day, subject/code/clause-wide matching, unused and expired waivers,
exit codes, errors in waivers files, the default waivers.yaml and every output format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.dates.timeutil import parse_instant
from checker.findings.exit_codes import ExitCode, exit_code
from checker.findings.model import Finding, FindingKind, Severity
from checker.rulebook.applying_waivers import AppliedWaivers
from checker.rulebook.waivers import Waiver
from tests.helpers import GLOBEX_EXCLUSIVITY

RULE_FILE = (
    GLOBEX_EXCLUSIVITY
    + """\
  - id: "5.2"
    title: Licensed seats
    kind: cap
    measure: {fact: usage.reported, field: seats}
    max: 250
  - id: "9.3"
    title: Incident notice
    kind: response_time
    after: {fact: incident.detected}
    expect: {fact: notice.sent}
    match_on: [incident]
    within: 72h
"""
)

# Two direct deals in Germany: two exclusivity breaches (4.1), subjects d1 and d2.
DEAL_1 = '{"id": "d1", "type": "deal.closed", "at": "2026-02-10T10:00:00Z", "partner": "us", "territory": "DE", "channel": "direct"}'
DEAL_2 = '{"id": "d2", "type": "deal.closed", "at": "2026-03-10T10:00:00Z", "partner": "us", "territory": "AT", "channel": "direct"}'
# A seat count that is not a number: the cap (5.2) cannot be checked, an error finding.
UNREADABLE_SEATS = '{"id": "u1", "type": "usage.reported", "at": "2026-04-01", "partner": "globex", "seats": "lots"}'


def waiver(
    clause: str = "4.1",
    subject: str | None = "d1",
    expires: str = "2026-12-31",
    **extra: str,
) -> str:
    """One waiver as a YAML list item (first line `  - agreement: ...`)."""
    lines = ["  - agreement: globex-reseller-2025", f'    clause: "{clause}"']
    if subject is not None:
        lines.append(f"    subject: {subject}")
    lines += [f"    {key}: {value}" for key, value in extra.items()]
    lines += [
        "    reason: Globex consented in writing",
        "    approved_by: Maria Weber",
        f"    expires: {expires}",
    ]
    return "\n".join(lines) + "\n"


def waivers_file(*items: str) -> str:
    return "waivers:\n" + "".join(items)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(RULE_FILE)
    (tmp_path / "facts.jsonl").write_text("\n".join([DEAL_1, DEAL_2]) + "\n")
    return tmp_path


def write_waivers(workspace: Path, text: str, name: str = "rules/waivers.yaml") -> Path:
    path = workspace / name
    path.write_text(text)
    return path


def run(workspace: Path, *extra: str, as_of: str = "2026-11-22") -> int:
    return main(
        [
            "run",
            "--rules",
            str(workspace / "rules"),
            "--facts",
            str(workspace / "facts.jsonl"),
            "--as-of",
            as_of,
            "--workers",
            "1",
            *extra,
        ]
    )


def run_json(
    workspace: Path, capsys: pytest.CaptureFixture[str], *extra: str, as_of: str = "2026-11-22"
) -> tuple[int, dict[str, Any], str]:
    code = run(workspace, "--format", "json", *extra, as_of=as_of)
    captured = capsys.readouterr()
    document: dict[str, Any] = json.loads(captured.out)
    return code, document, captured.err


def subjects(records: list[dict[str, Any]]) -> list[str]:
    return [record["subject"] for record in records]


# Expiry.


@pytest.mark.parametrize("as_of", ["2026-11-22", "2026-11-22T23:59:59Z"])
def test_on_the_expiry_day_the_finding_is_waived(
    workspace: Path, capsys: pytest.CaptureFixture[str], as_of: str
) -> None:
    write_waivers(workspace, waivers_file(waiver(subject="d1", expires="2026-11-22")))
    code, document, err = run_json(workspace, capsys, as_of=as_of)
    assert subjects(document["findings"]) == ["d2"]
    assert subjects(document["waivers"]["waived"]) == ["d1"]
    assert document["waivers"]["expired"] == []
    assert document["waivers"]["unused"] == []
    assert document["summary"]["waived"] == 1
    assert document["summary"]["findings"]["breach"] == 1
    assert code == ExitCode.FINDINGS  # d2 is not waived
    assert "warning" not in err


def test_the_day_after_expiry_the_finding_is_back_and_the_waiver_reported_expired(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_waivers(workspace, waivers_file(waiver(subject="d1", expires="2026-11-22")))
    code, document, err = run_json(workspace, capsys, as_of="2026-11-23")
    assert subjects(document["findings"]) == ["d1", "d2"]
    back = document["findings"][0]["waiver"]
    assert back["status"] == "expired"
    assert back["id"] == "W1"
    assert back["expires"] == "2026-11-22"
    assert document["findings"][1]["waiver"] is None
    assert document["waivers"]["waived"] == []
    [expired] = document["waivers"]["expired"]
    assert expired["id"] == "W1"
    assert expired["findings_reported_again"] == 1
    assert expired["source"] == f"{path}:2"
    assert document["summary"]["waived"] == 0
    assert document["summary"]["findings"]["breach"] == 2
    assert code == ExitCode.FINDINGS
    assert f"{path}:2:5: warning: waiver W1 (globex-reseller-2025 clause 4.1, subject d1) " in err
    assert "expired on 2026-11-22, before the as-of date 2026-11-23" in err
    assert "1 finding it covered is reported again" in err
    assert "help: if the exception still stands" in err


def test_an_expired_waiver_alone_does_not_change_the_exit_code(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "facts.jsonl").write_text("")
    write_waivers(workspace, waivers_file(waiver(expires="2026-01-31")))
    code, document, err = run_json(workspace, capsys)
    assert code == ExitCode.OK
    assert document["waivers"]["expired"][0]["findings_reported_again"] == 0
    assert "it covers no finding of this run" in err


# Matching.


def test_a_subject_waiver_covers_only_that_finding(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(workspace, waivers_file(waiver(subject="d2")))
    code, document, _ = run_json(workspace, capsys)
    assert subjects(document["findings"]) == ["d1"]
    assert subjects(document["waivers"]["waived"]) == ["d2"]
    assert code == ExitCode.FINDINGS


def test_a_clause_wide_waiver_covers_every_finding_of_the_clause_and_the_run_exits_0(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(workspace, waivers_file(waiver(subject=None)))
    code, document, _ = run_json(workspace, capsys)
    assert document["findings"] == []
    assert subjects(document["waivers"]["waived"]) == ["d1", "d2"]
    assert document["summary"]["findings"] == {
        "breach": 0,
        "trigger": 0,
        "deadline": 0,
        "error": 0,
        "unknown": 0,
    }
    assert document["summary"]["waived"] == 2
    assert code == ExitCode.OK


def test_the_most_specific_waiver_is_credited_and_both_count_as_used(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(
        workspace,
        waivers_file(waiver(subject=None, id="ALL-4.1"), waiver(subject="d2", id="ONLY-D2")),
    )
    code, document, _ = run_json(workspace, capsys)
    credited = {r["subject"]: r["waiver"]["id"] for r in document["waivers"]["waived"]}
    assert credited == {"d1": "ALL-4.1", "d2": "ONLY-D2"}
    assert document["waivers"]["unused"] == []
    assert code == ExitCode.OK


def test_a_code_narrows_the_waiver(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Incident i1 (1 March 10:00 + 72h) is never notified: due by 4 March 10:00, a
    # response_time.missed breach, which a waiver of 9.3's deadlines (response_time.due) does not
    # cover. (Another incident's notice on 5 March shows the notices reach past the due date.)
    with (workspace / "facts.jsonl").open("a") as facts:
        facts.write(
            '{"id": "i1", "type": "incident.detected", "at": "2026-03-01T10:00:00Z",'
            ' "partner": "globex", "incident": "X"}\n'
            '{"id": "n0", "type": "notice.sent", "at": "2026-03-05T00:00:00Z",'
            ' "partner": "globex", "incident": "W"}\n'
        )
    write_waivers(
        workspace,
        waivers_file(
            waiver(clause="9.3", subject=None, code="response_time.due", id="OTHER-CODE"),
            waiver(subject="d1", code="exclusivity.forbidden_activity", id="D1-CODE"),
        ),
    )
    code, document, _ = run_json(workspace, capsys)
    assert subjects(document["findings"]) == ["i1", "d2"]  # 4 March, then 10 March
    assert document["findings"][0]["code"] == "response_time.missed"
    assert [r["waiver"]["id"] for r in document["waivers"]["waived"]] == ["D1-CODE"]
    assert [w["id"] for w in document["waivers"]["unused"]] == ["OTHER-CODE"]
    assert code == ExitCode.FINDINGS


def test_an_unused_waiver_is_reported_and_does_not_change_the_exit_code(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_waivers(
        workspace,
        waivers_file(waiver(subject=None), waiver(clause="9.3", subject="SEC-1", id="W-9")),
    )
    code, document, err = run_json(workspace, capsys)
    [unused] = document["waivers"]["unused"]
    assert unused["id"] == "W-9"
    assert unused["clause"] == "9.3"
    assert unused["source"] == f"{path}:7"
    assert code == ExitCode.OK
    assert (
        f"{path}:7:5: warning: waiver W-9 (globex-reseller-2025 clause 9.3, subject SEC-1) "
        "matched no finding in this run" in err
    )


def test_an_error_finding_is_never_waived(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "facts.jsonl").write_text(UNREADABLE_SEATS + "\n")
    write_waivers(workspace, waivers_file(waiver(clause="5.2", subject=None)))
    code, document, err = run_json(workspace, capsys)
    [error] = document["findings"]
    assert (error["kind"], error["clause"], error["subject"]) == ("error", "5.2", "u1")
    assert error["waiver"] is None
    assert document["waivers"]["waived"] == []
    assert [w["clause"] for w in document["waivers"]["unused"]] == ["5.2"]  # errors match nothing
    assert code == ExitCode.FINDINGS
    assert "matched no finding" in err


def test_decide_never_waives_an_error_and_the_exit_code_ignores_waived_findings() -> None:
    def finding(kind: FindingKind, subject: str) -> Finding:
        return Finding(
            agreement="globex-reseller-2025",
            clause="5.2",
            clause_title="Licensed seats",
            kind=kind,
            code="cap.exceeded",
            severity=Severity.HIGH,
            date=date(2026, 4, 1),
            subject=subject,
            message="seats above the cap",
        )

    clause_wide = Waiver(
        id="W1",
        agreement="globex-reseller-2025",
        clause="5.2",
        subject=None,
        code=None,
        reason="tolerated",
        approved_by="legal",
        approved_on=None,
        expires=date(2026, 4, 30),
    )
    applied = AppliedWaivers([clause_wide], parse_instant("2026-04-30T23:59:59Z"))
    findings = [finding(FindingKind.BREACH, "u1"), finding(FindingKind.ERROR, "u2")]
    assert applied.decide(findings[0]).waived
    assert not applied.decide(findings[1]).waived
    assert applied.decide(findings[1]).waiver is None
    not_waived = applied.tally(findings)
    assert not_waived == {"error": 1}
    assert applied.waived == 1
    assert exit_code(not_waived, 0) == ExitCode.FINDINGS
    assert exit_code(applied.tally(findings[:1]), 0) == ExitCode.OK
    after_expiry = AppliedWaivers([clause_wide], parse_instant("2026-05-01"))
    assert after_expiry.decide(findings[0]).status == "expired"
    assert not after_expiry.decide(findings[0]).waived


# Where waivers are read.


def test_waivers_yaml_in_a_rules_directory_is_used_by_default(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(workspace, waivers_file(waiver(subject=None)))
    code, document, _ = run_json(workspace, capsys)
    assert document["summary"]["agreements"] == 1  # waivers.yaml is not an agreement
    assert document["summary"]["waived"] == 2
    assert code == ExitCode.OK
    code, document, _ = run_json(workspace, capsys, "--no-waivers")
    assert document["summary"]["waived"] == 0
    assert subjects(document["findings"]) == ["d1", "d2"]
    assert code == ExitCode.FINDINGS


def test_waivers_option_replaces_the_default_and_can_be_repeated(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(workspace, waivers_file(waiver(subject=None, id="DEFAULT")))
    first = write_waivers(workspace, waivers_file(waiver(subject="d1")), "first.yaml")
    second = write_waivers(workspace, waivers_file(waiver(subject="d2")), "second.yaml")
    code, document, _ = run_json(
        workspace, capsys, "--waivers", str(first), "--waivers", str(second)
    )
    ids = {r["subject"]: r["waiver"]["id"] for r in document["waivers"]["waived"]}
    assert ids == {"d1": "W1", "d2": "W2"}  # numbered across files in the order given
    assert code == ExitCode.OK


def test_the_help_says_where_waivers_are_read(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--waivers FILE" in text
    assert "waivers.yaml in each --rules directory" in text
    assert "error findings are never waived" in text


# Bad waivers files: exit 3, nothing evaluated.


def test_unknown_agreement_and_clause_are_positioned_errors_with_exit_3(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_waivers(
        workspace,
        "waivers:\n"
        "  - agreement: globex-resseller-2025\n"
        '    clause: "4.1"\n'
        "    reason: r\n"
        "    approved_by: a\n"
        "    expires: 2026-12-31\n"
        "  - agreement: globex-reseller-2025\n"
        '    clause: "41"\n'
        "    reason: r\n"
        "    approved_by: a\n"
        "    expires: 2026-12-31\n",
    )
    code = run(workspace)
    captured = capsys.readouterr()
    assert code == ExitCode.INVALID_RULES
    assert captured.out == ""
    assert (
        f"{path}:2:16: error: no rule file has the agreement 'globex-resseller-2025', so this "
        "waiver would never apply\n"
        "      - agreement: globex-resseller-2025\n"
        "                   ^\n"
        "  help: did you mean 'globex-reseller-2025'?"
    ) in captured.err
    assert (
        f"{path}:8:13: error: agreement 'globex-reseller-2025' has no clause '41', so this "
        "waiver would never apply"
    ) in captured.err
    assert "help: did you mean '4.1'?" in captured.err
    assert "2 problem(s) in rule or waivers files; nothing evaluated." in captured.err


def test_a_clause_with_no_close_match_lists_the_clauses(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(workspace, waivers_file(waiver(clause="annex-b")))
    assert run(workspace) == ExitCode.INVALID_RULES
    assert "help: its clauses are: 4.1, 5.2, 9.3, term" in capsys.readouterr().err


def test_mistakes_in_waiver_fields_are_all_reported_with_positions(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_waivers(
        workspace,
        "waivers:\n"
        "  - agreement: globex-reseller-2025\n"
        "    clause: 4.1\n"
        "    reason: r\n"
        "    approvd_by: a\n"
        "    expires: 2026-02-30\n"
        "  - agreement: globex-reseller-2025\n"
        '    clause: "4.1"\n'
        "    reason: r\n"
        "    approved_by: a\n"
        "    approved_on: 2026-06-01\n"
        "    expires: 2026-05-31\n",
    )
    assert run(workspace) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert f"{path}:3:13: error: expected text here, got the number 4.1" in err
    assert "help: put the value in quotes to make it text" in err
    assert f"{path}:5:5: error: unknown field 'approvd_by'" in err
    assert "help: did you mean 'approved_by'?" in err
    assert f"{path}:6:14: error: '2026-02-30' is not a valid date (use YYYY-MM-DD)" in err
    assert "help: February 2026 has 28 days" in err
    assert (
        f"{path}:7:5: error: the waiver expires (2026-05-31) before it was approved (2026-06-01)"
        in err
    )


def test_a_wrong_clause_is_reported_beside_a_field_mistake_in_another_waiver(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_waivers(
        workspace,
        "waivers:\n"
        "  - agreement: globex-reseller-2025\n"
        '    clause: "9.9"\n'
        "    reason: r\n"
        "    approved_by: a\n"
        "    expires: 2026-12-31\n"
        "  - agreement: globex-reseller-2025\n"
        '    clause: "4.1"\n'
        "    reason: r\n"
        "    approved_by: a\n"
        "    colour: red\n"
        "    expires: 2026-12-31\n",
    )
    assert run(workspace) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    # Both problems in one run, in the order of the file.
    wrong_clause = err.index(f"{path}:3:13: error: agreement 'globex-reseller-2025' has no clause")
    unknown_field = err.index(f"{path}:11:5: error: unknown field 'colour'")
    assert wrong_clause < unknown_field
    assert "2 problem(s) in rule or waivers files; nothing evaluated." in err


def test_an_id_used_twice_is_an_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_waivers(
        workspace,
        waivers_file(waiver(id="W1"), waiver(subject="d2")),  # the second is W2
    )
    assert run(workspace) == ExitCode.OK
    capsys.readouterr()
    path = write_waivers(workspace, waivers_file(waiver(subject="d2"), waiver(id="W1")))
    assert run(workspace) == ExitCode.INVALID_RULES
    assert (
        f"{path}:11:9: error: waiver id 'W1' is also used by the waiver at {path}:2"
        in capsys.readouterr().err
    )


def test_a_missing_waivers_file_is_an_error(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(workspace, "--waivers", str(workspace / "nope.yaml")) == ExitCode.INVALID_RULES
    assert "nope.yaml: error: cannot read file" in capsys.readouterr().err


def test_waivers_are_not_blamed_for_a_rule_file_that_failed_to_load(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "rules" / "globex.yaml").write_text(RULE_FILE.replace("title:", "titel:", 1))
    write_waivers(workspace, waivers_file(waiver()))
    assert run(workspace) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert "unknown field 'titel'" in err
    assert "no rule file has the agreement" not in err


# Output formats.


@pytest.fixture
def mixed(workspace: Path) -> Path:
    """d1 waived (W-D1), d2 back because W-D2 expired, W-93 unused."""
    write_waivers(
        workspace,
        waivers_file(
            waiver(subject="d1", id="W-D1"),
            waiver(subject="d2", id="W-D2", expires="2026-06-30"),
            waiver(clause="9.3", subject=None, id="W-93"),
        ),
    )
    return workspace


def test_table_shows_waived_expired_and_unused_sections(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(mixed) == ExitCode.FINDINGS  # d2 is back
    out = capsys.readouterr().out
    main_table, rest = out.split("Waived findings (1), not counted below:")
    assert "d2" in main_table
    assert "(waiver W-D2 expired on 2026-06-30)" in main_table
    assert "d1" not in main_table
    waived, rest = rest.split("Expired waivers (1): what they covered is reported again.")
    assert "d1" in waived
    assert "W-D1, approved by Maria Weber" in waived
    assert "until 2026-12-31" in waived
    assert "Globex consented in writing" in waived
    expired, rest = rest.split("Unused waivers (1): no finding in this run matched them.")
    assert "W-D2" in expired
    assert "W-93" in rest
    assert "Findings: 1 breach, 0 trigger, 0 deadline, 0 error, 0 unknown." in rest
    assert "Waivers: 1 findings waived; of 3 waivers, 1 expired and 1 unused." in rest


def test_jsonl_carries_each_findings_waiver(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(mixed, "--format", "jsonl")
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["subject"], r["waiver"]["status"], r["waiver"]["id"]) for r in records] == [
        ("d1", "waived", "W-D1"),
        ("d2", "expired", "W-D2"),
    ]
    assert records[0]["waiver"]["approved_by"] == "Maria Weber"
    assert records[0]["waiver"]["reason"] == "Globex consented in writing"


def test_csv_carries_waiver_columns(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(mixed, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["subject"], r["waiver_status"], r["waiver"], r["waiver_expires"]) for r in rows] == [
        ("d1", "waived", "W-D1", "2026-12-31"),
        ("d2", "expired", "W-D2", "2026-06-30"),
    ]
    assert rows[0]["waiver_approved_by"] == "Maria Weber"
    assert rows[0]["waiver_approved_on"] == ""


def test_json_has_a_waivers_object(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = run_json(mixed, capsys)
    assert code == ExitCode.FINDINGS
    waivers = document["waivers"]
    assert [(r["subject"], r["waiver"]["id"]) for r in waivers["waived"]] == [("d1", "W-D1")]
    assert [(w["id"], w["findings_reported_again"]) for w in waivers["expired"]] == [("W-D2", 1)]
    assert [w["id"] for w in waivers["unused"]] == ["W-93"]
    assert document["summary"]["waived"] == 1


def test_every_format_warns_about_expired_and_unused_waivers_on_stderr(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for output_format in ("table", "json", "jsonl", "csv"):
        run(mixed, "--format", output_format)
        err = capsys.readouterr().err
        assert err.count(": warning: waiver ") == 2, output_format
        assert "waiver W-D2 (globex-reseller-2025 clause 4.1, subject d2) expired" in err
        assert "waiver W-93 (globex-reseller-2025 clause 9.3) matched no finding" in err


@pytest.mark.parametrize(
    ("text", "message", "help_text"),
    [
        ("# every waiver was withdrawn\n", "file is empty", "write 'waivers: []' when there are"),
        (
            "- agreement: globex-reseller-2025\n",
            "the top level must be a mapping of fields, got a list",
            "start with the line 'waivers:' and list the waivers under it",
        ),
    ],
)
def test_a_waivers_file_of_the_wrong_shape_gets_help_about_waivers(
    workspace: Path, capsys: pytest.CaptureFixture[str], text: str, message: str, help_text: str
) -> None:
    path = write_waivers(workspace, text)
    assert run(workspace) == ExitCode.INVALID_RULES
    err = capsys.readouterr().err
    assert f"{path}:1:1: error: {message}" in err
    assert f"help: {help_text}" in err


def test_an_empty_list_of_waivers_is_fine(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_waivers(workspace, "waivers: []\n")
    code, document, err = run_json(workspace, capsys)
    assert code == ExitCode.FINDINGS
    assert subjects(document["findings"]) == ["d1", "d2"]
    assert document["waivers"] == {"waived": [], "expired": [], "unused": []}
    # Nothing about waivers: only the feeds of the clauses' other fact types, with no facts here
    # (without a catalogue each fact type is its own feed).
    assert err == "".join(
        f"Warning: the {feed} feed has no facts tonight (its export missing or empty?): what "
        "rests on its absence is reported as unknown, neither a breach nor compliant.\n"
        for feed in ("incident.detected", "notice.sent", "usage.reported")
    )
