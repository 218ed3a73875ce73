"""What every clause kind shares: common fields, amendments, and the context it compiles in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from checker.facts import Fact
from checker.findings import Evidence, Finding, FindingKind, Severity
from checker.patterns import FactPattern
from checker.program import Program
from checker.timeutil import BusinessDays, Duration, date_of_epoch, epoch_of_date

# Fields an amendment may not change.
_FIXED_FIELDS = frozenset({"id", "kind", "amended"})


class Amendment(BaseModel):
    """A change to a clause from an effective date: `effective` plus the fields it replaces."""

    model_config = ConfigDict(extra="allow", frozen=True)

    effective: date = Field(description="First day the amended terms apply")

    def changes(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Clause(BaseModel):
    """Fields every clause has. Each kind subclasses this with `kind: Literal[...]` and its terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind_summary: ClassVar[str] = ""
    default_severity: ClassVar[Severity] = Severity.HIGH

    id: str = Field(min_length=1, description='Clause number as in the contract, e.g. "4.1"')
    title: str = Field(min_length=1, description="Clause heading as in the contract")
    severity: Severity | None = Field(
        default=None, description="Severity of breaches of this clause (default depends on kind)"
    )
    amended: list[Amendment] = Field(
        default_factory=list, description="Amendments, each with its effective date"
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

    def ends_agreement(self, context: ClauseContext) -> int | None:
        """The instant this clause ends the agreement (a termination taking effect), if any."""
        return None

    def compile(self, context: ClauseContext) -> None:
        """Add this clause's engine rules and messages to `context.program`."""
        raise NotImplementedError

    def describe(self) -> str:
        """One plain-English sentence on what the clause requires."""
        return self.kind_summary


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
class AgreementTerm:
    """When the agreement is in force: [start, end) in epoch seconds, and why it ends."""

    start: int
    end: int
    end_reason: str  # "expiry", "non-renewal", "termination ..."

    @property
    def last_day(self) -> date:
        return date_of_epoch(self.end - 1)


@dataclass(slots=True)
class ClauseContext:
    """Everything a clause needs to compile for one agreement on one as-of instant."""

    agreement_id: str
    partner: str
    owner: str
    clause: Clause
    index: int  # the clause's number within the program, carried by its messages as `c`
    term: AgreementTerm
    as_of: int
    horizon_end: int
    facts: list[Fact]
    program: Program
    calendar: BusinessDays | None = None  # the agreement's business-day calendar, if any
    findings: list[Finding] = field(default_factory=list)

    @property
    def rule_prefix(self) -> str:
        return f"{self.clause.id}/"

    def facts_matching(self, pattern: FactPattern) -> list[Fact]:
        return [fact for fact in self.facts if pattern.matches(fact)]

    def finding(
        self,
        kind: FindingKind,
        code: str,
        day: date,
        subject: str,
        message: str,
        evidence: Iterable[Fact] = (),
        severity: Severity | None = None,
    ) -> Finding:
        clause = self.clause
        chosen = severity or clause.severity or clause.default_severity
        if kind is FindingKind.DEADLINE and severity is None:
            chosen = Severity.INFO if clause.severity is None else clause.severity
        return Finding(
            agreement=self.agreement_id,
            clause=clause.id,
            clause_title=clause.title,
            kind=kind,
            code=code,
            severity=chosen,
            date=day,
            subject=subject,
            message=message,
            evidence=tuple(Evidence.of(fact) for fact in sorted(set(evidence), key=_fact_order)),
            owner=self.owner,
            calendar=self.calendar.label
            if self.calendar is not None and clause.uses_business_days
            else "",
        )

    def report(self, finding: Finding) -> None:
        self.findings.append(finding)


def _fact_order(fact: Fact) -> tuple[int, str]:
    return (fact.at, fact.id)
