"""Norm patterns: which facts a norm reads, written like the contract ("a hire whose previous
employer is the other party, within 12 months after they left"), evaluated in Python.

A pattern names a fact type and may add, per field: a value, a list of values, or a comparison
(`{at_least: 10000}`, `{below: {value: seat_price}}`, `{party: other}`, `{present: true}`);
carve-outs (`unless`); a fact that must (or must not) come first (`after`, `unless_after`) or
must come later (`before`):
another record (`{fact: bonus.paid, match_on: [customer], within: 90d}`) or a date field of the
same record (`{field: left_on, within: 12 months}`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from checker.dates.timeutil import (
    BusinessDays,
    Duration,
    date_of_epoch,
    parse_instant,
    written_duration,
)
from checker.facts.model import Fact
from checker.norms.fact_pattern import FIELD_NAME_PATTERN, FactType

Scalar = str | int | float | bool
FieldName = Annotated[str, Field(pattern=FIELD_NAME_PATTERN)]
PartyWord = Literal["other", "us", "partner", "actor", "any"]


class ValueRef(BaseModel):
    """A fixed value written in the contract, by its name in the agreement's `values`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str = Field(
        pattern=FIELD_NAME_PATTERN,
        description="The name of a figure in the agreement's `values`",
        examples=["seat_price"],
    )


class _Tested(BaseModel):
    """What a description of facts with `where` tests and `unless` carve-outs shares (`Latest`,
    `Precedent`, `Pattern`): one carve-out may be written without a list, and both are kept in
    the order they are checked in."""

    if TYPE_CHECKING:  # fields of each subclass, with descriptions of its own
        where: dict[str, Test]
        unless: list[dict[str, Test]]

    @field_validator("unless", mode="before", check_fields=False)
    @classmethod
    def _single_carve_out(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @cached_property
    def ordered_where(self) -> Tests:
        return ordered(self.where)

    @cached_property
    def ordered_unless(self) -> tuple[Tests, ...]:
        return tuple(ordered(entry) for entry in self.unless)


class Latest(_Tested):
    """Which facts `of_latest` reads: the latest of them at or before the fact tested (the
    price in force then) is the one compared with."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fact: FactType = Field(
        description="Fact type of the facts read, e.g. price.agreed", examples=["price.agreed"]
    )
    with_: Literal["parties", "others", "anyone"] = Field(
        default="parties",
        alias="with",
        description="Whom those facts are with, when their export names the other side: "
        "'parties' (the default), 'others' or 'anyone'",
        examples=["parties"],
    )
    where: dict[FieldName, Test] = Field(
        default_factory=dict,
        description="Tests on those facts' fields",
        examples=[{"partner": {"party": "partner"}}],
    )
    unless: list[dict[FieldName, Test]] = Field(
        default_factory=list,
        description="Carve-outs: a fact meeting every test of one is not read",
        examples=[[{"list_price": True}]],
    )
    match_on: list[FieldName] = Field(
        default_factory=list,
        description="Fields it must share with the fact tested",
        examples=[["product"]],
    )


class FieldOfLatest(BaseModel):
    """A field of another fact: of the latest fact `of_latest` describes at or before the fact
    tested (the later one when two share an instant), passing over those whose field holds no
    number or date. When there is none, the test does not hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: FieldName = Field(
        description="The field of that fact compared with", examples=["unit_price"]
    )
    of_latest: Latest = Field(
        description="The facts of which the latest is read",
        examples=[{"fact": "price.agreed", "match_on": ["product"]}],
    )

    def describe(self) -> str:
        latest = self.of_latest
        text = f"the {self.field} of the latest {latest.fact}"
        if latest.where:
            text += " where " + _describe_tests(latest.where)
        if latest.match_on:
            text += f" for the same {', '.join(latest.match_on)}"
        return text


Operand = float | int | date | ValueRef | FieldOfLatest


class Comparison(BaseModel):
    """Tests on one field beyond equality; every test given must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    at_least: Operand | None = Field(
        default=None, description="At least this number or date", examples=[10000]
    )
    at_most: Operand | None = Field(
        default=None, description="At most this number or date", examples=["2026-12-31"]
    )
    above: Operand | None = Field(
        default=None, description="More than this", examples=[{"value": "seat_price"}]
    )
    below: Operand | None = Field(
        default=None,
        description="Less than this; {field: unit_price, of_latest: {fact: price.agreed, "
        "match_on: [product]}} compares with a field of the latest such fact at or before it",
        examples=[
            {"value": "seat_price"},
            {
                "field": "unit_price",
                "of_latest": {"fact": "price.agreed", "match_on": ["product"]},
            },
        ],
    )
    not_: Scalar | list[Scalar] | None = Field(
        default=None,
        alias="not",
        description="Not this value (or any of these)",
        examples=["marketplace"],
    )
    present: bool | None = Field(
        default=None, description="The field is given (true) or not (false)", examples=[True]
    )
    party: PartyWord | None = Field(
        default=None,
        description="The field names a party: 'other' (not the one who acted), 'us', 'partner', "
        "'actor' (the one who acted) or 'any' (any party of the agreement)",
        examples=["other"],
    )

    agreement: Literal["this", "other"] | None = Field(
        default=None,
        description="The field names an agreement: 'this' (this agreement's id) or 'other' "
        "(another agreement's); a fact without the field names neither",
        examples=["other"],
    )

    @model_validator(mode="after")
    def _something(self) -> Comparison:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("a comparison needs at least one test, e.g. {at_least: 100}")
        return self


Test = Scalar | list[Scalar] | Comparison
# A comparison may read another fact, whose tests may hold comparisons in turn.
Latest.model_rebuild()
FieldOfLatest.model_rebuild()
Comparison.model_rebuild()


class Precedent(_Tested):
    """Something that comes before the fact (`after`, `unless_after`) or after it (`before`):
    another fact, or a date in a field of the fact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: FactType | None = Field(
        default=None,
        description="Another fact that comes first (or, in `before`, later)",
        examples=["bonus.paid"],
    )
    field: FieldName | None = Field(
        default=None,
        description="A date field of the same record that comes first (or, in `before`, later)",
        examples=["left_previous_employer"],
    )
    where: dict[FieldName, Test] = Field(
        default_factory=dict,
        description="Tests on the other fact's fields",
        examples=[{"kind": "audit"}],
    )
    match_on: list[FieldName] = Field(
        default_factory=list,
        description="Fields both facts must share",
        examples=[["customer"]],
    )
    unless: list[dict[FieldName, Test]] = Field(
        default_factory=list,
        description="Carve-outs: an other fact meeting all the tests of one entry does not count",
        examples=[[{"reason": "redundancy"}]],
    )
    within: Duration | None = Field(
        default=None, description="At most this long apart", examples=["90d"]
    )
    at_least: Duration | None = Field(
        default=None, description="At least this long apart", examples=["30d"]
    )

    _parse = field_validator("within", "at_least", mode="before")(
        lambda cls, v: written_duration(v)
    )

    @model_validator(mode="after")
    def _one_source(self) -> Precedent:
        if (self.fact is None) == (self.field is None):
            raise ValueError("give either 'fact' (another record) or 'field' (a date on this one)")
        if self.field is not None and (self.where or self.match_on or self.unless):
            raise ValueError(
                "'where', 'unless' and 'match_on' apply to another fact, not to a field"
            )
        return self


class Pattern(_Tested):
    """Which facts count: a type, tests on fields, carve-outs, and what must come first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: FactType = Field(description="Fact type, e.g. deal.closed", examples=["deal.closed"])
    by: str | None = Field(
        default=None,
        description="Whose acts count: us, partner, each (any party) or a party id; default: "
        "the party the norm binds in `do` and `of`, any party in a trigger (`when`, `arises`, "
        "a cure notice, `until`)",
        examples=["partner"],
    )
    with_: Literal["parties", "others", "anyone"] = Field(
        default="parties",
        alias="with",
        description="Whom the fact is with, when its export names the other side: 'parties' "
        "(a party of this agreement; the default), 'others' (someone outside it, e.g. prices "
        "agreed with other partners) or 'anyone'",
        examples=["others"],
    )
    where: dict[FieldName, Test] = Field(
        default_factory=dict,
        description="Each field must have this value, one of these values, or pass this comparison",
        examples=[{"channel": "direct", "amount": {"at_least": 10000}}],
    )
    unless: list[dict[FieldName, Test]] = Field(
        default_factory=list,
        description="Carve-outs: a fact meeting every test of one is exempt",
        examples=[[{"customer": ["siemens-ag"]}]],
    )
    match_on: list[FieldName] = Field(
        default_factory=list,
        description="Fields this fact must share with the fact that started the norm",
        examples=[["incident"]],
    )
    after: Precedent | None = Field(
        default=None,
        description="Only when this came first",
        examples=[{"fact": "bonus.paid", "match_on": ["customer"], "within": "90d"}],
    )
    unless_after: Precedent | None = Field(
        default=None,
        description="Exempt when this came first (e.g. a notice 30 days before)",
        examples=[{"fact": "audit.notice", "match_on": ["audit"], "at_least": "30d"}],
    )
    before: Precedent | None = Field(
        default=None,
        description="Only when this comes later (as known on the as-of date): the fact is at "
        "most `within` (at least `at_least`) before it",
        examples=[{"fact": "notice.termination", "within": "30d"}],
    )


@dataclass(frozen=True, slots=True)
class Scope:
    """What a pattern needs besides the fact: the agreement's parties and values, the other
    facts (for `after`), and who acted."""

    values: Mapping[str, float | int | str]
    party_of: Callable[[object], str | None]  # an id or alias -> the party, or None
    actor_of: Callable[[Fact], str | None]
    other_side_of: Callable[[Fact], tuple[bool, str | None]]  # (names one?, the party it names)
    us: str
    counterparties: tuple[str, ...]
    history: Sequence[Fact]  # every fact the agreement reads, sorted by (at, id)
    history_by_type: Mapping[str, Sequence[Fact]]  # the same facts, by type
    calendar: BusinessDays | None = None  # for durations in business days
    agreement: str = ""  # the agreement's id (`{agreement: this}` tests a field naming it)


def matches(pattern: Pattern, fact: Fact, scope: Scope, trigger: Fact | None = None) -> bool:
    """Whether `fact` is one `pattern` describes (`trigger`: the fact `match_on` refers to)."""
    if fact.type != pattern.fact or not _with(pattern.with_, fact, scope):
        return False
    actor = scope.actor_of(fact)
    try:
        inside = _meets(pattern.ordered_where, fact, actor, scope)
    except Uncomparable:
        # A fact a carve-out exempts is never asked about, whatever its other fields hold.
        if _carved_out(pattern.ordered_unless, fact, actor, scope):
            return False
        raise
    if not inside or _carved_out(pattern.ordered_unless, fact, actor, scope):
        return False
    if trigger is not None and any(
        fact.get(name) != trigger.get(name) for name in pattern.match_on
    ):
        return False
    if pattern.after is not None and not _preceded(pattern.after, fact, actor, scope):
        return False
    if pattern.before is not None and not _followed(pattern.before, fact, scope):
        return False
    return pattern.unless_after is None or not _preceded(pattern.unless_after, fact, actor, scope)


def _carved_out(carve_outs: tuple[Tests, ...], fact: Fact, actor: str | None, scope: Scope) -> bool:
    return any(_meets(entry, fact, actor, scope) for entry in carve_outs)


def is_with(pattern: Pattern, fact: Fact, scope: Scope) -> bool:
    """Whether the fact is with whom the pattern says (`with:`), by the other side it names."""
    return _with(pattern.with_, fact, scope)


def _with(who: str, fact: Fact, scope: Scope) -> bool:
    names_one, party = scope.other_side_of(fact)
    if who == "anyone" or not names_one:
        return who != "others"
    return (party is None) == (who == "others")


class Uncomparable(ValueError):
    """A fact otherwise in scope whose field cannot be compared as a test asks: the norm cannot
    tell whether it matches, so it is not evaluated (fail closed), never taken as not matching."""


Tests = tuple[tuple[str, Test], ...]


def ordered(tests: Mapping[str, Test]) -> Tests:
    """Tests with comparisons last: a fact that fails an equality test is out of scope, whatever
    its numbers (so a number it cannot compare is never asked about)."""
    return tuple(sorted(tests.items(), key=lambda item: isinstance(item[1], Comparison)))


def _meets(tests: Tests, fact: Fact, actor: str | None, scope: Scope) -> bool:
    for name, test in tests:
        try:
            if not _passes(test, fact.get(name), actor, scope, fact):
                return False
        except _NotComparable as problem:
            raise Uncomparable(
                f"fact {fact.id} ({fact.source}): {name} is {fact.get(name)!r}, which cannot be "
                f"compared with {problem}"
            ) from None
    return True


class _NotComparable(Exception):
    pass


def _passes(test: Test, value: Any, actor: str | None, scope: Scope, fact: Fact) -> bool:
    if isinstance(test, list):
        return any(same_value(value, item) for item in test)
    if not isinstance(test, Comparison):
        return same_value(value, test)
    if test.present is not None and (value is not None) != test.present:
        return False
    if test.not_ is not None:
        refused = test.not_ if isinstance(test.not_, list) else [test.not_]
        if any(same_value(value, item) for item in refused):
            return False
    if test.party is not None and not _names_party(test.party, value, actor, scope):
        return False
    if test.agreement is not None:
        if value is None or value == "":
            return False
        if (str(value) == scope.agreement) != (test.agreement == "this"):
            return False
    for name, holds in _ORDER_TESTS:
        operand = getattr(test, name)
        if operand is None:
            continue
        compared_with: float | int | date | ValueRef | None = None
        if isinstance(operand, FieldOfLatest):
            reference = latest_fact(operand, fact, scope)
            if reference is not None:
                compared_with = _orderable(reference.get(operand.field))
            elif _orderable(value) is not None:
                return False  # nothing to compare with: the test does not hold
        else:
            compared_with = operand
        pair = None if compared_with is None else _comparable(value, compared_with, scope)
        if pair is None:
            raise _NotComparable(f"{name.replace('_', ' ')} {_shown(operand)}")
        if not holds(*pair):
            return False
    return True


def _shown(operand: Operand) -> str:
    if isinstance(operand, ValueRef):
        return f"the {operand.value}"
    if isinstance(operand, FieldOfLatest):
        return operand.describe()
    return str(operand)


def _orderable(value: Any) -> float | date | None:
    """A field's value as something to compare by order: a finite number, or a day; None if
    it is neither."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    return as_day(value)


def latest_fact(operand: FieldOfLatest, fact: Fact, scope: Scope) -> Fact | None:
    """The fact `operand` reads for `fact`: the latest one of a party of the agreement at or
    before it (the later by id on a tie; never `fact` itself) that `of_latest` describes, shares
    its `match_on` fields and holds a number or a date in `field`; None when there is none."""
    latest = operand.of_latest
    candidates = scope.history_by_type.get(latest.fact, ())
    end = bisect.bisect_right(candidates, fact.at, key=lambda candidate: candidate.at)
    for index in range(end - 1, -1, -1):
        candidate = candidates[index]
        if candidate.id == fact.id or not _with(latest.with_, candidate, scope):
            continue
        actor = scope.actor_of(candidate)
        if actor is None or not all(
            same_value(candidate.get(name), fact.get(name)) for name in latest.match_on
        ):
            continue
        if _orderable(candidate.get(operand.field)) is None:
            continue
        if not _meets(latest.ordered_where, candidate, actor, scope):
            continue
        if not _carved_out(latest.ordered_unless, candidate, actor, scope):
            return candidate
    return None


def _fields_of_latest(*tests: Mapping[str, Test]) -> Iterator[FieldOfLatest]:
    """The `{field: ..., of_latest: ...}` operands of these tests."""
    for entry in tests:
        for test in entry.values():
            if isinstance(test, Comparison):
                for name, _ in _ORDER_TESTS:
                    operand = getattr(test, name)
                    if isinstance(operand, FieldOfLatest):
                        yield operand


def pattern_types(pattern: Pattern) -> set[str]:
    """Every fact type a pattern reads: its own, its precedents' and later facts' (`after`,
    `unless_after`, `before`) and those its comparisons take a field of (`of_latest`)."""
    types = {pattern.fact}
    for other in (pattern.after, pattern.unless_after, pattern.before):
        if other is not None and other.fact is not None:
            types.add(other.fact)
    types.update(latest.fact for latest in latest_read(pattern))
    return types


def latest_read(pattern: Pattern | Latest) -> list[Latest]:
    """Every `of_latest` in the tests of a pattern, nested ones included."""
    found: list[Latest] = []
    for operand in _fields_of_latest(pattern.where, *pattern.unless):
        found += [operand.of_latest, *latest_read(operand.of_latest)]
    return found


def compared_facts(pattern: Pattern, fact: Fact, scope: Scope) -> tuple[Fact, ...]:
    """The other facts the comparisons of `pattern.where` read for `fact` (`of_latest`): the
    evidence of what `fact` was compared with."""
    found: list[Fact] = []
    for operand in _fields_of_latest(pattern.where):
        reference = latest_fact(operand, fact, scope)
        if reference is not None and reference not in found:
            found.append(reference)
    return tuple(found)


def unreadable_read(pattern: Pattern, scope: Scope) -> list[tuple[Fact, str]]:
    """(fact, why) of each fact an `of_latest` of `pattern.where` describes but passes over, its
    field holding no number or date: a price in force that cannot be read could hide a breach,
    so the norm reports it (fail closed)."""
    found: list[tuple[Fact, str]] = []
    for operand in _fields_of_latest(pattern.where):
        latest = operand.of_latest
        for fact in scope.history_by_type.get(latest.fact, ()):
            if _orderable(fact.get(operand.field)) is not None:
                continue
            if not _with(latest.with_, fact, scope):
                continue
            actor = scope.actor_of(fact)
            if actor is None or not _meets(latest.ordered_where, fact, actor, scope):
                continue
            if not _carved_out(latest.ordered_unless, fact, actor, scope):
                why = (
                    f"fact {fact.id} ({fact.source}): {operand.field} is "
                    f"{fact.get(operand.field)!r}, not a number or a date to compare with"
                )
                found.append((fact, why))
    return found


_ORDER_TESTS: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
    ("at_least", lambda a, b: a >= b),
    ("at_most", lambda a, b: a <= b),
    ("above", lambda a, b: a > b),
    ("below", lambda a, b: a < b),
)


def same_value(value: Any, expected: Any) -> bool:
    """Equality as authors mean it: 7 == 7.0, but "7" != 7 and True != 1."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(value, int | float) and isinstance(expected, int | float):
        return float(value) == float(expected)
    return type(value) is type(expected) and value == expected


def _comparable(
    value: Any, operand: float | int | date | ValueRef, scope: Scope
) -> tuple[float, float] | None:
    """Both sides as numbers (dates as day ordinals); None when the value cannot be compared."""
    if isinstance(operand, ValueRef):
        resolved = scope.values[operand.value]
        operand = date.fromisoformat(resolved) if isinstance(resolved, str) else resolved
    if isinstance(operand, date):
        day = as_day(value)
        return None if day is None else (float(day.toordinal()), float(operand.toordinal()))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value), float(operand)


def as_day(value: Any) -> date | None:
    """A field's value as a calendar day (an ISO date, or an instant's UTC day); None if not."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date_of_epoch(parse_instant(value))
    except ValueError:
        return None


def _names_party(word: str, value: Any, actor: str | None, scope: Scope) -> bool:
    party = scope.party_of(value)
    if party is None:
        return False
    if word == "any":
        return True
    if word == "us":
        return party == scope.us
    if word == "partner":
        return party in scope.counterparties
    if word == "actor":
        return party == actor
    # "other": a party of the agreement, but not the one who acted.
    return actor is not None and party != actor


def _preceded(precedent: Precedent, fact: Fact, actor: str | None, scope: Scope) -> bool:
    if precedent.field is not None:
        day = as_day(fact.get(precedent.field))
        return day is not None and within_after(day, fact, precedent, calendar=scope.calendar)
    return earlier_fact(precedent, fact, scope) is not None


def _followed(later: Precedent, fact: Fact, scope: Scope) -> bool:
    if later.field is not None:
        day = as_day(fact.get(later.field))
        return day is not None and _days_apart_within(fact.day, day, later, scope.calendar)
    return later_fact(later, fact, scope) is not None


def _days_apart_within(
    first: date, then: date, bounds: Precedent, calendar: BusinessDays | None
) -> bool:
    """Whether the day `then` comes on or after `first`, at least `at_least` and at most
    `within` later (whole days; business days on `calendar`)."""
    if then < first:
        return False
    if bounds.at_least is not None and then < bounds.at_least.add_to_date(first, calendar):
        return False
    return bounds.within is None or then <= bounds.within.add_to_date(first, calendar)


def later_fact(later: Precedent, fact: Fact, scope: Scope) -> Fact | None:
    """The first fact after `fact` that `later` describes (`fact:`), within its bounds: the
    evidence that it followed; None when there is none (yet)."""
    candidates = scope.history_by_type.get(later.fact or "", ())
    start = bisect.bisect_left(candidates, fact.at, key=lambda candidate: candidate.at)
    for candidate in candidates[start:]:
        if (candidate.at, candidate.id) <= (fact.at, fact.id):
            continue
        if _described(later, candidate, fact, scope) and within_after(
            fact.day, candidate, later, fact.at, scope.calendar
        ):
            return candidate
    return None


def earlier_fact(precedent: Precedent, fact: Fact, scope: Scope) -> Fact | None:
    """The latest fact before `fact` that `precedent` describes (`fact:`), within its bounds:
    the evidence that it came first; None when there is none."""
    found: Fact | None = None
    for earlier in scope.history_by_type.get(precedent.fact or "", ()):
        if (earlier.at, earlier.id) >= (fact.at, fact.id):
            break
        if _described(precedent, earlier, fact, scope) and within_after(
            earlier.day, fact, precedent, earlier.at, scope.calendar
        ):
            found = earlier
    return found


def _described(other: Precedent, candidate: Fact, fact: Fact, scope: Scope) -> bool:
    """Whether `candidate` is the other fact `other` describes for `fact`, bounds aside: its
    type, a party's act, its tests and carve-outs, and the `match_on` fields `fact` has."""
    if candidate.type != other.fact or not _with("parties", candidate, scope):
        return False
    actor = scope.actor_of(candidate)
    if actor is None or _carved_out(other.ordered_unless, candidate, actor, scope):
        return False
    if not _meets(other.ordered_where, candidate, actor, scope):
        return False
    return all(candidate.get(name) == fact.get(name) for name in other.match_on)


def within_after(
    day: date,
    fact: Fact,
    precedent: Precedent,
    instant: int | None = None,
    calendar: BusinessDays | None = None,
) -> bool:
    """Whether `fact` comes after `day` (or `instant`) by at least `precedent.at_least` and at
    most `precedent.within`. Days count whole days (the last day counts in full; business days
    on the agreement's `calendar`); hours are exact instants and need `instant`."""
    for duration, is_lower in ((precedent.at_least, True), (precedent.within, False)):
        if duration is None:
            continue
        if duration.unit == "hours" and instant is not None:
            bound = duration.after(instant)
            ok = fact.at >= bound if is_lower else fact.at <= bound
        else:
            bound_day = duration.add_to_date(day, calendar)
            ok = fact.day >= bound_day if is_lower else fact.day <= bound_day
        if not ok:
            return False
    return fact.day >= day


def describe(pattern: Pattern) -> str:
    """Plain English: "deal.closed where channel is direct and amount is at least 10000"."""
    text = pattern.fact
    if pattern.by:
        text += f" by {pattern.by}"
    if pattern.with_ == "others":
        text += " with someone outside this agreement"
    if pattern.where:
        text += " where " + _describe_tests(pattern.where)
    if pattern.unless:
        text += " (except when " + " or ".join(_describe_tests(e) for e in pattern.unless) + ")"
    if pattern.match_on:
        text += f" for the same {', '.join(pattern.match_on)}"
    if pattern.after is not None:
        text += f", {_describe_precedent(pattern.after)}"
    if pattern.unless_after is not None:
        text += f", unless {_describe_precedent(pattern.unless_after)}"
    if pattern.before is not None:
        text += f", {_describe_precedent(pattern.before, 'before')}"
    return text


def _describe_precedent(precedent: Precedent, relation: str = "after") -> str:
    what = precedent.fact if precedent.fact is not None else f"the date in {precedent.field}"
    if precedent.where:
        what += " where " + _describe_tests(precedent.where)
    if precedent.unless:
        what += " (except when " + " or ".join(_describe_tests(e) for e in precedent.unless) + ")"
    if precedent.match_on:
        what += f" (same {', '.join(precedent.match_on)})"
    bounds = []
    if precedent.at_least is not None:
        bounds.append(f"at least {precedent.at_least}")
    if precedent.within is not None:
        bounds.append(f"at most {precedent.within}")
    return f"{' and '.join(bounds) + ' ' if bounds else ''}{relation} {what}"


def _describe_tests(tests: Mapping[str, Test]) -> str:
    return " and ".join(f"{name} {_describe_test(test)}" for name, test in tests.items())


def _describe_test(test: Test) -> str:
    if isinstance(test, list):
        return "is one of " + ", ".join(str(v) for v in test)
    if isinstance(test, bool):
        return f"is {'true' if test else 'false'}"  # as the rule file writes it, not True
    if not isinstance(test, Comparison):
        return f"is {test}"
    parts = []
    for name in ("at_least", "at_most", "above", "below"):
        operand = getattr(test, name)
        if operand is not None:
            parts.append(f"is {name.replace('_', ' ')} {_shown(operand)}")
    if test.not_ is not None:
        refused = test.not_ if isinstance(test.not_, list) else [test.not_]
        parts.append("is not " + " or ".join(str(v) for v in refused))
    if test.present is not None:
        parts.append("is given" if test.present else "is not given")
    if test.party is not None:
        parts.append(f"names {'the other party' if test.party == 'other' else test.party}")
    if test.agreement is not None:
        parts.append(f"names {'this' if test.agreement == 'this' else 'another'} agreement")
    return " and ".join(parts)
