"""The agreement model: parties, term (fixed or renewing), owner and clauses, as a rule file states them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses import clause_union
from checker.clauses.base import Clause, business_day_durations
from checker.dates.calendars import BusinessCalendar, CalendarSpec, calendar_for
from checker.dates.timeutil import Duration, parse_duration
from checker.norms.fact_pattern import FactPattern

AGREEMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


def _duration(value: object) -> object:
    return parse_duration(str(value)) if isinstance(value, str | int) else value


DurationField = Annotated[Duration, Field(description="e.g. 72h, 30d, 2w, 6 months, 1y")]


class RenewingTerm(BaseModel):
    """An initial term that renews automatically unless a party gives notice in time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initial: DurationField = Field(description="Length of the first term, e.g. 2y", examples=["2y"])
    renews_for: DurationField | None = Field(
        default=None,
        description="Length of each automatic renewal; omit for no renewal",
        examples=["1y"],
    )
    non_renewal_notice: DurationField | None = Field(
        default=None,
        description="Notice needed before a term ends to stop renewal, e.g. 90d",
        examples=["90d"],
    )
    notice: FactPattern = Field(
        default=FactPattern(fact="notice.non_renewal"),
        description="The fact that records a non-renewal notice",
        examples=[{"fact": "notice.non_renewal"}],
    )

    _parse = field_validator("initial", "renews_for", "non_renewal_notice", mode="before")(
        lambda cls, value: _duration(value)
    )


class Agreement(BaseModel):
    """One partnership agreement: the top level of a rule file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreement: str = Field(
        pattern=AGREEMENT_ID_PATTERN,
        description="Stable id, e.g. globex-reseller-2025",
        examples=["globex-reseller-2025"],
    )
    title: str = Field(
        min_length=1,
        description="The agreement's name as people know it",
        examples=["Reseller agreement with Globex"],
    )
    partner: str = Field(
        min_length=1, description="The partner, as facts name it", examples=["globex"]
    )
    effective: date = Field(description="First day of the agreement", examples=["2025-10-01"])
    expires: date | None = Field(
        default=None, description="Last day, for a fixed term", examples=["2028-09-30"]
    )
    term: RenewingTerm | None = Field(
        default=None,
        description="A renewing term instead",
        examples=[{"initial": "2y", "renews_for": "1y", "non_renewal_notice": "90d"}],
    )
    owner: str = Field(
        min_length=1, description="Team or person answerable for it", examples=["emea-legal"]
    )
    calendar: CalendarSpec | None = Field(
        default=None,
        description="Holiday calendar for durations given in business days, "
        "e.g. {country: DE, subdivision: BY}",
        examples=[{"country": "DE", "subdivision": "BY"}],
    )
    clauses: list[clause_union()] = Field(  # type: ignore[valid-type]
        min_length=1,
        description="The clauses to check, one entry per contract clause",
        examples=[
            [
                {
                    "id": "9.3",
                    "title": "Incident notice",
                    "kind": "response_time",
                    "after": {"fact": "incident.detected"},
                    "expect": {"fact": "notice.sent"},
                    "within": "72h",
                }
            ]
        ],
    )

    @model_validator(mode="after")
    def _consistent(self) -> Agreement:
        if (self.expires is None) == (self.term is None):
            raise ValueError("give either 'expires' (a fixed end date) or 'term' (a renewing term)")
        if self.expires is not None and self.expires < self.effective:
            raise ValueError(f"'expires' ({self.expires}) is before 'effective' ({self.effective})")
        if self.calendar is None:
            self._business_days_need_a_calendar()
        return self

    @field_validator("clauses")
    @classmethod
    def _unique_clause_ids(cls, clauses: list[Clause]) -> list[Clause]:
        # A guard for agreements built in code. Rule files get a positioned error from
        # checker.rulebook.semantic.clause_ids instead, which also works when other clauses are broken.
        duplicates = [cid for cid, n in Counter(c.id for c in clauses).items() if n > 1]
        if duplicates:
            raise ValueError(f"clause id '{duplicates[0]}' is used more than once")
        return clauses

    def _business_days_need_a_calendar(self) -> None:
        uses = [f"term.{name} ({value})" for name, value in business_day_durations(self.term)]
        for clause in self.all_clauses:
            for version in clause.versions():
                uses.extend(
                    f"clause {clause.id} {name} ({value})"
                    for name, value in business_day_durations(version.terms)
                )
        if uses:
            raise ValueError(
                f"{uses[0]} is counted in business days, but the agreement has no 'calendar'; "
                "add one, e.g. 'calendar: {country: DE}' (optionally with a subdivision such as BY)"
            )

    @property
    def all_clauses(self) -> list[Clause]:
        return list(self.clauses)

    @property
    def business_calendar(self) -> BusinessCalendar | None:
        """The holiday calendar business days count on, if the agreement names one."""
        return None if self.calendar is None else calendar_for(self.calendar)
