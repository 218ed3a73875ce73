"""The receivers a notifications file declares: Slack, Teams and JSON webhook, each naming the
environment variable that holds its webhook address, and email through an SMTP server.

A webhook address is a secret (whoever has it can post to the channel), so a receiver names the
environment variable that holds it and never the address. Likewise a generic webhook's signing
secret and an SMTP server's user name and password: only the variables that hold them are named.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.findings.model import Severity

RECEIVER_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
ENVIRONMENT_VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# An email address as a receiver writes it: something@domain, no display name, no spaces.
EMAIL_ADDRESS_PATTERN = r"^[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
# A host name or an IP address (no scheme, no port, no path).
HOST_PATTERN = r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$"
DEFAULT_SMTP_PORT = 587  # message submission, with STARTTLS
# A first night can find thousands: a digest lists this many, counts the rest.
DEFAULT_MAX_ITEMS_PER_DIGEST = 50
_ENVIRONMENT_VARIABLE = re.compile(ENVIRONMENT_VARIABLE_PATTERN)
_LOOPBACK_NAMES = frozenset({"localhost"})


class _Receiver(BaseModel):
    """What every receiver has: which findings it takes, and how many one digest lists."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_severity: Severity = Field(
        default=Severity.INFO,
        description="Least severe finding sent here: critical, high, medium, low or info",
        examples=["medium"],
    )
    max_items_per_digest: int = Field(
        default=DEFAULT_MAX_ITEMS_PER_DIGEST,
        strict=True,
        ge=1,
        le=10_000,
        description="Most findings one digest lists (new ones, deadlines, resolved ones), the "
        "most severe and most recent first; the rest are counted at its end ('... and 120 "
        "more: see the report') and not sent again",
        examples=[50],
    )
    redact_values: bool = Field(
        default=False,
        description="Keep confidential values (prices, amounts, territories, customers: "
        "whatever a finding's message quotes from the facts) out of this receiver's digests: "
        "it sees each finding's keys (agreement, clause, subject, date, severity, fingerprint) "
        "and where its evidence is (fact ids and file:line), and reads the rest in the report",
        examples=[True],
    )


def _environment_variable_name(value: str | None) -> str | None:
    if value is not None and not _ENVIRONMENT_VARIABLE.match(value):
        raise ValueError(
            f"'{value}' is not an environment variable name (letters, digits and _ only, "
            "e.g. SLACK_LEGAL_WEBHOOK)"
        )
    return value


class _WebReceiver(_Receiver):
    """A receiver posted to at a web address, which an environment variable holds."""

    url_env: str = Field(
        description="The environment variable holding the webhook address (never the address)",
        examples=["SLACK_LEGAL_WEBHOOK"],
    )

    _variable_names = field_validator("url_env")(
        lambda cls, value: _environment_variable_name(value)
    )


class SlackReceiver(_WebReceiver):
    """A Slack channel's incoming webhook: Block Kit messages."""

    type: Literal["slack"] = Field(
        description="slack: a Slack channel's incoming webhook", examples=["slack"]
    )


class TeamsReceiver(_WebReceiver):
    """A Microsoft Teams channel's Workflows webhook: Adaptive Cards."""

    type: Literal["teams"] = Field(
        description="teams: a Microsoft Teams channel's Workflows webhook", examples=["teams"]
    )


class WebhookReceiver(_WebReceiver):
    """Any service taking a JSON POST: the digest as data, each message with a delivery id and,
    given a shared secret, signed (see checker.alerts.webhook)."""

    type: Literal["webhook"] = Field(
        description="webhook: any service that takes a JSON POST", examples=["webhook"]
    )
    max_items: int = Field(
        default=50,
        strict=True,
        ge=1,
        le=10_000,
        description="Most findings in one message; a larger digest is split into several",
        examples=[50],
    )
    secret_env: str | None = Field(
        default=None,
        description="The environment variable holding the secret shared with the receiving "
        "service: each message's body is then signed with HMAC-SHA256 in the "
        "X-Contract-Checker-Signature header (sha256=<hex>); without it messages are not signed",
        examples=["AUDIT_WEBHOOK_SECRET"],
    )

    _secret_name = field_validator("secret_env")(
        lambda cls, value: _environment_variable_name(value)
    )


class EmailReceiver(_Receiver):
    """Email through an SMTP server: one message per digest, HTML with a plain-text part."""

    type: Literal["email"] = Field(
        description="email: a digest per run by email, through an SMTP server", examples=["email"]
    )
    smtp_host: str = Field(
        pattern=HOST_PATTERN,
        description="The SMTP server's host name (or IP address)",
        examples=["smtp.example.com"],
    )
    smtp_port: int = Field(
        default=DEFAULT_SMTP_PORT,
        strict=True,
        ge=1,
        le=65_535,
        description="The SMTP server's port: 587 (submission, with STARTTLS) by default",
        examples=[587],
    )
    starttls: bool = Field(
        default=True,
        description="Encrypt the connection with STARTTLS (the server's certificate is checked) "
        "before logging in and sending; turn it off only for a relay on this machine",
        examples=[True],
    )
    username_env: str | None = Field(
        default=None,
        description="The environment variable holding the SMTP user name (with password_env; "
        "leave both out for a server that takes mail without logging in)",
        examples=["SMTP_USERNAME"],
    )
    password_env: str | None = Field(
        default=None,
        description="The environment variable holding the SMTP password (never the password)",
        examples=["SMTP_PASSWORD"],
    )
    sender: str = Field(
        pattern=EMAIL_ADDRESS_PATTERN,
        description="The address the digests come from",
        examples=["contract-checker@example.com"],
    )
    to: list[Annotated[str, Field(pattern=EMAIL_ADDRESS_PATTERN)]] = Field(
        min_length=1,
        description="The addresses each digest goes to",
        examples=[["legal-team@example.com"]],
    )

    _variable_names = field_validator("username_env", "password_env")(
        lambda cls, value: _environment_variable_name(value)
    )

    @model_validator(mode="after")
    def _credentials(self) -> EmailReceiver:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError(
                "give both 'username_env' and 'password_env' (the variables holding the SMTP "
                "user name and password), or neither for a server that needs no login"
            )
        if self.username_env is not None and not self.starttls and not is_loopback(self.smtp_host):
            raise ValueError(
                "'starttls: false' would send the SMTP password unencrypted to "
                f"{self.smtp_host}: keep STARTTLS on (only a relay on this machine may do without)"
            )
        return self


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine: localhost or a loopback address."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


AnyReceiver = SlackReceiver | TeamsReceiver | WebhookReceiver | EmailReceiver
Receiver = Annotated[AnyReceiver, Field(discriminator="type")]
