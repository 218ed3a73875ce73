"""The agreement model: parties, term (fixed or renewing), owner and clauses, as a rule file states them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses import clause_union
from checker.clauses.base import Clause, business_day_durations
from checker.dates.calendars import BusinessCalendar, CalendarSpec, calendar_for
from checker.dates.timeutil import Duration, written_duration
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.instances import NormError, dependency_order
from checker.norms.model import (
    is_norm,
    norms_of,
)
from checker.norms.parties import Parties, PartiesSpec

AGREEMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
ValueName = Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]


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
        lambda cls, value: written_duration(value)
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
    parties: PartiesSpec | None = Field(
        default=None,
        description="Who the agreement binds: us and the partner (or partners), each with every "
        "id the exports use for it",
        examples=[{"us": "northwind", "partner": {"id": "acme", "aliases": ["acme-inc"]}}],
    )
    partner: str | None = Field(
        default=None,
        min_length=1,
        description="The partner, as facts name it (short for parties with one partner)",
        examples=["globex"],
    )
    values: dict[ValueName, float | int | str] = Field(
        default_factory=dict,
        description="Fixed figures written in the contract, by name, for bounds and comparisons",
        examples=[{"seat_price": 40}],
    )
    effective: date = Field(description="First day of the agreement", examples=["2025-10-01"])
    expires: date | None = Field(
        default=None, description="Last day, for a fixed term", examples=["2028-09-30"]
    )
    open_ended: bool = Field(
        default=False,
        description="The agreement runs until terminated: no expiry date and no renewing term",
        examples=[True],
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
        ends = [self.expires is not None, self.term is not None, self.open_ended]
        if sum(ends) != 1:
            raise ValueError(
                "give one of 'expires' (a fixed end date), 'term' (a renewing term) or "
                "'open_ended: true' (until terminated)"
            )
        self._parties_are_named()
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

    def _parties_are_named(self) -> None:
        if self.parties is None:
            if self.partner is None:
                raise ValueError("name the parties: 'parties: {us: ..., partner: ...}'")
            norm_ids = [c.id for c in self.all_clauses if is_norm(c)]
            if norm_ids:
                raise ValueError(
                    f"clause {norm_ids[0]} is a norm, which says whom it binds: name the parties "
                    f"('parties: {{us: <our id>, partner: {self.partner}}}')"
                )
            return
        counterparties = self.parties.counterparties
        if self.partner is not None and self.partner not in {
            name for party in counterparties for name in party.ids()
        }:
            raise ValueError(f"'partner' ({self.partner}) is not one of the parties' partners")
        kinds = [c for c in self.all_clauses if not is_norm(c)]
        if kinds and len(counterparties) > 1:
            raise ValueError(
                f"clause {kinds[0].id} is a clause kind, which reads one partner's "
                "facts; with several partners write it as norms (obligation, prohibition, right, "
                "measure)"
            )
        norms = norms_of(self.all_clauses)
        try:
            dependency_order(norms)
        except NormError as error:
            raise ValueError(str(error)) from None
        amended = [c.id for c in self.all_clauses if is_norm(c) and c.amended]
        if amended:
            raise ValueError(
                f"clause {amended[0]} is a norm with 'amended'; write the new terms as another "
                "clause with 'from' (and end this one with 'until')"
            )

    @property
    def counterparty(self) -> str:
        """The partner whose facts the clause kinds read: `partner`, or the only one of `parties`."""
        if self.partner is not None:
            return self.partner
        assert self.parties is not None, "checked when the agreement was loaded"
        return self.parties.counterparties[0].id

    @property
    def resolved_parties(self) -> Parties:
        """The parties with every alias; without `parties`, us is "us" and the partner `partner`."""
        if self.parties is not None:
            return Parties.of(self.parties)
        return Parties.simple("us", self.counterparty)

    @property
    def all_clauses(self) -> list[Clause]:
        return list(self.clauses)

    @property
    def business_calendar(self) -> BusinessCalendar | None:
        """The holiday calendar business days count on, if the agreement names one."""
        return None if self.calendar is None else calendar_for(self.calendar)
