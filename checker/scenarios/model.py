"""The shape of a scenario file, as pydantic models: what a scenario may say and which values fit."""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.dates.timeutil import parse_instant
from checker.findings.model import Finding, FindingKind, Severity
from checker.rulebook.agreement import AGREEMENT_ID_PATTERN

# Finding codes are dotted lowercase names, like "exclusivity.forbidden_activity".
CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
DEFAULT_HORIZON_DAYS = 30
# The fields an expectation may name, in the order messages list them.
MATCHED_FIELDS = ("clause", "kind", "code", "subject", "date", "severity", "message_contains")


class Expectation(BaseModel):
    """A description of findings: every field given must match; fields left out match anything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clause: str | None = Field(
        default=None,
        min_length=1,
        description='Clause id, e.g. "4.1", or "term"',
        examples=["4.1", "term"],
    )
    kind: FindingKind | None = Field(
        default=None, description="breach, trigger, deadline, error, unknown", examples=["breach"]
    )
    code: str | None = Field(
        default=None,
        pattern=CODE_PATTERN,
        description="e.g. exclusivity.forbidden_activity",
        examples=["exclusivity.forbidden_activity", "recurring.missed"],
    )
    subject: str | None = Field(
        default=None,
        min_length=1,
        description="A fact id, a period like 2026-Q3, a name...",
        examples=["d-lidl", "2026-Q3"],
    )
    date: datetime.date | None = Field(
        default=None, description="The finding's date", examples=["2026-03-09"]
    )
    severity: Severity | None = Field(
        default=None, description="critical, high, medium, ...", examples=["high"]
    )
    message_contains: str | None = Field(
        default=None,
        min_length=1,
        description="Text the message contains (any case)",
        examples=["customer lidl"],
    )

    @model_validator(mode="after")
    def _names_something(self) -> Expectation:
        if not self.given():
            raise ValueError(f"an expectation needs at least one of: {', '.join(MATCHED_FIELDS)}")
        return self

    def given(self) -> dict[str, str]:
        """The fields this expectation names, as text, in `MATCHED_FIELDS` order."""
        given: dict[str, str] = {}
        for name in MATCHED_FIELDS:
            value = getattr(self, name)
            if value is not None:
                given[name] = value.isoformat() if name == "date" else str(value)
        return given

    def differences(self, finding: Finding) -> list[str]:
        """What about `finding` does not match, in plain words; empty when it matches."""
        found: list[str] = []
        for name, wanted in self.given().items():
            if name == "message_contains":
                if wanted.casefold() not in finding.message.casefold():
                    found.append(f"its message does not contain '{wanted}'")
                continue
            actual = _field_text(finding, name)
            if actual != wanted:
                found.append(f"{name} is {actual}, not {wanted}")
        return found

    def matches(self, finding: Finding) -> bool:
        return not self.differences(finding)

    def describe(self) -> str:
        """e.g. "clause 4.1, kind breach, subject d1"."""
        return ", ".join(
            f"message containing '{value}'" if name == "message_contains" else f"{name} {value}"
            for name, value in self.given().items()
        )


def _field_text(finding: Finding, name: str) -> str:
    value = getattr(finding, name)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Scenario(BaseModel):
    """One example: facts, the day to check them on, and what must and must not be found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1,
        description="What the example shows, in a few words",
        examples=["a direct sale in Germany breaks the exclusivity"],
    )
    as_of: str = Field(
        description="Day (00:00 UTC) or instant to evaluate on, e.g. 2026-11-22",
        examples=["2026-11-22", "2026-11-22T09:00:00Z"],
    )
    horizon: int = Field(
        default=DEFAULT_HORIZON_DAYS,
        ge=0,
        strict=True,
        description="Days ahead for deadlines (default 30)",
        examples=[30, 90],
    )
    facts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Activity, written like the lines of a fact file",
        examples=[
            [
                {
                    "id": "d-lidl",
                    "type": "deal.closed",
                    "at": "2026-03-09T11:05:00Z",
                    "partner": "northwind",
                    "territory": "DE",
                    "channel": "direct",
                }
            ]
        ],
    )
    expect: list[Expectation] = Field(
        default_factory=list,
        description="Each must match at least one finding",
        examples=[[{"clause": "4.1", "kind": "breach", "subject": "d-lidl"}]],
    )
    expect_not: list[Expectation] = Field(
        default_factory=list,
        description="None may match any finding",
        examples=[[{"clause": "4.1", "subject": "d-bosch"}]],
    )
    only: bool = Field(
        default=False,
        strict=True,
        description="The clauses named in 'expect' may have no findings other than those",
        examples=[True],
    )

    @field_validator("as_of")
    @classmethod
    def _valid_as_of(cls, value: str) -> str:
        try:
            parse_instant(value)
        except ValueError as error:
            raise ValueError(
                f"'{value}' is not a date or an instant ({error}); write e.g. 2026-11-22 or"
                " 2026-11-22T09:00:00Z"
            ) from None
        return value

    @model_validator(mode="after")
    def _expects_something(self) -> Scenario:
        if not self.expect and not self.expect_not:
            raise ValueError(
                f"scenario '{self.name}' has neither 'expect' nor 'expect_not', so it checks nothing"
            )
        if self.only and not any(expectation.clause for expectation in self.expect):
            raise ValueError(
                "'only: true' restricts the clauses named in 'expect', but no 'expect' entry"
                " names a clause"
            )
        return self

    @property
    def as_of_instant(self) -> int:
        return parse_instant(self.as_of)


class ScenarioFile(BaseModel):
    """A scenario file: the agreement it tests and its scenarios."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreement: str = Field(
        pattern=AGREEMENT_ID_PATTERN,
        description="Id of the agreement, e.g. globex-reseller-2025",
        examples=["globex-reseller-2025"],
    )
    scenarios: list[Scenario] = Field(
        min_length=1,
        description="The examples",
        examples=[
            [
                {
                    "name": "the Q3 report is due 30 days after the quarter",
                    "as_of": "2026-10-20",
                    "expect": [{"clause": "5.1", "kind": "deadline", "date": "2026-10-30"}],
                }
            ]
        ],
    )
