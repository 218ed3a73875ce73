"""Measure (a norm): an aggregate of facts per period compared with a bound. For clauses no kind
covers; see docs/norms.md.

Example::

    - id: "4.2"
      title: Joint marketing spend
      kind: measure
      by: partner
      of: {fact: marketing.spend}
      sum: amount
      per: half-year
      at_least: 50000
      carry_over: true

The aggregate (`sum`, `count`, `average`, `min`, `max` or `latest` of a field) is taken per
day, ISO week, month, quarter, half-year or year of the term (or per period named in `period_field`), or over a
rolling window ending with each fact. A period is judged once it has ended: below `at_least` or
above `at_most` is a breach dated at the period's end (or at the fact that crossed an "at most"
bound of a sum or count, or at the latest fact naming a past period). An average, minimum,
maximum or latest of no facts cannot be told: it is reported as `unknown`, never as compliant.
"""

from __future__ import annotations

from typing import Literal

from checker.clauses._norms import NormClause
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.model import MeasureTerms


class MeasureClause(NormClause, MeasureTerms):
    kind_summary = (
        "An aggregate of facts per period must stay within bounds (a norm written directly)."
    )
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "measure.breached", FindingKind.BREACH, "A period's value is outside its bounds."
        ),
        FindingCode(
            "measure.at_risk",
            FindingKind.DEADLINE,
            "The current period ends within the horizon and is below its minimum so far.",
        ),
        FindingCode(
            "measure.no_data",
            FindingKind.UNKNOWN,
            "A period's value cannot be told: no facts to take an average, minimum, maximum or "
            "latest of, or a bound from another measure that has no value.",
        ),
        FindingCode(
            "measure.ended", FindingKind.TRIGGER, "It stopped applying (ends_when or a right)."
        ),
        FindingCode(
            "measure.suspended",
            FindingKind.TRIGGER,
            "A right's exercise suspended it (effect: {suspends: ...}), dated at the first "
            "day suspended: a period it touches is not judged.",
        ),
        FindingCode(
            "measure.undecided",
            FindingKind.ERROR,
            "With 'unreadable: report': a fact whose aggregated field is not a number, left out "
            "of the measure.",
        ),
    )

    kind: Literal["measure"]
