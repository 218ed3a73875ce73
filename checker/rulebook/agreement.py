"""The agreement model: parties, term (fixed or renewing), owner and clauses, as a rule file states them."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses import clause_union
from checker.clauses.base import Amendment, Clause, business_day_durations
from checker.dates.calendars import BusinessCalendar, CalendarSpec, calendar_for
from checker.dates.timeutil import Duration, written_duration
from checker.norms.context import InForce
from checker.norms.dependencies import dependency_order
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import NormTerms, is_norm
from checker.norms.outcomes import NormError
from checker.norms.parties import Parties, PartiesSpec

AGREEMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
ValueName = Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]


DurationField = Annotated[Duration, Field(description="e.g. 72h, 30d, 2w, 6 months, 1y")]


class RenewingTerm(BaseModel):
    """An initial term that renews automatically unless a party gives notice in time.

    Until a notice stops it, the agreement renews: a run reports the last day to give notice
    (`term.non_renewal_notice_due`) while it lies within the horizon, and never an expiry; once
    a notice has been given in time, the term ends with its period (`term.expires`)."""

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
        description="The fact that records a non-renewal notice: either party's, under any of "
        "its ids (the fact-type catalogue's actor field)",
        examples=[{"fact": "notice.non_renewal"}],
    )

    _parse = field_validator("initial", "renews_for", "non_renewal_notice", mode="before")(
        lambda cls, value: written_duration(value)
    )


class ClauseChange(BaseModel):
    """New terms for a clause from an agreement amendment's effective date: the clause's id plus
    the fields that change, as they read from then on (a clause-level amendment, written where
    the amendment is)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1, description="The clause that changes", examples=["5.1"])

    def changes(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class AgreementAmendment(BaseModel):
    """A signed amendment of the whole agreement: from its effective date it may change the
    term, add clauses, remove clauses and change clauses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    effective: date = Field(description="First day the amendment applies", examples=["2026-07-01"])
    title: str = Field(
        min_length=1,
        description="The amendment as people know it",
        examples=["First amendment: term extended, audit right added"],
    )
    expires: date | None = Field(
        default=None,
        description="The agreement's new last day (extends or shortens the term)",
        examples=["2029-09-30"],
    )
    open_ended: Literal[True] | None = Field(
        default=None,
        description="From now on the agreement runs until terminated",
        examples=[True],
    )
    adds: list[clause_union()] = Field(  # type: ignore[valid-type]
        default_factory=list,
        description="Clauses in force from the effective date",
        examples=[
            [
                {
                    "id": "12.1",
                    "title": "Audit report",
                    "kind": "obligation",
                    "by": "partner",
                    "when": {"each": "year"},
                    "do": {"fact": "audit.report_delivered"},
                    "within": "31d",
                }
            ]
        ],
    )
    removes: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="Ids of clauses no longer in force from the effective date",
        examples=[["4.1"]],
    )
    changes: list[ClauseChange] = Field(
        default_factory=list,
        description="Clauses whose terms change from the effective date: each clause's id plus "
        "the fields that change",
        examples=[[{"id": "5.1", "within": "45d"}]],
    )

    @model_validator(mode="after")
    def _says_something(self) -> AgreementAmendment:
        if self.expires is not None and self.open_ended:
            raise ValueError("give either 'expires' or 'open_ended: true', not both")
        if self.expires is not None and self.expires < self.effective:
            raise ValueError(
                f"'expires' ({self.expires}) is before the amendment's 'effective' date"
                f" ({self.effective})"
            )
        said = [self.expires, self.open_ended, *self.adds, *self.removes, *self.changes]
        if all(item is None for item in said):
            raise ValueError(
                "an amendment changes something: 'expires', 'open_ended', 'adds', "
                "'removes' or 'changes'"
            )
        return self


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

    amendments: list[AgreementAmendment] = Field(
        default_factory=list,
        description="Amendments of the whole agreement, in the order they take effect: each "
        "may change the term and add, remove or change clauses from its effective date",
        examples=[
            [
                {
                    "effective": "2026-07-01",
                    "title": "First amendment",
                    "expires": "2029-09-30",
                    "removes": ["4.1"],
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
        self._amendments_apply()
        self._parties_are_named()
        self._options_to_extend_a_fixed_term()
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

    def _amendments_apply(self) -> None:
        """Amendments take effect one after another, inside the term, on clauses in force."""
        in_force = {clause.id for clause in self.clauses}
        used = set(in_force)
        previous: date | None = None
        last_day = self.expires  # None: renewing or open-ended, no fixed last day to check
        for number, amendment in enumerate(self.amendments, start=1):
            said = f"amendment {number} ({amendment.title}, {amendment.effective})"
            if amendment.effective <= self.effective:
                raise ValueError(
                    f"{said} takes effect on or before the agreement itself ({self.effective}); "
                    "write those terms into the clauses"
                )
            if previous is not None and amendment.effective <= previous:
                raise ValueError(f"{said} must take effect after amendment {number - 1}")
            if last_day is not None and amendment.effective > last_day:
                raise ValueError(f"{said} takes effect after the agreement expired ({last_day})")
            previous = amendment.effective
            for clause in amendment.adds:
                if clause.id in used:
                    raise ValueError(f"{said} adds clause {clause.id}, an id already used")
                used.add(clause.id)
                in_force.add(clause.id)
            for clause_id in [*amendment.removes, *(change.id for change in amendment.changes)]:
                if clause_id not in in_force:
                    raise ValueError(f"{said} names clause {clause_id}, which is not in force then")
            for change in amendment.changes:
                fixed = sorted({"id", "kind", "amended"} & set(change.changes()))
                if fixed:
                    raise ValueError(
                        f"{said} cannot change {', '.join(fixed)} of clause {change.id}"
                    )
            in_force -= set(amendment.removes)
            if amendment.expires is not None:
                last_day = amendment.expires
            elif amendment.open_ended:
                last_day = None
        try:
            self._in_force  # noqa: B018 (builds every clause as amended, raising what is wrong)
        except ValueError as error:
            raise ValueError(f"with its amendments: {error}") from None

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

    def _options_to_extend_a_fixed_term(self) -> None:
        """A right that extends the term needs a fixed term (an expiry) to extend."""
        for clause in self.all_clauses:
            effect = getattr(clause, "effect", None)
            if effect is None or not getattr(effect, "extends_agreement", False):
                continue
            if self.final_term[0] is None:
                raise ValueError(
                    f"clause {clause.id} extends the agreement's term, which has no fixed end: "
                    "an option to extend needs 'expires' (a renewing term renews by itself)"
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
        norms: dict[str, NormTerms] = {}
        for clause in self.all_clauses:
            try:
                parts = clause.norms() or []
            except (ValueError, TypeError, KeyError):
                parts = []  # the clause fails alone when it is evaluated
            norms.update((part.key, part.terms) for part in parts)
        try:
            dependency_order(norms)
        except NormError as error:
            raise ValueError(str(error)) from None

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
        """Every clause over the agreement's life: those written in `clauses` and those the
        amendments add, each with the changes the amendments make and the days it is in force."""
        return list(self._in_force)

    @cached_property
    def _in_force(self) -> tuple[Clause, ...]:
        changes: dict[str, list[Amendment]] = {}
        first: dict[str, date] = {}
        last: dict[str, date] = {}
        added: list[Clause] = []
        for amendment in self.amendments:
            for clause in amendment.adds:
                added.append(clause)
                first[clause.id] = amendment.effective
            for clause_id in amendment.removes:
                last[clause_id] = amendment.effective - timedelta(days=1)
            for change in amendment.changes:
                changes.setdefault(change.id, []).append(
                    Amendment(effective=amendment.effective, **change.changes())
                )
        found: list[Clause] = []
        for written in [*self.clauses, *added]:
            clause_id = written.id
            clause = (
                written.with_amendments(changes[clause_id]) if clause_id in changes else written
            )
            if clause_id in first or clause_id in last:
                clause = clause.in_force_for(InForce(first.get(clause_id), last.get(clause_id)))
            found.append(clause)
        return tuple(found)

    @property
    def final_term(self) -> tuple[date | None, bool]:
        """(last day, open-ended) as the latest amendment of the term leaves them; (None,
        False) for a renewing term no amendment changed."""
        expires, open_ended = self.expires, self.open_ended
        for amendment in self.amendments:
            if amendment.expires is not None:
                expires, open_ended = amendment.expires, False
            elif amendment.open_ended:
                expires, open_ended = None, True
        return expires, open_ended

    @property
    def business_calendar(self) -> BusinessCalendar | None:
        """The holiday calendar business days count on, if the agreement names one."""
        return None if self.calendar is None else calendar_for(self.calendar)
