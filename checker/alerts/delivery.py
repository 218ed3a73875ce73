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
Webhook addresses never appear in what this module says or logs: only `mask_url`'s form of them
(and secrets read from the environment only as `***`, see checker.alerts.masking).
"""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, cast

from slack_sdk.errors import SlackRequestError
from slack_sdk.webhook import WebhookClient

from checker.alerts import webhook
from checker.alerts.masking import mask_text, mask_url, masked_logger
from checker.alerts.notifications_model import Delivery

log = masked_logger(__name__)
# Slack's client logs each request's address at debug level: give it a logger that masks, and
# that stays quiet (this module reports every failure itself).
_SLACK_SDK_LOG = masked_logger(f"{__name__}.slack_sdk")
_SLACK_SDK_LOG.setLevel(logging.CRITICAL)
_MAX_BODY_SHOWN = 200
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


class SlackTransport:
    """Posts through slack_sdk's `WebhookClient`, Slack's maintained incoming-webhook client."""

    def post(self, url: str, payload: dict[str, Any], timeout: float) -> Reply:
        # The client hands its timeout to urllib, which takes fractions of a second too.
        client = WebhookClient(
            url, timeout=cast(int, timeout), logger=_SLACK_SDK_LOG, retry_handlers=[]
        )
        try:
            response = client.send_dict(payload)
        except (OSError, http.client.HTTPException, SlackRequestError) as error:
            raise TransportError(_describe_error(error)) from error
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
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, _lower(response.headers), _text(response.read()))
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, _lower(error.headers), _text(error.read()))
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(_describe_error(error)) from error


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
        return "no answer within the time allowed (timeout)"
    return mask_text(f"no answer: {text}")


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
