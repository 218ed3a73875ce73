"""Renegotiation: windows in which either party may reopen the terms, fixed or before each
anniversary, and a right to request renegotiation after a run of poor performance.

Example::

    - id: "9.3"
      title: Price review
      kind: renegotiation
      windows:
        - {opens: 2026-01-01, closes: 2026-03-31}
      anniversary_window: {opens_before: 120d, closes_before: 60d}
      performance:
        measure: {fact: kpi.reported, where: {metric: nps}}
        field: value
        below: 30
        periods: 3
        period: quarter
        request_within: 60d
      amended:
        - {effective: 2027-01-01, anniversary_window: {opens_before: 180d, closes_before: 90d}}

A fixed window is a right that arises at 00:00 UTC on `opens` and is open to the end of
`closes` (inclusive), within the term: one that opens inside the term is announced by a deadline
when it opens within the horizon, reported from that day, with a deadline when it closes within
the horizon, and after it closed as lapsed (a window opening before the term's start is not
reported). Each follows the terms in force when it opens.
An anniversary window is open from `opens_before` ahead of each anniversary of the agreement's
effective date until the end of the day `closes_before` ahead of it. Anniversary windows are
reported only when they overlap the term, and close at the latest with the term; each follows the
terms in force when it opens (or at the term's start). While one is open: a trigger, with a
deadline when it closes within the horizon; before: a deadline when it opens within the horizon.

Performance: per calendar period (UTC) from the first period of the term to the last one that
has fully ended, the period's value is `field` of the last matching fact dated in it (inside the
term). A period with no report counts as not below. After `periods` periods in a row below
`below`, a right to request renegotiation opens the day after the last of them ends and lasts
until the end of the day `request_within` after that period's last day. A value that is not a
number is an error naming the fact; if it is the period's last report the period is not judged.
The measure facts are the partner's own. Each period follows the terms in force on its last day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses.base import (
    Clause,
    ExplainContext,
    ExplainedDate,
    Explanation,
    numbered,
    periods_around,
)
from checker.clauses.recurring import Measure, PeriodUnit
from checker.dates.timeutil import (
    WEEKDAYS_ONLY,
    BusinessDays,
    Duration,
    Period,
    anniversaries,
    date_of_epoch,
    end_of_date,
    epoch_of_date,
    periods_between,
    written_duration,
)
from checker.facts.model import Fact
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.blocks import Window, consecutive, windows
from checker.norms.clause_support import NormPart, compile_norms
from checker.norms.compile import Wording
from checker.norms.context import AgreementTerm, ClauseContext
from checker.norms.fact_pattern import FactPattern
from checker.norms.instances import Opening
from checker.norms.model import NormTerms, RightTerms

_REFERENCE_DAY = date(2001, 1, 1)


class FixedWindow(BaseModel):
    """A window between two dates, both inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    opens: date = Field(description="First day of the window", examples=["2026-01-01"])
    closes: date = Field(description="Last day of the window (inclusive)", examples=["2026-03-31"])

    @model_validator(mode="after")
    def _in_order(self) -> FixedWindow:
        if self.closes < self.opens:
            raise ValueError(f"window closes ({self.closes}) before it opens ({self.opens})")
        return self


class AnniversaryWindow(BaseModel):
    """A window before each anniversary of the agreement's effective date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    opens_before: Duration = Field(
        description="How long before the anniversary it opens", examples=["120d"]
    )
    closes_before: Duration = Field(
        description="How long before the anniversary it closes", examples=["60d"]
    )

    _parse = field_validator("opens_before", "closes_before", mode="before")(
        lambda cls, value: written_duration(value)
    )

    @model_validator(mode="after")
    def _in_order(self) -> AnniversaryWindow:
        # Business days are compared as weekdays: the holiday calendar is not known here.
        opens = self.opens_before.before(epoch_of_date(_REFERENCE_DAY), WEEKDAYS_ONLY)
        closes = self.closes_before.before(epoch_of_date(_REFERENCE_DAY), WEEKDAYS_ONLY)
        if closes < opens:
            raise ValueError("'closes_before' must not be longer than 'opens_before'")
        return self


class Performance(BaseModel):
    """A reported measure that gives a right to renegotiate after a run of poor periods."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: FactPattern = Field(
        description="The fact that reports the measure",
        examples=[{"fact": "kpi.reported", "where": {"metric": "nps"}}],
    )
    field: str = Field(
        description="Numeric fact field holding the reported value", examples=["value"]
    )
    below: float = Field(description="A period's value below this is poor", examples=[30])
    periods: int = Field(
        ge=1, description="Poor periods in a row that give the right", examples=[3]
    )
    period: PeriodUnit = Field(
        description="month, quarter or year (calendar, UTC)", examples=["quarter"]
    )
    request_within: Duration = Field(
        description="How long the right stays open, e.g. 60d", examples=["60d"]
    )

    _parse = field_validator("request_within", mode="before")(
        lambda cls, value: written_duration(value)
    )

    @field_validator("field")
    @classmethod
    def _valid_field(cls, value: str) -> str:
        return Measure(fact="x.y", field=value).field


class Renegotiation(Clause):
    kind_summary = "Windows to renegotiate, and a right to after a run of poor performance."
    default_severity = Severity.MEDIUM
    finding_codes = (
        FindingCode(
            "renegotiation.window_open",
            FindingKind.TRIGGER,
            "A renegotiation window is open now.",
        ),
        FindingCode(
            "renegotiation.window_opens",
            FindingKind.DEADLINE,
            "A renegotiation window opens within the horizon.",
        ),
        FindingCode(
            "renegotiation.window_closes",
            FindingKind.DEADLINE,
            "An open renegotiation window closes within the horizon.",
        ),
        FindingCode(
            "renegotiation.performance_right",
            FindingKind.TRIGGER,
            "After the stated number of poor periods in a row, a right to request renegotiation is"
            " open.",
        ),
        FindingCode(
            "renegotiation.performance_right_lapses",
            FindingKind.DEADLINE,
            "The right to request renegotiation after poor performance closes within the horizon.",
        ),
        FindingCode(
            "renegotiation.unreadable_measure",
            FindingKind.ERROR,
            "A performance report has no number in the measured field, so its period could not be "
            "judged.",
        ),
    )

    kind: Literal["renegotiation"]
    windows: list[FixedWindow] = Field(
        default_factory=list,
        description="Fixed windows",
        examples=[[{"opens": "2026-01-01", "closes": "2026-03-31"}]],
    )
    anniversary_window: AnniversaryWindow | None = Field(
        default=None,
        description="A window before each anniversary of the effective date",
        examples=[{"opens_before": "120d", "closes_before": "60d"}],
    )
    performance: Performance | None = Field(
        default=None,
        description="A right to renegotiate after a run of poor periods",
        examples=[
            {
                "measure": {"fact": "kpi.reported", "where": {"metric": "nps"}},
                "field": "value",
                "below": 30,
                "periods": 3,
                "period": "quarter",
                "request_within": "60d",
            }
        ],
    )

    @model_validator(mode="after")
    def _something_to_check(self) -> Renegotiation:
        if not self.windows and self.anniversary_window is None and self.performance is None:
            raise ValueError("give 'windows', 'anniversary_window' or 'performance'")
        return self

    def fact_patterns(self) -> Sequence[tuple[FactPattern, bool]]:
        patterns: list[tuple[FactPattern, bool]] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Renegotiation)
            if terms.performance is not None:
                patterns.append((terms.performance.measure, True))
        return patterns

    def describe(self) -> str:
        parts = [f"Window {w.opens.isoformat()} to {w.closes.isoformat()}" for w in self.windows]
        if self.anniversary_window is not None:
            a = self.anniversary_window
            parts.append(
                f"Each year from {a.opens_before} to {a.closes_before} before the anniversary"
            )
        if self.performance is not None:
            p = self.performance
            parts.append(
                f"After {p.periods} {p.period}s in a row with {p.measure.describe()} {p.field}"
                f" below {p.below:g}, a right to request renegotiation for {p.request_within}"
            )
        return ". ".join(parts) + "."

    def norms(self) -> list[NormPart]:
        """A right per fixed window, under the terms in force on its first day: it arises on
        `opens` and stays open for as many days as the window has after that day (to the end of
        `closes`), at the latest until the term ends. A window listed again by a later version
        that opened before that version is the earlier version's."""
        made: list[tuple[NormTerms, Wording]] = []
        for fixed in self._fixed_windows():
            wording = Wording(
                codes={
                    "right.arisen": "renegotiation.window_open",
                    "right.closing": "renegotiation.window_closes",
                },
                right=_window_what,
            )
            norm = {
                "holder": "us",
                "arises": fixed.opens,
                "open_for": f"{(fixed.closes - fixed.opens).days}d",
            }
            made.append((RightTerms.model_validate(norm), wording))
        return numbered(self.id, made)

    def _fixed_windows(self) -> list[FixedWindow]:
        """Each fixed window once, with the version in force on its first day."""
        found: list[FixedWindow] = []
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Renegotiation)
            for fixed in terms.windows:
                if version.starts is not None and fixed.opens < version.starts:
                    continue
                if version.ends is not None and fixed.opens >= version.ends:
                    continue
                if fixed not in found:
                    found.append(fixed)
        return found

    def compile(self, context: ClauseContext) -> None:
        """The fixed windows' norms; then, compiled by the kind alongside them (no norm says
        it yet): the deadline announcing a fixed window before it opens (a right is reported from
        when it arises), the anniversary windows (no norm arises on dates worked out from each
        anniversary) and the performance right (its poor periods are no breaches of anything, and
        a period without a report is simply not poor: a measure would report both)."""
        compile_norms(context)
        self._windows(context)
        self._performance(context)

    # --- windows ------------------------------------------------------------------------------

    def _windows(self, context: ClauseContext) -> None:
        """The anniversary windows, and the fixed windows that have not opened yet: their norm
        reports them once they arise, and only the deadline before they open is the kind's."""
        term, calendar = context.term, context.calendar
        items = self.negotiation_windows(term, calendar, fixed=False)
        items += [
            window
            for window in self.negotiation_windows(term, calendar, yearly=False)
            if window.opens > context.as_of
        ]
        windows(
            context,
            "window",
            items,
            open_code="renegotiation.window_open",
            opening_code="renegotiation.window_opens",
            closing_code="renegotiation.window_closes",
        )

    def negotiation_windows(
        self,
        term: AgreementTerm,
        calendar: BusinessDays | None,
        *,
        fixed: bool = True,
        yearly: bool = True,
    ) -> list[Window]:
        """The fixed windows that open in the term (if `fixed`) and the anniversary windows that
        overlap it (if `yearly`), in order, each closing at the latest with the term and following
        the terms in force when it opens (or at the start)."""
        if term.end <= term.start:
            return []
        first_day = date_of_epoch(term.start)
        found: list[Window] = []
        seen: set[tuple[int, int]] = set()
        for version in self.versions():
            terms = version.terms
            assert isinstance(terms, Renegotiation)
            start, end = version.bounds(term.start, term.end)
            candidates: list[tuple[str, str, int, int]] = [
                (
                    w.opens.isoformat(),
                    "renegotiation window",
                    epoch_of_date(w.opens),
                    end_of_date(w.closes),
                )
                for w in terms.windows
                if fixed and epoch_of_date(w.opens) >= term.start
            ]
            if terms.anniversary_window is not None and yearly:
                a = terms.anniversary_window
                last = date_of_epoch(Duration(1, "years").after(term.end))
                for day in anniversaries(first_day, first_day, last):
                    candidates.append(
                        (
                            day.isoformat(),
                            f"renegotiation window before the anniversary on {day.isoformat()}",
                            epoch_of_date(a.opens_before.negated().add_to_date(day, calendar)),
                            end_of_date(a.closes_before.negated().add_to_date(day, calendar)),
                        )
                    )
            for subject, what, opens, last_second in candidates:
                governs = max(opens, term.start)
                if not start <= governs < end or last_second < term.start or opens >= term.end:
                    continue
                closes = min(last_second, term.end - 1)
                if (opens, closes) in seen:
                    continue
                seen.add((opens, closes))
                found.append(Window(subject, what, opens, closes, ()))
        found.sort(key=lambda window: (window.opens, window.closes))
        return found

    # --- performance --------------------------------------------------------------------------

    def _performance(self, context: ClauseContext) -> None:
        term = context.term
        unit = _unit(self)
        if term.end <= term.start or unit is None:
            return
        periods = [
            period
            for period in periods_between(date_of_epoch(term.start), term.last_day, unit)
            if end_of_date(period.end) < context.as_of
        ]
        judged: list[tuple[Period, Performance | None, Fact | None]] = []
        flags: list[bool] = []
        for period in periods:
            terms = self.version_at(epoch_of_date(period.end))
            assert isinstance(terms, Renegotiation)
            perf = terms.performance
            if perf is None or perf.period != unit:
                judged.append((period, None, None))
                flags.append(False)
                continue
            reports = [
                fact
                for fact in context.facts
                if term.start <= fact.at < term.end
                and period.contains(fact.day)
                and fact.partner == context.partner
                and perf.measure.matches(fact)
            ]
            for report in reports:
                if not _is_number(report.get(perf.field)):
                    context.report(
                        context.finding(
                            FindingKind.ERROR,
                            "renegotiation.unreadable_measure",
                            report.day,
                            report.id,
                            f"{report.type} {report.id} has {perf.field} ="
                            f" {report.get(perf.field)!r}, not a number: {period.label} cannot"
                            f" be judged against {perf.below:g} if it is the period's last report",
                            [report],
                            Severity.CRITICAL,
                        )
                    )
            last = reports[-1] if reports else None
            value = None if last is None else last.get(perf.field)
            judged.append((period, perf, last))
            flags.append(
                isinstance(value, int | float) and _is_number(value) and value < perf.below
            )
        rights: list[Window] = []
        for required in sorted({p.periods for _, p, _ in judged if p is not None}):
            for index in consecutive(flags, required):
                period, perf, _ = judged[index]
                if perf is None or perf.periods != required:
                    continue
                run = judged[index - required + 1 : index + 1]
                evidence = tuple(fact for _, _, fact in run if fact is not None)
                opens, closes = performance_right(perf, period, term.end, context.calendar)
                if closes < opens:
                    continue
                labels = ", ".join(p.label for p, _, _ in run)
                rights.append(
                    Window(
                        subject=period.label,
                        what=(
                            f"right to request renegotiation after {required} {unit}s in a row"
                            f" with {perf.field} below {perf.below:g} ({labels})"
                        ),
                        opens=opens,
                        closes=closes,
                        evidence=evidence,
                        announce_opening=False,
                    )
                )
        rights.sort(key=lambda window: window.opens)
        windows(
            context,
            "performance-right",
            rights,
            open_code="renegotiation.performance_right",
            closing_code="renegotiation.performance_right_lapses",
        )

    def explain(self, context: ExplainContext) -> Explanation:
        term = context.term
        rules: list[str] = []
        dates: list[ExplainedDate] = []
        for window in self.negotiation_windows(term, context.calendar):
            dates.append(ExplainedDate(window.opens, f"opens: {window.what}"))
            dates.append(ExplainedDate(window.closes, f"closes: {window.what}"))
        anniversary = self.anniversary_window
        if anniversary is not None:
            rules.append(
                f"Anniversary windows open {context.duration(anniversary.opens_before)} and close"
                f" {context.duration(anniversary.closes_before)} before each anniversary of the"
                f" start of the term ({date_of_epoch(term.start).isoformat()})."
            )
        unit = _unit(self)
        if unit is None or term.end <= term.start:
            return self.explain_terms(context).plus(rules, dates)
        perf = self.performance
        if perf is not None:
            rules.append(
                f"Performance: for each {unit}, the last {perf.measure.describe()} dated in it"
                f" counts (a {unit} with no report is not poor). After {perf.periods} {unit}s in"
                f" a row with {perf.field} below {perf.below:g}, a right to request renegotiation"
                f" opens the next day and closes {context.duration(perf.request_within)} after"
                f" the last of those {unit}s ends."
            )
        every = periods_between(date_of_epoch(term.start), term.last_day, unit)
        for period in periods_around(term, unit, context.as_of):
            dates.append(
                ExplainedDate(
                    end_of_date(period.end),
                    f"end of {period.label} ({period.start.isoformat()} to"
                    f" {period.end.isoformat()})",
                )
            )
            terms = self.version_at(epoch_of_date(period.end))
            assert isinstance(terms, Renegotiation)
            in_force = terms.performance
            index = every.index(period)
            if in_force is None or in_force.period != unit or index + 1 < in_force.periods:
                continue
            opens, closes = performance_right(in_force, period, term.end, context.calendar)
            if closes < opens:
                continue
            run = ", ".join(p.label for p in every[index + 1 - in_force.periods : index + 1])
            dates.append(
                ExplainedDate(
                    closes,
                    "last day of the right to request renegotiation if each of"
                    f" {run} has {in_force.field} below {in_force.below:g} (open from"
                    f" {date_of_epoch(opens).isoformat()}"
                    + ("; the end of the term)" if closes == term.end - 1 else ")"),
                )
            )
        return self.explain_terms(context).plus(rules, dates)


def _window_what(opening: Opening) -> str:
    return "renegotiation window"


def performance_right(
    perf: Performance, period: Period, term_end: int, calendar: BusinessDays | None
) -> tuple[int, int]:
    """(opens, closes) of the right a run of poor periods ending with `period` gives: from the next
    day until the end of the day `request_within` after the period's last day, within the term."""
    opens = epoch_of_date(period.end + timedelta(days=1))
    closes = min(end_of_date(perf.request_within.add_to_date(period.end, calendar)), term_end - 1)
    return opens, closes


def _unit(clause: Renegotiation) -> str | None:
    """The period unit of the first version with a performance term."""
    for version in clause.versions():
        terms = version.terms
        assert isinstance(terms, Renegotiation)
        if terms.performance is not None:
            return terms.performance.period
    return None


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)
