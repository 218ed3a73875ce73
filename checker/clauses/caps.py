"""Cap: a value the partner reports (seats, API calls, users) must not exceed a limit.

Example::

    - id: "5.2"
      title: Licensed seats
      kind: cap
      measure: {fact: usage.reported, field: seats, where: {edition: enterprise}}
      max: 250
      amended:
        - {effective: 2026-07-01, max: 300}
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from checker.clauses.base import Clause, numbered, version_span
from checker.clauses.explaining import ExplainContext
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import NormTerms, ProhibitionTerms
from checker.norms.outcomes import Forbidden, Undecided


class MeasuredField(FactPattern):
    """A fact pattern plus the numeric field to read on each matching fact."""

    field: str = Field(
        pattern=FIELD_NAME_PATTERN,
        description="Fact field holding the number, e.g. seats",
        examples=["seats"],
    )

    def describe(self) -> str:
        return f"'{self.field}' of {super().describe()}"


def number_of(fact: Fact, name: str) -> float | None:
    """The finite number in field `name` of `fact`, or None when it is missing or not a number."""
    value = fact.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    return float(value)


def number_text(value: float) -> str:
    """250.0 -> "250", 2.5 -> "2.5": numbers as a contract would print them."""
    return str(int(value)) if value == int(value) else str(value)


class Cap(Clause):
    kind_summary = "A value the partner reports must not exceed a limit."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "cap.exceeded",
            FindingKind.BREACH,
            "A reported value is above the cap in force that day.",
        ),
        FindingCode(
            "cap.unreadable_measure",
            FindingKind.ERROR,
            "A report has no number in the measured field, so the cap could not be checked.",
        ),
    )

    kind: Literal["cap"]
    measure: MeasuredField = Field(
        description="The facts to read and the field holding the value, e.g. "
        "{fact: usage.reported, field: seats}",
        examples=[{"fact": "usage.reported", "field": "seats"}],
    )
    max: float = Field(
        description="Largest allowed value; exactly this value is compliant", examples=[250]
    )

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        return [(version.terms.measure, True) for version in self.versions()]  # type: ignore[attr-defined]

    def describe(self) -> str:
        return f"The {self.measure.describe()} must not exceed {number_text(self.max)}."

    def explain_rules(self, context: ExplainContext) -> list[str]:
        return [
            f"Each {self.measure.fact} is compared with the cap in force on its date; a"
            " value equal to the cap is allowed."
        ]

    def norms(self) -> list[NormPart]:
        """A prohibition on the partner per version: a report of the measured facts whose field
        is above the cap in force on its date (a value that is not a number cannot be checked:
        an error of its own)."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Cap)
            measure = terms.measure
            if measure.field in measure.where:
                raise ValueError(f"'{measure.field}' is both measured and tested in 'where'")
            do = {
                "fact": measure.fact,
                "where": {**measure.where, measure.field: {"above": terms.max}},
                "unless": list(measure.unless),
            }
            wording = Wording(
                codes={
                    "prohibition.breached": "cap.exceeded",
                    "prohibition.undecided": "cap.unreadable_measure",
                },
                forbidden=functools.partial(_exceeded, field=measure.field, cap=terms.max),
                undecided=functools.partial(_unreadable, field=measure.field),
            )
            norm = {"by": "partner", "do": do, **version_span(version)}
            made.append((ProhibitionTerms.model_validate(norm), wording))
        return numbered(self.id, made)


def _exceeded(forbidden: Forbidden, field: str, cap: float) -> str:
    fact = forbidden.fact
    value = number_of(fact, field)
    shown = number_text(value) if value is not None else str(fact.get(field))
    return (
        f"{fact.type} {fact.id} reports {field} {shown} on "
        f"{fact.day.isoformat()}, above the cap of {number_text(cap)}"
    )


def _unreadable(undecided: Undecided, field: str) -> str:
    fact = undecided.fact
    return (
        f"{fact.type} {fact.id} has no number in field '{field}'"
        f" (found {fact.get(field)!r}); the cap cannot be checked"
    )
