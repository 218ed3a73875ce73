"""The four norms as rule files write them: obligation, prohibition, right and measure, with
their triggers, due dates, bounds and consequences (see docs/norms.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from typing_extensions import TypeIs

from checker.dates.timeutil import (
    WEEKDAYS_ONLY,
    BusinessDays,
    Duration,
    epoch_of_date,
    written_duration,
)
from checker.norms.pattern import FieldName, Pattern, ValueRef

PeriodUnit = Literal["day", "week", "month", "quarter", "half-year", "year"]
ClauseRef = Annotated[
    str, Field(min_length=1, description='A clause id of this agreement, e.g. "7.1"')
]
Who = Annotated[
    str,
    Field(
        min_length=1,
        description="us, partner (the only counterparty), partners (every counterparty), each "
        "(every party, each on its own) or a party's id",
        examples=["partner", "us", "each"],
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- triggers ---------------------------------------------------------------------------------


class EachPeriod(_Strict):
    """One instance at the end of each period of the term."""

    each: PeriodUnit = Field(
        description="day, week (ISO, Monday to Sunday), month, quarter, half-year or year",
        examples=["quarter"],
    )


class EachAnniversary(_Strict):
    """A right arising before (or on) each anniversary of the agreement's start: "in the period
    opening 120 days and closing 60 days before each anniversary of the Effective Date"."""

    each: Literal["anniversary"] = Field(
        description="Each anniversary of the agreement's start (29 February: 28 February in "
        "other years)",
        examples=["anniversary"],
    )
    opens_before: Duration | None = Field(
        default=None,
        description="It arises at the start of the day this long before each anniversary "
        "(default: on the anniversary)",
        examples=["120d"],
    )
    closes_before: Duration | None = Field(
        default=None,
        description="It closes at the end of the day this long before the anniversary "
        "(default: after `open_for`, or when the norm ends)",
        examples=["60d"],
    )

    _parse = field_validator("opens_before", "closes_before", mode="before")(
        lambda cls, v: written_duration(v)
    )

    @model_validator(mode="after")
    def _in_order(self) -> EachAnniversary:
        for duration in (self.opens_before, self.closes_before):
            if duration is not None and duration.unit == "hours":
                raise ValueError("count a time before an anniversary in days, months or years")
        opens = self.opens_before or Duration(0, "days")
        if self.closes_before is not None:
            # Business days are compared as weekdays: the holiday calendar is not known here.
            reference = epoch_of_date(date(2001, 1, 1))
            if self.closes_before.before(reference, WEEKDAYS_ONLY) < opens.before(
                reference, WEEKDAYS_ONLY
            ):
                raise ValueError("'closes_before' must not be longer than 'opens_before'")
        return self

    def window(self, anniversary: date, calendar: BusinessDays | None) -> tuple[date, date | None]:
        """The first day of the window before `anniversary`, and its last day if it says."""
        opens = (self.opens_before or Duration(0, "days")).negated()
        closes = None
        if self.closes_before is not None:
            closes = self.closes_before.negated().add_to_date(anniversary, calendar)
        return opens.add_to_date(anniversary, calendar), closes


class OnBreach(_Strict):
    """Each breach of another norm, or only repeated ones."""

    breach_of: ClauseRef | list[ClauseRef] = Field(
        description="The clause whose breaches count, or several clauses of one type whose "
        "breaches count together, in the order of their periods or instances (the versions of "
        "one duty)",
        examples=["7.1", ["5.2", "5.3"]],
    )
    in_a_row: int | None = Field(
        default=None, ge=2, description="Only after this many breaches in a row", examples=[2]
    )
    count: int | None = Field(
        default=None, ge=2, description="Only after this many breaches...", examples=[2]
    )
    in_last: int | None = Field(
        default=None,
        ge=2,
        description="...among this many periods or instances in a row",
        examples=[4],
    )
    material: bool = Field(
        default=False,
        description="Only its material breaches: an obligation's instances still not done "
        "'material_breach_after' their due date, each at the end of that grace",
        examples=[True],
    )

    @model_validator(mode="after")
    def _repetition(self) -> OnBreach:
        if isinstance(self.breach_of, list) and not self.breach_of:
            raise ValueError("'breach_of' names at least one clause")
        if self.material and (self.in_a_row is not None or self.count is not None):
            raise ValueError(
                "'material' counts each material breach: without 'in_a_row' or 'count'"
            )
        if (self.count is None) != (self.in_last is None):
            raise ValueError("'count' and 'in_last' go together: K breaches in any N")
        if self.count is not None and self.in_a_row is not None:
            raise ValueError("give either 'in_a_row' or 'count' with 'in_last'")
        if self.count is not None and self.in_last is not None and self.count > self.in_last:
            raise ValueError(f"'count' ({self.count}) is more than 'in_last' ({self.in_last})")
        return self

    @property
    def sources(self) -> list[str]:
        """The clause ids whose breaches count."""
        return list(self.breach_of) if isinstance(self.breach_of, list) else [self.breach_of]

    @property
    def needed(self) -> int:
        """How many breaches make one event."""
        return self.in_a_row or self.count or 1

    @property
    def window(self) -> int:
        """Among how many consecutive periods or instances."""
        return self.in_a_row or self.in_last or 1


class OnExercise(_Strict):
    """The exercise of a right of this agreement."""

    exercise_of: ClauseRef = Field(description="The clause of the right", examples=["8.2"])


class OnFulfilment(_Strict):
    """Each fulfilment of an obligation of this agreement: the fact that fulfilled each of its
    instances, on time or late ("the fee is due 30 days after each milestone is achieved")."""

    fulfilment_of: ClauseRef = Field(description="The clause of the obligation", examples=["6.2"])


Trigger = (
    Literal["start", "end"]
    | date
    | EachPeriod
    | EachAnniversary
    | OnBreach
    | OnExercise
    | OnFulfilment
    | Pattern
)


# What creates an obligation's instances: any trigger but an anniversary, which opens a right's
# window (a duty each year is {each: year}).
DutyTrigger = (
    Literal["start", "end"] | date | EachPeriod | OnBreach | OnExercise | OnFulfilment | Pattern
)
# When a right arises: any trigger but the end and the end of each period.
RightTrigger = (
    Literal["start"] | date | EachAnniversary | OnBreach | OnExercise | OnFulfilment | Pattern
)


def _is_anniversary(value: object) -> bool:
    """Whether `value`, as written or built, is {each: anniversary}."""
    if isinstance(value, EachAnniversary):
        return True
    return isinstance(value, dict) and value.get("each") == "anniversary"


def _is_period_end(value: object) -> bool:
    """Whether `value`, as written or built, is 'end' or {each: <period>}."""
    if value == "end" or isinstance(value, EachPeriod):
        return True
    return isinstance(value, dict) and value.get("each") in get_args(PeriodUnit)


def trigger_refs(trigger: Trigger | None) -> list[str]:
    """The clause ids a trigger depends on."""
    if isinstance(trigger, OnBreach):
        return trigger.sources
    if isinstance(trigger, OnExercise):
        return [trigger.exercise_of]
    if isinstance(trigger, OnFulfilment):
        return [trigger.fulfilment_of]
    return []


# --- time a norm applies ------------------------------------------------------------------------


class AfterEnd(_Strict):
    """A time after the agreement ends: a tail such as "for two years after termination"."""

    after_end: Duration = Field(description="How long after the end", examples=["2y"])

    _parse = field_validator("after_end", mode="before")(lambda cls, v: written_duration(v))


Until = date | AfterEnd


class EndsWhen(_Strict):
    """What ends a norm automatically: another norm's breaches, or a right's exercise."""

    breach_of: ClauseRef | None = Field(
        default=None, description="The clause whose breaches end this one", examples=["3.2"]
    )
    in_a_row: int | None = Field(
        default=None, ge=2, description="After this many breaches in a row", examples=[2]
    )
    count: int | None = Field(
        default=None, ge=2, description="After this many breaches...", examples=[2]
    )
    in_last: int | None = Field(
        default=None, ge=2, description="...among this many in a row", examples=[4]
    )
    material: bool = Field(
        default=False,
        description="Only a material breach of that obligation ends it",
        examples=[True],
    )
    exercise_of: ClauseRef | None = Field(
        default=None, description="The clause of a right whose exercise ends it", examples=["8.1"]
    )

    @model_validator(mode="after")
    def _one_cause(self) -> EndsWhen:
        if (self.breach_of is None) == (self.exercise_of is None):
            raise ValueError("give either 'breach_of' or 'exercise_of'")
        if self.exercise_of is not None and (
            self.in_a_row or self.count or self.in_last or self.material
        ):
            raise ValueError(
                "'in_a_row', 'count', 'in_last' and 'material' count breaches, not exercises"
            )
        if self.breach_of is not None:
            self.as_trigger()  # the same checks as a trigger on breaches
        return self

    def as_trigger(self) -> OnBreach | OnExercise:
        if self.exercise_of is not None:
            return OnExercise(exercise_of=self.exercise_of)
        assert self.breach_of is not None
        return OnBreach(
            breach_of=self.breach_of,
            in_a_row=self.in_a_row,
            count=self.count,
            in_last=self.in_last,
            material=self.material,
        )


class NormCommon(_Strict):
    """What every norm may say about the time it applies."""

    from_: date | None = Field(
        default=None,
        alias="from",
        description="First day it applies (default: the start)",
        examples=["2026-07-01"],
    )
    until: Until | None = Field(
        default=None,
        description="Last day it applies (default: the end of the term), or a tail after the "
        "end: {after_end: 2y}",
        examples=["2027-12-31", {"after_end": "2y"}],
    )
    ends_when: EndsWhen | None = Field(
        default=None,
        description="Ends automatically: {breach_of: '3.2', in_a_row: 2} or {exercise_of: '8.1'}",
        examples=[{"breach_of": "3.2", "in_a_row": 2}],
    )

    def measure_references(self) -> list[str]:
        """Clause ids this norm takes a percentage of: each must be a measure."""
        return []

    def references(self) -> list[str]:
        """Clause ids this norm depends on."""
        found = []
        if self.ends_when is not None:
            found += trigger_refs(self.ends_when.as_trigger())
        return found


# --- obligation ---------------------------------------------------------------------------------


def _bound_party(who: str) -> None:
    if who == "anyone":
        raise ValueError("only a prohibition binds 'anyone'; name a party (us, partner, each...)")


class FieldRef(_Strict):
    """A field of the fact that created the norm instance (or, `on: after`, of the earlier fact
    its trigger's `after` found: the bonus a clawback repays)."""

    field: FieldName = Field(description="The field's name", examples=["delivery_date"])
    on: Literal["after"] | None = Field(
        default=None,
        description="'after': the field of the earlier fact the trigger's 'after' matched, not "
        "of the trigger fact (an amount: 'repay the bonus' reads the bonus paid)",
        examples=["after"],
    )


class Percent(_Strict):
    """A percentage of a figure: a field of the trigger fact (an obligation on a fact), or
    another measure's value for the same period (a measure's bound, or the amount of an
    obligation each period)."""

    percent: float = Field(gt=0, description="The percentage", examples=[20])
    of: str = Field(
        min_length=1,
        description="A field of the trigger fact, or (measures, and obligations 'each' "
        "period) another measure's clause id",
        examples=["net_revenue", "5.1"],
    )


class Amount(_Strict):
    """A payment: the sum of a field over the fulfilling facts, at least a figure."""

    sum: FieldName = Field(
        description="The field of the fulfilling facts that is added up", examples=["amount"]
    )
    at_least: float | FieldRef | Percent | ValueRef = Field(
        description="The amount: a number, a field of the trigger fact, a percentage of one, "
        "or a value of the agreement",
        examples=[5000, {"percent": 20, "of": "net_revenue"}, {"field": "amount_due"}],
    )


class ObligationCure(_Strict):
    """A cure path: once an instance is breached, the first default notice after its due instant
    starts a cure period; still not done at its end, the breach is uncured (a right to
    terminate arises)."""

    notice: Pattern = Field(
        description="The default notice: the first such fact after the due instant starts the "
        "cure period (any party's, unless the pattern says `by`; `match_on` pairs it with the "
        "trigger fact)",
        examples=[{"fact": "notice.default", "by": "us", "match_on": ["incident"]}],
    )
    within: Duration = Field(
        description="The cure period, counted from the notice as a due date is from its trigger",
        examples=["30d", "10 business days"],
    )

    _parse = field_validator("within", mode="before")(lambda cls, v: written_duration(v))


class ObligationTerms(NormCommon):
    """A party must bring about a fact by a due date."""

    by: Who
    to: str | None = Field(
        default=None, description="For whom (shown by explain)", examples=["partner"]
    )
    when: DutyTrigger = Field(
        description="What creates each instance: a fact pattern, {each: quarter}, start, end, a "
        "date, {breach_of: id}, {exercise_of: id} or {fulfilment_of: id}",
        examples=[{"fact": "incident.detected"}, {"each": "quarter"}, "end"],
    )
    do: Pattern = Field(description="The fact that fulfils it", examples=[{"fact": "notice.sent"}])
    within: Duration | None = Field(
        default=None, description="Due this long after the trigger", examples=["72h", "30d"]
    )
    due: date | FieldRef | None = Field(
        default=None,
        description="Due on this date, or on the date in a field of the trigger fact",
        examples=["2026-06-30", {"field": "delivery_date"}],
    )
    period_field: FieldName | None = Field(
        default=None,
        description="For a periodic trigger: the field of the fulfilling fact naming the period",
        examples=["quarter"],
    )
    amount: Amount | None = Field(
        default=None,
        description="A payment of at least this much",
        examples=[{"sum": "amount", "at_least": {"percent": 20, "of": "net_revenue"}}],
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        description="Names the one instance of a one-off obligation (when: start, end or a "
        "date) in findings, e.g. a milestone; default: start, end or the date",
        examples=["beta-delivery"],
    )
    early: bool = Field(
        default=False,
        description="A fact before the trigger fulfils it too (a deliverable handed over early)",
        examples=[True],
    )
    material_breach_after: Duration | None = Field(
        default=None,
        description="Still not done this long after it was due: a material breach (e.g. 60d)",
        examples=["60d"],
    )

    cure: ObligationCure | None = Field(
        default=None,
        description="A cure path: after a breach, a default notice starts a cure period; not "
        "done by its end, the breach is uncured and a right to terminate arises the next day",
        examples=[{"notice": {"fact": "notice.default", "by": "us"}, "within": "30d"}],
    )

    _parse = field_validator("within", "material_breach_after", mode="before")(
        lambda cls, v: written_duration(v)
    )

    @field_validator("when", mode="before")
    @classmethod
    def _not_an_anniversary(cls, value: object) -> object:
        # Said here, before the union of triggers would report every form it does not match.
        if _is_anniversary(value):
            raise ValueError(
                "'each: anniversary' opens a right's window; a duty each year is "
                "'when: {each: year}'"
            )
        return value

    @model_validator(mode="after")
    def _one_due(self) -> ObligationTerms:
        _bound_party(self.by)
        if (self.within is None) == (self.due is None):
            raise ValueError("give either 'within' (a duration after the trigger) or 'due'")
        if isinstance(self.due, FieldRef) and not isinstance(self.when, Pattern):
            raise ValueError("'due: {field: ...}' needs a trigger fact ('when: {fact: ...}')")
        if isinstance(self.due, FieldRef) and self.due.on is not None:
            raise ValueError("'on: after' reads an amount from the earlier fact, not a due date")
        if self.period_field is not None and not isinstance(self.when, EachPeriod):
            raise ValueError("'period_field' pairs facts with the periods of 'when: {each: ...}'")
        if self.do.match_on and not isinstance(self.when, Pattern | OnBreach | OnFulfilment):
            raise ValueError("'match_on' pairs the fulfilling fact with a trigger fact")
        cure_pairs = self.cure is not None and bool(self.cure.notice.match_on)
        if cure_pairs and not isinstance(self.when, Pattern | OnBreach):
            raise ValueError("the cure notice's 'match_on' pairs it with a trigger fact")
        self._amount_has_a_source()
        if self.name is not None and not (self.when in ("start", "end") or _is_date(self.when)):
            raise ValueError("'name' names the one instance of 'when: start', 'end' or a date")
        if self.early and self.period_field is not None:
            raise ValueError(
                "'early' counts facts before the trigger; 'period_field' pairs periods"
            )
        return self

    def _amount_has_a_source(self) -> None:
        """An amount read from the trigger fact needs one; each period it may be a percentage of
        a measure's value for that period instead."""
        wanted = None if self.amount is None else self.amount.at_least
        if not isinstance(wanted, FieldRef | Percent):
            return
        if isinstance(self.when, EachPeriod):
            if isinstance(wanted, FieldRef):
                raise ValueError(
                    "'amount: {at_least: {field: ...}}' reads the trigger fact, and 'when: {each: "
                    "...}' has none: give a number, {value: name}, or {percent: N, of: <measure "
                    "id>} (a percentage of a measure's value for the same period)"
                )
            return
        if self.when in ("start", "end") or _is_date(self.when):
            raise ValueError(
                f"'amount: {{at_least: {{{'field' if isinstance(wanted, FieldRef) else 'percent'}"
                f": ...}}}}' reads the trigger fact, and 'when: {self.when}' has none: give a "
                "number or {value: name}"
            )
        if isinstance(wanted, FieldRef) and wanted.on == "after":
            after = self.when.after if isinstance(self.when, Pattern) else None
            if after is None or after.fact is None:
                raise ValueError(
                    "'amount: {at_least: {field: ..., on: after}}' reads the earlier fact the "
                    "trigger's 'after: {fact: ...}' matches, and this trigger has none"
                )

    def amount_measure(self) -> str | None:
        """The measure whose value for the period an amount due each period is a percentage of."""
        wanted = None if self.amount is None else self.amount.at_least
        if isinstance(self.when, EachPeriod) and isinstance(wanted, Percent):
            return wanted.of
        return None

    def measure_references(self) -> list[str]:
        measure = self.amount_measure()
        return [] if measure is None else [measure]

    def references(self) -> list[str]:
        return [*super().references(), *trigger_refs(self.when), *self.measure_references()]


def _is_date(trigger: Trigger) -> bool:
    return isinstance(trigger, date)


# --- prohibition --------------------------------------------------------------------------------


class ProhibitionTerms(NormCommon):
    """A party must not bring about a fact (or, `by: anyone`, no one may in its scope)."""

    by: Who
    do: Pattern = Field(
        description="What is forbidden",
        examples=[{"fact": "data.transfer", "where": {"classification": "confidential"}}],
    )


# --- measure ------------------------------------------------------------------------------------


class Rolling(_Strict):
    """A window that ends with each fact: "at most one audit in any 12 months"."""

    rolling: Duration = Field(description="The window's length", examples=["12 months"])

    _parse = field_validator("rolling", mode="before")(lambda cls, v: written_duration(v))


Bound = float | ValueRef | Percent
AGGREGATES = ("sum", "count", "average", "min", "max", "latest")


class MeasureTerms(NormCommon):
    """An aggregate of facts per period, compared with a bound."""

    by: Who
    of: Pattern = Field(description="The facts measured", examples=[{"fact": "purchase.made"}])
    sum: FieldName | None = Field(
        default=None, description="Add up this field", examples=["amount"]
    )
    count: Literal[True] | None = Field(
        default=None, description="Count the facts", examples=[True]
    )
    average: FieldName | None = Field(
        default=None, description="Average this field", examples=["uptime"]
    )
    min: FieldName | None = Field(
        default=None, description="The smallest value of this field", examples=["score"]
    )
    max: FieldName | None = Field(
        default=None, description="The largest value of this field", examples=["latency"]
    )
    latest: FieldName | None = Field(
        default=None, description="The latest value of this field", examples=["score"]
    )
    per: PeriodUnit | Rolling = Field(
        description="day, week (ISO, Monday to Sunday), month, quarter, half-year, year, or "
        "{rolling: 12 months}",
        examples=["quarter", {"rolling": "12 months"}],
    )
    period_field: FieldName | None = Field(
        default=None,
        description="The field naming each fact's period (2026-Q2), instead of its time",
        examples=["quarter"],
    )
    at_least: Bound | None = Field(
        default=None,
        description="The minimum: a number, {value: name} or {percent: 20, of: '5.1'}",
        examples=[50000, {"percent": 20, "of": "5.1"}],
    )
    at_most: Bound | None = Field(
        default=None,
        description="The maximum: a number, {value: name} or {percent: 20, of: '5.1'}",
        examples=[1, {"value": "seat_cap"}],
    )
    carry_over: bool = Field(
        default=False,
        description="A shortfall is added to the next period's minimum",
        examples=[True],
    )
    whole_periods: bool = Field(
        default=False,
        description="Judge only the periods wholly inside the norm's time: a period its start "
        "or end cuts short is not judged",
        examples=[True],
    )
    unreadable: Literal["fail", "report", "skip_period"] = Field(
        default="fail",
        description="A fact whose aggregated field is not a number: 'fail' the measure (the "
        "default), 'report' it as an error of its own (measure.undecided) and measure the "
        "others without it, or 'skip_period': report it so and leave its period undecided "
        "(measure.no_data: neither compliant nor a breach, and it breaks a run)",
        examples=["report", "skip_period"],
    )
    reported: bool = Field(
        default=True,
        description="Report its periods (breached, at risk, no data); false for a threshold "
        "that is no duty of itself, which only other norms react to (a right after periods "
        "below it in a row); a fact it cannot read is reported all the same",
        examples=[False],
    )

    @model_validator(mode="after")
    def _consistent(self) -> MeasureTerms:
        _bound_party(self.by)
        given = [name for name in AGGREGATES if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(AGGREGATES)}")
        if self.at_least is None and self.at_most is None and self.reported:
            raise ValueError(
                "give 'at_least', 'at_most' or both (or 'reported: false' for a figure that "
                "is no duty of itself, which other clauses take a percentage of)"
            )
        if self.carry_over and self.at_least is None:
            raise ValueError("'carry_over' carries a shortfall below 'at_least'")
        if self.unreadable != "fail" and self.count is not None:
            raise ValueError("'unreadable' is about the field aggregated; 'count' reads none")
        if isinstance(self.per, Rolling):
            if self.aggregate not in ("sum", "count") or self.at_least is not None:
                raise ValueError("a rolling window takes 'at_most' with 'sum' or 'count'")
            if self.period_field is not None:
                raise ValueError("a rolling window has no 'period_field'")
            if self.unreadable == "skip_period" or self.whole_periods:
                raise ValueError(
                    "a rolling window has no periods: no 'whole_periods' nor "
                    "'unreadable: skip_period'"
                )
        return self

    @property
    def aggregate(self) -> str:
        return next(name for name in AGGREGATES if getattr(self, name) is not None)

    @property
    def field(self) -> str | None:
        """The field aggregated (None for count)."""
        value = getattr(self, self.aggregate)
        return None if value is True else value

    def measure_references(self) -> list[str]:
        return [bound.of for bound in (self.at_least, self.at_most) if isinstance(bound, Percent)]

    def references(self) -> list[str]:
        return [*super().references(), *self.measure_references()]


# --- right --------------------------------------------------------------------------------------


class Effect(_Strict):
    """What exercising a right does: norms of this agreement that end, start or are suspended,
    or the agreement itself ends, or its fixed term runs longer (an option to extend)."""

    ends: list[ClauseRef] | Literal["agreement"] | None = Field(
        default=None,
        description="The clauses that end, or 'agreement': the agreement itself ends (a "
        "termination on notice)",
        examples=[["3.1"], "agreement"],
    )
    starts: list[ClauseRef] | None = Field(
        default=None,
        description="The clauses that apply only from the exercise on (the new terms): from the "
        "day after the exercise (after `after`), the day the clauses in `ends` no longer apply",
        examples=[["5.2"]],
    )
    suspends: list[ClauseRef] | None = Field(
        default=None,
        description="The clauses suspended from the day after the exercise (after `after`), "
        "`for` a time and/or `until` a resuming fact: while suspended they judge nothing",
        examples=[["3.1"]],
    )
    extends: Literal["agreement"] | None = Field(
        default=None,
        description="'agreement': the exercise extends the agreement's fixed term by 'by' (an "
        "option to extend); the first exercise counts",
        examples=["agreement"],
    )
    by: Duration | None = Field(
        default=None,
        description="How much longer the term runs when the right is exercised ('extends')",
        examples=["12 months"],
    )
    after: Duration | None = Field(
        default=None,
        description="It takes effect this long after the exercise (a notice period)",
        examples=["30d"],
    )
    for_: Duration | None = Field(
        default=None,
        alias="for",
        description="How long a suspension lasts (days, months or years)",
        examples=["60d"],
    )
    until: Pattern | None = Field(
        default=None,
        description="The fact that ends a suspension (with the end of its day): any party's act "
        "unless the pattern says `by`; `match_on` pairs it with the exercising fact",
        examples=[{"fact": "payment.received", "match_on": ["invoice"]}],
    )

    _parse = field_validator("after", "for_", "by", mode="before")(
        lambda cls, v: written_duration(v)
    )

    @field_validator("ends", "starts", "suspends")
    @classmethod
    def _some_clause(cls, value: list[str] | str | None) -> list[str] | str | None:
        if isinstance(value, list) and not value:
            raise ValueError("name at least one clause")
        return value

    @model_validator(mode="after")
    def _one_effect(self) -> Effect:
        if self.extends is not None:
            if any(v is not None for v in (self.ends, self.starts, self.suspends, self.after)):
                raise ValueError(
                    "a right that extends the term does only that: write its other effects as "
                    "another right"
                )
            if self.by is None or self.by.unit == "hours":
                raise ValueError(
                    "say how much longer the term runs: 'by' in days, months or years "
                    "(e.g. by: 12 months)"
                )
            return self
        if self.by is not None:
            raise ValueError("'by' says how much longer the term runs: it goes with 'extends'")
        if self.ends is None and self.starts is None and self.suspends is None:
            raise ValueError(
                "give 'ends', 'starts', 'suspends' or 'extends': what exercising it does"
            )
        if self.suspends is not None:
            if self.ends is not None or self.starts is not None:
                raise ValueError(
                    "a right either suspends clauses or ends and starts them: write two rights"
                )
            if self.for_ is None and self.until is None:
                raise ValueError(
                    "say how long a suspension lasts: 'for' (e.g. 60d), 'until' a resuming "
                    "fact, or both (whichever comes first)"
                )
        elif self.for_ is not None or self.until is not None:
            raise ValueError("'for' and 'until' say how long a suspension ('suspends') lasts")
        for duration in (self.after, self.for_):
            if self.suspends is not None and duration is not None and duration.unit == "hours":
                raise ValueError("count a suspension and its notice in days, months or years")
        if self.starts is not None and self.after is not None and self.after.unit == "hours":
            raise ValueError("clauses start on a day: count 'after' in days, months or years")
        both = set(self.clauses) & set(self.starts or [])
        if both:
            raise ValueError(f"clause {sorted(both)[0]} cannot both end and start")
        return self

    @property
    def ends_agreement(self) -> bool:
        """Whether exercising the right ends the agreement (its term), not only some norms."""
        return self.ends == "agreement"

    @property
    def extends_agreement(self) -> bool:
        """Whether exercising the right makes the agreement's fixed term run longer."""
        return self.extends == "agreement"

    @property
    def clauses(self) -> list[str]:
        """The clause ids that end (none when the agreement itself ends)."""
        return list(self.ends) if isinstance(self.ends, list) else []

    @property
    def targets(self) -> list[str]:
        """Every clause id the exercise acts on: those that end, start or are suspended."""
        return [*self.clauses, *(self.starts or []), *(self.suspends or [])]


class RightTerms(NormCommon):
    """A party may do something, for a while, with an effect."""

    holder: Who
    arises: RightTrigger = Field(
        description="When it arises: a fact pattern, {breach_of: id, in_a_row: 2}, start, a "
        "date, or a window before each anniversary: {each: anniversary, opens_before: 120d, "
        "closes_before: 60d}",
        examples=[
            {"breach_of": "11.1", "in_a_row": 2},
            {"each": "anniversary", "opens_before": "120d", "closes_before": "60d"},
        ],
    )
    open_for: Duration | None = Field(
        default=None,
        description="How long it stays open (default: until the term ends)",
        examples=["30d"],
    )
    exercised_by: Pattern | None = Field(
        default=None,
        description="The fact that exercises it",
        examples=[{"fact": "renegotiation.requested"}],
    )
    effect: Effect | None = Field(
        default=None,
        description="What exercising it does: clauses that end, start or are suspended, or the "
        "agreement ends (after a notice period)",
        examples=[
            {"ends": ["3.1"], "after": "30d"},
            {"ends": "agreement", "after": "90d"},
            {"ends": ["5.1"], "starts": ["5.2"], "after": "30d"},
            {"suspends": ["3.1"], "for": "60d", "until": {"fact": "payment.received"}},
        ],
    )
    reported: bool = Field(
        default=True,
        description="Report the right itself (when it arose, when it closes); false for a "
        "standing right, such as terminating on notice, of which only the exercise matters",
        examples=[False],
    )

    _parse = field_validator("open_for", mode="before")(lambda cls, v: written_duration(v))

    @field_validator("arises", mode="before")
    @classmethod
    def _not_at_an_end(cls, value: object) -> object:
        # Said here, before the union of triggers would report every form it does not match.
        if _is_period_end(value):
            raise ValueError(
                "a right arises from a fact, a breach, the start, a date or each anniversary"
            )
        return value

    @model_validator(mode="after")
    def _exercise(self) -> RightTerms:
        _bound_party(self.holder)
        if self.effect is not None and self.exercised_by is None:
            raise ValueError("an 'effect' needs 'exercised_by'")
        if (
            isinstance(self.arises, EachAnniversary)
            and self.arises.closes_before is not None
            and self.open_for is not None
        ):
            raise ValueError("give either 'closes_before' (in 'arises') or 'open_for'")
        return self

    @property
    def arises_on_a_known_day(self) -> bool:
        """Whether it arises at an instant known in advance (the start, a date, each
        anniversary), so that its arising can be announced as a deadline."""
        return self.arises == "start" or isinstance(self.arises, date | EachAnniversary)

    def references(self) -> list[str]:
        return [*super().references(), *trigger_refs(self.arises)]


NormTerms = ObligationTerms | ProhibitionTerms | MeasureTerms | RightTerms


def bound_party_word(terms: NormTerms) -> str:
    return terms.holder if isinstance(terms, RightTerms) else terms.by


def is_norm(value: object) -> TypeIs[NormTerms]:
    """Whether a clause is a norm written directly (obligation, prohibition, measure, right)."""
    return isinstance(value, ObligationTerms | ProhibitionTerms | MeasureTerms | RightTerms)


def patterns_of(terms: NormTerms) -> Iterator[Pattern]:
    """Every pattern a norm reads facts with."""
    if isinstance(terms, ObligationTerms):
        if isinstance(terms.when, Pattern):
            yield terms.when
        yield terms.do
        if terms.cure is not None:
            yield terms.cure.notice
    elif isinstance(terms, ProhibitionTerms):
        yield terms.do
    elif isinstance(terms, MeasureTerms):
        yield terms.of
    else:
        if isinstance(terms.arises, Pattern):
            yield terms.arises
        if terms.exercised_by is not None:
            yield terms.exercised_by
        if terms.effect is not None and terms.effect.until is not None:
            yield terms.effect.until
