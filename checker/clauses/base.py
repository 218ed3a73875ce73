"""What every clause kind shares: common fields, amendments, the context it compiles in, and what
it needs to explain itself in plain English with its dates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from checker.dates.calendars import BusinessCalendar
from checker.dates.timeutil import (
    Duration,
    Period,
    date_of_epoch,
    epoch_of_date,
    periods_between,
)
from checker.findings.model import FindingCode, Severity
from checker.norms.clause_support import NormPart, compile_norms
from checker.norms.compile import Wording
from checker.norms.context import AgreementTerm, ClauseContext, InForce
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms
from checker.norms.parties import Parties

# Fields an amendment may not change.
_FIXED_FIELDS = frozenset({"id", "kind", "amended"})


class Amendment(BaseModel):
    """A change to a clause from an effective date: `effective` plus the fields it replaces."""

    model_config = ConfigDict(extra="allow", frozen=True)

    effective: date = Field(
        description="First day the amended terms apply", examples=["2026-07-01"]
    )

    def changes(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Clause(BaseModel):
    """Fields every clause has. Each kind subclasses this with `kind: Literal[...]` and its terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind_summary: ClassVar[str] = ""
    default_severity: ClassVar[Severity] = Severity.HIGH
    # Every code the kind's findings can carry (checker.rulebook.finding_codes collects them; a test
    # checks them against the codes the kind's module passes when it makes findings).
    finding_codes: ClassVar[tuple[FindingCode, ...]] = ()

    id: str = Field(
        min_length=1, description='Clause number as in the contract, e.g. "4.1"', examples=["4.1"]
    )
    title: str = Field(
        min_length=1,
        description="Clause heading as in the contract",
        examples=["Exclusive territory"],
    )
    severity: Severity | None = Field(
        default=None,
        description="Severity of breaches of this clause (default depends on kind)",
        examples=["critical"],
    )
    deadline_severity: Severity | None = Field(
        default=None,
        description="Severity of this clause's deadlines (default: its 'severity' if given, "
        "else medium), which decides the chat channels its reminders reach",
        examples=["high"],
    )
    amended: list[Amendment] = Field(
        default_factory=list,
        description="Changes to the clause's terms, each from its effective date: "
        "'effective' plus the fields it changes, as they read from then on",
        examples=[[{"effective": "2026-07-01", "severity": "critical"}]],
    )

    @model_validator(mode="after")
    def _amendments_are_valid(self) -> Clause:
        previous: date | None = None
        terms: Clause = self
        for number, amendment in enumerate(self.amended, start=1):
            fixed = sorted(set(amendment.changes()) & _FIXED_FIELDS)
            if fixed:
                raise ValueError(f"amendment {number} cannot change {', '.join(fixed)}")
            if previous is not None and amendment.effective <= previous:
                raise ValueError(
                    f"amendment {number} must take effect after amendment {number - 1}"
                )
            previous = amendment.effective
            try:
                terms = terms._amended_with(amendment.changes())
            except ValidationError as error:
                details = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
                )
                raise ValueError(f"amendment {number} ({amendment.effective}): {details}") from None
        return self

    _in_force: InForce = PrivateAttr(default_factory=InForce)

    @property
    def in_force(self) -> InForce:
        """The days the clause is in force (the whole term unless an amendment says otherwise)."""
        return self._in_force

    def in_force_for(self, days: InForce) -> Clause:
        """This clause, in force only on `days`."""
        copy = self.model_copy()
        copy._in_force = days
        return copy

    def with_amendments(self, amendments: Sequence[Amendment]) -> Clause:
        """This clause with further amendments after its own (from an agreement amendment)."""
        data = self.model_dump(exclude={"amended"}, exclude_unset=True, by_alias=True)
        data["amended"] = [
            *(a.model_dump(mode="json") for a in self.amended),
            *(a.model_dump(mode="json") for a in amendments),
        ]
        return type(self).model_validate(data)

    def _amended_with(self, changes: dict[str, Any]) -> Clause:
        data = self.model_dump(exclude={"amended"}, exclude_unset=True, by_alias=True)
        data.update(changes)
        return type(self).model_validate(data)

    def versions(self) -> list[ClauseVersion]:
        """The clause's terms over time: one version per amendment, each with its start day."""
        return list(self._versions)

    @cached_property
    def _versions(self) -> tuple[ClauseVersion, ...]:
        # Amendments accumulate: each one changes the terms as the earlier ones left them.
        found = [ClauseVersion(None, self)]
        for amendment in self.amended:
            amended = found[-1].terms._amended_with(amendment.changes())
            found.append(ClauseVersion(amendment.effective, amended))
        return tuple(
            ClauseVersion(v.starts, v.terms, found[i + 1].starts if i + 1 < len(found) else None)
            for i, v in enumerate(found)
        )

    @cached_property
    def uses_business_days(self) -> bool:
        """Whether any version of the clause counts a duration in business days."""
        return any(business_day_durations(version.terms) for version in self._versions)

    def version_at(self, instant: int) -> Clause:
        if not self.amended:
            return self
        day = date_of_epoch(instant)
        current: Clause = self
        for version in self._versions:
            if version.starts is None or version.starts <= day:
                current = version.terms
        return current

    # What a kind provides ------------------------------------------------------------------

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        """Patterns of the facts this clause reads, each with "only the agreement's partner's"."""
        raise NotImplementedError

    def norms(self) -> list[NormPart] | None:
        """The norms this clause is made of, worked out with the agreement's other norms (every
        kind and norm clause has them; None only for the agreement's term, which compiles its
        own deadlines)."""
        return None

    def ends_agreement(self, context: ClauseContext) -> int | None:
        """The instant this clause ends the agreement (a termination taking effect), if any."""
        return None

    def compile(self, context: ClauseContext) -> None:
        """Add this clause's engine rules and messages to `context.program`: its norms'."""
        compile_norms(context)

    def describe(self) -> str:
        """One plain-English sentence on what the clause requires."""
        return self.kind_summary

    def explain(self, context: ExplainContext) -> Explanation:
        """The clause in plain English with every date it implies, for a lawyer to check against
        the contract. Kinds with dates of their own add them to `explain_terms`."""
        return self.explain_terms(context)

    def explain_terms(self, context: ExplainContext) -> Explanation:
        """What the clause requires, and for each amendment the day it takes effect, what it
        changed and the terms from then on."""
        sentences = [self.describe()]
        dates: list[ExplainedDate] = []
        versions = self.versions()
        for number, (before, after) in enumerate(pairwise(versions), start=1):
            assert after.starts is not None
            changed = "; ".join(changes_between(before.terms, after.terms)) or "no change"
            dates.append(
                ExplainedDate(
                    epoch_of_date(after.starts), f"amendment {number} takes effect: {changed}"
                )
            )
            sentences.append(
                f"From {after.starts.isoformat()} (amendment {number}): {after.terms.describe()}"
            )
        return Explanation(tuple(sentences), tuple(dates))


def version_span(version: ClauseVersion) -> dict[str, date]:
    """`from` and `until` of the norm a version of a kind becomes: from its first day (the term's
    start for the first) to the day before the next version (the term's end for the last)."""
    span: dict[str, date] = {}
    if version.starts is not None:
        span["from"] = version.starts
    if version.ends is not None:
        span["until"] = version.ends - timedelta(days=1)
    return span


def numbered(clause_id: str, made: Sequence[tuple[NormTerms, Wording]]) -> list[NormPart]:
    """A kind's norms, keyed by the clause id (the first) and `<id>#2`, `<id>#3`...."""
    return [
        NormPart(clause_id if number == 1 else f"{clause_id}#{number}", terms, wording)
        for number, (terms, wording) in enumerate(made, start=1)
    ]


def scoped(pattern: FactPattern, scope: dict[str, list[str] | None]) -> dict[str, Any] | None:
    """A kind's fact pattern narrowed to a scope (each field one of the listed values; None: any),
    as a norm pattern; None when the two can never both hold."""
    where: dict[str, Any] = dict(pattern.where)
    for name, allowed in scope.items():
        if allowed is None:
            continue
        if name in where:
            written = where[name] if isinstance(where[name], list) else [where[name]]
            kept = [value for value in written if value in allowed]
            if not kept:
                return None
            where[name] = kept
        else:
            where[name] = list(allowed)
    return {"fact": pattern.fact, "where": where, "unless": list(pattern.unless)}


def business_day_durations(model: BaseModel | None, prefix: str = "") -> list[tuple[str, Duration]]:
    """(field path, duration) of every business-day duration in `model`, nested models included."""
    found: list[tuple[str, Duration]] = []
    if model is None:
        return found
    for name in type(model).model_fields:
        path = f"{prefix}{name}"
        values = getattr(model, name)
        for index, value in enumerate(values if isinstance(values, list) else [values]):
            here = f"{path}[{index}]" if isinstance(values, list) else path
            if isinstance(value, Duration) and value.in_business_days:
                found.append((here, value))
            elif isinstance(value, BaseModel) and not isinstance(value, Amendment):
                found.extend(business_day_durations(value, f"{here}."))
    return found


@dataclass(frozen=True, slots=True)
class ClauseVersion:
    """Terms in force from `starts` (None: from the start) until `ends` (None: to the end)."""

    starts: date | None
    terms: Clause
    ends: date | None = None

    def bounds(self, term_start: int, term_end: int) -> tuple[int, int]:
        """[start, end) in epoch seconds, clipped to the agreement's term."""
        start = term_start if self.starts is None else max(term_start, epoch_of_date(self.starts))
        end = term_end if self.ends is None else min(term_end, epoch_of_date(self.ends))
        return start, end


@dataclass(frozen=True, slots=True)
class ExplainContext:
    """What a clause needs to explain itself: the term as written (no facts, so no early
    termination), the as-of instant and horizon its dates are marked against, and the calendar."""

    agreement_id: str
    partner: str
    term: AgreementTerm
    as_of: int
    horizon_end: int
    calendar: BusinessCalendar | None = None
    parties: Parties | None = None  # who the agreement binds, for norms to name them

    def duration(self, duration: Duration) -> str:
        """A duration in words, naming the calendar of business days: "10 business days (DE-BY)"."""
        if duration.in_business_days and self.calendar is not None:
            return f"{duration} ({self.calendar.label})"
        return str(duration)

    def throughout_term(self) -> list[ExplainedDate]:
        """The dates of a clause that applies for the whole term: its first and last day."""
        if self.term.end <= self.term.start:
            return []
        return [
            ExplainedDate(self.term.start, "applies from the start of the term"),
            ExplainedDate(
                self.term.end - 1, "applies until the term ends as written (or ends early)"
            ),
        ]


@dataclass(frozen=True, slots=True)
class ExplainedDate:
    """A date a clause implies: the instant it stands for, as evaluation uses it (the start of a
    day for something that opens, the day's last second for a deadline), and what happens then."""

    at: int
    what: str

    @property
    def day(self) -> date:
        return date_of_epoch(self.at)


@dataclass(frozen=True, slots=True)
class Explanation:
    """A clause in plain English: sentences (what it requires, the rules for dates that start from
    an event) and the dates it implies."""

    sentences: tuple[str, ...]
    dates: tuple[ExplainedDate, ...] = ()

    def plus(
        self, sentences: Iterable[str] = (), dates: Iterable[ExplainedDate] = ()
    ) -> Explanation:
        return Explanation((*self.sentences, *sentences), (*self.dates, *dates))


def periods_around(
    term: AgreementTerm, unit: str, as_of: int, before: int = 2, after: int = 1
) -> list[Period]:
    """The calendar periods of the term nearest the as-of: the one containing it (or the term's
    first or last, when the as-of lies outside the term) with `before` and `after` neighbours."""
    if term.end <= term.start:
        return []
    periods = periods_between(date_of_epoch(term.start), term.last_day, unit)
    today = date_of_epoch(as_of)
    current = next((i for i, p in enumerate(periods) if p.end >= today), len(periods) - 1)
    return periods[max(0, current - before) : current + after + 1]


def changes_between(old: BaseModel, new: BaseModel, prefix: str = "") -> list[str]:
    """What an amendment changed, in words: "max changes from 250 to 300"."""
    found: list[str] = []
    for name in type(new).model_fields:
        before, after = getattr(old, name), getattr(new, name)
        if name == "amended" or before == after:
            continue
        label = f"{prefix}{name}"
        if isinstance(before, BaseModel) and type(before) is type(after):
            found.extend(changes_between(before, after, f"{label} "))
        elif isinstance(before, list) and isinstance(after, list):
            found.extend(_list_changes(label, before, after))
        else:
            found.append(f"{label} changes from {plain(before)} to {plain(after)}")
    return found


def _list_changes(label: str, before: list[Any], after: list[Any]) -> list[str]:
    """Items named alike (milestones, duties) are compared one by one; other lists as a whole."""
    named = all(isinstance(item, BaseModel) and hasattr(item, "name") for item in before + after)
    if not named:
        return [f"{label} changes from {plain(before)} to {plain(after)}"]
    old = {item.name: item for item in before}
    new = {item.name: item for item in after}
    found: list[str] = []
    for name, item in new.items():
        if name not in old:
            found.append(f"{label} adds {plain(item)}")
        elif old[name] != item:
            found.extend(changes_between(old[name], item, f"{label} {name}: "))
    found.extend(f"{label} drops {plain(item)}" for name, item in old.items() if name not in new)
    return found


def plain(value: object) -> str:
    """A rule-file value in plain words: lists joined with commas, dates as YYYY-MM-DD."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, date | Duration | str | int):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list):
        if any(isinstance(item, BaseModel | dict) for item in value):
            return "; ".join(f"({plain(item)})" for item in value) or "none"
        return ", ".join(plain(item) for item in value) or "none"
    describe = getattr(value, "describe", None)
    if isinstance(value, BaseModel) and callable(describe):
        return str(describe())
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name) for name in type(value).model_fields}
    if isinstance(value, dict):
        return ", ".join(f"{k} {plain(v)}" for k, v in value.items() if v is not None)
    return str(value)
