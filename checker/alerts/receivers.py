"""The receivers a notifications file declares: Slack, Teams and JSON webhook, each naming the
environment variable that holds its webhook address.

A webhook address is a secret (whoever has it can post to the channel), so a receiver names the
environment variable that holds it and never the address.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from checker.findings.model import Severity

RECEIVER_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
ENVIRONMENT_VARIABLE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# A first night can find thousands: a digest lists this many, counts the rest.
DEFAULT_MAX_ITEMS_PER_DIGEST = 50
_ENVIRONMENT_VARIABLE = re.compile(ENVIRONMENT_VARIABLE_PATTERN)


class _Receiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url_env: str = Field(
        description="The environment variable holding the webhook address (never the address)",
        examples=["SLACK_LEGAL_WEBHOOK"],
    )
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

    @field_validator("url_env")
    @classmethod
    def _environment_variable_name(cls, value: str) -> str:
        if not _ENVIRONMENT_VARIABLE.match(value):
            raise ValueError(
                f"'{value}' is not an environment variable name (letters, digits and _ only, "
                "e.g. SLACK_LEGAL_WEBHOOK)"
            )
        return value


class SlackReceiver(_Receiver):
    """A Slack channel's incoming webhook: Block Kit messages."""

    type: Literal["slack"] = Field(
        description="slack: a Slack channel's incoming webhook", examples=["slack"]
    )


class TeamsReceiver(_Receiver):
    """A Microsoft Teams channel's Workflows webhook: Adaptive Cards."""

    type: Literal["teams"] = Field(
        description="teams: a Microsoft Teams channel's Workflows webhook", examples=["teams"]
    )


class WebhookReceiver(_Receiver):
    """Any service taking a JSON POST: the digest as data."""

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


Receiver = Annotated[SlackReceiver | TeamsReceiver | WebhookReceiver, Field(discriminator="type")]
