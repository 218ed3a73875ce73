"""Email digests sent for real to an SMTP server on 127.0.0.1 (aiosmtpd): STARTTLS with a
certificate the client checks, login with credentials from the environment, one message per
digest as HTML with a plain-text alternative; retries on 4xx answers, permanent failures on 5xx
and on a server without STARTTLS; and the credentials never shown."""

from __future__ import annotations

import email
import email.policy
import logging
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from pydantic import ValidationError

from checker.alerts import Notifications, dry_run, notify
from checker.alerts.digest import Digest, ReceiverMemory, build_digests
from checker.alerts.mail import render
from checker.alerts.masking import hide, mask_text, masked_logger
from checker.alerts.notify import NotifyReport
from checker.alerts.receivers import EmailReceiver
from checker.alerts.smtp import SmtpTransport
from checker.common.diagnostics import InputError
from checker.findings.model import Finding
from tests.alerts_support import (
    NIGHT,
    Sleeps,
    alert_input,
    clock,
    database,
    deadline,
    finding,
    history,
    notifications,
)

USERNAME = "legal-bot@example.test"
PASSWORD = "pa55-w0rd-for-smtp"  # not a real secret: the test server's own
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"
BREACH = finding("crm-d-1", message=f"deal.closed crm-d-1 for {HOSTILE} breaks exclusivity")
REMINDER = deadline("2026-11-29", NIGHT.replace(day=29))


@dataclass
class Received:
    """What the test server was told: each message, whether it came over TLS, logins."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    over_tls: list[bool] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # answers to give DATA first, then 250


class Handler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.received.answers:
            return self.received.answers.pop(0)
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.messages.append(parsed)
        self.received.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        self.received.over_tls.append(session.ssl is not None)
        return "250 Message accepted for delivery"


def _authenticator(received: Received) -> Any:
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = (
            value.decode() if isinstance(value, bytes) else str(value)
            for value in (data.login, data.password)
        )
        received.logins.append((login, password))
        # `handled=False`: the server answers a refusal itself (535).
        return AuthResult(success=(login, password) == (USERNAME, PASSWORD), handled=False)

    return authenticate


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make the test server's certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Server:
    port: int
    received: Received


def _serve(tls: ssl.SSLContext | None) -> tuple[Controller, Server]:
    received = Received()
    port = _free_port()
    options: dict[str, Any] = {
        "authenticator": _authenticator(received),
        "auth_require_tls": True,
        "auth_exclude_mechanism": ["LOGIN"],  # PLAIN only: one login attempt per connection
    }
    if tls is not None:
        options.update(tls_context=tls, require_starttls=True)
    controller = Controller(Handler(received), hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller, Server(port, received)


@pytest.fixture
def smtp_server(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    """An SMTP server on 127.0.0.1 that requires STARTTLS; the client trusts its certificate
    (ssl.create_default_context reads SSL_CERT_FILE), as it would a real relay's."""
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    controller, server = _serve(context)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def plain_server() -> Iterator[Server]:
    """An SMTP server on 127.0.0.1 without STARTTLS."""
    controller, server = _serve(None)
    try:
        yield server
    finally:
        controller.stop()


def _notes(tmp_path: Path, port: int, **fields: Any) -> Notifications:
    settings = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "username_env": "SMTP_USERNAME",
        "password_env": "SMTP_PASSWORD",
        "sender": "contract-checker@example.test",
        "to": "[legal@example.test, counsel@example.test]",
        **fields,
    }
    lines = "".join(
        f"    {name}: {value}\n" for name, value in settings.items() if value is not None
    )
    text = (
        "receivers:\n  legal-mail:\n    type: email\n"
        + lines
        + "fallback: legal-mail\n"
        + "delivery:\n  attempts: 3\n  first_retry_seconds: 1\n  timeout_seconds: 5\n"
    )
    return notifications(tmp_path, text)


ENVIRON = {"SMTP_USERNAME": USERNAME, "SMTP_PASSWORD": PASSWORD}


def _night(
    tmp_path: Path,
    notes: Notifications,
    found: list[Finding],
    environ: dict[str, str] | None = None,
    sleeps: Sleeps | None = None,
    run_id: int = 1,
) -> NotifyReport:
    with database(tmp_path) as connection:
        return notify(
            alert_input(found, notes, NIGHT, history(found, NIGHT, run_id=run_id)),
            notes,
            connection,
            run_id,
            ENVIRON if environ is None else environ,
            sleep=sleeps or Sleeps(),
            clock=clock,
        )


def _outbox(tmp_path: Path) -> list[tuple[str, int, str]]:
    with database(tmp_path) as connection:
        return connection.execute(
            "SELECT status, attempts, last_error FROM alerts_messages ORDER BY id"
        ).fetchall()


def test_one_digest_is_one_email_over_starttls_with_login(
    tmp_path: Path, smtp_server: Server
) -> None:
    notes = _notes(tmp_path, smtp_server.port)
    report = _night(tmp_path, notes, [BREACH, REMINDER])
    assert report.lines() == [
        f"alerts: legal-mail (email, smtp://127.0.0.1:{smtp_server.port} to 2 addresses): "
        "1 message sent"
    ]
    received = smtp_server.received
    assert received.logins == [(USERNAME, PASSWORD)]
    assert received.over_tls == [True]
    assert received.envelopes == [
        ("contract-checker@example.test", ["legal@example.test", "counsel@example.test"])
    ]
    [message] = received.messages
    assert message["From"] == "contract-checker@example.test"
    assert message["To"] == "legal@example.test, counsel@example.test"
    assert message["Subject"] == (
        "Contract checker, as of 2026-11-22: 1 new breach, 1 deadline coming up, 1 open in all"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    plain, markup = text.get_content(), html.get_content()
    for body in (plain, markup):
        assert "globex-reseller-2025, clause 4.1: Exclusive territory" in body
        assert "Deadlines coming up (1)" in body
        assert "Due in 7 days, on 2026-11-29." in body
    assert HOSTILE in plain  # plain text shows values as written
    assert "<script>" not in markup  # HTML escapes them
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold" in markup
    assert _outbox(tmp_path) == [("sent", 1, "")]


def test_a_second_run_sends_nothing_new_and_a_resent_digest_keeps_its_message_id(
    tmp_path: Path, smtp_server: Server
) -> None:
    notes = _notes(tmp_path, smtp_server.port)
    _night(tmp_path, notes, [BREACH])
    report = _night(tmp_path, notes, [BREACH], run_id=2)
    assert report.lines() == ["alerts: nothing new to send"]
    assert len(smtp_server.received.messages) == 1
    # The same digest sent twice (a retry, or the next run sending what waited) has one id.
    receiver = notes.model.receivers["legal-mail"]
    assert isinstance(receiver, EmailReceiver)
    [payload] = render(alert_digest(notes, [BREACH]))
    first = SmtpTransport(receiver, ENVIRON).message(payload)["Message-ID"]
    again = SmtpTransport(receiver, ENVIRON).message(dict(payload))["Message-ID"]
    assert first == again
    assert first.endswith("@example.test>")
    assert first == smtp_server.received.messages[0]["Message-ID"]


def alert_digest(notes: Notifications, found: list[Finding]) -> Digest:
    run = alert_input(found, notes)
    [plan] = build_digests(
        run.findings,
        run.history,
        run.as_of,
        notes.model,
        run.snoozes,
        run.is_waived,
        {"legal-mail": ReceiverMemory()},
    )
    return plan.digest


def test_a_temporary_refusal_is_tried_again(tmp_path: Path, smtp_server: Server) -> None:
    smtp_server.received.answers.append("451 4.3.0 Mailbox busy, try again later")
    sleeps = Sleeps()
    report = _night(tmp_path, _notes(tmp_path, smtp_server.port), [BREACH], sleeps=sleeps)
    assert report.failed == report.pending == 0
    assert sleeps.delays == [1.0]
    assert len(smtp_server.received.messages) == 1
    assert _outbox(tmp_path) == [("sent", 2, "")]


def test_a_wrong_password_fails_for_good_and_is_never_shown(
    tmp_path: Path, smtp_server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = {"SMTP_USERNAME": USERNAME, "SMTP_PASSWORD": "not-the-pa55word"}
    with caplog.at_level(logging.DEBUG):
        report = _night(tmp_path, _notes(tmp_path, smtp_server.port), [BREACH], environ=wrong)
    assert report.failed == 1
    assert smtp_server.received.logins == [(USERNAME, "not-the-pa55word")]  # tried once
    assert smtp_server.received.messages == []
    said = "\n".join([*report.lines(), caplog.text, *(str(row) for row in _outbox(tmp_path))])
    assert "SMTP 535" in said
    assert "not-the-pa55word" not in said
    assert USERNAME not in said


def test_a_server_without_starttls_is_not_sent_the_password(
    tmp_path: Path, plain_server: Server
) -> None:
    report = _night(tmp_path, _notes(tmp_path, plain_server.port), [BREACH])
    assert report.failed == 1
    assert plain_server.received.logins == []
    assert "does not offer STARTTLS" in "\n".join(report.lines())


def test_a_certificate_that_does_not_check_out_is_not_sent_the_password(
    tmp_path: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # the test server's certificate is trusted no more
    report = _night(tmp_path, _notes(tmp_path, smtp_server.port), [BREACH])
    assert report.failed == 1
    assert smtp_server.received.logins == []
    assert "the server's certificate was not accepted" in "\n".join(report.lines())


def test_a_relay_on_this_machine_may_go_without_tls_and_login(
    tmp_path: Path, plain_server: Server
) -> None:
    notes = _notes(
        tmp_path, plain_server.port, starttls="false", username_env=None, password_env=None
    )
    report = _night(tmp_path, notes, [BREACH], environ={})
    assert report.failed == report.pending == 0
    assert plain_server.received.over_tls == [False]
    assert plain_server.received.logins == []


def test_credentials_not_set_wait_in_the_outbox(tmp_path: Path, smtp_server: Server) -> None:
    notes = _notes(tmp_path, smtp_server.port)
    report = _night(tmp_path, notes, [BREACH], environ={"SMTP_USERNAME": USERNAME})
    assert report.pending == 1
    assert "the environment variable SMTP_PASSWORD is not set" in "\n".join(report.lines())
    assert smtp_server.received.logins == []
    report = _night(tmp_path, notes, [BREACH], run_id=2)  # set now: sent
    assert report.pending == 0
    assert len(smtp_server.received.messages) == 1


def test_dry_run_shows_the_email_without_sending(tmp_path: Path) -> None:
    notes = _notes(tmp_path, 25)
    shown = dry_run(alert_input([BREACH], notes), notes, None, {})
    assert "legal-mail (email, smtp://127.0.0.1:25 to 2 addresses): 1 digest in 1 message" in shown
    assert '"subject": "Contract checker, as of 2026-11-22: 1 new breach, 1 open in all"' in shown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password_env": None}, "give both 'username_env' and 'password_env'"),
        (
            {"smtp_host": "smtp.example.com", "starttls": "false"},
            "would send the SMTP password unencrypted to smtp.example.com",
        ),
        ({"sender": "'Legal <legal@example.test>'"}, "sender"),
        ({"to": "[]"}, "to"),
        ({"smtp_host": "smtp://smtp.example.com"}, "smtp_host"),
        ({"password_env": "SMTP-PASSWORD"}, "is not an environment variable name"),
    ],
)
def test_mistakes_in_an_email_receiver_are_reported(
    tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        _notes(tmp_path, 587, **fields)
    assert message in "\n".join(d.render() for d in raised.value.diagnostics)


def test_the_model_defaults_to_submission_with_starttls() -> None:
    receiver = EmailReceiver.model_validate(
        {"type": "email", "smtp_host": "smtp.example.com", "sender": "a@b.example", "to": ["c@d.e"]}
    )
    assert (receiver.smtp_port, receiver.starttls) == (587, True)
    with pytest.raises(ValidationError):
        EmailReceiver.model_validate({"type": "email", "smtp_host": "x", "sender": "a@b", "to": []})


def test_hidden_secrets_are_masked_in_text_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    hide("s3cret-value", None, "")
    assert mask_text("login s3cret-value refused") == "login *** refused"
    log = masked_logger("tests.alerts.email")
    with caplog.at_level(logging.INFO, logger="tests.alerts.email"):
        log.info("refused %s at %s", "s3cret-value", "https://hooks.example/abc")
    assert caplog.messages == ["refused *** at https://hooks.example/***"]
