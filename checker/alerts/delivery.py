"""Delivery: posting one message to a webhook, with retries, and saying how it went.

* 2xx: sent.
* 429 (too many requests): wait as long as the service's `Retry-After` says (seconds or an HTTP
  date), then try again; without the header, wait as for a 5xx.
* 5xx, a timeout, a refused or dropped connection: wait (`first_retry_seconds`, doubled before
  each further attempt, at most `max_wait_seconds`) and try again, up to `attempts` in all.
* any other status (400 bad payload, 403, 404 no such webhook, 410 channel archived...):
  permanent; not tried again.
* still failing after the last attempt, or asked to wait longer than `max_wait_seconds`: pending;
  the message stays in the outbox and the next run tries again.

Slack messages go through Slack's own client (`slack_sdk.WebhookClient`, with its retries turned
off: this module decides); Teams and generic webhooks through a plain JSON POST, a generic
webhook's with its delivery id and signature headers (checker.alerts.webhook). Email goes through
`checker.alerts.smtp`, whose transport raises `TransportError` for what is worth trying again and
`PermanentError` for what is not. The sleep and the clock are passed in, so tests never wait.

`timeout_seconds` is a **total deadline per attempt**: connecting, sending and the whole answer
(`Deadline`). A socket's own timeout only bounds each read, so a receiver that trickles one byte
every second could otherwise hold a message for as long as it likes; when the deadline passes,
the connection is shut down and the attempt counts as a timeout. At most `MAX_ANSWER_BYTES` of an
answer are read.
Webhook addresses never appear in what this module says or logs: only `mask_url`'s form of them
(and secrets read from the environment only as `***`, see checker.alerts.masking).
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import ipaddress
import logging
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, cast

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient, WebhookResponse

from checker.alerts import webhook
from checker.alerts.masking import mask_text, mask_url, masked_logger
from checker.alerts.notifications_model import Delivery

log = masked_logger(__name__)
# Slack's client logs each request's address at debug level: give it a logger that masks, and
# that stays quiet (this module reports every failure itself).
_SLACK_SDK_LOG = masked_logger(f"{__name__}.slack_sdk")
_SLACK_SDK_LOG.setLevel(logging.CRITICAL)
_MAX_BODY_SHOWN = 200
MAX_ANSWER_BYTES = 64 * 1024  # of a receiver's answer: only its start is ever shown
TIMED_OUT = "no answer within the time allowed (timeout)"
_LOOPBACK_NAMES = frozenset({"localhost"})

Sleep = Callable[[float], None]
Clock = Callable[[], datetime]


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # permanently: not tried again
    PENDING = "pending"  # tried again on the next run


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    attempts: int
    detail: str = ""  # what went wrong last, in words, addresses masked


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: str


class TransportError(Exception):
    """No HTTP answer: a timeout, a refused or dropped connection. Worth trying again."""


class PermanentError(Exception):
    """Refused for good without an HTTP answer (an SMTP server's 5xx): not tried again."""


class Transport(Protocol):
    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply: ...


class Deadline:
    """A total time allowed for one attempt: every connection opened through `opener` is shut
    down when it has passed, whatever the server is doing (trickling bytes included)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._timers: list[threading.Timer] = []
        self.expired = False

    def remaining(self) -> float:
        return max(0.001, self._end - time.monotonic())

    def watch(self, sock: socket.socket) -> socket.socket:
        timer = threading.Timer(self.remaining(), self._expire, (sock,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()
        return sock

    def _expire(self, sock: socket.socket) -> None:
        self.expired = True
        with contextlib.suppress(OSError):  # closed already
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()

    def opener(self) -> urllib.request.OpenerDirector:
        """A urllib opener (proxies from the environment as usual) whose connections keep it."""
        return urllib.request.build_opener(_DeadlineHTTPHandler(self), _DeadlineHTTPSHandler(self))

    def connection_class(self, base: type[http.client.HTTPConnection]) -> Any:
        deadline = self

        class _Connection(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                kwargs["timeout"] = deadline.remaining()
                super().__init__(*args, **kwargs)
                self._create_connection = lambda *a, **k: deadline.watch(
                    socket.create_connection(*a, **k)
                )

        return _Connection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._deadline.connection_class(http.client.HTTPConnection), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(
            self._deadline.connection_class(http.client.HTTPSConnection),
            req,
            context=self._context,  # type: ignore[attr-defined]
        )


class _SlackClient(WebhookClient):
    """slack_sdk's client, its requests opened through a `Deadline`'s opener."""

    def __init__(self, url: str, deadline: Deadline) -> None:
        # The client hands its timeout to urllib, which takes fractions of a second too.
        super().__init__(
            url, timeout=cast(int, deadline.seconds), logger=_SLACK_SDK_LOG, retry_handlers=[]
        )
        self._deadline = deadline

    def _perform_http_request_internal(
        self, url: str, req: urllib.request.Request
    ) -> WebhookResponse:
        with self._deadline.opener().open(req, timeout=self._deadline.remaining()) as response:
            body = response.read(MAX_ANSWER_BYTES)
            charset = response.headers.get_content_charset() or "utf-8"
            return WebhookResponse(
                url=url,
                status_code=response.status,
                body=body.decode(charset, errors="replace"),
                headers=response.headers,
            )


class SlackTransport:
    """Posts through slack_sdk's `WebhookClient`, Slack's maintained incoming-webhook client."""

    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply:
        deadline = Deadline(timeout)
        try:
            response = _SlackClient(url, deadline).send_dict(payload)
        except (OSError, http.client.HTTPException, SlackRequestError) as error:
            raise TransportError(_timed_out(deadline) or _describe_error(error)) from error
        finally:
            deadline.cancel()
        headers = {str(name).lower(): str(value) for name, value in response.headers.items()}
        return Reply(response.status_code, headers, response.body or "")


class JsonTransport:
    """Posts JSON with the standard library: for Teams Workflows and generic webhooks."""

    def headers(self, payload: dict[str, Any], body: bytes) -> dict[str, str]:
        """Headers besides the content type (none here)."""
        return {}

    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply:
        body = webhook.body(payload)
        request = urllib.request.Request(  # the address is checked by `check_address` first
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                **self.headers(payload, body),
            },
        )
        deadline = Deadline(timeout)
        try:
            try:
                with deadline.opener().open(request, timeout=deadline.remaining()) as response:
                    answer = response.read(MAX_ANSWER_BYTES)
                    return Reply(response.status, _lower(response.headers), _text(answer))
            except urllib.error.HTTPError as error:
                with error:
                    answer = error.read(MAX_ANSWER_BYTES)
                    return Reply(error.code, _lower(error.headers), _text(answer))
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(_timed_out(deadline) or _describe_error(error)) from error
        finally:
            deadline.cancel()


class WebhookTransport(JsonTransport):
    """A generic webhook's JSON POST: with its delivery id, and signed when given the secret
    shared with the receiving service (see checker.alerts.webhook)."""

    def __init__(self, secret: str | None = None) -> None:
        self._secret = secret

    def headers(self, payload: dict[str, Any], body: bytes) -> dict[str, str]:
        return webhook.headers(payload, body, self._secret)


def check_address(url: str) -> str | None:
    """Why `url` cannot be a webhook address, or None: https, or http to this machine only."""
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in {"https", "http"} or not parsed.hostname:
        return "it is not a web address (https://...)"
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname):
        return "it is not https: webhook addresses carry their own secret and must be encrypted"
    return None


def deliver(
    payload: dict[str, Any],
    url: str,
    transport: Transport,
    policy: Delivery,
    sleep: Sleep,
    clock: Clock,
) -> Result:
    """Post `payload` to `url`, retrying as the module docstring says; never raises for HTTP."""
    shown = mask_url(url)
    detail = ""
    for attempt in range(1, policy.attempts + 1):
        try:
            reply = transport.post(url, payload, policy.timeout_seconds)
        except TransportError as error:
            detail = mask_text(str(error))
            wait = _backoff(attempt, policy)
        except PermanentError as error:
            detail = mask_text(str(error))
            log.warning("%s: %s; not tried again", shown, detail)
            return Result(Outcome.FAILED, attempt, detail)
        else:
            if 200 <= reply.status < 300:
                log.info("sent to %s (attempt %d)", shown, attempt)
                return Result(Outcome.SENT, attempt)
            detail = _describe_reply(reply)
            if reply.status == http.HTTPStatus.TOO_MANY_REQUESTS:
                asked = _retry_after(reply.headers.get("retry-after"), clock)
                wait = _backoff(attempt, policy) if asked is None else asked
                if wait > policy.max_wait_seconds:
                    detail += f"; asked to wait {wait:g} s, longer than max_wait_seconds"
                    log.warning("%s: %s; left for the next run", shown, detail)
                    return Result(Outcome.PENDING, attempt, detail)
            elif reply.status < 500:
                log.warning("%s: %s; not tried again", shown, detail)
                return Result(Outcome.FAILED, attempt, detail)
            else:
                wait = _backoff(attempt, policy)
        if attempt < policy.attempts:
            log.warning("%s: attempt %d failed (%s); next in %g s", shown, attempt, detail, wait)
            sleep(wait)
    log.warning(
        "%s: %d attempts failed (%s); left for the next run", shown, policy.attempts, detail
    )
    return Result(Outcome.PENDING, policy.attempts, detail)


def _backoff(attempt: int, policy: Delivery) -> float:
    """Wait after failed attempt `attempt`: the first retry wait, doubled each time, capped."""
    return float(min(policy.first_retry_seconds * 2 ** (attempt - 1), policy.max_wait_seconds))


def _retry_after(value: str | None, clock: Clock) -> float | None:
    """Seconds to wait from a `Retry-After` header (seconds, or an HTTP date), None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - clock()).total_seconds())


def _describe_reply(reply: Reply) -> str:
    try:
        reason = http.HTTPStatus(reply.status).phrase
    except ValueError:
        reason = "unknown status"
    body = " ".join(reply.body.split())
    if len(body) > _MAX_BODY_SHOWN:
        body = body[: _MAX_BODY_SHOWN - 1] + "…"
    text = f"HTTP {reply.status} {reason}"
    return mask_text(f"{text}: {body}" if body else text)


def _describe_error(error: BaseException) -> str:
    reason = getattr(error, "reason", None)  # URLError wraps the socket's error
    cause = reason if isinstance(reason, BaseException | str) else error
    text = str(cause) or type(cause).__name__
    if isinstance(cause, TimeoutError) or "timed out" in text:
        return TIMED_OUT
    return mask_text(f"no answer: {text}")


def _timed_out(deadline: Deadline) -> str | None:
    return TIMED_OUT if deadline.expired else None


def _lower(headers: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()} if headers else {}


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
