"""Alerts end to end against HTTP servers on this machine that answer like Slack and Teams do:
success, 429 with Retry-After, 400, 500, timeouts and a server that is down; retries with the
injected sleep, the outbox across nights and reruns, the fallback, and masked addresses."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from checker.alerts import Notifications, dry_run, notify
from checker.alerts.notify import NotifyReport
from checker.findings.model import Finding
from tests.alerts_support import (
    NIGHT,
    Sleeps,
    alert_input,
    clock,
    database,
    finding,
    history,
    notifications,
)

SLACK_PATH = "/services/T0AAA/B0BBB/legalS3cret"
TEAMS_PATH = "/workflows/privacyS3cret/triggers/manual/paths/invoke"
HOOK_PATH = "/hooks/auditS3cret"
SECRETS = ("legalS3cret", "privacyS3cret", "auditS3cret", "T0AAA")

NOTIFICATIONS = """\
receivers:
  legal:
    type: slack
    url_env: SLACK_LEGAL_WEBHOOK
  privacy:
    type: teams
    url_env: TEAMS_PRIVACY_WEBHOOK
  audit:
    type: webhook
    url_env: AUDIT_WEBHOOK
    max_items: 2
fallback: legal
routes:
  - to: legal
    owner: emea-legal
  - to: privacy
    owner: privacy-office
delivery:
  attempts: 3
  first_retry_seconds: 2
  max_wait_seconds: 60
  timeout_seconds: 5
"""

LEGAL_BREACH = finding("crm-d-1", owner="emea-legal")
PRIVACY_BREACH = finding(
    "dt-x-1",
    agreement="initech-data-2025",
    clause="8.2",
    title="Data protection and sharing",
    owner="privacy-office",
    message="data.transfer dt-x-1 transfers category biometric, which may never be shared",
)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def notes(tmp_path: Path) -> Notifications:
    return notifications(tmp_path, NOTIFICATIONS)


@pytest.fixture
def environ(httpserver: HTTPServer) -> dict[str, str]:
    return {
        "SLACK_LEGAL_WEBHOOK": httpserver.url_for(SLACK_PATH),
        "TEAMS_PRIVACY_WEBHOOK": httpserver.url_for(TEAMS_PATH),
        "AUDIT_WEBHOOK": httpserver.url_for(HOOK_PATH),
    }


def _slack_ok(server: HTTPServer) -> None:
    server.expect_request(SLACK_PATH, method="POST").respond_with_data(
        "ok", content_type="text/html"
    )


def _teams_ok(server: HTTPServer) -> None:
    server.expect_request(TEAMS_PATH, method="POST").respond_with_data("", status=202)


def _bodies(server: HTTPServer, path: str) -> list[dict[str, Any]]:
    return [json.loads(request.get_data()) for request, _ in server.log if request.path == path]


def _night(
    tmp_path: Path,
    notes: Notifications,
    environ: dict[str, str],
    found: list[Finding],
    sleeps: Sleeps,
    night_offset: int = 0,
    run_id: int = 1,
    first_seen: dict[str, Any] | None = None,
) -> NotifyReport:
    night = NIGHT + timedelta(days=night_offset)
    tracked = history(found, night, first_seen=first_seen, run_id=run_id)
    with database(tmp_path) as connection:
        return notify(
            alert_input(found, notes, night, tracked),
            notes,
            connection,
            run_id,
            environ,
            sleep=sleeps,
            clock=clock,
        )


def _statuses(tmp_path: Path) -> list[tuple[str, str, int, str]]:
    with database(tmp_path) as connection:
        return connection.execute(
            "SELECT receiver, status, attempts, last_error FROM alerts_messages ORDER BY id"
        ).fetchall()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: connections are refused (a server that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_digests_are_delivered_to_slack_and_teams(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    _slack_ok(httpserver)
    _teams_ok(httpserver)
    sleeps = Sleeps()
    report = _night(tmp_path, notes, environ, [LEGAL_BREACH, PRIVACY_BREACH], sleeps)
    assert not report.delivery_failed
    assert (report.tallies["legal"].sent, report.tallies["privacy"].sent) == (1, 1)
    assert sleeps.delays == []
    [slack_body] = _bodies(httpserver, SLACK_PATH)
    assert slack_body["text"] == "Contract checker, as of 2026-11-22: 1 new breach, 1 open in all"
    assert slack_body["blocks"][0]["type"] == "header"
    assert "crm-d-1" in json.dumps(slack_body)
    assert "dt-x-1" not in json.dumps(slack_body)  # routed to privacy only
    [teams_body] = _bodies(httpserver, TEAMS_PATH)
    card = teams_body["attachments"][0]["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    texts = [inner["text"] for element in card["body"] for inner in element.get("items", [])]
    assert "Date: 2026-11-20 · Subject: dt-x-1 · Severity: high" in texts
    for request, _ in httpserver.log:
        assert request.headers["Content-Type"].startswith("application/json")
    assert _statuses(tmp_path) == [("legal", "sent", 1, ""), ("privacy", "sent", 1, "")]
    lines = report.lines()
    assert lines[0] == f"alerts: legal (slack, {httpserver.url_for('/***')}): 1 message sent"
    assert not any(secret in "\n".join(lines) for secret in SECRETS)


def test_a_rerun_of_the_same_night_sends_nothing_twice(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    _slack_ok(httpserver)
    _teams_ok(httpserver)
    found = [LEGAL_BREACH, PRIVACY_BREACH]
    first = _night(tmp_path, notes, environ, found, Sleeps())
    assert (first.tallies["legal"].sent, first.tallies["privacy"].sent) == (1, 1)
    again = _night(tmp_path, notes, environ, found, Sleeps(), run_id=2)
    assert len(httpserver.log) == 2  # nothing new was posted
    assert again.lines() == ["alerts: nothing new to send"]
    assert not again.delivery_failed


def test_429_waits_as_long_as_retry_after_says(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "Sun, 22 Nov 2026 02:00:30 GMT"}
    )
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data("ok")
    sleeps = Sleeps()
    report = _night(tmp_path, notes, environ, [LEGAL_BREACH], sleeps)
    # 7 seconds, then until 02:00:30 with the clock at 02:00:00: 30 seconds.
    assert sleeps.delays == [7.0, 30.0]
    assert report.tallies["legal"].sent == 1
    assert _statuses(tmp_path) == [("legal", "sent", 3, "")]
    httpserver.check_assertions()


def test_429_asking_for_too_long_a_wait_leaves_the_message_for_the_next_run(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request(SLACK_PATH, method="POST").respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "3600"}
    )
    sleeps = Sleeps()
    report = _night(tmp_path, notes, environ, [LEGAL_BREACH], sleeps)
    assert sleeps.delays == []  # an hour is longer than max_wait_seconds (60): not waited for
    assert report.delivery_failed
    assert report.tallies["legal"].pending == 1
    [(_, status, attempts, error)] = _statuses(tmp_path)
    assert (status, attempts) == ("pending", 1)
    assert error == (
        "HTTP 429 Too Many Requests: rate_limited; asked to wait 3600 s, longer than "
        "max_wait_seconds"
    )


def test_500_then_success_is_retried_after_the_backoff(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data(
        "internal_error", status=500
    )
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data("ok")
    sleeps = Sleeps()
    report = _night(tmp_path, notes, environ, [LEGAL_BREACH], sleeps)
    assert sleeps.delays == [2.0]  # first_retry_seconds
    assert not report.delivery_failed
    assert _statuses(tmp_path) == [("legal", "sent", 2, "")]
    bodies = _bodies(httpserver, SLACK_PATH)
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]


def test_400_is_permanent_and_the_digest_goes_to_the_fallback(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(TEAMS_PATH, method="POST").respond_with_data(
        '{"error":{"code":"InvalidRequestContent","message":"bad card"}}',
        status=400,
        content_type="application/json",
    )
    _slack_ok(httpserver)
    sleeps = Sleeps()
    report = _night(tmp_path, notes, environ, [PRIVACY_BREACH], sleeps)
    assert sleeps.delays == []  # not retried
    assert report.delivery_failed
    assert (report.tallies["privacy"].failed, report.tallies["legal"].sent) == (1, 1)
    assert len(_bodies(httpserver, TEAMS_PATH)) == 1
    [fallback] = _bodies(httpserver, SLACK_PATH)
    assert fallback["text"].startswith(
        "Contract checker, as of 2026-11-22: undelivered digest for privacy: 1 new breach"
    )
    texts = [block["text"]["text"] for block in fallback["blocks"] if block["type"] == "section"]
    assert texts[0] == "*Not delivered*"
    assert texts[1].startswith(
        "This digest was meant for 'privacy', but it could not be delivered there (HTTP 400 Bad "
        'Request: {"error":{"code":"InvalidRequestContent","message":"bad card"}}).'
    )
    assert "dt-x-1" in texts[3]
    assert [row[:2] for row in _statuses(tmp_path)] == [("privacy", "failed"), ("legal", "sent")]
    notes_text = "\n".join(report.lines())
    assert "sent to the fallback 'legal' instead" in notes_text
    # A rerun of the night neither posts the failed digest again nor sends a second copy.
    again = _night(tmp_path, notes, environ, [PRIVACY_BREACH], Sleeps(), run_id=2)
    assert len(httpserver.log) == 2
    assert not again.delivery_failed


@pytest.mark.parametrize("receiver", ["legal", "privacy"])
def test_a_server_that_does_not_answer_times_out_and_the_message_waits(
    tmp_path: Path, notes: Notifications, silent_port: int, receiver: str
) -> None:
    quick = notifications(
        tmp_path,
        NOTIFICATIONS.replace("attempts: 3", "attempts: 2").replace(
            "timeout_seconds: 5", "timeout_seconds: 0.2"
        ),
        "quick.yaml",
    )
    address = f"http://127.0.0.1:{silent_port}/services/T0AAA/B0BBB/legalS3cret"
    environ = {"SLACK_LEGAL_WEBHOOK": address, "TEAMS_PRIVACY_WEBHOOK": address}
    breach = LEGAL_BREACH if receiver == "legal" else PRIVACY_BREACH
    sleeps = Sleeps()
    report = _night(tmp_path, quick, environ, [breach], sleeps)
    assert sleeps.delays == [2.0]
    assert report.tallies[receiver].pending == 1
    [(_, status, attempts, error)] = _statuses(tmp_path)
    assert (status, attempts, error) == (
        "pending",
        2,
        "no answer within the time allowed (timeout)",
    )
    assert f"http://127.0.0.1:{silent_port}/***" in "\n".join(report.lines())


def test_no_loss_after_a_failed_night(
    tmp_path: Path,
    notes: Notifications,
    environ: dict[str, str],
    httpserver: HTTPServer,
    closed_port: int,
) -> None:
    down = dict(environ, SLACK_LEGAL_WEBHOOK=f"http://127.0.0.1:{closed_port}{SLACK_PATH}")
    sleeps = Sleeps()
    night1 = _night(tmp_path, notes, down, [LEGAL_BREACH], sleeps)
    assert sleeps.delays == [2.0, 4.0]  # three attempts, the wait doubled
    assert night1.delivery_failed
    assert night1.tallies["legal"].pending == 1
    [(_, status, attempts, error)] = _statuses(tmp_path)
    assert (status, attempts) == ("pending", 3)
    assert error.startswith("no answer: ")
    # The next night the server is back: last night's digest goes first, then tonight's.
    _slack_ok(httpserver)
    second = finding("crm-d-2", owner="emea-legal")
    night2 = _night(
        tmp_path,
        notes,
        environ,
        [LEGAL_BREACH, second],
        Sleeps(),
        night_offset=1,
        run_id=2,
        first_seen={"crm-d-1": NIGHT},
    )
    assert not night2.delivery_failed
    assert night2.tallies["legal"].sent == 2
    first_body, second_body = _bodies(httpserver, SLACK_PATH)
    assert "as of 2026-11-22" in first_body["text"]
    assert "crm-d-1" in json.dumps(first_body)
    assert "as of 2026-11-23" in second_body["text"]
    assert "crm-d-2" in json.dumps(second_body)
    assert "crm-d-1" not in json.dumps(second_body)  # announced already (by night 1's digest)
    assert [row[1] for row in _statuses(tmp_path)] == ["sent", "sent"]


def test_later_messages_wait_behind_one_that_keeps_failing(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("busy", status=503)
    audit = notes.model.model_copy(update={"fallback": "audit"})
    only_audit = Notifications(notes.path, audit, [])
    three = [finding(f"crm-d-{n}", owner="nobody") for n in range(5)]  # no route: the fallback
    sleeps = Sleeps()
    report = _night(tmp_path, only_audit, environ, three, sleeps)
    # 5 findings at most 2 a message: 3 messages. The first fails 3 times; the others wait.
    assert len(_bodies(httpserver, HOOK_PATH)) == 3
    assert report.tallies["audit"].pending == 3
    assert [row[:3] for row in _statuses(tmp_path)] == [
        ("audit", "pending", 3),
        ("audit", "pending", 0),
        ("audit", "pending", 0),
    ]


def test_a_missing_environment_variable_keeps_messages_until_it_is_set(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    _slack_ok(httpserver)
    unset = {name: value for name, value in environ.items() if name != "SLACK_LEGAL_WEBHOOK"}
    report = _night(tmp_path, notes, unset, [LEGAL_BREACH], Sleeps())
    assert report.delivery_failed
    assert len(httpserver.log) == 0
    assert "the environment variable SLACK_LEGAL_WEBHOOK is not set" in "\n".join(report.lines())
    later = _night(tmp_path, notes, environ, [LEGAL_BREACH], Sleeps(), run_id=2)
    assert later.tallies["legal"].sent == 1
    assert not later.delivery_failed


def test_plain_http_is_refused_except_to_this_machine(
    tmp_path: Path, notes: Notifications, environ: dict[str, str]
) -> None:
    remote = dict(environ, SLACK_LEGAL_WEBHOOK="http://hooks.slack.com/services/T0AAA/B/X")
    report = _night(tmp_path, notes, remote, [LEGAL_BREACH], Sleeps())
    text = "\n".join(report.lines())
    assert "holds http://hooks.slack.com/***, and it is not https" in text
    assert "T0AAA" not in text


def test_addresses_are_masked_in_logs(
    tmp_path: Path,
    notes: Notifications,
    environ: dict[str, str],
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data(
        "internal_error", status=500
    )
    httpserver.expect_ordered_request(SLACK_PATH, method="POST").respond_with_data("ok")
    caplog.set_level(logging.DEBUG)
    _night(tmp_path, notes, environ, [LEGAL_BREACH], Sleeps())
    # Everything logged here and by Slack's client; the test server's own log (werkzeug) names
    # the paths it was asked for, as any web server's access log does.
    ours = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("werkzeug")
    )
    assert f"{httpserver.url_for('/***')}: attempt 1 failed (HTTP 500" in ours
    assert f"sent to {httpserver.url_for('/***')} (attempt 2)" in ours
    assert not any(secret in ours for secret in SECRETS)


def test_dry_run_shows_what_would_be_sent_and_sends_and_records_nothing(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    found = [LEGAL_BREACH, PRIVACY_BREACH]
    with database(tmp_path) as connection:
        text = dry_run(alert_input(found, notes), notes, connection, environ)
        tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
    assert len(httpserver.log) == 0
    assert tables == []  # not even the outbox tables were created
    lines = text.splitlines()
    assert lines[0] == "Dry run: nothing is sent and nothing is recorded."
    assert f"legal (slack, {httpserver.url_for('/***')}): 1 digest in 1 message: " in text
    assert "audit (webhook, " in text
    assert "): nothing to send" in text
    assert "--- legal, message 1 of 1 ---" in lines
    assert '"text": "Contract checker, as of 2026-11-22: 1 new breach, 1 open in all",' in text
    assert not any(secret in text for secret in SECRETS)
    # Still nothing recorded: a real run afterwards sends both digests.
    _slack_ok(httpserver)
    _teams_ok(httpserver)
    report = _night(tmp_path, notes, environ, found, Sleeps())
    assert (report.tallies["legal"].sent, report.tallies["privacy"].sent) == (1, 1)


def test_a_waiting_message_whose_receiver_was_removed_goes_to_the_fallback(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    unset = {name: value for name, value in environ.items() if name != "TEAMS_PRIVACY_WEBHOOK"}
    night1 = _night(tmp_path, notes, unset, [PRIVACY_BREACH], Sleeps())
    assert night1.tallies["privacy"].pending == 1
    # Privacy is taken out of the file before the next night: its waiting digest is not lost.
    without = notifications(
        tmp_path,
        NOTIFICATIONS.replace(
            "  privacy:\n    type: teams\n    url_env: TEAMS_PRIVACY_WEBHOOK\n", ""
        ).replace("  - to: privacy\n    owner: privacy-office\n", ""),
        "without-privacy.yaml",
    )
    _slack_ok(httpserver)
    night2 = _night(
        tmp_path,
        without,
        environ,
        [PRIVACY_BREACH],
        Sleeps(),
        night_offset=1,
        run_id=2,
        first_seen={"dt-x-1": NIGHT},
    )
    assert night2.tallies["privacy"].failed == 1
    assert night2.delivery_failed
    bodies = _bodies(httpserver, SLACK_PATH)
    # The fallback gets night 1's digest for privacy, then its own digest of night 2, where the
    # finding no route takes any more is new to it.
    assert bodies[0]["text"].startswith(
        "Contract checker, as of 2026-11-22: undelivered digest for privacy: 1 new breach"
    )
    assert "receiver is no longer in the notifications file" in json.dumps(bodies[0])
    assert bodies[1]["text"].startswith("Contract checker, as of 2026-11-23: 1 new breach")
    assert (
        "alerts: privacy (no longer in the notifications file): 0 messages sent, 1 failed"
        in night2.lines()
    )
