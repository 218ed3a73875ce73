"""The model of the notifications file (routes, reminders, snoozes, delivery and the top level
holding the receivers), from which it is validated and its JSON Schema generated.

A notifications file (see notifications.example.yaml at the top of the repository)::

    receivers:
      legal:
        type: slack                    # slack, teams or webhook
        url_env: SLACK_LEGAL_WEBHOOK   # the environment variable that holds the webhook address
        min_severity: medium           # optional: less severe findings are not sent here
        max_items_per_digest: 50       # optional: findings listed per digest, the rest counted
    fallback: legal                    # findings no route takes, and undeliverable digests
    routes:
      - to: [legal]
        owner: [emea-legal]            # optional filters: owner, severity, kind, agreement
    reminder_days: [30, 7, 1]          # remind of a deadline this many days before it
    open_count_every: 7d               # how often to repeat the count of open findings
    snoozes:
      - agreement: globex-reseller-2025
        clause: "4.1"
        author: Maria Weber
        comment: Settled in the QBR, amendment being signed
        expires: 2026-12-31
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from checker.alerts.receivers import Receiver
from checker.common.text_checks import not_blank
from checker.findings.model import FindingKind, Severity

FINGERPRINT_PATTERN = r"^[0-9a-f]{20}$"
# `open_count_every` as text: a whole number of days or weeks.
INTERVAL_PATTERN = r"^\s*(\d+)\s*(d|days?|w|weeks?)\s*$"
_FINGERPRINT = re.compile(FINGERPRINT_PATTERN)
_INTERVAL = re.compile(INTERVAL_PATTERN)


def _as_list(value: Any) -> Any:
    """A single value written without brackets (`owner: emea-legal`) is a list of one."""
    return (
        [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else value
    )


def _interval_days(value: Any) -> Any:
    """`7d`, `2w`, `14 days` -> whole days; other values are left for pydantic to reject."""
    if isinstance(value, str):
        match = _INTERVAL.match(value)
        if match is None:
            raise ValueError(f"'{value}' is not an interval in days or weeks (write e.g. 7d or 2w)")
        amount = int(match.group(1))
        return amount * 7 if match.group(2).startswith("w") else amount
    return value


OneOrMore = Annotated[list[str], BeforeValidator(_as_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(_Strict):
    """Findings matching every filter given go to the receivers in `to`."""

    to: OneOrMore = Field(
        min_length=1, description="The receivers to send matching findings to", examples=["legal"]
    )
    owner: OneOrMore | None = Field(
        default=None, description="Only agreements with one of these owners", examples=["legal"]
    )
    severity: Annotated[list[Severity], BeforeValidator(_as_list)] | None = Field(
        default=None, description="Only findings of these severities", examples=["critical"]
    )
    kind: Annotated[list[FindingKind], BeforeValidator(_as_list)] | None = Field(
        default=None,
        description="Only these kinds of finding: breach, trigger, deadline, error, unknown",
        examples=["breach"],
    )
    agreement: OneOrMore | None = Field(
        default=None,
        description="Only findings of these agreements",
        examples=["globex-reseller-2025"],
    )


class Snooze(_Strict):
    """Findings kept out of chat until an expiry date (they stay in reports, marked)."""

    fingerprint: str | None = Field(
        default=None,
        description="The finding's fingerprint, as in the JSON report",
        examples=["3f2a9c0d1e2b4a5c6d7e"],
    )
    agreement: str | None = Field(
        default=None,
        description="Every finding of this agreement (or of one clause of it)",
        examples=["globex-reseller-2025"],
    )
    clause: str | None = Field(
        default=None, description='Only this clause of the agreement, e.g. "4.1"', examples=["4.1"]
    )
    author: str = Field(description="Who snoozed it", examples=["Maria Weber"])
    comment: str = Field(description="Why", examples=["Settled in the QBR, amendment being signed"])
    expires: date = Field(description="Last day of the snooze", examples=["2026-12-31"])

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint_shape(cls, value: str | None) -> str | None:
        if value is not None and not _FINGERPRINT.match(value):
            raise ValueError(
                f"'{value}' is not a fingerprint (20 characters 0-9 and a-f, as in the "
                "'fingerprint' field of the JSON report)"
            )
        return value

    _not_blank = field_validator("agreement", "clause", "author", "comment")(
        lambda cls, value: not_blank(value)
    )

    @model_validator(mode="after")
    def _one_target(self) -> Snooze:
        if self.clause is not None and self.agreement is None:
            raise ValueError("'clause:' needs the 'agreement:' it belongs to")
        if self.fingerprint is None and self.agreement is None:
            raise ValueError(
                "a snooze names what it snoozes: a 'fingerprint:', or an 'agreement:' "
                "(with an optional 'clause:')"
            )
        if self.fingerprint is not None and self.agreement is not None:
            raise ValueError(
                "a snooze names either a 'fingerprint:' or an 'agreement:', not both; "
                "write two snoozes for two things"
            )
        return self


class Delivery(_Strict):
    """How hard to try: attempts per message, waits between them, the time allowed per attempt
    (a total deadline: connecting, sending and the whole answer)."""

    attempts: int = Field(
        default=5,
        strict=True,
        ge=1,
        le=20,
        description="Attempts per message in one run",
        examples=[5],
    )
    first_retry_seconds: float = Field(
        default=2,
        strict=True,
        ge=0,
        le=600,
        description="Wait before the second attempt; doubled before each further one",
        examples=[2],
    )
    max_wait_seconds: float = Field(
        default=300,
        strict=True,
        ge=0,
        le=3600,
        description="Longest wait, also for a service that asks to wait (HTTP 429); "
        "a longer request leaves the message for the next run",
        examples=[300],
    )
    timeout_seconds: float = Field(
        default=10,
        strict=True,
        gt=0,
        le=300,
        description="Time allowed for one attempt, in all: connecting, sending and the whole "
        "answer (a receiver that answers slowly is cut off when it has passed)",
        examples=[10],
    )


class NotificationsFile(_Strict):
    """The top level of a notifications file."""

    receivers: dict[str, Receiver] = Field(
        min_length=1,
        description="Who receives alerts, by name: a Slack, Teams or generic webhook each",
        examples=[
            {
                "legal": {
                    "type": "slack",
                    "url_env": "SLACK_LEGAL_WEBHOOK",
                    "min_severity": "medium",
                }
            }
        ],
    )
    fallback: str = Field(
        description="The receiver of findings no route takes and of digests that could not be "
        "delivered",
        examples=["legal"],
    )
    routes: list[Route] = Field(
        default_factory=list,
        description="Which findings go to which receivers; a finding goes to every route it "
        "matches",
        examples=[[{"to": ["legal"], "owner": ["emea-legal"]}]],
    )
    reminder_days: list[Annotated[int, Field(strict=True, ge=0, le=3660)]] = Field(
        default_factory=lambda: [30, 7, 1],
        description="Remind of a deadline this many days before it falls due",
        examples=[[30, 7, 1]],
    )
    open_count_every: Annotated[int, BeforeValidator(_interval_days), Field(strict=True, ge=1)] = (
        Field(
            default=7,
            description="How often the count of still-open findings is repeated, e.g. 7d or 2w",
            examples=["7d"],
        )
    )
    delivery: Delivery = Field(
        default_factory=Delivery,
        description="How hard to try to deliver each message (optional: these are the defaults)",
        examples=[
            {
                "attempts": 5,
                "first_retry_seconds": 2,
                "max_wait_seconds": 300,
                "timeout_seconds": 10,
            }
        ],
    )
    snoozes: list[Snooze] = Field(
        default_factory=list,
        description="Findings kept out of chat until a date (they stay in reports, marked)",
        examples=[
            [
                {
                    "agreement": "globex-reseller-2025",
                    "clause": "4.1",
                    "author": "Maria Weber",
                    "comment": "Settled in the QBR, amendment being signed",
                    "expires": "2026-12-31",
                }
            ]
        ],
    )

    @field_validator("reminder_days")
    @classmethod
    def _largest_first(cls, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)
