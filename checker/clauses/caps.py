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

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from checker.clauses.base import Clause, ExplainContext, Explanation
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Limit, Measurement, Outcome, limits
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern


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

    def compile(self, context: ClauseContext) -> None:
        measurements: list[Measurement] = []
        for fact in context.facts:
            if not context.term.start <= fact.at < context.term.end:
                continue
            terms = self.version_at(fact.at)
            assert isinstance(terms, Cap)
            if not terms.measure.matches(fact):
                continue
            value = number_of(fact, terms.measure.field)
            if value is None:
                # Fail closed: a reading we cannot compare is reported, never taken as compliant.
                context.report(
                    context.finding(
                        FindingKind.ERROR,
                        "cap.unreadable_measure",
                        fact.day,
                        fact.id,
                        f"{fact.type} {fact.id} has no number in field '{terms.measure.field}'"
                        f" (found {fact.get(terms.measure.field)!r}); the cap cannot be checked",
                        [fact],
                    )
                )
                continue
            measurements.append(Measurement(fact.id, fact.at, value, fact.day, (fact,)))
        bounds: list[Limit] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Cap)
            start, end = version.bounds(context.term.start, context.term.end)
            bounds.append(Limit(start, end, terms.max))

        def message(measurement: Measurement, bound: float) -> str:
            (fact,) = measurement.evidence
            terms = self.version_at(fact.at)
            assert isinstance(terms, Cap)
            return (
                f"{fact.type} {fact.id} reports {terms.measure.field}"
                f" {number_text(measurement.value)} on "
                f"{fact.day.isoformat()}, above the cap of {number_text(bound)}"
            )

        limits(
            context,
            "cap",
            measurements,
            bounds,
            maximum=True,
            outcome=Outcome(FindingKind.BREACH, "cap.exceeded"),
            message=message,
        )

    def explain(self, context: ExplainContext) -> Explanation:
        rule = (
            f"Each {self.measure.fact} reported during the term is compared with the cap in force"
            " on its date; a value equal to the cap is allowed."
        )
        return self.explain_terms(context).plus([rule], context.throughout_term())
