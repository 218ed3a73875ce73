"""Alerts for one run, start to end: build each receiver's digest, queue its messages in the
outbox, send everything pending (tonight's and earlier runs'), reroute undeliverable digests to
the fallback receiver, and say how it went. `dry_run` shows what would be sent instead.

Order of sending: pending messages of earlier nights first, so an earlier night's digest (or its
fallback copy) goes out before tonight's. A receiver whose message is still failing after its
retries gets nothing more this run (its later messages wait behind it, in order). A message refused permanently (HTTP 4xx other than
429) fails its whole digest, which is queued for the fallback receiver on the fallback's own
platform, headed with why it is there; a fallback copy that fails too is not rerouted again.

A receiver whose environment variable is not set (or holds no usable https address), or whose
signing secret or SMTP credentials are not set, is a configuration problem on this side, not the
receiver's: its messages stay pending, to be sent once the variable is set, and the run says so.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from checker.alerts import smtp
from checker.alerts.delivery import (
    Clock,
    JsonTransport,
    Outcome,
    SlackTransport,
    Sleep,
    Transport,
    WebhookTransport,
    check_address,
    deliver,
)
from checker.alerts.digest import Digest, DigestPlan, Undelivered, build_digests
from checker.alerts.layout import headline
from checker.alerts.masking import hide, hide_url, mask_text, mask_url
from checker.alerts.notifications_loading import Notifications
from checker.alerts.outbox import FAILED, PENDING, SENT, Message, Outbox
from checker.alerts.receivers import EmailReceiver, WebhookReceiver
from checker.alerts.render import AnyReceiver, render
from checker.alerts.snoozes import Snoozes
from checker.findings.model import Finding
from checker.findings.tracking import RunHistory


def default_transports() -> dict[str, Transport]:
    """The transport of each web receiver type: Slack's client for Slack, a JSON POST for Teams
    and a generic webhook (with its delivery id). A webhook with a signing secret and an email
    receiver get a transport made for them (`_Sender._transport`)."""
    return {"slack": SlackTransport(), "teams": JsonTransport(), "webhook": WebhookTransport()}


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True, slots=True)
class AlertInput:
    """What a run gives the alerts: its findings (all, in report order), their history, the
    night, which findings are waived, and the snoozes in force."""

    findings: Iterable[Finding]
    history: RunHistory
    as_of: date
    is_waived: Callable[[Finding], bool]
    snoozes: Snoozes


@dataclass(slots=True)
class ReceiverTally:
    queued: int = 0  # digests queued tonight
    sent: int = 0  # messages
    failed: int = 0
    pending: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class NotifyReport:
    """How the alerts went, receiver by receiver, in words for stderr."""

    tallies: dict[str, ReceiverTally] = field(default_factory=dict)
    destinations: dict[str, str] = field(default_factory=dict)  # receiver -> "slack, https://h/***"
    outbox_problem: str | None = None  # the outbox could not be written: alerts stopped

    def tally(self, receiver: str) -> ReceiverTally:
        return self.tallies.setdefault(receiver, ReceiverTally())

    @property
    def failed(self) -> int:
        return sum(tally.failed for tally in self.tallies.values())

    @property
    def pending(self) -> int:
        return sum(tally.pending for tally in self.tallies.values())

    @property
    def delivery_failed(self) -> bool:
        """Whether any message failed permanently or is still pending, or the outbox could not
        be written: exit code 5."""
        return bool(self.failed or self.pending or self.outbox_problem)

    def lines(self) -> list[str]:
        problem = [f"alerts: {self.outbox_problem}"] if self.outbox_problem else []
        if not any(t.queued or t.sent or t.failed or t.pending for t in self.tallies.values()):
            return problem or ["alerts: nothing new to send"]
        lines = problem
        for receiver, tally in self.tallies.items():
            if not (tally.queued or tally.sent or tally.failed or tally.pending):
                continue
            counts = [f"{_count(tally.sent, 'message')} sent"]
            if tally.failed:
                counts.append(f"{tally.failed} failed")
            if tally.pending:
                counts.append(f"{tally.pending} waiting for the next run")
            where = self.destinations.get(receiver, "no longer in the notifications file")
            lines.append(f"alerts: {receiver} ({where}): {', '.join(counts)}")
            lines.extend(f"  {note}" for note in tally.notes)
        return lines


def notify(
    run: AlertInput,
    notifications: Notifications,
    connection: sqlite3.Connection,
    run_id: int,
    environ: Mapping[str, str],
    transports: Mapping[str, Transport] | None = None,
    sleep: Sleep = time.sleep,
    clock: Clock = utc_now,
) -> NotifyReport:
    """Queue tonight's digests and send every pending message; see the module docstring.

    When the outbox's tables cannot be written (a full disk, a file made read-only), the alerts
    stop there and the report says so (exit code 5). Nothing is lost: a digest not queued is built again by the
    next run (what it tells was not remembered), a message sent but not marked sent is sent
    again, with the same delivery id."""
    hide_secrets(notifications, environ)
    report = NotifyReport()
    try:
        _notify(run, notifications, connection, run_id, environ, transports, sleep, clock, report)
    except sqlite3.Error as error:
        report.outbox_problem = (
            f"stopped: the outbox in the state file could not be written ({mask_text(str(error))});"
            " nothing is lost: what was not sent is sent by the next run once the state file can "
            "be written (check the free space and permissions where it is)"
        )
    return report


def _notify(
    run: AlertInput,
    notifications: Notifications,
    connection: sqlite3.Connection,
    run_id: int,
    environ: Mapping[str, str],
    transports: Mapping[str, Transport] | None,
    sleep: Sleep,
    clock: Clock,
    report: NotifyReport,
) -> None:
    outbox = Outbox(connection)
    model = notifications.model
    for name, receiver in model.receivers.items():
        report.destinations[name] = _destination(receiver, environ)
        report.tally(name)
    for plan in _plans(run, notifications, outbox):
        if plan.digest.is_empty:
            continue
        receiver = model.receivers[plan.digest.receiver]
        digest_id = outbox.queue(
            plan, receiver.type, render(plan.digest, receiver), run_id, _stamp(clock)
        )
        if digest_id is not None:
            report.tally(plan.digest.receiver).queued += 1
    _Sender(notifications, outbox, environ, transports, report).send_all(run_id, sleep, clock)


def dry_run(
    run: AlertInput,
    notifications: Notifications,
    connection: sqlite3.Connection | None,
    environ: Mapping[str, str],
) -> str:
    """What `notify` would send, as text: nothing is sent and nothing is written. Without a
    connection (a state file not created yet) every receiver is taken as told nothing before."""
    hide_secrets(notifications, environ)
    outbox = Outbox(connection, create=False) if connection is not None else None
    lines = ["Dry run: nothing is sent and nothing is recorded."]
    waiting = outbox.pending() if outbox is not None else []
    if waiting:
        lines.append(
            f"Waiting in the outbox from earlier runs, sent first: {_count(len(waiting), 'message')}"
        )
        for message in waiting:
            label = (
                f"{message.receiver}, night {message.night}, message {message.part} of "
                f"{message.parts}"
            )
            lines.append(_shown(label, message.payload))
    model = notifications.model
    for plan in _plans(run, notifications, outbox):
        digest = plan.digest
        receiver = model.receivers[digest.receiver]
        where = _destination(receiver, environ)
        if digest.is_empty:
            lines.append(f"{digest.receiver} ({where}): nothing to send")
            continue
        payloads = render(digest, receiver)
        lines.append(
            f"{digest.receiver} ({where}): 1 digest in {_count(len(payloads), 'message')}: "
            f"{headline(digest)}"
        )
        for number, payload in enumerate(payloads, 1):
            lines.append(_shown(f"{digest.receiver}, message {number} of {len(payloads)}", payload))
    return "\n".join(lines) + "\n"


def hide_secrets(notifications: Notifications, environ: Mapping[str, str]) -> None:
    """Hide, by value, every secret the receivers name (checker.alerts.masking): each webhook
    address and every part of it, signing secrets, SMTP user names and passwords. Done before
    anything is sent, so no answer, log line, outbox row or fallback message can show one."""
    for receiver in notifications.model.receivers.values():
        if isinstance(receiver, EmailReceiver):
            hide(
                *(
                    environ.get(name or "")
                    for name in (receiver.username_env, receiver.password_env)
                )
            )
            continue
        hide_url(environ.get(receiver.url_env))
        if isinstance(receiver, WebhookReceiver) and receiver.secret_env:
            hide(environ.get(receiver.secret_env))


def _plans(
    run: AlertInput, notifications: Notifications, outbox: Outbox | None
) -> list[DigestPlan]:
    receivers = list(notifications.model.receivers)
    memories = outbox.memories(receivers) if outbox is not None else {}
    return build_digests(
        run.findings,
        run.history,
        run.as_of,
        notifications.model,
        run.snoozes,
        run.is_waived,
        memories,
    )


class _Sender:
    """Sends every pending message once per run, reroutes failed digests, keeps the tally."""

    def __init__(
        self,
        notifications: Notifications,
        outbox: Outbox,
        environ: Mapping[str, str],
        transports: Mapping[str, Transport] | None,
        report: NotifyReport,
    ) -> None:
        self.model = notifications.model
        self.outbox = outbox
        self.environ = environ
        self.given = transports or {}  # by receiver type, in place of the usual ones
        self.transports = default_transports()
        self.report = report
        self.held: set[str] = set()  # receivers whose earlier message is still waiting

    def send_all(self, run_id: int, sleep: Sleep, clock: Clock) -> None:
        """Send each pending message once, earlier nights first. The outbox is read again after
        each message: a failure settles the rest of its digest, and a reroute queues new ones."""
        handled: set[int] = set()
        while True:
            waiting = (m for m in self.outbox.pending() if m.id not in handled)
            message = next(waiting, None)
            if message is None:
                return
            handled.add(message.id)
            self._send(message, run_id, sleep, clock)

    def _send(self, message: Message, run_id: int, sleep: Sleep, clock: Clock) -> None:
        tally = self.report.tally(message.receiver)
        receiver = self.model.receivers.get(message.receiver)
        if receiver is None or receiver.type != message.platform:
            why = (
                "its receiver is no longer in the notifications file"
                if receiver is None
                else f"its receiver is now of type {receiver.type}, not {message.platform}"
            )
            self._fail(message, why, 0, run_id, clock)
            return
        if message.receiver in self.held:
            tally.pending += 1
            return
        url, problem = _target(receiver, self.environ)
        if problem is not None:
            self.outbox.record(message.id, PENDING, 0, problem, None)
            self._hold(message, problem)
            return
        transport = self._transport(receiver)
        result = deliver(message.payload, url, transport, self.model.delivery, sleep, clock)
        if result.outcome is Outcome.SENT:
            self.outbox.record(message.id, SENT, result.attempts, "", _stamp(clock))
            tally.sent += 1
        elif result.outcome is Outcome.PENDING:
            self.outbox.record(message.id, PENDING, result.attempts, result.detail, None)
            self._hold(
                message, f"{result.detail}, after {_count(result.attempts, 'attempt')} tonight"
            )
        else:
            self._fail(message, result.detail, result.attempts, run_id, clock)

    def _transport(self, receiver: AnyReceiver) -> Transport:
        """The transport for `receiver`: one given in its type's place, else the usual one, made
        for it when it needs its own settings (a signing secret, an SMTP server)."""
        if receiver.type in self.given:
            return self.given[receiver.type]
        if isinstance(receiver, EmailReceiver):
            return smtp.SmtpTransport(receiver, self.environ)
        if isinstance(receiver, WebhookReceiver) and receiver.secret_env is not None:
            return WebhookTransport(self.environ[receiver.secret_env])
        return self.transports[receiver.type]

    def _hold(self, message: Message, why: str) -> None:
        tally = self.report.tally(message.receiver)
        tally.pending += 1
        self.held.add(message.receiver)
        tally.notes.append(
            f"message {message.part} of {message.parts} (night {message.night}) not sent: "
            f"{why}; it waits in the outbox and is sent on the next run"
        )

    def _fail(self, message: Message, why: str, attempts: int, run_id: int, clock: Clock) -> None:
        """The message failed for good: fail its whole digest and send that to the fallback."""
        now = _stamp(clock)
        tally = self.report.tally(message.receiver)
        self.outbox.record(message.id, FAILED, attempts, why, now)
        tally.failed += 1
        held_back = [m for m in self.outbox.pending() if m.digest_id == message.digest_id]
        tally.failed += len(held_back)
        self.outbox.give_up_digest(
            message.digest_id, f"not sent: message {message.part} could not be delivered", now
        )
        digest = self.outbox.digest(message.digest_id)
        fallback_name = self.model.fallback
        if digest.undelivered is not None or message.receiver == fallback_name:
            tally.notes.append(f"digest of night {message.night} not delivered: {why}")
            return
        fallback = self.model.receivers[fallback_name]
        copy = Digest.model_validate(
            {
                **digest.model_dump(),
                "receiver": fallback_name,
                "undelivered": Undelivered(receiver=message.receiver, reason=mask_text(why)),
            }
        )
        if fallback.redact_values:
            copy = copy.redacted()
        self.outbox.queue_fallback(
            message.digest_id, copy, fallback.type, render(copy, fallback), run_id, now
        )
        tally.notes.append(
            f"digest of night {message.night} not delivered: {why}; sent to the fallback "
            f"'{fallback_name}' instead"
        )


def _target(receiver: AnyReceiver, environ: Mapping[str, str]) -> tuple[str, str | None]:
    """Where the receiver's messages go, and why they cannot be sent there yet (a variable not
    set, or an address that will not do), or None."""
    if isinstance(receiver, EmailReceiver):
        return smtp.address(receiver), smtp.credentials_problem(receiver, environ)
    url = environ.get(receiver.url_env, "")
    if not url:
        return url, f"the environment variable {receiver.url_env} is not set"
    problem = _address_problem(receiver.url_env, url)
    if problem is None and isinstance(receiver, WebhookReceiver) and receiver.secret_env:
        secret = environ.get(receiver.secret_env, "")
        hide(secret)
        if not secret:
            problem = (
                f"the environment variable {receiver.secret_env} (the secret its messages are "
                "signed with) is not set"
            )
    return url, problem


def _address_problem(variable: str, url: str) -> str | None:
    problem = check_address(url)
    if problem is None:
        return None
    return f"the environment variable {variable} holds {mask_url(url)}, and {problem}"


def _destination(receiver: AnyReceiver, environ: Mapping[str, str]) -> str:
    """`slack, https://hooks.slack.com/***`, or says that the variable is not set;
    `email, smtp://smtp.example.com:587 to 2 addresses` for email."""
    if isinstance(receiver, EmailReceiver):
        number = len(receiver.to)
        return f"email, {smtp.address(receiver)} to {number} address{'' if number == 1 else 'es'}"
    url = environ.get(receiver.url_env, "")
    shown = mask_url(url) if url else f"{receiver.url_env} is not set"
    return f"{receiver.type}, {shown}"


def _shown(label: str, payload: dict[str, object]) -> str:
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    return f"--- {label} ---\n{text}"


def _stamp(clock: Clock) -> str:
    return clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
