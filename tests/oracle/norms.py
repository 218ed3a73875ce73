"""Oracle of the four norms (obligation, prohibition, measure, right) and their consequences,
written from docs/norms.md in plain Python, without the evaluator's instances, blocks or engine.

`oracle_norms(agreement, facts, fact_parties, as_of, horizon_end)` gives the findings the
agreement's norm clauses should produce, as (clause, kind, code, subject, date) tuples.

Time, as the oracle reads docs/norms.md (each point that the page leaves open is marked
"reading:" and listed in the report that came with this oracle):

- An instant is an epoch second; a day counts in full, so "on or before day D" means
  `at <= end(D)` with end(D) the last second of D.
- "Within N days (months, years) after an instant" ends at the end of the Nth day (month, year)
  after its day; hours are exact: the instant plus N hours.
- A norm applies from the later of the start and its `from`, through its `until` (a date, a tail
  after the end, or by default the end of the term) and, when `ends_when` or a right's `effect`
  ends it, through the day of that event and no longer after.
- A right whose effect ends the agreement (`ends: agreement`) ends the term at the end of the
  day `after` its clause's first exercise (of the exercise's own day without `after`); the
  earliest such day among the clauses wins when it is before the term's last day, and every
  norm is then worked out on the shorter term. That day is a `right.ends_agreement` deadline of
  the clause while it lies within the horizon, and a `right.ended_agreement` trigger once it is
  over. (Whole days only: an `after` in hours ends the
  agreement at an exact instant, which this oracle's day-based term does not model.)
- A right whose effect `starts` a norm makes it apply from the day after the day its first
  exercise takes effect (the exercise's day, or `after` later); never exercised, it never
  applies.
- A right whose effect `suspends` a norm suspends it, for each exercise, from the start of the
  day after the exercise takes effect through the end of the day `for` after that day, or of
  the day of the first resuming fact (`until`) at or after the exercise, whichever is earlier;
  a resuming fact not seen by the as-of instant leaves the end open (and unknown, unless `for`
  has run out). While suspended: no obligation instance is triggered; one pending when a
  suspension starts is due later by the suspension's length (overlapping ones taken as one;
  while the length is unknown it has no due date and is not reported); a forbidden fact is no
  breach; a measured period touching it is not judged (no finding; it breaks a run) and a fact
  in it is neither counted in a rolling window nor reported as unreadable; a right neither
  arises nor is exercised. Each suspension is `<kind>.suspended`, named after the exercise and
  dated at its first day, from then on, when it overlaps the norm's time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from checker.dates.timeutil import SECONDS_PER_DAY, Duration, add_months, period_named, period_of
from checker.facts.model import Fact
from checker.norms.model import (
    AfterEnd,
    EachAnniversary,
    EachPeriod,
    FieldRef,
    MeasureTerms,
    ObligationCure,
    ObligationTerms,
    OnBreach,
    OnExercise,
    OnFulfilment,
    Percent,
    ProhibitionTerms,
    RightTerms,
    Rolling,
)
from checker.norms.parties import FactParties, Parties
from checker.norms.pattern import Comparison, FieldOfLatest, Pattern, Precedent, ValueRef
from checker.rulebook.agreement import Agreement

OracleFinding = tuple[str, str, str, str, str]
"""(clause, kind, code, subject, date as ISO text) of one finding."""

Norm = ObligationTerms | ProhibitionTerms | MeasureTerms | RightTerms
EPOCH = date(1970, 1, 1)
NEVER = 2**62  # an instant after every other: a norm of an open-ended agreement never ends
MEASURE_PERIOD_CODES = ("measure.breached", "measure.at_risk", "measure.no_data")
RIGHT_CODES = ("right.arisen", "right.closing", "right.arising")

# --- time -------------------------------------------------------------------------------------


def day_of(instant: int) -> date:
    return EPOCH + timedelta(days=instant // SECONDS_PER_DAY)


def start_of(day: date) -> int:
    return (day - EPOCH).days * SECONDS_PER_DAY


def end_of(day: date) -> int:
    """The last second of `day`: "on or before `day`" is `at <= end_of(day)`."""
    return start_of(day) + SECONDS_PER_DAY - 1


def later(day: date, duration: Duration) -> date:
    """The day `duration` after `day`: days are calendar days; months and years keep the day of
    the month, clamped to the month's last day."""
    if duration.unit == "days":
        return day + timedelta(days=duration.amount)
    if duration.unit == "months":
        return add_months(day, duration.amount)
    if duration.unit == "years":
        return add_months(day, 12 * duration.amount)
    if duration.unit == "hours":
        return day + timedelta(days=duration.amount // 24)
    raise NotImplementedError("the oracle does not count business days")


def anniversary_of(first: date, years: int) -> date:
    """The `years`th anniversary of `first`; 29 February falls on 28 February in other years."""
    try:
        return first.replace(year=first.year + years)
    except ValueError:
        return date(first.year + years, 2, 28)


def due_after(instant: int, duration: Duration) -> int:
    """When "within `duration` after `instant`" ends: exact for hours, else the end of a day."""
    if duration.unit == "hours":
        return instant + duration.amount * 3600
    return end_of(later(day_of(instant), duration))


@dataclass(frozen=True, slots=True)
class Span:
    """A calendar period [first, last] of whole days with its label (2026-Q1)."""

    first: date
    last: date
    label: str


def span_of(day: date, unit: str) -> Span:
    period = period_of(day, unit)
    return Span(period.start, period.end, period.label)


def spans_from(first_day: date, unit: str) -> Iterable[Span]:
    """The periods of `unit` from the one holding `first_day` on, without end."""
    current = span_of(first_day, unit)
    while True:
        yield current
        current = span_of(current.last + timedelta(days=1), unit)


def names_period(value: Any, label: str) -> bool:
    """Whether a field's value names the period `label` ("2026-Q2"; a year also as a number)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return str(value) == label
    return isinstance(value, str) and value == label


# --- values -----------------------------------------------------------------------------------


def number(value: Any) -> Fraction | None:
    """A fact value as an exact number (as written in decimal), or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    return Fraction(str(value))


def same(value: Any, expected: Any) -> bool:
    """Equality as authors mean it: 7 == 7.0, but "7" != 7 and True != 1."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    if isinstance(value, int | float) and isinstance(expected, int | float):
        return float(value) == float(expected)
    return type(value) is type(expected) and value == expected


def as_day(value: Any) -> date | None:
    """A field's value as a day: an ISO date, or the UTC day of an ISO instant."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return day_of(int(moment.timestamp()))


# --- the agreement's world ----------------------------------------------------------------------


@dataclass(slots=True)
class World:
    """What every norm reads: parties, whose act each fact is, facts, values and the term."""

    parties: Parties
    fact_parties: FactParties
    facts: list[Fact]
    values: dict[str, Any]
    as_of: int
    horizon_end: int
    term_start: int
    term_last: date | None  # None: open-ended

    @property
    def term_end(self) -> int:
        """The first instant after the term."""
        return NEVER if self.term_last is None else start_of(self.term_last + timedelta(days=1))

    def actor(self, fact: Fact) -> str | None:
        return self.fact_parties.actor(fact, self.parties)

    def whom(self, word: str) -> tuple[str, ...]:
        """The parties a `by`, `holder` or pattern `by` names."""
        parties = self.parties
        if word == "us":
            return (parties.us,)
        if word == "partner":
            assert len(parties.counterparties) == 1, "'partner' with several counterparties"
            return parties.counterparties
        if word in ("each", "any", "either"):
            return parties.all
        if word == "partners":
            return parties.counterparties
        party = parties.party_of(word)
        assert party is not None, f"'{word}' is not a party"
        return (party,)


# --- patterns -----------------------------------------------------------------------------------


def with_ok(world: World, who: str, fact: Fact) -> bool:
    """`with:` parties (default), others or anyone, when the export names the other side; a fact
    that names no other side is with a party of the agreement (reading: never with 'others')."""
    names_one, party = world.fact_parties.other_side(fact, world.parties)
    if who == "anyone":
        return True
    if not names_one:
        return who == "parties"
    if who == "parties":
        return party is not None
    return party is None  # others


def names_party(world: World, word: str, value: Any, actor: str | None) -> bool:
    party = world.parties.party_of(value) if isinstance(value, str) else None
    if party is None:
        return False
    if word == "any":
        return True
    if word == "us":
        return party == world.parties.us
    if word == "partner":
        return party in world.parties.counterparties
    if word == "actor":
        return party == actor
    return actor is not None and party != actor  # other


def operand_pair(world: World, value: Any, operand: Any) -> tuple[Fraction, Fraction] | None:
    if isinstance(operand, ValueRef):
        resolved = world.values[operand.value]
        operand = date.fromisoformat(resolved) if isinstance(resolved, str) else resolved
    if isinstance(operand, date):
        day = as_day(value)
        if day is None:
            return None
        return Fraction(day.toordinal()), Fraction(operand.toordinal())
    mine = number(value)
    if mine is None:
        return None
    other = number(operand)
    assert other is not None
    return mine, other


ORDER: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "at_least": lambda a, b: a >= b,
    "at_most": lambda a, b: a <= b,
    "above": lambda a, b: a > b,
    "below": lambda a, b: a < b,
}


def latest_of(world: World, operand: FieldOfLatest, fact: Fact) -> Fact | None:
    """The fact `{field, of_latest}` compares `fact` with (docs/norms.md): of the facts of a
    party of the agreement that `of_latest` describes, sharing the `match_on` fields with `fact`
    and holding a number or a date in `field`, the latest at or before `fact`'s instant, the
    later by id when two share it, `fact` itself left out."""
    latest = operand.of_latest
    found: list[Fact] = []
    for other in world.facts:
        if other.type != latest.fact or other.at > fact.at or other.id == fact.id:
            continue
        actor = world.actor(other)
        if actor is None or not with_ok(world, latest.with_, other):
            continue
        if not meets(world, latest.where, other, actor):
            continue
        if any(meets(world, carve_out, other, actor) for carve_out in latest.unless):
            continue
        if any(not same(other.get(name), fact.get(name)) for name in latest.match_on):
            continue
        field_value = other.get(operand.field)
        if number(field_value) is None and as_day(field_value) is None:
            continue
        found.append(other)
    return max(found, key=lambda other: (other.at, other.id), default=None)


def passes(world: World, test: Any, value: Any, actor: str | None, fact: Fact) -> bool:
    if isinstance(test, list):
        return any(same(value, item) for item in test)
    if not isinstance(test, Comparison):
        return same(value, test)
    if test.present is not None and (value is not None) != test.present:
        return False
    if test.not_ is not None:
        refused = test.not_ if isinstance(test.not_, list) else [test.not_]
        if any(same(value, item) for item in refused):
            return False
    if test.party is not None and not names_party(world, test.party, value, actor):
        return False
    for name, holds in ORDER.items():
        operand = getattr(test, name)
        if operand is None:
            continue
        if isinstance(operand, FieldOfLatest):
            reference = latest_of(world, operand, fact)
            if reference is None:
                return False  # nothing to compare with: the test does not hold
            in_force = reference.get(operand.field)  # a number, or else a date
            operand = in_force if number(in_force) is not None else as_day(in_force)
        pair = operand_pair(world, value, operand)
        if pair is None or not holds(*pair):
            return False
    return True


def meets(world: World, tests: dict[str, Any], fact: Fact, actor: str | None) -> bool:
    return all(passes(world, test, fact.get(name), actor, fact) for name, test in tests.items())


def precedent_bounds(precedent: Precedent, earlier_day: date, earlier_at: int, fact: Fact) -> bool:
    """Whether `fact` comes at least `at_least` and at most `within` after the earlier one."""
    if fact.day < earlier_day:
        return False
    for duration, lower in ((precedent.at_least, True), (precedent.within, False)):
        if duration is None:
            continue
        if duration.unit == "hours":
            bound = earlier_at + duration.amount * 3600
            ok = fact.at >= bound if lower else fact.at <= bound
        else:
            bound_day = later(earlier_day, duration)
            ok = fact.day >= bound_day if lower else fact.day <= bound_day
        if not ok:
            return False
    return True


def came_first(world: World, precedent: Precedent, fact: Fact) -> bool:
    """Whether what `precedent` describes came before `fact`: a date field of the fact, or an
    earlier fact of any party of the agreement (reading: with a party, like any pattern)."""
    if precedent.field is not None:
        day = as_day(fact.get(precedent.field))
        if day is None:
            return False
        return precedent_bounds(precedent, day, start_of(day), fact)
    return bool(earlier_facts(world, precedent, fact))


def came_later(world: World, follower: Precedent, fact: Fact) -> bool:
    """Whether what `follower` (a pattern's `before`) describes came after `fact`, among the
    facts known: a date field of the fact on or after its day, or a later fact of a party of
    the agreement, within the bounds (reading: "at most N before it" = it at most N after)."""
    if follower.field is not None:
        day = as_day(fact.get(follower.field))
        if day is None or day < fact.day:
            return False
        if follower.at_least is not None and day < later(fact.day, follower.at_least):
            return False
        return follower.within is None or day <= later(fact.day, follower.within)
    return any(
        (candidate.at, candidate.id) > (fact.at, fact.id)
        and other_fact(world, follower, candidate, fact)
        and precedent_bounds(follower, fact.day, fact.at, candidate)
        for candidate in world.facts
    )


def earlier_facts(world: World, precedent: Precedent, fact: Fact) -> list[Fact]:
    """The facts before `fact` that `precedent` (with `fact:`) describes, oldest first."""
    return [
        earlier
        for earlier in world.facts
        if (earlier.at, earlier.id) < (fact.at, fact.id)
        and other_fact(world, precedent, earlier, fact)
        and precedent_bounds(precedent, earlier.day, earlier.at, fact)
    ]


def other_fact(world: World, other: Precedent, candidate: Fact, fact: Fact) -> bool:
    """reading: `candidate` is a party's act of `other`'s type that passes its tests, escapes its
    carve-outs and shares the `match_on` fields with `fact` (when it is there is not asked)."""
    if candidate.type != other.fact or not with_ok(world, "parties", candidate):
        return False
    actor = world.actor(candidate)
    if actor is None or any(meets(world, c, candidate, actor) for c in other.unless):
        return False
    if not meets(world, other.where, candidate, actor):
        return False
    return all(same(candidate.get(name), fact.get(name)) for name in other.match_on)


def matching(
    world: World,
    pattern: Pattern,
    fact: Fact,
    whose: tuple[str, ...] | None,
    trigger: Fact | None = None,
) -> bool:
    """Whether `fact` is one `pattern` describes, as an act of one of `whose` (None: any party of
    the agreement; a pattern's own `by` overrides it); `trigger` is what `match_on` pairs with."""
    if fact.type != pattern.fact or not with_ok(world, pattern.with_, fact):
        return False
    actor = world.actor(fact)
    if actor is None:
        return False  # someone outside the agreement acted
    allowed = world.whom(pattern.by) if pattern.by is not None else whose
    if allowed is not None and actor not in allowed:
        return False
    if not meets(world, pattern.where, fact, actor):
        return False
    if any(meets(world, carve_out, fact, actor) for carve_out in pattern.unless):
        return False
    if pattern.match_on:
        if trigger is None:
            return False
        if any(not same(fact.get(name), trigger.get(name)) for name in pattern.match_on):
            return False
    if pattern.after is not None and not came_first(world, pattern.after, fact):
        return False
    if pattern.before is not None and not came_later(world, pattern.before, fact):
        return False
    return pattern.unless_after is None or not came_first(world, pattern.unless_after, fact)


# --- what norms tell each other -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breach:
    """One breach of a norm, as another norm's trigger sees it."""

    instant: int  # when it arose (a due instant, a forbidden fact, a period's end...)
    day: date  # its finding's date
    subject: str
    fact: Fact | None  # the fact it rests on (a trigger fact, the forbidden fact)


@dataclass(frozen=True, slots=True)
class Pause:
    """A suspension of a norm: its first and last instant (NEVER while open), whether its end
    is known on the as-of instant, and the exercise that started it."""

    first: int
    last: int
    known: bool
    exercise: Fact

    def covers(self, instant: int) -> bool:
        return self.first <= instant <= self.last


@dataclass(slots=True)
class Outcome:
    """What a norm produced: its findings, its instances in order (with the breach each is, if
    it is one, for 'in a row'), and, for a right, its exercises."""

    findings: set[OracleFinding] = field(default_factory=set)
    suspended: list[Pause] = field(default_factory=list)  # the norm's suspensions
    # (party, order, breach or None) of each instance decided by the as-of instant
    sequence: list[tuple[str, tuple[Any, ...], Breach | None]] = field(default_factory=list)
    # (party, order, material breach) of each instance materially breached by the as-of instant
    material_sequence: list[tuple[str, tuple[Any, ...], Breach | None]] = field(
        default_factory=list
    )
    exercises: list[tuple[Fact, str]] = field(default_factory=list)  # (fact, right's subject)
    # (fact, instance subject, when it was fulfilled: the later of the fact and the instance)
    fulfilments: list[tuple[Fact, str, int]] = field(default_factory=list)

    def streams(self, material: bool = False) -> list[list[Breach | None]]:
        """The instances of each party in order: "in a row" counts one party's instances
        (reading: a norm binding several parties has a run per party); with `material`, its
        material breaches."""
        sequence = self.material_sequence if material else self.sequence
        parties = sorted({party for party, _key, _breach in sequence})
        return [
            [b for _p, _k, b in sorted((i for i in sequence if i[0] == party), key=_order)]
            for party in parties
        ]


def _order(item: tuple[str, tuple[Any, ...], Breach | None]) -> tuple[Any, ...]:
    return item[1]


def repeated(outcome: Outcome, trigger: OnBreach) -> list[Breach]:
    """The breaches that make an event of `trigger`: each breach; with `in_a_row: N`, the Nth
    breach of a run of consecutive ones, the run starting afresh after it (reading, from the
    evaluator: three in a row with N=2 make one event); with `count: K, in_last: N`, each breach
    with at least K breaches among the last N instances ending with it."""
    events: list[Breach] = []
    for ordered in outcome.streams(trigger.material):
        if trigger.in_a_row is not None:
            run: list[Breach] = []
            for item in ordered:
                run = [*run, item] if item is not None else []
                if len(run) == trigger.in_a_row:
                    # reading: the run is complete when the last of its breaches to arise has
                    # (a late report of an earlier period completes it when it comes).
                    events.append(_completed(item, max(run, key=lambda b: b.instant)))
                    run = []
        elif trigger.count is not None and trigger.in_last is not None:
            for index, item in enumerate(ordered):
                if item is None:
                    continue
                window = [b for b in ordered[max(0, index - trigger.in_last + 1) : index] if b]
                if len(window) + 1 >= trigger.count:
                    # reading: known once this breach and count - 1 earlier ones have arisen.
                    earliest = sorted(window, key=lambda b: b.instant)[: trigger.count - 1]
                    events.append(_completed(item, max([item, *earliest], key=lambda b: b.instant)))
        else:
            events += [item for item in ordered if item is not None]
    return sorted(events, key=lambda event: (event.instant, event.subject))


def _completed(breach: Breach, latest: Breach) -> Breach:
    """`breach` as the event that completes a repetition, arising with `latest`, the last of
    the repetition's breaches to arise."""
    if latest.instant <= breach.instant:
        return breach
    return replace(breach, instant=latest.instant, day=latest.day)


# --- the oracle ---------------------------------------------------------------------------------


def oracle_norms(
    agreement: Agreement,
    facts: Sequence[Fact],
    fact_parties: FactParties,
    as_of: int,
    horizon_end: int,
) -> set[OracleFinding]:
    """Every finding the agreement's norms should give on `as_of` (deadlines up to
    `horizon_end`); facts after `as_of` are not known yet and are left out."""
    if agreement.term is not None:
        raise NotImplementedError("the oracle knows fixed and open-ended terms only")
    world = World(
        parties=agreement.resolved_parties,
        fact_parties=fact_parties,
        facts=sorted((f for f in facts if f.at <= as_of), key=lambda f: (f.at, f.id)),
        values=dict(agreement.values),
        as_of=as_of,
        horizon_end=horizon_end,
        term_start=start_of(agreement.effective),
        term_last=amended_last_day(agreement),
    )
    norms = norms_as_amended(agreement)
    return {(clause.split("#")[0], *rest) for clause, *rest in _found(world, norms)}


def amended_last_day(agreement: Agreement) -> date | None:
    """reading: the last amendment that says `expires` (or `open_ended`) sets the term's end."""
    last_day = agreement.expires
    for amendment in agreement.amendments:
        if amendment.expires is not None:
            last_day = amendment.expires
        elif amendment.open_ended:
            last_day = None
    return last_day


def norms_as_amended(agreement: Agreement) -> dict[str, Norm]:
    """The norm clauses, one norm per version: reading: a clause's own `amended` entries and the
    agreement amendments' `changes` each start a version on their effective day (the fields they
    give replace the earlier ones), the version before ends the day before; a clause an
    amendment adds applies from that amendment's day, one it removes until the day before.
    Versions after the first are keyed `<id>#2`, `<id>#3`... and reported under `<id>`."""
    added = {c.id: a.effective for a in agreement.amendments for c in a.adds}
    removed = {i: a.effective for a in agreement.amendments for i in a.removes}
    changes: dict[str, list[tuple[date, dict[str, Any]]]] = {}
    for amendment in agreement.amendments:
        for change in amendment.changes:
            fields = dict(change.model_extra or {})
            changes.setdefault(change.id, []).append((amendment.effective, fields))
    norms: dict[str, Norm] = {}
    clauses = [*agreement.clauses, *(c for a in agreement.amendments for c in a.adds)]
    for clause in clauses:
        if not isinstance(clause, ObligationTerms | ProhibitionTerms | MeasureTerms | RightTerms):
            continue
        clause_id: str = getattr(clause, "id")  # noqa: B009
        data = clause.model_dump(by_alias=True, exclude_unset=True, exclude={"amended"})
        steps = [(a.effective, dict(a.model_extra or {})) for a in clause.amended]
        steps += changes.get(clause_id, [])
        versions: list[tuple[date | None, dict[str, Any]]] = [(added.get(clause_id), data)]
        for effective, fields in sorted(steps, key=lambda step: step[0]):
            versions.append((effective, {**versions[-1][1], **fields}))
        for number, (first, fields) in enumerate(versions):
            following = versions[number + 1][0] if number + 1 < len(versions) else None
            last = following - timedelta(days=1) if following is not None else None
            if clause_id in removed:
                last = min(d for d in (last, removed[clause_id] - timedelta(days=1)) if d)
            norm = type(clause).model_validate(fields)
            update: dict[str, Any] = {}
            if first is not None and (norm.from_ is None or norm.from_ < first):
                update["from_"] = first
            if last is not None and (not isinstance(norm.until, date) or norm.until > last):
                update["until"] = last
            key = clause_id if number == 0 else f"{clause_id}#{number + 1}"
            norms[key] = norm.model_copy(update=update)
    return norms


def _found(world: World, norms: dict[str, Norm]) -> set[OracleFinding]:
    as_of, horizon_end = world.as_of, world.horizon_end
    as_written = Evaluation(world, norms)
    found = as_written.run()
    ending = terminated(as_written)
    if ending is None or (world.term_last is not None and ending[2] >= world.term_last):
        last = world.term_last
        if last is not None and as_of <= end_of(last) <= horizon_end:
            # The term's own deadline: it expires on its last day, as the amendments leave it.
            found.add(("term", "deadline", "term.expires", last.isoformat(), last.isoformat()))
        return found
    clause_id, notice, last_day = ending
    found = Evaluation(replace(world, term_last=last_day), norms).run()
    if as_of <= end_of(last_day) <= horizon_end:
        found.add((clause_id, "deadline", "right.ends_agreement", notice.id, last_day.isoformat()))
    elif end_of(last_day) < as_of:  # it has ended: a trigger once that day is over
        found.add((clause_id, "trigger", "right.ended_agreement", notice.id, last_day.isoformat()))
    return found


def terminated(evaluation: Evaluation) -> tuple[str, Fact, date] | None:
    """(clause, exercise, new last day) of the earliest end a right ending the agreement sets
    on the term as written: per clause its first exercise; the first clause of equal ones."""
    found: list[tuple[date, int, str, Fact]] = []
    for order, (clause_id, norm) in enumerate(evaluation.norms.items()):
        if not isinstance(norm, RightTerms) or norm.effect is None:
            continue
        if norm.effect.ends != "agreement":
            continue
        exercises = evaluation.outcome(clause_id).exercises
        if not exercises:
            continue
        notice = exercises[0][0]
        after = norm.effect.after
        if after is not None and after.unit == "hours":
            raise NotImplementedError("an end of the agreement in hours is not modelled")
        last_day = notice.day if after is None else later(notice.day, after)
        found.append((last_day, order, clause_id, notice))
    if not found:
        return None
    last_day, _, clause_id, notice = min(found, key=lambda item: (item[0], item[1]))
    return clause_id, notice, last_day


class Evaluation:
    """The agreement's norms worked out together: each on demand, after the norms it reads."""

    def __init__(self, world: World, norms: dict[str, Norm]) -> None:
        self.world = world
        self.norms = norms
        self.outcomes: dict[str, Outcome] = {}
        self.working: set[str] = set()
        self.values: dict[str, dict[str, Fraction | None]] = {}  # measure -> label -> value
        self.paused: dict[str, list[Pause]] = {}  # norm -> its suspensions

    def run(self) -> set[OracleFinding]:
        found: set[OracleFinding] = set()
        for clause_id in self.norms:
            found |= self.outcome(clause_id).findings
        return found

    def outcome(self, clause_id: str) -> Outcome:
        if clause_id in self.outcomes:
            return self.outcomes[clause_id]
        assert clause_id not in self.working, f"clauses depend on each other through {clause_id}"
        self.working.add(clause_id)
        norm = self.norms[clause_id]
        result = Outcome()
        lo, hi = self.window(clause_id, norm, result)
        result.suspended = self.paused[clause_id] = self.pauses(clause_id)
        for pause in result.suspended:
            if pause.first <= hi - 1 and lo <= pause.last and self.world.as_of >= pause.first:
                result.findings.add(
                    (
                        clause_id,
                        "trigger",
                        f"{_kind(norm)}.suspended",
                        pause.exercise.id,
                        day_of(pause.first).isoformat(),
                    )
                )
        if lo >= hi:
            pass  # it never applies (a right that starts it has not been exercised)
        elif isinstance(norm, ObligationTerms):
            self.obligation(clause_id, norm, lo, hi, result)
        elif isinstance(norm, ProhibitionTerms):
            self.prohibition(clause_id, norm, lo, hi, result)
        elif isinstance(norm, MeasureTerms):
            self.measure(clause_id, norm, lo, hi, result)
        else:
            self.right(clause_id, norm, lo, hi, result)
        if isinstance(norm, MeasureTerms) and not norm.reported:
            # A threshold other norms react to: its periods are not reported, its errors are.
            result.findings = {f for f in result.findings if f[2] not in MEASURE_PERIOD_CODES}
        if isinstance(norm, RightTerms) and not norm.reported:
            # A standing right: only what its exercise does is reported.
            result.findings = {f for f in result.findings if f[2] not in RIGHT_CODES}
        self.working.discard(clause_id)
        self.outcomes[clause_id] = result
        return result

    # --- the time a norm applies ----------------------------------------------------------------

    def window(self, clause_id: str, norm: Norm, result: Outcome) -> tuple[int, int]:
        """[first instant, first instant after) of the norm's time; an early end is reported
        as `<kind>.ended` on its day."""
        world = self.world
        lo = world.term_start
        if norm.from_ is not None:
            lo = max(lo, start_of(norm.from_))
        if isinstance(norm.until, date):
            # reading: a last day ends the norm earlier, never later than the term.
            hi = min(world.term_end, start_of(norm.until + timedelta(days=1)))
        elif isinstance(norm.until, AfterEnd):
            # reading: a tail counts from the term's last day ("2 years after the end").
            hi = (
                NEVER
                if world.term_last is None
                else start_of(later(world.term_last, norm.until.after_end) + timedelta(days=1))
            )
        else:
            hi = world.term_end
        first_day = self.started(clause_id)
        if first_day is not None:
            lo = max(lo, start_of(first_day)) if first_day != date.max else NEVER
            lo = min(lo, hi)
        # An end before the norm's `from` ends it too: it never applies.
        ends = self.early_ends(clause_id, norm)
        if ends:
            day = min(ends)
            hi = min(hi, start_of(day + timedelta(days=1)))
            # reading (the evaluator's): the end is reported from the last second of its day
            # on, even when that day is on or after the norm's last day anyway (an obligation's
            # instances may outlive the term).
            if self.world.as_of >= end_of(day):
                kind = _kind(norm)
                result.findings.add(
                    (clause_id, "trigger", f"{kind}.ended", "ended", day.isoformat())
                )
        return lo, hi

    def outcomes_pauses(self, clause_id: str) -> list[Pause]:
        """The suspensions of the norm being worked out (see `pauses`)."""
        return self.paused.get(clause_id, [])

    def started(self, clause_id: str) -> date | None:
        """The first day a norm that a right's effect `starts` applies (date.max: no exercise
        yet), or None when no right starts it."""
        days: list[date] = []
        named = False
        for other_id, other in self.norms.items():
            if not isinstance(other, RightTerms) or other.effect is None:
                continue
            if clause_id not in (other.effect.starts or []):
                continue
            named = True
            after = other.effect.after
            for fact, _subject in self.outcome(other_id).exercises:
                effective = fact.day if after is None else later(fact.day, after)
                days.append(effective + timedelta(days=1))
        if not named:
            return None
        return min(days, default=date.max)

    def pauses(self, clause_id: str) -> list[Pause]:
        """The norm's suspensions by rights' exercises, in order of their first instants."""
        world = self.world
        found: list[Pause] = []
        for other_id, other in self.norms.items():
            if not isinstance(other, RightTerms) or other.effect is None:
                continue
            effect = other.effect
            if clause_id not in (effect.suspends or []):
                continue
            for exercise, _subject in self.outcome(other_id).exercises:
                day = exercise.day if effect.after is None else later(exercise.day, effect.after)
                first, last, known = start_of(day + timedelta(days=1)), NEVER, False
                if effect.for_ is not None:
                    last = end_of(later(day, effect.for_))
                    known = effect.until is None or world.as_of > last
                if effect.until is not None:
                    resume = next(
                        (
                            fact
                            for fact in world.facts
                            if fact.at >= exercise.at
                            and matching(world, effect.until, fact, None, exercise)
                        ),
                        None,
                    )
                    if resume is not None and end_of(resume.day) <= last:
                        last, known = end_of(resume.day), True
                if last >= first:
                    found.append(Pause(first, last, known, exercise))
        return sorted(found, key=lambda pause: (pause.first, pause.exercise.at, pause.exercise.id))

    def early_ends(self, clause_id: str, norm: Norm) -> list[date]:
        days: list[date] = []
        ends_when = norm.ends_when
        if ends_when is not None:
            if ends_when.breach_of is not None:
                trigger = ends_when.as_trigger()
                assert isinstance(trigger, OnBreach)
                events = repeated(self.outcome(ends_when.breach_of), trigger)
                days += [event.day for event in events[:1]]
            elif ends_when.exercise_of is not None:
                exercises = self.outcome(ends_when.exercise_of).exercises
                days += [fact.day for fact, _subject in exercises[:1]]
        for other_id, other in self.norms.items():
            if (
                isinstance(other, RightTerms)
                and other.effect is not None
                and isinstance(other.effect.ends, list)
                and clause_id in other.effect.ends
            ):
                exercises = self.outcome(other_id).exercises
                if exercises:
                    first = exercises[0][0].day
                    after = other.effect.after
                    days.append(first if after is None else later(first, after))
        return days

    # --- triggers ------------------------------------------------------------------------------

    def triggers(
        self, clause_id: str, trigger: Any, lo: int, hi: int
    ) -> list[tuple[int, date, str, Fact | None, Span | None]]:
        """(instant, day, subject, trigger fact, period) of each instance a trigger of clause
        `clause_id` creates while the norm applies, known by `as_of` or foreseeable (periods and
        dates) up to the horizon."""
        world = self.world
        found: list[tuple[int, date, str, Fact | None, Span | None]] = []
        if isinstance(trigger, Pattern):
            for fact in world.facts:
                if lo <= fact.at < hi and matching(world, trigger, fact, None):
                    found.append((fact.at, fact.day, fact.id, fact, None))
        elif isinstance(trigger, EachPeriod):
            # reading: one instance per period that ends while the norm applies (a period cut
            # short by the start counts, one cut short by the end does not), at its last second.
            for span in spans_from(day_of(lo), trigger.each):
                instant = end_of(span.last)
                if instant >= hi or instant > max(world.horizon_end, world.as_of):
                    break
                if instant >= lo:
                    found.append((instant, span.last, span.label, None, span))
        elif trigger == "start":
            if lo <= world.term_start < hi:
                found.append((world.term_start, day_of(world.term_start), "start", None, None))
        elif trigger == "end":
            if world.term_last is not None:
                instant = end_of(world.term_last)
                if lo <= instant < hi:
                    found.append((instant, world.term_last, "end", None, None))
        elif isinstance(trigger, date):
            instant = start_of(trigger)
            if lo <= instant < hi:
                found.append((instant, trigger, trigger.isoformat(), None, None))
        elif isinstance(trigger, EachAnniversary):
            # reading: the anniversaries of the term's first day, from the first; a window
            # arises at the start of the day `opens_before` each, while the norm applies.
            before = trigger.opens_before or Duration(0, "days")
            years = 1
            while True:
                anniversary = anniversary_of(day_of(world.term_start), years)
                first = later(anniversary, Duration(-before.amount, before.unit))
                instant = start_of(first)
                if instant >= hi or instant > max(world.horizon_end, world.as_of):
                    break
                if instant >= lo:
                    found.append((instant, first, anniversary.isoformat(), None, None))
                years += 1
        elif isinstance(trigger, OnBreach):
            for event in repeated(self.breaches_of(trigger), trigger):
                if lo <= event.instant < hi:
                    found.append((event.instant, event.day, event.subject, event.fact, None))
        elif isinstance(trigger, OnFulfilment):
            # reading: each fact that fulfilled an instance of the obligation, on time or late,
            # named after that instance (`6.2:beta`).
            for fact, fulfilled, at in sorted(
                self.outcome(trigger.fulfilment_of).fulfilments, key=lambda item: item[2]
            ):
                if lo <= at < hi:
                    subject = f"{trigger.fulfilment_of}:{fulfilled}"
                    found.append((at, day_of(at), subject, fact, None))
        elif isinstance(trigger, OnExercise):
            # reading (the evaluator's): named after the right's instance that was exercised.
            for fact, exercised in self.outcome(trigger.exercise_of).exercises:
                if lo <= fact.at < hi:
                    subject = f"{trigger.exercise_of}:{exercised}"
                    found.append((fact.at, fact.day, subject, fact, None))
        return found

    # --- obligation ----------------------------------------------------------------------------

    def obligation(
        self, clause_id: str, norm: ObligationTerms, lo: int, hi: int, result: Outcome
    ) -> None:
        world = self.world
        bound = world.whom(norm.by)
        pauses = self.outcomes_pauses(clause_id)
        for instant, _day, subject, trigger_fact, span in self.triggers(
            clause_id, norm.when, lo, hi
        ):
            if any(pause.covers(instant) for pause in pauses):
                continue  # nothing arises while suspended
            if norm.within is not None:
                due = due_after(instant, norm.within)
            elif isinstance(norm.due, FieldRef):
                assert trigger_fact is not None
                due_day = as_day(trigger_fact.get(norm.due.field))
                if due_day is None:
                    continue
                due = end_of(due_day)
            else:
                assert isinstance(norm.due, date)
                due = end_of(norm.due)
            later_due = pushed_back(pauses, instant, due)
            if later_due is None:
                continue  # pending while suspended for a time not known yet
            due = later_due
            needed: Fraction | None = None
            if norm.amount is not None:
                needed = self.amount_needed(norm, trigger_fact, span)
                if needed is not None and needed <= 0:
                    continue  # reading: an amount of 0 or less owes nothing: no instance
            for party in bound:
                shown = subject if len(bound) == 1 else f"{subject}/{party}"
                if norm.amount is not None and needed is None:
                    # The measure it is a percentage of cannot tell the period's figure: what
                    # is owed is unknown; never a breach, still a deadline before it is due.
                    if world.as_of > due:
                        found = (clause_id, "unknown", "obligation.unknown", shown)
                        result.findings.add((*found, day_of(due).isoformat()))
                    elif due <= world.horizon_end:
                        found = (clause_id, "deadline", "obligation.due", shown)
                        result.findings.add((*found, day_of(due).isoformat()))
                    continue
                done_by = self.fulfilled(norm, party, instant, trigger_fact, span)
                done = None if done_by is None else done_by.at
                if done_by is not None and max(done_by.at, instant) <= world.as_of:
                    # reading: fulfilled when the instance exists and its fact is there.
                    result.fulfilments.append((done_by, shown, max(done_by.at, instant)))
                key = (instant, subject, party)
                if done is not None and done <= due:
                    result.sequence.append((party, key, None))
                    continue
                if norm.material_breach_after is not None:
                    self.material(clause_id, norm.material_breach_after, shown, due, done, result)
                    material = due_after(due, norm.material_breach_after)
                    if world.as_of > material and (done is None or done > material):
                        # reading: a material breach is an event of its own for a trigger that
                        # says `material: true`, at the end of the grace.
                        breach = Breach(material, day_of(material), shown, trigger_fact)
                        result.material_sequence.append((party, key, breach))
                if norm.cure is not None:
                    self.cure(clause_id, norm.cure, shown, due, done, trigger_fact, result)
                if world.as_of > due:
                    breach = Breach(due, day_of(due), shown, trigger_fact)
                    result.sequence.append((party, key, breach))
                    result.findings.add(
                        (clause_id, "breach", "obligation.breached", shown, day_of(due).isoformat())
                    )
                elif due <= world.horizon_end:
                    result.findings.add(
                        (clause_id, "deadline", "obligation.due", shown, day_of(due).isoformat())
                    )

    def material(
        self,
        clause_id: str,
        grace: Duration,
        shown: str,
        due: int,
        done: int | None,
        result: Outcome,
    ) -> None:
        """`material_breach_after`: not done by the end of the grace after the due instant (done
        later, or not yet), a material breach dated at the grace's last day; a deadline while
        that instant is to come within the horizon."""
        world = self.world
        material = due_after(due, grace)
        if done is not None and done <= material:
            return
        day = day_of(material).isoformat()
        if world.as_of > material:
            result.findings.add((clause_id, "trigger", "obligation.material_breach", shown, day))
        elif material <= world.horizon_end:
            result.findings.add((clause_id, "deadline", "obligation.becomes_material", shown, day))

    def cure(
        self,
        clause_id: str,
        cure: ObligationCure,
        shown: str,
        due: int,
        done: int | None,
        trigger_fact: Fact | None,
        result: Outcome,
    ) -> None:
        """`cure` of an instance not done by its due instant: the first default notice after
        that instant (an act of any party of the agreement unless the pattern says `by`; with
        `match_on`, sharing those fields with the trigger fact) starts a cure period that ends as
        a due date does after its trigger. Done by its end: cured, nothing more is said. Else its
        last day is a deadline while that day is to come within the horizon, and once it has
        passed the breach is uncured, a trigger dated the next day (when the right to terminate
        arises, reading: a second after the cure period), whether it was done later or never."""
        world = self.world
        notice = next(
            (
                fact
                for fact in world.facts
                if fact.at > due and matching(world, cure.notice, fact, None, trigger_fact)
            ),
            None,
        )
        if notice is None:
            return
        ends = due_after(notice.at, cure.within)
        if done is not None and done <= ends:
            return
        if world.as_of > ends:
            day = day_of(ends + 1).isoformat()
            result.findings.add((clause_id, "trigger", "obligation.uncured", shown, day))
        elif ends <= world.horizon_end:
            day = day_of(ends).isoformat()
            result.findings.add((clause_id, "deadline", "obligation.cure_ends", shown, day))

    def breaches_of(self, trigger: OnBreach) -> Outcome:
        """The breaches of the clause a trigger names, as one outcome whose breaches are named
        `<clause>:<subject>`; of several clauses (reading: the versions of one duty), their
        instances merged, in the order of their keys (a period's first day, an instance's
        trigger instant, a forbidden fact's instant), the clause listed first on a tie."""
        merged = Outcome()
        for clause_id in trigger.sources:
            outcome = self.outcome(clause_id)
            sequence = outcome.material_sequence if trigger.material else outcome.sequence
            into = merged.material_sequence if trigger.material else merged.sequence
            for party, key, breach in sequence:
                named = breach
                if breach is not None:
                    named = replace(breach, subject=f"{clause_id}:{breach.subject}")
                into.append((party, key, named))
        return merged

    def fulfilled(
        self,
        norm: ObligationTerms,
        party: str,
        instant: int,
        trigger_fact: Fact | None,
        span: Span | None,
    ) -> Fact | None:
        """The fact that fulfilled the instance (completed its amount), or None."""
        world = self.world
        needed: Fraction | None = None
        if norm.amount is not None:
            needed = self.amount_needed(norm, trigger_fact, span)
            assert needed is not None
        total = Fraction(0)
        for fact in world.facts:
            if norm.period_field is not None:
                assert span is not None
                # reading: a fact naming the period fulfils it whenever it came.
                if not names_period(fact.get(norm.period_field), span.label):
                    continue
            elif fact.at < instant and not norm.early:
                continue  # reading: with `early`, a fact before the trigger counts too
            if not matching(world, norm.do, fact, (party,), trigger_fact):
                continue
            if needed is None:
                return fact
            assert norm.amount is not None
            value = number(fact.get(norm.amount.sum))
            if value is not None:
                total += value
            if total >= needed:
                return fact
        return None

    def amount_needed(
        self, norm: ObligationTerms, trigger_fact: Fact | None, span: Span | None
    ) -> Fraction | None:
        """The amount owed; None when it is a percentage of a measure that has no value for
        the period."""
        assert norm.amount is not None
        bound = norm.amount.at_least
        if isinstance(bound, FieldRef) and bound.on == "after":
            # reading: the field of the latest earlier fact the trigger's `after` describes
            # (the bonus paid before the churn).
            assert trigger_fact is not None
            assert isinstance(norm.when, Pattern)
            assert norm.when.after is not None
            earlier = earlier_facts(self.world, norm.when.after, trigger_fact)[-1]
            return number(earlier.get(bound.field)) or Fraction(0)
        if isinstance(bound, FieldRef):
            assert trigger_fact is not None
            return number(trigger_fact.get(bound.field)) or Fraction(0)
        if isinstance(bound, Percent) and span is not None:  # each period: of a measure
            return self.bound(bound, span.label)
        if isinstance(bound, Percent):
            assert trigger_fact is not None
            base = number(trigger_fact.get(bound.of)) or Fraction(0)
            return Fraction(str(bound.percent)) * base / 100
        if isinstance(bound, ValueRef):
            value = number(self.world.values[bound.value])
            assert value is not None
            return value
        value = number(bound)
        assert value is not None
        return value

    # --- prohibition ---------------------------------------------------------------------------

    def prohibition(
        self, clause_id: str, norm: ProhibitionTerms, lo: int, hi: int, result: Outcome
    ) -> None:
        world = self.world
        bound = world.whom(norm.by)
        pauses = self.outcomes_pauses(clause_id)
        for fact in world.facts:
            if not lo <= fact.at < hi or not matching(world, norm.do, fact, bound):
                continue
            if any(pause.covers(fact.at) for pause in pauses):
                continue  # not judged while suspended
            breach = Breach(fact.at, fact.day, fact.id, fact)
            result.sequence.append((world.actor(fact) or "", (fact.at, fact.id), breach))
            result.findings.add(
                (clause_id, "breach", "prohibition.breached", fact.id, fact.day.isoformat())
            )

    # --- measure -------------------------------------------------------------------------------

    def measure(
        self, clause_id: str, norm: MeasureTerms, lo: int, hi: int, result: Outcome
    ) -> None:
        world = self.world
        bound = world.whom(norm.by)
        if norm.unreadable != "fail" and norm.field is not None:
            self.unreadable(clause_id, norm, lo, hi, result)
        if isinstance(norm.per, Rolling):
            for party in bound:
                self.rolling(clause_id, norm, norm.per, party, len(bound) > 1, lo, hi, result)
            return
        values: dict[str, Fraction | None] = {}
        self.values[clause_id] = values
        for party in bound:
            suffix = "" if len(bound) == 1 else f"/{party}"
            carried = Fraction(0)
            for calendar_span in spans_from(day_of(lo), norm.per):
                span = calendar_span
                if start_of(span.first) >= hi or start_of(span.first) > world.as_of:
                    break
                if end_of(span.last) < lo:
                    continue
                if norm.whole_periods and not self.whole(span, lo, hi):
                    continue  # cut short by the norm's start or end: not judged
                if end_of(span.last) >= hi:
                    # reading: a period the norm's end cuts (a termination mid-quarter) closes
                    # with the norm: judged then, dated on its last day, nothing due after it.
                    span = Span(span.first, day_of(hi - 1), span.label)
                label = span.label + suffix
                ended = world.as_of > end_of(span.last)
                current = not ended
                first, last = start_of(span.first), end_of(span.last)
                if any(
                    p.first <= last and first <= p.last for p in self.outcomes_pauses(clause_id)
                ):
                    # suspended in the period: not judged, no value, and a break in a run
                    values[label] = None
                    carried = Fraction(0)
                    if current:
                        break
                    result.sequence.append((party, (span.first, party), None))
                    continue
                counted = self.period_facts(norm, party, span, lo, hi)
                value = aggregate(norm, counted)
                # `unreadable: skip_period`: a fact without a number leaves its period's value
                # unknown (reading: a bound relative to it too).
                skipped = norm.unreadable == "skip_period" and any(
                    number(fact.get(norm.field or "")) is None for fact in counted
                )
                if skipped and norm.aggregate == "latest":
                    # reading: only the latest value counts, so only an unreadable latest fact
                    # leaves the period untold (an earlier one is superseded).
                    skipped = number(counted[-1].get(norm.field or "")) is None
                if skipped:
                    value = None
                values[label] = value
                # reading: a percentage of another measure compares the same party's periods.
                minimum = self.bound(norm.at_least, label)
                maximum = self.bound(norm.at_most, label)
                unknown_bound = (norm.at_least is not None and minimum is None) or (
                    norm.at_most is not None and maximum is None
                )
                if minimum is not None:
                    minimum += carried
                key = (span.first, party)
                crossing = self.crossing(norm, counted, maximum)
                if current:
                    # reading (the evaluator's): a sum or count over its maximum is a breach as
                    # soon as a fact crosses it, while its period is open; a period named by a
                    # field is judged once it has ended, like any other bound.
                    if skipped:
                        break
                    if crossing is not None and norm.period_field is None:
                        day = crossing.day
                        result.findings.add(
                            (clause_id, "breach", "measure.breached", label, day.isoformat())
                        )
                        result.sequence.append(
                            (party, key, Breach(crossing.at, day, label, crossing))
                        )
                    elif (
                        minimum is not None
                        and value is not None
                        and value < minimum
                        and end_of(span.last) <= world.horizon_end
                    ):
                        result.findings.add(
                            (clause_id, "deadline", "measure.at_risk", label, span.last.isoformat())
                        )
                    break
                if value is None or unknown_bound:
                    day = span.last
                    if skipped:  # known when the last fact of the period came
                        day = max([day, *(fact.day for fact in counted)])
                    result.findings.add(
                        (clause_id, "unknown", "measure.no_data", label, day.isoformat())
                    )
                    result.sequence.append((party, key, None))
                    carried = Fraction(0)
                    continue
                under = minimum is not None and value < minimum
                over = maximum is not None and value > maximum
                if norm.carry_over and minimum is not None:
                    carried = max(Fraction(0), minimum - value)
                if not (under or over):
                    result.sequence.append((party, key, None))
                    continue
                instant, day = end_of(span.last), span.last
                if over and crossing is not None:
                    instant, day = crossing.at, crossing.day
                elif norm.period_field is not None:
                    late = [fact for fact in counted if fact.at > end_of(span.last)]
                    if late:
                        instant, day = late[-1].at, late[-1].day
                result.findings.add(
                    (clause_id, "breach", "measure.breached", label, day.isoformat())
                )
                result.sequence.append((party, key, Breach(instant, day, label, None)))

    def unreadable(
        self, clause_id: str, norm: MeasureTerms, lo: int, hi: int, result: Outcome
    ) -> None:
        """`unreadable: report` or `skip_period`: each measured fact in the norm's time whose
        field is not a number is an error of its own (with `whole_periods`, only a fact of a
        period that is judged: reading, the others do not matter)."""
        world = self.world
        pauses = self.outcomes_pauses(clause_id)
        for fact in world.facts:
            if not lo <= fact.at < hi or number(fact.get(norm.field or "")) is not None:
                continue
            if any(pause.covers(fact.at) for pause in pauses):
                continue
            if not matching(world, norm.of, fact, world.whom(norm.by)):
                continue
            if norm.whole_periods and not self.in_whole_period(norm, fact, lo, hi):
                continue
            result.findings.add(
                (clause_id, "error", "measure.undecided", fact.id, fact.day.isoformat())
            )

    def in_whole_period(self, norm: MeasureTerms, fact: Fact, lo: int, hi: int) -> bool:
        assert not isinstance(norm.per, Rolling)
        if norm.period_field is None:
            return self.whole(span_of(fact.day, norm.per), lo, hi)
        value = fact.get(norm.period_field)
        if isinstance(value, bool) or not isinstance(value, str | int):
            return False
        named = period_named(str(value))
        if named is None or span_of(named.start, norm.per).label != named.label:
            return False  # names no period of the measure's unit
        return self.whole(span_of(named.start, norm.per), lo, hi)

    @staticmethod
    def whole(span: Span, lo: int, hi: int) -> bool:
        """Whether a period lies wholly inside [lo, hi)."""
        return start_of(span.first) >= lo and end_of(span.last) < hi

    def period_facts(
        self, norm: MeasureTerms, party: str, span: Span, lo: int, hi: int
    ) -> list[Fact]:
        """The facts measured for one period, in order: by their time (while the norm applies)
        or, with `period_field`, those naming the period."""
        found = []
        for fact in self.world.facts:
            if norm.period_field is not None:
                # reading: a fact naming a period counts whenever it came (a report for the
                # last quarter comes after it, often after the term).
                if not names_period(fact.get(norm.period_field), span.label):
                    continue
            else:
                first = max(lo, start_of(span.first))  # facts outside the norm's time never count
                if not first <= fact.at <= min(hi - 1, end_of(span.last)):
                    continue
            if matching(self.world, norm.of, fact, (party,)):
                found.append(fact)
        return found

    def crossing(
        self, norm: MeasureTerms, counted: list[Fact], maximum: Fraction | None
    ) -> Fact | None:
        """The fact at which a sum or count first went over its maximum."""
        if maximum is None or norm.aggregate not in ("sum", "count"):
            return None
        running = Fraction(0)
        for fact in counted:
            if norm.aggregate == "count":
                running += 1
            else:
                value = number(fact.get(norm.sum or ""))
                running += value if value is not None else 0
            if running > maximum:
                return fact
        return None

    def bound(self, bound: Any, label: str) -> Fraction | None:
        if bound is None:
            return None
        if isinstance(bound, Percent):
            self.outcome(bound.of)  # works the other measure out first
            other = self.values.get(bound.of, {}).get(label)
            return None if other is None else Fraction(str(bound.percent)) * other / 100
        if isinstance(bound, ValueRef):
            return number(self.world.values[bound.value])
        return number(bound)

    def rolling(
        self,
        clause_id: str,
        norm: MeasureTerms,
        per: Rolling,
        party: str,
        suffixed: bool,
        lo: int,
        hi: int,
        result: Outcome,
    ) -> None:
        """Each fact judged with the facts of the window that ends with it: those after the
        day `per.rolling` before it (reading: whole days, so a fact 12 months earlier to the
        day has left the window)."""
        maximum = self.bound(norm.at_most, "")
        assert maximum is not None
        pauses = self.outcomes_pauses(clause_id)
        counted = [
            fact
            for fact in self.world.facts
            if lo <= fact.at < hi
            and not any(pause.covers(fact.at) for pause in pauses)
            and matching(self.world, norm.of, fact, (party,))
        ]
        for index, fact in enumerate(counted):
            if per.rolling.unit == "hours":
                starts_after = fact.at - per.rolling.amount * 3600
                window = [f for f in counted[: index + 1] if f.at > starts_after]
            else:
                first_out = later(fact.day, Duration(-per.rolling.amount, per.rolling.unit))
                window = [f for f in counted[: index + 1] if f.day > first_out]
            if norm.aggregate == "count":
                value = Fraction(len(window))
            else:
                value = sum(
                    (number(f.get(norm.sum or "")) or Fraction(0) for f in window), Fraction(0)
                )
            label = fact.id if not suffixed else f"{fact.id}/{party}"
            if value > maximum:
                result.findings.add(
                    (clause_id, "breach", "measure.breached", label, fact.day.isoformat())
                )
                result.sequence.append(
                    (party, (fact.at, fact.id), Breach(fact.at, fact.day, label, fact))
                )
            else:
                result.sequence.append((party, (fact.at, fact.id), None))

    # --- right ---------------------------------------------------------------------------------

    def right(self, clause_id: str, norm: RightTerms, lo: int, hi: int, result: Outcome) -> None:
        world = self.world
        holders = world.whom(norm.holder)
        yearly = norm.arises if isinstance(norm.arises, EachAnniversary) else None
        pauses = self.outcomes_pauses(clause_id)
        for instant, day, subject, _fact, _span in self.triggers(clause_id, norm.arises, lo, hi):
            if any(pause.covers(instant) for pause in pauses):
                continue  # a right does not arise while suspended
            if norm.open_for is not None:
                closes = due_after(instant, norm.open_for)
                closes = min(closes, hi - 1)
            else:
                closes = hi - 1  # until the norm (by default the term) ends
            if yearly is not None and yearly.closes_before is not None:
                # reading: to the end of the day `closes_before` the anniversary (the subject).
                before = yearly.closes_before
                last = later(date.fromisoformat(subject), Duration(-before.amount, before.unit))
                closes = min(closes, end_of(last))
                if closes < instant:
                    continue
            if instant > world.as_of:
                # reading: a right arising on a day known in advance (the start, a date, an
                # anniversary's window) is announced while that instant lies within the horizon.
                known = norm.arises == "start" or isinstance(norm.arises, date | EachAnniversary)
                if known and instant <= world.horizon_end:
                    result.findings.add(
                        (clause_id, "deadline", "right.arising", subject, day.isoformat())
                    )
                continue
            exercise = None
            if norm.exercised_by is not None:
                for fact in world.facts:
                    if (
                        instant <= fact.at <= closes
                        and not any(pause.covers(fact.at) for pause in pauses)
                        and matching(world, norm.exercised_by, fact, holders)
                    ):
                        exercise = fact
                        break
            result.findings.add((clause_id, "trigger", "right.arisen", subject, day.isoformat()))
            if exercise is not None:
                result.exercises.append((exercise, subject))
            elif world.as_of <= closes <= world.horizon_end:
                result.findings.add(
                    (clause_id, "deadline", "right.closing", subject, day_of(closes).isoformat())
                )
        result.exercises.sort(key=lambda item: (item[0].at, item[0].id, item[1]))


def pushed_back(pauses: list[Pause], instant: int, due: int) -> int | None:
    """The due instant of an instance triggered at `instant`, later by the length of each
    suspension (overlapping ones as one) that starts after the trigger and by that due instant;
    None when such a suspension's end is not known yet."""
    joined: list[Pause] = []
    for pause in pauses:
        if joined and pause.first <= joined[-1].last + 1:
            prior = joined[-1]
            joined[-1] = Pause(
                prior.first,
                max(prior.last, pause.last),
                prior.known and pause.known,
                prior.exercise,
            )
        else:
            joined.append(pause)
    for pause in joined:
        if instant < pause.first <= due:
            if not pause.known:
                return None
            due += pause.last - pause.first + 1
    return due


def aggregate(norm: MeasureTerms, facts: list[Fact]) -> Fraction | None:
    """The measure's aggregate of `facts`; None when it has no value (no facts to average...)."""
    if norm.aggregate == "count":
        return Fraction(len(facts))
    name = norm.field
    assert name is not None
    numbers = [value for value in (number(fact.get(name)) for fact in facts) if value is not None]
    if norm.aggregate == "sum":
        return sum(numbers, Fraction(0))
    if not numbers:
        return None
    if norm.aggregate == "average":
        return sum(numbers, Fraction(0)) / len(numbers)
    if norm.aggregate == "min":
        return min(numbers)
    if norm.aggregate == "max":
        return max(numbers)
    latest = [
        fact for fact in facts if number(fact.get(name)) is not None
    ]  # in (at, id) order already
    value = number(latest[-1].get(name))
    assert value is not None
    return value


def _kind(norm: Norm) -> str:
    if isinstance(norm, ObligationTerms):
        return "obligation"
    if isinstance(norm, ProhibitionTerms):
        return "prohibition"
    if isinstance(norm, MeasureTerms):
        return "measure"
    return "right"
