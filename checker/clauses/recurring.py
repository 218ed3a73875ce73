"""Recurring duties: a deliverable due after each period ends, and a minimum to reach each period.

Example::

    - id: "5.1"
      title: Quarterly royalty payment and minimum sales
      kind: recurring
      period: quarter
      deliverable: {fact: payment.received, where: {kind: royalty}, period_field: period}
      due_after_period_end: 30d
      material_breach_after: 60d
      minimum:
        measure: {fact: deal.closed, where: {channel: partner}, field: amount}
        at_least: 100000
        consecutive_shortfalls: 2
        right_for: 90d
      amended:
        - effective: 2027-01-01
          minimum:
            measure: {fact: deal.closed, where: {channel: partner}, field: amount}
            at_least: 150000
            consecutive_shortfalls: 2

Periods are calendar months, quarters or years in UTC (a deal at 2026-04-01T01:00+02:00 belongs to
2026-Q1). The deliverable for a period is the first matching fact whose `period_field` holds the
period's label ("2026-03", "2026-Q1", "2026"); it is due by the end of the day that lies
`due_after_period_end` after the period's last day, for every period that ends within the
agreement's term. A deliverable not there by then is one breach, `recurring.missed`, dated at the
due date, whether it came late or never (a late delivery updates the same finding and its message
says when it came). Still missing `material_breach_after` the due date, it is a material breach,
dated at the last day of that grace (a deadline while that day lies within the horizon), which a
later delivery does not undo. The minimum is checked for every period wholly inside the term that
has fully ended: the sum of `field` over the matching facts dated in the period must reach
`at_least`. A measure value that is not a number is an error naming the fact, and its period
cannot be told (`recurring.minimum_unknown`): not judged, and it breaks a run of shortfalls. After
`consecutive_shortfalls` shortfalls in a row a right to terminate arises with the last of them (at
the end of its period) and stays open `right_for` after that period ends. Each period follows the
terms in force on its last day. `checked_from` skips periods that end before it, for agreements
whose earlier history is not in the facts.

All of it is norms (see `norms`): a measure and a right for the minimum, an obligation with
`material_breach_after` for the deliverable; `compile` only compiles them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses.base import Clause, numbered, version_span
from checker.clauses.explaining import ExplainContext
from checker.dates.timeutil import Duration, date_of_epoch, period_of, written_duration
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactPattern
from checker.norms.model import MeasureTerms, NormTerms, ObligationTerms, RightTerms
from checker.norms.outcomes import Duty, Measured, Opening, Undecided

PeriodUnit = Literal["month", "quarter", "year"]
ONE_DAY = timedelta(days=1)


def _field_name(value: str) -> str:
    if not re.match(FIELD_NAME_PATTERN, value):
        raise ValueError(f"'{value}' is not a field name (letters, digits and _ only)")
    return value


class Deliverable(FactPattern):
    """The fact that delivers a period's duty, and the field that names the period."""

    period_field: str = Field(
        default="period",
        description='Fact field holding the period label, e.g. "2026-Q1"',
        examples=["period"],
    )

    _valid_period_field = field_validator("period_field")(lambda cls, value: _field_name(value))


class Measure(FactPattern):
    """The facts that count towards a measured value, and the numeric field to read."""

    field: str = Field(description="Numeric fact field to read, e.g. amount", examples=["amount"])

    _valid_field = field_validator("field")(lambda cls, value: _field_name(value))


class Minimum(BaseModel):
    """A total to reach in each period, and what repeated shortfalls lead to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: Measure = Field(
        description="The facts summed per period and the field summed",
        examples=[{"fact": "deal.closed", "where": {"channel": "partner"}, "field": "amount"}],
    )
    at_least: float = Field(description="Minimum total per period", examples=[100000])
    consecutive_shortfalls: int | None = Field(
        default=None,
        ge=1,
        description="Shortfalls in a row that give a right to terminate",
        examples=[2],
    )
    right_for: Duration = Field(
        default=Duration(90, "days"),
        description="How long that right stays open, e.g. 90d",
        examples=["90d"],
    )

    _parse = field_validator("right_for", mode="before")(lambda cls, value: written_duration(value))


class Recurring(Clause):
    kind_summary = "A deliverable due after each period, and a minimum total per period."
    default_severity = Severity.HIGH
    finding_codes = (
        FindingCode(
            "recurring.missed",
            FindingKind.BREACH,
            "A period's deliverable (a payment, a report) was not delivered by its due date;"
            " dated at the due date, whether it came later or never.",
        ),
        FindingCode(
            "recurring.unknown",
            FindingKind.UNKNOWN,
            "Not delivered as far as the facts go, but the feed of the deliverables does not reach the due date tonight: it cannot be told.",
        ),
        FindingCode(
            "recurring.due",
            FindingKind.DEADLINE,
            "A period's deliverable not yet delivered falls due within the horizon.",
        ),
        FindingCode(
            "recurring.material_breach",
            FindingKind.TRIGGER,
            "A period's deliverable is still missing after the material-breach period: a material "
            "breach, dated at the last day of that period whether it came later or never.",
        ),
        FindingCode(
            "recurring.becomes_material",
            FindingKind.DEADLINE,
            "A period's deliverable not yet delivered becomes a material breach within the"
            " horizon.",
        ),
        FindingCode(
            "recurring.shortfall",
            FindingKind.BREACH,
            "A period's total is below the minimum commitment.",
        ),
        FindingCode(
            "recurring.minimum_at_risk",
            FindingKind.DEADLINE,
            "The current period ends within the horizon and its total is below the minimum so far.",
        ),
        FindingCode(
            "recurring.minimum_unknown",
            FindingKind.UNKNOWN,
            "A period's total cannot be told (a fact counted has no number in the measured"
            " field): neither compliant nor a shortfall, and it breaks a run of shortfalls.",
        ),
        FindingCode(
            "recurring.shortfall_right",
            FindingKind.TRIGGER,
            "After the stated number of periods in a row below the minimum, a right to terminate "
            "arose (still reported after it lapsed).",
        ),
        FindingCode(
            "recurring.shortfall_right_lapses",
            FindingKind.DEADLINE,
            "The right to terminate after a run of shortfalls closes within the horizon.",
        ),
        FindingCode(
            "recurring.unreadable_measure",
            FindingKind.ERROR,
            "A fact counted towards the minimum has no number in the measured field, so its period"
            " cannot be checked.",
        ),
    )

    kind: Literal["recurring"]
    period: PeriodUnit = Field(
        description="month, quarter or year (calendar, UTC)", examples=["quarter"]
    )
    deliverable: Deliverable | None = Field(
        default=None,
        description="The fact that delivers each period's duty (e.g. a payment)",
        examples=[
            {"fact": "payment.received", "where": {"kind": "royalty"}, "period_field": "period"}
        ],
    )
    due_after_period_end: Duration | None = Field(
        default=None,
        description="Time after the period's last day to deliver, e.g. 30d",
        examples=["30d"],
    )
    material_breach_after: Duration | None = Field(
        default=None,
        description="Days past due after which a missing delivery is material",
        examples=["60d"],
    )
    minimum: Minimum | None = Field(
        default=None,
        description="A minimum total per period",
        examples=[
            {
                "measure": {
                    "fact": "deal.closed",
                    "where": {"channel": "partner"},
                    "field": "amount",
                },
                "at_least": 100000,
                "consecutive_shortfalls": 2,
            }
        ],
    )
    checked_from: date | None = Field(
        default=None,
        description="Periods ending before this day are not checked (e.g. history before the "
        "facts begin)",
        examples=["2026-01-01"],
    )

    _parse = field_validator("due_after_period_end", "material_breach_after", mode="before")(
        lambda cls, value: written_duration(value)
    )

    @model_validator(mode="after")
    def _consistent_terms(self) -> Recurring:
        if self.deliverable is None and self.minimum is None:
            raise ValueError("give a 'deliverable', a 'minimum' or both")
        if (self.deliverable is None) != (self.due_after_period_end is None):
            raise ValueError("'deliverable' and 'due_after_period_end' go together")
        if self.material_breach_after is not None and self.deliverable is None:
            raise ValueError("'material_breach_after' needs a 'deliverable'")
        return self

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        patterns: list[tuple[FactPattern, bool]] = []
        for terms in self.version_terms():
            if terms.deliverable is not None:
                patterns.append((terms.deliverable, True))
            if terms.minimum is not None:
                patterns.append((terms.minimum.measure, True))
        return patterns

    def describe(self) -> str:
        parts: list[str] = []
        if self.deliverable is not None:
            parts.append(
                f"Each {self.period}, {self.deliverable.describe()} labelled with the {self.period}"
                f" in '{self.deliverable.period_field}' is due {self.due_after_period_end} after it"
                " ends"
            )
            if self.material_breach_after is not None:
                parts[-1] += f" (material breach {self.material_breach_after} past due)"
        if self.minimum is not None:
            text = (
                f"each {self.period} the total {self.minimum.measure.field} of "
                f"{self.minimum.measure.describe()} must reach {self.minimum.at_least:g}"
            )
            if self.minimum.consecutive_shortfalls is not None:
                text += (
                    f"; {self.minimum.consecutive_shortfalls} shortfalls in a row give a right"
                    f" to terminate for {self.minimum.right_for}"
                )
            parts.append(text[0].upper() + text[1:] if not parts else text)
        return "; ".join(parts) + "."

    def explain_rules(self, context: ExplainContext) -> list[str]:
        rules = []
        if self.checked_from is not None:
            rules.append(
                f"{self.period.capitalize()}s ending before"
                f" {self.checked_from.isoformat()} are not checked."
            )
        if self.deliverable is not None and self.due_after_period_end is not None:
            rule = (
                f"Each {self.period}'s {self.deliverable.fact} is due"
                f" {context.duration(self.due_after_period_end)} after the {self.period} ends"
            )
            if self.material_breach_after is not None:
                rule += (
                    f"; still missing more than {context.duration(self.material_breach_after)}"
                    " after that, it is a material breach"
                )
            rules.append(rule + ".")
        minimum = self.minimum
        if minimum is not None and minimum.consecutive_shortfalls is not None:
            rules.append(
                f"Minimum: after {minimum.consecutive_shortfalls} {self.period}s in a row"
                f" below {minimum.at_least:g}, a right to terminate arises as the last of"
                f" them ends and closes {context.duration(minimum.right_for)} after that."
            )
        return rules

    def norms(self) -> list[NormPart]:
        """Per version with a minimum: a measure on the partner, the sum of the field per
        period at least the minimum, judged for the whole periods that end while the version is
        in force (a period with a value that is not a number is an error and undecided); per
        run of versions with the same shortfall terms: our right to terminate, arising with the
        shortfall that makes `consecutive_shortfalls` in a row (across versions), open for
        `right_for`. Per version with a deliverable: an obligation on the partner at the end of
        each period, paired with the deliverable naming the period in `period_field` (whenever
        it came), due `due_after_period_end` after the period's last day, a material breach
        `material_breach_after` later. A late delivery is the same breach as a missed one,
        dated at the due date. `checked_from` moves the first period of each."""
        minimums = self._minimum_norms()
        made: list[tuple[NormTerms, Wording]] = [
            (MeasureTerms.model_validate(norm), _minimum_wording(terms))
            for terms, norm, _ in minimums
        ]
        keys = [part.key for part in numbered(self.id, made)]
        measures = [(key, starts) for key, (_, _, starts) in zip(keys, minimums, strict=True)]
        made += [
            (RightTerms.model_validate(norm), _right_wording(terms, self.period))
            for terms, norm in self._shortfall_rights(measures)
        ]
        for terms, span in self._delivered_versions():
            assert terms.deliverable is not None
            deliverable = terms.deliverable
            norm = {
                "by": "partner",
                "when": {"each": terms.period},
                "period_field": deliverable.period_field,
                "within": terms.due_after_period_end,
                "material_breach_after": terms.material_breach_after,
                "do": deliverable.as_norm(),
                **span,
            }
            wording = Wording(
                codes={
                    "obligation.breached": "recurring.missed",
                    "obligation.unknown": "recurring.unknown",
                    "obligation.due": "recurring.due",
                    "obligation.material_breach": "recurring.material_breach",
                    "obligation.becomes_material": "recurring.becomes_material",
                },
                missed=functools.partial(_missed, terms=terms),
                late=functools.partial(_late, terms=terms),
                due=functools.partial(_due, terms=terms),
                material=functools.partial(_material, terms=terms),
                becomes_material=functools.partial(_becomes_material, terms=terms),
            )
            made.append((ObligationTerms.model_validate(norm), wording))
        return numbered(self.id, made)

    def _delivered_versions(self) -> list[tuple[Recurring, dict[str, date]]]:
        """(terms, norm span) of each version with a deliverable that applies to some
        period: `checked_from` moves the span's start."""
        found: list[tuple[Recurring, dict[str, date]]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Recurring)
            if terms.deliverable is None:
                continue
            span = version_span(version)
            if self.checked_from is not None:
                span["from"] = max(span.get("from", self.checked_from), self.checked_from)
                if "until" in span and span["until"] < span["from"]:
                    continue
            found.append((terms, span))
        return found

    def _minimum_norms(self) -> list[tuple[Recurring, dict[str, Any], date | None]]:
        """(terms, measure norm, first day of the version) of each version with a minimum that
        judges some period: the whole periods whose last day falls while the version is in
        force, and not before `checked_from` (the term's start and end: `whole_periods`)."""
        found: list[tuple[Recurring, dict[str, Any], date | None]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Recurring)
            if terms.minimum is None:
                continue
            span: dict[str, date] = {}
            first = max(filter(None, (version.starts, self.checked_from)), default=None)
            if first is not None:
                span["from"] = period_of(first, terms.period).start
            if version.ends is not None:
                last = period_of(version.ends - timedelta(days=1), terms.period)
                span["until"] = last.end if last.end < version.ends else last.start - ONE_DAY
                if "from" in span and span["until"] < span["from"]:
                    continue
            measure = terms.minimum.measure
            norm = {
                "by": "partner",
                "of": measure.as_norm(),
                "sum": measure.field,
                "per": terms.period,
                "at_least": terms.minimum.at_least,
                "unreadable": "skip_period",
                "whole_periods": True,
                **span,
            }
            found.append((terms, norm, version.starts))
        return found

    def _shortfall_rights(
        self, measures: list[tuple[str, date | None]]
    ) -> list[tuple[Recurring, dict[str, Any]]]:
        """(terms, right norm) per run of versions with the same `consecutive_shortfalls` and
        `right_for`: shortfalls count in a row across the versions' measures (`measures`: key,
        first day) up to the run's last version; a right arises from a run whose last period
        ends while those terms are in force, and stays open `right_for` whatever follows."""
        groups: list[tuple[Recurring, date | None]] = []  # (terms, first day) of each run
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Recurring)
            if terms.minimum is not None and (
                not groups or _shortfall_terms(terms) != _shortfall_terms(groups[-1][0])
            ):
                groups.append((terms, version.starts))
        found: list[tuple[Recurring, dict[str, Any]]] = []
        following: list[date | None] = [first for _, first in groups[1:]]
        for (terms, first), then in zip(groups, [*following, None][: len(groups)], strict=True):
            assert terms.minimum is not None
            required = terms.minimum.consecutive_shortfalls
            sources = [
                key for key, starts in measures if then is None or starts is None or starts < then
            ]
            if required is None or not sources:
                continue
            arises: dict[str, Any] = {"breach_of": sources[0] if len(sources) == 1 else sources}
            if required > 1:
                arises["in_a_row"] = required
            norm: dict[str, Any] = {
                "holder": "us",
                "arises": arises,
                "open_for": terms.minimum.right_for,
            }
            if first is not None:
                norm["from"] = first
            found.append((terms, norm))
        return found


def _what(duty: Duty, terms: Recurring) -> str:
    """ "payment.received for 2026-Q1, recorded by p7"."""
    assert terms.deliverable is not None
    recorded = f", recorded by {duty.done.id}" if duty.done is not None else ""
    return f"{terms.deliverable.fact} for {duty.subject}{recorded}"


def _missed(duty: Duty, terms: Recurring) -> str:
    due = date_of_epoch(duty.due).isoformat()
    return f"{_what(duty, terms)} was due by {due} and has not been done"


def _late(duty: Duty, terms: Recurring) -> str:
    if duty.done is None:  # not reported: the late message is only used for a late delivery
        return _missed(duty, terms)
    due = date_of_epoch(duty.due).isoformat()
    return f"{_what(duty, terms)} was due by {due}: delivered late, on {duty.done.at_iso}"


def _due(duty: Duty, terms: Recurring) -> str:
    return f"{_what(duty, terms)} is due by {date_of_epoch(duty.due).isoformat()}"


def _material(duty: Duty, terms: Recurring) -> str:
    assert duty.material is not None
    late = f", delivered on {duty.done.at_iso}" if duty.done is not None else ""
    return (
        f"{_what(duty, terms)} (due {date_of_epoch(duty.due).isoformat()}) was still not done"
        f" after {date_of_epoch(duty.material).isoformat()}: material breach{late}"
    )


def _becomes_material(duty: Duty, terms: Recurring) -> str:
    assert duty.material is not None
    return (
        f"{_what(duty, terms)} (due {date_of_epoch(duty.due).isoformat()}) is a material breach"
        f" if still not done after {date_of_epoch(duty.material).isoformat()}"
    )


def _shortfall_terms(terms: Recurring) -> tuple[int | None, Duration]:
    assert terms.minimum is not None
    return terms.minimum.consecutive_shortfalls, terms.minimum.right_for


def _minimum_wording(terms: Recurring) -> Wording:
    assert terms.minimum is not None
    name = terms.minimum.measure.field

    def shortfall(measured: Measured) -> str:
        ids = ", ".join(fact.id for fact in measured.facts) or "no facts"
        return (
            f"{measured.subject}: total {measured.value:g} is below the minimum of"
            f" {measured.minimum:g} (from {ids})"
        )

    def unreadable(item: Undecided) -> str:
        fact = item.fact
        return (
            f"{fact.type} {fact.id} has {name} = {fact.get(name)!r}, not a number: the"
            f" {terms.period} it belongs to cannot be checked against the minimum"
        )

    return Wording(
        codes={
            "measure.breached": "recurring.shortfall",
            "measure.at_risk": "recurring.minimum_at_risk",
            "measure.no_data": "recurring.minimum_unknown",
            "measure.undecided": "recurring.unreadable_measure",
        },
        measured=shortfall,
        undecided=unreadable,
    )


def _right_wording(terms: Recurring, unit: str) -> Wording:
    assert terms.minimum is not None
    required = terms.minimum.consecutive_shortfalls

    def right(opening: Opening) -> str:
        last = opening.subject.rpartition(":")[2]
        return (
            f"right to terminate after {required} {unit}s in a row below the minimum, the last"
            f" {last}"
        )

    return Wording(
        codes={
            "right.arisen": "recurring.shortfall_right",
            "right.closing": "recurring.shortfall_right_lapses",
        },
        right=right,
    )
