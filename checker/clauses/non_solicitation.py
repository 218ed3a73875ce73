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

Our hires count whatever their partner field. Each hire during the term is judged by the terms
in force on its date: it breaches the clause when an `employment` fact of the partner with the
same `person_field` came before it, within the lookback. The lookback counts whole days after the
departure: "within 12 months after they left 10 March" ends at the end of 10 March a year later,
whatever the time of day (a lookback in hours is exact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import Field, field_validator

from checker.clauses.base import Clause, numbered, version_span
from checker.clauses.explaining import ExplainContext
from checker.dates.timeutil import (
    BusinessDays,
    Duration,
    date_of_epoch,
    end_of_date,
    iso_of_epoch,
    written_duration,
)
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import NormTerms, ProhibitionTerms
from checker.norms.outcomes import Forbidden


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

    _parse = field_validator("lookback", mode="before")(lambda cls, v: written_duration(v))

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        found: list[tuple[FactPattern, bool]] = []
        for terms in self.version_terms():
            # Hires are ours (any partner field); employment must be with the partner.
            found += [(terms.hire, False), (terms.employment, True)]
        return found

    def describe(self) -> str:
        return (
            f"We must not hire anyone ({self.hire.describe()}) whose employment with the partner"
            f" ended ({self.employment.describe()}) within {self.lookback} before the hire,"
            f" matched on {self.person_field}."
        )

    def explain_rules(self, context: ExplainContext) -> list[str]:
        day = date_of_epoch(context.as_of)
        if self.lookback.unit == "hours":
            since = iso_of_epoch(context.as_of - self.lookback.amount * 3600)
        else:
            since = _first_day_within(self.lookback, day, context.calendar).isoformat()
        return [
            f"A hire breaches it when the same {self.person_field} left the partner within"
            f" {context.duration(self.lookback)} before the hire, the last day counting in"
            f" full: a hire on {day.isoformat()} looks back to departures since {since}."
        ]

    def norms(self) -> list[NormPart]:
        """A prohibition per version: a hire (whatever its partner field) of a person whose
        employment with the partner ended within the lookback before it, while the version
        applies."""
        made: list[tuple[NormTerms, Wording]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, NonSolicitation)
            # Departures from the partner, naming a person (a hire and a departure that both
            # lack one would otherwise match); a field the pattern tests keeps its own test.
            where = {"partner": {"party": "partner"}, terms.person_field: {"present": True}}
            after = {
                "fact": terms.employment.fact,
                "where": where | dict(terms.employment.where),
                "unless": list(terms.employment.unless),
                "match_on": [terms.person_field],
                "within": terms.lookback,
            }
            do = {
                "fact": terms.hire.fact,
                "with": "anyone",
                "where": dict(terms.hire.where),
                "unless": list(terms.hire.unless),
                "after": after,
            }
            wording = Wording(
                codes={"prohibition.breached": "non_solicitation.recent_employee_hired"},
                forbidden=_RecentHire(terms),
            )
            norm = {"by": "anyone", "do": do, **version_span(version)}
            made.append((ProhibitionTerms.model_validate(norm), wording))
        return numbered(self.id, made)


@dataclass(frozen=True, eq=False, slots=True)
class _RecentHire:
    """The message of a forbidden hire, naming the departure the norm found before it."""

    terms: NonSolicitation

    def __call__(self, forbidden: Forbidden) -> str:
        terms, hire = self.terms, forbidden.fact
        text = f"{hire.type} {hire.id} on {hire.day.isoformat()} hires"
        text += f" {hire.get(terms.person_field)}, who left"
        if len(forbidden.evidence) < 2:
            return f"{text} the partner within {terms.lookback} before"
        left = forbidden.evidence[0]
        within = f"within {terms.lookback}"
        if not terms.lookback.in_business_days:
            last = _restricted_until(left, terms.lookback, None)
            through = iso_of_epoch(last) if terms.lookback.unit == "hours" else date_of_epoch(last)
            within += f" (through {through})"
        return f"{text} {left.partner} on {left.day.isoformat()} ({left.type} {left.id}), {within}"


def _restricted_until(left: Fact, lookback: Duration, calendar: BusinessDays | None) -> int:
    """The last instant a hire of the person is restricted: the end of the lookback's last day
    after the departure (in hours, the exact instant)."""
    if lookback.unit == "hours":
        return left.at + lookback.amount * 3600
    return end_of_date(lookback.add_to_date(left.day, calendar))


def _first_day_within(lookback: Duration, hired: date, calendar: BusinessDays | None) -> date:
    """The earliest departure day whose lookback still covers a hire on `hired`: 12 months
    before, moved to where month ends agree ("1 month after 28 February" is 28 March, so a hire
    on 31 March looks back to 1 March)."""
    day = lookback.negated().add_to_date(hired, calendar)
    while lookback.add_to_date(day - timedelta(days=1), calendar) >= hired:
        day -= timedelta(days=1)
    while lookback.add_to_date(day, calendar) < hired:
        day += timedelta(days=1)
    return day
