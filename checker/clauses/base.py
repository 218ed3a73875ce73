"""What every clause kind shares: common fields, amendments, the context it compiles in, and what
it needs to explain itself in plain English with its dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise
from typing import Any, ClassVar, Self, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from checker.clauses.explaining import (
    ExplainContext,
    ExplainedDate,
    Explanation,
    changes_between,
    explain_norms,
)
from checker.dates.timeutil import Duration, epoch_of_date
from checker.findings.model import FindingCode, Severity
from checker.norms.clause_support import NormPart, compile_norms
from checker.norms.compile import Wording
from checker.norms.context import ClauseContext, InForce
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import NormTerms

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

    def version_terms(self) -> list[Self]:
        """The terms of each version, in order (each of the clause's own kind)."""
        return [cast(Self, version.terms) for version in self._versions]

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
        the contract: its terms and amendments, and the rules and dates of its norms."""
        rules, dates = explain_norms(self.norms() or [], context)
        return self.explain_terms(context).plus([*self.explain_rules(context), *rules], dates)

    def explain_rules(self, context: ExplainContext) -> list[str]:
        """A kind's own sentences on how it is judged, for what its norms' dates cannot say
        (rules that start from an event, such as a cure period after a default notice)."""
        return []

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
