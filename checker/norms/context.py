"""What a clause compiles in: the agreement's term, the as-of instant, its norms' outcomes and the
program its engine rules go to; and how it makes findings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from checker.dates.timeutil import BusinessDays, date_of_epoch, epoch_of_date
from checker.engine.program import Program
from checker.facts.model import Fact
from checker.findings.model import DEADLINE_SEVERITY, Evidence, Finding, FindingKind, Severity

if TYPE_CHECKING:
    from checker.norms.clause_support import NormPart
    from checker.norms.compile import Wording
    from checker.norms.outcomes import NormError, Outcome


@dataclass(frozen=True, slots=True)
class InForce:
    """The days a clause is in force when an amendment of the agreement added it (`first`) or
    removed it (`last`); otherwise the whole term."""

    first: date | None = None
    last: date | None = None

    def clip(self, term: AgreementTerm) -> AgreementTerm:
        """The part of the term the clause is in force."""
        start, end = term.start, term.end
        if self.first is not None:
            start = max(start, epoch_of_date(self.first))
        if self.last is not None:
            end = min(end, epoch_of_date(self.last + timedelta(days=1)))
        return AgreementTerm(start, max(start, end), term.end_reason, term.extended)

    def describe(self) -> str:
        said = []
        if self.first is not None:
            said.append(f"in force from {self.first.isoformat()} (added by an amendment)")
        if self.last is not None:
            said.append(f"in force until {self.last.isoformat()} (removed by an amendment)")
        return "; ".join(said)


class ClauseTerms(Protocol):
    """What the evaluation needs of a clause: its id, title and severities, and how it compiles
    (every clause kind, and the agreement's term, is one)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def severity(self) -> Severity | None: ...
    @property
    def default_severity(self) -> Severity: ...
    @property
    def deadline_severity(self) -> Severity | None: ...
    @property
    def in_force(self) -> InForce: ...
    @property
    def uses_business_days(self) -> bool: ...

    def ends_agreement(self, context: ClauseContext) -> int | None: ...

    def norms(self) -> list[NormPart] | None: ...

    def compile(self, context: ClauseContext) -> None: ...


@dataclass(frozen=True, slots=True)
class Extension:
    """The exercise of an option to extend that moved a fixed term's last day: its clause, the
    exercising fact, and the last day the term had before."""

    clause: str
    exercise: Fact
    before: date


@dataclass(frozen=True, slots=True)
class AgreementTerm:
    """When the agreement is in force: [start, end) in epoch seconds, and why it ends."""

    start: int
    end: int
    end_reason: str  # "expiry", "non-renewal", "termination ..."
    extended: Extension | None = None  # None: no option to extend was exercised

    @property
    def last_day(self) -> date:
        return date_of_epoch(self.end - 1)


@dataclass(slots=True)
class ClauseContext:
    """Everything a clause needs to compile for one agreement on one as-of instant."""

    agreement_id: str
    partner: str
    owner: str
    clause: ClauseTerms
    index: int  # the clause's number within the program, carried by its messages as `c`
    term: AgreementTerm
    as_of: int
    horizon_end: int
    program: Program
    calendar: BusinessDays | None = None  # the agreement's business-day calendar, if any
    findings: list[Finding] = field(default_factory=list)
    # The clause's norms, worked out with the agreement's other norms (checker.norms.instances),
    # or why they could not be.
    norm_outcomes: list[tuple[Outcome | NormError, Wording]] = field(default_factory=list)

    @property
    def rule_prefix(self) -> str:
        return f"{self.clause.id}/"

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
            chosen = clause.deadline_severity or clause.severity or DEADLINE_SEVERITY
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
