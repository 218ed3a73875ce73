"""Secrets never leave (issue 10, item 4): every configured webhook address and every part of it
(path, token segments, query token, signature), the webhook signing secret and the SMTP user name
and password are hidden by value, wherever a receiver's answer can carry them.

Receivers on 127.0.0.1 answer every message with an error that repeats what they were sent and
what they know: the full address, its path, its query, the address URL-encoded and JSON-escaped,
the signature header, the signing secret and the SMTP login, in the body and in headers. The run
goes through the command line with every report written, logs captured at DEBUG and the state
file dumped; none of it, nor what the fallback receiver is sent, holds any of the planted secrets.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from checker.alerts.webhook import SIGNATURE_HEADER
from checker.cli import main
from checker.findings.exit_codes import ExitCode
from tests.helpers import GLOBEX_EXCLUSIVITY, direct_deal

RULE_FILE = GLOBEX_EXCLUSIVITY
BREACH = direct_deal(customer="Lidl")
# Not real secrets: the test receivers' own. Each is a part an answer could repeat.
SLACK_PATH = "/services/T0SLACKSEG1/B0SLACKSEG2/slackTokenSegment3"
SLACK_QUERY = "token=SlackQueryTok3n"
TEAMS_PATH = "/workflows/wf0TEAMSid4242/triggers/manual/paths/invoke"
TEAMS_QUERY = "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TeamsSig%2FS3cret%2B"
HOOK_PATH = "/hooks/audit/Hook-Path-Secret-77"
HOOK_QUERY = "key=HookQueryKey99"
ARCHIVE_PATH = "/archive/ArchivePathSecret5"
SIGNING_SECRET = "signing-secret-for-the-audit-hook"
SMTP_USER = "mailbot-user@example.test"
SMTP_PASSWORD = "smtp-pa55w0rd-planted"

NOTIFICATIONS = """\
receivers:
  legal: {type: slack, url_env: SLACK_LEGAL_WEBHOOK}
  privacy: {type: teams, url_env: TEAMS_PRIVACY_WEBHOOK}
  audit: {type: webhook, url_env: AUDIT_WEBHOOK, secret_env: AUDIT_WEBHOOK_SECRET}
  archive: {type: webhook, url_env: ARCHIVE_WEBHOOK}
  mailbox:
    type: email
    smtp_host: 127.0.0.1
    smtp_port: {port}
    starttls: false
    username_env: SMTP_USERNAME
    password_env: SMTP_PASSWORD
    sender: contract-checker@example.test
    to: [legal@example.test]
fallback: archive
routes:
  - to: [legal, privacy, audit, mailbox]
delivery:
  attempts: 2
  first_retry_seconds: 0
  max_wait_seconds: 5
  timeout_seconds: 5
"""


def _planted(urls: dict[str, str]) -> dict[str, str]:
    """Every secret and every part of one, by a name that says which it is."""
    found = {"signing secret": SIGNING_SECRET, "smtp user": SMTP_USER}
    found["smtp password"] = SMTP_PASSWORD
    for name, url in urls.items():
        parsed = urllib.parse.urlsplit(url)
        found[f"{name} address"] = url
        found[f"{name} address without scheme"] = url.split("://", 1)[1]
        found[f"{name} path"] = parsed.path
        for segment in parsed.path.split("/"):
            if any(c.isdigit() or c.isupper() for c in segment):
                found[f"{name} segment {segment}"] = segment
        for key, value in urllib.parse.parse_qsl(parsed.query):
            if key in {"token", "sig", "key"}:
                found[f"{name} query {key}"] = value
                found[f"{name} query {key} as sent"] = dict(
                    pair.split("=", 1) for pair in parsed.query.split("&")
                )[key]
    return found


def _echo(secrets: dict[str, str], status: int, extra: dict[str, str] | None = None) -> Any:
    """An answer repeating everything the receiver was sent and knows, in body and headers."""

    def answer(request: Request) -> Response:
        url = request.url
        said = {
            "error": "no such hook",
            "url": url,
            "path": request.path,
            "full_path": request.full_path,
            "query": request.query_string.decode(),
            "encoded": urllib.parse.quote(url, safe=""),
            "signature": request.headers.get(SIGNATURE_HEADER, ""),
            "known": sorted(secrets.values()),
        }
        body = json.dumps(said).replace("/", "\\/")  # JSON may escape slashes
        headers = {"X-Echo-Url": url, "WWW-Authenticate": f'Bearer realm="{request.path}"'}
        return Response(
            f"{body}\n{json.dumps(said)}", status=status, headers={**headers, **(extra or {})}
        )

    return answer


class _Refusing:
    """An SMTP server that takes the login and refuses the message, repeating the login."""

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        return f"554 5.7.1 refused for {SMTP_USER} with password {SMTP_PASSWORD}"


def _authenticate(*args: Any) -> AuthResult:
    return AuthResult(success=True)


@pytest.fixture
def smtp_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(
        _Refusing(),
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return sorted(name for name, value in secrets.items() if value in text)


@pytest.mark.parametrize("dry_run", [False, True], ids=["sent", "dry-run"])
def test_no_secret_reaches_any_output_log_state_or_fallback_message(
    tmp_path: Path,
    httpserver: HTTPServer,
    smtp_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    dry_run: bool,
) -> None:
    urls = {
        "slack": f"{httpserver.url_for(SLACK_PATH)}?{SLACK_QUERY}",
        "teams": f"{httpserver.url_for(TEAMS_PATH)}?{TEAMS_QUERY}",
        "hook": f"{httpserver.url_for(HOOK_PATH)}?{HOOK_QUERY}",
        "archive": httpserver.url_for(ARCHIVE_PATH),
    }
    secrets = _planted(urls)
    for variable, url in zip(
        ("SLACK_LEGAL_WEBHOOK", "TEAMS_PRIVACY_WEBHOOK", "AUDIT_WEBHOOK", "ARCHIVE_WEBHOOK"),
        urls.values(),
        strict=True,
    ):
        monkeypatch.setenv(variable, url)
    monkeypatch.setenv("AUDIT_WEBHOOK_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    # Slack: refused for good (the digest goes to the fallback, with the reason); Teams: asked
    # to wait too long; the audit hook: 500 every time (retried, warnings logged); the archive
    # (the fallback) takes what it is sent.
    httpserver.expect_request(SLACK_PATH, method="POST").respond_with_handler(_echo(secrets, 404))
    httpserver.expect_request(TEAMS_PATH, method="POST").respond_with_handler(
        _echo(secrets, 429, {"Retry-After": "3600"})
    )
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_handler(_echo(secrets, 500))
    httpserver.expect_request(ARCHIVE_PATH, method="POST").respond_with_data("ok")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "globex.yaml").write_text(RULE_FILE)
    (tmp_path / "facts.jsonl").write_text(BREACH + "\n")
    notes = tmp_path / "notifications.yaml"
    notes.write_text(NOTIFICATIONS.replace("{port}", str(smtp_port)))
    state = tmp_path / "state.sqlite"
    reports = {
        fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "html", "markdown", "csv", "junit")
    }
    caplog.set_level(logging.DEBUG)
    code = main(
        [
            "run",
            "--rules",
            str(tmp_path / "rules"),
            "--facts",
            str(tmp_path / "facts.jsonl"),
            "--as-of",
            "2026-11-22",
            "--workers",
            "1",
            "--state",
            str(state),
            "--notify",
            str(notes),
            "--verbose",
            *(["--dry-run"] if dry_run else []),
            *(arg for fmt, path in reports.items() for arg in ("--report", f"{fmt}:{path}")),
        ]
    )
    captured = capsys.readouterr()
    received = [request for request, _ in httpserver.log]
    if dry_run:
        assert code == ExitCode.FINDINGS
        assert received == []
    else:
        assert code == ExitCode.DELIVERY_FAILED
        # Every receiver was reached and answered with the secrets: the test plants them.
        paths = {request.path for request in received}
        assert {SLACK_PATH, TEAMS_PATH, HOOK_PATH, ARCHIVE_PATH} <= paths
        assert "not tried again" in caplog.text
        assert "HTTP 404 Not Found" in caplog.text
        assert "HTTP 500 Internal Server Error" in captured.err
        assert "SMTP 554 5.7.1 refused for *** with password ***" in captured.err
    with sqlite3.connect(state) as connection:
        dump = "\n".join(connection.iterdump())
    connection.close()
    fallback = "\n".join(
        request.get_data(as_text=True) for request in received if request.path == ARCHIVE_PATH
    )
    if not dry_run:
        assert '"reason": "HTTP 404 Not Found: ' in fallback
    ours = "\n".join(
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(("werkzeug", "pytest_httpserver", "mail.log"))
    )
    places = {
        "stdout": captured.out,
        "stderr": captured.err,
        "logs (DEBUG)": ours,
        "state file": dump,
        "fallback message": fallback,
        **{f"{fmt} report": path.read_text() for fmt, path in reports.items()},
    }
    assert {place: _leaks(text, secrets) for place, text in places.items()} == {
        place: [] for place in places
    }
