"""Bounded delivery (issue 10, item 5): `timeout_seconds` is a total deadline per attempt
(connecting, sending and the whole answer), and a generic webhook's messages have a size cap
like Slack's and Teams'.

A receiver on 127.0.0.1 that trickles its answer one byte every 1.5 s never lets a socket's own
2-second timeout expire: before the deadline, each attempt was held for as long as the answer took
(45 s for a 30-byte answer). Now each attempt ends after `timeout_seconds`, for every transport.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date

import pytest

from checker.alerts.delivery import (
    TIMED_OUT,
    JsonTransport,
    Outcome,
    SlackTransport,
    Transport,
    WebhookTransport,
    deliver,
)
from checker.alerts.digest import Digest, Item
from checker.alerts.notifications_model import Delivery
from checker.alerts.receivers import EmailReceiver
from checker.alerts.smtp import SmtpTransport
from checker.alerts.webhook import MAX_EVIDENCE, MAX_MESSAGE_BYTES, body, render
from checker.findings.model import Evidence
from tests.alerts_support import Sleeps, clock, finding

TRICKLE_SECONDS = 1.5
TIMEOUT = 2.0
HTTP_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"  # 40 bytes: 60 s trickled
SMTP_ANSWER = b"220 slow.example.test ESMTP ready, one byte at a time\r\n"


class Trickler:
    """A server on 127.0.0.1 that answers every connection one byte every 1.5 s."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            for byte in self.answer:
                if self.closed.wait(TRICKLE_SECONDS):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:  # the client gave up
                    return

    def close(self) -> None:
        self.closed.set()
        self.listener.close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def http_trickler() -> Iterator[Trickler]:
    server = Trickler(HTTP_ANSWER)
    yield server
    server.close()


@pytest.fixture
def smtp_trickler() -> Iterator[Trickler]:
    server = Trickler(SMTP_ANSWER)
    yield server
    server.close()


POLICY = Delivery(attempts=1, timeout_seconds=TIMEOUT)
PAYLOAD = {"text": "hello", "subject": "s", "html": "<p>h</p>"}


def _timed(transport: Transport, url: str) -> tuple[float, Outcome, str]:
    started = time.monotonic()
    result = deliver(PAYLOAD, url, transport, POLICY, Sleeps(), clock)
    return time.monotonic() - started, result.outcome, result.detail


@pytest.mark.parametrize(
    "transport",
    [SlackTransport(), JsonTransport(), WebhookTransport("a-signing-secret")],
    ids=["slack", "teams", "webhook"],
)
def test_a_trickling_web_receiver_holds_a_message_no_longer_than_the_timeout(
    http_trickler: Trickler, transport: Transport
) -> None:
    url = f"http://127.0.0.1:{http_trickler.port}/services/T0/B0/token"
    elapsed, outcome, detail = _timed(transport, url)
    assert (outcome, detail) == (Outcome.PENDING, TIMED_OUT)
    # Before: 40 bytes x 1.5 s = 60 s (45 s in the case). Now: the deadline, 2 s.
    assert TIMEOUT - 0.1 <= elapsed < TIMEOUT + 1.0


def test_a_trickling_smtp_server_holds_a_message_no_longer_than_the_timeout(
    smtp_trickler: Trickler,
) -> None:
    receiver = EmailReceiver(
        type="email",
        smtp_host="127.0.0.1",
        smtp_port=smtp_trickler.port,
        starttls=False,
        sender="contract-checker@example.test",
        to=["legal@example.test"],
    )
    elapsed, outcome, detail = _timed(SmtpTransport(receiver, {}), "smtp://127.0.0.1")
    assert (outcome, detail) == (Outcome.PENDING, TIMED_OUT)
    assert TIMEOUT - 0.1 <= elapsed < TIMEOUT + 1.0


def _digest(*items: Item) -> Digest:
    return Digest(receiver="audit", as_of=date(2026, 11, 22), new=items)


def test_a_one_megabyte_value_does_not_make_a_one_megabyte_webhook_message() -> None:
    huge = "x" * 1_000_000
    evidence = [
        Evidence(f"d{n}", "deal.closed", "2026-11-20T10:00:00Z", f"crm.csv:{n}") for n in range(40)
    ]
    item = Item.of(finding("crm-d-1", message=huge, evidence=evidence), None)
    [payload] = render(_digest(item), max_items=50)
    size = len(body(payload))
    assert size < 10_000  # was 1,000,400 bytes
    [entry] = payload["new"]
    assert entry["message"].endswith("…")
    assert len(entry["message"]) == 800
    assert len(entry["evidence"]) == MAX_EVIDENCE
    assert entry["evidence_not_listed"] == 40 - MAX_EVIDENCE


def test_a_digest_of_large_findings_is_split_under_the_cap_losing_none() -> None:
    items = [
        Item.of(finding(f"crm-d-{n}", message=f"{n} " + "ü\u0001" * 5_000), None)
        for n in range(200)
    ]
    payloads = render(_digest(*items), max_items=100)
    sizes = [len(body(payload)) for payload in payloads]
    assert max(sizes) <= MAX_MESSAGE_BYTES
    assert len(payloads) > 2  # max_items alone would have made 2
    listed = [entry["subject"] for payload in payloads for entry in payload["new"]]
    assert listed == [f"crm-d-{n}" for n in range(200)]
    assert {payload["parts"] for payload in payloads} == {len(payloads)}
    assert json.loads(body(payloads[0]))["part"] == 1


def test_the_timeout_is_documented_as_a_total_deadline() -> None:
    description = Delivery.model_fields["timeout_seconds"].description or ""
    assert "in all: connecting, sending and the whole answer" in description
