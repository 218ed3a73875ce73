"""`contract-checker run --notify FILE [--dry-run]` as an operator meets it: usage errors, a bad
notifications file, alerts sent to a Slack-like server on this machine, reruns, exit code 5 with
the report still written, dry runs, and snoozed findings marked in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from checker.cli import main
from checker.findings.exit_codes import ExitCode
from tests.helpers import GLOBEX_EXCLUSIVITY, direct_deal

RULE_FILE = GLOBEX_EXCLUSIVITY
BREACH = direct_deal(customer="<!channel> Lidl")
SLACK_PATH = "/services/T0AAA/B0BBB/legalS3cret"
NOTIFICATIONS = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
fallback: legal
delivery:
  attempts: 1
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer) -> Path:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_LEGAL_WEBHOOK", httpserver.url_for(SLACK_PATH))
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(RULE_FILE)
    (tmp_path / "facts.jsonl").write_text(BREACH + "\n")
    (tmp_path / "notifications.yaml").write_text(NOTIFICATIONS)
    return tmp_path


def _run(workspace: Path, *extra: str, as_of: str = "2026-11-22") -> int:
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


def _notify(workspace: Path) -> tuple[str, ...]:
    return (
        "--state",
        str(workspace / "state.sqlite"),
        "--notify",
        str(workspace / "notifications.yaml"),
    )


def test_notify_needs_state(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(workspace, "--notify", str(workspace / "notifications.yaml"))
    assert code == ExitCode.USAGE
    captured = capsys.readouterr()
    assert "--notify needs --state FILE" in captured.err
    assert captured.out == ""  # nothing was evaluated


def test_dry_run_needs_notify(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(workspace, "--dry-run") == ExitCode.USAGE
    assert "give --notify FILE too" in capsys.readouterr().err


def test_a_bad_notifications_file_stops_the_run_before_anything_is_evaluated(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = NOTIFICATIONS.replace("fallback: legal", "fallback: legl")
    (workspace / "notifications.yaml").write_text(bad)
    code = _run(workspace, *_notify(workspace))
    assert code == ExitCode.INVALID_RULES
    captured = capsys.readouterr()
    assert f"{workspace / 'notifications.yaml'}:5:11: error: no receiver is called 'legl'" in (
        captured.err
    )
    assert "help: did you mean 'legal'?" in captured.err
    assert captured.out == ""
    assert not (workspace / "state.sqlite").exists()


def test_alerts_are_sent_once_and_the_exit_code_still_reflects_findings(
    workspace: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    assert _run(workspace, *_notify(workspace)) == ExitCode.FINDINGS
    captured = capsys.readouterr()
    assert "globex-reseller-2025" in captured.out  # the report, as without alerts
    assert f"alerts: legal (slack, {httpserver.url_for('/***')}): 1 message sent" in captured.err
    [(request, _)] = httpserver.log
    body = json.loads(request.get_data())
    assert body["text"] == "Contract checker, as of 2026-11-22: 1 new breach, 1 open in all"
    sent = json.dumps(body)
    assert "<!channel>" not in sent
    assert "&lt;!channel&gt; Lidl" in sent
    # The same night again: nothing new is posted.
    assert _run(workspace, *_notify(workspace)) == ExitCode.FINDINGS
    assert len(httpserver.log) == 1
    assert "alerts: nothing new to send" in capsys.readouterr().err


def test_a_failed_delivery_exits_5_after_writing_the_report(
    workspace: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("down", status=503)
    report = workspace / "findings.json"
    code = _run(workspace, *_notify(workspace), "--format", "json", "--output", str(report))
    assert code == ExitCode.DELIVERY_FAILED
    assert [f["subject"] for f in json.loads(report.read_text())["findings"]] == ["d1"]
    err = capsys.readouterr().err
    assert "1 waiting for the next run" in err
    assert "HTTP 503 Service Unavailable: down, after 1 attempt tonight" in err
    assert "legalS3cret" not in err
    # The next night the server answers: last night's message is delivered, and the run exits
    # with the findings' code again.
    httpserver.clear()
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_data("ok")
    assert _run(workspace, *_notify(workspace), as_of="2026-11-23") == ExitCode.FINDINGS
    [(request, _)] = httpserver.log
    assert "as of 2026-11-22" in json.loads(request.get_data())["text"]


def test_dry_run_prints_payloads_with_masked_addresses_and_sends_nothing(
    workspace: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(workspace, *_notify(workspace), "--dry-run", "--format", "json")
    assert code == ExitCode.FINDINGS
    captured = capsys.readouterr()
    assert len(httpserver.log) == 0
    json.loads(captured.out)  # stdout holds the report only
    assert "Dry run: nothing is sent and nothing is recorded." in captured.err
    assert f"legal (slack, {httpserver.url_for('/***')}): 1 digest in 1 message" in captured.err
    assert '"type": "header"' in captured.err
    assert "legalS3cret" not in captured.err + captured.out


def test_snoozed_findings_stay_in_the_report_marked_and_leave_chat(
    workspace: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "notifications.yaml").write_text(
        NOTIFICATIONS
        + """\
snoozes:
  - agreement: globex-reseller-2025
    clause: "4.1"
    author: Maria Weber
    comment: Lidl deal approved in the Q4 review
    expires: 2026-12-31
"""
    )
    code = _run(workspace, *_notify(workspace), "--format", "json")
    captured = capsys.readouterr()
    assert code == ExitCode.FINDINGS  # a snooze is not a waiver: the breach still counts
    [record] = json.loads(captured.out)["findings"]
    assert record["subject"] == "d1"
    assert record["snooze"] == {
        "scope": "globex-reseller-2025 clause 4.1",
        "author": "Maria Weber",
        "comment": "Lidl deal approved in the Q4 review",
        "expires": "2026-12-31",
        "source": f"{workspace / 'notifications.yaml'}:9",
    }
    assert len(httpserver.log) == 0
    assert "alerts: nothing new to send" in captured.err
    table = _run(workspace, *_notify(workspace))
    assert table == ExitCode.FINDINGS
    out = capsys.readouterr().out
    assert "(snoozed in chat until 2026-12-31 by Maria Weber: Lidl deal approved in" in out
