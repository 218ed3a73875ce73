"""The generic webhook's delivery id and signature, checked the way a receiving service would on
an HTTP server on 127.0.0.1: the HMAC-SHA256 of the raw body under the shared secret, and the
same delivery id when the same message is sent again (a retry, or the next run)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request

from checker.alerts import Notifications, notify
from checker.alerts.notify import NotifyReport
from checker.alerts.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    delivery_id,
    headers,
    signature,
)
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

HOOK_PATH = "/hooks/audit"
SECRET = "shared-s3cret-for-the-audit-service"  # not a real secret: the test receiver's own
NOTIFICATIONS = """\
receivers:
  audit:
    type: webhook
    url_env: AUDIT_WEBHOOK
    secret_env: AUDIT_WEBHOOK_SECRET
    max_items: 1
  plain:
    type: webhook
    url_env: PLAIN_WEBHOOK
fallback: audit
routes:
  - to: [audit, plain]
delivery:
  attempts: 2
  first_retry_seconds: 1
  timeout_seconds: 5
"""
FOUND = [finding("crm-d-1"), finding("crm-d-2")]


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
        "AUDIT_WEBHOOK": httpserver.url_for(HOOK_PATH),
        "AUDIT_WEBHOOK_SECRET": SECRET,
        "PLAIN_WEBHOOK": httpserver.url_for("/hooks/plain"),
    }


def _night(
    tmp_path: Path,
    notes: Notifications,
    environ: dict[str, str],
    found: list[Finding],
    run_id: int = 1,
) -> NotifyReport:
    with database(tmp_path) as connection:
        return notify(
            alert_input(found, notes, NIGHT, history(found, NIGHT, run_id=run_id)),
            notes,
            connection,
            run_id,
            environ,
            sleep=Sleeps(),
            clock=clock,
        )


def _verified(request: Request, secret: str) -> bool:
    """What a receiving service does: sign the raw body itself and compare in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), request.get_data(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get(SIGNATURE_HEADER, ""))


def _requests(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path == path]


def test_each_message_is_signed_over_its_body_and_carries_a_delivery_id(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("", status=204)
    httpserver.expect_request("/hooks/plain", method="POST").respond_with_data("", status=204)
    report = _night(tmp_path, notes, environ, FOUND)
    assert report.failed == report.pending == 0
    signed = _requests(httpserver, HOOK_PATH)
    assert len(signed) == 2  # max_items: 1, so two messages
    for request in signed:
        assert _verified(request, SECRET)
        assert not _verified(request, SECRET + "x")
        assert re.fullmatch(r"sha256=[0-9a-f]{64}", request.headers[SIGNATURE_HEADER])
        assert re.fullmatch(r"[0-9a-f]{32}", request.headers[DELIVERY_HEADER])
        assert request.headers[DELIVERY_HEADER] == delivery_id(json.loads(request.get_data()))
    assert len({request.headers[DELIVERY_HEADER] for request in signed}) == 2  # one per message
    # Without a secret: a delivery id, no signature.
    [plain] = _requests(httpserver, "/hooks/plain")
    assert SIGNATURE_HEADER not in plain.headers
    assert re.fullmatch(r"[0-9a-f]{32}", plain.headers[DELIVERY_HEADER])


def test_a_tampered_body_does_not_verify() -> None:
    payload = {"receiver": "audit", "new": [{"subject": "crm-d-1"}]}
    body = json.dumps(payload).encode()
    sent = headers(payload, body, SECRET)
    assert sent[SIGNATURE_HEADER] == signature(body, SECRET)
    tampered = body.replace(b"crm-d-1", b"crm-d-9")
    assert not hmac.compare_digest(signature(tampered, SECRET), sent[SIGNATURE_HEADER])


def test_a_message_sent_again_keeps_its_delivery_id(
    tmp_path: Path, notes: Notifications, environ: dict[str, str], httpserver: HTTPServer
) -> None:
    # Night 1: every attempt at the audit service fails; the messages wait in the outbox.
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("busy", status=503)
    httpserver.expect_request("/hooks/plain", method="POST").respond_with_data("", status=204)
    report = _night(tmp_path, notes, environ, FOUND)
    assert report.pending == 2
    first_night = _requests(httpserver, HOOK_PATH)
    assert len(first_night) == 2  # first message: two attempts; the second waits behind it
    assert first_night[0].headers[DELIVERY_HEADER] == first_night[1].headers[DELIVERY_HEADER]
    assert first_night[0].get_data() == first_night[1].get_data()
    # Night 2: the service is back; the waiting messages go out with the same ids.
    httpserver.clear()
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("", status=204)
    httpserver.expect_request("/hooks/plain", method="POST").respond_with_data("", status=204)
    _night(tmp_path, notes, environ, FOUND, run_id=2)
    resent = _requests(httpserver, HOOK_PATH)
    assert resent[0].headers[DELIVERY_HEADER] == first_night[0].headers[DELIVERY_HEADER]
    assert resent[0].get_data() == first_night[0].get_data()
    assert all(_verified(request, SECRET) for request in resent)


def test_a_secret_not_set_waits_and_is_never_shown(
    tmp_path: Path,
    notes: Notifications,
    environ: dict[str, str],
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    httpserver.expect_request("/hooks/plain", method="POST").respond_with_data("", status=204)
    without = {**environ, "AUDIT_WEBHOOK_SECRET": ""}
    report = _night(tmp_path, notes, without, FOUND)
    assert report.pending == 2  # both messages of the audit digest
    assert _requests(httpserver, HOOK_PATH) == []  # never sent unsigned
    assert (
        "the environment variable AUDIT_WEBHOOK_SECRET (the secret its messages are signed "
        "with) is not set"
    ) in "\n".join(report.lines())
    # With it set, a failure's text never shows it (nor the address's path).
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data(
        f"bad signature for {SECRET}", status=400
    )
    with caplog.at_level(logging.DEBUG):
        report = _night(tmp_path, notes, environ, FOUND, run_id=2)
    said = "\n".join([*report.lines(), caplog.text])
    assert "bad signature for ***" in said
    assert SECRET not in said
