"""Non-solicitation: we must not hire anyone who worked for the partner within a lookback period.

Example::

    - id: "11.4"
      title: Non-solicitation of staff
      kind: non_solicitation
      hire: {fact: employee.hired, unless: {source: public-job-board}}
      employment: {fact: employment.ended}
      person_field: person
      lookback: 12 months
      amended:
        - {effective: 2026-07-01, lookback: 6 months}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator

from checker.clauses.base import Clause, ClauseVersion, ExplainContext, Explanation
from checker.dates.timeutil import Duration, date_of_epoch, iso_of_epoch, parse_duration
from checker.engine import conditions as cond
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Limit, Measurement, Outcome, limits
from checker.norms.context import ClauseContext
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern, Scalar


class NonSolicitation(Clause):
    kind_summary = "We must not hire people who recently worked for the partner."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "non_solicitation.recent_employee_hired",
            FindingKind.BREACH,
            "We hired someone who left the partner within the look-back period.",
        ),
    )

    kind: Literal["non_solicitation"]
    hire: FactPattern = Field(
        default=FactPattern(fact="employee.hired"),
        description="Our hires (whatever their partner field), default employee.hired",
        examples=[{"fact": "employee.hired", "unless": {"source": "public-job-board"}}],
    )
    employment: FactPattern = Field(
        default=FactPattern(fact="employment.ended"),
        description="The partner's facts that a person worked for it until `at`",
        examples=[{"fact": "employment.ended"}],
    )
    person_field: str = Field(
        default="person",
        pattern=FIELD_NAME_PATTERN,
        description="Field naming the person on both facts",
        examples=["person"],
    )
    lookback: Duration = Field(
        description="How recently the person left the partner, e.g. 12 months",
        examples=["12 months"],
    )

    @field_validator("lookback", mode="before")
    @classmethod
    def _parse_lookback(cls, value: object) -> object:
        return parse_duration(str(value)) if isinstance(value, str | int) else value

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        found: list[tuple[FactPattern, bool]] = []
        for terms in self._all_terms():
            # Hires are ours (any partner field); employment must be with the partner.
            found += [(terms.hire, False), (terms.employment, True)]
        return found

    def describe(self) -> str:
        return (
            f"We must not hire anyone ({self.hire.describe()}) whose employment with the partner"
            f" ended ({self.employment.describe()}) within {self.lookback} before the hire,"
            f" matched on {self.person_field}."
        )

    def _all_terms(self) -> list[NonSolicitation]:
        found = [version.terms for version in self.versions()]
        assert all(isinstance(terms, NonSolicitation) for terms in found)
        return found  # type: ignore[return-value]

    def compile(self, context: ClauseContext) -> None:
        # Each hire is a measurement (the instant its person last left the partner) keyed by the
        # hire, against its own limit: "left no earlier than the lookback cutoff", in force over the
        # clause version's part of the term. limits() is the cleanest fit: obligations and windows
        # are about the as-of instant, while this is a comparison of two past instants. Python
        # finds the latest departure and the cutoff; the engine decides whether it is recent.
        measurements: list[Measurement] = []
        bounds: list[Limit] = []
        versions = self.versions()
        departures = [version.terms._departures(context) for version in versions]  # type: ignore[attr-defined]
        for fact in context.facts:
            number = _version_number(versions, fact)
            version = versions[number]
            terms = version.terms
            assert isinstance(terms, NonSolicitation)
            if not terms.hire.matches(fact):
                continue
            person = cond.encode(_scalar(fact.get(terms.person_field)))
            left = _latest_at_or_before(departures[number].get(person, []), fact.at)
            if left is None:
                continue
            start, end = version.bounds(context.term.start, context.term.end)
            cutoff = terms.lookback.before(fact.at, context.calendar)
            # limits() compares strictly: "left at or after the cutoff" is "left after cutoff - 1s".
            bounds.append(Limit(start, end, cutoff - 1, fact.id))
            measurements.append(
                Measurement(fact.id, fact.at, left.at, fact.day, (fact, left), fact.id)
            )

        def message(measurement: Measurement, bound: float) -> str:
            hire, left = measurement.evidence
            terms = self.version_at(hire.at)
            assert isinstance(terms, NonSolicitation)
            person = hire.get(terms.person_field)
            return (
                f"{hire.type} {hire.id} on {hire.day.isoformat()} hires {person}, who left"
                f" {context.partner} on {left.day.isoformat()} ({left.type} {left.id}), within"
                f" {terms.lookback} (since {iso_of_epoch(int(bound) + 1)})"
            )

        limits(
            context,
            "non-solicitation",
            measurements,
            bounds,
            maximum=True,
            outcome=Outcome(FindingKind.BREACH, "non_solicitation.recent_employee_hired"),
            message=message,
        )

    def _departures(self, context: ClauseContext) -> dict[str | int | float, list[Fact]]:
        """The partner's employment ends by person (engine-encoded, so 7 and "7" differ), in
        time order; facts without a person are left out (they can match no hire)."""
        found: dict[str | int | float, list[Fact]] = {}
        for fact in context.facts:  # sorted by (at, id)
            person = fact.get(self.person_field)
            if person is None or fact.partner != context.partner:
                continue
            if self.employment.matches(fact):
                found.setdefault(cond.encode(_scalar(person)), []).append(fact)
        return found

    def explain(self, context: ExplainContext) -> Explanation:
        cutoff = date_of_epoch(self.lookback.before(context.as_of, context.calendar))
        rule = (
            f"A hire during the term breaches it when the same {self.person_field} left the"
            f" partner no earlier than {context.duration(self.lookback)} before the hire: a hire"
            f" on {date_of_epoch(context.as_of).isoformat()} looks back to"
            f" {cutoff.isoformat()}."
        )
        return self.explain_terms(context).plus([rule], context.throughout_term())


def _scalar(value: object) -> Scalar | None:
    return value if isinstance(value, str | int | float | bool) else None


def _version_number(versions: Sequence[ClauseVersion], fact: Fact) -> int:
    """Index of the clause version in force on the fact's day."""
    number = 0
    for index, version in enumerate(versions):
        if version.starts is None or version.starts <= fact.day:
            number = index
    return number


def _latest_at_or_before(departures: list[Fact], instant: int) -> Fact | None:
    latest: Fact | None = None
    for fact in departures:
        if fact.at > instant:
            break
        latest = fact
    return latest
