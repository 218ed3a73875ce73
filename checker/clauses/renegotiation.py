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

Shorthand for norms (docs/norms.md), each version's under the terms in force then:

- A fixed window is a right of ours that arises at 00:00 UTC on `opens` and is open to the end of
  `closes` (inclusive), within the term (one opening before the term's start is not reported):
  announced by a deadline when it opens within the horizon, reported from that day, with a
  deadline when it closes within the horizon, and after it closed as lapsed. Each follows the
  terms in force when it opens.
- An anniversary window is a right arising `opens_before` each anniversary of the agreement's
  start (`arises: {each: anniversary}`) and open until the end of the day `closes_before` it; the
  same findings as a fixed window. Each follows the terms in force when it opens: an amendment
  of the window closes one still open the day before it takes effect, and the amended terms'
  windows are those that open from then.
- Performance: a measure of the partner's reports that is no duty of itself (`reported: false`),
  per calendar period (UTC), the value of `field` of the period's last matching report
  (`latest`), poor below `below`. A period with no report has no value: it is not poor and breaks
  a run. A value that is not a number is an error naming the report, from the day it came; the
  period is not judged when it is the period's last report (`unreadable: skip_period`). After
  `periods` poor periods in a row, a right to request renegotiation arises as the last of them
  ends (named after the measure and that period, e.g. `9.3:2026-Q2`) and lasts until the end of
  the day `request_within` after that period's last day. Each period follows the terms in force
  on its last day; a period the term's end cuts closes with the term.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.clauses.base import Clause, ClauseVersion, numbered
from checker.clauses.explaining import ExplainContext
from checker.clauses.recurring import Measure, PeriodUnit
from checker.dates.timeutil import (
    WEEKDAYS_ONLY,
    Duration,
    epoch_of_date,
    period_named,
    period_of,
    written_duration,
)
from checker.findings.model import FindingCode, FindingKind, Severity
from checker.norms.clause_support import NormPart
from checker.norms.compile import Wording
from checker.norms.fact_pattern import FactPattern
from checker.norms.model import MeasureTerms, NormTerms, RightTerms
from checker.norms.outcomes import Opening, Undecided

ONE_DAY = timedelta(days=1)
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

    def explain_rules(self, context: ExplainContext) -> list[str]:
        rules = []
        anniversary, perf, unit = self.anniversary_window, self.performance, _unit(self)
        if anniversary is not None:
            rules.append(
                f"Anniversary windows open {context.duration(anniversary.opens_before)}"
                f" and close {context.duration(anniversary.closes_before)} before each"
                " anniversary of the start of the term."
            )
        if perf is not None and unit is not None:
            rules.append(
                f"Performance: for each {unit}, the last {perf.measure.describe()} dated"
                f" in it counts (a {unit} with no report is not poor). After"
                f" {perf.periods} {unit}s in a row with {perf.field} below {perf.below:g},"
                " a right to request renegotiation arises as the last of those"
                f" {unit}s ends and closes {context.duration(perf.request_within)} after it."
            )
        return rules

    def norms(self) -> list[NormPart]:
        """Per stretch of versions with the same performance terms, a measure (`reported:
        false`) of the periods whose last day falls in it; per run of them with the same
        `periods` and `request_within`, a right after poor periods in a row across the measures;
        a right per fixed window; per stretch of versions with the same anniversary window, a
        right before each anniversary (see the module's docstring)."""
        made: list[tuple[NormTerms, Wording]] = []
        measures: list[tuple[date | None, Performance]] = []
        for perf, span, first in self._performance_stretches():
            norm = {
                "by": "partner",
                "of": perf.measure.as_norm(),
                "latest": perf.field,
                "per": perf.period,
                "at_least": perf.below,
                "unreadable": "skip_period",
                "reported": False,
                **span,
            }
            made.append((MeasureTerms.model_validate(norm), _measure_wording(perf)))
            measures.append((first, perf))
        keys = [part.key for part in numbered(self.id, made)]
        for perf, norm in _performance_rights(list(zip(keys, measures, strict=True))):
            made.append((RightTerms.model_validate(norm), _performance_wording(perf)))
        for fixed in self._fixed_windows():
            norm = {
                "holder": "us",
                "arises": fixed.opens,
                "open_for": f"{(fixed.closes - fixed.opens).days}d",
            }
            made.append((RightTerms.model_validate(norm), _window_wording(_window_what)))
        for yearly, span in _stretches(self.versions(), "anniversary_window"):
            assert isinstance(yearly, AnniversaryWindow)
            arises = {
                "each": "anniversary",
                "opens_before": yearly.opens_before,
                "closes_before": yearly.closes_before,
            }
            norm = {"holder": "us", "arises": arises, **span}
            made.append((RightTerms.model_validate(norm), _window_wording(_anniversary_what)))
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

    def _performance_stretches(self) -> list[tuple[Performance, dict[str, date], date | None]]:
        """(terms, measure span, first day of the stretch) per stretch of versions with the same
        performance terms: the periods whose last day falls in the stretch."""
        found: list[tuple[Performance, dict[str, date], date | None]] = []
        for perf, span in _stretches(self.versions(), "performance"):
            assert isinstance(perf, Performance)
            first = span.get("from")
            measured: dict[str, date] = {}
            if first is not None:
                measured["from"] = period_of(first, perf.period).start
            if "until" in span:
                last = period_of(span["until"], perf.period)
                measured["until"] = last.end if last.end == span["until"] else last.start - ONE_DAY
                if "from" in measured and measured["until"] < measured["from"]:
                    continue
            found.append((perf, measured, first))
        return found

    # --- explain ------------------------------------------------------------------------------


def _stretches(
    versions: Sequence[ClauseVersion], part: str
) -> list[tuple[object, dict[str, date]]]:
    """The part's terms (when given) over each stretch of consecutive versions in which they stay
    the same, with the stretch's `from` and `until`: an amendment of another part cuts nothing."""
    found: list[tuple[object, date | None, date | None]] = []
    for version in versions:
        value = getattr(version.terms, part)
        if found and found[-1][0] == value:
            found[-1] = (value, found[-1][1], version.ends)
        else:
            found.append((value, version.starts, version.ends))
    stretches: list[tuple[object, dict[str, date]]] = []
    for value, starts, ends in found:
        if value is None:
            continue
        span: dict[str, date] = {}
        if starts is not None:
            span["from"] = starts
        if ends is not None:
            span["until"] = ends - ONE_DAY
        stretches.append((value, span))
    return stretches


def _performance_rights(
    measures: list[tuple[str, tuple[date | None, Performance]]],
) -> list[tuple[Performance, dict[str, Any]]]:
    """(terms, right norm) per run of measures with the same `periods` and `request_within`:
    poor periods count in a row across the measures up to the run's last one; a right arises
    from a run whose last period ends while those terms are in force, and stays open
    `request_within` whatever follows."""
    groups: list[tuple[Performance, date | None]] = []  # (terms, first day) of each run
    for _, (first, perf) in measures:
        if not groups or _right_terms(perf) != _right_terms(groups[-1][0]):
            groups.append((perf, first))
    found: list[tuple[Performance, dict[str, Any]]] = []
    following: list[date | None] = [first for _, first in groups[1:]]
    for (perf, first), then in zip(groups, [*following, None][: len(groups)], strict=True):
        sources = [
            key for key, (starts, _) in measures if then is None or starts is None or starts < then
        ]
        arises: dict[str, Any] = {"breach_of": sources[0] if len(sources) == 1 else sources}
        if perf.periods > 1:
            arises["in_a_row"] = perf.periods
        norm: dict[str, Any] = {
            "holder": "us",
            "arises": arises,
            "open_for": perf.request_within,
        }
        if first is not None:
            norm["from"] = first
        found.append((perf, norm))
    return found


def _right_terms(perf: Performance) -> tuple[int, Duration]:
    return perf.periods, perf.request_within


def _measure_wording(perf: Performance) -> Wording:
    def unreadable(item: Undecided) -> str:
        fact = item.fact
        label = period_of(fact.day, perf.period).label
        return (
            f"{fact.type} {fact.id} has {perf.field} = {fact.get(perf.field)!r}, not a number:"
            f" {label} cannot be judged against {perf.below:g} if it is the period's last report"
        )

    return Wording(
        codes={"measure.undecided": "renegotiation.unreadable_measure"}, undecided=unreadable
    )


def _performance_wording(perf: Performance) -> Wording:
    def right(opening: Opening) -> str:
        last = period_named(opening.subject.rpartition(":")[2])
        assert last is not None  # the subject names the run's last period
        run = [last]
        while len(run) < perf.periods:
            run.insert(0, period_of(run[0].start - ONE_DAY, perf.period))
        return (
            f"right to request renegotiation after {perf.periods} {perf.period}s in a row with"
            f" {perf.field} below {perf.below:g} ({', '.join(p.label for p in run)})"
        )

    return Wording(
        codes={
            "right.arisen": "renegotiation.performance_right",
            "right.closing": "renegotiation.performance_right_lapses",
        },
        right=right,
    )


def _window_wording(what: Callable[[Opening], str]) -> Wording:
    return Wording(
        codes={
            "right.arising": "renegotiation.window_opens",
            "right.arisen": "renegotiation.window_open",
            "right.closing": "renegotiation.window_closes",
        },
        right=what,
    )


def _window_what(opening: Opening) -> str:
    return "renegotiation window"


def _anniversary_what(opening: Opening) -> str:
    return f"renegotiation window before the anniversary on {opening.subject}"


def _unit(clause: Renegotiation) -> str | None:
    """The period unit of the first version with a performance term."""
    for version in clause.versions():
        terms = version.terms
        assert isinstance(terms, Renegotiation)
        if terms.performance is not None:
            return terms.performance.period
    return None
