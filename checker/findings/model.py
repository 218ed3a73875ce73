"""Findings: what a run reports about an agreement, with evidence and a stable fingerprint."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from checker.facts.model import Fact


class FindingKind(StrEnum):
    BREACH = "breach"  # an obligation was broken
    TRIGGER = "trigger"  # a right or option arose (termination, renegotiation)
    DEADLINE = "deadline"  # something falls due within the horizon
    ERROR = "error"  # a rule or agreement could not be evaluated: never "compliant"
    # The data that would decide it is not there (a feed that has not arrived, or runs only to an
    # earlier date): never "compliant", never a breach. Its own fingerprint (the kind is part of
    # it), so it is a finding of its own, not the breach it might turn out to be.
    UNKNOWN = "unknown"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical up to 4 for info."""
        return list(Severity).index(self)


# A deadline's severity when its clause sets none: medium, below a breach (most kinds default to
# high) and at the level a legal channel typically takes (`min_severity: medium`), so that a
# reminder such as the last day to give notice of non-renewal reaches it. A clause's `severity`
# (or its `deadline_severity`, where its kind has one) sets its deadlines' severity instead.
DEADLINE_SEVERITY = Severity.MEDIUM


@dataclass(frozen=True, slots=True)
class FindingCode:
    """A code a clause kind's findings can carry: the code authors write in scenarios and
    waivers, the kind of finding it always is, and what it means in one plain sentence."""

    code: str
    kind: FindingKind
    meaning: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """A fact a finding rests on, with where it was read."""

    fact_id: str
    fact_type: str
    at: str
    source: str

    @classmethod
    def of(cls, fact: Fact) -> Evidence:
        return cls(fact.id, fact.type, fact.at_iso, fact.source)


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported result. `code` and `subject` identify it; `message` only explains it."""

    agreement: str
    clause: str
    clause_title: str
    kind: FindingKind
    code: str  # stable, machine-readable: e.g. "exclusivity.forbidden_activity"
    severity: Severity
    date: date  # when it arose, or when it falls due
    subject: str  # what it is about: a fact id, a period label, a milestone name...
    message: str
    evidence: tuple[Evidence, ...] = ()
    owner: str = ""
    calendar: str = ""  # the business-day calendar a date was counted on, e.g. "DE-BY"
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "fingerprint",
            fingerprint(self.agreement, self.clause, self.kind.value, self.code, self.subject),
        )

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.agreement,
            self.date,
            natural_key(self.clause),
            self.kind.value,
            self.code,
            self.subject,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "clause": self.clause,
            "clause_title": self.clause_title,
            "kind": self.kind.value,
            "code": self.code,
            "severity": self.severity.value,
            "date": self.date.isoformat(),
            "subject": self.subject,
            "message": self.message,
            "owner": self.owner,
            "calendar": self.calendar,
            "evidence": [
                {"fact_id": e.fact_id, "type": e.fact_type, "at": e.at, "source": e.source}
                for e in self.evidence
            ],
            "fingerprint": self.fingerprint,
        }


def fingerprint(*identity: str) -> str:
    """Hash of identity fields only, so rewording a message never resets a finding's history."""
    digest = hashlib.sha256("\x1f".join(identity).encode("utf-8")).hexdigest()
    return digest[:20]


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "4.2" before "10.1" and "2a" after "2"."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))
