"""How a clause explains itself in plain English with the dates it implies, for a lawyer to check
against the contract: the context it is explained in, the dates, and the dates its norms imply.

Every clause kind is made of norms, so the dates are worked out from the norms, by the same rules
a run judges them by (`explain_norms`): when each norm applies, its due dates, the ends of its
measured periods, the windows of its rights, all near the as-of date. Dates that start from an
event (an incident, a notice) are rules, given as sentences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from checker.dates.calendars import BusinessCalendar
from checker.dates.timeutil import (
    SECONDS_PER_DAY,
    Duration,
    Period,
    add_months,
    date_of_epoch,
    end_of_date,
    epoch_of_date,
    periods_between,
)
from checker.norms.clause_support import NormPart
from checker.norms.context import AgreementTerm
from checker.norms.model import (
    AfterEnd,
    EachAnniversary,
    EachPeriod,
    MeasureTerms,
    NormTerms,
    ObligationTerms,
    OnBreach,
    RightTerms,
    Rolling,
)
from checker.norms.outcomes import NO_END, due_after
from checker.norms.parties import Parties
from checker.norms.pattern import Pattern


@dataclass(frozen=True, slots=True)
class ExplainContext:
    """What a clause needs to explain itself: the term as written (no facts, so no early
    termination), the as-of instant and horizon its dates are marked against, and the calendar."""

    agreement_id: str
    partner: str
    term: AgreementTerm
    as_of: int
    horizon_end: int
    calendar: BusinessCalendar | None = None
    parties: Parties | None = None  # who the agreement binds, for norms to name them

    def duration(self, duration: Duration) -> str:
        """A duration in words, naming the calendar of business days: "10 business days (DE-BY)"."""
        if duration.in_business_days and self.calendar is not None:
            return f"{duration} ({self.calendar.label})"
        return str(duration)


@dataclass(frozen=True, slots=True)
class ExplainedDate:
    """A date a clause implies: the instant it stands for, as evaluation uses it (the start of a
    day for something that opens, the day's last second for a deadline), and what happens then."""

    at: int
    what: str

    @property
    def day(self) -> date:
        return date_of_epoch(self.at)


@dataclass(frozen=True, slots=True)
class Explanation:
    """A clause in plain English: sentences (what it requires, the rules for dates that start from
    an event) and the dates it implies."""

    sentences: tuple[str, ...]
    dates: tuple[ExplainedDate, ...] = ()

    def plus(
        self, sentences: Iterable[str] = (), dates: Iterable[ExplainedDate] = ()
    ) -> Explanation:
        return Explanation((*self.sentences, *sentences), (*self.dates, *dates))


def periods_around(
    term: AgreementTerm, unit: str, as_of: int, before: int = 2, after: int = 1
) -> list[Period]:
    """The calendar periods of the term nearest the as-of: the one containing it (or the term's
    first or last, when the as-of lies outside the term) with `before` and `after` neighbours."""
    if term.end <= term.start:
        return []
    periods = periods_between(date_of_epoch(term.start), term.last_day, unit)
    today = date_of_epoch(as_of)
    current = next((i for i, p in enumerate(periods) if p.end >= today), len(periods) - 1)
    return periods[max(0, current - before) : current + after + 1]


def changes_between(old: BaseModel, new: BaseModel, prefix: str = "") -> list[str]:
    """What an amendment changed, in words: "max changes from 250 to 300"."""
    found: list[str] = []
    for name in type(new).model_fields:
        before, after = getattr(old, name), getattr(new, name)
        if name == "amended" or before == after:
            continue
        label = f"{prefix}{name}"
        if isinstance(before, BaseModel) and type(before) is type(after):
            found.extend(changes_between(before, after, f"{label} "))
        elif isinstance(before, list) and isinstance(after, list):
            found.extend(_list_changes(label, before, after))
        else:
            found.append(f"{label} changes from {plain(before)} to {plain(after)}")
    return found


def _list_changes(label: str, before: list[Any], after: list[Any]) -> list[str]:
    """Items named alike (milestones, duties) are compared one by one; other lists as a whole."""
    named = all(isinstance(item, BaseModel) and hasattr(item, "name") for item in before + after)
    if not named:
        return [f"{label} changes from {plain(before)} to {plain(after)}"]
    old = {item.name: item for item in before}
    new = {item.name: item for item in after}
    found: list[str] = []
    for name, item in new.items():
        if name not in old:
            found.append(f"{label} adds {plain(item)}")
        elif old[name] != item:
            found.extend(changes_between(old[name], item, f"{label} {name}: "))
    found.extend(f"{label} drops {plain(item)}" for name, item in old.items() if name not in new)
    return found


def plain(value: object) -> str:
    """A rule-file value in plain words: lists joined with commas, dates as YYYY-MM-DD."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, date | Duration | str | int):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list):
        if any(isinstance(item, BaseModel | dict) for item in value):
            return "; ".join(f"({plain(item)})" for item in value) or "none"
        return ", ".join(plain(item) for item in value) or "none"
    describe = getattr(value, "describe", None)
    if isinstance(value, BaseModel) and callable(describe):
        return str(describe())
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name) for name in type(value).model_fields}
    if isinstance(value, dict):
        return ", ".join(f"{k} {plain(v)}" for k, v in value.items() if v is not None)
    return str(value)


def explain_norm(terms: NormTerms, context: ExplainContext) -> list[ExplainedDate]:
    """The dates a norm implies: when it applies, and the due dates or period ends around the
    as-of date (dates that start from an event are rules, given in the sentences)."""
    term = context.term
    starts = term.start if terms.from_ is None else max(term.start, epoch_of_date(terms.from_))
    dates = [ExplainedDate(starts, "applies from this day")]
    ends = _ends(terms, context)
    if ends < NO_END:
        dates.append(ExplainedDate(ends - 1, "applies until the end of this day"))
    if isinstance(terms, ObligationTerms):
        dates += _obligation_dates(terms, context, starts, ends)
    elif isinstance(terms, RightTerms):
        dates += _right_dates(terms, context, starts, ends)
    elif isinstance(terms, MeasureTerms) and not isinstance(terms.per, Rolling):
        for period in periods_around(_near(context), terms.per, context.as_of):
            first, last = epoch_of_date(period.start), end_of_date(period.end)
            # As a run judges them: every period the norm's time overlaps (a first or last
            # period cut by it too), or with `whole_periods` only those wholly inside it.
            inside = starts <= first and last < ends
            if inside if terms.whole_periods else first < ends and last >= starts:
                dates.append(
                    ExplainedDate(end_of_date(period.end), f"{period.label} ends and is judged")
                )
    return dates


def rules_of(terms: NormTerms, context: ExplainContext) -> list[str]:
    """Sentences for dates that start from an event."""
    if isinstance(terms, ObligationTerms) and isinstance(terms.when, Pattern):
        if terms.within is not None:
            return [
                f"Each {terms.when.fact} starts the clock: due {context.duration(terms.within)} "
                "after it (days count whole days, the last one in full; hours are exact)."
            ]
        return [f"Each {terms.when.fact} is due on the date in its {terms.due}."]
    return []


def _near(context: ExplainContext) -> AgreementTerm:
    """The term, cut a year after the horizon: an open-ended term has no last period."""
    term = context.term
    cut = context.horizon_end + 366 * SECONDS_PER_DAY
    return (
        term
        if term.end <= cut
        else AgreementTerm(term.start, max(term.start, cut), term.end_reason)
    )


def _ends(terms: NormTerms, context: ExplainContext) -> int:
    term = context.term
    if isinstance(terms.until, date):
        return min(term.end, epoch_of_date(terms.until + timedelta(days=1)))
    if isinstance(terms.until, AfterEnd) and term.end < NO_END:
        last = terms.until.after_end.add_to_date(term.last_day, context.calendar)
        return epoch_of_date(last + timedelta(days=1))
    if isinstance(terms.until, AfterEnd):
        return NO_END
    return term.end


def _obligation_dates(
    terms: ObligationTerms, context: ExplainContext, starts: int, ends: int
) -> list[ExplainedDate]:
    found: list[ExplainedDate] = []
    when = terms.when
    instants: list[tuple[int, str]] = []
    if isinstance(when, EachPeriod):
        for period in periods_around(_near(context), when.each, context.as_of):
            closes = end_of_date(period.end)
            if starts <= closes < ends:
                instants.append((closes, period.label))
    elif when == "start":
        instants.append((context.term.start, "the start"))
    elif when == "end" and context.term.end < NO_END:
        last = context.term.last_day.isoformat()
        instants.append((context.term.end - 1, f"the end of the agreement ({last} as written)"))
    elif isinstance(when, date):
        instants.append((epoch_of_date(when), when.isoformat()))
    what = terms.do.fact
    for instant, label in instants:
        if terms.within is not None:
            due = due_after(instant, terms.within, context.calendar)
        elif isinstance(terms.due, date):
            due = end_of_date(terms.due)
        else:
            continue
        named = terms.name or label
        found.append(ExplainedDate(due, f"{what} for {named} due"))
        if terms.material_breach_after is not None:
            material = due_after(due, terms.material_breach_after, context.calendar)
            found.append(
                ExplainedDate(
                    material, f"{what} for {named}: a material breach if not done by this day"
                )
            )
    return found


def _right_dates(
    terms: RightTerms, context: ExplainContext, starts: int, ends: int
) -> list[ExplainedDate]:
    """A right arising on a day known in advance: the day it arises and its last day (the
    windows before the anniversaries near the as-of date); none for a standing right of which
    only the exercise matters (`reported: false`)."""
    arises = terms.arises
    windows: list[tuple[int, int | None, str]] = []
    if not terms.reported:
        return []
    if arises == "start":
        windows.append((starts, None, ""))
    elif isinstance(arises, date):
        windows.append((epoch_of_date(arises), None, ""))
    elif isinstance(arises, EachAnniversary):
        first = date_of_epoch(context.term.start)
        today = date_of_epoch(context.as_of)
        for years in range(max(1, today.year - first.year - 1), today.year - first.year + 3):
            anniversary = add_months(first, 12 * years)
            first_day, last_day = arises.window(anniversary, context.calendar)
            last = None if last_day is None else end_of_date(last_day)
            label = f" (before the anniversary on {anniversary.isoformat()})"
            windows.append((epoch_of_date(first_day), last, label))
    found: list[ExplainedDate] = []
    for opens, last, label in windows:
        if not starts <= opens < ends:
            continue
        closes = ends - 1 if last is None else min(last, ends - 1)
        if terms.open_for is not None:
            closes = min(closes, due_after(opens, terms.open_for, context.calendar))
        if closes < opens:
            continue
        found.append(ExplainedDate(opens, f"the right of {terms.holder} {_to(terms)}opens{label}"))
        if closes < NO_END - 1:
            found.append(ExplainedDate(closes, f"last day of the right of {terms.holder}{label}"))
    return found


def _to(terms: RightTerms) -> str:
    """ "to renegotiation.requested " : what exercises the right, when it says."""
    return "" if terms.exercised_by is None else f"to {terms.exercised_by.fact} "


def explain_norms(
    parts: Sequence[NormPart], context: ExplainContext
) -> tuple[list[str], list[ExplainedDate]]:
    """The rules and dates of a clause's norms, each said once (a kind's norms often share when
    they apply)."""
    rules: list[str] = []
    dates: list[ExplainedDate] = []
    by_key = {part.key: part.terms for part in parts}
    for part in parts:
        rules += [rule for rule in rules_of(part.terms, context) if rule not in rules]
        found = explain_norm(part.terms, context)
        if isinstance(part.terms, RightTerms):
            found += _after_a_run(part.terms, by_key, context)
        dates += [d for d in found if d not in dates]
    return rules, dates


def _after_a_run(
    terms: RightTerms, by_key: dict[str, NormTerms], context: ExplainContext
) -> list[ExplainedDate]:
    """A right after K periods of a measure in a row out of bounds (a minimum missed in two
    quarters in a row): for each period near the as-of date that could complete such a run, the
    last day of the right it would give."""
    trigger = terms.arises
    if not isinstance(trigger, OnBreach) or not trigger.in_a_row:
        return []
    measures = [by_key.get(source) for source in trigger.sources]
    if not measures or not all(isinstance(m, MeasureTerms) for m in measures):
        return []
    first = measures[0]
    assert isinstance(first, MeasureTerms)
    if isinstance(first.per, Rolling) or first.period_field is not None:
        return []
    falls = "falls short" if first.at_most is None else "goes over its bound"
    every = periods_between(date_of_epoch(context.term.start), _near(context).last_day, first.per)
    found: list[ExplainedDate] = []
    for period in periods_around(_near(context), first.per, context.as_of):
        index = every.index(period)
        if index + 1 < trigger.in_a_row:
            continue
        arises = end_of_date(period.end)
        closes = _ends(terms, context) - 1
        if terms.open_for is not None:
            closes = min(closes, due_after(arises, terms.open_for, context.calendar))
        if closes < arises:
            continue
        run = ", ".join(p.label for p in every[index + 1 - trigger.in_a_row : index + 1])
        found.append(
            ExplainedDate(
                closes,
                f"last day of the right of {terms.holder} if each of {run} {falls} (arising"
                f" at the end of {period.end.isoformat()})",
            )
        )
    return found
